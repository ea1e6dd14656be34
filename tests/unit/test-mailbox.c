/* Unit tests of the mailbox parsers (mbox, eml) and the bounce decoders: RFC 3464 / 6533 DSNs,
 * text bounces of several MTAs, complaints, auto-replies and the other received items, mbox
 * splitting and quoting, line endings, probing, and bounded work on hostile input. */
#include <string.h>

#include "harness.h"
#include "mailbox.h"
#include "timeutil.h"

static Harness *
run_eml(const char *path)
{
    return harness_run_file(&mailbox_eml_parser, path, 0);
}

static Harness *
run_text(const ParserClass *klass, const char *text)
{
    return harness_run(klass, text, strlen(text), 0);
}

static const Event *
only_event(Harness *h)
{
    g_assert_cmpuint(event_batch_len(h->batch), ==, 1);
    return event_batch_get(h->batch, 0);
}

static gboolean
has_note(Harness *h, const char *needle)
{
    for (guint i = 0; i < h->stats->notes->len; i++)
        if (strstr(h->stats->notes->pdata[i], needle))
            return TRUE;
    return FALSE;
}

/* ---- RFC 3464 / 6533 ---- */

static void
test_postfix_two_recipients(void)
{
    g_autoptr(Harness) h = run_eml("tests/data/mailbox/postfix-two-recipients.eml");
    g_assert_cmpuint(h->stats->items, ==, 1);
    g_assert_cmpuint(h->stats->items_bounce, ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_BOUNCE), ==, 2);
    const Event *a = harness_nth(h, EVENT_KIND_BOUNCE, 0);
    g_assert_cmpstr(a->recipient, ==, "anna@mx.customer.example");
    g_assert_cmpstr(a->orig_recipient, ==, "anna@customer.example");
    g_assert_cmpstr(a->enhanced, ==, "5.1.1");
    g_assert_cmpuint(a->reply_code, ==, 550);
    /* the folded Diagnostic-Code is one line */
    g_assert_cmpstr(a->diagnostic, ==,
                    "550 5.1.1 <anna@mx.customer.example>: Recipient address rejected: User "
                    "unknown in virtual mailbox table");
    g_assert_cmpstr(a->relay, ==, "mx.customer.example");
    g_assert_cmpstr(a->reporting_mta, ==, "relay.example.net");
    g_assert_cmpstr(a->queue_id, ==, "2B9E61A0040");
    g_assert_cmpstr(a->envid, ==, "ord-20250303-0042");
    g_assert_cmpstr(a->sender, ==, "orders@shop.example");
    g_assert_cmpstr(a->message_id, ==, "order-4711@shop.example");
    g_assert_cmpstr(a->campaign, ==, "orders-2025-03");
    g_assert_cmpstr(a->verp, ==, "bounces+orders=shop.example@mx.example.net");
    g_assert_cmpstr(a->subject, ==, "Undelivered Mail Returned to Sender");
    g_assert_cmpstr(a->detail, ==, "rfc3464");
    g_assert_cmpint(a->time, ==, time_parse_rfc5322("Mon, 3 Mar 2025 10:15:02 +0100"));
    const Event *b = harness_nth(h, EVENT_KIND_BOUNCE, 1);
    g_assert_cmpstr(b->recipient, ==, "bert@full.example");
    g_assert_cmpstr(b->enhanced, ==, "5.2.2");
    g_assert_cmpuint(b->reply_code, ==, 552);
    g_assert_cmpstr(b->message_id, ==, "order-4711@shop.example");
}

static void
test_postfix_delayed(void)
{
    g_autoptr(Harness) h = run_eml("tests/data/mailbox/postfix-delayed.eml");
    const Event *e = only_event(h);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DELAY_NOTICE);
    g_assert_cmpstr(e->recipient, ==, "c.weiss@slow.example");
    g_assert_cmpstr(e->enhanced, ==, "4.4.1");
    /* a non-SMTP diagnostic type says where the text came from */
    g_assert_true(g_str_has_prefix(e->diagnostic, "X-Postfix; connect to mx.slow.example"));
    g_assert_cmpstr(e->campaign, ==, "spring-2025");
    g_assert_cmpstr(e->message_id, ==, "spring.0007@shop.example");
    g_assert_cmpstr(e->verp, ==, "bounces+c.weiss=slow.example@mx.example.net");
}

static void
test_dsn_success(void)
{
    g_autoptr(Harness) h = run_eml("tests/data/mailbox/dsn-relayed.eml");
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DSN_SUCCESS), ==, 2);
    const Event *r = harness_nth(h, EVENT_KIND_DSN_SUCCESS, 1);
    g_assert_cmpstr(r->recipient, ==, "legacy@partner.example");
    g_assert_cmpstr(r->relay, ==, "x400.partner.example");
    /* a success keeps its own 2.x.x, the more specific one of the text */
    g_assert_cmpstr(r->enhanced, ==, "2.6.0");
}

static void
test_global_dsn(void)
{
    g_autoptr(Harness) h = run_eml("tests/data/mailbox/global-dsn.eml");
    const Event *e = only_event(h);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_BOUNCE);
    g_assert_cmpstr(e->recipient, ==, "用户@例え.jp");
    g_assert_cmpstr(e->orig_recipient, ==, "用户@example.jp");
    g_assert_cmpstr(e->enhanced, ==, "5.1.1");
    g_assert_cmpstr(e->message_id, ==, "global.1@example.net");
}

static void
test_forwarded_report(void)
{
    g_autoptr(Harness) h = run_eml("tests/data/mailbox/forwarded-report.eml");
    const Event *e = only_event(h);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_BOUNCE);
    g_assert_cmpstr(e->recipient, ==, "gone@example.org");
    g_assert_cmpstr(e->message_id, ==, "nested.1@example.net");
}

/* ---- text bounces ---- */

static void
test_exim_delayed(void)
{
    g_autoptr(Harness) h = run_eml("tests/data/mailbox/exim-delayed.eml");
    const Event *e = only_event(h);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DELAY_NOTICE);
    g_assert_cmpstr(e->detail, ==, "exim");
    g_assert_cmpstr(e->recipient, ==, "dora@slow.example");
    g_assert_cmpstr(e->relay, ==, "mx.slow.example");
    g_assert_cmpuint(e->reply_code, ==, 451);
    g_assert_cmpstr(e->enhanced, ==, "4.7.1");
    /* the step phrase stays for the rule table */
    g_assert_nonnull(strstr(e->diagnostic, "after pipelined end of data"));
}

static void
test_qmail(void)
{
    g_autoptr(Harness) h = run_eml("tests/data/mailbox/qmail.eml");
    g_assert_cmpuint(harness_count(h, EVENT_KIND_BOUNCE), ==, 2);
    const Event *k = harness_nth(h, EVENT_KIND_BOUNCE, 0);
    g_assert_cmpstr(k->detail, ==, "qmail");
    g_assert_cmpstr(k->recipient, ==, "karl@old.example");
    g_assert_cmpstr(k->enhanced, ==, "5.1.1");
    g_assert_cmpstr(k->message_id, ==, "march.0112@example.net");
    const Event *l = harness_nth(h, EVENT_KIND_BOUNCE, 1);
    g_assert_cmpstr(l->recipient, ==, "lisa@old.example");
    g_assert_cmpuint(l->reply_code, ==, 550);
    g_assert_cmpstr(l->enhanced, ==, "5.7.1");
    g_assert_nonnull(strstr(l->diagnostic, "Relay access denied"));
}

static void
test_sendmail_transcript(void)
{
    g_autoptr(Harness) h = run_eml("tests/data/mailbox/sendmail-transcript.eml");
    const Event *e = only_event(h);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_BOUNCE);
    g_assert_cmpstr(e->recipient, ==, "ops@partner.example");
    g_assert_cmpstr(e->enhanced, ==, "5.7.1");
    g_assert_cmpuint(e->reply_code, ==, 550);
    g_assert_nonnull(strstr(e->diagnostic, "zen.spamhaus.org"));
    g_assert_cmpstr(e->message_id, ==, "nightly.20250308@legacy.example");
}

static void
test_office365(void)
{
    g_autoptr(Harness) h = run_eml("tests/data/mailbox/office365.eml");
    const Event *e = only_event(h);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_BOUNCE);
    g_assert_cmpstr(e->detail, ==, "exchange");
    g_assert_cmpstr(e->recipient, ==, "yvonne@contoso.example");
    g_assert_cmpstr(e->enhanced, ==, "5.1.10");
    g_assert_cmpuint(e->reply_code, ==, 550);
    g_assert_nonnull(strstr(e->diagnostic, "RESOLVER.ADR.RecipientNotFound"));
    g_assert_cmpstr(e->message_id, ==, "march.0025@example.net");
}

static void
test_gmail_text(void)
{
    g_autoptr(Harness) h = run_eml("tests/data/mailbox/gmail-text.eml");
    const Event *e = only_event(h);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_BOUNCE);
    g_assert_cmpstr(e->detail, ==, "gmail");
    g_assert_cmpstr(e->recipient, ==, "max@gmial.com");
    g_assert_nonnull(strstr(e->diagnostic, "Domain name not found"));
    g_assert_cmpstr(e->message_id, ==, "march.0013@example.net");
}

/* ---- the demo mailbox ---- */

static const Event *
sample(Harness **h, const char *name)
{
    g_autofree char *path = g_build_filename("tests/data/mailbox/bounce-maildir", name, NULL);
    *h = run_eml(path);
    return only_event(*h);
}

static void
test_samples(void)
{
    Harness *h = NULL;
    const Event *e;

    e = sample(&h, "cur/1795590753.M629548P3350.imap1,S=2882,W=2956:2,S");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_BOUNCE);
    g_assert_cmpstr(e->recipient, ==, "tom.albrecht@web.de");
    g_assert_cmpstr(e->enhanced, ==, "5.2.2");
    g_assert_cmpstr(e->reporting_mta, ==, "mxint-ha.web.de");
    g_assert_cmpstr(e->message_id, ==, "ws26.0045@news.northwind.example");
    g_assert_cmpstr(e->campaign, ==, "ws26");
    harness_free(h);

    e = sample(&h, "cur/1795507211.M973375P2250.imap1,S=4119,W=4213:2,S");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_BOUNCE);
    g_assert_cmpstr(e->recipient, ==, "walter.beck@gmail.com");
    g_assert_cmpstr(e->queue_id, ==, "4jYZwq37LXz6T3l");
    g_assert_cmpstr(e->reporting_mta, ==, "mta1.news.northwind.example");
    g_assert_cmpstr(e->relay, ==, "gmail-smtp-in.l.google.com");
    g_assert_cmpstr(e->enhanced, ==, "5.1.1");
    g_assert_cmpuint(e->reply_code, ==, 550);
    harness_free(h);

    e = sample(&h, "cur/1795528963.M998301P2250.imap1,S=3780,W=3870:2,S");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_DELAY_NOTICE);
    g_assert_cmpstr(e->recipient, ==, "q.lange@firewalled.example");
    g_assert_cmpstr(e->queue_id, ==, "4jYZwm2XT0zPxbF");
    harness_free(h);

    e = sample(&h, "cur/1795690083.M411978P3350.imap1,S=3607,W=3699:2,S");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_BOUNCE);
    g_assert_cmpstr(e->recipient, ==, "ute.mayer@gone.example");
    g_assert_cmpstr(e->orig_recipient, ==, "ute.mayer@forward.example");
    g_assert_cmpstr(e->enhanced, ==, "5.1.1");
    /* a foreign Postfix: its queue id is scoped by its Reporting-MTA */
    g_assert_cmpstr(e->queue_id, ==, "D8D94609D9");
    g_assert_cmpstr(e->reporting_mta, ==, "mx.forward.example");
    g_assert_cmpstr(e->verp, ==, "bounces+ute.mayer=forward.example@news.northwind.example");
    harness_free(h);

    e = sample(&h, "cur/1795509673.M845906P3350.imap1,S=1410,W=1444:2,S");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_OTHER_RECEIVED);
    g_assert_cmpstr(e->cause_hint, ==, "auto-reply");
    g_assert_cmpstr(e->recipient, ==, "viktor.boehm@gmx.de");
    g_assert_cmpstr(e->message_id, ==, "ws26.0047@news.northwind.example");
    g_assert_cmpstr(e->subject, ==,
                    "Abwesenheitsnotiz: Winter Sale 2026: up to 40% off winter jackets");
    g_assert_cmpstr(e->from_header, ==, "Viktor Böhm <viktor.boehm@gmx.de>");
    harness_free(h);

    e = sample(&h, "cur/1795510960.M885413P3350.imap1,S=1233,W=1262:2,S");
    g_assert_cmpstr(e->cause_hint, ==, "auto-reply");
    g_assert_cmpstr(e->subject, ==, "Réponse automatique : Winter Sale 2026");
    harness_free(h);

    e = sample(&h, "cur/1795632072.M301873P3350.imap1,S=2684,W=2754:2,S");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_COMPLAINT);
    g_assert_cmpstr(e->cause_hint, ==, "abuse");
    g_assert_cmpstr(e->recipient, ==, "xaver.huber@yahoo.com");
    g_assert_cmpstr(e->message_id, ==, "ws26.0049@news.northwind.example");
    g_assert_cmpstr(e->verp, ==, "bounces+xaver.huber=yahoo.com@news.northwind.example");
    harness_free(h);

    e = sample(&h, "cur/1795705357.M204410P3350.imap1,S=1783,W=1828:2,S");
    g_assert_cmpint(e->kind, ==, EVENT_KIND_OTHER_RECEIVED);
    g_assert_cmpstr(e->cause_hint, ==, "unsubscribe-request");
    g_assert_cmpstr(e->message_id, ==, "ws26.0050@news.northwind.example");
    harness_free(h);

    e = sample(&h, "new/1795526226.M196684P3350.imap1,S=1600,W=1637");
    g_assert_cmpstr(e->cause_hint, ==, "challenge-response");
    g_assert_cmpstr(e->verp, ==, "bounces+zeno.fuchs=challenge.example@news.northwind.example");
    harness_free(h);

    e = sample(&h, "new/1795745692.M385418P3350.imap1,S=1058,W=1080");
    g_assert_cmpstr(e->cause_hint, ==, "unrelated");
    g_assert_null(e->message_id);
    harness_free(h);
}

/* ---- not bounces ---- */

static void
test_autoreply_japanese(void)
{
    g_autoptr(Harness) h = run_eml("tests/data/mailbox/autoreply-ja.eml");
    const Event *e = only_event(h);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_OTHER_RECEIVED);
    g_assert_cmpstr(e->cause_hint, ==, "auto-reply");
    g_assert_true(g_str_has_prefix(e->subject, "自動応答"));
    /* no In-Reply-To: the last References entry is the message answered */
    g_assert_cmpstr(e->message_id, ==, "ws26.0099@example.net");
    g_assert_cmpstr(e->recipient, ==, "tanaka@example.co.jp");
}

static void
test_read_receipt(void)
{
    g_autoptr(Harness) h = run_eml("tests/data/mailbox/read-receipt.eml");
    const Event *e = only_event(h);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_OTHER_RECEIVED);
    g_assert_cmpstr(e->cause_hint, ==, "read-receipt");
}

static void
test_human_reply(void)
{
    g_autoptr(Harness) h = run_eml("tests/data/mailbox/human-reply.eml");
    const Event *e = only_event(h);
    g_assert_cmpstr(e->cause_hint, ==, "human-reply");
    g_assert_cmpstr(e->message_id, ==, "march.0081@example.net");
    g_assert_cmpstr(e->in_reply_to, ==, "march.0081@example.net");
    g_assert_cmpuint(h->stats->items_other, ==, 1);
}

/* An NDR that says "Auto-Submitted: auto-replied" is still a bounce. */
static void
test_ndr_not_autoreply(void)
{
    static const char text[] =
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\n"
        "To: news@example.net\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Auto-Submitted: auto-replied\n"
        "\n"
        "This is the mail system at host mx.example.org.\n"
        "\n"
        "<gone@example.org>: host mx2.example.org[198.51.100.2] said: 550 5.1.1\n"
        "    <gone@example.org>: Recipient address rejected: User unknown (in reply to\n"
        "    RCPT TO command)\n";
    g_autoptr(Harness) h = run_text(&mailbox_eml_parser, text);
    const Event *e = only_event(h);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_BOUNCE);
    g_assert_cmpstr(e->detail, ==, "postfix");
    g_assert_cmpstr(e->recipient, ==, "gone@example.org");
    g_assert_cmpstr(e->enhanced, ==, "5.1.1");
    g_assert_nonnull(strstr(e->diagnostic, "in reply to RCPT TO command"));
}

/* ---- unrecognised items ---- */

static void
test_not_mail(void)
{
    g_autoptr(Harness) h = run_eml("tests/data/mailbox/not-mail.txt");
    g_assert_cmpuint(event_batch_len(h->batch), ==, 0);
    g_assert_cmpuint(h->stats->items, ==, 1);
    g_assert_cmpuint(h->stats->items_unrecognised, ==, 1);
    g_assert_cmpuint(h->stats->examples->len, ==, 1);
    g_assert_nonnull(strstr(h->stats->examples->pdata[0], "item 1: not a mail message"));
    g_assert_nonnull(strstr(h->stats->examples->pdata[0], "shopping list"));
}

static void
test_empty_and_tiny(void)
{
    const char *inputs[] = {"", "x", "\n", "\r\n\r\n"};
    for (gsize i = 0; i < G_N_ELEMENTS(inputs); i++) {
        g_autoptr(Harness) e = run_text(&mailbox_eml_parser, inputs[i]);
        g_assert_cmpuint(e->stats->items, ==, 1);
        g_assert_cmpuint(e->stats->items_unrecognised, ==, 1);
        g_assert_cmpuint(e->stats->examples->len, ==, 1);
        g_autoptr(Harness) m = run_text(&mailbox_mbox_parser, inputs[i]);
        g_assert_cmpuint(m->stats->items, ==, 1);
        g_assert_cmpuint(m->stats->items_unrecognised, ==, 1);
    }
}

/* ---- mbox ---- */

static const char mbox_text[] = "From MAILER-DAEMON Tue Nov 24 10:00:00 2026\n"
                                "From: MAILER-DAEMON@mail.old.example\n"
                                "To: news@example.net\n"
                                "Subject: failure notice\n"
                                "\n"
                                "Hi. This is the qmail-send program at mail.old.example.\n"
                                "\n"
                                "<karl@old.example>:\n"
                                ">From the remote host: 550 5.1.1 no such user\n"
                                "\n"
                                "--- Below this line is a copy of the message.\n"
                                "\n"
                                "From: news@example.net\n"
                                "Message-ID: <m.1@example.net>\n"
                                "\n"
                                ">>From here the body is quoted twice\n"
                                "\n"
                                "From someone@example.org Tue Nov 24 10:05:00 2026\n"
                                "From: Someone <someone@example.org>\n"
                                "To: news@example.net\n"
                                "Subject: Re: hello\n"
                                "In-Reply-To: <m.2@example.net>\n"
                                "\n"
                                "From what I read, this line is no separator (no time of day).\n"
                                "\n"
                                "From other@example.org Tue Nov 24 10:06:00 2026\n"
                                "From: Other <other@example.org>\n"
                                "Subject: hello\n"
                                "\n"
                                "text\n";

static void
test_mbox_split_and_unquote(void)
{
    g_autoptr(Harness) h = run_text(&mailbox_mbox_parser, mbox_text);
    g_assert_cmpuint(h->stats->items, ==, 3);
    g_assert_cmpuint(h->stats->items_bounce, ==, 1);
    g_assert_cmpuint(h->stats->items_other, ==, 2);
    const Event *b = harness_nth(h, EVENT_KIND_BOUNCE, 0);
    g_assert_cmpstr(b->recipient, ==, "karl@old.example");
    /* mboxrd: ">From " lost one '>' */
    g_assert_cmpstr(b->diagnostic, ==, "From the remote host: 550 5.1.1 no such user");
    g_assert_cmpstr(b->message_id, ==, "m.1@example.net");
    const Event *r = harness_nth(h, EVENT_KIND_OTHER_RECEIVED, 0);
    g_assert_cmpstr(r->cause_hint, ==, "human-reply");
    g_assert_cmpuint(r->item, ==, 2);
}

static void
test_mbox_line_endings(void)
{
    g_autoptr(GString) crlf = g_string_new(NULL);
    g_autoptr(GString) cr = g_string_new(NULL);
    for (const char *p = mbox_text; *p; p++) {
        if (*p == '\n') {
            g_string_append(crlf, "\r\n");
            g_string_append_c(cr, '\r');
        } else {
            g_string_append_c(crlf, *p);
            g_string_append_c(cr, *p);
        }
    }
    GString *inputs[] = {crlf, cr};
    for (gsize i = 0; i < G_N_ELEMENTS(inputs); i++) {
        g_autoptr(Harness) h = harness_run(&mailbox_mbox_parser, inputs[i]->str, inputs[i]->len, 0);
        g_assert_cmpuint(h->stats->items, ==, 3);
        const Event *b = harness_nth(h, EVENT_KIND_BOUNCE, 0);
        g_assert_nonnull(b);
        g_assert_cmpstr(b->recipient, ==, "karl@old.example");
        g_assert_cmpstr(b->diagnostic, ==, "From the remote host: 550 5.1.1 no such user");
    }
}

static void
test_mboxcl2(void)
{
    /* the body holds an unquoted From_ line; Content-Length says where the item ends */
    static const char body[] = "From me Tue Nov 24 11:00:00 2026, quoting myself\nbye\n";
    g_autofree char *ok =
        g_strdup_printf("From a@example.org Tue Nov 24 10:00:00 2026\n"
                        "From: a@example.org\nSubject: one\nContent-Length: %zu\n\n%s\n"
                        "From b@example.org Tue Nov 24 10:01:00 2026\n"
                        "From: b@example.org\nSubject: two\n\ntext\n",
                        strlen(body), body);
    g_autoptr(Harness) h = run_text(&mailbox_mbox_parser, ok);
    g_assert_cmpuint(h->stats->items, ==, 2);
    /* a Content-Length that lies (too long) must not swallow the next items */
    g_autofree char *lie =
        g_strdup_printf("From a@example.org Tue Nov 24 10:00:00 2026\n"
                        "From: a@example.org\nSubject: one\nContent-Length: 4000\n\nshort\n\n"
                        "From b@example.org Tue Nov 24 10:01:00 2026\n"
                        "From: b@example.org\nSubject: two\n\ntext\n\n"
                        "From c@example.org Tue Nov 24 10:02:00 2026\n"
                        "From: c@example.org\nSubject: three\n\ntext\n");
    g_autoptr(Harness) l = run_text(&mailbox_mbox_parser, lie);
    g_assert_cmpuint(l->stats->items, ==, 3);
}

/* ---- eml line endings and probing ---- */

static void
test_eml_line_endings(void)
{
    g_autofree char *path = harness_source_path("tests/data/mailbox/qmail.eml");
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_autofree char *crlf = NULL, *cr = NULL;
    {
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
        crlf = g_strjoinv("\r\n", lines);
        cr = g_strjoinv("\r", lines);
    }
    const char *inputs[] = {crlf, cr};
    for (gsize i = 0; i < G_N_ELEMENTS(inputs); i++) {
        g_assert_cmpuint(mailbox_eml_parser.probe(inputs[i], strlen(inputs[i])), >=, 80);
        g_autoptr(Harness) h = run_text(&mailbox_eml_parser, inputs[i]);
        g_assert_cmpuint(harness_count(h, EVENT_KIND_BOUNCE), ==, 2);
        g_assert_cmpstr(harness_nth(h, EVENT_KIND_BOUNCE, 0)->recipient, ==, "karl@old.example");
    }
}

static void
test_probe(void)
{
    static const struct {
        const char *head;
        guint eml_min, eml_max, mbox_min, mbox_max;
    } cases[] = {
        {"Return-Path: <>\nReceived: from x by y; Tue, 24 Nov 2026\n", 80, 100, 0, 0},
        {"Received: from x\n\tby y\nDelivered-To: a@b\nFrom: c@d\n", 80, 100, 0, 0},
        {"Delivered-To: a@b\r\nReturn-Path: <>\r\nFrom: x@y\r\n", 80, 100, 0, 0},
        {"Date: Tue, 24 Nov 2026 10:00:00 +0100\rFrom: x@y\rSubject: s\r", 80, 100, 0, 0},
        {"MIME-Version: 1.0\nContent-Type: text/plain\n", 80, 100, 0, 0},
        {"DKIM-Signature: v=1; a=rsa-sha256;\n\td=x; s=y;\n\th=a:b:c;\n\tbh=1;\n\tb=2\n"
         "\t 3\n\t 4\n\t 5\n\t 6\n\t 7\n\t 8\n\t 9\n\t 10\n\t 11\n\t 12\n\t 13\n"
         "Received: from a by b; Tue, 24 Nov 2026 10:00:00 +0100\n",
         80, 100, 0, 0},
        {"From MAILER-DAEMON Tue Nov 24 10:00:00 2026\nReturn-Path: <>\nFrom: x@y\n", 0, 0, 90,
         100},
        /* not mail */
        {"2026-11-24T09:00:00+01:00 mta1 postfix/smtp[42]: 4Zx: to=<a@b>\n", 0, 0, 0, 0},
        {"Nov 24 09:00:00 mta1 postfix/qmgr[7]: 4Zx: removed\n", 0, 0, 0, 0},
        {"{\"event\":\"sent\",\"to\":\"a@b\"}\n", 0, 0, 0, 0},
        {"time,recipient,status\n", 0, 0, 0, 0},
        {"key: value\nother: thing\n", 0, 39, 0, 0},
        {"From the desk of the CEO\n", 0, 0, 0, 20},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        gsize len = strlen(cases[i].head);
        guint e = mailbox_eml_parser.probe(cases[i].head, len);
        guint m = mailbox_mbox_parser.probe(cases[i].head, len);
        if (e < cases[i].eml_min || e > cases[i].eml_max || m < cases[i].mbox_min ||
            m > cases[i].mbox_max)
            g_error("probe case %zu: eml %u, mbox %u", i, e, m);
    }
}

/* ---- hostile input: bounded work, a note, the rest still read ---- */

static void
test_deep_nesting(void)
{
    g_autoptr(GString) s = g_string_new("From: a@example.org\nSubject: nest\n"
                                        "Content-Type: multipart/mixed; boundary=\"b0\"\n\n");
    for (int i = 0; i < 200; i++)
        g_string_append_printf(s, "--b%d\nContent-Type: multipart/mixed; boundary=\"b%d\"\n\n", i,
                               i + 1);
    g_string_append(s, "--b200\nContent-Type: text/plain\n\nbottom\n");
    g_autoptr(Harness) h = harness_run(&mailbox_eml_parser, s->str, s->len, 0);
    g_assert_cmpuint(h->stats->items, ==, 1);
    g_assert_cmpuint(event_batch_len(h->batch), ==, 1);
    g_assert_true(has_note(h, "nested deeper than the limit"));
}

static void
test_many_parts(void)
{
    g_autoptr(GString) s = g_string_new("From: a@example.org\nSubject: parts\n"
                                        "Content-Type: multipart/mixed; boundary=\"p\"\n\n");
    for (int i = 0; i < 100000; i++)
        g_string_append(s, "--p\nContent-Type: text/plain\n\nx\n");
    g_string_append(s, "--p--\n");
    gint64 t0 = g_get_monotonic_time();
    g_autoptr(Harness) h = harness_run(&mailbox_eml_parser, s->str, s->len, 0);
    g_assert_cmpuint(event_batch_len(h->batch), ==, 1);
    g_assert_true(has_note(h, "too many parts"));
    /* bounded: far below a second even under sanitizers */
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_USEC_PER_SEC);
}

static void
test_huge_header(void)
{
    g_autoptr(GString) s = g_string_new("From: a@example.org\n");
    for (int i = 0; i < 5000; i++)
        g_string_append_printf(s, "X-Filler-%d: %s\n", i,
                               "padding padding padding padding padding padding");
    g_string_append(s, "Subject: after the bomb\n\nbody\n");
    g_autoptr(Harness) h = harness_run(&mailbox_eml_parser, s->str, s->len, 0);
    g_assert_cmpuint(event_batch_len(h->batch), ==, 1);
    g_assert_true(has_note(h, "header block over the limits"));
}

static void
test_bad_charset(void)
{
    static const char text[] = "From: a@example.org\nSubject: x\n"
                               "Content-Type: text/plain; charset=x-no-such-charset\n\n"
                               "caf\xe9 \xff\xfe\n";
    g_autoptr(Harness) h = run_text(&mailbox_eml_parser, text);
    g_assert_cmpuint(event_batch_len(h->batch), ==, 1);
    g_assert_true(has_note(h, "unknown charset"));
    g_assert_true(g_utf8_validate(event_batch_get(h->batch, 0)->from_header, -1, NULL));
}

static void
test_truncated_dsn(void)
{
    g_autofree char *path = harness_source_path("tests/data/mailbox/postfix-two-recipients.eml");
    g_autofree char *text = NULL;
    gsize len;
    g_assert_true(g_file_get_contents(path, &text, &len, NULL));
    /* cut inside the second recipient's fields: no closing boundary, no returned headers */
    const char *cut = strstr(text, "Remote-MTA: dns; mx.full.example");
    g_assert_nonnull(cut);
    g_autoptr(Harness) h = harness_run(&mailbox_eml_parser, text, (gsize)(cut - text), 0);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_BOUNCE), ==, 2);
    g_assert_cmpstr(harness_nth(h, EVENT_KIND_BOUNCE, 1)->enhanced, ==, "5.2.2");
}

static void
test_large_item(void)
{
    /* an item over the limit is cut and noted; the next item is still read */
    g_autoptr(GString) s = g_string_new("From a@example.org Tue Nov 24 10:00:00 2026\n"
                                        "From: a@example.org\nSubject: big\n\n");
    char line[101];
    memset(line, 'y', 99);
    line[99] = '\n';
    line[100] = '\0';
    while (s->len < 21 * 1024 * 1024)
        g_string_append(s, line);
    g_string_append(s, "\nFrom b@example.org Tue Nov 24 10:01:00 2026\n"
                       "From: b@example.org\nSubject: small\nIn-Reply-To: <x.1@example.net>\n\n"
                       "hi\n");
    g_autoptr(Harness) h = harness_run(&mailbox_mbox_parser, s->str, s->len, 0);
    g_assert_cmpuint(h->stats->items, ==, 2);
    g_assert_true(has_note(h, "larger than 20 MiB"));
    const Event *last = harness_nth(h, EVENT_KIND_OTHER_RECEIVED, 1);
    g_assert_nonnull(last);
    g_assert_cmpstr(last->in_reply_to, ==, "x.1@example.net");
}

/* A multipart/report DSN with the given delivery-status part. */
static GString *
dsn_with_status(const char *status_part)
{
    GString *s = g_string_new(
        "From: MAILER-DAEMON@mx.example.net\n"
        "To: bounces+kim=example.org@news.example.com\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Date: Tue, 24 Nov 2026 10:00:00 +0100\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n"
        "\n--B\nContent-Type: text/plain\n\nYour message could not be delivered.\n"
        "\n--B\nContent-Type: message/delivery-status\n\n");
    g_string_append(s, status_part);
    g_string_append(s, "\n--B--\n");
    return s;
}

/* Mimecast and a few others write "Name : value" in DSN fields. */
static void
test_dsn_spaced_fields(void)
{
    g_autoptr(GString) s = dsn_with_status("Reporting-MTA : dns; mx.example.net\n\n"
                                           "Final-Recipient : rfc822; kim@example.org\n"
                                           "Action : failed\n"
                                           "Status : 5.1.1\n"
                                           "Diagnostic-Code : smtp; 550 5.1.1 User unknown\n");
    g_autoptr(Harness) h = harness_run(&mailbox_eml_parser, s->str, s->len, 0);
    const Event *e = only_event(h);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_BOUNCE);
    g_assert_cmpstr(e->recipient, ==, "kim@example.org");
    g_assert_cmpstr(e->enhanced, ==, "5.1.1");
    g_assert_nonnull(strstr(e->diagnostic, "User unknown"));
}

/* Without a Diagnostic-Code, the comment of the Status field is the reason given. */
static void
test_dsn_status_comment(void)
{
    g_autoptr(GString) s = dsn_with_status("Reporting-MTA: dns; mx.example.net\n\n"
                                           "Final-Recipient: rfc822; kim@example.org\n"
                                           "Action: failed\n"
                                           "Status: 4.0.0 (host name lookup failure)\n");
    g_autoptr(Harness) h = harness_run(&mailbox_eml_parser, s->str, s->len, 0);
    const Event *e = only_event(h);
    g_assert_cmpstr(e->enhanced, ==, "4.0.0");
    g_assert_nonnull(e->diagnostic);
    g_assert_nonnull(strstr(e->diagnostic, "host name lookup failure"));
}

/* More items than one decoding round (they are decoded on a helper thread in rounds): every
 * item is counted once and the events come out in mailbox order. */
static void
test_mbox_many_items(void)
{
    g_autoptr(GString) box = g_string_new(NULL);
    const guint n = 700;
    for (guint i = 1; i <= n; i++) {
        g_string_append_printf(box, "From MAILER-DAEMON Tue Nov 24 10:00:00 2026\n");
        if (i % 100 == 0) {
            /* now and then an item that is no mail at all */
            g_string_append(box, "garbage without headers\n\n");
            continue;
        }
        g_string_append_printf(
            box,
            "From: MAILER-DAEMON@mx.example.net\nTo: bounces@news.example.com\n"
            "Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
            "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
            "--B\nContent-Type: text/plain\n\nNot delivered.\n\n"
            "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
            "Final-Recipient: rfc822; user%u@example.org\nAction: failed\nStatus: 5.1.1\n"
            "Diagnostic-Code: smtp; 550 5.1.1 <user%u@example.org>: User unknown\n\n--B--\n\n",
            i, i);
    }
    g_autoptr(Harness) h = harness_run(&mailbox_mbox_parser, box->str, box->len, 0);
    g_assert_cmpuint(h->stats->items, ==, n);
    g_assert_cmpuint(h->stats->items_unrecognised, ==, n / 100);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_BOUNCE), ==, n - n / 100);
    guint expect = 1;
    for (guint i = 0; i < event_batch_len(h->batch); i++) {
        const Event *e = event_batch_get(h->batch, i);
        if (expect % 100 == 0)
            expect++;
        g_autofree char *want = g_strdup_printf("user%u@example.org", expect++);
        g_assert_cmpstr(e->recipient, ==, want);
    }
    /* the first examples are the first bad items, in order */
    g_assert_cmpuint(h->stats->examples->len, >=, 2);
    g_assert_true(g_str_has_prefix(h->stats->examples->pdata[0], "item 100:"));
    g_assert_true(g_str_has_prefix(h->stats->examples->pdata[1], "item 200:"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mailbox/dsn/postfix-two-recipients", test_postfix_two_recipients);
    g_test_add_func("/mailbox/dsn/postfix-delayed", test_postfix_delayed);
    g_test_add_func("/mailbox/dsn/success", test_dsn_success);
    g_test_add_func("/mailbox/dsn/global", test_global_dsn);
    g_test_add_func("/mailbox/dsn/forwarded", test_forwarded_report);
    g_test_add_func("/mailbox/text/exim-delayed", test_exim_delayed);
    g_test_add_func("/mailbox/text/qmail", test_qmail);
    g_test_add_func("/mailbox/text/sendmail", test_sendmail_transcript);
    g_test_add_func("/mailbox/text/office365", test_office365);
    g_test_add_func("/mailbox/text/gmail", test_gmail_text);
    g_test_add_func("/mailbox/text/ndr-not-autoreply", test_ndr_not_autoreply);
    g_test_add_func("/mailbox/samples", test_samples);
    g_test_add_func("/mailbox/other/autoreply-japanese", test_autoreply_japanese);
    g_test_add_func("/mailbox/other/read-receipt", test_read_receipt);
    g_test_add_func("/mailbox/other/human-reply", test_human_reply);
    g_test_add_func("/mailbox/unrecognised/not-mail", test_not_mail);
    g_test_add_func("/mailbox/unrecognised/empty-and-tiny", test_empty_and_tiny);
    g_test_add_func("/mailbox/mbox/split-and-unquote", test_mbox_split_and_unquote);
    g_test_add_func("/mailbox/mbox/line-endings", test_mbox_line_endings);
    g_test_add_func("/mailbox/mbox/content-length", test_mboxcl2);
    g_test_add_func("/mailbox/eml/line-endings", test_eml_line_endings);
    g_test_add_func("/mailbox/probe", test_probe);
    g_test_add_func("/mailbox/bad/deep-nesting", test_deep_nesting);
    g_test_add_func("/mailbox/bad/many-parts", test_many_parts);
    g_test_add_func("/mailbox/bad/huge-header", test_huge_header);
    g_test_add_func("/mailbox/bad/charset", test_bad_charset);
    g_test_add_func("/mailbox/bad/truncated-dsn", test_truncated_dsn);
    g_test_add_func("/mailbox/bad/large-item", test_large_item);
    g_test_add_func("/mailbox/dsn/spaced-fields", test_dsn_spaced_fields);
    g_test_add_func("/mailbox/dsn/status-comment", test_dsn_status_comment);
    g_test_add_func("/mailbox/mbox/many-items", test_mbox_many_items);
    return g_test_run();
}
