/* Deriving a timeline's outcome, step and cause from its events, and its trail text. */
#include "timeline.h"

#include <string.h>

#include "timeutil.h"

static const char *const outcome_names[OUTCOME_N] = {
    [OUTCOME_DELIVERED] = "delivered",   [OUTCOME_BOUNCED_AFTER] = "bounced-after-acceptance",
    [OUTCOME_FAILED] = "failed",         [OUTCOME_EXPIRED] = "expired",
    [OUTCOME_PENDING] = "pending",       [OUTCOME_SUPPRESSED] = "suppressed",
    [OUTCOME_UNKNOWN] = "no-result",
};

static const char *const outcome_labels[OUTCOME_N] = {
    [OUTCOME_DELIVERED] = "delivered",
    [OUTCOME_BOUNCED_AFTER] = "bounced after acceptance",
    [OUTCOME_FAILED] = "failed",
    [OUTCOME_EXPIRED] = "expired (gave up)",
    [OUTCOME_PENDING] = "pending (still queued)",
    [OUTCOME_SUPPRESSED] = "suppressed (not sent)",
    [OUTCOME_UNKNOWN] = "no result seen",
};

static const char *const link_names[LINK_N] = {
    [LINK_NONE] = "",
    [LINK_QUEUE_ID] = "queue id",
    [LINK_VERP] = "VERP address",
    [LINK_ENVID] = "envelope id",
    [LINK_DSN_QUEUE_ID] = "DSN queue id",
    [LINK_ORCPT] = "original recipient",
    [LINK_MESSAGE_ID] = "Message-ID",
    [LINK_IN_REPLY_TO] = "In-Reply-To",
    [LINK_RECIPIENT_TIME] = "recipient and time",
    [LINK_REMOTE_ID] = "next hop's queue id",
};

const char *
outcome_to_string(Outcome o)
{
    return (unsigned)o < OUTCOME_N ? outcome_names[o] : "";
}

const char *
outcome_label(Outcome o)
{
    return (unsigned)o < OUTCOME_N ? outcome_labels[o] : "";
}

const char *
link_method_to_string(LinkMethod m)
{
    return (unsigned)m < LINK_N ? link_names[m] : "";
}

gboolean
timeline_counted(const Timeline *t)
{
    return !t->message->notification && !t->message->internal && !t->message->local;
}

const char *
timeline_domain(const Timeline *t)
{
    const char *at = t->recipient ? strrchr(t->recipient, '@') : NULL;
    return at ? at + 1 : "";
}

const Classification timeline_no_class;

static void
classify_event(TimelineEvent *te, const char *recipient, Classifier *classifier)
{
    ClassifyInput in = {
        .kind = te->kind,
        .step = te->step_hint,
        .step_confidence = te->step_confidence,
        .reply_code = te->reply_code,
        .enhanced = te->enhanced,
        .text = te->diagnostic,
        .cause_hint = timeline_event_cause_hint(te),
        .vendor_label = timeline_event_vendor_label(te),
        .stable = TRUE, /* the correlator's strings live as long as the run */
        .foreign = te->foreign,
        .recipient = recipient,
    };
    /* the Classification that follows the event (timeline_event_cls()) */
    classifier_classify(classifier, &in, (Classification *)(void *)(te + 1));
}

void
timeline_finish(Timeline *t, Classifier *classifier)
{
    TimelineEvent *last_result = NULL, *last_defer = NULL, *our_bounce = NULL;
    TimelineEvent *foreign_bounce = NULL, *compile_fail = NULL, *suppressed = NULL;
    TimelineEvent *dsn_ok = NULL, *app = NULL, *complaint = NULL;
    t->attempts = 0;
    t->delivered_at = 0;
    for (TimelineEvent *te = t->events; te; te = te->next) {
        if (timeline_kind_classified(te->kind))
            classify_event(te, t->recipient, classifier);
        switch (te->kind) {
        case EVENT_KIND_DELIVERED:
            t->attempts++;
            last_result = te;
            if (t->delivered_at == 0)
                t->delivered_at = te->time;
            break;
        case EVENT_KIND_DEFERRED:
            if (!(te->flags & EVENT_FLAG_NOT_ATTEMPTED))
                t->attempts++;
            last_result = te;
            last_defer = te;
            break;
        case EVENT_KIND_FAILED:
            t->attempts++;
            last_result = te;
            break;
        case EVENT_KIND_EXPIRED:
        case EVENT_KIND_REJECTED:
            last_result = te;
            break;
        case EVENT_KIND_COMPILE_FAILED:
            compile_fail = te;
            break;
        case EVENT_KIND_SUPPRESSED:
            suppressed = te;
            break;
        case EVENT_KIND_BOUNCE:
            if (te->foreign)
                foreign_bounce = te;
            else
                our_bounce = te;
            break;
        case EVENT_KIND_DSN_SUCCESS:
            dsn_ok = te;
            break;
        case EVENT_KIND_COMPILED:
        case EVENT_KIND_SUBMITTED:
            app = te;
            break;
        case EVENT_KIND_COMPLAINT:
            complaint = te;
            break;
        default:
            break;
        }
    }

    memset(&t->cls, 0, sizeof t->cls);
    t->decisive = NULL;
    EventKind last = last_result ? last_result->kind : EVENT_KIND_NONE;
    if (compile_fail && (last_result == NULL || compile_fail->time >= last_result->time)) {
        t->outcome = OUTCOME_FAILED;
        t->decisive = compile_fail;
    } else if (suppressed && last_result == NULL) {
        t->outcome = OUTCOME_SUPPRESSED;
        t->decisive = suppressed;
    } else if (last == EVENT_KIND_DELIVERED) {
        if (foreign_bounce && foreign_bounce->time >= last_result->time) {
            t->outcome = OUTCOME_BOUNCED_AFTER;
            t->decisive = foreign_bounce;
        } else {
            t->outcome = OUTCOME_DELIVERED;
            t->decisive = last_result;
        }
    } else if (last == EVENT_KIND_FAILED || last == EVENT_KIND_REJECTED) {
        t->outcome = OUTCOME_FAILED;
        t->decisive = last_result;
    } else if (last == EVENT_KIND_EXPIRED) {
        t->outcome = OUTCOME_EXPIRED;
        t->decisive = last_defer ? last_defer : last_result;
    } else if (our_bounce || foreign_bounce) {
        /* the log, if any, ends before the failure: the DSN tells it */
        t->outcome = OUTCOME_FAILED;
        t->decisive = our_bounce ? our_bounce : foreign_bounce;
    } else if (last == EVENT_KIND_DEFERRED) {
        t->outcome = OUTCOME_PENDING;
        t->decisive = last_defer;
    } else if (dsn_ok || complaint || t->other_received) {
        t->outcome = OUTCOME_DELIVERED;
        t->decisive = dsn_ok;
    } else if (app && !t->message->queue_id) {
        t->outcome = OUTCOME_UNKNOWN;
    } else {
        t->outcome = OUTCOME_PENDING; /* queued, no attempt logged yet */
    }

    if (t->decisive && timeline_event_cls(t->decisive)->cause)
        t->cls = *timeline_event_cls(t->decisive);
    if (t->outcome == OUTCOME_EXPIRED) {
        t->cls.permanence = PERMANENCE_PERMANENT;
        if (t->decisive == last_result && timeline_event_cls(last_result)->cause == NULL)
            t->cls = *timeline_event_cls(last_result);
    } else if (t->outcome == OUTCOME_BOUNCED_AFTER) {
        t->cls.step = STEP_ASYNC;
    } else if (t->outcome == OUTCOME_FAILED && t->decisive == our_bounce && our_bounce &&
               t->cls.step == STEP_ASYNC) {
        t->cls.step = t->cls.remote_step;
    }
    if (t->outcome == OUTCOME_DELIVERED) {
        t->cls.cause = dsn_ok && last_result == NULL && timeline_event_detail(dsn_ok) ? timeline_event_detail(dsn_ok) : "accepted";
        t->cls.step = STEP_UNKNOWN;
    }
}

/* ---- trail ------------------------------------------------------------------------------ */

static const char *
trail_kind(const TimelineEvent *te)
{
    switch (te->kind) {
    case EVENT_KIND_COMPILED:
        return "compiled";
    case EVENT_KIND_COMPILE_FAILED:
        return "compile failed";
    case EVENT_KIND_SUPPRESSED:
        return "suppressed";
    case EVENT_KIND_SUBMITTED:
        return "submitted";
    case EVENT_KIND_DELIVERED:
        return "delivered";
    case EVENT_KIND_DEFERRED:
        return te->flags & EVENT_FLAG_NOT_ATTEMPTED ? "not attempted" : "deferred";
    case EVENT_KIND_FAILED:
        return "failed";
    case EVENT_KIND_EXPIRED:
        return "expired";
    case EVENT_KIND_REJECTED:
        return "rejected by our MTA";
    case EVENT_KIND_NOTIFICATION:
        return "DSN sent to sender";
    case EVENT_KIND_BOUNCE:
        return te->foreign ? "bounced after acceptance" : "bounce received";
    case EVENT_KIND_DELAY_NOTICE:
        return "delay notice";
    case EVENT_KIND_DSN_SUCCESS:
        return "delivery confirmed";
    case EVENT_KIND_COMPLAINT:
        return "complaint";
    case EVENT_KIND_OTHER_RECEIVED:
        return timeline_event_cause_hint(te) ? timeline_event_cause_hint(te) : "reply";
    default:
        return event_kind_to_string(te->kind);
    }
}

/* The decimal digits of n into buf; returns their number. */
static gsize
uint_digits(guint n, char *buf)
{
    char tmp[16];
    gsize k = 0;
    do {
        tmp[k++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    for (gsize i = 0; i < k; i++)
        buf[i] = tmp[k - 1 - i];
    return k;
}

/* " MM-DD hh:mm" on a new day, else " hh:mm"; nothing for no time. Without printf: the trail is
 * written for every row of the Messages sheet, twice (CSV and XLSX). */
static void
append_time(GString *out, gint64 t, int *last_day)
{
    if (t == 0)
        return;
    char buf[32];
    time_format(t, buf, sizeof buf);
    int day = (int)(t / G_USEC_PER_SEC / 86400);
    /* "2026-11-24 09:01:02" -> "11-24 09:01" or "09:01" */
    if (day != *last_day) {
        g_string_append_c(out, ' ');
        g_string_append_len(out, buf + 5, (gssize)strnlen(buf + 5, 5));
    }
    g_string_append_c(out, ' ');
    g_string_append_len(out, buf + 11, (gssize)strnlen(buf + 11, 5));
    *last_day = day;
}

void
timeline_format_trail(const Timeline *t, GString *out)
{
    int last_day = -1;
    gboolean first = TRUE;
    const Message *m = t->message;
    gboolean queued_shown = !(m->queue_id && m->queued_at);
    for (const TimelineEvent *te = t->events;; ) {
        /* the MTA's queueing, in its place among the events */
        if (!queued_shown && (te == NULL || (te->time && te->time >= m->queued_at))) {
            if (!first)
                g_string_append(out, " → ");
            g_string_append(out, "queued");
            append_time(out, m->queued_at, &last_day);
            first = FALSE;
            queued_shown = TRUE;
        }
        if (te == NULL)
            break;
        /* collapse runs of the same thing */
        const TimelineEvent *run_end = te;
        guint n = 1;
        while (run_end->next && run_end->next->kind == te->kind &&
               timeline_event_cls(run_end->next)->cause == timeline_event_cls(te)->cause &&
               timeline_event_cls(run_end->next)->step == timeline_event_cls(te)->step &&
               (run_end->next->flags & EVENT_FLAG_NOT_ATTEMPTED) ==
                   (te->flags & EVENT_FLAG_NOT_ATTEMPTED) &&
               te->kind != EVENT_KIND_OTHER_RECEIVED) {
            run_end = run_end->next;
            n++;
        }
        if (!first)
            g_string_append(out, " → ");
        first = FALSE;
        g_string_append(out, trail_kind(te));
        const Classification *cls = timeline_event_cls(te);
        if (cls->cause && te->kind != EVENT_KIND_COMPLAINT) {
            Step step = cls->step == STEP_ASYNC ? cls->remote_step : cls->step;
            if (step != STEP_UNKNOWN) {
                g_string_append_c(out, ' ');
                g_string_append(out, step_to_string(step));
            }
            g_string_append(out, " (");
            g_string_append(out, cls->cause);
            g_string_append_c(out, ')');
        } else if (te->kind == EVENT_KIND_COMPLAINT && timeline_event_cause_hint(te)) {
            g_string_append(out, " (");
            g_string_append(out, timeline_event_cause_hint(te));
            g_string_append_c(out, ')');
        }
        if (n > 1) {
            char num[16];
            g_string_append(out, " ×");
            g_string_append_len(out, num, (gssize)uint_digits(n, num));
        }
        append_time(out, te->time, &last_day);
        if (n > 1 && run_end->time && run_end->time != te->time) {
            g_string_append(out, "–");
            /* like append_time(), without the leading space */
            gsize at = out->len;
            append_time(out, run_end->time, &last_day);
            g_string_erase(out, (gssize)at, 1);
        }
        te = run_end->next;
    }
}
