/* The Messages sheet: one row per message and recipient, with its whole trail. */
#include "report.h"

#include <string.h>

static const Column columns[] = {
    {"Campaign", CELL_TEXT, 0, "campaign / mailing id"},
    {"Message-ID", CELL_TEXT, 36, ""},
    {"Queue id", CELL_TEXT, 0, "the MTA's queue id"},
    {"MTA", CELL_TEXT, 0, "sending host (and MTA instance)"},
    {"Sender", CELL_TEXT, 30, "envelope sender"},
    {"Recipient", CELL_TEXT, 30, "envelope recipient"},
    {"Original recipient", CELL_TEXT, 0, "before aliasing/forwarding, when it differs"},
    {"First seen", CELL_TIME, 0, "UTC"},
    {"Last seen", CELL_TIME, 0, "UTC"},
    {"Outcome", CELL_TEXT, 0, "delivered, failed, expired, bounced-after-acceptance, pending, suppressed, no-result"},
    {"Step", CELL_TEXT, 0, "where it failed (last failed step for pending/expired)"},
    {"Cause", CELL_TEXT, 0, ""},
    {"Temporary/permanent", CELL_TEXT, 0, ""},
    {"Step confidence", CELL_TEXT, 0, "explicit, inferred-text, inferred-code"},
    {"Attempts", CELL_INT, 0, "delivery attempts"},
    {"Delay", CELL_DURATION, 0, "queued to delivered (h:mm:ss)"},
    {"Last reply code", CELL_INT, 0, ""},
    {"Last enhanced code", CELL_TEXT, 0, ""},
    {"Last diagnostic", CELL_TEXT, 60, "reply or DSN text of the decisive event"},
    {"Remote server", CELL_TEXT, 0, "host that answered"},
    {"Complaint", CELL_TEXT, 0, "feedback type when the recipient complained"},
    {"Vendor category", CELL_TEXT, 0,
     "the sending system's own label, kept beside ours (PowerMTA bounceCat, KumoMTA class)"},
    {"Linked by", CELL_TEXT, 0, "how events from other sources were joined to it"},
    {"Trail", CELL_TEXT, 80, "every event in order"},
};

static const char *
confidence_label(Confidence c)
{
    switch (c) {
    case CONFIDENCE_EXPLICIT:
        return "explicit";
    case CONFIDENCE_INFERRED_TEXT:
        return "inferred-text";
    case CONFIDENCE_INFERRED_CODE:
        return "inferred-code";
    default:
        return "";
    }
}

/* The rows are asked for in order, by the CSV writer and by the workbook's: start loading the
 * timelines of the next rows in steps, each following the pointers that an earlier step brought
 * in (the timeline, then its message and events, then their strings and the chain of events,
 * one more event every two rows). The timelines are far apart in memory: waiting for them was
 * most of the time spent on a row. */
static void
prefetch_ahead(const GPtrArray *timelines, guint64 i)
{
    guint64 n = timelines->len;
    if (i + 16 < n) {
        const char *t = timelines->pdata[i + 16];
        __builtin_prefetch(t);
        __builtin_prefetch(t + 64);
        __builtin_prefetch(t + 128);
    }
    if (i + 12 < n) {
        const Timeline *t = timelines->pdata[i + 12];
        __builtin_prefetch(t->message);
        __builtin_prefetch((const char *)t->message + 64);
        __builtin_prefetch(t->events);
        __builtin_prefetch(t->decisive);
        __builtin_prefetch(t->recipient);
    }
    if (i + 8 < n) {
        const Timeline *t = timelines->pdata[i + 8];
        const Message *m = t->message;
        __builtin_prefetch(m->campaign);
        __builtin_prefetch(m->message_id);
        __builtin_prefetch(m->queue_id);
        __builtin_prefetch(m->host);
        __builtin_prefetch(m->sender);
        if (t->decisive) {
            __builtin_prefetch(t->decisive->enhanced);
            __builtin_prefetch(t->decisive->diagnostic);
            __builtin_prefetch(t->decisive->relay);
        }
    }
    for (guint hops = 1; hops <= 5; hops++) {
        guint64 k = i + 12 - 2 * hops;
        if (k >= n)
            continue;
        const TimelineEvent *e = ((const Timeline *)timelines->pdata[k])->events;
        for (guint h = 0; h < hops && e; h++)
            e = e->next;
        if (e)
            __builtin_prefetch(e);
    }
}

/* A string to build a cell in, kept by each thread that writes rows (no allocation per row). */
static void
row_buffer_free(gpointer s)
{
    g_string_free(s, TRUE);
}

static GString *
row_buffer(void)
{
    static GPrivate key = G_PRIVATE_INIT(row_buffer_free);
    GString *s = g_private_get(&key);
    if (s == NULL) {
        s = g_string_sized_new(256);
        g_private_set(&key, s);
    }
    g_string_truncate(s, 0);
    return s;
}

static void
row_func(const Table *table, guint64 i, Cell *cells, GStringChunk *scratch, gpointer data)
{
    (void)table;
    const ReportData *d = data;
    prefetch_ahead(d->agg->timelines, i);
    const Timeline *t = d->agg->timelines->pdata[i];
    const Message *m = t->message;
#define TEXT(k, s)                                                                                 \
    do {                                                                                           \
        const char *v_ = (s);                                                                      \
        if (v_ && *v_)                                                                             \
            cells[k] = (Cell){.type = CELL_TEXT, .text = v_};                                      \
    } while (0)
    TEXT(0, m->campaign);
    TEXT(1, m->message_id);
    TEXT(2, m->queue_id);
    TEXT(3, m->host);
    TEXT(4, m->sender);
    TEXT(5, t->recipient);
    TEXT(6, t->orig_recipient);
    gint64 first = t->first_seen;
    if (m->queued_at && (first == 0 || m->queued_at < first))
        first = m->queued_at;
    if (first)
        cells[7] = (Cell){.type = CELL_TIME, .i = first};
    if (t->last_seen)
        cells[8] = (Cell){.type = CELL_TIME, .i = t->last_seen};
    TEXT(9, outcome_to_string(t->outcome));
    if (t->outcome != OUTCOME_DELIVERED && t->outcome != OUTCOME_UNKNOWN &&
        (t->cls.cause || t->cls.step != STEP_UNKNOWN)) {
        TEXT(10, report_step_label(t->cls.step));
        TEXT(11, t->cls.cause);
        TEXT(12, permanence_to_string(t->cls.permanence));
        TEXT(13, confidence_label(t->cls.confidence));
    } else if (t->outcome == OUTCOME_DELIVERED) {
        TEXT(11, t->cls.cause);
    }
    cells[14] = (Cell){.type = CELL_INT, .i = t->attempts};
    if (t->outcome == OUTCOME_DELIVERED && t->delivered_at && m->queued_at &&
        t->delivered_at >= m->queued_at)
        cells[15] = (Cell){.type = CELL_DURATION,
                           .r = (double)(t->delivered_at - m->queued_at) / G_USEC_PER_SEC};
    const TimelineEvent *e = t->decisive;
    if (e) {
        if (e->reply_code)
            cells[16] = (Cell){.type = CELL_INT, .i = e->reply_code};
        TEXT(17, e->enhanced);
        TEXT(18, e->diagnostic);
        TEXT(19, e->relay);
    }
    if (t->complaint)
        TEXT(20, t->complaint_type ? t->complaint_type : "complaint");
    if (e)
        TEXT(21, timeline_event_vendor_label(e));
    if (t->link_methods) {
        GString *s = row_buffer();
        for (int k = 1; k < LINK_N; k++)
            if (t->link_methods & (1u << k)) {
                if (s->len)
                    g_string_append(s, ", ");
                g_string_append(s, link_method_to_string((LinkMethod)k));
            }
        cells[22] = (Cell){.type = CELL_TEXT,
                           .text = g_string_chunk_insert_len(scratch, s->str, (gssize)s->len)};
    }
    GString *trail = row_buffer();
    timeline_format_trail(t, trail);
    cells[23] = (Cell){.type = CELL_TEXT,
                       .text = g_string_chunk_insert_len(scratch, trail->str, (gssize)trail->len)};
#undef TEXT
}

Sheet *
report_messages_sheet(const ReportData *d)
{
    Sheet *sheet = sheet_new("Messages");
    Table *t = table_new("messages", NULL, columns, G_N_ELEMENTS(columns));
    table_set_row_func(t, d->agg->timelines->len, row_func, (gpointer)d, NULL);
    sheet_add(sheet, t);
    return sheet;
}
