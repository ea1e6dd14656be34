/* KumoMTA log records: one JSON object per line (docs/reference/log_record.md), as found in
 * the segment files KumoMTA writes (zstd-compressed; the input layer decompresses them). Each
 * line is parsed with json-glib; one record becomes at most one Event. */
#include "json-line.h"
#include "parser.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "timeutil.h"

/* Longest line we hand to the JSON parser (Feedback records carry the reported message). */
#define KUMOMTA_MAX_LINE ((gsize)1024 * 1024)
/* How many "line N: why" notes one stream may add (the rest are still counted). */
#define KUMOMTA_MAX_REASON_NOTES 5

typedef enum {
    KUMOMTA_REC_RECEPTION,
    KUMOMTA_REC_DELIVERY,
    KUMOMTA_REC_BOUNCE,
    KUMOMTA_REC_TRANSIENT_FAILURE,
    KUMOMTA_REC_EXPIRATION,
    KUMOMTA_REC_ADMIN_BOUNCE,
    KUMOMTA_REC_OOB,
    KUMOMTA_REC_FEEDBACK,
    KUMOMTA_REC_REJECTION,
    KUMOMTA_REC_DELAYED,
    KUMOMTA_REC_OTHER, /* understood, no event: AdminRebind, XferOut, XferIn, Any */
} KumomtaRecord;

static const struct {
    const char *name;
    KumomtaRecord rec;
} kumomta_records[] = {
    {"Reception", KUMOMTA_REC_RECEPTION},
    {"Delivery", KUMOMTA_REC_DELIVERY},
    {"Bounce", KUMOMTA_REC_BOUNCE},
    {"TransientFailure", KUMOMTA_REC_TRANSIENT_FAILURE},
    {"Expiration", KUMOMTA_REC_EXPIRATION},
    {"AdminBounce", KUMOMTA_REC_ADMIN_BOUNCE},
    {"OOB", KUMOMTA_REC_OOB},
    {"Feedback", KUMOMTA_REC_FEEDBACK},
    {"Rejection", KUMOMTA_REC_REJECTION},
    {"Delayed", KUMOMTA_REC_DELAYED},
    {"Delay", KUMOMTA_REC_DELAYED}, /* the name used in the log_record documentation */
    {"AdminRebind", KUMOMTA_REC_OTHER},
    {"XferOut", KUMOMTA_REC_OTHER},
    {"XferIn", KUMOMTA_REC_OTHER},
    {"Any", KUMOMTA_REC_OTHER},
};

/* SMTP command verbs (response.command holds the command line as sent) and their step. */
static const struct {
    const char *verb;
    Step step;
} kumomta_commands[] = {
    {"MAIL FROM", STEP_MAIL_FROM}, {"RCPT TO", STEP_RCPT_TO}, {"DATA", STEP_DATA},
    {".", STEP_END_OF_DATA},       {"EHLO", STEP_HELO},       {"HELO", STEP_HELO},
    {"LHLO", STEP_HELO},           {"AUTH", STEP_HELO},       {"STARTTLS", STEP_TLS},
    {"QUIT", STEP_QUIT},
};

/* ARF feedback types that are causes in taxonomy.tsv (step "complaint"). */
static const char *const kumomta_feedback_types[] = {
    "abuse", "fraud", "virus", "other", "not-spam", "auth-failure",
};

typedef struct {
    ParserContext *ctx;
    JsonParser *json;
    guint reason_notes;
} KumomtaParser;

/* Scratch strings of one record, on the caller's stack. */
typedef struct {
    char enhanced[16];
    char campaign[256];
    char message_id[1000];
    char relay[256];
    char feedback[16];
    char recipient[512];
    char detail[160];
} KumomtaScratch;

static LineResult
kumomta_reject(KumomtaParser *self, guint64 lineno, const char *why)
{
    if (self->reason_notes < KUMOMTA_MAX_REASON_NOTES) {
        self->reason_notes++;
        parser_context_note(self->ctx, "%s: line %" G_GUINT64_FORMAT ": %s", self->ctx->name,
                            lineno, why);
    }
    return LINE_UNRECOGNISED;
}

/* Member name as a string, NULL if absent, null or of another type. */
static const char *
kumomta_str(JsonObject *obj, const char *name)
{
    if (obj == NULL)
        return NULL;
    JsonNode *n = json_object_get_member(obj, name);
    if (n == NULL || json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(n);
}

static const char *
kumomta_nonempty(JsonObject *obj, const char *name)
{
    const char *s = kumomta_str(obj, name);
    return (s && *s) ? s : NULL;
}

static JsonObject *
kumomta_obj(JsonObject *obj, const char *name)
{
    if (obj == NULL)
        return NULL;
    JsonNode *n = json_object_get_member(obj, name);
    return (n && JSON_NODE_HOLDS_OBJECT(n)) ? json_node_get_object(n) : NULL;
}

/* Member as an integer (JSON integer, or a float with no fraction); FALSE otherwise. */
static gboolean
kumomta_int(JsonObject *obj, const char *name, gint64 *out)
{
    if (obj == NULL)
        return FALSE;
    JsonNode *n = json_object_get_member(obj, name);
    if (n == NULL)
        return FALSE;
    GType t = json_node_get_value_type(n);
    if (t == G_TYPE_INT64) {
        *out = json_node_get_int(n);
        return TRUE;
    }
    if (t == G_TYPE_DOUBLE) {
        double d = json_node_get_double(n);
        if (!isfinite(d) || d < -9.0e15 || d > 9.0e15 || d != floor(d))
            return FALSE;
        *out = (gint64)d;
        return TRUE;
    }
    return FALSE;
}

/* A time member: Unix seconds (integer or fractional) or an RFC 3339 string. */
static gboolean
kumomta_time(KumomtaParser *self, JsonObject *obj, const char *name, gint64 *out)
{
    JsonNode *n = json_object_get_member(obj, name);
    if (n == NULL)
        return FALSE;
    GType t = json_node_get_value_type(n);
    if (t == G_TYPE_INT64) {
        gint64 s = json_node_get_int(n);
        if (s <= 0 || s > G_GINT64_CONSTANT(253402300799)) /* up to 9999-12-31 */
            return FALSE;
        *out = s * G_USEC_PER_SEC;
        return TRUE;
    }
    if (t == G_TYPE_DOUBLE) {
        double d = json_node_get_double(n);
        if (!isfinite(d) || d <= 0 || d > 253402300799.0)
            return FALSE;
        *out = (gint64)(d * G_USEC_PER_SEC);
        return TRUE;
    }
    if (t == G_TYPE_STRING) {
        const char *s = json_node_get_string(n);
        return time_parse_iso8601(s, strlen(s), self->ctx->options->tz, out) > 0;
    }
    return FALSE;
}

static gboolean
kumomta_copy(char *buf, gsize size, const char *s, gsize len)
{
    if (len == 0 || len >= size)
        return FALSE;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return TRUE;
}

/* "<id@host>" -> "id@host" in buf. */
static const char *
kumomta_message_id(char *buf, gsize size, const char *s)
{
    if (s == NULL)
        return NULL;
    while (*s == ' ' || *s == '\t' || *s == '<')
        s++;
    gsize n = strcspn(s, "> \t\r\n");
    return kumomta_copy(buf, size, s, n) ? buf : NULL;
}

/* The campaign of a queue name "campaign:tenant@domain" or "campaign:@domain". */
static const char *
kumomta_queue_campaign(char *buf, gsize size, const char *queue)
{
    if (queue == NULL)
        return NULL;
    const char *at = strchr(queue, '@');
    if (at == NULL)
        return NULL;
    const char *colon = memchr(queue, ':', (gsize)(at - queue));
    if (colon == NULL)
        return NULL;
    return kumomta_copy(buf, size, queue, (gsize)(colon - queue)) ? buf : NULL;
}

/* A header captured by the logger ("headers": {"Message-ID": "..."}), case-insensitively. */
static const char *
kumomta_header(JsonObject *headers, const char *name)
{
    if (headers == NULL)
        return NULL;
    const char *v = kumomta_nonempty(headers, name);
    if (v)
        return v;
    JsonObjectIter it;
    const char *key;
    JsonNode *node;
    json_object_iter_init(&it, headers);
    while (json_object_iter_next(&it, &key, &node))
        if (g_ascii_strcasecmp(key, name) == 0 && json_node_get_value_type(node) == G_TYPE_STRING)
            return json_node_get_string(node);
    return NULL;
}

/* The value of header name in a raw header block (the reported message of an ARF report). */
static const char *
kumomta_raw_header(char *buf, gsize size, const char *text, const char *name)
{
    if (text == NULL)
        return NULL;
    gsize nl = strlen(name);
    const char *p = text;
    while (*p) {
        if (*p == '\r' || *p == '\n')
            break; /* end of the header block */
        if (g_ascii_strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            return kumomta_message_id(buf, size, v);
        }
        const char *e = strchr(p, '\n');
        if (e == NULL)
            break;
        p = e + 1;
    }
    return NULL;
}

/* The enhanced status code object {class, subject, detail} as "5.1.1". */
static const char *
kumomta_enhanced(char *buf, gsize size, JsonObject *code)
{
    gint64 c, s, d;
    if (!kumomta_int(code, "class", &c) || !kumomta_int(code, "subject", &s) ||
        !kumomta_int(code, "detail", &d))
        return NULL;
    if ((c != 2 && c != 4 && c != 5) || s < 0 || s > 999 || d < 0 || d > 999)
        return NULL;
    g_snprintf(buf, size, "%d.%d.%d", (int)c, (int)s, (int)d);
    return buf;
}

/* The step of the command a response answered ("RCPT TO:<x>\r\n" -> rcpt-to). */
static Step
kumomta_command_step(const char *cmd)
{
    while (*cmd == ' ')
        cmd++;
    for (gsize k = 0; k < G_N_ELEMENTS(kumomta_commands); k++) {
        gsize n = strlen(kumomta_commands[k].verb);
        if (g_ascii_strncasecmp(cmd, kumomta_commands[k].verb, n) == 0) {
            char next = cmd[n];
            if (next == '\0' || next == ' ' || next == ':' || next == '\r' || next == '\n')
                return kumomta_commands[k].step;
        }
    }
    return STEP_UNKNOWN;
}

/* The verb of a command line, for the event detail ("RSET\r\n" -> "RSET"). */
static void
kumomta_command_verb(char *buf, gsize size, const char *cmd)
{
    while (*cmd == ' ')
        cmd++;
    gsize n = strcspn(cmd, ":<\r\n");
    while (n > 0 && cmd[n - 1] == ' ')
        n--;
    if (!kumomta_copy(buf, size, cmd, n))
        buf[0] = '\0';
}

/* What a response is to us. */
typedef enum {
    KUMOMTA_RESPONSE_FACTS,   /* code, enhanced code and text only (expiry, OOB, admin) */
    KUMOMTA_RESPONSE_ATTEMPT, /* the peer's reply in our delivery attempt: the command is a step */
    KUMOMTA_RESPONSE_INBOUND, /* our own listener's reply to an incoming command */
} KumomtaResponse;

static void
kumomta_response(Event *ev, JsonObject *resp, KumomtaScratch *sc, KumomtaResponse what)
{
    if (resp == NULL)
        return;
    gint64 code;
    if (kumomta_int(resp, "code", &code) && code >= 200 && code <= 599)
        ev->reply_code = (guint16)code;
    ev->enhanced =
        kumomta_enhanced(sc->enhanced, sizeof sc->enhanced, kumomta_obj(resp, "enhanced_code"));
    ev->diagnostic = kumomta_nonempty(resp, "content");
    const char *cmd = kumomta_nonempty(resp, "command");
    if (what == KUMOMTA_RESPONSE_INBOUND) {
        /* not a step of our delivery: keep the command as the detail */
        if (cmd) {
            char verb[64];
            kumomta_command_verb(verb, sizeof verb, cmd);
            g_snprintf(sc->detail, sizeof sc->detail, "inbound %s", verb);
            ev->detail = sc->detail;
        }
        return;
    }
    if (what != KUMOMTA_RESPONSE_ATTEMPT)
        return;
    if (cmd) {
        ev->step = kumomta_command_step(cmd);
        if (ev->step != STEP_UNKNOWN) {
            ev->step_confidence = CONFIDENCE_EXPLICIT;
        } else {
            kumomta_command_verb(sc->detail, sizeof sc->detail, cmd);
            ev->detail = *sc->detail ? sc->detail : NULL;
        }
    } else if (ev->reply_code != 0 && ev->diagnostic &&
               !g_str_has_prefix(ev->diagnostic, "KumoMTA internal")) {
        /* a reply from the peer that answered no command: the banner */
        ev->step = STEP_GREETING;
        ev->step_confidence = CONFIDENCE_INFERRED_TEXT;
    }
}

static LineResult
kumomta_feed_line(gpointer data, char *line, gsize len, guint64 lineno)
{
    KumomtaParser *self = data;
    gsize start = 0;
    while (start < len && g_ascii_isspace(line[start]))
        start++;
    if (start == len)
        return LINE_SKIPPED;
    if (len > KUMOMTA_MAX_LINE)
        return kumomta_reject(self, lineno, "line longer than 1 MiB, not parsed");
    if (line[start] != '{')
        return kumomta_reject(self, lineno, "not a JSON object");
    g_autofree char *why = NULL;
    JsonObject *obj = json_line_parse_object(self->json, line + start, len - start, &why);
    if (obj == NULL)
        return kumomta_reject(self, lineno, why);

    const char *type = kumomta_str(obj, "type");
    if (type == NULL)
        return kumomta_reject(self, lineno, "no \"type\" string: not a KumoMTA log record");
    KumomtaRecord rec = KUMOMTA_REC_OTHER;
    gboolean known = FALSE;
    for (gsize k = 0; k < G_N_ELEMENTS(kumomta_records) && !known; k++) {
        if (strcmp(type, kumomta_records[k].name) == 0) {
            rec = kumomta_records[k].rec;
            known = TRUE;
        }
    }
    if (!known)
        return kumomta_reject(self, lineno, "unknown KumoMTA record type");
    if (rec == KUMOMTA_REC_OTHER)
        return LINE_USED;

    Event ev;
    event_init(&ev);
    ev.line = lineno;
    KumomtaScratch sc;
    sc.detail[0] = '\0';

    const char *id = kumomta_nonempty(obj, "id");
    const char *recipient = kumomta_nonempty(obj, "recipient");
    gboolean message_record =
        rec != KUMOMTA_REC_OOB && rec != KUMOMTA_REC_FEEDBACK && rec != KUMOMTA_REC_REJECTION;
    if (message_record && id == NULL)
        return kumomta_reject(self, lineno, "no \"id\" string (the spool id)");
    if (message_record && recipient == NULL)
        return kumomta_reject(self, lineno, "no \"recipient\" string");
    if (rec == KUMOMTA_REC_OOB && recipient == NULL)
        return kumomta_reject(self, lineno, "OOB record without a \"recipient\" string");
    if (!kumomta_time(self, obj, "timestamp", &ev.time) &&
        !kumomta_time(self, obj, "created", &ev.time))
        return kumomta_reject(self, lineno, "no usable \"timestamp\"");

    gboolean outbound = FALSE;
    switch (rec) {
    case KUMOMTA_REC_RECEPTION:
        ev.kind = EVENT_KIND_QUEUED;
        break;
    case KUMOMTA_REC_DELIVERY:
        ev.kind = EVENT_KIND_DELIVERED;
        outbound = TRUE;
        break;
    case KUMOMTA_REC_BOUNCE:
        ev.kind = EVENT_KIND_FAILED;
        ev.permanence = PERMANENCE_PERMANENT;
        outbound = TRUE;
        break;
    case KUMOMTA_REC_TRANSIENT_FAILURE:
        ev.kind = EVENT_KIND_DEFERRED;
        ev.permanence = PERMANENCE_TEMPORARY;
        outbound = TRUE;
        break;
    case KUMOMTA_REC_EXPIRATION:
        ev.kind = EVENT_KIND_EXPIRED;
        break;
    case KUMOMTA_REC_ADMIN_BOUNCE:
        /* our own system failed the message: the compile step, by local policy */
        ev.kind = EVENT_KIND_FAILED;
        ev.step = STEP_COMPILE;
        ev.step_confidence = CONFIDENCE_EXPLICIT;
        ev.cause_hint = "local-policy";
        ev.permanence = PERMANENCE_PERMANENT;
        break;
    case KUMOMTA_REC_OOB:
        ev.kind = EVENT_KIND_BOUNCE;
        break;
    case KUMOMTA_REC_FEEDBACK:
        ev.kind = EVENT_KIND_COMPLAINT;
        break;
    case KUMOMTA_REC_REJECTION:
        ev.kind = EVENT_KIND_REJECTED;
        break;
    case KUMOMTA_REC_DELAYED:
        ev.kind = EVENT_KIND_DEFERRED;
        ev.attempt_flags |= EVENT_FLAG_NOT_ATTEMPTED;
        ev.permanence = PERMANENCE_TEMPORARY;
        break;
    case KUMOMTA_REC_OTHER:
        break;
    }

    /* keys; the spool id is scoped by the node that wrote it */
    ev.host = kumomta_nonempty(obj, "nodeid");
    if (ev.host == NULL)
        ev.host = self->ctx->name;
    if (rec == KUMOMTA_REC_OOB || rec == KUMOMTA_REC_FEEDBACK)
        ev.related_id = id; /* the id of the incoming report, not of our message */
    else
        ev.queue_id = id;
    ev.sender = kumomta_str(obj, "sender");
    ev.recipient = recipient;
    JsonObject *headers = kumomta_obj(obj, "headers");
    JsonObject *meta = kumomta_obj(obj, "meta");
    ev.campaign =
        kumomta_queue_campaign(sc.campaign, sizeof sc.campaign, kumomta_str(obj, "queue"));
    if (ev.campaign == NULL)
        ev.campaign = kumomta_nonempty(meta, "campaign");
    if (ev.campaign == NULL)
        ev.campaign = kumomta_header(headers, "X-Campaign-ID");
    ev.message_id = kumomta_message_id(sc.message_id, sizeof sc.message_id,
                                       kumomta_header(headers, "Message-ID"));
    ev.subject = kumomta_header(headers, "Subject");
    ev.from_header = kumomta_header(headers, "From");
    gint64 size;
    if (kumomta_int(obj, "size", &size) && size >= 0)
        ev.size = size;

    /* what happened */
    /* a Reception's or Feedback's response is our own listener's 250 */
    if (rec != KUMOMTA_REC_RECEPTION && rec != KUMOMTA_REC_FEEDBACK)
        kumomta_response(&ev, kumomta_obj(obj, "response"), &sc,
                         outbound                       ? KUMOMTA_RESPONSE_ATTEMPT
                         : rec == KUMOMTA_REC_REJECTION ? KUMOMTA_RESPONSE_INBOUND
                                                        : KUMOMTA_RESPONSE_FACTS);
    if (outbound) {
        JsonObject *peer = kumomta_obj(obj, "peer_address");
        const char *name = kumomta_nonempty(peer, "name");
        if (name) {
            gsize n = strlen(name);
            if (n > 1 && name[n - 1] == '.')
                n--; /* the MX name as resolved, with its root dot */
            if (kumomta_copy(sc.relay, sizeof sc.relay, name, n))
                ev.relay = sc.relay;
        }
        ev.relay_ip = kumomta_nonempty(peer, "addr");
        if (ev.detail == NULL) {
            const char *pool = kumomta_nonempty(obj, "egress_pool");
            const char *source = kumomta_nonempty(obj, "egress_source");
            if (pool || source) {
                g_snprintf(sc.detail, sizeof sc.detail, "egress %s%s%s", pool ? pool : "",
                           pool && source ? "/" : "", source ? source : "");
                ev.detail = sc.detail;
            }
        }
    }
    /* the bounce classifier's label, where it classified a failure */
    if (ev.kind == EVENT_KIND_FAILED || ev.kind == EVENT_KIND_DEFERRED ||
        ev.kind == EVENT_KIND_EXPIRED || ev.kind == EVENT_KIND_BOUNCE ||
        ev.kind == EVENT_KIND_REJECTED)
        ev.vendor_label = kumomta_nonempty(obj, "bounce_classification");
    if (ev.kind == EVENT_KIND_DELIVERED) {
        gint64 created;
        if (kumomta_time(self, obj, "created", &created) && created <= ev.time)
            ev.delay = (gdouble)(ev.time - created) / G_USEC_PER_SEC;
    }

    if (rec == KUMOMTA_REC_FEEDBACK) {
        JsonObject *report = kumomta_obj(obj, "feedback_report");
        const char *ftype = kumomta_nonempty(report, "feedback_type");
        if (ftype) {
            ev.cause_hint = "other";
            if (kumomta_copy(sc.feedback, sizeof sc.feedback, ftype, strlen(ftype))) {
                for (char *c = sc.feedback; *c; c++)
                    *c = g_ascii_tolower(*c);
                for (gsize k = 0; k < G_N_ELEMENTS(kumomta_feedback_types); k++)
                    if (strcmp(sc.feedback, kumomta_feedback_types[k]) == 0)
                        ev.cause_hint = kumomta_feedback_types[k];
            }
        }
        /* the record's envelope is the report's; the complainer is in the report */
        ev.recipient = NULL;
        ev.sender = NULL;
        JsonObject *trace = kumomta_obj(report, "supplemental_trace");
        const char *who = kumomta_nonempty(trace, "recipient");
        if (who == NULL) {
            JsonNode *rcpts = report ? json_object_get_member(report, "original_rcpto_to") : NULL;
            if (rcpts && JSON_NODE_HOLDS_ARRAY(rcpts) &&
                json_array_get_length(json_node_get_array(rcpts)) > 0) {
                JsonNode *first = json_array_get_element(json_node_get_array(rcpts), 0);
                if (json_node_get_value_type(first) == G_TYPE_STRING)
                    who = kumomta_message_id(sc.recipient, sizeof sc.recipient,
                                             json_node_get_string(first));
            }
        }
        ev.recipient = who;
        const char *campaign = kumomta_nonempty(trace, "campaign");
        if (campaign)
            ev.campaign = campaign;
        const char *original = kumomta_str(report, "original_message");
        if (ev.message_id == NULL)
            ev.message_id =
                kumomta_raw_header(sc.message_id, sizeof sc.message_id, original, "Message-ID");
        JsonObject *rmta = kumomta_obj(report, "reporting_mta");
        ev.reporting_mta = kumomta_nonempty(rmta, "name");
        ev.detail = kumomta_nonempty(report, "user_agent");
    }

    parser_context_emit(self->ctx, &ev);
    return LINE_USED;
}

static gpointer
kumomta_new(ParserContext *ctx)
{
    KumomtaParser *self = g_new0(KumomtaParser, 1);
    self->ctx = ctx;
    self->json = json_parser_new_immutable();
    return self;
}

static gboolean
kumomta_finish(gpointer data, GError **error)
{
    (void)data;
    (void)error;
    return TRUE;
}

static void
kumomta_free(gpointer data)
{
    KumomtaParser *self = data;
    if (self == NULL)
        return;
    g_clear_object(&self->json);
    g_free(self);
}

static gboolean
kumomta_has(const char *s, gsize len, const char *word)
{
    gsize wl = strlen(word);
    for (gsize i = 0; i + wl <= len; i++)
        if (memcmp(s + i, word, wl) == 0)
            return TRUE;
    return FALSE;
}

static guint
kumomta_probe(const char *head, gsize len)
{
    gsize i = 0;
    while (i < len && g_ascii_isspace(head[i]))
        i++;
    if (i >= len || head[i] != '{')
        return 0;
    const char *nl = memchr(head + i, '\n', len - i);
    gsize first = nl ? (gsize)(nl - head) : len;
    if (!kumomta_has(head + i, first - i, "\"type\""))
        return 0;
    static const char *const keys[] = {
        "\"bounce_classification\"", "\"egress_pool\"",  "\"egress_source\"", "\"nodeid\"",
        "\"num_attempts\"",          "\"peer_address\"", "\"site\"",          "\"queue\"",
    };
    guint hits = 0;
    for (gsize k = 0; k < G_N_ELEMENTS(keys); k++)
        if (kumomta_has(head + i, first - i, keys[k]))
            hits++;
    if (hits >= 3)
        return 90;
    if (hits >= 1)
        return 40;
    return 5;
}

const ParserClass kumomta_parser_class = {
    .name = "kumomta",
    .description = "KumoMTA JSON log records (one object per line)",
    .probe = kumomta_probe,
    .new = kumomta_new,
    .feed_line = kumomta_feed_line,
    .finish = kumomta_finish,
    .free = kumomta_free,
};
