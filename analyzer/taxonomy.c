/* The vocabulary of steps x causes and the titles of SMTP status codes. The tables are TSV files
 * compiled into the binary as a GResource (analyzer/taxonomy.tsv, enhanced-codes.tsv,
 * reply-codes.tsv) and parsed once, on first use, into immutable tables. */
#include "classify.h"
#include "classify-resources.h"
#include "taxonomy.h"
#include "string-pool.h"

#include <string.h>

#define TAXONOMY_WORDS (TAXONOMY_MAX_CAUSES / 64)
#define REPLY_CODE_MAX 600

typedef struct {
    TaxonomyEntry *entries;
    guint n_entries;
    GHashTable *pairs;     /* "group\tcause" -> TaxonomyEntry* */
    GHashTable *cause_ids; /* cause -> id + 1 */
    const char *cause_names[TAXONOMY_MAX_CAUSES];
    guint n_causes;
    guint64 step_causes[STEP_N][TAXONOMY_WORDS];
    GHashTable *enhanced; /* "S.D" -> title */
    const char *reply_titles[REPLY_CODE_MAX];
} TaxonomyData;

GBytes *
taxonomy_data(const char *name)
{
    g_autofree char *path = g_strconcat("/org/mailtrail/analyzer/", name, NULL);
    /* the resource is linked in; failing to find it is a build error, not an input error */
    GBytes *bytes =
        g_resource_lookup_data(classify_get_resource(), path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
    if (bytes == NULL)
        g_critical("built-in data file %s is missing", name);
    return bytes;
}

/* A writable, NUL-terminated copy of a data file that lives as long as the process: the tables
 * point into it. */
static char *
data_copy(const char *name)
{
    g_autoptr(GBytes) bytes = taxonomy_data(name);
    if (bytes == NULL)
        return g_strdup("");
    gsize len = 0;
    const char *data = g_bytes_get_data(bytes, &len);
    return g_strndup(data, len);
}

/* Next line of a buffer (cut in place), skipping blank lines and # comments; NULL at the end. */
static char *
next_line(char **cursor)
{
    while (*cursor != NULL && **cursor != '\0') {
        char *line = *cursor;
        char *nl = strchr(line, '\n');
        if (nl != NULL) {
            *nl = '\0';
            *cursor = nl + 1;
        } else {
            *cursor = NULL;
        }
        gsize len = strlen(line);
        if (len > 0 && line[len - 1] == '\r')
            line[len - 1] = '\0';
        if (line[0] != '\0' && line[0] != '#')
            return line;
    }
    return NULL;
}

/* Splits a line in place at tabs into at most max fields; returns the count. */
static guint
split_tabs(char *line, char **fields, guint max)
{
    guint n = 0;
    char *p = line;
    while (n < max) {
        fields[n++] = p;
        char *tab = strchr(p, '\t');
        if (tab == NULL)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

/* The Step a taxonomy row group stands for, or -1 for groups that are not steps. */
static int
group_step(const char *group)
{
    if (strcmp(group, "delivered") == 0)
        return STEP_QUIT;
    if (strcmp(group, "unknown") == 0)
        return STEP_UNKNOWN;
    Step s = step_from_string(group);
    if (s == STEP_UNKNOWN || s == STEP_QUIT)
        return -1;
    return (int)s;
}

static Permanence
permanence_from_name(const char *s)
{
    if (g_strcmp0(s, "temporary") == 0)
        return PERMANENCE_TEMPORARY;
    if (g_strcmp0(s, "permanent") == 0)
        return PERMANENCE_PERMANENT;
    return PERMANENCE_UNKNOWN;
}

static void
load_taxonomy(TaxonomyData *t)
{
    char *text = data_copy("taxonomy.tsv");
    GArray *rows = g_array_new(FALSE, TRUE, sizeof(TaxonomyEntry));
    char *cursor = text;
    char *line;
    gboolean header = TRUE;
    while ((line = next_line(&cursor)) != NULL) {
        char *f[6];
        if (split_tabs(line, f, 6) != 6) {
            g_critical("taxonomy.tsv: bad row");
            continue;
        }
        if (header) { /* the column names */
            header = FALSE;
            continue;
        }
        TaxonomyEntry e = {
            .step = f[0],
            .cause = f[1],
            .permanence = f[2],
            .owner = f[3],
            .action = f[4],
            .definition = f[5],
        };
        g_array_append_val(rows, e);
    }
    t->n_entries = rows->len;
    t->entries = (TaxonomyEntry *)(void *)g_array_free(rows, FALSE);

    t->pairs = g_hash_table_new(string_hash, g_str_equal);
    t->cause_ids = g_hash_table_new(string_hash, g_str_equal);
    for (guint i = 0; i < t->n_entries; i++) {
        const TaxonomyEntry *e = &t->entries[i];
        char *key = g_strconcat(e->step, "\t", e->cause, NULL); /* lives with the table */
        g_hash_table_insert(t->pairs, key, (gpointer)e);
        if (e->cause[0] == '<') /* placeholders: <last-cause>, <cause> */
            continue;
        gpointer idp = g_hash_table_lookup(t->cause_ids, e->cause);
        if (idp == NULL) {
            if (t->n_causes >= TAXONOMY_MAX_CAUSES) {
                g_critical("taxonomy.tsv: too many causes");
                continue;
            }
            t->cause_names[t->n_causes] = e->cause;
            idp = GUINT_TO_POINTER(++t->n_causes);
            g_hash_table_insert(t->cause_ids, (gpointer)e->cause, idp);
        }
        guint id = GPOINTER_TO_UINT(idp) - 1;
        int step = group_step(e->step);
        if (step >= 0)
            t->step_causes[step][id / 64] |= G_GUINT64_CONSTANT(1) << (id % 64);
    }
}

static void
load_codes(TaxonomyData *t)
{
    t->enhanced = g_hash_table_new(string_hash, g_str_equal);
    char *text = data_copy("enhanced-codes.tsv");
    char *cursor = text;
    char *line;
    while ((line = next_line(&cursor)) != NULL) {
        char *f[2];
        /* "X.1.1" -> key "1.1" */
        if (split_tabs(line, f, 2) == 2 && (f[0][0] == 'X') && f[0][1] == '.')
            g_hash_table_insert(t->enhanced, f[0] + 2, f[1]);
    }
    text = data_copy("reply-codes.tsv");
    cursor = text;
    while ((line = next_line(&cursor)) != NULL) {
        char *f[2];
        if (split_tabs(line, f, 2) != 2)
            continue;
        guint64 code = 0;
        if (g_ascii_string_to_unsigned(f[0], 10, 200, REPLY_CODE_MAX - 1, &code, NULL))
            t->reply_titles[code] = f[1];
    }
}

static const TaxonomyData *
taxonomy_get(void)
{
    static gsize once = 0;
    static TaxonomyData *data = NULL;
    if (g_once_init_enter(&once)) {
        TaxonomyData *t = g_new0(TaxonomyData, 1);
        load_taxonomy(t);
        load_codes(t);
        data = t;
        g_once_init_leave(&once, 1);
    }
    return data;
}

int
taxonomy_cause_id(const char *cause)
{
    if (cause == NULL)
        return -1;
    gpointer idp = g_hash_table_lookup(taxonomy_get()->cause_ids, cause);
    return idp != NULL ? (int)GPOINTER_TO_UINT(idp) - 1 : -1;
}

const char *
taxonomy_cause_name(int id)
{
    const TaxonomyData *t = taxonomy_get();
    return id >= 0 && (guint)id < t->n_causes ? t->cause_names[id] : NULL;
}

guint
taxonomy_n_causes(void)
{
    return taxonomy_get()->n_causes;
}

gboolean
taxonomy_step_has_cause(Step step, int cause)
{
    if ((unsigned)step >= STEP_N || cause < 0 || cause >= TAXONOMY_MAX_CAUSES)
        return FALSE;
    return (taxonomy_get()->step_causes[step][cause / 64] >> (cause % 64)) & 1;
}

static const TaxonomyEntry *
pair_lookup(const char *group, const char *cause)
{
    /* "group\tcause", put together by hand: looked up for rows of the big sheets */
    char key[128];
    gsize gl = strlen(group), cl = strlen(cause);
    if (gl + 1 + cl >= sizeof key)
        return NULL;
    memcpy(key, group, gl);
    key[gl] = '\t';
    memcpy(key + gl + 1, cause, cl + 1);
    return g_hash_table_lookup(taxonomy_get()->pairs, key);
}

gboolean
taxonomy_group_has_cause(const char *group, int cause)
{
    const char *name = taxonomy_cause_name(cause);
    return group != NULL && name != NULL && pair_lookup(group, name) != NULL;
}

const TaxonomyEntry *
taxonomy_lookup(const char *step, const char *cause)
{
    if (cause == NULL)
        return NULL;
    const TaxonomyEntry *e = NULL;
    if (step != NULL) {
        /* the classifier's STEP_QUIT is the taxonomy's "delivered" group */
        e = pair_lookup(strcmp(step, "quit") == 0 ? "delivered" : step, cause);
        if (e != NULL)
            return e;
    }
    e = pair_lookup("unknown", cause);
    if (e != NULL)
        return e;
    const TaxonomyData *t = taxonomy_get();
    for (guint i = 0; i < t->n_entries; i++)
        if (strcmp(t->entries[i].cause, cause) == 0)
            return &t->entries[i];
    return NULL;
}

Permanence
taxonomy_typical_permanence(Step step, int cause)
{
    const char *name = taxonomy_cause_name(cause);
    if (name == NULL)
        return PERMANENCE_UNKNOWN;
    const TaxonomyEntry *e = taxonomy_lookup(step_to_string(step), name);
    return e != NULL ? permanence_from_name(e->permanence) : PERMANENCE_UNKNOWN;
}

const char *
enhanced_code_title(const char *code)
{
    if (code == NULL || !(code[0] == '2' || code[0] == '4' || code[0] == '5') || code[1] != '.')
        return NULL;
    /* subject and detail: 1-3 digits each, nothing after */
    const char *p = code + 2;
    for (int part = 0; part < 2; part++) {
        int digits = 0;
        while (g_ascii_isdigit(*p) && digits < 4) {
            p++;
            digits++;
        }
        if (digits == 0 || digits > 3)
            return NULL;
        if (part == 0 && *p++ != '.')
            return NULL;
    }
    if (*p != '\0')
        return NULL;
    return g_hash_table_lookup(taxonomy_get()->enhanced, code + 2);
}

const char *
reply_code_title(guint code)
{
    return code < REPLY_CODE_MAX ? taxonomy_get()->reply_titles[code] : NULL;
}
