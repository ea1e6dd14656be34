/* See mta-reply.h. Runs on the hot path of three parsers: plain loops, no allocation. */
#include "mta-reply.h"
#include "text-find.h"

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
    if (end - p < 3 || p[0] < '2' || p[0] > '5' || !g_ascii_isdigit(p[1]) || !g_ascii_isdigit(p[2]))
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
        const char *q = p < end ? text_find(p, (gsize)(end - p), ": ", 2) : NULL;
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

/* The token that starts at s, as far as id characters go. */
static const char *
id_end(const char *s, const char *end)
{
    while (s < end && id_char(*s))
        s++;
    return s;
}

gboolean
mta_reply_next_hop_id(const char *text, gsize len, char *out, gsize size)
{
    if (text == NULL || size == 0)
        return FALSE;
    const char *end = text + len;
    /* the common form first: the first word "queued" (or "Queued") followed by " as " */
    const char *q = memchr(text, 'q', len), *Q = memchr(text, 'Q', len);
    for (const char *w = q && Q ? MIN(q, Q) : q ? q : Q; w != NULL;) {
        if (end - w >= 7 && memcmp(w + 1, "ueued ", 6) == 0 && (w == text || w[-1] == ' ')) {
            if (end - w >= 10 && memcmp(w + 7, "as ", 3) == 0 &&
                copy_id(w + 10, id_end(w + 10, end), out, size))
                return TRUE;
            break; /* another form, or more spaces: the full pass below */
        }
        const char *nq = memchr(w + 1, 'q', (gsize)(end - w - 1));
        const char *nQ = memchr(w + 1, 'Q', (gsize)(end - w - 1));
        w = nq && nQ ? MIN(nq, nQ) : nq ? nq : nQ;
    }
    /* one pass over the words: "queued as X", "id=X", "X Message accepted" */
    const char *queued = NULL, *id = NULL, *accepted = NULL;
    const char *prev = NULL, *prev_end = NULL; /* the word before */
    for (const char *w = text; w < end;) {
        const char *sp = memchr(w, ' ', (gsize)(end - w));
        const char *we = sp ? sp : end;
        gsize n = (gsize)(we - w);
        if (n == 2 && w[0] == 'a' && w[1] == 's' && prev != NULL && prev_end - prev == 6 &&
            (prev[0] | 0x20) == 'q' && memcmp(prev + 1, "ueued", 5) == 0 && sp != NULL) {
            queued = sp + 1;
            break; /* the most specific form */
        }
        if (id == NULL && n > 3) {
            const char *v = w[0] == '(' ? w + 1 : w;
            if (we - v > 3 && v[0] == 'i' && v[1] == 'd' && v[2] == '=')
                id = v + 3;
        }
        if (accepted == NULL && n == 7 && (w[0] | 0x20) == 'm' && memcmp(w + 1, "essage", 6) == 0 &&
            sp != NULL && end - sp > 8 && memcmp(sp + 1, "accepted", 8) == 0 && prev != NULL)
            accepted = prev;
        if (n > 0) {
            prev = w;
            prev_end = we;
        }
        w = sp ? sp + 1 : end;
    }
    if (queued != NULL && copy_id(queued, id_end(queued, end), out, size))
        return TRUE;
    if (id != NULL && copy_id(id, id_end(id, end), out, size))
        return TRUE;
    if (accepted != NULL) {
        const char *e = id_end(accepted, end);
        /* not an enhanced or basic code ("250 2.0.0 Message accepted ...") */
        if (e > accepted && mta_reply_enhanced_at(accepted, e) != (gsize)(e - accepted) &&
            reply_code_at(accepted, e) == 0)
            return copy_id(accepted, e, out, size);
    }
    return FALSE;
}

char *
mta_reply_strip_angles(char *s)
{
    if (s == NULL)
        return NULL;
    gsize n = strlen(s);
    if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
        s[n - 1] = '\0';
        s++;
    }
    return s;
}

gint64
mta_reply_parse_uint(const char *s)
{
    if (s == NULL || !g_ascii_isdigit(*s))
        return -1;
    gint64 v = 0;
    for (; g_ascii_isdigit(*s) && v < G_MAXINT64 / 20; s++)
        v = v * 10 + (*s - '0');
    return v;
}
