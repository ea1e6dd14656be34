/* The application event log (docs/app-events.md): JSON Lines and CSV. */
#include <string.h>

#include "harness.h"
#include "timeutil.h"

static const ParserClass *
jsonl(void)
{
    const ParserClass *k = parser_registry_find("app-jsonl");
    g_assert_nonnull(k);
    return k;
}

static const ParserClass *
csv(void)
{
    const ParserClass *k = parser_registry_find("app-csv");
    g_assert_nonnull(k);
    return k;
}

static Harness *
run(const ParserClass *k, const char *text)
{
    return harness_run(k, text, strlen(text), 2026);
}

static gboolean
has_note(Harness *h, const char *needle)
{
    for (guint i = 0; i < h->stats->notes->len; i++)
        if (strstr(h->stats->notes->pdata[i], needle) != NULL)
            return TRUE;
    return FALSE;
}

static const char *
fmt_time(gint64 t)
{
    static char buf[32];
    return time_format(t, buf, sizeof buf);
}

static const char jsonl_events[] =
    "{\"time\":\"2026-11-24T09:00:01+01:00\",\"campaign\":\"ws26\",\"message_id\":"
    "\"<ws26.0001@news.northwind.example>\",\"recipient\":\"anna.schmidt@gmail.com\","
    "\"event\":\"compiled\",\"phase\":\"mime\",\"template\":\"winter-v3\"}\n"
    "{\"time\":\"2026-11-24T09:00:02.250+01:00\",\"campaign\":\"ws26\",\"message_id\":"
    "\"ws26.0001@news.northwind.example\",\"recipient\":\"anna.schmidt@gmail.com\","
    "\"event\":\"submitted\",\"queue_id\":\"4Xk9Lm0Q1zZ\",\"mta\":\"mta1.news.northwind.example\","
    "\"detail\":\"250 2.0.0 Ok: queued as 4Xk9Lm0Q1zZ\"}\n"
    "{\"time\":\"2026-11-24T08:00:03Z\",\"campaign\":\"ws26\",\"recipient\":"
    "\"jana.adler@gmail.com\",\"event\":\"compile_failed\",\"phase\":\"personalization\","
    "\"detail\":\"missing field first_name\"}\n"
    "{\"time\":\"2026-11-24T09:00:04+01:00\",\"campaign\":\"ws26\",\"recipient\":"
    "\"kurt.blum@web.de\",\"event\":\"compile_failed\",\"phase\":\"attachment\"}\n"
    "{\"time\":\"2026-11-24T09:00:05+01:00\",\"campaign\":\"ws26\",\"recipient\":"
    "\"lotte.dietz@gmx.de\",\"event\":\"compile_failed\",\"phase\":\"feed\"}\n"
    "{\"time\":\"2026-11-24T09:00:06+01:00\",\"campaign\":\"ws26\",\"recipient\":"
    "\"moritz.eck@outlook.com\",\"event\":\"compile_failed\",\"phase\":\"images\"}\n"
    "{\"time\":\"2026-11-24T09:00:07+01:00\",\"recipient\":\"x@example.org\","
    "\"event\":\"compile_failed\",\"phase\":\"html\"}\n"
    "{\"time\":\"2026-11-24T09:00:08+01:00\",\"recipient\":\"y@example.org\","
    "\"event\":\"compile_failed\",\"phase\":\"mime\",\"extra\":{\"nested\":[1,2,3]}}\n"
    "{\"time\":\"2026-11-24T09:00:09+01:00\",\"campaign\":\"ws26\",\"recipient\":"
    "\"nina.falk@gmail.com\",\"event\":\"suppressed\",\"detail\":\"hard bounce on 2026-10-12\","
    "\"message_id\":null}\n";

static void
test_jsonl_events(void)
{
    g_autoptr(Harness) h = run(jsonl(), jsonl_events);
    g_assert_cmpuint(h->stats->lines, ==, 9);
    g_assert_cmpuint(h->stats->lines_used, ==, 9);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 0);
    g_assert_cmpuint(h->stats->notes->len, ==, 0);

    const Event *e = harness_nth(h, EVENT_KIND_COMPILED, 0);
    g_assert_nonnull(e);
    g_assert_cmpstr(fmt_time(e->time), ==, "2026-11-24 08:00:01");
    g_assert_cmpstr(e->campaign, ==, "ws26");
    g_assert_cmpstr(e->message_id, ==, "ws26.0001@news.northwind.example");
    g_assert_cmpstr(e->recipient, ==, "anna.schmidt@gmail.com");
    g_assert_cmpint(e->step, ==, STEP_COMPILE);
    g_assert_cmpint(e->step_confidence, ==, CONFIDENCE_EXPLICIT);
    g_assert_null(e->cause_hint);
    g_assert_cmpuint(e->line, ==, 1);

    e = harness_nth(h, EVENT_KIND_SUBMITTED, 0);
    g_assert_nonnull(e);
    g_assert_cmpstr(e->queue_id, ==, "4Xk9Lm0Q1zZ");
    g_assert_cmpstr(e->host, ==, "mta1.news.northwind.example");
    g_assert_cmpstr(e->message_id, ==, "ws26.0001@news.northwind.example");
    g_assert_cmpstr(e->diagnostic, ==, "250 2.0.0 Ok: queued as 4Xk9Lm0Q1zZ");
    g_assert_cmpint(e->time % G_USEC_PER_SEC, ==, 250000);

    static const char *const causes[][2] = {
        {"personalization", "personalization-error"},
        {"attachment", "attachment-error"},
        {"feed", "feed-error"},
        {"images", "asset-error"},
        {"html", "template-error"},
        {"mime", "mime-build-error"},
    };
    g_assert_cmpuint(harness_count(h, EVENT_KIND_COMPILE_FAILED), ==, 6);
    for (guint i = 0; i < 6; i++) {
        e = harness_nth(h, EVENT_KIND_COMPILE_FAILED, i);
        g_assert_cmpint(e->step, ==, STEP_COMPILE);
        g_assert_cmpint(e->step_confidence, ==, CONFIDENCE_EXPLICIT);
        g_assert_cmpstr(e->detail, ==, causes[i][0]);
        g_assert_cmpstr(e->cause_hint, ==, causes[i][1]);
    }
    e = harness_nth(h, EVENT_KIND_COMPILE_FAILED, 0);
    g_assert_cmpstr(e->diagnostic, ==, "missing field first_name");
    g_assert_cmpstr(fmt_time(e->time), ==, "2026-11-24 08:00:03");
    g_assert_null(e->message_id);

    e = harness_nth(h, EVENT_KIND_SUPPRESSED, 0);
    g_assert_nonnull(e);
    g_assert_cmpstr(e->cause_hint, ==, "suppressed");
    g_assert_cmpint(e->step, ==, STEP_COMPILE);
    g_assert_cmpstr(e->recipient, ==, "nina.falk@gmail.com");
    g_assert_null(e->message_id);
}

/* Bad lines are counted with a note naming the line and the field; the rest is reported. */
static void
test_jsonl_bad(void)
{
    g_autofree char *deep = g_strnfill(100, '[');
    g_autofree char *text = g_strconcat(
        /* 1 */ "{\"time\":\"2026-11-24T09:00:01+01:00\",\"recipient\":\"a@b.example\","
                "\"event\":\"compiled\"}\n",
        /* 2 truncated */ "{\"time\":\"2026-11-24T09:00:01+01:00\",\"recipient\":\"a@b.ex\n",
        /* 3 wrong type */
        "{\"time\":1732435201,\"recipient\":\"a@b.example\",\"event\":\"compiled\"}\n",
        /* 4 missing */ "{\"time\":\"2026-11-24T09:00:01+01:00\",\"event\":\"compiled\"}\n",
        /* 5 bad time */
        "{\"time\":\"24.11.2026 09:00\",\"recipient\":\"a@b.example\","
        "\"event\":\"compiled\"}\n",
        /* 6 unknown event */
        "{\"time\":\"2026-11-24T09:00:01+01:00\",\"recipient\":"
        "\"a@b.example\",\"event\":\"opened\"}\n",
        /* 7 not an object */ "[1,2,3]\n",
        /* 8 deep */ "{\"x\":", deep, "\n",
        /* 9 garbage */ "Nov 24 09:00:01 mta1 postfix/qmgr[1]: 4Xk9: removed\n",
        /* 10 fine */
        "{\"time\":\"2026-11-24T09:00:02+01:00\",\"recipient\":\"c@d.example\","
        "\"event\":\"compile_failed\",\"phase\":\"sorcery\"}\n",
        /* 11 wrong type in an optional field */
        "{\"time\":\"2026-11-24T09:00:01+01:00\","
        "\"recipient\":\"a@b.example\",\"event\":\"submitted\",\"queue_id\":42}\n",
        /* 12 unknown event again */
        "{\"time\":\"2026-11-24T09:00:01+01:00\",\"recipient\":"
        "\"a@b.example\",\"event\":\"opened\"}\n",
        NULL);
    g_autoptr(Harness) h = run(jsonl(), text);
    g_assert_cmpuint(h->stats->lines, ==, 12);
    g_assert_cmpuint(h->stats->lines_used, ==, 2);
    g_assert_cmpuint(h->stats->lines_skipped, ==, 2);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 8);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_COMPILED), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_COMPILE_FAILED), ==, 1);
    g_assert_null(harness_nth(h, EVENT_KIND_COMPILE_FAILED, 0)->cause_hint);
    g_assert_cmpstr(harness_nth(h, EVENT_KIND_COMPILE_FAILED, 0)->detail, ==, "sorcery");

    g_assert_true(has_note(h, "line 2: invalid JSON"));
    g_assert_true(has_note(h, "line 3: field \"time\" must be a string, found a number"));
    g_assert_true(has_note(h, "line 4: required field \"recipient\" is missing"));
    g_assert_true(has_note(h, "line 5: field \"time\": \"24.11.2026 09:00\" is not an RFC 3339"));
    g_assert_true(has_note(h, "line 7: expected a JSON object, found an array"));
    g_assert_true(has_note(h, "line 8: JSON nested deeper than"));
    g_assert_true(has_note(h, "line 9: invalid JSON"));
    g_assert_true(has_note(h, "line 10: unknown compile phase \"sorcery\""));
    g_assert_true(has_note(h, "line 11: field \"queue_id\" must be a string"));
    g_assert_true(has_note(h, "2 line(s) with event \"opened\" skipped"));
    /* the input layer keeps the raw lines as examples */
    g_assert_cmpuint(h->stats->examples->len, ==, INPUT_STATS_MAX_EXAMPLES);
    g_assert_true(g_str_has_prefix(h->stats->examples->pdata[0], "line 2: "));
}

/* A line of 1 MB among good ones: counted as unrecognised, the others still reported. */
static void
test_jsonl_huge_line(void)
{
    GString *s = g_string_new(
        "{\"time\":\"2026-11-24T09:00:01+01:00\",\"recipient\":\"a@b.example\",\"event\":"
        "\"compiled\"}\n{\"time\":\"2026-11-24T09:00:01+01:00\",\"recipient\":\"a@b.example\","
        "\"event\":\"compiled\",\"detail\":\"");
    for (int i = 0; i < 1024 * 1024; i++)
        g_string_append_c(s, 'x');
    g_string_append(s, "\"}\n{\"time\":\"2026-11-24T09:00:02+01:00\",\"recipient\":"
                       "\"c@d.example\",\"event\":\"suppressed\"}\n");
    g_autoptr(Harness) h = harness_run(jsonl(), s->str, s->len, 2026);
    g_string_free(s, TRUE);
    g_assert_cmpuint(h->stats->lines, ==, 3);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_COMPILED), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_SUPPRESSED), ==, 1);
    g_assert_true(has_note(h, "line 2: longer than"));
}

static void
test_csv(void)
{
    static const char text[] =
        "\xEF\xBB\xBF"
        "event,time,Recipient,campaign,message_id,phase,queue_id,mta,detail,shop\n"
        "compiled,2026-11-24T10:15:00+01:00,olaf@example.org,orders,<ord.1@shop1.northwind.example>"
        ",mime,,,,berlin\n"
        "submitted,2026-11-24T10:15:01+01:00,olaf@example.org,orders,ord.1@shop1.northwind.example"
        ",,1tAbCd-000Xyz-1Q,shop1.northwind.example,\"250 OK, id=1tAbCd-000Xyz-1Q\",berlin\n"
        "compile_failed,2026-11-24T11:00:00+01:00,pia@example.org,orders,,attachment,,,"
        "\"invoice generator said:\n\"\"timeout after 30 s\"\"\",hamburg\n"
        "event,time,recipient,campaign,message_id,phase,queue_id,mta,detail,shop\n"
        "compile_failed,2026-11-24T11:00:00+01:00,,orders,,html,,,,x\n"
        "compiled,yesterday,q@example.org,orders,,,,,,\n"
        "compiled,2026-11-24T11:05:00+01:00,r@example.org\n";
    g_autoptr(Harness) h = run(csv(), text);
    g_assert_cmpuint(h->stats->lines, ==, 9);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 2);
    g_assert_cmpuint(h->stats->lines_skipped, ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_COMPILED), ==, 2);
    const Event *e = harness_nth(h, EVENT_KIND_COMPILED, 0);
    g_assert_cmpstr(e->message_id, ==, "ord.1@shop1.northwind.example");
    g_assert_cmpstr(e->campaign, ==, "orders");
    g_assert_cmpstr(fmt_time(e->time), ==, "2026-11-24 09:15:00");
    e = harness_nth(h, EVENT_KIND_SUBMITTED, 0);
    g_assert_cmpstr(e->queue_id, ==, "1tAbCd-000Xyz-1Q");
    g_assert_cmpstr(e->host, ==, "shop1.northwind.example");
    g_assert_cmpstr(e->diagnostic, ==, "250 OK, id=1tAbCd-000Xyz-1Q");
    e = harness_nth(h, EVENT_KIND_COMPILE_FAILED, 0);
    /* the batch turns control characters into spaces */
    g_assert_cmpstr(e->diagnostic, ==, "invoice generator said: \"timeout after 30 s\"");
    g_assert_cmpstr(e->cause_hint, ==, "attachment-error");
    g_assert_cmpuint(e->line, ==, 4);
    e = harness_nth(h, EVENT_KIND_COMPILED, 1);
    g_assert_cmpstr(e->recipient, ==, "r@example.org"); /* a short row: the rest is empty */
    g_assert_true(has_note(h, "line 7: required field \"recipient\" is missing"));
    g_assert_true(has_note(h, "line 8: field \"time\": \"yesterday\""));
}

static void
test_csv_semicolon_and_bad_header(void)
{
    g_autoptr(Harness) h = run(csv(), "time;event;recipient;phase\n"
                                      "2026-11-24T09:00:00Z;compile_failed;a@b.example;feed\n");
    g_assert_cmpuint(harness_count(h, EVENT_KIND_COMPILE_FAILED), ==, 1);
    g_assert_cmpstr(harness_nth(h, EVENT_KIND_COMPILE_FAILED, 0)->cause_hint, ==, "feed-error");

    g_autoptr(Harness) bad = run(csv(), "when,event,who\n2026-11-24T09:00:00Z,compiled,a@b\n");
    g_assert_cmpuint(bad->stats->lines_unrecognised, ==, 2);
    g_assert_true(has_note(bad, "line 1: the header row has no column \"time\""));
}

static void
test_probe(void)
{
    static const char j[] = "{\"time\":\"2026-11-24T09:00:01+01:00\",\"event\":\"compiled\"}\n";
    static const char c[] = "time,campaign,message_id,recipient,event,phase\n";
    static const char m[] = "{\"recipient\":\"a@b\",\"results\":[{\"state\":\"rcptto\"}]}\n";
    g_assert_cmpuint(jsonl()->probe(j, strlen(j)), >=, 90);
    g_assert_cmpuint(csv()->probe(j, strlen(j)), ==, 0);
    g_assert_cmpuint(csv()->probe(c, strlen(c)), >=, 90);
    g_assert_cmpuint(jsonl()->probe(c, strlen(c)), ==, 0);
    g_assert_cmpuint(jsonl()->probe(m, strlen(m)), ==, 0);
    guint score = 0;
    g_assert_true(parser_registry_sniff(j, strlen(j), &score) == jsonl());
    g_assert_true(parser_registry_sniff(c, strlen(c), &score) == csv());
}

/* samples/app follows docs/demo-story.md */
static void
test_samples(void)
{
    g_autoptr(Harness) h = harness_run_file(jsonl(), "samples/app/events-ws26.jsonl", 2026);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 0);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_COMPILED), ==, 100);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_SUBMITTED), ==, 60);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_COMPILE_FAILED), ==, 4);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_SUPPRESSED), ==, 1);
    for (guint i = 0; i < event_batch_len(h->batch); i++) {
        const Event *e = event_batch_get(h->batch, i);
        g_assert_cmpstr(e->campaign, ==, "ws26");
        g_assert_nonnull(e->recipient);
        g_assert_cmpint(e->time, >=,
                        G_GINT64_CONSTANT(1795478400) * G_USEC_PER_SEC); /* 11-24 00:00Z */
    }
    const Event *e = harness_nth(h, EVENT_KIND_COMPILE_FAILED, 0);
    g_assert_cmpstr(e->recipient, ==, "jana.adler@gmail.com");
    g_assert_cmpstr(e->cause_hint, ==, "personalization-error");

    g_autoptr(Harness) o = harness_run_file(csv(), "samples/app/events-orders.csv", 2026);
    g_assert_cmpuint(o->stats->lines_unrecognised, ==, 0);
    g_assert_cmpuint(harness_count(o, EVENT_KIND_COMPILED), >, 0);
    for (guint i = 0; i < event_batch_len(o->batch); i++)
        g_assert_cmpstr(event_batch_get(o->batch, i)->campaign, ==, "orders");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/app-events/jsonl/events", test_jsonl_events);
    g_test_add_func("/app-events/jsonl/bad", test_jsonl_bad);
    g_test_add_func("/app-events/jsonl/huge-line", test_jsonl_huge_line);
    g_test_add_func("/app-events/csv/events", test_csv);
    g_test_add_func("/app-events/csv/semicolon-bad-header", test_csv_semicolon_and_bad_header);
    g_test_add_func("/app-events/probe", test_probe);
    g_test_add_func("/app-events/samples", test_samples);
    return g_test_run();
}
