/* See mta-reply.h. Runs on the hot path of three parsers: plain loops, no allocation. */
#include "mta-reply.h"

#include <string.h>

gsize
mta_reply_enhanced_at(const char *s, const char *end)
{
    const char *p = s;
    if (p >= end || (*p != '2' && *p != '4' && *p != '5'))
        return 0;
    p++;
    for (int part = 0; part < 2; part++) {
        if (p >= end || *p != '.')
            return 0;
        p++;
        int n = 0;
        while (p < end && g_ascii_isdigit(*p) && n < 4) {
            p++;
            n++;
        }
        if (n == 0 || n > 3)
            return 0;
    }
    if (p < end) {
        char c = *p;
        if (g_ascii_isalnum(c) || c == '-' || c == '_')
            return 0;
        /* "5.1.1." at the end of a sentence is still a code; "5.1.1.3" is not */
        if (c == '.' && p + 1 < end && p[1] != ' ')
            return 0;
    }
    return (gsize)(p - s);
}

/* A basic reply code at p: three digits, the first 2..5, then end, space or '-'. */
static guint16
reply_code_at(const char *p, const char *end)
{
    if (end - p < 3 || p[0] < '2' || p[0] > '5' || !g_ascii_isdigit(p[1]) ||
        !g_ascii_isdigit(p[2]))
        return 0;
    if (end - p > 3 && p[3] != ' ' && p[3] != '-')
        return 0;
    return (guint16)((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
}

gboolean
mta_reply_scan(const char *text, gsize len, MtaReply *out)
{
    memset(out, 0, sizeof *out);
    if (text == NULL)
        return FALSE;
    const char *p = text, *end = text + len;
    for (;;) {
        while (p < end && *p == ' ')
            p++;
        guint16 code = reply_code_at(p, end);
        if (code != 0) {
            out->code = code;
            const char *e = p + 4;
            if (e < end) {
                gsize n = mta_reply_enhanced_at(e, end);
                if (n > 0 && n < sizeof out->enhanced) {
                    memcpy(out->enhanced, e, n);
                    out->enhanced[n] = '\0';
                }
            }
            return TRUE;
        }
        const char *q = p < end ? memmem(p, (gsize)(end - p), ": ", 2) : NULL;
        if (q == NULL)
            return FALSE;
        p = q + 2;
    }
}

static inline gboolean
id_char(char c)
{
    return g_ascii_isalnum(c) || c == '-' || c == '_' || c == '.';
}

/* Copies the token [s, e) without trailing dots into out; FALSE if it is too short or long. */
static gboolean
copy_id(const char *s, const char *e, char *out, gsize size)
{
    while (e > s && e[-1] == '.')
        e--;
    gsize n = (gsize)(e - s);
    if (n < 4 || n >= size)
        return FALSE;
    memcpy(out, s, n);
    out[n] = '\0';
    return TRUE;
}

/* Case-insensitive search of an ASCII needle. */
static const char *
find_ci(const char *s, const char *end, const char *needle, gsize nlen)
{
    char first = g_ascii_tolower(needle[0]);
    for (const char *p = s; end - p >= (gssize)nlen; p++) {
        if (g_ascii_tolower(*p) != first)
            continue;
        if (g_ascii_strncasecmp(p, needle, nlen) == 0)
            return p;
    }
    return NULL;
}

gboolean
mta_reply_next_hop_id(const char *text, gsize len, char *out, gsize size)
{
    if (text == NULL || size == 0)
        return FALSE;
    const char *end = text + len;
    const char *p = find_ci(text, end, "queued as ", 10);
    if (p != NULL) {
        const char *s = p + 10, *e = s;
        while (e < end && id_char(*e))
            e++;
        if (copy_id(s, e, out, size))
            return TRUE;
    }
    for (p = text; (p = memmem(p, (gsize)(end - p), "id=", 3)) != NULL; p += 3) {
        if (p != text && p[-1] != ' ' && p[-1] != '(')
            continue;
        const char *s = p + 3, *e = s;
        while (e < end && id_char(*e))
            e++;
        if (copy_id(s, e, out, size))
            return TRUE;
    }
    p = find_ci(text, end, " message accepted", 17);
    if (p != NULL) {
        const char *e = p, *s = p;
        while (s > text && id_char(s[-1]))
            s--;
        /* not an enhanced code ("250 2.0.0 Message accepted ...") */
        if (s < e && mta_reply_enhanced_at(s, e) != (gsize)(e - s) && reply_code_at(s, e) == 0)
            return copy_id(s, e, out, size);
    }
    return FALSE;
}
