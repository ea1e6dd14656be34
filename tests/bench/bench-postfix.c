/* The Postfix parser alone over a log file: lines/s and MB/s without the input layer, the
 * correlator or the reports. `bench-postfix FILE` times it; `bench-postfix --dump FILE` prints
 * every event (one per line) and the line counts, for looking at what the parser makes of a log.
 * The file is read in large blocks and split in place; the batch is drained every 64k events.
 * Besides wall time it reports CPU time (user + sys of the whole run, reading included), which
 * is what the parser costs when other work shares the machine. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "parser.h"
#include "timeutil.h"

extern const ParserClass postfix_parser_class;

static double
cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

#define BLOCK (16 * 1024 * 1024)

static void
dump_batch(EventBatch *batch)
{
    for (guint i = 0; i < event_batch_len(batch); i++) {
        const Event *e = event_batch_get(batch, i);
        char t[32];
        time_format(e->time, t, sizeof t);
        printf(
            "%" G_GUINT64_FORMAT "\t%s\t%s\t%s\tqid=%s\trel=%s\trcpt=%s\torig=%s\tfrom=%s"
            "\tmsgid=%s\trelay=%s[%s]\tcode=%u\tdsn=%s\tflags=%u\tdetail=%s\tsize=%" G_GINT64_FORMAT
            "\tnrcpt=%u\tdelay=%g\tdiag=%s\n",
            e->line, t, event_kind_to_string(e->kind), e->host, e->queue_id, e->related_id,
            e->recipient, e->orig_recipient, e->sender, e->message_id, e->relay, e->relay_ip,
            e->reply_code, e->enhanced, e->attempt_flags, e->detail, e->size, e->nrcpt, e->delay,
            e->diagnostic);
    }
}

int
main(int argc, char **argv)
{
    gboolean dump = argc == 3 && strcmp(argv[1], "--dump") == 0;
    if (argc != 2 && !dump) {
        fprintf(stderr, "usage: %s [--dump] FILE\n", argv[0]);
        return 2;
    }
    int fd = open(argv[argc - 1], O_RDONLY);
    if (fd < 0) {
        perror(argv[argc - 1]);
        return 1;
    }
    g_autoptr(EventBatch) batch = event_batch_new();
    InputStats *stats = input_stats_new();
    ParserOptions options = {.year = 2026, .tz = g_time_zone_new_utc(), .reference = 0};
    ParserContext ctx = {
        .input = 1, .name = argv[argc - 1], .batch = batch, .stats = stats, .options = &options};
    const ParserClass *k = &postfix_parser_class;
    gpointer parser = k->new (&ctx);

    char *buf = g_malloc(BLOCK + 1);
    gsize have = 0;
    guint64 lineno = 0, bytes = 0, events = 0;
    guint64 counts[3] = {0};
    gint64 busy = 0;
    double cpu0 = cpu_seconds();
    for (;;) {
        ssize_t n = read(fd, buf + have, BLOCK - have);
        if (n < 0) {
            perror("read");
            return 1;
        }
        gsize len = have + (gsize)n;
        bytes += (guint64)n;
        gint64 t0 = g_get_monotonic_time();
        char *p = buf, *end = buf + len;
        for (;;) {
            char *nl = memchr(p, '\n', (gsize)(end - p));
            if (nl == NULL) {
                if (n == 0 && p < end) { /* last line without terminator */
                    *end = '\0';
                    counts[k->feed_line(parser, p, (gsize)(end - p), ++lineno)]++;
                    p = end;
                }
                break;
            }
            *nl = '\0';
            gsize ln = (gsize)(nl - p);
            if (ln > 0 && p[ln - 1] == '\r')
                p[--ln] = '\0';
            counts[k->feed_line(parser, p, ln, ++lineno)]++;
            p = nl + 1;
        }
        if (event_batch_len(batch) > 65536 || n == 0) {
            events += event_batch_len(batch);
            if (dump)
                dump_batch(batch);
            event_batch_clear(batch);
        }
        busy += g_get_monotonic_time() - t0;
        have = (gsize)(end - p);
        memmove(buf, p, have);
        if (n == 0)
            break;
        if (have == BLOCK) { /* a line longer than the block: drop it */
            counts[LINE_UNRECOGNISED]++;
            have = 0;
        }
    }
    k->finish(parser, NULL);
    k->free(parser);
    double s = (double)busy / 1e6, cpu = cpu_seconds() - cpu0;
    fprintf(dump ? stderr : stdout,
            "lines %" G_GUINT64_FORMAT " (used %" G_GUINT64_FORMAT ", skipped %" G_GUINT64_FORMAT
            ", unrecognised %" G_GUINT64_FORMAT "), events %" G_GUINT64_FORMAT ", %.1f MB\n"
            "parser, wall time: %.3f s, %.0f lines/s, %.1f MB/s\n"
            "parser, CPU time (reading included): %.3f s, %.0f lines/s, %.1f MB/s\n",
            lineno, counts[0], counts[1], counts[2], events, (double)bytes / 1e6, s,
            (double)lineno / s, (double)bytes / 1e6 / s, cpu, (double)lineno / cpu,
            (double)bytes / 1e6 / cpu);
    g_free(buf);
    close(fd);
    input_stats_free(stats);
    g_time_zone_unref(options.tz);
    return 0;
}
