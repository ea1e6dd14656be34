/* Domains, Providers and Campaigns: the same outcome and per-step columns, grouped three ways. */
#include "report.h"

typedef enum { GROUP_DOMAIN, GROUP_PROVIDER, GROUP_CAMPAIGN } GroupKind;

static const Step step_columns[] = {STEP_COMPILE,  STEP_RESOLVE,     STEP_CONNECT, STEP_GREETING,
                                    STEP_HELO,     STEP_TLS,         STEP_MAIL_FROM, STEP_RCPT_TO,
                                    STEP_DATA,     STEP_END_OF_DATA, STEP_ASYNC};
#define N_STEPS G_N_ELEMENTS(step_columns)
static const char *const step_column_names[N_STEPS] = {
    "Failed at compile", "Failed at resolve",   "Failed at connect",   "Failed at greeting",
    "Failed at helo",    "Failed at tls",       "Failed at mail-from", "Failed at rcpt-to",
    "Failed at data",    "Failed at end-of-data", "Failed after acceptance"};

typedef struct {
    const ReportData *d;
    const GPtrArray *rows;
    GroupKind kind;
    guint first_counts; /* index of the "Recipients" column */
} GroupData;

static void
row_func(const Table *t, guint64 i, Cell *cells, GStringChunk *scratch, gpointer data)
{
    (void)t;
    (void)scratch;
    const GroupData *g = data;
    const GroupRow *r = g->rows->pdata[i];
    const Counts *c = &r->counts;
    guint k = 0;
    cells[k++] = (Cell){.type = CELL_TEXT, .text = r->name};
    if (g->kind == GROUP_DOMAIN)
        cells[k++] = (Cell){.type = CELL_TEXT, .text = r->provider ? r->provider : ""};
    else if (g->kind == GROUP_PROVIDER)
        cells[k++] = (Cell){.type = CELL_INT, .i = (gint64)r->domains};
    else
        cells[k++] = (Cell){.type = CELL_INT, .i = (gint64)r->messages};
    cells[k++] = (Cell){.type = CELL_INT, .i = (gint64)c->recipients};
    if (g->kind == GROUP_CAMPAIGN) {
        cells[k++] = (Cell){.type = CELL_INT, .i = (gint64)r->compiled};
        cells[k++] = (Cell){.type = CELL_INT, .i = (gint64)r->compile_failed};
        for (int ph = 0; ph < AGGREGATE_PHASES; ph++)
            cells[k++] = (Cell){.type = CELL_INT, .i = (gint64)r->compile_by_phase[ph]};
        cells[k++] = (Cell){.type = CELL_INT, .i = (gint64)r->submitted};
    }
    cells[k++] = (Cell){.type = CELL_INT, .i = (gint64)c->outcome[OUTCOME_DELIVERED]};
    cells[k++] = (Cell){.type = CELL_INT, .i = (gint64)c->outcome[OUTCOME_FAILED]};
    cells[k++] = (Cell){.type = CELL_INT, .i = (gint64)c->outcome[OUTCOME_EXPIRED]};
    cells[k++] = (Cell){.type = CELL_INT, .i = (gint64)c->outcome[OUTCOME_BOUNCED_AFTER]};
    cells[k++] = (Cell){.type = CELL_INT, .i = (gint64)c->outcome[OUTCOME_PENDING]};
    cells[k++] = (Cell){.type = CELL_INT, .i = (gint64)c->outcome[OUTCOME_SUPPRESSED]};
    cells[k++] = (Cell){.type = CELL_INT, .i = (gint64)c->complaints};
    cells[k++] = (Cell){.type = CELL_INT, .i = (gint64)c->other_received};
    cells[k++] = (Cell){.type = CELL_PERCENT, .r = counts_delivery_rate(c)};
    cells[k++] = (Cell){.type = CELL_PERCENT, .r = counts_failure_rate(c)};
    for (gsize s = 0; s < N_STEPS; s++)
        cells[k++] = (Cell){.type = CELL_INT, .i = (gint64)c->failed_by_step[step_columns[s]]};
    guint64 n = 0;
    const char *top = aggregate_top_cause(r->causes, &n);
    cells[k++] = top ? (Cell){.type = CELL_TEXT, .text = top} : (Cell){0};
    cells[k++] = (Cell){.type = CELL_INT, .i = (gint64)n};
}

static Sheet *
group_sheet(const ReportData *d, GroupKind kind)
{
    GArray *cols = g_array_new(FALSE, TRUE, sizeof(Column));
    static const Column name_cols[][2] = {
        {{"Domain", CELL_TEXT, 0, "recipient domain"},
         {"Provider", CELL_TEXT, 0, "mailbox provider, from the MX/relay hosts seen"}},
        {{"Provider", CELL_TEXT, 0, "mailbox provider (from MX/relay host names)"},
         {"Domains", CELL_INT, 0, "recipient domains served by it"}},
        {{"Campaign", CELL_TEXT, 0, "campaign / mailing id"},
         {"Messages", CELL_INT, 0, "distinct messages"}},
    };
    g_array_append_vals(cols, name_cols[kind], 2);
    static const Column recipients = {"Recipients", CELL_INT, 0, "message × recipient rows"};
    g_array_append_val(cols, recipients);
    if (kind == GROUP_CAMPAIGN) {
        static const Column compile[] = {
            {"Compiled", CELL_INT, 0, "built by the sending application"},
            {"Compile failures", CELL_INT, 0, "could not be built (see Steps × causes, compile)"},
            {"… template", CELL_INT, 0, "compile failures: the template (HTML) could not be rendered"},
            {"… personalisation", CELL_INT, 0, "compile failures: personalisation data missing or wrong"},
            {"… feed", CELL_INT, 0, "compile failures: an XML/RSS/JSON feed could not be read"},
            {"… images", CELL_INT, 0, "compile failures: an image or asset could not be embedded"},
            {"… attachment", CELL_INT, 0, "compile failures: a generated attachment (PDF) failed"},
            {"… MIME", CELL_INT, 0, "compile failures: MIME assembly, encoding or signing failed"},
            {"Submitted", CELL_INT, 0, "handed to the MTA"},
        };
        g_array_append_vals(cols, compile, G_N_ELEMENTS(compile));
    }
    static const Column outcome_cols[] = {
        {"Delivered", CELL_INT, 0, ""},
        {"Failed", CELL_INT, 0, "permanent failure while compiling or sending"},
        {"Expired", CELL_INT, 0, "given up after retries"},
        {"Bounced after acceptance", CELL_INT, 0, ""},
        {"Pending", CELL_INT, 0, "still queued"},
        {"Suppressed", CELL_INT, 0, "not sent"},
        {"Complaints", CELL_INT, 0, "spam complaints (feedback loops)"},
        {"Other received", CELL_INT, 0, "auto-replies and other replies linked to these"},
        {"Delivery rate", CELL_PERCENT, 0, "delivered / recipients (sent)"},
        {"Failure rate", CELL_PERCENT, 0, "(failed + expired + bounced after) / recipients"},
    };
    g_array_append_vals(cols, outcome_cols, G_N_ELEMENTS(outcome_cols));
    for (gsize s = 0; s < N_STEPS; s++) {
        Column c = {.name = step_column_names[s],
                    .type = CELL_INT,
                    .doc = "failed, expired or bounced after acceptance at this step"};
        g_array_append_val(cols, c);
    }
    static const Column top_cols[] = {
        {"Top cause", CELL_TEXT, 0, "most frequent cause of non-delivery"},
        {"Top cause recipients", CELL_INT, 0, ""},
    };
    g_array_append_vals(cols, top_cols, G_N_ELEMENTS(top_cols));

    static const char *const names[] = {"Domains", "Providers", "Campaigns"};
    static const char *const ids[] = {"domains", "providers", "campaigns"};
    Sheet *sheet = sheet_new(names[kind]);
    Table *t = table_new(ids[kind], NULL, (Column *)(void *)cols->data, cols->len);
    GroupData *g = g_new0(GroupData, 1);
    g->d = d;
    g->kind = kind;
    g->rows = kind == GROUP_DOMAIN     ? d->agg->domains
              : kind == GROUP_PROVIDER ? d->agg->providers
                                       : d->agg->campaigns;
    table_set_row_func(t, g->rows->len, row_func, g, g_free);
    g_array_free(cols, TRUE);
    sheet_add(sheet, t);
    return sheet;
}

Sheet *
report_domains_sheet(const ReportData *d)
{
    return group_sheet(d, GROUP_DOMAIN);
}

Sheet *
report_providers_sheet(const ReportData *d)
{
    return group_sheet(d, GROUP_PROVIDER);
}

Sheet *
report_campaigns_sheet(const ReportData *d)
{
    return group_sheet(d, GROUP_CAMPAIGN);
}
