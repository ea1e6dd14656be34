/* Large zeroed blocks straight from the kernel, for the arenas that only grow while logs are
 * read (messages, timelines, their strings: hundreds of MB on big logs). The kernel hands
 * them out zeroed, so records carved from them need no clearing of their own, and, from an
 * arena's second block on, fills them when they are mapped (MAP_POPULATE): one call for the
 * pages of a block instead of a page fault for each 4 KiB as records are written, which cost
 * about a sixth of the CPU time of a big run (measured on a 315 MB Exim log: the joining
 * thread 0.52 -> 0.43 s).
 * (Transparent huge pages were tried for these blocks too: fewer faults still, but on the
 * test machines the time to get a huge page varied from run to run by up to 3x; not used.) */
#pragma once

#include <glib.h>

/* At least size bytes, zero-filled; aborts when out of memory, as g_malloc does. The size
 * actually mapped is big_block_size(size). populate: filled now (for the blocks after an
 * arena's first: a small run does not pay for memory it never touches). */
gpointer big_block_alloc(gsize size, gboolean populate);
gsize big_block_size(gsize size);
/* Frees a block of big_block_alloc(size). */
void big_block_free(gpointer block, gsize size);
