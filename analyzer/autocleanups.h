/* g_autoptr() support for the C libraries that ship none (libarchive, libxlsxwriter, GMime's
 * plain structs). Include this instead of declaring cleanups locally. */
#pragma once

#include <archive.h>
#include <glib.h>

typedef struct archive ArchiveReader;
static inline void
autocleanup_archive_read_free(ArchiveReader *a)
{
    if (a)
        archive_read_free(a);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArchiveReader, autocleanup_archive_read_free)
