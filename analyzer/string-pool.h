/* String storage in large chunks: an arena (string_pool_copy) and an interning table
 * (string_pool_intern) so that each distinct string is stored once. No per-string malloc. */
#pragma once

#include <glib.h>

typedef struct StringPool StringPool;

StringPool *string_pool_new(void);
/* For a pool that grows to many MB and is not cleared (the correlator's): chunks of 4 MiB from
 * big_block_alloc. */
StringPool *string_pool_new_large(void);
void string_pool_free(StringPool *pool);
/* Returns the one stored copy of s (NUL-terminated); NULL for NULL. */
const char *string_pool_intern(StringPool *pool, const char *s);
const char *string_pool_intern_len(StringPool *pool, const char *s, gsize len);
/* n bytes of the arena, not initialised. */
char *string_pool_alloc(StringPool *pool, gsize n);
/* Copies len bytes and a NUL into the arena, without looking for an existing copy. */
char *string_pool_copy(StringPool *pool, const char *s, gsize len);
/* The hash the pool uses, for other tables of strings. */
guint32 string_pool_hash(const char *s, gsize len);
/* Forgets every string; the memory is kept for reuse. */
void string_pool_clear(StringPool *pool);
/* Bytes held, for progress and memory reports. */
gsize string_pool_size(const StringPool *pool);
guint string_pool_count(const StringPool *pool);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StringPool, string_pool_free)
