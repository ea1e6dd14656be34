/* CSV output: one file per table (RFC 4180 quoting, UTF-8, LF line ends, times in UTC). */
#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "timeutil.h"
#include "writers.h"

G_DEFINE_QUARK(report_error_quark, report_error)

static void
append_text(GString *out, const char *s)
{
    gsize n = strlen(s);
    gboolean risky = table_text_is_risky(s);
    gboolean quote = risky || (n > 0 && (s[0] == ' ' || s[n - 1] == ' ')) ||
                     strpbrk(s, ",\"\r\n") != NULL;
    if (!quote) {
        g_string_append_len(out, s, (gssize)n);
        return;
    }
    g_string_append_c(out, '"');
    if (risky)
        g_string_append_c(out, '\''); /* keeps spreadsheets from evaluating it */
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            g_string_append_c(out, '"');
        g_string_append_c(out, *p);
    }
    g_string_append_c(out, '"');
}

static void
append_real(GString *out, double v, const char *fmt)
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
    g_string_append(out, buf);
}

/* Decimal digits, without printf: most cells of the large tables are integers and times. */
static void
append_int(GString *out, gint64 v)
{
    char buf[24], *p = buf + sizeof buf;
    guint64 u = v < 0 ? (guint64)0 - (guint64)v : (guint64)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    g_string_append_len(out, p, buf + sizeof buf - p);
}

void
csv_append_cell(GString *out, const Cell *c)
{
    char buf[32];
    switch (c->type) {
    case CELL_EMPTY:
        break;
    case CELL_TEXT:
        append_text(out, c->text ? c->text : "");
        break;
    case CELL_INT:
        append_int(out, c->i);
        break;
    case CELL_REAL:
        append_real(out, c->r, "%.4f");
        break;
    case CELL_PERCENT:
        append_real(out, c->r, "%.6f");
        break;
    case CELL_TIME:
        g_string_append(out, time_format(c->i, buf, sizeof buf));
        break;
    case CELL_DURATION: /* whole seconds, as in the workbook */
        append_int(out, (gint64)(c->r + 0.5));
        break;
    }
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
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    g_autoptr(GString) line = g_string_sized_new(1024);
    for (guint c = 0; c < t->n_columns; c++) {
        if (c)
            g_string_append_c(line, ',');
        Cell h = {.type = CELL_TEXT, .text = t->columns[c].name};
        csv_append_cell(line, &h);
    }
    g_string_append_c(line, '\n');
    fwrite(line->str, 1, line->len, f);
    g_autofree Cell *cells = g_new0(Cell, t->n_columns);
    GStringChunk *scratch = g_string_chunk_new(4096);
    for (guint64 r = 0; r < t->n_rows; r++) {
        g_string_truncate(line, 0);
        table_get_row(t, r, cells, scratch);
        for (guint c = 0; c < t->n_columns; c++) {
            if (c)
                g_string_append_c(line, ',');
            csv_append_cell(line, &cells[c]);
        }
        g_string_append_c(line, '\n');
        fwrite(line->str, 1, line->len, f);
        g_string_chunk_clear(scratch);
    }
    g_string_chunk_free(scratch);
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
