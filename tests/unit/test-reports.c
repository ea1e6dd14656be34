/* The report writers: CSV quoting and the formula guard; XLSX text that stays text, cells cut
 * at Excel's limit and counted, a table continued on a second sheet past 1,048,576 rows, and
 * the same bytes twice. */
#include <archive.h>
#include <archive_entry.h>
#include <glib/gstdio.h>
#include <string.h>

#include "table.h"
#include "writers.h"

static void
test_csv_cells(void)
{
    struct {
        Cell cell;
        const char *want;
    } cases[] = {
        {{.type = CELL_TEXT, .text = "plain"}, "plain"},
        {{.type = CELL_TEXT, .text = "a,b"}, "\"a,b\""},
        {{.type = CELL_TEXT, .text = "say \"hi\""}, "\"say \"\"hi\"\"\""},
        {{.type = CELL_TEXT, .text = "two\nlines"}, "\"two\nlines\""},
        {{.type = CELL_TEXT, .text = "=HYPERLINK(\"x\")"}, "\"'=HYPERLINK(\"\"x\"\")\""},
        {{.type = CELL_TEXT, .text = "+1 555"}, "\"'+1 555\""},
        {{.type = CELL_TEXT, .text = "-5"}, "\"'-5\""},
        {{.type = CELL_TEXT, .text = "@SUM(A1)"}, "\"'@SUM(A1)\""},
        {{.type = CELL_INT, .i = -5}, "-5"},
        {{.type = CELL_REAL, .r = 2.5}, "2.5"},
        {{.type = CELL_PERCENT, .r = 0.25}, "0.25"},
        {{.type = CELL_TIME, .i = (gint64)1795507200 * G_USEC_PER_SEC}, "2026-11-24 08:00:00"},
        {{.type = CELL_DURATION, .r = 2.5}, "3"},
        {{.type = CELL_EMPTY}, ""},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GString) out = g_string_new(NULL);
        csv_append_cell(out, &cases[i].cell);
        g_assert_cmpstr(out->str, ==, cases[i].want);
    }
}

/* The text of a member of a zip file. */
static char *
zip_member(const char *path, const char *member)
{
    struct archive *a = archive_read_new();
    archive_read_support_format_zip(a);
    g_assert_cmpint(archive_read_open_filename(a, path, 1 << 16), ==, ARCHIVE_OK);
    struct archive_entry *e;
    char *text = NULL;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        if (strcmp(archive_entry_pathname(e), member) != 0)
            continue;
        GString *s = g_string_new(NULL);
        char buf[65536];
        la_ssize_t n;
        while ((n = archive_read_data(a, buf, sizeof buf)) > 0)
            g_string_append_len(s, buf, n);
        text = g_string_free(s, FALSE);
        break;
    }
    archive_read_free(a);
    return text;
}

#define BIG_ROWS (XLSX_MAX_ROWS + 24)

static void
big_row(const Table *t, guint64 i, Cell *cells, GStringChunk *scratch, gpointer data)
{
    (void)t;
    (void)scratch;
    (void)data;
    cells[0] = (Cell){.type = CELL_INT, .i = (gint64)i + 1};
}

static Report *
build_report(void)
{
    Report *r = report_new("test");
    r->created = (gint64)1795507200 * G_USEC_PER_SEC;
    static const Column text_cols[] = {{"Text", CELL_TEXT, 0, ""}};
    Sheet *s = sheet_new("Texts");
    Table *t = table_new("texts", NULL, text_cols, 1);
    table_add_row(t);
    table_set_text(t, 0, "=cmd|' /C calc'!A0");
    table_add_row(t);
    g_autofree char *huge = g_strnfill(XLSX_MAX_CELL + 100, 'h');
    table_set_text(t, 0, huge);
    sheet_add(s, t);
    report_add(r, s);
    static const Column big_cols[] = {{"N", CELL_INT, 0, ""}};
    Sheet *b = sheet_new("Big");
    Table *bt = table_new("big", NULL, big_cols, 1);
    table_set_row_func(bt, BIG_ROWS, big_row, NULL, NULL);
    sheet_add(b, bt);
    report_add(r, b);
    return r;
}

static void
test_xlsx(void)
{
    g_autofree char *dir = g_dir_make_tmp("mailtrail-reports-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "r.xlsx", NULL);
    g_autofree char *path2 = g_build_filename(dir, "r2.xlsx", NULL);
    g_autoptr(Report) r = build_report();
    XlsxStats st;
    g_autoptr(GError) error = NULL;
    g_assert_true(xlsx_write_report(r, path, &st, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(st.truncated_cells, ==, 1);
    g_assert_cmpuint(st.continued_sheets, ==, 1);

    g_autofree char *workbook = zip_member(path, "xl/workbook.xml");
    g_assert_nonnull(strstr(workbook, "name=\"Big\""));
    g_assert_nonnull(strstr(workbook, "name=\"Big (2)\""));
    /* text is a string, never a formula */
    g_autofree char *texts = zip_member(path, "xl/worksheets/sheet1.xml");
    g_assert_null(strstr(texts, "<f>"));
    g_assert_nonnull(strstr(texts, "=cmd|"));
    g_assert_nonnull(strstr(texts, " [cut]"));
    /* the continuation: its header row, then the last 25 rows: 1048575 + 25 = BIG_ROWS */
    g_autofree char *second = zip_member(path, "xl/worksheets/sheet3.xml");
    g_assert_nonnull(second);
    g_assert_nonnull(strstr(second, "<c r=\"A26\""));
    g_assert_null(strstr(second, "<c r=\"A27\""));
    g_autofree char *last = g_strdup_printf("<v>%d</v>", BIG_ROWS);
    g_assert_nonnull(strstr(second, last));

    /* the same report, the same bytes */
    g_assert_true(xlsx_write_report(r, path2, NULL, &error));
    g_autofree char *a = NULL, *b = NULL;
    gsize la, lb;
    g_assert_true(g_file_get_contents(path, &a, &la, NULL));
    g_assert_true(g_file_get_contents(path2, &b, &lb, NULL));
    g_assert_cmpmem(a, (int)la, b, (int)lb);

    /* the CSV keeps every row and the whole text */
    g_autoptr(GPtrArray) written = g_ptr_array_new_with_free_func(g_free);
    g_assert_true(csv_write_report(r, dir, written, &error));
    g_assert_cmpuint(written->len, ==, 2);
    g_autofree char *big_csv = NULL;
    gsize big_len;
    g_assert_true(g_file_get_contents(written->pdata[1], &big_csv, &big_len, NULL));
    guint lines = 0;
    for (gsize i = 0; i < big_len; i++)
        lines += big_csv[i] == '\n';
    g_assert_cmpuint(lines, ==, BIG_ROWS + 1);
    for (guint i = 0; i < written->len; i++)
        g_unlink(written->pdata[i]);
    g_unlink(path);
    g_unlink(path2);
    g_rmdir(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/reports/csv-cells", test_csv_cells);
    g_test_add_func("/reports/xlsx", test_xlsx);
    return g_test_run();
}
