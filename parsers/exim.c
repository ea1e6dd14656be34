/* Exim main log ("exim"): one line per arrival, delivery, deferral and failure, in the file
 * Exim writes itself or through syslog (exim[pid]: ...).
 *
 * Line:   YYYY-MM-DD HH:MM:SS[.fff] [+zone] [[pid]] [ID] <text>
 * IDs:    the 16-character form "1rAbCd-0001Xy-Ab" and the 23-character form of Exim 4.97+
 *         "1rAbCd-000000005Xy-ABCD"; both are checked exactly, so neither is misread.
 *
 * Choices (what each line becomes):
 * - "<=" arrival -> QUEUED (sender, id= Message-ID, S= size, H= client, P= protocol in detail,
 *   T= subject, nrcpt = the "for" list). A bounce "<= <> R=parent" is QUEUED with
 *   related_id = parent, plus NOTIFICATION for the parent with related_id = the bounce's id.
 * - "=>" and "->" (another address of the same delivery) -> DELIVERED; "*>" (-N) -> DELIVERED
 *   with detail "suppressed (-N)". C= is the diagnostic (reply and enhanced code taken from it)
 *   and its "queued as X" / "id=X" is the next hop's id (related_id). No H= -> EVENT_FLAG_LOCAL.
 * - "**" -> FAILED, or EXPIRED for "retry timeout exceeded" and the "failing for a long time"
 *   texts; "==" -> DEFERRED, with EVENT_FLAG_NOT_ATTEMPTED for "retry time not reached". The
 *   error text after the fields is kept whole as the diagnostic. The step is set (explicit)
 *   only where Exim names the SMTP command: "SMTP error from remote mail server after RCPT
 *   TO:<..>:", "SMTP timeout after ...", "... in response to ...".
 * - Recipient: the address as delivered; when Exim shows the original in <...> that is
 *   orig_recipient, and it becomes the recipient when the delivered "address" is not one
 *   (a local part, a file, a pipe, :blackhole:).
 * - "Completed" -> MESSAGE_END. "rejected RCPT <r>" / "rejected MAIL <s>" / "rejected after
 *   DATA" -> REJECTED (detail "smtp-in", step rcpt-to / mail-from / end-of-data, temporary when
 *   "temporarily rejected").
 * - Every other line with an Exim timestamp (queue runs, connections, frozen, Spool file is
 *   locked, TLS and DKIM notes ...) is LINE_USED without an event; indented lines continue the
 *   entry before them. A flagged line whose address cannot be read is LINE_UNRECOGNISED.
 * - Host (the scope of queue ids): the syslog host, or for a log file its name without
 *   directories, compression and rotation suffixes and a "mainlog" suffix ("shop1-mainlog.1.gz"
 *   -> "shop1"). */
#include "parser.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "mta-reply.h"
#include "text-find.h"
#include "syslog.h"
#include "timeutil.h"

#define EXIM_HOST_MAX 64
#define EXIM_TEXT_MAX 256

typedef struct {
    ParserContext *ctx;
    SyslogClock clock;
    char host[EXIM_HOST_MAX];
    char hour_text[13]; /* cache: "YYYY-MM-DD HH" of the last line ... */
    gint64 hour_local;  /* ... that hour read as UTC, in seconds ... */
    gint64 hour_utc;    /* ... and read in the stream's time zone, in µs */
    char second_text[19]; /* cache: "YYYY-MM-DD HH:MM:SS" of the last line without fraction
                             or offset ... */
    gint64 second_utc;    /* ... and its time */
    gboolean in_entry;  /* the last line was an Exim line (for continuation lines) */
    /* per-line scratch: strings that must not be cut out of the diagnostic in place */
    char related[MTA_REPLY_ID_MAX];
    char relay[EXIM_TEXT_MAX];
    char relay_ip[64];
    MtaReply reply;
} EximParser;

/* What the fields of one line say. Pointers are NUL-terminated inside the line. */
typedef struct {
    char *addr;    /* first address after the flag */
    char *orig;    /* <original address> */
    char *host;    /* H= name */
    char *ip;      /* H= [ip] */
    char *confirm; /* C= */
    char *sender;  /* F=<..> */
    char *msgid;   /* id= */
    char *size;    /* S= */
    char *proto;   /* P= */
    char *subject; /* T= on arrivals */
    char *parent;  /* R= on arrivals */
    char *message; /* error text of ** and == lines (not cut) */
    char *message_end;
    guint32 nrcpt; /* "for a b c" on arrivals */
} EximFields;

/* --- message ids ------------------------------------------------------------------------ */

#if !defined(__SSE2__)
static inline gboolean
base62_run(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!g_ascii_isalnum(s[i]))
            return FALSE;
    return TRUE;
}
#endif

/* Length of an Exim message id at s (16 or 23), 0 if none. The id must be followed by end or
 * a space (or end at end). */
#if defined(__SSE2__)
/* A bit for each of the sixteen bytes at s that is an ASCII letter or digit. */
static inline guint
alnum_mask16(const char *s)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    /* signed compares: bytes >= 0x80 are negative and fail both ranges */
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
    __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                                   _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));
    return (guint)_mm_movemask_epi8(_mm_or_si128(digit, letter));
}
#endif

static gsize
exim_id_at(const char *s, const char *end)
{
    gssize avail = end - s;
#if defined(__SSE2__)
    /* every line starts with an id or not: its sixteen bytes checked at once */
    if (avail >= 16 && s[6] == '-') {
        guint m = alnum_mask16(s);
        if ((m & 0x003F) != 0x003F) /* 0-5 */
            return 0;
        if (s[13] == '-' && (m & 0xDF80) == 0xDF80 && (avail == 16 || s[16] == ' '))
            return 16; /* 7-12 and 14-15 */
        /* 7-15, then 16-17 and 19-22 (bits 9, 10 and 12-15 from s + 7) */
        if (avail >= 23 && s[18] == '-' && (m & 0xFF80) == 0xFF80 &&
            (alnum_mask16(s + 7) & 0xF600) == 0xF600 && (avail == 23 || s[23] == ' '))
            return 23;
    }
    return 0;
#else
    if (avail >= 16 && s[6] == '-' && base62_run(s, 6)) {
        if (s[13] == '-' && base62_run(s + 7, 6) && base62_run(s + 14, 2) &&
            (avail == 16 || s[16] == ' '))
            return 16;
        if (avail >= 23 && s[18] == '-' && base62_run(s + 7, 11) && base62_run(s + 19, 4) &&
            (avail == 23 || s[23] == ' '))
            return 23;
    }
    return 0;
#endif
}

/* --- time ------------------------------------------------------------------------------- */

static inline int
dig2(const char *s)
{
    if (!g_ascii_isdigit(s[0]) || !g_ascii_isdigit(s[1]))
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Parses "YYYY-MM-DD HH:MM:SS[.frac][ ±HHMM] " at s. Returns the position after the space that
 * follows, or NULL. The date and hour are checked and converted once per hour of log. */
static char *
exim_parse_time(EximParser *p, char *s, char *end, gint64 *out)
{
    if (end - s < 20 || s[13] != ':' || s[16] != ':')
        return NULL;
    /* lines come many to a second: the same second as the line before, read once */
    if (s[19] == ' ' && (end - s < 21 || (s[20] != '+' && s[20] != '-')) &&
        memcmp(s, p->second_text, sizeof p->second_text) == 0) {
        *out = p->second_utc;
        return s + 20;
    }
    if (memcmp(s, p->hour_text, sizeof p->hour_text) != 0) {
        if (s[4] != '-' || s[7] != '-' || s[10] != ' ')
            return NULL;
        int y1 = dig2(s), y2 = dig2(s + 2), mo = dig2(s + 5), d = dig2(s + 8), h = dig2(s + 11);
        if (y1 < 0 || y2 < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23)
            return NULL;
        int y = y1 * 100 + y2;
        memcpy(p->hour_text, s, sizeof p->hour_text);
        p->hour_local = time_days_from_civil(y, mo, d) * 86400 + (gint64)h * 3600;
        p->hour_utc =
            time_from_local(p->ctx->options ? p->ctx->options->tz : NULL, y, mo, d, h, 0, 0);
    }
    int mi = dig2(s + 14), sec = dig2(s + 17);
    if (mi < 0 || mi > 59 || sec < 0 || sec > 60)
        return NULL;
    if (sec == 60)
        sec = 59;
    char *q = s + 19;
    gint64 frac = 0;
    if (*q == '.') {
        int nd = 0;
        for (q++; q < end && g_ascii_isdigit(*q); q++)
            if (nd < 6) {
                frac = frac * 10 + (*q - '0');
                nd++;
            }
        for (; nd < 6; nd++)
            frac *= 10;
    }
    if (q >= end || *q != ' ')
        return NULL;
    gint64 t;
    if (end - q >= 7 && (q[1] == '+' || q[1] == '-') && q[6] == ' ' && dig2(q + 2) >= 0 &&
        dig2(q + 4) >= 0) {
        /* log_timezone: the offset is written after the time */
        gint64 offset = (gint64)dig2(q + 2) * 3600 + (gint64)dig2(q + 4) * 60;
        if (q[1] == '-')
            offset = -offset;
        t = (p->hour_local + (gint64)mi * 60 + sec - offset) * G_USEC_PER_SEC;
        q += 6;
    } else {
        t = p->hour_utc + (gint64)(mi * 60 + sec) * G_USEC_PER_SEC;
        if (q == s + 19) {
            memcpy(p->second_text, s, sizeof p->second_text);
            p->second_utc = t;
        }
    }
    *out = t + frac;
    return q + 1;
}

/* --- tokens ----------------------------------------------------------------------------- */

static inline char *
skip_spaces(char *p, char *end)
{
    while (p < end && *p == ' ')
        p++;
    return p;
}

static inline gboolean
is_key_char(char c)
{
    return g_ascii_isalnum(c) || c == '_';
}

static inline char *
token_end(char *p, char *end)
{
#if defined(__SSE2__)
    /* most tokens end within sixteen bytes: found there without a call */
    if (end - p >= 16) {
        guint m = (guint)_mm_movemask_epi8(_mm_cmpeq_epi8(
            _mm_loadu_si128((const __m128i *)(const void *)p), _mm_set1_epi8(' ')));
        if (m)
            return p + __builtin_ctz(m);
        p += 16;
    }
#endif
    char *e = memchr(p, ' ', (gsize)(end - p));
    return e ? e : end;
}

/* Reads a double-quoted value starting at the quote q; unescapes \" and \\ in place and
 * NUL-terminates it. Returns the position after the closing quote (end if unterminated) and
 * the value in *value. */
static char *
read_quoted(char *q, char *end, char **value)
{
    char *r = q + 1, *w = q + 1;
    *value = w;
    /* the usual case: no backslash before the closing quote */
    char *close = memchr(r, '"', (gsize)(end - r));
    if (close != NULL && memchr(r, '\\', (gsize)(close - r)) == NULL) {
        *close = '\0';
        return close + 1;
    }
    while (r < end && *r != '"') {
        if (*r == '\\' && r + 1 < end && (r[1] == '"' || r[1] == '\\'))
            r++;
        *w++ = *r++;
    }
    char *after = r < end ? r + 1 : end;
    *w = '\0';
    return after;
}

/* Reads an address token at p (a quoted local part may contain spaces). Returns its end. */
static char *
address_end(char *p, char *end)
{
    if (*p == '"') {
        char *q = p + 1;
        while (q < end && *q != '"') {
            if (*q == '\\' && q + 1 < end)
                q++;
            q++;
        }
        if (q < end)
            return token_end(q, end);
    }
    return token_end(p, end);
}

/* H=name (helo) [ip]:port  /  H=(helo) [ip]  /  H=[ip]  /  H=name. p points after "H=".
 * Returns the position after the field; *colon is set when the field ends with ':' (the error
 * text of ** and == lines follows). */
static char *
read_host(char *p, char *end, EximFields *f, gboolean *colon)
{
    *colon = FALSE;
    char *e = token_end(p, end);
    if (*p != '(' && *p != '[') {
        char *name_end = e;
        if (name_end > p && name_end[-1] == ':' && (name_end == end || *name_end == ' ')) {
            *colon = TRUE;
            name_end--;
        }
        f->host = p;
        *name_end = '\0';
        if (*colon || e >= end)
            return e;
        p = skip_spaces(e + 1, end);
    }
    for (;;) {
        if (p >= end)
            return p;
        if (*p == '(') {
            char *close = memchr(p, ')', (gsize)(end - p));
            if (close == NULL)
                return end;
            char *after = close + 1;
            if (after < end && *after != ' ') {
                e = token_end(after, end);
                return e;
            }
            p = skip_spaces(after, end);
            continue;
        }
        if (*p == '[') {
            char *close = memchr(p, ']', (gsize)(end - p));
            e = token_end(p, end);
            if (close == NULL || close > e)
                return e;
            f->ip = p + 1;
            /* "]:port", "]*", "]:" (error text follows) */
            if (e[-1] == ':' && e - 1 > close)
                *colon = TRUE;
            *close = '\0';
            return e;
        }
        /* something else: not part of H= */
        return p;
    }
}

/* Parses "key=value" tokens and the address extras up to the end or, when want_message, up
 * to the error text. arrival selects the meaning of T= (subject) and R= (parent id). */
static void
exim_parse_fields(char *p, char *end, EximFields *f, gboolean want_message, gboolean arrival)
{
    gboolean in_for = FALSE;
    for (;;) {
        p = skip_spaces(p, end);
        if (p >= end)
            return;
        if (want_message && *p == ':' && (p + 1 == end || p[1] == ' ')) {
            f->message = skip_spaces(p + 1, end);
            f->message_end = end;
            return;
        }
        char *e = token_end(p, end);
        if (in_for) {
            f->nrcpt++;
            p = e;
            continue;
        }
        /* key=value? (keys have one or two letters, but any length is read) */
        char *k = p;
        if (e - p >= 2 && p[1] == '=' && is_key_char(p[0]))
            k = p + 1;
        else
            while (k < e && is_key_char(*k))
                k++;
        if (k > p && k < e && *k == '=') {
            gsize klen = (gsize)(k - p);
            char *v = k + 1;
            if (klen == 1 && *p == 'H') {
                gboolean colon;
                p = read_host(v, end, f, &colon);
                if (colon && want_message) {
                    f->message = skip_spaces(p, end);
                    f->message_end = end;
                    return;
                }
                continue;
            }
            char *value, *next;
            if (v < end && *v == '"') {
                next = read_quoted(v, end, &value);
            } else {
                value = v;
                next = e < end ? e + 1 : end;
                if (want_message && e > v && e[-1] == ':') {
                    /* "T=remote_smtp: error text": store the value, then stop */
                    e[-1] = '\0';
                    f->message = skip_spaces(next, end);
                    f->message_end = end;
                }
                *e = '\0';
            }
            char key = klen == 1 ? *p : '\0';
            switch (key) {
            case 'C':
                f->confirm = value;
                break;
            case 'F':
                f->sender = value;
                break;
            case 'S':
                f->size = value;
                break;
            case 'P':
                if (arrival)
                    f->proto = value;
                break;
            case 'T':
                if (arrival)
                    f->subject = value;
                break;
            case 'R':
                if (arrival)
                    f->parent = value;
                break;
            default:
                if (klen == 2 && p[0] == 'i' && p[1] == 'd')
                    f->msgid = value;
                break;
            }
            if (f->message != NULL)
                return;
            p = next;
            continue;
        }
        if (*p == '<' && f->orig == NULL && !arrival) {
            /* <original>; a quoted local part may hold spaces and '>' */
            gboolean quoted = FALSE;
            char *gt = p + 1;
            for (; gt < end && (quoted || *gt != '>'); gt++)
                if (*gt == '"')
                    quoted = !quoted;
            if (gt < end) {
                e = token_end(gt, end);
                f->orig = p + 1;
                *gt = '\0';
                if (want_message && gt + 1 < end && gt[1] == ':') {
                    f->message = skip_spaces(e, end);
                    f->message_end = end;
                    return;
                }
            }
            p = e;
            continue;
        }
        if (*p == '(') {
            /* (parent address) or (helo): may contain spaces */
            char *close = memchr(p, ')', (gsize)(end - p));
            p = close ? close + 1 : end;
            continue;
        }
        if (arrival && e - p == 3 && memcmp(p, "for", 3) == 0) {
            in_for = TRUE;
            p = e;
            continue;
        }
        if (want_message && e[-1] == ':') {
            f->message = skip_spaces(e, end);
            f->message_end = end;
            return;
        }
        p = e;
    }
}

/* --- events ----------------------------------------------------------------------------- */

/* "<a@b>" -> "a@b" in place. */
static inline gboolean
is_address(const char *a)
{
    return a != NULL && *a != '/' && *a != '|' && *a != ':' && strchr(a, '@') != NULL;
}

/* The step Exim names in "SMTP error from remote mail server after RCPT TO:<..>:" and
 * similar fixed phrases, or STEP_UNKNOWN. */
static Step
exim_step_from_text(const char *text, const char *end)
{
    static const struct {
        const char *phrase;
        gsize len;
    } phrases[] = {
        {"remote mail server after ", 25},
        {"SMTP timeout after ", 19},
        {"in response to ", 15},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(phrases); i++) {
        const char *p = text_find(text, (gsize)(end - text), phrases[i].phrase, phrases[i].len);
        if (p == NULL)
            continue;
        p += phrases[i].len;
        gsize n = (gsize)(end - p);
        if (n >= 10 && memcmp(p, "pipelined ", 10) == 0) {
            p += 10;
            n -= 10;
        }
#define EXIM_STARTS(s) (n >= sizeof(s) - 1 && memcmp(p, s, sizeof(s) - 1) == 0)
        if (EXIM_STARTS("RCPT TO"))
            return STEP_RCPT_TO;
        if (EXIM_STARTS("MAIL FROM"))
            return STEP_MAIL_FROM;
        if (EXIM_STARTS("end of data") || EXIM_STARTS("BDAT"))
            return STEP_END_OF_DATA;
        if (EXIM_STARTS("DATA"))
            return STEP_DATA;
        if (EXIM_STARTS("initial connection") || EXIM_STARTS("connection"))
            return STEP_GREETING;
        if (EXIM_STARTS("EHLO") || EXIM_STARTS("HELO") || EXIM_STARTS("LHLO") ||
            EXIM_STARTS("AUTH"))
            return STEP_HELO;
        if (EXIM_STARTS("STARTTLS"))
            return STEP_TLS;
#undef EXIM_STARTS
    }
    return STEP_UNKNOWN;
}

/* "host NAME [IP]" inside an error text (older Exim writes the host there). */
static void
exim_host_from_text(EximParser *p, const char *text, const char *end, Event *ev)
{
    for (const char *h = text; (h = text_find(h, (gsize)(end - h), "host ", 5)) != NULL; h += 5) {
        if (h != text && h[-1] != ' ')
            continue;
        const char *name = h + 5, *ne = name;
        while (ne < end && *ne != ' ' && *ne != '[')
            ne++;
        if (ne == name || end - ne < 3 || ne[0] != ' ' || ne[1] != '[')
            continue;
        const char *ip = ne + 2, *ie = ip;
        while (ie < end && *ie != ']' && *ie != ' ')
            ie++;
        if (ie >= end || *ie != ']' || ie == ip)
            continue;
        gsize nl = (gsize)(ne - name), il = (gsize)(ie - ip);
        if (nl >= sizeof p->relay || il >= sizeof p->relay_ip)
            return;
        memcpy(p->relay, name, nl);
        p->relay[nl] = '\0';
        memcpy(p->relay_ip, ip, il);
        p->relay_ip[il] = '\0';
        ev->relay = p->relay;
        ev->relay_ip = p->relay_ip;
        return;
    }
}

static inline gboolean
has_text(const char *s, const char *end, const char *needle)
{
    return text_find(s, (gsize)(end - s), needle, strlen(needle)) != NULL;
}

static void
exim_set_recipient(Event *ev, const EximFields *f)
{
    if (is_address(f->addr)) {
        ev->recipient = f->addr;
        ev->orig_recipient = f->orig;
    } else if (f->orig != NULL) {
        ev->recipient = f->orig;
    } else {
        ev->recipient = f->addr;
    }
}

static void
exim_set_reply(EximParser *p, Event *ev, const char *text, gsize len)
{
    if (mta_reply_scan(text, len, &p->reply)) {
        ev->reply_code = p->reply.code;
        if (p->reply.enhanced[0])
            ev->enhanced = p->reply.enhanced;
    }
}

static LineResult
exim_arrival(EximParser *p, Event *ev, char *s, char *end)
{
    s = skip_spaces(s, end);
    if (s >= end)
        return LINE_UNRECOGNISED;
    EximFields f = {0};
    char *e = address_end(s, end);
    f.addr = s;
    char *rest = e < end ? e + 1 : end;
    *e = '\0';
    exim_parse_fields(rest, end, &f, FALSE, TRUE);

    const char *sender = f.addr;
    if (sender[0] == '<' && sender[1] == '>' && sender[2] == '\0')
        sender = "";
    ev->kind = EVENT_KIND_QUEUED;
    ev->sender = sender;
    if (*sender == '\0')
        ev->attempt_flags |= EVENT_FLAG_NULL_SENDER;
    ev->message_id = f.msgid;
    ev->size = mta_reply_parse_uint(f.size);
    ev->relay = f.host;
    ev->relay_ip = f.ip;
    ev->subject = f.subject;
    ev->detail = f.proto;
    ev->nrcpt = f.nrcpt;
    gboolean bounce = f.parent != NULL && exim_id_at(f.parent, f.parent + strlen(f.parent)) > 0;
    if (bounce)
        ev->related_id = f.parent;
    parser_context_emit(p->ctx, ev);
    if (bounce) {
        /* the parent message generated this notification */
        const char *own = ev->queue_id;
        ev->kind = EVENT_KIND_NOTIFICATION;
        ev->queue_id = f.parent;
        ev->related_id = own;
        ev->sender = NULL;
        ev->message_id = NULL;
        ev->size = -1;
        ev->nrcpt = 0;
        ev->relay = NULL;
        ev->relay_ip = NULL;
        ev->subject = NULL;
        ev->detail = NULL;
        ev->attempt_flags = 0;
        parser_context_emit(p->ctx, ev);
    }
    return LINE_USED;
}

static LineResult
exim_delivery(EximParser *p, Event *ev, char *s, char *end, char flag)
{
    s = skip_spaces(s, end);
    if (s >= end)
        return LINE_UNRECOGNISED;
    EximFields f = {0};
    char *e = address_end(s, end);
    f.addr = s;
    char *rest = e < end ? e + 1 : end;
    *e = '\0';
    exim_parse_fields(rest, end, &f, FALSE, FALSE);

    ev->kind = EVENT_KIND_DELIVERED;
    exim_set_recipient(ev, &f);
    ev->relay = f.host;
    ev->relay_ip = f.ip;
    if (f.sender != NULL)
        ev->sender = mta_reply_strip_angles(f.sender);
    if (f.host == NULL && f.ip == NULL)
        ev->attempt_flags |= EVENT_FLAG_LOCAL;
    if (f.confirm != NULL) {
        gsize n = strlen(f.confirm);
        ev->diagnostic = f.confirm;
        exim_set_reply(p, ev, f.confirm, n);
        if (mta_reply_next_hop_id(f.confirm, n, p->related, sizeof p->related))
            ev->related_id = p->related;
    }
    if (flag == '*')
        ev->detail = "suppressed (-N)";
    parser_context_emit(p->ctx, ev);
    return LINE_USED;
}

static LineResult
exim_failure(EximParser *p, Event *ev, char *s, char *end, gboolean defer)
{
    s = skip_spaces(s, end);
    if (s >= end)
        return LINE_UNRECOGNISED;
    EximFields f = {0};
    char *e = address_end(s, end);
    f.addr = s;
    char *rest = e < end ? e + 1 : end;
    if (e > s && e[-1] == ':') {
        /* "** a@b.example: retry timeout exceeded" */
        e[-1] = '\0';
        f.message = skip_spaces(rest, end);
        f.message_end = end;
    } else {
        *e = '\0';
        exim_parse_fields(rest, end, &f, TRUE, FALSE);
    }

    exim_set_recipient(ev, &f);
    ev->relay = f.host;
    ev->relay_ip = f.ip;
    const char *msg = f.message, *msg_end = f.message_end;
    if (msg != NULL && msg < msg_end) {
        ev->diagnostic = msg;
        exim_set_reply(p, ev, msg, (gsize)(msg_end - msg));
        Step step = exim_step_from_text(msg, msg_end);
        if (step != STEP_UNKNOWN) {
            ev->step = step;
            ev->step_confidence = CONFIDENCE_EXPLICIT;
        }
        if (ev->relay == NULL && ev->relay_ip == NULL)
            exim_host_from_text(p, msg, msg_end, ev);
    }
    if (defer) {
        ev->kind = EVENT_KIND_DEFERRED;
        ev->permanence = PERMANENCE_TEMPORARY;
        if (msg != NULL && has_text(msg, msg_end, "retry time not reached"))
            ev->attempt_flags |= EVENT_FLAG_NOT_ATTEMPTED;
    } else {
        ev->kind = EVENT_KIND_FAILED;
        ev->permanence = PERMANENCE_PERMANENT;
        if (msg != NULL && (has_text(msg, msg_end, "retry timeout exceeded") ||
                            has_text(msg, msg_end, "after a long failure period") ||
                            has_text(msg, msg_end, "failing for a long time")))
            ev->kind = EVENT_KIND_EXPIRED;
    }
    parser_context_emit(p->ctx, ev);
    return LINE_USED;
}

/* "H=... F=<s> [temporarily ]rejected RCPT <r>: why" and "... rejected after DATA: why". */
static void
exim_rejection(EximParser *p, Event *ev, char *s, char *end)
{
    char *r = (char *)text_find(s, (gsize)(end - s), "rejected ", 9);
    if (r == NULL || (r != s && r[-1] != ' '))
        return;
    char *what = r + 9;
    Step step;
    if (end - what >= 5 && memcmp(what, "RCPT ", 5) == 0)
        step = STEP_RCPT_TO;
    else if (end - what >= 5 && memcmp(what, "MAIL ", 5) == 0)
        step = STEP_MAIL_FROM;
    else if (end - what >= 10 && memcmp(what, "after DATA", 10) == 0)
        step = STEP_END_OF_DATA;
    else
        return;
    gboolean temporary = r - s >= 12 && memcmp(r - 12, "temporarily ", 12) == 0;

    /* the address after RCPT / MAIL */
    char *addr = NULL;
    char *tail = what;
    if (step != STEP_END_OF_DATA) {
        char *a = skip_spaces(what + 5, end);
        if (a < end && *a == '<') {
            char *gt = memchr(a, '>', (gsize)(end - a));
            if (gt != NULL) {
                addr = a + 1;
                tail = gt + 1;
                *gt = '\0';
            }
        }
    }
    char *why = (char *)text_find(tail, (gsize)(end - tail), ": ", 2);
    /* fields before "rejected" (H=, U=, F=) */
    char *fields_end = temporary ? r - 12 : r;
    EximFields f = {0};
    if (fields_end > s) {
        fields_end[-1] = '\0';
        exim_parse_fields(s, fields_end - 1, &f, FALSE, FALSE);
    }
    ev->kind = EVENT_KIND_REJECTED;
    ev->step = step;
    ev->step_confidence = CONFIDENCE_EXPLICIT;
    ev->permanence = temporary ? PERMANENCE_TEMPORARY : PERMANENCE_PERMANENT;
    ev->detail = "smtp-in";
    ev->relay = f.host;
    ev->relay_ip = f.ip;
    if (f.sender != NULL)
        ev->sender = mta_reply_strip_angles(f.sender);
    if (step == STEP_MAIL_FROM && addr != NULL && ev->sender == NULL)
        ev->sender = addr;
    else if (step == STEP_RCPT_TO)
        ev->recipient = addr;
    if (why != NULL) {
        char *text = skip_spaces(why + 2, end);
        ev->diagnostic = text;
        exim_set_reply(p, ev, text, (gsize)(end - text));
    }
    parser_context_emit(p->ctx, ev);
}

static LineResult
exim_body(EximParser *p, char *s, char *end, gint64 t, const char *host, guint64 lineno)
{
    /* [pid] */
    if (s < end && *s == '[') {
        char *q = s + 1;
        while (q < end && g_ascii_isdigit(*q))
            q++;
        if (q > s + 1 && q < end && *q == ']') {
            s = skip_spaces(q + 1, end);
        }
    }
    Event ev;
    event_init(&ev);
    ev.time = t;
    ev.line = lineno;
    ev.host = host;

    gsize idlen = exim_id_at(s, end);
    if (idlen == 0) {
        /* no message id: rejections before DATA, connections, queue runs ... */
        if (text_find(s, (gsize)(end - s), "rejected ", 9) != NULL)
            exim_rejection(p, &ev, s, end);
        return LINE_USED;
    }
    char *id = s;
    char *rest = s + idlen;
    if (rest < end)
        *rest++ = '\0';
    ev.queue_id = id;
    gsize n = (gsize)(end - rest);
    if (n >= 2 && (n == 2 || rest[2] == ' ')) {
        char a = rest[0], b = rest[1];
        char *args = rest + 2;
        if (a == '<' && b == '=')
            return exim_arrival(p, &ev, args, end);
        if (b == '>' && (a == '=' || a == '-' || a == '*'))
            return exim_delivery(p, &ev, args, end, a);
        if (a == '*' && b == '*')
            return exim_failure(p, &ev, args, end, FALSE);
        if (a == '=' && b == '=')
            return exim_failure(p, &ev, args, end, TRUE);
    }
    if (n >= 9 && memcmp(rest, "Completed", 9) == 0 && (n == 9 || rest[9] == ' ')) {
        ev.kind = EVENT_KIND_MESSAGE_END;
        parser_context_emit(p->ctx, &ev);
        return LINE_USED;
    }
    if (text_find(rest, n, "rejected ", 9) != NULL)
        exim_rejection(p, &ev, rest, end);
    return LINE_USED;
}

static gboolean
exim_program(const char *prog)
{
    return g_str_has_prefix(prog, "exim") && strchr(prog, '/') == NULL;
}

static LineResult
exim_parser_feed_line(gpointer self, char *line, gsize len, guint64 lineno)
{
    EximParser *p = self;
    char *end = line + len;
    if (len == 0)
        return LINE_SKIPPED;
    if (line[0] == ' ' || line[0] == '\t')
        return p->in_entry ? LINE_USED : LINE_UNRECOGNISED;
    gint64 t = 0;
    char *s = exim_parse_time(p, line, end, &t);
    if (s != NULL) {
        p->in_entry = TRUE;
        return exim_body(p, s, end, t, p->host, lineno);
    }
    SyslogLine sl;
    if (!syslog_parse(&p->clock, line, len, &sl)) {
        p->in_entry = FALSE;
        return LINE_UNRECOGNISED;
    }
    if (!exim_program(sl.program)) {
        p->in_entry = FALSE;
        return LINE_SKIPPED;
    }
    p->in_entry = TRUE;
    t = sl.time;
    s = sl.message;
    end = s + sl.message_len;
    /* long lines are split by Exim into "[1\3] ..." pieces; only the first carries the id */
    if (s < end && *s == '[') {
        char *q = s + 1;
        while (q < end && g_ascii_isdigit(*q))
            q++;
        if (q > s + 1 && q < end && (*q == '\\' || *q == '/')) {
            gboolean first = q - s == 2 && s[1] == '1';
            char *close = memchr(q, ']', (gsize)(end - q));
            if (close == NULL)
                return LINE_UNRECOGNISED;
            if (!first)
                return LINE_USED;
            s = skip_spaces(close + 1, end);
        }
    }
    /* Exim's own timestamp (syslog_timestamp) is skipped: the syslog one may carry a zone */
    gint64 unused;
    char *after = exim_parse_time(p, s, end, &unused);
    if (after != NULL)
        s = after;
    return exim_body(p, s, end, t, sl.host, lineno);
}

/* The host scope from a stream name (see the comment at the top). */
static void
exim_host_from_name(const char *name, char *out, gsize size)
{
    const char *base = name ? name : "";
    for (const char *q = base; *q; q++)
        if (*q == '/' || *q == ':')
            base = q + 1;
    gsize n = MIN(strlen(base), size - 1);
    memcpy(out, base, n);
    out[n] = '\0';
    static const char *const exts[] = {".gz", ".bz2", ".xz", ".zst", ".lz4", ".Z", ".log"};
    gboolean again = TRUE;
    while (again && n > 0) {
        again = FALSE;
        for (gsize i = 0; i < G_N_ELEMENTS(exts); i++) {
            gsize el = strlen(exts[i]);
            if (n > el && memcmp(out + n - el, exts[i], el) == 0) {
                n -= el;
                out[n] = '\0';
                again = TRUE;
            }
        }
        /* rotation: ".1", "-20261124" */
        gsize d = n;
        while (d > 0 && g_ascii_isdigit(out[d - 1]))
            d--;
        if (d < n && d > 0 && (out[d - 1] == '.' || out[d - 1] == '-' || out[d - 1] == '_')) {
            n = d - 1;
            out[n] = '\0';
            again = TRUE;
        }
    }
    static const char *const suffixes[] = {"mainlog", "main"};
    for (gsize i = 0; i < G_N_ELEMENTS(suffixes); i++) {
        gsize sl = strlen(suffixes[i]);
        if (n > sl + 1 && memcmp(out + n - sl, suffixes[i], sl) == 0 &&
            strchr("-_.", out[n - sl - 1]) != NULL) {
            n -= sl + 1;
            out[n] = '\0';
            break;
        }
    }
    if (n == 0 || g_str_equal(out, "mainlog") || g_str_equal(out, "main"))
        g_strlcpy(out, "exim", size);
}

static gpointer
exim_parser_new(ParserContext *ctx)
{
    EximParser *p = g_new0(EximParser, 1);
    p->ctx = ctx;
    syslog_clock_init(&p->clock, ctx->options);
    exim_host_from_name(ctx->name, p->host, sizeof p->host);
    return p;
}

/* --- probe ------------------------------------------------------------------------------ */

typedef struct {
    guint lines;
    guint exim;    /* timestamp + id + flag, or syslog exim[pid] */
    guint stamped; /* Exim timestamp only */
} EximProbe;

static gboolean
exim_probe_line(const char *line, gsize len, gpointer data)
{
    EximProbe *pr = data;
    if (len == 0)
        return TRUE;
    pr->lines++;
    const char *end = line + len;
    if (len > 20 && line[4] == '-' && line[7] == '-' && line[10] == ' ' && line[13] == ':' &&
        line[16] == ':' && g_ascii_isdigit(line[0]) && g_ascii_isdigit(line[18])) {
        const char *s = line + 19;
        while (s < end && *s != ' ')
            s++; /* fraction */
        s++;
        if (end - s > 6 && (*s == '+' || *s == '-') && s[5] == ' ')
            s += 6;
        if (s < end && *s == '[') {
            while (s < end && *s != ' ')
                s++;
            s++;
        }
        gsize idl = s < end ? exim_id_at(s, end) : 0;
        if (idl > 0)
            pr->exim++;
        else
            pr->stamped++;
        return pr->lines < 50;
    }
    const char *prog;
    gsize plen;
    if (syslog_peek(line, len, &prog, &plen) && plen >= 4 && memcmp(prog, "exim", 4) == 0)
        pr->exim++;
    return pr->lines < 50;
}

static guint
exim_parser_probe(const char *head, gsize len)
{
    EximProbe pr = {0};
    syslog_head_foreach_line(head, len, exim_probe_line, &pr);
    if (pr.lines == 0)
        return 0;
    if (pr.exim > 0 && (pr.exim + pr.stamped) * 2 >= pr.lines)
        return pr.exim * 4 >= pr.lines ? 95 : 80;
    if (pr.exim > 0)
        return 50;
    if (pr.stamped * 2 >= pr.lines)
        return 15; /* Exim-like timestamps but no message ids: a weak guess */
    return 0;
}

const ParserClass exim_parser_class = {
    .name = "exim",
    .description = "Exim main log (file or syslog), 16- and 23-character message ids",
    .probe = exim_parser_probe,
    .new = exim_parser_new,
    .feed_line = exim_parser_feed_line,
    .finish = parser_finish_nothing,
    .free = g_free,
};
