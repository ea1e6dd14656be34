/* Raw DEFLATE with ISA-L on a second thread (see raw-deflate.h). ISA-L's fast levels deflate
 * several times faster than zlib's level 1 for a similar size; its CRC-32 uses carry-less
 * multiplication. The output depends only on the data and on how it is cut into blocks, which
 * the caller decides: the same data gives the same bytes. */
#include "raw-deflate.h"

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

G_DEFINE_QUARK(raw_deflate_error_quark, raw_deflate_error)

/* Blocks in circulation: one being filled, one being compressed, one or two waiting. */
#define N_BLOCKS 4
#define BLOCK_SIZE ((gsize)512 * 1024)
#define OUT_SIZE ((gsize)256 * 1024)

struct RawDeflate {
    GThread *thread;
    GAsyncQueue *todo;  /* RawDeflateBlock*, or &end / &quit */
    GAsyncQueue *empty; /* RawDeflateBlock* */
    GAsyncQueue *done;  /* &end, once a stream is finished */
    RawDeflateBlock blocks[N_BLOCKS];
    RawDeflateBlock end, quit; /* markers */

    /* the compressing thread's own */
    struct isal_zstream *zs;
    guint level;
    guint8 *level_buf;
    guint32 level_buf_size;
    guint8 *out;
    RawDeflateWriteFunc write;
    gpointer user_data;
    guint32 crc;
    guint64 size;
    int failed; /* 0, or a RawDeflateError + 1 */
};

static void
stream_init(RawDeflate *rd)
{
    isal_deflate_init(rd->zs);
    rd->zs->level = rd->level;
    rd->zs->level_buf = rd->level_buf;
    rd->zs->level_buf_size = rd->level_buf_size;
    rd->zs->gzip_flag = IGZIP_DEFLATE;
    rd->crc = 0;
    rd->size = 0;
    rd->failed = 0;
}

/* Compresses data (end: and finishes the stream), writing whatever comes out. */
static void
compress(RawDeflate *rd, guint8 *data, gsize len, gboolean end)
{
    struct isal_zstream *zs = rd->zs;
    zs->next_in = data;
    zs->avail_in = (guint32)len;
    zs->end_of_stream = end ? 1 : 0;
    zs->flush = NO_FLUSH;
    for (;;) {
        zs->next_out = rd->out;
        zs->avail_out = OUT_SIZE;
        if (isal_deflate(zs) != COMP_OK) {
            rd->failed = RAW_DEFLATE_ERROR_COMPRESS + 1;
            return;
        }
        gsize n = OUT_SIZE - zs->avail_out;
        if (n > 0 && !rd->write(rd->out, n, rd->user_data)) {
            rd->failed = RAW_DEFLATE_ERROR_WRITE + 1;
            return;
        }
        if (end ? zs->internal_state.state == ZSTATE_END : zs->avail_in == 0 && zs->avail_out > 0)
            return;
    }
}

static gpointer
worker(gpointer data)
{
    RawDeflate *rd = data;
    for (;;) {
        RawDeflateBlock *b = g_async_queue_pop(rd->todo);
        if (b == &rd->quit)
            return NULL;
        if (b == &rd->end) {
            if (!rd->failed)
                compress(rd, NULL, 0, TRUE);
            g_async_queue_push(rd->done, &rd->end);
            continue;
        }
        if (!rd->failed && b->len > 0) {
            rd->crc = crc32_gzip_refl(rd->crc, b->data, b->len);
            rd->size += b->len;
            compress(rd, b->data, b->len, FALSE);
        }
        b->len = 0;
        g_async_queue_push(rd->empty, b);
    }
}

RawDeflate *
raw_deflate_new(guint level)
{
    static const guint32 level_buf_sizes[] = {ISAL_DEF_LVL0_DEFAULT, ISAL_DEF_LVL1_DEFAULT,
                                              ISAL_DEF_LVL2_DEFAULT, ISAL_DEF_LVL3_DEFAULT};
    RawDeflate *rd = g_new0(RawDeflate, 1);
    rd->level = MIN(level, 3u);
    rd->level_buf_size = level_buf_sizes[rd->level];
    rd->level_buf = rd->level_buf_size ? g_malloc(rd->level_buf_size) : NULL;
    rd->zs = g_new0(struct isal_zstream, 1);
    rd->out = g_malloc(OUT_SIZE);
    rd->todo = g_async_queue_new();
    rd->empty = g_async_queue_new();
    rd->done = g_async_queue_new();
    for (guint i = 0; i < N_BLOCKS; i++) {
        rd->blocks[i].data = g_malloc(BLOCK_SIZE);
        rd->blocks[i].size = BLOCK_SIZE;
        g_async_queue_push(rd->empty, &rd->blocks[i]);
    }
    rd->thread = g_thread_new("deflate", worker, rd);
    return rd;
}

void
raw_deflate_free(RawDeflate *rd)
{
    if (rd == NULL)
        return;
    g_async_queue_push(rd->todo, &rd->quit);
    g_thread_join(rd->thread);
    for (guint i = 0; i < N_BLOCKS; i++)
        g_free(rd->blocks[i].data);
    g_async_queue_unref(rd->todo);
    g_async_queue_unref(rd->empty);
    g_async_queue_unref(rd->done);
    g_free(rd->out);
    g_free(rd->zs);
    g_free(rd->level_buf);
    g_free(rd);
}

void
raw_deflate_begin(RawDeflate *rd, RawDeflateWriteFunc write, gpointer user_data)
{
    /* the worker is idle between streams: every block is back, nothing is queued */
    rd->write = write;
    rd->user_data = user_data;
    stream_init(rd);
}

RawDeflateBlock *
raw_deflate_take(RawDeflate *rd)
{
    return g_async_queue_pop(rd->empty);
}

void
raw_deflate_push(RawDeflate *rd, RawDeflateBlock *block)
{
    g_async_queue_push(rd->todo, block);
}

gboolean
raw_deflate_end(RawDeflate *rd, guint32 *crc, guint64 *size, GError **error)
{
    g_async_queue_push(rd->todo, &rd->end);
    g_async_queue_pop(rd->done);
    /* the queue orders the worker's writes before this point */
    *crc = rd->crc;
    *size = rd->size;
    if (rd->failed == RAW_DEFLATE_ERROR_WRITE + 1) {
        g_set_error(error, RAW_DEFLATE_ERROR, RAW_DEFLATE_ERROR_WRITE,
                    "cannot write the compressed data");
        return FALSE;
    }
    if (rd->failed) {
        g_set_error(error, RAW_DEFLATE_ERROR, RAW_DEFLATE_ERROR_COMPRESS,
                    "ISA-L could not compress the data");
        return FALSE;
    }
    return TRUE;
}
