/* The sending application's own per-message event log (docs/app-events.md): the compile step
 * (compiled, compile_failed by phase, suppressed) and the hand-over to the MTA (submitted, with
 * the queue id of the MTA's reply). Two encodings of the same records: JSON Lines ("app-jsonl",
 * json-glib) and CSV with a header row ("app-csv", the shared csv.h reader). */
#include "parser.h"

#include <string.h>

#include "csv.h"
#include "json-line.h"
#include "timeutil.h"

typedef enum {
    APP_FIELD_TIME,
    APP_FIELD_CAMPAIGN,
    APP_FIELD_MESSAGE_ID,
    APP_FIELD_RECIPIENT,
    APP_FIELD_SENDER,
    APP_FIELD_EVENT,
    APP_FIELD_PHASE,
    APP_FIELD_QUEUE_ID,
    APP_FIELD_MTA,
    APP_FIELD_DETAIL,
    APP_FIELD_N
} AppField;

static const char *const app_field_names[APP_FIELD_N] = {
    [APP_FIELD_TIME] = "time",
    [APP_FIELD_CAMPAIGN] = "campaign",
    [APP_FIELD_MESSAGE_ID] = "message_id",
    [APP_FIELD_RECIPIENT] = "recipient",
    [APP_FIELD_SENDER] = "sender",
    [APP_FIELD_EVENT] = "event",
    [APP_FIELD_PHASE] = "phase",
    [APP_FIELD_QUEUE_ID] = "queue_id",
    [APP_FIELD_MTA] = "mta",
    [APP_FIELD_DETAIL] = "detail",
};

static const AppField app_required[] = {APP_FIELD_TIME, APP_FIELD_EVENT, APP_FIELD_RECIPIENT};

static const struct {
    const char *name;
    EventKind kind;
} app_events[] = {
    {"compiled", EVENT_KIND_COMPILED},
    {"compile_failed", EVENT_KIND_COMPILE_FAILED},
    {"submitted", EVENT_KIND_SUBMITTED},
    {"suppressed", EVENT_KIND_SUPPRESSED},
};

/* The compile phases and the taxonomy cause each one states (taxonomy.tsv, step compile). */
static const struct {
    const char *phase;
    const char *cause;
} app_phases[] = {
    {"html", "template-error"},
    {"personalization", "personalization-error"},
    {"feed", "feed-error"},
    {"images", "asset-error"},
    {"attachment", "attachment-error"},
    {"mime", "mime-build-error"},
};

/* Event names outside the format (opened, clicked ...) are counted, not reported one by one. */
#define APP_UNKNOWN_NAMES 8
#define APP_UNKNOWN_NAME_MAX 32
/* Longest Message-ID we strip of its angle brackets in place of copying. */
#define APP_MESSAGE_ID_MAX 1000

typedef struct {
    ParserContext *ctx;
    JsonParser *json;
    CsvReader *csv;
    gboolean have_header;
    int columns[APP_FIELD_N]; /* CSV column of each field, -1 if the header lacks it */
    guint64 record_line;      /* first line of the CSV record being read */
    gboolean in_record;
    char unknown_names[APP_UNKNOWN_NAMES][APP_UNKNOWN_NAME_MAX];
    guint64 unknown_counts[APP_UNKNOWN_NAMES];
    guint64 unknown_other;
} AppEvents;

static LineResult G_GNUC_PRINTF(3, 4)
    app_events_reject(AppEvents *self, guint64 lineno, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    g_autofree char *why = g_strdup_vprintf(format, ap);
    va_end(ap);
    parser_context_note(self->ctx, "line %" G_GUINT64_FORMAT ": %s", lineno, why);
    return LINE_UNRECOGNISED;
}

static void
app_events_count_unknown(AppEvents *self, const char *name)
{
    for (guint i = 0; i < APP_UNKNOWN_NAMES; i++) {
        if (self->unknown_counts[i] == 0) {
            g_strlcpy(self->unknown_names[i], name, APP_UNKNOWN_NAME_MAX);
            self->unknown_counts[i] = 1;
            return;
        }
        if (strncmp(self->unknown_names[i], name, APP_UNKNOWN_NAME_MAX - 1) == 0) {
            self->unknown_counts[i]++;
            return;
        }
    }
    self->unknown_other++;
}

static const char *
app_events_cause_of_phase(const char *phase)
{
    if (phase == NULL)
        return NULL;
    for (gsize i = 0; i < G_N_ELEMENTS(app_phases); i++)
        if (g_ascii_strcasecmp(phase, app_phases[i].phase) == 0)
            return app_phases[i].cause;
    return NULL;
}

/* One record, whatever its encoding: v[field] is NULL when absent or empty. */
static LineResult
app_events_record(AppEvents *self, const char *const v[APP_FIELD_N], guint64 lineno)
{
    for (gsize i = 0; i < G_N_ELEMENTS(app_required); i++)
        if (v[app_required[i]] == NULL)
            return app_events_reject(self, lineno, "required field \"%s\" is missing",
                                     app_field_names[app_required[i]]);

    EventKind kind = EVENT_KIND_NONE;
    for (gsize i = 0; i < G_N_ELEMENTS(app_events); i++)
        if (g_ascii_strcasecmp(v[APP_FIELD_EVENT], app_events[i].name) == 0)
            kind = app_events[i].kind;
    if (kind == EVENT_KIND_NONE) {
        app_events_count_unknown(self, v[APP_FIELD_EVENT]);
        return LINE_SKIPPED;
    }

    const char *ts = v[APP_FIELD_TIME];
    gsize ts_len = strlen(ts);
    gint64 t = 0;
    gsize used = time_parse_iso8601(ts, ts_len, self->ctx->options->tz, &t);
    if (used == 0 || used != ts_len)
        return app_events_reject(self, lineno,
                                 "field \"time\": \"%.40s\" is not an RFC 3339 date and time", ts);

    Event ev;
    event_init(&ev);
    ev.time = t;
    ev.line = lineno;
    ev.kind = kind;
    ev.campaign = v[APP_FIELD_CAMPAIGN];
    ev.recipient = v[APP_FIELD_RECIPIENT];
    ev.sender = v[APP_FIELD_SENDER];
    ev.diagnostic = v[APP_FIELD_DETAIL];

    char mid[APP_MESSAGE_ID_MAX + 1];
    const char *m = v[APP_FIELD_MESSAGE_ID];
    if (m != NULL) {
        gsize n = strlen(m);
        if (n >= 2 && m[0] == '<' && m[n - 1] == '>' && n - 2 <= APP_MESSAGE_ID_MAX) {
            memcpy(mid, m + 1, n - 2);
            mid[n - 2] = '\0';
            m = mid;
        }
        ev.message_id = *m ? m : NULL;
    }

    const char *phase = v[APP_FIELD_PHASE];
    switch (kind) {
    case EVENT_KIND_COMPILED:
    case EVENT_KIND_COMPILE_FAILED:
        ev.step = STEP_COMPILE;
        ev.step_confidence = CONFIDENCE_EXPLICIT;
        ev.detail = phase;
        if (kind == EVENT_KIND_COMPILE_FAILED) {
            ev.cause_hint = app_events_cause_of_phase(phase);
            if (phase != NULL && ev.cause_hint == NULL)
                parser_context_note(self->ctx,
                                    "line %" G_GUINT64_FORMAT
                                    ": unknown compile phase \"%.40s\" (cause left to the rules)",
                                    lineno, phase);
        }
        break;
    case EVENT_KIND_SUPPRESSED:
        ev.step = STEP_COMPILE;
        ev.step_confidence = CONFIDENCE_EXPLICIT;
        ev.cause_hint = "suppressed";
        break;
    case EVENT_KIND_SUBMITTED:
        ev.queue_id = v[APP_FIELD_QUEUE_ID];
        ev.host = v[APP_FIELD_MTA];
        break;
    default:
        break;
    }
    parser_context_emit(self->ctx, &ev);
    return LINE_USED;
}

static gpointer
app_events_new(ParserContext *ctx)
{
    AppEvents *self = g_new0(AppEvents, 1);
    self->ctx = ctx;
    for (int i = 0; i < APP_FIELD_N; i++)
        self->columns[i] = -1;
    return self;
}

static gboolean
app_events_finish(gpointer p, GError **error)
{
    (void)error;
    AppEvents *self = p;
    if (self->csv != NULL && csv_reader_pending(self->csv))
        parser_context_note(self->ctx,
                            "line %" G_GUINT64_FORMAT
                            ": the file ends inside a quoted field; that record was dropped",
                            self->record_line);
    for (guint i = 0; i < APP_UNKNOWN_NAMES && self->unknown_counts[i] > 0; i++)
        parser_context_note(self->ctx,
                            "%" G_GUINT64_FORMAT " line(s) with event \"%s\" skipped: the format's "
                            "events are compiled, compile_failed, submitted, suppressed",
                            self->unknown_counts[i], self->unknown_names[i]);
    if (self->unknown_other > 0)
        parser_context_note(self->ctx,
                            "%" G_GUINT64_FORMAT " more line(s) with other unknown events skipped",
                            self->unknown_other);
    return TRUE;
}

static void
app_events_free(gpointer p)
{
    AppEvents *self = p;
    if (self == NULL)
        return;
    g_clear_object(&self->json);
    csv_reader_free(self->csv);
    g_free(self);
}

/* ---- JSON Lines ---- */

static gpointer
app_events_jsonl_new(ParserContext *ctx)
{
    AppEvents *self = app_events_new(ctx);
    self->json = json_parser_new_immutable();
    return self;
}

static LineResult
app_events_jsonl_feed(gpointer p, char *line, gsize len, guint64 lineno)
{
    AppEvents *self = p;
    while (len > 0 && g_ascii_isspace(*line)) {
        line++;
        len--;
    }
    if (len == 0)
        return LINE_SKIPPED;
    g_autofree char *why = NULL;
    JsonObject *o = json_line_parse_object(self->json, line, len, &why);
    if (o == NULL)
        return app_events_reject(self, lineno, "%s", why);
    const char *v[APP_FIELD_N];
    for (int i = 0; i < APP_FIELD_N; i++) {
        if (json_line_get_string(o, app_field_names[i], &v[i]) == JSON_FIELD_WRONG_TYPE)
            return app_events_reject(
                self, lineno, "field \"%s\" must be a string, found %s", app_field_names[i],
                json_line_type_name(json_object_get_member(o, app_field_names[i])));
        if (v[i] != NULL && v[i][0] == '\0')
            v[i] = NULL;
    }
    return app_events_record(self, v, lineno);
}

/* Scores the first line that starts with '{'. */
static guint
app_events_jsonl_probe(const char *head, gsize len)
{
    const char *p = head, *end = head + len;
    while (p < end && g_ascii_isspace(*p))
        p++;
    if (p == end || *p != '{')
        return 0;
    const char *nl = memchr(p, '\n', (gsize)(end - p));
    gsize n = nl ? (gsize)(nl - p) : (gsize)(end - p);
    g_autofree char *first = g_strndup(p, n);
    if (strstr(first, "\"event\"") == NULL)
        return 0;
    static const char *const values[] = {"\"compiled\"", "\"compile_failed\"", "\"submitted\"",
                                         "\"suppressed\""};
    for (gsize i = 0; i < G_N_ELEMENTS(values); i++)
        if (strstr(first, values[i]) != NULL)
            return 90;
    if (strstr(first, "\"recipient\"") != NULL || strstr(first, "\"message_id\"") != NULL)
        return 50;
    return 0;
}

const ParserClass app_jsonl_parser_class = {
    .name = "app-jsonl",
    .description = "sending application's event log, JSON Lines (docs/app-events.md)",
    .probe = app_events_jsonl_probe,
    .new = app_events_jsonl_new,
    .feed_line = app_events_jsonl_feed,
    .finish = app_events_finish,
    .free = app_events_free,
};

/* ---- CSV with a header row ---- */

static char
app_events_csv_delimiter(const char *line, gsize len)
{
    gsize comma = 0, semicolon = 0, tab = 0;
    gboolean quoted = FALSE;
    for (gsize i = 0; i < len; i++) {
        if (line[i] == '"')
            quoted = !quoted;
        else if (!quoted && line[i] == ',')
            comma++;
        else if (!quoted && line[i] == ';')
            semicolon++;
        else if (!quoted && line[i] == '\t')
            tab++;
    }
    if (semicolon > comma && semicolon >= tab)
        return ';';
    if (tab > comma && tab > semicolon)
        return '\t';
    return ',';
}

static gboolean
app_events_csv_is_field_name(const char *s, gsize len, AppField *out)
{
    while (len > 0 && g_ascii_isspace(*s)) {
        s++;
        len--;
    }
    while (len > 0 && g_ascii_isspace(s[len - 1]))
        len--;
    for (int i = 0; i < APP_FIELD_N; i++)
        if (strlen(app_field_names[i]) == len &&
            g_ascii_strncasecmp(s, app_field_names[i], len) == 0) {
            *out = (AppField)i;
            return TRUE;
        }
    return FALSE;
}

/* Reads the header record: which column holds which field. */
static LineResult
app_events_csv_header(AppEvents *self, guint64 lineno)
{
    int columns[APP_FIELD_N];
    for (int i = 0; i < APP_FIELD_N; i++)
        columns[i] = -1;
    guint n = csv_reader_n_fields(self->csv);
    for (guint i = 0; i < n; i++) {
        AppField f;
        if (app_events_csv_is_field_name(csv_reader_field(self->csv, i),
                                         csv_reader_field_len(self->csv, i), &f) &&
            columns[f] < 0)
            columns[f] = (int)i;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(app_required); i++)
        if (columns[app_required[i]] < 0)
            return app_events_reject(self, lineno,
                                     "the header row has no column \"%s\" (required: time, "
                                     "event, recipient)",
                                     app_field_names[app_required[i]]);
    memcpy(self->columns, columns, sizeof columns);
    self->have_header = TRUE;
    return LINE_USED;
}

static LineResult
app_events_csv_feed(gpointer p, char *line, gsize len, guint64 lineno)
{
    AppEvents *self = p;
    if (self->csv == NULL) {
        if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            line += 3;
            len -= 3;
        }
        self->csv = csv_reader_new(app_events_csv_delimiter(line, len));
    }
    if (!self->in_record) {
        if (len == 0)
            return LINE_SKIPPED;
        self->record_line = lineno;
    }
    CsvStatus st = csv_reader_feed_line(self->csv, line, len);
    if (st == CSV_NEED_MORE) {
        self->in_record = TRUE;
        return LINE_USED;
    }
    self->in_record = FALSE;
    if (st == CSV_ERROR)
        return app_events_reject(self, self->record_line, "CSV: %s", csv_reader_error(self->csv));
    if (!self->have_header)
        return app_events_csv_header(self, self->record_line);

    guint n = csv_reader_n_fields(self->csv);
    if (n == 1 && csv_reader_field_len(self->csv, 0) == 0)
        return LINE_SKIPPED;
    const char *v[APP_FIELD_N];
    for (int i = 0; i < APP_FIELD_N; i++) {
        int c = self->columns[i];
        v[i] = c >= 0 && (guint)c < n ? csv_reader_field(self->csv, (guint)c) : NULL;
        if (v[i] != NULL && v[i][0] == '\0')
            v[i] = NULL;
    }
    /* a repeated header (exports concatenated) */
    if (v[APP_FIELD_TIME] != NULL && g_ascii_strcasecmp(v[APP_FIELD_TIME], "time") == 0 &&
        v[APP_FIELD_EVENT] != NULL && g_ascii_strcasecmp(v[APP_FIELD_EVENT], "event") == 0)
        return LINE_SKIPPED;
    return app_events_record(self, v, self->record_line);
}

/* The first line is a header naming at least time, event and recipient. */
static guint
app_events_csv_probe(const char *head, gsize len)
{
    if (len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0) {
        head += 3;
        len -= 3;
    }
    const char *nl = memchr(head, '\n', len);
    gsize n = nl ? (gsize)(nl - head) : len;
    if (n == 0 || n > 4096 || head[0] == '{')
        return 0;
    char delim = app_events_csv_delimiter(head, n);
    gboolean seen[APP_FIELD_N] = {FALSE};
    for (gsize start = 0; start <= n;) {
        gsize end = start;
        while (end < n && head[end] != delim)
            end++;
        const char *f = head + start;
        gsize flen = end - start;
        if (flen >= 2 && f[0] == '"' && f[flen - 1] == '"') {
            f++;
            flen -= 2;
        }
        if (flen > 0 && f[flen - 1] == '\r')
            flen--;
        AppField field;
        if (app_events_csv_is_field_name(f, flen, &field))
            seen[field] = TRUE;
        start = end + 1;
    }
    guint required = 0;
    for (gsize i = 0; i < G_N_ELEMENTS(app_required); i++)
        required += seen[app_required[i]] ? 1 : 0;
    if (required == G_N_ELEMENTS(app_required))
        return 95;
    return required == 2 ? 40 : 0;
}

static gpointer
app_events_csv_new(ParserContext *ctx)
{
    return app_events_new(ctx);
}

const ParserClass app_csv_parser_class = {
    .name = "app-csv",
    .description = "sending application's event log, CSV with a header row (docs/app-events.md)",
    .probe = app_events_csv_probe,
    .new = app_events_csv_new,
    .feed_line = app_events_csv_feed,
    .finish = app_events_finish,
    .free = app_events_free,
    .keep_blank_lines = TRUE,
};
