/* The OpenSMTPD syslog parser: the 6.x "brief" log (smtp/mta/mda events), the older
 * "relay:/delivery: <result> for <evpid>:" lines, rejections and the sample. */
#include <string.h>

#include "harness.h"
#include "timeutil.h"

extern const ParserClass opensmtpd_parser_class;
#define K (&opensmtpd_parser_class)

static Harness *
run(const char *text)
{
    return harness_run(K, text, strlen(text), 2026);
}

static void
test_session_and_delivery(void)
{
    g_autoptr(Harness) h = run(
        "Jul  6 06:01:46 ams-1 smtpd[75295]: 5df87c9c42abeddb smtp connected address=127.0.0.1 "
        "host=localhost\n"
        "Jul  6 06:01:46 ams-1 smtpd[75295]: 5df87c9c42abeddb smtp message msgid=f6e94209 "
        "size=802 nrcpt=1 proto=ESMTP\n"
        "Jul  6 06:01:46 ams-1 smtpd[75295]: 5df87c9c42abeddb smtp envelope "
        "evpid=f6e94209918f7e7b from=<gilles@poolp.example> to=<g.c@gmail.com>\n"
        "Jul  6 06:01:46 ams-1 smtpd[75295]: 5df87c9ffd0e785d mta connecting "
        "address=smtp://173.194.76.27:25 host=ws-in-f27.1e100.net\n"
        "Jul  6 06:01:48 ams-1 smtpd[75295]: 5df87c9ffd0e785d mta delivery evpid=f6e94209918f7e7b "
        "from=<gilles@poolp.example> to=<g.c@gmail.com> rcpt=<-> source=\"212.83.129.132\" "
        "relay=\"173.194.76.27 (ws-in-f27.1e100.net)\" delay=1h2m3s result=\"Ok\" stat=\"250 "
        "2.0.0 OK  1562385708 z11si6726563wmb.62 - gsmtp\"\n"
        "Jul  6 06:01:58 ams-1 smtpd[75295]: 5df87c9ffd0e785d mta disconnected reason=quit "
        "messages=1\n");
    g_assert_cmpuint(h->stats->lines_used, ==, 6);
    const Event *q = harness_nth(h, EVENT_KIND_QUEUED, 0);
    g_assert_cmpstr(q->queue_id, ==, "f6e94209");
    g_assert_cmpint(q->size, ==, 802);
    g_assert_cmpuint(q->nrcpt, ==, 1);
    g_assert_cmpstr(q->detail, ==, "ESMTP");
    const Event *d = harness_nth(h, EVENT_KIND_DELIVERED, 0);
    g_assert_cmpstr(d->queue_id, ==, "f6e94209");
    g_assert_cmpstr(d->host, ==, "ams-1");
    g_assert_cmpstr(d->sender, ==, "gilles@poolp.example");
    g_assert_cmpstr(d->recipient, ==, "g.c@gmail.com");
    g_assert_null(d->orig_recipient);
    g_assert_cmpstr(d->relay, ==, "ws-in-f27.1e100.net");
    g_assert_cmpstr(d->relay_ip, ==, "173.194.76.27");
    g_assert_cmpfloat(d->delay, ==, 3723.0);
    g_assert_cmpuint(d->reply_code, ==, 250);
    g_assert_cmpstr(d->enhanced, ==, "2.0.0");
    g_assert_null(d->related_id);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DELIVERED), ==, 1);
}

static void
test_results(void)
{
    g_autoptr(Harness) h =
        run("2026-11-25T09:10:04.100000+01:00 relay1 smtpd[2804]: 0123456789abcdef mta delivery "
            "evpid=7c1e0a42d5e6f7a8 from=<info@supplier.example> to=<h.meier@northwind.example> "
            "rcpt=<-> source=\"192.0.2.50\" relay=\"192.0.2.30 (legacy1.northwind.example)\" "
            "delay=1s result=\"PermFail\" stat=\"550 5.1.1 <h.meier@northwind.example>... User "
            "unknown\"\n"
            "2026-11-25T09:10:04.200000+01:00 relay1 smtpd[2804]: 0123456789abcdef mta delivery "
            "evpid=7c1e0a42a3f1b9c0 from=<info@supplier.example> to=<carol@northwind.example> "
            "rcpt=<c@northwind.example> source=\"192.0.2.50\" relay=\"192.0.2.30 "
            "(legacy1.northwind.example)\" delay=1s result=\"Ok\" stat=\"250 2.0.0 6AP9A4Qw005197 "
            "Message accepted for delivery\"\n"
            "2026-11-26T22:12:31.000000+01:00 relay1 smtpd[2804]: 1123456789abcdef mta error "
            "reason=IO Error: Connection refused\n"
            "2026-11-26T22:12:31.100000+01:00 relay1 smtpd[2804]: 1123456789abcdef mta delivery "
            "evpid=c41b7e0911112222 from=<info@supplier.example> to=<carol@northwind.example> "
            "rcpt=<-> source=\"192.0.2.50\" relay=\"192.0.2.30 (legacy1.northwind.example)\" "
            "delay=1s result=\"TempFail\" stat=\"Network error on destination MXs\"\n"
            "2026-11-26T22:13:00.000000+01:00 relay1 smtpd[2804]: 2123456789abcdef mda delivery "
            "evpid=c41b7e0933334444 from=<> to=<root@relay1.northwind.example> "
            "rcpt=<postmaster@northwind.example> user=root delay=0s result=Ok stat=Delivered\n");
    const Event *f = harness_nth(h, EVENT_KIND_FAILED, 0);
    g_assert_nonnull(f);
    g_assert_cmpstr(f->queue_id, ==, "7c1e0a42");
    g_assert_cmpstr(f->recipient, ==, "h.meier@northwind.example");
    g_assert_cmpuint(f->reply_code, ==, 550);
    g_assert_cmpstr(f->enhanced, ==, "5.1.1");
    g_assert_cmpstr(f->diagnostic, ==, "550 5.1.1 <h.meier@northwind.example>... User unknown");
    g_assert_cmpint(f->permanence, ==, PERMANENCE_PERMANENT);
    char buf[32];
    g_assert_cmpstr(time_format(f->time, buf, sizeof buf), ==, "2026-11-25 08:10:04");
    const Event *d = harness_nth(h, EVENT_KIND_DELIVERED, 0);
    g_assert_cmpstr(d->related_id, ==, "6AP9A4Qw005197");
    g_assert_cmpstr(d->orig_recipient, ==, "c@northwind.example");
    g_assert_cmpuint(d->attempt_flags & EVENT_FLAG_CONTENT_FILTER, ==, 0);
    /* the session's "mta error" says why */
    const Event *t = harness_nth(h, EVENT_KIND_DEFERRED, 0);
    g_assert_cmpstr(t->diagnostic, ==, "IO Error: Connection refused");
    g_assert_cmpstr(t->detail, ==, "Network error on destination MXs");
    g_assert_cmpuint(t->reply_code, ==, 0);
    const Event *m = harness_nth(h, EVENT_KIND_DELIVERED, 1);
    g_assert_true(m->attempt_flags & EVENT_FLAG_LOCAL);
    g_assert_true(m->attempt_flags & EVENT_FLAG_NULL_SENDER);
    g_assert_cmpstr(m->orig_recipient, ==, "postmaster@northwind.example");
}

static void
test_old_format(void)
{
    g_autoptr(Harness) h = run(
        "Mar  3 10:00:01 mx smtpd[1234]: relay: Ok for 8f8d6f0f9f2c3a4b: from=<a@example.org>, "
        "to=<b@example.net>, rcpt=<c@example.net>, relay=mx.example.net [192.0.2.1] delay=2s, "
        "stat=250 2.0.0 Ok: queued as 3Xk9\n"
        "Mar  3 10:00:02 mx smtpd[1234]: relay: TempFail for 8f8d6f0f9f2c3a4c: "
        "from=<a@example.org>, "
        "to=<d@example.net>, relay=mx.example.net [192.0.2.1] delay=2s, stat=421 4.7.0 Try again "
        "later, closing connection\n"
        "Mar  3 10:00:03 mx smtpd[1234]: delivery: Ok for 8f8d6f0f00000001: from=<a@example.org>, "
        "to=<u@mx.example.org>, user=u, method=mbox, delay=0s, stat=Delivered\n"
        "Mar  7 10:00:04 mx smtpd[1234]: relay: Expire for 8f8d6f0f9f2c3a4d: from=<a@example.org>, "
        "to=<e@example.net>, rcpt=<->, delay=4d, stat=Envelope expired\n"
        "Mar  7 10:00:05 mx smtpd[1234]: smtp-in: Failed command on session 1234: \"RCPT "
        "TO:<x@y>\" => 550 5.1.1 Invalid recipient\n");
    const Event *d = harness_nth(h, EVENT_KIND_DELIVERED, 0);
    g_assert_cmpstr(d->queue_id, ==, "8f8d6f0f");
    g_assert_cmpstr(d->recipient, ==, "b@example.net");
    g_assert_cmpstr(d->orig_recipient, ==, "c@example.net");
    g_assert_cmpstr(d->relay, ==, "mx.example.net");
    g_assert_cmpstr(d->relay_ip, ==, "192.0.2.1");
    g_assert_cmpstr(d->related_id, ==, "3Xk9");
    g_assert_cmpfloat(d->delay, ==, 2.0);
    const Event *t = harness_nth(h, EVENT_KIND_DEFERRED, 0);
    g_assert_cmpstr(t->diagnostic, ==, "421 4.7.0 Try again later, closing connection");
    g_assert_cmpuint(t->reply_code, ==, 421);
    g_assert_true(harness_nth(h, EVENT_KIND_DELIVERED, 1)->attempt_flags & EVENT_FLAG_LOCAL);
    const Event *x = harness_nth(h, EVENT_KIND_EXPIRED, 0);
    g_assert_cmpstr(x->recipient, ==, "e@example.net");
    g_assert_null(x->orig_recipient);
    g_assert_cmpfloat(x->delay, ==, 4 * 86400.0);
    g_assert_cmpuint(h->stats->lines_used, ==, 5);
}

static void
test_failed_command(void)
{
    g_autoptr(Harness) h = run(
        "2026-11-26T03:21:07.1+01:00 relay1 smtpd[2804]: 3f5cc7292782cabb smtp failed-command "
        "command=\"RCPT TO:<sales@northwind.example>\" result=\"550 Invalid recipient: "
        "<sales@northwind.example>\"\n"
        "2026-11-26T03:21:08.1+01:00 relay1 smtpd[2804]: 3f5cc7292782cabb smtp failed-command "
        "command=\"MAIL FROM:<x@spam.example> SIZE=100\" result=\"421 4.7.0 Too many errors\"\n");
    const Event *e = harness_nth(h, EVENT_KIND_REJECTED, 0);
    g_assert_cmpstr(e->recipient, ==, "sales@northwind.example");
    g_assert_cmpint(e->step, ==, STEP_RCPT_TO);
    g_assert_cmpuint(e->reply_code, ==, 550);
    g_assert_cmpstr(e->detail, ==, "smtp-in");
    g_assert_cmpstr(e->diagnostic, ==, "550 Invalid recipient: <sales@northwind.example>");
    e = harness_nth(h, EVENT_KIND_REJECTED, 1);
    g_assert_cmpstr(e->sender, ==, "x@spam.example");
    g_assert_cmpint(e->step, ==, STEP_MAIL_FROM);
    g_assert_cmpint(e->permanence, ==, PERMANENCE_TEMPORARY);
}

static void
test_bad_lines(void)
{
    g_autoptr(Harness) h = run(
        "Jul  6 06:01:48 ams-1 smtpd[1]: 5df87c9ffd0e785d mta delivery evpid=xyz result=\"Ok\"\n"
        "Jul  6 06:01:48 ams-1 smtpd[1]: 5df87c9ffd0e785d mta delivery evpid=f6e94209918f7e7b "
        "result=\"Maybe\"\n"
        "Jul  6 06:01:48 ams-1 smtpd[1]: 5df87c9ffd0e785d smtp message msgid=zz size=1\n"
        "Jul  6 06:01:48 ams-1 smtpd[1]: relay: Ok for nothex: from=<a>\n"
        "Jul  6 06:01:48 ams-1 postfix/smtpd[1]: connect from x[192.0.2.1]\n"
        "Jul  6 06:01:48 ams-1 smtpd[1]: 5df87c9ffd0e785d mta delivery evpid=f6e94209918f7e7b "
        "stat=\"unterminated\n");
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 5);
    g_assert_cmpuint(h->stats->lines_skipped, ==, 1);
    g_assert_cmpuint(event_batch_len(h->batch), ==, 0);
}

static void
test_probe(void)
{
    const char *os = "Jul  6 06:01:40 ams-1 smtpd[75295]: 5df87c903d709659 smtp connected "
                     "address=local host=poolp.org\n";
    g_assert_cmpuint(K->probe(os, strlen(os)), >=, 80);
    const char *pf = "Jul  6 06:01:40 mta1 postfix/smtpd[1]: connect from x[192.0.2.1]\n";
    g_assert_cmpuint(K->probe(pf, strlen(pf)), ==, 0);
}

static void
test_sample(void)
{
    g_autoptr(Harness) h = harness_run_file(K, "samples/opensmtpd/relay1-mail.log", 2026);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 0);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_QUEUED), ==, 7);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DELIVERED), ==, 8);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_FAILED), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DEFERRED), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_REJECTED), ==, 1);
    /* every shop1 bounce is handed on to legacy1 with legacy1's queue id */
    guint linked = 0;
    for (guint i = 0; i < event_batch_len(h->batch); i++) {
        const Event *e = event_batch_get(h->batch, i);
        if (e->kind == EVENT_KIND_DELIVERED && e->related_id &&
            g_str_equal(e->relay, "legacy1.northwind.example"))
            linked++;
    }
    g_assert_cmpuint(linked, ==, 7);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/opensmtpd/session-and-delivery", test_session_and_delivery);
    g_test_add_func("/opensmtpd/results", test_results);
    g_test_add_func("/opensmtpd/old-format", test_old_format);
    g_test_add_func("/opensmtpd/failed-command", test_failed_command);
    g_test_add_func("/opensmtpd/bad-lines", test_bad_lines);
    g_test_add_func("/opensmtpd/probe", test_probe);
    g_test_add_func("/opensmtpd/sample", test_sample);
    return g_test_run();
}
