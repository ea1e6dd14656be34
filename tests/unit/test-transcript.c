/* SMTP session transcripts in every supported style. */
#include <string.h>

#include "harness.h"
#include "timeutil.h"

static const ParserClass *
klass(void)
{
    const ParserClass *k = parser_registry_find("transcript");
    g_assert_nonnull(k);
    return k;
}

static Harness *
run(const char *text)
{
    return harness_run(klass(), text, strlen(text), 2026);
}

static Harness *
run_file(const char *name)
{
    g_autofree char *path = g_build_filename("tests/data/transcript", name, NULL);
    return harness_run_file(klass(), path, 2026);
}

/* The outcome event (delivered, deferred or failed) of a recipient. */
static const Event *
outcome(Harness *h, const char *recipient)
{
    const Event *found = NULL;
    for (guint i = 0; i < event_batch_len(h->batch); i++) {
        const Event *e = event_batch_get(h->batch, i);
        if ((e->kind == EVENT_KIND_DELIVERED || e->kind == EVENT_KIND_DEFERRED ||
             e->kind == EVENT_KIND_FAILED) &&
            g_strcmp0(e->recipient, recipient) == 0) {
            g_assert_null(found); /* one outcome per recipient and transaction */
            found = e;
        }
    }
    return found;
}

static guint
outcomes(Harness *h)
{
    return harness_count(h, EVENT_KIND_DELIVERED) + harness_count(h, EVENT_KIND_DEFERRED) +
           harness_count(h, EVENT_KIND_FAILED);
}

/* The command event whose detail starts with prefix (n-th match). */
static const Event *
command(Harness *h, const char *prefix, guint n)
{
    for (guint i = 0; i < event_batch_len(h->batch); i++) {
        const Event *e = event_batch_get(h->batch, i);
        if (e->kind == EVENT_KIND_SMTP_COMMAND && e->detail &&
            g_str_has_prefix(e->detail, prefix) && n-- == 0)
            return e;
    }
    return NULL;
}

static void
assert_clean(Harness *h)
{
    if (h->stats->lines_unrecognised != 0)
        for (guint i = 0; i < h->stats->examples->len; i++)
            g_printerr("%s\n", (char *)h->stats->examples->pdata[i]);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 0);
}

static const char *
fmt_time(gint64 t)
{
    static char buf[32];
    return time_format(t, buf, sizeof buf);
}

static void
test_rfc_pipelining(void)
{
    g_autoptr(Harness) h = run_file("rfc-pipelining.txt");
    assert_clean(h);
    /* greeting, EHLO, MAIL, 3 x RCPT, DATA, ".", QUIT */
    g_assert_cmpuint(harness_count(h, EVENT_KIND_SMTP_COMMAND), ==, 9);
    const Event *e = command(h, "(greeting)", 0);
    g_assert_cmpint(e->step, ==, STEP_GREETING);
    g_assert_cmpuint(e->reply_code, ==, 220);
    e = command(h, "EHLO", 0);
    g_assert_cmpint(e->step, ==, STEP_HELO);
    g_assert_cmpuint(e->reply_code, ==, 250);
    g_assert_true(strstr(e->diagnostic, "250-PIPELINING") != NULL);
    e = command(h, "RCPT TO:<nobody", 0);
    g_assert_cmpint(e->step, ==, STEP_RCPT_TO);
    g_assert_cmpint(e->step_confidence, ==, CONFIDENCE_EXPLICIT);
    g_assert_cmpuint(e->reply_code, ==, 550);
    g_assert_cmpstr(e->enhanced, ==, "5.1.1");
    g_assert_cmpstr(e->recipient, ==, "nobody@example.org");
    e = command(h, "DATA", 0);
    g_assert_cmpuint(e->reply_code, ==, 354);
    g_assert_cmpint(e->step, ==, STEP_DATA);

    g_assert_cmpuint(outcomes(h), ==, 3);
    e = outcome(h, "nobody@example.org");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_FAILED);
    g_assert_cmpint(e->step, ==, STEP_RCPT_TO);
    g_assert_cmpint(e->step_confidence, ==, CONFIDENCE_EXPLICIT);
    g_assert_cmpuint(e->reply_code, ==, 550);
    g_assert_cmpstr(e->enhanced, ==, "5.1.1");
    g_assert_cmpstr(e->diagnostic, ==,
                    "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown "
                    "in virtual mailbox table");
    g_assert_cmpstr(e->detail, ==, "RCPT TO:<nobody@example.org> NOTIFY=FAILURE");
    g_assert_cmpstr(e->sender, ==, "bounces+a=example.org@news.northwind.example");
    g_assert_null(e->message_id); /* refused before the DATA that names it */

    e = outcome(h, "full@example.org");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DEFERRED);
    g_assert_cmpint(e->step, ==, STEP_RCPT_TO);
    g_assert_cmpstr(e->enhanced, ==, "4.2.2");

    e = outcome(h, "a@example.org");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DELIVERED);
    g_assert_cmpint(e->step, ==, STEP_END_OF_DATA);
    g_assert_cmpuint(e->reply_code, ==, 250);
    g_assert_cmpstr(e->related_id, ==, "4XkQ2b1Yz9z");
    g_assert_cmpstr(e->message_id, ==, "ws26.9001@news.northwind.example"); /* folded header */
    g_assert_cmpstr(e->campaign, ==, "ws26");
    g_assert_cmpstr(e->sender, ==, "bounces+a=example.org@news.northwind.example");
    g_assert_cmpuint(e->time, ==, 0); /* no time stamps in this transcript */
}

static void
test_rfc_rset_second_message(void)
{
    g_autoptr(Harness) h = run_file("rfc-rset.txt");
    assert_clean(h);
    g_assert_null(outcome(h, "first@example.net")); /* the client reset that transaction */
    const Event *e = command(h, "RSET", 0);
    g_assert_cmpint(e->step, ==, STEP_QUIT);
    g_assert_cmpuint(e->reply_code, ==, 250);
    g_assert_cmpstr(command(h, "MAIL FROM:<>", 0)->sender, ==, "");

    e = outcome(h, "second@example.net");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DELIVERED);
    g_assert_cmpstr(e->related_id, ==, "1tZzZz-0001AB-Cd");
    g_assert_cmpstr(e->message_id, ==, "m2@news.northwind.example");
    g_assert_cmpstr(e->sender, ==, "bounces@news.northwind.example");

    e = outcome(h, "third@example.net");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DEFERRED);
    g_assert_cmpint(e->step, ==, STEP_END_OF_DATA);
    g_assert_cmpuint(e->reply_code, ==, 451);
    g_assert_cmpstr(e->enhanced, ==, "4.3.0");
    g_assert_null(e->message_id); /* a new transaction forgets the last Message-ID */
    g_assert_null(e->related_id);
}

static void
test_swaks_starttls_auth(void)
{
    g_autoptr(Harness) h = run_file("swaks-starttls-auth.txt");
    assert_clean(h);
    const Event *e = command(h, "STARTTLS", 0);
    g_assert_cmpint(e->step, ==, STEP_TLS);
    g_assert_cmpuint(e->reply_code, ==, 220);
    g_assert_cmpstr(e->relay, ==, "smtp.example.com");
    g_assert_nonnull(command(h, "EHLO", 1)); /* again after STARTTLS */
    e = command(h, "AUTH LOGIN", 0);
    g_assert_cmpint(e->step, ==, STEP_HELO);
    g_assert_cmpuint(e->reply_code, ==, 334);
    e = command(h, "(authentication data)", 1);
    g_assert_cmpuint(e->reply_code, ==, 235);
    /* credentials never reach an event */
    for (guint i = 0; i < event_batch_len(h->batch); i++) {
        const Event *x = event_batch_get(h->batch, i);
        g_assert_true(x->detail == NULL || strstr(x->detail, "c2VjcmV0") == NULL);
        g_assert_true(x->detail == NULL || strstr(x->detail, "bm9ydGh3aW5k") == NULL);
    }
    e = outcome(h, "ops@example.com");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DELIVERED);
    g_assert_cmpstr(e->message_id, ==, "20261124093000.012345@mta1.news.northwind.example");
    g_assert_cmpstr(e->relay, ==, "smtp.example.com");
    g_assert_null(e->related_id); /* "OK <message-id> [Hostname=...]" names no queue id */
    e = command(h, "QUIT", 0);
    g_assert_cmpuint(e->reply_code, ==, 221);
    g_assert_cmpuint(outcomes(h), ==, 1);
}

static void
test_swaks_errors(void)
{
    g_autoptr(Harness) h = run_file("swaks-errors.txt");
    assert_clean(h);
    const Event *e = command(h, "(connect)", 0);
    g_assert_nonnull(e);
    g_assert_cmpint(e->step, ==, STEP_CONNECT);
    g_assert_cmpuint(e->reply_code, ==, 0);
    g_assert_cmpstr(e->diagnostic, ==, "IO::Socket::INET6: connect: Connection timed out");
    g_assert_cmpstr(e->relay, ==, "mx.firewalled.example");

    e = command(h, "(greeting)", 0);
    g_assert_cmpint(e->step, ==, STEP_GREETING);
    g_assert_cmpuint(e->reply_code, ==, 0);
    g_assert_cmpstr(e->diagnostic, ==, "Timeout (30 secs) waiting for server response");
    g_assert_cmpstr(e->relay, ==, "mx.timeout-banner.example");

    e = command(h, "(resolve)", 0);
    g_assert_cmpint(e->step, ==, STEP_RESOLVE);
    g_assert_cmpstr(e->relay, ==, "mx.gmial.example");

    /* the dot went out, no reply: deferred at end of data, may be sent twice */
    e = outcome(h, "falk.brandt@slow-eod.example");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DEFERRED);
    g_assert_cmpint(e->step, ==, STEP_END_OF_DATA);
    g_assert_cmpuint(e->reply_code, ==, 0);
    g_assert_cmpstr(e->diagnostic, ==, "Timeout (30 secs) waiting for server response");
    g_assert_true(e->attempt_flags & EVENT_FLAG_MAY_DUPLICATE);
    g_assert_cmpuint(outcomes(h), ==, 1);
}

static void
test_exim(void)
{
    g_autoptr(Harness) h = run_file("exim-v.txt");
    assert_clean(h);
    g_assert_cmpuint(h->stats->lines_skipped, >=, 8); /* LOG: MAIN ... */
    const Event *e = command(h, "EHLO", 0);
    g_assert_cmpuint(e->reply_code, ==, 550);
    g_assert_cmpstr(e->enhanced, ==, "5.7.1");
    g_assert_cmpint(e->step, ==, STEP_HELO);
    g_assert_cmpstr(e->queue_id, ==, "1tQwEr-000Abc-7Z");
    g_assert_cmpstr(e->relay, ==, "mx.strict-helo.example");
    g_assert_cmpstr(e->relay_ip, ==, "198.51.100.20");

    /* multi-line EHLO with continuation lines */
    e = command(h, "EHLO", 1);
    g_assert_cmpuint(e->reply_code, ==, 250);
    g_assert_true(strstr(e->diagnostic, "250 SMTPUTF8") != NULL);
    g_assert_cmpstr(e->relay_ip, ==, "142.250.102.27");

    /* pipelined MAIL, RCPT, RCPT, BDAT LAST, QUIT: replies matched in order */
    e = outcome(h, "walter.beck@gmail.com");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_FAILED);
    g_assert_cmpint(e->step, ==, STEP_RCPT_TO);
    g_assert_cmpuint(e->reply_code, ==, 550);
    g_assert_cmpstr(e->enhanced, ==, "5.1.1");
    g_assert_true(g_str_has_prefix(e->diagnostic, "550-5.1.1 The email account"));
    g_assert_true(strstr(e->diagnostic, "p=NoSuchUser") != NULL);
    g_assert_cmpstr(e->queue_id, ==, "1tQwEs-000Abd-8A");

    e = outcome(h, "anna.schmidt@gmail.com");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DELIVERED);
    g_assert_cmpint(e->step, ==, STEP_END_OF_DATA);
    g_assert_cmpstr(e->detail, ==, "BDAT 5120 LAST");
    g_assert_cmpstr(e->related_id, ==, "a1si123456wrb.42");
    g_assert_cmpstr(e->sender, ==, "orders@northwind.example");
    g_assert_cmpuint(command(h, "QUIT", 1)->reply_code, ==, 221);
    g_assert_cmpuint(outcomes(h), ==, 2);
}

static void
test_postfix_verbose(void)
{
    g_autoptr(Harness) h = run_file("postfix-verbose.log");
    assert_clean(h);
    /* three processes interleaved */
    const Event *e = outcome(h, "adam.stein@greylist.example");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DEFERRED);
    g_assert_cmpint(e->step, ==, STEP_RCPT_TO);
    g_assert_cmpuint(e->reply_code, ==, 450);
    g_assert_cmpstr(e->enhanced, ==, "4.7.1");
    g_assert_cmpstr(e->host, ==, "mta1");
    g_assert_cmpstr(e->relay, ==, "mx.greylist.example");
    g_assert_cmpstr(e->relay_ip, ==, "203.0.113.27");
    g_assert_cmpstr(fmt_time(e->time), ==, "2026-11-24 08:00:05");
    g_assert_cmpuint(e->line, ==, 16);
    /* pipelined DATA refused after the only recipient was: a command event, no outcome */
    e = command(h, "DATA", 0);
    g_assert_cmpuint(e->reply_code, ==, 554);
    g_assert_cmpstr(e->enhanced, ==, "5.5.1");

    /* end of data refused (the dot is not logged: the reply after 354 is its answer) */
    e = outcome(h, "dirk.hahn@gmail.com");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_FAILED);
    g_assert_cmpint(e->step, ==, STEP_END_OF_DATA);
    g_assert_cmpuint(e->reply_code, ==, 550);
    g_assert_cmpstr(e->enhanced, ==, "5.7.1");
    g_assert_true(strstr(e->diagnostic, "likely unsolicited mail") != NULL);
    g_assert_cmpstr(e->sender, ==, "bounces+dirk.hahn=gmail.com@news.northwind.example");
    g_assert_cmpstr(fmt_time(e->time), ==, "2026-11-24 08:00:06");

    /* the client timed out after the dot: its own words end the session */
    e = outcome(h, "falk.brandt@slow-eod.example");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DEFERRED);
    g_assert_cmpint(e->step, ==, STEP_END_OF_DATA);
    g_assert_true(e->attempt_flags & EVENT_FLAG_MAY_DUPLICATE);
    g_assert_true(g_str_has_prefix(e->diagnostic, "conversation with mx.slow-eod.example"));
    g_assert_cmpstr(fmt_time(e->time), ==, "2026-11-24 08:05:07");
    g_assert_cmpuint(outcomes(h), ==, 3);
}

static void
test_curl(void)
{
    g_autoptr(Harness) h = run_file("curl-v.txt");
    assert_clean(h);
    /* delivered, then QUIT failed: still delivered */
    const Event *e = outcome(h, "paula.sommer@mail.kleinbetrieb.example");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DELIVERED);
    g_assert_cmpstr(e->related_id, ==, "1tQx2a-0003Kd-1B");
    g_assert_cmpstr(e->relay, ==, "mx.kleinbetrieb.example");
    g_assert_cmpstr(e->relay_ip, ==, "192.0.2.44");
    e = command(h, "QUIT", 0);
    g_assert_cmpuint(e->reply_code, ==, 0);
    g_assert_cmpstr(e->diagnostic, ==, "Recv failure: Connection reset by peer");
    g_assert_cmpuint(outcomes(h), ==, 1);

    e = command(h, "(resolve)", 0);
    g_assert_nonnull(e);
    g_assert_cmpstr(e->diagnostic, ==, "Could not resolve host: mx.gmial.example");
    e = command(h, "(connect)", 0);
    g_assert_nonnull(e);
    g_assert_true(g_str_has_prefix(e->diagnostic, "Failed to connect to mx.refused.example"));
    g_assert_cmpstr(e->relay_ip, ==, "192.0.2.99");
    g_assert_null(command(h, "(connect)", 1));
    g_assert_null(command(h, "(resolve)", 1));
}

/* A session that just stops: everyone still open is deferred where it stopped. */
static void
test_cut_off(void)
{
    g_autoptr(Harness) h = run("2026-11-24T09:00:00+01:00 S: 220 mx ESMTP\n"
                               "2026-11-24T09:00:01+01:00 C: EHLO a.example\n"
                               "2026-11-24T09:00:01+01:00 S: 250 mx\n"
                               "2026-11-24T09:00:02+01:00 C: MAIL FROM:<s@a.example>\n"
                               "2026-11-24T09:00:02+01:00 S: 250 ok\n"
                               "2026-11-24T09:00:03+01:00 C: RCPT TO:<r1@b.example>\n"
                               "2026-11-24T09:00:03+01:00 S: 250 ok\n"
                               "2026-11-24T09:00:04+01:00 C: RCPT TO:<r2@b.example>\n");
    assert_clean(h);
    g_assert_cmpuint(outcomes(h), ==, 2);
    for (int i = 0; i < 2; i++) {
        const Event *e = outcome(h, i ? "r2@b.example" : "r1@b.example");
        g_assert_cmpint(e->kind, ==, EVENT_KIND_DEFERRED);
        g_assert_cmpint(e->step, ==, STEP_RCPT_TO);
        g_assert_cmpuint(e->reply_code, ==, 0);
        g_assert_cmpstr(e->diagnostic, ==, "session ended without a reply");
        g_assert_cmpstr(fmt_time(e->time), ==, "2026-11-24 08:00:04");
    }
    const Event *e = command(h, "RCPT TO:<r2", 0);
    g_assert_cmpuint(e->reply_code, ==, 0);

    /* cut during a multi-line reply: the lines seen are the reply */
    g_autoptr(Harness) m = run("S: 220 mx\nC: EHLO a\nS: 250 mx\nC: MAIL FROM:<s@a>\nS: 250 ok\n"
                               "C: RCPT TO:<r@b>\nS: 550-5.7.1 Blocked\nS: 550-5.7.1 see\n");
    e = outcome(m, "r@b");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_FAILED);
    g_assert_cmpstr(e->diagnostic, ==, "550-5.7.1 Blocked 550-5.7.1 see");

    /* accepted recipients, then the transcript stops before DATA */
    g_autoptr(Harness) d = run("S: 220 mx\nC: EHLO a\nS: 250 mx\nC: MAIL FROM:<s@a>\nS: 250 ok\n"
                               "C: RCPT TO:<r@b>\nS: 250 ok\n");
    e = outcome(d, "r@b");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DEFERRED);
    g_assert_cmpint(e->step, ==, STEP_DATA);
}

/* A failed MAIL FROM: pipelined recipients fail at mail-from with its reply. */
static void
test_mail_from_refused(void)
{
    g_autoptr(Harness) h = run("S: 220 mx\nC: EHLO a\nS: 250 mx\n"
                               "C: MAIL FROM:<vera@spf-strict.example>\nC: RCPT TO:<r1@b>\n"
                               "C: RCPT TO:<r2@b>\nC: DATA\n"
                               "S: 550 5.7.23 SPF validation failed\n"
                               "S: 503 5.5.1 Error: need MAIL command\n"
                               "S: 503 5.5.1 Error: need MAIL command\n"
                               "S: 503 5.5.1 Error: need MAIL command\n"
                               "C: QUIT\nS: 221 Bye\n");
    assert_clean(h);
    for (int i = 0; i < 2; i++) {
        const Event *e = outcome(h, i ? "r2@b" : "r1@b");
        g_assert_cmpint(e->kind, ==, EVENT_KIND_FAILED);
        g_assert_cmpint(e->step, ==, STEP_MAIL_FROM);
        g_assert_cmpuint(e->reply_code, ==, 550);
        g_assert_cmpstr(e->enhanced, ==, "5.7.23");
        g_assert_cmpstr(e->diagnostic, ==, "550 5.7.23 SPF validation failed");
    }
}

/* LMTP answers the dot once per accepted recipient. */
static void
test_lmtp(void)
{
    g_autoptr(Harness) h = run("S: 220 lmtp ready\nC: LHLO mx\nS: 250 lmtp\n"
                               "C: MAIL FROM:<s@a>\nS: 250 ok\nC: RCPT TO:<x@b>\nS: 250 ok\n"
                               "C: RCPT TO:<y@b>\nS: 250 ok\nC: DATA\nS: 354 go\nC: hi\nC: .\n"
                               "S: 250 2.0.0 <x@b> Ok\nS: 452 4.2.2 <y@b> Quota exceeded\n");
    assert_clean(h);
    g_assert_cmpint(outcome(h, "x@b")->kind, ==, EVENT_KIND_DELIVERED);
    g_assert_cmpint(outcome(h, "y@b")->kind, ==, EVENT_KIND_DEFERRED);
    g_assert_cmpint(outcome(h, "y@b")->step, ==, STEP_END_OF_DATA);
}

/* A pipelined transaction with many recipients (Exim sends up to max_rcpt at once), and
 * more than the parser follows: the rest is noted, the session still reported. */
static void
test_many_recipients(void)
{
    GString *s = g_string_new("S: 220 mx\nC: EHLO a\nS: 250 mx\nC: MAIL FROM:<s@a>\n");
    for (int i = 0; i < 150; i++)
        g_string_append_printf(s, "C: RCPT TO:<r%d@b>\n", i);
    g_string_append(s, "C: DATA\nS: 250 ok\n");
    for (int i = 0; i < 150; i++)
        g_string_append(s, i == 7 ? "S: 550 5.1.1 no such user\n" : "S: 250 ok\n");
    g_string_append(s, "S: 354 go\nC: .\nS: 250 2.0.0 Ok: queued as 4Q\nC: QUIT\nS: 221 bye\n");
    g_autoptr(Harness) h = harness_run(klass(), s->str, s->len, 2026);
    g_string_free(s, TRUE);
    assert_clean(h);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DELIVERED), ==, 149);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_FAILED), ==, 1);
    g_assert_cmpint(outcome(h, "r7@b")->kind, ==, EVENT_KIND_FAILED);
    g_assert_cmpstr(outcome(h, "r149@b")->related_id, ==, "4Q");

    /* beyond the limit of commands awaiting a reply */
    GString *t = g_string_new("S: 220 mx\nC: EHLO a\nS: 250 mx\nC: MAIL FROM:<s@a>\n");
    for (int i = 0; i < 600; i++)
        g_string_append_printf(t, "C: RCPT TO:<r%d@b>\n", i);
    g_autoptr(Harness) over = harness_run(klass(), t->str, t->len, 2026);
    g_string_free(t, TRUE);
    g_assert_cmpuint(over->stats->notes->len, ==, 1);
    g_assert_true(strstr(over->stats->notes->pdata[0], "commands without a reply") != NULL);
    g_assert_cmpuint(harness_count(over, EVENT_KIND_DEFERRED), ==, 600);
}

/* Garbage among good lines: counted with line numbers, the rest still reported. */
static void
test_garbage(void)
{
    GString *s = g_string_new("S: 220 mx ESMTP\nhello world\nC: EHLO a\nS: banana\nS: 250 mx\n"
                              "C: MAIL FROM:<s@a>\nS: 250 ok\n\x01\x02\xff binary\n"
                              "C: RCPT TO:<r@b>\n");
    for (int i = 0; i < 1024 * 1024; i++)
        g_string_append_c(s, 'S');
    g_string_append(s, "\nS: 250 ok\nC: DATA\nS: 354 go\nC: .\nS: 250 queued as ABC123\n");
    g_autoptr(Harness) h = harness_run(klass(), s->str, s->len, 2026);
    g_string_free(s, TRUE);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 4);
    g_assert_cmpuint(h->stats->examples->len, ==, 4);
    g_assert_true(g_str_has_prefix(h->stats->examples->pdata[0], "line 2: hello world"));
    g_assert_true(g_str_has_prefix(h->stats->examples->pdata[1], "line 4: S: banana"));
    g_assert_true(g_str_has_prefix(h->stats->examples->pdata[2], "line 8: "));
    g_assert_true(g_str_has_prefix(h->stats->examples->pdata[3], "line 10: SSS"));
    const Event *e = outcome(h, "r@b");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DELIVERED);
    g_assert_cmpstr(e->related_id, ==, "ABC123");
}

/* Several styles in one stream: each session keeps its own. */
static void
test_mixed_and_unsolicited(void)
{
    g_autoptr(Harness) h = run("S: 220 one\nC: HELO a\nS: 250 one\n"
                               "S: 220 two\nC: HELO a\nS: 421 4.7.0 too busy, closing\n"
                               "=== Trying mx3.example:25...\n=== Connected to mx3.example.\n"
                               "<-  220 three\n -> HELO a\n<-  250 three\n"
                               "<** 421 4.4.2 idle timeout\n");
    assert_clean(h);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_SMTP_COMMAND), ==, 7);
    g_assert_cmpuint(command(h, "HELO", 1)->reply_code, ==, 421);
    const Event *e = command(h, "(no command)", 0);
    g_assert_nonnull(e);
    g_assert_cmpuint(e->reply_code, ==, 421);
    g_assert_cmpstr(e->relay, ==, "mx3.example");
}

static void
test_probe(void)
{
    static const struct {
        const char *file;
        guint min;
    } files[] = {
        {"rfc-pipelining.txt", 80}, {"swaks-starttls-auth.txt", 90},
        {"exim-v.txt", 85},         {"postfix-verbose.log", 95},
        {"curl-v.txt", 85},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *path = g_build_filename("tests/data/transcript", files[i].file, NULL);
        g_autofree char *full = harness_source_path(path);
        g_autofree char *text = NULL;
        gsize len = 0;
        g_assert_true(g_file_get_contents(full, &text, &len, NULL));
        g_assert_cmpuint(klass()->probe(text, len), >=, files[i].min);
        guint score;
        g_assert_true(parser_registry_sniff(text, len, &score) == klass());
    }
    static const char plain[] = "Nov 24 09:00:01 mta1 postfix/smtp[1]: 4X: to=<a@b>, status=sent\n";
    g_assert_cmpuint(klass()->probe(plain, strlen(plain)), ==, 0);
}

/* samples/transcripts: sessions of the Postfix sample (docs/demo-story.md) */
static void
test_samples(void)
{
    /* 0027: greylisted, delivered five minutes later; Postfix debug_peer_list */
    g_autoptr(Harness) g =
        harness_run_file(klass(), "samples/transcripts/mta1-debug-peer-greylist.log", 2026);
    assert_clean(g);
    g_assert_cmpuint(outcomes(g), ==, 2);
    const Event *e = harness_nth(g, EVENT_KIND_DEFERRED, 0);
    g_assert_cmpstr(e->recipient, ==, "adam.stein@greylist.example");
    g_assert_cmpint(e->step, ==, STEP_RCPT_TO);
    g_assert_cmpstr(e->enhanced, ==, "4.7.1");
    g_assert_cmpstr(fmt_time(e->time), ==, "2026-11-24 08:00:13");
    e = harness_nth(g, EVENT_KIND_DELIVERED, 0);
    g_assert_cmpstr(e->related_id, ==, "A7D088EE1E"); /* as in the Postfix log's status=sent */
    g_assert_cmpstr(e->host, ==, "mta1");
    g_assert_cmpstr(fmt_time(e->time), ==, "2026-11-24 08:05:25");
    g_assert_cmpuint(harness_count(g, EVENT_KIND_SMTP_COMMAND), ==, 17); /* 8 + 9 commands */

    /* 0023: replayed with swaks */
    g_autoptr(Harness) w =
        harness_run_file(klass(), "samples/transcripts/swaks-0023-walter.beck.txt", 2026);
    assert_clean(w);
    g_assert_cmpuint(outcomes(w), ==, 1);
    e = outcome(w, "walter.beck@gmail.com");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_FAILED);
    g_assert_cmpint(e->step, ==, STEP_RCPT_TO);
    g_assert_cmpstr(e->enhanced, ==, "5.1.1");
    g_assert_true(e->attempt_flags & EVENT_FLAG_TRANSCRIPT);

    /* 0030: the message replayed with curl */
    g_autoptr(Harness) c =
        harness_run_file(klass(), "samples/transcripts/curl-0030-dirk.hahn.txt", 2026);
    assert_clean(c);
    g_assert_cmpuint(outcomes(c), ==, 1);
    e = outcome(c, "dirk.hahn@gmail.com");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_FAILED);
    g_assert_cmpint(e->step, ==, STEP_END_OF_DATA);
    g_assert_cmpstr(e->enhanced, ==, "5.7.1");
    g_assert_cmpstr(e->relay_ip, ==, "142.250.102.26");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/transcript/rfc/pipelining", test_rfc_pipelining);
    g_test_add_func("/transcript/rfc/rset-second-message", test_rfc_rset_second_message);
    g_test_add_func("/transcript/swaks/starttls-auth", test_swaks_starttls_auth);
    g_test_add_func("/transcript/swaks/errors", test_swaks_errors);
    g_test_add_func("/transcript/exim", test_exim);
    g_test_add_func("/transcript/postfix-verbose", test_postfix_verbose);
    g_test_add_func("/transcript/curl", test_curl);
    g_test_add_func("/transcript/cut-off", test_cut_off);
    g_test_add_func("/transcript/mail-from-refused", test_mail_from_refused);
    g_test_add_func("/transcript/lmtp", test_lmtp);
    g_test_add_func("/transcript/many-recipients", test_many_recipients);
    g_test_add_func("/transcript/garbage", test_garbage);
    g_test_add_func("/transcript/mixed-unsolicited", test_mixed_and_unsolicited);
    g_test_add_func("/transcript/probe", test_probe);
    g_test_add_func("/transcript/samples", test_samples);
    return g_test_run();
}
