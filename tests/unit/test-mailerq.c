/* MailerQ result JSON (one message per line, one result per delivery attempt). */
#include <string.h>

#include "harness.h"
#include "timeutil.h"

static const ParserClass *
klass(void)
{
    const ParserClass *k = parser_registry_find("mailerq");
    g_assert_nonnull(k);
    return k;
}

static Harness *
run(const char *text)
{
    return harness_run(klass(), text, strlen(text), 2026);
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

/* One attempt refused at the banner, the next accepted; everything MailerQ 5 adds. */
static void
test_two_attempts(void)
{
    g_autoptr(Harness) h = run(
        "{\"envelope\":\"bounces+info=example.org@news.northwind.example\",\"recipient\":"
        "\"info@example.org\",\"id\":\"mq1-ws26-0099\",\"mta\":\"mq1.news.northwind.example\","
        "\"tags\":[\"ws26\",\"newsletter\"],\"dsn\":{\"envid\":\"ws26.0099\",\"orcpt\":"
        "\"rfc822;info@example.org\",\"notify\":\"FAILURE\"},\"maxdelivertime\":\"2026-11-25 "
        "08:00:00\",\"results\":[{\"state\":\"intro\",\"result\":\"error\",\"time\":\"2026-11-24 "
        "08:00:15\",\"mta\":\"mx1.example.org\",\"from\":\"192.0.2.20\",\"to\":\"198.51.100.7\","
        "\"messages\":1,\"code\":451,\"status\":\"4.7.0\",\"description\":\"Please come back "
        "later\"},{\"state\":\"message\",\"result\":\"accepted\",\"time\":\"2026-11-24 08:10:42\","
        "\"mta\":\"mx2.example.org\",\"from\":\"192.0.2.20\",\"to\":\"198.51.100.8\",\"messages\":"
        "4,"
        "\"code\":250,\"status\":\"2.0.0\",\"dsn\":true,\"description\":\"Ok: queued as 9F2C1\","
        "\"cipher\":{\"name\":\"TLS_AES_256_GCM_SHA384\",\"bits\":256}}],\"extracted\":{\"from\":"
        "\"news@news.northwind.example\",\"to\":[\"info@example.org\"],\"subject\":\"Winter Sale\","
        "\"headers\":{\"message-id\":\"<ws26.0099@news.northwind.example>\",\"x-campaign-id\":"
        "\"ws26\"}}}\n");
    g_assert_cmpuint(h->stats->lines_used, ==, 1);
    g_assert_cmpuint(event_batch_len(h->batch), ==, 2);
    const Event *e = harness_nth(h, EVENT_KIND_DEFERRED, 0);
    g_assert_nonnull(e);
    g_assert_cmpint(e->step, ==, STEP_GREETING);
    g_assert_cmpint(e->step_confidence, ==, CONFIDENCE_EXPLICIT);
    g_assert_cmpuint(e->reply_code, ==, 451);
    g_assert_cmpstr(e->enhanced, ==, "4.7.0");
    g_assert_cmpstr(e->diagnostic, ==, "Please come back later");
    g_assert_cmpstr(e->relay, ==, "mx1.example.org");
    g_assert_cmpstr(e->relay_ip, ==, "198.51.100.7");
    g_assert_cmpstr(e->detail, ==, "state=intro result=error");
    g_assert_cmpstr(fmt_time(e->time), ==, "2026-11-24 08:00:15");

    e = harness_nth(h, EVENT_KIND_DELIVERED, 0);
    g_assert_nonnull(e);
    g_assert_cmpint(e->step, ==, STEP_END_OF_DATA);
    g_assert_cmpuint(e->reply_code, ==, 250);
    g_assert_cmpstr(e->recipient, ==, "info@example.org");
    g_assert_cmpstr(e->sender, ==, "bounces+info=example.org@news.northwind.example");
    g_assert_cmpstr(e->message_id, ==, "ws26.0099@news.northwind.example");
    g_assert_cmpstr(e->campaign, ==, "ws26");
    g_assert_cmpstr(e->queue_id, ==, "mq1-ws26-0099");
    g_assert_cmpstr(e->host, ==, "mq1.news.northwind.example");
    g_assert_cmpstr(e->envid, ==, "ws26.0099");
    g_assert_cmpstr(e->orig_recipient, ==, "rfc822;info@example.org");
    g_assert_cmpstr(e->subject, ==, "Winter Sale");
    g_assert_cmpstr(e->relay, ==, "mx2.example.org");
    g_assert_cmpuint(e->line, ==, 1);
}

/* The same message from the retry queue, then from the results queue: each attempt once. */
static void
test_republished(void)
{
    g_autoptr(Harness) h = run(
        "{\"recipient\":\"a@example.net\",\"envelope\":\"b@news.example\",\"results\":[{\"state\":"
        "\"rcptto\",\"result\":\"error\",\"time\":\"2026-11-24 08:00:01\",\"code\":451,"
        "\"status\":\"4.7.1\",\"description\":\"Greylisted\"}]}\n"
        "{\"recipient\":\"other@example.net\",\"results\":[{\"state\":\"connect\",\"result\":"
        "\"timeout\",\"time\":\"2026-11-24 08:00:02\"}]}\n"
        "{\"recipient\":\"a@example.net\",\"envelope\":\"b@news.example\",\"results\":[{\"state\":"
        "\"rcptto\",\"result\":\"error\",\"time\":\"2026-11-24 08:00:01\",\"code\":451,"
        "\"status\":\"4.7.1\",\"description\":\"Greylisted\"},{\"state\":\"message\",\"result\":"
        "\"accepted\",\"time\":\"2026-11-24 08:05:01\",\"code\":250}]}\n"
        "{\"recipient\":\"a@example.net\",\"envelope\":\"b@news.example\",\"results\":[{\"state\":"
        "\"rcptto\",\"result\":\"error\",\"time\":\"2026-11-24 08:00:01\",\"code\":451,"
        "\"status\":\"4.7.1\",\"description\":\"Greylisted\"},{\"state\":\"message\",\"result\":"
        "\"accepted\",\"time\":\"2026-11-24 08:05:01\",\"code\":250}]}\n");
    g_assert_cmpuint(h->stats->lines_used, ==, 4);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DEFERRED), ==, 2);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DELIVERED), ==, 1);
    const Event *e = harness_nth(h, EVENT_KIND_DEFERRED, 1);
    g_assert_cmpstr(e->recipient, ==, "other@example.net");
    g_assert_cmpint(e->step, ==, STEP_CONNECT);
    g_assert_cmpstr(e->vendor_label, ==, "timeout");
    g_assert_cmpuint(e->reply_code, ==, 0);
}

typedef struct {
    const char *state, *result;
    int code;
    const char *extra; /* more members of the result object */
    EventKind kind;
    Step step;
    const char *cause;
} Case;

/* The last result of a message: final or to be retried, at which step, with which cause. */
static void
test_states(void)
{
    static const Case cases[] = {
        {"rcptto", "error", 550, NULL, EVENT_KIND_FAILED, STEP_RCPT_TO, NULL},
        {"rcptto", "error", 550, "\"fatal\":false", EVENT_KIND_DEFERRED, STEP_RCPT_TO, NULL},
        {"rcptto", "error", 452, NULL, EVENT_KIND_DEFERRED, STEP_RCPT_TO, NULL},
        {"mailfrom", "error", 421, "\"fatal\":true", EVENT_KIND_FAILED, STEP_MAIL_FROM, NULL},
        {"dns", "error", 0, NULL, EVENT_KIND_FAILED, STEP_RESOLVE, NULL},
        {"bind", "error", 0, NULL, EVENT_KIND_FAILED, STEP_CONNECT, NULL},
        {"connect", "timeout", 0, NULL, EVENT_KIND_DEFERRED, STEP_CONNECT, NULL},
        {"handshake", "lost", 0, NULL, EVENT_KIND_DEFERRED, STEP_CONNECT, NULL},
        {"intro", "invalid", 0, NULL, EVENT_KIND_FAILED, STEP_GREETING, NULL},
        {"ehlo", "error", 554, NULL, EVENT_KIND_FAILED, STEP_HELO, NULL},
        {"authlogin", "error", 535, NULL, EVENT_KIND_FAILED, STEP_HELO, NULL},
        {"starttls", "error", 454, NULL, EVENT_KIND_DEFERRED, STEP_TLS, NULL},
        {"data", "error", 554, NULL, EVENT_KIND_FAILED, STEP_DATA, NULL},
        {"message", "error", 550, NULL, EVENT_KIND_FAILED, STEP_END_OF_DATA, NULL},
        {"message", "lost", 0, NULL, EVENT_KIND_DEFERRED, STEP_END_OF_DATA, NULL},
        {"idle", "lost", 0, NULL, EVENT_KIND_DEFERRED, STEP_UNKNOWN, NULL},
        {"process", "timeout", 0, NULL, EVENT_KIND_EXPIRED, STEP_UNKNOWN, NULL},
        {"process", "invalid", 0, NULL, EVENT_KIND_COMPILE_FAILED, STEP_COMPILE, "invalid-address"},
        {"process", "error", 0, NULL, EVENT_KIND_COMPILE_FAILED, STEP_COMPILE, "local-policy"},
        {"suppression", "error", 0, NULL, EVENT_KIND_SUPPRESSED, STEP_COMPILE, "suppressed"},
        {"storage", "error", 0, NULL, EVENT_KIND_COMPILE_FAILED, STEP_COMPILE,
         "local-system-error"},
        {"storage", "lost", 0, NULL, EVENT_KIND_DEFERRED, STEP_COMPILE, "local-system-error"},
        {"responsive", "error", 0, NULL, EVENT_KIND_COMPILE_FAILED, STEP_COMPILE, "template-error"},
        {"personalize", "error", 0, NULL, EVENT_KIND_COMPILE_FAILED, STEP_COMPILE,
         "personalization-error"},
        {"rewrite", "error", 0, NULL, EVENT_KIND_COMPILE_FAILED, STEP_COMPILE, "mime-build-error"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        const Case *c = &cases[i];
        g_autofree char *code = c->code ? g_strdup_printf(",\"code\":%d", c->code) : g_strdup("");
        g_autofree char *line = g_strdup_printf(
            "{\"recipient\":\"r%zu@example.com\",\"results\":[{\"state\":\"%s\",\"result\":"
            "\"%s\",\"time\":\"2026-11-24 08:00:00\"%s%s%s}]}\n",
            i, c->state, c->result, code, c->extra ? "," : "", c->extra ? c->extra : "");
        g_autoptr(Harness) h = run(line);
        g_assert_cmpuint(h->stats->lines_unrecognised, ==, 0);
        g_assert_cmpuint(event_batch_len(h->batch), ==, 1);
        const Event *e = event_batch_get(h->batch, 0);
        if (e->kind != c->kind || e->step != c->step || g_strcmp0(e->cause_hint, c->cause) != 0)
            g_error("%s/%s/%d: got %s at %s (%s)", c->state, c->result, c->code,
                    event_kind_to_string(e->kind), step_to_string(e->step),
                    e->cause_hint ? e->cause_hint : "no cause");
        g_assert_cmpint(e->step_confidence, ==,
                        c->step == STEP_UNKNOWN ? CONFIDENCE_UNKNOWN : CONFIDENCE_EXPLICIT);
        g_assert_cmpuint(e->reply_code, ==, (guint)c->code);
    }
    /* a lost connection after the dot: the message may arrive twice */
    g_autoptr(Harness) h = run("{\"recipient\":\"x@y\",\"results\":[{\"state\":\"message\","
                               "\"result\":\"lost\"}]}\n");
    g_assert_true(event_batch_get(h->batch, 0)->attempt_flags & EVENT_FLAG_MAY_DUPLICATE);
    g_assert_cmpint(event_batch_get(h->batch, 0)->time, ==, 0);
}

/* Bad lines: a note naming the line and the field; the others are still reported. */
static void
test_bad(void)
{
    GString *s = g_string_new(
        /* 1 */
        "{\"recipient\":\"a@b\",\"results\":[{\"state\":\"message\",\"result\":"
        "\"accepted\",\"code\":250}]}\n"
        /* 2 */ "{\"recipient\":\"a@b\",\"results\":[{\"state\":\"message\",\"resu\n"
        /* 3 */ "{\"recipient\":\"a@b\",\"results\":{\"state\":\"message\"}}\n"
        /* 4 */ "{\"recipient\":\"a@b\",\"results\":[{\"state\":\"rcptto\",\"result\":\"error\"},"
        "{\"result\":\"error\"}]}\n"
        /* 5 */ "{\"recipient\":\"a@b\",\"results\":[{\"state\":\"rcptto\",\"result\":\"error\","
        "\"code\":{\"x\":1}}]}\n"
        /* 6 */ "{\"recipient\":\"a@b\",\"results\":[{\"state\":\"rcptto\",\"result\":\"error\","
        "\"time\":\"Tuesday\"}]}\n"
        /* 7 */ "{\"envelope\":\"a@b\",\"results\":[]}\n"
        /* 8 */ "{\"recipient\":[\"a@b\"],\"results\":[]}\n"
        /* 9 */ "{\"recipient\":\"a@b\"}\n"
        /* 10 */ "{\"recipient\":\"c@d\",\"results\":[{\"state\":\"rcptto\",\"result\":\"error\","
        "\"code\":\"550\",\"status\":\"5.1.1 \",\"description\":\"no such user\"}]}\n"
        /* 11 */ "{\"recipient\":\"c@d\",\"results\":[]}\n"
        /* 12 */ "{\"recipient\":\"e@f\",\"results\":[{\"state\":\"rcptto\",\"result\":\"error\","
        "\"code\":\"550\"}],\"pad\":\"");
    for (int i = 0; i < 1024 * 1024; i++)
        g_string_append_c(s, 'x');
    g_string_append(s, "\"}\n"
                       /* 13 */ "{\"recipient\":\"g@h\",\"results\":[{\"state\":\"connect\","
                       "\"result\":\"timeout\",\"fatal\":\"yes\"}]}\n");
    g_autoptr(Harness) h = harness_run(klass(), s->str, s->len, 2026);
    g_string_free(s, TRUE);
    g_assert_cmpuint(h->stats->lines, ==, 13);
    g_assert_cmpuint(h->stats->lines_used, ==, 3);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 10);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DELIVERED), ==, 1);
    const Event *e = harness_nth(h, EVENT_KIND_FAILED, 0);
    g_assert_cmpstr(e->recipient, ==, "c@d");
    g_assert_cmpuint(e->reply_code, ==, 550); /* a code written as a string */
    g_assert_null(e->enhanced);               /* "5.1.1 " is not a status code */
    g_assert_cmpuint(e->line, ==, 10);
    g_assert_true(has_note(h, "line 2: invalid JSON"));
    g_assert_true(has_note(h, "line 3: field \"results\" must be an array, found an object"));
    g_assert_true(has_note(h, "line 4: results[1]: required field \"state\" is missing"));
    g_assert_true(has_note(h, "line 5: results[0].code must be a number, found an object"));
    g_assert_true(has_note(h, "line 6: results[0].time: \"Tuesday\" is not a date and time"));
    g_assert_true(has_note(h, "line 7: required field \"recipient\" is missing"));
    g_assert_true(has_note(h, "line 8: field \"recipient\" must be a string, found an array"));
    g_assert_true(has_note(h, "line 9: required field \"results\" is missing"));
    g_assert_true(has_note(h, "line 12: longer than"));
    g_assert_true(has_note(h, "line 13: results[0].fatal must be true or false"));
}

static void
test_probe(void)
{
    static const char m[] = "{\"envelope\":\"a@b\",\"recipient\":\"c@d\",\"results\":[{\"state\":"
                            "\"rcptto\",\"result\":\"error\"}]}\n";
    static const char app[] = "{\"time\":\"2026-11-24T09:00:01+01:00\",\"recipient\":\"c@d\","
                              "\"event\":\"compiled\"}\n";
    g_assert_cmpuint(klass()->probe(m, strlen(m)), >=, 90);
    g_assert_cmpuint(klass()->probe(app, strlen(app)), ==, 0);
    guint score;
    g_assert_true(parser_registry_sniff(m, strlen(m), &score) == klass());
}

/* samples/mailerq: recipients 0061-0080 of ws26 from mq1 (docs/demo-story.md) */
static void
test_sample(void)
{
    g_autoptr(Harness) h = harness_run_file(klass(), "samples/mailerq/results-mq1.jsonl", 2026);
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, 0);
    GHashTable *rcpts = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < event_batch_len(h->batch); i++) {
        const Event *e = event_batch_get(h->batch, i);
        g_assert_cmpstr(e->campaign, ==, "ws26");
        g_assert_cmpstr(e->host, ==, "mq1.news.northwind.example");
        g_assert_true(g_str_has_prefix(e->message_id, "ws26.00"));
        g_assert_true(g_str_has_suffix(e->message_id, "@news.northwind.example"));
        g_hash_table_add(rcpts, (gpointer)e->recipient);
    }
    g_assert_cmpuint(g_hash_table_size(rcpts), ==, 20);
    g_hash_table_unref(rcpts);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_DELIVERED), ==, 13);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_FAILED), ==, 4);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_EXPIRED), ==, 1);
    g_assert_cmpuint(harness_count(h, EVENT_KIND_COMPILE_FAILED), ==, 1);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mailerq/two-attempts", test_two_attempts);
    g_test_add_func("/mailerq/republished", test_republished);
    g_test_add_func("/mailerq/states", test_states);
    g_test_add_func("/mailerq/bad", test_bad);
    g_test_add_func("/mailerq/probe", test_probe);
    g_test_add_func("/mailerq/sample", test_sample);
    return g_test_run();
}
