/* The sendmail syslog parser: from=/to= lines, DSN generation, rejections, the sample. Lines
 * follow sendmail's logdelivery() field order and the op guide's description of the log. */
#include <string.h>

#include "harness.h"
#include "timeutil.h"

extern const ParserClass sendmail_parser_class;
#define K (&sendmail_parser_class)

static Harness *
run(const char *text)
{
    return harness_run(K, text, strlen(text), 2026);
}

static void
test_from_and_sent(void)
{
    g_autoptr(Harness) h =
        run("Nov 24 11:20:41 legacy1 sm-mta[4874]: 6AOBKfKq004874: from=<carol@northwind.example>, "
            "size=2511, class=0, nrcpts=1, msgid=<6AOBKeKp004871@legacy1.northwind.example>, "
            "proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]\n"
            "Nov 24 11:20:43 legacy1 sm-mta[4876]: 6AOBKfKq004874: to=<jan.novak@partner.example>, "
            "ctladdr=<carol@northwind.example> (1001/1001), delay=00:00:03, xdelay=00:00:02, "
            "mailer=esmtp, pri=122511, relay=mx.partner.example. [198.51.100.60], dsn=2.0.0, "
            "stat=Sent (Ok: queued as 4ZkS0q1bV8z2)\n");
    const Event *q = harness_nth(h, EVENT_KIND_QUEUED, 0);
    g_assert_nonnull(q);
    g_assert_cmpstr(q->queue_id, ==, "6AOBKfKq004874");
    g_assert_cmpstr(q->host, ==, "legacy1");
    g_assert_cmpstr(q->sender, ==, "carol@northwind.example");
    g_assert_cmpstr(q->message_id, ==, "6AOBKeKp004871@legacy1.northwind.example");
    g_assert_cmpint(q->size, ==, 2511);
    g_assert_cmpuint(q->nrcpt, ==, 1);
    g_assert_cmpstr(q->relay, ==, "localhost");
    g_assert_cmpstr(q->relay_ip, ==, "127.0.0.1");
    const Event *d = harness_nth(h, EVENT_KIND_DELIVERED, 0);
    g_assert_nonnull(d);
    g_assert_cmpstr(d->recipient, ==, "jan.novak@partner.example");
    g_assert_cmpstr(d->relay, ==, "mx.partner.example");
    g_assert_cmpstr(d->relay_ip, ==, "198.51.100.60");
    g_assert_cmpstr(d->enhanced, ==, "2.0.0");
    g_assert_cmpstr(d->related_id, ==, "4ZkS0q1bV8z2");
    g_assert_cmpfloat(d->delay, ==, 3.0);
    char buf[32];
    g_assert_cmpstr(time_format(d->time, buf, sizeof buf), ==, "2026-11-24 11:20:43");
}

static void
test_msp_hands_to_mta(void)
{
    g_autoptr(Harness) h =
        run("Nov 24 11:20:40 legacy1 sm-msp-queue[4871]: 6AOBKeKp004871: from=carol, size=2214, "
            "class=0, nrcpts=1, msgid=<6AOBKeKp004871@legacy1.northwind.example>, "
            "relay=carol@localhost\n"
            "Nov 24 11:20:41 legacy1 sm-msp-queue[4871]: 6AOBKeKp004871: to=jan@partner.example, "
            "ctladdr=carol (1001/1001), delay=00:00:01, xdelay=00:00:01, mailer=relay, pri=32214, "
            "relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, stat=Sent (6AOBKfKq004874 Message accepted "
            "for delivery)\n");
    const Event *d = harness_nth(h, EVENT_KIND_DELIVERED, 0);
    g_assert_cmpstr(d->queue_id, ==, "6AOBKeKp004871");
    g_assert_cmpstr(d->related_id, ==, "6AOBKfKq004874");
    g_assert_cmpstr(d->relay_ip, ==, "127.0.0.1");
    g_assert_null(d->relay);
    g_assert_true(d->attempt_flags & EVENT_FLAG_CONTENT_FILTER);
    g_assert_cmpstr(harness_nth(h, EVENT_KIND_QUEUED, 0)->sender, ==, "carol");
}

static void
test_failures_and_deferrals(void)
{
    g_autoptr(Harness) h = run(
        "Nov 24 14:40:06 legacy1 sm-mta[4924]: 6AOEe6Mt004923: to=<einkauf@holzbau.example>, "
        "ctladdr=<carol@northwind.example> (1001/1001), delay=00:00:00, xdelay=00:00:00, "
        "mailer=esmtp, pri=123487, relay=holzbau.example, dsn=5.1.2, stat=Host unknown (Name "
        "server: holzbau.example: host not found)\n"
        "Nov 26 10:02:12 legacy1 sm-mta[5574]: 6AQA2Bab005573: to=<bh@steuer.example>, "
        "delay=1+00:00:01, xdelay=00:00:00, mailer=esmtp, pri=204211, relay=mail.steuer.example., "
        "dsn=4.0.0, stat=Deferred: Connection refused by mail.steuer.example.\n"
        "Nov 26 10:05:00 legacy1 sm-mta[5575]: 6AQA2Bab005574: to=<a@x.example>,<b@x.example>, "
        "delay=00:00:05, xdelay=00:00:04, mailer=esmtp, pri=1, relay=mx.x.example. [192.0.2.77], "
        "dsn=5.1.1, reply=550 5.1.1 <a@x.example>, <b@x.example>: Recipient address rejected: "
        "User unknown, stat=User unknown\n"
        "Nov 26 10:06:00 legacy1 sm-mta[5576]: 6AQA2Bab005575: to=<c@y.example>, delay=00:00:05, "
        "mailer=esmtp, pri=1, relay=mx.y.example. [192.0.2.78], dsn=4.2.2, stat=Deferred: 452 "
        "4.2.2 Mailbox full\n"
        "Nov 26 10:07:00 legacy1 sm-mta[5577]: 6AQA2Bab005576: to=<d@z.example>, delay=00:00:00, "
        "mailer=esmtp, pri=1, stat=queued\n");
    g_assert_cmpuint(harness_count(h, EVENT_KIND_FAILED), ==, 3);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DEFERRED), ==, 2);
    const Event *e = harness_nth(h, EVENT_KIND_FAILED, 0);
    g_assert_cmpstr(e->diagnostic, ==,
                    "Host unknown (Name server: holzbau.example: host not found)");
    g_assert_cmpstr(e->enhanced, ==, "5.1.2");
    g_assert_cmpstr(e->relay, ==, "holzbau.example");
    e = harness_nth(h, EVENT_KIND_DEFERRED, 0);
    g_assert_cmpstr(e->diagnostic, ==, "Deferred: Connection refused by mail.steuer.example.");
    g_assert_cmpfloat(e->delay, ==, 86401.0);
    g_assert_cmpint(e->permanence, ==, PERMANENCE_TEMPORARY);
    /* one event per recipient of the list; reply= is the diagnostic */
    e = harness_nth(h, EVENT_KIND_FAILED, 1);
    g_assert_cmpstr(e->recipient, ==, "a@x.example");
    g_assert_cmpstr(e->diagnostic, ==,
                    "550 5.1.1 <a@x.example>, <b@x.example>: Recipient address rejected: User "
                    "unknown");
    g_assert_cmpstr(e->detail, ==, "User unknown");
    g_assert_cmpuint(e->reply_code, ==, 550);
    g_assert_cmpstr(harness_nth(h, EVENT_KIND_FAILED, 2)->recipient, ==, "b@x.example");
    e = harness_nth(h, EVENT_KIND_DEFERRED, 1);
    g_assert_cmpuint(e->reply_code, ==, 452);
    g_assert_cmpstr(e->enhanced, ==, "4.2.2");
    g_assert_cmpuint(h->stats->lines_used, ==, 5);
}

static void
test_dsn_lines(void)
{
    g_autoptr(Harness) h = run(
        "Nov 24 14:40:06 legacy1 sm-mta[4924]: 6AOEe6Mt004923: 6AOEe6Mu004923: DSN: Host "
        "unknown (Name server: holzbau.example: host not found)\n"
        "Nov 26 14:02:40 legacy1 sm-mta[5630]: 6AQA2Bab005573: 6AQE2exY005631: sender notify: "
        "Warning: could not send message for past 4 hours\n"
        "Nov 27 09:40:19 legacy1 sm-mta[5927]: 6AM9eCFa003391: 6AR9eJHz005927: DSN: Cannot "
        "send message for 5 days\n"
        "Mar  2 09:44:33 old sendmail[311]: KAA01234: KAA01235: return to sender: User unknown\n");
    g_assert_cmpuint(harness_count(h, EVENT_KIND_NOTIFICATION), ==, 4);
    const Event *n = harness_nth(h, EVENT_KIND_NOTIFICATION, 0);
    g_assert_cmpstr(n->queue_id, ==, "6AOEe6Mt004923");
    g_assert_cmpstr(n->related_id, ==, "6AOEe6Mu004923");
    g_assert_cmpstr(n->detail, ==, "DSN");
    g_assert_cmpstr(harness_nth(h, EVENT_KIND_NOTIFICATION, 1)->detail, ==, "sender notify");
    g_assert_cmpstr(harness_nth(h, EVENT_KIND_NOTIFICATION, 3)->detail, ==, "return to sender");
    g_assert_cmpstr(harness_nth(h, EVENT_KIND_NOTIFICATION, 3)->related_id, ==, "KAA01235");
    /* the queue timeout also expires what is still pending */
    g_assert_cmpuint(harness_count(h, EVENT_KIND_EXPIRED), ==, 1);
    const Event *x = harness_nth(h, EVENT_KIND_EXPIRED, 0);
    g_assert_cmpstr(x->queue_id, ==, "6AM9eCFa003391");
    g_assert_null(x->recipient);
}

static void
test_rejections(void)
{
    g_autoptr(Harness) h = run(
        "Nov 27 03:14:55 legacy1 sm-mta[5831]: 6AR3EtZr005831: ruleset=check_rcpt, "
        "arg1=<victim@example.net>, relay=[203.0.113.99], reject=550 5.7.1 <victim@example.net>... "
        "Relaying denied. IP name lookup failed [203.0.113.99]\n"
        "Nov 27 03:15:00 legacy1 sm-mta[5832]: 6AR3F0Zr005832: Milter: data, reject=554 5.7.1 "
        "Rejected by the content filter\n"
        "Nov 27 03:16:00 legacy1 sm-mta[5833]: NOQUEUE: ruleset=check_mail, arg1=<a@bad.example>, "
        "relay=bad.example [203.0.113.7], reject=451 4.1.8 Domain of sender address "
        "a@bad.example does not resolve\n"
        "Nov 27 03:16:01 legacy1 sm-mta[5833]: 6AR3G1Zr005833: <h.meier@northwind.example>... "
        "User unknown\n");
    g_assert_cmpuint(harness_count(h, EVENT_KIND_REJECTED), ==, 3);
    const Event *e = harness_nth(h, EVENT_KIND_REJECTED, 0);
    g_assert_cmpstr(e->recipient, ==, "victim@example.net");
    g_assert_cmpstr(e->relay_ip, ==, "203.0.113.99");
    g_assert_cmpint(e->step, ==, STEP_RCPT_TO);
    g_assert_cmpuint(e->reply_code, ==, 550);
    g_assert_cmpstr(e->enhanced, ==, "5.7.1");
    g_assert_cmpstr(e->detail, ==, "smtp-in");
    e = harness_nth(h, EVENT_KIND_REJECTED, 1);
    g_assert_cmpint(e->step, ==, STEP_END_OF_DATA);
    e = harness_nth(h, EVENT_KIND_REJECTED, 2);
    g_assert_null(e->queue_id);
    g_assert_cmpstr(e->sender, ==, "a@bad.example");
    g_assert_cmpint(e->step, ==, STEP_MAIL_FROM);
    g_assert_cmpint(e->permanence, ==, PERMANENCE_TEMPORARY);
    g_assert_cmpuint(h->stats->lines_used, ==, 4);
}

static void
test_other_programs_and_garbage(void)
{
    g_autoptr(Harness) h = run(
        "Nov 24 09:00:01 legacy1 CRON[3001]: (root) CMD (/usr/lib/sendmail/sendmail-msp-run -q)\n"
        "Nov 24 09:00:02 legacy1 postfix/sendmail[3002]: fatal: not a sendmail line\n"
        "Nov 24 09:00:03 legacy1 sm-mta[612]: starting daemon (8.17.1.9): SMTP+queueing@00:30:00\n"
        "Nov 24 09:00:04 legacy1 sm-mta[613]: STARTTLS=client, relay=mx.example., version=TLSv1.3\n"
        "no syslog line\n"
        "\n");
    g_assert_cmpuint(h->stats->lines_skipped, ==, 3);
    g_assert_cmpuint(h->stats->lines_used, ==, 2);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 1);
    g_assert_cmpuint(event_batch_len(h->batch), ==, 0);
}

static void
test_probe(void)
{
    const char *sm =
        "Nov 24 11:20:41 legacy1 sm-mta[4874]: 6AOBKfKq004874: from=<a@b>, size=1, nrcpts=1\n"
        "Nov 24 11:20:42 legacy1 sm-mta[4874]: 6AOBKfKq004874: to=<c@d>, stat=Sent\n";
    g_assert_cmpuint(K->probe(sm, strlen(sm)), >=, 80);
    const char *pf = "Nov 24 11:20:41 mta1 postfix/sendmail[1]: fatal: x\n";
    g_assert_cmpuint(K->probe(pf, strlen(pf)), ==, 0);
}

static void
test_sample(void)
{
    g_autoptr(Harness) h = harness_run_file(K, "samples/sendmail/legacy1-mail.log", 2026);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 0);
    g_assert_cmpuint(h->stats->lines_skipped, ==, 2);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_NOTIFICATION), ==, 3);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_EXPIRED), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_FAILED), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DEFERRED), ==, 6);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_REJECTED), ==, 1);
    /* the bounce of order 100233 arrives from relay1 */
    gboolean found = FALSE;
    for (guint i = 0; i < event_batch_len(h->batch); i++) {
        const Event *e = event_batch_get(h->batch, i);
        if (e->kind == EVENT_KIND_QUEUED && e->message_id &&
            g_str_equal(e->message_id, "E1xVmPk-000000008Ho-3oqY@shop1.northwind.example"))
            found = TRUE;
    }
    g_assert_true(found);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sendmail/from-and-sent", test_from_and_sent);
    g_test_add_func("/sendmail/msp-hands-to-mta", test_msp_hands_to_mta);
    g_test_add_func("/sendmail/failures-and-deferrals", test_failures_and_deferrals);
    g_test_add_func("/sendmail/dsn", test_dsn_lines);
    g_test_add_func("/sendmail/rejections", test_rejections);
    g_test_add_func("/sendmail/other-programs", test_other_programs_and_garbage);
    g_test_add_func("/sendmail/probe", test_probe);
    g_test_add_func("/sendmail/sample", test_sample);
    return g_test_run();
}
