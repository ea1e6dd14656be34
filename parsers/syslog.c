/* Syslog prefix parsing (see syslog.h). Runs once per log line: no allocation. */
#include "syslog.h"

#include <string.h>

#include "timeutil.h"

void
syslog_clock_init(SyslogClock *clock, const ParserOptions *options)
{
    memset(clock, 0, sizeof *clock);
    clock->options = options;
    clock->hour_key = -1;
}

static inline gboolean
two_digits(const char *s, int *out)
{
    if (!g_ascii_isdigit(s[0]) || !g_ascii_isdigit(s[1]))
        return FALSE;
    *out = (s[0] - '0') * 10 + (s[1] - '0');
    return TRUE;
}

/* The year of the first classic line: the latest year that does not put it after the
 * reference time (the file's modification time, or now). */
static int
infer_first_year(const SyslogClock *clock, int month, int day)
{
    const ParserOptions *o = clock->options;
    if (o && o->year > 0)
        return o->year;
    gint64 ref = o && o->reference ? o->reference : g_get_real_time();
    gint64 days = ref / G_USEC_PER_SEC / 86400;
    int ry, rm, rd;
    time_civil_from_days(days, &ry, &rm, &rd);
    /* one day of slack for time zones */
    if (month > rm || (month == rm && day > rd + 1))
        return ry - 1;
    return ry;
}

/* Parses "Mon dd HH:MM:SS[.frac] " at s; returns bytes consumed or 0. */
static gsize
parse_classic(SyslogClock *clock, const char *s, gsize len, gint64 *out)
{
    if (len < 16 || s[3] != ' ')
        return 0;
    int month = time_month_from_abbrev(s);
    if (month == 0)
        return 0;
    int day, h, mi, sec;
    const char *p = s + 4;
    if (p[0] == ' ' && g_ascii_isdigit(p[1]))
        day = p[1] - '0';
    else if (!two_digits(p, &day))
        return 0;
    p += 2;
    if (*p != ' ' || !two_digits(p + 1, &h) || p[3] != ':' || !two_digits(p + 4, &mi) ||
        p[6] != ':' || !two_digits(p + 7, &sec))
        return 0;
    p += 9;
    gint64 frac = 0;
    if (p < s + len && *p == '.') {
        int nd = 0;
        for (p++; p < s + len && g_ascii_isdigit(*p); p++)
            if (nd < 6) {
                frac = frac * 10 + (*p - '0');
                nd++;
            }
        for (; nd < 6; nd++)
            frac *= 10;
    }
    if (day < 1 || day > 31 || h > 23 || mi > 59 || sec > 60)
        return 0;

    int year;
    if (clock->last_month == 0) {
        clock->year = infer_first_year(clock, month, day);
        year = clock->year;
    } else if (month < clock->last_month - 6) {
        clock->year++; /* December -> January */
        year = clock->year;
    } else if (month > clock->last_month + 6) {
        year = clock->year - 1; /* a stray line from before the turn of the year */
    } else {
        year = clock->year;
    }
    if (year == clock->year)
        clock->last_month = month;

    gint64 key = ((gint64)year * 12 + month) * 32 * 24 + day * 24 + h;
    if (key != clock->hour_key) {
        clock->hour_key = key;
        clock->hour_utc = time_from_local(clock->options ? clock->options->tz : NULL, year,
                                          month, day, h, 0, 0);
    }
    *out = clock->hour_utc + (gint64)(mi * 60 + MIN(sec, 59)) * G_USEC_PER_SEC + frac;
    return (gsize)(p - s);
}

gboolean
syslog_parse(SyslogClock *clock, char *line, gsize len, SyslogLine *out)
{
    gsize n;
    gint64 t;
    if (len > 0 && g_ascii_isdigit(line[0]))
        n = time_parse_iso8601(line, len, clock->options ? clock->options->tz : NULL, &t);
    else
        n = parse_classic(clock, line, len, &t);
    if (n == 0 || n >= len || line[n] != ' ')
        return FALSE;
    char *p = line + n + 1, *end = line + len;
    while (p < end && *p == ' ')
        p++;
    /* host */
    char *host = p;
    while (p < end && *p != ' ')
        p++;
    if (p >= end || p == host)
        return FALSE;
    *p++ = '\0';
    /* program[pid]: */
    char *prog = p;
    while (p < end && *p != '[' && *p != ':' && *p != ' ')
        p++;
    if (p >= end || p == prog)
        return FALSE;
    char *pid = NULL;
    if (*p == '[') {
        *p++ = '\0';
        pid = p;
        while (p < end && *p != ']')
            p++;
        if (p >= end)
            return FALSE;
        *p++ = '\0';
    }
    if (p >= end || *p != ':')
        return FALSE;
    *p++ = '\0';
    if (p < end && *p == ' ')
        p++;
    out->time = t;
    out->host = host;
    out->program = prog;
    out->pid = pid;
    out->message = p;
    out->message_len = (gsize)(end - p);
    return TRUE;
}

gboolean
syslog_peek(const char *line, gsize len, const char **program, gsize *program_len)
{
    /* most lines of other formats fail at the first bytes: no copy for them (the separators
     * that time_parse_iso8601() and parse_classic() require, checked first) */
    if (len < 16)
        return FALSE;
    if (g_ascii_isdigit(line[0])) {
        if (len < 19 || line[4] != '-' || line[7] != '-' || line[13] != ':' || line[16] != ':')
            return FALSE;
    } else if (line[3] != ' ' || line[6] != ' ' || line[9] != ':' || line[12] != ':' ||
               !time_month_from_abbrev(line)) {
        return FALSE;
    }
    /* parse a copy so that probes never modify their input */
    char buf[512];
    gsize n = MIN(len, sizeof buf - 1);
    memcpy(buf, line, n);
    buf[n] = '\0';
    SyslogClock clock;
    ParserOptions options = {.year = 2000};
    syslog_clock_init(&clock, &options);
    SyslogLine sl;
    if (!syslog_parse(&clock, buf, n, &sl))
        return FALSE;
    if (program) {
        *program = line + (sl.program - buf);
        *program_len = strlen(sl.program);
    }
    return TRUE;
}

void
syslog_head_foreach_line(const char *head, gsize len,
                         gboolean (*fn)(const char *line, gsize len, gpointer data),
                         gpointer data)
{
    const char *p = head, *end = head + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (gsize)(end - p));
        if (nl == NULL)
            break; /* the last, possibly cut line is not looked at */
        gsize n = (gsize)(nl - p);
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (!fn(p, n, data))
            return;
        p = nl + 1;
    }
}
