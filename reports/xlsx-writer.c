/* XLSX output. libxlsxwriter writes the workbook's structure: sheets, formats, column widths,
 * titles and header rows, frozen panes, autofilters, print setup, charts. The data rows of every
 * table are not given to it: when its packager hands a worksheet's XML to minizip, the zip calls
 * below take that XML, and write the sheet again with the rows generated straight from the
 * tables (xlsx-rows.c), deflated with ISA-L on a second thread (raw-deflate.c). Memory stays
 * flat however many rows; text is always a string (never a formula); a table past Excel's row
 * limit continues on a second sheet; over-long cells are cut and counted. The creation date is
 * fixed by the report, so the same input gives the same bytes. */
#include <dlfcn.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

#include "config.h"
#include "raw-deflate.h"
#include "writers.h"
#include "xlsx-rows.h"

/* ISA-L's level 1: about as small as zlib's level 1, several times faster. */
#define DEFLATE_LEVEL 1

/* The data rows of one table on one worksheet. */
typedef struct {
    const Table *table;
    guint64 first, n; /* table rows */
    guint32 at;       /* the sheet row (0-based) of the first */
} DataBlock;

typedef struct {
    GArray *blocks; /* DataBlock, in row order */
    gboolean spliced;
} SheetPlan;

static void
sheet_plan_free(SheetPlan *p)
{
    g_array_unref(p->blocks);
    g_free(p);
}

/* What the zip calls need while libxlsxwriter packs the workbook (workbook_close()). */
typedef struct {
    GPtrArray *sheets; /* SheetPlan*, by worksheet number - 1 */
    gint32 xf[CELL_DURATION + 1];
    RawDeflate *rd;
    guint64 truncated_cells;
    /* the worksheet being written */
    void *zip;
    SheetPlan *current;
    GByteArray *xml; /* libxlsxwriter's XML of it: its header rows and settings, a few KB */
    RawDeflateBlock *block;
    GError *error;
} Splicer;

/* Set on the thread that calls workbook_close(), for that call. */
static _Thread_local Splicer *splicer;

/* minizip's API (the header is not installed with libxlsxwriter's). */
#define ZIP_OK 0
#define ZIP_INTERNALERROR (-104)
typedef int (*ZipOpenFunc)(void *, const char *, const void *, const void *, unsigned, const void *,
                           unsigned, const char *, int, int, int, int, int, int, const char *,
                           unsigned long, unsigned long, unsigned long, int);
typedef int (*ZipWriteFunc)(void *, const void *, unsigned);
typedef int (*ZipCloseFunc)(void *);
typedef int (*ZipCloseRawFunc)(void *, unsigned long long, unsigned long);

int zipOpenNewFileInZip4_64(void *file, const char *filename, const void *zipfi,
                            const void *extrafield_local, unsigned size_extrafield_local,
                            const void *extrafield_global, unsigned size_extrafield_global,
                            const char *comment, int method, int level, int raw, int windowBits,
                            int memLevel, int strategy, const char *password,
                            unsigned long crcForCrypting, unsigned long versionMadeBy,
                            unsigned long flagBase, int zip64);
int zipWriteInFileInZip(void *file, const void *buf, unsigned len);
int zipCloseFileInZip(void *file);

static struct {
    ZipOpenFunc open;
    ZipWriteFunc write;
    ZipCloseFunc close;
    ZipCloseRawFunc close_raw;
} minizip;

/* The definitions in this executable take precedence over minizip's (the executable's symbols
 * come first); these are minizip's own, found after it. */
static void
minizip_resolve(void)
{
    static gsize done;
    if (g_once_init_enter(&done)) {
        *(void **)&minizip.open = dlsym(RTLD_NEXT, "zipOpenNewFileInZip4_64");
        *(void **)&minizip.write = dlsym(RTLD_NEXT, "zipWriteInFileInZip");
        *(void **)&minizip.close = dlsym(RTLD_NEXT, "zipCloseFileInZip");
        *(void **)&minizip.close_raw = dlsym(RTLD_NEXT, "zipCloseFileInZipRaw64");
        g_once_init_leave(&done, 1);
    }
}

/* "xl/worksheets/sheetN.xml" -> its plan, if it is one of ours. */
static SheetPlan *
splicer_plan(Splicer *sp, const char *filename)
{
    static const char prefix[] = "xl/worksheets/sheet";
    if (sp == NULL || strncmp(filename, prefix, sizeof prefix - 1) != 0)
        return NULL;
    char *end;
    guint64 n = g_ascii_strtoull(filename + sizeof prefix - 1, &end, 10);
    if (strcmp(end, ".xml") != 0 || n == 0 || n > sp->sheets->len)
        return NULL;
    return sp->sheets->pdata[n - 1];
}

/* libxlsxwriter asks for zlib's default compression (level 6) and has no option for it. Its
 * other members (styles, workbook, charts) are small: level 1 for them; a worksheet of ours is
 * opened raw, to be given deflated data. */
int
zipOpenNewFileInZip4_64(void *file, const char *filename, const void *zipfi,
                        const void *extrafield_local, unsigned size_extrafield_local,
                        const void *extrafield_global, unsigned size_extrafield_global,
                        const char *comment, int method, int level, int raw, int windowBits,
                        int memLevel, int strategy, const char *password,
                        unsigned long crcForCrypting, unsigned long versionMadeBy,
                        unsigned long flagBase, int zip64)
{
    minizip_resolve();
    if (level != 0)
        level = 1;
    SheetPlan *plan = splicer_plan(splicer, filename);
    if (plan)
        raw = 1;
    int err = minizip.open(file, filename, zipfi, extrafield_local, size_extrafield_local,
                           extrafield_global, size_extrafield_global, comment, method, level, raw,
                           windowBits, memLevel, strategy, password, crcForCrypting, versionMadeBy,
                           flagBase, zip64);
    if (plan && err == ZIP_OK) {
        splicer->zip = file;
        splicer->current = plan;
        g_byte_array_set_size(splicer->xml, 0);
    }
    return err;
}

int
zipWriteInFileInZip(void *file, const void *buf, unsigned len)
{
    minizip_resolve();
    if (splicer && splicer->current && file == splicer->zip) {
        g_byte_array_append(splicer->xml, buf, len);
        return ZIP_OK;
    }
    return minizip.write(file, buf, len);
}

static gboolean
splice_write(const guint8 *data, gsize len, gpointer zip)
{
    return minizip.write(zip, data, (unsigned)len) >= 0;
}

static void
splice_flush(XlsxRows *x)
{
    Splicer *sp = x->flush_data;
    if (sp->block) {
        sp->block->len = (gsize)(x->p - (char *)sp->block->data);
        raw_deflate_push(sp->rd, sp->block);
    }
    sp->block = raw_deflate_take(sp->rd);
    x->p = (char *)sp->block->data;
    x->end = x->p + sp->block->size;
}

/* "A1:X2" (or "A1") -> its last row and column (0-based). */
static void
parse_ref(const char *s, const char *end, guint64 *row, guint64 *col)
{
    const char *colon = memchr(s, ':', (gsize)(end - s));
    if (colon)
        s = colon + 1;
    guint64 c = 0, r = 0;
    for (; s < end && g_ascii_isupper(*s); s++)
        c = c * 26 + (guint64)(*s - 'A' + 1);
    for (; s < end && g_ascii_isdigit(*s); s++)
        r = r * 10 + (guint64)(*s - '0');
    *col = c ? c - 1 : 0;
    *row = r ? r - 1 : 0;
}

static const char *
find(const char *from, const char *end, const char *what)
{
    return g_strstr_len(from, end - from, what);
}

static gboolean
splice_fail(Splicer *sp, const char *what)
{
    if (sp->error == NULL)
        g_set_error(&sp->error, REPORT_ERROR, REPORT_ERROR_WRITE, "%s", what);
    return FALSE;
}

/* Writes libxlsxwriter's XML of the current worksheet with the data rows merged into it, in
 * row order, and its dimension widened to them. */
static gboolean
splice_sheet(Splicer *sp, guint32 *crc, guint64 *size)
{
    const char *xml = (const char *)sp->xml->data, *end = xml + sp->xml->len;
    GArray *blocks = sp->current->blocks;
    const char *dim = find(xml, end, "<dimension ref=\"");
    const char *data = find(xml, end, "<sheetData");
    if (dim == NULL || data == NULL || dim > data)
        return splice_fail(sp, "unexpected worksheet XML from libxlsxwriter");
    dim += strlen("<dimension ref=\"");
    const char *dim_end = memchr(dim, '"', (gsize)(end - dim));
    if (dim_end == NULL)
        return splice_fail(sp, "unexpected worksheet XML from libxlsxwriter");
    guint64 last_row, last_col;
    parse_ref(dim, dim_end, &last_row, &last_col);
    for (guint i = 0; i < blocks->len; i++) {
        const DataBlock *b = &g_array_index(blocks, DataBlock, i);
        last_row = MAX(last_row, b->at + b->n - 1);
        last_col = MAX(last_col, (guint64)b->table->n_columns - 1);
    }
    char ref[32];
    lxw_rowcol_to_range(ref, 0, 0, (lxw_row_t)last_row, (lxw_col_t)last_col);

    raw_deflate_begin(sp->rd, splice_write, sp->zip);
    XlsxRows x;
    xlsx_rows_init(&x, sp->xf, splice_flush, sp);
    xlsx_rows_put(&x, xml, (gsize)(dim - xml));
    xlsx_rows_put(&x, ref, strlen(ref));
    gboolean ok = TRUE;
    guint next = 0; /* the next block to write */
    if (g_str_has_prefix(data, "<sheetData/>")) {
        xlsx_rows_put(&x, dim_end, (gsize)(data - dim_end));
        xlsx_rows_put(&x, "<sheetData>", strlen("<sheetData>"));
        for (; next < blocks->len; next++) {
            const DataBlock *b = &g_array_index(blocks, DataBlock, next);
            xlsx_rows_table(&x, b->table, b->first, b->n, b->at);
        }
        xlsx_rows_put(&x, "</sheetData>", strlen("</sheetData>"));
        data += strlen("<sheetData/>");
        xlsx_rows_put(&x, data, (gsize)(end - data));
    } else {
        /* before each of libxlsxwriter's rows, the blocks above it; the rest at the end */
        const char *pos = dim_end;
        for (;;) {
            const char *row = find(data, end, "<row r=\"");
            const char *close = find(data, end, "</sheetData>");
            if (close == NULL) {
                ok = splice_fail(sp, "unexpected worksheet XML from libxlsxwriter");
                break;
            }
            const char *at = row && row < close ? row : close;
            guint64 before = G_MAXUINT64; /* 0-based sheet row of libxlsxwriter's row */
            if (at == row)
                before = g_ascii_strtoull(row + strlen("<row r=\""), NULL, 10) - 1;
            xlsx_rows_put(&x, pos, (gsize)(at - pos));
            for (; next < blocks->len; next++) {
                const DataBlock *b = &g_array_index(blocks, DataBlock, next);
                if (b->at >= before)
                    break;
                if (b->at + b->n > before) {
                    ok = splice_fail(sp, "a table's rows overlap a row of its sheet");
                    break;
                }
                xlsx_rows_table(&x, b->table, b->first, b->n, b->at);
            }
            if (!ok || at == close) {
                xlsx_rows_put(&x, close, (gsize)(end - close));
                break;
            }
            pos = at;
            data = at + 1;
        }
    }
    sp->truncated_cells += x.truncated_cells;
    /* the last block, then the end of the stream */
    sp->block->len = (gsize)(x.p - (char *)sp->block->data);
    raw_deflate_push(sp->rd, sp->block);
    sp->block = NULL;
    xlsx_rows_clear(&x);
    GError *local = NULL;
    if (!raw_deflate_end(sp->rd, crc, size, &local)) {
        if (sp->error == NULL)
            g_propagate_error(&sp->error, local);
        else
            g_error_free(local);
        return FALSE;
    }
    if (ok && *size >= G_MAXUINT32)
        return splice_fail(sp, "a worksheet's XML is larger than 4 GiB");
    return ok;
}

int
zipCloseFileInZip(void *file)
{
    minizip_resolve();
    Splicer *sp = splicer;
    if (sp == NULL || sp->current == NULL || file != sp->zip)
        return minizip.close(file);
    guint32 crc = 0;
    guint64 size = 0;
    gboolean ok = splice_sheet(sp, &crc, &size);
    sp->current->spliced = ok;
    sp->current = NULL;
    int err = minizip.close_raw(file, size, crc);
    if (!ok)
        return ZIP_INTERNALERROR;
    if (err != ZIP_OK)
        splice_fail(sp, "cannot write a worksheet into the workbook");
    return err;
}

/* Rows sampled to size columns. */
#define WIDTH_SAMPLE 2000

typedef struct {
    lxw_workbook *wb;
    lxw_format *title, *note, *header, *text, *integer, *real, *percent, *time, *duration,
        *wrap;
    XlsxStats *stats;
    Splicer *splicer;
} Writer;

static lxw_format *
new_format(lxw_workbook *wb)
{
    lxw_format *f = workbook_add_format(wb);
    format_set_font_name(f, "Calibri");
    format_set_font_size(f, 11);
    return f;
}

static void
writer_formats(Writer *w)
{
    w->title = new_format(w->wb);
    format_set_bold(w->title);
    format_set_font_size(w->title, 14);
    format_set_font_color(w->title, 0x1F3864);
    w->note = new_format(w->wb);
    format_set_italic(w->note);
    format_set_font_color(w->note, 0x595959);
    w->header = new_format(w->wb);
    format_set_bold(w->header);
    format_set_bg_color(w->header, 0xD9E1F2);
    format_set_bottom(w->header, LXW_BORDER_THIN);
    format_set_text_wrap(w->header);
    format_set_align(w->header, LXW_ALIGN_VERTICAL_TOP);
    w->text = new_format(w->wb);
    w->wrap = new_format(w->wb);
    format_set_text_wrap(w->wrap);
    w->integer = new_format(w->wb);
    format_set_num_format(w->integer, "#,##0");
    w->real = new_format(w->wb);
    format_set_num_format(w->real, "#,##0.00");
    w->percent = new_format(w->wb);
    format_set_num_format(w->percent, "0.0%");
    w->time = new_format(w->wb);
    format_set_num_format(w->time, "yyyy-mm-dd hh:mm:ss");
    w->duration = new_format(w->wb);
    format_set_num_format(w->duration, "[h]:mm:ss");
}

/* The style index of each cell type's format, fixed now: the rows are written when the workbook
 * is packed, after libxlsxwriter has listed the formats its cells use. */
static void
writer_style_indices(Writer *w, Splicer *sp)
{
    lxw_format *formats[CELL_DURATION + 1] = {
        [CELL_TEXT] = w->text,       [CELL_INT] = w->integer, [CELL_REAL] = w->real,
        [CELL_PERCENT] = w->percent, [CELL_TIME] = w->time,   [CELL_DURATION] = w->duration,
    };
    for (int t = 0; t <= CELL_DURATION; t++)
        sp->xf[t] = formats[t] ? lxw_format_get_xf_index(formats[t]) : 0;
}

/* A worksheet, and its place in the plan of data rows. */
static lxw_worksheet *
writer_add_worksheet(Writer *w, const char *name)
{
    lxw_worksheet *ws = workbook_add_worksheet(w->wb, name);
    if (ws) {
        SheetPlan *plan = g_new0(SheetPlan, 1);
        plan->blocks = g_array_new(FALSE, FALSE, sizeof(DataBlock));
        g_ptr_array_add(w->splicer->sheets, plan);
    }
    return ws;
}

/* Rows first .. first + n - 1 of t go at sheet row at of the last worksheet added. */
static void
writer_plan_rows(Writer *w, const Table *t, guint64 first, guint64 n, lxw_row_t at)
{
    GPtrArray *sheets = w->splicer->sheets;
    SheetPlan *plan = sheets->pdata[sheets->len - 1];
    DataBlock b = {.table = t, .first = first, .n = n, .at = at};
    g_array_append_val(plan->blocks, b);
}

static double
cell_width(const Cell *c)
{
    switch (c->type) {
    case CELL_TEXT:
        return c->text ? (double)g_utf8_strlen(c->text, 200) : 0;
    case CELL_INT:
        return 10;
    case CELL_REAL:
    case CELL_PERCENT:
        return 9;
    case CELL_TIME:
        return 19;
    case CELL_DURATION:
        return 10;
    default:
        return 0;
    }
}

/* A sheet name Excel accepts: <= 31 characters, none of []:*?/\ */
static char *
sheet_name(const char *name, guint part)
{
    GString *s = g_string_new(NULL);
    for (const char *p = name; *p; p++)
        g_string_append_c(s, strchr("[]:*?/\\", *p) ? '-' : *p);
    if (part > 1) {
        g_autofree char *suffix = g_strdup_printf(" (%u)", part);
        gsize max = 31 - strlen(suffix);
        if (g_utf8_strlen(s->str, -1) > (glong)max) {
            char *end = g_utf8_offset_to_pointer(s->str, (glong)max);
            g_string_truncate(s, (gsize)(end - s->str));
        }
        g_string_append(s, suffix);
    } else if (g_utf8_strlen(s->str, -1) > 31) {
        char *end = g_utf8_offset_to_pointer(s->str, 31);
        g_string_truncate(s, (gsize)(end - s->str));
    }
    return g_string_free(s, FALSE);
}

static char *
range_ref(const char *sheet, lxw_row_t r1, lxw_col_t c1, lxw_row_t r2, lxw_col_t c2)
{
    GString *q = g_string_new("='");
    for (const char *p = sheet; *p; p++) {
        if (*p == '\'')
            g_string_append_c(q, '\'');
        g_string_append_c(q, *p);
    }
    char a[32], b[32];
    lxw_rowcol_to_cell_abs(a, r1, c1, 1, 1);
    lxw_rowcol_to_cell_abs(b, r2, c2, 1, 1);
    g_string_append_printf(q, "'!%s:%s", a, b);
    return g_string_free(q, FALSE);
}

static void
add_chart(Writer *w, lxw_worksheet *ws, const char *sheet, const Table *t, lxw_row_t header_row,
          guint64 rows, lxw_col_t at_col)
{
    const ChartSpec *spec = &t->chart;
    if (spec->type == CHART_NONE || rows == 0)
        return;
    guint8 type = LXW_CHART_BAR;
    switch (spec->type) {
    case CHART_BAR:
        type = spec->n_values > 1 ? LXW_CHART_BAR_STACKED : LXW_CHART_BAR;
        break;
    case CHART_COLUMN:
        type = LXW_CHART_COLUMN;
        break;
    case CHART_STACKED_COLUMN:
        type = LXW_CHART_COLUMN_STACKED;
        break;
    case CHART_PIE:
        type = LXW_CHART_PIE;
        break;
    case CHART_NONE:
        return;
    }
    guint64 n = spec->max_rows && rows > spec->max_rows ? spec->max_rows : rows;
    lxw_chart *chart = workbook_add_chart(w->wb, type);
    lxw_row_t first = header_row + 1, last = (lxw_row_t)(header_row + n);
    g_autofree char *cats = range_ref(sheet, first, (lxw_col_t)spec->category_column, last,
                                      (lxw_col_t)spec->category_column);
    for (guint i = 0; i < spec->n_values; i++) {
        lxw_col_t vc = (lxw_col_t)spec->value_columns[i];
        g_autofree char *vals = range_ref(sheet, first, vc, last, vc);
        lxw_chart_series *series = chart_add_series(chart, cats, vals);
        g_autofree char *name = range_ref(sheet, header_row, vc, header_row, vc);
        chart_series_set_name(series, name);
    }
    chart_title_set_name(chart, spec->title);
    if (spec->type == CHART_PIE || spec->n_values > 1)
        chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
    else
        chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
    if (spec->type == CHART_BAR) {
        chart_axis_set_reverse(chart->y_axis); /* first row at the top */
        chart_axis_set_interval_unit(chart->y_axis, 1); /* a label on every bar */
    } else if (spec->type != CHART_PIE) {
        chart_axis_set_interval_unit(chart->x_axis, 1);
    }
    if (spec->x_title)
        chart_axis_set_name(chart->x_axis, spec->x_title);
    if (spec->y_title)
        chart_axis_set_name(chart->y_axis, spec->y_title);
    chart_set_style(chart, 10);
    lxw_chart_options opt = {.x_scale = 1.4, .y_scale = 1.1, .x_offset = 10, .y_offset = 5};
    worksheet_insert_chart_opt(ws, header_row > 0 ? header_row - 1 : 0, at_col, chart, &opt);
}

/* Printing (and PDF export): landscape A4, as wide as one page, header row on every page. */
static void
print_setup(lxw_worksheet *ws)
{
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_set_margins(ws, 0.4, 0.4, 0.5, 0.5);
}

static gboolean
write_sheet(Writer *w, const Sheet *sheet, GError **error)
{
    (void)error;
    guint part = 1;
    g_autofree char *name = sheet_name(sheet->name, part);
    lxw_worksheet *ws = writer_add_worksheet(w, name);
    if (ws == NULL) {
        g_set_error(error, REPORT_ERROR, REPORT_ERROR_WRITE, "cannot add sheet %s", name);
        return FALSE;
    }
    gboolean single = sheet->tables->len == 1;
    print_setup(ws);
    GStringChunk *scratch = g_string_chunk_new(4096);

    /* column widths: the widest of all tables on the sheet, sampled */
    guint max_cols = 0;
    for (guint i = 0; i < sheet->tables->len; i++)
        max_cols = MAX(max_cols, ((Table *)sheet->tables->pdata[i])->n_columns);
    g_autofree double *widths = g_new0(double, max_cols + 1);
    g_autofree gboolean *fixed = g_new0(gboolean, max_cols + 1);
    for (guint i = 0; i < sheet->tables->len; i++) {
        const Table *t = sheet->tables->pdata[i];
        g_autofree Cell *cells = g_new0(Cell, t->n_columns);
        for (guint c = 0; c < t->n_columns; c++) {
            if (t->columns[c].width > 0) {
                widths[c] = MAX(widths[c], t->columns[c].width);
                fixed[c] = TRUE;
            } else if (!t->key_value || c > 0) {
                /* header words wrap: the longest word counts */
                g_auto(GStrv) words = g_strsplit(t->columns[c].name, " ", -1);
                for (int k = 0; words[k]; k++)
                    widths[c] = MAX(widths[c], (double)g_utf8_strlen(words[k], -1) + 2);
            }
        }
        for (guint64 r = 0; r < t->n_rows && r < WIDTH_SAMPLE; r++) {
            table_get_row(t, r, cells, scratch);
            for (guint c = 0; c < t->n_columns; c++)
                if (!fixed[c])
                    widths[c] = MAX(widths[c], MIN(cell_width(&cells[c]) + 2,
                                                   /* several tables share the columns of a
                                                      sheet: long texts after the first column
                                                      overflow into the empty cells instead */
                                                   single || c == 0 ? 80.0 : 14.0));
            g_string_chunk_clear(scratch);
        }
    }
    for (guint c = 0; c < max_cols; c++)
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, MAX(widths[c], 8.0), NULL);

    lxw_row_t row = 0;
    for (guint i = 0; i < sheet->tables->len; i++) {
        const Table *t = sheet->tables->pdata[i];
        if (t->title) {
            worksheet_write_string(ws, row++, 0, t->title, w->title);
        }
        if (t->note)
            worksheet_write_string(ws, row++, 0, t->note, w->note);
        lxw_row_t header_row = row;
        /* a taller header row when a column name needs wrapping */
        gboolean wrap = FALSE;
        for (guint c = 0; c < t->n_columns; c++)
            wrap |= (double)g_utf8_strlen(t->columns[c].name, -1) > MAX(widths[c], 8.0);
        if (wrap)
            worksheet_set_row(ws, row, 30, NULL);
        for (guint c = 0; c < t->n_columns; c++)
            worksheet_write_string(ws, row, (lxw_col_t)c, t->columns[c].name, w->header);
        row++;
        if (single && !t->key_value) {
            worksheet_freeze_panes(ws, row, 0);
            worksheet_repeat_rows(ws, header_row, header_row);
            worksheet_autofilter(ws, header_row, 0,
                                 (lxw_row_t)MIN(header_row + t->n_rows, XLSX_MAX_ROWS - 1),
                                 (lxw_col_t)(t->n_columns - 1));
        }
        /* the rows themselves are written when the workbook is packed (splice_sheet) */
        for (guint64 r = 0; r < t->n_rows;) {
            if (row >= XLSX_MAX_ROWS) {
                /* Excel stops here: continue on "<name> (2)" with the header again */
                if (!single) {
                    g_string_chunk_free(scratch);
                    g_set_error(error, REPORT_ERROR, REPORT_ERROR_WRITE,
                                "table %s does not fit on sheet %s", t->id, sheet->name);
                    return FALSE;
                }
                g_autofree char *next = sheet_name(sheet->name, ++part);
                ws = writer_add_worksheet(w, next);
                if (ws == NULL) {
                    g_string_chunk_free(scratch);
                    g_set_error(error, REPORT_ERROR, REPORT_ERROR_WRITE, "cannot add sheet %s",
                                next);
                    return FALSE;
                }
                w->stats->continued_sheets++;
                for (guint c = 0; c < max_cols; c++)
                    worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, MAX(widths[c], 8.0),
                                         NULL);
                row = 0;
                for (guint c = 0; c < t->n_columns; c++)
                    worksheet_write_string(ws, row, (lxw_col_t)c, t->columns[c].name, w->header);
                worksheet_freeze_panes(ws, 1, 0);
                print_setup(ws);
                worksheet_repeat_rows(ws, 0, 0);
                worksheet_autofilter(ws, 0, 0,
                                     (lxw_row_t)MIN(t->n_rows - r, (guint64)XLSX_MAX_ROWS - 1),
                                     (lxw_col_t)(t->n_columns - 1));
                row = 1;
            }
            guint64 n = MIN(t->n_rows - r, (guint64)(XLSX_MAX_ROWS - row));
            writer_plan_rows(w, t, r, n, row);
            r += n;
            row += (lxw_row_t)n;
        }
        w->stats->rows += t->n_rows;
        if (part == 1)
            add_chart(w, ws, name, t, header_row, t->n_rows,
                      (lxw_col_t)((single ? t->n_columns : max_cols) + 1));
        row++; /* a blank row between tables */
        if (t->chart.type != CHART_NONE && !single) {
            /* leave room for the chart beside a short table */
            lxw_row_t min_rows = 17;
            if (row < header_row + min_rows)
                row = header_row + min_rows;
        }
    }
    g_string_chunk_free(scratch);
    return TRUE;
}

static void
splicer_free(Splicer *sp)
{
    if (sp == NULL)
        return;
    g_ptr_array_unref(sp->sheets);
    raw_deflate_free(sp->rd);
    g_byte_array_unref(sp->xml);
    g_clear_error(&sp->error);
    g_free(sp);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Splicer, splicer_free)

/* Packs the workbook, the data rows spliced into its worksheets on the way. */
static gboolean
pack(Writer *w, const char *path, GError **error)
{
    Splicer *sp = w->splicer;
    sp->rd = raw_deflate_new(DEFLATE_LEVEL);
    splicer = sp;
    lxw_error err = workbook_close(w->wb);
    splicer = NULL;
    if (sp->error) {
        g_propagate_prefixed_error(error, g_steal_pointer(&sp->error), "%s: ", path);
        return FALSE;
    }
    if (err != LXW_NO_ERROR) {
        g_set_error(error, REPORT_ERROR, REPORT_ERROR_WRITE, "%s: %s", path, lxw_strerror(err));
        return FALSE;
    }
    for (guint i = 0; i < sp->sheets->len; i++) {
        const SheetPlan *plan = sp->sheets->pdata[i];
        if (!plan->spliced) {
            /* only if libxlsxwriter's calls into minizip do not go through the dynamic linker */
            g_set_error(error, REPORT_ERROR, REPORT_ERROR_WRITE,
                        "%s: the rows of sheet %u were not written (libxlsxwriter was built "
                        "without a dynamically linked minizip)",
                        path, i + 1);
            return FALSE;
        }
    }
    w->stats->truncated_cells = sp->truncated_cells;
    return TRUE;
}

gboolean
xlsx_write_report(const Report *report, const char *path, XlsxStats *stats, GError **error)
{
    XlsxStats local = {0};
    if (stats == NULL)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    g_autofree char *tmp = g_strdup_printf("%s.tmp", path);
    g_autofree char *dir = g_path_get_dirname(path);
    lxw_workbook_options options = {.constant_memory = LXW_TRUE, .tmpdir = dir};
    g_autoptr(Splicer) sp = g_new0(Splicer, 1);
    sp->sheets = g_ptr_array_new_with_free_func((GDestroyNotify)sheet_plan_free);
    sp->xml = g_byte_array_new();
    Writer w = {.stats = stats, .splicer = sp};
    w.wb = workbook_new_opt(tmp, &options);
    if (w.wb == NULL) {
        g_set_error(error, REPORT_ERROR, REPORT_ERROR_WRITE, "%s: cannot create workbook", tmp);
        return FALSE;
    }
    lxw_doc_properties props = {
        .title = (char *)report->title,
        .author = "mailtrail",
        .comments = "Written by mailtrail " MAILTRAIL_VERSION,
        .created = (time_t)(report->created / G_USEC_PER_SEC),
    };
    workbook_set_properties(w.wb, &props);
    writer_formats(&w);
    writer_style_indices(&w, sp);
    for (guint s = 0; s < report->sheets->len; s++) {
        if (!write_sheet(&w, report->sheets->pdata[s], error)) {
            workbook_close(w.wb);
            g_unlink(tmp);
            return FALSE;
        }
    }
    if (!pack(&w, path, error)) {
        g_unlink(tmp);
        return FALSE;
    }
    if (g_rename(tmp, path) != 0) {
        int e = errno;
        g_set_error(error, REPORT_ERROR, REPORT_ERROR_WRITE, "%s: %s", path, g_strerror(e));
        g_unlink(tmp);
        return FALSE;
    }
    return TRUE;
}
