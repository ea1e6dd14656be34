/* Sendmail through syslog ("sendmail"): the sendmail, sm-mta and sm-msp-queue programs.
 *
 *   QID: from=<s>, size=N, class=0, nrcpts=N, msgid=<id>, proto=ESMTP, daemon=MTA, relay=h [ip]
 *   QID: to=<a>,<b>, ctladdr=<c> (uid/gid), delay=HH:MM:SS, xdelay=.., mailer=esmtp, pri=N,
 *        relay=mx. [ip], dsn=2.0.0, [reply=550 ...,] stat=Sent (<next hop id> Message accepted)
 *   QID: NEWQID: DSN: User unknown            (also "return to sender", "sender notify",
 *                                               "postmaster notify")
 *   QID: ruleset=check_rcpt, arg1=<r>, relay=h [ip], reject=550 5.7.1 <r>... Relaying denied
 *
 * Choices: from= -> QUEUED. to= -> one event per listed recipient: stat=Sent -> DELIVERED
 * (related_id = the next hop's id inside "Sent (...)"; mailer local, prog or a file -> LOCAL; a
 * relay on this host with a next-hop id -> CONTENT_FILTER, e.g. sm-msp-queue handing to sm-mta),
 * stat=Deferred -> DEFERRED, stat=queued / quarantined -> no event, any other stat -> FAILED.
 * The diagnostic is reply= when present (the remote server's words), else stat= whole
 * ("Deferred: Connection refused by mx.", "Host unknown (Name server: ...)"); stat then goes to
 * detail. dsn= is the enhanced code. "QID: NEWQID: DSN: text" -> NOTIFICATION (related_id =
 * NEWQID); when the text is sendmail's queue timeout ("Cannot send message for 5 days") an
 * EXPIRED event without recipient follows (the expiry applies to every recipient still
 * pending, as Postfix's "status=expired"). ruleset=/Milter rejections -> REJECTED (detail
 * "smtp-in"). Other sendmail lines are used without events; other programs are skipped. */
#include "parser.h"

#include <string.h>

#include "mta-reply.h"
#include "syslog.h"

#define SENDMAIL_MAX_RCPTS 1000

typedef struct {
    ParserContext *ctx;
    SyslogClock clock;
    char related[MTA_REPLY_ID_MAX];
    MtaReply reply;
} SendmailParser;

/* The "key=value, " fields of one line; NUL-terminated inside the line. */
typedef struct {
    char *from, *size, *nrcpts, *msgid, *proto, *relay;
    char *to, *ctladdr, *delay, *mailer, *dsn, *stat, *reply;
    char *ruleset, *arg1, *reject;
} SendmailFields;

/* Not "postfix/sendmail": Postfix's compatibility command is Postfix's. */
static gboolean
sendmail_program(const char *prog)
{
    return g_str_equal(prog, "sendmail") || g_str_has_prefix(prog, "sm-mta") ||
           g_str_has_prefix(prog, "sm-msp");
}

/* Length of a queue id at s followed by ':' (sendmail 8.12+ "2AO9A0bQ004711", older
 * "AAA04711"), or 0. */
static gsize
sendmail_qid_at(const char *s, const char *end)
{
    const char *p = s;
    while (p < end && g_ascii_isalnum(*p) && p - s < 24)
        p++;
    gsize n = (gsize)(p - s);
    if (n < 6 || n > 20 || p >= end || *p != ':')
        return 0;
    /* at least one digit: excludes words such as "STARTTLS" */
    for (const char *q = s; q < p; q++)
        if (g_ascii_isdigit(*q))
            return n;
    return 0;
}

static inline gboolean
key_char(char c)
{
    return (c >= 'a' && c <= 'z') || c == '_' || (c >= '0' && c <= '9');
}

/* Next ", key=" after p, or NULL. */
static char *
next_field(char *p, char *end)
{
    while (p < end) {
        char *c = memchr(p, ',', (gsize)(end - p));
        if (c == NULL || end - c < 4)
            return NULL;
        if (c[1] == ' ') {
            char *k = c + 2;
            while (k < end && key_char(*k))
                k++;
            if (k > c + 2 && k < end && *k == '=')
                return c;
        }
        p = c + 1;
    }
    return NULL;
}

/* Splits "k=v, k=v, ..., stat=rest" in place. FALSE if s does not start with a key. */
static gboolean
sendmail_fields(char *s, char *end, SendmailFields *f)
{
    memset(f, 0, sizeof *f);
    char *p = s;
    gboolean any = FALSE;
    while (p < end) {
        char *k = p;
        while (k < end && key_char(*k))
            k++;
        if (k == p || k >= end || *k != '=')
            return any;
        gsize klen = (gsize)(k - p);
        char *v = k + 1, *vend, *next;
        if (klen == 4 && memcmp(p, "stat", 4) == 0) {
            vend = end;
            next = end;
        } else {
            char *c = NULL;
            if (klen == 5 && memcmp(p, "reply", 5) == 0) {
                /* reply text may contain ", word=": it runs to ", stat=" */
                c = memmem(v, (gsize)(end - v), ", stat=", 7);
            }
            if (c == NULL)
                c = next_field(v, end);
            vend = c ? c : end;
            next = c ? c + 2 : end;
        }
        *vend = '\0';
        any = TRUE;
#define SM_KEY(name) (klen == sizeof(name) - 1 && memcmp(p, name, sizeof(name) - 1) == 0)
        if (SM_KEY("from"))
            f->from = v;
        else if (SM_KEY("to"))
            f->to = v;
        else if (SM_KEY("size"))
            f->size = v;
        else if (SM_KEY("nrcpts"))
            f->nrcpts = v;
        else if (SM_KEY("msgid"))
            f->msgid = v;
        else if (SM_KEY("proto"))
            f->proto = v;
        else if (SM_KEY("relay"))
            f->relay = v;
        else if (SM_KEY("ctladdr"))
            f->ctladdr = v;
        else if (SM_KEY("delay"))
            f->delay = v;
        else if (SM_KEY("mailer"))
            f->mailer = v;
        else if (SM_KEY("dsn"))
            f->dsn = v;
        else if (SM_KEY("stat"))
            f->stat = v;
        else if (SM_KEY("reply"))
            f->reply = v;
        else if (SM_KEY("ruleset"))
            f->ruleset = v;
        else if (SM_KEY("arg1"))
            f->arg1 = v;
        else if (SM_KEY("reject"))
            f->reject = v;
#undef SM_KEY
        p = next;
    }
    return any;
}

/* "HH:MM:SS" or "D+HH:MM:SS" -> seconds, < 0 if unreadable. */
static gdouble
parse_delay(const char *s)
{
    if (s == NULL)
        return -1.0;
    gint64 days = 0;
    const char *plus = strchr(s, '+');
    if (plus != NULL) {
        days = mta_reply_parse_uint(s);
        if (days < 0)
            return -1.0;
        s = plus + 1;
    }
    int part[3];
    for (int i = 0; i < 3; i++) {
        if (!g_ascii_isdigit(s[0]) || !g_ascii_isdigit(s[1]))
            return -1.0;
        part[i] = (s[0] - '0') * 10 + (s[1] - '0');
        s += 2;
        if (i < 2 && *s++ != ':')
            return -1.0;
    }
    return (gdouble)(days * 86400 + (gint64)part[0] * 3600 + (gint64)part[1] * 60 + part[2]);
}

/* "mx.example. [192.0.2.1]" / "[10.0.0.1] [10.0.0.1]" / "localhost [127.0.0.1] (may be
 * forged)" -> name without the root dot, ip. */
static void
split_relay(char *relay, Event *ev)
{
    if (relay == NULL || *relay == '\0')
        return;
    char *sp = strchr(relay, ' ');
    if (sp != NULL)
        *sp = '\0';
    if (relay[0] == '[') {
        char *close = strchr(relay, ']');
        if (close != NULL) {
            *close = '\0';
            ev->relay_ip = relay + 1;
        }
    } else {
        gsize n = strlen(relay);
        if (n > 1 && relay[n - 1] == '.')
            relay[n - 1] = '\0';
        ev->relay = relay;
    }
    if (sp != NULL && sp[1] == '[') {
        char *ip = sp + 2, *close = strchr(ip, ']');
        if (close != NULL) {
            *close = '\0';
            ev->relay_ip = ip;
        }
    }
}

static gboolean
is_loopback(const Event *ev)
{
    const char *ip = ev->relay_ip, *h = ev->relay;
    return (ip != NULL && (g_str_has_prefix(ip, "127.") || g_str_equal(ip, "::1") ||
                           g_str_equal(ip, "IPv6:::1"))) ||
           (h != NULL && g_str_equal(h, "localhost"));
}

static void
sendmail_from(SendmailParser *p, Event *ev, SendmailFields *f)
{
    ev->kind = EVENT_KIND_QUEUED;
    char *from = mta_reply_strip_angles(f->from);
    ev->sender = from;
    if (from != NULL && *from == '\0')
        ev->attempt_flags |= EVENT_FLAG_NULL_SENDER;
    ev->size = mta_reply_parse_uint(f->size);
    gint64 n = mta_reply_parse_uint(f->nrcpts);
    if (n > 0)
        ev->nrcpt = (guint32)MIN(n, G_MAXUINT32);
    ev->message_id = mta_reply_strip_angles(f->msgid);
    ev->detail = f->proto;
    split_relay(f->relay, ev);
    parser_context_emit(p->ctx, ev);
}

static void
sendmail_to(SendmailParser *p, Event *ev, SendmailFields *f)
{
    const char *stat = f->stat;
    memset(&p->reply, 0, sizeof p->reply);
    if (g_str_has_prefix(stat, "Sent")) {
        ev->kind = EVENT_KIND_DELIVERED;
    } else if (g_str_has_prefix(stat, "Deferred")) {
        ev->kind = EVENT_KIND_DEFERRED;
        ev->permanence = PERMANENCE_TEMPORARY;
    } else if (g_str_has_prefix(stat, "queued") || g_str_has_prefix(stat, "quarantined")) {
        return; /* not an attempt */
    } else {
        ev->kind = EVENT_KIND_FAILED;
        ev->permanence = PERMANENCE_PERMANENT;
    }
    split_relay(f->relay, ev);
    ev->delay = parse_delay(f->delay);
    if (f->dsn != NULL && mta_reply_enhanced_at(f->dsn, f->dsn + strlen(f->dsn)) > 0)
        ev->enhanced = f->dsn;
    const char *mailer = f->mailer;
    if (mailer != NULL && (g_str_equal(mailer, "local") || g_str_equal(mailer, "prog") ||
                           strstr(mailer, "file") != NULL))
        ev->attempt_flags |= EVENT_FLAG_LOCAL;

    if (ev->kind == EVENT_KIND_DELIVERED) {
        /* "Sent (<id> Message accepted for delivery)": the next hop's words */
        const char *open = strchr(stat, '(');
        if (open != NULL) {
            const char *inner = open + 1;
            gsize n = strlen(inner);
            if (n > 0 && inner[n - 1] == ')')
                n--;
            if (mta_reply_next_hop_id(inner, n, p->related, sizeof p->related)) {
                ev->related_id = p->related;
                if (is_loopback(ev))
                    ev->attempt_flags |= EVENT_FLAG_CONTENT_FILTER;
            }
        }
        ev->diagnostic = stat;
    } else if (f->reply != NULL && *f->reply) {
        ev->diagnostic = f->reply;
        ev->detail = stat;
        if (mta_reply_scan(f->reply, strlen(f->reply), &p->reply))
            ev->reply_code = p->reply.code;
    } else {
        ev->diagnostic = stat;
        if (mta_reply_scan(stat, strlen(stat), &p->reply))
            ev->reply_code = p->reply.code;
    }
    if (ev->enhanced == NULL && p->reply.code != 0 && p->reply.enhanced[0])
        ev->enhanced = p->reply.enhanced;

    /* one event per recipient of "to=<a>,<b>" */
    char *list = f->to;
    guint count = 0;
    while (list != NULL && *list && count < SENDMAIL_MAX_RCPTS) {
        char *q = list;
        gboolean in_angle = FALSE, in_quote = FALSE;
        while (*q && (in_angle || in_quote || *q != ',')) {
            if (*q == '"')
                in_quote = !in_quote;
            else if (!in_quote && *q == '<')
                in_angle = TRUE;
            else if (!in_quote && *q == '>')
                in_angle = FALSE;
            q++;
        }
        char *next = *q ? q + 1 : NULL;
        *q = '\0';
        while (*list == ' ')
            list++;
        if (*list) {
            ev->recipient = mta_reply_strip_angles(list);
            parser_context_emit(p->ctx, ev);
            count++;
        }
        list = next;
    }
    if (count == 0) {
        ev->recipient = NULL;
        parser_context_emit(p->ctx, ev);
    }
}

/* "QID: NEWQID: DSN: text" and the other notification kinds. rest points after "QID: ". */
static gboolean
sendmail_dsn(SendmailParser *p, Event *ev, char *rest, char *end)
{
    gsize n = sendmail_qid_at(rest, end);
    if (n == 0 || rest + n + 2 > end || rest[n + 1] != ' ')
        return FALSE;
    char *kind = rest + n + 2;
    static const struct {
        const char *prefix;
        const char *detail;
    } kinds[] = {
        {"DSN: ", "DSN"},
        {"return to sender: ", "return to sender"},
        {"sender notify: ", "sender notify"},
        {"postmaster notify: ", "postmaster notify"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++) {
        gsize pl = strlen(kinds[i].prefix);
        if ((gsize)(end - kind) < pl || memcmp(kind, kinds[i].prefix, pl) != 0)
            continue;
        rest[n] = '\0';
        char *text = kind + pl;
        ev->kind = EVENT_KIND_NOTIFICATION;
        ev->related_id = rest;
        ev->diagnostic = text;
        ev->detail = kinds[i].detail;
        parser_context_emit(p->ctx, ev);
        if (g_str_has_prefix(text, "Cannot send message for")) {
            /* the queue timeout: every recipient still pending expires */
            ev->kind = EVENT_KIND_EXPIRED;
            ev->related_id = NULL;
            ev->detail = NULL;
            ev->permanence = PERMANENCE_PERMANENT;
            parser_context_emit(p->ctx, ev);
        }
        return TRUE;
    }
    return FALSE;
}

/* ruleset=check_rcpt, arg1=<r>, relay=..., reject=550 ...  and
 * Milter: to=<r>, reject=550 ... */
static void
sendmail_reject(SendmailParser *p, Event *ev, SendmailFields *f, Step step, char *addr)
{
    ev->kind = EVENT_KIND_REJECTED;
    ev->detail = "smtp-in";
    ev->step = step;
    if (step != STEP_UNKNOWN)
        ev->step_confidence = CONFIDENCE_EXPLICIT;
    if (step == STEP_RCPT_TO)
        ev->recipient = mta_reply_strip_angles(addr);
    else if (step == STEP_MAIL_FROM)
        ev->sender = mta_reply_strip_angles(addr);
    split_relay(f->relay, ev);
    ev->diagnostic = f->reject;
    if (mta_reply_scan(f->reject, strlen(f->reject), &p->reply)) {
        ev->reply_code = p->reply.code;
        if (p->reply.enhanced[0])
            ev->enhanced = p->reply.enhanced;
        if (p->reply.code >= 400 && p->reply.code < 500)
            ev->permanence = PERMANENCE_TEMPORARY;
        else if (p->reply.code >= 500)
            ev->permanence = PERMANENCE_PERMANENT;
    }
    parser_context_emit(p->ctx, ev);
}

static Step
ruleset_step(const char *ruleset)
{
    if (ruleset == NULL)
        return STEP_UNKNOWN;
    if (g_str_equal(ruleset, "check_rcpt"))
        return STEP_RCPT_TO;
    if (g_str_equal(ruleset, "check_mail"))
        return STEP_MAIL_FROM;
    if (g_str_equal(ruleset, "check_relay"))
        return STEP_CONNECT;
    if (g_str_equal(ruleset, "check_data") || g_str_equal(ruleset, "check_eom") ||
        g_str_equal(ruleset, "check_eoh"))
        return STEP_END_OF_DATA;
    return STEP_UNKNOWN;
}

static LineResult
sendmail_parser_feed_line(gpointer self, char *line, gsize len, guint64 lineno)
{
    SendmailParser *p = self;
    if (len == 0)
        return LINE_SKIPPED;
    SyslogLine sl;
    if (!syslog_parse(&p->clock, line, len, &sl))
        return LINE_UNRECOGNISED;
    if (!sendmail_program(sl.program))
        return LINE_SKIPPED;
    char *s = sl.message, *end = s + sl.message_len;
    Event ev;
    event_init(&ev);
    ev.time = sl.time;
    ev.line = lineno;
    ev.host = sl.host;

    gsize qn = sendmail_qid_at(s, end);
    if (qn == 0) {
        if (end - s > 9 && memcmp(s, "NOQUEUE: ", 9) == 0)
            s += 9;
        else
            return LINE_USED; /* daemon start, STARTTLS=, AUTH=, alias rebuilds ... */
    } else {
        if (s + qn + 1 >= end || s[qn + 1] != ' ')
            return LINE_USED;
        s[qn] = '\0';
        ev.queue_id = s;
        s += qn + 2;
    }
    if (s >= end)
        return LINE_USED;

    if (ev.queue_id != NULL && sendmail_dsn(p, &ev, s, end))
        return LINE_USED;

    gboolean milter = FALSE;
    if (end - s > 8 && memcmp(s, "Milter: ", 8) == 0) {
        milter = TRUE;
        s += 8;
    }
    char *data_kw = NULL;
    if (milter && end - s > 6 && memcmp(s, "data, ", 6) == 0) {
        data_kw = s;
        s += 6;
    }
    SendmailFields f;
    if (!sendmail_fields(s, end, &f))
        return LINE_USED; /* "<a@b>... User unknown", "done", "lost input channel" ... */

    if (f.reject != NULL) {
        if (milter) {
            Step step = data_kw  ? STEP_END_OF_DATA
                        : f.to   ? STEP_RCPT_TO
                        : f.from ? STEP_MAIL_FROM
                                 : STEP_UNKNOWN;
            sendmail_reject(p, &ev, &f, step, f.to ? f.to : f.from);
        } else {
            sendmail_reject(p, &ev, &f, ruleset_step(f.ruleset), f.arg1);
        }
        return LINE_USED;
    }
    if (ev.queue_id == NULL)
        return LINE_USED;
    if (f.from != NULL && f.to == NULL) {
        sendmail_from(p, &ev, &f);
        return LINE_USED;
    }
    if (f.to != NULL && f.stat != NULL) {
        sendmail_to(p, &ev, &f);
        return LINE_USED;
    }
    return LINE_USED;
}

static gpointer
sendmail_parser_new(ParserContext *ctx)
{
    SendmailParser *p = g_new0(SendmailParser, 1);
    p->ctx = ctx;
    syslog_clock_init(&p->clock, ctx->options);
    return p;
}

typedef struct {
    guint lines, syslog, ours;
} SendmailProbe;

static gboolean
sendmail_probe_line(const char *line, gsize len, gpointer data)
{
    SendmailProbe *pr = data;
    if (len == 0)
        return TRUE;
    pr->lines++;
    const char *prog;
    gsize plen;
    if (syslog_peek(line, len, &prog, &plen)) {
        pr->syslog++;
        char name[32];
        gsize n = MIN(plen, sizeof name - 1);
        memcpy(name, prog, n);
        name[n] = '\0';
        if (sendmail_program(name))
            pr->ours++;
    }
    return pr->lines < 100;
}

static guint
sendmail_parser_probe(const char *head, gsize len)
{
    SendmailProbe pr = {0};
    syslog_head_foreach_line(head, len, sendmail_probe_line, &pr);
    if (pr.ours == 0)
        return 0;
    /* a mail.log with sendmail among other programs: sure if sendmail dominates */
    if (pr.ours * 2 >= pr.syslog)
        return 90;
    return 60;
}

const ParserClass sendmail_parser_class = {
    .name = "sendmail",
    .description = "Sendmail syslog lines (sendmail, sm-mta, sm-msp-queue)",
    .probe = sendmail_parser_probe,
    .new = sendmail_parser_new,
    .feed_line = sendmail_parser_feed_line,
    .finish = parser_finish_nothing,
    .free = g_free,
    .probe_needs_syslog = TRUE,
};
