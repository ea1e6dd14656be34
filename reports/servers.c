/* Remote servers and Status codes: what the receiving side answered. */
#include "report.h"

#include "timeutil.h"

static const Column server_cols[] = {
    {"Remote host", CELL_TEXT, 0, "MX or relay host name"},
    {"IP address", CELL_TEXT, 0, ""},
    {"Attempts", CELL_INT, 0, "delivery attempts to it"},
    {"Delivered", CELL_INT, 0, ""},
    {"Deferred", CELL_INT, 0, "temporary failures"},
    {"Failed", CELL_INT, 0, "permanent failures"},
    {"Deferral rate", CELL_PERCENT, 0, "deferred / attempts"},
    {"Top cause", CELL_TEXT, 0, "most frequent cause of failures and deferrals"},
    {"Top cause attempts", CELL_INT, 0, ""},
    {"First seen", CELL_TIME, 0, "UTC"},
    {"Last seen", CELL_TIME, 0, "UTC"},
};

static void
server_row(const Table *t, guint64 i, Cell *cells, GStringChunk *scratch, gpointer data)
{
    (void)t;
    (void)scratch;
    const ReportData *d = data;
    const RelayRow *r = d->agg->relays->pdata[i];
    guint64 n = 0;
    const char *top = aggregate_top_cause(r->causes, &n);
    cells[0] = (Cell){.type = CELL_TEXT, .text = r->host};
    cells[1] = r->ip ? (Cell){.type = CELL_TEXT, .text = r->ip} : (Cell){0};
    cells[2] = (Cell){.type = CELL_INT, .i = (gint64)r->attempts};
    cells[3] = (Cell){.type = CELL_INT, .i = (gint64)r->delivered};
    cells[4] = (Cell){.type = CELL_INT, .i = (gint64)r->deferred};
    cells[5] = (Cell){.type = CELL_INT, .i = (gint64)r->failed};
    cells[6] = (Cell){.type = CELL_PERCENT,
                      .r = r->attempts ? (double)r->deferred / (double)r->attempts : 0.0};
    cells[7] = top ? (Cell){.type = CELL_TEXT, .text = top} : (Cell){0};
    cells[8] = (Cell){.type = CELL_INT, .i = (gint64)n};
    cells[9] = r->first ? (Cell){.type = CELL_TIME, .i = r->first} : (Cell){0};
    cells[10] = r->last ? (Cell){.type = CELL_TIME, .i = r->last} : (Cell){0};
}

Sheet *
report_servers_sheet(const ReportData *d)
{
    Sheet *sheet = sheet_new("Remote servers");
    Table *t = table_new("remote-servers", NULL, server_cols, G_N_ELEMENTS(server_cols));
    table_set_row_func(t, d->agg->relays->len, server_row, (gpointer)d, NULL);
    sheet_add(sheet, t);
    return sheet;
}

static const Column code_cols[] = {
    {"Reply code", CELL_INT, 0, "SMTP basic reply code (RFC 5321)"},
    {"Enhanced code", CELL_TEXT, 0, "enhanced status code (RFC 3463)"},
    {"Reply code meaning", CELL_TEXT, 36, ""},
    {"Enhanced code meaning", CELL_TEXT, 40, "registered name of the enhanced code"},
    {"Result", CELL_TEXT, 0, "success / temporary / permanent"},
    {"Events", CELL_INT, 0, "replies or DSNs with this code"},
    {"Recipients", CELL_INT, 0, "message × recipient rows with it"},
    {"Example diagnostic", CELL_TEXT, 60, ""},
    {"Example source", CELL_TEXT, 30, ""},
};

static void
code_row(const Table *t, guint64 i, Cell *cells, GStringChunk *scratch, gpointer data)
{
    (void)t;
    const ReportData *d = data;
    const CodeRow *r = d->agg->codes->pdata[i];
    if (r->reply_code)
        cells[0] = (Cell){.type = CELL_INT, .i = r->reply_code};
    if (r->enhanced)
        cells[1] = (Cell){.type = CELL_TEXT, .text = r->enhanced};
    const char *rm = r->reply_code ? reply_code_title(r->reply_code) : NULL;
    const char *em = r->enhanced ? enhanced_code_title(r->enhanced) : NULL;
    cells[2] = (Cell){.type = CELL_TEXT, .text = rm ? rm : ""};
    cells[3] = (Cell){.type = CELL_TEXT, .text = em ? em : ""};
    char cls = r->enhanced ? r->enhanced[0] : (char)('0' + r->reply_code / 100);
    cells[4] = (Cell){.type = CELL_TEXT,
                      .text = cls == '2' ? "success"
                              : cls == '4' ? "temporary"
                              : cls == '5' ? "permanent"
                                           : ""};
    cells[5] = (Cell){.type = CELL_INT, .i = (gint64)r->events};
    cells[6] = (Cell){.type = CELL_INT, .i = (gint64)r->recipients};
    if (r->example) {
        cells[7] = (Cell){.type = CELL_TEXT, .text = r->example->diagnostic};
        cells[8] = (Cell){.type = CELL_TEXT, .text = report_source(d, r->example, scratch)};
    }
}

Sheet *
report_codes_sheet(const ReportData *d)
{
    Sheet *sheet = sheet_new("Status codes");
    Table *t = table_new("status-codes", NULL, code_cols, G_N_ELEMENTS(code_cols));
    table_set_row_func(t, d->agg->codes->len, code_row, (gpointer)d, NULL);
    sheet_add(sheet, t);
    return sheet;
}
