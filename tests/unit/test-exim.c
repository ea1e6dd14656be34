/* The Exim main log parser: lines written after the "Log files" chapter of the Exim
 * specification (both message-id forms, the pid / millisecond / time zone options, syslog)
 * and the sample. Exim's own test-suite logs are in test-exim-corpus.c. */
#include <string.h>

#include "harness.h"
#include "timeutil.h"

extern const ParserClass exim_parser_class;
#define K (&exim_parser_class)

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
            "2026-11-24 09:14:06 1rAbCd-00000001Xy-Ab <= not@an.id\n"
        "2026-11-24 09:14:07.123456 [77] 1rAbCd-0001Xy-Ac Completed\n");
    g_assert_cmpuint(harness_count(h, EVENT_KIND_QUEUED), ==, 2);
    g_assert_cmpstr(harness_nth(h, EVENT_KIND_QUEUED, 0)->queue_id, ==, "1xVlf9-000000008GU-21Q1");
    g_assert_cmpstr(harness_nth(h, EVENT_KIND_QUEUED, 1)->queue_id, ==, "1rAbCd-0001Xy-Ab");
    g_assert_cmpstr(harness_nth(h, EVENT_KIND_DELIVERED, 0)->queue_id, ==,
                    "1xVlf9-000000008GU-21Q1");
    g_assert_cmpuint(harness_count(h, EVENT_KIND_MESSAGE_END), ==, 3);
    /* microseconds and the pid option */
    const Event *e = harness_nth(h, EVENT_KIND_MESSAGE_END, 2);
    g_assert_cmpstr(e->queue_id, ==, "1rAbCd-0001Xy-Ac");
    g_assert_cmpint(e->time % G_USEC_PER_SEC, ==, 123456);
    /* lines with a malformed id are Exim lines without a message */
    g_assert_cmpuint(h->stats->lines_used, ==, 8);
}

/* Lines of the same second are read once (a cache of the last second): a fraction or a
 * zone offset after the same text still counts, and the next second is read anew. */
static void
test_same_second(void)
{
    g_autoptr(Harness) h =
        run("2026-11-24 09:14:05 1rAbCd-0001Xy-A1 Completed\n"
            "2026-11-24 09:14:05 1rAbCd-0001Xy-A2 Completed\n"
            "2026-11-24 09:14:05.250 1rAbCd-0001Xy-A3 Completed\n"
            "2026-11-24 09:14:05 +0100 1rAbCd-0001Xy-A4 Completed\n"
            "2026-11-24 09:14:05 1rAbCd-0001Xy-A5 Completed\n"
            "2026-11-24 09:14:06 1rAbCd-0001Xy-A6 Completed\n"
            "2026-11-24 09:14:60 1rAbCd-0001Xy-A7 Completed\n"
            "2026-11-24 09:14:60 1rAbCd-0001Xy-A8 Completed\n");
    GDateTime *dt = g_date_time_new_utc(2026, 11, 24, 9, 14, 5);
    gint64 base = g_date_time_to_unix(dt) * G_USEC_PER_SEC;
    g_date_time_unref(dt);
    const gint64 expect[] = {base,
                             base,
                             base + 250000,
                             base - (gint64)3600 * G_USEC_PER_SEC,
                             base,
                             base + G_USEC_PER_SEC,
                             base + (gint64)54 * G_USEC_PER_SEC, /* a leap second reads as :59 */
                             base + (gint64)54 * G_USEC_PER_SEC};
    g_assert_cmpuint(harness_count(h, EVENT_KIND_MESSAGE_END), ==, G_N_ELEMENTS(expect));
    for (guint i = 0; i < G_N_ELEMENTS(expect); i++)
        g_assert_cmpint(harness_nth(h, EVENT_KIND_MESSAGE_END, i)->time, ==, expect[i]);
}

/* Every byte of an id is checked: a valid id of either form with any one byte changed to
 * something no id holds (punctuation, a space, a byte of UTF-8, a dash in place of a letter or
 * a letter in place of a dash) is not an id. */
static void
test_id_every_byte(void)
{
    static const char *const ids[] = {"1rAbCd-0001Xy-Ab", "1xVlf9-000000008GU-21Q1"};
    static const char bad[] = {'_', '.', ' ', (char)0xC3, '-', 'z'};
    for (guint k = 0; k < G_N_ELEMENTS(ids); k++) {
        gsize n = strlen(ids[k]);
        for (gsize i = 0; i < n; i++)
            for (guint b = 0; b < G_N_ELEMENTS(bad); b++) {
                char id[32];
                memcpy(id, ids[k], n + 1);
                gboolean dash = id[i] == '-';
                /* a dash stays a dash, a letter stays a letter: those are not changes */
                if ((dash && bad[b] == '-') || (!dash && bad[b] == 'z'))
                    continue;
                id[i] = bad[b];
                g_autofree char *text = g_strdup_printf(
                    "2026-11-24 09:14:05 %s <= a@b.example U=www-data P=local S=10\n", id);
                g_autoptr(Harness) h = run(text);
                if (harness_count(h, EVENT_KIND_QUEUED) != 0)
                    g_error("\"%s\" read as an id", id);
            }
        /* and unchanged, it is one */
        g_autofree char *text = g_strdup_printf(
            "2026-11-24 09:14:05 %s <= a@b.example U=www-data P=local S=10\n", ids[k]);
        g_autoptr(Harness) h = run(text);
        g_assert_cmpuint(harness_count(h, EVENT_KIND_QUEUED), ==, 1);
    }
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

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/exim/arrival-options", test_arrival_options);
    g_test_add_func("/exim/both-id-forms", test_both_id_forms);
    g_test_add_func("/exim/id-every-byte", test_id_every_byte);
    g_test_add_func("/exim/same-second", test_same_second);
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
    return g_test_run();
}
