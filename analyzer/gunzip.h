/* Streaming gzip decompression with ISA-L (several times zlib's speed): the input layer puts it
 * between a file (or an archive member) and libarchive, which then sees the tar or the plain
 * text inside. Multi-member files are read member after member. */
#pragma once

#include <glib.h>

/* Where the compressed bytes come from: returns the length of the next block (*buf set), 0 at
 * the end, -1 on a read error (*error_text set, owned by the caller). */
typedef gssize (*GunzipReadFunc)(gpointer data, const void **buf, char **error_text);

typedef struct Gunzip Gunzip;

/* True when head starts a gzip member that this decoder reads (magic and method deflate). */
gboolean gunzip_is_gzip(const guchar *head, gsize len);

Gunzip *gunzip_new(GunzipReadFunc read, gpointer data);
void gunzip_free(Gunzip *gz);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Gunzip, gunzip_free)

/* The next block of decompressed bytes (valid until the next call): its length, 0 at the end,
 * -1 on an error (*error_text set, owned by the caller: "truncated gzip input", "gzip data
 * damaged: ...", or the source's own error). After an error every call returns -1 again.
 * Bytes after the last member that do not start a gzip member are ignored, as gzip does. */
gssize gunzip_read(Gunzip *gz, const void **buf, char **error_text);

/* Compressed bytes taken from the source so far (progress against the file size). */
guint64 gunzip_bytes_in(const Gunzip *gz);
