/* What was read (Inputs) and how trustworthy the result is (Data quality). */
#include "report.h"

static const Column input_cols[] = {
    {"Input", CELL_TEXT, 40, "file or archive member"},
    {"Format", CELL_TEXT, 0, "detected format (or --format)"},
    {"Lines", CELL_INT, 0, "lines read"},
    {"Used", CELL_INT, 0, "lines understood"},
    {"Skipped", CELL_INT, 0, "blank lines and other programs' lines in a shared syslog"},
    {"Unrecognised", CELL_INT, 0, "lines that look like the format but could not be read"},
    {"Mailbox items", CELL_INT, 0, "messages in a mailbox"},
    {"Bounces", CELL_INT, 0, "items recognised as bounces (DSN or not)"},
    {"Other items", CELL_INT, 0, "auto-replies, complaints and other mail"},
    {"Unparsed items", CELL_INT, 0, "items that could not be read at all"},
    {"Events", CELL_INT, 0, "facts taken from it"},
    {"First event", CELL_TIME, 0, "UTC"},
    {"Last event", CELL_TIME, 0, "UTC"},
    {"Problems", CELL_TEXT, 50, "read errors, truncation, unknown format"},
    {"Unrecognised examples", CELL_TEXT, 80, "the first unrecognised lines, with line numbers"},
};

static void
input_row(const Table *t, guint64 i, Cell *cells, GStringChunk *scratch, gpointer data)
{
    (void)t;
    const ReportData *d = data;
    const InputStream *s = d->streams->pdata[i];
    const InputStats *st = s->stats;
    cells[0] = (Cell){.type = CELL_TEXT, .text = s->name};
    cells[1] = (Cell){.type = CELL_TEXT, .text = s->parser ? s->parser->name : "unknown"};
    cells[2] = (Cell){.type = CELL_INT, .i = (gint64)st->lines};
    cells[3] = (Cell){.type = CELL_INT, .i = (gint64)st->lines_used};
    cells[4] = (Cell){.type = CELL_INT, .i = (gint64)st->lines_skipped};
    cells[5] = (Cell){.type = CELL_INT, .i = (gint64)st->lines_unrecognised};
    cells[6] = (Cell){.type = CELL_INT, .i = (gint64)st->items};
    cells[7] = (Cell){.type = CELL_INT, .i = (gint64)st->items_bounce};
    cells[8] = (Cell){.type = CELL_INT, .i = (gint64)st->items_other};
    cells[9] = (Cell){.type = CELL_INT, .i = (gint64)st->items_unrecognised};
    cells[10] = (Cell){.type = CELL_INT, .i = (gint64)st->events};
    if (st->first_time)
        cells[11] = (Cell){.type = CELL_TIME, .i = st->first_time};
    if (st->last_time)
        cells[12] = (Cell){.type = CELL_TIME, .i = st->last_time};
    if (st->notes->len) {
        GString *n = g_string_new(NULL);
        for (guint k = 0; k < st->notes->len; k++) {
            if (k)
                g_string_append(n, "; ");
            g_string_append(n, st->notes->pdata[k]);
        }
        if (st->notes_dropped)
            g_string_append_printf(n, "; and %" G_GUINT64_FORMAT " more", st->notes_dropped);
        cells[13] = (Cell){.type = CELL_TEXT, .text = g_string_chunk_insert(scratch, n->str)};
        g_string_free(n, TRUE);
    }
    if (st->examples->len) {
        GString *n = g_string_new(NULL);
        for (guint k = 0; k < st->examples->len; k++) {
            if (k)
                g_string_append(n, "\n");
            g_string_append(n, st->examples->pdata[k]);
        }
        cells[14] = (Cell){.type = CELL_TEXT, .text = g_string_chunk_insert(scratch, n->str)};
        g_string_free(n, TRUE);
    }
}

Sheet *
report_inputs_sheet(const ReportData *d)
{
    Sheet *sheet = sheet_new("Inputs");
    Table *t = table_new("inputs", NULL, input_cols, G_N_ELEMENTS(input_cols));
    table_set_row_func(t, d->streams ? d->streams->len : 0, input_row, (gpointer)d, NULL);
    sheet_add(sheet, t);
    return sheet;
}

static void
kv(Table *t, const char *what, guint64 v, const char *explain)
{
    table_add_row(t);
    table_set_text(t, 0, what);
    table_set_int(t, 1, (gint64)v);
    table_set_text(t, 2, explain);
}

Sheet *
report_quality_sheet(const ReportData *d)
{
    static const Column cols[] = {
        {"Check", CELL_TEXT, 44, ""},
        {"Count", CELL_INT, 12, ""},
        {"What it means", CELL_TEXT, 90, ""},
    };
    Sheet *sheet = sheet_new("Data quality");
    Table *t = table_new("data-quality", NULL, cols, G_N_ELEMENTS(cols));
    t->key_value = TRUE;
    guint64 unrec_lines = 0, unrec_items = 0, errors = 0, unknown_format = 0;
    for (guint i = 0; d->streams && i < d->streams->len; i++) {
        const InputStream *s = d->streams->pdata[i];
        unrec_lines += s->stats->lines_unrecognised;
        unrec_items += s->stats->items_unrecognised;
        errors += s->stats->errors;
        if (s->parser == NULL && s->stats->lines + s->stats->bytes > 0)
            unknown_format++;
    }
    const CorrelatorStats *cs = correlator_stats(d->corr);
    kv(t, "Unrecognised lines", unrec_lines, "read, not understood (examples: Inputs sheet)");
    kv(t, "Unparsed mailbox items", unrec_items, "mailbox items that could not be read");
    kv(t, "Read errors and damaged files", errors,
       "corrupt archives, truncated compressed files: see Problems on the Inputs sheet");
    kv(t, "Inputs of unknown format", unknown_format, "use --format to name the format");
    kv(t, "Bounces not linked to a sent message", cs->unlinked_bounces,
       "reported on their own rows (outcome from the bounce)");
    kv(t, "Application events not linked", cs->unlinked_app_events,
       "no MTA record with the same Message-ID or queue id");
    kv(t, "Transcripts not linked", cs->unlinked_transcripts,
       "SMTP sessions with no matching MTA attempt");
    kv(t, "Failures with an unknown step", d->agg->unknown_step,
       "neither the text nor the codes say where it failed");
    kv(t, "Recipients without a Message-ID", d->agg->no_message_id,
       "bounces cannot link by Message-ID");
    kv(t, "Recipients without a campaign", d->agg->no_campaign,
       "add a campaign to the application log or an X-Campaign-ID header");
    kv(t, "Inbound rejections (not counted)", cs->inbound_rejections,
       "mail refused by our MTA on the way in (NOQUEUE): not messages we sent");
    kv(t, "Notifications our MTA generated (not counted)", cs->notifications,
       "the DSNs themselves, sent back to the sender");
    kv(t, "Local deliveries (received, not counted)", cs->local_messages,
       "mail our server delivered to its own mailboxes, such as the bounces coming back "
       "(--include-local counts them)");
    kv(t, "Deliveries of notifications and local mail (not counted)",
       d->agg->uncounted_deliveries,
       "deliveries of the messages in the two rows above (pflogsumm counts them as delivered)");
    kv(t, "Internal hops folded (not counted twice)", cs->internal_hops,
       "content-filter re-injections and relays between our own MTAs");
    kv(t, "SMTP commands in transcripts", cs->smtp_commands, "per-command events read");
    for (int m = 1; m < LINK_N; m++) {
        g_autofree char *what = g_strdup_printf("Linked by %s", link_method_to_string((LinkMethod)m));
        table_add_row(t);
        table_set_text(t, 0, what);
        table_set_int(t, 1, (gint64)cs->linked[m]);
        table_set_text(t, 2, "events from other sources joined to a message this way");
    }
    sheet_add(sheet, t);
    return sheet;
}
