/* Runs one line parser over a file the way the input layer does (read in 16 MB blocks, lines
 * cut in place, the batch handed on every few thousand events) and prints lines/s and MB/s per
 * CPU second, reading included; with --dump it prints every event instead (a debugging aid).
 *   parser-bench FORMAT FILE [--dump] [--repeat N] */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "parser.h"
#include "timeutil.h"

#define BENCH_BLOCK (16 * 1024 * 1024)

static void
dump_event(const Event *e)
{
    char when[32];
    time_format(e->time, when, sizeof when);
    printf("%" G_GUINT64_FORMAT " %s %s", e->line, when, event_kind_to_string(e->kind));
#define F(name)                                                                                    \
    if (e->name)                                                                                   \
        printf(" " #name "=[%s]", e->name);
    F(host)
    F(queue_id)
    F(related_id)
    F(message_id)
    F(sender)
    F(recipient)
    F(orig_recipient)
    F(relay)
    F(relay_ip)
    F(enhanced)
    F(detail)
    F(subject)
    F(diagnostic)
#undef F
    if (e->reply_code)
        printf(" code=%u", e->reply_code);
    if (e->step)
        printf(" step=%s", step_to_string(e->step));
    if (e->attempt_flags)
        printf(" flags=%u", e->attempt_flags);
    if (e->size >= 0)
        printf(" size=%" G_GINT64_FORMAT, e->size);
    if (e->nrcpt)
        printf(" nrcpt=%u", e->nrcpt);
    if (e->delay >= 0)
        printf(" delay=%.0f", e->delay);
    printf("\n");
}

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s FORMAT FILE [--dump] [--repeat N]\n", argv[0]);
        return 2;
    }
    const ParserClass *klass = parser_registry_find(argv[1]);
    if (klass == NULL || klass->feed_line == NULL) {
        fprintf(stderr, "no line parser named %s\n", argv[1]);
        return 2;
    }
    gboolean dump = FALSE;
    int repeat = 1;
    for (int i = 3; i < argc; i++) {
        if (g_str_equal(argv[i], "--dump"))
            dump = TRUE;
        else if (g_str_equal(argv[i], "--repeat") && i + 1 < argc)
            repeat = (int)g_ascii_strtoll(argv[++i], NULL, 10);
    }
    ParserOptions options = {.year = 0, .tz = g_time_zone_new_utc(), .reference = 0};
    guint64 lines = 0, events = 0, bytes = 0;
    InputStats *stats = input_stats_new();
    char *buf = g_malloc(BENCH_BLOCK + 1);
    struct rusage ru0;
    getrusage(RUSAGE_SELF, &ru0);
    double cpu0 = (double)ru0.ru_utime.tv_sec + (double)ru0.ru_utime.tv_usec / 1e6 +
                  (double)ru0.ru_stime.tv_sec + (double)ru0.ru_stime.tv_usec / 1e6;
    gint64 start = g_get_monotonic_time();
    for (int r = 0; r < repeat; r++) {
        int fd = open(argv[2], O_RDONLY);
        if (fd < 0) {
            perror(argv[2]);
            return 1;
        }
        EventBatch *batch = event_batch_new();
        ParserContext ctx = {
            .input = 1, .name = argv[2], .batch = batch, .stats = stats, .options = &options};
        gpointer self = klass->new (&ctx);
        guint64 lineno = 0;
        gsize have = 0; /* bytes of an unfinished line at the start of buf */
        for (;;) {
            ssize_t got = read(fd, buf + have, BENCH_BLOCK - have);
            if (got < 0) {
                perror(argv[2]);
                return 1;
            }
            gsize len = have + (gsize)got;
            bytes += (gsize)got;
            if (len == 0)
                break;
            char *p = buf, *end = buf + len;
            while (p < end) {
                char *nl = memchr(p, '\n', (gsize)(end - p));
                if (nl == NULL && got > 0 && p > buf)
                    break; /* finish this line with the next block */
                char *e = nl ? nl : end;
                gsize n = (gsize)(e - p);
                *e = '\0';
                if (n > 0 && p[n - 1] == '\r')
                    p[--n] = '\0';
                lineno++;
                LineResult res = klass->feed_line(self, p, n, lineno);
                parser_context_count(&ctx, "line", lineno, res, NULL, 0);
                if (dump && res == LINE_UNRECOGNISED)
                    printf("%" G_GUINT64_FORMAT " UNRECOGNISED\n", lineno);
                if (event_batch_len(batch) >= 4096 || dump) {
                    for (guint i = 0; dump && i < event_batch_len(batch); i++)
                        dump_event(event_batch_get(batch, i));
                    events += event_batch_len(batch);
                    event_batch_clear(batch);
                }
                p = e + 1;
            }
            have = p < end ? (gsize)(end - p) : 0;
            memmove(buf, p, have);
            if (got == 0 && have == 0)
                break;
        }
        close(fd);
        klass->finish(self, NULL);
        klass->free(self);
        events += event_batch_len(batch);
        event_batch_free(batch);
        lines += lineno;
    }
    double secs = (double)(g_get_monotonic_time() - start) / 1e6;
    /* CPU time as well: wall-clock time is unreliable on a shared machine */
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6 - cpu0;
    if (!dump)
        printf("%s: %" G_GUINT64_FORMAT " lines, %" G_GUINT64_FORMAT
               " events; wall %.3f s, cpu %.3f s; %.0f lines/s, %.1f MB/s (per cpu second)\n",
               argv[1], lines, events, secs, cpu, (double)lines / cpu, (double)bytes / cpu / 1e6);
    fprintf(stderr,
            "used %" G_GUINT64_FORMAT ", skipped %" G_GUINT64_FORMAT
            ", unrecognised %" G_GUINT64_FORMAT "\n",
            stats->lines_used, stats->lines_skipped, stats->lines_unrecognised);
    input_stats_free(stats);
    g_time_zone_unref(options.tz);
    g_free(buf);
    return 0;
}
