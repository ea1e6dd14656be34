/* Helpers the bounce decoders share: finding addresses, reply codes and RFC 3463 status codes in
 * human-readable text, and collecting recipients. See bounce.h. */
#include "bounce.h"

#include <string.h>

BounceRecipient *
bounce_add(BounceMessage *m, const char *addr, gsize len)
{
    char *a = addr ? bounce_address_copy(m->arena, addr, len) : NULL;
    if (a != NULL)
        for (guint i = 0; i < m->n_rcpt; i++)
            if (m->rcpt[i].address && g_ascii_strcasecmp(m->rcpt[i].address, a) == 0)
                return &m->rcpt[i];
    if (m->n_rcpt >= BOUNCE_MAX_RECIPIENTS)
        return NULL;
    if (m->n_rcpt == m->rcpt_cap) {
        guint cap = m->rcpt_cap ? m->rcpt_cap * 2 : 8;
        BounceRecipient *n = mime_arena_alloc(m->arena, cap * sizeof(BounceRecipient));
        if (m->n_rcpt)
            memcpy(n, m->rcpt, m->n_rcpt * sizeof(BounceRecipient));
        m->rcpt = n;
        m->rcpt_cap = cap;
    }
    BounceRecipient *r = &m->rcpt[m->n_rcpt++];
    memset(r, 0, sizeof *r);
    r->address = a;
    return r;
}

void
bounce_use_dsn(BounceMessage *m)
{
    for (guint i = 0; i < m->n_dsn; i++) {
        const BounceRecipient *d = &m->dsn[i];
        if (d->address == NULL && d->status == NULL && d->orig == NULL)
            continue;
        BounceRecipient *r =
            d->address ? bounce_add(m, d->address, strlen(d->address)) : bounce_add(m, NULL, 0);
        if (r == NULL)
            return;
        const char *addr = r->address;
        *r = *d;
        if (addr)
            r->address = addr;
        else if (r->address == NULL && r->orig)
            r->address = r->orig;
    }
}

BounceRecipient *
bounce_dsn_find(BounceMessage *m, const char *addr)
{
    if (addr == NULL)
        return NULL;
    for (guint i = 0; i < m->n_dsn; i++)
        if (m->dsn[i].address && g_ascii_strcasecmp(m->dsn[i].address, addr) == 0)
            return &m->dsn[i];
    return NULL;
}

/* ---- addresses ---- */

static gboolean
is_local_char(char c)
{
    return g_ascii_isalnum(c) || (c && strchr(".!#$%&'*+-/=?^_`{|}~", c) != NULL) ||
           (guchar)c >= 0x80;
}

static gboolean
is_domain_char(char c)
{
    return g_ascii_isalnum(c) || c == '.' || c == '-' || c == '_' || (guchar)c >= 0x80;
}

gboolean
bounce_find_address(const char *s, gsize len, const char **start, gsize *alen)
{
    const char *end = s + len;
    const char *bare = NULL;
    gsize bare_len = 0;
    for (const char *at = memchr(s, '@', len); at;
         at = memchr(at + 1, '@', (gsize)(end - at - 1))) {
        const char *l = at;
        while (l > s && is_local_char(l[-1]))
            l--;
        const char *r = at + 1;
        if (r < end && *r == '[') {
            const char *rb = memchr(r, ']', (gsize)(end - r));
            r = rb ? rb + 1 : r;
        } else {
            while (r < end && is_domain_char(*r))
                r++;
        }
        /* no trailing dots or hyphens: "user@example.com." ends a sentence */
        while (r > at + 1 && (r[-1] == '.' || r[-1] == '-'))
            r--;
        while (l < at && *l == '.')
            l++;
        if (l == at || r <= at + 1)
            continue;
        gboolean bracketed = l > s && l[-1] == '<' && r < end && *r == '>';
        gboolean dotted = memchr(at + 1, '.', (gsize)(r - at - 1)) != NULL || at[1] == '[';
        if (bracketed) {
            *start = l;
            *alen = (gsize)(r - l);
            return TRUE;
        }
        if (bare == NULL && dotted) {
            bare = l;
            bare_len = (gsize)(r - l);
            /* a bracketed address on the same line wins */
            const char *nl = memchr(r, '\n', (gsize)(end - r));
            end = nl ? nl : end;
        }
        if (at + 1 >= end)
            break;
    }
    if (bare) {
        *start = bare;
        *alen = bare_len;
        return TRUE;
    }
    return FALSE;
}

/* RFC 6533 utf-8-addr-xtext: "\\x{HEX}" stands for one character. */
static char *
unescape_xtext(MimeArena *arena, const char *s, gsize len, gsize *out_len)
{
    char *d = mime_arena_alloc(arena, len + 1);
    gsize o = 0;
    for (gsize i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 2 < len && s[i + 1] == 'x' && s[i + 2] == '{') {
            const char *cb = memchr(s + i, '}', len - i);
            if (cb && cb - (s + i) <= 11) {
                gunichar u = 0;
                for (const char *h = s + i + 3; h < cb; h++)
                    u = u * 16 + (gunichar)MAX(g_ascii_xdigit_value(*h), 0);
                char buf[8];
                if (u != 0 && g_unichar_validate(u)) {
                    gint k = g_unichar_to_utf8(u, buf);
                    /* "\x{HH}" is at least 6 bytes, UTF-8 at most 4: it fits */
                    memcpy(d + o, buf, (gsize)k);
                    o += (gsize)k;
                }
                i = (gsize)(cb - s);
                continue;
            }
        }
        d[o++] = s[i];
    }
    d[o] = '\0';
    *out_len = o;
    return d;
}

char *
bounce_address_copy(MimeArena *arena, const char *s, gsize len)
{
    if (memmem(s, len, "\\x{", 3) != NULL)
        s = unescape_xtext(arena, s, len, &len);
    const char *e = s + len;
    while (s < e && g_ascii_isspace(*s))
        s++;
    /* address type prefix: "rfc822;" "utf-8;" */
    const char *semi = memchr(s, ';', (gsize)(e - s));
    if (semi) {
        const char *at = memchr(s, '@', (gsize)(e - s));
        if (at == NULL || semi < at)
            s = semi + 1;
    }
    const char *st;
    gsize n;
    if (!bounce_find_address(s, (gsize)(e - s), &st, &n))
        return NULL;
    if (n > 320)
        return NULL;
    char *d = mime_arena_alloc(arena, n + 1);
    for (gsize i = 0; i < n; i++)
        d[i] = g_ascii_tolower(st[i]);
    d[n] = '\0';
    if (d[0] == '@')
        return NULL;
    return d;
}

/* ---- codes ---- */

guint16
bounce_find_reply_code(const char *s, gsize len)
{
    const char *end = s + len;
    for (const char *p = s; p + 3 <= end; p++) {
        if (*p < '2' || *p > '5' || p[1] < '0' || p[1] > '5' || !g_ascii_isdigit(p[2]))
            continue;
        if (*p == '3')
            continue;
        if (p > s && (g_ascii_isalnum(p[-1]) || p[-1] == '.' || p[-1] == ':' || p[-1] == '#' ||
                      p[-1] == '-' || p[-1] == '=' || p[-1] == '/' || p[-1] == '+'))
            continue;
        const char *q = p + 3;
        if (q < end && !(*q == ' ' || *q == '-' || *q == '\t' || *q == '\r' || *q == '\n' ||
                         *q == ',' || *q == ')' || *q == ']' || *q == ':'))
            continue;
        if (q + 1 < end && *q == '-' && !g_ascii_isalnum(q[1]) && q[1] != ' ')
            continue;
        return (guint16)((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
    }
    return 0;
}

gboolean
bounce_find_status(const char *s, gsize len, char *out)
{
    const char *end = s + len;
    for (const char *p = s; p + 5 <= end; p++) {
        if ((*p != '2' && *p != '4' && *p != '5') || p[1] != '.')
            continue;
        if (p > s && (g_ascii_isalnum(p[-1]) || p[-1] == '.' || p[-1] == '_'))
            continue;
        const char *q = p + 2;
        const char *sub = q;
        while (q < end && g_ascii_isdigit(*q) && q - sub < 3)
            q++;
        if (q == sub || q >= end || *q != '.' || *sub > '7' || q - sub > 1)
            continue;
        q++;
        const char *det = q;
        while (q < end && g_ascii_isdigit(*q) && q - det < 4)
            q++;
        if (q == det || q - det > 3)
            continue;
        if (q < end && (g_ascii_isalnum(*q) || *q == '_'))
            continue;
        if (q + 1 < end && *q == '.' && g_ascii_isdigit(q[1]))
            continue; /* an IP address or version number */
        gsize n = (gsize)(q - p);
        memcpy(out, p, n);
        out[n] = '\0';
        return TRUE;
    }
    return FALSE;
}

gboolean
bounce_diagnostic_status(const char *s, gsize len, gboolean allow_success, char *out)
{
    const char *p = s, *end = s + len;
    int best = 99;
    char st[16];
    while (p < end && bounce_find_status(p, (gsize)(end - p), st)) {
        const char *hit = memmem(p, (gsize)(end - p), st, strlen(st));
        if (hit == NULL)
            break;
        p = hit + strlen(st);
        if (st[0] == '2' && !allow_success)
            continue;
        int prio = 3;
        if (hit > s && hit[-1] == '#')
            prio = 1;
        else {
            /* "550 5.1.1", "550-5.1.1", "550-'5.1.1" */
            const char *c = hit;
            if (c > s && (c[-1] == '\'' || c[-1] == '"'))
                c--;
            if (c - s >= 4 && (c[-1] == ' ' || c[-1] == '-') && g_ascii_isdigit(c[-2]) &&
                g_ascii_isdigit(c[-3]) && g_ascii_isdigit(c[-4]))
                prio = 2;
        }
        if (prio < best) {
            best = prio;
            g_strlcpy(out, st, 16);
            if (prio == 1)
                break;
        }
    }
    return best != 99;
}

void
bounce_set_diagnostic(BounceMessage *m, BounceRecipient *r, const char *s, gsize len)
{
    gsize n = MIN(len, (gsize)BOUNCE_MAX_DIAGNOSTIC * 2);
    char *d = mime_arena_alloc(m->arena, n + 1);
    gsize o = 0;
    gboolean space = TRUE;
    for (gsize i = 0; i < n && o < BOUNCE_MAX_DIAGNOSTIC; i++) {
        char c = s[i];
        if (g_ascii_isspace(c) || c == '\0') {
            if (!space)
                d[o++] = ' ';
            space = TRUE;
        } else {
            d[o++] = c;
            space = FALSE;
        }
    }
    while (o > 0 && d[o - 1] == ' ')
        o--;
    d[o] = '\0';
    if (o == 0)
        return;
    r->diagnostic = d;
    if (r->reply_code == 0)
        r->reply_code = bounce_find_reply_code(d, o);
    if (r->status == NULL) {
        char st[16];
        /* a 2.x.x in a failure's text is an earlier step of the transcript */
        gboolean success =
            r->action && (strcmp(r->action, "delivered") == 0 ||
                          strcmp(r->action, "relayed") == 0 || strcmp(r->action, "expanded") == 0);
        if (bounce_diagnostic_status(d, o, success, st))
            r->status = mime_arena_strndup(m->arena, st, strlen(st));
    }
}

void
bounce_append_diagnostic(BounceMessage *m, BounceRecipient *r, const char *s, gsize len)
{
    if (r->diagnostic == NULL) {
        bounce_set_diagnostic(m, r, s, len);
        return;
    }
    gsize have = strlen(r->diagnostic);
    if (have >= BOUNCE_MAX_DIAGNOSTIC)
        return;
    len = MIN(len, (gsize)BOUNCE_MAX_DIAGNOSTIC * 2);
    char *joined = mime_arena_alloc(m->arena, have + 1 + len + 1);
    memcpy(joined, r->diagnostic, have);
    joined[have] = ' ';
    memcpy(joined + have + 1, s, len);
    joined[have + 1 + len] = '\0';
    bounce_set_diagnostic(m, r, joined, have + 1 + len);
}

/* ---- text navigation ---- */

const char *
bounce_find_in(const char *s, gsize len, const char *needle)
{
    return s ? mime_memcasemem(s, len, needle) : NULL;
}

const char *
bounce_text_find_in(const BounceMessage *m, const char *s, gsize len, const char *needle)
{
    if (s == NULL)
        return NULL;
    gsize n = strlen(needle);
    if (s < m->text || s + len > m->text + m->text_len || n >= 128)
        return mime_memcasemem(s, len, needle);
    if (m->lower == NULL) {
        /* made on first use: items a DSN part explains never need it */
        BounceMessage *mm = (BounceMessage *)m;
        char *lower = mime_arena_alloc(mm->arena, m->text_len + 1);
        for (gsize i = 0; i < m->text_len; i++) {
            char c = m->text[i];
            lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        }
        lower[m->text_len] = '\0';
        mm->lower = lower;
    }
    /* the text has a lower-case twin: one memmem instead of a byte-by-byte compare */
    char nb[128];
    for (gsize i = 0; i < n; i++) {
        char c = needle[i];
        nb[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    const char *hit = memmem(m->lower + (s - m->text), len, nb, n);
    return hit ? m->text + (hit - m->lower) : NULL;
}

const char *
bounce_text_find(const BounceMessage *m, const char *needle)
{
    return bounce_text_find_in(m, m->text, m->text_len, needle);
}

const char *
bounce_line_end(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (gsize)(end - p));
    return nl ? nl : end;
}

const char *
bounce_next_line(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (gsize)(end - p));
    return nl ? nl + 1 : end;
}

gboolean
bounce_line_blank(const char *p, const char *le)
{
    for (; p < le; p++)
        if (!g_ascii_isspace(*p))
            return FALSE;
    return TRUE;
}

void
bounce_set_returned(BounceMessage *m, const char *p, const char *end)
{
    /* skip blank lines and anything before the first header field */
    for (int lines = 0; p < end && lines < 20; lines++) {
        const char *le = bounce_line_end(p, end);
        const char *c = p;
        while (c < le && *c != ':' && *c != ' ' && *c != '\t')
            c++;
        if (c < le && *c == ':' && c > p)
            break;
        p = bounce_next_line(p, end);
    }
    if (p < end && m->returned == NULL) {
        m->returned = p;
        m->returned_len = (gsize)(end - p);
    }
}

const char *
bounce_header(BounceMessage *m, const char *name)
{
    return mime_headers_value(m->arena, &m->top, name);
}

gboolean
bounce_subject_has(const BounceMessage *m, const char *needle)
{
    return m->subject && bounce_find_in(m->subject, strlen(m->subject), needle) != NULL;
}

gboolean
bounce_from_has(const BounceMessage *m, const char *needle)
{
    return m->from && bounce_find_in(m->from, strlen(m->from), needle) != NULL;
}

gboolean
bounce_from_mailer(const BounceMessage *m)
{
    static const char *const mailers[] = {
        "mailer-daemon",      "postmaster", "mail delivery", "mail system",   "mailerdaemon",
        "mail administrator", "mmdf",       "nobody@",       "mail.delivery", "mdaemon",
        "symantec",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(mailers); i++)
        if (bounce_from_has(m, mailers[i]))
            return TRUE;
    return FALSE;
}

/* The trimmed line is an address alone: "<a@b>", "a@b:", "a@b ..." */
static gboolean
line_is_address(const char *p, const char *le, const char **as, gsize *alen)
{
    while (p < le && g_ascii_isspace(*p))
        p++;
    while (le > p && g_ascii_isspace(le[-1]))
        le--;
    if (!bounce_find_address(p, (gsize)(le - p), as, alen))
        return FALSE;
    const char *a = *as;
    const char *b = a + *alen;
    if (a > p && a[-1] == '<')
        a--;
    if (b < le && *b == '>')
        b++;
    /* a leading "RCPT To:" or "To:" label is fine */
    if (a > p) {
        gsize pre = (gsize)(a - p);
        if (!(pre <= 12 && memchr(p, ':', pre) != NULL))
            return FALSE;
    }
    while (b < le && (*b == ':' || *b == '.' || *b == ',' || *b == ';' || *b == ' '))
        b++;
    return b == le || *b == '(';
}

guint
bounce_scan_blocks(BounceMessage *m, const char *s, const char *e)
{
    guint found = 0;
    BounceRecipient *cur = NULL;
    const char *diag = NULL, *diag_end = NULL;
    for (const char *p = s; p < e;) {
        const char *le = bounce_line_end(p, e);
        const char *as;
        gsize alen;
        if (line_is_address(p, le, &as, &alen)) {
            if (cur && diag)
                bounce_set_diagnostic(m, cur, diag, (gsize)(diag_end - diag));
            cur = bounce_add(m, as, alen);
            diag = diag_end = NULL;
            if (cur)
                found++;
        } else if (bounce_line_blank(p, le)) {
            /* "For the following reason:" then a blank line: the reason is the next paragraph */
            gboolean intro = cur && diag && diag_end > diag && diag_end[-1] == ':' &&
                             memchr(diag, '\n', (gsize)(diag_end - diag)) == NULL;
            if (cur && diag && !intro) {
                bounce_set_diagnostic(m, cur, diag, (gsize)(diag_end - diag));
                cur = NULL;
                diag = NULL;
            }
        } else if (cur) {
            if (diag == NULL)
                diag = p;
            diag_end = le;
        }
        p = le < e ? le + 1 : e;
    }
    if (cur && diag)
        bounce_set_diagnostic(m, cur, diag, (gsize)(diag_end - diag));
    return found;
}

/* ---- regions, scanning, merging ---- */

static const char *const returned_markers[] = {
    "------ This is a copy of the message",
    "------ This is a copy of your message",
    "--- Below this line is a copy of the message",
    "----- Original message -----",
    "--- Original message follows",
    "Original message follows",
    "------- Returned Message",
    "----- Unsent message follows -----",
    "----- No message was collected -----",
    "Below is a copy of the original message",
    "Message headers follow",
    "----- The following is a copy of the message",
    "----- Message header follows -----",
    "--- Message header follows",
    "--- The header of the original message is following",
    "------ The message header follows",
    "----- Original Message Headers -----",
    "------ original message follows",
    "Original message headers:",
    "Included is a copy of the message header",
    "Message text follows:",
    "Content-Type: message/rfc822",
    "Content-Type: text/rfc822-headers",
};

const char *
bounce_cut_returned(BounceMessage *m, const char *from)
{
    const char *end = BOUNCE_TEXT_END(m);
    if (from == NULL)
        from = m->text;
    const char *best = NULL;
    for (gsize i = 0; i < G_N_ELEMENTS(returned_markers); i++) {
        const char *hit =
            bounce_text_find_in(m, from, (gsize)((best ? best : end) - from), returned_markers[i]);
        if (hit)
            best = hit;
    }
    if (best == NULL)
        return end;
    while (best > m->text && best[-1] != '\n')
        best--;
    bounce_set_returned(m, bounce_next_line(best, end), end);
    return best;
}

const char *
bounce_after(const BounceMessage *m, const char *from, const char *const *markers)
{
    const char *end = BOUNCE_TEXT_END(m);
    if (from == NULL)
        from = m->text;
    const char *best = NULL;
    for (; *markers; markers++) {
        const char *hit =
            bounce_text_find_in(m, from, (gsize)((best ? best : end) - from), *markers);
        if (hit)
            best = hit;
    }
    return best ? bounce_next_line(best, end) : NULL;
}

static void
exclude_add(BounceMessage *m, const char *v)
{
    if (v == NULL)
        return;
    const char *p = v, *e = v + strlen(v);
    while (p < e && m->n_excluded < G_N_ELEMENTS(m->excluded)) {
        const char *as;
        gsize al;
        if (!bounce_find_address(p, (gsize)(e - p), &as, &al))
            break;
        char *a = bounce_address_copy(m->arena, as, al);
        if (a)
            m->excluded[m->n_excluded++] = a;
        p = as + al;
    }
}

static gboolean
is_excluded(BounceMessage *m, const char *addr)
{
    if (!m->excluded_done) {
        m->excluded_done = TRUE;
        if (m->from_addr && *m->from_addr)
            m->excluded[m->n_excluded++] = m->from_addr;
        exclude_add(m, mime_headers_value(m->arena, &m->top, "To"));
        if (m->returned) {
            MimeHeaders rh;
            if (mime_headers_parse(m->arena, m->returned, m->returned_len, &rh)) {
                exclude_add(m, mime_headers_value(m->arena, &rh, "From"));
                exclude_add(m, mime_headers_value(m->arena, &rh, "Return-Path"));
            }
        }
    }
    for (guint i = 0; i < m->n_excluded; i++)
        if (g_ascii_strcasecmp(m->excluded[i], addr) == 0)
            return TRUE;
    return FALSE;
}

/* A line that is a header field of a quoted message ("To: ...", "Sent: ..."). */
static gboolean
is_label_line(const char *p, const char *le)
{
    static const char *const labels[] = {"From:",
                                         "To:",
                                         "Cc:",
                                         "Subject:",
                                         "Sent:",
                                         "Date:",
                                         "Reply-To:",
                                         "Return-Path:",
                                         "Received:",
                                         "Message-ID:",
                                         "Sender:",
                                         "Envelope-From:",
                                         "Original Sender:",
                                         "Original-Sender:",
                                         "Sender-MTA:"};
    while (p < le && (*p == ' ' || *p == '\t'))
        p++;
    for (gsize i = 0; i < G_N_ELEMENTS(labels); i++) {
        gsize n = strlen(labels[i]);
        if ((gsize)(le - p) >= n && g_ascii_strncasecmp(p, labels[i], n) == 0)
            return TRUE;
    }
    return FALSE;
}

static gsize
indent_of(const char *p, const char *le)
{
    gsize n = 0;
    while (p < le && (*p == ' ' || *p == '\t')) {
        n += *p == '\t' ? 8 : 1;
        p++;
    }
    return n;
}

/* The line holds addresses and punctuation only (">>> a@b <a@b>", "<a@b>:"): every word has
 * an '@' or no letter or digit. */
static gboolean
line_only_addresses(const char *p, const char *le)
{
    while (p < le) {
        while (p < le && (*p == ' ' || *p == '\t'))
            p++;
        const char *w = p;
        gboolean at = FALSE, alnum = FALSE;
        for (; p < le && *p != ' ' && *p != '\t'; p++) {
            at |= *p == '@';
            alnum |= g_ascii_isalnum(*p);
        }
        if (p > w && alnum && !at)
            return FALSE;
    }
    return TRUE;
}

/* A rule ("=====", "-----") or a heading ("Technical details:", "Reason:") that introduces
 * the explanation rather than being it. */
static gboolean
heading_line(const char *p, const char *le)
{
    while (p < le && g_ascii_isspace(*p))
        p++;
    while (le > p && g_ascii_isspace(le[-1]))
        le--;
    gboolean alnum = FALSE;
    for (const char *c = p; c < le; c++)
        alnum |= g_ascii_isalnum(*c);
    if (!alnum)
        return TRUE;
    return le - p < 60 && le[-1] == ':' && bounce_find_reply_code(p, (gsize)(le - p)) == 0;
}

/* The first address on the line that is not excluded. */
static gboolean
line_candidate(BounceMessage *m, const char *p, const char *le, const char **as, gsize *al)
{
    while (p < le && bounce_find_address(p, (gsize)(le - p), as, al)) {
        char *a = bounce_address_copy(m->arena, *as, *al);
        if (a && !is_excluded(m, a))
            return TRUE;
        p = *as + *al;
    }
    return FALSE;
}

guint
bounce_scan_lines(BounceMessage *m, const char *s, const char *e)
{
    guint found = 0;
    BounceRecipient *cur = NULL, *pending = NULL;
    const char *ds = NULL, *de = NULL;
    gsize cur_indent = 0;
    gboolean only_addr = FALSE;
    for (const char *p = s; p < e;) {
        const char *le = bounce_line_end(p, e);
        const char *next = le < e ? le + 1 : e;
        if (bounce_line_blank(p, le)) {
            if (cur) {
                if (only_addr) {
                    pending = cur;
                } else {
                    bounce_set_diagnostic(m, cur, ds, (gsize)(de - ds));
                    pending = NULL;
                }
                cur = NULL;
            }
            p = next;
            continue;
        }
        const char *as;
        gsize al;
        gboolean label = is_label_line(p, le);
        gboolean cand = !label && line_candidate(m, p, le, &as, &al);
        if (cand && cur && cur->address) {
            /* the block's own address again ("Remote host said: 550 <a@b>...") */
            char *a = bounce_address_copy(m->arena, as, al);
            if (a && g_ascii_strcasecmp(a, cur->address) == 0)
                cand = FALSE;
        }
        if (cand && (cur == NULL || indent_of(p, le) <= cur_indent)) {
            if (cur)
                bounce_set_diagnostic(m, cur, ds, (gsize)(de - ds));
            pending = NULL;
            BounceRecipient *r = bounce_add(m, as, al);
            if (r && r->diagnostic == NULL) {
                cur = r;
                found++;
                ds = p;
                de = le;
                cur_indent = indent_of(p, le);
                only_addr = line_only_addresses(p, le);
            } else {
                cur = NULL;
            }
        } else if (cur) {
            de = le;
            only_addr = FALSE;
        } else if (pending && !heading_line(p, le)) {
            cur = pending;
            pending = NULL;
            ds = p;
            de = le;
            cur_indent = 0;
            only_addr = FALSE;
        }
        p = next;
    }
    if (cur)
        bounce_set_diagnostic(m, cur, ds, (gsize)(de - ds));
    return found;
}

guint
bounce_add_list(BounceMessage *m, const char *value)
{
    guint n = 0;
    if (value == NULL)
        return 0;
    const char *p = value, *e = value + strlen(value);
    while (p < e) {
        const char *comma = memchr(p, ',', (gsize)(e - p));
        const char *pe = comma ? comma : e;
        const char *as;
        gsize al;
        if (bounce_find_address(p, (gsize)(pe - p), &as, &al) && bounce_add(m, as, al))
            n++;
        p = comma ? comma + 1 : e;
    }
    return n;
}

void
bounce_set_all_diagnostics(BounceMessage *m, const char *s, const char *e)
{
    if (s == NULL || e <= s)
        return;
    for (guint i = 0; i < m->n_rcpt; i++)
        if (m->rcpt[i].diagnostic == NULL)
            bounce_set_diagnostic(m, &m->rcpt[i], s, (gsize)(e - s));
}

void
bounce_set_action(BounceMessage *m, const char *action)
{
    for (guint i = 0; i < m->n_rcpt; i++)
        if (m->rcpt[i].action == NULL)
            m->rcpt[i].action = action;
}

static gboolean
status_generic(const char *st)
{
    return st == NULL || (strlen(st) == 5 && st[2] == '0' && st[4] == '0');
}

gboolean
bounce_finish(BounceMessage *m)
{
    gboolean useful = FALSE;
    for (guint i = 0; i < m->n_dsn; i++)
        if (m->dsn[i].address || m->dsn[i].status)
            useful = TRUE;
    if (!useful)
        return TRUE;
    BounceRecipient *text = m->rcpt;
    guint n_text = m->n_rcpt;
    m->rcpt = NULL;
    m->n_rcpt = 0;
    m->rcpt_cap = 0;
    bounce_use_dsn(m);
    for (guint i = 0; i < m->n_rcpt; i++) {
        BounceRecipient *r = &m->rcpt[i];
        const BounceRecipient *t = NULL;
        for (guint k = 0; k < n_text && r->address; k++)
            if (text[k].address && g_ascii_strcasecmp(text[k].address, r->address) == 0)
                t = &text[k];
        if (t == NULL && n_text == 1 && m->n_rcpt == 1)
            t = &text[0];
        if (t == NULL)
            continue;
        if (r->address == NULL)
            r->address = t->address;
        if (r->diagnostic == NULL || (r->reply_code == 0 && r->status == NULL && t->diagnostic &&
                                      (t->reply_code || t->status)))
            r->diagnostic = t->diagnostic;
        else if (t->diagnostic && strlen(r->diagnostic) >= 6 &&
                 strlen(t->diagnostic) > strlen(r->diagnostic) &&
                 mime_memcasemem(t->diagnostic, strlen(t->diagnostic), r->diagnostic) != NULL)
            /* the text quotes the same reply and says more (Exim: "SMTP error from remote mail
             * server after EHLO ...: 550 Rejected") */
            r->diagnostic = t->diagnostic;
        if (r->reply_code == 0)
            r->reply_code = t->reply_code;
        if (status_generic(r->status) && t->status && !status_generic(t->status))
            r->status = t->status;
        if (r->remote_mta == NULL)
            r->remote_mta = t->remote_mta;
        if (r->action == NULL)
            r->action = t->action;
    }
    if (m->n_rcpt == 0) {
        m->rcpt = text;
        m->n_rcpt = n_text;
        m->rcpt_cap = n_text;
    }
    return TRUE;
}

gboolean
bounce_received_has(BounceMessage *m, const char *needle)
{
    for (const MimeField *f = mime_headers_next(&m->top, NULL, "Received"); f;
         f = mime_headers_next(&m->top, f, "Received"))
        if (bounce_find_in(f->value, f->value_len, needle))
            return TRUE;
    return FALSE;
}

guint
bounce_add_returned_to(BounceMessage *m)
{
    if (m->returned == NULL)
        return 0;
    MimeHeaders rh;
    if (!mime_headers_parse(m->arena, m->returned, m->returned_len, &rh))
        return 0;
    return bounce_add_list(m, mime_headers_value(m->arena, &rh, "To"));
}
