/* KumoMTA JSON log parser: record types, response fields, bad and hostile lines. */
#include <string.h>

#include "harness.h"
#include "timeutil.h"

extern const ParserClass kumomta_parser_class;

static Harness *
run(const char *text)
{
    return harness_run(&kumomta_parser_class, text, strlen(text), 2026);
}

static gboolean
has_note(Harness *h, const char *needle)
{
    for (guint i = 0; i < h->stats->notes->len; i++)
        if (strstr(h->stats->notes->pdata[i], needle))
            return TRUE;
    return FALSE;
}

static const Event *
only(Harness *h)
{
    g_assert_cmpuint(event_batch_len(h->batch), ==, 1);
    return event_batch_get(h->batch, 0);
}

/* A record of type with the given extra members (a JSON fragment starting with ','). */
static char *
record(const char *type, const char *extra)
{
    return g_strdup_printf("{\"type\":\"%s\",\"id\":\"1d98076abbbc11ed940250ebf67f93bd\","
                           "\"sender\":\"bounce@news.example\",\"recipient\":\"user@example.com\","
                           "\"queue\":\"ws26:northwind@example.com\",\"site\":\"\",\"size\":1047,"
                           "\"timestamp\":1795507262,\"created\":1795507200,\"num_attempts\":1,"
                           "\"bounce_classification\":\"Uncategorized\",\"nodeid\":\"node-1\"%s}\n",
                           type, extra ? extra : "");
}

static void
test_sample(void)
{
    g_autoptr(Harness) h =
        harness_run_file(&kumomta_parser_class, "samples/kumomta/kumo1-20261124-0800.jsonl", 2026);
    g_assert_cmpuint(h->stats->lines, ==, 31);
    g_assert_cmpuint(h->stats->lines_used, ==, 31);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_QUEUED), ==, 10);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DELIVERED), ==, 8);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_FAILED), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DEFERRED), ==, 9);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_EXPIRED), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_BOUNCE), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_COMPLAINT), ==, 1);

    /* 0093: refused at RCPT TO */
    const Event *e = harness_nth(h, EVENT_KIND_FAILED, 0);
    g_assert_cmpstr(e->recipient, ==, "xaver.lindner@gmx.de");
    g_assert_cmpstr(e->queue_id, ==, "7c1e0a5dc9e411f19a2b52540012ab30");
    g_assert_cmpstr(e->host, ==, "5d6c7a1e-2c8c-11f1-9a2b-52540012ab30");
    g_assert_cmpint(e->step, ==, STEP_RCPT_TO);
    g_assert_cmpint(e->step_confidence, ==, CONFIDENCE_EXPLICIT);
    g_assert_cmpuint(e->reply_code, ==, 550);
    g_assert_cmpstr(e->enhanced, ==, "5.1.1");
    g_assert_cmpstr(e->diagnostic, ==, "Requested action not taken: mailbox unavailable");
    g_assert_cmpstr(e->vendor_label, ==, "InvalidRecipient");
    g_assert_cmpstr(e->relay, ==, "mx00.emig.gmx.net");
    g_assert_cmpstr(e->relay_ip, ==, "198.51.100.61");
    g_assert_cmpstr(e->campaign, ==, "ws26");
    g_assert_cmpstr(e->message_id, ==, "ws26.0093@news.northwind.example");
    g_assert_cmpstr(e->detail, ==, "egress news/kumo1-src1");
    char buf[32];
    g_assert_cmpstr(time_format(e->time, buf, sizeof buf), ==, "2026-11-24 08:01:35");

    /* 0095: the banner refused, then expiry */
    e = harness_nth(h, EVENT_KIND_DEFERRED, 0);
    g_assert_cmpstr(e->recipient, ==, "zacharias.pohl@stale-mx.example");
    g_assert_cmpint(e->step, ==, STEP_GREETING);
    g_assert_cmpint(e->step_confidence, ==, CONFIDENCE_INFERRED_TEXT);
    e = harness_nth(h, EVENT_KIND_EXPIRED, 0);
    g_assert_cmpstr(e->recipient, ==, "zacharias.pohl@stale-mx.example");
    g_assert_cmpstr(e->enhanced, ==, "5.4.7");
    g_assert_cmpint(e->step, ==, STEP_UNKNOWN);

    /* 0094: connection failure reported by KumoMTA itself: no step claimed */
    for (guint i = 0; i < harness_count(h, EVENT_KIND_DEFERRED); i++) {
        e = harness_nth(h, EVENT_KIND_DEFERRED, i);
        if (g_strcmp0(e->recipient, "yasmin.kurz@outlook.com") == 0) {
            g_assert_cmpint(e->step, ==, STEP_UNKNOWN);
            g_assert_cmpuint(e->reply_code, ==, 400);
            g_assert_null(e->relay);
        }
    }

    /* 0097: out-of-band DSN; its own id is not our message's id */
    e = harness_nth(h, EVENT_KIND_BOUNCE, 0);
    g_assert_cmpstr(e->recipient, ==, "bruno.kaiser@kaiser-familie.example");
    g_assert_null(e->queue_id);
    g_assert_cmpstr(e->related_id, ==, "c4d2e8f0ca9b11f19a2b52540012ab30");
    g_assert_cmpstr(e->enhanced, ==, "5.1.1");
    g_assert_cmpstr(e->vendor_label, ==, "InvalidRecipient");

    /* 0096: complaint, recipient from the decoded trace header */
    e = harness_nth(h, EVENT_KIND_COMPLAINT, 0);
    g_assert_cmpstr(e->recipient, ==, "agnes.wirth@yahoo.com");
    g_assert_cmpstr(e->cause_hint, ==, "abuse");
    g_assert_cmpstr(e->message_id, ==, "ws26.0096@news.northwind.example");
    g_assert_cmpstr(e->campaign, ==, "ws26");
    g_assert_cmpstr(e->reporting_mta, ==, "feedback.mail.yahoo.com");
    g_assert_cmpuint(e->reply_code, ==, 0); /* the 250 was our own */
    g_assert_null(e->sender);

    e = harness_nth(h, EVENT_KIND_DELIVERED, 0);
    g_assert_cmpint(e->step, ==, STEP_END_OF_DATA);
    g_assert_null(e->vendor_label);
    g_assert_cmpfloat(e->delay, ==, 51.0);
}

static void
test_record_types(void)
{
    static const struct {
        const char *type;
        EventKind kind;
    } cases[] = {
        {"Reception", EVENT_KIND_QUEUED},   {"Delivery", EVENT_KIND_DELIVERED},
        {"Bounce", EVENT_KIND_FAILED},      {"TransientFailure", EVENT_KIND_DEFERRED},
        {"Expiration", EVENT_KIND_EXPIRED}, {"OOB", EVENT_KIND_BOUNCE},
        {"Feedback", EVENT_KIND_COMPLAINT}, {"Rejection", EVENT_KIND_REJECTED},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *line = record(cases[i].type, NULL);
        g_autoptr(Harness) h = run(line);
        g_assert_cmpuint(h->stats->lines_used, ==, 1);
        g_assert_cmpint(only(h)->kind, ==, cases[i].kind);
    }

    g_autofree char *admin = record(
        "AdminBounce", ",\"response\":{\"code\":551,\"enhanced_code\":{\"class\":5,\"subject\":7,"
                       "\"detail\":1},\"content\":\"KumoMTA internal: administratively failed: "
                       "campaign cancelled\",\"command\":null}");
    g_autoptr(Harness) h = run(admin);
    const Event *e = only(h);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_FAILED);
    g_assert_cmpint(e->step, ==, STEP_COMPILE);
    g_assert_cmpint(e->step_confidence, ==, CONFIDENCE_EXPLICIT);
    g_assert_cmpstr(e->cause_hint, ==, "local-policy");
    g_assert_cmpstr(e->enhanced, ==, "5.7.1");

    for (int v = 0; v < 2; v++) {
        g_autofree char *delayed = record(v ? "Delay" : "Delayed", NULL);
        g_autoptr(Harness) hd = run(delayed);
        e = only(hd);
        g_assert_cmpint(e->kind, ==, EVENT_KIND_DEFERRED);
        g_assert_true(e->attempt_flags & EVENT_FLAG_NOT_ATTEMPTED);
    }

    g_autofree char *rej = record(
        "Rejection", ",\"response\":{\"code\":550,\"enhanced_code\":{\"class\":5,\"subject\":7,"
                     "\"detail\":1},\"content\":\"relaying not permitted\",\"command\":\"RCPT "
                     "TO:<user@example.com>\\r\\n\"}");
    g_autoptr(Harness) hr = run(rej);
    e = only(hr);
    g_assert_cmpint(e->kind, ==, EVENT_KIND_REJECTED);
    g_assert_cmpint(e->step, ==, STEP_UNKNOWN); /* our listener, not our delivery */
    g_assert_cmpstr(e->detail, ==, "inbound RCPT TO");

    const char *quiet[] = {"AdminRebind", "XferOut", "XferIn", "Any"};
    for (gsize i = 0; i < G_N_ELEMENTS(quiet); i++) {
        g_autofree char *line = record(quiet[i], NULL);
        g_autoptr(Harness) hq = run(line);
        g_assert_cmpuint(hq->stats->lines_unrecognised, ==, 0);
        g_assert_cmpuint(hq->stats->lines_used, ==, 1);
        g_assert_cmpuint(event_batch_len(hq->batch), ==, 0);
    }

    g_autofree char *unknown = record("SomethingNew", NULL);
    g_autoptr(Harness) hu = run(unknown);
    g_assert_cmpuint(hu->stats->lines_unrecognised, ==, 1);
    g_assert_true(has_note(hu, "line 1: unknown KumoMTA record type"));
}

static void
test_commands(void)
{
    static const struct {
        const char *command; /* JSON value */
        Step step;
        Confidence confidence;
        const char *detail;
    } cases[] = {
        {"\"MAIL FROM:<bounce@news.example>\\r\\n\"", STEP_MAIL_FROM, CONFIDENCE_EXPLICIT, NULL},
        {"\"MAIL FROM\"", STEP_MAIL_FROM, CONFIDENCE_EXPLICIT, NULL},
        {"\"RCPT TO\"", STEP_RCPT_TO, CONFIDENCE_EXPLICIT, NULL},
        {"\"DATA\\r\\n\"", STEP_DATA, CONFIDENCE_EXPLICIT, NULL},
        {"\".\"", STEP_END_OF_DATA, CONFIDENCE_EXPLICIT, NULL},
        {"\".\\r\\n\"", STEP_END_OF_DATA, CONFIDENCE_EXPLICIT, NULL},
        {"\"EHLO kumo1.news.example\\r\\n\"", STEP_HELO, CONFIDENCE_EXPLICIT, NULL},
        {"\"STARTTLS\\r\\n\"", STEP_TLS, CONFIDENCE_EXPLICIT, NULL},
        {"\"RSET\\r\\n\"", STEP_UNKNOWN, CONFIDENCE_UNKNOWN, "RSET"},
        {"\"DATABASE\"", STEP_UNKNOWN, CONFIDENCE_UNKNOWN, "DATABASE"},
        {"null", STEP_GREETING, CONFIDENCE_INFERRED_TEXT, "egress pool0/source2"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *extra = g_strdup_printf(
            ",\"egress_pool\":\"pool0\",\"egress_source\":\"source2\","
            "\"peer_address\":{\"name\":\"mx.example.com.\",\"addr\":\"192.0.2.1\"},"
            "\"response\":{\"code\":451,\"enhanced_code\":{\"class\":4,\"subject\":3,"
            "\"detail\":0},\"content\":\"try later\",\"command\":%s}",
            cases[i].command);
        g_autofree char *line = record("TransientFailure", extra);
        g_autoptr(Harness) h = run(line);
        const Event *e = only(h);
        g_assert_cmpint(e->step, ==, cases[i].step);
        g_assert_cmpint(e->step_confidence, ==, cases[i].confidence);
        g_assert_cmpstr(e->relay, ==, "mx.example.com");
        g_assert_cmpstr(e->relay_ip, ==, "192.0.2.1");
        g_assert_cmpstr(e->enhanced, ==, "4.3.0");
        if (cases[i].detail)
            g_assert_cmpstr(e->detail, ==, cases[i].detail);
    }
}

static void
test_queue_campaign(void)
{
    static const struct {
        const char *extra, *campaign;
    } cases[] = {
        {",\"queue\":\"spring:acme@example.com\"", "spring"},
        {",\"queue\":\"spring:@example.com\"", "spring"},
        {",\"queue\":\"spring:acme@example.com!smarthost.example\"", "spring"},
        {",\"queue\":\"acme@example.com\"", NULL},
        {",\"queue\":\"example.com\"", NULL},
        {",\"queue\":\"[IPv6:2001:db8::1]\"", NULL},
        {",\"queue\":\"acme@example.com\",\"meta\":{\"campaign\":\"from-meta\"}", "from-meta"},
        {",\"queue\":\"example.com\",\"headers\":{\"x-campaign-id\":\"from-header\"}",
         "from-header"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        /* the later "queue" member wins in json-glib: it replaces the default one */
        g_autofree char *line = record("Delivery", cases[i].extra);
        g_autoptr(Harness) h = run(line);
        g_assert_cmpstr(only(h)->campaign, ==, cases[i].campaign);
    }
}

static void
test_wrong_types(void)
{
    const char *lines[] = {
        /* type is not a string */
        "{\"type\":5,\"id\":\"x\",\"recipient\":\"a@example.com\",\"timestamp\":1795507262}",
        /* recipient is a number */
        "{\"type\":\"Delivery\",\"id\":\"x\",\"recipient\":42,\"timestamp\":1795507262}",
        /* the rest has odd types but the essentials are there */
        "{\"type\":\"Bounce\",\"id\":\"x\",\"recipient\":\"b@example.com\",\"timestamp\":\"soon\","
        "\"created\":1795507262.5,\"response\":\"550 no\",\"peer_address\":[1,2],"
        "\"headers\":[\"Message-ID\"],\"meta\":7,\"queue\":{\"a\":1},\"size\":-5,"
        "\"bounce_classification\":{\"x\":1},\"nodeid\":null}",
        "{\"type\":\"Bounce\",\"id\":\"y\",\"recipient\":\"c@example.com\",\"timestamp\":"
        "1795507262,"
        "\"response\":{\"code\":\"550\",\"enhanced_code\":\"5.1.1\",\"content\":5,\"command\":{}},"
        "\"peer_address\":{\"name\":7,\"addr\":null},\"headers\":{\"Message-ID\":[\"<a@b>\"]}}",
        "{\"type\":\"Bounce\",\"id\":\"z\",\"recipient\":\"d@example.com\",\"timestamp\":1e300,"
        "\"created\":-1,\"response\":{\"code\":99999,\"enhanced_code\":{\"class\":9,\"subject\":1,"
        "\"detail\":1}}}",
        "{\"type\":\"Bounce\",\"id\":\"w\",\"recipient\":\"e@example.com\","
        "\"timestamp\":\"2026-11-24T08:01:02Z\",\"response\":{\"code\":550.0,"
        "\"enhanced_code\":{\"class\":5.0,\"subject\":1,\"detail\":1.5}}}",
        "[\"Delivery\"]",
        "\"just a string\"",
    };
    GString *text = g_string_new(NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(lines); i++)
        g_string_append_printf(text, "%s\n", lines[i]);
    g_autoptr(Harness) h = harness_run(&kumomta_parser_class, text->str, text->len, 2026);
    g_string_free(text, TRUE);
    g_assert_cmpuint(h->stats->lines, ==, 8);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_FAILED), ==, 3);
    /* line 1, 2, 5 (no usable time), 7, 8 */
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 5);
    g_assert_true(has_note(h, "line 1: no \"type\" string"));
    g_assert_true(has_note(h, "line 2: no \"recipient\" string"));
    g_assert_true(has_note(h, "line 5: no usable \"timestamp\""));
    g_assert_true(g_str_has_prefix(h->stats->examples->pdata[0], "line 1: {\"type\":5"));
    g_assert_true(g_str_has_prefix(h->stats->examples->pdata[2], "line 5: "));

    const Event *e = harness_nth(h, EVENT_KIND_FAILED, 0);
    g_assert_cmpstr(e->recipient, ==, "b@example.com");
    char buf[32];
    g_assert_cmpstr(time_format(e->time, buf, sizeof buf), ==, "2026-11-24 08:01:02");
    g_assert_cmpuint(e->reply_code, ==, 0);
    g_assert_null(e->relay);
    g_assert_null(e->message_id);
    g_assert_null(e->campaign);
    g_assert_null(e->vendor_label);
    g_assert_cmpint(e->size, ==, -1);
    g_assert_cmpstr(e->host, ==, "test"); /* no nodeid: the stream name */
    e = harness_nth(h, EVENT_KIND_FAILED, 1);
    g_assert_cmpstr(e->recipient, ==, "c@example.com");
    g_assert_cmpuint(e->reply_code, ==, 0);
    g_assert_null(e->enhanced);
    g_assert_null(e->diagnostic);
    g_assert_cmpint(e->step, ==, STEP_UNKNOWN);
    e = harness_nth(h, EVENT_KIND_FAILED, 2);
    g_assert_cmpstr(e->recipient, ==, "e@example.com");
    g_assert_cmpuint(e->reply_code, ==, 550);
    g_assert_null(e->enhanced); /* detail 1.5 is not a code */
}

static void
test_truncated(void)
{
    g_autofree char *good = record("Delivery", NULL);
    g_autofree char *cut = g_strndup(good, strlen(good) / 2);
    g_autofree char *text =
        g_strdup_printf("%s\n%s{\"type\":\"Delivery\",\"id\":\"a\n\n   \n{}\n%s", cut, good, good);
    g_autoptr(Harness) h = run(text);
    g_assert_cmpuint(h->stats->lines, ==, 7);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DELIVERED), ==, 2);
    g_assert_cmpuint(h->stats->lines_skipped, ==, 2);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 3);
    g_assert_true(has_note(h, "line 1: invalid JSON"));
    g_assert_true(has_note(h, "line 3: invalid JSON"));
    g_assert_true(has_note(h, "line 6: no \"type\" string"));
    g_assert_cmpuint(harness_nth(h, EVENT_KIND_DELIVERED, 1)->line, ==, 7);
}

static void
test_long_lines(void)
{
    /* a long line within the input layer's bound (a Feedback report with its message) is read */
    GString *s = g_string_new("{\"type\":\"Bounce\",\"id\":\"x\",\"recipient\":\"a@example.com\","
                              "\"timestamp\":1795507262,\"response\":{\"code\":550,\"content\":\"");
    while (s->len < 200 * 1000)
        g_string_append(s, "very long reply text ");
    g_string_append(s, "\"}}\n");
    /* a 1 MB line: refused by the input layer, counted, the stream goes on */
    g_string_append(s, "{\"type\":\"Bounce\",\"id\":\"y\",\"recipient\":\"b@example.com\","
                       "\"timestamp\":1795507262,\"pad\":\"");
    gsize start = s->len;
    while (s->len - start < 1100 * 1000)
        g_string_append(s, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    g_string_append(s, "\"}\n");
    /* deep nesting: refused before json-glib recurses */
    for (int i = 0; i < 100000; i++)
        g_string_append_c(s, i == 0 ? '{' : '[');
    g_string_append(s, "\n");
    g_string_append(s, "{\"type\":\"Delivery\",\"id\":\"z\",\"recipient\":\"c@example.com\","
                       "\"timestamp\":1795507262,\"a\":[[[[{\"b\":[1]}]]]]}\n");
    g_autoptr(Harness) h = harness_run(&kumomta_parser_class, s->str, s->len, 2026);
    g_string_free(s, TRUE);
    g_assert_cmpuint(h->stats->lines, ==, 4);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 2);
    g_assert_true(has_note(h, "line 2: longer than"));
    g_assert_true(has_note(h, "line 3: JSON nested deeper than"));
    g_assert_true(g_str_has_prefix(h->stats->examples->pdata[0], "line 2: {\"type\":\"Bounce\""));
    g_assert_cmpuint(harness_count(h, EVENT_KIND_FAILED), ==, 1);
    const Event *e = harness_nth(h, EVENT_KIND_FAILED, 0);
    g_assert_cmpstr(e->recipient, ==, "a@example.com");
    g_assert_cmpuint(strlen(e->diagnostic), <=, 4096); /* the event model bounds it */
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DELIVERED), ==, 1);
}

/* The parser's own bound, for line sources without the input layer's. */
static void
test_own_line_bound(void)
{
    g_autoptr(EventBatch) batch = event_batch_new();
    InputStats *stats = input_stats_new();
    ParserOptions options = {.year = 2026};
    ParserContext ctx = {
        .input = 1, .name = "direct", .batch = batch, .stats = stats, .options = &options};
    gpointer self = kumomta_parser_class.new(&ctx);
    GString *s = g_string_new("{\"type\":\"Delivery\",\"id\":\"x\",\"recipient\":\"a@example.com\","
                              "\"timestamp\":1795507262,\"pad\":\"");
    while (s->len < 1100 * 1000)
        g_string_append(s, "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
    g_string_append(s, "\"}");
    g_assert_cmpint(kumomta_parser_class.feed_line(self, s->str, s->len, 1), ==, LINE_UNRECOGNISED);
    g_string_truncate(s, 900 * 1000);
    g_string_append(s, "\"}");
    g_assert_cmpint(kumomta_parser_class.feed_line(self, s->str, s->len, 2), ==, LINE_USED);
    g_assert_cmpuint(event_batch_len(batch), ==, 1);
    g_assert_cmpuint(stats->notes->len, ==, 1);
    g_assert_nonnull(strstr(stats->notes->pdata[0], "line 1: line longer than 1 MiB"));
    g_assert_true(kumomta_parser_class.finish(self, NULL));
    kumomta_parser_class.free(self);
    g_string_free(s, TRUE);
    input_stats_free(stats);
}

static void
test_missing_fields(void)
{
    const char *text =
        "{\"type\":\"Delivery\",\"recipient\":\"a@example.com\",\"timestamp\":1795507262}\n"
        "{\"type\":\"Delivery\",\"id\":\"x\",\"timestamp\":1795507262}\n"
        "{\"type\":\"Delivery\",\"id\":\"x\",\"recipient\":\"a@example.com\"}\n"
        "{\"type\":\"OOB\",\"id\":\"x\",\"timestamp\":1795507262}\n"
        "{\"id\":\"x\",\"recipient\":\"a@example.com\",\"timestamp\":1795507262}\n"
        "{\"type\":\"Delivery\",\"id\":\"x\",\"recipient\":\"a@example.com\","
        "\"timestamp\":1795507262}\n"
        "{\"type\":\"Feedback\",\"timestamp\":1795507262,\"feedback_report\":{\"feedback_type\":"
        "\"Opt-Out\",\"original_rcpto_to\":[\"<f@example.com>\"],\"original_message\":"
        "\"Subject: x\\r\\nMessage-Id: <m1@news.example>\\r\\n\\r\\nMessage-ID: <body@x>\"}}\n"
        "{\"type\":\"Rejection\",\"timestamp\":1795507262}\n";
    g_autoptr(Harness) h = run(text);
    g_assert_cmpuint(h->stats->lines, ==, 8);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 5);
    g_assert_true(has_note(h, "line 1: no \"id\" string"));
    g_assert_true(has_note(h, "line 2: no \"recipient\" string"));
    g_assert_true(has_note(h, "line 3: no usable \"timestamp\""));
    g_assert_true(has_note(h, "line 4: OOB record without a \"recipient\""));
    g_assert_true(has_note(h, "line 5: no \"type\" string"));
    for (guint i = 0; i < 5; i++) {
        g_autofree char *prefix = g_strdup_printf("line %u: {", i + 1);
        g_assert_true(g_str_has_prefix(h->stats->examples->pdata[i], prefix));
    }
    /* the rest is still reported */
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DELIVERED), ==, 1);
    const Event *e = harness_nth(h, EVENT_KIND_COMPLAINT, 0);
    g_assert_cmpstr(e->recipient, ==, "f@example.com");
    g_assert_cmpstr(e->cause_hint, ==, "other");
    g_assert_cmpstr(e->message_id, ==, "m1@news.example");
    g_assert_cmpuint(harness_count(h, EVENT_KIND_REJECTED), ==, 1);
}

static void
test_probe(void)
{
    g_autofree char *line = record("Delivery", NULL);
    g_assert_cmpuint(kumomta_parser_class.probe(line, strlen(line)), >=, 90);
    const char *app = "{\"type\":\"sent\",\"recipient\":\"a@example.com\"}\n";
    g_assert_cmpuint(kumomta_parser_class.probe(app, strlen(app)), <, 20);
    const char *csv = "type,timeLogged,rcpt\n";
    g_assert_cmpuint(kumomta_parser_class.probe(csv, strlen(csv)), ==, 0);
    g_assert_cmpuint(kumomta_parser_class.probe("   ", 3), ==, 0);
    g_assert_cmpuint(kumomta_parser_class.probe("{", 1), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/kumomta/sample", test_sample);
    g_test_add_func("/kumomta/record-types", test_record_types);
    g_test_add_func("/kumomta/commands", test_commands);
    g_test_add_func("/kumomta/queue-campaign", test_queue_campaign);
    g_test_add_func("/kumomta/wrong-types", test_wrong_types);
    g_test_add_func("/kumomta/truncated", test_truncated);
    g_test_add_func("/kumomta/long-lines", test_long_lines);
    g_test_add_func("/kumomta/own-line-bound", test_own_line_bound);
    g_test_add_func("/kumomta/missing-fields", test_missing_fields);
    g_test_add_func("/kumomta/probe", test_probe);
    return g_test_run();
}
