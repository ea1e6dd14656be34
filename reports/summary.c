/* The Summary sheet: headline numbers and the charts a marketer looks at first. */
#include <string.h>

#include "report.h"
#include "timeutil.h"

static const Step failure_steps[] = {STEP_COMPILE, STEP_RESOLVE,  STEP_CONNECT,     STEP_GREETING,
                                     STEP_HELO,    STEP_TLS,      STEP_MAIL_FROM,   STEP_RCPT_TO,
                                     STEP_DATA,    STEP_END_OF_DATA, STEP_ASYNC,    STEP_UNKNOWN};

static void
kv_int(Table *t, const char *what, gint64 v, const char *explain)
{
    table_add_row(t);
    table_set_text(t, 0, what);
    table_set_int(t, 1, v);
    table_set_text(t, 2, explain);
}

static void
kv_percent(Table *t, const char *what, double v, const char *explain)
{
    table_add_row(t);
    table_set_text(t, 0, what);
    table_set_percent(t, 1, v);
    table_set_text(t, 2, explain);
}

static void
kv_time(Table *t, const char *what, gint64 v, const char *explain)
{
    table_add_row(t);
    table_set_text(t, 0, what);
    table_set_time(t, 1, v);
    table_set_text(t, 2, explain);
}

/* most first, then by name for stable output */
static int
compare_causes(gconstpointer pa, gconstpointer pb, gpointer data)
{
    const char *x = *(const char *const *)pa, *y = *(const char *const *)pb;
    gsize nx = GPOINTER_TO_SIZE(g_hash_table_lookup(data, x));
    gsize ny = GPOINTER_TO_SIZE(g_hash_table_lookup(data, y));
    if (nx != ny)
        return nx > ny ? -1 : 1;
    return strcmp(x, y);
}

Sheet *
report_summary_sheet(const ReportData *d)
{
    const Aggregates *a = d->agg;
    const Counts *c = &a->all;
    Sheet *sheet = sheet_new("Summary");

    static const Column kv_cols[] = {
        {"What", CELL_TEXT, 34, "the figure"},
        {"Value", CELL_INT, 20, "its value"},
        {"Explanation", CELL_TEXT, 0, "what it counts"},
    };
    Table *t = table_new("summary", "mailtrail delivery report", kv_cols, G_N_ELEMENTS(kv_cols));
    t->note = "One row per message and recipient is counted once, in exactly one outcome. "
              "Times are UTC.";
    t->key_value = TRUE;
    guint64 lines = 0, items = 0, unrec = 0;
    for (guint i = 0; d->streams && i < d->streams->len; i++) {
        const InputStream *s = d->streams->pdata[i];
        lines += s->stats->lines;
        items += s->stats->items;
        unrec += s->stats->lines_unrecognised + s->stats->items_unrecognised;
    }
    kv_time(t, "Period from", a->first, "first event of a counted message");
    kv_time(t, "Period to", a->last, "last event of a counted message");
    kv_int(t, "Inputs read", d->streams ? d->streams->len : 0,
           "files and archive members (see the Inputs sheet)");
    kv_int(t, "Log lines read", (gint64)lines, "lines of all log-style inputs");
    kv_int(t, "Mailbox items read", (gint64)items, "messages found in bounce mailboxes");
    kv_int(t, "Unrecognised lines and items", (gint64)unrec,
           "counted, not used: examples on the Inputs sheet");
    kv_int(t, "Messages", (gint64)a->messages, "distinct messages sent or attempted");
    kv_int(t, "Recipients (message × recipient)", (gint64)c->recipients,
           "each is one row of the Messages sheet");
    kv_int(t, "Delivered", (gint64)c->outcome[OUTCOME_DELIVERED],
           "accepted by the receiving server and no bounce came back");
    kv_percent(t, "Delivery rate", counts_delivery_rate(c),
               "delivered / recipients (not counting suppressed and no-result)");
    kv_int(t, "Failed while compiling or sending", (gint64)c->outcome[OUTCOME_FAILED],
           "permanent failure at a step: see 'Where messages failed'");
    kv_int(t, "Expired", (gint64)c->outcome[OUTCOME_EXPIRED],
           "the MTA gave up after retrying (retry window exceeded)");
    kv_int(t, "Bounced after acceptance", (gint64)c->outcome[OUTCOME_BOUNCED_AFTER],
           "accepted, then a bounce (DSN) came back");
    kv_percent(t, "Failure rate", counts_failure_rate(c),
               "(failed + expired + bounced after acceptance) / recipients");
    kv_int(t, "Pending", (gint64)c->outcome[OUTCOME_PENDING],
           "still queued when the logs end (deferred or not yet tried)");
    kv_int(t, "Suppressed (not sent)", (gint64)c->outcome[OUTCOME_SUPPRESSED],
           "on a suppression list of the sending application");
    kv_int(t, "No result seen", (gint64)c->outcome[OUTCOME_UNKNOWN],
           "compiled or submitted, but no MTA record of it was among the inputs");
    kv_int(t, "Complaints", (gint64)c->complaints, "feedback-loop reports (spam complaints)");
    gint64 other = correlator_other_items(d->corr)->len;
    kv_int(t, "Other received emails", other,
           "auto-replies, challenges, human replies ... (Other received sheet)");
    kv_int(t, "Delivery attempts", (gint64)c->attempts, "SMTP transactions tried");
    kv_int(t, "Deferred attempts", (gint64)c->deferrals,
           "temporary failures, including attempts skipped while a destination was marked down");
    table_add_row(t);
    table_set_text(t, 0, "Average delivery delay");
    if (c->delay_n)
        table_set_duration(t, 1, c->delay_sum / (double)c->delay_n);
    table_set_text(t, 2, "from queued to delivered (h:mm:ss)");
    sheet_add(sheet, t);

    static const Column out_cols[] = {
        {"Outcome", CELL_TEXT, 0, "final outcome"},
        {"Recipients", CELL_INT, 0, "message × recipient rows with this outcome"},
        {"Share", CELL_PERCENT, 0, "of all recipients"},
    };
    t = table_new("summary-outcomes", "Outcomes", out_cols, G_N_ELEMENTS(out_cols));
    for (int o = 0; o < OUTCOME_N; o++) {
        table_add_row(t);
        table_set_text(t, 0, outcome_label((Outcome)o));
        table_set_int(t, 1, (gint64)c->outcome[o]);
        table_set_percent(t, 2, c->recipients ? (double)c->outcome[o] / (double)c->recipients : 0);
    }
    t->chart = (ChartSpec){.type = CHART_PIE, .title = "Outcomes", .category_column = 0,
                           .value_columns = {1}, .n_values = 1};
    sheet_add(sheet, t);

    static const Column step_cols[] = {
        {"Step", CELL_TEXT, 0, "where in sending it failed"},
        {"Failed", CELL_INT, 0, "failed permanently at this step"},
        {"Expired", CELL_INT, 0, "gave up; the last attempt failed at this step"},
        {"Bounced after acceptance", CELL_INT, 0, "accepted, then bounced"},
        {"Pending", CELL_INT, 0, "still retrying; the last attempt failed at this step"},
        {"Total", CELL_INT, 0, "all of these"},
    };
    t = table_new("summary-steps", "Where messages failed", step_cols, G_N_ELEMENTS(step_cols));
    t->note = "Compile = building the message; resolve … end-of-data = the SMTP conversation; "
              "after acceptance = a bounce came back later.";
    guint64 failed[STEP_N] = {0}, expired[STEP_N] = {0}, after[STEP_N] = {0},
            pending[STEP_N] = {0};
    for (guint i = 0; i < a->steps->len; i++) {
        const StepCauseRow *r = a->steps->pdata[i];
        Step s = r->step < STEP_N ? r->step : STEP_UNKNOWN;
        failed[s] += r->failed;
        expired[s] += r->expired;
        after[s] += r->bounced_after;
        pending[s] += r->pending;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(failure_steps); i++) {
        Step s = failure_steps[i];
        table_add_row(t);
        table_set_text(t, 0, report_step_label(s));
        table_set_int(t, 1, (gint64)failed[s]);
        table_set_int(t, 2, (gint64)expired[s]);
        table_set_int(t, 3, (gint64)after[s]);
        table_set_int(t, 4, (gint64)pending[s]);
        table_set_int(t, 5, (gint64)(failed[s] + expired[s] + after[s] + pending[s]));
    }
    t->chart = (ChartSpec){.type = CHART_BAR, .title = "Where messages failed (by step)",
                           .category_column = 0, .value_columns = {1, 2, 3, 4}, .n_values = 4};
    sheet_add(sheet, t);

    static const Column cause_cols[] = {
        {"Cause", CELL_TEXT, 0, "why"},
        {"Recipients", CELL_INT, 0, "not delivered because of it"},
        {"Meaning", CELL_TEXT, 0, "in plain words"},
    };
    t = table_new("summary-causes", "Top causes", cause_cols, G_N_ELEMENTS(cause_cols));
    t->note = "Recipients not delivered (failed, expired, bounced after acceptance, pending), "
              "by cause.";
    GPtrArray *causes = g_ptr_array_new();
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, a->cause_totals);
    while (g_hash_table_iter_next(&it, &k, &v))
        g_ptr_array_add(causes, k);
    g_ptr_array_sort_with_data(causes, compare_causes, a->cause_totals);
    for (guint i = 0; i < causes->len && i < 15; i++) {
        const char *cause = causes->pdata[i];
        table_add_row(t);
        table_set_text(t, 0, cause);
        const TaxonomyEntry *te = taxonomy_lookup(NULL, cause);
        table_set_int(t, 1, (gint64)GPOINTER_TO_SIZE(g_hash_table_lookup(a->cause_totals, cause)));
        table_set_text(t, 2, te ? te->definition : "");
    }
    g_ptr_array_unref(causes);
    t->chart = (ChartSpec){.type = CHART_BAR, .title = "Top causes", .category_column = 0,
                           .value_columns = {1}, .n_values = 1, .max_rows = 10};
    sheet_add(sheet, t);

    static const Column day_cols[] = {
        {"Day", CELL_TEXT, 12, "day the message was first seen (UTC)"},
        {"Delivered", CELL_INT, 0, ""},
        {"Failed", CELL_INT, 0, ""},
        {"Expired", CELL_INT, 0, ""},
        {"Bounced after acceptance", CELL_INT, 0, ""},
        {"Pending", CELL_INT, 0, ""},
    };
    t = table_new("summary-daily", "Outcomes per day", day_cols, G_N_ELEMENTS(day_cols));
    for (guint i = 0; i < a->days->len; i++) {
        const PeriodRow *p = a->days->pdata[i];
        char buf[32];
        table_add_row(t);
        gint64 days = p->start / ((gint64)86400 * G_USEC_PER_SEC);
        int y, m, dd;
        time_civil_from_days(days, &y, &m, &dd);
        g_snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, dd);
        table_set_text(t, 0, buf);
        table_set_int(t, 1, (gint64)p->counts.outcome[OUTCOME_DELIVERED]);
        table_set_int(t, 2, (gint64)p->counts.outcome[OUTCOME_FAILED]);
        table_set_int(t, 3, (gint64)p->counts.outcome[OUTCOME_EXPIRED]);
        table_set_int(t, 4, (gint64)p->counts.outcome[OUTCOME_BOUNCED_AFTER]);
        table_set_int(t, 5, (gint64)p->counts.outcome[OUTCOME_PENDING]);
    }
    t->chart = (ChartSpec){.type = CHART_STACKED_COLUMN, .title = "Outcomes per day",
                           .category_column = 0, .value_columns = {1, 2, 3, 4, 5},
                           .n_values = 5};
    sheet_add(sheet, t);
    return sheet;
}
