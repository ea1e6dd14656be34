/* The syslog line prefix shared by Postfix, Sendmail and OpenSMTPD logs: classic
 * "Mon dd HH:MM:SS host prog[pid]: msg" (with year inference) and RFC 3339
 * "2026-11-28T10:01:02.123456+01:00 host prog[pid]: msg". */
#pragma once

#include "parser.h"

typedef struct {
    gint64 time;    /* µs UTC */
    char *host;     /* NUL-terminated, inside the line */
    char *program;  /* "postfix-out/smtp", NUL-terminated */
    char *pid;      /* NULL when the line has none */
    char *message;  /* the rest after "prog[pid]: " */
    gsize message_len;
} SyslogLine;

/* Year inference for classic timestamps, one per stream. */
typedef struct {
    const ParserOptions *options;
    int year;       /* year of the last classic line */
    int last_month; /* 0 before the first classic line */
    gint64 hour_key; /* cache of local hour -> UTC µs */
    gint64 hour_utc;
} SyslogClock;

void syslog_clock_init(SyslogClock *clock, const ParserOptions *options);
/* Splits line in place. FALSE if it has no syslog prefix. */
gboolean syslog_parse(SyslogClock *clock, char *line, gsize len, SyslogLine *out);
/* For probes: does this line start with a syslog prefix? Sets the program name (not
 * NUL-terminated) when it does. */
gboolean syslog_peek(const char *line, gsize len, const char **program, gsize *program_len);
/* Calls fn on each complete line of a probe head; stops when fn returns FALSE. */
void syslog_head_foreach_line(const char *head, gsize len,
                              gboolean (*fn)(const char *line, gsize len, gpointer data),
                              gpointer data);
