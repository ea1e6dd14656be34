/* The correlator and timelines: joining by queue id (with reuse), expiry, notifications,
 * content-filter hops, local deliveries, linking of bounces, replies, application events and
 * transcripts, VERP forms; and, over the lightmeter scenarios of ../shared/corpus, the outcome
 * each scenario's name describes. Inputs go through the real parsers. */
#include <string.h>

#include "aggregate.h"
#include "classify.h"
#include "correlate.h"
#include "harness.h"

extern const ParserClass postfix_parser_class;
extern const ParserClass mailbox_eml_parser;
extern const ParserClass app_jsonl_parser_class;
extern const ParserClass transcript_parser_class;

typedef struct {
    Correlator *corr;
    Classifier *classifier;
} Run;

static void
run_free(Run *r)
{
    correlator_free(r->corr);
    classifier_free(r->classifier);
    g_free(r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Run, run_free)

/* Feeds each (class, text) pair in order, then links and derives. */
static Run *
run_with(const CorrelatorOptions *options, const ParserClass *const *classes,
         const char *const *texts, guint n)
{
    Run *r = g_new0(Run, 1);
    g_autoptr(GError) error = NULL;
    r->corr = correlator_new(options, &error);
    g_assert_no_error(error);
    r->classifier = classifier_new();
    for (guint i = 0; i < n; i++) {
        g_autoptr(Harness) h = harness_run(classes[i], texts[i], strlen(texts[i]), 2026);
        correlator_consume(r->corr, h->batch);
    }
    correlator_finish(r->corr, r->classifier);
    return r;
}

static Run *
run_postfix(const char *log)
{
    const ParserClass *classes[] = {&postfix_parser_class};
    return run_with(NULL, classes, &log, 1);
}

static guint
counted_messages(Run *r)
{
    const GPtrArray *m = correlator_messages(r->corr);
    guint n = 0;
    for (guint i = 0; i < m->len; i++) {
        const Message *msg = m->pdata[i];
        if (msg->timelines && timeline_counted(msg->timelines))
            n++;
    }
    return n;
}

/* The counted timeline of a recipient (the n-th one, 0-based). */
static const Timeline *
timeline_of(Run *r, const char *recipient, guint nth)
{
    const GPtrArray *m = correlator_messages(r->corr);
    for (guint i = 0; i < m->len; i++)
        for (const Timeline *t = ((Message *)m->pdata[i])->timelines; t; t = t->next)
            if (timeline_counted(t) && g_strcmp0(t->recipient, recipient) == 0 && nth-- == 0)
                return t;
    return NULL;
}

#define LINE(time, prog, text) "2026-11-24T" time "+00:00 mta1 " prog ": " text "\n"

static const char reuse_log[] =
    LINE("09:00:00", "postfix/pickup[1]", "AAAA11111: uid=1000 from=<news@example.com>")
    LINE("09:00:00", "postfix/cleanup[2]", "AAAA11111: message-id=<one@example.com>")
    LINE("09:00:00", "postfix/qmgr[3]", "AAAA11111: from=<news@example.com>, size=100, nrcpt=1 (queue active)")
    LINE("09:00:01", "postfix/smtp[4]", "AAAA11111: to=<a@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as R1)")
    LINE("09:00:01", "postfix/qmgr[3]", "AAAA11111: removed")
    LINE("10:00:00", "postfix/pickup[1]", "AAAA11111: uid=1000 from=<news@example.com>")
    LINE("10:00:00", "postfix/cleanup[2]", "AAAA11111: message-id=<two@example.com>")
    LINE("10:00:00", "postfix/qmgr[3]", "AAAA11111: from=<news@example.com>, size=100, nrcpt=1 (queue active)")
    LINE("10:00:01", "postfix/smtp[4]", "AAAA11111: to=<a@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.net[192.0.2.1] said: 550 5.1.1 <a@example.net>: User unknown (in reply to RCPT TO command))")
    LINE("10:00:01", "postfix/qmgr[3]", "AAAA11111: removed");

static void
test_queue_id_reuse(void)
{
    g_autoptr(Run) r = run_postfix(reuse_log);
    g_assert_cmpuint(counted_messages(r), ==, 2);
    const Timeline *first = timeline_of(r, "a@example.net", 0);
    const Timeline *second = timeline_of(r, "a@example.net", 1);
    g_assert_nonnull(first);
    g_assert_nonnull(second);
    g_assert_cmpstr(first->message->message_id, ==, "one@example.com");
    g_assert_cmpint(first->outcome, ==, OUTCOME_DELIVERED);
    g_assert_cmpstr(second->message->message_id, ==, "two@example.com");
    g_assert_cmpint(second->outcome, ==, OUTCOME_FAILED);
    g_assert_cmpint(second->cls.step, ==, STEP_RCPT_TO);
    g_assert_cmpstr(second->cls.cause, ==, "mailbox-unknown");
    g_assert_cmpint(second->cls.permanence, ==, PERMANENCE_PERMANENT);
}

/* Thousands of queue entries open at once, removed in another order than they came, and every
 * queue id used again later: the correlator's index of open messages (which takes a message out
 * when its entry is removed) must give each line to the right message. */
static void
test_many_open_and_reused(void)
{
    enum { N = 3000, WINDOW = 150 };
    g_autoptr(GString) log = g_string_new(NULL);
    for (int pass = 0; pass < 2; pass++) {
        /* a message i is queued at step i and delivered at step i + WINDOW / 2; every WINDOW
         * steps, the messages queued two windows before are removed, newest first */
        for (int step = 0; step <= N + 2 * WINDOW; step++) {
            int h = 8 + 2 * pass + step / 3600, m = step / 60 % 60, sec = step % 60;
            char when[16];
            g_snprintf(when, sizeof when, "%02d:%02d:%02d", h, m, sec);
            if (step < N)
                g_string_append_printf(log,
                                       "Nov 24 %s mx1 postfix/qmgr[3]: %010X: from=<news@example.com>, "
                                       "size=100, nrcpt=1 (queue active)\n",
                                       when, (guint)step * 7919u + 0x10000u);
            int d = step - WINDOW / 2;
            if (d >= 0 && d < N)
                g_string_append_printf(log,
                                       "Nov 24 %s mx1 postfix/smtp[4]: %010X: to=<r%d-%d@d.example>, "
                                       "relay=mx.d.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, "
                                       "dsn=2.0.0, status=sent (250 2.0.0 Ok)\n",
                                       when, (guint)d * 7919u + 0x10000u, pass, d);
            if (step >= 2 * WINDOW && step % WINDOW == 0)
                for (int k = MIN(step - WINDOW, N) - 1; k >= step - 2 * WINDOW; k--)
                    g_string_append_printf(log, "Nov 24 %s mx1 postfix/qmgr[3]: %010X: removed\n",
                                           when, (guint)k * 7919u + 0x10000u);
        }
    }
    g_autoptr(Run) r = run_postfix(log->str);
    g_assert_cmpuint(counted_messages(r), ==, 2 * N);
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < N; i += 7) {
            g_autofree char *rcpt = g_strdup_printf("r%d-%d@d.example", pass, i);
            g_autofree char *qid = g_strdup_printf("%010X", (guint)i * 7919u + 0x10000u);
            const Timeline *t = timeline_of(r, rcpt, 0);
            g_assert_nonnull(t);
            g_assert_cmpint(t->outcome, ==, OUTCOME_DELIVERED);
            g_assert_cmpstr(t->message->queue_id, ==, qid);
            g_assert_cmpuint(t->message->n_timelines, ==, 1);
            g_assert_true(t->message->closed);
        }
}

/* qmgr's message-level expiry ends only the recipients still deferred; the bounce Postfix then
 * sends is its own queue entry, not a campaign message. */
static const char expiry_log[] =
    LINE("09:00:00", "postfix/qmgr[3]", "BBBB22222: from=<news@example.com>, size=100, nrcpt=2 (queue active)")
    LINE("09:00:01", "postfix/smtp[4]", "BBBB22222: to=<gone@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.net[192.0.2.1] said: 550 5.1.1 unknown (in reply to RCPT TO command))")
    LINE("09:00:02", "postfix/smtp[4]", "BBBB22222: to=<slow@example.org>, relay=none, delay=2, delays=0/0/2/0, dsn=4.4.1, status=deferred (connect to mx.example.org[192.0.2.2]:25: Connection timed out)")
    LINE("09:00:02", "postfix/bounce[5]", "BBBB22222: sender non-delivery notification: CCCC33333")
    LINE("09:00:02", "postfix/qmgr[3]", "CCCC33333: from=<>, size=2000, nrcpt=1 (queue active)")
    LINE("09:00:02", "postfix/local[6]", "CCCC33333: to=<news@example.com>, relay=local, delay=0, delays=0/0/0/0, dsn=2.0.0, status=sent (delivered to mailbox)")
    LINE("09:00:02", "postfix/qmgr[3]", "CCCC33333: removed")
    LINE("14:00:02", "postfix/qmgr[3]", "BBBB22222: from=<news@example.com>, status=expired, returned to sender");

static void
test_expiry_and_notification(void)
{
    g_autoptr(Run) r = run_postfix(expiry_log);
    g_assert_cmpuint(counted_messages(r), ==, 1);
    const Timeline *gone = timeline_of(r, "gone@example.net", 0);
    const Timeline *slow = timeline_of(r, "slow@example.org", 0);
    g_assert_cmpint(gone->outcome, ==, OUTCOME_FAILED);
    g_assert_cmpint(slow->outcome, ==, OUTCOME_EXPIRED);
    /* expired: the step and cause of the last attempt */
    g_assert_cmpint(slow->cls.step, ==, STEP_CONNECT);
    g_assert_cmpstr(slow->cls.cause, ==, "connection-timeout");
    g_assert_cmpint(slow->cls.permanence, ==, PERMANENCE_PERMANENT);
    g_assert_null(timeline_of(r, "news@example.com", 0)); /* the DSN is not counted */
    g_assert_cmpuint(correlator_stats(r->corr)->notifications, ==, 1);
}

/* A content filter (amavis) re-queues the message: one message, counted once, with the
 * continuation's delivery. */
static const char filter_log[] =
    LINE("09:00:00", "postfix/cleanup[2]", "DDDD44444: message-id=<f@example.com>")
    LINE("09:00:00", "postfix/qmgr[3]", "DDDD44444: from=<news@example.com>, size=100, nrcpt=1 (queue active)")
    LINE("09:00:01", "postfix/smtp[4]", "DDDD44444: to=<b@example.net>, relay=127.0.0.1[127.0.0.1]:10024, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as EEEE55555)")
    LINE("09:00:01", "postfix/qmgr[3]", "DDDD44444: removed")
    LINE("09:00:01", "postfix/cleanup[2]", "EEEE55555: message-id=<f@example.com>")
    LINE("09:00:01", "postfix/qmgr[3]", "EEEE55555: from=<news@example.com>, size=200, nrcpt=1 (queue active)")
    LINE("09:00:03", "postfix/smtp[4]", "EEEE55555: to=<b@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=2, delays=0/0/1/1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as R2)")
    LINE("09:00:03", "postfix/qmgr[3]", "EEEE55555: removed");

static void
test_content_filter_hop(void)
{
    g_autoptr(Run) r = run_postfix(filter_log);
    g_assert_cmpuint(counted_messages(r), ==, 1);
    const Timeline *t = timeline_of(r, "b@example.net", 0);
    g_assert_cmpstr(t->message->queue_id, ==, "EEEE55555");
    g_assert_cmpint(t->outcome, ==, OUTCOME_DELIVERED);
    g_assert_cmpuint(correlator_stats(r->corr)->internal_hops, ==, 1);
}

/* A "queued as" id that is one of our queue ids, but of a message queued long before the
 * delivery, is not a hop: both messages are counted. */
static const char not_a_hop_log[] =
    LINE("08:50:00", "postfix/qmgr[3]", "EEEE55555: from=<news@example.com>, size=200, nrcpt=1 (queue active)")
    LINE("08:50:01", "postfix/smtp[4]", "EEEE55555: to=<c@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as R3)")
    LINE("08:50:01", "postfix/qmgr[3]", "EEEE55555: removed")
    LINE("09:00:00", "postfix/qmgr[3]", "DDDD44444: from=<news@example.com>, size=100, nrcpt=1 (queue active)")
    LINE("09:00:01", "postfix/smtp[4]", "DDDD44444: to=<b@example.net>, relay=mx.example.org[192.0.2.7]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as EEEE55555)")
    LINE("09:00:01", "postfix/qmgr[3]", "DDDD44444: removed");

static void
test_not_a_hop(void)
{
    g_autoptr(Run) r = run_postfix(not_a_hop_log);
    g_assert_cmpuint(counted_messages(r), ==, 2);
    g_assert_cmpuint(correlator_stats(r->corr)->internal_hops, ==, 0);
    g_assert_nonnull(timeline_of(r, "b@example.net", 0));
    g_assert_nonnull(timeline_of(r, "c@example.net", 0));
}

/* Mail our server only delivered to its own mailboxes was received, not sent. */
static const char local_log[] =
    LINE("09:00:00", "postfix/qmgr[3]", "FFFF66666: from=<someone@example.org>, size=100, nrcpt=1 (queue active)")
    LINE("09:00:01", "postfix/lmtp[7]", "FFFF66666: to=<bounces@example.com>, relay=imap1[192.0.2.9]:24, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Saved)")
    LINE("09:00:01", "postfix/qmgr[3]", "FFFF66666: removed");

static void
test_local_deliveries(void)
{
    g_autoptr(Run) r = run_postfix(local_log);
    g_assert_cmpuint(counted_messages(r), ==, 0);
    g_assert_cmpuint(correlator_stats(r->corr)->local_messages, ==, 1);
    CorrelatorOptions o = {.include_local = TRUE};
    const ParserClass *classes[] = {&postfix_parser_class};
    const char *texts[] = {local_log};
    g_autoptr(Run) r2 = run_with(&o, classes, texts, 1);
    g_assert_cmpuint(counted_messages(r2), ==, 1);
}

static void
test_verp(void)
{
    g_autoptr(GError) error = NULL;
    const char *mine[] = {"^b-(?<token>[0-9a-f]+)@", NULL};
    CorrelatorOptions o = {.verp_patterns = mine};
    g_autoptr(Correlator) c = correlator_new(&o, &error);
    g_assert_no_error(error);
    char *rcpt, *token;
    g_assert_true(correlator_decode_verp(c, "bounces+Anna.Schmidt=Gmail.com@news.example.com",
                                         &rcpt, &token));
    g_assert_cmpstr(rcpt, ==, "anna.schmidt@gmail.com");
    g_assert_null(token);
    g_free(rcpt);
    g_assert_true(correlator_decode_verp(c, "bounces-ws26.0042-x@news.example.com", &rcpt, &token));
    g_assert_cmpstr(token, ==, "ws26.0042");
    g_free(token);
    g_assert_true(correlator_decode_verp(c, "b-00ff12@bounce.example.com", &rcpt, &token));
    g_assert_cmpstr(token, ==, "00ff12");
    g_free(token);
    g_assert_false(correlator_decode_verp(c, "postmaster@example.com", &rcpt, &token));

    const char *bad[] = {"(unclosed", NULL};
    CorrelatorOptions ob = {.verp_patterns = bad};
    g_assert_null(correlator_new(&ob, &error));
    g_assert_error(error, CORRELATE_ERROR, CORRELATE_ERROR_VERP);
    g_clear_error(&error);
    const char *nogroup[] = {"^x-(.*)@", NULL};
    CorrelatorOptions on = {.verp_patterns = nogroup};
    g_assert_null(correlator_new(&on, &error));
    g_assert_nonnull(strstr(error->message, "named group"));
}

/* A DSN from the receiving side, days after its 250: bounced after acceptance. */
#define DSN(to, orcpt, final, status, diag)                                                        \
    "From: MAILER-DAEMON@mx.example.net\n"                                                         \
    "To: " to "\n"                                                                                 \
    "Subject: Undelivered Mail Returned to Sender\n"                                               \
    "Date: Fri, 27 Nov 2026 10:00:00 +0000\n"                                                      \
    "MIME-Version: 1.0\n"                                                                          \
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"              \
    "--B\nContent-Type: text/plain\n\nNot delivered.\n\n"                                          \
    "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"         \
    "Original-Recipient: rfc822; " orcpt "\nFinal-Recipient: rfc822; " final                      \
    "\nAction: failed\nStatus: " status "\nDiagnostic-Code: smtp; " diag "\n\n"                    \
    "--B\nContent-Type: text/rfc822-headers\n\nMessage-ID: <one@example.com>\n"                    \
    "Subject: Winter sale\n\n--B--\n"

static void
test_bounce_after_acceptance(void)
{
    const ParserClass *classes[] = {&postfix_parser_class, &mailbox_eml_parser};
    const char *texts[] = {
        reuse_log,
        DSN("bounces+a=example.net@news.example.com", "a@example.net", "a@example.net",
            "5.2.2", "552 5.2.2 mailbox over quota"),
    };
    g_autoptr(Run) r = run_with(NULL, classes, texts, 2);
    const Timeline *t = timeline_of(r, "a@example.net", 0);
    g_assert_cmpint(t->outcome, ==, OUTCOME_BOUNCED_AFTER);
    g_assert_cmpint(t->cls.step, ==, STEP_ASYNC);
    g_assert_cmpstr(t->cls.cause, ==, "mailbox-full");
    g_assert_true(t->link_methods & (1u << LINK_VERP));
    /* the second message to the same address is untouched */
    g_assert_cmpint(timeline_of(r, "a@example.net", 1)->outcome, ==, OUTCOME_FAILED);
}

static void
test_forwarding_failure(void)
{
    const ParserClass *classes[] = {&postfix_parser_class, &mailbox_eml_parser};
    const char *texts[] = {
        reuse_log,
        DSN("news@example.com", "a@example.net", "a@elsewhere.example", "5.1.1",
            "550 5.1.1 user unknown"),
    };
    g_autoptr(Run) r = run_with(NULL, classes, texts, 2);
    const Timeline *t = timeline_of(r, "a@example.net", 0);
    g_assert_cmpint(t->outcome, ==, OUTCOME_BOUNCED_AFTER);
    g_assert_cmpstr(t->cls.cause, ==, "forwarding-failure");
}

/* A bounce that matches nothing is still reported, on a message of its own. */
static void
test_unlinked_bounce(void)
{
    const ParserClass *classes[] = {&mailbox_eml_parser};
    const char *texts[] = {DSN("news@example.com", "x@nowhere.example", "x@nowhere.example",
                               "5.1.1", "550 5.1.1 no such user")};
    g_autoptr(Run) r = run_with(NULL, classes, texts, 1);
    const Timeline *t = timeline_of(r, "x@nowhere.example", 0);
    g_assert_nonnull(t);
    g_assert_cmpint(t->outcome, ==, OUTCOME_FAILED);
    g_assert_cmpstr(t->cls.cause, ==, "mailbox-unknown");
    g_assert_cmpuint(correlator_stats(r->corr)->unlinked_bounces, ==, 1);
}

/* An out-of-office reply finds its message by In-Reply-To and is listed, not counted as a
 * bounce. */
static const char autoreply[] = "From: Anna <a@example.net>\n"
                                "To: news@example.com\n"
                                "Subject: Out of Office: Winter sale\n"
                                "Date: Tue, 24 Nov 2026 09:30:00 +0000\n"
                                "Auto-Submitted: auto-replied\n"
                                "In-Reply-To: <one@example.com>\n\n"
                                "I am away until Monday.\n";

static void
test_auto_reply(void)
{
    const ParserClass *classes[] = {&postfix_parser_class, &mailbox_eml_parser};
    const char *texts[] = {reuse_log, autoreply};
    g_autoptr(Run) r = run_with(NULL, classes, texts, 2);
    const Timeline *t = timeline_of(r, "a@example.net", 0);
    g_assert_cmpint(t->outcome, ==, OUTCOME_DELIVERED);
    g_assert_true(t->other_received);
    const GArray *other = correlator_other_items(r->corr);
    g_assert_cmpuint(other->len, ==, 1);
    const OtherItem *it = &g_array_index(other, OtherItem, 0);
    g_assert_cmpstr(it->subtype, ==, "auto-reply");
    g_assert_true(it->linked == t);
}

/* The timelines are finished and gathered in the scan's walk when nothing from other sources
 * is left to link, after the linking otherwise: both ways, on two threads, give the same
 * counted timelines in the same order and the same counts (hops and local mail included). */
static Run *
run_two_threads(const char *log, const char *mailbox)
{
    Run *r = g_new0(Run, 1);
    r->corr = correlator_new(NULL, NULL);
    r->classifier = classifier_new();
    g_autoptr(Classifier) second = classifier_new();
    g_autoptr(Harness) h = harness_run(&postfix_parser_class, log, strlen(log), 2026);
    correlator_consume(r->corr, h->batch);
    if (mailbox) {
        g_autoptr(Harness) m = harness_run(&mailbox_eml_parser, mailbox, strlen(mailbox), 2026);
        correlator_consume(r->corr, m->batch);
    }
    Classifier *both[] = {r->classifier, second};
    correlator_finish_parallel(r->corr, both, 2);
    return r;
}

static void
test_finish_paths_agree(void)
{
    g_autofree char *log = g_strconcat(reuse_log, filter_log, local_log, NULL);
    g_autoptr(Run) plain = run_two_threads(log, NULL);
    g_autoptr(Run) linked = run_two_threads(log, autoreply);
    guint64 m1 = 0, m2 = 0, u1 = 0, u2 = 0;
    const GPtrArray *a = correlator_counted_timelines(plain->corr, &m1, &u1);
    const GPtrArray *b = correlator_counted_timelines(linked->corr, &m2, &u2);
    g_assert_cmpuint(a->len, ==, b->len);
    g_assert_cmpuint(a->len, >=, 3);
    for (guint i = 0; i < a->len; i++) {
        const Timeline *x = a->pdata[i], *y = b->pdata[i];
        g_assert_cmpstr(x->recipient, ==, y->recipient);
        g_assert_cmpstr(x->message->queue_id, ==, y->message->queue_id);
        g_assert_cmpint(x->outcome, ==, y->outcome);
        if (i + 1 < a->len)
            g_assert_cmpint(x->first_seen, <=, ((const Timeline *)a->pdata[i + 1])->first_seen);
    }
    g_assert_cmpuint(m1, ==, m2);
    g_assert_cmpuint(u1, ==, u2);
    g_assert_cmpuint(u1, ==, 1); /* the local delivery */
    g_assert_cmpuint(correlator_stats(plain->corr)->internal_hops, ==, 1);
    g_assert_cmpuint(correlator_stats(linked->corr)->internal_hops, ==, 1);
    g_assert_cmpuint(correlator_stats(plain->corr)->local_messages, ==, 1);
    /* the hop's first message is not among them, its continuation is */
    for (guint i = 0; i < a->len; i++)
        g_assert_cmpstr(((const Timeline *)a->pdata[i])->message->queue_id, !=, "DDDD44444");
}

/* Report order: by the time each recipient was first seen, then in the order the log showed
 * them; messages are first attempted a varying time after they were queued, so that order
 * differs from the order of creation (sorted on two threads). */
static void
test_report_order(void)
{
    enum { N = 2000, SPREAD = 500 };
    g_autoptr(GString) log = g_string_new(NULL);
    for (int t = 0; t < N + SPREAD; t++) {
        char when[16];
        g_snprintf(when, sizeof when, "%02d:%02d:%02d", 8 + t / 3600, t / 60 % 60, t % 60);
        if (t < N)
            g_string_append_printf(log,
                                   "Nov 24 %s mx1 postfix/qmgr[3]: %010X: from=<news@example.com>, "
                                   "size=100, nrcpt=%d (queue active)\n",
                                   when, (guint)t + 0x10000u, t % 5 == 0 ? 2 : 1);
        for (int i = MAX(0, t - SPREAD); i <= t && i < N; i++) {
            if (i + i * 37 % SPREAD != t)
                continue;
            for (int r = 0; r < (i % 5 == 0 ? 2 : 1); r++)
                g_string_append_printf(log,
                                       "Nov 24 %s mx1 postfix/smtp[4]: %010X: to=<r%d-%d@d.example>, "
                                       "relay=mx.d.example[192.0.2.1]:25, delay=1, "
                                       "delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok)\n",
                                       when, (guint)i + 0x10000u, i, r);
        }
    }
    g_autoptr(Run) run = run_two_threads(log->str, NULL);
    guint64 messages = 0;
    const GPtrArray *order = correlator_counted_timelines(run->corr, &messages, NULL);
    g_assert_cmpuint(messages, ==, N);
    g_assert_cmpuint(order->len, ==, N + N / 5);
    /* expected: by (first attempt, message, recipient) */
    guint k = 0;
    for (int t = 0; t < N + SPREAD; t++)
        for (int i = 0; i < N; i++) {
            if (i + i * 37 % SPREAD != t)
                continue;
            for (int r = 0; r < (i % 5 == 0 ? 2 : 1); r++) {
                g_autofree char *rcpt = g_strdup_printf("r%d-%d@d.example", i, r);
                const Timeline *tl = order->pdata[k++];
                g_assert_cmpstr(tl->recipient, ==, rcpt);
            }
        }
    g_assert_cmpuint(k, ==, order->len);
}

/* Counting the timelines while they are finished (on the finishing threads, in no particular
 * order) gives the same aggregates as counting them afterwards in report order: the same
 * totals and rows, and the same examples (the first in report order), suppress rows (the
 * first "suppress" timeline of an address, else the first "review" one) and domain relays
 * (the last). */
static void
visit_builder(gpointer data, const Timeline *t, gint64 when, guint64 seq)
{
    aggregate_builder_add(data, t, when, seq);
}

/* The same event: the same one, or of two correlators, the one of the same line. */
static void
assert_same_example(const TimelineEvent *a, const TimelineEvent *b)
{
    g_assert_true((a == NULL) == (b == NULL));
    if (a != NULL) {
        g_assert_cmpuint(a->line, ==, b->line);
        g_assert_cmpuint(a->kind, ==, b->kind);
    }
}

/* The aggregates counted by visiting the timelines while they are finished, by a correlator
 * made with options. */
static Aggregates *
count_while_finishing(Correlator *corr, const char *log, const char *mailbox)
{
    g_autoptr(Classifier) first = classifier_new();
    g_autoptr(Classifier) second = classifier_new();
    g_autoptr(Harness) h = harness_run(&postfix_parser_class, log, strlen(log), 2026);
    correlator_consume(corr, h->batch);
    if (mailbox) {
        g_autoptr(Harness) m = harness_run(&mailbox_eml_parser, mailbox, strlen(mailbox), 2026);
        correlator_consume(corr, m->batch);
    }
    Classifier *both[] = {first, second};
    AggregateBuilder *builders[] = {aggregate_builder_new(), aggregate_builder_new()};
    correlator_finish_visit(corr, both, 2, visit_builder, (gpointer const *)builders);
    return aggregates_from_builders(corr, builders, 2);
}

static void assert_same_aggregates(const Aggregates *during, const Aggregates *after);

static void
check_counting_while_finishing(const char *log, const char *mailbox)
{
    g_autoptr(Run) r = g_new0(Run, 1);
    r->corr = correlator_new(NULL, NULL);
    r->classifier = classifier_new();
    g_autoptr(Aggregates) during = count_while_finishing(r->corr, log, mailbox);
    g_autoptr(Aggregates) after = aggregates_build(r->corr);
    assert_same_aggregates(during, after);
    g_assert_cmpuint(after->timelines->len, ==, after->all.recipients);
    /* without the list of timelines (a report without the per-message sheet): the same */
    CorrelatorOptions unlisted = {.unlisted = TRUE};
    g_autoptr(Correlator) u = correlator_new(&unlisted, NULL);
    g_autoptr(Aggregates) counted = count_while_finishing(u, log, mailbox);
    assert_same_aggregates(counted, after);
    g_assert_cmpuint(counted->timelines->len, ==, 0);
    g_assert_cmpuint(counted->messages, ==, after->messages);
    g_assert_cmpuint(counted->uncounted_deliveries, ==, after->uncounted_deliveries);
    g_assert_cmpuint(correlator_stats(u)->internal_hops, ==,
                     correlator_stats(r->corr)->internal_hops);
}

static void
assert_same_aggregates(const Aggregates *during, const Aggregates *after)
{
    g_assert_cmpmem(&during->all, sizeof during->all, &after->all, sizeof after->all);
    g_assert_cmpint(during->first, ==, after->first);
    g_assert_cmpint(during->last, ==, after->last);
    g_assert_cmpuint(during->all.recipients, >, 100);
    g_assert_cmpuint(during->steps->len, ==, after->steps->len);
    g_assert_cmpuint(during->steps->len, >=, 3);
    for (guint i = 0; i < during->steps->len; i++) {
        const StepCauseRow *x = during->steps->pdata[i], *y = after->steps->pdata[i];
        g_assert_cmpstr(x->cause, ==, y->cause);
        g_assert_cmpuint(x->failed + x->recovered + x->attempts, ==,
                         y->failed + y->recovered + y->attempts);
        assert_same_example(x->example, y->example);
    }
    g_assert_cmpuint(during->codes->len, ==, after->codes->len);
    for (guint i = 0; i < during->codes->len; i++) {
        const CodeRow *x = during->codes->pdata[i], *y = after->codes->pdata[i];
        g_assert_cmpuint(x->events, ==, y->events);
        g_assert_cmpuint(x->recipients, ==, y->recipients);
        assert_same_example(x->example, y->example);
    }
    g_assert_cmpuint(during->domains->len, ==, after->domains->len);
    for (guint i = 0; i < during->domains->len; i++) {
        const GroupRow *x = during->domains->pdata[i], *y = after->domains->pdata[i];
        g_assert_cmpstr(x->name, ==, y->name);
        g_assert_cmpstr(x->relay, ==, y->relay);
        g_assert_cmpstr(x->provider, ==, y->provider);
        g_assert_cmpuint(x->counts.recipients, ==, y->counts.recipients);
    }
    g_assert_cmpuint(during->suppress->len, ==, after->suppress->len);
    g_assert_cmpuint(during->suppress->len, >, 10);
    for (guint i = 0; i < during->suppress->len; i++) {
        const SuppressRow *x = during->suppress->pdata[i], *y = after->suppress->pdata[i];
        g_assert_cmpstr(x->address, ==, y->address);
        g_assert_cmpstr(x->action, ==, y->action);
        g_assert_cmpstr(x->reason, ==, y->reason);
        g_assert_cmpstr(x->timeline->recipient, ==, y->timeline->recipient);
        g_assert_cmpstr(x->timeline->message->key, ==, y->timeline->message->key);
        assert_same_example(x->timeline->events, y->timeline->events);
        g_assert_cmpuint(x->failures, ==, y->failures);
    }
}

static void
test_counting_while_finishing(void)
{
    /* 1500 messages to 60 addresses at four domains, each domain's mail going to a different
     * MX as time goes on; unknown users (suppress), full mailboxes (review: suppressed after
     * three), deferrals later delivered; first attempts a varying time after queueing */
    enum { N = 1500, SPREAD = 300 };
    static const char *const domains[] = {"a.example", "b.example", "c.example", "d.example"};
    g_autoptr(GString) log = g_string_new(NULL);
    for (int t = 0; t < N + SPREAD; t++) {
        char when[16];
        g_snprintf(when, sizeof when, "%02d:%02d:%02d", 8 + t / 3600, t / 60 % 60, t % 60);
        if (t < N)
            g_string_append_printf(log,
                                   "Nov 24 %s mx1 postfix/qmgr[3]: %010X: from=<news@example.com>, "
                                   "size=100, nrcpt=1 (queue active)\n",
                                   when, (guint)t + 0x10000u);
        for (int i = MAX(0, t - SPREAD); i <= t && i < N; i++) {
            int first = i + i * 37 % SPREAD;
            const char *dom = domains[i % 4];
            int kind = i % 7, mx = i / 400;
            if (t != first && !(kind == 2 && t == first + 60))
                continue;
            g_autofree char *what = NULL;
            if (kind == 0)
                what = g_strdup_printf("dsn=5.1.1, status=bounced (host mx%d.%s[192.0.2.1] said: "
                                       "550 5.1.1 User unknown (in reply to RCPT TO command))",
                                       mx, dom);
            else if (kind == 1)
                what = g_strdup_printf("dsn=5.2.2, status=bounced (host mx%d.%s[192.0.2.1] said: "
                                       "552 5.2.2 Mailbox full (in reply to RCPT TO command))",
                                       mx, dom);
            else if (kind == 2 && t == first)
                what = g_strdup_printf("dsn=4.0.0, status=deferred (host mx%d.%s[192.0.2.1] said: "
                                       "451 4.7.1 Try again later (in reply to RCPT TO command))",
                                       mx, dom);
            else if (i % 50 == 10 && first < N && first != i)
                /* handed to a filter on this host that queued it as the message queued at
                 * that moment: a hop */
                what = g_strdup_printf("dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as %010X)",
                                       (guint)first + 0x10000u);
            else
                what = g_strdup_printf("dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as R%d%s)",
                                       i, dom);
            g_string_append_printf(log,
                                   "Nov 24 %s mx1 postfix/smtp[4]: %010X: to=<u%d@%s>, "
                                   "relay=mx%d.%s[192.0.2.1]:25, delay=1, delays=0/0/0/1, %s\n",
                                   when, (guint)i + 0x10000u, i % 15, dom, mx, dom, what);
        }
    }
    check_counting_while_finishing(log->str, NULL);
    /* the hops were seen */
    {
        g_autoptr(Run) r = run_postfix(log->str);
        g_assert_cmpuint(correlator_stats(r->corr)->internal_hops, >=, 10);
    }
    /* with a mailbox item to link, the timelines are finished after the linking */
    check_counting_while_finishing(log->str, autoreply);
}

/* Application events: a compile failure never reaches the MTA; two recipients of one
 * Message-ID stay two timelines; a submitted message joins its MTA record. */
static const char app_log[] =
    "{\"time\":\"2026-11-24T08:59:59Z\",\"campaign\":\"ws26\",\"message_id\":\"<one@example.com>\","
    "\"recipient\":\"a@example.net\",\"event\":\"submitted\",\"queue_id\":\"AAAA11111\"}\n"
    "{\"time\":\"2026-11-24T09:00:00Z\",\"campaign\":\"ws26\",\"message_id\":\"<x@example.com>\","
    "\"recipient\":\"c@example.net\",\"event\":\"compile_failed\",\"phase\":\"personalization\","
    "\"detail\":\"missing field first_name\"}\n"
    "{\"time\":\"2026-11-24T09:00:00Z\",\"campaign\":\"orders\",\"message_id\":\"<o@example.com>\","
    "\"recipient\":\"d1@example.net\",\"event\":\"compiled\"}\n"
    "{\"time\":\"2026-11-24T09:00:00Z\",\"campaign\":\"orders\",\"message_id\":\"<o@example.com>\","
    "\"recipient\":\"d2@example.net\",\"event\":\"compiled\"}\n";

static void
test_application_events(void)
{
    const ParserClass *classes[] = {&app_jsonl_parser_class, &postfix_parser_class};
    const char *texts[] = {app_log, reuse_log};
    g_autoptr(Run) r = run_with(NULL, classes, texts, 2);
    const Timeline *a = timeline_of(r, "a@example.net", 0);
    g_assert_cmpstr(a->message->campaign, ==, "ws26");
    g_assert_cmpint(a->outcome, ==, OUTCOME_DELIVERED);
    const Timeline *c = timeline_of(r, "c@example.net", 0);
    g_assert_cmpint(c->outcome, ==, OUTCOME_FAILED);
    g_assert_cmpint(c->cls.step, ==, STEP_COMPILE);
    g_assert_cmpstr(c->cls.cause, ==, "personalization-error");
    const Timeline *d1 = timeline_of(r, "d1@example.net", 0);
    const Timeline *d2 = timeline_of(r, "d2@example.net", 0);
    g_assert_nonnull(d1);
    g_assert_nonnull(d2);
    g_assert_true(d1 != d2);
    g_assert_true(d1->message == d2->message);
    g_assert_cmpint(d1->outcome, ==, OUTCOME_UNKNOWN);
    g_autoptr(GString) trail = g_string_new(NULL);
    timeline_format_trail(a, trail);
    /* the application's submission comes before the MTA's queueing in the trail */
    g_assert_true(strstr(trail->str, "submitted") < strstr(trail->str, "queued"));
}

/* A transcript names the command that failed; it joins the MTA's attempt by the recipient and
 * time and gives it the exact step. */
static const char deferred_log[] =
    LINE("09:00:00", "postfix/qmgr[3]", "ABCD77777: from=<news@example.com>, size=100, nrcpt=1 (queue active)")
    LINE("09:00:01", "postfix/smtp[4]", "ABCD77777: to=<g@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=4.0.0, status=deferred (host mx.example.net[192.0.2.1] said: 451 try again later)");

static const char transcript[] = "S: 220 mx.example.net ESMTP\n"
                                 "C: EHLO mta1.example.com\n"
                                 "S: 250 mx.example.net\n"
                                 "C: MAIL FROM:<news@example.com>\n"
                                 "S: 250 OK\n"
                                 "C: RCPT TO:<g@example.net>\n"
                                 "S: 451 4.7.1 greylisted, try again later\n"
                                 "C: QUIT\n"
                                 "S: 221 bye\n";

static void
test_transcript_gives_step(void)
{
    const ParserClass *classes[] = {&postfix_parser_class, &transcript_parser_class};
    const char *texts[] = {deferred_log, transcript};
    g_autoptr(Run) r = run_with(NULL, classes, texts, 2);
    const Timeline *t = timeline_of(r, "g@example.net", 0);
    g_assert_cmpint(t->outcome, ==, OUTCOME_PENDING);
    g_assert_cmpint(t->cls.step, ==, STEP_RCPT_TO);
    g_assert_cmpint(t->cls.confidence, ==, CONFIDENCE_EXPLICIT);
    g_assert_null(timeline_of(r, "g@example.net", 1)); /* joined, not a second row */
    g_assert_cmpuint(correlator_stats(r->corr)->unlinked_transcripts, ==, 0);
    g_assert_true(t->link_methods & (1u << LINK_RECIPIENT_TIME));
}

/* ---- the lightmeter scenarios, outcome by outcome ---- */

typedef struct {
    guint messages;
    guint outcome[OUTCOME_N];
    guint max_recipients;
    guint recovered; /* delivered after a deferral */
} Tally;

static Tally
tally(Run *r)
{
    Tally y = {0};
    const GPtrArray *m = correlator_messages(r->corr);
    for (guint i = 0; i < m->len; i++) {
        const Message *msg = m->pdata[i];
        if (msg->timelines == NULL || !timeline_counted(msg->timelines))
            continue;
        y.messages++;
        guint n = 0;
        for (const Timeline *t = msg->timelines; t; t = t->next) {
            n++;
            y.outcome[t->outcome]++;
            gboolean deferred = FALSE;
            for (const TimelineEvent *e = t->events; e; e = e->next)
                deferred |= e->kind == EVENT_KIND_DEFERRED;
            if (deferred && t->outcome == OUTCOME_DELIVERED)
                y.recovered++;
        }
        y.max_recipients = MAX(y.max_recipients, n);
    }
    return y;
}

static void
test_lightmeter_outcomes(void)
{
    g_autofree char *dir = harness_source_path("../shared/corpus/logs/lightmeter-scenarios");
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_test_skip("../shared/corpus/logs/lightmeter-scenarios is absent: corpus test skipped");
        return;
    }
    /* name -> what its outcome must show */
    static const struct {
        const char *file;
        guint delivered, failed, expired, pending, recovered, messages, max_recipients;
    } expect[] = {
        /* ~0 means "at least one" ("more than one recipient" for max_recipients); 0 means "any
         * number"; other numbers are exact */
        {"1_bounce_simple.log", 0, ~0u, 0, 0, 0, 0, 0},
        {"2_multiple_recipients_some_bounces.log", ~0u, ~0u, 0, 0, 0, 0, ~0u},
        {"6_deferred_message_retry.log", ~0u, 0, 0, 0, ~0u, 0, 0},
        {"11_single_successful_delivery.log", 1, 0, 0, 0, 0, 1, 0},
        {"14_reuse_of_queueid.log", ~0u, 0, 0, 0, 0, 0, 0},
        {"18_expired.log", 0, 0, ~0u, 0, 0, 0, 0},
        {"26_two_recipients.log", 2, 0, 0, 0, 0, 1, 2},
    };
    g_autoptr(GString) failures = g_string_new(NULL);
    for (gsize k = 0; k < G_N_ELEMENTS(expect); k++) {
        g_autofree char *path = g_build_filename(dir, expect[k].file, NULL);
        g_autofree char *text = NULL;
        if (!g_file_get_contents(path, &text, NULL, NULL)) {
            g_string_append_printf(failures, "%s: missing; ", expect[k].file);
            continue;
        }
        CorrelatorOptions o = {.include_local = TRUE};
        const ParserClass *classes[] = {&postfix_parser_class};
        const char *texts[] = {text};
        g_autoptr(Run) r = run_with(&o, classes, texts, 1);
        Tally y = tally(r);
        g_test_message("%s: %u messages, delivered %u, failed %u, expired %u, pending %u, "
                       "recovered %u",
                       expect[k].file, y.messages, y.outcome[OUTCOME_DELIVERED],
                       y.outcome[OUTCOME_FAILED], y.outcome[OUTCOME_EXPIRED],
                       y.outcome[OUTCOME_PENDING], y.recovered);
#define CHECK(field, got)                                                                          \
    do {                                                                                           \
        guint want_ = expect[k].field;                                                             \
        if (want_ == ~0u ? (got) == 0 : (want_ != 0 && (got) != want_))                            \
            g_string_append_printf(failures, "%s: %s %u; ", expect[k].file, #field, (guint)(got)); \
    } while (0)
        CHECK(delivered, y.outcome[OUTCOME_DELIVERED]);
        CHECK(failed, y.outcome[OUTCOME_FAILED]);
        CHECK(expired, y.outcome[OUTCOME_EXPIRED]);
        CHECK(pending, y.outcome[OUTCOME_PENDING]);
        CHECK(recovered, y.recovered);
        CHECK(messages, y.messages);
        CHECK(max_recipients, y.max_recipients > 1 ? y.max_recipients : 0u);
#undef CHECK
        if (g_str_has_prefix(expect[k].file, "14_")) {
            /* the queue id used twice is two messages */
            guint n = 0;
            const GPtrArray *m = correlator_messages(r->corr);
            for (guint i = 0; i < m->len; i++)
                n += g_strcmp0(((Message *)m->pdata[i])->queue_id, "BABABABABA") == 0;
            if (n != 2)
                g_string_append_printf(failures, "%s: BABABABABA is %u messages; ",
                                       expect[k].file, n);
        }
    }
    if (failures->len)
        g_test_message("%s", failures->str);
    g_assert_cmpuint(failures->len, ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/correlate/queue-id-reuse", test_queue_id_reuse);
    g_test_add_func("/correlate/many-open-and-reused", test_many_open_and_reused);
    g_test_add_func("/correlate/expiry-and-notification", test_expiry_and_notification);
    g_test_add_func("/correlate/content-filter-hop", test_content_filter_hop);
    g_test_add_func("/correlate/not-a-hop", test_not_a_hop);
    g_test_add_func("/correlate/local-deliveries", test_local_deliveries);
    g_test_add_func("/correlate/verp", test_verp);
    g_test_add_func("/correlate/bounce-after-acceptance", test_bounce_after_acceptance);
    g_test_add_func("/correlate/forwarding-failure", test_forwarding_failure);
    g_test_add_func("/correlate/unlinked-bounce", test_unlinked_bounce);
    g_test_add_func("/correlate/auto-reply", test_auto_reply);
    g_test_add_func("/correlate/finish-paths-agree", test_finish_paths_agree);
    g_test_add_func("/correlate/report-order", test_report_order);
    g_test_add_func("/correlate/counting-while-finishing", test_counting_while_finishing);
    g_test_add_func("/correlate/application-events", test_application_events);
    g_test_add_func("/correlate/transcript-gives-step", test_transcript_gives_step);
    g_test_add_func("/correlate/lightmeter-outcomes", test_lightmeter_outcomes);
    return g_test_run();
}
