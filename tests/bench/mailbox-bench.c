/* Driver for the mailbox parsers: runs the sniffed (or given) parser over each file as one
 * stream, fed in 64 KiB blocks as the input layer does, and prints items, events and the rate.
 * With -v every event is printed (one line each), with -n N the files are read N times.
 *
 *   mailbox-bench [-f mbox|eml] [-n N] [-v] FILE...
 *
 * The benchmark script (mailbox-vs-sisimai.sh) uses it until the CLI exists. */
#include <stdio.h>
#include <string.h>

#include "parser.h"

static void
print_event(const Event *e)
{
    printf("item=%u kind=%s detail=%s rcpt=%s status=%s code=%u relay=%s mid=%s verp=%s "
           "hint=%s diag=%s\n",
           e->item, event_kind_to_string(e->kind), e->detail ? e->detail : "-",
           e->recipient ? e->recipient : "-", e->enhanced ? e->enhanced : "-", e->reply_code,
           e->relay ? e->relay : "-", e->message_id ? e->message_id : "-", e->verp ? e->verp : "-",
           e->cause_hint ? e->cause_hint : "-", e->diagnostic ? e->diagnostic : "-");
}

int
main(int argc, char **argv)
{
    const char *format = NULL;
    gboolean verbose = FALSE;
    int rounds = 1;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-f") == 0 && i + 1 < argc)
            format = argv[++i];
        else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "-v") == 0)
            verbose = TRUE;
        else {
            fprintf(stderr, "usage: %s [-f mbox|eml] [-n N] [-v] FILE...\n", argv[0]);
            return 2;
        }
    }
    ParserOptions options = {.year = 0, .tz = g_time_zone_new_utc(), .reference = 0};
    guint64 items = 0, events = 0, bytes = 0, unrec = 0, bounces = 0, other = 0, notes = 0;
    gint64 t0 = g_get_monotonic_time();
    for (int r = 0; r < rounds; r++) {
        for (int k = i; k < argc; k++) {
            /* read in blocks, as the input layer does: memory must not grow with the file */
            FILE *fp = fopen(argv[k], "rb");
            if (fp == NULL) {
                fprintf(stderr, "%s: cannot read\n", argv[k]);
                continue;
            }
            static char block[65536];
            gsize len = fread(block, 1, sizeof block, fp);
            const ParserClass *klass = format ? parser_registry_find(format)
                                              : parser_registry_sniff(block, MIN(len, 4096), NULL);
            if (klass == NULL)
                klass = parser_registry_find("eml");
            EventBatch *batch = event_batch_new();
            InputStats *stats = input_stats_new();
            ParserContext ctx = {
                .input = 1, .name = argv[k], .batch = batch, .stats = stats, .options = &options};
            gpointer self = klass->new (&ctx);
            for (gsize n = len; n > 0; n = fread(block, 1, sizeof block, fp)) {
                klass->feed_block(self, block, n);
                /* the correlator would take the events here: keep memory flat */
                if (!verbose && event_batch_len(batch) > 4096)
                    event_batch_clear(batch);
            }
            fclose(fp);
            klass->finish(self, NULL);
            klass->free(self);
            if (verbose && r == 0) {
                for (guint e = 0; e < event_batch_len(batch); e++)
                    print_event(event_batch_get(batch, e));
                for (guint e = 0; e < stats->examples->len; e++)
                    printf("unrecognised: %s\n", (char *)stats->examples->pdata[e]);
                for (guint e = 0; e < stats->notes->len; e++)
                    printf("note: %s\n", (char *)stats->notes->pdata[e]);
            }
            items += stats->items;
            events += stats->events;
            bytes += stats->bytes;
            unrec += stats->items_unrecognised;
            bounces += stats->items_bounce;
            other += stats->items_other;
            notes += stats->notes->len;
            input_stats_free(stats);
            event_batch_free(batch);
        }
    }
    double secs = (double)(g_get_monotonic_time() - t0) / 1e6;
    fprintf(stderr,
            "items %" G_GUINT64_FORMAT " (bounces %" G_GUINT64_FORMAT ", other %" G_GUINT64_FORMAT
            ", unrecognised %" G_GUINT64_FORMAT "), events %" G_GUINT64_FORMAT
            ", notes %" G_GUINT64_FORMAT ", %.1f MB in %.3f s: %.0f items/s, %.1f MB/s\n",
            items, bounces, other, unrec, events, notes, (double)bytes / 1e6, secs,
            secs > 0 ? (double)items / secs : 0.0, secs > 0 ? (double)bytes / 1e6 / secs : 0.0);
    g_time_zone_unref(options.tz);
    return 0;
}
