/* OpenSMTPD through syslog ("opensmtpd"): smtpd[pid] lines.
 *
 * 6.x "brief" log, one session id (16 hex digits) then subsystem, event and key=value pairs:
 *   5df87c903d709659 smtp message msgid=c405e39a size=303 nrcpt=1 proto=ESMTP
 *   5df87c9ffd0e785d mta delivery evpid=f6e94209918f7e7b from=<a@b> to=<c@d> rcpt=<->
 *       source="192.0.2.30" relay="203.0.113.5 (mx.example)" delay=2s result="Ok" stat="250 ..."
 *   5df87c9250bba470 mda delivery evpid=... user=u delay=0s result=Ok stat=Delivered
 *   5df87c903d709659 smtp failed-command command="RCPT TO:<x@y>" result="550 Invalid recipient"
 * Older and queue-side lines:
 *   relay: Ok for f6e94209918f7e7b: from=<a@b>, to=<c@d>, rcpt=<x>, relay=mx [ip] delay=2s, stat=..
 *   delivery: TempFail for ...: from=<..>, to=<..>, user=u, method=mbox, delay=1s, stat=..
 *   relay: Expire for ...: from=<..>, to=<..>, rcpt=<->, delay=4d, stat=Envelope expired
 *
 * Choices: the queue id is the message id (the first 8 hex digits of the envelope id), which is
 * also what OpenSMTPD puts in its own "250 2.0.0 <msgid> Message accepted for delivery" reply, so
 * the previous hop's related_id finds it. "smtp message" -> QUEUED (size, nrcpt, proto in
 * detail); "smtp envelope" is used without an event (deliveries repeat sender and recipient).
 * result Ok -> DELIVERED (mda: LOCAL; a loopback relay with a next-hop id: CONTENT_FILTER),
 * TempFail -> DEFERRED, PermFail -> FAILED, Expire -> EXPIRED, Remove -> MESSAGE_END; stat is the
 * diagnostic with its codes; to= is the recipient and rcpt= (when not "-") the original one.
 * "smtp failed-command" -> REJECTED (detail "smtp-in", step from the command). "mta error
 * reason=..." is remembered for its session: a TempFail/PermFail of that session whose stat is
 * the generic "Network error on destination MXs" gets the reason as diagnostic (and the stat
 * as detail). "mta connecting", "smtp connected" ... are used without events; other programs
 * are skipped. */
#include "parser.h"

#include <string.h>

#include "mta-reply.h"
#include "syslog.h"

/* The last "mta error" of a few recent sessions: a delivery of the same session that failed
 * with OpenSMTPD's generic "Network error on destination MXs" gets the real reason. */
#define OPENSMTPD_ERRORS 8
#define OPENSMTPD_ERROR_MAX 200

typedef struct {
    char session[17];
    char reason[OPENSMTPD_ERROR_MAX];
} OpensmtpdSessionError;

typedef struct {
    ParserContext *ctx;
    SyslogClock clock;
    char queue_id[9];
    char related[MTA_REPLY_ID_MAX];
    MtaReply reply;
    OpensmtpdSessionError errors[OPENSMTPD_ERRORS];
    guint next_error;
} OpensmtpdParser;

typedef struct {
    char *evpid, *from, *to, *rcpt, *relay, *delay, *result, *stat, *user;
    char *msgid, *size, *nrcpt, *proto, *command;
} OpensmtpdFields;

static gboolean
hex_run(const char *s, const char *end, gsize n)
{
    if ((gsize)(end - s) < n)
        return FALSE;
    for (gsize i = 0; i < n; i++)
        if (!g_ascii_isxdigit(s[i]))
            return FALSE;
    return TRUE;
}

static inline gboolean
key_char(char c)
{
    return (c >= 'a' && c <= 'z') || c == '_' || c == '-';
}

/* Does a "key=" start at p? */
static gboolean
key_at(const char *p, const char *end)
{
    const char *k = p;
    while (k < end && key_char(*k))
        k++;
    return k > p && k < end && *k == '=';
}

static void
store(OpensmtpdFields *f, const char *key, gsize klen, char *value)
{
#define OS_KEY(name) (klen == sizeof(name) - 1 && memcmp(key, name, sizeof(name) - 1) == 0)
    if (OS_KEY("evpid"))
        f->evpid = value;
    else if (OS_KEY("from"))
        f->from = value;
    else if (OS_KEY("to"))
        f->to = value;
    else if (OS_KEY("rcpt"))
        f->rcpt = value;
    else if (OS_KEY("relay"))
        f->relay = value;
    else if (OS_KEY("delay"))
        f->delay = value;
    else if (OS_KEY("result"))
        f->result = value;
    else if (OS_KEY("stat"))
        f->stat = value;
    else if (OS_KEY("user"))
        f->user = value;
    else if (OS_KEY("msgid"))
        f->msgid = value;
    else if (OS_KEY("size"))
        f->size = value;
    else if (OS_KEY("nrcpt") || OS_KEY("nrcpts"))
        f->nrcpt = value;
    else if (OS_KEY("proto"))
        f->proto = value;
    else if (OS_KEY("command"))
        f->command = value;
#undef OS_KEY
}

/* Space-separated key=value pairs; a quoted value ends at a quote followed by end or by
 * " key=" (OpenSMTPD does not escape quotes inside). */
static void
opensmtpd_pairs(char *p, char *end, OpensmtpdFields *f)
{
    while (p < end) {
        while (p < end && *p == ' ')
            p++;
        char *k = p;
        while (k < end && key_char(*k))
            k++;
        if (k == p || k >= end || *k != '=') {
            char *sp = memchr(p, ' ', (gsize)(end - p));
            p = sp ? sp : end;
            continue;
        }
        char *v = k + 1, *vend, *next;
        if (v < end && *v == '"') {
            v++;
            char *q = v;
            vend = NULL;
            while ((q = memchr(q, '"', (gsize)(end - q))) != NULL) {
                if (q + 1 == end || (q[1] == ' ' && key_at(q + 2, end))) {
                    vend = q;
                    break;
                }
                q++;
            }
            if (vend == NULL)
                vend = end;
            next = vend < end ? vend + 1 : end;
        } else {
            vend = memchr(v, ' ', (gsize)(end - v));
            if (vend == NULL)
                vend = end;
            next = vend < end ? vend + 1 : end;
        }
        *vend = '\0';
        store(f, p, (gsize)(k - p), v);
        p = next;
    }
}

/* "from=<a>, to=<b>, rcpt=<c>, relay=host [ip] delay=2s, stat=text" (older lines). */
static void
opensmtpd_old_pairs(char *p, char *end, OpensmtpdFields *f)
{
    char *stat = memmem(p, (gsize)(end - p), ", stat=", 7);
    if (stat != NULL) {
        *stat = '\0';
        f->stat = stat + 7;
        end = stat;
    }
    while (p < end) {
        while (p < end && (*p == ' ' || *p == ','))
            p++;
        char *k = p;
        while (k < end && key_char(*k))
            k++;
        if (k == p || k >= end || *k != '=')
            return;
        char *v = k + 1;
        gsize klen = (gsize)(k - p);
        char *vend;
        if (klen == 5 && memcmp(p, "relay", 5) == 0) {
            /* "relay=mx.example.com [192.0.2.1] delay=2s," */
            vend = memmem(v, (gsize)(end - v), " delay=", 7);
            if (vend == NULL)
                vend = memchr(v, ',', (gsize)(end - v));
        } else {
            vend = memchr(v, ',', (gsize)(end - v));
        }
        if (vend == NULL)
            vend = end;
        char *next = vend < end ? vend + 1 : end;
        *vend = '\0';
        store(f, p, klen, v);
        p = next;
    }
}

/* "1d2h3m4s" -> seconds, < 0 if unreadable. */
static gdouble
parse_duration(const char *s)
{
    if (s == NULL || !g_ascii_isdigit(*s))
        return -1.0;
    gint64 total = 0, v = 0;
    for (; *s; s++) {
        if (g_ascii_isdigit(*s)) {
            if (v > G_MAXINT64 / 100)
                return -1.0;
            v = v * 10 + (*s - '0');
            continue;
        }
        gint64 unit;
        switch (*s) {
        case 'w':
            unit = (gint64)7 * 86400;
            break;
        case 'd':
            unit = 86400;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'm':
            unit = 60;
            break;
        case 's':
            unit = 1;
            break;
        default:
            return -1.0;
        }
        if (v > G_MAXINT64 / unit / 2)
            return -1.0;
        total += v * unit;
        v = 0;
    }
    return (gdouble)(total + v);
}

/* "203.0.113.5 (mx.example.net)" (6.x) or "mx.example.net [203.0.113.5]" (older). */
static void
split_relay(char *relay, Event *ev)
{
    if (relay == NULL || *relay == '\0')
        return;
    char *sp = strchr(relay, ' ');
    if (sp == NULL) {
        ev->relay_ip = relay;
        return;
    }
    *sp = '\0';
    char *second = sp + 1;
    gsize n = strlen(second);
    if (n >= 2 && second[0] == '(' && second[n - 1] == ')') {
        second[n - 1] = '\0';
        ev->relay_ip = relay;
        ev->relay = second + 1;
    } else if (n >= 2 && second[0] == '[' && second[n - 1] == ']') {
        second[n - 1] = '\0';
        ev->relay = relay;
        ev->relay_ip = second + 1;
    } else {
        ev->relay = relay;
    }
}

static gboolean
is_loopback(const Event *ev)
{
    const char *ip = ev->relay_ip;
    return ip != NULL && (g_str_has_prefix(ip, "127.") || g_str_equal(ip, "::1"));
}

/* A delivery line. kind is decided by the caller from result= or the old prefix. */
static LineResult
opensmtpd_delivery(OpensmtpdParser *p, Event *ev, OpensmtpdFields *f, EventKind kind,
                   gboolean local)
{
    const char *evpid = f->evpid;
    if (evpid == NULL || !hex_run(evpid, evpid + strlen(evpid), 16) || evpid[16] != '\0')
        return LINE_UNRECOGNISED;
    memcpy(p->queue_id, evpid, 8);
    p->queue_id[8] = '\0';
    ev->queue_id = p->queue_id;
    ev->kind = kind;
    char *from = mta_reply_strip_angles(f->from);
    ev->sender = from;
    if (from != NULL && *from == '\0')
        ev->attempt_flags |= EVENT_FLAG_NULL_SENDER;
    ev->recipient = mta_reply_strip_angles(f->to);
    char *rcpt = mta_reply_strip_angles(f->rcpt);
    if (rcpt != NULL && *rcpt && !g_str_equal(rcpt, "-") &&
        (ev->recipient == NULL || !g_str_equal(rcpt, ev->recipient)))
        ev->orig_recipient = rcpt;
    split_relay(f->relay, ev);
    ev->delay = parse_duration(f->delay);
    if (local)
        ev->attempt_flags |= EVENT_FLAG_LOCAL;
    if (kind == EVENT_KIND_DEFERRED)
        ev->permanence = PERMANENCE_TEMPORARY;
    else if (kind == EVENT_KIND_FAILED || kind == EVENT_KIND_EXPIRED)
        ev->permanence = PERMANENCE_PERMANENT;
    if (f->stat != NULL && *f->stat) {
        gsize n = strlen(f->stat);
        ev->diagnostic = f->stat;
        if (mta_reply_scan(f->stat, n, &p->reply)) {
            ev->reply_code = p->reply.code;
            if (p->reply.enhanced[0])
                ev->enhanced = p->reply.enhanced;
        }
        if (kind == EVENT_KIND_DELIVERED &&
            mta_reply_next_hop_id(f->stat, n, p->related, sizeof p->related)) {
            ev->related_id = p->related;
            if (is_loopback(ev))
                ev->attempt_flags |= EVENT_FLAG_CONTENT_FILTER;
        }
    }
    if (kind == EVENT_KIND_MESSAGE_END)
        ev->detail = "removed by administrator";
    /* detail may already hold the generic stat that an "mta error" reason replaced */
    parser_context_emit(p->ctx, ev);
    return LINE_USED;
}

static EventKind
result_kind(const char *result)
{
    if (result == NULL)
        return EVENT_KIND_NONE;
    if (g_str_equal(result, "Ok"))
        return EVENT_KIND_DELIVERED;
    if (g_str_equal(result, "TempFail"))
        return EVENT_KIND_DEFERRED;
    if (g_str_equal(result, "PermFail") || g_str_equal(result, "Loop"))
        return EVENT_KIND_FAILED;
    if (g_str_equal(result, "Expire"))
        return EVENT_KIND_EXPIRED;
    if (g_str_equal(result, "Remove"))
        return EVENT_KIND_MESSAGE_END;
    return EVENT_KIND_NONE;
}

/* smtp failed-command command="RCPT TO:<x@y>" result="550 Invalid recipient" */
static void
opensmtpd_failed_command(OpensmtpdParser *p, Event *ev, OpensmtpdFields *f)
{
    char *cmd = f->command;
    if (cmd == NULL)
        return;
    static const struct {
        const char *verb;
        Step step;
    } verbs[] = {
        {"RCPT TO", STEP_RCPT_TO},  {"MAIL FROM", STEP_MAIL_FROM}, {"DATA", STEP_DATA},
        {"BDAT", STEP_END_OF_DATA}, {".", STEP_END_OF_DATA},       {"EHLO", STEP_HELO},
        {"HELO", STEP_HELO},        {"AUTH", STEP_HELO},           {"STARTTLS", STEP_TLS},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(verbs); i++) {
        gsize n = strlen(verbs[i].verb);
        if (g_ascii_strncasecmp(cmd, verbs[i].verb, n) != 0)
            continue;
        ev->step = verbs[i].step;
        ev->step_confidence = CONFIDENCE_EXPLICIT;
        break;
    }
    char *lt = strchr(cmd, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    if (lt != NULL && gt != NULL && (ev->step == STEP_RCPT_TO || ev->step == STEP_MAIL_FROM)) {
        *gt = '\0'; /* the command itself is not kept: result= is the diagnostic */
        if (ev->step == STEP_RCPT_TO)
            ev->recipient = lt + 1;
        else
            ev->sender = lt + 1;
    }
    ev->kind = EVENT_KIND_REJECTED;
    ev->detail = "smtp-in";
    if (f->result != NULL) {
        ev->diagnostic = f->result;
        if (mta_reply_scan(f->result, strlen(f->result), &p->reply)) {
            ev->reply_code = p->reply.code;
            if (p->reply.enhanced[0])
                ev->enhanced = p->reply.enhanced;
            ev->permanence = p->reply.code < 500 ? PERMANENCE_TEMPORARY : PERMANENCE_PERMANENT;
        }
    }
    parser_context_emit(p->ctx, ev);
}

static LineResult
opensmtpd_parser_feed_line(gpointer self, char *line, gsize len, guint64 lineno)
{
    OpensmtpdParser *p = self;
    if (len == 0)
        return LINE_SKIPPED;
    SyslogLine sl;
    if (!syslog_parse(&p->clock, line, len, &sl))
        return LINE_UNRECOGNISED;
    if (!g_str_equal(sl.program, "smtpd"))
        return LINE_SKIPPED;
    char *s = sl.message, *end = s + sl.message_len;
    Event ev;
    event_init(&ev);
    ev.time = sl.time;
    ev.line = lineno;
    ev.host = sl.host;
    memset(&p->reply, 0, sizeof p->reply);
    OpensmtpdFields f = {0};

    if (hex_run(s, end, 16) && end - s > 17 && s[16] == ' ') {
        /* "<session> <subsystem> <event> key=value ..." */
        char *sub = s + 17;
        char *sp = memchr(sub, ' ', (gsize)(end - sub));
        if (sp == NULL)
            return LINE_USED;
        char *event = sp + 1;
        char *sp2 = memchr(event, ' ', (gsize)(end - event));
        char *args = sp2 ? sp2 + 1 : end;
        gsize sublen = (gsize)(sp - sub);
        gsize evlen = (gsize)((sp2 ? sp2 : end) - event);
        gboolean mta = sublen == 3 && memcmp(sub, "mta", 3) == 0;
        gboolean mda = sublen == 3 && memcmp(sub, "mda", 3) == 0;
        gboolean smtp = sublen == 4 && memcmp(sub, "smtp", 4) == 0;
        if ((mta || mda) && evlen == 8 && memcmp(event, "delivery", 8) == 0) {
            opensmtpd_pairs(args, end, &f);
            EventKind kind = result_kind(f.result);
            if (kind == EVENT_KIND_NONE)
                return LINE_UNRECOGNISED;
            if (mta && kind != EVENT_KIND_DELIVERED && f.stat != NULL &&
                g_str_has_prefix(f.stat, "Network error")) {
                for (guint i = 0; i < OPENSMTPD_ERRORS; i++)
                    if (memcmp(p->errors[i].session, s, 16) == 0 && p->errors[i].reason[0]) {
                        ev.detail = f.stat;
                        f.stat = p->errors[i].reason;
                        break;
                    }
            }
            return opensmtpd_delivery(p, &ev, &f, kind, mda);
        }
        if (smtp && evlen == 7 && memcmp(event, "message", 7) == 0) {
            opensmtpd_pairs(args, end, &f);
            if (f.msgid == NULL || strlen(f.msgid) != 8 || !hex_run(f.msgid, f.msgid + 8, 8))
                return LINE_UNRECOGNISED;
            ev.kind = EVENT_KIND_QUEUED;
            ev.queue_id = f.msgid;
            ev.size = mta_reply_parse_uint(f.size);
            gint64 n = mta_reply_parse_uint(f.nrcpt);
            if (n > 0)
                ev.nrcpt = (guint32)MIN(n, G_MAXUINT32);
            ev.detail = f.proto;
            parser_context_emit(p->ctx, &ev);
            return LINE_USED;
        }
        if (mta && evlen == 5 && memcmp(event, "error", 5) == 0) {
            /* "mta error reason=IO Error: Connection refused" (the reason runs to the end) */
            if (end - args > 7 && memcmp(args, "reason=", 7) == 0) {
                OpensmtpdSessionError *se = &p->errors[p->next_error++ % OPENSMTPD_ERRORS];
                memcpy(se->session, s, 16);
                se->session[16] = '\0';
                g_strlcpy(se->reason, args + 7,
                          MIN((gsize)(end - args - 7) + 1, sizeof se->reason));
            }
            return LINE_USED;
        }
        if (smtp && evlen == 14 && memcmp(event, "failed-command", 14) == 0) {
            opensmtpd_pairs(args, end, &f);
            opensmtpd_failed_command(p, &ev, &f);
            return LINE_USED;
        }
        return LINE_USED; /* connected, tls, envelope, disconnected, mta connecting/error ... */
    }

    /* "relay: Ok for <evpid>: ..." / "delivery: TempFail for <evpid>: ..." */
    gboolean relay = end - s > 7 && memcmp(s, "relay: ", 7) == 0;
    gboolean delivery = end - s > 10 && memcmp(s, "delivery: ", 10) == 0;
    if (relay || delivery) {
        char *res = s + (relay ? 7 : 10);
        char *for_ = memmem(res, (gsize)(end - res), " for ", 5);
        if (for_ == NULL)
            return LINE_UNRECOGNISED;
        *for_ = '\0';
        char *evpid = for_ + 5;
        if (!hex_run(evpid, end, 16) || end - evpid < 18 || evpid[16] != ':')
            return LINE_UNRECOGNISED;
        evpid[16] = '\0';
        EventKind kind = result_kind(res);
        if (kind == EVENT_KIND_NONE)
            return LINE_UNRECOGNISED;
        opensmtpd_old_pairs(evpid + 17, end, &f);
        f.evpid = evpid;
        return opensmtpd_delivery(p, &ev, &f, kind, delivery);
    }
    return LINE_USED; /* smtp-in:, smtp-out:, info:, warn: ... */
}

static gpointer
opensmtpd_parser_new(ParserContext *ctx)
{
    OpensmtpdParser *p = g_new0(OpensmtpdParser, 1);
    p->ctx = ctx;
    syslog_clock_init(&p->clock, ctx->options);
    return p;
}

typedef struct {
    guint lines, syslog, ours, sessions;
} OpensmtpdProbe;

static gboolean
opensmtpd_probe_line(const char *line, gsize len, gpointer data)
{
    OpensmtpdProbe *pr = data;
    if (len == 0)
        return TRUE;
    pr->lines++;
    const char *prog;
    gsize plen;
    if (syslog_peek(line, len, &prog, &plen)) {
        pr->syslog++;
        if (plen == 5 && memcmp(prog, "smtpd", 5) == 0) {
            pr->ours++;
            /* "smtpd[pid]: 5df87c903d709659 smtp ..." */
            const char *m = memmem(prog, (gsize)(line + len - prog), ": ", 2);
            if (m != NULL && hex_run(m + 2, line + len, 16))
                pr->sessions++;
        }
    }
    return pr->lines < 100;
}

static guint
opensmtpd_parser_probe(const char *head, gsize len)
{
    OpensmtpdProbe pr = {0};
    syslog_head_foreach_line(head, len, opensmtpd_probe_line, &pr);
    if (pr.ours == 0)
        return 0;
    if (pr.ours * 2 >= pr.syslog)
        return pr.sessions > 0 ? 90 : 75;
    return 55;
}

const ParserClass opensmtpd_parser_class = {
    .name = "opensmtpd",
    .description = "OpenSMTPD syslog lines (smtpd: smtp/mta/mda events, relay:/delivery: lines)",
    .probe = opensmtpd_parser_probe,
    .new = opensmtpd_parser_new,
    .feed_line = opensmtpd_parser_feed_line,
    .finish = parser_finish_nothing,
    .free = g_free,
    .probe_needs_syslog = TRUE,
};
