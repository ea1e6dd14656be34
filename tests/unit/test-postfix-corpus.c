/* The Postfix parser against real-world material in ../shared/corpus (skipped when absent):
 * (a) postfix-grok-patterns: every case of a delivery agent yields the expected queue id,
 *     recipient, relay, dsn, status and response; every other Postfix case is at least used;
 *     smtpd rejections, bounce, cleanup and qmgr cases are checked where the case says more.
 * (b) lightmeter-scenarios: every file parses without unrecognised lines (one justified
 *     exception) and yields the events its name implies. */
#include <string.h>

#include "harness.h"

static const ParserClass *
klass(void)
{
    const ParserClass *k = parser_registry_find("postfix");
    g_assert_nonnull(k);
    return k;
}

static char *
corpus_dir(const char *sub)
{
    g_autofree char *rel = g_build_filename("..", "shared", "corpus", "logs", sub, NULL);
    return harness_source_path(rel);
}

/* ---- a tiny reader for the grok test cases ------------------------------------------- */

typedef struct {
    char *name;          /* file name */
    char *data;          /* the message part of a log line */
    GHashTable *results; /* key -> value */
} GrokCase;

static void
grok_case_free(GrokCase *c)
{
    g_free(c->name);
    g_free(c->data);
    g_hash_table_unref(c->results);
    g_free(c);
}

/* A YAML scalar: "double quoted" (with \" \\ \n \r \t escapes; \r and \n become rsyslog's
 * #015 and #012, as a syslog line would carry them), 'single quoted' or plain. */
static char *
yaml_scalar(const char *s)
{
    while (*s == ' ')
        s++;
    GString *out = g_string_new(NULL);
    if (*s == '"') {
        for (s++; *s && *s != '"'; s++) {
            if (*s == '\\' && s[1]) {
                s++;
                switch (*s) {
                case 'n':
                    g_string_append(out, "#012");
                    break;
                case 'r':
                    g_string_append(out, "#015");
                    break;
                case 't':
                    g_string_append_c(out, '\t');
                    break;
                default:
                    g_string_append_c(out, *s);
                    break;
                }
            } else {
                g_string_append_c(out, *s);
            }
        }
    } else if (*s == '\'') {
        for (s++; *s; s++) {
            if (*s == '\'' && s[1] == '\'')
                g_string_append_c(out, *s++);
            else if (*s == '\'')
                break;
            else
                g_string_append_c(out, *s);
        }
    } else {
        g_string_append(out, s);
        while (out->len > 0 && (out->str[out->len - 1] == ' ' || out->str[out->len - 1] == '\r'))
            g_string_truncate(out, out->len - 1);
    }
    return g_string_free(out, FALSE);
}

static GrokCase *
grok_case_read(const char *path)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return NULL;
    GrokCase *c = g_new0(GrokCase, 1);
    c->name = g_path_get_basename(path);
    c->results = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (g_str_has_prefix(*l, "data:")) {
            c->data = yaml_scalar(*l + 5);
        } else if (g_str_has_prefix(*l, "    ") && (*l)[strspn(*l, " ")] != '#') {
            const char *k = *l + 4;
            const char *colon = strchr(k, ':');
            if (colon)
                g_hash_table_replace(c->results, g_strndup(k, (gsize)(colon - k)),
                                     yaml_scalar(colon + 1));
        }
    }
    return c;
}

/* The Postfix program of a case file ("smtp_0001.yaml" -> "smtp"), NULL for the files that
 * hold pattern fragments rather than whole messages. */
static const char *
grok_program(const char *name)
{
    static const struct {
        const char *prefix, *program;
    } map[] = {
        {"anvil_", "anvil"},         {"bounce_", "bounce"},
        {"cleanup_", "cleanup"},     {"discard_", "discard"},
        {"dnsblog_", "dnsblog"},     {"error_", "error"},
        {"lmtp_", "lmtp"},           {"local_", "local"},
        {"master_", "master"},       {"pickup_", "pickup"},
        {"pipe_", "pipe"},           {"postdrop_", "postdrop"},
        {"postmap_", "postmap"},     {"postscreen_", "postscreen"},
        {"postsuper_", "postsuper"}, {"qmgr_", "qmgr"},
        {"scache_", "scache"},       {"script_", "postfix-script"},
        {"sendmail_", "sendmail"},   {"smtpd_", "smtpd"},
        {"smtp_", "smtp"},           {"tlsmgr_", "tlsmgr"},
        {"tlsproxy_", "tlsproxy"},   {"trivial_rewrite_", "trivial-rewrite"},
        {"verify_", "verify"},       {"virtual_", "virtual"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(map); i++)
        if (g_str_has_prefix(name, map[i].prefix))
            return map[i].program;
    return NULL; /* command_counter_data_, delays_, relay_, tls_features_ */
}

static gboolean
is_delivery_agent(const char *program)
{
    static const char *const agents[] = {"smtp", "lmtp",  "local",   "virtual",
                                         "pipe", "error", "discard", "retry"};
    for (gsize i = 0; i < G_N_ELEMENTS(agents); i++)
        if (g_str_equal(program, agents[i]))
            return TRUE;
    return FALSE;
}

/* key=value out of a grok keyvalue_data string ("to=<a>, relay=h[ip]:25, ..."). */
static char *
kv_get(const char *kv, const char *key)
{
    g_autofree char *needle = g_strconcat(key, "=", NULL);
    const char *p = kv;
    while ((p = strstr(p, needle)) != NULL) {
        if (p == kv || p[-1] == ' ') {
            p += strlen(needle);
            gsize n = strcspn(p, ", ");
            char *v = g_strndup(p, n);
            if (v[0] == '<' && n >= 2 && v[n - 1] == '>') {
                char *inner = g_strndup(v + 1, n - 2);
                g_free(v);
                return inner;
            }
            return v;
        }
        p++;
    }
    return NULL;
}

static EventKind
kind_of_status(const char *status)
{
    if (g_str_equal(status, "sent") || g_str_equal(status, "deliverable"))
        return EVENT_KIND_DELIVERED;
    if (g_str_equal(status, "deferred"))
        return EVENT_KIND_DEFERRED;
    if (g_str_equal(status, "expired"))
        return EVENT_KIND_EXPIRED;
    if (g_str_equal(status, "bounced") || g_str_has_prefix(status, "undeliverable"))
        return EVENT_KIND_FAILED;
    return EVENT_KIND_NONE;
}

/* Checks one case; appends a readable reason to failures and returns FALSE on a mismatch. */
static gboolean
grok_check(GrokCase *c, const char *program, GString *failures, guint detailed[4])
{
    g_autofree char *line =
        g_strdup_printf("Oct 26 18:13:50 mx1 postfix/%s[4242]: %s\n", program, c->data);
    g_autoptr(Harness) h = harness_run(klass(), line, strlen(line), 2026);
#define FAIL(...)                                                                                  \
    do {                                                                                           \
        g_string_append_printf(failures, "  %s: ", c->name);                                       \
        g_string_append_printf(failures, __VA_ARGS__);                                             \
        g_string_append_printf(failures, "\n      data: %s\n", c->data);                           \
        return FALSE;                                                                              \
    } while (0)
    if (h->stats->lines_used != 1)
        FAIL("line not used (skipped %" G_GUINT64_FORMAT ", unrecognised %" G_GUINT64_FORMAT ")",
             h->stats->lines_skipped, h->stats->lines_unrecognised);
    GHashTable *r = c->results;
    const char *qid = g_hash_table_lookup(r, "postfix_queueid");
    const char *kv = g_hash_table_lookup(r, "postfix_keyvalue_data");
    const char *status = g_hash_table_lookup(r, "postfix_status");
    const Event *e = event_batch_len(h->batch) ? event_batch_get(h->batch, 0) : NULL;

    if (is_delivery_agent(program) && kv && status) {
        detailed[0]++;
        if (event_batch_len(h->batch) != 1)
            FAIL("%u events instead of one delivery", event_batch_len(h->batch));
        if (e->kind != kind_of_status(status))
            FAIL("kind %s for status=%s", event_kind_to_string(e->kind), status);
        if (g_strcmp0(e->queue_id, qid) != 0)
            FAIL("queue id %s, expected %s", e->queue_id, qid);
        g_autofree char *to = kv_get(kv, "to");
        g_autofree char *relay = kv_get(kv, "relay");
        g_autofree char *dsn = kv_get(kv, "dsn");
        if (g_strcmp0(e->recipient, to) != 0)
            FAIL("recipient %s, expected %s", e->recipient, to);
        g_autofree char *relay_host = relay ? g_strndup(relay, strcspn(relay, "[")) : NULL;
        const char *want_relay = g_strcmp0(relay_host, "none") == 0 ? NULL : relay_host;
        if (g_strcmp0(e->relay, want_relay) != 0)
            FAIL("relay %s, expected %s", e->relay, want_relay);
        if (relay && strchr(relay, '[')) {
            g_autofree char *ip =
                g_strndup(strchr(relay, '[') + 1, strcspn(strchr(relay, '[') + 1, "]"));
            gboolean is_ip = strchr(ip, '/') == NULL;
            if (g_strcmp0(e->relay_ip, is_ip ? ip : NULL) != 0)
                FAIL("relay ip %s, expected %s", e->relay_ip, is_ip ? ip : "none");
        }
        if (g_strcmp0(e->enhanced, dsn) != 0)
            FAIL("dsn %s, expected %s", e->enhanced, dsn);
        const char *keys[] = {"postfix_smtp_response", "postfix_local_response",
                              "postfix_pipe_response", "postfix_error_response"};
        for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
            const char *resp = g_hash_table_lookup(r, keys[i]);
            if (resp && g_strcmp0(e->diagnostic, resp) != 0)
                FAIL("response \"%s\", expected \"%s\"", e->diagnostic, resp);
        }
        return TRUE;
    }
    /* trouble with one MX: an SMTP_COMMAND with the queue id and the server */
    const char *rhost = g_hash_table_lookup(r, "postfix_relay_hostname");
    if (qid && rhost &&
        (strstr(c->data, " said: ") || strstr(c->data, "lost connection with ") ||
         strstr(c->data, "conversation with ") || strstr(c->data, "refused to talk to me"))) {
        detailed[1]++;
        if (e == NULL || e->kind != EVENT_KIND_SMTP_COMMAND)
            FAIL("no smtp-command event");
        if (g_strcmp0(e->queue_id, qid) != 0 || g_strcmp0(e->relay, rhost) != 0 ||
            g_strcmp0(e->relay_ip, g_hash_table_lookup(r, "postfix_relay_ip")) != 0)
            FAIL("queue id %s relay %s[%s]", e->queue_id, e->relay, e->relay_ip);
        const char *resp = g_hash_table_lookup(r, "postfix_smtp_response");
        if (resp && !g_str_has_prefix(e->diagnostic, resp))
            FAIL("response \"%s\", expected \"%s...\"", e->diagnostic, resp);
        return TRUE;
    }
    /* smtpd rejections (VRFY concerns no message) */
    const char *action = g_hash_table_lookup(r, "postfix_action");
    const char *stage = g_hash_table_lookup(r, "postfix_smtp_stage");
    if (g_str_equal(program, "smtpd") && g_strcmp0(action, "reject") == 0 &&
        g_strcmp0(stage, "VRFY") != 0) {
        detailed[2]++;
        if (e == NULL || e->kind != EVENT_KIND_REJECTED)
            FAIL("no rejected event");
        g_autofree char *to = kv ? kv_get(kv, "to") : NULL;
        g_autofree char *from = kv ? kv_get(kv, "from") : NULL;
        const char *code = g_hash_table_lookup(r, "postfix_status_code");
        if (g_strcmp0(e->recipient, to) != 0 || g_strcmp0(e->sender, from) != 0)
            FAIL("recipient %s sender %s, expected %s %s", e->recipient, e->sender, to, from);
        if (code && e->reply_code != (guint)g_ascii_strtoull(code, NULL, 10))
            FAIL("reply code %u, expected %s", e->reply_code, code);
        if (g_strcmp0(e->enhanced, g_hash_table_lookup(r, "postfix_status_code_enhanced")) != 0)
            FAIL("enhanced %s", e->enhanced);
        return TRUE;
    }
    if (g_str_equal(program, "bounce") && g_hash_table_lookup(r, "postfix_bounce_queueid")) {
        detailed[3]++;
        if (e == NULL || e->kind != EVENT_KIND_NOTIFICATION ||
            g_strcmp0(e->related_id, g_hash_table_lookup(r, "postfix_bounce_queueid")) != 0 ||
            g_strcmp0(e->queue_id, qid) != 0)
            FAIL("no notification with the new queue id");
        return TRUE;
    }
    if (g_str_equal(program, "cleanup") && g_hash_table_contains(r, "postfix_message-id")) {
        detailed[3]++;
        const char *mid = g_hash_table_lookup(r, "postfix_message-id");
        if (e == NULL || e->kind != EVENT_KIND_QUEUED ||
            g_strcmp0(e->message_id, *mid ? mid : NULL) != 0)
            FAIL("message-id %s, expected %s", e ? e->message_id : "(no event)", mid);
        return TRUE;
    }
    if (g_str_equal(program, "qmgr") && qid && (kv || status)) {
        detailed[3]++;
        EventKind want = status ? EVENT_KIND_EXPIRED : EVENT_KIND_QUEUED;
        if (e == NULL || e->kind != want || g_strcmp0(e->queue_id, qid) != 0)
            FAIL("no %s event", event_kind_to_string(want));
        return TRUE;
    }
#undef FAIL
    return TRUE;
}

static void
test_grok(void)
{
    g_autofree char *dir = corpus_dir("postfix-grok-patterns/test");
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_test_skip("../shared/corpus/logs/postfix-grok-patterns is absent: corpus test skipped");
        return;
    }
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *n;
    while ((n = g_dir_read_name(d)) != NULL)
        if (g_str_has_suffix(n, ".yaml"))
            g_ptr_array_add(names, g_strdup(n));
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    g_autoptr(GString) failures = g_string_new(NULL);
    guint cases = 0, checked = 0, agents = 0, failed = 0, fragments = 0;
    guint detailed[4] = {0};
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *path = g_build_filename(dir, names->pdata[i], NULL);
        GrokCase *c = grok_case_read(path);
        g_assert_nonnull(c);
        cases++;
        const char *program = grok_program(c->name);
        if (program == NULL || c->data == NULL) {
            fragments++;
            grok_case_free(c);
            continue;
        }
        checked++;
        if (is_delivery_agent(program))
            agents++;
        if (!grok_check(c, program, failures, detailed))
            failed++;
        grok_case_free(c);
    }
    g_test_message("grok cases: %u files; %u Postfix messages parsed (%u of delivery agents), "
                   "%u pattern fragments not messages; field checks: %u delivery records, %u "
                   "per-MX replies, %u smtpd rejections, %u bounce/cleanup/qmgr; %u failed",
                   cases, checked, agents, fragments, detailed[0], detailed[1], detailed[2],
                   detailed[3], failed);
    if (failed)
        g_test_message("failures:\n%s", failures->str);
    g_assert_cmpuint(failed, ==, 0);
    g_assert_cmpuint(checked, >=, 150);
    g_assert_cmpuint(agents, >=, 35);
    g_assert_cmpuint(detailed[0], >=, 16);
}

/* ---- lightmeter scenarios -------------------------------------------------------------- */

static guint
count(Harness *h, EventKind kind, guint16 flag, const char *detail)
{
    guint n = 0;
    for (guint i = 0; i < event_batch_len(h->batch); i++) {
        const Event *e = event_batch_get(h->batch, i);
        if (e->kind == kind && (flag == 0 || (e->attempt_flags & flag)) &&
            (detail == NULL || g_strcmp0(e->detail, detail) == 0))
            n++;
    }
    return n;
}

/* Is there a queue id with an event of kind a and a later event of kind b? */
static gboolean
sequence(Harness *h, EventKind a, EventKind b, const char **qid_out)
{
    for (guint i = 0; i < event_batch_len(h->batch); i++) {
        const Event *e = event_batch_get(h->batch, i);
        if (e->kind != a || e->queue_id == NULL)
            continue;
        for (guint j = i + 1; j < event_batch_len(h->batch); j++) {
            const Event *f = event_batch_get(h->batch, j);
            if (f->kind == b && g_strcmp0(f->queue_id, e->queue_id) == 0 &&
                g_strcmp0(f->host, e->host) == 0) {
                if (qid_out)
                    *qid_out = e->queue_id;
                return TRUE;
            }
        }
    }
    return FALSE;
}

/* A queue id with n events of kind (n distinct recipients when the kind has them). */
static gboolean
same_qid_n(Harness *h, EventKind kind, guint n)
{
    g_autoptr(GHashTable) counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < event_batch_len(h->batch); i++) {
        const Event *e = event_batch_get(h->batch, i);
        if (e->kind != kind || e->queue_id == NULL)
            continue;
        if (e->recipient) {
            char *key = g_strdup_printf("%s|%s|%s", e->host, e->queue_id, e->recipient);
            if (g_hash_table_contains(seen, key)) {
                g_free(key);
                continue;
            }
            g_hash_table_add(seen, key);
        }
        char *q = g_strdup_printf("%s|%s", e->host, e->queue_id);
        guint c = GPOINTER_TO_UINT(g_hash_table_lookup(counts, q)) + 1;
        g_hash_table_replace(counts, q, GUINT_TO_POINTER(c));
        if (c >= n)
            return TRUE;
    }
    return FALSE;
}

/* Does the delivery that handed qid to a content filter carry the id that was delivered next? */
static gboolean
content_filter_chain(Harness *h)
{
    for (guint i = 0; i < event_batch_len(h->batch); i++) {
        const Event *e = event_batch_get(h->batch, i);
        if (e->kind != EVENT_KIND_DELIVERED || !(e->attempt_flags & EVENT_FLAG_CONTENT_FILTER) ||
            e->related_id == NULL)
            continue;
        for (guint j = 0; j < event_batch_len(h->batch); j++) {
            const Event *f = event_batch_get(h->batch, j);
            if (f->kind == EVENT_KIND_DELIVERED && g_strcmp0(f->queue_id, e->related_id) == 0)
                return TRUE;
        }
    }
    return FALSE;
}

static void
test_lightmeter(void)
{
    g_autofree char *dir = corpus_dir("lightmeter-scenarios");
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_test_skip("../shared/corpus/logs/lightmeter-scenarios is absent: corpus test skipped");
        return;
    }
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *n;
    while ((n = g_dir_read_name(d)) != NULL)
        if (g_str_has_suffix(n, ".log"))
            g_ptr_array_add(names, g_strdup(n));
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    g_autoptr(GString) failures = g_string_new(NULL);
    guint files = 0, failed = 0;
    guint64 lines = 0, events = 0;
    for (guint i = 0; i < names->len; i++) {
        const char *name = names->pdata[i];
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autofree char *text = NULL;
        gsize len = 0;
        g_assert_true(g_file_get_contents(path, &text, &len, NULL));
        g_autoptr(Harness) h = harness_run(klass(), text, len, 2020);
        files++;
        lines += h->stats->lines;
        events += event_batch_len(h->batch);
        GString *why = g_string_new(NULL);
        /* 18_expired.log has one line wrapped in two by the logger: its tail "ir/)" has no
         * syslog prefix; the head still gives its delivery event. */
        guint64 allowed = g_str_has_prefix(name, "18_expired") ? 1 : 0;
        if (h->stats->lines_unrecognised != allowed)
            g_string_append_printf(why, "%" G_GUINT64_FORMAT " unrecognised lines (first: %s); ",
                                   h->stats->lines_unrecognised,
                                   h->stats->examples->len ? (char *)h->stats->examples->pdata[0]
                                                           : "");
#define EXPECT(cond, what)                                                                         \
    do {                                                                                           \
        if (!(cond))                                                                               \
            g_string_append_printf(why, "%s; ", what);                                             \
    } while (0)
        gboolean quiet = g_str_has_prefix(name, "19_") || g_str_has_prefix(name, "7_");
        if (quiet)
            EXPECT(event_batch_len(h->batch) == 0, "events from a log without messages");
        else
            EXPECT(harness_count(h, EVENT_KIND_QUEUED) > 0 ||
                       harness_count(h, EVENT_KIND_REJECTED) > 0,
                   "no queued or rejected event");
        if (strstr(name, "bounce") && !strstr(name, "received") && !strstr(name, "relayed")) {
            EXPECT(harness_count(h, EVENT_KIND_FAILED) > 0, "bounce without a failed event");
            EXPECT(sequence(h, EVENT_KIND_FAILED, EVENT_KIND_NOTIFICATION, NULL),
                   "failed without the non-delivery notification of its queue id");
        }
        if (strstr(name, "multiple_recipients")) {
            EXPECT(same_qid_n(h, EVENT_KIND_DELIVERED, 2), "no queue id with two deliveries");
            EXPECT(harness_count(h, EVENT_KIND_FAILED) >= 2, "fewer than two failed recipients");
        }
        if (strstr(name, "no_last_remove"))
            EXPECT(harness_count(h, EVENT_KIND_MESSAGE_END) == 2, "message-end count");
        if (strstr(name, "deferred_message_retry"))
            EXPECT(sequence(h, EVENT_KIND_DEFERRED, EVENT_KIND_DELIVERED, NULL),
                   "no deferred then delivered for one queue id");
        if (strstr(name, "expired")) {
            const char *qid = NULL;
            EXPECT(sequence(h, EVENT_KIND_DEFERRED, EVENT_KIND_EXPIRED, &qid),
                   "no deferred then expired for one queue id");
            EXPECT(sequence(h, EVENT_KIND_EXPIRED, EVENT_KIND_NOTIFICATION, NULL),
                   "expired without its non-delivery notification");
        }
        if (strstr(name, "reuse_of_queueid"))
            EXPECT(same_qid_n(h, EVENT_KIND_MESSAGE_END, 2), "no queue id removed twice");
        if (strstr(name, "two_recipients"))
            EXPECT(same_qid_n(h, EVENT_KIND_DELIVERED, 2), "no queue id delivered to two");
        if (strstr(name, "milter-reject"))
            EXPECT(count(h, EVENT_KIND_REJECTED, 0, "milter") > 0, "no milter rejection");
        if (strstr(name, "smtpd-reject") || strstr(name, "_rejected"))
            EXPECT(count(h, EVENT_KIND_REJECTED, 0, "smtpd") > 0, "no smtpd rejection");
        if (strstr(name, "local") || strstr(name, "virtual"))
            EXPECT(count(h, EVENT_KIND_DELIVERED, EVENT_FLAG_LOCAL, NULL) > 0, "no local delivery");
        if (strstr(name, "pickup"))
            EXPECT(harness_count(h, EVENT_KIND_QUEUED) > 0 &&
                       harness_nth(h, EVENT_KIND_QUEUED, 0)->sender != NULL,
                   "the pickup line gave no queued event with its sender");
        if (strstr(name, "amavis") || strstr(name, "weird") ||
            g_str_has_prefix(name, "10_pickup") || strstr(name, "empty_msgid"))
            EXPECT(content_filter_chain(h), "no content-filter hand-over to a delivered id");
        if (strstr(name, "empty_msgid"))
            EXPECT(harness_count(h, EVENT_KIND_QUEUED) > 0 &&
                       harness_nth(h, EVENT_KIND_QUEUED, 1)->message_id == NULL,
                   "message-id=<> not a queued event without id");
        if (strstr(name, "remote_id")) {
            const Event *e = harness_nth(h, EVENT_KIND_DELIVERED, 0);
            EXPECT(e && e->reply_code == 250 && e->relay_ip != NULL, "no delivery with 250");
        }
        if (strstr(name, "mixed_messages"))
            EXPECT(harness_count(h, EVENT_KIND_FAILED) > 0 &&
                       harness_count(h, EVENT_KIND_DELIVERED) > 0,
                   "not both delivered and failed");
#undef EXPECT
        if (why->len) {
            failed++;
            g_string_append_printf(failures, "  %s: %s\n", name, why->str);
        }
        g_string_free(why, TRUE);
    }
    g_test_message("lightmeter scenarios: %u files, %" G_GUINT64_FORMAT " lines, %" G_GUINT64_FORMAT
                   " events, %u failed",
                   files, lines, events, failed);
    if (failed)
        g_test_message("failures:\n%s", failures->str);
    g_assert_cmpuint(failed, ==, 0);
    g_assert_cmpuint(files, >=, 30);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/postfix-corpus/grok-patterns", test_grok);
    g_test_add_func("/postfix-corpus/lightmeter-scenarios", test_lightmeter);
    return g_test_run();
}
