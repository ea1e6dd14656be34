/* One received mailbox item -> Events. The item is scanned once (mime-scan.h): top headers, the
 * human-readable text, RFC 3464 / 6533 delivery-status fields, an ARF feedback report, and only
 * the header block of the returned original message. Then the bounce decoders are tried in
 * order (bounce-*.c, RFC 3464 generic last); what is no bounce is a complaint or "other
 * received" with its sub-type. Work and memory per item are bounded (depth, parts, text). */
#include "dsn.h"

#include <string.h>

#include "bounce.h"
#include "timeutil.h"

#define DSN_MAX_DEPTH 12
#define DSN_MAX_PARTS 256
#define DSN_MAX_TEXT ((gsize)64 * 1024)
#define DSN_MAX_TEXT_PARTS 4
#define DSN_MAX_RECORDS 256

struct Dsn {
    MimeArena *arena;
};

Dsn *
dsn_new(void)
{
    Dsn *d = g_new0(Dsn, 1);
    d->arena = mime_arena_new();
    return d;
}

void
dsn_free(Dsn *dsn)
{
    if (dsn == NULL)
        return;
    mime_arena_free(dsn->arena);
    g_free(dsn);
}

/* ---- the decoder table ---- */

static gboolean decode_rfc3464(BounceMessage *m);
static gboolean decode_text(BounceMessage *m);
static gboolean decode_unread(BounceMessage *m);

static const BounceDecoder decoders[] = {
    {"amazonses", bounce_decode_amazonses},
    {"googlegroups", bounce_decode_googlegroups},
    {"gmail", bounce_decode_gmail},
    {"exchange", bounce_decode_exchange},
    {"dragonfly", bounce_decode_dragonfly},
    {"fml", bounce_decode_fml},
    {"mailru", bounce_decode_mailru},
    {"zoho", bounce_decode_zoho},
    {"mimecast", bounce_decode_mimecast},
    {"exim", bounce_decode_exim},
    {"qmail", bounce_decode_qmail},
    {"yahoo", bounce_decode_yahoo},
    {"x2", bounce_decode_x2},
    {"x1", bounce_decode_x1},
    {"domino", bounce_decode_domino},
    {"notes", bounce_decode_notes},
    {"imailserver", bounce_decode_imailserver},
    {"kddi", bounce_decode_kddi},
    {"verizon", bounce_decode_verizon},
    {"courier", bounce_decode_courier},
    {"opensmtpd", bounce_decode_opensmtpd},
    {"sendmail", bounce_decode_sendmail},
    {"postfix", bounce_decode_postfix},
    {"rfc3464", decode_rfc3464},
    {"text", decode_text},
    {"unread", decode_unread},
    {NULL, NULL},
};

const BounceDecoder *
bounce_decoders(void)
{
    return decoders;
}

/* ---- RFC 3464 / 6533 delivery-status fields ---- */

/* The value after an "rfc822;" / "dns;" / "smtp;" type prefix. */
static const char *
strip_type(const char *v)
{
    const char *s = v;
    while (g_ascii_isalnum(*s) || *s == '-' || *s == '_' || *s == '.')
        s++;
    while (*s == ' ')
        s++;
    if (*s == ';' && s != v) {
        s++;
        while (*s == ' ')
            s++;
        return s;
    }
    return v;
}

/* Host name of a Remote-MTA / Reporting-MTA value: "dns; mx.example.com [192.0.2.1]". */
static const char *
mta_host(MimeArena *arena, const char *v)
{
    const char *s = strip_type(v);
    const char *e = s;
    while (*e && *e != ' ' && *e != '[' && *e != '(' && *e != ';')
        e++;
    if (e == s) {
        /* "[192.0.2.1]" */
        if (*s == '[') {
            const char *rb = strchr(s, ']');
            if (rb)
                return mime_arena_strndup(arena, s + 1, (gsize)(rb - s - 1));
        }
        return NULL;
    }
    char *h = mime_arena_strndup(arena, s, (gsize)(e - s));
    gsize n = strlen(h);
    while (n > 0 && h[n - 1] == '.')
        h[--n] = '\0';
    for (char *c = h; *c; c++)
        *c = g_ascii_tolower(*c);
    return h;
}

static BounceRecipient *
dsn_new_record(BounceMessage *m, guint *cap)
{
    if (m->n_dsn >= DSN_MAX_RECORDS)
        return NULL;
    if (m->n_dsn == *cap) {
        guint nc = *cap ? *cap * 2 : 4;
        BounceRecipient *n = mime_arena_alloc(m->arena, nc * sizeof(BounceRecipient));
        if (m->n_dsn)
            memcpy(n, m->dsn, m->n_dsn * sizeof(BounceRecipient));
        m->dsn = n;
        *cap = nc;
    }
    BounceRecipient *r = &m->dsn[m->n_dsn++];
    memset(r, 0, sizeof *r);
    return r;
}

static gboolean
name_is(const char *name, gsize n, const char *want)
{
    return strlen(want) == n && g_ascii_strncasecmp(name, want, n) == 0;
}

typedef struct {
    BounceMessage *m;
    guint cap;
    BounceRecipient *cur;
    gboolean group_break; /* a blank line since the current record's last field */
} DsnFields;

static BounceRecipient *
dsn_record_for(DsnFields *f, gboolean starts_new)
{
    if (f->cur == NULL || starts_new || f->group_break) {
        f->cur = dsn_new_record(f->m, &f->cap);
        f->group_break = FALSE;
    }
    return f->cur;
}

static gboolean
same_address(const char *a, const char *b)
{
    return a != NULL && b != NULL && g_ascii_strcasecmp(a, b) == 0;
}

static void
dsn_field(DsnFields *f, const char *name, gsize nlen, const char *raw, gsize rlen)
{
    BounceMessage *m = f->m;
    MimeField mf = {
        .name = name, .value = raw, .name_len = (guint32)nlen, .value_len = (guint32)rlen};
    /* per-message fields */
    if (name_is(name, nlen, "Reporting-MTA")) {
        if (m->reporting_mta == NULL)
            m->reporting_mta = mta_host(m->arena, mime_field_value(m->arena, &mf));
        return;
    }
    if (name_is(name, nlen, "Original-Envelope-Id")) {
        char *v = mime_field_value(m->arena, &mf);
        if (*v && m->envid == NULL)
            m->envid = v;
        return;
    }
    if (name_is(name, nlen, "Arrival-Date")) {
        if (m->arrival == 0)
            m->arrival = time_parse_rfc5322(mime_field_value(m->arena, &mf));
        return;
    }
    if (name_is(name, nlen, "X-Postfix-Queue-ID")) {
        char *v = mime_field_value(m->arena, &mf);
        if (*v && m->queue_id == NULL)
            m->queue_id = v;
        return;
    }
    if (name_is(name, nlen, "X-Postfix-Sender")) {
        const char *v = strip_type(mime_field_value(m->arena, &mf));
        if (m->dsn_sender == NULL)
            m->dsn_sender = bounce_address_copy(m->arena, v, strlen(v));
        return;
    }
    if (name_is(name, nlen, "Received-From-MTA")) {
        if (m->received_from_mta == NULL)
            m->received_from_mta = mta_host(m->arena, mime_field_value(m->arena, &mf));
        return;
    }
    /* per-recipient fields */
    BounceRecipient *r;
    if (name_is(name, nlen, "Final-Recipient")) {
        const char *v = mime_field_value(m->arena, &mf);
        char *a = bounce_address_copy(m->arena, v, strlen(v));
        /* a record that began with its Original-Recipient (Mimecast writes Final-Recipient
         * last) goes on when both name the same address */
        r = dsn_record_for(f, f->cur && (f->cur->address != NULL ||
                                         (f->cur->orig && (f->cur->action || f->cur->status) &&
                                          !same_address(f->cur->orig, a))));
        if (r)
            r->address = a;
    } else if (name_is(name, nlen, "Original-Recipient")) {
        const char *v = mime_field_value(m->arena, &mf);
        char *a = bounce_address_copy(m->arena, v, strlen(v));
        r = dsn_record_for(f, f->cur && (f->cur->orig != NULL ||
                                         (f->cur->address && (f->cur->action || f->cur->status) &&
                                          !same_address(f->cur->address, a))));
        if (r)
            r->orig = a;
    } else if (name_is(name, nlen, "Action")) {
        r = dsn_record_for(f, f->cur && f->cur->action != NULL);
        if (r) {
            char *v = mime_field_value(m->arena, &mf);
            char *e = v;
            while (g_ascii_isalpha(*e))
                e++;
            *e = '\0';
            for (char *c = v; *c; c++)
                *c = g_ascii_tolower(*c);
            if (*v)
                r->action = v;
        }
    } else if (name_is(name, nlen, "Status")) {
        r = dsn_record_for(f, f->cur && f->cur->status != NULL);
        if (r) {
            char *v = mime_field_value(m->arena, &mf);
            char st[16];
            if (bounce_find_status(v, strlen(v), st))
                r->status = mime_arena_strndup(m->arena, st, strlen(st));
            /* "Status: 4.0.0 (cat.example.net: host name lookup failure)" (RFC 3464's own
             * example): the comment explains when no Diagnostic-Code does */
            const char *open = strchr(v, '(');
            const char *close = open ? strrchr(open, ')') : NULL;
            if (close && close > open + 1)
                r->status_comment =
                    mime_arena_strndup(m->arena, open + 1, (gsize)(close - open - 1));
        }
    } else if (name_is(name, nlen, "Remote-MTA")) {
        r = dsn_record_for(f, FALSE);
        if (r && r->remote_mta == NULL)
            r->remote_mta = mta_host(m->arena, mime_field_value(m->arena, &mf));
    } else if (name_is(name, nlen, "Diagnostic-Code")) {
        r = dsn_record_for(f, FALSE);
        if (r) {
            const char *v = mime_field_value(m->arena, &mf);
            const char *t = strip_type(v);
            /* "smtp;" is what nearly all say; other types (X-Postfix, X-Unix) tell where the
             * text came from, so they stay */
            if (t != v && g_ascii_strncasecmp(v, "smtp", 4) != 0)
                t = v;
            /* the status in the text is weighed later (settle_status) */
            const char *save_status = r->status;
            guint16 save_reply = r->reply_code;
            r->status = NULL;
            bounce_set_diagnostic(m, r, t, strlen(t));
            r->status = save_status;
            /* "X-Unix; 255": a program's exit status, no SMTP reply */
            if (g_ascii_strncasecmp(v, "x-unix", 6) == 0)
                r->reply_code = save_reply;
        }
    } else if (name_is(name, nlen, "Last-Attempt-Date")) {
        r = dsn_record_for(f, FALSE);
        if (r)
            r->last_attempt = time_parse_rfc5322(mime_field_value(m->arena, &mf));
    } else if (name_is(name, nlen, "Will-Retry-Until")) {
        r = dsn_record_for(f, FALSE);
        if (r)
            r->retry_until = time_parse_rfc5322(mime_field_value(m->arena, &mf));
    } else if (name_is(name, nlen, "Final-Log-ID")) {
        r = dsn_record_for(f, FALSE);
        if (r)
            r->final_log_id = mime_field_value(m->arena, &mf);
    } else {
        return;
    }
}

/* Reads the fields of a delivery-status body. Records are separated by blank lines or start at
 * a repeated Final-/Original-Recipient; a continuation that lost its indentation is appended
 * to the field before it. */
static void
dsn_parse_status(BounceMessage *m, const char *s, gsize len)
{
    DsnFields f = {.m = m, .cap = 0};
    /* keep appending to the same array when a DSN has two status parts */
    f.cap = m->n_dsn;
    const char *end = s + len;
    const char *name = NULL, *val = NULL, *val_end = NULL;
    gsize nlen = 0;
    for (const char *p = s; p < end;) {
        const char *le = bounce_line_end(p, end);
        const char *next = le < end ? le + 1 : end;
        if (bounce_line_blank(p, le)) {
            if (name) {
                dsn_field(&f, name, nlen, val, (gsize)(val_end - val));
                name = NULL;
            }
            if (f.cur && (f.cur->address || f.cur->orig || f.cur->action || f.cur->status))
                f.group_break = TRUE;
            p = next;
            continue;
        }
        if ((*p == ' ' || *p == '\t') && name) {
            val_end = le;
            p = next;
            continue;
        }
        const char *c = p;
        while (c < le && *c != ':' && *c != ' ' && (guchar)*c > 32)
            c++;
        const char *name_end = c;
        /* "Action : failed" (Mimecast) */
        while (c < le && (*c == ' ' || *c == '\t'))
            c++;
        if (c < le && *c == ':' && name_end > p) {
            if (name)
                dsn_field(&f, name, nlen, val, (gsize)(val_end - val));
            name = p;
            nlen = (gsize)(name_end - p);
            val = c + 1;
            while (val < le && (*val == ' ' || *val == '\t'))
                val++;
            val_end = le;
        } else if (name && name_is(name, nlen, "Diagnostic-Code")) {
            val_end = le;
        }
        p = next;
    }
    if (name)
        dsn_field(&f, name, nlen, val, (gsize)(val_end - val));
    m->has_dsn = TRUE;
}

/* ---- the MIME walk ---- */

typedef struct {
    BounceMessage *m;
    guint parts;
    gboolean deep, many, bad_charset;
    const char *feedback;
    gsize feedback_len;
    const char *mdn;
    gsize mdn_len;
    const char *inner; /* the first message/rfc822 part, for a report nested in it */
    gsize inner_len;
    const char *texts[DSN_MAX_TEXT_PARTS];
    gsize text_lens[DSN_MAX_TEXT_PARTS];
    guint n_texts;
    gsize text_total;
    const char *html;
    gsize html_len;
    const char *html_charset;
    const char *report_type;
} Walk;

static void
add_text(Walk *w, const char *body, gsize len, const char *cte, const char *charset)
{
    if (w->n_texts >= DSN_MAX_TEXT_PARTS || w->text_total >= DSN_MAX_TEXT)
        return;
    BounceMessage *m = w->m;
    len = MIN(len, (gsize)DSN_MAX_TEXT * 2);
    gsize dl;
    const char *d = mime_decode_transfer(m->arena, cte, body, len, &dl);
    dl = MIN(dl, DSN_MAX_TEXT - w->text_total);
    char *u = mime_to_utf8(m->arena, d, dl, charset, &w->bad_charset);
    if (strchr(u, '\r')) {
        /* decoded base64 text keeps its CRLF */
        char *o = u;
        for (char *c = u; *c; c++)
            if (*c != '\r')
                *o++ = *c;
            else if (c[1] != '\n')
                *o++ = '\n';
        *o = '\0';
    }
    gsize ul = strlen(u);
    w->texts[w->n_texts] = u;
    w->text_lens[w->n_texts] = ul;
    w->n_texts++;
    w->text_total += ul;
}

static void walk_entity(Walk *w, const MimeHeaders *h, int depth);

static void
walk_multipart(Walk *w, const MimeHeaders *h, const MimeContentType *ct, const char *cte, int depth)
{
    BounceMessage *m = w->m;
    if (depth >= DSN_MAX_DEPTH) {
        w->deep = TRUE;
        return;
    }
    MimeMultipart mp;
    mime_multipart_init(&mp, h->body, h->body_len, ct->boundary);
    const char *part;
    gsize plen;
    gboolean any = FALSE;
    while (mime_multipart_next(&mp, &part, &plen)) {
        any = TRUE;
        if (++w->parts > DSN_MAX_PARTS) {
            w->many = TRUE;
            return;
        }
        MimeHeaders ph;
        if (!mime_headers_parse(m->arena, part, plen, &ph)) {
            ph.n = 0;
            ph.flags = 0;
            ph.body = part;
            ph.body_len = plen;
        }
        walk_entity(w, &ph, depth + 1);
    }
    if (!any)
        add_text(w, h->body, h->body_len, cte, ct->charset);
}

static void
walk_entity(Walk *w, const MimeHeaders *h, int depth)
{
    BounceMessage *m = w->m;
    MimeContentType ct;
    mime_content_type_parse(m->arena, mime_headers_value(m->arena, h, "Content-Type"), &ct);
    const char *cte = mime_headers_value(m->arena, h, "Content-Transfer-Encoding");
    if (depth == 0) {
        char *t = mime_arena_alloc(m->arena, sizeof ct.type + sizeof ct.subtype + 1);
        g_snprintf(t, sizeof ct.type + sizeof ct.subtype + 1, "%s/%s", ct.type, ct.subtype);
        m->content_type = t;
    }
    if (strcmp(ct.type, "multipart") == 0 && ct.boundary != NULL) {
        if (ct.report_type && w->report_type == NULL)
            w->report_type = ct.report_type;
        if (ct.report_type && depth == 0)
            m->report_type = ct.report_type;
        walk_multipart(w, h, &ct, cte, depth);
        return;
    }
    gsize blen;
    const char *body;
    const char *sub = ct.subtype;
    if (strcmp(sub, "delivery-status") == 0 || strcmp(sub, "global-delivery-status") == 0) {
        body = mime_decode_transfer(m->arena, cte, h->body, h->body_len, &blen);
        dsn_parse_status(m, body, blen);
        return;
    }
    if (strcmp(sub, "feedback-report") == 0) {
        if (w->feedback == NULL)
            w->feedback =
                mime_decode_transfer(m->arena, cte, h->body, h->body_len, &w->feedback_len);
        return;
    }
    if (strcmp(sub, "disposition-notification") == 0) {
        if (w->mdn == NULL)
            w->mdn = mime_decode_transfer(m->arena, cte, h->body, h->body_len, &w->mdn_len);
        return;
    }
    if (strcmp(ct.type, "message") == 0 &&
        (strcmp(sub, "rfc822") == 0 || strcmp(sub, "global") == 0 || strcmp(sub, "partial") == 0)) {
        body = mime_decode_transfer(m->arena, cte, h->body, h->body_len, &blen);
        if (m->returned == NULL) {
            m->returned = body;
            m->returned_len = blen;
        }
        if (w->inner == NULL) {
            w->inner = body;
            w->inner_len = blen;
        }
        return;
    }
    if (strcmp(sub, "rfc822-headers") == 0 || strcmp(sub, "global-headers") == 0 ||
        strcmp(sub, "rfc822-header") == 0) {
        body = mime_decode_transfer(m->arena, cte, h->body, h->body_len, &blen);
        if (m->returned == NULL) {
            m->returned = body;
            m->returned_len = blen;
        }
        return;
    }
    if (ct.type[0] == '\0' || (strcmp(ct.type, "text") == 0 && strcmp(sub, "plain") == 0) ||
        strcmp(ct.type, "multipart") == 0) {
        add_text(w, h->body, h->body_len, cte, ct.charset);
        return;
    }
    if (strcmp(ct.type, "text") == 0 && strcmp(sub, "html") == 0 && w->html == NULL) {
        w->html = mime_decode_transfer(m->arena, cte, h->body,
                                       MIN(h->body_len, (gsize)DSN_MAX_TEXT), &w->html_len);
        w->html_charset = ct.charset;
        return;
    }
    if (strcmp(ct.type, "text") == 0 && depth == 0)
        add_text(w, h->body, h->body_len, cte, ct.charset);
}

/* A delivery-status written as plain text (no MIME part of its own). */
static void
inline_dsn(BounceMessage *m)
{
    static const char *const starts[] = {
        "Reporting-MTA:", "Final-Recipient:", "Original-Recipient:"};
    const char *best = NULL;
    for (gsize i = 0; i < G_N_ELEMENTS(starts); i++) {
        const char *hit = m->text;
        const char *end = BOUNCE_TEXT_END(m);
        while ((hit = bounce_text_find_in(m, hit, (gsize)(end - hit), starts[i])) != NULL) {
            if (hit == m->text || hit[-1] == '\n')
                break;
            hit++;
        }
        if (hit && (best == NULL || hit < best))
            best = hit;
    }
    if (best == NULL)
        return;
    const char *end = BOUNCE_TEXT_END(m);
    /* up to the first line that is neither a field, a continuation nor blank after a blank */
    const char *p = best;
    gboolean blank = FALSE;
    while (p < end) {
        const char *le = bounce_line_end(p, end);
        if (bounce_line_blank(p, le)) {
            blank = TRUE;
        } else if (*p != ' ' && *p != '\t') {
            const char *c = p;
            while (c < le && *c != ':' && *c != ' ')
                c++;
            if (c >= le || *c != ':') {
                if (blank)
                    break;
            }
            blank = FALSE;
        }
        p = le < end ? le + 1 : end;
    }
    guint before = m->n_dsn;
    dsn_parse_status(m, best, (gsize)(p - best));
    gboolean useful = FALSE;
    for (guint i = before; i < m->n_dsn; i++)
        if (m->dsn[i].address && (m->dsn[i].status || m->dsn[i].action))
            useful = TRUE;
    if (!useful) {
        m->n_dsn = before;
        m->has_dsn = before > 0;
    }
}

/* ---- the generic decoders ---- */

/* A diagnostic of a code and at most one word ("550 Rejected") says less than the text part
 * usually does (Exim adds the command it answered). */
static gboolean
diagnostic_terse(const char *d)
{
    guint words = 0;
    for (const char *p = d; *p != '\0'; p++)
        if (*p != ' ' && (p == d || p[-1] == ' '))
            words++;
    return words <= 2;
}

/* The DSN part names every recipient with an action, a status and a diagnostic that says more
 * than a code. */
static gboolean
dsn_complete(const BounceMessage *m)
{
    guint n = 0;
    for (guint i = 0; i < m->n_dsn; i++) {
        const BounceRecipient *r = &m->dsn[i];
        if (r->address == NULL && r->orig == NULL && r->status == NULL)
            continue; /* an empty group */
        if (r->address == NULL || r->action == NULL || r->status == NULL || r->diagnostic == NULL ||
            diagnostic_terse(r->diagnostic))
            return FALSE;
        n++;
    }
    return n > 0;
}

static gboolean
decode_rfc3464(BounceMessage *m)
{
    gboolean any = FALSE;
    for (guint i = 0; i < m->n_dsn; i++)
        if (m->dsn[i].address || m->dsn[i].orig)
            any = TRUE;
    if (!any)
        return FALSE;
    bounce_use_dsn(m);
    return TRUE;
}

static const char *const bounce_subjects[] = {
    "undeliver",
    "delivery status notification",
    "returned mail",
    "failure notice",
    "delivery failure",
    "mail delivery failed",
    "could not be delivered",
    "nondeliverable",
    "non-delivery",
    "non delivery",
    "delivery notification",
    "mail system error",
    "unzustellbar",
    "nicht zustellbar",
    "non remis",
    "non recapitabile",
    "delivery problem",
    "mail not delivered",
    "message not delivered",
    "rejected",
    "delivery has failed",
    "undelivered",
    "error sending message",
    "mail failure",
    "delivery error",
    "bounce",
    "permanent error",
    "delivery report",
    "not delivered",
};

/* Strong signs that an item is a delivery report (not an auto-reply). */
static gboolean
report_signals(const BounceMessage *m)
{
    if (bounce_from_mailer(m))
        return TRUE;
    if (mime_headers_get(&m->top, "X-Failed-Recipients"))
        return TRUE;
    for (gsize i = 0; i < G_N_ELEMENTS(bounce_subjects); i++)
        if (bounce_subject_has(m, bounce_subjects[i]))
            return TRUE;
    return FALSE;
}

/* Phrases that say "this is a delivery report" whatever the software. */
static const char *const report_phrases[] = {
    "could not be delivered to",
    "was not delivered to",
    "did not reach the following",
    "unable to deliver",
    "delivery to the following",
    "following recipient",
    "following address",
    "failed to deliver",
    "could not deliver",
    "permanent fatal errors",
    "undeliverable to",
    "message could not be delivered",
    "there was an error delivering",
    "wasn't able to deliver",
    "delivery has failed",
    "was undeliverable",
    "not be delivered to",
    "delivery failed for",
    "couldn't be delivered",
    "recipients was rejected",
    "had delivery errors",
    "had delivery problems",
    "could not be sent to",
};

static gboolean
text_has_any(const BounceMessage *m, const char *const *needles, gsize n, gsize limit)
{
    gsize len = MIN(m->text_len, limit);
    for (gsize i = 0; i < n; i++)
        if (bounce_text_find_in(m, m->text, len, needles[i]))
            return TRUE;
    return FALSE;
}

/* Last resort for bounces of unknown shape: a report (by its sender, subject or wording) that
 * names an address next to an SMTP reply or status code, or in a "could not be delivered to"
 * sentence. */
static gboolean
decode_text(BounceMessage *m)
{
    if (m->text_len == 0)
        return FALSE;
    gboolean phrase = text_has_any(m, report_phrases, G_N_ELEMENTS(report_phrases), 8192);
    if (!report_signals(m) && !phrase)
        return FALSE;
    const char *end = bounce_cut_returned(m, NULL);
    bounce_scan_lines(m, m->text, end);
    if (m->n_rcpt == 0)
        bounce_add_list(m, mime_headers_value(m->arena, &m->top, "X-Failed-Recipients"));
    if (m->n_rcpt == 0)
        return FALSE;
    gboolean coded = FALSE;
    for (guint i = 0; i < m->n_rcpt; i++)
        if (m->rcpt[i].reply_code || m->rcpt[i].status)
            coded = TRUE;
    if (!coded) {
        /* a code elsewhere in the report (before the returned message) */
        guint16 code = bounce_find_reply_code(m->text, (gsize)(end - m->text));
        char st[16];
        gboolean has_st = bounce_diagnostic_status(m->text, (gsize)(end - m->text), FALSE, st);
        if (code == 0 && !has_st && !phrase) {
            m->n_rcpt = 0;
            return FALSE;
        }
        if (m->n_rcpt == 1) {
            BounceRecipient *r = &m->rcpt[0];
            r->reply_code = code;
            if (has_st)
                r->status = mime_arena_strndup(m->arena, st, strlen(st));
        }
    }
    return bounce_finish(m);
}

/* A delivery report whose recipients no decoder could read (a broken or truncated DSN): still
 * a bounce; the returned message's To names the recipient if anything does. */
static gboolean
decode_unread(BounceMessage *m)
{
    if (m->report_type && strcmp(m->report_type, "delivery-status") == 0)
        return TRUE;
    return bounce_from_has(m, "mailer-daemon") && report_signals(m) &&
           mime_headers_get(&m->top, "X-Failed-Recipients") != NULL;
}

/* ---- not bounces ---- */

static const char *const autoreply_subjects[] = {
    "out of office",
    "out of the office",
    "automatic reply",
    "auto reply",
    "autoreply",
    "auto-reply",
    "auto response",
    "autoresponse",
    "auto-response",
    "automatic response",
    "vacation",
    "away from",
    "abwesenheit",
    "automatische antwort",
    "réponse automatique",
    "reponse automatique",
    "absence",
    "respuesta automática",
    "respuesta automatica",
    "fuera de la oficina",
    "risposta automatica",
    "fuori sede",
    "automatisch antwoord",
    "afwezig",
    "autosvar",
    "frånvaro",
    "poza biurem",
    "自動応答",
    "自動返信",
    "自动回复",
    "不在",
    "автоответ",
    "office closed",
    "on leave",
    "on holiday",
    "i am away",
    "i'm away",
    "currently away",
};

static gboolean
autoreply_subject(const BounceMessage *m)
{
    if (m->subject == NULL)
        return FALSE;
    if (g_ascii_strncasecmp(m->subject, "Auto:", 5) == 0 ||
        g_ascii_strncasecmp(m->subject, "AW: Auto", 8) == 0)
        return TRUE;
    for (gsize i = 0; i < G_N_ELEMENTS(autoreply_subjects); i++)
        if (bounce_subject_has(m, autoreply_subjects[i]))
            return TRUE;
    return FALSE;
}

static gboolean
header_has(BounceMessage *m, const char *name, const char *needle)
{
    const char *v = bounce_header(m, name);
    return v && (needle == NULL || bounce_text_find_in(m, v, strlen(v), needle) != NULL);
}

/* The sub-type of an item that is no bounce and no complaint. */
static const char *
other_kind(BounceMessage *m, const char *report_type, gboolean has_mdn)
{
    if (has_mdn || (report_type && strcmp(report_type, "disposition-notification") == 0))
        return "read-receipt";
    static const char *const challenge[] = {
        "verify that you are",
        "confirm that you are",
        "prove you are human",
        "please confirm your message",
        "sender verification",
        "challenge-response",
        "to complete delivery, please",
        "click the link below to confirm",
        "whitelist",
        "are you a real person",
        "verify your email address to deliver",
        "confirm you are a human",
        "confirm you are human",
        "not a robot",
    };
    /* NDRs say "Auto-Submitted: auto-replied" too: with a mail system's signs, that alone
     * makes an unread report, not an out-of-office */
    gboolean auto_replied = header_has(m, "Auto-Submitted", "auto-replied") && !report_signals(m);
    gboolean autoreply =
        auto_replied || header_has(m, "X-Autoreply", NULL) ||
        header_has(m, "X-Autorespond", NULL) || header_has(m, "X-Autoresponder", NULL) ||
        header_has(m, "X-Autogenerated", "reply") || header_has(m, "Precedence", "auto_reply") ||
        header_has(m, "X-Precedence", "auto_reply") ||
        header_has(m, "X-MS-Exchange-Inbox-Rules-Loop", NULL) ||
        header_has(m, "X-Apple-Action", "vacation") || header_has(m, "X-Vacation", NULL) ||
        autoreply_subject(m);
    if (header_has(m, "X-Apple-Unsubscribe", "true") ||
        g_ascii_strcasecmp(m->subject, "unsubscribe") == 0)
        return "unsubscribe-request";
    if (header_has(m, "X-Challenge", NULL) || header_has(m, "X-Boxbe-Challenge", NULL) ||
        text_has_any(m, challenge, G_N_ELEMENTS(challenge), 4096) ||
        bounce_subject_has(m, "please confirm") || bounce_subject_has(m, "verification required"))
        return "challenge-response";
    if (autoreply)
        return "auto-reply";
    static const char *const unsub[] = {"unsubscribe", "remove me", "take me off", "austragen",
                                        "abmelden",    "désinscri", "desinscri",   "stop sending",
                                        "opt out",     "opt-out"};
    for (gsize i = 0; i < G_N_ELEMENTS(unsub); i++)
        if (bounce_subject_has(m, unsub[i]))
            return "unsubscribe-request";
    if (text_has_any(m, unsub, G_N_ELEMENTS(unsub), 300))
        return "unsubscribe-request";
    if (header_has(m, "Auto-Submitted", "auto-") || header_has(m, "Precedence", "bulk") ||
        header_has(m, "Precedence", "junk") || header_has(m, "Precedence", "list") ||
        report_signals(m))
        return "auto-generated";
    if (mime_headers_get(&m->top, "In-Reply-To") || mime_headers_get(&m->top, "References") ||
        g_ascii_strncasecmp(m->subject, "Re:", 3) == 0 ||
        g_ascii_strncasecmp(m->subject, "AW:", 3) == 0 ||
        g_ascii_strncasecmp(m->subject, "RE :", 4) == 0 ||
        g_ascii_strncasecmp(m->subject, "SV:", 3) == 0)
        return "human-reply";
    return "unrelated";
}

/* ---- ARF (RFC 5965) ---- */

static const char *
feedback_cause(const char *type)
{
    static const char *const known[] = {"abuse", "fraud",    "virus",
                                        "other", "not-spam", "auth-failure"};
    for (gsize i = 0; i < G_N_ELEMENTS(known); i++)
        if (g_ascii_strcasecmp(type, known[i]) == 0)
            return known[i];
    if (g_ascii_strcasecmp(type, "dkim") == 0 || g_ascii_strcasecmp(type, "spf") == 0)
        return "auth-failure";
    return "other";
}

/* ---- events ---- */

typedef struct {
    const char *message_id; /* of the original message, without <> */
    const char *in_reply_to;
    const char *verp;
    const char *campaign;
    const char *sender;
    const char *returned_to;
    gint64 date;
    MimeHeaders ret; /* returned header block */
    gboolean has_ret;
} ItemInfo;

/* The first <msg-id> in a value (or the bare value), without brackets. */
static const char *
msgid_first(MimeArena *arena, const char *v, gboolean last)
{
    if (v == NULL)
        return NULL;
    const char *lt = last ? strrchr(v, '<') : strchr(v, '<');
    if (lt) {
        const char *gt = strchr(lt, '>');
        if (gt && gt > lt + 1)
            return mime_arena_strndup(arena, lt + 1, (gsize)(gt - lt - 1));
    }
    while (*v == ' ')
        v++;
    const char *e = v;
    while (*e && *e != ' ')
        e++;
    if (e == v || memchr(v, '@', (gsize)(e - v)) == NULL)
        return NULL;
    return mime_arena_strndup(arena, v, (gsize)(e - v));
}

static const char *
address_of(MimeArena *arena, const char *v)
{
    return v ? bounce_address_copy(arena, v, strlen(v)) : NULL;
}

static void
item_info(BounceMessage *m, ItemInfo *info)
{
    memset(info, 0, sizeof *info);
    MimeArena *a = m->arena;
    if (m->returned && mime_headers_parse(a, m->returned, m->returned_len, &info->ret)) {
        info->has_ret = TRUE;
        info->message_id = msgid_first(a, mime_headers_value(a, &info->ret, "Message-ID"), FALSE);
        static const char *const campaign_headers[] = {
            "X-Campaign-ID",
            "X-Campaign",
            "X-CampaignID",
            "X-Campaign-Id",
            "X-Mailer-Campaign",
            "X-Mailer-Campaign-ID",
            "X-Job",
            "X-Mailing-ID",
            "X-Newsletter-ID",
            "X-Mailgun-Campaign-Id",
            "X-MC-Campaign",
        };
        for (gsize i = 0; i < G_N_ELEMENTS(campaign_headers) && !info->campaign; i++) {
            char *v = mime_headers_value(a, &info->ret, campaign_headers[i]);
            if (v && *v)
                info->campaign = v;
        }
        info->sender = address_of(a, mime_headers_value(a, &info->ret, "Return-Path"));
        info->returned_to = mime_headers_value(a, &info->ret, "To");
    }
    if (info->message_id == NULL)
        info->message_id =
            msgid_first(a, mime_headers_value(a, &m->top, "X-Original-Message-ID"), FALSE);
    const char *irt = mime_headers_value(a, &m->top, "In-Reply-To");
    info->in_reply_to = msgid_first(a, irt, FALSE);
    if (m->dsn_sender)
        info->sender = m->dsn_sender;
    if (m->orig_sender)
        info->sender = m->orig_sender;
    if (m->orig_message_id)
        info->message_id = m->orig_message_id;
    static const char *const to_headers[] = {"X-Original-To", "Delivered-To", "Envelope-To",
                                             "X-Envelope-To", "To"};
    for (gsize i = 0; i < G_N_ELEMENTS(to_headers) && !info->verp; i++)
        info->verp = address_of(a, mime_headers_value(a, &m->top, to_headers[i]));
    info->date = time_parse_rfc5322(mime_headers_value(a, &m->top, "Date"));
}

static void
event_common(Event *ev, BounceMessage *m, const ItemInfo *info, guint64 item, const char *detail)
{
    event_init(ev);
    ev->item = (guint32)MIN(item, (guint64)G_MAXUINT32);
    ev->message_id = info->message_id;
    ev->in_reply_to = info->in_reply_to;
    ev->verp = info->verp;
    ev->campaign = info->campaign;
    ev->sender = info->sender;
    ev->subject = m->subject && *m->subject ? m->subject : NULL;
    ev->from_header = m->from && *m->from ? m->from : NULL;
    ev->time = info->date;
    ev->detail = detail;
    ev->reporting_mta = m->reporting_mta;
    ev->queue_id = m->queue_id;
    ev->envid = m->envid;
}

static EventKind
kind_of(const BounceRecipient *r)
{
    if (r->action) {
        if (strcmp(r->action, "delayed") == 0)
            return EVENT_KIND_DELAY_NOTICE;
        if (strcmp(r->action, "delivered") == 0 || strcmp(r->action, "relayed") == 0 ||
            strcmp(r->action, "expanded") == 0)
            return EVENT_KIND_DSN_SUCCESS;
        if (strcmp(r->action, "failed") == 0)
            return EVENT_KIND_BOUNCE;
    }
    if (r->status && r->status[0] == '2')
        return EVENT_KIND_DSN_SUCCESS;
    return EVENT_KIND_BOUNCE;
}

/* The status a bounce reports: the Status field, unless the remote server's own text names a
 * more specific code ("Status: 5.0.0" with "550 5.1.1 ..."; a reporting MTA's 4.4.7 over the
 * remote's "4.7.1"). */
static void
settle_status(BounceMessage *m, BounceRecipient *r)
{
    if (r->diagnostic == NULL)
        return;
    gboolean success = kind_of(r) == EVENT_KIND_DSN_SUCCESS;
    char st[16];
    if (!bounce_diagnostic_status(r->diagnostic, strlen(r->diagnostic), success, st))
        return;
    gboolean generic =
        r->status == NULL || (r->status[2] == '0' && strcmp(r->status + 3, ".0") == 0);
    gboolean specific = strlen(st) == 5 && st[2] != '0' && st[4] != '0';
    if (generic || (specific && strcmp(st, r->status) != 0) || st[0] != r->status[0])
        r->status = mime_arena_strndup(m->arena, st, strlen(st));
}

static void
emit_bounce(ParserContext *ctx, BounceMessage *m, const ItemInfo *info, guint64 item,
            const char *detail)
{
    if (m->n_rcpt == 0) {
        /* recognised but no recipient named: X-Failed-Recipients, else the returned To */
        const char *xf = mime_headers_value(m->arena, &m->top, "X-Failed-Recipients");
        const char *src = xf ? xf : info->returned_to;
        if (src) {
            const char *p = src, *e = src + strlen(src);
            while (p < e) {
                const char *comma = memchr(p, ',', (gsize)(e - p));
                const char *pe = comma ? comma : e;
                const char *as;
                gsize al;
                if (bounce_find_address(p, (gsize)(pe - p), &as, &al))
                    bounce_add(m, as, al);
                p = comma ? comma + 1 : e;
            }
        }
        if (m->n_rcpt == 0)
            bounce_add(m, NULL, 0);
    }
    for (guint i = 0; i < m->n_rcpt; i++) {
        BounceRecipient *r = &m->rcpt[i];
        if (r->diagnostic == NULL && r->status_comment != NULL)
            bounce_set_diagnostic(m, r, r->status_comment, strlen(r->status_comment));
        settle_status(m, r);
        Event ev;
        event_common(&ev, m, info, item, detail);
        ev.kind = kind_of(r);
        ev.vendor_label = m->vendor_label;
        if (m->complaint_type) {
            ev.kind = EVENT_KIND_COMPLAINT;
            ev.cause_hint = feedback_cause(m->complaint_type);
            ev.vendor_label = m->complaint_type;
        }
        ev.recipient = r->address;
        ev.orig_recipient = r->orig;
        ev.reply_code = r->reply_code;
        ev.enhanced = r->status;
        ev.diagnostic = r->diagnostic;
        ev.relay = r->remote_mta;
        if (ev.time == 0)
            ev.time = r->last_attempt ? r->last_attempt : m->arrival;
        parser_context_emit(ctx, &ev);
    }
}

static void
emit_complaint(ParserContext *ctx, BounceMessage *m, ItemInfo *info, guint64 item, const char *fb,
               gsize fb_len)
{
    MimeArena *a = m->arena;
    MimeHeaders f;
    const char *type = "abuse";
    const char *rcpts[16];
    guint n = 0;
    const char *fb_mid = NULL;
    gint64 arrival = 0;
    const char *source_ip = NULL;
    /* the report's fields may start after blank lines */
    while (fb_len > 0 && (*fb == '\n' || *fb == '\r' || *fb == ' ')) {
        fb++;
        fb_len--;
    }
    if (fb && mime_headers_parse(a, fb, fb_len, &f)) {
        const char *t = mime_headers_value(a, &f, "Feedback-Type");
        if (t && *t)
            type = t;
        for (const MimeField *x = mime_headers_next(&f, NULL, "Original-Rcpt-To"); x && n < 16;
             x = mime_headers_next(&f, x, "Original-Rcpt-To")) {
            const char *v = address_of(a, mime_field_value(a, x));
            if (v)
                rcpts[n++] = v;
        }
        if (n == 0) {
            const char *v = address_of(a, mime_headers_value(a, &f, "Removal-Recipient"));
            if (v)
                rcpts[n++] = v;
        }
        arrival = time_parse_rfc5322(mime_headers_value(a, &f, "Arrival-Date"));
        if (arrival == 0)
            arrival = time_parse_rfc5322(mime_headers_value(a, &f, "Received-Date"));
        source_ip = mime_headers_value(a, &f, "Source-IP");
        const char *oe = mime_headers_value(a, &f, "Original-Envelope-Id");
        if (oe && *oe)
            m->envid = oe;
        const char *rm = mime_headers_value(a, &f, "Reporting-MTA");
        if (rm)
            m->reporting_mta = mta_host(a, rm);
        fb_mid = msgid_first(a, mime_headers_value(a, &f, "Original-Message-ID"), FALSE);
        /* the envelope sender of the reported message carries the VERP token; the report
         * itself came to the feedback-loop address */
        const char *mf = address_of(a, mime_headers_value(a, &f, "Original-Mail-From"));
        if (mf) {
            info->sender = mf;
            info->verp = mf;
        }
    }
    if (n == 0 && info->has_ret) {
        /* Microsoft's JMRP: the complaint is the returned message with this header */
        const char *v =
            address_of(a, mime_headers_value(a, &info->ret, "X-HmXmrOriginalRecipient"));
        if (v)
            rcpts[n++] = v;
    }
    if (n == 0 && info->returned_to) {
        const char *p = info->returned_to, *e = p + strlen(p);
        while (p < e && n < 16) {
            const char *comma = memchr(p, ',', (gsize)(e - p));
            const char *pe = comma ? comma : e;
            const char *as;
            gsize al;
            if (bounce_find_address(p, (gsize)(pe - p), &as, &al)) {
                const char *v = bounce_address_copy(a, as, al);
                if (v)
                    rcpts[n++] = v;
            }
            p = comma ? comma + 1 : e;
        }
    }
    if (n == 0)
        rcpts[n++] = NULL;
    for (guint i = 0; i < n; i++) {
        Event ev;
        event_common(&ev, m, info, item, fb ? "arf" : "jmrp");
        ev.kind = EVENT_KIND_COMPLAINT;
        ev.recipient = rcpts[i];
        ev.cause_hint = feedback_cause(type);
        ev.vendor_label = type;
        ev.relay_ip = source_ip;
        if (ev.message_id == NULL)
            ev.message_id = fb_mid;
        if (ev.time == 0)
            ev.time = arrival;
        parser_context_emit(ctx, &ev);
    }
}

static void
emit_other(ParserContext *ctx, BounceMessage *m, const ItemInfo *info, guint64 item,
           const char *sub)
{
    Event ev;
    event_common(&ev, m, info, item, sub);
    ev.kind = EVENT_KIND_OTHER_RECEIVED;
    ev.cause_hint = sub;
    /* the person (or robot) who answered is the recipient of our message; a mail system's
     * address (an unread report) names nobody */
    ev.recipient = m->from_addr && *m->from_addr && !bounce_from_mailer(m) ? m->from_addr : NULL;
    if (ev.message_id == NULL) {
        MimeArena *a = m->arena;
        ev.message_id = info->in_reply_to;
        if (ev.message_id == NULL)
            ev.message_id = msgid_first(a, mime_headers_value(a, &m->top, "References"), TRUE);
    }
    parser_context_emit(ctx, &ev);
}

/* ---- the item ---- */

static const char *
normalise_eol(MimeArena *arena, const char *s, gsize *len)
{
    char *d = mime_arena_alloc(arena, *len + 1);
    gsize o = 0;
    for (gsize i = 0; i < *len; i++) {
        if (s[i] == '\r') {
            d[o++] = '\n';
            if (i + 1 < *len && s[i + 1] == '\n')
                i++;
        } else {
            d[o++] = s[i];
        }
    }
    d[o] = '\0';
    *len = o;
    return d;
}

static gboolean
looks_like_mail(const MimeHeaders *h)
{
    static const char *const names[] = {
        "From",          "To",
        "Subject",       "Date",
        "Received",      "Return-Path",
        "Message-ID",    "Delivered-To",
        "MIME-Version",  "Content-Type",
        "X-Original-To", "Reply-To",
        "Sender",        "X-Failed-Recipients",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
        if (mime_headers_get(h, names[i]))
            return TRUE;
    return FALSE;
}

static void
count_unrecognised(ParserContext *ctx, guint64 item, const char *why, const char *data, gsize len)
{
    gsize n = MIN(len, (gsize)120);
    g_autofree char *text = g_strdup_printf("%s%s%.*s", why, n ? ": " : "", (int)n, data);
    parser_context_count(ctx, "item", item, LINE_UNRECOGNISED, text, strlen(text));
}

LineResult
dsn_decode_item(Dsn *dsn, ParserContext *ctx, const char *data, gsize len, guint64 item,
                gboolean truncated)
{
    MimeArena *a = dsn->arena;
    mime_arena_reset(a);
    if (truncated)
        parser_context_note(ctx,
                            "%s: item %" G_GUINT64_FORMAT " is larger than %d MiB; read "
                            "its first %d MiB only",
                            ctx->name, item, (int)(DSN_MAX_ITEM >> 20), (int)(DSN_MAX_ITEM >> 20));
    const char *p = data, *end = data + len;
    while (p < end && g_ascii_isspace(*p))
        p++;
    if (p == end) {
        count_unrecognised(ctx, item, len ? "blank item" : "empty item", NULL, 0);
        return LINE_UNRECOGNISED;
    }
    if (memchr(p, '\r', (gsize)(end - p))) {
        gsize n = (gsize)(end - p);
        p = normalise_eol(a, p, &n);
        end = p + n;
    }
    if (end - p >= 5 && memcmp(p, "From ", 5) == 0)
        p = bounce_next_line(p, end);
    BounceMessage mm;
    BounceMessage *m = &mm;
    memset(m, 0, sizeof *m);
    m->arena = a;
    if (!mime_headers_parse(a, p, (gsize)(end - p), &m->top) || !looks_like_mail(&m->top)) {
        count_unrecognised(ctx, item, "not a mail message", p, (gsize)(end - p));
        return LINE_UNRECOGNISED;
    }
    if (m->top.flags & MIME_HEADERS_TRUNCATED)
        parser_context_note(ctx,
                            "%s: item %" G_GUINT64_FORMAT ": header block over the limits "
                            "(%d fields, %d KiB); the rest of it skipped",
                            ctx->name, item, MIME_MAX_FIELDS, (int)(MIME_MAX_HEADER_BYTES >> 10));
    m->body = m->top.body;
    m->body_len = m->top.body_len;
    const char *subject = mime_headers_value(a, &m->top, "Subject");
    m->subject = subject ? mime_decode_header_text(a, subject) : "";
    const char *from = mime_headers_value(a, &m->top, "From");
    m->from = from ? mime_decode_header_text(a, from) : "";
    const char *fa = from ? address_of(a, from) : NULL;
    m->from_addr = fa ? fa : "";

    Walk w;
    memset(&w, 0, sizeof w);
    w.m = m;
    walk_entity(&w, &m->top, 0);
    if (!m->has_dsn && w.feedback == NULL && w.inner != NULL) {
        /* a report forwarded or nested inside a message/rfc822 part (RFC 6522 allows it) */
        MimeHeaders ih;
        if (mime_headers_parse(a, w.inner, w.inner_len, &ih)) {
            const char *ct = mime_headers_value(a, &ih, "Content-Type");
            if (ct && bounce_text_find_in(m, ct, strlen(ct), "report")) {
                m->returned = NULL;
                walk_entity(&w, &ih, 1);
            }
        }
    }
    if (w.n_texts == 1) {
        m->text = w.texts[0];
        m->text_len = w.text_lens[0];
    } else if (w.n_texts > 1) {
        char *t = mime_arena_alloc(a, w.text_total + w.n_texts + 1);
        gsize o = 0;
        for (guint i = 0; i < w.n_texts; i++) {
            memcpy(t + o, w.texts[i], w.text_lens[i]);
            o += w.text_lens[i];
            t[o++] = '\n';
        }
        t[o] = '\0';
        m->text = t;
        m->text_len = o;
    } else if (w.html) {
        char *u = mime_to_utf8(a, w.html, w.html_len, w.html_charset, &w.bad_charset);
        m->text = mime_html_to_text(a, u, strlen(u));
        m->text_len = strlen(m->text);
    } else {
        m->text = "";
    }
    if (!m->has_dsn && w.feedback == NULL && m->text_len > 0)
        inline_dsn(m);
    if (w.deep || w.many)
        parser_context_note(ctx,
                            "%s: item %" G_GUINT64_FORMAT ": MIME structure %s; the rest "
                            "of the item skipped",
                            ctx->name, item,
                            w.deep ? "nested deeper than the limit" : "has too many parts");
    if (w.bad_charset)
        parser_context_note(ctx,
                            "%s: item %" G_GUINT64_FORMAT ": unknown charset, text read "
                            "as ISO-8859-1",
                            ctx->name, item);

    ItemInfo info;
    gboolean jmrp = FALSE;
    if (w.feedback == NULL && m->returned) {
        MimeHeaders rh;
        jmrp = mime_headers_parse(a, m->returned, m->returned_len, &rh) &&
               mime_headers_get(&rh, "X-HmXmrOriginalRecipient") != NULL;
    }
    if (w.feedback || jmrp) {
        item_info(m, &info);
        emit_complaint(ctx, m, &info, item, w.feedback, w.feedback_len);
        ctx->stats->items_other++;
        parser_context_count(ctx, "item", item, LINE_USED, NULL, 0);
        return LINE_USED;
    }
    const BounceDecoder *dec = bounce_decoders();
    const char *detail = NULL;
    if (dsn_complete(m)) {
        /* every record has what a text decoder could add: skip to the RFC 3464 decoder */
        while (dec->name && dec->decode != decode_rfc3464)
            dec++;
    }
    for (; dec->name; dec++) {
        if (dec->decode(m)) {
            detail = dec->name;
            break;
        }
        m->n_rcpt = 0;
    }
    item_info(m, &info);
    if (detail) {
        emit_bounce(ctx, m, &info, item, detail);
        if (m->complaint_type)
            ctx->stats->items_other++;
        else
            ctx->stats->items_bounce++;
    } else {
        const char *sub = other_kind(m, w.report_type, w.mdn != NULL);
        emit_other(ctx, m, &info, item, sub);
        ctx->stats->items_other++;
    }
    parser_context_count(ctx, "item", item, LINE_USED, NULL, 0);
    return LINE_USED;
}
