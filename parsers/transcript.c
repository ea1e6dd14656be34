/* SMTP session transcripts: RFC-style "S:"/"C:", swaks output, Exim -v/-d ("SMTP<<"/"SMTP>>"),
 * Postfix debug_peer_list verbose lines ("postfix/smtp[pid]: < host[ip]:25: 250 ...") and
 * curl -v. Each line is recognised on its own (a file may mix styles); a session state machine
 * matches replies to commands in order (pipelining), and reports one event per command and the
 * outcome of each recipient of each transaction at the exact step where it was decided. */
#include "parser.h"

#include <string.h>

#include "string-pool.h"
#include "syslog.h"
#include "timeutil.h"

/* Postfix smtp processes followed at once (one session each); more end the oldest. */
#define TRANSCRIPT_MAX_SESSIONS 256
/* Commands sent and not yet answered in one session. */
#define TRANSCRIPT_MAX_PENDING 512
/* Recipients followed per transaction. */
#define TRANSCRIPT_MAX_RCPTS 1000
/* Bytes of one (multi-line) reply kept. */
#define TRANSCRIPT_MAX_REPLY 2048
/* Bytes of strings held for one session; beyond it, new texts are dropped (noted). */
#define TRANSCRIPT_MAX_STORE ((gsize)1024 * 1024)

static const char transcript_no_reply[] = "session ended without a reply";

typedef enum {
    STYLE_NONE = 0,
    STYLE_RFC,
    STYLE_SWAKS,
    STYLE_EXIM,
    STYLE_POSTFIX,
    STYLE_CURL,
} TranscriptStyle;

typedef enum {
    CMD_GREETING, /* pseudo-command: the banner after connecting */
    CMD_HELO,
    CMD_AUTH,
    CMD_AUTH_DATA, /* client lines after a 334 challenge */
    CMD_STARTTLS,
    CMD_MAIL,
    CMD_RCPT,
    CMD_DATA,
    CMD_BDAT,
    CMD_DOT, /* end of data: "." or BDAT ... LAST */
    CMD_RSET,
    CMD_QUIT,
    CMD_OTHER,
} CommandType;

typedef struct {
    CommandType type;
    const char *text; /* as shown in the report (AUTH secrets masked) */
    int rcpt;         /* recipient index (RCPT, LMTP end of data), -1 if none */
} Pending;

typedef enum {
    RCPT_PENDING,  /* RCPT sent, no reply yet */
    RCPT_ACCEPTED, /* 2xx to RCPT: the outcome comes with DATA / end of data */
    RCPT_DONE,     /* outcome reported */
} RcptState;

typedef struct {
    const char *address;
    RcptState state;
} Recipient;

typedef struct {
    TranscriptStyle style;
    gboolean open;      /* any line since the last reset */
    gboolean connected; /* a connection line was seen: a greeting is expected */
    gboolean greeted;   /* the greeting arrived (or a command came first) */
    gboolean lmtp;      /* LHLO: one reply per recipient after the dot */
    gboolean in_body;   /* after 354, until the dot */
    gboolean in_headers;
    gboolean folded_message_id; /* "Message-ID:" with its value on the next line */
    gboolean auth_pending;      /* the last reply was 334 */
    gboolean store_full;
    guint64 pid_key;  /* Postfix: process id of the session */
    const char *host; /* Postfix: syslog host (the MTA) */
    const char *relay;
    const char *relay_ip;
    const char *queue_id;
    const char *sender;
    const char *message_id;
    const char *campaign;
    const char *error; /* a client-written problem waiting for the session end */
    Step error_step;   /* connect/resolve failure before any reply, else STEP_UNKNOWN */
    /* MAIL FROM reply, for pipelined RCPTs answered after a failed MAIL */
    guint16 mail_code;
    const char *mail_reply;
    const char *mail_enhanced;
    const char *mail_command;
    Step last_step; /* step of the last answered command */
    Pending pending[TRANSCRIPT_MAX_PENDING];
    guint pending_head, pending_len;
    GArray *rcpts; /* Recipient */
    /* the reply being read */
    gboolean reply_open;
    guint16 reply_code;
    GString *reply;
    gint64 time; /* of the last line */
    guint64 line;
    StringPool *store;
} Session;

typedef struct {
    ParserContext *ctx;
    SyslogClock clock;
    Session *single;     /* every style but Postfix */
    GPtrArray *sessions; /* Postfix sessions in order of creation */
    guint64 sessions_dropped;
    char exim_id[64];       /* "delivering <id>" of exim -v, for the sessions that follow */
    gboolean verbose_style; /* exim/postfix output seen: unknown lines are debug noise */
    gboolean curl_ended;    /* the curl session ended; a following "curl: (n)" repeats it */
    gboolean pending_note_given;
    gboolean rcpt_note_given;
    gboolean store_note_given;
} Transcript;

/* ---- small helpers ---- */

static gboolean
transcript_prefix(const char *s, const char *prefix)
{
    return g_ascii_strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static const char *
transcript_skip_spaces(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static gboolean
transcript_is_code(const char *s)
{
    return s[0] >= '1' && s[0] <= '5' && g_ascii_isdigit(s[1]) && g_ascii_isdigit(s[2]) &&
           (s[3] == '\0' || s[3] == ' ' || s[3] == '-');
}

/* "5.1.1" at s followed by a space or the end: its length, else 0. */
static gsize
transcript_enhanced_len(const char *s)
{
    if (!(s[0] == '2' || s[0] == '4' || s[0] == '5') || s[1] != '.')
        return 0;
    gsize i = 2, n = 0;
    while (g_ascii_isdigit(s[i]) && n < 3) {
        i++;
        n++;
    }
    if (n == 0 || s[i] != '.')
        return 0;
    i++;
    n = 0;
    while (g_ascii_isdigit(s[i]) && n < 3) {
        i++;
        n++;
    }
    if (n == 0 || (s[i] != '\0' && s[i] != ' '))
        return 0;
    return i;
}

static Step
transcript_step_of(CommandType type)
{
    switch (type) {
    case CMD_GREETING:
        return STEP_GREETING;
    case CMD_HELO:
    case CMD_AUTH:
    case CMD_AUTH_DATA:
        return STEP_HELO;
    case CMD_STARTTLS:
        return STEP_TLS;
    case CMD_MAIL:
        return STEP_MAIL_FROM;
    case CMD_RCPT:
        return STEP_RCPT_TO;
    case CMD_DATA:
    case CMD_BDAT:
        return STEP_DATA;
    case CMD_DOT:
        return STEP_END_OF_DATA;
    case CMD_RSET:
    case CMD_QUIT:
        return STEP_QUIT;
    case CMD_OTHER:
        break;
    }
    return STEP_UNKNOWN;
}

/* The step a session stopped at when nothing was pending: the one after the last answered. */
static Step
transcript_next_step(Step last)
{
    switch (last) {
    case STEP_MAIL_FROM:
        return STEP_RCPT_TO;
    case STEP_RCPT_TO:
        return STEP_DATA;
    case STEP_DATA:
        return STEP_END_OF_DATA;
    case STEP_UNKNOWN:
        return STEP_GREETING;
    default:
        return last;
    }
}

/* ---- sessions ---- */

static Session *
session_new(void)
{
    Session *s = g_new0(Session, 1);
    s->rcpts = g_array_new(FALSE, FALSE, sizeof(Recipient));
    s->reply = g_string_sized_new(256);
    s->store = string_pool_new();
    return s;
}

static void
session_free(Session *s)
{
    if (s == NULL)
        return;
    g_array_free(s->rcpts, TRUE);
    g_string_free(s->reply, TRUE);
    string_pool_free(s->store);
    g_free(s);
}

/* Forgets everything but the allocations. */
static void
session_reset(Session *s)
{
    guint64 pid = s->pid_key, line = s->line;
    gint64 time = s->time;
    const char *host = s->host; /* re-stored below: the pool is cleared */
    char host_copy[256];
    g_strlcpy(host_copy, host ? host : "", sizeof host_copy);
    GArray *rcpts = s->rcpts;
    GString *reply = s->reply;
    StringPool *store = s->store;
    g_array_set_size(rcpts, 0);
    g_string_truncate(reply, 0);
    string_pool_clear(store);
    memset(s, 0, sizeof *s);
    s->rcpts = rcpts;
    s->reply = reply;
    s->store = store;
    s->pid_key = pid;
    s->time = time;
    s->line = line;
    if (host != NULL)
        s->host = string_pool_copy(store, host_copy, strlen(host_copy));
}

static const char *
session_store(Transcript *self, Session *s, const char *text, gsize len)
{
    if (text == NULL)
        return NULL;
    if (string_pool_size(s->store) + len > TRANSCRIPT_MAX_STORE) {
        s->store_full = TRUE;
        if (!self->store_note_given) {
            self->store_note_given = TRUE;
            parser_context_note(self->ctx,
                                "line %" G_GUINT64_FORMAT
                                ": session longer than %d KiB; its texts are no longer kept",
                                s->line, (int)(TRANSCRIPT_MAX_STORE / 1024));
        }
        return NULL;
    }
    return string_pool_copy(s->store, text, len);
}

static void
transcript_emit(Transcript *self, Session *s, EventKind kind, Step step, guint16 code,
                const char *enhanced, const char *diagnostic, const char *command,
                const char *recipient, const char *related_id, guint16 flags)
{
    Event ev;
    event_init(&ev);
    ev.time = s->time;
    ev.line = s->line;
    ev.kind = kind;
    ev.step = step;
    ev.step_confidence = step != STEP_UNKNOWN ? CONFIDENCE_EXPLICIT : CONFIDENCE_UNKNOWN;
    ev.reply_code = code;
    ev.enhanced = enhanced;
    ev.diagnostic = diagnostic;
    ev.detail = command;
    ev.recipient = recipient;
    ev.related_id = related_id;
    ev.attempt_flags = flags | EVENT_FLAG_TRANSCRIPT; /* joined to the MTA's own record */
    ev.host = s->host;
    ev.queue_id = s->queue_id;
    ev.sender = s->sender;
    ev.message_id = s->message_id;
    ev.campaign = s->campaign;
    ev.relay = s->relay;
    ev.relay_ip = s->relay_ip;
    parser_context_emit(self->ctx, &ev);
}

/* The outcome of one recipient. code 0: the session ended without a reply. */
static void
session_outcome(Transcript *self, Session *s, Recipient *r, Step step, guint16 code,
                const char *enhanced, const char *diagnostic, const char *command,
                const char *related_id, guint16 flags)
{
    EventKind kind;
    if (code >= 500)
        kind = EVENT_KIND_FAILED;
    else if (code >= 400 || code == 0)
        kind = EVENT_KIND_DEFERRED;
    else
        kind = EVENT_KIND_DELIVERED;
    r->state = RCPT_DONE;
    transcript_emit(self, s, kind, step, code, enhanced, diagnostic, command, r->address,
                    related_id, flags);
}

/* Every accepted (or still pending) recipient of the transaction. */
static void
session_outcome_all(Transcript *self, Session *s, gboolean include_pending, Step step, guint16 code,
                    const char *enhanced, const char *diagnostic, const char *command,
                    const char *related_id, guint16 flags)
{
    for (guint i = 0; i < s->rcpts->len; i++) {
        Recipient *r = &g_array_index(s->rcpts, Recipient, i);
        if (r->state == RCPT_ACCEPTED || (include_pending && r->state == RCPT_PENDING))
            session_outcome(self, s, r, step, code, enhanced, diagnostic, command, related_id,
                            flags);
    }
}

/* The receiving server's id in the final reply: "queued as X" (Postfix), "id=X" (Exim),
 * "OK <time> X - gsmtp" (Gmail), "<id> Message accepted for delivery" (Sendmail). */
static const char *
transcript_queued_as(Transcript *self, Session *s, const char *reply)
{
    const char *p, *start = NULL;
    gsize len = 0;
    if ((p = strstr(reply, "queued as ")) != NULL) {
        start = p + strlen("queued as ");
    } else if ((p = strstr(reply, " id=")) != NULL) {
        start = p + strlen(" id=");
    } else if ((p = strstr(reply, " - gsmtp")) != NULL) {
        const char *q = p;
        while (q > reply && q[-1] != ' ')
            q--;
        start = q;
        len = (gsize)(p - q);
    } else if ((p = strstr(reply, " Message accepted for delivery")) != NULL) {
        const char *q = p;
        while (q > reply && q[-1] != ' ')
            q--;
        start = q;
        len = (gsize)(p - q);
    }
    if (start == NULL)
        return NULL;
    if (len == 0)
        while (start[len] != '\0' && start[len] != ' ' && start[len] != ')' && start[len] != ',' &&
               start[len] != ';' && start[len] != '>')
            len++;
    while (len > 0 && start[len - 1] == '.')
        len--;
    if (len == 0 || len > 100)
        return NULL;
    return session_store(self, s, start, len);
}

/* "MAIL FROM:<a@b> SIZE=1" -> "a@b"; stores it. */
static const char *
transcript_address(Transcript *self, Session *s, const char *arg)
{
    arg = transcript_skip_spaces(arg);
    const char *end;
    if (*arg == '<') {
        arg++;
        end = strchr(arg, '>');
        if (end == NULL)
            end = arg + strlen(arg);
    } else {
        end = arg;
        while (*end && *end != ' ')
            end++;
    }
    return session_store(self, s, arg, (gsize)(end - arg));
}

static Pending *
session_pending_first(Session *s)
{
    return s->pending_len > 0 ? &s->pending[s->pending_head] : NULL;
}

static void
session_pending_pop(Session *s)
{
    s->pending_head = (s->pending_head + 1) % TRANSCRIPT_MAX_PENDING;
    s->pending_len--;
}

static gboolean
session_push(Transcript *self, Session *s, CommandType type, const char *text, int rcpt)
{
    if (s->pending_len >= TRANSCRIPT_MAX_PENDING) {
        if (!self->pending_note_given) {
            self->pending_note_given = TRUE;
            parser_context_note(self->ctx,
                                "line %" G_GUINT64_FORMAT
                                ": more than %d commands without a reply; command not followed",
                                s->line, TRANSCRIPT_MAX_PENDING);
        }
        return FALSE;
    }
    Pending *p = &s->pending[(s->pending_head + s->pending_len) % TRANSCRIPT_MAX_PENDING];
    p->type = type;
    p->text = text;
    p->rcpt = rcpt;
    s->pending_len++;
    return TRUE;
}

static void session_reply_done(Transcript *self, Session *s);

/* Ends a session. why: the client's own words (a timeout ...), or NULL. Commands without a
 * reply are reported as such, and every recipient still open is deferred at the step where
 * the conversation stopped. */
static void
session_end(Transcript *self, Session *s, const char *why)
{
    if (!s->open)
        return;
    if (s->reply_open)
        session_reply_done(self, s);
    const char *diag = why ? why : s->error ? s->error : transcript_no_reply;
    Step stop = STEP_UNKNOWN;
    guint16 flags = 0;

    if (s->error_step != STEP_UNKNOWN && !s->greeted && s->pending_len <= 1) {
        /* never connected: the failure is the connection (or the lookup) itself */
        const char *what = s->error_step == STEP_RESOLVE ? "(resolve)" : "(connect)";
        transcript_emit(self, s, EVENT_KIND_SMTP_COMMAND, s->error_step, 0, NULL, diag, what, NULL,
                        NULL, 0);
        stop = s->error_step;
        s->pending_len = 0;
    }
    for (Pending *p; (p = session_pending_first(s)) != NULL; session_pending_pop(s)) {
        Step step = transcript_step_of(p->type);
        if (stop == STEP_UNKNOWN && p->type != CMD_QUIT && p->type != CMD_RSET)
            stop = step;
        const char *rcpt = NULL;
        if (p->rcpt >= 0 && (guint)p->rcpt < s->rcpts->len)
            rcpt = g_array_index(s->rcpts, Recipient, p->rcpt).address;
        transcript_emit(self, s, EVENT_KIND_SMTP_COMMAND, step, 0, NULL, diag, p->text, rcpt, NULL,
                        0);
    }
    gboolean open_rcpts = FALSE;
    for (guint i = 0; i < s->rcpts->len; i++)
        if (g_array_index(s->rcpts, Recipient, i).state != RCPT_DONE)
            open_rcpts = TRUE;
    if (open_rcpts) {
        if (stop == STEP_UNKNOWN)
            stop = s->in_body ? STEP_END_OF_DATA : transcript_next_step(s->last_step);
        if (stop == STEP_END_OF_DATA && !s->in_body)
            flags |= EVENT_FLAG_MAY_DUPLICATE; /* the dot was sent, no reply came */
        session_outcome_all(self, s, TRUE, stop, 0, NULL, diag, NULL, NULL, flags);
    } else if (stop == STEP_UNKNOWN && s->connected && !s->greeted) {
        transcript_emit(self, s, EVENT_KIND_SMTP_COMMAND, STEP_GREETING, 0, NULL, diag,
                        "(greeting)", NULL, NULL, 0);
    }
    session_reset(s);
}

/* Starts a new transaction at MAIL FROM (or RSET). */
static void
session_new_transaction(Session *s)
{
    g_array_set_size(s->rcpts, 0);
    s->sender = NULL;
    s->message_id = NULL;
    s->campaign = NULL;
    s->mail_code = 0;
    s->mail_reply = s->mail_enhanced = s->mail_command = NULL;
    s->in_body = FALSE;
}

/* A complete reply: match it to the oldest command waiting for one. */
static void
session_reply_done(Transcript *self, Session *s)
{
    s->reply_open = FALSE;
    guint16 code = s->reply_code;
    const char *text = session_store(self, s, s->reply->str, s->reply->len);
    const char *after = s->reply->len > 4 ? s->reply->str + 4 : "";
    gsize elen = transcript_enhanced_len(after);
    const char *enhanced = elen ? session_store(self, s, after, elen) : NULL;

    Pending implicit = {.type = CMD_OTHER, .text = NULL, .rcpt = -1};
    Pending *p = session_pending_first(s);
    gboolean popped = FALSE;
    if (p == NULL) {
        if (!s->greeted && !s->in_body) {
            implicit.type = CMD_GREETING;
            implicit.text = "(greeting)";
        } else if (s->in_body) {
            implicit.type = CMD_DOT; /* the body was not shown (curl, Postfix, Exim) */
            implicit.text = ".";
        } else {
            implicit.type = CMD_OTHER; /* unsolicited: 421 shutting down ... */
            implicit.text = "(no command)";
        }
        p = &implicit;
    } else {
        implicit = *p;
        p = &implicit;
        popped = TRUE;
    }
    if (popped)
        session_pending_pop(s);

    Step step = transcript_step_of(p->type);
    const char *rcpt = NULL;
    if (p->rcpt >= 0 && (guint)p->rcpt < s->rcpts->len)
        rcpt = g_array_index(s->rcpts, Recipient, p->rcpt).address;
    const char *related = NULL;
    if (p->type == CMD_DOT && code < 400)
        related = transcript_queued_as(self, s, s->reply->str);
    transcript_emit(self, s, EVENT_KIND_SMTP_COMMAND, step, code, enhanced, text, p->text, rcpt,
                    related, 0);
    if (step != STEP_UNKNOWN)
        s->last_step = step;
    s->auth_pending = FALSE;

    switch (p->type) {
    case CMD_GREETING:
        s->greeted = TRUE;
        break;
    case CMD_AUTH:
    case CMD_AUTH_DATA:
        s->auth_pending = code == 334;
        break;
    case CMD_MAIL:
        s->mail_code = code;
        s->mail_reply = text;
        s->mail_enhanced = enhanced;
        s->mail_command = p->text;
        break;
    case CMD_RCPT: {
        if (p->rcpt < 0 || (guint)p->rcpt >= s->rcpts->len)
            break;
        Recipient *r = &g_array_index(s->rcpts, Recipient, p->rcpt);
        if (s->mail_code >= 400)
            session_outcome(self, s, r, STEP_MAIL_FROM, s->mail_code, s->mail_enhanced,
                            s->mail_reply, s->mail_command, NULL, 0);
        else if (code >= 400)
            session_outcome(self, s, r, STEP_RCPT_TO, code, enhanced, text, p->text, NULL, 0);
        else
            r->state = RCPT_ACCEPTED;
        break;
    }
    case CMD_DATA:
        if (code == 354) {
            s->in_body = TRUE;
            s->in_headers = TRUE;
        } else if (code >= 400) {
            session_outcome_all(self, s, FALSE, STEP_DATA, code, enhanced, text, p->text, NULL, 0);
        }
        break;
    case CMD_BDAT:
        if (code >= 400)
            session_outcome_all(self, s, FALSE, STEP_DATA, code, enhanced, text, p->text, NULL, 0);
        break;
    case CMD_DOT:
        s->in_body = FALSE;
        if (p->rcpt >= 0 && (guint)p->rcpt < s->rcpts->len) {
            /* LMTP: one reply per recipient */
            Recipient *r = &g_array_index(s->rcpts, Recipient, p->rcpt);
            if (r->state != RCPT_DONE)
                session_outcome(self, s, r, STEP_END_OF_DATA, code, enhanced, text, p->text,
                                related, 0);
        } else {
            session_outcome_all(self, s, FALSE, STEP_END_OF_DATA, code, enhanced, text, p->text,
                                related, 0);
        }
        break;
    case CMD_QUIT:
        /* the conversation is over; whatever the reply, earlier outcomes stand */
        session_end(self, s, NULL);
        return;
    case CMD_OTHER:
        if (!popped && code >= 400 && s->greeted) {
            /* the server closes the conversation on its own */
            session_end(self, s, text);
            return;
        }
        break;
    default:
        break;
    }
}

/* One line of a reply: "250-PIPELINING" or "250 OK". */
static void
session_reply_line(Transcript *self, Session *s, const char *line)
{
    gsize len = strlen(line);
    guint16 code = (guint16)((line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'));
    if (s->reply_open && code != s->reply_code)
        session_reply_done(self, s); /* a multi-line reply that never ended */
    if (!s->reply_open && code == 220 && s->greeted && s->pending_len == 0 && !s->in_body) {
        /* a banner nobody asked for: a new connection (the last one ended unseen) */
        char relay[256], ip[64];
        g_strlcpy(relay, s->relay ? s->relay : "", sizeof relay);
        g_strlcpy(ip, s->relay_ip ? s->relay_ip : "", sizeof ip);
        TranscriptStyle style = s->style;
        session_end(self, s, NULL);
        s->style = style;
        s->connected = TRUE;
        if (relay[0])
            s->relay = session_store(self, s, relay, strlen(relay));
        if (ip[0])
            s->relay_ip = session_store(self, s, ip, strlen(ip));
    }
    s->open = TRUE;
    if (!s->reply_open) {
        s->reply_open = TRUE;
        s->reply_code = code;
        g_string_truncate(s->reply, 0);
    } else if (s->reply->len < TRANSCRIPT_MAX_REPLY) {
        g_string_append_c(s->reply, ' ');
    }
    if (s->reply->len < TRANSCRIPT_MAX_REPLY)
        g_string_append_len(s->reply, line, (gssize)MIN(len, TRANSCRIPT_MAX_REPLY - s->reply->len));
    if (line[3] != '-')
        session_reply_done(self, s);
}

/* A header line of the message body: Message-ID and X-Campaign-ID link it. */
static void
session_body_line(Transcript *self, Session *s, const char *line)
{
    if (!s->in_headers)
        return;
    if (*line == '\0') {
        s->in_headers = FALSE;
        return;
    }
    const char *value = NULL;
    gboolean is_mid = FALSE;
    if (s->folded_message_id && (*line == ' ' || *line == '\t')) {
        value = line;
        is_mid = TRUE;
    } else if (transcript_prefix(line, "Message-ID:")) {
        value = line + strlen("Message-ID:");
        is_mid = TRUE;
    } else if (transcript_prefix(line, "X-Campaign-ID:")) {
        value = line + strlen("X-Campaign-ID:");
    }
    s->folded_message_id = FALSE;
    if (value == NULL)
        return;
    value = transcript_skip_spaces(value);
    gsize n = strlen(value);
    while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
        n--;
    if (is_mid) {
        if (n == 0) {
            s->folded_message_id = TRUE;
            return;
        }
        if (n >= 2 && value[0] == '<' && value[n - 1] == '>') {
            value++;
            n -= 2;
        }
        s->message_id = session_store(self, s, value, n);
    } else if (n > 0) {
        s->campaign = session_store(self, s, value, n);
    }
}

/* A line sent by the client. */
static void
session_command(Transcript *self, Session *s, const char *line)
{
    s->open = TRUE;
    if (s->reply_open)
        session_reply_done(self, s);
    if (s->in_body) {
        if (g_str_equal(line, ".")) {
            s->in_body = FALSE;
            if (s->lmtp) {
                for (guint i = 0; i < s->rcpts->len; i++)
                    if (g_array_index(s->rcpts, Recipient, i).state == RCPT_ACCEPTED)
                        session_push(self, s, CMD_DOT, ".", (int)i);
            } else {
                session_push(self, s, CMD_DOT, ".", -1);
            }
        } else {
            session_body_line(self, s, line);
        }
        return;
    }
    if (!s->greeted && s->pending_len == 0 && !s->connected)
        s->greeted = TRUE; /* the transcript starts after the greeting */
    else if (!s->greeted && s->pending_len == 0 && s->connected)
        session_push(self, s, CMD_GREETING, "(greeting)", -1);

    CommandType type = CMD_OTHER;
    const char *text = NULL;
    int rcpt = -1;
    if (s->auth_pending) {
        type = CMD_AUTH_DATA;
        text = "(authentication data)";
    } else if (transcript_prefix(line, "EHLO") || transcript_prefix(line, "HELO")) {
        type = CMD_HELO;
    } else if (transcript_prefix(line, "LHLO")) {
        type = CMD_HELO;
        s->lmtp = TRUE;
    } else if (transcript_prefix(line, "AUTH")) {
        /* keep the mechanism, never the credentials */
        type = CMD_AUTH;
        const char *mech = transcript_skip_spaces(line + 4);
        gsize n = 0;
        while (mech[n] && mech[n] != ' ')
            n++;
        char buf[64];
        g_snprintf(buf, sizeof buf, "AUTH %.*s%s", (int)MIN(n, (gsize)40), mech,
                   mech[n] ? " ****" : "");
        text = session_store(self, s, buf, strlen(buf));
    } else if (transcript_prefix(line, "STARTTLS")) {
        type = CMD_STARTTLS;
    } else if (transcript_prefix(line, "MAIL FROM:")) {
        type = CMD_MAIL;
        session_new_transaction(s);
        s->sender = transcript_address(self, s, line + strlen("MAIL FROM:"));
    } else if (transcript_prefix(line, "RCPT TO:")) {
        type = CMD_RCPT;
        if (s->rcpts->len < TRANSCRIPT_MAX_RCPTS) {
            Recipient r = {.address = transcript_address(self, s, line + strlen("RCPT TO:")),
                           .state = RCPT_PENDING};
            g_array_append_val(s->rcpts, r);
            rcpt = (int)s->rcpts->len - 1;
        } else if (!self->rcpt_note_given) {
            self->rcpt_note_given = TRUE;
            parser_context_note(self->ctx,
                                "line %" G_GUINT64_FORMAT
                                ": more than %d recipients in one transaction; the rest are "
                                "not followed",
                                s->line, TRANSCRIPT_MAX_RCPTS);
        }
    } else if (g_ascii_strcasecmp(line, "DATA") == 0) {
        type = CMD_DATA;
    } else if (transcript_prefix(line, "BDAT ")) {
        gsize n = strlen(line);
        type = n >= 5 && g_ascii_strcasecmp(line + n - 5, " LAST") == 0 ? CMD_DOT : CMD_BDAT;
    } else if (g_ascii_strcasecmp(line, "RSET") == 0) {
        type = CMD_RSET;
    } else if (g_ascii_strcasecmp(line, "QUIT") == 0) {
        type = CMD_QUIT;
    }
    if (type == CMD_RSET)
        session_new_transaction(s);
    if (text == NULL)
        text = session_store(self, s, line, strlen(line));
    session_push(self, s, type, text, rcpt);
}

/* A connection is being made (or was made) to relay [ip]. */
static void
session_begin(Transcript *self, Session *s, TranscriptStyle style, const char *relay,
              gsize relay_len, const char *ip, gsize ip_len, gboolean connected)
{
    if (s->open && (s->greeted || s->pending_len > 0 || s->connected || s->rcpts->len > 0 ||
                    s->error_step != STEP_UNKNOWN))
        session_end(self, s, NULL);
    s->open = TRUE;
    s->style = style;
    if (relay != NULL && relay_len > 0)
        s->relay = session_store(self, s, relay, relay_len);
    if (ip != NULL && ip_len > 0)
        s->relay_ip = session_store(self, s, ip, ip_len);
    if (connected)
        s->connected = TRUE;
    if (self->exim_id[0] && style == STYLE_EXIM)
        s->queue_id = session_store(self, s, self->exim_id, strlen(self->exim_id));
}

/* The client wrote that something went wrong. */
static void
session_error(Transcript *self, Session *s, const char *text, Step before_connect)
{
    s->open = TRUE;
    s->error = session_store(self, s, text, strlen(text));
    if (!s->greeted && !s->connected && before_connect != STEP_UNKNOWN)
        s->error_step = before_connect;
}

/* Makes sure the session is of this style; a different style starts a new session. */
static Session *
transcript_single(Transcript *self, TranscriptStyle style)
{
    Session *s = self->single;
    if (s->open && s->style != style)
        session_end(self, s, NULL);
    s->style = style;
    return s;
}

/* ---- styles ---- */

/* "S: 220 ..." / "C: EHLO ...": RFC 5321 examples and hand-written transcripts. */
static LineResult
transcript_rfc(Transcript *self, const char *line)
{
    char who = line[0];
    const char *rest = line[2] == ' ' ? line + 3 : line + 2;
    Session *s = transcript_single(self, STYLE_RFC);
    if (who == 'C' || who == 'c') {
        if (*rest == '\0' && !s->in_body)
            return LINE_USED;
        session_command(self, s, rest);
        return LINE_USED;
    }
    if (!transcript_is_code(rest))
        return LINE_UNRECOGNISED;
    session_reply_line(self, s, rest);
    return LINE_USED;
}

/* A "what went wrong" text: which step failed before there was a conversation. */
static Step
transcript_connect_step(const char *text)
{
    if (strstr(text, "resolve") || strstr(text, "not known") || strstr(text, "Name or service") ||
        strstr(text, "No address associated") || strstr(text, "no such host") ||
        strstr(text, "Temporary failure in name resolution"))
        return STEP_RESOLVE;
    return STEP_CONNECT;
}

/* swaks: "=== " info, "*** " errors, " -> " / " ~> " sent, "<-  " / "<~  " received,
 * "<** " / "<~* " received but not what swaks expected. */
static LineResult
transcript_swaks(Transcript *self, const char *line)
{
    Session *s = transcript_single(self, STYLE_SWAKS);
    const char *rest = line + 4;
    if (g_str_has_prefix(line, "=== ")) {
        if (g_str_has_prefix(rest, "Trying ")) {
            const char *host = rest + strlen("Trying ");
            const char *colon = strrchr(host, ':');
            gsize n = colon ? (gsize)(colon - host) : strlen(host);
            session_begin(self, s, STYLE_SWAKS, host, n, NULL, 0, FALSE);
        } else if (g_str_has_prefix(rest, "Connected to ")) {
            s->open = TRUE;
            s->connected = TRUE;
            if (s->relay == NULL) {
                const char *host = rest + strlen("Connected to ");
                gsize n = strlen(host);
                if (n > 0 && host[n - 1] == '.')
                    n--;
                s->relay = session_store(self, s, host, n);
            }
        } else if (g_str_has_prefix(rest, "Connection closed")) {
            session_end(self, s, NULL);
        }
        return LINE_USED;
    }
    if (g_str_has_prefix(line, "*** ")) {
        if (g_str_has_prefix(rest, "Error connecting")) {
            session_error(self, s, rest, STEP_CONNECT);
        } else if (*rest == '\t' || *rest == ' ') {
            /* the second line of "Error connecting ...:\n\t<reason>" */
            const char *why = transcript_skip_spaces(rest);
            if (s->error_step != STEP_UNKNOWN)
                session_error(self, s, why, transcript_connect_step(why));
            else
                session_error(self, s, why, STEP_UNKNOWN);
        } else if (strstr(rest, "closed connection unexpectedly")) {
            session_error(self, s, rest, STEP_UNKNOWN);
            session_end(self, s, s->error);
        } else {
            session_error(self, s, rest, STEP_UNKNOWN);
        }
        return LINE_USED;
    }
    if (g_str_has_prefix(line, " -> ") || g_str_has_prefix(line, " ~> ") ||
        g_str_has_prefix(line, "**> ") || g_str_has_prefix(line, "*~> ")) {
        if (s->in_body && g_str_has_suffix(rest, " lines sent")) {
            return LINE_USED; /* --suppress-data: the body and its dot in one line */
        }
        session_command(self, s, rest);
        return LINE_USED;
    }
    if (g_str_has_prefix(line, "<-  ") || g_str_has_prefix(line, "<~  ") ||
        g_str_has_prefix(line, "<** ") || g_str_has_prefix(line, "<~* ")) {
        if (transcript_is_code(rest)) {
            session_reply_line(self, s, rest);
            return LINE_USED;
        }
        if (g_str_has_prefix(rest, "Timeout")) {
            /* "Timeout (30 secs) waiting for server response" */
            session_error(self, s, rest, STEP_UNKNOWN);
            session_end(self, s, s->error);
            return LINE_USED;
        }
        return LINE_UNRECOGNISED;
    }
    return LINE_USED; /* "  >" / "<  " hex dumps */
}

/* curl -v: "* " info, "< " received, "> " sent, "} [n bytes data]". */
static LineResult
transcript_curl(Transcript *self, const char *line)
{
    Session *s = transcript_single(self, STYLE_CURL);
    if (line[0] == '<' || line[0] == '>' || g_str_has_prefix(line, "*   Trying") ||
        g_str_has_prefix(line, "* Connected"))
        self->curl_ended = FALSE;
    if (line[0] == '<') {
        const char *rest = line + 2;
        if (!transcript_is_code(rest))
            return LINE_UNRECOGNISED;
        session_reply_line(self, s, rest);
        return LINE_USED;
    }
    if (line[0] == '>') {
        session_command(self, s, line + 2);
        return LINE_USED;
    }
    if (line[0] == '}' || line[0] == '{')
        return LINE_USED;
    const char *rest;
    if (g_str_has_prefix(line, "curl: (")) {
        rest = strchr(line, ')');
        rest = rest ? transcript_skip_spaces(rest + 1) : line;
        if (s->open || !self->curl_ended) {
            if (s->error == NULL)
                session_error(self, s, rest, transcript_connect_step(rest));
            session_end(self, s, NULL);
        }
        self->curl_ended = TRUE;
        return LINE_USED;
    }
    rest = transcript_skip_spaces(line + 1);
    if (g_str_has_prefix(rest, "Trying ")) {
        const char *ip = rest + strlen("Trying ");
        const char *colon = strrchr(ip, ':');
        gsize n = colon ? (gsize)(colon - ip) : strlen(ip);
        while (n > 0 && ip[n - 1] == '.')
            n--;
        if (!s->open || s->greeted || s->pending_len > 0)
            session_begin(self, s, STYLE_CURL, NULL, 0, ip, n, FALSE);
        else
            s->relay_ip = session_store(self, s, ip, n); /* the next address */
    } else if (g_str_has_prefix(rest, "Connected to ")) {
        /* "Connected to mx.example (192.0.2.1) port 25 (#0)" */
        const char *host = rest + strlen("Connected to ");
        const char *sp = strchr(host, ' ');
        gsize hn = sp ? (gsize)(sp - host) : strlen(host);
        const char *ip = sp && sp[1] == '(' ? sp + 2 : NULL;
        const char *close = ip ? strchr(ip, ')') : NULL;
        if (!s->open)
            session_begin(self, s, STYLE_CURL, NULL, 0, NULL, 0, FALSE);
        s->relay = session_store(self, s, host, hn);
        if (close)
            s->relay_ip = session_store(self, s, ip, (gsize)(close - ip));
        s->connected = TRUE;
        s->error = NULL;
        s->error_step = STEP_UNKNOWN;
    } else if (g_str_has_prefix(rest, "Could not resolve")) {
        s->open = TRUE;
        session_error(self, s, rest, STEP_RESOLVE);
    } else if (g_str_has_prefix(rest, "connect to ") ||
               g_str_has_prefix(rest, "Failed to connect")) {
        s->open = TRUE;
        session_error(self, s, rest, STEP_CONNECT);
    } else if (strstr(rest, "timed out") || g_str_has_prefix(rest, "Recv failure") ||
               g_str_has_prefix(rest, "Send failure") ||
               g_str_has_prefix(rest, "Connection died")) {
        session_error(self, s, rest, STEP_CONNECT);
        if (s->greeted || s->connected) {
            session_end(self, s, s->error);
            self->curl_ended = TRUE;
        }
    } else if (g_str_has_prefix(rest, "Closing connection")) {
        session_end(self, s, NULL);
        self->curl_ended = TRUE;
    }
    return LINE_USED;
}

/* Exim -v / -d: "  SMTP<< 250 OK", "  SMTP>> RCPT TO:<a@b>", "  SMTP|> ..." (pipelined),
 * "  SMTP+> BDAT 338 LAST", reply continuation lines indented without a prefix,
 * "Connecting to mx [192.0.2.1]:25 ... connected", "  SMTP(close)>>". */
static LineResult
transcript_exim(Transcript *self, const char *line)
{
    const char *p = transcript_skip_spaces(line);
    /* exim -d prefixes: "09:00:01.123 " and/or "12345 " (pid) */
    Session *s = self->single;
    if (s->style == STYLE_EXIM && s->reply_open && p != line && transcript_is_code(p)) {
        session_reply_line(self, s, p); /* "         250-SIZE 52428800" */
        return LINE_USED;
    }
    for (int i = 0; i < 2; i++) {
        const char *q = p;
        while (g_ascii_isdigit(*q) || *q == ':' || *q == '.')
            q++;
        /* not a three-digit reply code of a continuation line */
        if (q > p && *q == ' ' && g_ascii_isdigit(*p) && (q - p != 3 || memchr(p, ':', 3)))
            p = transcript_skip_spaces(q);
    }
    if (g_str_has_prefix(p, "SMTP")) {
        const char *op = p + 4;
        s = transcript_single(self, STYLE_EXIM);
        self->verbose_style = TRUE;
        if (*op == '(') {
            /* "SMTP(close)>>", "SMTP(closed)<<", "SMTP(Connection timed out)<<" */
            const char *close = strchr(op, ')');
            if (close == NULL)
                return LINE_UNRECOGNISED;
            g_autofree char *what = g_strndup(op + 1, (gsize)(close - op - 1));
            if (g_str_equal(what, "close"))
                session_end(self, s, NULL);
            else if (g_str_equal(what, "closed"))
                session_end(self, s, "connection closed by the server");
            else
                session_end(self, s, what);
            return LINE_USED;
        }
        if (op[0] == '<' && op[1] == '<') {
            const char *rest = transcript_skip_spaces(op + 2);
            if (!transcript_is_code(rest))
                return LINE_UNRECOGNISED;
            session_reply_line(self, s, rest);
            return LINE_USED;
        }
        if ((op[0] == '>' || op[0] == '|' || op[0] == '+') && op[1] == '>') {
            const char *rest = transcript_skip_spaces(op + 2);
            if (g_str_has_prefix(rest, "writing message and terminating")) {
                if (!s->in_body)
                    s->in_body = TRUE;
                session_command(self, s, ".");
            } else if (g_str_has_prefix(rest, "(writing message)")) {
                /* newer Exim: the body goes out without the dot line */
            } else {
                session_command(self, s, rest);
            }
            return LINE_USED;
        }
        return LINE_UNRECOGNISED;
    }
    if (s->style == STYLE_EXIM && s->reply_open && p != line && transcript_is_code(p)) {
        session_reply_line(self, s, p); /* "         250-SIZE 52428800" */
        return LINE_USED;
    }
    if (g_str_has_prefix(p, "Connecting to ")) {
        /* "Connecting to mx.example [192.0.2.1]:25 ... connected" */
        s = transcript_single(self, STYLE_EXIM);
        self->verbose_style = TRUE;
        const char *host = p + strlen("Connecting to ");
        const char *sp = strchr(host, ' ');
        gsize hn = sp ? (gsize)(sp - host) : strlen(host);
        const char *ip = sp && sp[1] == '[' ? sp + 2 : NULL;
        const char *close = ip ? strchr(ip, ']') : NULL;
        session_begin(self, s, STYLE_EXIM, host, hn, ip, close ? (gsize)(close - ip) : 0,
                      strstr(p, " connected") != NULL);
        const char *failed = strstr(p, " failed");
        if (failed) {
            const char *why = strchr(failed, ':');
            session_error(self, s, why ? transcript_skip_spaces(why + 1) : failed + 1,
                          STEP_CONNECT);
        }
        return LINE_USED;
    }
    if (s->style == STYLE_EXIM && g_str_equal(p, "connected")) {
        s->connected = TRUE;
        return LINE_USED;
    }
    if (g_str_has_prefix(p, "delivering ")) {
        /* "delivering 1tXyz1-000ABC-2Q (queue run pid 123)" */
        const char *id = p + strlen("delivering ");
        gsize n = 0;
        while (id[n] && id[n] != ' ' && n < sizeof self->exim_id - 1)
            n++;
        memcpy(self->exim_id, id, n);
        self->exim_id[n] = '\0';
        self->verbose_style = TRUE;
        return LINE_USED;
    }
    return LINE_SKIPPED;
}

/* Postfix verbose: "< host[ip]:25: 250 ..." / "> host[ip]:25: RCPT TO:<...>" in the smtp
 * client's syslog lines, one session per process. */
static Session *
transcript_postfix_session(Transcript *self, const char *host, guint64 pid, gboolean create)
{
    for (guint i = 0; i < self->sessions->len; i++) {
        Session *s = self->sessions->pdata[i];
        if (s->pid_key == pid && s->host != NULL && g_str_equal(s->host, host))
            return s;
    }
    if (!create)
        return NULL;
    if (self->sessions->len >= TRANSCRIPT_MAX_SESSIONS) {
        Session *old = self->sessions->pdata[0];
        session_end(self, old, NULL);
        g_ptr_array_remove_index(self->sessions, 0);
        self->sessions_dropped++;
    }
    Session *s = session_new();
    s->pid_key = pid;
    s->host = string_pool_copy(s->store, host, strlen(host));
    s->style = STYLE_POSTFIX;
    g_ptr_array_add(self->sessions, s);
    return s;
}

static LineResult
transcript_postfix(Transcript *self, SyslogLine *sl, guint64 lineno)
{
    const char *prog = sl->program;
    const char *slash = strrchr(prog, '/');
    const char *base = slash ? slash + 1 : prog;
    if (!g_str_equal(base, "smtp") && !g_str_equal(base, "lmtp"))
        return LINE_SKIPPED;
    guint64 pid = 0;
    for (const char *d = sl->pid; d && g_ascii_isdigit(*d) && pid < G_MAXUINT32; d++)
        pid = pid * 10 + (guint64)(*d - '0');
    const char *m = sl->message;
    if ((m[0] == '<' || m[0] == '>') && m[1] == ' ') {
        /* peer: "name[addr]:port: " or "name[addr]: " */
        const char *peer = m + 2;
        const char *lb = strchr(peer, '[');
        const char *rb = lb ? strchr(lb, ']') : NULL;
        if (rb == NULL)
            return LINE_SKIPPED;
        const char *q = rb + 1;
        if (*q == ':' && g_ascii_isdigit(q[1])) {
            q++;
            while (g_ascii_isdigit(*q))
                q++;
        }
        if (q[0] != ':' || q[1] != ' ')
            return LINE_SKIPPED;
        const char *text = q + 2;
        self->verbose_style = TRUE;
        Session *s = transcript_postfix_session(self, sl->host, pid, TRUE);
        s->time = sl->time;
        s->line = lineno;
        gsize name_len = (gsize)(lb - peer), ip_len = (gsize)(rb - lb - 1);
        gboolean same_peer = s->relay != NULL && strlen(s->relay) == name_len &&
                             strncmp(s->relay, peer, name_len) == 0;
        if (!same_peer) {
            if (s->open)
                session_end(self, s, NULL);
            s->open = TRUE;
            s->relay = session_store(self, s, peer, name_len);
            s->relay_ip = session_store(self, s, lb + 1, ip_len);
            if (m[0] == '<')
                s->connected = TRUE;
        }
        s->time = sl->time;
        if (m[0] == '<') {
            if (!transcript_is_code(text))
                return LINE_UNRECOGNISED;
            session_reply_line(self, s, text);
        } else {
            session_command(self, s, text);
        }
        return LINE_USED;
    }
    /* "4XyZ: to=<..>, ..., status=deferred (conversation with mx[ip] timed out while ...)"
     * ends this process's session with the client's own words */
    Session *s = transcript_postfix_session(self, sl->host, pid, FALSE);
    if (s == NULL || !s->open || (s->pending_len == 0 && !s->in_body))
        return LINE_SKIPPED;
    const char *st = strstr(m, "status=deferred (");
    if (st == NULL)
        st = strstr(m, "status=bounced (");
    if (st == NULL)
        return LINE_SKIPPED;
    const char *why = strchr(st, '(') + 1;
    if (strstr(why, "timed out") == NULL && strstr(why, "lost connection") == NULL)
        return LINE_SKIPPED;
    gsize n = strlen(why);
    if (n > 0 && why[n - 1] == ')')
        n--;
    s->time = sl->time;
    s->line = lineno;
    const char *text = session_store(self, s, why, n);
    session_end(self, s, text);
    return LINE_USED;
}

/* ---- the parser ---- */

static gpointer
transcript_new(ParserContext *ctx)
{
    Transcript *self = g_new0(Transcript, 1);
    self->ctx = ctx;
    syslog_clock_init(&self->clock, ctx->options);
    self->single = session_new();
    self->sessions = g_ptr_array_new_with_free_func((GDestroyNotify)session_free);
    return self;
}

/* An optional time stamp before a transcript line: "2026-11-24T09:00:01+01:00 " or
 * "[2026-11-24 09:00:01] ". Returns the bytes to skip. */
static gsize
transcript_time_prefix(Transcript *self, const char *line, gsize len, gint64 *t)
{
    gsize off = line[0] == '[' ? 1 : 0;
    if (off >= len || !g_ascii_isdigit(line[off]))
        return 0;
    gsize n = time_parse_iso8601(line + off, len - off, self->ctx->options->tz, t);
    if (n == 0)
        return 0;
    n += off;
    if (off == 1) {
        if (n >= len || line[n] != ']')
            return 0;
        n++;
    }
    if (n < len && line[n] != ' ')
        return 0;
    while (n < len && line[n] == ' ')
        n++;
    return n;
}

static LineResult
transcript_feed(gpointer p, char *line, gsize len, guint64 lineno)
{
    Transcript *self = p;
    gint64 t = 0;
    gsize skip = transcript_time_prefix(self, line, len, &t);
    /* RFC style, possibly time-stamped: looked at first, "2026-11-24T09:00:00Z C: Subject: x"
     * would pass for a syslog line */
    const char *q = transcript_skip_spaces(line + skip);
    gboolean rfc = (q[0] == 'S' || q[0] == 'C') && q[1] == ':' && (q[2] == ' ' || q[2] == '\0');
    /* Postfix verbose lines carry a syslog prefix */
    if (!rfc && len > 16 && (g_ascii_isdigit(line[0]) || g_ascii_isupper(line[0])) &&
        syslog_peek(line, len, NULL, NULL)) {
        SyslogLine sl;
        if (syslog_parse(&self->clock, line, len, &sl))
            return transcript_postfix(self, &sl, lineno);
        return LINE_UNRECOGNISED;
    }
    line += skip;
    len -= skip;
    Session *s = self->single;
    s->line = lineno;
    if (t != 0)
        s->time = t;
    if (len == 0)
        return LINE_SKIPPED;
    if (rfc)
        return transcript_rfc(self, q);
    /* swaks */
    if (len >= 4 && (g_str_has_prefix(line, "=== ") || g_str_has_prefix(line, "*** ") ||
                     g_str_has_prefix(line, " -> ") || g_str_has_prefix(line, " ~> ") ||
                     g_str_has_prefix(line, "**> ") || g_str_has_prefix(line, "*~> ") ||
                     g_str_has_prefix(line, "<-  ") || g_str_has_prefix(line, "<~  ") ||
                     g_str_has_prefix(line, "<** ") || g_str_has_prefix(line, "<~* ")))
        return transcript_swaks(self, line);
    if (s->style == STYLE_SWAKS && s->in_body &&
        (g_str_equal(line, " ->") || g_str_equal(line, " ~>"))) {
        session_command(self, s, ""); /* an empty body line: the end of the headers */
        return LINE_USED;
    }
    /* curl -v */
    if ((line[0] == '<' || line[0] == '>') && line[1] == ' ')
        return transcript_curl(self, line);
    if ((line[0] == '}' || line[0] == '{') && line[1] == ' ' && line[2] == '[')
        return transcript_curl(self, line);
    if ((line[0] == '*' && line[1] == ' ') || g_str_has_prefix(line, "curl: ("))
        return transcript_curl(self, line);
    /* Exim */
    LineResult r = transcript_exim(self, line);
    if (r != LINE_SKIPPED)
        return r;
    if (self->verbose_style)
        return LINE_SKIPPED; /* the rest of exim -d output, "LOG: MAIN" ... */
    return LINE_UNRECOGNISED;
}

static gboolean
transcript_finish(gpointer p, GError **error)
{
    (void)error;
    Transcript *self = p;
    session_end(self, self->single, NULL);
    for (guint i = 0; i < self->sessions->len; i++)
        session_end(self, self->sessions->pdata[i], NULL);
    if (self->sessions_dropped > 0)
        parser_context_note(self->ctx,
                            "%" G_GUINT64_FORMAT " Postfix sessions ended early: more than %d "
                            "open at once",
                            self->sessions_dropped, TRANSCRIPT_MAX_SESSIONS);
    return TRUE;
}

static void
transcript_free(gpointer p)
{
    Transcript *self = p;
    if (self == NULL)
        return;
    session_free(self->single);
    g_ptr_array_unref(self->sessions);
    g_free(self);
}

typedef struct {
    guint lines, rfc, swaks, exim, curl, syslog, postfix_verbose;
    gboolean smtp; /* "SMTP" somewhere in the head: else no line needs looking for it */
} TranscriptProbe;

/* g_str_has_prefix() without its two strlen() calls: runs for every line of every file probed */
static inline gboolean
probe_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static gboolean
transcript_probe_line(const char *line, gsize len, gpointer data)
{
    TranscriptProbe *pr = data;
    pr->lines++;
    char buf[256];
    gsize n = MIN(len, sizeof buf - 1);
    memcpy(buf, line, n);
    buf[n] = '\0';
    const char *program;
    gsize program_len;
    if (syslog_peek(line, len, &program, &program_len)) {
        pr->syslog++;
        const char *m = NULL;
        if (program_len >= 4 && (memcmp(program + program_len - 4, "smtp", 4) == 0 ||
                                 memcmp(program + program_len - 4, "lmtp", 4) == 0))
            m = strstr(buf, "]: ");
        if (m && (m[3] == '<' || m[3] == '>') && m[4] == ' ' && strstr(m + 5, "]:"))
            pr->postfix_verbose++;
        return pr->lines < 200;
    }
    const char *q = buf;
    while (*q == ' ' || *q == '\t')
        q++;
    if ((q[0] == 'S' && q[1] == ':' && q[2] == ' ' && transcript_is_code(q + 3)) ||
        (q[0] == 'C' && q[1] == ':' && q[2] == ' ' &&
         (transcript_prefix(q + 3, "EHLO") || transcript_prefix(q + 3, "HELO") ||
          transcript_prefix(q + 3, "MAIL FROM:"))))
        pr->rfc++;
    /* the other tools' markers start with one of a few bytes: most lines are none of them */
    switch (buf[0]) {
    case '=':
        if (probe_prefix(buf, "=== Trying ") || probe_prefix(buf, "=== Connected to "))
            pr->swaks++;
        break;
    case '<':
        if ((probe_prefix(buf, "<-  ") || probe_prefix(buf, "<** ")) && transcript_is_code(buf + 4))
            pr->swaks++;
        if (probe_prefix(buf, "< ") && transcript_is_code(buf + 2))
            pr->curl++;
        break;
    case ' ':
        if (probe_prefix(buf, " -> EHLO") || probe_prefix(buf, " -> HELO"))
            pr->swaks++;
        break;
    case '*':
        if (probe_prefix(buf, "* Connected to "))
            pr->curl++;
        break;
    case '>':
        if (probe_prefix(buf, "> EHLO ") || probe_prefix(buf, "> HELO "))
            pr->curl++;
        break;
    default:
        break;
    }
    /* "SMTP<< ", "SMTP>> " or "SMTP|> " anywhere: one search instead of three */
    for (const char *m = pr->smtp ? strstr(buf, "SMTP") : NULL; m != NULL;
         m = strstr(m + 1, "SMTP")) {
        if ((m[4] == '<' && m[5] == '<' && m[6] == ' ') ||
            ((m[4] == '>' || m[4] == '|') && m[5] == '>' && m[6] == ' ')) {
            pr->exim++;
            break;
        }
    }
    return pr->lines < 200;
}

static guint
transcript_probe(const char *head, gsize len)
{
    TranscriptProbe pr = {.smtp = memmem(head, len, "SMTP", 4) != NULL};
    syslog_head_foreach_line(head, len, transcript_probe_line, &pr);
    if (pr.postfix_verbose > 0)
        /* above the Postfix parser (at most 95) when the verbose lines are the bulk */
        return pr.postfix_verbose * 2 >= pr.syslog ? 97 : 30;
    if (pr.swaks >= 2)
        return 90;
    if (pr.exim >= 2)
        return 85;
    if (pr.curl >= 2)
        return 85;
    if (pr.rfc >= 2)
        return 80;
    if (pr.swaks + pr.exim + pr.curl + pr.rfc >= 1)
        return 40;
    return 0;
}

const ParserClass transcript_parser_class = {
    .name = "transcript",
    .description = "SMTP session transcripts: S:/C:, swaks, Exim -v/-d, Postfix verbose, curl -v",
    .probe = transcript_probe,
    .new = transcript_new,
    .feed_line = transcript_feed,
    .finish = transcript_finish,
    .free = transcript_free,
};
