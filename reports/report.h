/* Building the report (sheets of tables) from the analysis; one file per sheet. */
#pragma once

#include <glib.h>

#include "aggregate.h"
#include "correlate.h"
#include "input.h"
#include "table.h"

typedef struct {
    const Aggregates *agg;
    const Correlator *corr;
    const GPtrArray *streams; /* InputStream*, by id */
    gint64 generated;         /* µs UTC: SOURCE_DATE_EPOCH or the end of the data */
    gboolean with_messages;   /* the per-message rows */
} ReportData;

/* Sheet ids, for --sheets: summary, steps, domains, providers, servers, codes, campaigns,
 * daily, messages, suppress, other, inputs, quality. */
extern const char *const report_sheet_ids[];

/* All sheets, or those named in only (NULL = all). Unknown names give an error. */
Report *report_build(const ReportData *d, const char *const *only, GError **error);

Sheet *report_summary_sheet(const ReportData *d);
Sheet *report_steps_sheet(const ReportData *d);
Sheet *report_domains_sheet(const ReportData *d);
Sheet *report_providers_sheet(const ReportData *d);
Sheet *report_servers_sheet(const ReportData *d);
Sheet *report_codes_sheet(const ReportData *d);
Sheet *report_campaigns_sheet(const ReportData *d);
Sheet *report_daily_sheet(const ReportData *d);
Sheet *report_messages_sheet(const ReportData *d);
Sheet *report_suppress_sheet(const ReportData *d);
Sheet *report_other_sheet(const ReportData *d);
Sheet *report_inputs_sheet(const ReportData *d);
Sheet *report_quality_sheet(const ReportData *d);

/* Shared helpers. */
const char *report_stream_name(const ReportData *d, guint32 input);
/* "file:line" or "file item N" of an event, into scratch. */
const char *report_source(const ReportData *d, const TimelineEvent *e, GStringChunk *scratch);
/* The step name a report shows ("after acceptance" for STEP_ASYNC). */
const char *report_step_label(Step step);
/* Plain meaning of (step, cause) from the taxonomy, or "". */
const char *report_cause_meaning(Step step, const char *cause);
