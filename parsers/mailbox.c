/* The mailbox input formats. mbox: items start at "From " lines that carry a date (mboxo and
 * mboxrd ">From " quoting undone, mboxcl2 Content-Length honoured when it checks out); eml: the
 * whole stream is one item. Items are buffered up to DSN_MAX_ITEM; a longer item keeps its first
 * DSN_MAX_ITEM bytes and is noted, the rest is skipped without being stored. */
#include "mailbox.h"

#include <gmime/gmime.h>
#include <string.h>

#include "dsn.h"

/* mbox items are decoded in rounds of at most this many items or bytes: a helper thread decodes
 * a round while this thread reads (and decompresses) and splits the next one, then helps to
 * finish it; each round's events are then added in mailbox order, so the output does not
 * depend on the threads or on who decoded which item. */
#define ROUND_ITEMS 256
#define ROUND_BYTES ((gsize)8 * 1024 * 1024)
/* The first round is smaller, so that the helper starts early; rounds then double. */
#define FIRST_ROUND_ITEMS 32

/* Bytes of a line kept while an item is over the limit (enough to see a "From " line). */
#define LINE_KEEP 1024
/* From_ lines remembered inside a Content-Length body, to split there if the length lies. */
#define MAX_SPLITS 64

static gpointer
init_once(gpointer data)
{
    (void)data;
    g_mime_init();
    return NULL;
}

void
mailbox_init(void)
{
    static GOnce once = G_ONCE_INIT;
    g_once(&once, init_once, NULL);
}

/* What one thread decodes into: its decoder, and the events, counts, examples and notes of the
 * items it took, until they are merged. */
typedef struct {
    Dsn *dsn;
    EventBatch *batch;
    InputStats *stats;
    ParserContext ctx;
} DecodeSlot;

enum { SLOT_HELPER, SLOT_READER, N_SLOTS };

typedef struct {
    char *data;
    gsize len;
    guint64 item;
    gboolean truncated;
    /* filled by the decoding: whose slot holds its results, and where */
    guint slot;
    guint ev_from, ev_to, ex_from, ex_to, note_from, note_to;
} RoundItem;

/* The round in flight: its items are taken one by one by whichever thread is free. */
typedef struct {
    GPtrArray *items; /* RoundItem* */
    gint next;        /* atomic: the next item to take */
    DecodeSlot *slots;
} Round;

typedef struct {
    ParserContext *ctx;
    Dsn *dsn;
    gboolean mbox;
    GByteArray *buf; /* the current item */
    guint64 items;
    gboolean truncated;
    gsize trunc_at; /* buf length when the item went over the limit */
    /* mbox line state */
    char term; /* line terminator: '\n', or '\r' for bare-CR files */
    gboolean term_known;
    gsize line_start;      /* offset in buf of the current line */
    gsize line_len;        /* bytes of the current line seen (stored or not) */
    gboolean in_headers;   /* between a From_ line and the blank line after the headers */
    gint64 content_length; /* mboxcl2: Content-Length of the current item, -1 none */
    gint64 body_left;      /* bytes of a counted body still to come */
    gsize splits[MAX_SPLITS];
    guint n_splits;
    /* items waiting for the next round of decoding */
    GPtrArray *round; /* RoundItem* */
    gsize round_bytes;
    /* two sets of slots, created with the first round: rounds alternate between them, so
     * that one is merged while the helper decodes the next into the other */
    DecodeSlot slots[2][N_SLOTS];
    guint next_set;
    Dsn *helper_dsn;
    guint round_items; /* items that make a round now */
    /* the helper thread, started with the second round and kept for the stream: rounds are
     * handed to it on todo, and come back on done once it has no item left to take */
    GThread *helper;
    GAsyncQueue *todo, *done;
    gboolean helper_busy; /* the round in flight was handed to it */
    Round flight;    /* the round in flight (items NULL: none) */
} Mailbox;

static void land_round(Mailbox *mb);

static char helper_stop; /* its address, handed to the helper, tells it to end */

static gpointer
mailbox_new_common(ParserContext *ctx, gboolean mbox)
{
    mailbox_init();
    Mailbox *mb = g_new0(Mailbox, 1);
    mb->ctx = ctx;
    mb->mbox = mbox;
    mb->dsn = dsn_new();
    mb->buf = g_byte_array_new();
    mb->term = '\n';
    mb->content_length = -1;
    mb->round = g_ptr_array_new();
    mb->round_items = FIRST_ROUND_ITEMS;
    return mb;
}

static gpointer
mbox_new(ParserContext *ctx)
{
    return mailbox_new_common(ctx, TRUE);
}

static gpointer
eml_new(ParserContext *ctx)
{
    return mailbox_new_common(ctx, FALSE);
}

static void
mailbox_free(gpointer self)
{
    Mailbox *mb = self;
    if (mb == NULL)
        return;
    land_round(mb); /* a stream that ended without finish */
    if (mb->helper) {
        g_async_queue_push(mb->todo, &helper_stop);
        g_thread_join(mb->helper);
        g_async_queue_unref(mb->todo);
        g_async_queue_unref(mb->done);
    }
    dsn_free(mb->dsn);
    dsn_free(mb->helper_dsn);
    for (int j = 0; j < 2; j++)
        for (int k = 0; k < N_SLOTS; k++) {
            event_batch_free(mb->slots[j][k].batch);
            input_stats_free(mb->slots[j][k].stats);
        }
    g_byte_array_unref(mb->buf);
    for (guint i = 0; i < mb->round->len; i++) {
        RoundItem *it = mb->round->pdata[i];
        g_free(it->data);
        g_free(it);
    }
    g_ptr_array_unref(mb->round);
    g_free(mb);
}

/* mboxrd / mboxo: ">From " at a line start loses one '>' (in place). */
static gboolean
has_quoted_from(const char *s, gsize len)
{
    /* '>' is rare enough in mail that memchr beats memmem here */
    const char *p = s, *end = s + len;
    while ((p = memchr(p, '>', (gsize)(end - p))) != NULL) {
        if (end - p >= 6 && memcmp(p + 1, "From ", 5) == 0)
            return TRUE;
        p++;
    }
    return FALSE;
}

static gsize
unquote_from(char *s, gsize len)
{
    if (len < 6 || !has_quoted_from(s, len))
        return len;
    gsize o = 0;
    gboolean bol = TRUE;
    for (gsize i = 0; i < len; i++) {
        if (bol && s[i] == '>') {
            gsize j = i;
            while (j < len && s[j] == '>')
                j++;
            if (len - j >= 5 && memcmp(s + j, "From ", 5) == 0)
                i++; /* drop one '>' */
        }
        s[o++] = s[i];
        bol = s[i] == '\n' || s[i] == '\r';
    }
    return o;
}

/* Takes the round's items one by one until none is left, decoding into slot k. */
static void
round_decode(Round *r, guint k)
{
    DecodeSlot *sl = &r->slots[k];
    for (;;) {
        guint i = (guint)g_atomic_int_add(&r->next, 1);
        if (i >= r->items->len)
            return;
        RoundItem *it = r->items->pdata[i];
        it->slot = k;
        it->ev_from = event_batch_len(sl->batch);
        it->ex_from = sl->stats->examples->len;
        it->note_from = sl->stats->notes->len;
        dsn_decode_item(sl->dsn, &sl->ctx, it->data, it->len, it->item, it->truncated);
        it->ev_to = event_batch_len(sl->batch);
        it->ex_to = sl->stats->examples->len;
        it->note_to = sl->stats->notes->len;
    }
}

static gpointer
helper_run(gpointer data)
{
    Mailbox *mb = data;
    for (;;) {
        gpointer r = g_async_queue_pop(mb->todo);
        if (r == &helper_stop)
            return NULL;
        round_decode(r, SLOT_HELPER);
        g_async_queue_push(mb->done, r);
    }
}

/* Adds a decoded round's events, counts, examples and notes to the stream, in mailbox order,
 * and empties the slots for the next round. */
static void
merge_round(Mailbox *mb, Round *r)
{
    InputStats *st = mb->ctx->stats;
    for (guint i = 0; i < r->items->len; i++) {
        RoundItem *it = r->items->pdata[i];
        DecodeSlot *sl = &r->slots[it->slot];
        for (guint e = it->ev_from; e < it->ev_to; e++) {
            Event ev = *event_batch_get(sl->batch, e);
            parser_context_emit(mb->ctx, &ev);
        }
        for (guint e = it->ex_from; e < it->ex_to; e++)
            if (st->examples->len < INPUT_STATS_MAX_EXAMPLES)
                g_ptr_array_add(st->examples, g_strdup(sl->stats->examples->pdata[e]));
        for (guint e = it->note_from; e < it->note_to; e++) {
            if (st->notes->len < INPUT_STATS_MAX_NOTES)
                g_ptr_array_add(st->notes, g_strdup(sl->stats->notes->pdata[e]));
            else
                st->notes_dropped++;
        }
        g_free(it->data);
        g_free(it);
    }
    for (int k = 0; k < N_SLOTS; k++) {
        DecodeSlot *sl = &r->slots[k];
        InputStats *ws = sl->stats;
        st->items += ws->items;
        st->items_bounce += ws->items_bounce;
        st->items_other += ws->items_other;
        st->items_unrecognised += ws->items_unrecognised;
        st->errors += ws->errors;
        st->notes_dropped += ws->notes_dropped;
        event_batch_clear(sl->batch);
        input_stats_free(ws);
        sl->stats = sl->ctx.stats = input_stats_new();
    }
    g_ptr_array_unref(r->items);
    r->items = NULL;
}

/* Helps the helper thread to finish the round in flight. */
static void
finish_flight(Mailbox *mb)
{
    round_decode(&mb->flight, SLOT_READER);
    if (mb->helper_busy)
        g_async_queue_pop(mb->done);
    mb->helper_busy = FALSE;
}

/* Finishes the round in flight and adds its results. */
static void
land_round(Mailbox *mb)
{
    if (mb->flight.items == NULL)
        return;
    finish_flight(mb);
    merge_round(mb, &mb->flight);
}

/* Makes the waiting items the round in flight, decoded by a helper thread (or else by this
 * thread when it lands); the previous round is finished first, and merged while the helper
 * starts on this one. */
static void
launch_round_on(Mailbox *mb, gboolean helper)
{
    Round done = {0};
    if (mb->flight.items != NULL) {
        finish_flight(mb);
        done = mb->flight;
        mb->flight.items = NULL;
    }
    if (mb->round->len > 0) {
        if (mb->slots[0][0].batch == NULL) {
            mb->helper_dsn = dsn_new();
            for (int j = 0; j < 2; j++)
                for (int k = 0; k < N_SLOTS; k++) {
                    DecodeSlot *sl = &mb->slots[j][k];
                    /* one decoder per thread: the reading thread's, and the helpers' (one
                     * helper at a time) */
                    sl->dsn = k == SLOT_READER ? mb->dsn : mb->helper_dsn;
                    sl->batch = event_batch_new();
                    sl->stats = input_stats_new();
                    sl->ctx = *mb->ctx;
                    sl->ctx.batch = sl->batch;
                    sl->ctx.stats = sl->stats;
                }
        }
        mb->flight = (Round){.items = mb->round, .next = 0, .slots = mb->slots[mb->next_set]};
        mb->next_set ^= 1;
        mb->round = g_ptr_array_new();
        mb->round_bytes = 0;
        mb->round_items = MIN(mb->round_items * 2, ROUND_ITEMS);
        if (helper) {
            if (mb->helper == NULL) {
                mb->todo = g_async_queue_new();
                mb->done = g_async_queue_new();
                mb->helper = g_thread_new("mbox", helper_run, mb);
            }
            g_async_queue_push(mb->todo, &mb->flight);
            mb->helper_busy = TRUE;
        }
    }
    if (done.items != NULL)
        merge_round(mb, &done);
}

static void
launch_round(Mailbox *mb)
{
    launch_round_on(mb, TRUE);
}

/* Decodes buf[0, n) as one item. Blank text before the first From_ line is no item; a stream
 * with no item at all still counts one (empty) item at its end. */
static void
emit_item(Mailbox *mb, gsize n, gboolean at_end)
{
    char *s = (char *)mb->buf->data;
    gboolean blank = TRUE;
    for (gsize i = 0; i < n && blank; i++)
        blank = g_ascii_isspace(s[i]);
    if (blank && !(at_end && mb->items == 0))
        return;
    if (mb->mbox)
        n = unquote_from(s, n);
    mb->items++;
    RoundItem *it = g_new0(RoundItem, 1);
    it->data = g_memdup2(s, n);
    it->len = n;
    it->item = mb->items;
    it->truncated = mb->truncated;
    g_ptr_array_add(mb->round, it);
    mb->round_bytes += n;
    if (mb->round->len >= mb->round_items || mb->round_bytes >= ROUND_BYTES)
        launch_round(mb);
}

/* "From sender date": a From_ line carries a time of day ("hh:mm", some writers "0:00"). */
static gboolean
is_from_line(const char *s, gsize len)
{
    if (len < 5 || memcmp(s, "From ", 5) != 0)
        return FALSE;
    gsize n = MIN(len, (gsize)200);
    for (gsize i = 6; i + 1 < n; i++)
        if (s[i] == ':' && g_ascii_isdigit(s[i - 1]) && g_ascii_isdigit(s[i + 1]))
            return TRUE;
    return FALSE;
}

/* Starts a new item at buf offset `at` (the From_ line), emitting what came before. */
static void
split_at(Mailbox *mb, gsize at)
{
    emit_item(mb, at, FALSE);
    gsize rest = mb->buf->len - at;
    memmove(mb->buf->data, mb->buf->data + at, rest);
    g_byte_array_set_size(mb->buf, (guint)rest);
    mb->truncated = FALSE;
    mb->trunc_at = 0;
}

/* The Content-Length of the item lied: split at the From_ lines its body passed over. */
static void
split_candidates(Mailbox *mb)
{
    gsize shift = 0;
    for (guint i = 0; i < mb->n_splits; i++) {
        gsize at = mb->splits[i] - shift;
        if (at == 0 || at > mb->buf->len)
            continue;
        split_at(mb, at);
        shift += at;
    }
    mb->n_splits = 0;
    mb->line_start -= MIN(shift, mb->line_start);
}

/* A complete line buf[line_start, line_start + kept) (terminator included; only its start is
 * stored once the item is over the limit) of line_len bytes in the stream. */
static void
mbox_line(Mailbox *mb, gsize kept)
{
    const char *line = (const char *)mb->buf->data + mb->line_start;
    gsize content = kept;
    while (content > 0 && (line[content - 1] == '\n' || line[content - 1] == '\r'))
        content--;
    gboolean blank = mb->line_len <= 2 && content == 0;
    gboolean from = is_from_line(line, content);

    if (mb->body_left > 0) {
        /* inside a Content-Length body no From_ line counts, but candidates are remembered */
        if (from && !mb->truncated && mb->n_splits < MAX_SPLITS)
            mb->splits[mb->n_splits++] = mb->line_start;
        mb->body_left -= (gint64)mb->line_len;
        if (mb->body_left <= 0)
            mb->body_left = -1; /* ended: the next non-blank line must be a From_ line */
        from = FALSE;
    } else if (mb->body_left < 0 && !blank) {
        if (!from)
            split_candidates(mb); /* the length lied */
        mb->n_splits = 0;
        mb->body_left = 0;
        line = (const char *)mb->buf->data + mb->line_start;
    }
    if (from) {
        split_at(mb, mb->line_start);
        mb->line_start = 0;
        mb->in_headers = TRUE;
        mb->content_length = -1;
        mb->body_left = 0;
        mb->n_splits = 0;
        return;
    }
    if (mb->in_headers) {
        if (blank) {
            mb->in_headers = FALSE;
            if (mb->content_length > 0 && mb->content_length <= (gint64)DSN_MAX_ITEM)
                mb->body_left = mb->content_length;
        } else if (content > 15 && (line[0] == 'C' || line[0] == 'c') &&
                   g_ascii_strncasecmp(line, "Content-Length:", 15) == 0) {
            const char *v = line + 15, *ve = line + content;
            while (v < ve && *v == ' ')
                v++;
            gint64 n = 0;
            gboolean ok = v < ve && g_ascii_isdigit(*v);
            while (v < ve && g_ascii_isdigit(*v) && n < G_MAXINT32)
                n = n * 10 + (*v++ - '0');
            if (ok)
                mb->content_length = n;
        }
    }
    if (mb->truncated && mb->line_start >= mb->trunc_at)
        g_byte_array_set_size(mb->buf, (guint)mb->line_start); /* over the limit: not kept */
}

static void
mbox_feed(gpointer self, const char *data, gsize len)
{
    Mailbox *mb = self;
    mb->ctx->stats->bytes += len;
    if (!mb->term_known && len > 0) {
        const char *lf = memchr(data, '\n', len);
        const char *cr = memchr(data, '\r', len);
        if (lf || cr) {
            mb->term = (cr && !lf) ? '\r' : '\n';
            mb->term_known = TRUE;
        }
    }
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, mb->term, (gsize)(end - p));
        const char *seg_end = nl ? nl + 1 : end;
        gsize seg = (gsize)(seg_end - p);
        if (mb->line_len == 0)
            mb->line_start = mb->buf->len;
        if (!mb->truncated && mb->buf->len + seg > DSN_MAX_ITEM) {
            mb->truncated = TRUE;
            mb->trunc_at = mb->line_start;
        }
        gsize keep = seg;
        if (mb->truncated) {
            gsize have = mb->buf->len - mb->line_start;
            keep = have >= LINE_KEEP ? 0 : MIN(seg, LINE_KEEP - have);
        }
        if (keep)
            g_byte_array_append(mb->buf, (const guint8 *)p, (guint)keep);
        mb->line_len += seg;
        if (nl) {
            mbox_line(mb, mb->buf->len - mb->line_start);
            mb->line_len = 0;
        }
        p = seg_end;
    }
}

static gboolean
mbox_finish(gpointer self, GError **error)
{
    (void)error;
    Mailbox *mb = self;
    if (mb->line_len > 0) {
        mbox_line(mb, mb->buf->len - mb->line_start);
        mb->line_len = 0;
    }
    if (mb->n_splits > 0 && mb->body_left > 0)
        split_candidates(mb); /* a Content-Length reaching past the end of the stream */
    emit_item(mb, mb->buf->len, TRUE);
    if (mb->flight.items == NULL && mb->round->len > 0) {
        /* the whole mailbox in one round (a small mbox, an mbox file of a Maildir): not worth
         * a thread */
        launch_round_on(mb, FALSE);
    } else {
        launch_round(mb);
    }
    land_round(mb);
    g_byte_array_set_size(mb->buf, 0);
    return TRUE;
}

static void
eml_feed(gpointer self, const char *data, gsize len)
{
    Mailbox *mb = self;
    mb->ctx->stats->bytes += len;
    if (mb->truncated)
        return;
    gsize room = DSN_MAX_ITEM - mb->buf->len;
    if (len > room) {
        mb->truncated = TRUE;
        len = room;
    }
    g_byte_array_append(mb->buf, (const guint8 *)data, (guint)len);
}

static gboolean
eml_finish(gpointer self, GError **error)
{
    (void)error;
    Mailbox *mb = self;
    mb->items++;
    dsn_decode_item(mb->dsn, mb->ctx, (const char *)mb->buf->data, mb->buf->len, mb->items,
                    mb->truncated);
    g_byte_array_set_size(mb->buf, 0);
    return TRUE;
}

/* ---- probing ---- */

/* The known header names with their lengths: compared for every header line of every file
 * probed (a Maildir has thousands). */
#define MAIL_HEADER(name) {name, sizeof(name) - 1}
static const struct {
    const char *name;
    gsize len;
} mail_headers[] = {
    MAIL_HEADER("Return-Path"),
    MAIL_HEADER("Received"),
    MAIL_HEADER("Delivered-To"),
    MAIL_HEADER("X-Original-To"),
    MAIL_HEADER("From"),
    MAIL_HEADER("To"),
    MAIL_HEADER("Cc"),
    MAIL_HEADER("Date"),
    MAIL_HEADER("Subject"),
    MAIL_HEADER("Message-ID"),
    MAIL_HEADER("Message-Id"),
    MAIL_HEADER("MIME-Version"),
    MAIL_HEADER("Mime-Version"),
    MAIL_HEADER("Content-Type"),
    MAIL_HEADER("Content-Transfer-Encoding"),
    MAIL_HEADER("Reply-To"),
    MAIL_HEADER("Sender"),
    MAIL_HEADER("In-Reply-To"),
    MAIL_HEADER("References"),
    MAIL_HEADER("Envelope-To"),
    MAIL_HEADER("Delivery-date"),
    MAIL_HEADER("DKIM-Signature"),
    MAIL_HEADER("Authentication-Results"),
    MAIL_HEADER("ARC-Seal"),
    MAIL_HEADER("ARC-Message-Signature"),
    MAIL_HEADER("ARC-Authentication-Results"),
    MAIL_HEADER("Auto-Submitted"),
    MAIL_HEADER("Precedence"),
    MAIL_HEADER("Received-SPF"),
    MAIL_HEADER("Thread-Topic"),
    MAIL_HEADER("Thread-Index"),
    MAIL_HEADER("Importance"),
    MAIL_HEADER("X-Failed-Recipients"),
    MAIL_HEADER("Domainkey-Signature"),
    MAIL_HEADER("User-Agent"),
    MAIL_HEADER("Organization"),
    MAIL_HEADER("Status"),
    MAIL_HEADER("List-Unsubscribe"),
    MAIL_HEADER("Feedback-ID"),
    MAIL_HEADER("Resent-From"),
    MAIL_HEADER("Resent-Date"),
    MAIL_HEADER("Errors-To"),
};

/* 2 = a known mail header line, 1 = some other "Name: value" or continuation, 0 = neither. */
static int
header_line_kind(const char *s, gsize len)
{
    if (len > 0 && (s[0] == ' ' || s[0] == '\t'))
        return 1;
    gsize i = 0;
    while (i < len && i < 80 && (guchar)s[i] > 32 && (guchar)s[i] < 127 && s[i] != ':')
        i++;
    if (i == 0 || i >= len || s[i] != ':')
        return 0;
    char first = g_ascii_tolower(s[0]);
    for (gsize k = 0; k < G_N_ELEMENTS(mail_headers); k++)
        if (mail_headers[k].len == i && g_ascii_tolower(mail_headers[k].name[0]) == first &&
            g_ascii_strncasecmp(s, mail_headers[k].name, i) == 0)
            return 2;
    if (i > 2 && (s[0] == 'X' || s[0] == 'x') && s[1] == '-')
        return 2;
    for (gsize k = 0; k < i; k++)
        if (!g_ascii_isalnum(s[k]) && s[k] != '-' && s[k] != '_')
            return 0;
    return 1;
}

/* Scores the header lines at the start of head: 80 when the first line is a known mail header
 * and two or more follow; a little less when the block is damaged (an unknown first field,
 * a continuation that lost its indentation). */
static guint
score_headers(const char *head, gsize len)
{
    const char *p = head, *end = head + len;
    int known = 0, lines = 0, bad = 0;
    gboolean first_unknown = FALSE;
    /* continuation lines (long DKIM signatures, Received chains) do not use up the budget */
    while (p < end && lines < 16) {
        /* the line's end: its first CR or LF */
        const char *e = memchr(p, '\n', (gsize)(end - p));
        if (e == NULL)
            e = end;
        const char *cr = memchr(p, '\r', (gsize)(e - p));
        if (cr != NULL)
            e = cr;
        if (e == end && lines > 0)
            break; /* a cut last line says nothing */
        if (e == p)
            break; /* blank line: end of the header block */
        int k = header_line_kind(p, (gsize)(e - p));
        if (k == 0) {
            if (lines == 0 || ++bad > 2)
                break;
        } else {
            if (lines == 0 && k != 2)
                first_unknown = TRUE;
            known += k == 2;
        }
        if (*p != ' ' && *p != '\t')
            lines++;
        p = e;
        if (p < end && *p == '\r')
            p++;
        if (p < end && *p == '\n')
            p++;
    }
    if (lines == 0 || (lines == 1 && bad))
        return 0;
    gboolean clean = !bad && !first_unknown;
    if (known >= 3)
        return clean ? 80 : 70;
    if (known == 2)
        return clean ? 80 : 50;
    return known == 1 && clean ? 40 : 0;
}

static guint
mbox_probe(const char *head, gsize len)
{
    if (len < 5 || memcmp(head, "From ", 5) != 0)
        return 0;
    const char *e = head;
    while (e < head + len && *e != '\n' && *e != '\r')
        e++;
    if (!is_from_line(head, (gsize)(e - head)))
        return 10;
    while (e < head + len && (*e == '\n' || *e == '\r'))
        e++;
    guint h = score_headers(e, (gsize)(head + len - e));
    return h >= 40 ? 95 : 50;
}

static guint
eml_probe(const char *head, gsize len)
{
    /* a message may start with blank lines in broken Maildir files */
    while (len > 0 && (*head == '\n' || *head == '\r')) {
        head++;
        len--;
    }
    return score_headers(head, len);
}

const ParserClass mailbox_mbox_parser = {
    .name = "mbox",
    .description = "Unix mbox of received mail (mboxo, mboxrd, mboxcl2): bounces, replies",
    .probe = mbox_probe,
    .new = mbox_new,
    .feed_block = mbox_feed,
    .finish = mbox_finish,
    .free = mailbox_free,
};

const ParserClass mailbox_eml_parser = {
    .name = "eml",
    .description = "One received message (.eml, Maildir or MH file): bounce, reply, complaint",
    .probe = eml_probe,
    .new = eml_new,
    .feed_block = eml_feed,
    .finish = eml_finish,
    .free = mailbox_free,
};
