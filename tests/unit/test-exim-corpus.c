/* The Exim parser over Exim's own test-suite logs (../shared/corpus/logs/exim-testsuite/log):
 * every "<=", "=>", "->", "*>", "**", "==" and "Completed" line is used and has its event, the
 * outcome per message id and recipient follows the flags, and what is left unrecognised is
 * listed (it is not Exim's: see the comment at the end of test_corpus). Skips when the corpus
 * is absent. */
#include <string.h>

#include "harness.h"

extern const ParserClass exim_parser_class;
#define K (&exim_parser_class)

/* What the test itself reads from a line, independently of the parser. */
typedef struct {
    char id[32];
    char flag[3];   /* "<=", "=>", "->", "*>", "**", "==", "C" (Completed), "" */
    char addr[256]; /* first address after the flag, without a trailing ':' */
    char orig[256]; /* <original> */
} CorpusLine;

static gboolean
corpus_is_id(const char *s, gsize n)
{
    if (n != 16 && n != 23)
        return FALSE;
    for (gsize i = 0; i < n; i++) {
        gboolean dash = n == 16 ? (i == 6 || i == 13) : (i == 6 || i == 18);
        if (dash ? s[i] != '-' : !g_ascii_isalnum(s[i]))
            return FALSE;
    }
    return TRUE;
}

static void
corpus_read_line(const char *line, CorpusLine *c)
{
    memset(c, 0, sizeof *c);
    g_auto(GStrv) w = g_strsplit(line, " ", 12);
    guint n = g_strv_length(w), i = 2; /* date, time */
    if (n < 4 || strlen(w[0]) != 10 || w[0][4] != '-')
        return;
    if (i < n && (w[i][0] == '+' || w[i][0] == '-') && strlen(w[i]) == 5)
        i++;
    if (i < n && w[i][0] == '[')
        i++;
    if (i + 1 >= n || !corpus_is_id(w[i], strlen(w[i])))
        return;
    g_strlcpy(c->id, w[i], sizeof c->id);
    const char *f = w[i + 1];
    if (g_str_equal(f, "Completed")) {
        strcpy(c->flag, "C");
        return;
    }
    static const char *const flags[] = {"<=", "=>", "->", "*>", "**", "=="};
    for (gsize k = 0; k < G_N_ELEMENTS(flags); k++)
        if (g_str_equal(f, flags[k]))
            strcpy(c->flag, flags[k]);
    if (c->flag[0] == '\0' || i + 2 >= n)
        return;
    g_strlcpy(c->addr, w[i + 2], sizeof c->addr);
    gsize al = strlen(c->addr);
    if (al > 0 && c->addr[al - 1] == ':')
        c->addr[al - 1] = '\0';
    /* "addr [(parent)] [<original>]"; the original may hold a quoted local part with spaces */
    const char *p = strstr(line, w[i + 1]) + strlen(w[i + 1]) + 1 + strlen(w[i + 2]);
    for (;;) {
        while (*p == ' ')
            p++;
        if (*p == '(') {
            const char *close = strchr(p, ')');
            p = close ? close + 1 : p + 1;
            continue;
        }
        /* a pipe command or a filter's "save FILE" has more words before <original> */
        if (*p && *p != '<' && !(*p == ':' && (c->flag[1] == '*' || c->flag[1] == '='))) {
            const char *sp = strchr(p, ' ');
            const char *eq = strchr(p, '=');
            if (sp != NULL && (eq == NULL || eq > sp)) {
                p = sp;
                continue;
            }
        }
        break;
    }
    if (*p == '<') {
        gboolean quoted = FALSE;
        const char *q = p + 1;
        for (; *q && (quoted || *q != '>'); q++)
            if (*q == '"')
                quoted = !quoted;
        if (*q == '>' && (gsize)(q - p - 1) < sizeof c->orig) {
            memcpy(c->orig, p + 1, (gsize)(q - p - 1));
            c->orig[q - p - 1] = '\0';
        }
    }
}

static gboolean
corpus_kind_ok(const char *flag, EventKind kind)
{
    switch (flag[0]) {
    case '<':
        return kind == EVENT_KIND_QUEUED || kind == EVENT_KIND_NOTIFICATION;
    case '=':
        return flag[1] == '>' ? kind == EVENT_KIND_DELIVERED : kind == EVENT_KIND_DEFERRED;
    case '-':
        return kind == EVENT_KIND_DELIVERED;
    case '*':
        return flag[1] == '>' ? kind == EVENT_KIND_DELIVERED
                              : kind == EVENT_KIND_FAILED || kind == EVENT_KIND_EXPIRED;
    case 'C':
        return kind == EVENT_KIND_MESSAGE_END;
    }
    return FALSE;
}

static gboolean
corpus_same_address(const char *a, const CorpusLine *c)
{
    /* events carry addresses in lower case (the event batch normalises them) */
    return a != NULL && (g_ascii_strcasecmp(a, c->addr) == 0 || g_ascii_strcasecmp(a, c->orig) == 0);
}

static void
test_corpus(void)
{
    g_autofree char *dir = harness_source_path("../shared/corpus/logs/exim-testsuite/log");
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_test_skip("../shared/corpus/logs/exim-testsuite/log is absent");
        return;
    }
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(d);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL)
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);

    guint64 lines = 0, flagged = 0, used = 0, skipped = 0, unrec = 0, events = 0, stamped_unrec = 0;
    guint64 per_flag[7] = {0};
    const char *flag_names[7] = {"<=", "=>", "->", "*>", "**", "==", "Completed"};
    g_autoptr(GHashTable) unrec_kinds =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint messages = 0;
    for (guint f = 0; f < names->len; f++) {
        g_autofree char *path = g_build_filename(dir, names->pdata[f], NULL);
        g_autofree char *text = NULL;
        gsize len = 0;
        g_assert_true(g_file_get_contents(path, &text, &len, NULL));
        g_auto(GStrv) ls = g_strsplit(text, "\n", -1);
        guint n = g_strv_length(ls);

        g_autoptr(EventBatch) batch = event_batch_new();
        InputStats *stats = input_stats_new();
        ParserOptions o = {.year = 2026, .tz = NULL};
        ParserContext ctx = {
            .input = 1, .name = names->pdata[f], .batch = batch, .stats = stats, .options = &o};
        gpointer self = K->new (&ctx);
        g_autofree LineResult *res = g_new0(LineResult, n + 1);
        for (guint i = 0; i < n; i++) {
            if (i == n - 1 && ls[i][0] == '\0')
                break; /* after the last newline */
            g_autofree char *copy = g_strdup(ls[i]);
            res[i] = K->feed_line(self, copy, strlen(copy), i + 1);
            lines++;
            used += res[i] == LINE_USED;
            skipped += res[i] == LINE_SKIPPED;
            if (res[i] == LINE_UNRECOGNISED) {
                unrec++;
                char key[41];
                g_strlcpy(key, ls[i], sizeof key);
                gpointer old = g_hash_table_lookup(unrec_kinds, key);
                g_hash_table_replace(unrec_kinds, g_strdup(key),
                                     GUINT_TO_POINTER(GPOINTER_TO_UINT(old) + 1));
                if (g_ascii_isdigit(ls[i][0]) && strlen(ls[i]) > 19 && ls[i][4] == '-' &&
                    ls[i][10] == ' ')
                    stamped_unrec++;
            }
        }
        g_assert_true(K->finish(self, NULL));
        K->free(self);
        events += event_batch_len(batch);

        /* events by line */
        g_autoptr(GHashTable) outcome =
            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL); /* "id\trcpt\tkind" */
        g_autoptr(GHashTable) ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        for (guint i = 0; i < event_batch_len(batch); i++) {
            const Event *e = event_batch_get(batch, i);
            if (e->queue_id && e->recipient)
                g_hash_table_add(outcome,
                                 g_strdup_printf("%s\t%s\t%d", e->queue_id, e->recipient, e->kind));
            if (e->queue_id && e->orig_recipient)
                g_hash_table_add(outcome, g_strdup_printf("%s\t%s\t%d", e->queue_id,
                                                          e->orig_recipient, e->kind));
        }
        guint ev_i = 0;
        for (guint i = 0; i < n; i++) {
            CorpusLine c;
            corpus_read_line(ls[i], &c);
            if (c.flag[0] == '\0')
                continue;
            flagged++;
            for (gsize k = 0; k < 7; k++)
                if (g_str_equal(c.flag, k == 6 ? "C" : flag_names[k]))
                    per_flag[k]++;
            if (res[i] != LINE_USED)
                g_error("%s:%u not used: %s", (char *)names->pdata[f], i + 1, ls[i]);
            /* an event of the right kind for this line, with this id */
            gboolean found = FALSE;
            while (ev_i < event_batch_len(batch) && event_batch_get(batch, ev_i)->line < i + 1)
                ev_i++;
            for (guint j = ev_i;
                 j < event_batch_len(batch) && event_batch_get(batch, j)->line == i + 1; j++) {
                const Event *e = event_batch_get(batch, j);
                if (corpus_kind_ok(c.flag, e->kind) && g_str_equal(e->queue_id, c.id) &&
                    (c.flag[0] == '<' || c.flag[0] == 'C' ||
                     corpus_same_address(e->recipient, &c) ||
                     corpus_same_address(e->orig_recipient, &c)))
                    found = TRUE;
            }
            if (!found)
                g_error("%s:%u no matching event: %s", (char *)names->pdata[f], i + 1, ls[i]);
            g_hash_table_add(ids, g_strdup(c.id));
            /* the outcome per message and recipient follows the flags */
            if (c.flag[0] != '<' && c.flag[0] != 'C') {
                EventKind want = c.flag[1] == '>'   ? EVENT_KIND_DELIVERED
                                 : c.flag[0] == '=' ? EVENT_KIND_DEFERRED
                                                    : EVENT_KIND_FAILED;
                gboolean ok = FALSE;
                for (int w = 0; w < 2 && !ok; w++) {
                    g_autofree char *who = g_ascii_strdown(w == 0 ? c.addr : c.orig, -1);
                    g_autofree char *key = g_strdup_printf("%s\t%s\t%d", c.id, who, want);
                    g_autofree char *key2 =
                        g_strdup_printf("%s\t%s\t%d", c.id, who, EVENT_KIND_EXPIRED);
                    ok = g_hash_table_contains(outcome, key) ||
                         (want == EVENT_KIND_FAILED && g_hash_table_contains(outcome, key2));
                }
                if (!ok)
                    g_error("%s: %s has no %s for %s", (char *)names->pdata[f], c.id,
                            event_kind_to_string(want), c.addr);
            }
        }
        messages += g_hash_table_size(ids);
        input_stats_free(stats);
    }
    g_test_message("%u files, %" G_GUINT64_FORMAT " lines: %" G_GUINT64_FORMAT
                   " used, %" G_GUINT64_FORMAT " skipped (blank), %" G_GUINT64_FORMAT
                   " unrecognised; %" G_GUINT64_FORMAT " events; %u message ids",
                   names->len, lines, used, skipped, unrec, events, messages);
    g_test_message("flagged lines: %" G_GUINT64_FORMAT " (every one used, with its event)",
                   flagged);
    for (gsize k = 0; k < 7; k++)
        g_test_message("  %-9s %" G_GUINT64_FORMAT, flag_names[k], per_flag[k]);
    /* What remains unrecognised is not Exim's: the test suite's "******** SERVER ********"
     * separators and the SMTP transcripts its fake servers print between the log lines. */
    g_test_message("unrecognised lines by their first 40 characters (none is an Exim line):");
    g_autoptr(GList) keys = g_hash_table_get_keys(unrec_kinds);
    keys = g_list_sort(keys, (GCompareFunc)g_strcmp0);
    for (GList *l = keys; l; l = l->next)
        g_test_message("  %4u  %s", GPOINTER_TO_UINT(g_hash_table_lookup(unrec_kinds, l->data)),
                       (char *)l->data);
    g_assert_cmpuint(stamped_unrec, ==, 0);
    g_assert_cmpuint(flagged, >, 9000);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/exim/corpus/testsuite", test_corpus);
    return g_test_run();
}
