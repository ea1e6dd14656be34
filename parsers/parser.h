/* The parser interface. An input format is one file that defines one ParserClass and gets one
 * line in registry.c. A parser instance reads one stream and adds Events to ctx->batch; it keeps
 * no global state, so streams can be parsed side by side. */
#pragma once

#include <glib.h>

#include "event.h"

/* What became of one input line (line parsers) or mailbox item (mailbox parsers). */
typedef enum {
    LINE_USED = 0,      /* understood (whether or not it produced an event) */
    LINE_SKIPPED,       /* not for this parser and not an error: another program's syslog
                           line, a blank line, a comment */
    LINE_UNRECOGNISED,  /* looks like this format but could not be understood */
} LineResult;

/* Per-stream counters; every line and mailbox item ends up in exactly one of them. */
typedef struct {
    guint64 lines; /* lines read */
    guint64 lines_used;
    guint64 lines_skipped;
    guint64 lines_unrecognised;
    guint64 items; /* mailbox items read */
    guint64 items_bounce;   /* DSNs and non-standard bounces (incl. delay notices) */
    guint64 items_other;    /* other received: auto-replies, complaints, human ... */
    guint64 items_unrecognised; /* could not be parsed at all */
    guint64 events;
    guint64 errors; /* read errors, corrupt data, unknown format: the run exits with 1 */
    guint64 bytes;
    gint64 first_time, last_time; /* µs UTC of the first and last event, 0 = none */
    GPtrArray *examples; /* char*: "line N: text" of the first unrecognised lines/items */
    GPtrArray *notes;    /* char*: warnings and errors (truncated lines, corrupt archive ...) */
    guint64 notes_dropped;
} InputStats;

#define INPUT_STATS_MAX_EXAMPLES 5
#define INPUT_STATS_MAX_NOTES 20

/* Options every parser may read. */
typedef struct {
    int year;          /* --year: year of the first classic syslog line, 0 = infer */
    GTimeZone *tz;     /* zone of timestamps that carry none (--timezone) */
    gint64 reference;  /* µs UTC: no event should be later than this (file mtime / now) */
} ParserOptions;

typedef struct {
    guint32 input;       /* stream id, copied into every Event */
    const char *name;    /* stream name for messages: "mail.log.2.gz" or "bounces.tar:cur/1" */
    EventBatch *batch;   /* add events here */
    InputStats *stats;
    const ParserOptions *options;
} ParserContext;

typedef struct {
    const char *name;        /* --format value: "postfix" */
    const char *description; /* one line for --help */
    /* Scores the first bytes of a stream, 0 (not this format) to 100 (certainly this format).
     * head is not NUL-terminated and may end mid-line. */
    guint (*probe)(const char *head, gsize len);
    gpointer (*new)(ParserContext *ctx);
    /* Line parsers: one line without its terminator, NUL-terminated, writable (the parser may
     * cut it into tokens in place). lineno is 1-based. The input layer counts the result. */
    LineResult (*feed_line)(gpointer self, char *line, gsize len, guint64 lineno);
    /* Block parsers (mailboxes): raw bytes as read; the parser counts lines/items itself with
     * parser_context_count(). Exactly one of feed_line and feed_block is set. */
    void (*feed_block)(gpointer self, const char *data, gsize len);
    /* End of stream. Returns FALSE with error only for what must stop the run. */
    gboolean (*finish)(gpointer self, GError **error);
    void (*free)(gpointer self);
    /* Line parsers: blank lines are counted as skipped without calling feed_line, unless this
     * is set (a blank line can be data inside a quoted CSV field). */
    gboolean keep_blank_lines;
    /* The probe scores 0 unless a complete line of the head has a syslog prefix (syslog_peek):
     * the registry looks for one once and skips such probes without it (mail, JSON, CSV). */
    gboolean probe_needs_syslog;
} ParserClass;

/* The registry (registry.c): every parser, in probe order. */
const ParserClass *const *parser_registry(void);
const ParserClass *parser_registry_find(const char *name);
/* Best-scoring parser for a stream's head, or NULL if every score is 0. */
const ParserClass *parser_registry_sniff(const char *head, gsize len, guint *score);

/* Adds an event (stamps ctx->input and updates the time range and event count). */
void parser_context_emit(ParserContext *ctx, Event *ev);
/* The finish of a parser that keeps nothing back to the end of the stream (returns TRUE). */
gboolean parser_finish_nothing(gpointer self, GError **error);
/* For block parsers: counts one line or item; for LINE_UNRECOGNISED keeps the first few as
 * examples ("line N: text" or "item N: text"). what is "line" or "item". */
void parser_context_count(ParserContext *ctx, const char *what, guint64 number, LineResult result,
                          const char *text, gsize len);
/* Records a warning that the report shows on the Inputs sheet (bounded). */
void parser_context_note(ParserContext *ctx, const char *format, ...) G_GNUC_PRINTF(2, 3);

InputStats *input_stats_new(void);
void input_stats_free(InputStats *stats);
/* Adds an example, keeping at most INPUT_STATS_MAX_EXAMPLES. */
void input_stats_example(InputStats *stats, const char *what, guint64 number, const char *text,
                         gsize len);
