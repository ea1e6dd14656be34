/* See sisimai-map.h. */
#include "sisimai-map.h"

#include <string.h>

#include "harness.h"
#include "taxonomy.h"

/* What a row of the map accepts besides a cause of the taxonomy. */
typedef enum {
    ACCEPT_CAUSE,       /* the classifier's cause (or the sub-type of other received mail) */
    ACCEPT_COMPLAINT,   /* @complaint: the item is a complaint (ARF report) */
    ACCEPT_DELIVERED,   /* @delivered: a DSN that reports a delivery */
    ACCEPT_DELAY,       /* @delay-notice: a DSN with Action: delayed */
    ACCEPT_TEMPORARY,   /* @temporary: the classification is temporary */
    ACCEPT_NOT_COMPARED /* @not-compared: sisimai decided nothing */
} Accept;

typedef struct {
    char *reason;
    Accept accept;
    char *cause;   /* ACCEPT_CAUSE */
    Step step;     /* STEP_UNKNOWN: any */
    gboolean spec; /* the source column says "spec" */
} MapRow;

struct SisimaiMap {
    GPtrArray *rows; /* MapRow */
};

static void
map_row_free(gpointer p)
{
    MapRow *r = p;
    g_free(r->reason);
    g_free(r->cause);
    g_free(r);
}

void
sisimai_map_free(SisimaiMap *map)
{
    if (map == NULL)
        return;
    g_ptr_array_unref(map->rows);
    g_free(map);
}

static gboolean
parse_accept(const char *s, MapRow *row)
{
    static const struct {
        const char *name;
        Accept accept;
    } pseudo[] = {
        {"@complaint", ACCEPT_COMPLAINT},       {"@delivered", ACCEPT_DELIVERED},
        {"@delay-notice", ACCEPT_DELAY},        {"@temporary", ACCEPT_TEMPORARY},
        {"@not-compared", ACCEPT_NOT_COMPARED},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(pseudo); i++)
        if (strcmp(s, pseudo[i].name) == 0) {
            row->accept = pseudo[i].accept;
            return TRUE;
        }
    if (s[0] == '<' || taxonomy_cause_id(s) < 0)
        return FALSE;
    row->accept = ACCEPT_CAUSE;
    row->cause = g_strdup(s);
    return TRUE;
}

SisimaiMap *
sisimai_map_load(const char *path, GError **error)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, error))
        return NULL;
    g_autoptr(SisimaiMap) map = g_new0(SisimaiMap, 1);
    map->rows = g_ptr_array_new_with_free_func(map_row_free);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
        const char *line = lines[i];
        if (line[0] == '\0' || line[0] == '#')
            continue;
        g_auto(GStrv) f = g_strsplit(line, "\t", 4);
        if (g_strv_length(f) != 4 || f[3][0] == '\0') {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s:%u: expected 4 tab-separated columns: reason, cause, step, why", path,
                        i + 1);
            return NULL;
        }
        if (strcmp(f[0], "reason") == 0)
            continue; /* the header */
        MapRow *row = g_new0(MapRow, 1);
        row->reason = g_ascii_strdown(f[0], -1);
        row->spec = strcmp(f[3], "spec") == 0;
        g_ptr_array_add(map->rows, row);
        if (!parse_accept(f[1], row)) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s:%u: \"%s\" is neither a cause of the taxonomy nor @complaint, "
                        "@delivered, @delay-notice, @temporary, @not-compared",
                        path, i + 1, f[1]);
            return NULL;
        }
        if (strcmp(f[2], "-") != 0) {
            row->step = step_from_string(f[2]);
            if (row->step == STEP_UNKNOWN) {
                g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: unknown step \"%s\"",
                            path, i + 1, f[2]);
                return NULL;
            }
        }
    }
    return g_steal_pointer(&map);
}

SisimaiMap *
sisimai_map_load_default(void)
{
    g_autofree char *path = harness_source_path("tests/data/sisimai-map.tsv");
    g_autoptr(GError) error = NULL;
    SisimaiMap *map = sisimai_map_load(path, &error);
    g_assert_no_error(error);
    return map;
}

static gboolean
row_accepts(const MapRow *row, const SisimaiMapOurs *ours)
{
    switch (row->accept) {
    case ACCEPT_COMPLAINT:
        return ours->kind == EVENT_KIND_COMPLAINT;
    case ACCEPT_DELIVERED:
        return ours->kind == EVENT_KIND_DSN_SUCCESS;
    case ACCEPT_DELAY:
        return ours->kind == EVENT_KIND_DELAY_NOTICE;
    case ACCEPT_TEMPORARY:
        return ours->permanence == PERMANENCE_TEMPORARY;
    case ACCEPT_NOT_COMPARED:
        return FALSE;
    case ACCEPT_CAUSE:
        break;
    }
    if (g_strcmp0(ours->cause, row->cause) != 0)
        return FALSE;
    return row->step == STEP_UNKNOWN || row->step == ours->step;
}

SisimaiMapVerdict
sisimai_map_compare(const SisimaiMap *map, const char *reason, const SisimaiMapOurs *ours)
{
    for (guint i = 0; i < map->rows->len; i++) {
        const MapRow *row = map->rows->pdata[i];
        if (g_ascii_strcasecmp(row->reason, reason) != 0)
            continue;
        if (row->accept == ACCEPT_NOT_COMPARED)
            return SISIMAI_MAP_NOT_COMPARED;
        if (ours != NULL && row_accepts(row, ours))
            return SISIMAI_MAP_AGREE;
    }
    return SISIMAI_MAP_DISAGREE;
}

static gboolean
map_has(const SisimaiMap *map, const char *reason, const char *cause, gboolean spec_only)
{
    for (guint i = 0; i < map->rows->len; i++) {
        const MapRow *row = map->rows->pdata[i];
        if (strcmp(row->reason, reason) != 0)
            continue;
        if (row->accept == ACCEPT_NOT_COMPARED && cause == NULL)
            return TRUE;
        if (cause != NULL && g_strcmp0(row->cause, cause) == 0 && (row->spec || !spec_only))
            return TRUE;
    }
    return FALSE;
}

gboolean
sisimai_map_check_spec(const SisimaiMap *map, const char *spec_text, GString *problems)
{
    gsize before = problems->len;
    /* reason -> the taxonomy causes the spec's cause column names ("a / b", "a (b if ...)") */
    g_autoptr(GHashTable) spec =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_strfreev);
    g_autoptr(GRegex) word = g_regex_new("[a-z][a-z-]*[a-z]", 0, 0, NULL);
    g_auto(GStrv) lines = g_strsplit(spec_text, "\n", -1);
    for (guint i = 1; lines[i] != NULL; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], "\t", -1);
        if (g_strv_length(f) < 3)
            continue;
        g_autofree char *reason = g_ascii_strdown(f[0], -1);
        g_autoptr(GStrvBuilder) causes = g_strv_builder_new();
        g_autoptr(GMatchInfo) mi = NULL;
        g_regex_match(word, f[2], 0, &mi);
        for (; g_match_info_matches(mi); g_match_info_next(mi, NULL)) {
            g_autofree char *w = g_match_info_fetch(mi, 0);
            if (taxonomy_cause_id(w) >= 0)
                g_strv_builder_add(causes, w);
        }
        g_auto(GStrv) list = g_strv_builder_end(causes);
        /* a reason sisimai uses when it decided nothing is not compared at all */
        if (!map_has(map, reason, NULL, FALSE))
            for (char **c = list; *c != NULL; c++)
                if (!map_has(map, reason, *c, TRUE))
                    g_string_append_printf(problems,
                                           "spec/map_sisimai.tsv maps %s to %s: no \"spec\" row\n",
                                           reason, *c);
        g_hash_table_insert(spec, g_steal_pointer(&reason), g_steal_pointer(&list));
    }
    for (guint i = 0; i < map->rows->len; i++) {
        const MapRow *row = map->rows->pdata[i];
        if (!row->spec)
            continue;
        char **list = g_hash_table_lookup(spec, row->reason);
        if (list == NULL || row->cause == NULL ||
            !g_strv_contains((const char *const *)list, row->cause))
            g_string_append_printf(problems,
                                   "%s -> %s is marked \"spec\" but spec/map_sisimai.tsv does not "
                                   "name it\n",
                                   row->reason, row->cause ? row->cause : "(pseudo)");
    }
    return problems->len == before;
}
