/* PowerMTA accounting files (CSV). The field order is configurable, so every record is read
 * through the column map of the last header row ("type,timeLogged,orig,rcpt,..."); a file may
 * hold several header rows (rotation, reconfiguration). One record becomes one Event. */
#include "parser.h"

#include <string.h>

#include "csv.h"
#include "timeutil.h"

/* The columns we read. Anything else in the header is ignored. */
typedef enum {
    PMTA_COL_TYPE,
    PMTA_COL_TIME_LOGGED,
    PMTA_COL_TIME_QUEUED,
    PMTA_COL_TOTAL_SECONDS_QUEUED,
    PMTA_COL_ORIG,
    PMTA_COL_RCPT,
    PMTA_COL_ORCPT,
    PMTA_COL_DSN_ACTION,
    PMTA_COL_DSN_STATUS,
    PMTA_COL_DSN_DIAG,
    PMTA_COL_DSN_MTA,
    PMTA_COL_DSN_REPORTING_MTA,
    PMTA_COL_BOUNCE_CAT,
    PMTA_COL_DLV_DESTINATION_IP,
    PMTA_COL_DLV_SIZE,
    PMTA_COL_VMTA,
    PMTA_COL_QUEUE,
    PMTA_COL_JOB_ID,
    PMTA_COL_ENV_ID,
    PMTA_COL_MESSAGE_ID,
    PMTA_COL_CAMPAIGN_HEADER,
    PMTA_COL_SUBJECT,
    PMTA_COL_FROM,
    PMTA_COL_FEEDBACK_TYPE,
    PMTA_COL_REPORTING_MTA,
    PMTA_COL_N
} PowermtaColumn;

static const struct {
    const char *name; /* compared case-insensitively */
    PowermtaColumn col;
} powermta_columns[] = {
    {"type", PMTA_COL_TYPE},
    {"timeLogged", PMTA_COL_TIME_LOGGED},
    {"timeQueued", PMTA_COL_TIME_QUEUED},
    {"totalSecondsQueued", PMTA_COL_TOTAL_SECONDS_QUEUED},
    {"orig", PMTA_COL_ORIG},
    {"rcpt", PMTA_COL_RCPT},
    {"orcpt", PMTA_COL_ORCPT},
    {"dsnAction", PMTA_COL_DSN_ACTION},
    {"dsnStatus", PMTA_COL_DSN_STATUS},
    {"dsnDiag", PMTA_COL_DSN_DIAG},
    {"dsnMta", PMTA_COL_DSN_MTA},
    {"dsnReportingMta", PMTA_COL_DSN_REPORTING_MTA},
    {"bounceCat", PMTA_COL_BOUNCE_CAT},
    {"dlvDestinationIp", PMTA_COL_DLV_DESTINATION_IP},
    {"dlvDesintationIp", PMTA_COL_DLV_DESTINATION_IP}, /* a misspelling seen in exports */
    {"dlvSize", PMTA_COL_DLV_SIZE},
    {"vmta", PMTA_COL_VMTA},
    {"queue", PMTA_COL_QUEUE},
    {"jobId", PMTA_COL_JOB_ID},
    {"envId", PMTA_COL_ENV_ID},
    {"header_Message-Id", PMTA_COL_MESSAGE_ID},
    {"header_X-Campaign-ID", PMTA_COL_CAMPAIGN_HEADER},
    {"header_Subject", PMTA_COL_SUBJECT},
    {"header_From", PMTA_COL_FROM},
    {"feedbackType", PMTA_COL_FEEDBACK_TYPE},
    {"reportingMta", PMTA_COL_REPORTING_MTA},
};

/* Record types, short and long names. */
typedef enum {
    PMTA_REC_DELIVERED,
    PMTA_REC_BOUNCE,
    PMTA_REC_TRANSIENT,
    PMTA_REC_TRANSIENT_QUEUE,
    PMTA_REC_RECEIVED,
    PMTA_REC_FEEDBACK,
    PMTA_REC_REMOTE_BOUNCE,
    PMTA_REC_REMOTE_STATUS,
} PowermtaRecord;

static const struct {
    const char *name;
    PowermtaRecord rec;
} powermta_records[] = {
    {"d", PMTA_REC_DELIVERED},
    {"delivery", PMTA_REC_DELIVERED},
    {"b", PMTA_REC_BOUNCE},
    {"bounce", PMTA_REC_BOUNCE},
    {"t", PMTA_REC_TRANSIENT},
    {"transient", PMTA_REC_TRANSIENT},
    {"tq", PMTA_REC_TRANSIENT_QUEUE},
    {"transient-queue", PMTA_REC_TRANSIENT_QUEUE},
    {"r", PMTA_REC_RECEIVED},
    {"receipt", PMTA_REC_RECEIVED},
    {"received", PMTA_REC_RECEIVED},
    {"f", PMTA_REC_FEEDBACK},
    {"feedback-loop", PMTA_REC_FEEDBACK},
    {"rb", PMTA_REC_REMOTE_BOUNCE},
    {"remote-bounce", PMTA_REC_REMOTE_BOUNCE},
    {"rs", PMTA_REC_REMOTE_STATUS},
    {"remote-status", PMTA_REC_REMOTE_STATUS},
};

/* ARF feedback types that are causes in taxonomy.tsv (step "complaint"). */
static const char *const powermta_feedback_types[] = {
    "abuse", "fraud", "virus", "other", "not-spam", "auth-failure",
};

/* How many "line N: why" notes one stream may add (the rest are still counted). */
#define POWERMTA_MAX_REASON_NOTES 5

typedef struct {
    ParserContext *ctx;
    CsvReader *csv;
    int col[PMTA_COL_N]; /* column of each field in the current header, -1 if absent */
    gboolean have_header;
    gboolean noted_no_header;
    gboolean resync;      /* after a malformed record: skip lines until one starts a record */
    guint64 record_start; /* first line of the record being read */
    guint reason_notes;
} PowermtaParser;

static void
powermta_reason(PowermtaParser *self, guint64 lineno, const char *why)
{
    if (self->reason_notes >= POWERMTA_MAX_REASON_NOTES)
        return;
    self->reason_notes++;
    parser_context_note(self->ctx, "%s: line %" G_GUINT64_FORMAT ": %s", self->ctx->name, lineno,
                        why);
}

/* Value of a column in the current record, NULL if the column is absent or the value empty. */
static const char *
powermta_get(const PowermtaParser *self, PowermtaColumn col)
{
    int i = self->col[col];
    if (i < 0)
        return NULL;
    const char *v = csv_reader_field(self->csv, (guint)i);
    return *v ? v : NULL;
}

static void
powermta_map_header(PowermtaParser *self)
{
    for (int c = 0; c < PMTA_COL_N; c++)
        self->col[c] = -1;
    guint n = csv_reader_n_fields(self->csv);
    for (guint i = 0; i < n; i++) {
        const char *name = csv_reader_field(self->csv, i);
        while (*name == ' ')
            name++;
        for (gsize k = 0; k < G_N_ELEMENTS(powermta_columns); k++) {
            if (g_ascii_strcasecmp(name, powermta_columns[k].name) == 0) {
                if (self->col[powermta_columns[k].col] < 0)
                    self->col[powermta_columns[k].col] = (int)i;
                break;
            }
        }
    }
    self->have_header = TRUE;
}

static gboolean
powermta_record_type(const char *s, PowermtaRecord *out)
{
    for (gsize k = 0; k < G_N_ELEMENTS(powermta_records); k++) {
        if (g_ascii_strcasecmp(s, powermta_records[k].name) == 0) {
            *out = powermta_records[k].rec;
            return TRUE;
        }
    }
    return FALSE;
}

/* Times: "2026-11-24 09:01:02+0100", "2026-11-24T09:01:02+01:00", "2026-11-24 09:01:02 +0100",
 * without a zone (read in --timezone), or Unix seconds ("1795507262", "1795507262.25"). */
static gboolean
powermta_parse_time(const char *s, GTimeZone *tz, gint64 *out)
{
    while (*s == ' ')
        s++;
    gsize len = strlen(s);
    if (len == 0)
        return FALSE;
    if (g_ascii_isdigit(s[0]) && len >= 9) {
        gsize i = 0;
        gint64 secs = 0;
        while (i < len && g_ascii_isdigit(s[i]) && i < 12)
            secs = secs * 10 + (s[i++] - '0');
        if (i == len || s[i] == '.') {
            gint64 frac = 0;
            int nd = 0;
            if (i < len) {
                for (i++; i < len && g_ascii_isdigit(s[i]); i++)
                    if (nd < 6) {
                        frac = frac * 10 + (s[i] - '0');
                        nd++;
                    }
                if (i != len)
                    return FALSE;
                for (; nd < 6; nd++)
                    frac *= 10;
            }
            *out = secs * G_USEC_PER_SEC + frac;
            return TRUE;
        }
    }
    gsize used = time_parse_iso8601(s, len, tz, out);
    if (used == 0)
        return FALSE;
    if (used < len && s[used] == ' ' && used + 1 < len &&
        (s[used + 1] == '+' || s[used + 1] == '-')) {
        /* a zone after a space: glue it on and parse again */
        char buf[40];
        if (len < sizeof buf) {
            memcpy(buf, s, used);
            memcpy(buf + used, s + used + 1, len - used - 1);
            buf[len - 1] = '\0';
            gint64 t;
            if (time_parse_iso8601(buf, len - 1, tz, &t) > used) {
                *out = t;
                return TRUE;
            }
        }
    }
    return TRUE;
}

/* "5.1.1 (bad destination mailbox address)" -> "5.1.1" in buf; FALSE if it does not start with
 * an RFC 3463 code. */
static gboolean
powermta_enhanced(const char *s, char *buf, gsize size)
{
    while (*s == ' ')
        s++;
    if (s[0] != '2' && s[0] != '4' && s[0] != '5')
        return FALSE;
    gsize i = 1;
    for (int part = 0; part < 2; part++) {
        if (s[i] != '.')
            return FALSE;
        i++;
        gsize d = 0;
        while (g_ascii_isdigit(s[i]) && d < 3) {
            i++;
            d++;
        }
        if (d == 0)
            return FALSE;
    }
    if (g_ascii_isdigit(s[i]) || s[i] == '.' || i >= size)
        return FALSE;
    memcpy(buf, s, i);
    buf[i] = '\0';
    return TRUE;
}

/* Copies the first len bytes of s into buf (NUL-terminated); FALSE if it does not fit. */
static gboolean
powermta_copy(char *buf, gsize size, const char *s, gsize len)
{
    if (len == 0 || len >= size)
        return FALSE;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return TRUE;
}

/* Drops an RFC 3464 type prefix such as "rfc822;" or "dns;" (an atom and a semicolon). */
static const char *
powermta_skip_type(const char *s, gboolean *is_smtp)
{
    const char *p = s;
    while (g_ascii_isalnum(*p) || *p == '-')
        p++;
    if (*p == ';' && p > s && p - s <= 20) {
        if (is_smtp)
            *is_smtp = (p - s == 4 && g_ascii_strncasecmp(s, "smtp", 4) == 0);
        p++;
        while (*p == ' ')
            p++;
        return p;
    }
    if (is_smtp)
        *is_smtp = FALSE;
    return s;
}

/* "550 5.1.1 ..." -> 550, 0 if the text does not start with a reply code. */
static guint16
powermta_reply_code(const char *s)
{
    if (s[0] >= '2' && s[0] <= '5' && g_ascii_isdigit(s[1]) && g_ascii_isdigit(s[2]) &&
        (s[3] == ' ' || s[3] == '-' || s[3] == '\0'))
        return (guint16)((s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0'));
    return 0;
}

static gint64
powermta_number(const char *s)
{
    if (s == NULL)
        return -1;
    gint64 v = 0;
    gsize i = 0;
    for (; g_ascii_isdigit(s[i]); i++) {
        if (i >= 15)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return (i > 0 && s[i] == '\0') ? v : -1;
}

static gboolean
powermta_is_header(const PowermtaParser *self)
{
    return g_ascii_strcasecmp(csv_reader_field(self->csv, 0), "type") == 0;
}

static LineResult
powermta_record(PowermtaParser *self, guint64 lineno)
{
    const char *type_field = csv_reader_field(self->csv, 0);
    if (powermta_is_header(self)) {
        powermta_map_header(self);
        if (self->col[PMTA_COL_RCPT] < 0)
            powermta_reason(self, lineno, "header row without a \"rcpt\" column");
        return LINE_USED;
    }
    if (!self->have_header) {
        if (!self->noted_no_header) {
            self->noted_no_header = TRUE;
            parser_context_note(self->ctx,
                                "%s: PowerMTA accounting records without a header row (first at "
                                "line %" G_GUINT64_FORMAT "): the field order is configurable, so "
                                "they cannot be read; keep the \"type,timeLogged,...\" header row",
                                self->ctx->name, lineno);
        }
        return LINE_UNRECOGNISED;
    }
    PowermtaRecord rec;
    if (!powermta_record_type(type_field, &rec)) {
        powermta_reason(self, lineno, "unknown PowerMTA record type");
        return LINE_UNRECOGNISED;
    }

    Event ev;
    event_init(&ev);
    ev.line = self->record_start;
    const char *rcpt = powermta_get(self, PMTA_COL_RCPT);
    if (rcpt == NULL && rec != PMTA_REC_TRANSIENT_QUEUE && rec != PMTA_REC_FEEDBACK) {
        powermta_reason(self, lineno, "record without a recipient (rcpt)");
        return LINE_UNRECOGNISED;
    }
    const char *logged = powermta_get(self, PMTA_COL_TIME_LOGGED);
    if (logged == NULL || !powermta_parse_time(logged, self->ctx->options->tz, &ev.time)) {
        powermta_reason(self, lineno, "record without a readable timeLogged");
        return LINE_UNRECOGNISED;
    }

    char enhanced[16];
    const char *status = powermta_get(self, PMTA_COL_DSN_STATUS);
    if (status && powermta_enhanced(status, enhanced, sizeof enhanced))
        ev.enhanced = enhanced;
    const char *action = powermta_get(self, PMTA_COL_DSN_ACTION);

    switch (rec) {
    case PMTA_REC_DELIVERED:
        ev.kind = EVENT_KIND_DELIVERED;
        break;
    case PMTA_REC_BOUNCE:
        /* a bounce whose last status is temporary means PowerMTA gave up (bounce-after) */
        ev.kind = (ev.enhanced && ev.enhanced[0] == '4') ? EVENT_KIND_EXPIRED : EVENT_KIND_FAILED;
        ev.permanence = PERMANENCE_PERMANENT;
        break;
    case PMTA_REC_TRANSIENT:
    case PMTA_REC_TRANSIENT_QUEUE:
        ev.kind = EVENT_KIND_DEFERRED;
        ev.permanence = PERMANENCE_TEMPORARY;
        break;
    case PMTA_REC_RECEIVED:
        ev.kind = EVENT_KIND_QUEUED;
        break;
    case PMTA_REC_FEEDBACK:
        ev.kind = EVENT_KIND_COMPLAINT;
        break;
    case PMTA_REC_REMOTE_BOUNCE:
        ev.kind = EVENT_KIND_BOUNCE;
        break;
    case PMTA_REC_REMOTE_STATUS:
        if (action == NULL) {
            powermta_reason(self, lineno, "remote status (rs) record without a dsnAction");
            return LINE_UNRECOGNISED;
        }
        if (g_ascii_strcasecmp(action, "delayed") == 0) {
            ev.kind = EVENT_KIND_DELAY_NOTICE;
        } else if (g_ascii_strcasecmp(action, "failed") == 0) {
            ev.kind = EVENT_KIND_BOUNCE;
        } else if (g_ascii_strcasecmp(action, "delivered") == 0 ||
                   g_ascii_strcasecmp(action, "relayed") == 0 ||
                   g_ascii_strcasecmp(action, "expanded") == 0) {
            ev.kind = EVENT_KIND_DSN_SUCCESS;
        } else {
            powermta_reason(self, lineno, "remote status (rs) record with an unknown dsnAction");
            return LINE_UNRECOGNISED;
        }
        break;
    }

    /* keys */
    ev.host = powermta_get(self, PMTA_COL_VMTA);
    ev.recipient = rcpt;
    const char *orig = powermta_get(self, PMTA_COL_ORIG);
    if (orig) {
        ev.sender = orig;
    } else if (self->col[PMTA_COL_ORIG] >= 0 &&
               (rec == PMTA_REC_DELIVERED || rec == PMTA_REC_BOUNCE || rec == PMTA_REC_TRANSIENT ||
                rec == PMTA_REC_RECEIVED)) {
        ev.sender = ""; /* the null sender: this message is itself a notification */
        ev.attempt_flags |= EVENT_FLAG_NULL_SENDER;
    }
    const char *orcpt = powermta_get(self, PMTA_COL_ORCPT);
    if (orcpt) {
        orcpt = powermta_skip_type(orcpt, NULL);
        ev.orig_recipient = *orcpt ? orcpt : NULL;
    }
    ev.envid = powermta_get(self, PMTA_COL_ENV_ID);
    ev.campaign = powermta_get(self, PMTA_COL_JOB_ID);
    if (ev.campaign == NULL)
        ev.campaign = powermta_get(self, PMTA_COL_CAMPAIGN_HEADER);
    char message_id[1000];
    const char *mid = powermta_get(self, PMTA_COL_MESSAGE_ID);
    if (mid) {
        while (*mid == ' ' || *mid == '<')
            mid++;
        gsize n = strcspn(mid, "> ");
        if (powermta_copy(message_id, sizeof message_id, mid, n))
            ev.message_id = message_id;
    }
    ev.subject = powermta_get(self, PMTA_COL_SUBJECT);
    ev.from_header = powermta_get(self, PMTA_COL_FROM);

    /* what happened */
    const char *diag = powermta_get(self, PMTA_COL_DSN_DIAG);
    if (diag) {
        gboolean smtp = FALSE;
        const char *text = powermta_skip_type(diag, &smtp);
        if (smtp || text == diag) {
            ev.reply_code = powermta_reply_code(text);
            ev.diagnostic = *text ? text : NULL;
        } else {
            ev.diagnostic = diag; /* x-pmta;... and other types: keep the type */
        }
        if (ev.enhanced == NULL && ev.reply_code != 0 && text[3] != '\0' &&
            powermta_enhanced(text + 4, enhanced, sizeof enhanced))
            ev.enhanced = enhanced;
    }
    char relay[256], relay_ip[64];
    const char *mta = powermta_get(self, PMTA_COL_DSN_MTA);
    if (mta) {
        mta = powermta_skip_type(mta, NULL);
        gsize n = strcspn(mta, " (");
        if (powermta_copy(relay, sizeof relay, mta, n))
            ev.relay = relay;
        const char *open = strchr(mta, '(');
        if (open) {
            const char *close = strchr(open, ')');
            if (close &&
                powermta_copy(relay_ip, sizeof relay_ip, open + 1, (gsize)(close - open - 1)))
                ev.relay_ip = relay_ip;
        }
    }
    if (ev.relay_ip == NULL)
        ev.relay_ip = powermta_get(self, PMTA_COL_DLV_DESTINATION_IP);
    const char *rmta = powermta_get(self, rec == PMTA_REC_FEEDBACK ? PMTA_COL_REPORTING_MTA
                                                                   : PMTA_COL_DSN_REPORTING_MTA);
    if (rmta && (rec == PMTA_REC_FEEDBACK || rec == PMTA_REC_REMOTE_BOUNCE ||
                 rec == PMTA_REC_REMOTE_STATUS)) {
        rmta = powermta_skip_type(rmta, NULL);
        ev.reporting_mta = *rmta ? rmta : NULL;
    }
    ev.vendor_label = powermta_get(self, PMTA_COL_BOUNCE_CAT);
    if (rec == PMTA_REC_TRANSIENT_QUEUE)
        ev.detail = powermta_get(self, PMTA_COL_QUEUE);

    char feedback[16];
    const char *ftype = powermta_get(self, PMTA_COL_FEEDBACK_TYPE);
    if (rec == PMTA_REC_FEEDBACK && ftype) {
        /* the ARF Feedback-Type names the cause; an unregistered type is "other" */
        ev.cause_hint = "other";
        if (powermta_copy(feedback, sizeof feedback, ftype, strlen(ftype))) {
            for (char *c = feedback; *c; c++)
                *c = g_ascii_tolower(*c);
            for (gsize k = 0; k < G_N_ELEMENTS(powermta_feedback_types); k++)
                if (strcmp(feedback, powermta_feedback_types[k]) == 0)
                    ev.cause_hint = powermta_feedback_types[k];
        }
    }

    gint64 size = powermta_number(powermta_get(self, PMTA_COL_DLV_SIZE));
    if (size >= 0)
        ev.size = size;
    if (ev.kind == EVENT_KIND_DELIVERED || ev.kind == EVENT_KIND_FAILED ||
        ev.kind == EVENT_KIND_EXPIRED || ev.kind == EVENT_KIND_DEFERRED) {
        gint64 total = powermta_number(powermta_get(self, PMTA_COL_TOTAL_SECONDS_QUEUED));
        gint64 queued = 0;
        const char *tq = powermta_get(self, PMTA_COL_TIME_QUEUED);
        if (total >= 0)
            ev.delay = (gdouble)total;
        else if (tq && powermta_parse_time(tq, self->ctx->options->tz, &queued) &&
                 queued <= ev.time)
            ev.delay = (gdouble)(ev.time - queued) / G_USEC_PER_SEC;
    }

    parser_context_emit(self->ctx, &ev);
    return LINE_USED;
}

/* Does the line start like a record or a header ("d,", "rb,", "type,")? */
static gboolean
powermta_starts_record(const char *line, gsize len)
{
    gsize n = 0;
    while (n < len && n < 16 && line[n] != ',')
        n++;
    if (n == 0 || n >= len || n >= 16)
        return FALSE;
    char type[16];
    memcpy(type, line, n);
    type[n] = '\0';
    PowermtaRecord rec;
    return g_ascii_strcasecmp(type, "type") == 0 || powermta_record_type(type, &rec);
}

static LineResult
powermta_feed_line(gpointer data, char *line, gsize len, guint64 lineno)
{
    PowermtaParser *self = data;
    if (self->resync) {
        /* the rest of a dropped record (e.g. the tail of an oversized quoted field) */
        if (!powermta_starts_record(line, len))
            return len == 0 ? LINE_SKIPPED : LINE_UNRECOGNISED;
        self->resync = FALSE;
    }
    gboolean continuation = csv_reader_pending(self->csv);
    if (!continuation) {
        if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            line += 3; /* a byte order mark, as spreadsheet exports write */
            len -= 3;
        }
        if (len == 0)
            return LINE_SKIPPED;
        self->record_start = lineno;
    }
    switch (csv_reader_feed_line(self->csv, line, len)) {
    case CSV_NEED_MORE:
        return LINE_USED; /* part of a record whose quoted field spans lines */
    case CSV_ERROR: {
        char why[160];
        g_snprintf(why, sizeof why, "%s (record from line %" G_GUINT64_FORMAT ") dropped",
                   csv_reader_error(self->csv), self->record_start);
        powermta_reason(self, lineno, why);
        self->resync = TRUE;
        return LINE_UNRECOGNISED;
    }
    case CSV_RECORD:
        break;
    }
    return powermta_record(self, lineno);
}

static gpointer
powermta_new(ParserContext *ctx)
{
    PowermtaParser *self = g_new0(PowermtaParser, 1);
    self->ctx = ctx;
    self->csv = csv_reader_new(',');
    for (int c = 0; c < PMTA_COL_N; c++)
        self->col[c] = -1;
    return self;
}

static gboolean
powermta_finish(gpointer data, GError **error)
{
    (void)error;
    PowermtaParser *self = data;
    if (csv_reader_pending(self->csv))
        parser_context_note(self->ctx,
                            "%s: unterminated quoted field at end of input: the record from "
                            "line %" G_GUINT64_FORMAT " was dropped",
                            self->ctx->name, self->record_start);
    return TRUE;
}

static void
powermta_free(gpointer data)
{
    PowermtaParser *self = data;
    if (self == NULL)
        return;
    csv_reader_free(self->csv);
    g_free(self);
}

/* Does [s, s+len) contain word? */
static gboolean
powermta_has(const char *s, gsize len, const char *word)
{
    gsize wl = strlen(word);
    for (gsize i = 0; i + wl <= len; i++)
        if (g_ascii_strncasecmp(s + i, word, wl) == 0)
            return TRUE;
    return FALSE;
}

static guint
powermta_probe(const char *head, gsize len)
{
    if (len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0) {
        head += 3;
        len -= 3;
    }
    const char *nl = memchr(head, '\n', len);
    gsize first = nl ? (gsize)(nl - head) : len;
    if (first >= 5 && memcmp(head, "type,", 5) == 0) {
        static const char *const known[] = {"timeLogged", "dsnStatus", "dsnDiag",    "bounceCat",
                                            "vmta",       "jobId",     "dlvSourceIp"};
        if (!powermta_has(head, first, ",rcpt"))
            return 20;
        for (gsize k = 0; k < G_N_ELEMENTS(known); k++)
            if (powermta_has(head, first, known[k]))
                return 95;
        return 60;
    }
    /* records without their header: score low, so the user gets the note about the header */
    gsize t = 0;
    while (t < first && t < 3 && g_ascii_isalpha(head[t]))
        t++;
    if (t > 0 && t < first && head[t] == ',' && t + 11 <= first) {
        char type[4] = {0};
        memcpy(type, head, t);
        PowermtaRecord rec;
        const char *v = head + t + 1;
        if (powermta_record_type(type, &rec) && g_ascii_isdigit(v[0]) && g_ascii_isdigit(v[1]) &&
            g_ascii_isdigit(v[2]) && g_ascii_isdigit(v[3]) && memchr(head, '@', first))
            return 15;
    }
    return 0;
}

const ParserClass powermta_parser_class = {
    .name = "powermta",
    .description = "PowerMTA accounting file (CSV with a header row)",
    .probe = powermta_probe,
    .new = powermta_new,
    .feed_line = powermta_feed_line,
    .finish = powermta_finish,
    .free = powermta_free,
    .keep_blank_lines = TRUE,
};
