/* Addresses to suppress, and the other emails received in the bounce mailbox. */
#include "report.h"

static const Column suppress_cols[] = {
    {"Address", CELL_TEXT, 32, "recipient address"},
    {"Action", CELL_TEXT, 0, "suppress: stop mailing it; review: repeated problem, check it"},
    {"Reason", CELL_TEXT, 0, "cause (or complaint / unsubscribe-request)"},
    {"Meaning", CELL_TEXT, 50, ""},
    {"Step", CELL_TEXT, 0, ""},
    {"Times seen", CELL_INT, 0, "messages to this address with this problem"},
    {"Last seen", CELL_TIME, 0, "UTC"},
    {"Evidence", CELL_TEXT, 60, "the diagnostic text"},
    {"Source", CELL_TEXT, 30, "file:line or mailbox item"},
};

/* The rows, their timelines and evidence lie anywhere in memory: fetched a few rows ahead.
 * Always inlined: a function of nothing but prefetches counts as one without effects, and
 * GCC drops calls to those. */
static inline __attribute__((always_inline)) void
suppress_prefetch(const GPtrArray *rows, guint64 i)
{
    if (i + 16 < rows->len)
        __builtin_prefetch(rows->pdata[i + 16]);
    if (i + 8 < rows->len) {
        const SuppressRow *r = rows->pdata[i + 8];
        __builtin_prefetch(r->timeline);
        __builtin_prefetch((const char *)r->timeline + 64);
        __builtin_prefetch(r->evidence);
    }
    if (i + 4 < rows->len) {
        const SuppressRow *r = rows->pdata[i + 4];
        if (r->evidence)
            __builtin_prefetch(r->evidence->diagnostic);
    }
}

static void
suppress_row(const Table *t, guint64 i, Cell *cells, GStringChunk *scratch, gpointer data)
{
    (void)t;
    const ReportData *d = data;
    suppress_prefetch(d->agg->suppress, i);
    const SuppressRow *r = d->agg->suppress->pdata[i];
    cells[0] = (Cell){.type = CELL_TEXT, .text = r->address};
    cells[1] = (Cell){.type = CELL_TEXT, .text = r->action};
    gboolean complaint = r->timeline && r->timeline->complaint &&
                         g_strcmp0(r->timeline->complaint_type, r->reason) == 0;
    cells[2] = (Cell){.type = CELL_TEXT, .text = r->reason};
    if (complaint) {
        char buf[128];
        g_snprintf(buf, sizeof buf, "complaint: %s", r->reason);
        cells[2].text = g_string_chunk_insert(scratch, buf);
    }
    /* a failure's entry was looked up when the row was made */
    const TaxonomyEntry *te = r->entry;
    if (complaint || te == NULL)
        te = taxonomy_lookup(complaint ? "complaint" : step_to_string(r->step), r->reason);
    cells[3] = (Cell){.type = CELL_TEXT, .text = te ? te->definition : ""};
    if (r->step != STEP_UNKNOWN)
        cells[4] = (Cell){.type = CELL_TEXT, .text = report_step_label(r->step)};
    cells[5] = (Cell){.type = CELL_INT, .i = (gint64)r->failures};
    if (r->timeline && r->timeline->last_seen)
        cells[6] = (Cell){.type = CELL_TIME, .i = r->timeline->last_seen};
    if (r->evidence) {
        if (r->evidence->diagnostic)
            cells[7] = (Cell){.type = CELL_TEXT, .text = r->evidence->diagnostic};
        cells[8] = (Cell){.type = CELL_TEXT, .text = report_source(d, r->evidence, scratch)};
    }
}

Sheet *
report_suppress_sheet(const ReportData *d)
{
    Sheet *sheet = sheet_new("Suppress");
    Table *t = table_new("suppress", NULL, suppress_cols, G_N_ELEMENTS(suppress_cols));
    table_set_row_func(t, d->agg->suppress->len, suppress_row, (gpointer)d, NULL);
    sheet_add(sheet, t);
    return sheet;
}

static const Column other_cols[] = {
    {"Received", CELL_TIME, 0, "date of the item (UTC)"},
    {"From", CELL_TEXT, 30, ""},
    {"Subject", CELL_TEXT, 40, ""},
    {"Sub-type", CELL_TEXT, 0, "auto-reply, challenge-response, complaint, human-reply, ..."},
    {"Recipient", CELL_TEXT, 30, "the recipient of ours it is about, when known"},
    {"Linked Message-ID", CELL_TEXT, 36, "the message it answers, when linked"},
    {"Campaign", CELL_TEXT, 0, ""},
    {"Linked by", CELL_TEXT, 0, ""},
    {"Source", CELL_TEXT, 30, "mailbox item"},
};

static void
other_row(const Table *t, guint64 i, Cell *cells, GStringChunk *scratch, gpointer data)
{
    (void)t;
    const ReportData *d = data;
    const OtherItem *it = &g_array_index(correlator_other_items(d->corr), OtherItem, i);
    if (it->time)
        cells[0] = (Cell){.type = CELL_TIME, .i = it->time};
    if (it->from)
        cells[1] = (Cell){.type = CELL_TEXT, .text = it->from};
    if (it->subject)
        cells[2] = (Cell){.type = CELL_TEXT, .text = it->subject};
    cells[3] = (Cell){.type = CELL_TEXT, .text = it->subtype};
    const char *rcpt = it->linked ? it->linked->recipient : it->recipient;
    if (rcpt && *rcpt)
        cells[4] = (Cell){.type = CELL_TEXT, .text = rcpt};
    if (it->linked) {
        if (it->linked->message->message_id)
            cells[5] = (Cell){.type = CELL_TEXT, .text = it->linked->message->message_id};
        if (it->linked->message->campaign)
            cells[6] = (Cell){.type = CELL_TEXT, .text = it->linked->message->campaign};
        cells[7] = (Cell){.type = CELL_TEXT, .text = link_method_to_string(it->link)};
    } else {
        cells[7] = (Cell){.type = CELL_TEXT, .text = "not linked"};
    }
    char buf[1024];
    if (it->item)
        g_snprintf(buf, sizeof buf, "%s item %u", report_stream_name(d, it->input), it->item);
    else
        g_snprintf(buf, sizeof buf, "%s:%" G_GUINT64_FORMAT, report_stream_name(d, it->input),
                   it->line);
    cells[8] = (Cell){.type = CELL_TEXT, .text = g_string_chunk_insert(scratch, buf)};
}

Sheet *
report_other_sheet(const ReportData *d)
{
    Sheet *sheet = sheet_new("Other received");
    Table *t = table_new("other-received", NULL, other_cols, G_N_ELEMENTS(other_cols));
    table_set_row_func(t, correlator_other_items(d->corr)->len, other_row, (gpointer)d, NULL);
    sheet_add(sheet, t);
    return sheet;
}
