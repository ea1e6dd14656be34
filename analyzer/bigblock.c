/* Large blocks from mmap (see bigblock.h). */
#include "bigblock.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

gsize
big_block_size(gsize size)
{
    gsize page = (gsize)sysconf(_SC_PAGESIZE);
    return (MAX(size, 1) + page - 1) / page * page;
}

gpointer
big_block_alloc(gsize size, gboolean populate)
{
    gsize len = big_block_size(size);
    int flags = MAP_PRIVATE | MAP_ANONYMOUS;
#ifdef MAP_POPULATE
    if (populate)
        flags |= MAP_POPULATE;
#else
    (void)populate;
#endif
    void *block = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (block == MAP_FAILED)
        g_error("out of memory: could not map %" G_GSIZE_FORMAT " bytes: %s", len,
                g_strerror(errno));
    return block;
}

void
big_block_free(gpointer block, gsize size)
{
    if (block)
        munmap(block, big_block_size(size));
}
