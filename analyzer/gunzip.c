/* gzip streams decompressed with ISA-L's inflate (see gunzip.h). Every member's CRC and length
 * are checked; a member cut short or damaged is an error after the bytes that decoded. */
#include "gunzip.h"

#include <isa-l/igzip_lib.h>
#include <string.h>

/* Decompressed bytes handed out at a time: large enough that libarchive and the parsers are
 * called rarely, small enough to stay in the core's cache while they read it. */
#define GUNZIP_OUT (256 * 1024)

struct Gunzip {
    GunzipReadFunc read;
    gpointer data;
    struct inflate_state st;
    /* the part of the source's block that ISA-L has not been given yet (avail_in is 32-bit) */
    const guint8 *rest;
    gsize rest_len;
    gboolean input_end; /* the source has no more bytes */
    gboolean done;
    guint members; /* members started */
    guint64 bytes_in;
    char *error; /* sticky: every later call fails the same way */
    guint8 *out;
};

gboolean
gunzip_is_gzip(const guchar *head, gsize len)
{
    return len >= 3 && head[0] == 0x1f && head[1] == 0x8b && head[2] == 8;
}

Gunzip *
gunzip_new(GunzipReadFunc read, gpointer data)
{
    Gunzip *gz = g_new0(Gunzip, 1);
    gz->read = read;
    gz->data = data;
    isal_inflate_init(&gz->st);
    gz->st.crc_flag = ISAL_GZIP;
    gz->members = 1;
    gz->out = g_malloc(GUNZIP_OUT);
    return gz;
}

void
gunzip_free(Gunzip *gz)
{
    if (gz == NULL)
        return;
    g_free(gz->out);
    g_free(gz->error);
    g_free(gz);
}

guint64
gunzip_bytes_in(const Gunzip *gz)
{
    return gz->bytes_in;
}

static const char *
gunzip_error_text(int r)
{
    switch (r) {
    case ISAL_INVALID_BLOCK:
        return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
        return "invalid deflate code";
    case ISAL_INVALID_LOOKBACK:
        return "invalid back-reference";
    case ISAL_INVALID_WRAPPER:
        return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
        return "unsupported compression method";
    case ISAL_INCORRECT_CHECKSUM:
        return "CRC or length mismatch";
    case ISAL_NEED_DICT:
        return "needs a preset dictionary";
    default:
        return "unknown error";
    }
}

/* Gives ISA-L the next piece of input. FALSE on a source error (gz->error set). */
static gboolean
gunzip_refill(Gunzip *gz)
{
    if (gz->rest_len == 0) {
        const void *buf = NULL;
        char *err = NULL;
        gssize n = gz->read(gz->data, &buf, &err);
        if (n < 0) {
            gz->error = err ? err : g_strdup("read error");
            return FALSE;
        }
        g_free(err);
        if (n == 0) {
            gz->input_end = TRUE;
            return TRUE;
        }
        gz->rest = buf;
        gz->rest_len = (gsize)n;
        gz->bytes_in += (guint64)n;
    }
    guint32 take = (guint32)MIN(gz->rest_len, (gsize)G_MAXUINT32);
    gz->st.next_in = (guint8 *)gz->rest;
    gz->st.avail_in = take;
    gz->rest += take;
    gz->rest_len -= take;
    return TRUE;
}

/* The bytes after a member: the start of another one, or trailing bytes that gzip ignores too
 * (zero padding of tape blocks, a cut header). Only a member whose header was complete can be
 * truncated or damaged. */
static gboolean
gunzip_in_trailer(const Gunzip *gz)
{
    return gz->members > 1 && gz->st.wrapper_flag == 0;
}

gssize
gunzip_read(Gunzip *gz, const void **buf, char **error_text)
{
    struct inflate_state *st = &gz->st;
    st->next_out = gz->out;
    st->avail_out = GUNZIP_OUT;
    while (!gz->done && gz->error == NULL && st->avail_out > 0) {
        if (st->block_state == ISAL_BLOCK_FINISH) {
            if (st->avail_in == 0 && gz->rest_len == 0 && !gz->input_end) {
                gunzip_refill(gz);
                continue;
            }
            if (st->avail_in == 0 && gz->rest_len == 0) {
                gz->done = TRUE;
                break;
            }
            /* another member follows: the reset forgets the input position */
            guint8 *next_in = st->next_in;
            guint32 avail_in = st->avail_in;
            isal_inflate_reset(st);
            st->crc_flag = ISAL_GZIP;
            st->next_in = next_in;
            st->avail_in = avail_in;
            gz->members++;
        }
        if (st->avail_in == 0 && !gz->input_end) {
            gunzip_refill(gz);
            continue;
        }
        guint32 room = st->avail_out;
        int r = isal_inflate(st);
        if (r != ISAL_DECOMP_OK) {
            if (gunzip_in_trailer(gz) &&
                (r == ISAL_INVALID_WRAPPER || r == ISAL_UNSUPPORTED_METHOD))
                gz->done = TRUE;
            else
                gz->error = g_strdup_printf("gzip data damaged: %s", gunzip_error_text(r));
            break;
        }
        if (st->block_state != ISAL_BLOCK_FINISH && st->avail_in == 0 && gz->input_end &&
            st->avail_out == room) {
            /* no input left, and nothing more comes out */
            if (gunzip_in_trailer(gz))
                gz->done = TRUE;
            else
                gz->error = g_strdup("truncated gzip input");
            break;
        }
    }
    gsize n = GUNZIP_OUT - st->avail_out;
    if (n > 0) {
        *buf = gz->out;
        return (gssize)n; /* an error comes with the next call */
    }
    if (gz->error) {
        *error_text = g_strdup(gz->error);
        return -1;
    }
    return 0;
}
