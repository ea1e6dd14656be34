/* The Postfix parser against tests/gen/gen-postfix-log: a few hundred thousand generated lines
 * whose ground truth says exactly which lines and events a parser must find. Two runs: classic
 * timestamps crossing the turn of the year, and RFC 3339 with long queue ids in an instance.
 * (The outcome-level check, one timeline per message, comes with the correlator.) */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "harness.h"

static gint64
member_int(JsonObject *o, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, ".", 2);
    if (parts[1]) {
        JsonObject *inner = json_object_get_object_member(o, parts[0]);
        g_assert_nonnull(inner);
        return json_object_get_int_member(inner, parts[1]);
    }
    g_assert_true(json_object_has_member(o, path));
    return json_object_get_int_member(o, path);
}

static guint
count_flag(Harness *h, EventKind kind, guint16 flag, gboolean set)
{
    guint n = 0;
    for (guint i = 0; i < event_batch_len(h->batch); i++) {
        const Event *e = event_batch_get(h->batch, i);
        if (e->kind == kind && ((e->attempt_flags & flag) != 0) == set)
            n++;
    }
    return n;
}

static guint
count_detail(Harness *h, EventKind kind, const char *detail)
{
    guint n = 0;
    for (guint i = 0; i < event_batch_len(h->batch); i++) {
        const Event *e = event_batch_get(h->batch, i);
        if (e->kind == kind && g_strcmp0(e->detail, detail) == 0)
            n++;
    }
    return n;
}

static void
run_generated(const char *const *extra, int year)
{
    g_autofree char *script = harness_source_path("tests/gen/gen-postfix-log");
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("mailtrail-gen-XXXXXX", &error);
    g_assert_no_error(error);
    g_autofree char *log = g_build_filename(dir, "mail.log", NULL);
    g_autofree char *truth = g_build_filename(dir, "truth.json", NULL);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_ptr_array_add(argv, (char *)"/usr/bin/python3");
    g_ptr_array_add(argv, script);
    g_ptr_array_add(argv, (char *)"--out");
    g_ptr_array_add(argv, log);
    g_ptr_array_add(argv, (char *)"--truth");
    g_ptr_array_add(argv, truth);
    for (const char *const *p = extra; *p; p++)
        g_ptr_array_add(argv, (char *)*p);
    g_ptr_array_add(argv, NULL);
    gint status = 0;
    g_autofree char *err = NULL;
    gint64 t0 = g_get_monotonic_time();
    gboolean ok = g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                               NULL, NULL, &err, &status, &error);
    g_assert_no_error(error);
    g_assert_true(ok);
    if (!g_spawn_check_wait_status(status, NULL))
        g_error("gen-postfix-log failed: %s", err);
    gint64 t1 = g_get_monotonic_time();

    g_autofree char *text = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(log, &text, &len, NULL));
    g_autoptr(Harness) h = harness_run(parser_registry_find("postfix"), text, len, year);
    gint64 t2 = g_get_monotonic_time();

    g_autoptr(JsonParser) jp = json_parser_new();
    g_assert_true(json_parser_load_from_file(jp, truth, &error));
    g_assert_no_error(error);
    JsonObject *tr = json_node_get_object(json_parser_get_root(jp));
    g_test_message("generated %" G_GUINT64_FORMAT " lines (%.1f MB) in %.1f s, parsed in %.2f s; "
                   "%" G_GINT64_FORMAT " messages, %" G_GINT64_FORMAT " recipients",
                   h->stats->lines, (double)len / 1e6, (double)(t1 - t0) / 1e6,
                   (double)(t2 - t1) / 1e6, member_int(tr, "messages"),
                   member_int(tr, "recipients"));

    /* every line counted as the truth says */
    g_assert_cmpuint(h->stats->lines, ==, member_int(tr, "lines"));
    g_assert_cmpuint(h->stats->lines_used, ==, member_int(tr, "lines_used"));
    g_assert_cmpuint(h->stats->lines_skipped, ==, member_int(tr, "lines_skipped"));
    g_assert_cmpuint(h->stats->lines_unrecognised, ==, member_int(tr, "lines_unrecognised"));
    g_assert_cmpint(member_int(tr, "lines"), >, 200000);

    /* events by kind */
    static const EventKind kinds[] = {
        EVENT_KIND_QUEUED,      EVENT_KIND_DELIVERED,    EVENT_KIND_DEFERRED,
        EVENT_KIND_FAILED,      EVENT_KIND_EXPIRED,      EVENT_KIND_NOTIFICATION,
        EVENT_KIND_MESSAGE_END, EVENT_KIND_SMTP_COMMAND, EVENT_KIND_REJECTED,
    };
    guint total = 0;
    for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++) {
        g_autofree char *path = g_strconcat("events.", event_kind_to_string(kinds[i]), NULL);
        guint got = harness_count(h, kinds[i]);
        if (got != (guint)member_int(tr, path))
            g_error("%s: parser %u, truth %" G_GINT64_FORMAT, path, got, member_int(tr, path));
        total += got;
    }
    g_assert_cmpuint(event_batch_len(h->batch), ==, total);

    /* what the truth knows beyond kinds */
    g_assert_cmpuint(count_flag(h, EVENT_KIND_DEFERRED, EVENT_FLAG_NOT_ATTEMPTED, TRUE), ==,
                     member_int(tr, "attempts_not_attempted"));
    g_assert_cmpuint(count_flag(h, EVENT_KIND_DELIVERED, EVENT_FLAG_LOCAL, FALSE), ==,
                     member_int(tr, "outcomes.delivered"));
    g_assert_cmpuint(harness_count(h, EVENT_KIND_FAILED), ==, member_int(tr, "outcomes.bounced"));
    g_assert_cmpuint(harness_count(h, EVENT_KIND_SMTP_COMMAND), ==,
                     member_int(tr, "per_mx_replies"));
    g_assert_cmpuint(count_detail(h, EVENT_KIND_NOTIFICATION, "non-delivery"), ==,
                     member_int(tr, "notifications.non-delivery"));
    g_assert_cmpuint(count_detail(h, EVENT_KIND_NOTIFICATION, "delay"), ==,
                     member_int(tr, "notifications.delay"));
    /* attempts = delivery lines that reached a server or failed on the way */
    g_assert_cmpuint(count_flag(h, EVENT_KIND_DELIVERED, EVENT_FLAG_LOCAL, FALSE) +
                         harness_count(h, EVENT_KIND_FAILED) +
                         count_flag(h, EVENT_KIND_DEFERRED, EVENT_FLAG_NOT_ATTEMPTED, FALSE),
                     ==, member_int(tr, "attempts"));
    g_assert_cmpint(member_int(tr, "outcomes.expired"), >, 0);
    g_assert_cmpint(member_int(tr, "notifications.delay"), >, 0);

    /* time range and scope */
    gint64 first = G_MAXINT64, last = 0;
    const char *host = json_object_get_string_member(tr, "host");
    for (guint i = 0; i < event_batch_len(h->batch); i++) {
        const Event *e = event_batch_get(h->batch, i);
        first = MIN(first, e->time);
        last = MAX(last, e->time);
        g_assert_cmpstr(e->host, ==, host);
    }
    g_assert_cmpint(first - first % G_USEC_PER_SEC, ==, member_int(tr, "first_event"));
    g_assert_cmpint(last - last % G_USEC_PER_SEC, ==, member_int(tr, "last_event"));

    g_remove(log);
    g_remove(truth);
    g_rmdir(dir);
}

static void
test_classic_rollover(void)
{
    const char *args[] = {"--messages", "22000", "--seed",     "7", "--rollover",
                          "--hours",    "10",    "--lifetime", "5", NULL};
    run_generated(args, 2026);
}

static void
test_rfc3339_instance(void)
{
    const char *args[] = {"--messages", "22000",      "--seed",      "8",       "--rfc3339",
                          "--long-ids", "--instance", "postfix-out", "--hours", "10",
                          "--lifetime", "5",          "--garbage",   "0.001",   NULL};
    run_generated(args, 0);
}

static void
test_no_python(void)
{
    g_test_skip("/usr/bin/python3 is absent: the generator cannot run");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!g_file_test("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_add_func("/postfix-gen/no-python", test_no_python);
        return g_test_run();
    }
    g_test_add_func("/postfix-gen/classic-rollover", test_classic_rollover);
    g_test_add_func("/postfix-gen/rfc3339-instance", test_rfc3339_instance);
    return g_test_run();
}
