/* Chunked string arena with an optional interning table (see string-pool.h). */
#include "string-pool.h"

#include <string.h>

#include "bigblock.h"

#define CHUNK_SIZE (256 * 1024)
/* chunks of pools that only grow (string_pool_new_large) */
#define LARGE_CHUNK_SIZE ((gsize)4 << 20)

typedef struct {
    char *data;
    gsize used;
    gsize size;
} Chunk;

/* The interning table: open addressing with linear probing; the hashes are kept in an array
 * of their own beside the pointers, so a lookup rarely touches the strings themselves. */

struct StringPool {
    StringPoolCursor cursor; /* first (string-pool.h): the free space of the current chunk */
    GArray *chunks; /* Chunk; the last one is current */
    guint current;
    gboolean large; /* chunks are big blocks (bigblock.h) */
    const char **strs; /* interned strings (NULL: empty slot), created on first intern */
    guint32 *hashes;
    gsize mask;        /* slots - 1 (a power of two minus one) */
    /* a small cache of recent strings in front of the table: the few strings that repeat
     * from line to line (hosts, MX names, codes) are found without touching the big table */
    const char *recent[256];
    guint32 recent_hash[256];
    guint count;
};

StringPool *
string_pool_new(void)
{
    StringPool *pool = g_new0(StringPool, 1);
    pool->chunks = g_array_new(FALSE, FALSE, sizeof(Chunk));
    return pool;
}

StringPool *
string_pool_new_large(void)
{
    StringPool *pool = string_pool_new();
    pool->large = TRUE;
    return pool;
}

void
string_pool_free(StringPool *pool)
{
    if (pool == NULL)
        return;
    for (guint i = 0; i < pool->chunks->len; i++) {
        Chunk *c = &g_array_index(pool->chunks, Chunk, i);
        if (pool->large)
            big_block_free(c->data, c->size);
        else
            g_free(c->data);
    }
    g_array_free(pool->chunks, TRUE);
    g_free(pool->strs);
    g_free(pool->hashes);
    g_free(pool);
}

/* The current chunk's used bytes from the cursor (which string_pool_alloc() moves alone). */
static void
sync_current(StringPool *pool)
{
    if (pool->cursor.cur) {
        Chunk *c = &g_array_index(pool->chunks, Chunk, pool->current);
        c->used = (gsize)(pool->cursor.cur - c->data);
    }
}

static char *
pool_alloc(StringPool *pool, gsize n)
{
    while (pool->current < pool->chunks->len) {
        Chunk *c = &g_array_index(pool->chunks, Chunk, pool->current);
        if (c->size - c->used >= n) {
            char *p = c->data + c->used;
            c->used += n;
            return p;
        }
        /* a big string that does not fit in a fresh chunk gets one of its own below */
        if (c->used == 0 && n > c->size)
            break;
        pool->current++;
    }
    Chunk c = {.size = MAX(CHUNK_SIZE, n), .used = n};
    if (pool->large) {
        c.size = big_block_size(MAX(LARGE_CHUNK_SIZE, n));
        c.data = big_block_alloc(c.size, pool->chunks->len > 0);
    } else {
        c.data = g_malloc(c.size);
    }
    /* keep reusable chunks after the current one: insert the new chunk at the current slot */
    g_array_insert_val(pool->chunks, pool->current, c);
    return c.data;
}

char *
string_pool_alloc_slow(StringPool *pool, gsize n)
{
    sync_current(pool);
    char *p = pool_alloc(pool, n);
    Chunk *c = &g_array_index(pool->chunks, Chunk, pool->current);
    pool->cursor.cur = c->data + c->used;
    pool->cursor.left = c->size - c->used;
    return p;
}

/* A fast hash over 8 bytes at a time (multiply-rotate mixing). */
guint32
string_pool_hash(const char *s, gsize len)
{
    guint64 h = 0x9E3779B97F4A7C15u ^ len;
    gsize i = 0;
    for (; i + 8 <= len; i += 8) {
        guint64 w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9u;
        h ^= h >> 31;
    }
    guint64 w = string_head_word(s + i, len - i);
    h = (h ^ w) * 0x94D049BB133111EBu;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9u;
    h ^= h >> 32;
    return (guint32)h;
}

guint
string_hash(gconstpointer s)
{
    return string_pool_hash(s, strlen(s));
}

static void
grow(StringPool *pool)
{
    gsize size = pool->strs ? (pool->mask + 1) * 2 : 1024;
    const char **strs = g_new0(const char *, size);
    guint32 *hashes = g_new(guint32, size);
    gsize mask = size - 1;
    for (gsize i = 0; pool->strs && i <= pool->mask; i++) {
        if (pool->strs[i] == NULL)
            continue;
        gsize j = pool->hashes[i] & mask;
        while (strs[j])
            j = (j + 1) & mask;
        strs[j] = pool->strs[i];
        hashes[j] = pool->hashes[i];
    }
    g_free(pool->strs);
    g_free(pool->hashes);
    pool->strs = strs;
    pool->hashes = hashes;
    pool->mask = mask;
}

const char *
string_pool_intern_len(StringPool *pool, const char *s, gsize len)
{
    if (s == NULL)
        return NULL;
    if (pool->strs == NULL || (gsize)pool->count * 4 >= (pool->mask + 1) * 3)
        grow(pool);
    guint32 h = string_pool_hash(s, len);
    guint r = (h >> 8) & 255;
    const char *hot = pool->recent[r];
    if (hot && pool->recent_hash[r] == h && strncmp(hot, s, len) == 0 && hot[len] == '\0')
        return hot;
    gsize j = h & pool->mask;
    for (const char *str; (str = pool->strs[j]) != NULL; j = (j + 1) & pool->mask)
        if (pool->hashes[j] == h && strncmp(str, s, len) == 0 && str[len] == '\0') {
            pool->recent[r] = str;
            pool->recent_hash[r] = h;
            return str;
        }
    char *copy = string_pool_copy(pool, s, len);
    pool->recent[r] = copy;
    pool->recent_hash[r] = h;
    pool->strs[j] = copy;
    pool->hashes[j] = h;
    pool->count++;
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
    if (pool->chunks->len > 0) {
        Chunk *c = &g_array_index(pool->chunks, Chunk, 0);
        pool->cursor = (StringPoolCursor){c->data, c->size};
    }
    if (pool->strs)
        memset(pool->strs, 0, sizeof(char *) * (pool->mask + 1));
    memset(pool->recent, 0, sizeof pool->recent);
    pool->count = 0;
}

gsize
string_pool_size(const StringPool *pool)
{
    gsize bytes = 0;
    for (guint i = 0; i < pool->chunks->len; i++) {
        const Chunk *c = &g_array_index(pool->chunks, Chunk, i);
        bytes += i == pool->current && pool->cursor.cur ? (gsize)(pool->cursor.cur - c->data)
                                                        : c->used;
    }
    return bytes;
}

guint
string_pool_count(const StringPool *pool)
{
    return pool->count;
}
