/* Aggregates over finished timelines: counts by outcome, step x cause, domain, provider,
 * remote server, status code, campaign and day. One pass; reports read these and the
 * timelines, never the inputs. */
#pragma once

#include <glib.h>

#include "correlate.h"
#include "timeline.h"

typedef struct {
    guint64 recipients;         /* counted timelines */
    guint64 outcome[OUTCOME_N];
    guint64 failed_by_step[STEP_N]; /* failed + expired (last step) + bounced after (STEP_ASYNC) */
    guint64 complaints;
    guint64 other_received;
    guint64 attempts;
    guint64 deferrals;          /* deferrals, incl. "not attempted" ones and later delivered */
    double delay_sum;           /* seconds, delivered only */
    guint64 delay_n;
} Counts;

/* Delivery rate: delivered / (recipients minus suppressed and no-result). */
double counts_delivery_rate(const Counts *c);
double counts_failure_rate(const Counts *c);
guint64 counts_failed_total(const Counts *c); /* failed + expired + bounced after */

/* A timeline's place in report order (correlator_counted_timelines): by the time it was first
 * seen, then by a sequence number that follows the order of creation. Rows keep the example
 * that comes first in report order, whatever order the timelines are counted in. */
typedef struct {
    gint64 when;
    guint64 seq;
} AggregateOrder;

typedef struct {
    Step step;
    const char *cause;
    guint64 failed, expired, pending, bounced_after, recovered, suppressed;
    guint64 temporary, permanent;
    guint64 attempts; /* events classified here */
    const TimelineEvent *example;
    const Timeline *example_timeline;
    AggregateOrder example_order;
} StepCauseRow;

/* The compile-step causes, one per phase of building a message (taxonomy.tsv). */
#define AGGREGATE_PHASES 6
extern const char *const aggregate_phases[AGGREGATE_PHASES];

typedef struct {
    const char *name;     /* domain, provider, campaign or relay */
    const char *provider; /* domains: their provider */
    const char *relay;    /* domains: an MX/relay host their mail went to (for the provider):
                             the one of the last timeline in report order that had one */
    AggregateOrder relay_order;
    Counts counts;
    GHashTable *causes;   /* cause -> count (of timelines not delivered) */
    guint64 messages;     /* campaigns: distinct messages */
    guint64 domains;      /* providers: distinct recipient domains */
    guint64 compiled;
    guint64 compile_failed;
    guint64 compile_by_phase[AGGREGATE_PHASES]; /* compile failures by aggregate_phases[] */
    guint64 submitted;
} GroupRow;

typedef struct {
    const char *host;
    const char *ip;
    guint64 attempts, delivered, deferred, failed;
    GHashTable *causes;
    gint64 first, last;
} RelayRow;

typedef struct {
    guint16 reply_code;
    const char *enhanced;
    guint64 events;
    guint64 recipients;
    const TimelineEvent *example;
    const Timeline *example_timeline;
    const Timeline *last_timeline; /* while counting: the last timeline counted */
    AggregateOrder example_order;
    gboolean success;
} CodeRow;

typedef struct {
    gint64 start; /* µs UTC of the day or hour */
    Counts counts;
} PeriodRow;

typedef struct {
    const char *address;
    const char *reason;   /* cause */
    Step step;
    const char *action;   /* suppress / review */
    /* the taxonomy's entry of (step, reason) for a failure (its meaning, for the sheet: looked
     * up once here, not for every row written), NULL for complaints and unsubscriptions */
    const TaxonomyEntry *entry;
    const TimelineEvent *evidence;
    const Timeline *timeline;
    AggregateOrder order; /* of timeline */
    guint64 failures;     /* timelines of this address with this problem */
} SuppressRow;

typedef struct {
    Counts all;
    guint64 messages;     /* counted distinct messages */
    guint64 uncounted_deliveries; /* notifications and local mail delivered (not counted) */
    /* data quality: counted timelines whose message has no Message-ID, no campaign; failures
     * (failed, expired, pending) with a cause but no known step */
    guint64 no_message_id, no_campaign, unknown_step;
    gint64 first, last;   /* µs UTC over all counted timelines */
    GPtrArray *steps;     /* StepCauseRow*, sorted: step order, then count */
    GPtrArray *domains;   /* GroupRow*, by recipients desc */
    GPtrArray *providers; /* GroupRow* */
    GPtrArray *campaigns; /* GroupRow* */
    GPtrArray *relays;    /* RelayRow* */
    GPtrArray *codes;     /* CodeRow* */
    GPtrArray *days;      /* PeriodRow*, in time order */
    GPtrArray *hours;     /* PeriodRow*, only when the period is <= 3 days */
    GPtrArray *suppress;  /* SuppressRow*, by address */
    GPtrArray *timelines; /* counted Timeline*, in report order */
    GHashTable *cause_totals; /* cause -> guint64 (timelines not delivered) */
    GPtrArray *strings;   /* GStringChunk*: the names the rows point to */
} Aggregates;

/* Counts the counted timelines of a finished correlator (on two threads). */
Aggregates *aggregates_build(const Correlator *c);

/* Counting while the correlator finishes the timelines (correlator_finish_visit): a builder
 * per finishing thread takes each counted timeline with its place in report order; the
 * builders are then merged into the aggregates (and freed). */
typedef struct AggregateBuilder AggregateBuilder;
AggregateBuilder *aggregate_builder_new(void);
void aggregate_builder_add(AggregateBuilder *b, const Timeline *t, gint64 when, guint64 seq);
Aggregates *aggregates_from_builders(const Correlator *c, AggregateBuilder *const *builders,
                                     guint n);
void aggregates_free(Aggregates *a);
/* The mailbox provider of a recipient domain given the MX/relay host names seen. */
const char *aggregate_provider(const char *domain, const char *relay_host);
/* The cause counted most in a causes table, or NULL. */
const char *aggregate_top_cause(GHashTable *causes, guint64 *count);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Aggregates, aggregates_free)
