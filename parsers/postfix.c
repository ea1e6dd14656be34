/* Postfix syslog lines -> Events: queueing (pickup, cleanup, qmgr), delivery attempts of every
 * delivery agent, rejections by our own smtpd/cleanup/milters, notifications and queue removal.
 * One pass per line over a writable buffer, no allocation: values are cut in place.
 *
 * Interpretations chosen here (the brief or Postfix left them open):
 * - Instance and host. In "postfix-out/smtp" the service is the last path element. The queue-id
 *   scope is the FIRST element ("postfix-out"): master.cf services with their own syslog_name
 *   ("postfix/submission/smtpd", "postfix/dkimmilter/smtpd", a custom "postfix-out/bulk/smtp")
 *   share the queue of their instance, so splitting them would break the joins of their queue
 *   ids with qmgr/cleanup. Event.host = syslog host, plus "/" + instance unless it is "postfix".
 *   A program is Postfix when its first element starts with "postfix" and it has a '/'.
 * - Lines that only carry per-MX trouble before the next MX is tried ("QID: host H[IP] said:
 *   ...", "refused to talk to me", "lost connection with", "conversation with ... timed out",
 *   "SASL authentication failed; server ...") become EVENT_KIND_SMTP_COMMAND (detail "attempt
 *   on one MX", relay, codes and text): evidence for the timeline, not an attempt outcome. The
 *   outcome is always the "to=<>, ... status=" line that follows.
 * - status -> kind: sent/deliverable -> DELIVERED, deferred/SOFTBOUNCE -> DEFERRED,
 *   bounced/undeliverable* -> FAILED, expired -> EXPIRED. deliverable/undeliverable are
 *   address-verification probes (detail "address-verification"). Other status words: the line
 *   is unrecognised.
 * - diagnostic = the whole text inside the outer parentheses (from the " (" after the status
 *   word to the last ')' of the line, so unbalanced inner parentheses do not matter); a line
 *   cut inside that text still yields its event with the text up to the cut. reply_code is the
 *   3-digit code the text starts with, after a leading "host H[IP] said: " or "refused to talk
 *   to me: ". related_id comes from "queued as ID" (2xx replies) and from local's "forwarded as
 *   ID". relay=none gives no relay; relay=local/virtual/dovecot keep the name; relay_ip is only
 *   set when the bracketed part is an address (not "private/dovecot-lmtp").
 * - Rejections: smtpd "NOQUEUE|QID: reject|milter-reject: CMD from ..." -> REJECTED, detail
 *   "smtpd" (VRFY and ETRN rejections concern no message: LINE_USED only; reject_warning,
 *   discard, filter, hold, redirect: LINE_USED). cleanup "milter-reject" -> detail "milter";
 *   header/body_checks "reject" -> detail "header_checks"/"body_checks", diagnostic = the
 *   optional text after the key-value part, else the matched "header ..." part.
 * - bounce: detail "non-delivery" / "delay" / "success" for notifications to the sender;
 *   "postmaster non-delivery" etc. for the postmaster copies. postsuper "QID: removed" is a
 *   MESSAGE_END too (detail "postsuper"): the queue entry is gone.
 * - cleanup "message-id=<>" still gives a QUEUED event (message_id NULL): it dates the queueing.
 * - What counts as unrecognised: a line without a syslog prefix (garbage, the continuation of a
 *   wrapped line), and a Postfix record we know whose fields cannot be read (a "to=" or "from="
 *   record cut before its status/size, a bounce or pickup record cut short). Any other message
 *   of a Postfix daemon (TLS, connect, warnings, statistics, postscreen ...) is LINE_USED. */
#include "parser.h"
#include "syslog.h"
#include "text-find.h"

#include <string.h>

/* Longest "host/instance" kept; longer instance names are cut. */
#define POSTFIX_HOST_MAX 256
/* Queue ids: short hex (>= 5) or long base-52 (>= 12, with 'z'); never longer than this. */
#define POSTFIX_QID_MAX 32

typedef struct {
    ParserContext *ctx;
    SyslogClock clock;
    guint8 qid_classes[256];
    char host[POSTFIX_HOST_MAX];
} PostfixParser;

typedef enum {
    SVC_OTHER = 0,
    SVC_SMTP,
    SVC_LMTP,
    SVC_LOCAL,
    SVC_VIRTUAL,
    SVC_PIPE,
    SVC_ERROR, /* error, retry, discard */
    SVC_QMGR,
    SVC_CLEANUP,
    SVC_PICKUP,
    SVC_BOUNCE,
    SVC_SMTPD,
    SVC_POSTSUPER,
    SVC_QUIET, /* postscreen, anvil, scache, tlsmgr, master ...: never an event */
} PostfixService;

/* What one line is about, shared by the handlers. */
typedef struct {
    PostfixParser *self;
    guint64 lineno;
    gint64 time;
    const char *host;
    PostfixService service;
} PostfixLine;

#define HAS(p, end, lit)                                                                           \
    ((gsize)((end) - (p)) >= sizeof(lit) - 1 && memcmp((p), (lit), sizeof(lit) - 1) == 0)

static PostfixService
service_of(const char *s, gsize n)
{
#define IS(lit) (n == sizeof(lit) - 1 && memcmp(s, lit, sizeof(lit) - 1) == 0)
    switch (n > 0 ? s[0] : '\0') {
    case 'b':
        if (IS("bounce"))
            return SVC_BOUNCE;
        break;
    case 'c':
        if (IS("cleanup"))
            return SVC_CLEANUP;
        break;
    case 'd':
        if (IS("discard"))
            return SVC_ERROR;
        break;
    case 'e':
        if (IS("error"))
            return SVC_ERROR;
        break;
    case 'l':
        if (IS("lmtp"))
            return SVC_LMTP;
        if (IS("local"))
            return SVC_LOCAL;
        break;
    case 'n':
        if (IS("nqmgr"))
            return SVC_QMGR;
        break;
    case 'o':
        if (IS("oqmgr"))
            return SVC_QMGR;
        break;
    case 'p':
        if (IS("pickup"))
            return SVC_PICKUP;
        if (IS("pipe"))
            return SVC_PIPE;
        if (IS("postsuper"))
            return SVC_POSTSUPER;
        return SVC_QUIET; /* postscreen, postdrop, postmap, postfix-script, postqueue ... */
    case 'q':
        if (IS("qmgr"))
            return SVC_QMGR;
        break;
    case 'r':
        if (IS("retry"))
            return SVC_ERROR;
        break;
    case 's':
        if (IS("smtp"))
            return SVC_SMTP;
        if (IS("smtpd"))
            return SVC_SMTPD;
        break;
    case 'v':
        if (IS("virtual"))
            return SVC_VIRTUAL;
        break;
    default:
        break;
    }
    return SVC_QUIET;
#undef IS
}

/* Length of a queue id at p when it is followed by ": ", else 0. Short ids are upper-case hex;
 * long ids use a vowel-free base-52 alphabet with a 'z' before the inode part, so words such as
 * "warning", "statistics" or "Deleted" are never taken for one. */
enum { QID_ALNUM = 1, QID_NOT_HEX = 2, QID_VOWEL = 4 };

/* Character classes of queue ids, built once per parser (no global mutable state). */
static void
qid_classes_init(guint8 classes[256])
{
    memset(classes, 0, 256);
    for (int c = 0; c < 256; c++) {
        if (!g_ascii_isalnum(c))
            continue;
        classes[c] = QID_ALNUM;
        if (!(g_ascii_isdigit(c) || (c >= 'A' && c <= 'F')))
            classes[c] |= QID_NOT_HEX;
        if (strchr("AEIOUaeiou", c) != NULL)
            classes[c] |= QID_VOWEL;
    }
}

static gsize
queue_id_at(const guint8 classes[256], const char *p, const char *end)
{
    guint seen = 0;
    gboolean z = FALSE;
    const char *q = p;
    while (q < end && q - p <= POSTFIX_QID_MAX) {
        guint c = classes[(guchar)*q];
        if (c == 0)
            break;
        seen |= c;
        z |= *q == 'z' && q > p;
        q++;
    }
    gsize n = (gsize)(q - p);
    if (n > POSTFIX_QID_MAX || end - q < 2 || q[0] != ':' || q[1] != ' ')
        return 0;
    if (!(seen & QID_NOT_HEX) && n >= 5)
        return n;
    if (!(seen & QID_VOWEL) && z && n >= 12)
        return n;
    return 0;
}

static const char *
memmem_lit(const char *p, const char *end, const char *lit, gsize n)
{
    if (p == NULL || p >= end)
        return NULL;
    return text_find(p, (gsize)(end - p), lit, n);
}
#define FIND(p, end, lit) memmem_lit((p), (end), (lit), sizeof(lit) - 1)

/* A basic reply code at p: [2-5]dd followed by ' ', '-' or the end. */
static guint16
reply_code_at(const char *p, const char *end)
{
    if (end - p < 3 || p[0] < '2' || p[0] > '5' || !g_ascii_isdigit(p[1]) || !g_ascii_isdigit(p[2]))
        return 0;
    if (end - p > 3 && p[3] != ' ' && p[3] != '-')
        return 0;
    return (guint16)((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
}

/* Length of an RFC 3463 code "X.Y.Z" at p (X in 2,4,5; Y, Z 1-3 digits), followed by a space,
 * ';' or the end; 0 if none. */
static gsize
enhanced_at(const char *p, const char *end)
{
    const char *q = p;
    if (q >= end || (*q != '2' && *q != '4' && *q != '5'))
        return 0;
    q++;
    for (int part = 0; part < 2; part++) {
        if (q >= end || *q != '.')
            return 0;
        q++;
        const char *d = q;
        while (q < end && g_ascii_isdigit(*q) && q - d < 4)
            q++;
        if (q == d || q - d > 3)
            return 0;
    }
    if (q < end && *q != ' ' && *q != ';' && *q != ',')
        return 0;
    return (gsize)(q - p);
}

/* Reads the codes a reply text starts with ("550 5.1.1 ...", "550-5.1.1 ...", "5.7.1 ...").
 * The enhanced code is copied into enh (NUL-terminated, or "" if none). */
static guint16
reply_codes(const char *p, const char *end, char enh[16])
{
    enh[0] = '\0';
    guint16 code = reply_code_at(p, end);
    if (code)
        p += 4;
    gsize n = p < end ? enhanced_at(p, end) : 0;
    if (n > 0 && n < 16) {
        memcpy(enh, p, n);
        enh[n] = '\0';
    }
    return code;
}

static gsize
copy_bounded(char *dst, gsize size, const char *src, gsize n)
{
    n = MIN(n, size - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
    return n;
}

/* Is s (NUL-terminated) an IPv4 or IPv6 address (loosely: hex digits, '.' and ':')? */
static gboolean
looks_like_ip(const char *s)
{
    if (*s == '\0')
        return FALSE;
    gboolean colon_or_dot = FALSE;
    for (; *s; s++) {
        if (*s == '.' || *s == ':')
            colon_or_dot = TRUE;
        else if (!g_ascii_isxdigit(*s))
            return FALSE;
    }
    return colon_or_dot;
}

static gboolean
is_loopback(const char *relay, const char *ip)
{
    if (ip)
        return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0;
    return relay && g_ascii_strcasecmp(relay, "localhost") == 0;
}

/* Seconds as Postfix writes them ("0.15", "63495"); -1 if not a number. */
static gdouble
parse_seconds(const char *s)
{
    gdouble v = 0;
    int digits = 0;
    for (; g_ascii_isdigit(*s) && digits < 15; s++, digits++)
        v = v * 10 + (*s - '0');
    if (digits == 0)
        return -1.0;
    if (*s == '.') {
        gdouble scale = 0.1;
        for (s++; g_ascii_isdigit(*s); s++, scale /= 10)
            v += (*s - '0') * scale;
    }
    return v;
}

/* Non-negative integer (at most 18 digits), -1 if none. */
static gint64
parse_int(const char *p, const char *end, const char **after)
{
    gint64 v = 0;
    const char *q = p;
    while (q < end && g_ascii_isdigit(*q) && q - p < 18)
        v = v * 10 + (*q++ - '0');
    if (after)
        *after = q;
    return q == p ? -1 : v;
}

static void
line_event(const PostfixLine *pl, Event *ev, EventKind kind)
{
    event_init(ev);
    ev->kind = kind;
    ev->time = pl->time;
    ev->line = pl->lineno;
    ev->host = pl->host;
}

static void
emit(const PostfixLine *pl, Event *ev)
{
    parser_context_emit(pl->self->ctx, ev);
}

/* ---- key=value lists ---------------------------------------------------------------- */

/* One key=value of a list at p. Values in <> lose their brackets; the value is cut in place
 * and the character that followed it is returned in *sep ('\0' at the end of the line). The
 * list separator is ", " (delivery, qmgr: comma) or " " (reject and milter records, where old
 * versions also wrote ", "). Returns the position of the separator, or NULL when p holds no
 * key=value (malformed or cut). */
static char *
next_pair(char *p, char *end, gboolean comma, char **key, gsize *klen, char **value, char *sep)
{
    char *k = p;
    while (p < end && (g_ascii_isalnum(*p) || *p == '_' || *p == '-'))
        p++;
    if (p >= end || *p != '=' || p == k)
        return NULL;
    *key = k;
    *klen = (gsize)(p - k);
    p++;
    char *v = p;
    if (p < end && *p == '<') {
        /* the '>' that ends the value is followed by a separator or the end */
        char *q = p + 1;
        for (;;) {
            q = memchr(q, '>', (gsize)(end - q));
            if (q == NULL)
                return NULL;
            if (q + 1 == end || q[1] == ',' || q[1] == ' ' || q[1] == ':' || q[1] == ';')
                break;
            q++;
        }
        *q = '\0';
        *value = v + 1;
        p = q + 1;
        *sep = p < end ? *p : '\0';
        return p;
    }
    if (comma) {
        char *q = memchr(p, ',', (gsize)(end - p));
        p = q ? q : end;
    } else {
        while (p < end && *p != ',' && *p != ' ')
            p++;
    }
    *sep = p < end ? *p : '\0';
    *p = '\0';
    *value = v;
    return p;
}

/* Skips the separator after a value: ", " or " ". */
static char *
skip_sep(char *p, char *end, char sep)
{
    if (sep == '\0')
        return end;
    if (p < end)
        p++;
    while (p < end && *p == ' ')
        p++;
    return p;
}

/* ---- delivery records ---------------------------------------------------------------- */

typedef struct {
    char *to, *orig_to, *relay, *dsn, *status;
    char *relay_ip;
    gdouble delay;
    char *text, *text_end;
} Delivery;

/* Parses "to=<r>, [orig_to=<o>,] relay=R, [conn_use=N,] delay=D, delays=a/b/c/d, dsn=X.Y.Z,
 * status=S[, returned to sender] (TEXT)" at p. FALSE when the status is missing. */
static gboolean
parse_delivery(char *p, char *end, Delivery *d)
{
    memset(d, 0, sizeof *d);
    d->delay = -1.0;
    while (p < end) {
        if (HAS(p, end, "status=")) {
            char *w = p + 7, *q = w;
            while (q < end && (g_ascii_isalnum(*q) || *q == '-'))
                q++;
            if (q == w)
                return FALSE;
            char *rest = q;
            if (rest < end) {
                /* the text: from the " (" after the status to the last ')' */
                char *open = memchr(rest, '(', (gsize)(end - rest));
                if (open) {
                    char *te = end;
                    while (te > open + 1 && (te[-1] == ' ' || te[-1] == '\t'))
                        te--;
                    if (te > open + 1 && te[-1] == ')')
                        te--;
                    d->text = open + 1;
                    d->text_end = te;
                    *te = '\0';
                }
            }
            *q = '\0';
            d->status = w;
            return d->to != NULL;
        }
        char *key, *value, sep;
        gsize klen;
        char *next = next_pair(p, end, TRUE, &key, &klen, &value, &sep);
        if (next == NULL || (sep != ',' && sep != '\0'))
            return FALSE;
        switch (key[0]) {
        case 't':
            if (klen == 2 && key[1] == 'o')
                d->to = value;
            break;
        case 'o':
            if (klen == 7 && memcmp(key, "orig_to", 7) == 0)
                d->orig_to = value;
            break;
        case 'r':
            if (klen == 5 && memcmp(key, "relay", 5) == 0)
                d->relay = value;
            break;
        case 'd':
            if (klen == 5 && memcmp(key, "delay", 5) == 0)
                d->delay = parse_seconds(value);
            else if (klen == 3 && memcmp(key, "dsn", 3) == 0)
                d->dsn = value;
            break;
        default:
            break;
        }
        p = skip_sep(next, end, sep);
    }
    return FALSE;
}

/* Splits relay "host[ip]:port" in place into host and ip (ip NULL when the bracketed part is
 * not an address); "none" gives NULL. */
static void
split_relay(Delivery *d)
{
    char *r = d->relay;
    if (r == NULL)
        return;
    if (strcmp(r, "none") == 0) {
        d->relay = NULL;
        return;
    }
    char *open = strchr(r, '[');
    if (open == NULL)
        return;
    char *close = strchr(open, ']');
    *open = '\0';
    if (close == NULL)
        return;
    *close = '\0';
    if (looks_like_ip(open + 1))
        d->relay_ip = open + 1;
    if (*r == '\0') /* "[1.2.3.4]:25" */
        d->relay = d->relay_ip;
}

/* The reply inside a delivery text: after "host H[IP] said: " or "... refused to talk to
 * me: ", else the text itself. */
static const char *
reply_start(const char *t, const char *te)
{
    if (HAS(t, te, "host ")) {
        const char *s = FIND(t, te, " said: ");
        if (s)
            return s + 7;
        s = FIND(t, te, " refused to talk to me: ");
        if (s)
            return s + 24;
    }
    return t;
}

/* The queue id after lit ("queued as ") in the text, copied into buf; NULL if none. */
static const char *
id_after(const char *t, const char *te, const char *lit, gsize litlen, char *buf, gsize size)
{
    const char *s = memmem_lit(t, te, lit, litlen);
    if (s == NULL)
        return NULL;
    s += litlen;
    const char *q = s;
    while (q < te && g_ascii_isalnum(*q) && q - s < POSTFIX_QID_MAX)
        q++;
    if (q - s < 5)
        return NULL;
    copy_bounded(buf, size, s, (gsize)(q - s));
    return buf;
}

static LineResult
handle_delivery(const PostfixLine *pl, char *p, char *end, const char *qid)
{
    Delivery d;
    if (!parse_delivery(p, end, &d))
        return LINE_UNRECOGNISED;
    EventKind kind;
    gboolean probe = FALSE;
    const char *s = d.status;
    switch (s[0]) {
    case 's':
        if (strcmp(s, "sent") != 0)
            return LINE_UNRECOGNISED;
        kind = EVENT_KIND_DELIVERED;
        break;
    case 'd':
        if (strcmp(s, "deferred") == 0) {
            kind = EVENT_KIND_DEFERRED;
        } else if (strcmp(s, "deliverable") == 0) {
            kind = EVENT_KIND_DELIVERED;
            probe = TRUE;
        } else {
            return LINE_UNRECOGNISED;
        }
        break;
    case 'b':
        if (strcmp(s, "bounced") != 0)
            return LINE_UNRECOGNISED;
        kind = EVENT_KIND_FAILED;
        break;
    case 'e':
        if (strcmp(s, "expired") != 0)
            return LINE_UNRECOGNISED;
        kind = EVENT_KIND_EXPIRED;
        break;
    case 'u':
        if (strncmp(s, "undeliverable", 13) != 0)
            return LINE_UNRECOGNISED;
        kind = EVENT_KIND_FAILED;
        probe = TRUE;
        break;
    case 'S':
        if (strcmp(s, "SOFTBOUNCE") != 0)
            return LINE_UNRECOGNISED;
        kind = EVENT_KIND_DEFERRED;
        break;
    default:
        return LINE_UNRECOGNISED;
    }
    split_relay(&d);

    Event ev;
    line_event(pl, &ev, kind);
    ev.queue_id = qid;
    ev.recipient = d.to;
    ev.orig_recipient = d.orig_to;
    ev.relay = d.relay;
    ev.relay_ip = d.relay_ip;
    ev.delay = d.delay;
    ev.enhanced = d.dsn;
    if (probe)
        ev.detail = "address-verification";
    if (pl->service == SVC_LOCAL || pl->service == SVC_VIRTUAL || pl->service == SVC_PIPE ||
        pl->service == SVC_LMTP)
        ev.attempt_flags |= EVENT_FLAG_LOCAL;

    char related[POSTFIX_QID_MAX + 1];
    if (d.text) {
        const char *t = d.text, *te = d.text_end;
        ev.diagnostic = t;
        ev.reply_code = reply_code_at(reply_start(t, te), te);
        if (HAS(t, te, "delivery temporarily suspended"))
            ev.attempt_flags |= EVENT_FLAG_NOT_ATTEMPTED;
        if (kind != EVENT_KIND_DELIVERED && FIND(t, te, "may be sent more than once"))
            ev.attempt_flags |= EVENT_FLAG_MAY_DUPLICATE;
        if (kind == EVENT_KIND_DELIVERED && ev.reply_code / 100 == 2) {
            ev.related_id = id_after(t, te, "queued as ", 10, related, sizeof related);
            if (ev.related_id && is_loopback(d.relay, d.relay_ip))
                ev.attempt_flags |= EVENT_FLAG_CONTENT_FILTER;
        } else if (kind == EVENT_KIND_DELIVERED && pl->service == SVC_LOCAL) {
            ev.related_id = id_after(t, te, "forwarded as ", 13, related, sizeof related);
        }
    }
    emit(pl, &ev);
    return LINE_USED;
}

/* "host H[IP] said: ...", "lost connection with H[IP] while ...": trouble with one server
 * before the next is tried. Emits EVENT_KIND_SMTP_COMMAND; FALSE if p is no such line. */
static gboolean
handle_mx_attempt(const PostfixLine *pl, char *p, char *end, const char *qid)
{
    const char *hs; /* where "H[IP]" starts */
    const char *reply = NULL;
    if (HAS(p, end, "host ")) {
        hs = p + 5;
        const char *s = FIND(p, end, " said: ");
        if (s)
            reply = s + 7;
        else if ((s = FIND(p, end, " refused to talk to me: ")) != NULL)
            reply = s + 24;
        else
            return FALSE;
    } else if (HAS(p, end, "lost connection with ")) {
        hs = p + 21;
    } else if (HAS(p, end, "conversation with ")) {
        hs = p + 18;
    } else if (HAS(p, end, "SASL authentication failed; server ")) {
        hs = p + 35;
        const char *s = FIND(p, end, " said: ");
        if (s)
            reply = s + 7;
    } else {
        return FALSE;
    }
    char relay[256], ip[64], enh[16];
    const char *open = memchr(hs, '[', (gsize)(end - hs));
    const char *close = open ? memchr(open, ']', (gsize)(end - open)) : NULL;
    Event ev;
    line_event(pl, &ev, EVENT_KIND_SMTP_COMMAND);
    ev.queue_id = qid;
    ev.detail = "attempt on one MX";
    if (open && close && open - hs < 256) {
        copy_bounded(relay, sizeof relay, hs, (gsize)(open - hs));
        copy_bounded(ip, sizeof ip, open + 1, (gsize)(close - open - 1));
        ev.relay = relay;
        if (looks_like_ip(ip))
            ev.relay_ip = ip;
    }
    if (reply) {
        ev.reply_code = reply_codes(reply, end, enh);
        if (enh[0])
            ev.enhanced = enh;
        ev.diagnostic = reply;
    } else {
        ev.diagnostic = p;
    }
    if (FIND(p, end, "may be sent more than once"))
        ev.attempt_flags |= EVENT_FLAG_MAY_DUPLICATE;
    emit(pl, &ev);
    return TRUE;
}

/* ---- rejections --------------------------------------------------------------------- */

/* Reads the "from=<s> to=<r> proto=P helo=<h>" tail (space or comma separated) at p and an
 * optional ": TEXT" after it (header/body checks). */
static void
parse_envelope_tail(char *p, char *end, const char **from, const char **to, char **text)
{
    while (p < end) {
        char *key, *value, sep;
        gsize klen;
        char *next = next_pair(p, end, FALSE, &key, &klen, &value, &sep);
        if (next == NULL)
            return;
        if (klen == 4 && memcmp(key, "from", 4) == 0)
            *from = value;
        else if (klen == 2 && memcmp(key, "to", 2) == 0)
            *to = value;
        if (sep == ':' || sep == ';') {
            /* the text after the last value (header/body checks) */
            char *t = next + 1;
            while (t < end && *t == ' ')
                t++;
            if (text && t < end)
                *text = t;
            return;
        }
        p = skip_sep(next, end, sep);
    }
}

/* The "; from=<" (or "; to=<", "; proto=") that starts the envelope tail, or NULL. */
static char *
envelope_tail(char *p, char *end)
{
    char *s = (char *)FIND(p, end, "; from=<");
    if (s == NULL)
        s = (char *)FIND(p, end, "; to=<");
    if (s == NULL)
        s = (char *)FIND(p, end, "; proto=");
    return s;
}

/* smtpd "reject: RCPT from H[IP]: 554 5.7.1 <x>: Relay access denied; from=<s> to=<r> ...".
 * p is after "reject: " or "milter-reject: ". */
static LineResult
handle_smtpd_reject(const PostfixLine *pl, char *p, char *end, const char *qid)
{
    char *cmd = p;
    char *sp = memchr(p, ' ', (gsize)(end - p));
    if (sp == NULL || !HAS(sp, end, " from "))
        return LINE_UNRECOGNISED;
    gsize cmdlen = (gsize)(sp - cmd);
    if ((cmdlen == 4 && (memcmp(cmd, "VRFY", 4) == 0 || memcmp(cmd, "ETRN", 4) == 0)))
        return LINE_USED;
    char *client = sp + 6;
    /* the client ends at "]: " (H[IP], [IP]:port) or ": " (local) */
    char *text = (char *)FIND(client, end, "]: ");
    if (text)
        text += 3;
    else if ((text = (char *)FIND(client, end, ": ")) != NULL)
        text += 2;
    else
        return LINE_UNRECOGNISED;
    char *tail = envelope_tail(text, end);
    char *text_end = tail ? tail : end;
    const char *from = NULL, *to = NULL;
    if (tail)
        parse_envelope_tail(tail + 2, end, &from, &to, NULL);
    *text_end = '\0';

    char enh[16];
    Event ev;
    line_event(pl, &ev, EVENT_KIND_REJECTED);
    ev.queue_id = qid;
    ev.sender = from;
    ev.recipient = to;
    ev.reply_code = reply_codes(text, text_end, enh);
    if (enh[0])
        ev.enhanced = enh;
    ev.diagnostic = text;
    ev.detail = "smtpd";
    emit(pl, &ev);
    return LINE_USED;
}

/* cleanup "milter-reject: END-OF-MESSAGE from H[IP]: 5.7.1 text; from=<> to=<> ..." and
 * header/body checks "reject: header Subject: x from H[IP]; from=<> to=<> ...: 5.7.1 text". */
static LineResult
handle_cleanup_reject(const PostfixLine *pl, char *p, char *end, const char *qid, gboolean milter)
{
    const char *detail = "milter";
    char *text, *text_end;
    const char *from = NULL, *to = NULL;
    char *tail = envelope_tail(p, end);
    if (milter) {
        char *t = (char *)FIND(p, end, "]: ");
        if (t && (tail == NULL || t < tail))
            text = t + 3;
        else if ((t = (char *)FIND(p, end, ": ")) != NULL && (tail == NULL || t < tail))
            text = t + 2;
        else
            text = p;
        text_end = tail ? tail : end;
        if (tail)
            parse_envelope_tail(tail + 2, end, &from, &to, NULL);
        *text_end = '\0';
    } else {
        if (HAS(p, end, "header "))
            detail = "header_checks";
        else if (HAS(p, end, "body "))
            detail = "body_checks";
        else
            detail = "cleanup";
        char *after = NULL;
        if (tail)
            parse_envelope_tail(tail + 2, end, &from, &to, &after);
        if (after) {
            text = after;
            text_end = end;
        } else {
            text = p;
            text_end = tail ? tail : end;
            *text_end = '\0';
        }
    }
    char enh[16];
    Event ev;
    line_event(pl, &ev, EVENT_KIND_REJECTED);
    ev.queue_id = qid;
    ev.sender = from;
    ev.recipient = to;
    ev.reply_code = reply_codes(text, text_end, enh);
    if (enh[0])
        ev.enhanced = enh;
    ev.diagnostic = text;
    ev.detail = detail;
    emit(pl, &ev);
    return LINE_USED;
}

/* ---- per service -------------------------------------------------------------------- */

static LineResult
handle_agent(const PostfixLine *pl, char *p, char *end, const char *qid)
{
    if (qid == NULL)
        return LINE_USED; /* connect to ..., TLS, warnings: not tied to a message */
    if (HAS(p, end, "to="))
        return handle_delivery(pl, p, end, qid);
    if (pl->service == SVC_SMTP || pl->service == SVC_LMTP)
        handle_mx_attempt(pl, p, end, qid);
    return LINE_USED;
}

static LineResult
handle_qmgr(const PostfixLine *pl, char *p, char *end, const char *qid)
{
    if (qid == NULL)
        return LINE_USED;
    if (HAS(p, end, "removed") && end - p == 7) {
        Event ev;
        line_event(pl, &ev, EVENT_KIND_MESSAGE_END);
        ev.queue_id = qid;
        emit(pl, &ev);
        return LINE_USED;
    }
    if (HAS(p, end, "to="))
        return handle_delivery(pl, p, end, qid);
    if (!HAS(p, end, "from="))
        return LINE_USED; /* skipped, still being delivered */

    const char *sender = NULL;
    gint64 size = -1, nrcpt = -1;
    while (p < end) {
        if (HAS(p, end, "status=expired")) {
            if (sender == NULL)
                return LINE_UNRECOGNISED;
            Event ev;
            line_event(pl, &ev, EVENT_KIND_EXPIRED);
            ev.queue_id = qid;
            ev.sender = sender;
            if (*sender == '\0')
                ev.attempt_flags |= EVENT_FLAG_NULL_SENDER;
            /* "returned to sender" is the text Postfix gives */
            char *t = p + 14;
            while (t < end && (*t == ',' || *t == ' '))
                t++;
            if (t < end)
                ev.diagnostic = t;
            emit(pl, &ev);
            return LINE_USED;
        }
        char *key, *value, sep;
        gsize klen;
        char *next = next_pair(p, end, TRUE, &key, &klen, &value, &sep);
        if (next == NULL)
            return LINE_UNRECOGNISED;
        if (klen == 4 && memcmp(key, "from", 4) == 0) {
            sender = value;
        } else if (klen == 4 && memcmp(key, "size", 4) == 0) {
            size = parse_int(value, value + strlen(value), NULL);
        } else if (klen == 5 && memcmp(key, "nrcpt", 5) == 0) {
            /* "1 (queue active)" */
            const char *after;
            nrcpt = parse_int(value, value + strlen(value), &after);
            if (nrcpt < 0 || !HAS(after, value + strlen(value), " (queue active)"))
                return LINE_UNRECOGNISED;
            break;
        }
        p = skip_sep(next, end, sep);
    }
    if (sender == NULL || nrcpt < 0)
        return LINE_UNRECOGNISED;
    Event ev;
    line_event(pl, &ev, EVENT_KIND_QUEUED);
    ev.queue_id = qid;
    ev.sender = sender;
    ev.size = size;
    ev.nrcpt = (guint32)MIN(nrcpt, (gint64)G_MAXUINT32);
    if (*sender == '\0')
        ev.attempt_flags |= EVENT_FLAG_NULL_SENDER;
    emit(pl, &ev);
    return LINE_USED;
}

static LineResult
handle_cleanup(const PostfixLine *pl, char *p, char *end, const char *qid)
{
    if (qid == NULL)
        return LINE_USED;
    if (HAS(p, end, "message-id=")) {
        char *v = p + 11, *ve = end;
        if (v < ve && *v == '<') {
            v++;
            if (ve > v && ve[-1] == '>')
                ve--;
        }
        *ve = '\0';
        Event ev;
        line_event(pl, &ev, EVENT_KIND_QUEUED);
        ev.queue_id = qid;
        ev.message_id = *v ? v : NULL;
        emit(pl, &ev);
        return LINE_USED;
    }
    if (HAS(p, end, "milter-reject: "))
        return handle_cleanup_reject(pl, p + 15, end, qid, TRUE);
    if (HAS(p, end, "reject: "))
        return handle_cleanup_reject(pl, p + 8, end, qid, FALSE);
    return LINE_USED; /* warning/info/hold/discard/prepend/replace/redirect/milter-* ... */
}

static LineResult
handle_smtpd(const PostfixLine *pl, char *p, char *end, const char *qid)
{
    if (HAS(p, end, "reject: "))
        return handle_smtpd_reject(pl, p + 8, end, qid);
    if (HAS(p, end, "milter-reject: "))
        return handle_smtpd_reject(pl, p + 15, end, qid);
    return LINE_USED;
}

static LineResult
handle_bounce(const PostfixLine *pl, char *p, char *end, const char *qid)
{
    if (qid == NULL)
        return LINE_USED;
    gboolean postmaster;
    if (HAS(p, end, "sender "))
        postmaster = FALSE, p += 7;
    else if (HAS(p, end, "postmaster "))
        postmaster = TRUE, p += 11;
    else
        return LINE_USED;
    const char *what;
    if (HAS(p, end, "non-delivery notification: "))
        what = postmaster ? "postmaster non-delivery" : "non-delivery", p += 27;
    else if (HAS(p, end, "delay notification: "))
        what = postmaster ? "postmaster delay" : "delay", p += 20;
    else if (HAS(p, end, "delivery status notification: "))
        what = postmaster ? "postmaster success" : "success", p += 30;
    else
        return LINE_UNRECOGNISED;
    gsize n = (gsize)(end - p);
    if (n == 0 || n > POSTFIX_QID_MAX)
        return LINE_UNRECOGNISED;
    for (gsize i = 0; i < n; i++)
        if (!g_ascii_isalnum(p[i]))
            return LINE_UNRECOGNISED;
    Event ev;
    line_event(pl, &ev, EVENT_KIND_NOTIFICATION);
    ev.queue_id = qid;
    ev.related_id = p;
    ev.detail = what;
    emit(pl, &ev);
    return LINE_USED;
}

static LineResult
handle_pickup(const PostfixLine *pl, char *p, char *end, const char *qid)
{
    if (qid == NULL || !HAS(p, end, "uid="))
        return LINE_USED;
    char *f = (char *)FIND(p, end, " from=<");
    if (f == NULL || end[-1] != '>')
        return LINE_UNRECOGNISED;
    end[-1] = '\0';
    Event ev;
    line_event(pl, &ev, EVENT_KIND_QUEUED);
    ev.queue_id = qid;
    ev.sender = f + 7;
    if (*ev.sender == '\0')
        ev.attempt_flags |= EVENT_FLAG_NULL_SENDER;
    emit(pl, &ev);
    return LINE_USED;
}

static LineResult
handle_postsuper(const PostfixLine *pl, char *p, char *end, const char *qid)
{
    if (qid && end - p == 7 && HAS(p, end, "removed")) {
        Event ev;
        line_event(pl, &ev, EVENT_KIND_MESSAGE_END);
        ev.queue_id = qid;
        ev.detail = "postsuper";
        emit(pl, &ev);
    }
    return LINE_USED;
}

/* ---- the ParserClass ---------------------------------------------------------------- */

/* The host scope of queue ids: "mta1" or "mta1/postfix-out" (instance cut at its '/'). */
static const char *
scope_host(PostfixParser *self, const char *host, const char *instance, gsize ilen)
{
    if (ilen == 7 && memcmp(instance, "postfix", 7) == 0)
        return host;
    gsize hl = strlen(host);
    if (hl + 1 + ilen + 1 > sizeof self->host) {
        if (hl + 2 >= sizeof self->host)
            return host;
        ilen = sizeof self->host - hl - 2;
    }
    memcpy(self->host, host, hl);
    self->host[hl] = '/';
    memcpy(self->host + hl + 1, instance, ilen);
    self->host[hl + 1 + ilen] = '\0';
    return self->host;
}

static LineResult
postfix_parser_feed_line(gpointer data, char *line, gsize len, guint64 lineno)
{
    PostfixParser *self = data;
    gsize i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i == len)
        return LINE_SKIPPED;

    SyslogLine sl;
    if (!syslog_parse(&self->clock, line, len, &sl))
        return LINE_UNRECOGNISED;
    const char *prog = sl.program;
    if (strncmp(prog, "postfix", 7) != 0)
        return LINE_SKIPPED;
    const char *first = strchr(prog, '/');
    if (first == NULL)
        return LINE_SKIPPED;
    const char *svc = strrchr(prog, '/') + 1;

    PostfixLine pl = {
        .self = self,
        .lineno = lineno,
        .time = sl.time,
        .host = scope_host(self, sl.host, prog, (gsize)(first - prog)),
        .service = service_of(svc, strlen(svc)),
    };
    char *p = sl.message, *end = sl.message + sl.message_len;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *end = '\0';
    if (pl.service == SVC_QUIET)
        return LINE_USED;

    /* the queue id (or NOQUEUE) this message is about */
    char *qid = NULL;
    gsize n = queue_id_at(self->qid_classes, p, end);
    if (n > 0) {
        qid = p;
        p[n] = '\0';
        p += n + 2;
    } else if (HAS(p, end, "NOQUEUE: ")) {
        p += 9;
    }

    switch (pl.service) {
    case SVC_SMTP:
    case SVC_LMTP:
    case SVC_LOCAL:
    case SVC_VIRTUAL:
    case SVC_PIPE:
    case SVC_ERROR:
        return handle_agent(&pl, p, end, qid);
    case SVC_QMGR:
        return handle_qmgr(&pl, p, end, qid);
    case SVC_CLEANUP:
        return handle_cleanup(&pl, p, end, qid);
    case SVC_SMTPD:
        return handle_smtpd(&pl, p, end, qid);
    case SVC_BOUNCE:
        return handle_bounce(&pl, p, end, qid);
    case SVC_PICKUP:
        return handle_pickup(&pl, p, end, qid);
    case SVC_POSTSUPER:
        return handle_postsuper(&pl, p, end, qid);
    case SVC_QUIET:
    case SVC_OTHER:
        break;
    }
    return LINE_USED;
}

typedef struct {
    guint lines, syslog, postfix;
} PostfixProbe;

static gboolean
probe_line(const char *line, gsize len, gpointer data)
{
    PostfixProbe *pr = data;
    if (len == 0)
        return TRUE;
    pr->lines++;
    const char *prog;
    gsize plen;
    if (syslog_peek(line, len, &prog, &plen)) {
        pr->syslog++;
        if (plen > 8 && memcmp(prog, "postfix", 7) == 0 && memchr(prog, '/', plen) != NULL)
            pr->postfix++;
    }
    return pr->lines < 200;
}

static guint
postfix_parser_probe(const char *head, gsize len)
{
    PostfixProbe pr = {0};
    syslog_head_foreach_line(head, len, probe_line, &pr);
    if (pr.postfix == 0 || pr.lines == 0)
        return 0;
    /* 60 for a single Postfix line in a busy syslog, up to 95 for a pure Postfix log */
    return 60 + 35 * pr.postfix / pr.lines;
}

static gpointer
postfix_parser_new(ParserContext *ctx)
{
    PostfixParser *self = g_new0(PostfixParser, 1);
    self->ctx = ctx;
    syslog_clock_init(&self->clock, ctx->options);
    qid_classes_init(self->qid_classes);
    return self;
}

const ParserClass postfix_parser_class = {
    .name = "postfix",
    .description = "Postfix syslog (mail.log, maillog; classic or RFC 3339 timestamps)",
    .probe = postfix_parser_probe,
    .new = postfix_parser_new,
    .feed_line = postfix_parser_feed_line,
    .feed_block = NULL,
    .finish = parser_finish_nothing,
    .free = g_free,
    .probe_needs_syslog = TRUE,
};
