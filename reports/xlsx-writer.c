/* XLSX output with libxlsxwriter in constant_memory mode: rows are streamed to disk, so memory
 * stays flat however many rows. Text is always written as a string (never a formula); a table
 * past Excel's row limit continues on a second sheet; over-long cells are cut and counted.
 * The creation date is fixed by the report, so the same input gives the same bytes. */
#include <dlfcn.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <xlsxwriter.h>

#include "config.h"
#include "timeutil.h"
#include "writers.h"

/* libxlsxwriter asks minizip for zlib's default compression (level 6) and has no option for
 * it. For a workbook of a million rows deflate is most of the run, and level 1 is several times
 * faster for a file some 20% larger. This definition takes precedence over minizip's (the
 * executable's symbols come first) and passes every call on with level 1. The output stays a
 * valid, deterministic XLSX; if libxlsxwriter bundles its own minizip, nothing changes. */
int zipOpenNewFileInZip4_64(void *file, const char *filename, const void *zipfi,
                            const void *extrafield_local, unsigned size_extrafield_local,
                            const void *extrafield_global, unsigned size_extrafield_global,
                            const char *comment, int method, int level, int raw, int windowBits,
                            int memLevel, int strategy, const char *password,
                            unsigned long crcForCrypting, unsigned long versionMadeBy,
                            unsigned long flagBase, int zip64);

typedef int (*ZipOpenFunc)(void *, const char *, const void *, const void *, unsigned,
                           const void *, unsigned, const char *, int, int, int, int, int, int,
                           const char *, unsigned long, unsigned long, unsigned long, int);

int
zipOpenNewFileInZip4_64(void *file, const char *filename, const void *zipfi,
                        const void *extrafield_local, unsigned size_extrafield_local,
                        const void *extrafield_global, unsigned size_extrafield_global,
                        const char *comment, int method, int level, int raw, int windowBits,
                        int memLevel, int strategy, const char *password,
                        unsigned long crcForCrypting, unsigned long versionMadeBy,
                        unsigned long flagBase, int zip64)
{
    static ZipOpenFunc real;
    if (g_once_init_enter(&real)) {
        ZipOpenFunc f;
        *(void **)&f = dlsym(RTLD_NEXT, "zipOpenNewFileInZip4_64");
        g_once_init_leave(&real, f);
    }
    if (level != 0)
        level = 1;
    return real(file, filename, zipfi, extrafield_local, size_extrafield_local,
                extrafield_global, size_extrafield_global, comment, method, level, raw,
                windowBits, memLevel, strategy, password, crcForCrypting, versionMadeBy,
                flagBase, zip64);
}

/* Rows sampled to size columns. */
#define WIDTH_SAMPLE 2000

typedef struct {
    lxw_workbook *wb;
    lxw_format *title, *note, *header, *text, *integer, *real, *percent, *time, *duration,
        *wrap;
    XlsxStats *stats;
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

/* Cuts text to Excel's cell limit at a UTF-8 boundary. */
static const char *
fit_text(Writer *w, const char *s, GString *buf)
{
    gsize n = strlen(s);
    if (n <= XLSX_MAX_CELL)
        return s;
    gsize cut = XLSX_MAX_CELL - 10;
    while (cut > 0 && ((guchar)s[cut] & 0xC0) == 0x80)
        cut--;
    g_string_assign(buf, "");
    g_string_append_len(buf, s, (gssize)cut);
    g_string_append(buf, " [cut]");
    w->stats->truncated_cells++;
    return buf->str;
}

static void
write_cell(Writer *w, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const Cell *cell,
           GString *buf)
{
    switch (cell->type) {
    case CELL_EMPTY:
        break;
    case CELL_TEXT:
        worksheet_write_string(ws, r, c, fit_text(w, cell->text ? cell->text : "", buf), w->text);
        break;
    case CELL_INT:
        worksheet_write_number(ws, r, c, (double)cell->i, w->integer);
        break;
    case CELL_REAL:
        worksheet_write_number(ws, r, c, cell->r, w->real);
        break;
    case CELL_PERCENT:
        worksheet_write_number(ws, r, c, cell->r, w->percent);
        break;
    case CELL_TIME:
        /* whole seconds, as in the CSV files */
        worksheet_write_number(ws, r, c,
                               time_to_excel(cell->i - ((cell->i % G_USEC_PER_SEC) + G_USEC_PER_SEC) % G_USEC_PER_SEC),
                               w->time);
        break;
    case CELL_DURATION:
        /* whole seconds, as in the CSV files */
        worksheet_write_number(ws, r, c, (double)(gint64)(cell->r + 0.5) / 86400.0,
                               w->duration);
        break;
    }
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
    lxw_worksheet *ws = workbook_add_worksheet(w->wb, name);
    if (ws == NULL) {
        g_set_error(error, REPORT_ERROR, REPORT_ERROR_WRITE, "cannot add sheet %s", name);
        return FALSE;
    }
    gboolean single = sheet->tables->len == 1;
    print_setup(ws);
    g_autoptr(GString) buf = g_string_new(NULL);
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
        g_autofree Cell *cells = g_new0(Cell, t->n_columns);
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
        for (guint64 r = 0; r < t->n_rows; r++) {
            if (row >= XLSX_MAX_ROWS) {
                /* Excel stops here: continue on "<name> (2)" with the header again */
                if (!single) {
                    g_string_chunk_free(scratch);
                    g_set_error(error, REPORT_ERROR, REPORT_ERROR_WRITE,
                                "table %s does not fit on sheet %s", t->id, sheet->name);
                    return FALSE;
                }
                g_autofree char *next = sheet_name(sheet->name, ++part);
                ws = workbook_add_worksheet(w->wb, next);
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
            table_get_row(t, r, cells, scratch);
            for (guint c = 0; c < t->n_columns; c++)
                write_cell(w, ws, row, (lxw_col_t)c, &cells[c], buf);
            g_string_chunk_clear(scratch);
            row++;
            w->stats->rows++;
        }
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
    Writer w = {.stats = stats};
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
    for (guint s = 0; s < report->sheets->len; s++) {
        if (!write_sheet(&w, report->sheets->pdata[s], error)) {
            workbook_close(w.wb);
            g_unlink(tmp);
            return FALSE;
        }
    }
    lxw_error err = workbook_close(w.wb);
    if (err != LXW_NO_ERROR) {
        g_set_error(error, REPORT_ERROR, REPORT_ERROR_WRITE, "%s: %s", path,
                    lxw_strerror(err));
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
