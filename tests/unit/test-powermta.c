/* PowerMTA accounting parser: header-driven columns, record types, quoting, bad records. */
#include <string.h>

#include "harness.h"
#include "timeutil.h"

extern const ParserClass powermta_parser_class;

#define HEADER                                                                                     \
    "type,timeLogged,timeQueued,orig,rcpt,orcpt,dsnAction,dsnStatus,dsnDiag,dsnMta,bounceCat,"     \
    "srcType,srcMta,dlvType,dlvSourceIp,dlvDestinationIp,dlvEsmtpAvailable,dlvSize,vmta,jobId,"    \
    "envId,header_Message-Id,feedbackType,reportingMta,dsnReportingMta\n"

static Harness *
run(const char *text)
{
    return harness_run(&powermta_parser_class, text, strlen(text), 2026);
}

static char *
fmt_time(gint64 t)
{
    char buf[32];
    return g_strdup(time_format(t, buf, sizeof buf));
}

static gboolean
has_note(Harness *h, const char *needle)
{
    for (guint i = 0; i < h->stats->notes->len; i++)
        if (strstr(h->stats->notes->pdata[i], needle))
            return TRUE;
    return FALSE;
}

static void
test_sample(void)
{
    g_autoptr(Harness) h =
        harness_run_file(&powermta_parser_class, "samples/powermta/acct-pmta1.csv", 2026);
    g_assert_cmpuint(h->stats->lines, ==, 25);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 0);
    g_assert_cmpuint(h->stats->lines_used, ==, 25);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_QUEUED), ==, 10);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DELIVERED), ==, 8);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_FAILED), ==, 2);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DEFERRED), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_BOUNCE), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_COMPLAINT), ==, 1);

    /* 0083: a bounce whose diagnostic is a quoted two-line reply */
    const Event *e = harness_nth(h, EVENT_KIND_FAILED, 0);
    g_assert_nonnull(e);
    g_assert_cmpstr(e->recipient, ==, "noah.bauer@gmx.de");
    g_assert_cmpstr(e->orig_recipient, ==, "noah.bauer@gmx.de");
    g_assert_cmpstr(e->sender, ==, "bounces+noah.bauer=gmx.de@news.northwind.example");
    g_assert_cmpstr(e->message_id, ==, "ws26.0083@news.northwind.example");
    g_assert_cmpstr(e->campaign, ==, "ws26");
    g_assert_cmpstr(e->envid, ==, "ws26.0083");
    g_assert_cmpstr(e->host, ==, "vmta-news");
    g_assert_cmpstr(e->enhanced, ==, "5.1.1");
    g_assert_cmpuint(e->reply_code, ==, 550);
    g_assert_nonnull(strstr(e->diagnostic, "User unknown"));
    g_assert_cmpstr(e->relay, ==, "mx00.emig.gmx.net");
    g_assert_cmpstr(e->relay_ip, ==, "198.51.100.61");
    g_assert_cmpstr(e->vendor_label, ==, "bad-mailbox");
    g_assert_cmpuint(e->line, ==, 14);          /* the record starts there and ends on line 15 */
    g_assert_cmpint(e->step, ==, STEP_UNKNOWN); /* the accounting file names no command */
    g_autofree char *t = fmt_time(e->time);
    g_assert_cmpstr(t, ==, "2026-11-24 08:01:06");
    g_assert_cmpfloat(e->delay, ==, 34.0);
    g_assert_cmpint(e->size, ==, 48188);

    /* 0086: remote bounce the next day */
    e = harness_nth(h, EVENT_KIND_BOUNCE, 0);
    g_assert_cmpstr(e->recipient, ==, "quentin.roux@orange.fr");
    g_assert_cmpstr(e->enhanced, ==, "5.2.2");
    g_assert_cmpuint(e->reply_code, ==, 552);
    g_assert_cmpstr(e->relay, ==, "mailstore12.orange.fr");
    g_assert_cmpstr(e->reporting_mta, ==, "smtp-in.orange.fr");
    g_assert_cmpstr(e->vendor_label, ==, "quota-issues");

    /* 0087: feedback loop */
    e = harness_nth(h, EVENT_KIND_COMPLAINT, 0);
    g_assert_cmpstr(e->recipient, ==, "rosa.lang@yahoo.com");
    g_assert_cmpstr(e->cause_hint, ==, "abuse");
    g_assert_cmpstr(e->reporting_mta, ==, "feedback.mail.yahoo.com");
    g_assert_cmpstr(e->message_id, ==, "ws26.0087@news.northwind.example");

    /* 0085: deferred, then delivered half an hour later */
    e = harness_nth(h, EVENT_KIND_DEFERRED, 0);
    g_assert_cmpstr(e->recipient, ==, "peter.hoffmann@t-online.de");
    g_assert_cmpuint(e->reply_code, ==, 421);
    g_assert_cmpint(e->permanence, ==, PERMANENCE_TEMPORARY);
    e = harness_nth(h, EVENT_KIND_DELIVERED, 7);
    g_assert_cmpstr(e->recipient, ==, "peter.hoffmann@t-online.de");
    g_assert_cmpfloat(e->delay, ==, 1841.0);
}

/* The same facts under two column orders, with a new header row in the middle of the file. */
static void
test_header_orders(void)
{
    const char *text =
        "type,rcpt,timeLogged,dsnStatus,dsnDiag,bounceCat,jobId\n"
        "b,a@example.com,2026-11-24 09:01:02+0100,5.1.1 (bad destination mailbox address),"
        "smtp;550 5.1.1 unknown,bad-mailbox,ws26\n"
        "type,jobId,bounceCat,dsnDiag,dsnStatus,timeLogged,rcpt,someFutureField\n"
        "b,ws26,bad-mailbox,smtp;550 5.1.1 unknown,5.1.1 (bad destination mailbox address),"
        "2026-11-24 09:01:02+0100,a@example.com,xyz\n";
    g_autoptr(Harness) h = run(text);
    g_assert_cmpuint(h->stats->lines_used, ==, 4);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_FAILED), ==, 2);
    for (guint i = 0; i < 2; i++) {
        const Event *e = harness_nth(h, EVENT_KIND_FAILED, i);
        g_assert_cmpstr(e->recipient, ==, "a@example.com");
        g_assert_cmpstr(e->enhanced, ==, "5.1.1");
        g_assert_cmpuint(e->reply_code, ==, 550);
        g_assert_cmpstr(e->diagnostic, ==, "550 5.1.1 unknown");
        g_assert_cmpstr(e->vendor_label, ==, "bad-mailbox");
        g_assert_cmpstr(e->campaign, ==, "ws26");
        g_assert_null(e->sender); /* no orig column in this configuration */
    }
    g_assert_cmpint(harness_nth(h, EVENT_KIND_FAILED, 0)->time, ==,
                    harness_nth(h, EVENT_KIND_FAILED, 1)->time);
    g_assert_cmpuint(harness_nth(h, EVENT_KIND_FAILED, 1)->line, ==, 4);
}

static void
test_quoting(void)
{
    const char *text = HEADER
        "t,2026-11-24 09:01:02+0100,,s@example.com,a@example.com,,delayed,4.2.2 (mailbox full),"
        "\"smtp;452-4.2.2 The email account that you tried to reach is over quota, "
        "\"\"please\"\" retry\n"
        "452 4.2.2 later, thanks\",\"mx.example.com (192.0.2.1)\",quota-issues,,,,,,"
        "\"8BITMIME,SIZE\",1234,vmta-a,ws26,env1,\"<m1@example.com>\",,,\n"
        "d,2026-11-24 09:05:00+0100,,s@example.com,a@example.com,,relayed,2.0.0 (success),"
        "smtp;250 ok,mx.example.com (192.0.2.1),,,,,,,,1234,vmta-a,ws26,env1,<m1@example.com>,,,\n";
    g_autoptr(Harness) h = run(text);
    g_assert_cmpuint(h->stats->lines, ==, 4);
    g_assert_cmpuint(h->stats->lines_used, ==, 4);
    const Event *e = harness_nth(h, EVENT_KIND_DEFERRED, 0);
    g_assert_nonnull(e);
    g_assert_cmpuint(e->line, ==, 2);
    g_assert_cmpuint(e->reply_code, ==, 452);
    g_assert_cmpstr(e->enhanced, ==, "4.2.2");
    /* the quoted line break survives into the diagnostic (as a space after sanitising) */
    g_assert_nonnull(strstr(e->diagnostic, "over quota, \"please\" retry 452 4.2.2 later, thanks"));
    g_assert_cmpstr(e->relay, ==, "mx.example.com");
    g_assert_cmpstr(e->relay_ip, ==, "192.0.2.1");
    g_assert_cmpstr(e->message_id, ==, "m1@example.com");
    g_assert_cmpint(e->size, ==, 1234);
    e = harness_nth(h, EVENT_KIND_DELIVERED, 0);
    g_assert_nonnull(e);
    g_assert_cmpuint(e->line, ==, 4);
}

static void
test_record_types(void)
{
    const char *text =
        "type,timeLogged,orig,rcpt,dsnAction,dsnStatus,dsnDiag,dsnMta,bounceCat,queue,"
        "feedbackType,reportingMta,dsnReportingMta\n"
        "r,2026-11-24 09:00:00+0100,s@x.example,r@example.com,,,,,,,,,\n"
        "d,2026-11-24 09:00:01+0100,s@x.example,d@example.com,relayed,2.0.0 (success),"
        "smtp;250 ok,,,,,,\n"
        "delivery,2026-11-24 09:00:01+0100,s@x.example,d2@example.com,relayed,,,,,,,,\n"
        "b,2026-11-24 09:00:02+0100,s@x.example,b@example.com,failed,5.7.1 (delivery not "
        "authorized),smtp;550 5.7.1 blocked,,spam-related,,,,\n"
        "b,2026-11-29 09:00:02+0100,s@x.example,e@example.com,failed,4.4.7 (delivery time "
        "expired),smtp;421 4.4.1 no answer,,message-expired,,,,\n"
        "t,2026-11-24 09:00:03+0100,s@x.example,t@example.com,delayed,4.4.1 (no answer from host),"
        "smtp;421 4.4.1 timeout,,no-answer-from-host,,,,\n"
        "tq,2026-11-24 09:00:04+0100,,,delayed,4.4.1 (no answer from host),"
        "x-pmta;connect timed out,,,example.com/vmta-a,,,\n"
        "rb,2026-11-25 09:00:05+0100,s@x.example,rb@example.com,failed,5.1.1 (bad destination "
        "mailbox address),smtp;550 5.1.1 "
        "gone,dns;mx.example.com,bad-mailbox,,,,dns;gw.example.com\n"
        "rs,2026-11-25 09:00:06+0100,s@x.example,rs1@example.com,delivered,2.0.0 (success),,,,,,,\n"
        "rs,2026-11-25 09:00:07+0100,s@x.example,rs2@example.com,delayed,4.0.0 (undefined "
        "status),,,,,,,\n"
        "rs,2026-11-25 09:00:08+0100,s@x.example,rs3@example.com,failed,5.0.0,,,,,,,\n"
        "rs,2026-11-25 09:00:09+0100,s@x.example,rs4@example.com,weird,,,,,,,,\n"
        "f,2026-11-25 09:00:10+0100,s@x.example,f@example.com,,,,,,,Abuse,dns;fbl.example.net,\n"
        "f,2026-11-25 09:00:11+0100,s@x.example,f2@example.com,,,,,,,opt-out,,\n"
        "zz,2026-11-25 09:00:12+0100,s@x.example,z@example.com,,,,,,,,,\n";
    g_autoptr(Harness) h = run(text);
    g_assert_cmpuint(h->stats->lines, ==, 16);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 2); /* rs "weird" and type "zz" */
    g_assert_cmpuint(harness_count(h, EVENT_KIND_QUEUED), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DELIVERED), ==, 2);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_FAILED), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_EXPIRED), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DEFERRED), ==, 2);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_BOUNCE), ==, 2);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DSN_SUCCESS), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DELAY_NOTICE), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_COMPLAINT), ==, 2);

    const Event *e = harness_nth(h, EVENT_KIND_FAILED, 0);
    g_assert_cmpstr(e->vendor_label, ==, "spam-related");
    g_assert_cmpint(e->permanence, ==, PERMANENCE_PERMANENT);
    e = harness_nth(h, EVENT_KIND_EXPIRED, 0);
    g_assert_cmpstr(e->recipient, ==, "e@example.com");
    g_assert_cmpstr(e->enhanced, ==, "4.4.7");
    e = harness_nth(h, EVENT_KIND_DEFERRED, 1); /* tq: queue-level, no recipient */
    g_assert_null(e->recipient);
    g_assert_cmpstr(e->detail, ==, "example.com/vmta-a");
    g_assert_cmpstr(e->diagnostic, ==, "x-pmta;connect timed out");
    g_assert_cmpuint(e->reply_code, ==, 0);
    e = harness_nth(h, EVENT_KIND_BOUNCE, 0);
    g_assert_cmpstr(e->relay, ==, "mx.example.com");
    g_assert_cmpstr(e->reporting_mta, ==, "gw.example.com");
    e = harness_nth(h, EVENT_KIND_BOUNCE, 1);
    g_assert_cmpstr(e->recipient, ==, "rs3@example.com");
    e = harness_nth(h, EVENT_KIND_COMPLAINT, 0);
    g_assert_cmpstr(e->cause_hint, ==, "abuse");
    g_assert_cmpstr(e->reporting_mta, ==, "fbl.example.net");
    e = harness_nth(h, EVENT_KIND_COMPLAINT, 1);
    g_assert_cmpstr(e->cause_hint, ==, "other");
    g_assert_true(has_note(h, "line 13: remote status (rs) record with an unknown dsnAction"));
    g_assert_true(has_note(h, "line 16: unknown PowerMTA record type"));
    g_assert_cmpuint(h->stats->examples->len, ==, 2);
    g_assert_true(g_str_has_prefix(h->stats->examples->pdata[0], "line 13: rs,"));
    g_assert_true(g_str_has_prefix(h->stats->examples->pdata[1], "line 16: zz,"));
}

static void
test_no_header(void)
{
    const char *text =
        "d,2026-11-24 09:00:01+0100,,s@x.example,a@example.com,,relayed,2.0.0,smtp;250 ok\n"
        "b,2026-11-24 09:00:02+0100,,s@x.example,b@example.com,,failed,5.1.1,smtp;550 no\n"
        "\n"
        "type,timeLogged,orig,rcpt\n"
        "d,2026-11-24 09:00:03+0100,s@x.example,c@example.com\n";
    g_autoptr(Harness) h = run(text);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 2);
    g_assert_cmpuint(h->stats->lines_skipped, ==, 1);
    g_assert_cmpuint(h->stats->lines_used, ==, 2);
    g_assert_cmpuint(h->stats->notes->len, ==, 1); /* one note, not one per line */
    g_assert_true(has_note(h, "without a header row (first at line 1)"));
    g_assert_true(g_str_has_prefix(h->stats->examples->pdata[0], "line 1: d,"));
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DELIVERED), ==, 1);
    g_assert_cmpstr(harness_nth(h, EVENT_KIND_DELIVERED, 0)->recipient, ==, "c@example.com");
}

static void
test_missing_fields(void)
{
    const char *text = "\xEF\xBB\xBFtype,timeLogged,orig,rcpt,dsnStatus\n"
                       "d,2026-11-24 09:00:01+0100,s@x.example,,2.0.0\n"
                       "d,yesterday,s@x.example,a@example.com,2.0.0\n"
                       "d,2026-11-24 09:00:03+0100,,b@example.com,2.0.0\n"
                       "b,2026-11-24 09:00:04+0100,s@x.example,c@example.com,bogus\n";
    g_autoptr(Harness) h = run(text);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 2);
    g_assert_true(has_note(h, "line 2: record without a recipient (rcpt)"));
    g_assert_true(has_note(h, "line 3: record without a readable timeLogged"));
    g_assert_true(g_str_has_prefix(h->stats->examples->pdata[0], "line 2: d,"));
    g_assert_true(g_str_has_prefix(h->stats->examples->pdata[1], "line 3: d,yesterday"));
    /* the rest is still reported */
    const Event *e = harness_nth(h, EVENT_KIND_DELIVERED, 0);
    g_assert_cmpstr(e->recipient, ==, "b@example.com");
    g_assert_cmpstr(e->sender, ==, ""); /* an empty orig is the null sender */
    g_assert_true(e->attempt_flags & EVENT_FLAG_NULL_SENDER);
    e = harness_nth(h, EVENT_KIND_FAILED, 0);
    g_assert_null(e->enhanced);
}

static void
test_times(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"2026-11-24 09:01:02+0100", "2026-11-24 08:01:02"},
        {"2026-11-24T09:01:02+01:00", "2026-11-24 08:01:02"},
        {"2026-11-24 09:01:02 -0500", "2026-11-24 14:01:02"},
        {"2026-11-24 08:01:02", "2026-11-24 08:01:02"}, /* no zone: --timezone (UTC here) */
        {"2026-11-24 08:01:02Z", "2026-11-24 08:01:02"},
        {"1795507262", "2026-11-24 08:01:02"},
        {"1795507262.5", "2026-11-24 08:01:02"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *text =
            g_strdup_printf("type,timeLogged,rcpt\nd,%s,a@example.com\n", cases[i].in);
        g_autoptr(Harness) h = run(text);
        const Event *e = harness_nth(h, EVENT_KIND_DELIVERED, 0);
        g_assert_nonnull(e);
        g_autofree char *t = fmt_time(e->time);
        g_assert_cmpstr(t, ==, cases[i].out);
    }
}

static void
test_huge_record(void)
{
    GString *s = g_string_new("type,timeLogged,rcpt,dsnDiag\n");
    g_string_append(s, "b,2026-11-24 09:00:01+0100,a@example.com,\"smtp;550 ");
    for (int i = 0; i < 1100; i++) /* 1.1 MB inside one quoted field, over many lines */
        g_string_append_printf(s, "%01023d\n", i);
    g_string_append(s, "\"\n");
    g_string_append(s, "d,2026-11-24 09:00:02+0100,b@example.com,smtp;250 ok\n");
    g_string_append(s, "d,2026-11-24 09:00:03+0100,c@example.com,\"smtp;250 never closed\n");
    g_autoptr(Harness) h = harness_run(&powermta_parser_class, s->str, s->len, 2026);
    g_string_free(s, TRUE);
    g_assert_cmpuint(h->stats->lines_unrecognised, >=, 1);
    g_assert_true(has_note(h, "record longer than 1 MiB"));
    g_assert_true(has_note(h, "unterminated quoted field at end of input"));
    g_assert_cmpuint(harness_count(h, EVENT_KIND_FAILED), ==, 0);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DELIVERED), ==, 1);
    g_assert_cmpstr(harness_nth(h, EVENT_KIND_DELIVERED, 0)->recipient, ==, "b@example.com");
    g_assert_cmpuint(h->stats->lines, ==,
                     h->stats->lines_used + h->stats->lines_unrecognised + h->stats->lines_skipped);
}

static void
test_probe(void)
{
    const char *hdr = HEADER "d,2026-11-24 09:00:01+0100,...\n";
    g_assert_cmpuint(powermta_parser_class.probe(hdr, strlen(hdr)), >=, 90);
    const char *bom = "\xEF\xBB\xBFtype,timeLogged,orig,rcpt,bounceCat\n";
    g_assert_cmpuint(powermta_parser_class.probe(bom, strlen(bom)), >=, 90);
    const char *bare = "d,2026-11-24 09:00:01+0100,,s@x.example,a@example.com,,relayed\n";
    guint bare_score = powermta_parser_class.probe(bare, strlen(bare));
    g_assert_cmpuint(bare_score, >, 0);
    g_assert_cmpuint(bare_score, <, 50);
    const char *other = "type,name,value\nx,1,2\n";
    g_assert_cmpuint(powermta_parser_class.probe(other, strlen(other)), <, 50);
    const char *json = "{\"type\":\"Delivery\"}\n";
    g_assert_cmpuint(powermta_parser_class.probe(json, strlen(json)), ==, 0);
    const char *syslog = "2026-11-24T09:00:00+01:00 mta1 postfix/smtp[1]: x\n";
    g_assert_cmpuint(powermta_parser_class.probe(syslog, strlen(syslog)), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/powermta/sample", test_sample);
    g_test_add_func("/powermta/header-orders", test_header_orders);
    g_test_add_func("/powermta/quoting", test_quoting);
    g_test_add_func("/powermta/record-types", test_record_types);
    g_test_add_func("/powermta/no-header", test_no_header);
    g_test_add_func("/powermta/missing-fields", test_missing_fields);
    g_test_add_func("/powermta/times", test_times);
    g_test_add_func("/powermta/huge-record", test_huge_record);
    g_test_add_func("/powermta/probe", test_probe);
    return g_test_run();
}
