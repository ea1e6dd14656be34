/* Date arithmetic without locale or libc time zone state (see timeutil.h). */
#include "timeutil.h"

#include <string.h>

gint64
time_days_from_civil(int y, int m, int d)
{
    /* Howard Hinnant's days_from_civil */
    y -= m <= 2;
    const gint64 era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (gint64)doe - 719468;
}

void
time_civil_from_days(gint64 z, int *y, int *m, int *d)
{
    z += 719468;
    const gint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)((gint64)yoe + era * 400 + (*m <= 2));
}

gint64
time_from_local(GTimeZone *tz, int y, int mo, int d, int h, int mi, int s)
{
    gint64 local = time_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    gint64 utc = local;
    /* two rounds find the offset in force at that moment (except inside a DST gap) */
    for (int round = 0; tz != NULL && round < 2; round++) {
        int interval = g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, utc);
        gint32 offset = interval >= 0 ? g_time_zone_get_offset(tz, interval) : 0;
        utc = local - offset;
    }
    return utc * G_USEC_PER_SEC;
}

static gboolean
digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!g_ascii_isdigit(s[i]))
            return FALSE;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return TRUE;
}

gsize
time_parse_iso8601(const char *s, gsize len, GTimeZone *tz, gint64 *out)
{
    int y, mo, d, h, mi, sec;
    if (len < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
        s[13] != ':' || s[16] != ':')
        return 0;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
        !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
        return 0;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return 0;
    gsize i = 19;
    gint64 frac = 0;
    if (i < len && (s[i] == '.' || s[i] == ',')) {
        i++;
        int nd = 0;
        while (i < len && g_ascii_isdigit(s[i])) {
            if (nd < 6) {
                frac = frac * 10 + (s[i] - '0');
                nd++;
            }
            i++;
        }
        for (; nd < 6; nd++)
            frac *= 10;
    }
    gboolean zoned = FALSE;
    gint64 offset = 0;
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
        zoned = TRUE;
        i++;
    } else if (i + 5 <= len && (s[i] == '+' || s[i] == '-')) {
        int oh, om;
        gsize j = i + 1;
        if (digits(s + j, 2, &oh)) {
            j += 2;
            if (j < len && s[j] == ':')
                j++;
            if (j + 2 <= len && digits(s + j, 2, &om)) {
                offset = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
                zoned = TRUE;
                i = j + 2;
            }
        }
    }
    if (sec == 60)
        sec = 59; /* leap second: keep it in the same minute */
    gint64 t;
    if (zoned)
        t = ((time_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) - offset) *
            G_USEC_PER_SEC;
    else
        t = time_from_local(tz, y, mo, d, h, mi, sec);
    *out = t + frac;
    return i;
}

int
time_month_from_abbrev(const char *s)
{
    /* runs once per classic syslog line: the three letters, lower-cased, as one number */
    static const guint32 months[12] = {
        0x6e616a, 0x626566, 0x72616d, 0x727061, 0x79616d, 0x6e756a, /* jan..jun */
        0x6c756a, 0x677561, 0x706573, 0x74636f, 0x766f6e, 0x636564, /* jul..dec */
    };
    if (s[0] == '\0' || s[1] == '\0')
        return 0;
    guint32 k = ((guint32)(guchar)s[0] | (guint32)(guchar)s[1] << 8 |
                 (guint32)(guchar)s[2] << 16) | 0x202020;
    for (int i = 0; i < 12; i++)
        if (months[i] == k)
            return i + 1;
    return 0;
}

gint64
time_parse_rfc5322(const char *s)
{
    if (s == NULL)
        return 0;
    /* [Day, ] DD Mon YYYY HH:MM[:SS] [zone] */
    while (*s == ' ' || *s == '\t')
        s++;
    const char *comma = strchr(s, ',');
    if (comma && comma - s <= 10)
        s = comma + 1;
    while (*s == ' ')
        s++;
    char *end;
    guint64 d = g_ascii_strtoull(s, &end, 10);
    if (end == s || d < 1 || d > 31)
        return 0;
    s = end;
    while (*s == ' ')
        s++;
    int mo = time_month_from_abbrev(s);
    if (mo == 0)
        return 0;
    s += 3;
    while (*s && *s != ' ')
        s++;
    while (*s == ' ')
        s++;
    guint64 y = g_ascii_strtoull(s, &end, 10);
    if (end == s)
        return 0;
    if (y < 50)
        y += 2000;
    else if (y < 1000)
        y += 1900;
    s = end;
    while (*s == ' ')
        s++;
    int h, mi, sec = 0;
    if (!digits(s, 2, &h) || s[2] != ':' || !digits(s + 3, 2, &mi))
        return 0;
    s += 5;
    if (*s == ':' && digits(s + 1, 2, &sec))
        s += 3;
    while (*s == ' ')
        s++;
    gint64 offset = 0;
    if ((*s == '+' || *s == '-') && g_ascii_isdigit(s[1])) {
        int oh, om;
        if (digits(s + 1, 2, &oh) && digits(s + 3, 2, &om))
            offset = (oh * 3600 + om * 60) * (*s == '-' ? -1 : 1);
    } else if (g_ascii_strncasecmp(s, "EST", 3) == 0) {
        offset = -5 * 3600;
    } else if (g_ascii_strncasecmp(s, "EDT", 3) == 0) {
        offset = -4 * 3600;
    } else if (g_ascii_strncasecmp(s, "CST", 3) == 0) {
        offset = -6 * 3600;
    } else if (g_ascii_strncasecmp(s, "CDT", 3) == 0) {
        offset = -5 * 3600;
    } else if (g_ascii_strncasecmp(s, "PST", 3) == 0) {
        offset = -8 * 3600;
    } else if (g_ascii_strncasecmp(s, "PDT", 3) == 0) {
        offset = -7 * 3600;
    } else if (g_ascii_strncasecmp(s, "JST", 3) == 0) {
        offset = 9 * 3600;
    }
    if (h > 23 || mi > 59 || sec > 60 || y > 9999)
        return 0;
    return ((time_days_from_civil((int)y, mo, (int)d) * 86400 + h * 3600 + mi * 60 + MIN(sec, 59)) -
            offset) *
           G_USEC_PER_SEC;
}

char *
time_format(gint64 t, char *buf, gsize size)
{
    if (t == 0) {
        g_strlcpy(buf, "", size);
        return buf;
    }
    gint64 secs = t / G_USEC_PER_SEC;
    if (t < 0 && t % G_USEC_PER_SEC)
        secs--;
    gint64 days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    /* Without printf: it is called for every time of every report row, and rows follow each
     * other in time, so the date of the last call is kept (per thread). */
    static _Thread_local gint64 last_days = G_MININT64;
    static _Thread_local char last_date[11];
    if (days != last_days || size < 20) {
        int y, m, d;
        time_civil_from_days(days, &y, &m, &d);
        if (y < 0 || y > 9999 || size < 20) {
            g_snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, (int)(rem / 3600),
                       (int)(rem / 60 % 60), (int)(rem % 60));
            return buf;
        }
        char *q = last_date;
        *q++ = (char)('0' + y / 1000);
        *q++ = (char)('0' + y / 100 % 10);
        *q++ = (char)('0' + y / 10 % 10);
        *q++ = (char)('0' + y % 10);
        *q++ = '-';
        *q++ = (char)('0' + m / 10);
        *q++ = (char)('0' + m % 10);
        *q++ = '-';
        *q++ = (char)('0' + d / 10);
        *q++ = (char)('0' + d % 10);
        *q++ = ' ';
        last_days = days;
    }
    int h = (int)(rem / 3600), mi = (int)(rem / 60 % 60), sec = (int)(rem % 60);
    char *p = buf;
    memcpy(p, last_date, sizeof last_date);
    p += sizeof last_date;
    *p++ = (char)('0' + h / 10);
    *p++ = (char)('0' + h % 10);
    *p++ = ':';
    *p++ = (char)('0' + mi / 10);
    *p++ = (char)('0' + mi % 10);
    *p++ = ':';
    *p++ = (char)('0' + sec / 10);
    *p++ = (char)('0' + sec % 10);
    *p = '\0';
    return buf;
}

double
time_to_excel(gint64 t)
{
    return (double)t / (86400.0 * G_USEC_PER_SEC) + 25569.0;
}
