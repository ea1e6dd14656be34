/* The report writers: CSV quoting and the formula guard; XLSX text that stays text, cells cut
 * at Excel's limit and counted, a table continued on a second sheet past 1,048,576 rows, and
 * the same bytes twice; the workbook's rows read back cell for cell (hostile text, numbers
 * that must read back as the same double, tables between titles), also with openpyxl against
 * the CSV files. */
#include <archive.h>
#include <archive_entry.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "harness.h"
#include "table.h"
#include "timeutil.h"
#include "writers.h"
#include "xlsx-rows.h"

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

/* Numbers in the workbook read back as the same double, in the fewest of 15-17 digits. */
static void
test_xlsx_numbers(void)
{
    struct {
        double v;
        const char *want;
    } cases[] = {
        {0.1, "0.1"},
        {1e-7, "1e-07"},
        {123456789012.0, "123456789012"},
        {-5, "-5"},
        {-0.0, "0"},
        {0.25, "0.25"},
        {0.000025, "0.000025"},
        {46353.331875, "46353.331875"},
        {1.0 / 3, "0.3333333333333333"},
        {0.1 + 0.2, "0.30000000000000004"},
        {4.0 / 131, "0.030534351145038167"}, /* %.16G gives 0.03053435114503817: another double */
        {1e300, "1e+300"},
        {9007199254740993.0, "9007199254740992"},
        {-1234.5, "-1234.5"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        char buf[XLSX_NUMBER_MAX];
        gsize n = xlsx_rows_format_double(cases[i].v, buf);
        g_assert_cmpstr(buf, ==, cases[i].want);
        g_assert_cmpuint(n, ==, strlen(buf));
    }
    /* random doubles of every magnitude, the report's kinds of values among them */
    GRand *rand = g_rand_new_with_seed(7);
    for (int i = 0; i < 200000; i++) {
        double v;
        switch (i % 4) {
        case 0: /* any bit pattern of a finite double */
            do {
                guint64 bits = ((guint64)g_rand_int(rand) << 32) | g_rand_int(rand);
                memcpy(&v, &bits, sizeof v);
            } while (!isfinite(v));
            break;
        case 1: /* a time: whole seconds as days since 1899-12-30 */
            v = (double)g_rand_int_range(rand, 0, 2000000000) / 86400.0 + 25569.0;
            break;
        case 2: /* a ratio */
            v = (double)g_rand_int_range(rand, 0, 100000) / g_rand_int_range(rand, 1, 1000000);
            break;
        default: /* anything between 1e-6 and 1e16 */
            v = pow(10, g_rand_double_range(rand, -6, 16)) * (g_rand_boolean(rand) ? 1 : -1);
            break;
        }
        char buf[XLSX_NUMBER_MAX];
        gsize n = xlsx_rows_format_double(v, buf);
        g_assert_cmpuint(n, <=, 24);
        if (g_ascii_strtod(buf, NULL) != v)
            g_error("%.17g written as %s", v, buf);
        /* at most 17 significant digits */
        guint digits = 0;
        for (const char *p = buf; *p && *p != 'e'; p++)
            if (g_ascii_isdigit(*p) && (digits > 0 || *p != '0'))
                digits++;
        g_assert_cmpuint(digits, <=, 17);
    }
    g_rand_free(rand);
}

/* ---- a worksheet read back: its cells, as Excel reads them ---- */

typedef struct {
    char *type; /* "inlineStr", "e", or NULL for a number */
    char *style;
    GString *value;
} XmlCell;

static void
xml_cell_free(XmlCell *c)
{
    g_free(c->type);
    g_free(c->style);
    g_string_free(c->value, TRUE);
    g_free(c);
}

typedef struct {
    GHashTable *cells; /* "B7" -> XmlCell* */
    GArray *rows;      /* guint64: the row numbers in document order */
    char *dimension;
    guint formulas;  /* <f> elements */
    guint preserved; /* <t xml:space="preserve"> */
    XmlCell *current;
    gboolean in_value;
} SheetXml;

static const char *
attr(const char **names, const char **values, const char *name)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return values[i];
    return NULL;
}

static void
xml_start(GMarkupParseContext *ctx, const char *name, const char **names, const char **values,
          gpointer data, GError **error)
{
    (void)ctx;
    (void)error;
    SheetXml *x = data;
    if (strcmp(name, "dimension") == 0) {
        x->dimension = g_strdup(attr(names, values, "ref"));
    } else if (strcmp(name, "row") == 0) {
        guint64 r = g_ascii_strtoull(attr(names, values, "r"), NULL, 10);
        g_array_append_val(x->rows, r);
    } else if (strcmp(name, "c") == 0) {
        x->current = g_new0(XmlCell, 1);
        x->current->type = g_strdup(attr(names, values, "t"));
        x->current->style = g_strdup(attr(names, values, "s"));
        x->current->value = g_string_new(NULL);
        g_hash_table_insert(x->cells, g_strdup(attr(names, values, "r")), x->current);
    } else if (strcmp(name, "t") == 0 || strcmp(name, "v") == 0) {
        x->in_value = TRUE;
        const char *space = attr(names, values, "xml:space");
        x->preserved += space && strcmp(space, "preserve") == 0;
    } else if (strcmp(name, "f") == 0) {
        x->formulas++;
    }
}

static void
xml_end(GMarkupParseContext *ctx, const char *name, gpointer data, GError **error)
{
    (void)ctx;
    (void)error;
    SheetXml *x = data;
    if (strcmp(name, "t") == 0 || strcmp(name, "v") == 0)
        x->in_value = FALSE;
    else if (strcmp(name, "c") == 0)
        x->current = NULL;
}

static void
xml_text(GMarkupParseContext *ctx, const char *text, gsize len, gpointer data, GError **error)
{
    (void)ctx;
    (void)error;
    SheetXml *x = data;
    if (x->in_value && x->current)
        g_string_append_len(x->current->value, text, (gssize)len);
}

static SheetXml *
sheet_xml_read(const char *path, const char *member)
{
    g_autofree char *text = zip_member(path, member);
    g_assert_nonnull(text);
    SheetXml *x = g_new0(SheetXml, 1);
    x->cells =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)xml_cell_free);
    x->rows = g_array_new(FALSE, FALSE, sizeof(guint64));
    GMarkupParser parser = {.start_element = xml_start, .end_element = xml_end, .text = xml_text};
    GMarkupParseContext *ctx = g_markup_parse_context_new(&parser, 0, x, NULL);
    g_autoptr(GError) error = NULL;
    g_markup_parse_context_parse(ctx, text, -1, &error);
    g_assert_no_error(error);
    g_markup_parse_context_end_parse(ctx, &error);
    g_assert_no_error(error);
    g_markup_parse_context_free(ctx);
    return x;
}

static void
sheet_xml_free(SheetXml *x)
{
    g_hash_table_unref(x->cells);
    g_array_unref(x->rows);
    g_free(x->dimension);
    g_free(x);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SheetXml, sheet_xml_free)

/* A cell's text as Excel shows it: OOXML's _xHHHH_ escapes decoded, in one pass. */
static char *
cell_text(SheetXml *x, const char *ref)
{
    XmlCell *c = g_hash_table_lookup(x->cells, ref);
    if (c == NULL)
        return NULL;
    GString *out = g_string_new(NULL);
    const char *s = c->value->str;
    while (*s) {
        if (s[0] == '_' && s[1] == 'x' && g_ascii_isxdigit(s[2]) && g_ascii_isxdigit(s[3]) &&
            g_ascii_isxdigit(s[4]) && g_ascii_isxdigit(s[5]) && s[6] == '_') {
            char hex[5] = {s[2], s[3], s[4], s[5], 0};
            g_string_append_unichar(out, (gunichar)g_ascii_strtoull(hex, NULL, 16));
            s += 7;
        } else {
            g_string_append_c(out, *s++);
        }
    }
    return g_string_free(out, FALSE);
}

static const char *const hostile_texts[] = {
    "<&>\"'",
    "ctl \x01\x02\x1f end",
    "cr\rlf\ntab\t",
    "=1+2",
    "+1 555",
    "-5",
    "@SUM(A1)",
    "=HYPERLINK(\"http://x\",\"y\")",
    "_x0041_",
    "a_b _x41_ _x004G_ __x0041__ _X0041_",
    " leading and trailing ",
    "\ttab first",
    "UTF-8 \xe2\x86\x92 \xc3\xbc \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
    "]]> <![CDATA[ &amp; &#65;",
    "", /* an empty text: no cell */
    NULL,
};

static const double hostile_reals[] = {0.1, 1e-7, -2.75, 1.0 / 3, 0.1 + 0.2, 1e15, -0.0};

static Report *
hostile_report(gchar **long_ascii, gchar **long_utf8)
{
    Report *r = report_new("hostile");
    r->created = (gint64)1795507200 * G_USEC_PER_SEC;
    static const Column cols[] = {
        {"Text", CELL_TEXT, 0, ""}, {"Int", CELL_INT, 0, ""},
        {"Real", CELL_REAL, 0, ""}, {"Percent", CELL_PERCENT, 0, ""},
        {"Time", CELL_TIME, 0, ""}, {"Duration", CELL_DURATION, 0, ""},
    };
    Sheet *s = sheet_new("Hostile");
    Table *t = table_new("hostile", NULL, cols, G_N_ELEMENTS(cols));
    *long_ascii = g_strnfill(40000, 'h');
    GString *u = g_string_new(NULL);
    for (int i = 0; i < 20000; i++)
        g_string_append(u, "\xc3\xa9"); /* 40,000 bytes of é */
    *long_utf8 = g_string_free(u, FALSE);
    static const gint64 ints[] = {123456789012, -5, 0, G_MAXINT32, -1};
    guint n = 0;
    for (const char *const *p = hostile_texts;; p++, n++) {
        table_add_row(t);
        table_set_text(t, 0, *p);
        table_set_int(t, 1, ints[n % G_N_ELEMENTS(ints)]);
        table_set_real(t, 2, hostile_reals[n % G_N_ELEMENTS(hostile_reals)]);
        table_set_percent(t, 3, hostile_reals[(n + 3) % G_N_ELEMENTS(hostile_reals)]);
        table_set_time(t, 4, ((gint64)1795507200 + n * 3607) * G_USEC_PER_SEC + 999999);
        table_set_duration(t, 5, 3661.4 * n);
        if (*p == NULL)
            break;
    }
    table_add_row(t);
    table_set_text(t, 0, *long_ascii);
    table_add_row(t);
    table_set_text(t, 0, *long_utf8);
    sheet_add(s, t);
    report_add(r, s);

    /* two tables on one sheet, with titles and notes between their rows */
    static const Column two_cols[] = {{"Name", CELL_TEXT, 0, ""}, {"N", CELL_INT, 0, ""}};
    Sheet *two = sheet_new("Two");
    Table *a = table_new("two-a", "First", two_cols, 2);
    a->note = "a note";
    for (int i = 0; i < 3; i++) {
        table_add_row(a);
        table_set_text(a, 0, "a<b");
        table_set_int(a, 1, i);
    }
    sheet_add(two, a);
    Table *b = table_new("two-b", "Second", two_cols, 2);
    for (int i = 0; i < 2; i++) {
        table_add_row(b);
        table_set_text(b, 0, "b&c");
        table_set_int(b, 1, 10 + i);
    }
    sheet_add(two, b);
    report_add(r, two);
    return r;
}

/* What the workbook must show for a text: itself, or cut at a UTF-8 boundary before 32,767
 * bytes with " [cut]". */
static char *
expected_text(const char *s)
{
    gsize n = strlen(s);
    if (n <= XLSX_MAX_CELL)
        return g_strdup(s);
    gsize cut = XLSX_MAX_CELL - 10;
    while (((guchar)s[cut] & 0xC0) == 0x80)
        cut--;
    return g_strdup_printf("%.*s [cut]", (int)cut, s);
}

static void
test_xlsx_cells(void)
{
    g_autofree char *dir = g_dir_make_tmp("mailtrail-hostile-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "mailtrail-report.xlsx", NULL);
    g_autofree char *long_ascii = NULL, *long_utf8 = NULL;
    g_autoptr(Report) r = hostile_report(&long_ascii, &long_utf8);
    XlsxStats st;
    g_autoptr(GError) error = NULL;
    g_assert_true(xlsx_write_report(r, path, &st, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(st.truncated_cells, ==, 2);
    g_assert_cmpuint(st.rows, ==, G_N_ELEMENTS(hostile_texts) + 2 + 3 + 2);

    g_autoptr(SheetXml) x = sheet_xml_read(path, "xl/worksheets/sheet1.xml");
    guint rows = G_N_ELEMENTS(hostile_texts) + 2;
    g_autofree char *dim = g_strdup_printf("A1:F%u", rows + 1);
    g_assert_cmpstr(x->dimension, ==, dim);
    g_assert_cmpuint(x->formulas, ==, 0);
    /* "...tab\t", " leading and trailing " and "\ttab first" */
    g_assert_cmpuint(x->preserved, ==, 3);
    for (guint i = 0; i < x->rows->len; i++)
        g_assert_cmpuint(g_array_index(x->rows, guint64, i), ==, i + 1);
    g_autofree Cell *cells = g_new0(Cell, 6);
    GStringChunk *scratch = g_string_chunk_new(64);
    const Table *t = ((Sheet *)r->sheets->pdata[0])->tables->pdata[0];
    for (guint i = 0; i < rows; i++) {
        table_get_row(t, i, cells, scratch);
        char ref[16];
        g_snprintf(ref, sizeof ref, "A%u", i + 2);
        g_autofree char *got = cell_text(x, ref);
        if (cells[0].type == CELL_EMPTY || *cells[0].text == '\0') {
            g_assert_null(got);
        } else {
            g_autofree char *want = expected_text(cells[0].text);
            g_assert_cmpstr(got, ==, want);
            XmlCell *c = g_hash_table_lookup(x->cells, ref);
            g_assert_cmpstr(c->type, ==, "inlineStr");
        }
        /* numbers: exactly the double libxlsxwriter would have been given */
        double want[6] = {
            0,
            (double)cells[1].i,
            cells[2].r,
            cells[3].r,
            time_to_excel(cells[4].i - cells[4].i % G_USEC_PER_SEC),
            (double)(gint64)(cells[5].r + 0.5) / 86400.0,
        };
        for (int k = 1; k < 6; k++) {
            g_snprintf(ref, sizeof ref, "%c%u", 'A' + k, i + 2);
            XmlCell *c = g_hash_table_lookup(x->cells, ref);
            if (cells[k].type == CELL_EMPTY) {
                g_assert_null(c);
                continue;
            }
            g_assert_nonnull(c);
            g_assert_null(c->type);
            g_assert_nonnull(c->style);
            g_assert_cmpfloat(g_ascii_strtod(c->value->str, NULL), ==, want[k]);
        }
    }
    g_string_chunk_free(scratch);

    /* libxlsxwriter's rows (titles, notes, headers) and the tables' rows, in order */
    g_autoptr(SheetXml) two = sheet_xml_read(path, "xl/worksheets/sheet2.xml");
    static const guint64 two_rows[] = {1, 2, 3, 4, 5, 6, 8, 9, 10, 11};
    g_assert_cmpuint(two->rows->len, ==, G_N_ELEMENTS(two_rows));
    for (guint i = 0; i < G_N_ELEMENTS(two_rows); i++)
        g_assert_cmpuint(g_array_index(two->rows, guint64, i), ==, two_rows[i]);
    g_assert_cmpstr(two->dimension, ==, "A1:B11");
    struct {
        const char *ref, *text;
    } placed[] = {{"A1", "First"},  {"A2", "a note"}, {"A3", "Name"}, {"A4", "a<b"}, {"B6", "2"},
                  {"A8", "Second"}, {"A9", "Name"},   {"A10", "b&c"}, {"B11", "11"}};
    for (guint i = 0; i < G_N_ELEMENTS(placed); i++) {
        g_autofree char *got = cell_text(two, placed[i].ref);
        g_assert_cmpstr(got, ==, placed[i].text);
    }

    /* the CSV files beside it, and openpyxl's reading of both */
    g_autoptr(GPtrArray) written = g_ptr_array_new_with_free_func(g_free);
    g_assert_true(csv_write_report(r, dir, written, &error));
    g_autofree char *check = harness_source_path("tests/golden/check-report.py");
    char *argv[] = {"/usr/bin/python3", check, dir, NULL};
    g_autofree char *out = NULL;
    int status = 0;
    if (!g_file_test("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE) ||
        !g_spawn_command_line_sync("/usr/bin/python3 -c 'import openpyxl'", NULL, NULL, &status,
                                   NULL) ||
        status != 0) {
        g_test_message("python3-openpyxl is not installed: the workbook is not read back with it");
    } else {
        g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                                   NULL, &status, &error));
        g_test_message("%s", out);
        g_assert_nonnull(strstr(out, "hostile.csv = sheet 'Hostile'"));
        g_assert_nonnull(strstr(out, "two-a.csv = sheet 'Two'"));
        g_assert_nonnull(strstr(out, "two-b.csv = sheet 'Two'"));
        g_assert_true(g_spawn_check_wait_status(status, NULL));
    }
    for (guint i = 0; i < written->len; i++)
        g_unlink(written->pdata[i]);
    g_unlink(path);
    g_rmdir(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/reports/csv-cells", test_csv_cells);
    g_test_add_func("/reports/xlsx", test_xlsx);
    g_test_add_func("/reports/xlsx-numbers", test_xlsx_numbers);
    g_test_add_func("/reports/xlsx-cells", test_xlsx_cells);
    return g_test_run();
}
