/* Raw DEFLATE (RFC 1951, no zlib or gzip wrapper) with ISA-L on a thread of its own: the caller
 * fills blocks of data while the previous ones are compressed, CRC-32 summed and handed to a
 * write function. A few blocks circulate, so memory stays the same however much is written.
 * One stream at a time; a RawDeflate can write many streams one after the other. */
#pragma once

#include <glib.h>

#define RAW_DEFLATE_ERROR (raw_deflate_error_quark())
GQuark raw_deflate_error_quark(void);
typedef enum {
    RAW_DEFLATE_ERROR_WRITE,   /* the write function failed */
    RAW_DEFLATE_ERROR_COMPRESS /* ISA-L reported an error */
} RawDeflateError;

/* Writes len compressed bytes; FALSE stops the stream (raw_deflate_end() then fails). Called on
 * the compressing thread. */
typedef gboolean (*RawDeflateWriteFunc)(const guint8 *data, gsize len, gpointer user_data);

typedef struct {
    guint8 *data;
    gsize len;  /* bytes filled */
    gsize size; /* capacity */
} RawDeflateBlock;

typedef struct RawDeflate RawDeflate;

/* level: ISA-L's 0 (fastest) to 3. */
RawDeflate *raw_deflate_new(guint level);
void raw_deflate_free(RawDeflate *rd);

/* Starts a stream. */
void raw_deflate_begin(RawDeflate *rd, RawDeflateWriteFunc write, gpointer user_data);
/* An empty block to fill (waits while all blocks are being compressed). */
RawDeflateBlock *raw_deflate_take(RawDeflate *rd);
/* Queues a filled block (block->len bytes) for compression; the block is given back. */
void raw_deflate_push(RawDeflate *rd, RawDeflateBlock *block);
/* Ends the stream: waits for every queued block, writes the end of the stream. Gives the CRC-32
 * and the number of bytes before compression. */
gboolean raw_deflate_end(RawDeflate *rd, guint32 *crc, guint64 *size, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(RawDeflate, raw_deflate_free)
