/* Shared parser plumbing: emitting events and counting lines, items and examples. */
#include "parser.h"

#include <stdarg.h>

/* Longest piece of an unrecognised line kept as an example. */
#define EXAMPLE_MAX 300

InputStats *
input_stats_new(void)
{
    InputStats *s = g_new0(InputStats, 1);
    s->examples = g_ptr_array_new_with_free_func(g_free);
    s->notes = g_ptr_array_new_with_free_func(g_free);
    return s;
}

void
input_stats_free(InputStats *stats)
{
    if (stats == NULL)
        return;
    g_ptr_array_unref(stats->examples);
    g_ptr_array_unref(stats->notes);
    g_free(stats);
}

void
input_stats_example(InputStats *stats, const char *what, guint64 number, const char *text,
                    gsize len)
{
    if (stats->examples->len >= INPUT_STATS_MAX_EXAMPLES)
        return;
    gsize n = MIN(len, EXAMPLE_MAX);
    g_autofree char *valid = g_utf8_make_valid(text, (gssize)n);
    for (char *p = valid; *p; p++)
        if ((guchar)*p < 0x20)
            *p = ' ';
    g_ptr_array_add(stats->examples,
                    g_strdup_printf("%s %" G_GUINT64_FORMAT ": %s%s", what, number, valid,
                                    len > n ? "…" : ""));
}

void
parser_context_emit(ParserContext *ctx, Event *ev)
{
    ev->input = ctx->input;
    InputStats *s = ctx->stats;
    s->events++;
    if (ev->time != 0) {
        if (s->first_time == 0 || ev->time < s->first_time)
            s->first_time = ev->time;
        if (ev->time > s->last_time)
            s->last_time = ev->time;
    }
    event_batch_add(ctx->batch, ev);
}

gboolean
parser_finish_nothing(gpointer self, GError **error)
{
    (void)self;
    (void)error;
    return TRUE;
}

void
parser_context_count(ParserContext *ctx, const char *what, guint64 number, LineResult result,
                     const char *text, gsize len)
{
    InputStats *s = ctx->stats;
    gboolean item = what[0] == 'i'; /* "item" or "line": called for every line */
    if (item) {
        s->items++;
        if (result == LINE_UNRECOGNISED)
            s->items_unrecognised++;
    } else {
        s->lines++;
        switch (result) {
        case LINE_USED:
            s->lines_used++;
            break;
        case LINE_SKIPPED:
            s->lines_skipped++;
            break;
        case LINE_UNRECOGNISED:
            s->lines_unrecognised++;
            break;
        }
    }
    if (result == LINE_UNRECOGNISED && text != NULL)
        input_stats_example(s, what, number, text, len);
}

void
parser_context_note(ParserContext *ctx, const char *format, ...)
{
    InputStats *s = ctx->stats;
    if (s->notes->len >= INPUT_STATS_MAX_NOTES) {
        s->notes_dropped++;
        return;
    }
    va_list ap;
    va_start(ap, format);
    g_ptr_array_add(s->notes, g_strdup_vprintf(format, ap));
    va_end(ap);
}
