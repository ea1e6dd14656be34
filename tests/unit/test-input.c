/* The input layer: rotation-aware order, archives inside archives, zip, compressed streams,
 * and line splitting at every block boundary (CR LF, over-long lines, no final newline). */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "gunzip.h"
#include "input.h"

/* A parser that keeps every line it is given. */
typedef struct {
    GPtrArray *lines;
} Recorder;

static GPtrArray *recorded; /* the lines of the last run (tests run one at a time) */

static gpointer
recorder_new(ParserContext *ctx)
{
    (void)ctx;
    Recorder *r = g_new0(Recorder, 1);
    r->lines = g_ptr_array_new_with_free_func(g_free);
    return r;
}

static LineResult
recorder_feed(gpointer self, char *line, gsize len, guint64 lineno)
{
    (void)lineno;
    Recorder *r = self;
    g_ptr_array_add(r->lines, g_strndup(line, len));
    return strncmp(line, "bad", 3) == 0 ? LINE_UNRECOGNISED : LINE_USED;
}

static gboolean
recorder_finish(gpointer self, GError **error)
{
    (void)error;
    Recorder *r = self;
    if (recorded)
        g_ptr_array_unref(recorded);
    recorded = g_ptr_array_ref(r->lines);
    return TRUE;
}

static void
recorder_free(gpointer self)
{
    Recorder *r = self;
    g_ptr_array_unref(r->lines);
    g_free(r);
}

static guint
recorder_probe(const char *head, gsize len)
{
    (void)head;
    (void)len;
    return 1;
}

static const ParserClass recorder_class = {
    .name = "recorder",
    .description = "test",
    .probe = recorder_probe,
    .new = recorder_new,
    .feed_line = recorder_feed,
    .finish = recorder_finish,
    .free = recorder_free,
};

static void
test_lines_at_every_boundary(void)
{
    g_autofree char *long_line = g_strnfill(INPUT_MAX_LINE + 10, 'L');
    g_autofree char *text = g_strconcat("first\r\n\nsecond line\nbad one\n", long_line,
                                        "\nafter the long one\nno newline at the end", NULL);
    gsize len = strlen(text);
    /* every split into two blocks, and byte by byte */
    gsize steps[] = {1, 7, 4096, len};
    for (gsize k = 0; k < G_N_ELEMENTS(steps); k++) {
        InputStats *stats = input_stats_new();
        g_autoptr(EventBatch) batch = event_batch_new();
        ParserOptions o = {0};
        ParserContext ctx = {.input = 1, .name = "t", .batch = batch, .stats = stats, .options = &o};
        gpointer p = recorder_class.new(&ctx);
        InputLines *lines = input_lines_new(&recorder_class, p, &ctx);
        for (gsize off = 0; off < len; off += steps[k])
            input_lines_feed(lines, text + off, MIN(steps[k], len - off));
        input_lines_finish(lines);
        input_lines_free(lines);
        recorder_class.finish(p, NULL);
        recorder_class.free(p);
        g_assert_cmpuint(recorded->len, ==, 5);
        g_assert_cmpstr(recorded->pdata[0], ==, "first");
        g_assert_cmpstr(recorded->pdata[1], ==, "second line");
        g_assert_cmpstr(recorded->pdata[2], ==, "bad one");
        g_assert_cmpstr(recorded->pdata[3], ==, "after the long one");
        g_assert_cmpstr(recorded->pdata[4], ==, "no newline at the end");
        /* 7 lines: the blank one skipped, the long one and "bad one" unrecognised */
        g_assert_cmpuint(stats->lines, ==, 7);
        g_assert_cmpuint(stats->lines_skipped, ==, 1);
        g_assert_cmpuint(stats->lines_unrecognised, ==, 2);
        g_assert_cmpuint(stats->lines_used, ==, 4);
        g_assert_cmpuint(stats->notes->len, ==, 1);
        g_assert_nonnull(strstr(stats->notes->pdata[0], "line 5: longer than"));
        input_stats_free(stats);
    }
}

static void
touch(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_assert_true(g_file_set_contents(path, "x\n", 2, NULL));
}

static void
test_rotation_order(void)
{
    g_autofree char *dir = g_dir_make_tmp("mailtrail-input-XXXXXX", NULL);
    const char *names[] = {"mail.log", "mail.log.1", "mail.log.2.gz", "mail.log.10.gz",
                           "maillog-20261124.gz", "maillog-20261123", "maillog"};
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
        touch(dir, names[i]);
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    const char *inputs[] = {dir, NULL};
    g_assert_true(input_expand(inputs, paths, NULL));
    const char *want[] = {"mail.log.10.gz", "mail.log.2.gz", "mail.log.1", "mail.log",
                          "maillog-20261123", "maillog-20261124.gz", "maillog"};
    g_assert_cmpuint(paths->len, ==, G_N_ELEMENTS(want));
    for (gsize i = 0; i < G_N_ELEMENTS(want); i++) {
        g_autofree char *base = g_path_get_basename(paths->pdata[i]);
        g_assert_cmpstr(base, ==, want[i]);
    }
    g_autoptr(GError) error = NULL;
    const char *missing[] = {"/nonexistent/mail.log", NULL};
    g_assert_false(input_expand(missing, paths, &error));
    g_assert_error(error, INPUT_ERROR, INPUT_ERROR_NOT_FOUND);
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *path = g_build_filename(dir, names[i], NULL);
        g_unlink(path);
    }
    g_rmdir(dir);
}

/* Writes an archive with libarchive: format and filter as named, members (name, data). */
static void
write_archive(const char *path, const char *format, const char *filter,
              const char *const *members, guint n)
{
    struct archive *a = archive_write_new();
    g_assert_cmpint(archive_write_set_format_by_name(a, format), ==, ARCHIVE_OK);
    if (filter)
        g_assert_cmpint(archive_write_add_filter_by_name(a, filter), ==, ARCHIVE_OK);
    g_assert_cmpint(archive_write_open_filename(a, path), ==, ARCHIVE_OK);
    for (guint i = 0; i < n; i++) {
        const char *name = members[2 * i], *data = members[2 * i + 1];
        gsize len = strlen(data);
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, name);
        archive_entry_set_size(e, (la_int64_t)len);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        g_assert_cmpint(archive_write_header(a, e), ==, ARCHIVE_OK);
        g_assert_cmpint(archive_write_data(a, data, len), ==, (la_ssize_t)len);
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
}

typedef struct {
    GPtrArray *names;
    GArray *lines;
    GPtrArray *notes; /* per stream: its notes joined with "; " */
    EventBatch *batch;
} Collect;

static EventBatch *
collect_begin(InputStream *s, gpointer data)
{
    (void)s;
    Collect *c = data;
    return c->batch;
}

static void
collect_end(InputStream *s, EventBatch *batch, gpointer data)
{
    (void)batch;
    Collect *c = data;
    g_ptr_array_add(c->names, g_strdup(s->name));
    g_ptr_array_add(s->stats->notes, NULL);
    g_ptr_array_add(c->notes, g_strjoinv("; ", (char **)s->stats->notes->pdata));
    g_ptr_array_set_size(s->stats->notes, s->stats->notes->len - 1);
    guint64 n = s->stats->lines;
    g_array_append_val(c->lines, n);
    input_stream_free(s);
}

static void
read_all(const char *path, Collect *c)
{
    c->names = g_ptr_array_new_with_free_func(g_free);
    c->lines = g_array_new(FALSE, FALSE, sizeof(guint64));
    c->notes = g_ptr_array_new_with_free_func(g_free);
    c->batch = event_batch_new();
    ParserOptions po = {0};
    InputOptions io = {.forced = &recorder_class, .parser_options = &po};
    InputSink sink = {.stream_begin = collect_begin, .stream_end = collect_end, .data = c};
    guint32 next = 1;
    g_assert_true(input_read_path(path, &io, &sink, &next, NULL));
}

static void
collect_clear(Collect *c)
{
    g_ptr_array_unref(c->names);
    g_array_free(c->lines, TRUE);
    g_ptr_array_unref(c->notes);
    event_batch_free(c->batch);
}

static void
test_archives(void)
{
    g_autofree char *dir = g_dir_make_tmp("mailtrail-input-XXXXXX", NULL);
    g_autofree char *inner = g_build_filename(dir, "inner.log.gz", NULL);
    /* a gzip file inside a tar.gz: read as a stream inside a stream */
    const char *gz_member[] = {"data", "one\ntwo\nthree\n"};
    write_archive(inner, "raw", "gzip", gz_member, 1);
    g_autofree char *inner_bytes = NULL;
    gsize inner_len;
    g_assert_true(g_file_get_contents(inner, &inner_bytes, &inner_len, NULL));
    g_autofree char *tgz = g_build_filename(dir, "logs.tar.gz", NULL);
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
    archive_write_open_filename(a, tgz);
    const char *names[] = {"a/plain.log", "a/inner.log.gz"};
    const char *datas[] = {"alpha\nbeta\n", inner_bytes};
    gsize lens[] = {11, inner_len};
    for (int i = 0; i < 2; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, names[i]);
        archive_entry_set_size(e, (la_int64_t)lens[i]);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_write_header(a, e);
        archive_write_data(a, datas[i], lens[i]);
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);

    Collect c;
    read_all(tgz, &c);
    g_assert_cmpuint(c.names->len, ==, 2);
    g_autofree char *n0 = g_strdup_printf("%s:a/plain.log", tgz);
    g_autofree char *n1 = g_strdup_printf("%s:a/inner.log.gz", tgz);
    g_assert_cmpstr(c.names->pdata[0], ==, n0);
    g_assert_cmpstr(c.names->pdata[1], ==, n1);
    g_assert_cmpuint(g_array_index(c.lines, guint64, 0), ==, 2);
    g_assert_cmpuint(g_array_index(c.lines, guint64, 1), ==, 3);
    collect_clear(&c);

    /* zip */
    g_autofree char *zip = g_build_filename(dir, "logs.zip", NULL);
    const char *zip_members[] = {"x.log", "1\n2\n3\n4\n", "y.log", "5\n"};
    write_archive(zip, "zip", NULL, zip_members, 2);
    read_all(zip, &c);
    g_assert_cmpuint(c.names->len, ==, 2);
    g_assert_cmpuint(g_array_index(c.lines, guint64, 0), ==, 4);
    g_assert_cmpuint(g_array_index(c.lines, guint64, 1), ==, 1);
    collect_clear(&c);

    /* xz and zstd single files */
    const char *filters[] = {"xz", "zstd", "bzip2"};
    for (gsize i = 0; i < G_N_ELEMENTS(filters); i++) {
        g_autofree char *name = g_strdup_printf("single.%s", filters[i]);
        g_autofree char *path = g_build_filename(dir, name, NULL);
        const char *m[] = {"data", "l1\nl2\n"};
        struct archive *probe = archive_write_new();
        gboolean ok = archive_write_add_filter_by_name(probe, filters[i]) == ARCHIVE_OK;
        archive_write_free(probe);
        if (!ok)
            continue; /* this libarchive was built without it */
        write_archive(path, "raw", filters[i], m, 1);
        read_all(path, &c);
        g_assert_cmpuint(c.names->len, ==, 1);
        g_assert_cmpstr(c.names->pdata[0], ==, path);
        g_assert_cmpuint(g_array_index(c.lines, guint64, 0), ==, 2);
        collect_clear(&c);
        g_unlink(path);
    }
    g_unlink(inner);
    g_unlink(tgz);
    g_unlink(zip);
    g_rmdir(dir);
}

/* gzip bytes of text: one member, as libarchive writes it. */
static GByteArray *
gzip_member(const char *dir, const char *text)
{
    g_autofree char *path = g_build_filename(dir, "member.gz", NULL);
    const char *m[] = {"data", text};
    write_archive(path, "raw", "gzip", m, 1);
    char *bytes;
    gsize len;
    g_assert_true(g_file_get_contents(path, &bytes, &len, NULL));
    g_unlink(path);
    return g_byte_array_new_take((guint8 *)bytes, len);
}

static char *
write_bytes(const char *dir, const char *name, const guint8 *data, gsize len)
{
    char *path = g_build_filename(dir, name, NULL);
    g_assert_true(g_file_set_contents(path, (const char *)data, (gssize)len, NULL));
    return path;
}

/* Lines "line N ..." with enough variety that they compress to more than one read block. */
static char *
many_lines(guint n, guint32 seed)
{
    GString *s = g_string_new(NULL);
    GRand *r = g_rand_new_with_seed(seed);
    for (guint i = 1; i <= n; i++)
        g_string_append_printf(s, "line %u %08x %08x\n", i, g_rand_int(r), g_rand_int(r));
    g_rand_free(r);
    return g_string_free(s, FALSE);
}

static void
test_gzip(void)
{
    g_autofree char *dir = g_dir_make_tmp("mailtrail-gzip-XXXXXX", NULL);
    Collect c;

    /* two members, as `cat a.gz b.gz` or a rotating logger writes them: one stream; the second
     * large enough to span several read and output blocks */
    g_autofree char *big = many_lines(200000, 7);
    g_autoptr(GByteArray) multi = gzip_member(dir, "first\nsecond\n");
    g_autoptr(GByteArray) m2 = gzip_member(dir, big);
    g_assert_cmpuint(m2->len, >, 2 * 1024 * 1024);
    g_byte_array_append(multi, m2->data, m2->len);
    g_autofree char *multi_path = write_bytes(dir, "multi.log.gz", multi->data, multi->len);
    read_all(multi_path, &c);
    g_assert_cmpuint(c.names->len, ==, 1);
    g_assert_cmpstr(c.names->pdata[0], ==, multi_path);
    g_assert_cmpuint(g_array_index(c.lines, guint64, 0), ==, 200002);
    g_assert_cmpstr(c.notes->pdata[0], ==, "");
    g_assert_cmpstr(recorded->pdata[1], ==, "second");
    /* the second member's first line follows the first member's last */
    g_assert_true(g_str_has_prefix(recorded->pdata[2], "line 1 "));
    g_assert_true(g_str_has_prefix(recorded->pdata[200001], "line 200000 "));
    collect_clear(&c);

    /* trailing zeros after the last member (tape padding) are ignored, as gzip does */
    g_autoptr(GByteArray) padded = gzip_member(dir, "a\nb\n");
    static const guint8 zeros[512];
    g_byte_array_append(padded, zeros, sizeof zeros);
    g_autofree char *padded_path = write_bytes(dir, "padded.log.gz", padded->data, padded->len);
    read_all(padded_path, &c);
    g_assert_cmpuint(g_array_index(c.lines, guint64, 0), ==, 2);
    g_assert_cmpstr(c.notes->pdata[0], ==, "");
    collect_clear(&c);

    /* cut inside the second member: the first member and what decoded of the second are
     * read, then the damage is named */
    g_autofree char *cut_path = write_bytes(dir, "cut.log.gz", multi->data, multi->len - 100000);
    read_all(cut_path, &c);
    g_assert_cmpuint(c.names->len, ==, 1);
    g_assert_cmpuint(g_array_index(c.lines, guint64, 0), >, 100000);
    g_assert_nonnull(strstr(c.notes->pdata[0], "truncated gzip input"));
    g_assert_nonnull(strstr(c.notes->pdata[0], "the rest of this stream is lost"));
    collect_clear(&c);

    /* a wrong CRC: every line is read, and the damage is reported */
    g_autoptr(GByteArray) crc = gzip_member(dir, big);
    crc->data[crc->len - 8] ^= 0xff;
    g_autofree char *crc_path = write_bytes(dir, "crc.log.gz", crc->data, crc->len);
    read_all(crc_path, &c);
    g_assert_cmpuint(g_array_index(c.lines, guint64, 0), ==, 200000);
    g_assert_nonnull(strstr(c.notes->pdata[0], "gzip data damaged: CRC or length mismatch"));
    collect_clear(&c);

    /* damaged deflate data (a reserved block type) */
    g_autoptr(GByteArray) bad = gzip_member(dir, big);
    bad->data[10] |= 0x06; /* BTYPE 11 of the first block */
    g_autofree char *bad_path = write_bytes(dir, "bad.log.gz", bad->data, bad->len);
    read_all(bad_path, &c);
    g_assert_cmpuint(c.names->len, ==, 1);
    g_assert_nonnull(strstr(c.notes->pdata[0], "gzip data damaged"));
    collect_clear(&c);

    /* a tar.gz cut short: its first member is read, the damage named on the member it cut,
     * then on the archive (libarchive cannot go on) */
    g_autofree char *tgz = g_build_filename(dir, "logs.tar.gz", NULL);
    const char *members[] = {"a.log", "x\ny\n", "b.log", big};
    write_archive(tgz, "pax", "gzip", members, 2);
    char *tgz_bytes;
    gsize tgz_len;
    g_assert_true(g_file_get_contents(tgz, &tgz_bytes, &tgz_len, NULL));
    g_autofree char *half = write_bytes(dir, "half.tar.gz", (guint8 *)tgz_bytes, tgz_len / 2);
    g_free(tgz_bytes);
    read_all(half, &c);
    g_assert_cmpuint(c.names->len, ==, 3);
    g_autofree char *b_name = g_strdup_printf("%s:b.log", half);
    g_assert_cmpstr(c.names->pdata[1], ==, b_name);
    g_assert_cmpuint(g_array_index(c.lines, guint64, 0), ==, 2);
    g_assert_nonnull(strstr(c.notes->pdata[1], "truncated gzip input"));
    g_assert_cmpstr(c.names->pdata[2], ==, half);
    g_assert_nonnull(strstr(c.notes->pdata[2], "archive damaged after member"));
    collect_clear(&c);

    /* the same multi-member file on standard input */
    int saved = dup(0);
    int fd = open(multi_path, O_RDONLY);
    g_assert_cmpint(dup2(fd, 0), ==, 0);
    close(fd);
    read_all("-", &c);
    g_assert_cmpuint(c.names->len, ==, 1);
    g_assert_cmpstr(c.names->pdata[0], ==, "stdin");
    g_assert_cmpuint(g_array_index(c.lines, guint64, 0), ==, 200002);
    collect_clear(&c);
    dup2(saved, 0);
    close(saved);

    const char *paths[] = {multi_path, padded_path, cut_path, crc_path, bad_path, tgz, half};
    for (gsize i = 0; i < G_N_ELEMENTS(paths); i++)
        g_unlink(paths[i]);
    g_rmdir(dir);
}

/* A source that hands out its bytes one at a time: every header field, block and member
 * boundary falls between two reads. */
typedef struct {
    const guint8 *data;
    gsize len, pos;
} Trickle;

static gssize
trickle_read(gpointer data, const void **buf, char **error_text)
{
    (void)error_text;
    Trickle *t = data;
    if (t->pos == t->len)
        return 0;
    *buf = t->data + t->pos++;
    return 1;
}

static void
test_gunzip_trickle(void)
{
    g_autofree char *dir = g_dir_make_tmp("mailtrail-gzip-XXXXXX", NULL);
    g_autoptr(GByteArray) bytes = gzip_member(dir, "one\ntwo\n");
    g_autoptr(GByteArray) second = gzip_member(dir, "three\n");
    g_byte_array_append(bytes, second->data, second->len);
    g_rmdir(dir);
    for (int cut = 0; cut < 2; cut++) {
        Trickle t = {bytes->data, bytes->len - (cut ? 3 : 0), 0};
        g_autoptr(Gunzip) gz = gunzip_new(trickle_read, &t);
        GString *out = g_string_new(NULL);
        const void *buf;
        char *err = NULL;
        gssize n;
        while ((n = gunzip_read(gz, &buf, &err)) > 0)
            g_string_append_len(out, buf, n);
        g_assert_cmpstr(out->str, ==, "one\ntwo\nthree\n");
        if (cut) {
            g_assert_cmpint(n, ==, -1);
            g_assert_cmpstr(err, ==, "truncated gzip input");
        } else {
            g_assert_cmpint(n, ==, 0);
            g_assert_null(err);
        }
        g_assert_cmpuint(gunzip_bytes_in(gz), ==, t.len);
        g_free(err);
        g_string_free(out, TRUE);
    }
}

/* What a read produced, as text: every stream (name, lines, items, events, notes) and every
 * event (stream id, kind, recipient, diagnostic). */
static char *
describe_read(const char *const *paths, guint n, gboolean together)
{
    Collect c;
    c.names = g_ptr_array_new_with_free_func(g_free);
    c.lines = g_array_new(FALSE, FALSE, sizeof(guint64));
    c.notes = g_ptr_array_new_with_free_func(g_free);
    c.batch = event_batch_new();
    ParserOptions po = {.year = 2026};
    InputOptions io = {.parser_options = &po};
    InputSink sink = {.stream_begin = collect_begin, .stream_end = collect_end, .data = &c};
    guint32 next = 1;
    if (together)
        g_assert_true(input_read_paths(paths, n, &io, &sink, &next, NULL));
    else
        for (guint i = 0; i < n; i++)
            g_assert_true(input_read_path(paths[i], &io, &sink, &next, NULL));
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < c.names->len; i++)
        g_string_append_printf(out, "stream %u %s lines=%" G_GUINT64_FORMAT " notes=%s\n", i + 1,
                               (char *)c.names->pdata[i], g_array_index(c.lines, guint64, i),
                               (char *)c.notes->pdata[i]);
    for (guint i = 0; i < event_batch_len(c.batch); i++) {
        const Event *e = event_batch_get(c.batch, i);
        g_string_append_printf(out, "event %u %s %s %s\n", e->input, event_kind_to_string(e->kind),
                               e->recipient ? e->recipient : "-",
                               e->diagnostic ? e->diagnostic : "-");
    }
    g_assert_cmpuint(next, ==, c.names->len + 1);
    collect_clear(&c);
    return g_string_free(out, FALSE);
}

static void
copy_file(const char *from, const char *to)
{
    char *data;
    gsize len;
    g_assert_true(g_file_get_contents(from, &data, &len, NULL));
    g_assert_true(g_file_set_contents(to, data, (gssize)len, NULL));
    g_free(data);
}

/* Many small files read on two threads give the same streams, ids and events, in the same
 * order, as reading them one by one; archives, large files and missing files among them too. */
static void
test_many_paths(void)
{
    const char *root = g_getenv("MAILTRAIL_SOURCE_ROOT");
    if (root == NULL)
        root = ".";
    g_autofree char *mdir = g_build_filename(root, "tests", "data", "mailbox", NULL);
    g_autofree char *dir = g_dir_make_tmp("mailtrail-paths-XXXXXX", NULL);
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = g_dir_open(mdir, 0, NULL);
    g_assert_nonnull(d);
    g_autoptr(GPtrArray) sources = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        g_autofree char *path = g_build_filename(mdir, name, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
            g_ptr_array_add(sources, g_steal_pointer(&path));
    }
    g_assert_cmpuint(sources->len, >, 5);
    g_autofree char *big = many_lines(20000, 3); /* larger than a head: read in order */
    for (guint i = 0; i < 700; i++) {
        g_autofree char *base = g_strdup_printf("%04u", i);
        char *path = g_build_filename(dir, base, NULL);
        if (i == 10)
            g_assert_true(g_file_set_contents(path, big, -1, NULL));
        else if (i == 300)
            g_assert_true(g_file_set_contents(path, "", 0, NULL));
        else if (i == 301) {
            const char *m[] = {"a.eml", "From: x@example.org\nTo: y@example.org\n\nhi\n", "b.log",
                               "one\ntwo\n"};
            write_archive(path, "pax", "gzip", m, 2);
        } else if (i != 500) /* 500 is missing */
            copy_file(sources->pdata[i % sources->len], path);
        g_ptr_array_add(paths, path);
    }
    g_autofree char *one_by_one =
        describe_read((const char *const *)paths->pdata, paths->len, FALSE);
    g_autofree char *together = describe_read((const char *const *)paths->pdata, paths->len, TRUE);
    g_assert_cmpstr(together, ==, one_by_one);
    g_assert_nonnull(strstr(together, "event "));
    g_assert_nonnull(strstr(together, ":a.eml"));
    g_assert_nonnull(strstr(together, "cannot read"));
    for (guint i = 0; i < paths->len; i++)
        g_unlink(paths->pdata[i]);
    g_rmdir(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/input/lines-at-every-boundary", test_lines_at_every_boundary);
    g_test_add_func("/input/rotation-order", test_rotation_order);
    g_test_add_func("/input/archives", test_archives);
    g_test_add_func("/input/gzip", test_gzip);
    g_test_add_func("/input/gunzip-trickle", test_gunzip_trickle);
    g_test_add_func("/input/many-paths", test_many_paths);
    int r = g_test_run();
    if (recorded)
        g_ptr_array_unref(recorded);
    return r;
}
