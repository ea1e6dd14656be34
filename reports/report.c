/* Assembling the report from its sheets, and helpers the sheets share. */
#include "report.h"

#include <string.h>

#include "classify.h"

const char *const report_sheet_ids[] = {"summary",  "steps",    "domains", "providers", "servers",
                                        "codes",    "campaigns", "daily",  "messages",  "suppress",
                                        "other",    "inputs",   "quality", NULL};

typedef Sheet *(*SheetBuilder)(const ReportData *d);

static const SheetBuilder builders[] = {
    report_summary_sheet,   report_steps_sheet,    report_domains_sheet, report_providers_sheet,
    report_servers_sheet,   report_codes_sheet,    report_campaigns_sheet, report_daily_sheet,
    report_messages_sheet,  report_suppress_sheet, report_other_sheet,   report_inputs_sheet,
    report_quality_sheet,
};

Report *
report_build(const ReportData *d, const char *const *only, GError **error)
{
    G_STATIC_ASSERT(G_N_ELEMENTS(builders) + 1 == G_N_ELEMENTS(report_sheet_ids));
    if (only) {
        for (int i = 0; only[i]; i++)
            if (!g_strv_contains(report_sheet_ids, only[i])) {
                g_autofree char *known = g_strjoinv(", ", (char **)report_sheet_ids);
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            "unknown sheet '%s' (known: %s)", only[i], known);
                return NULL;
            }
    }
    Report *r = report_new("mailtrail delivery report");
    r->created = d->generated;
    for (gsize i = 0; i < G_N_ELEMENTS(builders); i++) {
        if (only && !g_strv_contains(only, report_sheet_ids[i]))
            continue;
        if (!d->with_messages && strcmp(report_sheet_ids[i], "messages") == 0)
            continue;
        Sheet *s = builders[i](d);
        if (s)
            report_add(r, s);
    }
    return r;
}

const char *
report_stream_name(const ReportData *d, guint32 input)
{
    if (d->streams && input >= 1 && input <= d->streams->len) {
        const InputStream *s = d->streams->pdata[input - 1];
        return s->name;
    }
    return "";
}

const char *
report_source(const ReportData *d, const TimelineEvent *e, GStringChunk *scratch)
{
    if (e == NULL)
        return NULL;
    /* "name:line" or "name item N", put together by hand: one per row of the big sheets */
    const char *name = report_stream_name(d, e->input);
    const char *sep = e->item ? " item " : e->line ? ":" : "";
    guint64 number = e->item ? e->item : e->line;
    char digits[24], *q = digits + sizeof digits;
    if (number)
        for (; number; number /= 10)
            *--q = (char)('0' + number % 10);
    gsize nlen = strlen(name), slen = strlen(sep), dlen = (gsize)(digits + sizeof digits - q);
    char buf[1024];
    /* the name is cut to fit, as g_snprintf would */
    gsize keep = MIN(nlen, sizeof buf - 1);
    memcpy(buf, name, keep);
    gsize rest = MIN(slen + dlen, sizeof buf - 1 - keep);
    memcpy(buf + keep, sep, MIN(slen, rest));
    if (rest > slen)
        memcpy(buf + keep + slen, q, rest - slen);
    return g_string_chunk_insert_len(scratch, buf, (gssize)(keep + rest));
}

const char *
report_step_label(Step step)
{
    switch (step) {
    case STEP_ASYNC:
        return "after acceptance";
    case STEP_UNKNOWN:
        return "unknown";
    default:
        return step_to_string(step);
    }
}

const char *
report_cause_meaning(Step step, const char *cause)
{
    if (cause == NULL)
        return "";
    const TaxonomyEntry *te = taxonomy_lookup(step_to_string(step), cause);
    return te && te->definition ? te->definition : "";
}
