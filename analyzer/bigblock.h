/* Large zeroed blocks straight from the kernel, for the arenas that only grow while logs are
 * read (messages, timelines, their strings: hundreds of MB on big logs). The kernel hands
 * them out zeroed, so records carved from them need no clearing of their own.
 * (Transparent huge pages were tried for these blocks: fewer page faults, but on the test
 * machines the time to get a huge page varied from run to run by up to 3x; not used.) */
#pragma once

#include <glib.h>

/* At least size bytes, zero-filled; aborts when out of memory, as g_malloc does. The size
 * actually mapped is big_block_size(size). */
gpointer big_block_alloc(gsize size);
gsize big_block_size(gsize size);
/* Frees a block of big_block_alloc(size). */
void big_block_free(gpointer block, gsize size);
