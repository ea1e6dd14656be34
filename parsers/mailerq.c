/* Copernica MailerQ result JSON, one object per line (as written to a file from its results,
 * success, failure or retry queues). Each object is the message MailerQ was given plus a
 * "results" array with one entry per delivery attempt: the state it reached (connect, rcptto,
 * message ...), the result (accepted, timeout, lost, invalid, error), code, status and the
 * server's description. The state is the step, stated by the MTA itself. */
#include "parser.h"

#include <string.h>

#include "json-line.h"
#include "timeutil.h"

/* Messages with attempts still to come, remembered so that a message published again with a
 * longer results array (retry queue, then results queue) reports each attempt once. */
#define MAILERQ_MAX_OPEN 1000000
/* Finished messages remembered, so that the same result published to several queues (results
 * and success, say) and written to one file counts once. */
#define MAILERQ_RECENT 4096
#define MAILERQ_KEY_MAX 1024

typedef struct {
    const char *state;
    Step step;
    const char *cause; /* a compile-side state names its cause (taxonomy.tsv, map_esp.tsv) */
} MailerqState;

static const MailerqState mailerq_states[] = {
    {"process", STEP_COMPILE, NULL}, /* cause from the result, see mailerq_process_cause */
    {"suppression", STEP_COMPILE, "suppressed"},
    {"storage", STEP_COMPILE, "local-system-error"},
    {"responsive", STEP_COMPILE, "template-error"},
    {"personalize", STEP_COMPILE, "personalization-error"},
    {"rewrite", STEP_COMPILE, "mime-build-error"},
    {"dns", STEP_RESOLVE, NULL},
    {"bind", STEP_CONNECT, NULL},
    {"connect", STEP_CONNECT, NULL},
    {"handshake", STEP_CONNECT, NULL},
    {"intro", STEP_GREETING, NULL},
    {"ehlo", STEP_HELO, NULL},
    {"helo", STEP_HELO, NULL},
    {"starttls", STEP_TLS, NULL},
    {"authplain", STEP_HELO, NULL},
    {"authlogin", STEP_HELO, NULL},
    {"authusername", STEP_HELO, NULL},
    {"authpassword", STEP_HELO, NULL},
    {"authcram", STEP_HELO, NULL},
    {"authresponse", STEP_HELO, NULL},
    {"mailfrom", STEP_MAIL_FROM, NULL},
    {"rcptto", STEP_RCPT_TO, NULL},
    {"data", STEP_DATA, NULL},
    {"message", STEP_END_OF_DATA, NULL},
    {"idle", STEP_UNKNOWN, NULL},
    {"unknown", STEP_UNKNOWN, NULL},
};

typedef struct {
    ParserContext *ctx;
    JsonParser *json;
    GHashTable *open; /* message key -> results already reported (GUINT_TO_POINTER) */
    guint64 open_cleared;
    GHashTable *recent;                /* finished message key -> results reported */
    char *recent_keys[MAILERQ_RECENT]; /* owns the keys of recent, oldest replaced first */
    guint recent_next;
} Mailerq;

/* One validated entry of "results". */
typedef struct {
    const char *state, *result, *time_text, *status, *description, *mta, *to;
    gint64 time;
    gint64 code;
    JsonFieldStatus fatal_status;
    gboolean fatal;
} MailerqResult;

static LineResult G_GNUC_PRINTF(3, 4)
    mailerq_reject(Mailerq *self, guint64 lineno, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    g_autofree char *why = g_strdup_vprintf(format, ap);
    va_end(ap);
    parser_context_note(self->ctx, "line %" G_GUINT64_FORMAT ": %s", lineno, why);
    return LINE_UNRECOGNISED;
}

static const MailerqState *
mailerq_state(const char *name)
{
    for (gsize i = 0; i < G_N_ELEMENTS(mailerq_states); i++)
        if (g_ascii_strcasecmp(name, mailerq_states[i].state) == 0)
            return &mailerq_states[i];
    return NULL;
}

/* process+invalid: unsendable input (missing or unparsable recipient, licence);
 * process+error: no IP address could be assigned. */
static const char *
mailerq_process_cause(const char *result)
{
    if (g_ascii_strcasecmp(result, "invalid") == 0)
        return "invalid-address";
    if (g_ascii_strcasecmp(result, "error") == 0)
        return "local-policy";
    return NULL;
}

static gboolean
mailerq_is(const char *value, const char *name)
{
    return value != NULL && g_ascii_strcasecmp(value, name) == 0;
}

/* "5.1.1" and nothing else, or NULL. */
static const char *
mailerq_enhanced(const char *status)
{
    if (status == NULL || !(status[0] == '2' || status[0] == '4' || status[0] == '5') ||
        status[1] != '.')
        return NULL;
    const char *p = status + 2;
    int parts = 1, digits = 0; /* parts after the class */
    for (; *p; p++) {
        if (g_ascii_isdigit(*p)) {
            if (++digits > 3)
                return NULL;
        } else if (*p == '.' && digits > 0 && parts < 2) {
            parts++;
            digits = 0;
        } else {
            return NULL;
        }
    }
    return parts == 2 && digits > 0 ? status : NULL;
}

/* Reads and checks entry i of "results"; NULL if fine, else what is wrong. */
static char *
mailerq_read_result(JsonArray *results, guint i, MailerqResult *r)
{
    memset(r, 0, sizeof *r);
    JsonNode *node = json_array_get_element(results, i);
    if (!JSON_NODE_HOLDS_OBJECT(node))
        return g_strdup_printf("results[%u] must be an object, found %s", i,
                               json_line_type_name(node));
    JsonObject *o = json_node_get_object(node);
    static const char *const names[] = {"state",       "result", "time", "status",
                                        "description", "mta",    "to"};
    const char **slots[] = {&r->state,       &r->result, &r->time_text, &r->status,
                            &r->description, &r->mta,    &r->to};
    for (gsize k = 0; k < G_N_ELEMENTS(names); k++)
        if (json_line_get_string(o, names[k], slots[k]) == JSON_FIELD_WRONG_TYPE)
            return g_strdup_printf("results[%u].%s must be a string, found %s", i, names[k],
                                   json_line_type_name(json_object_get_member(o, names[k])));
    if (r->state == NULL)
        return g_strdup_printf("results[%u]: required field \"state\" is missing", i);
    if (r->result == NULL)
        return g_strdup_printf("results[%u]: required field \"result\" is missing", i);
    if (json_line_get_int(o, "code", &r->code) == JSON_FIELD_WRONG_TYPE)
        return g_strdup_printf("results[%u].code must be a number, found %s", i,
                               json_line_type_name(json_object_get_member(o, "code")));
    if (r->code < 0 || r->code > 999)
        r->code = 0;
    r->fatal_status = json_line_get_bool(o, "fatal", &r->fatal);
    if (r->fatal_status == JSON_FIELD_WRONG_TYPE)
        return g_strdup_printf("results[%u].fatal must be true or false", i);
    if (r->time_text != NULL) {
        gsize n = strlen(r->time_text);
        /* MailerQ writes "YYYY-MM-DD HH:MM:SS", always UTC */
        gsize used = time_parse_iso8601(r->time_text, n, NULL, &r->time);
        if (used == 0 || used != n)
            return g_strdup_printf("results[%u].time: \"%.40s\" is not a date and time", i,
                                   r->time_text);
    }
    return NULL;
}

/* Reports one attempt; returns its kind. */
static EventKind
mailerq_emit(Mailerq *self, const Event *base, const MailerqResult *r, gboolean last)
{
    Event ev = *base;
    const MailerqState *st = mailerq_state(r->state);
    Step step = st ? st->step : STEP_UNKNOWN;
    const char *cause = st ? st->cause : NULL;
    if (st != NULL && g_str_equal(st->state, "process"))
        cause = mailerq_process_cause(r->result);
    gboolean accepted = mailerq_is(r->result, "accepted");
    gboolean retrying = mailerq_is(r->result, "timeout") || mailerq_is(r->result, "lost");

    EventKind kind;
    if (accepted) {
        kind = EVENT_KIND_DELIVERED;
        cause = NULL;
        if (step == STEP_UNKNOWN)
            step = STEP_END_OF_DATA;
    } else if (mailerq_is(r->state, "process") && mailerq_is(r->result, "timeout")) {
        /* maxdelivertime or maxattempts exceeded */
        kind = EVENT_KIND_EXPIRED;
        step = STEP_UNKNOWN;
    } else if (mailerq_is(r->state, "suppression")) {
        kind = EVENT_KIND_SUPPRESSED;
    } else {
        gboolean final;
        if (r->fatal_status == JSON_FIELD_OK)
            final = r->fatal; /* a Response Pattern decided */
        else if (r->code >= 400)
            final = r->code >= 500;
        else
            final = !retrying;
        final = final && last; /* unless another attempt followed */
        if (!final)
            kind = EVENT_KIND_DEFERRED;
        else if (step == STEP_COMPILE)
            kind = EVENT_KIND_COMPILE_FAILED;
        else
            kind = EVENT_KIND_FAILED;
    }

    char detail[96];
    g_snprintf(detail, sizeof detail, "state=%.30s result=%.20s", r->state, r->result);
    ev.kind = kind;
    ev.time = r->time;
    ev.step = step;
    ev.step_confidence = step != STEP_UNKNOWN ? CONFIDENCE_EXPLICIT : CONFIDENCE_UNKNOWN;
    ev.cause_hint = cause;
    ev.reply_code = (guint16)r->code;
    ev.enhanced = mailerq_enhanced(r->status);
    ev.diagnostic = r->description;
    ev.relay = r->mta;
    ev.relay_ip = r->to;
    ev.detail = detail;
    if (!accepted && (retrying || mailerq_is(r->result, "invalid")))
        ev.vendor_label = r->result;
    if (kind == EVENT_KIND_DEFERRED && mailerq_is(r->result, "lost") && step == STEP_END_OF_DATA)
        ev.attempt_flags |= EVENT_FLAG_MAY_DUPLICATE;
    parser_context_emit(self->ctx, &ev);
    return kind;
}

static gpointer
mailerq_new(ParserContext *ctx)
{
    Mailerq *self = g_new0(Mailerq, 1);
    self->ctx = ctx;
    self->json = json_parser_new_immutable();
    self->open = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    self->recent = g_hash_table_new(g_str_hash, g_str_equal);
    return self;
}

/* A string member of a nested object ("extracted" -> "headers" -> "message-id"). */
static const char *
mailerq_nested_string(JsonObject *o, const char *a, const char *b)
{
    JsonNode *n = json_object_get_member(o, a);
    if (n == NULL || !JSON_NODE_HOLDS_OBJECT(n))
        return NULL;
    const char *v = NULL;
    json_line_get_string(json_node_get_object(n), b, &v);
    return v;
}

static LineResult
mailerq_feed(gpointer p, char *line, gsize len, guint64 lineno)
{
    Mailerq *self = p;
    while (len > 0 && g_ascii_isspace(*line)) {
        line++;
        len--;
    }
    if (len == 0)
        return LINE_SKIPPED;
    g_autofree char *why = NULL;
    JsonObject *o = json_line_parse_object(self->json, line, len, &why);
    if (o == NULL)
        return mailerq_reject(self, lineno, "%s", why);

    Event base;
    event_init(&base);
    base.line = lineno;
    static const char *const names[] = {"recipient", "envelope", "id", "mta", "campaign"};
    const char *values[G_N_ELEMENTS(names)];
    for (gsize k = 0; k < G_N_ELEMENTS(names); k++)
        if (json_line_get_string(o, names[k], &values[k]) == JSON_FIELD_WRONG_TYPE)
            return mailerq_reject(self, lineno, "field \"%s\" must be a string, found %s", names[k],
                                  json_line_type_name(json_object_get_member(o, names[k])));
    if (values[0] == NULL || values[0][0] == '\0')
        return mailerq_reject(self, lineno, "required field \"recipient\" is missing");
    base.recipient = values[0];
    base.sender = values[1];
    base.queue_id = values[2] && values[2][0] ? values[2] : NULL;
    base.host = values[3] && values[3][0] ? values[3] : NULL;
    base.campaign = values[4] && values[4][0] ? values[4] : NULL;
    if (base.campaign == NULL) {
        JsonNode *tags = json_object_get_member(o, "tags");
        if (tags && JSON_NODE_HOLDS_ARRAY(tags) &&
            json_array_get_length(json_node_get_array(tags)) > 0) {
            JsonNode *first = json_array_get_element(json_node_get_array(tags), 0);
            if (JSON_NODE_HOLDS_VALUE(first) && json_node_get_value_type(first) == G_TYPE_STRING)
                base.campaign = json_node_get_string(first);
        }
    }
    /* MailerQ 5 copies the message's headers into "extracted"; a producer may add its own */
    const char *mid = NULL;
    JsonNode *extracted = json_object_get_member(o, "extracted");
    if (extracted && JSON_NODE_HOLDS_OBJECT(extracted)) {
        JsonObject *x = json_node_get_object(extracted);
        mid = mailerq_nested_string(x, "headers", "message-id");
        json_line_get_string(x, "subject", &base.subject);
    }
    if (mid == NULL)
        json_line_get_string(o, "message_id", &mid);
    char mid_buf[1000];
    if (mid != NULL) {
        gsize n = strlen(mid);
        if (n >= 2 && mid[0] == '<' && mid[n - 1] == '>' && n - 2 < sizeof mid_buf) {
            memcpy(mid_buf, mid + 1, n - 2);
            mid_buf[n - 2] = '\0';
            mid = mid_buf;
        }
        base.message_id = mid[0] ? mid : NULL;
    }
    base.envid = mailerq_nested_string(o, "dsn", "envid");
    base.orig_recipient = mailerq_nested_string(o, "dsn", "orcpt");

    JsonNode *rn = json_object_get_member(o, "results");
    if (rn == NULL || JSON_NODE_HOLDS_NULL(rn))
        return mailerq_reject(self, lineno, "required field \"results\" is missing");
    if (!JSON_NODE_HOLDS_ARRAY(rn))
        return mailerq_reject(self, lineno, "field \"results\" must be an array, found %s",
                              json_line_type_name(rn));
    JsonArray *results = json_node_get_array(rn);
    guint n = json_array_get_length(results);
    for (guint i = 0; i < n; i++) {
        MailerqResult r;
        g_autofree char *bad = mailerq_read_result(results, i, &r);
        if (bad != NULL)
            return mailerq_reject(self, lineno, "%s", bad);
    }
    if (n == 0)
        return LINE_USED; /* not attempted yet */

    /* each attempt once: skip those a previous line of the same message reported */
    char key[MAILERQ_KEY_MAX];
    g_snprintf(key, sizeof key, "%s\x1f%s\x1f%s\x1f%s", base.queue_id ? base.queue_id : "",
               base.recipient, base.sender ? base.sender : "",
               base.message_id ? base.message_id : "");
    guint done = GPOINTER_TO_UINT(g_hash_table_lookup(self->open, key));
    if (done == 0)
        done = GPOINTER_TO_UINT(g_hash_table_lookup(self->recent, key));
    if (done >= n)
        return LINE_USED; /* reported already */
    EventKind last = EVENT_KIND_NONE;
    for (guint i = done; i < n; i++) {
        MailerqResult r;
        g_free(mailerq_read_result(results, i, &r));
        last = mailerq_emit(self, &base, &r, i == n - 1);
    }
    if (last != EVENT_KIND_DEFERRED) {
        g_hash_table_remove(self->open, key);
        char **slot = &self->recent_keys[self->recent_next];
        self->recent_next = (self->recent_next + 1) % MAILERQ_RECENT;
        if (*slot != NULL) {
            g_hash_table_remove(self->recent, *slot);
            g_free(*slot);
        }
        *slot = g_strdup(key);
        g_hash_table_replace(self->recent, *slot, GUINT_TO_POINTER(n));
    } else {
        if (g_hash_table_size(self->open) >= MAILERQ_MAX_OPEN) {
            g_hash_table_remove_all(self->open);
            self->open_cleared++;
        }
        g_hash_table_replace(self->open, g_strdup(key), GUINT_TO_POINTER(n));
    }
    return LINE_USED;
}

static gboolean
mailerq_finish(gpointer p, GError **error)
{
    (void)error;
    Mailerq *self = p;
    if (self->open_cleared > 0)
        parser_context_note(self->ctx,
                            "more than %d messages awaiting a retry at once: attempts of a "
                            "message published again may be reported twice",
                            MAILERQ_MAX_OPEN);
    return TRUE;
}

static void
mailerq_free(gpointer p)
{
    Mailerq *self = p;
    if (self == NULL)
        return;
    g_clear_object(&self->json);
    g_hash_table_unref(self->open);
    g_hash_table_unref(self->recent);
    for (guint i = 0; i < MAILERQ_RECENT; i++)
        g_free(self->recent_keys[i]);
    g_free(self);
}

/* The first line that starts with '{' has a results array with states. */
static guint
mailerq_probe(const char *head, gsize len)
{
    const char *p = head, *end = head + len;
    while (p < end && g_ascii_isspace(*p))
        p++;
    if (p == end || *p != '{')
        return 0;
    const char *nl = memchr(p, '\n', (gsize)(end - p));
    gsize n = nl ? (gsize)(nl - p) : (gsize)(end - p);
    g_autofree char *first = g_strndup(p, n);
    if (strstr(first, "\"results\"") == NULL || strstr(first, "\"recipient\"") == NULL)
        return 0;
    return strstr(first, "\"state\"") != NULL && strstr(first, "\"result\"") != NULL ? 90 : 50;
}

const ParserClass mailerq_parser_class = {
    .name = "mailerq",
    .description = "Copernica MailerQ result JSON, one object per line",
    .probe = mailerq_probe,
    .new = mailerq_new,
    .feed_line = mailerq_feed,
    .finish = mailerq_finish,
    .free = mailerq_free,
};
