/* Files, directories, stdin, compression and archives -> sniffed streams -> parsers.
 * Plain files are read directly; archives and compressed files through libarchive as a stream,
 * one block at a time (gzip inflated here with ISA-L first); archive members and nested
 * archives are read in place, never unpacked. */
#include "input.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "autocleanups.h"
#include "gunzip.h"

G_DEFINE_QUARK(input_error_quark, input_error)

#define READ_BLOCK (1024 * 1024)

void
input_stream_free(InputStream *stream)
{
    if (stream == NULL)
        return;
    g_free(stream->name);
    input_stats_free(stream->stats);
    g_free(stream);
}

/* ---- line splitting ------------------------------------------------------------------ */

struct InputLines {
    const ParserClass *klass;
    gpointer parser;
    ParserContext *ctx;
    char *buf;
    gsize len, cap;
    guint64 lineno;
    gboolean skipping; /* inside a line that was too long */
};

InputLines *
input_lines_new(const ParserClass *klass, gpointer parser, ParserContext *ctx)
{
    InputLines *l = g_new0(InputLines, 1);
    l->klass = klass;
    l->parser = parser;
    l->ctx = ctx;
    l->cap = 64 * 1024;
    l->buf = g_malloc(l->cap);
    return l;
}

void
input_lines_free(InputLines *lines)
{
    if (lines == NULL)
        return;
    g_free(lines->buf);
    g_free(lines);
}

static void
feed_one(InputLines *l, char *line, gsize len)
{
    l->lineno++;
    if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
    if (len == 0 && !l->klass->keep_blank_lines) {
        parser_context_count(l->ctx, "line", l->lineno, LINE_SKIPPED, NULL, 0);
        return;
    }
    LineResult r = l->klass->feed_line(l->parser, line, len, l->lineno);
    if (r == LINE_UNRECOGNISED && l->ctx->stats->examples->len < INPUT_STATS_MAX_EXAMPLES) {
        /* parsers cut lines in place: show the cuts as spaces */
        for (gsize i = 0; i < len; i++)
            if (line[i] == '\0')
                line[i] = ' ';
    }
    parser_context_count(l->ctx, "line", l->lineno, r, line, len);
}

static void
too_long(InputLines *l, const char *text, gsize len)
{
    l->lineno++;
    parser_context_count(l->ctx, "line", l->lineno, LINE_UNRECOGNISED, text, MIN(len, (gsize)200));
    parser_context_note(l->ctx, "line %" G_GUINT64_FORMAT ": longer than %d KiB, skipped",
                        l->lineno, INPUT_MAX_LINE / 1024);
}

/* Cuts the lines in l->buf, starting the search for newlines at `from`; keeps the
 * unfinished last line at the start of the buffer. Returns FALSE when that line is already
 * too long (the rest of it is then skipped). */
static gboolean
scan_lines(InputLines *l, gsize from)
{
    char *p = l->buf, *end = l->buf + l->len;
    char *scan = l->buf + from;
    for (;;) {
        char *nl = memchr(scan, '\n', (gsize)(end - scan));
        if (nl == NULL)
            break;
        *nl = '\0';
        if ((gsize)(nl - p) > INPUT_MAX_LINE) {
            too_long(l, p, (gsize)(nl - p));
        } else {
            feed_one(l, p, (gsize)(nl - p));
        }
        p = nl + 1;
        scan = p;
    }
    gsize rest = (gsize)(end - p);
    if (rest > INPUT_MAX_LINE) {
        too_long(l, p, rest);
        l->len = 0;
        l->skipping = TRUE;
        return FALSE;
    }
    memmove(l->buf, p, rest);
    l->len = rest;
    return TRUE;
}

static void
reserve(InputLines *l, gsize more)
{
    if (l->len + more + 1 > l->cap) {
        l->cap = MAX(l->cap * 2, l->len + more + 1);
        l->buf = g_realloc(l->buf, l->cap);
    }
}

/* While the rest of a line too long to keep is skipped: where the bytes after its newline
 * start in data (len bytes), or NULL when the line goes on past them. */
static const char *
after_skipped_line(InputLines *l, const char *data, gsize len)
{
    const char *nl = memchr(data, '\n', len);
    if (nl == NULL)
        return NULL;
    l->skipping = FALSE;
    return nl + 1;
}

void
input_lines_feed(InputLines *l, const char *data, gsize len)
{
    l->ctx->stats->bytes += len;
    while (len > 0) {
        if (l->skipping) {
            const char *next = after_skipped_line(l, data, len);
            if (next == NULL)
                return;
            len -= (gsize)(next - data);
            data = next;
            continue;
        }
        /* append as much as fits below the line limit plus one block */
        gsize take = MIN(len, (gsize)READ_BLOCK);
        reserve(l, take);
        memcpy(l->buf + l->len, data, take);
        gsize scanned_from = l->len;
        l->len += take;
        data += take;
        len -= take;
        scan_lines(l, scanned_from);
    }
}

char *
input_lines_space(InputLines *l, gsize want)
{
    reserve(l, want);
    return l->buf + l->len;
}

void
input_lines_commit(InputLines *l, gsize n)
{
    l->ctx->stats->bytes += n;
    if (l->skipping) {
        char *data = l->buf + l->len;
        const char *next = after_skipped_line(l, data, n);
        if (next == NULL)
            return;
        n -= (gsize)(next - data);
        memmove(data, next, n);
    }
    gsize scanned_from = l->len;
    l->len += n;
    scan_lines(l, scanned_from);
}

void
input_lines_finish(InputLines *l)
{
    if (l->len > 0 && !l->skipping) {
        l->buf[l->len] = '\0';
        gsize n = l->len;
        l->len = 0;
        feed_one(l, l->buf, n);
    }
    l->len = 0;
}

/* ---- expanding inputs ---------------------------------------------------------------- */

/* Rotation-aware order: "mail.log.2.gz" < "mail.log.1" < "mail.log"; dated rotations
 * ("mail.log-20261124.gz") sort by date before the live file. */
typedef struct {
    char *path;
    char *dir;
    char *base;
    gint64 order;
} SortKey;

static const char *const compress_suffixes[] = {".gz", ".bz2", ".xz", ".zst", ".Z", ".lz4", NULL};

/* path is taken; dir and base are g_path_get_dirname() and g_path_get_basename() of it. */
static void
sort_key_init_parts(SortKey *k, char *path, const char *dir, const char *base_name)
{
    k->path = path;
    k->dir = g_strdup(dir);
    char *base = g_strdup(base_name);
    gsize n = strlen(base);
    for (int i = 0; compress_suffixes[i]; i++) {
        gsize sl = strlen(compress_suffixes[i]);
        if (n > sl && strcmp(base + n - sl, compress_suffixes[i]) == 0) {
            n -= sl;
            break;
        }
    }
    base[n] = '\0';
    k->order = G_MAXINT64; /* the live file is the newest */
    /* ".N" */
    gsize i = n;
    while (i > 0 && g_ascii_isdigit(base[i - 1]))
        i--;
    if (i < n && i > 1 && n - i <= 4 && base[i - 1] == '.') {
        k->order = -(gint64)g_ascii_strtoull(base + i, NULL, 10);
        base[i - 1] = '\0';
    } else if (i < n && i > 1 && n - i == 8 && (base[i - 1] == '-' || base[i - 1] == '.')) {
        k->order = (gint64)g_ascii_strtoull(base + i, NULL, 10); /* -YYYYMMDD */
        base[i - 1] = '\0';
    }
    k->base = base;
}

static void
sort_key_init(SortKey *k, const char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *base = g_path_get_basename(path);
    sort_key_init_parts(k, g_strdup(path), dir, base);
}

static int
sort_key_compare(gconstpointer a, gconstpointer b)
{
    const SortKey *x = a, *y = b;
    int c = strcmp(x->dir, y->dir);
    if (c)
        return c;
    c = strcmp(x->base, y->base);
    if (c)
        return c;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return strcmp(x->path, y->path);
}

/* Lists dir recursively. The entry types come from readdir (lstat only where the file system
 * does not say): a Maildir has thousands of files. */
static gboolean
walk_dir(const char *dir, GArray *keys, int depth, GError **error)
{
    if (depth > 64)
        return TRUE;
    DIR *d = opendir(dir);
    if (d == NULL) {
        int e = errno;
        g_autofree char *shown = g_filename_display_name(dir);
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                    "Error opening directory “%s”: %s", shown, g_strerror(e));
        return FALSE;
    }
    g_autoptr(GPtrArray) subdirs = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *files_dir = NULL; /* the same for every file of dir */
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        char *path = g_build_filename(dir, name, NULL);
        unsigned char type = de->d_type;
        if (type == DT_UNKNOWN) {
            struct stat st;
            type = lstat(path, &st) != 0   ? DT_UNKNOWN
                   : S_ISDIR(st.st_mode) ? DT_DIR
                   : S_ISREG(st.st_mode) ? DT_REG
                                         : DT_UNKNOWN;
        }
        if (type == DT_DIR) {
            g_ptr_array_add(subdirs, path);
        } else if (type == DT_REG) {
            if (files_dir == NULL)
                files_dir = g_path_get_dirname(path);
            SortKey k;
            sort_key_init_parts(&k, path, files_dir, name);
            g_array_append_val(keys, k);
        } else {
            g_free(path); /* symbolic links, devices, sockets */
        }
    }
    closedir(d);
    for (guint i = 0; i < subdirs->len; i++)
        if (!walk_dir(subdirs->pdata[i], keys, depth + 1, error))
            return FALSE;
    return TRUE;
}

gboolean
input_expand(const char *const *inputs, GPtrArray *paths, GError **error)
{
    g_autoptr(GArray) keys = g_array_new(FALSE, FALSE, sizeof(SortKey));
    gboolean ok = TRUE;
    for (int i = 0; ok && inputs[i]; i++) {
        const char *in = inputs[i];
        if (strcmp(in, "-") == 0) {
            SortKey k = {.path = g_strdup("-"), .dir = g_strdup(""), .base = g_strdup("-")};
            g_array_append_val(keys, k);
            continue;
        }
        struct stat st;
        if (stat(in, &st) != 0) {
            int e = errno;
            g_set_error(error, INPUT_ERROR, INPUT_ERROR_NOT_FOUND, "%s: %s", in, g_strerror(e));
            ok = FALSE;
        } else if (S_ISDIR(st.st_mode)) {
            ok = walk_dir(in, keys, 0, error);
        } else {
            SortKey k;
            sort_key_init(&k, in);
            g_array_append_val(keys, k);
        }
    }
    if (ok) {
        g_array_sort(keys, sort_key_compare);
        for (guint i = 0; i < keys->len; i++)
            g_ptr_array_add(paths, g_strdup(g_array_index(keys, SortKey, i).path));
    }
    for (guint i = 0; i < keys->len; i++) {
        SortKey *k = &g_array_index(keys, SortKey, i);
        g_free(k->path);
        g_free(k->dir);
        g_free(k->base);
    }
    return ok;
}

/* ---- reading ------------------------------------------------------------------------- */

typedef struct BlockSource BlockSource;

typedef struct {
    const InputOptions *options;
    const InputSink *sink;
    guint32 *next_id;
    /* for progress, bytes of the file consumed: read from its descriptor, or else as counted
     * by libarchive */
    const BlockSource *top_src;
    struct archive *top;
    gint64 file_mtime;
} ReadContext;

static struct archive *
new_reader(void)
{
    struct archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_zip(a);
    archive_read_support_format_7zip(a);
    archive_read_support_format_cpio(a);
    archive_read_support_format_empty(a);
    archive_read_support_format_raw(a);
    return a;
}

static gboolean
looks_like_archive(const guchar *h, gsize n)
{
    if (n >= 2 && h[0] == 0x1f && (h[1] == 0x8b || h[1] == 0x9d))
        return TRUE; /* gzip, compress */
    if (n >= 3 && memcmp(h, "BZh", 3) == 0)
        return TRUE;
    if (n >= 6 && memcmp(h, "\xfd" "7zXZ\0", 6) == 0)
        return TRUE;
    if (n >= 4 && memcmp(h, "\x28\xb5\x2f\xfd", 4) == 0)
        return TRUE; /* zstd */
    if (n >= 4 && memcmp(h, "PK\003\004", 4) == 0)
        return TRUE;
    if (n >= 6 && memcmp(h, "7z\xbc\xaf\x27\x1c", 6) == 0)
        return TRUE;
    if (n >= 262 && memcmp(h + 257, "ustar", 5) == 0)
        return TRUE;
    if (n >= 4 && memcmp(h, "\x04\x22\x4d\x18", 4) == 0)
        return TRUE; /* lz4 */
    return FALSE;
}

static gboolean read_archive(ReadContext *rc, struct archive *a, const char *container,
                             int depth);

/* Where a stream's bytes come from: an archive member (libarchive) or a plain file (read()). */
struct BlockSource {
    struct archive *archive; /* NULL: the file descriptor */
    int fd;
    char *buf;
    guint64 consumed; /* bytes of the file read so far (for progress) */
    /* the size fstat gave, when known: once that much is read the file is taken as ended,
     * without a read() just to hear it (thousands of small files) */
    gint64 size;
};

/* The next block: 1 with data, 0 at the end, -1 on error (error_text set). */
static int
next_block(BlockSource *src, const void **data, gsize *len, char **error_text)
{
    if (src->archive) {
        size_t size;
        la_int64_t offset;
        int r = archive_read_data_block(src->archive, data, &size, &offset);
        if (r == ARCHIVE_EOF)
            return 0;
        if (r < ARCHIVE_WARN) {
            const char *es = archive_error_string(src->archive);
            *error_text = g_strdup(es ? es : "read error");
            return -1;
        }
        *len = size;
        return 1;
    }
    g_return_val_if_fail(src->buf != NULL, -1); /* a file source always has its buffer */
    if (src->size > 0 && src->consumed == (guint64)src->size)
        return 0;
    for (;;) {
        gssize n = read(src->fd, src->buf, READ_BLOCK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *error_text = g_strdup(g_strerror(errno));
            return -1;
        }
        if (n == 0)
            return 0;
        src->consumed += (guint64)n;
        *data = src->buf;
        *len = (gsize)n;
        return 1;
    }
}

/* Reads the head of the current member (up to INPUT_HEAD_SIZE). Returns FALSE on a read
 * error (error_text set). */
static gboolean
read_head(BlockSource *src, GByteArray *head, gboolean *eof, char **error_text)
{
    *eof = FALSE;
    while (head->len < INPUT_HEAD_SIZE) {
        const void *buf;
        gsize size;
        int r = next_block(src, &buf, &size, error_text);
        if (r == 0) {
            *eof = TRUE;
            return TRUE;
        }
        if (r < 0)
            return FALSE;
        g_byte_array_append(head, buf, (guint)size);
    }
    return TRUE;
}

/* The rest of a plain file into its line buffer. Returns an error text, or NULL at the end. */
static char *
read_lines_direct(ReadContext *rc, BlockSource *src, InputStream *s, InputLines *lines,
                  ParserContext *ctx, gsize *pos)
{
    for (;;) {
        char *dst = input_lines_space(lines, READ_BLOCK);
        gssize n = read(src->fd, dst, READ_BLOCK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return g_strdup(g_strerror(errno));
        if (n == 0)
            return NULL;
        src->consumed += (guint64)n;
        *pos += (gsize)n;
        input_lines_commit(lines, (gsize)n);
        if (rc->sink->stream_progress)
            ctx->batch = rc->sink->stream_progress(s, ctx->batch, src->consumed, rc->sink->data);
    }
}

static void
process_stream(ReadContext *rc, BlockSource *src, const char *name, gint64 mtime,
               GByteArray *head, gboolean eof, char *head_error)
{
    InputStream *s = g_new0(InputStream, 1);
    s->id = (*rc->next_id)++;
    s->name = g_strdup(name);
    s->stats = input_stats_new();
    s->mtime = mtime;
    if (rc->options->forced) {
        s->parser = rc->options->forced;
        s->score = 100;
    } else {
        s->parser = parser_registry_sniff((const char *)head->data, head->len, &s->score);
    }

    ParserOptions popts = *rc->options->parser_options;
    if (mtime > 0 && popts.reference == 0)
        popts.reference = mtime;
    EventBatch *batch = rc->sink->stream_begin(s, rc->sink->data);
    ParserContext ctx = {
        .input = s->id, .name = s->name, .batch = batch, .stats = s->stats, .options = &popts};

    gpointer parser = NULL;
    InputLines *lines = NULL;
    if (s->parser) {
        parser = s->parser->new(&ctx);
        if (s->parser->feed_line)
            lines = input_lines_new(s->parser, parser, &ctx);
    } else if (head->len > 0) {
        parser_context_note(&ctx, "format not recognised; its lines are counted as unrecognised "
                                  "(use --format to name it)");
        s->stats->errors++;
    }

    /* With no parser, lines are still counted (as unrecognised): nothing is lost silently. */
    gsize pos = 0;
    char *error_text = head_error;
    const char *data = (const char *)head->data;
    gsize len = head->len;
    guint64 nl_count = 0;
    for (;;) {
        if (len > 0) {
            if (lines)
                input_lines_feed(lines, data, len);
            else if (parser)
                s->parser->feed_block(parser, data, len);
            else {
                s->stats->bytes += len;
                const char *p = data, *end = data + len;
                while ((p = memchr(p, '\n', (gsize)(end - p))) != NULL) {
                    p++;
                    nl_count++;
                }
            }
            pos += len;
            if (rc->sink->stream_progress) {
                guint64 done = rc->top_src ? rc->top_src->consumed
                               : rc->top   ? (guint64)archive_filter_bytes(rc->top, -1)
                                           : src->consumed;
                batch = rc->sink->stream_progress(s, batch, done, rc->sink->data);
                ctx.batch = batch;
            }
        }
        if (eof || error_text)
            break;
        if (lines && src->archive == NULL) {
            /* a plain file: read straight into the line buffer, no copy */
            error_text = read_lines_direct(rc, src, s, lines, &ctx, &pos);
            batch = ctx.batch;
            break;
        }
        const void *buf;
        gsize size;
        int r = next_block(src, &buf, &size, &error_text);
        if (r <= 0)
            break;
        data = buf;
        len = size;
    }
    if (lines)
        input_lines_finish(lines);
    if (!s->parser && head->len > 0) {
        guint64 n = nl_count + (pos > 0 && head->data[MIN(head->len, pos) - 1] != '\n');
        s->stats->lines += n;
        s->stats->lines_unrecognised += n;
        gsize first = 0;
        while (first < head->len && head->data[first] != '\n')
            first++;
        input_stats_example(s->stats, "line", 1, (const char *)head->data, first);
    }
    if (error_text) {
        if (lines)
            parser_context_note(&ctx,
                                "read error after %" G_GSIZE_FORMAT " bytes (line %" G_GUINT64_FORMAT
                                "): %s; the rest of this stream is lost",
                                pos, s->stats->lines, error_text);
        else
            parser_context_note(&ctx,
                                "read error after %" G_GSIZE_FORMAT " bytes: %s; the rest of "
                                "this stream is lost",
                                pos, error_text);
        s->stats->errors++;
        g_free(error_text);
    }
    if (s->parser) {
        g_autoptr(GError) err = NULL;
        if (!s->parser->finish(parser, &err)) {
            parser_context_note(&ctx, "%s", err->message);
            s->stats->errors++;
        }
        s->parser->free(parser);
    }
    input_lines_free(lines);
    rc->sink->stream_end(s, batch, rc->sink->data);
}

static void
note_stream(ReadContext *rc, const char *name, const char *message)
{
    InputStream *s = g_new0(InputStream, 1);
    s->id = (*rc->next_id)++;
    s->name = g_strdup(name);
    s->stats = input_stats_new();
    EventBatch *batch = rc->sink->stream_begin(s, rc->sink->data);
    g_ptr_array_add(s->stats->notes, g_strdup(message));
    s->stats->errors++;
    rc->sink->stream_end(s, batch, rc->sink->data);
}

/* An empty file: listed, with nothing in it. */
static void
empty_stream(ReadContext *rc, const char *name)
{
    InputStream *s = g_new0(InputStream, 1);
    s->id = (*rc->next_id)++;
    s->name = g_strdup(name);
    s->stats = input_stats_new();
    s->mtime = rc->file_mtime;
    EventBatch *batch = rc->sink->stream_begin(s, rc->sink->data);
    g_ptr_array_add(s->stats->notes, g_strdup("empty"));
    rc->sink->stream_end(s, batch, rc->sink->data);
}

/* What libarchive reads when it does not open the file itself: the head that was already read
 * for sniffing, then the rest of the file or member, decompressed here when it is gzip (ISA-L
 * inflates several times faster than libarchive's zlib). */
typedef struct {
    BlockSource *src;
    const guchar *head;
    gsize head_len;
    gboolean head_done;
    Gunzip *gz; /* NULL: the bytes as they are */
} Feed;

static gssize
feed_raw_read(gpointer data, const void **buf, char **error_text)
{
    Feed *f = data;
    if (!f->head_done) {
        f->head_done = TRUE;
        if (f->head_len > 0) {
            *buf = f->head;
            return (gssize)f->head_len;
        }
    }
    gsize len = 0;
    int r = next_block(f->src, buf, &len, error_text);
    return r < 0 ? -1 : r == 0 ? 0 : (gssize)len;
}

static la_ssize_t
feed_read(struct archive *a, void *data, const void **buf)
{
    Feed *f = data;
    char *error_text = NULL;
    gssize n = f->gz ? gunzip_read(f->gz, buf, &error_text) : feed_raw_read(f, buf, &error_text);
    if (n < 0) {
        archive_set_error(a, EIO, "%s", error_text ? error_text : "read error");
        g_free(error_text);
        return -1;
    }
    return (la_ssize_t)n;
}

/* Reads the archive, compressed file or plain stream that src carries after head. what names
 * the failure to open it ("cannot read", "cannot open nested archive"). */
static void
read_feed(ReadContext *rc, BlockSource *src, GByteArray *head, const char *name, int depth,
          const char *what)
{
    Feed feed = {.src = src, .head = head->data, .head_len = head->len};
    g_autoptr(Gunzip) gz = NULL;
    if (gunzip_is_gzip(head->data, head->len))
        feed.gz = gz = gunzip_new(feed_raw_read, &feed);
    g_autoptr(ArchiveReader) a = new_reader();
    if (archive_read_open(a, &feed, NULL, feed_read, NULL) != ARCHIVE_OK) {
        const char *es = archive_error_string(a);
        g_autofree char *msg = g_strdup_printf("%s: %s", what, es ? es : "cannot open");
        note_stream(rc, name, msg);
        return;
    }
    read_archive(rc, a, name, depth);
}

static gboolean
read_archive(ReadContext *rc, struct archive *a, const char *container, int depth)
{
    struct archive_entry *entry;
    guint members = 0;
    g_autofree char *last_name = NULL;
    for (;;) {
        int r = archive_read_next_header(a, &entry);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN) {
            const char *es = archive_error_string(a);
            g_autofree char *msg =
                members == 0
                    ? g_strdup_printf("cannot read: %s", es ? es : "not a readable file")
                    : g_strdup_printf("archive damaged after member %s: %s; the members after it "
                                      "are lost",
                                      last_name ? last_name : "?", es ? es : "read error");
            note_stream(rc, container, msg);
            return members > 0;
        }
        if (archive_entry_filetype(entry) != AE_IFREG && archive_format(a) != ARCHIVE_FORMAT_RAW)
            continue;
        members++;
        gboolean raw = archive_format(a) == ARCHIVE_FORMAT_RAW;
        const char *member = archive_entry_pathname(entry);
        g_autofree char *name =
            raw ? g_strdup(container)
                : g_strdup_printf("%s:%s", container, member ? member : "(unnamed)");
        g_free(last_name);
        last_name = g_strdup(name);
        gint64 mtime = archive_entry_mtime_is_set(entry)
                           ? (gint64)archive_entry_mtime(entry) * G_USEC_PER_SEC
                           : rc->file_mtime;
        if (raw)
            mtime = rc->file_mtime;

        g_autoptr(GByteArray) head = g_byte_array_sized_new(INPUT_HEAD_SIZE);
        gboolean eof;
        char *head_error = NULL;
        BlockSource src = {.archive = a};
        gboolean ok = read_head(&src, head, &eof, &head_error);
        if (ok && depth < INPUT_MAX_DEPTH &&
            looks_like_archive(head->data, head->len) && !raw) {
            /* an archive or compressed file inside this one */
            gint64 saved = rc->file_mtime;
            rc->file_mtime = mtime;
            read_feed(rc, &src, head, name, depth + 1, "cannot open nested archive");
            rc->file_mtime = saved;
            continue;
        }
        process_stream(rc, &src, name, mtime, head, eof, ok ? NULL : head_error);
    }
    if (members == 0)
        empty_stream(rc, container);
    return TRUE;
}

/* Reads an open file, standard input or a pipe: a plain file (most logs, every Maildir file)
 * straight from the descriptor, a gzip file inflated here; only other compressed files and
 * archives go through libarchive, which opens a regular file itself (zip and 7z seek). */
static void
read_descriptor(ReadContext *rc, int fd, const char *path, const char *name, gboolean seekable)
{
    g_autofree char *buf = g_malloc(READ_BLOCK);
    BlockSource src = {.fd = fd, .buf = buf};
    g_autoptr(GByteArray) head = g_byte_array_sized_new(INPUT_HEAD_SIZE);
    gboolean eof;
    char *head_error = NULL;
    gboolean ok = read_head(&src, head, &eof, &head_error);
    if (!ok || !looks_like_archive(head->data, head->len)) {
        if (ok && eof && head->len == 0)
            empty_stream(rc, name);
        else
            process_stream(rc, &src, name, rc->file_mtime, head, eof, ok ? NULL : head_error);
        return;
    }
    if (gunzip_is_gzip(head->data, head->len) || !seekable) {
        rc->top_src = &src;
        read_feed(rc, &src, head, name, 0, "cannot read");
        rc->top_src = NULL;
        return;
    }
    /* an archive or another compression: libarchive reads it from the start */
    g_autoptr(ArchiveReader) a = new_reader();
    int r = ARCHIVE_FATAL;
    if (path)
        r = archive_read_open_filename(a, path, READ_BLOCK);
    else if (lseek(fd, 0, SEEK_SET) == 0)
        r = archive_read_open_fd(a, fd, READ_BLOCK);
    if (r != ARCHIVE_OK) {
        /* e.g. a compressed file damaged at its very start */
        const char *es = archive_error_string(a);
        g_autofree char *msg = g_strdup_printf("cannot read: %s", es ? es : "cannot open");
        note_stream(rc, name, msg);
        return;
    }
    rc->top = a;
    read_archive(rc, a, name, 0);
    rc->top = NULL;
}

gboolean
input_read_path(const char *path, const InputOptions *options, const InputSink *sink,
                guint32 *next_id, GError **error)
{
    (void)error; /* every problem with the file itself is reported as a stream with a note */
    ReadContext rc = {.options = options, .sink = sink, .next_id = next_id};
    if (strcmp(path, "-") == 0) {
        rc.file_mtime = g_get_real_time();
        if (sink->path_begin)
            sink->path_begin(path, 0, sink->data);
        /* standard input redirected from a file can be read from its start again */
        struct stat st;
        gboolean seekable = fstat(0, &st) == 0 && S_ISREG(st.st_mode) && lseek(0, 0, SEEK_CUR) == 0;
        read_descriptor(&rc, 0, NULL, "stdin", seekable);
        return TRUE;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) != 0) {
        close(fd);
        fd = -1;
    }
    if (fd < 0) {
        /* gone since the inputs were listed, or unreadable: reported on the Inputs sheet */
        g_autofree char *msg = g_strdup_printf("cannot read: %s", g_strerror(errno));
        if (sink->path_begin)
            sink->path_begin(path, 0, sink->data);
        note_stream(&rc, path, msg);
        return TRUE;
    }
    rc.file_mtime = (gint64)st.st_mtime * G_USEC_PER_SEC;
    if (sink->path_begin)
        sink->path_begin(path, S_ISREG(st.st_mode) ? (guint64)st.st_size : 0, sink->data);
    /* a pipe or a device cannot be opened a second time by libarchive */
    read_descriptor(&rc, fd, S_ISREG(st.st_mode) ? path : NULL, path, S_ISREG(st.st_mode));
    close(fd);
    return TRUE;
}

/* ---- many small files ---------------------------------------------------------------- */

/* A round of consecutive paths is shared by the reading thread and a helper, each taking the
 * next path: a plain file that fits in its head (every Maildir file) is read, sniffed and
 * parsed right there into the taker's batch; anything else (an archive, a large log, a pipe)
 * is left to the reading thread, which hands every stream to the sink in path order while the
 * helper starts on the next round. */
#define ROUND_PATHS 256
/* The first round is smaller, so that the helper starts early; rounds then double. */
#define FIRST_ROUND_PATHS 32

typedef struct {
    const char *path;
    InputStream *stream; /* parsed by a slot; NULL: read it in order */
    guint64 size;
    guint slot;
    guint ev_from, ev_to;
} PathJob;

enum { PATH_SLOT_HELPER, PATH_SLOT_READER, N_PATH_SLOTS };

/* A thread's buffers for reading a file. */
typedef struct {
    GByteArray *head;
    char *buf;
} PathScratch;

/* What one thread parses a round's files into. */
typedef struct {
    EventBatch *batch;
    PathScratch *scratch;
    PathJob *job; /* the job being parsed */
} PathSlot;

typedef struct {
    const InputOptions *options;
    PathJob *jobs;
    guint n;
    gint next; /* atomic: the next job to take */
    PathSlot slots[N_PATH_SLOTS];
} PathRound;

static EventBatch *
slot_begin(InputStream *stream, gpointer data)
{
    (void)stream;
    PathSlot *sl = data;
    return sl->batch;
}

static void
slot_end(InputStream *stream, EventBatch *batch, gpointer data)
{
    (void)batch;
    PathSlot *sl = data;
    sl->job->stream = stream;
}

/* Parses job's file if it is a small plain file; else leaves it for the reading thread. */
static void
path_job_run(const InputOptions *options, PathSlot *sl, PathJob *job)
{
    int fd = open(job->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return;
    }
    GByteArray *head = sl->scratch->head;
    BlockSource src = {.fd = fd, .buf = sl->scratch->buf, .size = st.st_size};
    g_byte_array_set_size(head, 0);
    gboolean eof;
    char *head_error = NULL;
    gboolean ok = read_head(&src, head, &eof, &head_error);
    if (!ok || !eof || looks_like_archive(head->data, head->len)) {
        g_free(head_error);
        close(fd);
        return;
    }
    /* the same as input_read_path() would do, into this slot */
    InputSink sink = {.stream_begin = slot_begin, .stream_end = slot_end, .data = sl};
    guint32 id = 0; /* the real one is given in order */
    ReadContext rc = {.options = options,
                      .sink = &sink,
                      .next_id = &id,
                      .file_mtime = (gint64)st.st_mtime * G_USEC_PER_SEC};
    sl->job = job;
    job->ev_from = event_batch_len(sl->batch);
    if (head->len == 0)
        empty_stream(&rc, job->path);
    else
        process_stream(&rc, &src, job->path, rc.file_mtime, head, TRUE, NULL);
    job->ev_to = event_batch_len(sl->batch);
    job->size = (guint64)st.st_size;
    close(fd);
}

static void
path_round_work(PathRound *r, guint k)
{
    for (;;) {
        guint i = (guint)g_atomic_int_add(&r->next, 1);
        if (i >= r->n)
            return;
        r->jobs[i].slot = k;
        path_job_run(r->options, &r->slots[k], &r->jobs[i]);
    }
}

/* The helper thread: rounds come on todo and go back on done once it has no path left to
 * take; the address of path_helper_stop ends it. */
typedef struct {
    GAsyncQueue *todo, *done;
} PathHelper;

static char path_helper_stop;

static gpointer
path_helper_run(gpointer data)
{
    PathHelper *h = data;
    for (;;) {
        gpointer r = g_async_queue_pop(h->todo);
        if (r == &path_helper_stop)
            return NULL;
        path_round_work(r, PATH_SLOT_HELPER);
        g_async_queue_push(h->done, r);
    }
}

/* Hands a parsed file's stream and events to the sink, as input_read_path() would have. */
static void
path_job_deliver(PathRound *r, PathJob *job, const InputSink *sink, guint32 *next_id)
{
    InputStream *s = job->stream;
    s->id = (*next_id)++;
    if (sink->path_begin)
        sink->path_begin(job->path, job->size, sink->data);
    EventBatch *batch = sink->stream_begin(s, sink->data);
    EventBatch *from = r->slots[job->slot].batch;
    for (guint e = job->ev_from; e < job->ev_to; e++)
        event_batch_add_copy(batch, event_batch_get(from, e), s->id);
    if (sink->stream_progress && s->stats->bytes > 0)
        batch = sink->stream_progress(s, batch, job->size, sink->data);
    sink->stream_end(s, batch, sink->data);
}

/* Makes paths[start, start + size) the round's jobs and hands it to the helper. */
static void
path_round_start(PathRound *r, PathHelper *h, const char *const *paths, guint start, guint n,
                 guint size)
{
    r->n = MIN(n - start, size);
    r->next = 0;
    memset(r->jobs, 0, r->n * sizeof *r->jobs);
    for (guint i = 0; i < r->n; i++)
        r->jobs[i].path = paths[start + i];
    g_async_queue_push(h->todo, r);
}

gboolean
input_read_paths(const char *const *paths, guint n, const InputOptions *options,
                 const InputSink *sink, guint32 *next_id, GError **error)
{
    if (n < 2) {
        for (guint i = 0; i < n; i++)
            if (!input_read_path(paths[i], options, sink, next_id, error))
                return FALSE;
        return TRUE;
    }
    PathScratch scratch[N_PATH_SLOTS];
    PathRound rounds[2];
    for (guint k = 0; k < N_PATH_SLOTS; k++) {
        scratch[k].head = g_byte_array_sized_new(INPUT_HEAD_SIZE);
        scratch[k].buf = g_malloc(READ_BLOCK);
    }
    for (guint j = 0; j < 2; j++) {
        rounds[j] = (PathRound){.options = options, .jobs = g_new0(PathJob, ROUND_PATHS)};
        for (guint k = 0; k < N_PATH_SLOTS; k++)
            rounds[j].slots[k] = (PathSlot){.batch = event_batch_new(), .scratch = &scratch[k]};
    }
    PathHelper h = {g_async_queue_new(), g_async_queue_new()};
    GThread *helper = g_thread_new("paths", path_helper_run, &h);
    /* round cur is parsed, then handed over while the helper starts on the next */
    PathRound *cur = &rounds[0], *next = &rounds[1];
    guint size = FIRST_ROUND_PATHS;
    path_round_start(cur, &h, paths, 0, n, size);
    guint start = cur->n;
    path_round_work(cur, PATH_SLOT_READER);
    g_async_queue_pop(h.done);
    gboolean ok = TRUE;
    for (;;) {
        gboolean more = start < n && ok;
        if (more) {
            size = MIN(size * 2, ROUND_PATHS);
            path_round_start(next, &h, paths, start, n, size);
            start += next->n;
        }
        for (guint i = 0; i < cur->n; i++) {
            PathJob *job = &cur->jobs[i];
            if (job->stream)
                path_job_deliver(cur, job, sink, next_id);
            else if (ok && !input_read_path(job->path, options, sink, next_id, error))
                ok = FALSE;
        }
        for (guint k = 0; k < N_PATH_SLOTS; k++)
            event_batch_clear(cur->slots[k].batch);
        if (!more)
            break;
        path_round_work(next, PATH_SLOT_READER);
        g_async_queue_pop(h.done);
        PathRound *t = cur;
        cur = next;
        next = t;
    }
    g_async_queue_push(h.todo, &path_helper_stop);
    g_thread_join(helper);
    g_async_queue_unref(h.todo);
    g_async_queue_unref(h.done);
    /* every parsed stream was handed over (an error only stops reading paths in order) */
    for (guint j = 0; j < 2; j++) {
        for (guint k = 0; k < N_PATH_SLOTS; k++)
            event_batch_free(rounds[j].slots[k].batch);
        g_free(rounds[j].jobs);
    }
    for (guint k = 0; k < N_PATH_SLOTS; k++) {
        g_byte_array_unref(scratch[k].head);
        g_free(scratch[k].buf);
    }
    return ok;
}
