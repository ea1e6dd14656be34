/* The correlator: joins events from every input into messages and timelines.
 * MTA events are joined as they arrive (by host and queue id, in log order, so that a reused
 * queue id starts a new message after "removed"); events from other sources (application log,
 * transcripts, bounce mailbox) are kept and linked once all inputs are read, so that the order
 * in which files are given does not matter. */
#pragma once

#include <glib.h>

#include "classify.h"
#include "event.h"
#include "timeline.h"

typedef struct {
    /* our own MTA host names (--our-mta), in addition to the hosts seen in MTA logs */
    const char *const *our_mtas;
    /* extra VERP patterns (--verp): GRegex syntax with a named group "recipient", or "local"
     * and "domain", or "token" */
    const char *const *verp_patterns;
    /* count messages delivered only to local mailboxes (--include-local) */
    gboolean include_local;
    /* how far apart a bounce and the message it is about may be (µs) */
    gint64 link_window;
    /* the counted timelines are only shown to correlator_finish_visit()'s visit, not listed:
     * correlator_counted_timelines() is empty (a report without the per-message sheet) */
    gboolean unlisted;
} CorrelatorOptions;

typedef struct {
    guint64 events;
    guint64 inbound_rejections; /* NOQUEUE rejects of mail coming in: not our messages */
    guint64 notifications;      /* DSNs our MTA generated */
    guint64 internal_hops;      /* content-filter or relay hops folded into their message */
    guint64 local_messages;     /* delivered only to local mailboxes: received, not sent */
    guint64 smtp_commands;      /* transcript commands seen */
    guint64 linked[LINK_N];     /* linked events by method */
    guint64 unlinked_bounces;
    guint64 unlinked_app_events;
    guint64 unlinked_transcripts;
} CorrelatorStats;

typedef struct Correlator Correlator;

#define CORRELATE_ERROR (correlate_error_quark())
GQuark correlate_error_quark(void);
typedef enum {
    CORRELATE_ERROR_VERP, /* a --verp pattern does not compile or has no usable group */
} CorrelateError;

Correlator *correlator_new(const CorrelatorOptions *options, GError **error);
void correlator_free(Correlator *c);
/* Takes the events of a batch (strings are copied; the batch can be cleared afterwards, and
 * must be: its events are changed in place). */
void correlator_consume(Correlator *c, EventBatch *batch);
/* Links the kept events, classifies and derives every timeline. Call once, at the end. */
void correlator_finish(Correlator *c, Classifier *classifier);
/* The same, deriving the timelines on n threads, each with a classifier of its own (built
 * with the same rules). */
void correlator_finish_parallel(Correlator *c, Classifier *const *classifiers, guint n);
/* The same, showing each counted timeline to visit as soon as it is finished, while it is in
 * the cache: finishing thread k calls visit(data[k], t, when, seq), where (when, seq) orders
 * the timelines as correlator_counted_timelines() does. Timelines come in no particular
 * order, each exactly once; the calls of a thread follow one another, those of different
 * threads run at the same time. */
typedef void (*CorrelatorVisit)(gpointer data, const Timeline *t, gint64 when, guint64 seq);
void correlator_finish_visit(Correlator *c, Classifier *const *classifiers, guint n,
                             CorrelatorVisit visit, gpointer const *data);

/* After finish: every message in the order first seen. */
const GPtrArray *correlator_messages(const Correlator *c);
/* After finish: the timelines of the messages a report counts (not the notifications our
 * MTA generated, internal hops or local mail), in report order: by the time each was first
 * seen, then in order of creation (none with CorrelatorOptions.unlisted). Sets the number of
 * those messages and the deliveries of the ones not counted. */
const GPtrArray *correlator_counted_timelines(const Correlator *c, guint64 *messages,
                                              guint64 *uncounted_deliveries);
/* Items for the "Other received" sheet, in time order. */
const GArray *correlator_other_items(const Correlator *c);
const CorrelatorStats *correlator_stats(const Correlator *c);
/* Decodes a VERP bounce address with the built-in and configured patterns. Sets recipient or
 * token (newly allocated), returns FALSE if no pattern matched. */
gboolean correlator_decode_verp(const Correlator *c, const char *address, char **recipient,
                                char **token);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Correlator, correlator_free)
