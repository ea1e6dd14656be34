/* The Exim main log parser: lines written after the "Log files" chapter of the Exim
 * specification (both message-id forms, the pid / millisecond / time zone options, syslog),
 * the sample, and (built with TEST_CORPUS) Exim's own test-suite logs in ../shared/corpus. */
#include <string.h>

#include "harness.h"
#include "timeutil.h"

extern const ParserClass exim_parser_class;
#define K (&exim_parser_class)

#ifndef TEST_CORPUS

static Harness *
run(const char *text)
{
    return harness_run(K, text, strlen(text), 2026);
}

static const char *
fmt_time(gint64 t, char *buf)
{
    return time_format(t, buf, 32);
}

static void
test_arrival_options(void)
{
    /* log_selector +pid +millisec, log_timezone, 16-character id */
    g_autoptr(Harness) h = run(
        "2026-11-24 10:02:11.482 +0100 [31774] 1rAbCd-0001Xy-Ab <= orders@northwind.example "
        "H=app2.northwind.example (app2) [192.0.2.41]:50112 I=[192.0.2.40]:25 P=esmtps "
        "X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no S=5302 id=order-100233@shop1.northwind.example "
        "T=\"Your order 100233 \\\"Winter boots\\\"\" for lena.vogl@web.de l.vogl@example.org\n");
    g_assert_cmpuint(h->stats->lines_used, ==, 1);
    const Event *e = harness_nth(h, EVENT_KIND_QUEUED, 0);
    g_assert_nonnull(e);
    char buf[32];
    g_assert_cmpstr(fmt_time(e->time, buf), ==, "2026-11-24 09:02:11");
    g_assert_cmpint(e->time % G_USEC_PER_SEC, ==, 482000);
    g_assert_cmpstr(e->queue_id, ==, "1rAbCd-0001Xy-Ab");
    g_assert_cmpstr(e->sender, ==, "orders@northwind.example");
    g_assert_cmpstr(e->message_id, ==, "order-100233@shop1.northwind.example");
    g_assert_cmpint(e->size, ==, 5302);
    g_assert_cmpstr(e->relay, ==, "app2.northwind.example");
    g_assert_cmpstr(e->relay_ip, ==, "192.0.2.41");
    g_assert_cmpstr(e->detail, ==, "esmtps");
    g_assert_cmpstr(e->subject, ==, "Your order 100233 \"Winter boots\"");
    g_assert_cmpuint(e->nrcpt, ==, 2);
    g_assert_cmpstr(e->host, ==, "test");
}

static void
test_both_id_forms(void)
{
    /* Exim 4.97+: 6-11-4; before: 6-6-2; anything else is not an id */
    g_autoptr(Harness) h =
        run("2026-11-24 09:14:03 1xVlf9-000000008GU-21Q1 <= a@b.example U=www-data P=local S=10\n"
            "2026-11-24 09:14:04 1xVlf9-000000008GU-21Q1 => c@d.example R=dnslookup T=remote_smtp "
            "H=mx.d.example [198.51.100.1]\n"
            "2026-11-24 09:14:04 1xVlf9-000000008GU-21Q1 Completed\n"
            "2026-11-24 09:14:05 1rAbCd-0001Xy-Ab <= a@b.example U=www-data P=local S=10\n"
            "2026-11-24 09:14:05 1rAbCd-0001Xy-Ab Completed QT=1s\n"
            "2026-11-24 09:14:06 1rAbCd-0001Xy-Abc <= not@an.id\n"
            "2026-11-24 09:14:06 1rAbCd-00000001Xy-Ab <= not@an.id\n");
    g_assert_cmpuint(harness_count(h, EVENT_KIND_QUEUED), ==, 2);
    g_assert_cmpstr(harness_nth(h, EVENT_KIND_QUEUED, 0)->queue_id, ==, "1xVlf9-000000008GU-21Q1");
    g_assert_cmpstr(harness_nth(h, EVENT_KIND_QUEUED, 1)->queue_id, ==, "1rAbCd-0001Xy-Ab");
    g_assert_cmpstr(harness_nth(h, EVENT_KIND_DELIVERED, 0)->queue_id, ==,
                    "1xVlf9-000000008GU-21Q1");
    g_assert_cmpuint(harness_count(h, EVENT_KIND_MESSAGE_END), ==, 2);
    /* lines with a malformed id are Exim lines without a message */
    g_assert_cmpuint(h->stats->lines_used, ==, 7);
}

static void
test_delivery(void)
{
    g_autoptr(Harness) h = run(
        "2026-11-24 16:20:08 1xVsJT-000000008VE-1GY7 => a.lang@gmail.com R=dnslookup "
        "T=remote_smtp H=gmail-smtp-in.l.google.com [142.250.102.27]:25 "
        "X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes K C=\"250 2.0.0 OK  1795533608 "
        "5b1f17b1804b1-4383c4f2a5bsi121377f8f.233 - gsmtp\"\n"
        "2026-11-24 16:20:08 1xVsJT-000000008VE-1GY7 -> buchhaltung.lang@gmail.com R=dnslookup "
        "T=remote_smtp H=gmail-smtp-in.l.google.com [142.250.102.27] C=\"250 2.0.0 OK\"\n"
        "2026-11-24 16:21:00 1xVsJU-000000008VE-1GY7 => x@partner.example "
        "F=<orders@northwind.example> "
        "R=smarthost T=remote_smtp H=relay1.northwind.example [192.0.2.50] "
        "C=\"250 2.0.0 Ok: queued as 4ZkR7m2XqLz3\"\n"
        "2026-11-24 16:22:00 1xVsJV-000000008VE-1GY7 => anna <anna@shop1.northwind.example> "
        "R=local_user T=mail_spool\n"
        "2026-11-24 16:23:00 1xVsJW-000000008VE-1GY7 *> t@test.example R=dnslookup T=remote_smtp "
        "H=mx.test.example [203.0.113.9] C=\"delivery bypassed by -N option\"\n");
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DELIVERED), ==, 5);
    const Event *e = harness_nth(h, EVENT_KIND_DELIVERED, 0);
    g_assert_cmpstr(e->recipient, ==, "a.lang@gmail.com");
    g_assert_cmpstr(e->relay, ==, "gmail-smtp-in.l.google.com");
    g_assert_cmpstr(e->relay_ip, ==, "142.250.102.27");
    g_assert_cmpuint(e->reply_code, ==, 250);
    g_assert_cmpstr(e->enhanced, ==, "2.0.0");
    g_assert_true(g_str_has_suffix(e->diagnostic, "- gsmtp"));
    g_assert_null(e->related_id);
    g_assert_cmpuint(e->attempt_flags & EVENT_FLAG_LOCAL, ==, 0);
    e = harness_nth(h, EVENT_KIND_DELIVERED, 1);
    g_assert_cmpstr(e->recipient, ==, "buchhaltung.lang@gmail.com");
    g_assert_cmpstr(e->queue_id, ==, "1xVsJT-000000008VE-1GY7");
    e = harness_nth(h, EVENT_KIND_DELIVERED, 2);
    g_assert_cmpstr(e->related_id, ==, "4ZkR7m2XqLz3");
    g_assert_cmpstr(e->sender, ==, "orders@northwind.example");
    e = harness_nth(h, EVENT_KIND_DELIVERED, 3);
    g_assert_cmpstr(e->recipient, ==, "anna@shop1.northwind.example");
    g_assert_true(e->attempt_flags & EVENT_FLAG_LOCAL);
    e = harness_nth(h, EVENT_KIND_DELIVERED, 4);
    g_assert_cmpstr(e->detail, ==, "suppressed (-N)");
}

static void
test_failures(void)
{
    g_autoptr(Harness) h = run(
        "2026-11-24 10:02:12 1xVmPj-000000008Hn-3Eq7 ** lena.vogl@web.de R=dnslookup "
        "T=remote_smtp H=mx-ha03.web.de [212.227.17.8] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 "
        "CV=yes : SMTP error from remote mail server after RCPT TO:<lena.vogl@web.de>: 550 "
        "Requested action not taken: mailbox unavailable\n"
        "2026-11-24 13:48:20 1xVpwZ-000000008QQ-046Q ** susanne.k@gmail.com R=dnslookup "
        "T=remote_smtp H=gmail-smtp-in.l.google.com [142.250.102.27] : SMTP error from remote "
        "mail server after RCPT TO:<susanne.k@gmail.com>: 550-5.1.1 The email account that you "
        "tried to reach does not exist.\\n550 5.1.1  "
        "https://support.google.com/mail/?p=NoSuchUser\n"
        "2026-11-28 11:15:32 1xVnYE-000000008Ky-2tYV ** j.berger@firewalled.example: retry "
        "timeout exceeded\n"
        "2026-11-24 15:05:44 1xVr9U-000000008TR-3ePd ** g.huber@t-online.d: Unrouteable address\n"
        "2026-11-24 15:06:44 1xVr9U-000000008TR-3ePe ** x@y.example <alias@shop1.example> "
        "R=dnslookup T=remote_smtp H=mx.y.example [203.0.113.5] : SMTP error from remote mail "
        "server after end of data: 554 5.7.1 Message rejected as spam\n");
    g_assert_cmpuint(harness_count(h, EVENT_KIND_FAILED), ==, 4);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_EXPIRED), ==, 1);
    const Event *e = harness_nth(h, EVENT_KIND_FAILED, 0);
    g_assert_cmpstr(e->recipient, ==, "lena.vogl@web.de");
    g_assert_cmpstr(e->diagnostic, ==,
                    "SMTP error from remote mail server after RCPT TO:<lena.vogl@web.de>: 550 "
                    "Requested action not taken: mailbox unavailable");
    g_assert_cmpuint(e->reply_code, ==, 550);
    g_assert_null(e->enhanced);
    g_assert_cmpint(e->step, ==, STEP_RCPT_TO);
    g_assert_cmpint(e->step_confidence, ==, CONFIDENCE_EXPLICIT);
    g_assert_cmpstr(e->relay, ==, "mx-ha03.web.de");
    g_assert_cmpstr(e->relay_ip, ==, "212.227.17.8");
    e = harness_nth(h, EVENT_KIND_FAILED, 1);
    g_assert_cmpuint(e->reply_code, ==, 550);
    g_assert_cmpstr(e->enhanced, ==, "5.1.1");
    g_assert_nonnull(strstr(e->diagnostic, "NoSuchUser"));
    e = harness_nth(h, EVENT_KIND_EXPIRED, 0);
    g_assert_cmpstr(e->recipient, ==, "j.berger@firewalled.example");
    g_assert_cmpstr(e->diagnostic, ==, "retry timeout exceeded");
    e = harness_nth(h, EVENT_KIND_FAILED, 2);
    g_assert_cmpstr(e->recipient, ==, "g.huber@t-online.d");
    g_assert_cmpstr(e->diagnostic, ==, "Unrouteable address");
    g_assert_cmpint(e->step, ==, STEP_UNKNOWN);
    e = harness_nth(h, EVENT_KIND_FAILED, 3);
    g_assert_cmpstr(e->recipient, ==, "x@y.example");
    g_assert_cmpstr(e->orig_recipient, ==, "alias@shop1.example");
    g_assert_cmpint(e->step, ==, STEP_END_OF_DATA);
    g_assert_cmpstr(e->enhanced, ==, "5.7.1");
}

static void
test_deferrals(void)
{
    g_autoptr(Harness) h = run(
        "2026-11-24 11:12:31 1xVnVm-000000008Km-11SA == t.hahn@greylist.example R=dnslookup "
        "T=remote_smtp defer (-44) H=mx.greylist.example [198.51.100.44]: SMTP error from remote "
        "mail server after RCPT TO:<t.hahn@greylist.example>: 451 4.7.1 Greylisted\n"
        "2026-11-24 10:30:13 1xVmqq-000000008Ih-0HFW == m.roth@kleinbetrieb.de R=dnslookup "
        "T=remote_smtp defer (111): Connection refused\n"
        "2026-11-24 11:00:01 1xVmqq-000000008Ih-0HFW == m.roth@kleinbetrieb.de R=dnslookup "
        "T=remote_smtp defer (-53): retry time not reached for any host for 'kleinbetrieb.de'\n"
        /* older Exim puts the host into the text */
        "2017-03-02 09:44:33 1cjRkE-0005vi-00 == userx@example.com R=r1 T=smtp defer (-44): SMTP "
        "error from remote mail server after MAIL FROM:<a@b.example> SIZE=1234: host "
        "mx.example.com [192.0.2.9]: 452 4.3.1 Insufficient system storage\n"
        "2026-11-24 11:20:00 1xVmqq-000000008Ih-0HFX == b@x.example routing defer (-51): retry "
        "time not reached\n");
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DEFERRED), ==, 5);
    const Event *e = harness_nth(h, EVENT_KIND_DEFERRED, 0);
    g_assert_cmpstr(e->relay, ==, "mx.greylist.example");
    g_assert_cmpuint(e->reply_code, ==, 451);
    g_assert_cmpstr(e->enhanced, ==, "4.7.1");
    g_assert_cmpint(e->step, ==, STEP_RCPT_TO);
    g_assert_cmpint(e->permanence, ==, PERMANENCE_TEMPORARY);
    e = harness_nth(h, EVENT_KIND_DEFERRED, 1);
    g_assert_cmpstr(e->diagnostic, ==, "Connection refused");
    g_assert_cmpuint(e->attempt_flags & EVENT_FLAG_NOT_ATTEMPTED, ==, 0);
    e = harness_nth(h, EVENT_KIND_DEFERRED, 2);
    g_assert_true(e->attempt_flags & EVENT_FLAG_NOT_ATTEMPTED);
    e = harness_nth(h, EVENT_KIND_DEFERRED, 3);
    g_assert_cmpstr(e->queue_id, ==, "1cjRkE-0005vi-00");
    g_assert_cmpstr(e->relay, ==, "mx.example.com");
    g_assert_cmpstr(e->relay_ip, ==, "192.0.2.9");
    g_assert_cmpuint(e->reply_code, ==, 452);
    g_assert_cmpint(e->step, ==, STEP_MAIL_FROM);
    e = harness_nth(h, EVENT_KIND_DEFERRED, 4);
    g_assert_cmpstr(e->recipient, ==, "b@x.example");
    g_assert_true(e->attempt_flags & EVENT_FLAG_NOT_ATTEMPTED);
}

static void
test_bounce_links_parent(void)
{
    g_autoptr(Harness) h =
        run("2026-11-24 10:02:12 1xVmPk-000000008Ho-3oqY <= <> R=1xVmPj-000000008Hn-3Eq7 "
            "U=Debian-exim P=local S=7340\n");
    const Event *q = harness_nth(h, EVENT_KIND_QUEUED, 0);
    g_assert_cmpstr(q->queue_id, ==, "1xVmPk-000000008Ho-3oqY");
    g_assert_cmpstr(q->sender, ==, "");
    g_assert_true(q->attempt_flags & EVENT_FLAG_NULL_SENDER);
    g_assert_cmpstr(q->related_id, ==, "1xVmPj-000000008Hn-3Eq7");
    const Event *n = harness_nth(h, EVENT_KIND_NOTIFICATION, 0);
    g_assert_nonnull(n);
    g_assert_cmpstr(n->queue_id, ==, "1xVmPj-000000008Hn-3Eq7");
    g_assert_cmpstr(n->related_id, ==, "1xVmPk-000000008Ho-3oqY");
}

static void
test_rejections(void)
{
    g_autoptr(Harness) h = run(
        "2026-11-24 12:00:00 H=(pc17) [203.0.113.99]:51234 F=<a@spam.example> rejected RCPT "
        "<sales@northwind.example>: relay not permitted\n"
        "2026-11-24 12:00:01 H=app2.northwind.example [192.0.2.41] F=<orders@northwind.example> "
        "temporarily rejected RCPT <x@slow.example>: Could not complete recipient verify callout\n"
        "2026-11-24 12:00:02 1xVmPm-000000008Ho-3oqY H=(pc17) [203.0.113.99] F=<a@spam.example> "
        "rejected after DATA: This message scored 15.2 spam points.\n"
        "2026-11-24 12:00:03 SMTP connection from (pc17) [203.0.113.99]:51234 lost\n");
    g_assert_cmpuint(harness_count(h, EVENT_KIND_REJECTED), ==, 3);
    const Event *e = harness_nth(h, EVENT_KIND_REJECTED, 0);
    g_assert_cmpstr(e->recipient, ==, "sales@northwind.example");
    g_assert_cmpstr(e->sender, ==, "a@spam.example");
    g_assert_cmpstr(e->relay_ip, ==, "203.0.113.99");
    g_assert_cmpstr(e->diagnostic, ==, "relay not permitted");
    g_assert_cmpstr(e->detail, ==, "smtp-in");
    g_assert_cmpint(e->step, ==, STEP_RCPT_TO);
    g_assert_cmpint(e->permanence, ==, PERMANENCE_PERMANENT);
    e = harness_nth(h, EVENT_KIND_REJECTED, 1);
    g_assert_cmpint(e->permanence, ==, PERMANENCE_TEMPORARY);
    g_assert_cmpstr(e->relay, ==, "app2.northwind.example");
    e = harness_nth(h, EVENT_KIND_REJECTED, 2);
    g_assert_cmpstr(e->queue_id, ==, "1xVmPm-000000008Ho-3oqY");
    g_assert_cmpint(e->step, ==, STEP_END_OF_DATA);
    g_assert_cmpuint(h->stats->lines_used, ==, 4);
}

static void
test_syslog_variant(void)
{
    g_autoptr(Harness) h =
        run("Nov 24 10:02:11 shop1 exim[31774]: 2026-11-24 10:02:11 1xVmPj-000000008Hn-3Eq7 <= "
            "orders@northwind.example U=www-data P=local S=5302\n"
            "Nov 24 10:02:12 shop1 exim[31775]: 1xVmPj-000000008Hn-3Eq7 => a@b.example R=r T=t "
            "H=mx.b.example [198.51.100.3]\n"
            "Nov 24 10:02:12 shop1 exim[31775]: [1\\2] 1xVmPj-000000008Hn-3Eq7 ** c@d.example : "
            "SMTP error from remote mail server after RCPT TO:<c@d.example>: 550 5.1.1 no such\n"
            "Nov 24 10:02:12 shop1 exim[31775]: [2\\2] user here\n"
            "Nov 24 10:02:13 shop1 CRON[1]: (root) CMD (true)\n");
    g_assert_cmpuint(harness_count(h, EVENT_KIND_QUEUED), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DELIVERED), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_FAILED), ==, 1);
    const Event *e = harness_nth(h, EVENT_KIND_DELIVERED, 0);
    g_assert_cmpstr(e->host, ==, "shop1");
    char buf[32];
    g_assert_cmpstr(fmt_time(e->time, buf), ==, "2026-11-24 10:02:12");
    g_assert_cmpuint(h->stats->lines_used, ==, 4);
    g_assert_cmpuint(h->stats->lines_skipped, ==, 1);
}

static void
test_unrecognised_and_continuations(void)
{
    g_autoptr(Harness) h = run("2026-11-24 10:00:00 1xVmPj-000000008Hn-3Eq7 => \n"
                               "2026-11-24 10:00:00 no host name found for IP address 192.0.2.7\n"
                               "  continued text of the entry above\n"
                               "\n"
                               "garbage that is no log line\n"
                               "  and its indented tail\n");
    g_assert_cmpuint(h->stats->lines_used, ==, 2);
    g_assert_cmpuint(h->stats->lines_skipped, ==, 1);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 3);
    g_assert_cmpuint(event_batch_len(h->batch), ==, 0);
}

static void
test_host_from_stream_name(void)
{
    static const struct {
        const char *name, *host;
    } cases[] = {
        {"samples/exim/shop1-mainlog", "shop1"},
        {"/var/log/exim4/mainlog.2.gz", "exim"},
        {"logs.tar:shop1/exim_mainlog-20261124", "exim"},
        {"shop2.log", "shop2"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(EventBatch) batch = event_batch_new();
        InputStats *stats = input_stats_new();
        ParserOptions o = {.year = 2026};
        ParserContext ctx = {
            .input = 1, .name = cases[i].name, .batch = batch, .stats = stats, .options = &o};
        gpointer self = K->new (&ctx);
        char line[] = "2026-11-24 10:00:00 1xVmPj-000000008Hn-3Eq7 Completed";
        g_assert_cmpint(K->feed_line(self, line, strlen(line), 1), ==, LINE_USED);
        K->free(self);
        g_assert_cmpstr(event_batch_get(batch, 0)->host, ==, cases[i].host);
        input_stats_free(stats);
    }
}

static void
test_probe(void)
{
    const char *exim = "2026-11-24 08:00:01 +0100 exim 4.98 daemon started: pid=1207\n"
                       "2026-11-24 09:14:03 +0100 1xVlf9-000000008GU-21Q1 <= a@b U=x P=local S=1\n"
                       "2026-11-24 09:14:04 +0100 1xVlf9-000000008GU-21Q1 Completed\n";
    g_assert_cmpuint(K->probe(exim, strlen(exim)), >=, 80);
    const char *syslog = "Nov 24 10:02:11 shop1 exim[1]: 1xVlf9-000000008GU-21Q1 Completed\n";
    g_assert_cmpuint(K->probe(syslog, strlen(syslog)), >=, 80);
    const char *postfix =
        "2026-11-24T09:00:01.123+01:00 mta1 postfix-out/qmgr[1]: 4ZkQ: from=<a@b>, size=1\n";
    g_assert_cmpuint(K->probe(postfix, strlen(postfix)), ==, 0);
    const char *other = "2026-11-24 09:00:01 INFO app started\n2026-11-24 09:00:02 INFO ok\n";
    g_assert_cmpuint(K->probe(other, strlen(other)), <, 50);
    g_assert_cmpuint(K->probe("", 0), ==, 0);
}

static void
test_sample(void)
{
    g_autoptr(Harness) h = harness_run_file(K, "samples/exim/shop1-mainlog", 2026);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 0);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_QUEUED), ==, 20);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_NOTIFICATION), ==, 5);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_FAILED), ==, 4);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_EXPIRED), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_MESSAGE_END), ==, 20);
    const Event *e = harness_nth(h, EVENT_KIND_EXPIRED, 0);
    g_assert_cmpstr(e->recipient, ==, "j.berger@firewalled.example");
    char buf[32];
    g_assert_cmpstr(fmt_time(e->time, buf), ==, "2026-11-28 10:15:32");
}

#else /* TEST_CORPUS */

/* What the test itself reads from a line, independently of the parser. */
typedef struct {
    char id[32];
    char flag[3];   /* "<=", "=>", "->", "*>", "**", "==", "C" (Completed), "" */
    char addr[256]; /* first address after the flag, without a trailing ':' */
    char orig[256]; /* <original> */
} CorpusLine;

static gboolean
corpus_is_id(const char *s, gsize n)
{
    if (n != 16 && n != 23)
        return FALSE;
    for (gsize i = 0; i < n; i++) {
        gboolean dash = n == 16 ? (i == 6 || i == 13) : (i == 6 || i == 18);
        if (dash ? s[i] != '-' : !g_ascii_isalnum(s[i]))
            return FALSE;
    }
    return TRUE;
}

static void
corpus_read_line(const char *line, CorpusLine *c)
{
    memset(c, 0, sizeof *c);
    g_auto(GStrv) w = g_strsplit(line, " ", 12);
    guint n = g_strv_length(w), i = 2; /* date, time */
    if (n < 4 || strlen(w[0]) != 10 || w[0][4] != '-')
        return;
    if (i < n && (w[i][0] == '+' || w[i][0] == '-') && strlen(w[i]) == 5)
        i++;
    if (i < n && w[i][0] == '[')
        i++;
    if (i + 1 >= n || !corpus_is_id(w[i], strlen(w[i])))
        return;
    g_strlcpy(c->id, w[i], sizeof c->id);
    const char *f = w[i + 1];
    if (g_str_equal(f, "Completed")) {
        strcpy(c->flag, "C");
        return;
    }
    static const char *const flags[] = {"<=", "=>", "->", "*>", "**", "=="};
    for (gsize k = 0; k < G_N_ELEMENTS(flags); k++)
        if (g_str_equal(f, flags[k]))
            strcpy(c->flag, flags[k]);
    if (c->flag[0] == '\0' || i + 2 >= n)
        return;
    g_strlcpy(c->addr, w[i + 2], sizeof c->addr);
    gsize al = strlen(c->addr);
    if (al > 0 && c->addr[al - 1] == ':')
        c->addr[al - 1] = '\0';
    /* "addr [(parent)] [<original>]"; the original may hold a quoted local part with spaces */
    const char *p = strstr(line, w[i + 1]) + strlen(w[i + 1]) + 1 + strlen(w[i + 2]);
    for (;;) {
        while (*p == ' ')
            p++;
        if (*p == '(') {
            const char *close = strchr(p, ')');
            p = close ? close + 1 : p + 1;
            continue;
        }
        /* a pipe command or a filter's "save FILE" has more words before <original> */
        if (*p && *p != '<' && !(*p == ':' && (c->flag[1] == '*' || c->flag[1] == '='))) {
            const char *sp = strchr(p, ' ');
            const char *eq = strchr(p, '=');
            if (sp != NULL && (eq == NULL || eq > sp)) {
                p = sp;
                continue;
            }
        }
        break;
    }
    if (*p == '<') {
        gboolean quoted = FALSE;
        const char *q = p + 1;
        for (; *q && (quoted || *q != '>'); q++)
            if (*q == '"')
                quoted = !quoted;
        if (*q == '>' && (gsize)(q - p - 1) < sizeof c->orig) {
            memcpy(c->orig, p + 1, (gsize)(q - p - 1));
            c->orig[q - p - 1] = '\0';
        }
    }
}

static gboolean
corpus_kind_ok(const char *flag, EventKind kind)
{
    switch (flag[0]) {
    case '<':
        return kind == EVENT_KIND_QUEUED || kind == EVENT_KIND_NOTIFICATION;
    case '=':
        return flag[1] == '>' ? kind == EVENT_KIND_DELIVERED : kind == EVENT_KIND_DEFERRED;
    case '-':
        return kind == EVENT_KIND_DELIVERED;
    case '*':
        return flag[1] == '>' ? kind == EVENT_KIND_DELIVERED
                              : kind == EVENT_KIND_FAILED || kind == EVENT_KIND_EXPIRED;
    case 'C':
        return kind == EVENT_KIND_MESSAGE_END;
    }
    return FALSE;
}

static gboolean
corpus_same_address(const char *a, const CorpusLine *c)
{
    return a != NULL && (g_str_equal(a, c->addr) || g_str_equal(a, c->orig));
}

static void
test_corpus(void)
{
    g_autofree char *dir = harness_source_path("../shared/corpus/logs/exim-testsuite/log");
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_test_skip("../shared/corpus/logs/exim-testsuite/log is absent");
        return;
    }
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(d);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL)
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);

    guint64 lines = 0, flagged = 0, used = 0, skipped = 0, unrec = 0, events = 0, stamped_unrec = 0;
    guint64 per_flag[7] = {0};
    const char *flag_names[7] = {"<=", "=>", "->", "*>", "**", "==", "Completed"};
    g_autoptr(GHashTable) unrec_kinds =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint messages = 0;
    for (guint f = 0; f < names->len; f++) {
        g_autofree char *path = g_build_filename(dir, names->pdata[f], NULL);
        g_autofree char *text = NULL;
        gsize len = 0;
        g_assert_true(g_file_get_contents(path, &text, &len, NULL));
        g_auto(GStrv) ls = g_strsplit(text, "\n", -1);
        guint n = g_strv_length(ls);

        g_autoptr(EventBatch) batch = event_batch_new();
        InputStats *stats = input_stats_new();
        ParserOptions o = {.year = 2026, .tz = NULL};
        ParserContext ctx = {
            .input = 1, .name = names->pdata[f], .batch = batch, .stats = stats, .options = &o};
        gpointer self = K->new (&ctx);
        g_autofree LineResult *res = g_new0(LineResult, n + 1);
        for (guint i = 0; i < n; i++) {
            if (i == n - 1 && ls[i][0] == '\0')
                break; /* after the last newline */
            g_autofree char *copy = g_strdup(ls[i]);
            res[i] = K->feed_line(self, copy, strlen(copy), i + 1);
            lines++;
            used += res[i] == LINE_USED;
            skipped += res[i] == LINE_SKIPPED;
            if (res[i] == LINE_UNRECOGNISED) {
                unrec++;
                char key[41];
                g_strlcpy(key, ls[i], sizeof key);
                gpointer old = g_hash_table_lookup(unrec_kinds, key);
                g_hash_table_replace(unrec_kinds, g_strdup(key),
                                     GUINT_TO_POINTER(GPOINTER_TO_UINT(old) + 1));
                if (g_ascii_isdigit(ls[i][0]) && strlen(ls[i]) > 19 && ls[i][4] == '-' &&
                    ls[i][10] == ' ')
                    stamped_unrec++;
            }
        }
        g_assert_true(K->finish(self, NULL));
        K->free(self);
        events += event_batch_len(batch);

        /* events by line */
        g_autoptr(GHashTable) outcome =
            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL); /* "id\trcpt\tkind" */
        g_autoptr(GHashTable) ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        for (guint i = 0; i < event_batch_len(batch); i++) {
            const Event *e = event_batch_get(batch, i);
            if (e->queue_id && e->recipient)
                g_hash_table_add(outcome,
                                 g_strdup_printf("%s\t%s\t%d", e->queue_id, e->recipient, e->kind));
            if (e->queue_id && e->orig_recipient)
                g_hash_table_add(outcome, g_strdup_printf("%s\t%s\t%d", e->queue_id,
                                                          e->orig_recipient, e->kind));
        }
        guint ev_i = 0;
        for (guint i = 0; i < n; i++) {
            CorpusLine c;
            corpus_read_line(ls[i], &c);
            if (c.flag[0] == '\0')
                continue;
            flagged++;
            for (gsize k = 0; k < 7; k++)
                if (g_str_equal(c.flag, k == 6 ? "C" : flag_names[k]))
                    per_flag[k]++;
            if (res[i] != LINE_USED)
                g_error("%s:%u not used: %s", (char *)names->pdata[f], i + 1, ls[i]);
            /* an event of the right kind for this line, with this id */
            gboolean found = FALSE;
            while (ev_i < event_batch_len(batch) && event_batch_get(batch, ev_i)->line < i + 1)
                ev_i++;
            for (guint j = ev_i;
                 j < event_batch_len(batch) && event_batch_get(batch, j)->line == i + 1; j++) {
                const Event *e = event_batch_get(batch, j);
                if (corpus_kind_ok(c.flag, e->kind) && g_str_equal(e->queue_id, c.id) &&
                    (c.flag[0] == '<' || c.flag[0] == 'C' ||
                     corpus_same_address(e->recipient, &c) ||
                     corpus_same_address(e->orig_recipient, &c)))
                    found = TRUE;
            }
            if (!found)
                g_error("%s:%u no matching event: %s", (char *)names->pdata[f], i + 1, ls[i]);
            g_hash_table_add(ids, g_strdup(c.id));
            /* the outcome per message and recipient follows the flags */
            if (c.flag[0] != '<' && c.flag[0] != 'C') {
                EventKind want = c.flag[1] == '>'   ? EVENT_KIND_DELIVERED
                                 : c.flag[0] == '=' ? EVENT_KIND_DEFERRED
                                                    : EVENT_KIND_FAILED;
                gboolean ok = FALSE;
                for (int w = 0; w < 2 && !ok; w++) {
                    const char *who = w == 0 ? c.addr : c.orig;
                    g_autofree char *key = g_strdup_printf("%s\t%s\t%d", c.id, who, want);
                    g_autofree char *key2 =
                        g_strdup_printf("%s\t%s\t%d", c.id, who, EVENT_KIND_EXPIRED);
                    ok = g_hash_table_contains(outcome, key) ||
                         (want == EVENT_KIND_FAILED && g_hash_table_contains(outcome, key2));
                }
                if (!ok)
                    g_error("%s: %s has no %s for %s", (char *)names->pdata[f], c.id,
                            event_kind_to_string(want), c.addr);
            }
        }
        messages += g_hash_table_size(ids);
        input_stats_free(stats);
    }
    g_test_message("%u files, %" G_GUINT64_FORMAT " lines: %" G_GUINT64_FORMAT
                   " used, %" G_GUINT64_FORMAT " skipped (blank), %" G_GUINT64_FORMAT
                   " unrecognised; %" G_GUINT64_FORMAT " events; %u message ids",
                   names->len, lines, used, skipped, unrec, events, messages);
    g_test_message("flagged lines: %" G_GUINT64_FORMAT " (every one used, with its event)",
                   flagged);
    for (gsize k = 0; k < 7; k++)
        g_test_message("  %-9s %" G_GUINT64_FORMAT, flag_names[k], per_flag[k]);
    /* What remains unrecognised is not Exim's: the test suite's "******** SERVER ********"
     * separators and the SMTP transcripts its fake servers print between the log lines. */
    g_test_message("unrecognised lines by their first 40 characters (none is an Exim line):");
    g_autoptr(GList) keys = g_hash_table_get_keys(unrec_kinds);
    keys = g_list_sort(keys, (GCompareFunc)g_strcmp0);
    for (GList *l = keys; l; l = l->next)
        g_test_message("  %4u  %s", GPOINTER_TO_UINT(g_hash_table_lookup(unrec_kinds, l->data)),
                       (char *)l->data);
    g_assert_cmpuint(stamped_unrec, ==, 0);
    g_assert_cmpuint(flagged, >, 9000);
}

#endif

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#ifndef TEST_CORPUS
    g_test_add_func("/exim/arrival-options", test_arrival_options);
    g_test_add_func("/exim/both-id-forms", test_both_id_forms);
    g_test_add_func("/exim/delivery", test_delivery);
    g_test_add_func("/exim/failures", test_failures);
    g_test_add_func("/exim/deferrals", test_deferrals);
    g_test_add_func("/exim/bounce-links-parent", test_bounce_links_parent);
    g_test_add_func("/exim/rejections", test_rejections);
    g_test_add_func("/exim/syslog", test_syslog_variant);
    g_test_add_func("/exim/unrecognised", test_unrecognised_and_continuations);
    g_test_add_func("/exim/host-from-name", test_host_from_stream_name);
    g_test_add_func("/exim/probe", test_probe);
    g_test_add_func("/exim/sample", test_sample);
#else
    g_test_add_func("/exim/corpus/testsuite", test_corpus);
#endif
    return g_test_run();
}
