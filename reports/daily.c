/* Daily (and, for short periods, hourly) outcomes over time. */
#include "report.h"

static const Column columns[] = {
    {"Period start", CELL_TIME, 0, "UTC; by the time each message was first seen"},
    {"Recipients", CELL_INT, 0, ""},
    {"Delivered", CELL_INT, 0, ""},
    {"Failed", CELL_INT, 0, ""},
    {"Expired", CELL_INT, 0, ""},
    {"Bounced after acceptance", CELL_INT, 0, ""},
    {"Pending", CELL_INT, 0, ""},
    {"Suppressed", CELL_INT, 0, ""},
    {"Deferred attempts", CELL_INT, 0, "temporary failures (retried)"},
    {"Complaints", CELL_INT, 0, ""},
    {"Delivery rate", CELL_PERCENT, 0, ""},
};

static void
row_func(const Table *t, guint64 i, Cell *cells, GStringChunk *scratch, gpointer data)
{
    (void)t;
    (void)scratch;
    const GPtrArray *rows = data;
    const PeriodRow *p = rows->pdata[i];
    const Counts *c = &p->counts;
    cells[0] = (Cell){.type = CELL_TIME, .i = p->start};
    cells[1] = (Cell){.type = CELL_INT, .i = (gint64)c->recipients};
    cells[2] = (Cell){.type = CELL_INT, .i = (gint64)c->outcome[OUTCOME_DELIVERED]};
    cells[3] = (Cell){.type = CELL_INT, .i = (gint64)c->outcome[OUTCOME_FAILED]};
    cells[4] = (Cell){.type = CELL_INT, .i = (gint64)c->outcome[OUTCOME_EXPIRED]};
    cells[5] = (Cell){.type = CELL_INT, .i = (gint64)c->outcome[OUTCOME_BOUNCED_AFTER]};
    cells[6] = (Cell){.type = CELL_INT, .i = (gint64)c->outcome[OUTCOME_PENDING]};
    cells[7] = (Cell){.type = CELL_INT, .i = (gint64)c->outcome[OUTCOME_SUPPRESSED]};
    cells[8] = (Cell){.type = CELL_INT, .i = (gint64)c->deferrals};
    cells[9] = (Cell){.type = CELL_INT, .i = (gint64)c->complaints};
    cells[10] = (Cell){.type = CELL_PERCENT, .r = counts_delivery_rate(c)};
}

Sheet *
report_daily_sheet(const ReportData *d)
{
    Sheet *sheet = sheet_new(d->agg->hours ? "Daily and hourly" : "Daily");
    Table *t = table_new("daily", d->agg->hours ? "Per day" : NULL, columns, G_N_ELEMENTS(columns));
    table_set_row_func(t, d->agg->days->len, row_func, d->agg->days, NULL);
    t->chart = (ChartSpec){.type = CHART_STACKED_COLUMN, .title = "Outcomes per day",
                           .category_column = 0, .value_columns = {2, 3, 4, 5, 6},
                           .n_values = 5};
    sheet_add(sheet, t);
    if (d->agg->hours) {
        Table *h = table_new("hourly", "Per hour (the period is three days or less)", columns,
                             G_N_ELEMENTS(columns));
        table_set_row_func(h, d->agg->hours->len, row_func, d->agg->hours, NULL);
        sheet_add(sheet, h);
    }
    return sheet;
}
