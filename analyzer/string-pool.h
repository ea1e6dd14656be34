/* String storage in large chunks: an arena (string_pool_copy) and an interning table
 * (string_pool_intern) so that each distinct string is stored once. No per-string malloc. */
#pragma once

#include <glib.h>
#include <string.h>

typedef struct StringPool StringPool;

StringPool *string_pool_new(void);
/* For a pool that grows to many MB and is not cleared (the correlator's): chunks of 4 MiB from
 * big_block_alloc. */
StringPool *string_pool_new_large(void);
void string_pool_free(StringPool *pool);
/* Returns the one stored copy of s (NUL-terminated); NULL for NULL. */
const char *string_pool_intern(StringPool *pool, const char *s);
const char *string_pool_intern_len(StringPool *pool, const char *s, gsize len);
/* Every StringPool starts with this: the free space of its current chunk, so that the
 * allocation of the hot paths (string_pool_alloc) is a few instructions in line. */
typedef struct {
    char *cur;
    gsize left;
} StringPoolCursor;

char *string_pool_alloc_slow(StringPool *pool, gsize n);

/* n bytes of the arena, not initialised. */
static inline char *
string_pool_alloc(StringPool *pool, gsize n)
{
    StringPoolCursor *c = (StringPoolCursor *)(void *)pool;
    if (G_LIKELY(n <= c->left)) {
        char *p = c->cur;
        c->cur += n;
        c->left -= n;
        return p;
    }
    return string_pool_alloc_slow(pool, n);
}
/* Copies len bytes and a NUL into the arena, without looking for an existing copy. */
static inline char *
string_pool_copy(StringPool *pool, const char *s, gsize len)
{
    char *p = string_pool_alloc(pool, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}
/* The hash the pool uses, for other tables of strings. */
guint32 string_pool_hash(const char *s, gsize len);
/* string_pool_hash() as a GHashFunc for NUL-terminated keys: eight bytes a step where
 * g_str_hash takes one. */
guint string_hash(gconstpointer s);
/* Up to eight bytes of s (n of them, n <= 8) in one word, for hashing: loads that overlap
 * instead of a copy of variable length, which would stall the load that follows it. Equal
 * strings give equal words; the word is the bytes in order only for n of 0 to 4 and 8. */
static inline guint64
string_head_word(const char *s, gsize n)
{
    if (n >= 4) {
        guint32 a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        return a | ((guint64)b << ((n - 4) * 8));
    }
    if (n == 0)
        return 0;
    return (guchar)s[0] | ((guint64)(guchar)s[n / 2] << (n / 2 * 8)) |
           ((guint64)(guchar)s[n - 1] << ((n - 1) * 8));
}

/* Forgets every string; the memory is kept for reuse. */
void string_pool_clear(StringPool *pool);
/* Bytes held, for progress and memory reports. */
gsize string_pool_size(const StringPool *pool);
guint string_pool_count(const StringPool *pool);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StringPool, string_pool_free)
