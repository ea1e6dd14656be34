/* Accuracy of the mailbox decoders and the classifier over ../shared/corpus/bounces/set-of-emails:
 * recipient, status and cause per row of expected.tsv (sisimai's reasons compared with our causes
 * through tests/data/sisimai-map.tsv, shared with test-classify-corpus), and every maildir/not
 * item reported as no bounce. Prints the agreement and the disagreements; fails under the
 * acceptance figures of the mailbox issue; skipped when the corpus is absent.
 * MAILTRAIL_CORPUS_VERBOSE=1 also prints every event. */
#include <string.h>

#include "classify.h"
#include "harness.h"
#include "sisimai-map.h"

#define MIN_RECIPIENTS 98.0
#define MIN_STATUS 97.0
#define MIN_CAUSE 92.0

typedef struct {
    char *file;
    guint index;
    char *status;
    char *reason;
    char *recipient;
} Row;

static void
row_free(gpointer p)
{
    Row *r = p;
    g_free(r->file);
    g_free(r->status);
    g_free(r->reason);
    g_free(r->recipient);
    g_free(r);
}

static char *
corpus_dir(void)
{
    g_autofree char *src = harness_source_path("");
    return g_build_filename(src, "..", "shared", "corpus", "bounces", "set-of-emails", NULL);
}

typedef struct {
    guint agree;
    guint total;
} ReasonTally;

static ReasonTally *
tally_of(GHashTable *tallies, const char *reason)
{
    ReasonTally *t = g_hash_table_lookup(tallies, reason);
    if (t == NULL) {
        t = g_new0(ReasonTally, 1);
        g_hash_table_insert(tallies, (gpointer)reason, t);
    }
    return t;
}

static int
compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* text on one line (runs of white space as one space), cut to at most max bytes */
static char *
one_line(const char *text, gsize max)
{
    GString *s = g_string_new(NULL);
    for (const char *p = text ? text : ""; *p != '\0' && s->len < max; p++) {
        gboolean space = g_ascii_isspace(*p);
        if (!space || (s->len > 0 && s->str[s->len - 1] != ' '))
            g_string_append_c(s, space ? ' ' : *p);
    }
    return g_string_free(s, FALSE);
}

static gboolean
is_bounce_kind(EventKind k)
{
    return k == EVENT_KIND_BOUNCE || k == EVENT_KIND_DELAY_NOTICE || k == EVENT_KIND_DSN_SUCCESS;
}

/* Runs the parser the registry sniffs for the file. */
static Harness *
run_file(const char *path, const char **format)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &text, &len, NULL))
        return NULL;
    guint score = 0;
    const ParserClass *klass = parser_registry_sniff(text, MIN(len, (gsize)4096), &score);
    if (klass == NULL)
        klass = parser_registry_find("eml");
    *format = klass->name;
    return harness_run(klass, text, len, 2026);
}

/* sisimai's own placeholders: "X.0.9NN" (and "X.9.NNN") statuses and invented recipients */
static gboolean
placeholder_status(const char *s)
{
    if (strlen(s) >= 6 && s[1] == '.' && s[2] == '0' && s[3] == '.' && s[4] == '9')
        return TRUE;
    return strlen(s) >= 5 && s[1] == '.' && s[2] == '9' && s[3] == '.';
}

static gboolean
placeholder_recipient(const char *s)
{
    return g_str_has_suffix(s, "@libsisimai.org.invalid");
}

/* Our classification of an event: the classifier's for delivery reports (a delay notice's cause
 * is that of the deferral it reports), the feedback type of a complaint, the sub-type of other
 * received mail. */
static void
classify_event(Classifier *classifier, const Event *e, SisimaiMapOurs *ours, const char **rule)
{
    *ours = (SisimaiMapOurs){.kind = e->kind, .step = STEP_UNKNOWN};
    *rule = "-";
    if (e->kind == EVENT_KIND_OTHER_RECEIVED || e->kind == EVENT_KIND_COMPLAINT) {
        ours->cause = e->cause_hint;
        return;
    }
    ClassifyInput in;
    classify_input_from_event(&in, e);
    if (e->kind == EVENT_KIND_DELAY_NOTICE)
        in.kind = EVENT_KIND_DEFERRED;
    Classification c;
    classifier_classify(classifier, &in, &c);
    ours->cause = c.cause;
    ours->step = c.step;
    ours->permanence = c.permanence;
    *rule = c.rule;
}

static void
test_corpus(void)
{
    g_autofree char *dir = corpus_dir();
    g_autofree char *tsv = g_build_filename(dir, "expected.tsv", NULL);
    g_autofree char *contents = NULL;
    if (!g_file_get_contents(tsv, &contents, NULL, NULL)) {
        g_test_skip("../shared/corpus/bounces/set-of-emails/expected.tsv is absent");
        return;
    }
    g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func(row_free);
    g_auto(GStrv) lines = g_strsplit(contents, "\n", -1);
    for (guint i = 1; lines[i]; i++) {
        if (lines[i][0] == '\0')
            continue;
        g_auto(GStrv) f = g_strsplit(lines[i], "\t", -1);
        if (g_strv_length(f) < 8)
            continue;
        Row *r = g_new0(Row, 1);
        r->file = g_strdup(f[0]);
        r->index = (guint)g_ascii_strtoull(f[1], NULL, 10);
        r->status = g_strdup(f[2]);
        r->reason = g_strdup(f[4]);
        r->recipient = g_ascii_strdown(f[7], -1);
        g_ptr_array_add(rows, r);
    }
    gboolean verbose = g_getenv("MAILTRAIL_CORPUS_VERBOSE") != NULL;
    guint rcpt_total = 0, rcpt_ok = 0, st_total = 0, st_ok = 0, not_total = 0, not_ok = 0;
    guint cause_total = 0, cause_ok = 0, cause_unknown = 0;
    g_autoptr(SisimaiMap) map = sisimai_map_load_default();
    g_autoptr(GPtrArray) cause_bad = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) tallies = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    g_autoptr(Classifier) classifier = classifier_new();
    g_autoptr(GString) bad = g_string_new(NULL);
    g_autoptr(GHashTable) runs =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)harness_free);
    for (guint i = 0; i < rows->len; i++) {
        Row *r = rows->pdata[i];
        Harness *h = g_hash_table_lookup(runs, r->file);
        if (h == NULL) {
            g_autofree char *path = g_build_filename(dir, r->file, NULL);
            const char *format = "?";
            h = run_file(path, &format);
            if (h == NULL)
                continue;
            g_hash_table_insert(runs, g_strdup(r->file), h);
            if (verbose)
                for (guint k = 0; k < event_batch_len(h->batch); k++) {
                    const Event *e = event_batch_get(h->batch, k);
                    g_test_message("%s [%s] %s %s rcpt=%s st=%s code=%u diag=%s", r->file, format,
                                   event_kind_to_string(e->kind), e->detail ? e->detail : "-",
                                   e->recipient ? e->recipient : "-",
                                   e->enhanced ? e->enhanced : "-", e->reply_code,
                                   e->diagnostic ? e->diagnostic : "-");
                }
        }
        guint n = event_batch_len(h->batch);
        if (g_str_has_prefix(r->file, "maildir/not/")) {
            not_total++;
            gboolean any = FALSE;
            for (guint k = 0; k < n; k++) {
                EventKind kind = event_batch_get(h->batch, k)->kind;
                any |= is_bounce_kind(kind) || kind == EVENT_KIND_COMPLAINT;
            }
            if (!any)
                not_ok++;
            else
                g_string_append_printf(bad, "  %s: expected no bounce, got a bounce\n", r->file);
            continue;
        }
        /* the event for this row: same recipient, else the rcpt_index-th bounce event */
        const Event *match = NULL;
        gboolean want_rcpt = r->recipient[0] && !placeholder_recipient(r->recipient);
        for (guint k = 0; k < n && want_rcpt; k++) {
            const Event *e = event_batch_get(h->batch, k);
            if (e->recipient && g_ascii_strcasecmp(e->recipient, r->recipient) == 0)
                match = e;
        }
        if (want_rcpt) {
            rcpt_total++;
            if (match) {
                rcpt_ok++;
            } else {
                g_autoptr(GString) got = g_string_new(NULL);
                for (guint k = 0; k < n; k++) {
                    const Event *e = event_batch_get(h->batch, k);
                    g_string_append_printf(got, "%s%s(%s)", k ? ", " : "",
                                           e->recipient ? e->recipient : "none",
                                           e->detail ? e->detail : "-");
                }
                g_string_append_printf(bad, "  %s: recipient expected %s, got %s\n", r->file,
                                       r->recipient, n ? got->str : "no event");
            }
        }
        if (match == NULL && r->index >= 1) {
            guint seen = 0;
            for (guint k = 0; k < n && match == NULL; k++) {
                const Event *e = event_batch_get(h->batch, k);
                if (++seen == r->index)
                    match = e;
            }
        }
        /* cause, compared through the shared map (tests/data/sisimai-map.tsv) */
        SisimaiMapOurs ours = {.kind = EVENT_KIND_NONE, .cause = "none"};
        const char *rule = "-";
        if (match != NULL)
            classify_event(classifier, match, &ours, &rule);
        SisimaiMapVerdict verdict = sisimai_map_compare(map, r->reason, match ? &ours : NULL);
        ReasonTally *tally = tally_of(tallies, r->reason);
        if (verdict == SISIMAI_MAP_NOT_COMPARED) {
            cause_unknown++;
        } else {
            cause_total++;
            tally->total++;
            if (verdict == SISIMAI_MAP_AGREE) {
                cause_ok++;
                tally->agree++;
            } else {
                g_autofree char *text = one_line(match ? match->diagnostic : NULL, 150);
                g_ptr_array_add(
                    cause_bad,
                    g_strdup_printf("%-16s %-24s %-12s %-26s %-12s %-8s %s", r->reason,
                                    r->file + strlen("maildir/bsd/"), step_to_string(ours.step),
                                    ours.cause ? ours.cause : "none", rule,
                                    match && match->enhanced ? match->enhanced : "-", text));
            }
        }
        if (r->status[0] && !placeholder_status(r->status)) {
            st_total++;
            const char *got = match && match->enhanced ? match->enhanced : "none";
            if (g_strcmp0(got, r->status) == 0)
                st_ok++;
            else
                g_string_append_printf(bad, "  %s: status expected %s (%s), got %s [%s] %s\n",
                                       r->file, r->status, r->reason, got,
                                       match && match->detail ? match->detail : "-",
                                       match && match->diagnostic ? match->diagnostic : "");
        }
    }
    double rp = rcpt_total ? 100.0 * rcpt_ok / rcpt_total : 100.0;
    double sp = st_total ? 100.0 * st_ok / st_total : 100.0;
    double cp = cause_total ? 100.0 * cause_ok / cause_total : 100.0;
    g_test_message("recipient, status and not-bounce disagreements:\n%s", bad->str);
    g_ptr_array_sort(cause_bad, compare_strings);
    g_autoptr(GString) list = g_string_new(NULL);
    g_string_append_printf(list, "  %-16s %-24s %-12s %-26s %-12s %-8s %s\n", "sisimai",
                           "file (maildir/bsd/)", "our step", "our cause", "rule", "status",
                           "diagnostic");
    for (guint i = 0; i < cause_bad->len; i++)
        g_string_append_printf(list, "  %s\n", (char *)cause_bad->pdata[i]);
    g_test_message("cause disagreements (%u), by sisimai reason:\n%s", cause_bad->len, list->str);
    g_autoptr(GList) reasons = g_hash_table_get_keys(tallies);
    reasons = g_list_sort(reasons, (GCompareFunc)g_strcmp0);
    g_autoptr(GString) per_reason = g_string_new(NULL);
    for (GList *l = reasons; l != NULL; l = l->next) {
        const ReasonTally *t = g_hash_table_lookup(tallies, l->data);
        if (t->total > 0)
            g_string_append_printf(per_reason, "  %-16s %3u/%-3u\n", (char *)l->data, t->agree,
                                   t->total);
    }
    g_test_message("cause agreement by sisimai reason:\n%s", per_reason->str);
    g_test_message("recipients: %u/%u = %.1f%% (minimum %.0f%%)", rcpt_ok, rcpt_total, rp,
                   MIN_RECIPIENTS);
    g_test_message("status:     %u/%u = %.1f%% (minimum %.0f%%; X.0.9NN placeholders left out)",
                   st_ok, st_total, sp, MIN_STATUS);
    g_test_message("not-bounce: %u/%u", not_ok, not_total);
    g_test_message("cause:      %u/%u = %.1f%% (minimum %.0f%%; tests/data/sisimai-map.tsv; %u "
                   "rows where sisimai decided nothing left out)",
                   cause_ok, cause_total, cp, MIN_CAUSE, cause_unknown);
    g_assert_cmpfloat(rp, >=, MIN_RECIPIENTS);
    g_assert_cmpfloat(sp, >=, MIN_STATUS);
    g_assert_cmpuint(not_ok, ==, not_total);
    g_assert_cmpfloat(cp, >=, MIN_CAUSE);
}

/* The shared map agrees with spec/map_sisimai.tsv (its "spec" rows are exactly the spec's). */
static void
test_map_matches_spec(void)
{
    g_autofree char *src = harness_source_path("");
    g_autofree char *path = g_build_filename(src, "..", "shared", "spec", "map_sisimai.tsv", NULL);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        g_test_skip("../shared/spec/map_sisimai.tsv is absent");
        return;
    }
    g_autoptr(SisimaiMap) map = sisimai_map_load_default();
    g_autoptr(GString) problems = g_string_new(NULL);
    gboolean ok = sisimai_map_check_spec(map, text, problems);
    if (!ok)
        g_test_message("%s", problems->str);
    g_assert_true(ok);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mailbox/corpus/sisimai-map", test_map_matches_spec);
    g_test_add_func("/mailbox/corpus/set-of-emails", test_corpus);
    return g_test_run();
}
