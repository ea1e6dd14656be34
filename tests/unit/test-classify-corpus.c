/* The classifier against real-world data in ../shared/corpus (skipped when it is absent):
 *  - set-of-emails: the Diagnostic-Code and Status of each DSN, classified as a bounce, against
 *    the reason the reference parser expects (compared through tests/data/sisimai-map.tsv, the
 *    map test-mailbox-corpus uses too) and against the SMTP command it observed;
 *  - Postfix and Exim logs: every text that states its step gets that step, explicitly. */
#include <string.h>

#include "classify.h"
#include "sisimai-map.h"

static char *
shared_path(const char *relative)
{
    return g_build_filename(g_getenv("MAILTRAIL_SOURCE_ROOT"), "..", "shared", relative, NULL);
}

/* A header field of the delivery-status part, unfolded; NULL if absent. */
static char *
dsn_field(const char *msg, const char *name)
{
    g_autofree char *pattern = g_strdup_printf("^%s:[ \\t]*(.*(?:\\r?\\n[ \\t]+.*)*)", name);
    g_autoptr(GRegex) re =
        g_regex_new(pattern, G_REGEX_MULTILINE | G_REGEX_CASELESS | G_REGEX_RAW, 0, NULL);
    g_autoptr(GMatchInfo) mi = NULL;
    if (!g_regex_match(re, msg, 0, &mi))
        return NULL;
    char *value = g_match_info_fetch(mi, 1);
    for (char *p = value; *p != '\0'; p++)
        if (*p == '\r' || *p == '\n' || *p == '\t')
            *p = ' ';
    return g_strstrip(value);
}

static const char *
command_step(const char *cmd)
{
    if (g_str_equal(cmd, "RCPT"))
        return "rcpt-to";
    if (g_str_equal(cmd, "MAIL"))
        return "mail-from";
    if (g_str_equal(cmd, "EHLO") || g_str_equal(cmd, "HELO"))
        return "helo";
    if (g_str_equal(cmd, "QUIT"))
        return "quit";
    return NULL; /* DATA: data or end of data; CONN: connect or greeting */
}

static void
test_set_of_emails(void)
{
    g_autofree char *dir = shared_path("corpus/bounces/set-of-emails");
    g_autofree char *expected_path = g_build_filename(dir, "expected.tsv", NULL);
    g_autofree char *expected = NULL;
    if (!g_file_get_contents(expected_path, &expected, NULL, NULL)) {
        g_test_skip("../shared/corpus/bounces/set-of-emails is not there: skipped");
        return;
    }
    g_autoptr(SisimaiMap) map = sisimai_map_load_default();
    g_autoptr(Classifier) c = classifier_new();
    guint rows = 0, agree = 0, steps = 0, steps_agree = 0, explicit_steps = 0;
    g_auto(GStrv) lines = g_strsplit(expected, "\n", -1);
    for (guint i = 1; lines[i] != NULL; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], "\t", -1);
        if (g_strv_length(f) < 9 || !g_str_equal(f[1], "1") ||
            !g_str_has_prefix(f[0], "maildir/bsd/"))
            continue;
        const char *reason = f[4];
        /* complaints, auto-replies and deliveries have no Diagnostic-Code to classify */
        if (g_str_equal(reason, "feedback") || g_str_equal(reason, "vacation") ||
            g_str_equal(reason, "delivered"))
            continue;
        g_autofree char *path = g_build_filename(dir, f[0], NULL);
        g_autofree char *msg = NULL;
        if (!g_file_get_contents(path, &msg, NULL, NULL))
            continue;
        g_autofree char *diag = dsn_field(msg, "Diagnostic-Code");
        g_autofree char *status = dsn_field(msg, "Status");
        if (diag == NULL || diag[0] == '\0')
            continue; /* non-standard bounces: the DSN parser's job, not the classifier's */
        const char *text = diag;
        if (g_ascii_strncasecmp(text, "smtp;", 5) == 0)
            text = g_strchug((char *)text + 5);
        ClassifyInput in = {.kind = EVENT_KIND_BOUNCE, .enhanced = status, .text = text};
        Classification out;
        classifier_classify(c, &in, &out);
        SisimaiMapOurs ours = {.kind = EVENT_KIND_BOUNCE,
                               .cause = out.cause,
                               .step = out.step,
                               .permanence = out.permanence};
        SisimaiMapVerdict verdict = sisimai_map_compare(map, reason, &ours);
        if (verdict != SISIMAI_MAP_NOT_COMPARED) {
            rows++;
            if (verdict == SISIMAI_MAP_AGREE)
                agree++;
            else
                g_test_message("%s: %s expected, got %s/%s (%s): %.100s", f[0], reason,
                               step_to_string(out.step), out.cause, out.rule, text);
        }
        const char *want = command_step(f[8]);
        if (want != NULL && out.step != STEP_UNKNOWN) {
            steps++;
            /* Postfix says "refused to talk to me" for a banner, an EHLO 421 and a HELO
             * refusal alike: the reference parser calls it HELO, we the greeting */
            if (g_str_equal(want, "helo") && out.step == STEP_GREETING &&
                strstr(text, "refused to talk to me") != NULL)
                want = "greeting";
            if (g_str_equal(want, step_to_string(out.step)))
                steps_agree++;
            else
                g_test_message("%s: command %s, step %s (%s): %.100s", f[0], f[8],
                               step_to_string(out.step), out.rule, text);
        }
        if (out.confidence == CONFIDENCE_EXPLICIT)
            explicit_steps++;
    }
    g_test_message("set-of-emails: %u DSNs with a Diagnostic-Code; cause agrees with the expected "
                   "reason for %u (%.0f%%); step agrees with the observed command for %u of %u; "
                   "%u explicit steps",
                   rows, agree, 100.0 * agree / MAX(rows, 1), steps_agree, steps, explicit_steps);
    g_assert_cmpuint(rows, >=, 250);
    g_assert_cmpuint(agree * 100, >=, rows * 90);
    g_assert_cmpuint(steps_agree * 100, >=, steps * 90);
}

/* Texts that state their step must get it, explicitly. */
typedef struct {
    const char *phrase;
    Step step;
} Phrase;

static const Phrase phrases[] = {
    {"(in reply to RCPT TO command)", STEP_RCPT_TO},
    {"(in reply to MAIL FROM command)", STEP_MAIL_FROM},
    {"(in reply to end of DATA command)", STEP_END_OF_DATA},
    {"(in reply to DATA command)", STEP_DATA},
    {"while receiving the initial server greeting", STEP_GREETING},
    {"while sending RCPT TO", STEP_RCPT_TO},
    {"while sending end of data", STEP_END_OF_DATA},
    {"Host or domain name not found", STEP_RESOLVE},
    {"(nullMX)", STEP_RESOLVE},
    {"after RCPT TO:", STEP_RCPT_TO},
    {"after pipelined RCPT TO:", STEP_RCPT_TO},
    {"after MAIL FROM:", STEP_MAIL_FROM},
    {"after pipelined MAIL FROM:", STEP_MAIL_FROM},
    {"after end of data", STEP_END_OF_DATA},
    {"after pipelined end of data", STEP_END_OF_DATA},
    {"after initial connection", STEP_GREETING},
    {"Unrouteable address", STEP_RESOLVE},
};

static void
check_log_texts(const char *dir_rel, const char *needle, GRegex *extract, guint *n_texts)
{
    g_autofree char *dir = shared_path(dir_rel);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    if (d == NULL)
        return;
    g_autoptr(Classifier) c = classifier_new();
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autofree char *text = NULL;
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR) ||
            !g_file_get_contents(path, &text, NULL, NULL))
            continue;
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l != NULL; l++) {
            if (strstr(*l, needle) == NULL)
                continue;
            g_autoptr(GMatchInfo) mi = NULL;
            if (!g_regex_match(extract, *l, 0, &mi))
                continue;
            g_autofree char *kind = g_match_info_fetch(mi, 1);
            g_autofree char *diag = g_match_info_fetch(mi, 2);
            for (gsize p = 0; p < G_N_ELEMENTS(phrases); p++) {
                if (strstr(diag, phrases[p].phrase) == NULL)
                    continue;
                ClassifyInput in = {
                    .kind = strstr(kind, "defer") || strstr(kind, "==") ? EVENT_KIND_DEFERRED
                                                                        : EVENT_KIND_FAILED,
                    .text = diag,
                };
                Classification out;
                classifier_classify(c, &in, &out);
                if (out.step != phrases[p].step || out.confidence != CONFIDENCE_EXPLICIT)
                    g_test_message("%s: %s / %s (%s): %s", name, step_to_string(out.step),
                                   out.cause, out.rule, diag);
                g_assert_cmpstr(step_to_string(out.step), ==, step_to_string(phrases[p].step));
                g_assert_cmpint(out.confidence, ==, CONFIDENCE_EXPLICIT);
                if (g_str_equal(out.cause, "undetermined"))
                    g_test_message("%s: no cause: %s", name, diag);
                (*n_texts)++;
                break;
            }
        }
    }
}

static void
test_logs(void)
{
    g_autofree char *probe = shared_path("corpus/logs");
    if (!g_file_test(probe, G_FILE_TEST_IS_DIR)) {
        g_test_skip("../shared/corpus/logs is not there: skipped");
        return;
    }
    guint n = 0;
    g_autoptr(GRegex) postfix = g_regex_new("(status=[a-z]+) \\((.*)\\)", 0, 0, NULL);
    check_log_texts("corpus/logs/lightmeter-scenarios", "status=", postfix, &n);
    g_autoptr(GRegex) grok = g_regex_new("(status=[a-z]+) \\((.*)\\)", 0, 0, NULL);
    check_log_texts("corpus/logs/postfix-grok-patterns/test", "status=", grok, &n);
    g_autoptr(GRegex) exim = g_regex_new(" (\\*\\*|==) (.*)$", 0, 0, NULL);
    check_log_texts("corpus/logs/exim-testsuite/log", " ", exim, &n);
    g_test_message("%u log texts that state their step", n);
    g_assert_cmpuint(n, >=, 100);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/classify-corpus/set-of-emails", test_set_of_emails);
    g_test_add_func("/classify-corpus/logs", test_logs);
    return g_test_run();
}
