/* The event model: one normalised fact from one input line or mailbox item.
 * Parsers fill an Event on the stack with strings that point into their own line buffer and
 * hand it to event_batch_add(), which copies the strings into the batch's arena. */
#pragma once

#include <glib.h>

/* Where in the sending process something happened. The SMTP steps are in protocol order. */
typedef enum {
    STEP_UNKNOWN = 0,
    STEP_COMPILE,     /* the sending application built the message */
    STEP_RESOLVE,     /* DNS MX/A lookup */
    STEP_CONNECT,     /* TCP connect */
    STEP_GREETING,    /* 220/554 banner */
    STEP_HELO,        /* EHLO/HELO (and AUTH) */
    STEP_TLS,         /* STARTTLS and the handshake */
    STEP_MAIL_FROM,   /* MAIL FROM */
    STEP_RCPT_TO,     /* RCPT TO */
    STEP_DATA,        /* DATA command, before 354 */
    STEP_END_OF_DATA, /* the final dot */
    STEP_QUIT,        /* QUIT/RSET after the message was accepted */
    STEP_ASYNC,       /* after acceptance: a bounce (DSN) came back later */
    STEP_N
} Step;

typedef enum {
    PERMANENCE_UNKNOWN = 0,
    PERMANENCE_TEMPORARY,
    PERMANENCE_PERMANENT,
} Permanence;

/* How sure we are of the step. */
typedef enum {
    CONFIDENCE_UNKNOWN = 0,
    CONFIDENCE_INFERRED_CODE, /* from the reply or enhanced code alone */
    CONFIDENCE_INFERRED_TEXT, /* from a phrase that usually, not always, means this step */
    CONFIDENCE_EXPLICIT,      /* the input names the step (structured field or fixed phrase) */
} Confidence;

typedef enum {
    EVENT_KIND_NONE = 0,
    /* the sending application (compile step) */
    EVENT_KIND_COMPILED,       /* message built */
    EVENT_KIND_COMPILE_FAILED, /* could not be built: ends at step compile */
    EVENT_KIND_SUPPRESSED,     /* not sent: address on a suppression list */
    EVENT_KIND_SUBMITTED,      /* handed to the MTA (queue_id when known) */
    /* the MTA */
    EVENT_KIND_QUEUED,        /* accepted into the queue; any of message_id, sender, size, nrcpt */
    EVENT_KIND_REJECTED,      /* refused by our own MTA before sending (milter, header_checks) */
    EVENT_KIND_DELIVERED,     /* remote said 250 to end of data (or local delivery) */
    EVENT_KIND_DEFERRED,      /* temporary failure, will retry */
    EVENT_KIND_FAILED,        /* permanent failure: our MTA gives up on this recipient */
    EVENT_KIND_EXPIRED,       /* our MTA gave up after the retry window */
    EVENT_KIND_NOTIFICATION,  /* our MTA generated a DSN for queue_id; its own id is related_id */
    EVENT_KIND_MESSAGE_END,   /* the queue entry is gone (Postfix removed, Exim Completed) */
    EVENT_KIND_SMTP_COMMAND,  /* one command/reply of a session transcript (detail = command) */
    /* the bounce mailbox */
    EVENT_KIND_BOUNCE,        /* DSN or NDR: delivery failed (Action: failed) */
    EVENT_KIND_DELAY_NOTICE,  /* DSN Action: delayed (a warning, not a failure) */
    EVENT_KIND_DSN_SUCCESS,   /* DSN Action: delivered / relayed / expanded */
    EVENT_KIND_COMPLAINT,     /* feedback-loop report (ARF); cause_hint = feedback type */
    EVENT_KIND_OTHER_RECEIVED, /* auto-reply, challenge, human reply ...; cause_hint = sub-type */
    EVENT_KIND_N
} EventKind;

typedef struct {
    gint64 time;  /* µs since the Unix epoch, UTC; 0 = unknown */
    guint32 input; /* stream id (InputStream) */
    guint32 item;  /* mailbox item number, 1-based; 0 for line formats */
    guint64 line;  /* line number in the stream, 1-based; 0 = unknown */

    EventKind kind;
    Step step;             /* step hint from structured input; STEP_UNKNOWN if none */
    Confidence step_confidence;
    Permanence permanence; /* hint; the event kind usually decides */
    guint16 reply_code;    /* SMTP basic reply code, 0 = none */
    guint16 attempt_flags; /* EVENT_FLAG_* */

    /* keys that identify the message (any may be NULL) */
    const char *host;     /* logging host / MTA instance: the scope of queue ids */
    const char *queue_id;
    const char *related_id; /* another queue id: DSN's new id, "queued as" at the next hop,
                               Exim R= parent id */
    const char *message_id; /* without angle brackets */
    const char *sender;     /* envelope sender, "" for the null sender */
    const char *recipient;  /* final envelope recipient */
    const char *orig_recipient;
    const char *envid;
    const char *campaign;
    const char *verp; /* token recovered from a VERP bounce address */
    const char *in_reply_to;

    /* what happened */
    const char *enhanced;     /* RFC 3463 "5.1.1", or NULL */
    const char *diagnostic;   /* reply or diagnostic text, as written */
    const char *relay;        /* remote host name */
    const char *relay_ip;
    const char *reporting_mta;
    const char *vendor_label; /* the peer's own category (bounceCat, bounce_classification) */
    const char *cause_hint;   /* a cause from taxonomy.tsv when the input states it */
    const char *subject;
    const char *from_header;
    const char *detail; /* free text: compile phase, SMTP command, how a bounce was decoded */

    gint64 size;   /* bytes, -1 unknown */
    guint32 nrcpt; /* 0 unknown */
    gdouble delay; /* seconds, < 0 unknown */
} Event;

enum {
    EVENT_FLAG_NOT_ATTEMPTED = 1 << 0,  /* "delivery temporarily suspended" */
    EVENT_FLAG_MAY_DUPLICATE = 1 << 1,  /* lost after the dot: may be sent twice */
    EVENT_FLAG_LOCAL = 1 << 2,          /* delivered locally (local, virtual, pipe, lmtp) */
    EVENT_FLAG_CONTENT_FILTER = 1 << 3, /* handed to a content filter that re-queues */
    EVENT_FLAG_NULL_SENDER = 1 << 4,    /* message from <> (a notification) */
    EVENT_FLAG_TRANSCRIPT = 1 << 5,     /* observed in an SMTP session transcript: the analyzer
                                           joins it to the MTA's own record of the attempt */
};

/* Keys when the format has no queue id: put the best per-message id of the format (PowerMTA
 * envId/jobId, MailerQ id) into queue_id; without any, the analyzer keys by Message-ID, then
 * ENVID, then recipient. When adding a string field, add it to event_batch_add() and
 * event_batch_add_copy() too. */

/* Initialise an Event to "nothing known". */
static inline void
event_init(Event *ev)
{
    /* in line: parsers call it for every line, and the compiler clears the struct with a few
     * stores instead of a call to memset */
    *ev = (Event){.size = -1, .delay = -1.0};
}

const char *step_to_string(Step step);
/* Parses the names of step_to_string() and a few aliases; STEP_UNKNOWN if unknown. */
Step step_from_string(const char *s);
const char *permanence_to_string(Permanence p);
const char *event_kind_to_string(EventKind kind);

/* A batch of events from one input stream, with the strings they point to. Parsers add to
 * it; the correlator consumes it and the batch is reset. */
typedef struct EventBatch EventBatch;

EventBatch *event_batch_new(void);
void event_batch_free(EventBatch *batch);
/* Copies ev and every string it points to; the copies of addresses are lower case without
 * angle brackets, of Message-IDs without angle brackets. */
void event_batch_add(EventBatch *batch, const Event *ev);
/* Copies an event of another batch as it is (its strings are clean and normalised already),
 * stamped with stream id input. */
void event_batch_add_copy(EventBatch *batch, const Event *ev, guint32 input);
guint event_batch_len(const EventBatch *batch);
/* The events, for the one that consumes the batch: it may change them (their string fields)
 * until it clears the batch. */
Event *event_batch_events(EventBatch *batch);
const Event *event_batch_get(const EventBatch *batch, guint i);
void event_batch_clear(EventBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(EventBatch, event_batch_free)
