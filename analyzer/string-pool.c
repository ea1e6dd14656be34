/* Chunked string arena with an optional interning table (see string-pool.h). */
#include "string-pool.h"

#include <string.h>

#define CHUNK_SIZE (256 * 1024)

typedef struct {
    char *data;
    gsize used;
    gsize size;
} Chunk;

struct StringPool {
    GArray *chunks; /* Chunk; the last one is current */
    guint current;
    GHashTable *table; /* interned strings, created on first intern */
    gsize bytes;
};

StringPool *
string_pool_new(void)
{
    StringPool *pool = g_new0(StringPool, 1);
    pool->chunks = g_array_new(FALSE, FALSE, sizeof(Chunk));
    return pool;
}

void
string_pool_free(StringPool *pool)
{
    if (pool == NULL)
        return;
    for (guint i = 0; i < pool->chunks->len; i++)
        g_free(g_array_index(pool->chunks, Chunk, i).data);
    g_array_free(pool->chunks, TRUE);
    if (pool->table)
        g_hash_table_destroy(pool->table);
    g_free(pool);
}

static char *
pool_alloc(StringPool *pool, gsize n)
{
    while (pool->current < pool->chunks->len) {
        Chunk *c = &g_array_index(pool->chunks, Chunk, pool->current);
        if (c->size - c->used >= n) {
            char *p = c->data + c->used;
            c->used += n;
            pool->bytes += n;
            return p;
        }
        /* a big string that does not fit in a fresh chunk gets one of its own below */
        if (c->used == 0 && n > c->size)
            break;
        pool->current++;
    }
    Chunk c = {.size = MAX(CHUNK_SIZE, n), .used = n};
    c.data = g_malloc(c.size);
    /* keep reusable chunks after the current one: insert the new chunk at the current slot */
    g_array_insert_val(pool->chunks, pool->current, c);
    pool->bytes += n;
    return c.data;
}

char *
string_pool_copy(StringPool *pool, const char *s, gsize len)
{
    char *p = pool_alloc(pool, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

const char *
string_pool_intern_len(StringPool *pool, const char *s, gsize len)
{
    if (s == NULL)
        return NULL;
    if (pool->table == NULL)
        pool->table = g_hash_table_new(g_str_hash, g_str_equal);
    const char *found;
    if (s[len] == '\0') {
        found = g_hash_table_lookup(pool->table, s);
    } else {
        char buf[256];
        char *key = len < sizeof buf ? buf : g_malloc(len + 1);
        memcpy(key, s, len);
        key[len] = '\0';
        found = g_hash_table_lookup(pool->table, key);
        if (key != buf)
            g_free(key);
    }
    if (found)
        return found;
    char *copy = string_pool_copy(pool, s, len);
    g_hash_table_add(pool->table, copy);
    return copy;
}

const char *
string_pool_intern(StringPool *pool, const char *s)
{
    return s ? string_pool_intern_len(pool, s, strlen(s)) : NULL;
}

void
string_pool_clear(StringPool *pool)
{
    for (guint i = 0; i < pool->chunks->len; i++)
        g_array_index(pool->chunks, Chunk, i).used = 0;
    pool->current = 0;
    pool->bytes = 0;
    if (pool->table)
        g_hash_table_remove_all(pool->table);
}

gsize
string_pool_size(const StringPool *pool)
{
    return pool->bytes;
}

guint
string_pool_count(const StringPool *pool)
{
    return pool->table ? g_hash_table_size(pool->table) : 0;
}
