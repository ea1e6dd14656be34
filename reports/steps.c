/* The Steps × causes sheet: every step and cause seen, with counts, meaning and action. */
#include "report.h"

static const Column columns[] = {
    {"Step", CELL_TEXT, 0, "where in sending it happened (the last failed step for pending/expired)"},
    {"Cause", CELL_TEXT, 0, "why (taxonomy cause)"},
    {"Meaning", CELL_TEXT, 50, "the cause in plain words"},
    {"Failed", CELL_INT, 0, "recipients that failed permanently here"},
    {"Expired", CELL_INT, 0, "recipients given up after retries whose last attempt failed here"},
    {"Bounced after acceptance", CELL_INT, 0, "accepted, then bounced with this cause"},
    {"Pending", CELL_INT, 0, "still retrying; the last attempt failed here"},
    {"Delivered after retry", CELL_INT, 0, "delivered in the end; the last deferral was here"},
    {"Suppressed", CELL_INT, 0, "not sent because of a suppression list"},
    {"Recipients", CELL_INT, 0, "all recipients of this row"},
    {"Share of recipients", CELL_PERCENT, 0, "of all recipients in the report"},
    {"Temporary", CELL_INT, 0, "of these, temporary (4xx, will retry)"},
    {"Permanent", CELL_INT, 0, "of these, permanent (5xx, given up)"},
    {"Attempts", CELL_INT, 0, "deferred attempts classified here (retries included)"},
    {"Who must act", CELL_TEXT, 0, "owner: recipient-address, sender-reputation, network ..."},
    {"Address action", CELL_TEXT, 0, "suppress / suppress-after-repeats / keep / review"},
    {"Example diagnostic", CELL_TEXT, 60, "one diagnostic text of this row, as logged"},
    {"Example source", CELL_TEXT, 30, "file:line or mailbox item of the example"},
};

static void
row_func(const Table *t, guint64 i, Cell *cells, GStringChunk *scratch, gpointer data)
{
    (void)t;
    const ReportData *d = data;
    const StepCauseRow *r = d->agg->steps->pdata[i];
    guint64 total = r->failed + r->expired + r->bounced_after + r->pending + r->recovered +
                    r->suppressed;
    const TaxonomyEntry *te = taxonomy_lookup(step_to_string(r->step), r->cause);
    cells[0] = (Cell){.type = CELL_TEXT, .text = report_step_label(r->step)};
    cells[1] = (Cell){.type = CELL_TEXT, .text = r->cause};
    cells[2] = (Cell){.type = CELL_TEXT, .text = te ? te->definition : ""};
    cells[3] = (Cell){.type = CELL_INT, .i = (gint64)r->failed};
    cells[4] = (Cell){.type = CELL_INT, .i = (gint64)r->expired};
    cells[5] = (Cell){.type = CELL_INT, .i = (gint64)r->bounced_after};
    cells[6] = (Cell){.type = CELL_INT, .i = (gint64)r->pending};
    cells[7] = (Cell){.type = CELL_INT, .i = (gint64)r->recovered};
    cells[8] = (Cell){.type = CELL_INT, .i = (gint64)r->suppressed};
    cells[9] = (Cell){.type = CELL_INT, .i = (gint64)total};
    cells[10] = (Cell){.type = CELL_PERCENT,
                       .r = d->agg->all.recipients
                                ? (double)total / (double)d->agg->all.recipients
                                : 0.0};
    cells[11] = (Cell){.type = CELL_INT, .i = (gint64)r->temporary};
    cells[12] = (Cell){.type = CELL_INT, .i = (gint64)r->permanent};
    cells[13] = (Cell){.type = CELL_INT, .i = (gint64)r->attempts};
    cells[14] = (Cell){.type = CELL_TEXT, .text = te ? te->owner : ""};
    cells[15] = (Cell){.type = CELL_TEXT, .text = te ? te->action : ""};
    if (r->example) {
        cells[16] = (Cell){.type = CELL_TEXT, .text = r->example->diagnostic ? r->example->diagnostic : ""};
        cells[17] = (Cell){.type = CELL_TEXT, .text = report_source(d, r->example, scratch)};
    }
}

Sheet *
report_steps_sheet(const ReportData *d)
{
    Sheet *sheet = sheet_new("Steps × causes");
    Table *t = table_new("steps-causes", NULL, columns, G_N_ELEMENTS(columns));
    table_set_row_func(t, d->agg->steps->len, row_func, (gpointer)d, NULL);
    sheet_add(sheet, t);
    return sheet;
}
