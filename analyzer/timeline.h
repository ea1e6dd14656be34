/* Timelines: every event of one message to one recipient, in time order, with the derived
 * outcome, step, cause and permanence. Built by the Correlator from event batches. */
#pragma once

#include <glib.h>

#include "classify.h"
#include "event.h"

typedef enum {
    OUTCOME_DELIVERED = 0,
    OUTCOME_BOUNCED_AFTER, /* accepted, then a bounce came back */
    OUTCOME_FAILED,        /* permanent failure while compiling or sending */
    OUTCOME_EXPIRED,       /* gave up after the retry window */
    OUTCOME_PENDING,       /* deferred or queued: no final result yet */
    OUTCOME_SUPPRESSED,    /* not sent: on a suppression list */
    OUTCOME_UNKNOWN,       /* compiled/submitted, no MTA record of it */
    OUTCOME_N
} Outcome;

const char *outcome_to_string(Outcome o);
/* Words for the report ("bounced after acceptance"). */
const char *outcome_label(Outcome o);

/* How an event from another source was joined to the timeline. */
typedef enum {
    LINK_NONE = 0,
    LINK_QUEUE_ID,   /* same MTA queue id (log events of the message itself) */
    LINK_VERP,
    LINK_ENVID,
    LINK_DSN_QUEUE_ID, /* X-Postfix-Queue-ID / Final-Log-ID with our Reporting-MTA */
    LINK_ORCPT,
    LINK_MESSAGE_ID,
    LINK_IN_REPLY_TO,
    LINK_RECIPIENT_TIME, /* recipient within a time window */
    LINK_REMOTE_ID,      /* the next hop's "queued as" id (transcripts) */
    LINK_N
} LinkMethod;

const char *link_method_to_string(LinkMethod m);

/* Fields most events do not have, kept apart to keep TimelineEvent small. */
typedef struct {
    const char *vendor_label, *cause_hint, *detail, *reporting_mta;
} TimelineExtra;

typedef struct TimelineEvent TimelineEvent;
struct TimelineEvent {
    TimelineEvent *next;
    gint64 time;
    guint64 line;
    guint32 input;
    guint32 item;
    guint16 reply_code;
    guint16 flags;
    guint8 kind;            /* EventKind */
    guint8 step_hint;       /* Step */
    guint8 step_confidence; /* Confidence */
    guint8 link;            /* LinkMethod */
    guint8 foreign;         /* bounce from a Reporting-MTA that is not ours */
    guint32 remote_hash;    /* string_pool_hash() of remote_id (in what would be padding) */
    const char *enhanced, *diagnostic, *relay, *relay_ip;
    const char *remote_id; /* deliveries: the next hop's id from "250 ... queued as X" */
    const TimelineExtra *extra; /* NULL when none of its fields is known */
    /* the events of the kinds timeline_kind_classified() names are followed in memory by
     * their Classification (timeline_event_cls()): most events, deliveries, need none */
};

/* Whether events of this kind get a classification (failures, deferrals, bounces ...). */
static inline gboolean
timeline_kind_classified(guint kind)
{
    switch (kind) {
    case EVENT_KIND_DEFERRED:
    case EVENT_KIND_FAILED:
    case EVENT_KIND_EXPIRED:
    case EVENT_KIND_REJECTED:
    case EVENT_KIND_BOUNCE:
    case EVENT_KIND_DELAY_NOTICE:
    case EVENT_KIND_COMPILE_FAILED:
    case EVENT_KIND_SUPPRESSED:
    case EVENT_KIND_COMPLAINT:
        return TRUE;
    default:
        return FALSE;
    }
}

/* A classification with no cause: what events of other kinds have. */
extern const Classification timeline_no_class;

/* The event's classification (set by timeline_finish()); for events that get none, one with no
 * cause. */
static inline const Classification *
timeline_event_cls(const TimelineEvent *te)
{
    return timeline_kind_classified(te->kind) ? (const Classification *)(const void *)(te + 1)
                                              : &timeline_no_class;
}

static inline const char *
timeline_event_cause_hint(const TimelineEvent *te)
{
    return te->extra ? te->extra->cause_hint : NULL;
}

static inline const char *
timeline_event_vendor_label(const TimelineEvent *te)
{
    return te->extra ? te->extra->vendor_label : NULL;
}

static inline const char *
timeline_event_detail(const TimelineEvent *te)
{
    return te->extra ? te->extra->detail : NULL;
}

static inline const char *
timeline_event_reporting_mta(const TimelineEvent *te)
{
    return te->extra ? te->extra->reporting_mta : NULL;
}

typedef struct Message Message;
typedef struct Timeline Timeline;

struct Timeline {
    Timeline *next;  /* next recipient of the same message */
    Timeline *next_same_recipient; /* link-phase index chain */
    Message *message;
    const char *recipient;
    const char *orig_recipient;
    TimelineEvent *events; /* in time order */
    TimelineEvent *last_event;
    /* derived by timeline_finish() */
    Classification cls; /* step/cause of the outcome (failure, expiry, deferral, bounce) */
    const TimelineEvent *decisive; /* the event that decided the outcome */
    const char *complaint_type;
    gint64 first_seen, last_seen, delivered_at;
    guint32 attempts;
    guint16 link_methods; /* bit set of LinkMethod */
    guint8 outcome;       /* Outcome */
    guint8 final_seen : 1; /* the MTA logged a final result (delivered, failed, expired) */
    guint8 complaint : 1;
    guint8 other_received : 1; /* an auto-reply or other item was linked */
};

struct Message {
    Message *next_same_key; /* other messages with the same (host, queue id) over time */
    const char *key;        /* the correlator's key: queue id, else Message-ID, ENVID ... */
    const char *host;
    const char *queue_id;
    const char *message_id;
    const char *sender;
    const char *campaign;
    const char *envid;
    gint64 queued_at;
    gint64 size;
    guint32 nrcpt;
    guint32 key_hash;      /* string_pool_hash() of key */
    guint n_timelines;
    /* flags as bytes: millions of messages */
    guint8 closed;       /* the queue entry was removed */
    guint8 notification; /* a DSN our MTA generated (null sender): not a campaign message */
    guint8 internal;     /* an internal hop (content filter) whose continuation is counted */
    guint8 local;        /* only delivered to local mailboxes of our own server: mail we
                            received (e.g. for the bounce address), not mail we sent */
    Timeline *timelines;
    Timeline *last_timeline;
};

/* Items from the bounce mailbox that are not bounces (auto-replies, complaints, human
 * replies...), for the "Other received" sheet. */
typedef struct {
    gint64 time;
    const char *from;
    const char *subject;
    const char *subtype; /* auto-reply, challenge-response, complaint, human-reply ... */
    const char *recipient;
    Timeline *linked;
    LinkMethod link;
    guint32 input;
    guint32 item; /* mailbox item, or 0 for a log line */
    guint64 line;
} OtherItem;

/* Computes outcome, classification, attempts and times of a timeline. */
void timeline_finish(Timeline *t, Classifier *classifier);
/* "deferred connect 11-24 09:01 → delivered 09:31" into out (appends). */
void timeline_format_trail(const Timeline *t, GString *out);
/* Recipient domain (lowercase, interned by the caller's pool or static ""). */
const char *timeline_domain(const Timeline *t);
/* Is this timeline counted in the report (not a notification or internal hop)? */
gboolean timeline_counted(const Timeline *t);
