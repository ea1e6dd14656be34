/* The Postfix parser: every service and status, instances, queue ids, timestamps, odd and
 * hostile lines, and the exact events of samples/postfix/mta1-mail.log. */
#include <string.h>

#include "harness.h"
#include "timeutil.h"

static const ParserClass *
klass(void)
{
    const ParserClass *k = parser_registry_find("postfix");
    g_assert_nonnull(k);
    return k;
}

static Harness *
run(const char *text)
{
    return harness_run(klass(), text, strlen(text), 2026);
}

/* The only event of a one-line log (asserts there is exactly one). */
static const Event *
only_event(Harness *h)
{
    g_assert_cmpuint(event_batch_len(h->batch), ==, 1);
    return event_batch_get(h->batch, 0);
}

static char *
utc(gint64 t)
{
    char buf[32];
    return g_strdup(time_format(t, buf, sizeof buf));
}

#define RFC "2026-11-24T09:00:01.250000+01:00 mta1 "
#define CLASSIC "Nov 24 09:00:01 mx1 "

static void
test_sent_smtp(void)
{
    g_autoptr(Harness) h =
        run(RFC "postfix-out/smtp[2110]: 4PZ9Vq0Ssjz9vWV: to=<anna.schmidt@gmail.com>, "
                "relay=gmail-smtp-in.l.google.com[142.250.102.26]:25, conn_use=3, delay=1.2, "
                "delays=0.1/0.01/0.4/0.69, dsn=2.0.0, status=sent (250 2.0.0 OK  1795507201 "
                "a640c23a62f3a-aa5f1c0b2c1si1 - gsmtp)\n");
    const Event *e = only_event(h);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DELIVERED);
    g_autofree char *t = utc(e->time);
    g_assert_cmpstr(t, ==, "2026-11-24 08:00:01");
    g_assert_cmpint(e->time % G_USEC_PER_SEC, ==, 250000);
    g_assert_cmpuint(e->line, ==, 1);
    g_assert_cmpstr(e->host, ==, "mta1/postfix-out");
    g_assert_cmpstr(e->queue_id, ==, "4PZ9Vq0Ssjz9vWV");
    g_assert_cmpstr(e->recipient, ==, "anna.schmidt@gmail.com");
    g_assert_null(e->orig_recipient);
    g_assert_cmpstr(e->relay, ==, "gmail-smtp-in.l.google.com");
    g_assert_cmpstr(e->relay_ip, ==, "142.250.102.26");
    g_assert_cmpfloat_with_epsilon(e->delay, 1.2, 1e-9);
    g_assert_cmpstr(e->enhanced, ==, "2.0.0");
    g_assert_cmpuint(e->reply_code, ==, 250);
    g_assert_cmpstr(e->diagnostic, ==,
                    "250 2.0.0 OK  1795507201 a640c23a62f3a-aa5f1c0b2c1si1 - gsmtp");
    g_assert_null(e->related_id);
    g_assert_cmpuint(e->attempt_flags, ==, 0);
    g_assert_null(e->detail);
    g_assert_cmpuint(h->stats->lines_used, ==, 1);
}

static void
check_status(const char *status, const char *text, EventKind kind, const char *detail)
{
    g_autofree char *line = g_strdup_printf(
        CLASSIC "postfix/smtp[1]: 3F2A91C0D4: to=<u@example.org>, relay=mx.example.org"
                "[192.0.2.7]:25, delay=63495, delays=63350/144/0/0, dsn=5.1.1, status=%s (%s)\n",
        status, text);
    g_autoptr(Harness) h = run(line);
    const Event *e = only_event(h);
    g_assert_cmpint(e->kind, ==, kind);
    g_assert_cmpstr(e->detail, ==, detail);
    g_assert_cmpstr(e->diagnostic, ==, text);
    g_assert_cmpfloat_with_epsilon(e->delay, 63495, 1e-9);
    g_assert_cmpstr(e->host, ==, "mx1");
}

static void
test_statuses(void)
{
    check_status("deferred",
                 "host mx.example.org[192.0.2.7] said: 450 4.2.0 try later (in reply "
                 "to RCPT TO command)",
                 EVENT_KIND_DEFERRED, NULL);
    check_status("bounced",
                 "host mx.example.org[192.0.2.7] said: 550 5.1.1 no such user (in "
                 "reply to RCPT TO command)",
                 EVENT_KIND_FAILED, NULL);
    check_status("expired", "connect to mx.example.org[192.0.2.7]:25: Connection timed out",
                 EVENT_KIND_EXPIRED, NULL);
    check_status("SOFTBOUNCE", "host mx.example.org[192.0.2.7] said: 550 5.1.1 no such user",
                 EVENT_KIND_DEFERRED, NULL);
    check_status("deliverable", "250 2.1.5 Ok", EVENT_KIND_DELIVERED, "address-verification");
    check_status("undeliverable", "host mx.example.org[192.0.2.7] said: 550 5.1.1 unknown",
                 EVENT_KIND_FAILED, "address-verification");
    check_status("undeliverable-but-not-cached", "User unknown in virtual alias table",
                 EVENT_KIND_FAILED, "address-verification");

    g_autoptr(Harness) h = run(CLASSIC "postfix/smtp[1]: 3F2A91C0D4: to=<u@example.org>, "
                                       "relay=none, delay=1, dsn=4.0.0, status=frobbed (x)\n");
    g_assert_cmpuint(event_batch_len(h->batch), ==, 0);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 1);
}

static void
test_reply_codes(void)
{
    g_autoptr(Harness) h =
        run(CLASSIC
            "postfix/smtp[1]: 3F2A91C0D4: to=<xenia.kraus@yahoo.com>, relay=mta6.am0.yahoodns"
            ".net[67.195.204.77]:25, delay=0.6, delays=0.1/0/0.4/0.1, dsn=5.0.0, status=bounced "
            "(host mta6.am0.yahoodns.net[67.195.204.77] said: 554 30 Sorry, your message to "
            "xenia.kraus@yahoo.com cannot be delivered. This mailbox is disabled (554.30) (in "
            "reply to RCPT TO command))\n" CLASSIC
            "postfix/smtp[1]: 3F2A91C0D5: to=<nora@nullmx.example>, relay=none, delay=0.2, "
            "delays=0.1/0/0.1/0, dsn=5.1.0, status=bounced (Domain nullmx.example does not "
            "accept mail (nullMX))\n" CLASSIC
            "postfix/smtp[1]: 3F2A91C0D6: to=<r@blocked.example>, relay=mx.blocked.example"
            "[203.0.113.25]:25, delay=0.3, delays=0.1/0/0.2/0, dsn=4.7.1, status=deferred "
            "(host mx.blocked.example[203.0.113.25] refused to talk to me: 554 5.7.1 Service "
            "unavailable; client host [192.0.2.10] blocked using zen.spamhaus.org)\n");
    g_assert_cmpuint(event_batch_len(h->batch), ==, 3);
    const Event *e = event_batch_get(h->batch, 0);
    g_assert_cmpuint(e->reply_code, ==, 554);
    g_assert_cmpstr(e->enhanced, ==, "5.0.0");
    g_assert_cmpstr(e->diagnostic, ==,
                    "host mta6.am0.yahoodns.net[67.195.204.77] said: 554 30 Sorry, your message "
                    "to xenia.kraus@yahoo.com cannot be delivered. This mailbox is disabled "
                    "(554.30) (in reply to RCPT TO command)");
    e = event_batch_get(h->batch, 1);
    g_assert_cmpuint(e->reply_code, ==, 0);
    g_assert_cmpstr(e->diagnostic, ==, "Domain nullmx.example does not accept mail (nullMX)");
    g_assert_null(e->relay);
    g_assert_null(e->relay_ip);
    e = event_batch_get(h->batch, 2);
    g_assert_cmpuint(e->reply_code, ==, 554);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DEFERRED);
}

static void
test_local_agents(void)
{
    g_autoptr(Harness) h = run(
        CLASSIC
        "postfix/local[9]: 2A22C263F6: to=user@hostname.example.com, orig_to=root@localhost"
        ", relay=local, delay=0.07, delays=0.04/0/0/0.03, dsn=2.0.0, status=sent (delivered "
        "to command: procmail -a \"$EXTENSION\")\n" CLASSIC
        "postfix/virtual[9]: B657F2DB195D: to=<postmaster@example.com>, relay=virtual, "
        "delay=0.52, delays=0.51/0.01/0/0, dsn=2.0.0, status=sent (delivered to maildir)\n" CLASSIC
        "postfix/pipe[9]: 0F5383D: to=<tom@example.com>, orig_to=<admin@example.com>"
        ", relay=dovecot, delay=3.4, delays=3.3/0.03/0/0.12, dsn=2.0.0, status=sent "
        "(delivered via dovecot service)\n" CLASSIC
        "postfix/lmtp[9]: AD6E41CDC05C: to=<admin@example.com>, relay=sub1.example.com"
        "[private/dovecot-lmtp], delay=0.15, delays=0.04/0/0.02/0.08, dsn=2.0.0, "
        "status=sent (250 2.0.0 <admin@example.com> qYyyBMsl9FRuZQAAA15QOA Saved)\n" CLASSIC
        "postfix/local[9]: 1A2B3C4D5E: to=<a@example.com>, relay=local, delay=0.1, "
        "delays=0.1/0/0/0, dsn=2.0.0, status=sent (forwarded as 6F7E8D9C0B)\n" CLASSIC
        "postfix/discard[9]: 25F2E5E061: to=<g@test.example.com>, relay=none, delay=0.05, "
        "delays=0.05/0/0/0, dsn=2.0.0, status=sent (test.example.com)\n");
    g_assert_cmpuint(event_batch_len(h->batch), ==, 6);
    const Event *e = event_batch_get(h->batch, 0);
    g_assert_cmpstr(e->recipient, ==, "user@hostname.example.com");
    g_assert_cmpstr(e->orig_recipient, ==, "root@localhost");
    g_assert_cmpstr(e->relay, ==, "local");
    g_assert_null(e->relay_ip);
    g_assert_cmpuint(e->attempt_flags, ==, EVENT_FLAG_LOCAL);
    g_assert_cmpstr(e->diagnostic, ==, "delivered to command: procmail -a \"$EXTENSION\"");
    e = event_batch_get(h->batch, 1);
    g_assert_cmpstr(e->relay, ==, "virtual");
    g_assert_cmpuint(e->attempt_flags, ==, EVENT_FLAG_LOCAL);
    e = event_batch_get(h->batch, 2);
    g_assert_cmpstr(e->orig_recipient, ==, "admin@example.com");
    g_assert_cmpstr(e->relay, ==, "dovecot");
    g_assert_cmpuint(e->attempt_flags, ==, EVENT_FLAG_LOCAL);
    e = event_batch_get(h->batch, 3);
    g_assert_cmpstr(e->relay, ==, "sub1.example.com");
    g_assert_null(e->relay_ip);
    g_assert_cmpuint(e->reply_code, ==, 250);
    g_assert_cmpuint(e->attempt_flags, ==, EVENT_FLAG_LOCAL);
    e = event_batch_get(h->batch, 4);
    g_assert_cmpstr(e->related_id, ==, "6F7E8D9C0B");
    e = event_batch_get(h->batch, 5);
    g_assert_null(e->relay);
    g_assert_cmpuint(e->attempt_flags, ==, 0);
}

static void
test_queued_as(void)
{
    g_autoptr(Harness) h = run(
        CLASSIC
        "postfix/smtp[1]: 4F5C64474F: to=<h@example.com>, relay=127.0.0.1[127.0.0.1]:10024"
        ", delay=2.7, delays=0.25/0.02/0.01/2.4, dsn=2.0.0, status=sent (250 2.0.0 from "
        "MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as ED01244770)\n" CLASSIC
        "postfix/smtp[1]: 0D9633D: to=<jos@example.com>, orig_to=<bestuur@example.com>, "
        "relay=mail1.example.net[10.74.103.11]:25, delay=11, delays=5.4/0.06/5.1/0.03, "
        "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as F12DF84004)\n" CLASSIC
        "postfix/smtp[1]: 0D9633E: to=<a@example.com>, relay=[::1]:10024, delay=1, "
        "delays=1/0/0/0, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4hX2Lk0QnSz3Bc9)\n" CLASSIC
        "postfix/smtp[1]: 0D9633F: to=<b@example.com>, relay=localhost[private/x], "
        "delay=1, delays=1/0/0/0, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as "
        "ABCDEF1234)\n" CLASSIC
        "postfix/smtp[1]: 0D96340: to=<c@example.com>, relay=127.0.0.1[127.0.0.1]:10024, "
        "delay=1, delays=1/0/0/0, dsn=4.0.0, status=deferred (host 127.0.0.1[127.0.0.1] "
        "said: 451 4.0.0 not queued as ABCDEF1234 (in reply to end of DATA command))\n");
    g_assert_cmpuint(event_batch_len(h->batch), ==, 5);
    const Event *e = event_batch_get(h->batch, 0);
    g_assert_cmpstr(e->related_id, ==, "ED01244770");
    g_assert_cmpuint(e->attempt_flags, ==, EVENT_FLAG_CONTENT_FILTER);
    e = event_batch_get(h->batch, 1);
    g_assert_cmpstr(e->related_id, ==, "F12DF84004");
    g_assert_cmpstr(e->orig_recipient, ==, "bestuur@example.com");
    g_assert_cmpuint(e->attempt_flags, ==, 0);
    e = event_batch_get(h->batch, 2);
    g_assert_cmpstr(e->related_id, ==, "4hX2Lk0QnSz3Bc9");
    g_assert_cmpstr(e->relay_ip, ==, "::1");
    g_assert_cmpstr(e->relay, ==, "::1");
    g_assert_cmpuint(e->attempt_flags, ==, EVENT_FLAG_CONTENT_FILTER);
    e = event_batch_get(h->batch, 3);
    g_assert_cmpuint(e->attempt_flags, ==, EVENT_FLAG_CONTENT_FILTER);
    e = event_batch_get(h->batch, 4);
    g_assert_null(e->related_id); /* not a 2xx */
    g_assert_cmpuint(e->attempt_flags, ==, 0);
}

static void
test_flags(void)
{
    g_autoptr(Harness) h = run(
        CLASSIC
        "postfix/error[1]: 2DC5552A34: to=<user@yahoo.com>, relay=none, delay=63495, "
        "delays=63350/144/0/0, dsn=4.4.2, status=deferred (delivery temporarily suspended: "
        "lost connection with mta7.am0.yahoodns.net[98.136.216.22] while sending RCPT TO)\n" CLASSIC
        "postfix/smtp[1]: 2DC5552A35: to=<f@slow.example>, relay=mx.slow.example"
        "[198.51.100.70]:25, delay=601, delays=0.29/0.01/0.3/600, dsn=4.4.2, status=deferred"
        " (conversation with mx.slow.example[198.51.100.70] timed out while sending end of "
        "data -- message may be sent more than once)\n" CLASSIC
        "postfix/retry[1]: 2DC5552A36: to=<r@example.net>, relay=none, delay=900, "
        "delays=900/0/0/0, dsn=4.4.1, status=deferred (delivery temporarily suspended: connect "
        "to mx.example.net[192.0.2.9]:25: Connection refused)\n" CLASSIC
        "postfix/qmgr[1]: 2DC5552A37: to=<q@example.net>, relay=none, delay=0.1, "
        "delays=0.1/0/0/0, dsn=4.3.0, status=deferred (mail transport unavailable)\n" CLASSIC
        "postfix/lmtp[1]: 2DC5552A38: host imap1.example.net[192.0.2.40] said: 452 4.2.2 "
        "<m@example.net> Quota exceeded (mailbox for user is full) (in reply to end of DATA "
        "command)\n");
    g_assert_cmpuint(event_batch_len(h->batch), ==, 5);
    const Event *e = event_batch_get(h->batch, 0);
    g_assert_cmpuint(e->attempt_flags, ==, EVENT_FLAG_NOT_ATTEMPTED);
    g_assert_null(e->relay);
    e = event_batch_get(h->batch, 1);
    g_assert_cmpuint(e->attempt_flags, ==, EVENT_FLAG_MAY_DUPLICATE);
    e = event_batch_get(h->batch, 2);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DEFERRED);
    g_assert_cmpuint(e->attempt_flags, ==, EVENT_FLAG_NOT_ATTEMPTED);
    g_assert_cmpstr(e->recipient, ==, "r@example.net");
    e = event_batch_get(h->batch, 3);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DEFERRED);
    g_assert_cmpstr(e->diagnostic, ==, "mail transport unavailable");
    g_assert_cmpuint(e->attempt_flags, ==, 0);
    e = event_batch_get(h->batch, 4);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_SMTP_COMMAND);
    g_assert_cmpstr(e->relay, ==, "imap1.example.net");
    g_assert_cmpuint(e->reply_code, ==, 452);
    g_assert_cmpstr(e->enhanced, ==, "4.2.2");
}

static void
test_mx_attempts(void)
{
    g_autoptr(Harness) h =
        run(CLASSIC
            "postfix/smtp[1]: ED59C3D: host mail2.example.com[1.74.253.23] said: 450 4.7.1 "
            "<user@example.com>: Recipient address rejected: Greylisted for 5 minutes (in "
            "reply to RCPT TO command)\n" CLASSIC
            "postfix/smtp[1]: B99FE3D: lost connection with mx3.hotmail.com[65.55.37.72] while "
            "receiving the initial server greeting\n" CLASSIC
            "postfix/smtp[1]: 78D6B41: conversation with mx00.gmx.com[74.208.5.4] timed out "
            "while sending end of data -- message may be sent more than once\n" CLASSIC
            "postfix/smtp[1]: 40197AA: host mg2.egov.bg[213.91.191.86] refused to talk to me: "
            "450 4.3.2 try again later\n" CLASSIC
            "postfix/smtp[1]: D0F29603B4: SASL authentication failed; server xyz.example.com"
            "[1.2.3.4] said: 535 5.7.8 Error: authentication failed\n" CLASSIC
            "postfix/smtp[1]: connect to intern.nl[194.109.6.98]:25: Connection timed out\n" CLASSIC
            "postfix/smtp[1]: B0ADE20FC7: enabling PIX workarounds: disable_esmtp "
            "delay_dotcrlf for example.com[93.184.216.34]:25\n");
    g_assert_cmpuint(h->stats->lines_used, ==, 7);
    g_assert_cmpuint(event_batch_len(h->batch), ==, 5);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_SMTP_COMMAND), ==, 5);
    const Event *e = event_batch_get(h->batch, 0);
    g_assert_cmpstr(e->queue_id, ==, "ED59C3D");
    g_assert_cmpstr(e->detail, ==, "attempt on one MX");
    g_assert_cmpstr(e->relay, ==, "mail2.example.com");
    g_assert_cmpstr(e->relay_ip, ==, "1.74.253.23");
    g_assert_cmpuint(e->reply_code, ==, 450);
    g_assert_cmpstr(e->enhanced, ==, "4.7.1");
    g_assert_cmpstr(e->diagnostic, ==,
                    "450 4.7.1 <user@example.com>: Recipient address rejected:"
                    " Greylisted for 5 minutes (in reply to RCPT TO command)");
    e = event_batch_get(h->batch, 1);
    g_assert_cmpuint(e->reply_code, ==, 0);
    g_assert_cmpstr(e->relay, ==, "mx3.hotmail.com");
    g_assert_cmpstr(e->diagnostic, ==,
                    "lost connection with mx3.hotmail.com[65.55.37.72] while "
                    "receiving the initial server greeting");
    e = event_batch_get(h->batch, 2);
    g_assert_cmpuint(e->attempt_flags, ==, EVENT_FLAG_MAY_DUPLICATE);
    e = event_batch_get(h->batch, 3);
    g_assert_cmpuint(e->reply_code, ==, 450);
    g_assert_cmpstr(e->diagnostic, ==, "450 4.3.2 try again later");
    e = event_batch_get(h->batch, 4);
    g_assert_cmpuint(e->reply_code, ==, 535);
    g_assert_cmpstr(e->relay, ==, "xyz.example.com");
}

static void
test_smtpd(void)
{
    g_autoptr(Harness) h = run(
        CLASSIC
        "postfix/smtpd[7]: connect from unknown[28.55.140.112]\n" CLASSIC
        "postfix/smtpd[7]: 4F5C64474F: client=unknown[28.55.140.112]\n" CLASSIC
        "postfix/smtpd[7]: NOQUEUE: reject: RCPT from unknown[203.0.113.9]: 554 5.7.1 "
        "<x@example.net>: Relay access denied; from=<spam@example.biz> to=<x@example.net> "
        "proto=ESMTP helo=<ylmf-pc>\n" CLASSIC
        "postfix/smtpd[7]: NOQUEUE: reject: RCPT from [182.98.255.184]:2413: 550 5.5.1 "
        "Protocol error; from=<l@yahoo.com>, to=<tom@example.com>, proto=SMTP, "
        "helo=<mx32.example.net>\n" CLASSIC
        "postfix/smtpd[7]: NOQUEUE: reject: VRFY from unknown[2001:968::2]: 454 4.7.1 "
        "<aap@henk.com>: Relay access denied; to=<aap@henk.com> proto=SMTP helo=<me>\n" CLASSIC
        "postfix/smtpd[7]: NOQUEUE: reject_warning: RCPT from example.com"
        "[93.184.216.34]: 553 5.7.1 <s@example.com>: Sender address rejected: not owned by "
        "user ph123; from=<s@example.com> to=<r@example.com> proto=ESMTP helo=<x>\n" CLASSIC
        "postfix/smtpd[7]: NOQUEUE: milter-reject: RCPT from relay.example.com[8.8.8.8]: "
        "451 4.7.1 Greylisting in action, please come back later; from=<s@example.com> "
        "to=<e@example.org> proto=ESMTP helo=<relay.example.com>\n" CLASSIC
        "postfix/smtpd[7]: 9C1A3F2B7E: reject: RCPT from h.example.com[192.0.2.77]: 550 "
        "5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in virtual "
        "mailbox table; from=<s@example.com> to=<nobody@example.org> proto=ESMTP "
        "helo=<h.example.com>\n" CLASSIC
        "postfix/smtpd[7]: lost connection after DATA (0 bytes) from unknown[72.13.58.7]\n" CLASSIC
        "postfix/smtpd[7]: disconnect from unknown[28.55.140.112] ehlo=1 mail=1 "
        "rcpt=1 data=1 quit=1 commands=5\n" CLASSIC
        "postfix/submission/smtpd[7]: warning: hostname x does not resolve to address 1.2.3.4\n");
    g_assert_cmpuint(h->stats->lines_used, ==, 11);
    g_assert_cmpuint(event_batch_len(h->batch), ==, 4);
    const Event *e = event_batch_get(h->batch, 0);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_REJECTED);
    g_assert_null(e->queue_id);
    g_assert_cmpstr(e->recipient, ==, "x@example.net");
    g_assert_cmpstr(e->sender, ==, "spam@example.biz");
    g_assert_cmpuint(e->reply_code, ==, 554);
    g_assert_cmpstr(e->enhanced, ==, "5.7.1");
    g_assert_cmpstr(e->diagnostic, ==, "554 5.7.1 <x@example.net>: Relay access denied");
    g_assert_cmpstr(e->detail, ==, "smtpd");
    e = event_batch_get(h->batch, 1);
    g_assert_cmpstr(e->recipient, ==, "tom@example.com");
    g_assert_cmpstr(e->sender, ==, "l@yahoo.com");
    g_assert_cmpstr(e->diagnostic, ==, "550 5.5.1 Protocol error");
    e = event_batch_get(h->batch, 2);
    g_assert_cmpuint(e->reply_code, ==, 451);
    g_assert_cmpstr(e->recipient, ==, "e@example.org");
    e = event_batch_get(h->batch, 3);
    g_assert_cmpstr(e->queue_id, ==, "9C1A3F2B7E");
    g_assert_cmpstr(e->enhanced, ==, "5.1.1");
}

static void
test_cleanup(void)
{
    g_autoptr(Harness) h =
        run(CLASSIC
            "postfix/cleanup[3]: 0F5383D: message-id=<544D2523.30609@rhsoft.net>\n" CLASSIC
            "postfix/cleanup[3]: 4104E3D: message-id=<>\n" CLASSIC
            "postfix/cleanup[3]: 4104E3D: milter-reject: END-OF-MESSAGE from 061238241086.static"
            ".ctinets.com[61.238.241.86]: 5.7.1 Blocked by SpamAssassin; from=<wumt5@cchfdc.com>"
            " to=<voorzitter@example.com> proto=ESMTP helo=<ecsolved.com>\n" CLASSIC
            "postfix/cleanup[3]: 5A6B7C8D9E: reject: header Subject: You won!!! from "
            "h.example.net[198.51.100.3]; from=<a@example.net> to=<b@example.org> "
            "proto=ESMTP helo=<h.example.net>: 5.7.1 Spam subject refused\n" CLASSIC
            "postfix/cleanup[3]: 5A6B7C8D9F: reject: body Click here now from local; "
            "from=<a@example.net> to=<b@example.org>\n" CLASSIC
            "postfix/cleanup[3]: D95341E50350: info: header Subject: test from local; "
            "from=<from@example.com> to=<to@example.com>\n" CLASSIC
            "postfix/cleanup[3]: ADD961003206D: message-id==?UTF-8?B?PDE5?=\n");
    g_assert_cmpuint(h->stats->lines_used, ==, 7);
    g_assert_cmpuint(event_batch_len(h->batch), ==, 6);
    const Event *e = event_batch_get(h->batch, 0);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_QUEUED);
    g_assert_cmpstr(e->message_id, ==, "544D2523.30609@rhsoft.net");
    e = event_batch_get(h->batch, 1);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_QUEUED);
    g_assert_null(e->message_id);
    e = event_batch_get(h->batch, 2);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_REJECTED);
    g_assert_cmpstr(e->queue_id, ==, "4104E3D");
    g_assert_cmpstr(e->enhanced, ==, "5.7.1");
    g_assert_cmpuint(e->reply_code, ==, 0);
    g_assert_cmpstr(e->diagnostic, ==, "5.7.1 Blocked by SpamAssassin");
    g_assert_cmpstr(e->sender, ==, "wumt5@cchfdc.com");
    g_assert_cmpstr(e->recipient, ==, "voorzitter@example.com");
    g_assert_cmpstr(e->detail, ==, "milter");
    e = event_batch_get(h->batch, 3);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_REJECTED);
    g_assert_cmpstr(e->detail, ==, "header_checks");
    g_assert_cmpstr(e->diagnostic, ==, "5.7.1 Spam subject refused");
    g_assert_cmpstr(e->enhanced, ==, "5.7.1");
    g_assert_cmpstr(e->recipient, ==, "b@example.org");
    e = event_batch_get(h->batch, 4);
    g_assert_cmpstr(e->detail, ==, "body_checks");
    g_assert_cmpstr(e->diagnostic, ==, "body Click here now from local");
    e = event_batch_get(h->batch, 5);
    g_assert_cmpstr(e->message_id, ==, "=?UTF-8?B?PDE5?=");
}

static void
test_qmgr_pickup(void)
{
    g_autoptr(Harness) h = run(
        CLASSIC "postfix/qmgr[4]: 0F5383D: from=<owner-postfix-users@postfix.org>, size=5360, "
                "nrcpt=2 (queue active)\n" CLASSIC
                "postfix/qmgr[4]: A7E673C067: from=<>, size=3503, nrcpt=1 (queue active)\n" CLASSIC
                "postfix/qmgr[4]: 585BC3F: from=<u@example.tw>, status=expired, returned to "
                "sender\n" CLASSIC "postfix/qmgr[4]: 0F5383D: removed\n" CLASSIC
                "postfix/qmgr[4]: ED06590130AA1C9D6D862: skipped, still being delivered\n" CLASSIC
                "postfix/pickup[5]: D2FAE20586: uid=0 from=<fail2ban>\n" CLASSIC
                "postfix/postsuper[6]: D4F2023DB: removed\n" CLASSIC
                "postfix/postsuper[6]: Deleted: 115 messages\n" CLASSIC
                "postfix/qmgr[4]: 0F5383E: from=<a@example.org>, size=53\n" CLASSIC
                "postfix/pickup[5]: D2FAE20587: uid=0 from=<fail2b\n");
    g_assert_cmpuint(h->stats->lines_used, ==, 8);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 2);
    g_assert_cmpuint(event_batch_len(h->batch), ==, 6);
    const Event *e = event_batch_get(h->batch, 0);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_QUEUED);
    g_assert_cmpstr(e->sender, ==, "owner-postfix-users@postfix.org");
    g_assert_cmpint(e->size, ==, 5360);
    g_assert_cmpuint(e->nrcpt, ==, 2);
    g_assert_cmpuint(e->attempt_flags, ==, 0);
    e = event_batch_get(h->batch, 1);
    g_assert_cmpstr(e->sender, ==, "");
    g_assert_cmpuint(e->attempt_flags, ==, EVENT_FLAG_NULL_SENDER);
    e = event_batch_get(h->batch, 2);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_EXPIRED);
    g_assert_null(e->recipient);
    g_assert_cmpstr(e->sender, ==, "u@example.tw");
    g_assert_cmpstr(e->queue_id, ==, "585BC3F");
    e = event_batch_get(h->batch, 3);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_MESSAGE_END);
    g_assert_null(e->detail);
    e = event_batch_get(h->batch, 4);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_QUEUED);
    g_assert_cmpstr(e->sender, ==, "fail2ban");
    e = event_batch_get(h->batch, 5);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_MESSAGE_END);
    g_assert_cmpstr(e->detail, ==, "postsuper");
}

static void
test_bounce(void)
{
    g_autoptr(Harness) h =
        run(CLASSIC
            "postfix/bounce[2]: 17CCA8044: sender non-delivery notification: ADD2F8052\n" CLASSIC
            "postfix/bounce[2]: 264FE1A18: sender delay notification: 0A87A1A08\n" CLASSIC
            "postfix/bounce[2]: 65AFB8B5: sender delivery status notification: "
            "1DF35917\n" CLASSIC
            "postfix/bounce[2]: 482E4404AC8: postmaster non-delivery notification: "
            "47335405A44\n" CLASSIC
            "postfix/bounce[2]: 482E4404AC9: sender non-delivery notif\n" CLASSIC
            "postfix/bounce[2]: warning: malformed request\n");
    g_assert_cmpuint(event_batch_len(h->batch), ==, 4);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 1);
    static const char *const details[] = {"non-delivery", "delay", "success",
                                          "postmaster non-delivery"};
    static const char *const related[] = {"ADD2F8052", "0A87A1A08", "1DF35917", "47335405A44"};
    for (guint i = 0; i < 4; i++) {
        const Event *e = event_batch_get(h->batch, i);
        g_assert_cmpint(e->kind, ==, EVENT_KIND_NOTIFICATION);
        g_assert_cmpstr(e->detail, ==, details[i]);
        g_assert_cmpstr(e->related_id, ==, related[i]);
    }
}

static void
test_quiet_services(void)
{
    g_autoptr(Harness) h = run(
        CLASSIC
        "postfix/postscreen[1]: CONNECT from [61.238.241.86]:53024 to [89.105.204.244]:25\n" CLASSIC
        "postfix/postscreen[1]: NOQUEUE: reject: RCPT from [27.157.200.233]:4984: "
        "550 5.7.1 Service unavailable; client [27.157.200.233] blocked using "
        "zen.spamhaus.org; from=<h@qhhn.com>, to=<t@example.com>, proto=ESMTP, helo=<x>\n" CLASSIC
        "postfix/anvil[1]: statistics: max connection rate 1/60s for "
        "(smtpd:61.238.241.86) at Oct 26 18:13:50\n" CLASSIC
        "postfix/scache[1]: statistics: domain lookup hits=0 miss=1 success=0%\n" CLASSIC
        "postfix/tlsmgr[1]: warning: request to update table btree:/var/lib/x in "
        "non-postfix directory /var/spool/postfix\n" CLASSIC
        "postfix/master[1]: daemon started -- version 3.7.11, configuration /etc/postfix\n" CLASSIC
        "postfix/dnsblog[1]: addr 61.238.241.86 listed by domain psbl.surriel.com "
        "as 127.0.0.2\n" CLASSIC
        "postfix/postfix-script[1]: starting the Postfix mail system\n" CLASSIC
        "postfix/smtp[1]: warning: problem talking to service private/scache: Connection "
        "timed out\n" CLASSIC
        "postfix/smtp[1]: Untrusted TLS connection established to mx4.hotmail.com"
        "[65.55.92.136]:25: TLSv1.2 with cipher ECDHE-RSA-AES256-SHA384 (256/256 bits)\n");
    g_assert_cmpuint(h->stats->lines_used, ==, 10);
    g_assert_cmpuint(event_batch_len(h->batch), ==, 0);
}

static void
test_other_programs(void)
{
    g_autoptr(Harness) h =
        run(CLASSIC "kernel: [812345.123456] [UFW BLOCK] IN=eth0 OUT= SRC=185.234.219.61\n" CLASSIC
                    "dovecot: imap-login: Login: user=<ops@example.org>, method=PLAIN\n" CLASSIC
                    "amavis[10410]: (10410-08) Passed SPAM {RelayedTaggedInbound}, Queue-ID: "
                    "4F5C64474F, queued_as: ED01244770, 2426 ms\n" CLASSIC
                    "opendkim[812]: 4F5C64474F: DKIM-Signature field added (s=x, d=example.org)\n"
                    "\n   \n" CLASSIC "postfixadmin[3]: login\n" CLASSIC "postfix[3]: hello\n");
    g_assert_cmpuint(h->stats->lines_skipped, ==, 8);
    g_assert_cmpuint(h->stats->lines_used, ==, 0);
    g_assert_cmpuint(event_batch_len(h->batch), ==, 0);
}

static void
test_garbage(void)
{
    g_autoptr(Harness) h =
        run("garbage\n"
            "ir/)\n"
            "\x01\x02\x03\xff\xfe binary\n"
            "Nov 24 09:00:01\n"
            "Nov 24 09:00:01 mx1\n"
            "Nov 24 09:00:01 mx1 postfix/sm\n"
            "2026-11-29T11:59:59.874000+01:00 mta1 postfix-out/sc\n"
            "2026-13-29T11:59:59+01:00 mta1 postfix/smtp[1]: x\n"
            "Nox 24 09:00:01 mx1 postfix/smtp[1]: x\n"
            "Nov 24 09:00:01 mx1 postfix/smtp[1]: 3F2A91C0D4: to=<a@b>, relay=x[1.2.3.4]:25, del\n"
            "Nov 24 09:00:01 mx1 postfix/smtp[1]: 3F2A91C0D4: to=<a@b\n"
            "Nov 24 09:00:01 mx1 postfix/smtp[1]: 3F2A91C0D4: to=\n"
            "Nov 24 09:00:01 mx1 postfix/smtp[1]: 3F2A91C0D4: to=<a@b>, status=\n"
            "Nov 24 09:00:01 mx1 postfix/qmgr[1]: 3F2A91C0D4: from=<a@b>, size=1, nrcpt=x (queue "
            "active)\n"
            "Nov 24 09:00:01 mx1 postfix/smtpd[1]: NOQUEUE: reject: RCPT\n"
            "Nov 24 09:00:01 mx1 postfix/smtpd[1]: NOQUEUE: reject: RCPT from h[1.2.3.4]\n");
    g_assert_cmpuint(h->stats->lines, ==, 16);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 16);
    g_assert_cmpuint(event_batch_len(h->batch), ==, 0);
    g_assert_cmpuint(h->stats->examples->len, ==, INPUT_STATS_MAX_EXAMPLES);
}

static void
test_truncated_text(void)
{
    /* a line wrapped by a broken logger: the status is there, the text is cut */
    g_autoptr(Harness) h = run(
        "Sep 30 20:46:08 smtpnode16 postfix-239.58.50.50/local[23557]: A7E673C067: "
        "to=<h-498b@h-5e67b9b4406.com>, relay=local, delay=0.14, delays=0.01/0/0.11/0.02, "
        "dsn=2.0.0, status=sent (delivered to command: procmail -a \"$EXTENSION\" DEFAULT=$HOME/"
        "Maild\nir/)\n");
    g_assert_cmpuint(h->stats->lines_used, ==, 1);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 1);
    const Event *e = only_event(h);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DELIVERED);
    g_assert_cmpstr(e->host, ==, "smtpnode16/postfix-239.58.50.50");
    g_assert_cmpstr(e->diagnostic, ==,
                    "delivered to command: procmail -a \"$EXTENSION\" DEFAULT=$HOME/Maild");
}

static void
test_instances(void)
{
    g_autoptr(Harness) h =
        run(CLASSIC "postfix-out/qmgr[1]: 3F2A91C0D4: removed\n" CLASSIC
                    "postfix/qmgr[1]: 3F2A91C0D4: removed\n" CLASSIC
                    "postfix-1.2.3.4/qmgr[1]: 3F2A91C0D4: removed\n" CLASSIC
                    "postfix/submission/smtpd[1]: NOQUEUE: reject: RCPT from x[1.2.3.4]: 550 5.1.1 "
                    "<a@b>: no; from=<c@d> to=<a@b> proto=ESMTP helo=<x>\n" CLASSIC
                    "postfix-out/bulk/smtp[1]: 3F2A91C0D4: to=<a@b.example>, relay=none, delay=1, "
                    "delays=1/0/0/0, dsn=4.4.1, status=deferred (connect to b.example[1.2.3.4]:25: "
                    "Connection refused)\n");
    g_assert_cmpuint(event_batch_len(h->batch), ==, 5);
    g_assert_cmpstr(event_batch_get(h->batch, 0)->host, ==, "mx1/postfix-out");
    g_assert_cmpstr(event_batch_get(h->batch, 1)->host, ==, "mx1");
    g_assert_cmpstr(event_batch_get(h->batch, 2)->host, ==, "mx1/postfix-1.2.3.4");
    /* a master.cf service's own syslog_name shares the queue of its instance */
    g_assert_cmpstr(event_batch_get(h->batch, 3)->host, ==, "mx1");
    g_assert_cmpstr(event_batch_get(h->batch, 4)->host, ==, "mx1/postfix-out");

    /* a very long instance name is cut, not overflowed */
    g_autofree char *inst = g_strnfill(1000, 'x');
    g_autofree char *line =
        g_strdup_printf(CLASSIC "postfix-%s/qmgr[1]: 3F2A91C0D4: removed\n", inst);
    g_autoptr(Harness) h2 = run(line);
    const Event *e = only_event(h2);
    g_assert_true(g_str_has_prefix(e->host, "mx1/postfix-xxx"));
    g_assert_cmpuint(strlen(e->host), <, 256);
}

static void
test_queue_ids(void)
{
    g_autoptr(Harness) h = run(CLASSIC "postfix/qmgr[1]: 3F2A91C0D4: removed\n" CLASSIC
                                       "postfix/qmgr[1]: 4PZ9Vq0Ssjz9vWV: removed\n" CLASSIC
                                       "postfix/qmgr[1]: 48rT2v1hQrz1J0N: removed\n" CLASSIC
                                       "postfix/qmgr[1]: ED06590130AA1C9D6D862: removed\n"
                               /* not queue ids: vowels, lower-case hex without 'z', too short */
                               CLASSIC "postfix/qmgr[1]: statistics: removed\n" CLASSIC
                                       "postfix/qmgr[1]: 3f2a91c0d4: removed\n" CLASSIC
                                       "postfix/qmgr[1]: 3F2A: removed\n" CLASSIC
                                       "postfix/qmgr[1]: warning: removed\n");
    g_assert_cmpuint(h->stats->lines_used, ==, 8);
    g_assert_cmpuint(event_batch_len(h->batch), ==, 4);
    g_assert_cmpstr(event_batch_get(h->batch, 1)->queue_id, ==, "4PZ9Vq0Ssjz9vWV");
    g_assert_cmpstr(event_batch_get(h->batch, 2)->queue_id, ==, "48rT2v1hQrz1J0N");
    g_assert_cmpstr(event_batch_get(h->batch, 3)->queue_id, ==, "ED06590130AA1C9D6D862");
}

static void
test_timestamps(void)
{
    g_autoptr(Harness) h =
        run("Dec 31 23:59:58 mx1 postfix/qmgr[1]: 3F2A91C0D4: removed\n"
            "Jan  1 00:00:02 mx1 postfix/qmgr[1]: 3F2A91C0D5: removed\n"
            "2027-01-01T01:00:03.5+01:00 mx1 postfix/qmgr[1]: 3F2A91C0D6: removed\n"
            "2027-01-01T00:00:04Z mx1 postfix/qmgr[1]: 3F2A91C0D7: removed\n");
    g_assert_cmpuint(event_batch_len(h->batch), ==, 4);
    g_autofree char *t0 = utc(event_batch_get(h->batch, 0)->time);
    g_autofree char *t1 = utc(event_batch_get(h->batch, 1)->time);
    g_autofree char *t2 = utc(event_batch_get(h->batch, 2)->time);
    g_autofree char *t3 = utc(event_batch_get(h->batch, 3)->time);
    g_assert_cmpstr(t0, ==, "2026-12-31 23:59:58");
    g_assert_cmpstr(t1, ==, "2027-01-01 00:00:02");
    g_assert_cmpstr(t2, ==, "2027-01-01 00:00:03");
    g_assert_cmpstr(t3, ==, "2027-01-01 00:00:04");
    g_assert_cmpint(event_batch_get(h->batch, 2)->time % G_USEC_PER_SEC, ==, 500000);
}

/* Feeds one line straight to the parser (the input layer cuts lines above 256 KiB). */
static LineResult
feed_direct(char *line, gsize len, EventBatch *batch)
{
    InputStats *stats = input_stats_new();
    ParserOptions options = {.year = 2026};
    ParserContext ctx = {
        .input = 1, .name = "t", .batch = batch, .stats = stats, .options = &options};
    gpointer p = klass()->new (&ctx);
    LineResult r = klass()->feed_line(p, line, len, 1);
    klass()->finish(p, NULL);
    klass()->free(p);
    input_stats_free(stats);
    return r;
}

static void
test_huge_lines(void)
{
    const gsize big = 1024 * 1024;
    GString *s = g_string_new(CLASSIC "postfix/smtp[1]: 3F2A91C0D4: to=<a@b.example>, relay=mx.b"
                                      ".example[192.0.2.1]:25, delay=1, delays=1/0/0/0, dsn=5.0.0"
                                      ", status=bounced (host mx.b.example[192.0.2.1] said: 550 ");
    while (s->len < big)
        g_string_append(s, "(((( x ");
    g_string_append(s, "))");
    g_autoptr(EventBatch) batch = event_batch_new();
    g_assert_cmpint(feed_direct(s->str, s->len, batch), ==, LINE_USED);
    g_assert_cmpuint(event_batch_len(batch), ==, 1);
    const Event *e = event_batch_get(batch, 0);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_FAILED);
    g_assert_cmpuint(e->reply_code, ==, 550);
    g_assert_cmpuint(strlen(e->diagnostic), <=, 4096);
    g_string_free(s, TRUE);

    /* a 1 MB recipient, a 1 MB garbage line, a 1 MB queue-id-like token */
    GString *r = g_string_new(CLASSIC "postfix/smtp[1]: 3F2A91C0D4: to=<");
    while (r->len < big)
        g_string_append_c(r, 'a');
    g_string_append(r, ">, relay=none, delay=1, dsn=4.0.0, status=deferred (x)");
    g_autoptr(EventBatch) b2 = event_batch_new();
    g_assert_cmpint(feed_direct(r->str, r->len, b2), ==, LINE_USED);
    g_assert_cmpuint(strlen(event_batch_get(b2, 0)->recipient), <=, 4096);
    g_string_free(r, TRUE);

    g_autofree char *junk = g_strnfill(big, '<');
    g_autoptr(EventBatch) b3 = event_batch_new();
    g_assert_cmpint(feed_direct(junk, big, b3), ==, LINE_UNRECOGNISED);

    GString *q = g_string_new(CLASSIC "postfix/qmgr[1]: ");
    while (q->len < big)
        g_string_append_c(q, 'A');
    g_string_append(q, ": removed");
    g_autoptr(EventBatch) b4 = event_batch_new();
    g_assert_cmpint(feed_direct(q->str, q->len, b4), ==, LINE_USED);
    g_assert_cmpuint(event_batch_len(b4), ==, 0);
    g_string_free(q, TRUE);

    /* through the input layer: counted, not fed */
    g_autofree char *huge = g_strnfill(big, 'x');
    g_autofree char *text = g_strconcat(huge, "\n", CLASSIC,
                                        "postfix/qmgr[1]: 3F2A91C0D4: "
                                        "removed\n",
                                        NULL);
    g_autoptr(Harness) h = run(text);
    g_assert_cmpuint(h->stats->lines, ==, 2);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 1);
    g_assert_cmpuint(event_batch_len(h->batch), ==, 1);
}

static void
test_invalid_utf8(void)
{
    g_autoptr(Harness) h =
        run(CLASSIC "postfix/smtp[1]: 3F2A91C0D4: to=<j\xc3\xbcrgen\xff@b\xe9.example>, relay=mx"
                    "\xfe[192.0.2.1]:25, delay=1, delays=1/0/0/0, dsn=5.1.1, status=bounced (host "
                    "mx[192.0.2.1] said: 550 5.1.1 unbekannter Empf\xe4nger \xc3\x28 (in reply to "
                    "RCPT TO command))\n");
    const Event *e = only_event(h);
    const char *fields[] = {e->host,  e->queue_id,   e->recipient,
                            e->relay, e->diagnostic, e->enhanced};
    for (gsize i = 0; i < G_N_ELEMENTS(fields); i++) {
        g_assert_nonnull(fields[i]);
        g_assert_true(g_utf8_validate(fields[i], -1, NULL));
    }
    g_assert_true(g_str_has_prefix(e->recipient, "j\xc3\xbcrgen"));
    g_assert_cmpuint(e->reply_code, ==, 550);
}

static void
test_probe(void)
{
    g_autofree char *path = harness_source_path("samples/postfix/mta1-mail.log");
    g_autofree char *text = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(path, &text, &len, NULL));
    g_assert_cmpuint(klass()->probe(text, MIN(len, (gsize)65536)), >=, 80);
    const char *other = "Nov 24 09:00:01 mx1 dovecot: imap-login: x\n"
                        "Nov 24 09:00:01 mx1 kernel: y\n";
    g_assert_cmpuint(klass()->probe(other, strlen(other)), ==, 0);
    const char *mixed = "Nov 24 09:00:01 mx1 dovecot: imap-login: x\n"
                        "Nov 24 09:00:01 mx1 postfix/smtpd[1]: connect from x[1.2.3.4]\n";
    g_assert_cmpuint(klass()->probe(mixed, strlen(mixed)), >=, 60);
    g_assert_cmpuint(klass()->probe("", 0), ==, 0);
    const ParserClass *best = parser_registry_sniff(text, MIN(len, (gsize)65536), NULL);
    g_assert_true(best == klass());
}

/* samples/postfix/mta1-mail.log: the event counts its story implies (see docs/demo-story.md). */
static void
test_sample(void)
{
    g_autoptr(Harness) h = harness_run_file(klass(), "samples/postfix/mta1-mail.log", 0);
    g_assert_cmpuint(h->stats->lines, ==, 841);
    g_assert_cmpuint(h->stats->lines_used, ==, 768);
    g_assert_cmpuint(h->stats->lines_skipped, ==, 72);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 1); /* the cut last line */
    g_assert_cmpuint(harness_count(h, EVENT_KIND_QUEUED), ==, 296);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DELIVERED), ==, 66);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DEFERRED), ==, 139);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_FAILED), ==, 11);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_EXPIRED), ==, 2);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_NOTIFICATION), ==, 14);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_MESSAGE_END), ==, 79);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_SMTP_COMMAND), ==, 3);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_REJECTED), ==, 0);
    g_assert_cmpuint(event_batch_len(h->batch), ==, 610);

    guint not_attempted = 0, local = 0, dup = 0, null_sender = 0, campaign_delivered = 0;
    for (guint i = 0; i < event_batch_len(h->batch); i++) {
        const Event *e = event_batch_get(h->batch, i);
        g_assert_true(g_str_equal(e->host, "mta1") || g_str_equal(e->host, "mta1/postfix-out"));
        g_assert_cmpint(e->time, >=, 1795507104000000); /* 2026-11-24T07:58:24Z */
        g_assert_cmpint(e->time, <, 1795950000000000);  /* 2026-11-29T11:00:00Z */
        not_attempted += (e->attempt_flags & EVENT_FLAG_NOT_ATTEMPTED) != 0;
        local += (e->attempt_flags & EVENT_FLAG_LOCAL) != 0;
        dup += (e->attempt_flags & EVENT_FLAG_MAY_DUPLICATE) != 0;
        null_sender += (e->attempt_flags & EVENT_FLAG_NULL_SENDER) != 0;
        g_assert_false(e->attempt_flags & EVENT_FLAG_CONTENT_FILTER);
        if (e->kind == EVENT_KIND_DELIVERED && !(e->attempt_flags & EVENT_FLAG_LOCAL))
            campaign_delivered++;
    }
    g_assert_cmpuint(not_attempted, ==, 7);       /* 0016 */
    g_assert_cmpuint(local, ==, 20);              /* 14 DSNs and 6 inbound, over LMTP */
    g_assert_cmpuint(dup, ==, 1);                 /* 0032 */
    g_assert_cmpuint(null_sender, ==, 17);        /* 14 own DSNs, 3 inbound from <> */
    g_assert_cmpuint(campaign_delivered, ==, 46); /* 0001-0060 less 11 bounced, 0017, 0018, 0021 */

    /* 0024: the Yahoo text with its own parentheses */
    gboolean seen = FALSE;
    for (guint i = 0; i < event_batch_len(h->batch); i++) {
        const Event *e = event_batch_get(h->batch, i);
        if (e->kind != EVENT_KIND_FAILED || g_strcmp0(e->recipient, "xenia.kraus@yahoo.com") != 0)
            continue;
        seen = TRUE;
        g_assert_cmpstr(e->queue_id, ==, "4jYZwq6rcqzNx9m");
        g_assert_cmpstr(e->host, ==, "mta1/postfix-out");
        g_assert_cmpuint(e->reply_code, ==, 554);
        g_assert_cmpstr(e->enhanced, ==, "5.0.0");
        g_assert_true(g_str_has_suffix(e->diagnostic, "(554.30) (in reply to RCPT TO command)"));
    }
    g_assert_true(seen);
    /* the two expiries and the still-deferred 0021 */
    const Event *x = harness_nth(h, EVENT_KIND_EXPIRED, 0);
    g_assert_cmpstr(x->queue_id, ==, "4jYZwm2XT0zPxbF");
    x = harness_nth(h, EVENT_KIND_EXPIRED, 1);
    g_assert_cmpstr(x->queue_id, ==, "4jYZwm6Gz5z7NRd");
    const Event *last = NULL;
    for (guint i = 0; i < event_batch_len(h->batch); i++) {
        const Event *e = event_batch_get(h->batch, i);
        if (g_strcmp0(e->queue_id, "4jYZwp33Wpz26bN") == 0 && e->kind != EVENT_KIND_QUEUED)
            last = e;
    }
    g_assert_nonnull(last);
    g_assert_cmpint(last->kind, ==, EVENT_KIND_DEFERRED);
    g_assert_cmpstr(last->enhanced, ==, "4.7.4");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/postfix/sent-smtp", test_sent_smtp);
    g_test_add_func("/postfix/statuses", test_statuses);
    g_test_add_func("/postfix/reply-codes", test_reply_codes);
    g_test_add_func("/postfix/local-agents", test_local_agents);
    g_test_add_func("/postfix/queued-as", test_queued_as);
    g_test_add_func("/postfix/flags", test_flags);
    g_test_add_func("/postfix/mx-attempts", test_mx_attempts);
    g_test_add_func("/postfix/smtpd", test_smtpd);
    g_test_add_func("/postfix/cleanup", test_cleanup);
    g_test_add_func("/postfix/qmgr-pickup", test_qmgr_pickup);
    g_test_add_func("/postfix/bounce", test_bounce);
    g_test_add_func("/postfix/quiet-services", test_quiet_services);
    g_test_add_func("/postfix/other-programs", test_other_programs);
    g_test_add_func("/postfix/garbage", test_garbage);
    g_test_add_func("/postfix/truncated-text", test_truncated_text);
    g_test_add_func("/postfix/instances", test_instances);
    g_test_add_func("/postfix/queue-ids", test_queue_ids);
    g_test_add_func("/postfix/timestamps", test_timestamps);
    g_test_add_func("/postfix/huge-lines", test_huge_lines);
    g_test_add_func("/postfix/invalid-utf8", test_invalid_utf8);
    g_test_add_func("/postfix/probe", test_probe);
    g_test_add_func("/postfix/sample", test_sample);
    return g_test_run();
}
