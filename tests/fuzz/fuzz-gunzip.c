/* libFuzzer target for the gzip reader: the bytes are a compressed file, handed over in pieces
 * of a size taken from the first byte (so that headers, blocks and members fall across reads);
 * whatever it holds, the reader returns data, an end or an error, never more than it can. */
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "gunzip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    const uint8_t *data;
    size_t len, pos, piece;
} Pieces;

static gssize
pieces_read(gpointer user, const void **buf, char **error_text)
{
    (void)error_text;
    Pieces *p = user;
    if (p->pos == p->len)
        return 0;
    size_t n = MIN(p->piece, p->len - p->pos);
    *buf = p->data + p->pos;
    p->pos += n;
    return (gssize)n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    Pieces p = {.data = data + 1, .len = size - 1, .piece = (size_t)data[0] * 37 + 1};
    Gunzip *gz = gunzip_new(pieces_read, &p);
    guint64 total = 0;
    for (;;) {
        const void *buf;
        char *error_text = NULL;
        gssize n = gunzip_read(gz, &buf, &error_text);
        if (n < 0) {
            g_assert_nonnull(error_text);
            g_free(error_text);
            /* an error stays */
            n = gunzip_read(gz, &buf, &error_text);
            g_assert_cmpint(n, ==, -1);
            g_free(error_text);
            break;
        }
        if (n == 0)
            break;
        total += (guint64)n;
        if (total > (guint64)256 * 1024 * 1024)
            break; /* a bomb: the input layer streams it, no need to here */
    }
    g_assert_cmpuint(gunzip_bytes_in(gz), <=, p.len);
    gunzip_free(gz);
    return 0;
}
