/* See harness.h. Mirrors what the input layer does for line parsers, without files. */
#include "harness.h"

#include <string.h>

#include "input.h"

Harness *
harness_run(const ParserClass *klass, const char *text, gsize len, int year)
{
    Harness *h = g_new0(Harness, 1);
    h->batch = event_batch_new();
    h->stats = input_stats_new();
    h->options.year = year;
    h->options.tz = g_time_zone_new_utc();
    h->options.reference = g_get_real_time();
    ParserContext ctx = {
        .input = 1, .name = "test", .batch = h->batch, .stats = h->stats, .options = &h->options};
    gpointer self = klass->new(&ctx);
    if (klass->feed_block) {
        /* feed in odd-sized pieces to exercise block boundaries */
        for (gsize off = 0; off < len;) {
            gsize n = MIN((gsize)4093, len - off);
            klass->feed_block(self, text + off, n);
            off += n;
        }
    } else {
        /* the input layer's own line splitting, so tests see what real runs see */
        InputLines *lines = input_lines_new(klass, self, &ctx);
        for (gsize off = 0; off < len;) {
            gsize n = MIN((gsize)65521, len - off);
            input_lines_feed(lines, text + off, n);
            off += n;
        }
        input_lines_finish(lines);
        input_lines_free(lines);
    }
    g_autoptr(GError) error = NULL;
    if (!klass->finish(self, &error))
        g_debug("finish: %s", error->message);
    klass->free(self);
    return h;
}

char *
harness_source_path(const char *relative)
{
    const char *root = g_getenv("MAILTRAIL_SOURCE_ROOT");
    return g_build_filename(root ? root : ".", relative, NULL);
}

Harness *
harness_run_file(const ParserClass *klass, const char *path, int year)
{
    g_autofree char *full = harness_source_path(path);
    g_autofree char *text = NULL;
    gsize len = 0;
    g_autoptr(GError) error = NULL;
    if (!g_file_get_contents(full, &text, &len, &error))
        g_error("%s", error->message);
    return harness_run(klass, text, len, year);
}

void
harness_free(Harness *h)
{
    if (h == NULL)
        return;
    event_batch_free(h->batch);
    input_stats_free(h->stats);
    g_time_zone_unref(h->options.tz);
    g_free(h);
}

guint
harness_count(Harness *h, EventKind kind)
{
    guint n = 0;
    for (guint i = 0; i < event_batch_len(h->batch); i++)
        if (event_batch_get(h->batch, i)->kind == kind)
            n++;
    return n;
}

const Event *
harness_nth(Harness *h, EventKind kind, guint n)
{
    for (guint i = 0; i < event_batch_len(h->batch); i++) {
        const Event *e = event_batch_get(h->batch, i);
        if (e->kind == kind && n-- == 0)
            return e;
    }
    return NULL;
}
