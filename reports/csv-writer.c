/* CSV output: one file per table (RFC 4180 quoting, UTF-8, LF line ends, times in UTC). */
#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "timeutil.h"
#include "writers.h"

G_DEFINE_QUARK(report_error_quark, report_error)

/* Output: a buffer that a write function empties, into a file or a GString. Every field is
 * copied straight into it: the Messages table has a million rows of 24 fields. */
typedef struct CsvOut CsvOut;
struct CsvOut {
    char *start, *p, *end;
    void (*write)(CsvOut *o, const char *data, gsize len);
    gpointer target;
};

static void
out_flush(CsvOut *o)
{
    if (o->p > o->start)
        o->write(o, o->start, (gsize)(o->p - o->start));
    o->p = o->start;
}

/* n: at most the buffer's size */
static inline void
out_room(CsvOut *o, gsize n)
{
    if ((gsize)(o->end - o->p) < n)
        out_flush(o);
}

static void
out_bytes(CsvOut *o, const char *s, gsize n)
{
    if ((gsize)(o->end - o->p) < n) {
        out_flush(o);
        if ((gsize)(o->end - o->p) < n) {
            o->write(o, s, n);
            return;
        }
    }
    memcpy(o->p, s, n);
    o->p += n;
}

static inline void
out_c(CsvOut *o, char c)
{
    out_room(o, 1);
    *o->p++ = c;
}

static void
put_text(CsvOut *o, const char *s)
{
    gsize n = strlen(s);
    gboolean risky = table_text_is_risky(s);
    gboolean quote =
        risky || (n > 0 && (s[0] == ' ' || s[n - 1] == ' ')) || strpbrk(s, ",\"\r\n") != NULL;
    if (!quote) {
        out_bytes(o, s, n);
        return;
    }
    out_c(o, '"');
    if (risky)
        out_c(o, '\''); /* keeps spreadsheets from evaluating it */
    const char *e = s + n;
    while (s < e) {
        /* up to and with the next quote, which is doubled */
        const char *q = memchr(s, '"', (gsize)(e - s));
        const char *stop = q ? q + 1 : e;
        out_bytes(o, s, (gsize)(stop - s));
        if (q)
            out_c(o, '"');
        s = stop;
    }
    out_c(o, '"');
}

static void
put_real(CsvOut *o, double v, const char *fmt)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(buf, sizeof buf, fmt, v);
    /* trim trailing zeros of fixed notation: 0.2500 -> 0.25, 3.0000 -> 3 */
    if (strchr(buf, '.') && !strchr(buf, 'e')) {
        char *end = buf + strlen(buf) - 1;
        while (*end == '0')
            *end-- = '\0';
        if (*end == '.')
            *end = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        strcpy(buf, "0");
    out_bytes(o, buf, strlen(buf));
}

/* Decimal digits, without printf: most cells of the large tables are integers and times. */
static void
put_int(CsvOut *o, gint64 v)
{
    char buf[24], *p = buf + sizeof buf;
    guint64 u = v < 0 ? (guint64)0 - (guint64)v : (guint64)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    out_bytes(o, p, (gsize)(buf + sizeof buf - p));
}

static void
put_cell(CsvOut *o, const Cell *c)
{
    switch (c->type) {
    case CELL_EMPTY:
        break;
    case CELL_TEXT:
        put_text(o, c->text ? c->text : "");
        break;
    case CELL_INT:
        put_int(o, c->i);
        break;
    case CELL_REAL:
        put_real(o, c->r, "%.4f");
        break;
    case CELL_PERCENT:
        put_real(o, c->r, "%.6f");
        break;
    case CELL_TIME:
        out_room(o, 32);
        o->p += strlen(time_format(c->i, o->p, 32));
        break;
    case CELL_DURATION: /* whole seconds, as in the workbook */
        put_int(o, (gint64)(c->r + 0.5));
        break;
    }
}

static void
write_gstring(CsvOut *o, const char *data, gsize len)
{
    g_string_append_len(o->target, data, (gssize)len);
}

void
csv_append_cell(GString *out, const Cell *c)
{
    char buf[256];
    CsvOut o = {
        .start = buf, .p = buf, .end = buf + sizeof buf, .write = write_gstring, .target = out};
    put_cell(&o, c);
    out_flush(&o);
}

static void
write_file(CsvOut *o, const char *data, gsize len)
{
    fwrite(data, 1, len, o->target);
}

static gboolean
write_table(const Table *t, const char *path, GError **error)
{
    g_autofree char *tmp = g_strdup_printf("%s.tmp", path);
    FILE *f = g_fopen(tmp, "wb");
    if (f == NULL) {
        int e = errno;
        g_set_error(error, REPORT_ERROR, REPORT_ERROR_WRITE, "%s: %s", tmp, g_strerror(e));
        return FALSE;
    }
    g_autofree char *buf = g_malloc(1 << 20);
    CsvOut o = {.start = buf, .p = buf, .end = buf + (1 << 20), .write = write_file, .target = f};
    for (guint c = 0; c < t->n_columns; c++) {
        if (c)
            out_c(&o, ',');
        Cell h = {.type = CELL_TEXT, .text = t->columns[c].name};
        put_cell(&o, &h);
    }
    out_c(&o, '\n');
    g_autofree Cell *cells = g_new0(Cell, t->n_columns);
    GStringChunk *scratch = g_string_chunk_new(4096);
    for (guint64 r = 0; r < t->n_rows; r++) {
        table_get_row(t, r, cells, scratch);
        for (guint c = 0; c < t->n_columns; c++) {
            if (c)
                out_c(&o, ',');
            put_cell(&o, &cells[c]);
        }
        out_c(&o, '\n');
        /* a row's strings are written by now; cleared every few hundred rows, not after each:
         * a clear frees the chunk's memory, and the next row would allocate it again */
        if (r % SCRATCH_ROWS == SCRATCH_ROWS - 1)
            g_string_chunk_clear(scratch);
    }
    g_string_chunk_free(scratch);
    out_flush(&o);
    gboolean bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        int e = errno;
        g_set_error(error, REPORT_ERROR, REPORT_ERROR_WRITE, "%s: %s", tmp, g_strerror(e));
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

gboolean
csv_write_report(const Report *report, const char *dir, GPtrArray *written, GError **error)
{
    for (guint s = 0; s < report->sheets->len; s++) {
        const Sheet *sheet = report->sheets->pdata[s];
        for (guint i = 0; i < sheet->tables->len; i++) {
            const Table *t = sheet->tables->pdata[i];
            g_autofree char *name = g_strdup_printf("%s.csv", t->id);
            g_autofree char *path = g_build_filename(dir, name, NULL);
            if (!write_table(t, path, error))
                return FALSE;
            if (written)
                g_ptr_array_add(written, g_steal_pointer(&path));
        }
    }
    return TRUE;
}
