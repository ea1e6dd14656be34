/* Decoding one received mailbox item into Events: DSNs (RFC 3464 / 6533), the non-standard
 * bounces of bounce-*.c, ARF complaints (RFC 5965), and everything else as "other received"
 * (auto-replies, challenges, read receipts, unsubscribe requests, human replies, unrelated). */
#pragma once

#include "parser.h"

/* Largest mailbox item decoded; longer items are cut (and noted). */
#define DSN_MAX_ITEM ((gsize)20 * 1024 * 1024)

/* Per-stream decoder state (scratch memory reused from item to item). */
typedef struct Dsn Dsn;

Dsn *dsn_new(void);
void dsn_free(Dsn *dsn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Dsn, dsn_free)

/* Decodes one item (a whole message; LF, CRLF or CR line ends; may start with an mbox "From "
 * line), emits its events into ctx, counts it as item number `item` and returns what it was.
 * truncated says the item was cut at DSN_MAX_ITEM. */
LineResult dsn_decode_item(Dsn *dsn, ParserContext *ctx, const char *data, gsize len, guint64 item,
                           gboolean truncated);
