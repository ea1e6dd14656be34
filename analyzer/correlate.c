/* Joins events into messages and timelines (see correlate.h).
 * All strings are interned in the correlator's pool, so string keys compare by pointer. */
#include "correlate.h"

#include <string.h>

#include "bigblock.h"
#include "string-pool.h"

G_DEFINE_QUARK(correlate_error_quark, correlate_error)

#define DAY ((gint64)86400 * G_USEC_PER_SEC)
/* A transcript and the MTA's record of the same attempt are this close in time. */
#define TRANSCRIPT_WINDOW ((gint64)15 * 60 * G_USEC_PER_SEC)
/* A timeline with more recipients than this gets a hash index for recipient lookups. */
#define MANY_RECIPIENTS 8

/* Fixed-size records are carved from large blocks: millions of messages, no malloc each.
 * The blocks come zeroed from the kernel and are never reused, so records start zeroed. */
#define ARENA_BLOCK ((gsize)4 << 20)

typedef struct {
    GArray *blocks; /* ArenaBlock */
    char *cur;
    gsize left;
} Arena;

typedef struct {
    gpointer data;
    gsize size;
} ArenaBlock;

static gpointer
arena_alloc(Arena *a, gsize size)
{
    size = (size + 7) & ~(gsize)7;
    if (size > a->left) {
        ArenaBlock b = {.size = big_block_size(MAX(ARENA_BLOCK, size))};
        b.data = big_block_alloc(b.size, a->blocks->len > 0);
        g_array_append_val(a->blocks, b);
        a->cur = b.data;
        a->left = b.size;
    }
    gpointer p = a->cur;
    a->cur += size;
    a->left -= size;
    return p;
}

static void
arena_free(Arena *a)
{
    for (guint i = 0; i < a->blocks->len; i++) {
        ArenaBlock *b = &g_array_index(a->blocks, ArenaBlock, i);
        big_block_free(b->data, b->size);
    }
    g_array_free(a->blocks, TRUE);
}

/* Messages by key (queue id, else Message-ID ...), each slot the newest of a chain through
 * next_same_key. While logs are read it holds only the open messages: a queue id is removed
 * with its message, so the table stays as small as the queue and in cache; the lookup compares
 * a stored hash, then the key kept right after the message. At the end it is rebuilt over
 * every message for linking. Open addressing, linear probing, deletion by backward shift. */
typedef struct {
    guint32 hash;
    Message *head;
} KeySlot;

typedef struct {
    KeySlot *slots;
    gsize mask;
    gsize count;
} KeyIndex;

static void
key_index_init(KeyIndex *x, gsize expected)
{
    gsize size = 1024;
    while (size < expected + expected / 2)
        size *= 2;
    g_free(x->slots);
    x->slots = g_new0(KeySlot, size);
    x->mask = size - 1;
    x->count = 0;
}

static KeySlot *
key_index_slot(const KeyIndex *x, const char *key, guint32 h)
{
    for (gsize j = h & x->mask;; j = (j + 1) & x->mask) {
        KeySlot *s = &x->slots[j];
        if (s->head == NULL || (s->hash == h && strcmp(s->head->key, key) == 0))
            return s;
    }
}


/* Asks for the slot of hash h to be fetched into the cache (a lookup follows soon). */
static void
key_index_prefetch(const KeyIndex *x, guint32 h)
{
    __builtin_prefetch(&x->slots[h & x->mask]);
}

/* Asks for the newest message of hash h, once its slot is in the cache. */
static void
key_index_prefetch_head(const KeyIndex *x, guint32 h)
{
    const KeySlot *s = &x->slots[h & x->mask];
    if (s->head && s->hash == h) {
        /* the message spans three cache lines with the key kept after it (compared first),
         * its timelines pointer in the second */
        const char *m = (const char *)s->head;
        __builtin_prefetch(m);
        __builtin_prefetch(m + 64);
        __builtin_prefetch(m + 128);
    }
}

/* Then its first timeline, once the message is in the cache; then that timeline's last
 * event (where a new event is put in order). */
static void
key_index_prefetch_timeline(const KeyIndex *x, guint32 h, gboolean last_event)
{
    const KeySlot *s = &x->slots[h & x->mask];
    if (s->head == NULL || s->hash != h || s->head->timelines == NULL)
        return;
    if (last_event)
        __builtin_prefetch(s->head->timelines->last_event);
    else
        __builtin_prefetch(s->head->timelines);
}

static Message *
key_index_lookup(const KeyIndex *x, const char *key)
{
    return key_index_slot(x, key, string_pool_hash(key, strlen(key)))->head;
}

static void
key_index_grow(KeyIndex *x)
{
    KeySlot *old = x->slots;
    gsize n = x->mask + 1;
    x->slots = g_new0(KeySlot, n * 2);
    x->mask = n * 2 - 1;
    for (gsize i = 0; i < n; i++) {
        if (old[i].head == NULL)
            continue;
        gsize j = old[i].hash & x->mask;
        while (x->slots[j].head)
            j = (j + 1) & x->mask;
        x->slots[j] = old[i];
    }
    g_free(old);
}

/* Puts m (whose key is set) at the head of its key's chain. */
static void
key_index_push(KeyIndex *x, Message *m)
{
    if ((x->count + 1) * 4 > (x->mask + 1) * 3)
        key_index_grow(x);
    guint32 h = m->key_hash;
    KeySlot *s = key_index_slot(x, m->key, h);
    if (s->head == NULL) {
        s->hash = h;
        x->count++;
    }
    m->next_same_key = s->head;
    s->head = m;
}

/* Takes m out of its key's chain. */
static void
key_index_remove(KeyIndex *x, Message *m)
{
    KeySlot *s = key_index_slot(x, m->key, m->key_hash);
    if (s->head != m) {
        for (Message *p = s->head; p; p = p->next_same_key)
            if (p->next_same_key == m) {
                p->next_same_key = m->next_same_key;
                break;
            }
        m->next_same_key = NULL;
        return;
    }
    s->head = m->next_same_key;
    m->next_same_key = NULL;
    if (s->head)
        return;
    /* the slot is free: move later entries of the probe run back into the gap */
    gsize gap = (gsize)(s - x->slots);
    for (gsize j = (gap + 1) & x->mask; x->slots[j].head; j = (j + 1) & x->mask) {
        gsize home = x->slots[j].hash & x->mask;
        /* the entry may move to the gap unless its home lies cyclically in (gap, j] */
        if (((j - home) & x->mask) >= ((j - gap) & x->mask)) {
            x->slots[gap] = x->slots[j];
            x->slots[j].head = NULL;
            gap = j;
        }
    }
    x->count--;
}

typedef struct {
    const char *str;
    gsize len;
} RepeatEntry;

/* A growing array of hashes, appended to in line (one per message or delivery). */
typedef struct {
    guint32 *data;
    guint len, cap;
} Hashes;

static inline void
hashes_append(Hashes *h, guint32 v)
{
    if (G_UNLIKELY(h->len == h->cap)) {
        h->cap = MAX(h->cap * 2, 1024);
        h->data = g_renew(guint32, h->data, h->cap);
    }
    h->data[h->len++] = v;
}

/* The same for messages. */
typedef struct {
    Message **data;
    guint len, cap;
} Messages;

static inline void
messages_append(Messages *a, Message *m)
{
    if (G_UNLIKELY(a->len == a->cap)) {
        a->cap = MAX(a->cap * 2, 1024);
        a->data = g_renew(Message *, a->data, a->cap);
    }
    a->data[a->len++] = m;
}

struct Correlator {
    GPtrArray *verp;    /* GRegex* */
    GPtrArray *our;     /* char*: --our-mta names */
    gint64 window;
    gboolean include_local;
    gboolean unlisted; /* CorrelatorOptions.unlisted */
    StringPool *pool;
    Arena arena;
    GPtrArray *messages;  /* Message* in order of creation */
    Hashes key_hashes;    /* each message's key_hash, in the same order (0: no key) */
    /* each delivery with a next-hop id: its message and the id's hash, for finding the hops
     * without a walk over every message (find_hops()) */
    Messages remote_msgs;
    Hashes remote_hashes;
    GHashTable *hop_targets; /* at finish: next-hop id -> GPtrArray of the messages with that
                                key, in order of creation (hop_target()) */
    KeyIndex by_key;      /* key -> Message* (chain through next_same_key, newest first) */
    GHashTable *many;     /* Timeline* -> Timeline*: (message, recipient) of large messages */
    GHashTable *notif;    /* queue id -> host: DSNs our MTA generated, before their first line */
    GArray *pending;      /* Event: from other sources, linked at the end */
    GArray *other;        /* OtherItem */
    CorrelatorStats stats;
    /* link-phase indexes (built once, extended as messages are created) */
    GHashTable *by_msgid; /* message id -> Message* (first) */
    GHashTable *by_rcpt;  /* recipient -> Timeline* (chain: next_same_recipient) */
    GHashTable *by_orcpt; /* original recipient -> Timeline* */
    GHashTable *by_token; /* message-id local part, envid, queue id -> Message* */
    GHashTable *by_remote; /* next hop's queued-as id -> TimelineEvent* */
    GHashTable *remote_tl; /* TimelineEvent* -> Timeline* for by_remote */
    GHashTable *app_msgs;  /* campaign/message id -> Message* for messages seen only in app logs */
    RepeatEntry repeat[8][256]; /* intern_repeat(), keep_repeat() */
    const char *no_host;        /* "" in the pool: the host of MTA events that name none */
    /* after finish: the timelines the report counts, in report order */
    GPtrArray *counted;
    guint64 messages_counted, uncounted_deliveries;
};

/* ---- strings --------------------------------------------------------------------------- */

static const char *
intern(Correlator *c, const char *s)
{
    return s ? string_pool_intern(c->pool, s) : NULL;
}

/* The slot of s (len bytes) in a cache of recent strings of one field. */
static RepeatEntry *
repeat_slot(Correlator *c, guint field, const char *s, gsize len)
{
    guint64 head = string_head_word(s, MIN(len, 8)), tail = 0;
    if (len > 8)
        memcpy(&tail, s + len - 8, 8);
    guint slot = (guint)(((head ^ (tail * 31) ^ len) * 0x9E3779B97F4A7C15u) >> 56);
    return &c->repeat[field][slot];
}

/* s through the cache of recent strings of one field: the cached copy when s is there, else
 * a copy of s made by intern (the pool's one copy) or not (a copy of its own) and cached. */
static const char *
through_cache(Correlator *c, guint field, const char *s, gboolean intern)
{
    gsize len = strlen(s);
    RepeatEntry *r = repeat_slot(c, field, s, len);
    if (r->str && r->len == len && memcmp(r->str, s, len) == 0)
        return r->str;
    r->str = intern ? string_pool_intern_len(c->pool, s, len) : string_pool_copy(c->pool, s, len);
    r->len = len;
    return r->str;
}

/* Fields whose values repeat (host, relay name and address, codes, campaign) go through a
 * small cache per field in front of the pool: a few hundred relays and codes are found
 * with a cheap hash and one compare, without touching the pool's big table. */
static inline const char *
intern_repeat(Correlator *c, guint field, const char *s)
{
    /* most fields of most events are unset: no call for those */
    return s ? through_cache(c, field, s, TRUE) : NULL;
}

/* For fields that often repeat but need not be one copy (the envelope sender: one address
 * for a whole mailing, or a VERP address per recipient): the recent ones are shared, the
 * others copied, never looked up in the pool's table. */
static inline const char *
keep_repeat(Correlator *c, guint field, const char *s)
{
    return s ? through_cache(c, field, s, FALSE) : NULL;
}

/* A copy in the pool, without looking for an existing one: for unique strings. */
static const char *
keep(Correlator *c, const char *s)
{
    return s ? string_pool_copy(c->pool, s, strlen(s)) : NULL;
}

/* The host of an event, interned. Within a batch the events of a stream share one copy of
 * their host (event_batch_add): the last copy seen and its interned string are remembered in
 * memo for the batch. */
typedef struct {
    const char *copy, *interned;
} HostMemo;

static const char *
intern_host(Correlator *c, const char *host, HostMemo *memo)
{
    if (host == NULL || *host == '\0')
        return c->no_host;
    if (host != memo->copy) {
        memo->copy = host;
        memo->interned = intern_repeat(c, 0, host);
    }
    return memo->interned;
}

/* The strings of an MTA event that end up stored as they are (repeating ones interned). The
 * keys (queue id, recipient, message id ...) stay where they are and are copied when kept. */
static void
intern_stored(Correlator *c, Event *e, HostMemo *memo)
{
    e->host = intern_host(c, e->host, memo);
    e->enhanced = intern_repeat(c, 1, e->enhanced);
    e->relay = intern_repeat(c, 2, e->relay);
    e->relay_ip = intern_repeat(c, 3, e->relay_ip);
    e->detail = intern_repeat(c, 4, e->detail);
    if (e->kind == EVENT_KIND_DELIVERED && e->diagnostic)
        e->diagnostic = keep(c, e->diagnostic); /* "queued as ...": unique */
    else
        e->diagnostic = intern_repeat(c, 6, e->diagnostic);
    e->vendor_label = intern(c, e->vendor_label);
    e->cause_hint = intern(c, e->cause_hint);
    e->reporting_mta = intern(c, e->reporting_mta);
}

static void
intern_event(Correlator *c, Event *e)
{
    e->host = intern_repeat(c, 0, e->host);
    e->queue_id = intern(c, e->queue_id);
    e->related_id = intern(c, e->related_id);
    /* addresses and ids come normalised from the event batch */
    e->message_id = intern(c, e->message_id);
    e->sender = intern(c, e->sender);
    e->recipient = intern(c, e->recipient);
    e->orig_recipient = intern(c, e->orig_recipient);
    e->envid = intern(c, e->envid);
    e->campaign = intern_repeat(c, 5, e->campaign);
    e->verp = intern(c, e->verp);
    e->in_reply_to = intern(c, e->in_reply_to);
    e->enhanced = intern_repeat(c, 1, e->enhanced);
    /* a delivery's reply is unique ("queued as ..."): stored, not looked up */
    if (e->kind == EVENT_KIND_DELIVERED && e->diagnostic)
        e->diagnostic = string_pool_copy(c->pool, e->diagnostic, strlen(e->diagnostic));
    else
        e->diagnostic = intern(c, e->diagnostic);
    e->relay = intern_repeat(c, 2, e->relay);
    e->relay_ip = intern_repeat(c, 3, e->relay_ip);
    e->reporting_mta = intern(c, e->reporting_mta);
    e->vendor_label = intern(c, e->vendor_label);
    e->cause_hint = intern(c, e->cause_hint);
    e->subject = intern(c, e->subject);
    e->from_header = intern(c, e->from_header);
    e->detail = intern_repeat(c, 4, e->detail);
}

/* ---- construction ---------------------------------------------------------------------- */

static guint
timeline_key_hash(gconstpointer p)
{
    const Timeline *t = p;
    return g_direct_hash(t->message) * 31u + string_hash(t->recipient);
}

static gboolean
timeline_key_equal(gconstpointer a, gconstpointer b)
{
    const Timeline *x = a, *y = b;
    return x->message == y->message && strcmp(x->recipient, y->recipient) == 0;
}

Correlator *
correlator_new(const CorrelatorOptions *options, GError **error)
{
    g_autoptr(Correlator) c = g_new0(Correlator, 1);
    c->arena.blocks = g_array_new(FALSE, FALSE, sizeof(ArenaBlock));
    c->pool = string_pool_new_large();
    c->no_host = string_pool_intern(c->pool, "");
    c->messages = g_ptr_array_new();
    key_index_init(&c->by_key, 0);
    c->many = g_hash_table_new(timeline_key_hash, timeline_key_equal);
    c->notif = g_hash_table_new(string_hash, g_str_equal);
    c->pending = g_array_new(FALSE, FALSE, sizeof(Event));
    c->other = g_array_new(FALSE, FALSE, sizeof(OtherItem));
    c->verp = g_ptr_array_new_with_free_func((GDestroyNotify)g_regex_unref);
    c->our = g_ptr_array_new_with_free_func(g_free);
    c->window = options && options->link_window > 0 ? options->link_window : 30 * DAY;
    c->include_local = options && options->include_local;
    c->unlisted = options && options->unlisted;

    /* Built-in VERP forms: Postfix/qmail "local+user=domain@..." and "bounces-TOKEN-...@"
     * / "bounce-TOKEN@" with an opaque token. */
    static const char *const builtin[] = {
        "^[^@+]+[+](?<local>[^=@]+)=(?<domain>[^@=]+)@",
        "^bounces?-(?<token>[A-Za-z0-9._]+)(-[^@]*)?@",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(builtin); i++)
        g_ptr_array_add(c->verp, g_regex_new(builtin[i], G_REGEX_OPTIMIZE, 0, NULL));
    if (options && options->verp_patterns) {
        for (int i = 0; options->verp_patterns[i]; i++) {
            const char *pat = options->verp_patterns[i];
            GError *local = NULL;
            GRegex *re = g_regex_new(pat, G_REGEX_OPTIMIZE, 0, &local);
            if (re == NULL) {
                g_set_error(error, CORRELATE_ERROR, CORRELATE_ERROR_VERP,
                            "--verp '%s': %s", pat, local->message);
                g_error_free(local);
                return NULL;
            }
            if (g_regex_get_string_number(re, "recipient") < 0 &&
                g_regex_get_string_number(re, "token") < 0 &&
                (g_regex_get_string_number(re, "local") < 0 ||
                 g_regex_get_string_number(re, "domain") < 0)) {
                g_set_error(error, CORRELATE_ERROR, CORRELATE_ERROR_VERP,
                            "--verp '%s': needs a named group (?<recipient>...), (?<token>...) "
                            "or (?<local>...) with (?<domain>...)",
                            pat);
                g_regex_unref(re);
                return NULL;
            }
            /* user patterns are tried first */
            g_ptr_array_insert(c->verp, (gint)(i), re);
        }
    }
    if (options && options->our_mtas)
        for (int i = 0; options->our_mtas[i]; i++)
            g_ptr_array_add(c->our, g_ascii_strdown(options->our_mtas[i], -1));
    return g_steal_pointer(&c);
}

void
correlator_free(Correlator *c)
{
    if (c == NULL)
        return;
    arena_free(&c->arena);
    string_pool_free(c->pool);
    g_ptr_array_unref(c->messages);
    g_free(c->key_hashes.data);
    g_free(c->remote_msgs.data);
    g_free(c->remote_hashes.data);
    if (c->hop_targets)
        g_hash_table_destroy(c->hop_targets);
    if (c->counted)
        g_ptr_array_unref(c->counted);
    g_free(c->by_key.slots);
    g_hash_table_destroy(c->many);
    g_hash_table_destroy(c->notif);
    g_array_free(c->pending, TRUE);
    g_array_free(c->other, TRUE);
    g_ptr_array_unref(c->verp);
    g_ptr_array_unref(c->our);
    if (c->by_msgid)
        g_hash_table_destroy(c->by_msgid);
    if (c->by_rcpt)
        g_hash_table_destroy(c->by_rcpt);
    if (c->by_orcpt)
        g_hash_table_destroy(c->by_orcpt);
    if (c->by_token)
        g_hash_table_destroy(c->by_token);
    if (c->by_remote)
        g_hash_table_destroy(c->by_remote);
    if (c->remote_tl)
        g_hash_table_destroy(c->remote_tl);
    if (c->app_msgs)
        g_hash_table_destroy(c->app_msgs);
    g_free(c);
}

static void index_message(Correlator *c, Message *m);
static void index_timeline(Correlator *c, Timeline *t);

static Message *
new_message_hashed(Correlator *c, const char *host, const char *key, guint32 hash)
{
    /* the key is stored right after the message: lookups compare it without another miss */
    gsize klen = key ? strlen(key) : 0;
    Message *m = arena_alloc(&c->arena, sizeof(Message) + (key ? klen + 1 : 0));
    m->host = host;
    m->size = -1;
    if (key) {
        char *k = (char *)(m + 1);
        memcpy(k, key, klen + 1);
        m->key = k;
        m->key_hash = hash;
        key_index_push(&c->by_key, m);
    }
    g_ptr_array_add(c->messages, m);
    guint32 kh = key ? hash : 0;
    hashes_append(&c->key_hashes, kh);
    return m;
}

static Message *
new_message(Correlator *c, const char *host, const char *key)
{
    return new_message_hashed(c, host, key, key ? string_pool_hash(key, strlen(key)) : 0);
}

/* The open message of (host, key), created when missing. */
static Message *
mta_message(Correlator *c, const char *host, const char *key, guint32 hash)
{
    for (Message *m = key_index_slot(&c->by_key, key, hash)->head; m; m = m->next_same_key)
        if (m->host == host && !m->closed)
            return m;
    Message *m = new_message_hashed(c, host, key, hash);
    if (g_hash_table_size(c->notif) > 0 && g_hash_table_lookup(c->notif, key) == host) {
        m->notification = TRUE;
        c->stats.notifications++;
        g_hash_table_remove(c->notif, key);
    }
    return m;
}

static Timeline *
find_timeline(Correlator *c, Message *m, const char *recipient, gboolean create)
{
    if (m->n_timelines > MANY_RECIPIENTS) {
        Timeline probe = {.message = m, .recipient = recipient};
        Timeline *t = g_hash_table_lookup(c->many, &probe);
        if (t || !create)
            return t;
    } else {
        for (Timeline *t = m->timelines; t; t = t->next)
            if (strcmp(t->recipient, recipient) == 0)
                return t;
        if (!create)
            return NULL;
    }
    /* likewise the recipient right after its timeline */
    gsize rlen = strlen(recipient);
    Timeline *t = arena_alloc(&c->arena, sizeof(Timeline) + rlen + 1);
    t->message = m;
    char *r = (char *)(t + 1);
    memcpy(r, recipient, rlen + 1);
    t->recipient = r;
    if (m->last_timeline)
        m->last_timeline->next = t;
    else
        m->timelines = t;
    m->last_timeline = t;
    m->n_timelines++;
    if (m->n_timelines == MANY_RECIPIENTS + 1) {
        for (Timeline *x = m->timelines; x; x = x->next)
            g_hash_table_add(c->many, x);
    } else if (m->n_timelines > MANY_RECIPIENTS + 1) {
        g_hash_table_add(c->many, t);
    }
    if (c->by_rcpt)
        index_timeline(c, t);
    return t;
}

static gboolean
is_final_kind(EventKind k)
{
    return k == EVENT_KIND_DELIVERED || k == EVENT_KIND_FAILED || k == EVENT_KIND_EXPIRED ||
           k == EVENT_KIND_REJECTED;
}

/* Mail headers date to the second: a bounce dated 09:00:11 arrived after the log's
 * 09:00:11.47, so mailbox items sort at the end of their second. */
static gint64
order_time(const TimelineEvent *te)
{
    switch (te->kind) {
    case EVENT_KIND_BOUNCE:
    case EVENT_KIND_DELAY_NOTICE:
    case EVENT_KIND_DSN_SUCCESS:
    case EVENT_KIND_COMPLAINT:
    case EVENT_KIND_OTHER_RECEIVED:
        return te->time % G_USEC_PER_SEC == 0 ? te->time + G_USEC_PER_SEC - 1 : te->time;
    default:
        return te->time;
    }
}

static TimelineEvent *
add_event(Correlator *c, Timeline *t, const Event *e, LinkMethod link)
{
    /* with room for its classification when its kind gets one (timeline_event_cls()) */
    TimelineEvent *te = arena_alloc(&c->arena, sizeof(TimelineEvent) +
                                                   (timeline_kind_classified(e->kind)
                                                        ? sizeof(Classification)
                                                        : 0));
    te->time = e->time;
    te->kind = (guint8)e->kind;
    te->step_hint = (guint8)e->step;
    te->step_confidence = (guint8)e->step_confidence;
    te->reply_code = e->reply_code;
    te->flags = e->attempt_flags;
    te->link = (guint8)link;
    te->input = e->input;
    te->item = e->item;
    te->line = e->line;
    te->enhanced = e->enhanced;
    te->diagnostic = e->diagnostic;
    te->relay = e->relay;
    te->relay_ip = e->relay_ip;
    if (e->vendor_label || e->cause_hint || e->detail || e->reporting_mta) {
        TimelineExtra *x = arena_alloc(&c->arena, sizeof(TimelineExtra));
        x->vendor_label = e->vendor_label;
        x->cause_hint = e->cause_hint;
        x->detail = e->detail;
        x->reporting_mta = e->reporting_mta;
        te->extra = x;
    }
    if (e->kind == EVENT_KIND_DELIVERED && e->related_id) {
        /* "250 ... queued as ID": the id is the end of the reply kept already */
        gsize dl = te->diagnostic ? strlen(te->diagnostic) : 0, rl = strlen(e->related_id);
        if (dl >= rl && memcmp(te->diagnostic + dl - rl, e->related_id, rl) == 0)
            te->remote_id = te->diagnostic + dl - rl;
        else
            te->remote_id = keep(c, e->related_id);
        /* hashed now, while the id is in cache: the search for hops filters on it */
        te->remote_hash = string_pool_hash(te->remote_id, rl);
        messages_append(&c->remote_msgs, t->message);
        hashes_append(&c->remote_hashes, te->remote_hash);
    }
    /* insert in time order; events of unknown time go last */
    gint64 key = order_time(te);
    if (t->last_event == NULL) {
        t->events = t->last_event = te;
    } else if (te->time == 0 || order_time(t->last_event) <= key) {
        t->last_event->next = te;
        t->last_event = te;
    } else {
        TimelineEvent **pp = &t->events;
        while (*pp && (*pp)->time != 0 && order_time(*pp) <= key)
            pp = &(*pp)->next;
        te->next = *pp;
        *pp = te;
        if (te->next == NULL)
            t->last_event = te;
    }
    if (is_final_kind(e->kind))
        t->final_seen = TRUE;
    if (e->time) {
        if (t->first_seen == 0 || e->time < t->first_seen)
            t->first_seen = e->time;
        if (e->time > t->last_seen)
            t->last_seen = e->time;
    }
    if (link != LINK_NONE) {
        t->link_methods |= (guint16)(1u << link);
        c->stats.linked[link]++;
    }
    if (e->orig_recipient && t->orig_recipient == NULL &&
        strcmp(e->orig_recipient, t->recipient) != 0)
        t->orig_recipient = keep(c, e->orig_recipient);
    return te;
}

static gboolean
is_mta_kind(EventKind k)
{
    switch (k) {
    case EVENT_KIND_QUEUED:
    case EVENT_KIND_REJECTED:
    case EVENT_KIND_DELIVERED:
    case EVENT_KIND_DEFERRED:
    case EVENT_KIND_FAILED:
    case EVENT_KIND_EXPIRED:
    case EVENT_KIND_NOTIFICATION:
    case EVENT_KIND_MESSAGE_END:
        return TRUE;
    default:
        return FALSE;
    }
}

static void
merge_message_fields(Correlator *c, Message *m, const Event *e)
{
    if (e->message_id && !m->message_id)
        m->message_id = keep(c, e->message_id);
    if (e->sender && !m->sender)
        m->sender = keep_repeat(c, 7, e->sender);
    if (e->campaign && !m->campaign)
        m->campaign = intern(c, e->campaign);
    if (e->envid && !m->envid)
        m->envid = keep(c, e->envid);
    if (e->size >= 0 && m->size < 0)
        m->size = e->size;
    if (e->nrcpt && !m->nrcpt)
        m->nrcpt = e->nrcpt;
    /* queued: when the MTA took it (application and mailbox times are not queue times) */
    if (e->time && is_mta_kind(e->kind) && (m->queued_at == 0 || e->time < m->queued_at))
        m->queued_at = e->time;
}

static const char *
mta_key(const Event *e)
{
    if (e->queue_id)
        return e->queue_id;
    if (e->message_id)
        return e->message_id;
    if (e->envid)
        return e->envid;
    return e->recipient;
}

/* The hash of an MTA event's key (mta_key()), 0 for none. */
static guint32
event_key_hash(const Event *e)
{
    const char *key = mta_key(e);
    return key ? string_pool_hash(key, strlen(key)) : 0;
}

static void
consume_mta(Correlator *c, const Event *e, guint32 hash)
{
    if (e->kind == EVENT_KIND_REJECTED && e->queue_id == NULL) {
        /* smtpd NOQUEUE: mail coming in was refused; not one of ours */
        c->stats.inbound_rejections++;
        return;
    }
    const char *key = mta_key(e);
    if (key == NULL)
        return;
    const char *host = e->host;

    if (e->kind == EVENT_KIND_MESSAGE_END) {
        for (Message *m = key_index_slot(&c->by_key, key, hash)->head; m;
             m = m->next_same_key)
            if (m->host == host && !m->closed) {
                m->closed = TRUE;
                key_index_remove(&c->by_key, m);
                break;
            }
        return;
    }
    Message *m = mta_message(c, host, key, hash);
    if (m->queue_id == NULL && e->queue_id)
        m->queue_id = strcmp(m->key, e->queue_id) == 0 ? m->key : keep(c, e->queue_id);
    merge_message_fields(c, m, e);
    if (e->attempt_flags & EVENT_FLAG_NULL_SENDER && e->kind == EVENT_KIND_QUEUED &&
        !m->notification && g_hash_table_size(c->notif) > 0 &&
        g_hash_table_lookup(c->notif, key) == host) {
        m->notification = TRUE;
        c->stats.notifications++;
        g_hash_table_remove(c->notif, key);
    }

    switch (e->kind) {
    case EVENT_KIND_QUEUED:
        return;
    case EVENT_KIND_NOTIFICATION:
        /* the DSN's own queue entry is ours, not a campaign message */
        if (e->related_id) {
            /* its queue entry usually exists already (cleanup logs first); if not, it is
             * remembered until its first line, and forgotten then (queue ids are reused) */
            gboolean found = FALSE;
            for (Message *n = key_index_lookup(&c->by_key, e->related_id); n;
                 n = n->next_same_key)
                if (n->host == host && !n->closed) {
                    found = TRUE;
                    if (!n->notification) {
                        n->notification = TRUE;
                        c->stats.notifications++;
                    }
                }
            if (!found)
                g_hash_table_insert(c->notif, (gpointer)keep(c, e->related_id),
                                    (gpointer)host);
        }
        for (Timeline *t = m->timelines; t; t = t->next)
            if (t->last_event && t->last_event->kind != EVENT_KIND_DELIVERED &&
                t->last_event->kind != EVENT_KIND_NOTIFICATION)
                add_event(c, t, e, LINK_NONE);
        return;
    case EVENT_KIND_EXPIRED:
        if (e->recipient == NULL) {
            /* the whole message: every recipient without a final result */
            for (Timeline *t = m->timelines; t; t = t->next)
                if (!t->final_seen)
                    add_event(c, t, e, LINK_NONE);
            return;
        }
        break;
    default:
        break;
    }
    Timeline *t = find_timeline(c, m, e->recipient ? e->recipient : "", TRUE);
    add_event(c, t, e, LINK_NONE);
}

/* Events are taken one after the other, but the messages they belong to lie anywhere in
 * memory: the key of the event 8 ahead is hashed and its slot fetched, the message of the
 * one 4 ahead is fetched, the first timeline of the one 2 ahead and its last event for the
 * next one, so that they are in the cache when their turn comes. */
#define HASH_AHEAD 8
#define MESSAGE_AHEAD 4
#define TIMELINE_AHEAD 2

void
correlator_consume(Correlator *c, EventBatch *batch)
{
    guint n = event_batch_len(batch);
    /* the events are changed in place (their strings interned): the batch is cleared next */
    Event *events = event_batch_events(batch);
    guint32 hashes[HASH_AHEAD * 2];
    HostMemo host_memo = {NULL, NULL};
    for (guint i = 0; i < MIN(n, HASH_AHEAD); i++) {
        hashes[i] = event_key_hash(&events[i]);
        key_index_prefetch(&c->by_key, hashes[i]);
    }
    for (guint i = 0; i < n; i++) {
        if (i + HASH_AHEAD < n) {
            guint32 h = event_key_hash(&events[i + HASH_AHEAD]);
            hashes[(i + HASH_AHEAD) % (HASH_AHEAD * 2)] = h;
            key_index_prefetch(&c->by_key, h);
        }
        if (i + MESSAGE_AHEAD < n)
            key_index_prefetch_head(&c->by_key,
                                    hashes[(i + MESSAGE_AHEAD) % (HASH_AHEAD * 2)]);
        if (i + TIMELINE_AHEAD < n)
            key_index_prefetch_timeline(&c->by_key,
                                        hashes[(i + TIMELINE_AHEAD) % (HASH_AHEAD * 2)], FALSE);
        if (i + 1 < n)
            key_index_prefetch_timeline(&c->by_key, hashes[(i + 1) % (HASH_AHEAD * 2)], TRUE);
        guint32 hash = hashes[i % (HASH_AHEAD * 2)];
        Event *e = &events[i];
        c->stats.events++;
        if (e->kind == EVENT_KIND_SMTP_COMMAND) {
            c->stats.smtp_commands++;
            continue;
        }
        if (is_mta_kind(e->kind) && !(e->attempt_flags & EVENT_FLAG_TRANSCRIPT)) {
            /* the hot path: strings are looked up in place and copied only when kept (the
             * batch has normalised the addresses and ids already) */
            intern_stored(c, e, &host_memo);
            consume_mta(c, e, hash);
        } else {
            intern_event(c, e);
            g_array_append_val(c->pending, *e);
        }
    }
}

/* ---- linking --------------------------------------------------------------------------- */

static void
index_timeline(Correlator *c, Timeline *t)
{
    /* one chain per recipient through next_same_recipient; the original recipient, when it
     * differs, gets an entry of its own only if no timeline has it as its recipient */
    if (t->recipient && *t->recipient) {
        t->next_same_recipient = g_hash_table_lookup(c->by_rcpt, t->recipient);
        g_hash_table_insert(c->by_rcpt, (gpointer)t->recipient, t);
    }
    if (t->orig_recipient && *t->orig_recipient && t->orig_recipient != t->recipient &&
        !g_hash_table_contains(c->by_orcpt, t->orig_recipient))
        g_hash_table_insert(c->by_orcpt, (gpointer)t->orig_recipient, t);
}

static void
index_token(Correlator *c, const char *token, Message *m)
{
    if (token && *token && !g_hash_table_contains(c->by_token, token))
        g_hash_table_insert(c->by_token, (gpointer)token, m);
}

static void
index_message(Correlator *c, Message *m)
{
    if (m->notification || m->internal || m->local)
        return;
    if (m->message_id && !g_hash_table_contains(c->by_msgid, m->message_id))
        g_hash_table_insert(c->by_msgid, (gpointer)m->message_id, m);
    if (m->message_id) {
        const char *at = strchr(m->message_id, '@');
        if (at)
            index_token(c, string_pool_intern_len(c->pool, m->message_id,
                                                  (gsize)(at - m->message_id)),
                        m);
        index_token(c, m->message_id, m);
    }
    index_token(c, m->envid, m);
    index_token(c, m->queue_id, m);
}

static void
build_indexes(Correlator *c)
{
    c->by_msgid = g_hash_table_new(string_hash, g_str_equal);
    c->by_rcpt = g_hash_table_new(string_hash, g_str_equal);
    c->by_orcpt = g_hash_table_new(string_hash, g_str_equal);
    c->by_token = g_hash_table_new(string_hash, g_str_equal);
    c->by_remote = g_hash_table_new(string_hash, g_str_equal);
    c->remote_tl = g_hash_table_new(g_direct_hash, g_direct_equal);
    c->app_msgs = g_hash_table_new(string_hash, g_str_equal);
    for (guint i = 0; i < c->messages->len; i++) {
        Message *m = c->messages->pdata[i];
        index_message(c, m);
        if (m->notification || m->internal || m->local)
            continue;
        for (Timeline *t = m->timelines; t; t = t->next) {
            index_timeline(c, t);
            /* the next hop's id from "250 ... queued as X": transcripts link by it */
            for (TimelineEvent *te = t->events; te; te = te->next)
                if (te->kind == EVENT_KIND_DELIVERED && te->remote_id) {
                    g_hash_table_insert(c->by_remote, (gpointer)te->remote_id, te);
                    g_hash_table_insert(c->remote_tl, te, t);
                }
        }
    }
}

static Timeline *
timeline_in_message(Correlator *c, Message *m, const Event *e)
{
    if (m == NULL)
        return NULL;
    Timeline *t = NULL;
    if (e->recipient)
        t = find_timeline(c, m, e->recipient, FALSE);
    if (t == NULL && e->orig_recipient)
        t = find_timeline(c, m, e->orig_recipient, FALSE);
    if (t == NULL && e->recipient) {
        for (Timeline *x = m->timelines; x; x = x->next)
            if (g_strcmp0(x->orig_recipient, e->recipient) == 0)
                return x;
    }
    if (t == NULL && m->n_timelines == 1 && e->recipient == NULL)
        t = m->timelines;
    /* an auto-reply, complaint or notice about a one-recipient message may come from another
     * address of that person (alias, forward): the message decides */
    if (t == NULL && m->n_timelines == 1 &&
        (e->kind == EVENT_KIND_OTHER_RECEIVED || e->kind == EVENT_KIND_COMPLAINT ||
         e->kind == EVENT_KIND_DELAY_NOTICE || e->kind == EVENT_KIND_DSN_SUCCESS))
        t = m->timelines;
    return t;
}

static Timeline *
find_by_recipient(Correlator *c, const char *rcpt, gint64 when, gboolean before_only)
{
    if (rcpt == NULL)
        return NULL;
    Timeline *best = NULL;
    Timeline *first = g_hash_table_lookup(c->by_rcpt, rcpt);
    if (first == NULL)
        first = g_hash_table_lookup(c->by_orcpt, rcpt);
    for (Timeline *t = first; t; t = t->next_same_recipient) {
        if (when && t->first_seen) {
            gint64 slack = before_only ? DAY : c->window;
            if (t->first_seen > when + slack || when - t->first_seen > c->window)
                continue;
        }
        /* the latest message sent before the bounce */
        if (best == NULL || t->first_seen > best->first_seen)
            if (!when || !best || t->first_seen <= when + DAY)
                best = t;
    }
    return best;
}

static gboolean
same_first_label(const char *a, const char *b)
{
    if (a == NULL || b == NULL || *a == '\0' || *b == '\0')
        return FALSE;
    gsize la = strcspn(a, "./"), lb = strcspn(b, "./");
    return la == lb && g_ascii_strncasecmp(a, b, la) == 0;
}

/* Is a Reporting-MTA one of our own MTAs? */
static gboolean
is_ours(Correlator *c, const char *mta, const Message *m)
{
    if (mta == NULL)
        return FALSE;
    if (m && same_first_label(mta, m->host))
        return TRUE;
    for (guint i = 0; i < c->our->len; i++) {
        const char *o = c->our->pdata[i];
        if (g_ascii_strcasecmp(mta, o) == 0 || same_first_label(mta, o))
            return TRUE;
    }
    return FALSE;
}

gboolean
correlator_decode_verp(const Correlator *c, const char *address, char **recipient, char **token)
{
    *recipient = *token = NULL;
    if (address == NULL)
        return FALSE;
    for (guint i = 0; i < c->verp->len; i++) {
        g_autoptr(GMatchInfo) mi = NULL;
        if (!g_regex_match(c->verp->pdata[i], address, 0, &mi))
            continue;
        g_autofree char *r = g_match_info_fetch_named(mi, "recipient");
        g_autofree char *l = g_match_info_fetch_named(mi, "local");
        g_autofree char *d = g_match_info_fetch_named(mi, "domain");
        g_autofree char *t = g_match_info_fetch_named(mi, "token");
        if (r && *r) {
            *recipient = g_ascii_strdown(r, -1);
            return TRUE;
        }
        if (l && *l && d && *d) {
            g_autofree char *addr = g_strdup_printf("%s@%s", l, d);
            *recipient = g_ascii_strdown(addr, -1);
            return TRUE;
        }
        if (t && *t) {
            *token = g_steal_pointer(&t);
            return TRUE;
        }
    }
    return FALSE;
}

static Timeline *
link_mailbox_event(Correlator *c, const Event *e, LinkMethod *how)
{
    Timeline *t = NULL;
    /* 1. VERP */
    if (e->verp) {
        char *r = NULL, *tok = NULL;
        if (correlator_decode_verp(c, e->verp, &r, &tok)) {
            if (r) {
                const char *ri = string_pool_intern(c->pool, r);
                Message *m = e->message_id ? g_hash_table_lookup(c->by_msgid, e->message_id) : NULL;
                t = m ? find_timeline(c, m, ri, FALSE) : NULL;
                if (t == NULL)
                    t = find_by_recipient(c, ri, e->time, TRUE);
            } else {
                Message *m = g_hash_table_lookup(c->by_token, tok);
                t = timeline_in_message(c, m, e);
            }
        }
        g_free(r);
        g_free(tok);
        if (t) {
            *how = LINK_VERP;
            return t;
        }
    }
    /* 2. ENVID */
    if (e->envid) {
        Message *m = g_hash_table_lookup(c->by_token, e->envid);
        if (m && g_strcmp0(m->envid, e->envid) == 0 && (t = timeline_in_message(c, m, e))) {
            *how = LINK_ENVID;
            return t;
        }
    }
    /* 3. our queue id in the DSN, with our Reporting-MTA */
    if (e->queue_id) {
        for (Message *m = key_index_lookup(&c->by_key, e->queue_id); m; m = m->next_same_key) {
            if (m->notification || m->internal)
                continue;
            if (e->reporting_mta && !same_first_label(e->reporting_mta, m->host) &&
                !is_ours(c, e->reporting_mta, NULL))
                continue;
            if ((t = timeline_in_message(c, m, e))) {
                *how = LINK_DSN_QUEUE_ID;
                return t;
            }
        }
    }
    /* 4. ORCPT */
    if (e->orig_recipient && (t = find_by_recipient(c, e->orig_recipient, e->time, TRUE))) {
        if (e->message_id == NULL || t->message->message_id == NULL ||
            strcmp(t->message->message_id, e->message_id) == 0) {
            *how = LINK_ORCPT;
            return t;
        }
        t = NULL;
    }
    /* 5. Message-ID of the returned message */
    if (e->message_id) {
        Message *m = g_hash_table_lookup(c->by_msgid, e->message_id);
        if ((t = timeline_in_message(c, m, e))) {
            *how = LINK_MESSAGE_ID;
            return t;
        }
    }
    /* 6. In-Reply-To / References */
    if (e->in_reply_to) {
        Message *m = g_hash_table_lookup(c->by_msgid, e->in_reply_to);
        if ((t = timeline_in_message(c, m, e))) {
            *how = LINK_IN_REPLY_TO;
            return t;
        }
    }
    /* 7. the recipient, within the time window */
    if (e->recipient && (t = find_by_recipient(c, e->recipient, e->time, TRUE))) {
        *how = LINK_RECIPIENT_TIME;
        return t;
    }
    return NULL;
}

static Message *
standalone_message(Correlator *c, const Event *e, const char *host)
{
    /* group events of one original message (same Message-ID) together */
    const char *key = e->message_id;
    if (key) {
        Message *m = g_hash_table_lookup(c->app_msgs, key);
        if (m)
            return m;
    }
    Message *m = new_message(c, host ? intern(c, host) : intern(c, ""), NULL);
    merge_message_fields(c, m, e);
    if (key)
        g_hash_table_insert(c->app_msgs, (gpointer)key, m);
    index_message(c, m);
    return m;
}

static void
add_other_item(Correlator *c, const Event *e, const char *subtype, Timeline *t, LinkMethod how)
{
    OtherItem it = {
        .time = e->time,
        .from = e->from_header,
        .subject = e->subject,
        .subtype = subtype ? subtype : intern(c, "unrecognised"),
        .recipient = e->recipient,
        .linked = t,
        .link = how,
        .input = e->input,
        .item = e->item,
        .line = e->line,
    };
    g_array_append_val(c->other, it);
}

static void
link_app_event(Correlator *c, const Event *e)
{
    Timeline *t = NULL;
    LinkMethod how = LINK_NONE;
    if (e->message_id) {
        Message *m = g_hash_table_lookup(c->by_msgid, e->message_id);
        if (m && (t = timeline_in_message(c, m, e)))
            how = LINK_MESSAGE_ID;
    }
    if (t == NULL && e->queue_id) {
        for (Message *m = key_index_lookup(&c->by_key, e->queue_id); m && !t;
             m = m->next_same_key) {
            if (m->notification || m->internal || (e->host && !same_first_label(e->host, m->host)))
                continue;
            if ((t = timeline_in_message(c, m, e)))
                how = LINK_QUEUE_ID;
        }
    }
    if (t == NULL) {
        Message *m = standalone_message(c, e, e->host ? e->host : "");
        t = find_timeline(c, m, e->recipient ? e->recipient : intern(c, ""), TRUE);
        c->stats.unlinked_app_events++;
    }
    merge_message_fields(c, t->message, e);
    if (e->message_id && g_strcmp0(t->message->message_id, e->message_id) == 0)
        index_message(c, t->message);
    add_event(c, t, e, how);
}

static TimelineEvent *
closest_attempt(Timeline *t, const Event *e)
{
    TimelineEvent *best = NULL;
    gint64 best_d = G_MAXINT64;
    for (TimelineEvent *te = t->events; te; te = te->next) {
        if (te->kind != e->kind)
            continue;
        gint64 d = e->time && te->time ? ABS(te->time - e->time) : 0;
        if (e->time && te->time && d > TRANSCRIPT_WINDOW)
            continue;
        if (d < best_d) {
            best = te;
            best_d = d;
        }
    }
    return best;
}

static void
link_transcript(Correlator *c, const Event *e)
{
    TimelineEvent *te = NULL;
    Timeline *t = NULL;
    LinkMethod how = LINK_NONE;
    if (e->related_id) {
        te = g_hash_table_lookup(c->by_remote, e->related_id);
        if (te) {
            t = g_hash_table_lookup(c->remote_tl, te);
            how = LINK_REMOTE_ID;
        }
    }
    if (te == NULL && e->message_id) {
        Message *m = g_hash_table_lookup(c->by_msgid, e->message_id);
        if (m && (t = timeline_in_message(c, m, e)) && (te = closest_attempt(t, e)))
            how = LINK_MESSAGE_ID;
    }
    if (te == NULL && e->recipient) {
        for (t = g_hash_table_lookup(c->by_rcpt, e->recipient); t; t = t->next_same_recipient)
            if ((te = closest_attempt(t, e))) {
                how = LINK_RECIPIENT_TIME;
                break;
            }
    }
    if (te) {
        /* the session shows exactly which command failed */
        if (e->step != STEP_UNKNOWN && e->step_confidence >= te->step_confidence) {
            te->step_hint = (guint8)e->step;
            te->step_confidence = (guint8)e->step_confidence;
        }
        if (te->enhanced == NULL)
            te->enhanced = e->enhanced;
        if (te->reply_code == 0)
            te->reply_code = e->reply_code;
        if (te->diagnostic == NULL)
            te->diagnostic = e->diagnostic;
        t->link_methods |= (guint16)(1u << how);
        c->stats.linked[how]++;
        return;
    }
    c->stats.unlinked_transcripts++;
    Message *m = standalone_message(c, e, e->host ? e->host : "transcript");
    t = find_timeline(c, m, e->recipient ? e->recipient : intern(c, ""), TRUE);
    add_event(c, t, e, LINK_NONE);
}

static void
link_mailbox(Correlator *c, const Event *e)
{
    LinkMethod how = LINK_NONE;
    Timeline *t = link_mailbox_event(c, e, &how);
    gboolean listed = e->kind == EVENT_KIND_OTHER_RECEIVED || e->kind == EVENT_KIND_COMPLAINT;
    if (t == NULL) {
        if (e->kind == EVENT_KIND_OTHER_RECEIVED) {
            add_other_item(c, e, e->cause_hint, NULL, LINK_NONE);
            return;
        }
        if (e->kind == EVENT_KIND_BOUNCE)
            c->stats.unlinked_bounces++;
        Message *m = standalone_message(c, e, e->reporting_mta);
        t = find_timeline(c, m, e->recipient ? e->recipient : intern(c, ""), TRUE);
    }
    if (e->campaign && t->message->campaign == NULL)
        t->message->campaign = e->campaign;
    Event copy;
    if (e->kind == EVENT_KIND_BOUNCE && e->cause_hint == NULL && e->orig_recipient &&
        e->recipient && strcmp(e->orig_recipient, e->recipient) != 0 &&
        g_strcmp0(t->recipient, e->orig_recipient) == 0 &&
        !is_ours(c, e->reporting_mta, t->message)) {
        /* accepted for one address, failed for the one it was forwarded to */
        copy = *e;
        copy.cause_hint = intern(c, "forwarding-failure");
        e = &copy;
    }
    TimelineEvent *te = add_event(c, t, e, how);
    if (e->kind == EVENT_KIND_BOUNCE || e->kind == EVENT_KIND_DELAY_NOTICE) {
        /* after acceptance when our log shows the remote took it and the DSN is not ours */
        gboolean delivered = FALSE;
        for (TimelineEvent *x = t->events; x; x = x->next)
            if (x->kind == EVENT_KIND_DELIVERED && !(x->flags & EVENT_FLAG_LOCAL))
                delivered = TRUE;
        te->foreign = delivered && !is_ours(c, e->reporting_mta, t->message);
    }
    if (e->kind == EVENT_KIND_COMPLAINT) {
        t->complaint = TRUE;
        t->complaint_type = e->cause_hint;
    }
    if (e->kind == EVENT_KIND_OTHER_RECEIVED)
        t->other_received = TRUE;
    if (listed)
        add_other_item(c, e,
                       e->kind == EVENT_KIND_COMPLAINT ? intern(c, "complaint") : e->cause_hint,
                       t, how);
}

static int
compare_event_time(gconstpointer a, gconstpointer b)
{
    const Event *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    if (x->input != y->input)
        return x->input < y->input ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static gboolean
is_app_kind(EventKind k)
{
    return k == EVENT_KIND_COMPILED || k == EVENT_KIND_COMPILE_FAILED ||
           k == EVENT_KIND_SUPPRESSED || k == EVENT_KIND_SUBMITTED;
}

/* A delivery whose "queued as" id is a message in one of our own queues (a content filter
 * re-injection, or a relay to another of our MTAs whose log we read too) is a hop: the later
 * message is counted, the earlier one is folded into it (find_hops(), before the timelines are
 * finished and counted: the later message takes the earlier one's queue time, Message-ID and
 * campaign).
 * Messages our server only delivered to its own mailboxes (local, virtual, lmtp, pipe) were
 * received, not sent: the bounces and replies coming back, mail for postmaster. That needs a
 * walk over every message's events: it runs on several threads, each message looked at on its
 * own (message_is_local()). */

/* The next message of a hop from delivery `last` of message m, or NULL (after
 * find_hop_targets()). */
static Message *
hop_target(Correlator *c, const Message *m, const TimelineEvent *last)
{
    if (last == NULL || last->kind != EVENT_KIND_DELIVERED || last->remote_id == NULL ||
        c->hop_targets == NULL)
        return NULL;
    GPtrArray *same = g_hash_table_lookup(c->hop_targets, last->remote_id);
    for (guint i = same ? same->len : 0; i-- > 0;) {
        Message *n = same->pdata[i]; /* the newest first */
        if (n != m && (n->queued_at == 0 || last->time == 0 ||
                       n->queued_at >= last->time - 60 * G_USEC_PER_SEC))
            return n;
    }
    return NULL;
}

/* Every message's key, as a set of hashes: whether a delivery's next-hop id may be one of our
 * queue ids is answered from it (an open-addressing table of hashes, 0 = empty, at most half
 * full: 4 bytes a message, where an index of the messages by key takes 16 and more to build;
 * filled and then read by two threads in turn, find_hops()). */
typedef struct {
    guint32 *slots;
    gsize mask;
} KeyFilter;

static guint32
key_filter_value(guint32 hash)
{
    return hash | 1; /* never 0 (an empty slot) */
}

static void
key_filter_alloc(KeyFilter *f, guint n)
{
    gsize size = 1024;
    while (size < (gsize)n * 2)
        size *= 2;
    f->slots = big_block_alloc(size * sizeof(guint32), size >= ((gsize)1 << 20));
    f->mask = size - 1;
}

/* Adds the hashes [from, to) to the filter; threads may add at the same time (a slot is taken
 * with a compare-and-swap). */
static void
key_filter_add(KeyFilter *f, const guint32 *h, guint from, guint to)
{
    for (guint i = from; i < to; i++) {
        /* the slots are far apart: fetch the one of the hash sixteen steps ahead */
        if (i + 16 < to)
            __builtin_prefetch(&f->slots[key_filter_value(h[i + 16]) & f->mask], 1);
        if (h[i] == 0)
            continue;
        guint32 v = key_filter_value(h[i]);
        for (gsize j = v & f->mask;; j = (j + 1) & f->mask) {
            guint32 cur = __atomic_load_n(&f->slots[j], __ATOMIC_RELAXED);
            if (cur == 0 && __atomic_compare_exchange_n(&f->slots[j], &cur, v, FALSE,
                                                        __ATOMIC_RELAXED, __ATOMIC_RELAXED))
                break;
            if (cur == v) /* there already, or put there by the other thread just now */
                break;
        }
    }
}

static gboolean
key_filter_may_have(const KeyFilter *f, guint32 hash)
{
    guint32 v = key_filter_value(hash);
    for (gsize j = v & f->mask;; j = (j + 1) & f->mask) {
        if (f->slots[j] == v)
            return TRUE;
        if (f->slots[j] == 0)
            return FALSE;
    }
}

static inline void
key_filter_prefetch(const KeyFilter *f, guint32 hash)
{
    __builtin_prefetch(&f->slots[key_filter_value(hash) & f->mask]);
}

/* May delivery `last` have gone to one of our own queue ids? */
static gboolean
hop_candidate(const KeyFilter *f, const TimelineEvent *last)
{
    return last != NULL && last->kind == EVENT_KIND_DELIVERED && last->remote_id != NULL &&
           key_filter_may_have(f, last->remote_hash);
}

/* A hop candidate: every recipient's last delivery went to what may be one of our queue ids
 * (the ids and queue times are checked when the hop is applied). */
static gboolean
may_be_hop(const KeyFilter *filter, const Message *m)
{
    if (m->notification || m->timelines == NULL)
        return FALSE;
    for (const Timeline *t = m->timelines; t; t = t->next)
        if (!hop_candidate(filter, t->last_event))
            return FALSE;
    return TRUE;
}

/* Whether a message was only delivered locally (not a hop, not a notification). */
static gboolean
message_is_local(const Message *m)
{
    if (m->notification || m->internal)
        return FALSE;
    gboolean any = FALSE, remote = FALSE;
    for (const Timeline *t = m->timelines; t && !remote; t = t->next)
        for (const TimelineEvent *te = t->events; te; te = te->next) {
            if (te->kind != EVENT_KIND_DELIVERED && te->kind != EVENT_KIND_DEFERRED &&
                te->kind != EVENT_KIND_FAILED)
                continue;
            any = TRUE;
            if (!(te->flags & EVENT_FLAG_LOCAL)) {
                remote = TRUE;
                break;
            }
        }
    return any && !remote;
}

/* Report order: by the time each message and recipient was first seen; equal times keep the
 * order in which the inputs showed them. Sorted as (time, index) pairs: no pointer chasing
 * inside the sort (sort_keys). */
typedef struct {
    gint64 when;
    guint32 index; /* in the range's counted array, which is in order of creation */
} SortKey;

/* Sorts a range's keys into report order: a stable radix sort on the time, a byte at a time
 * (the keys are appended in index order, so equal times stay in index order). Logs are read
 * in time order but recipients are first seen at their first attempt, some seconds to hours
 * after their message arrived: the keys are shuffled locally, which a comparison sort pays
 * for with a call per comparison. */
static void
sort_keys(GArray *keys)
{
    guint n = keys->len;
    SortKey *a = (SortKey *)(void *)keys->data;
    gboolean sorted = TRUE;
    gint64 lo = n ? a[0].when : 0, hi = lo;
    for (guint i = 1; i < n; i++) {
        sorted &= a[i - 1].when <= a[i].when;
        lo = MIN(lo, a[i].when);
        hi = MAX(hi, a[i].when);
    }
    if (sorted)
        return;
    guint64 range = (guint64)hi - (guint64)lo;
    SortKey *tmp = g_new(SortKey, n), *from = a, *to = tmp;
    for (guint shift = 0; shift < 64 && (range >> shift) != 0; shift += 8) {
        guint count[256] = {0};
        for (guint i = 0; i < n; i++)
            count[(((guint64)from[i].when - (guint64)lo) >> shift) & 0xFF]++;
        guint pos[256], sum = 0;
        for (guint d = 0; d < 256; d++) {
            pos[d] = sum;
            sum += count[d];
        }
        for (guint i = 0; i < n; i++)
            to[pos[(((guint64)from[i].when - (guint64)lo) >> shift) & 0xFF]++] = from[i];
        SortKey *swap = from;
        from = to;
        to = swap;
    }
    if (from != a)
        memcpy(a, from, n * sizeof *a);
    g_free(tmp);
}

/* One thread's share of the messages, in order of creation. */
typedef struct {
    Correlator *c;
    guint id; /* the range's number, in order of creation */
    guint from, to;
    Classifier *classifier; /* NULL: the timelines are not finished by this walk */
    gboolean collect;       /* gather the counted timelines in this walk */
    /* the counted timelines of this range, in order of creation, and their sort keys (in
     * report order once the range is done) */
    GPtrArray *counted;
    GArray *keys; /* SortKey */
    guint32 n_counted; /* counted timelines seen, listed or not (CorrelatorOptions.unlisted) */
    guint64 messages_counted, uncounted_deliveries, local_messages;
    CorrelatorVisit visit; /* shown each counted timeline, with data */
    gpointer data;
} __attribute__((aligned(64))) RangeJob; /* the threads' counters on lines of their own */

static guint64
count_deliveries(const Timeline *t)
{
    guint64 n = 0;
    for (const TimelineEvent *e = t->events; e; e = e->next)
        n += e->kind == EVENT_KIND_DELIVERED;
    return n;
}

/* The sequence number of a range's counted timeline: with the time, it orders the timelines
 * of all ranges as merge_counted() does. */
static guint64
visit_seq(guint range, guint32 index)
{
    return (guint64)range << 32 | index;
}

static void
collect_timeline(RangeJob *job, Timeline *t)
{
    gint64 when = t->first_seen ? t->first_seen : t->message->queued_at;
    guint32 seq = job->n_counted++;
    if (!job->c->unlisted) {
        SortKey k = {.when = when, .index = seq};
        g_array_append_val(job->keys, k);
        g_ptr_array_add(job->counted, t);
    }
    if (job->visit)
        job->visit(job->data, t, when, visit_seq(job->id, seq));
}

static gboolean
message_counted(const Message *m)
{
    return !(m->notification || m->internal || m->local || m->timelines == NULL);
}

/* Finishes a message's timelines (when the job says so) and gathers the counted ones. */
static void
finish_message(RangeJob *job, Message *m)
{
    gboolean counted = message_counted(m);
    job->messages_counted += counted;
    for (Timeline *t = m->timelines; t; t = t->next) {
        if (job->classifier)
            timeline_finish(t, job->classifier);
        if (!job->collect)
            continue;
        if (counted)
            collect_timeline(job, t);
        else if (!m->internal)
            job->uncounted_deliveries += count_deliveries(t);
    }
}

/* Messages, their first timeline and its last event lie anywhere in memory: each is fetched
 * a few messages before its turn, once the one pointing to it has arrived (and the hop
 * filter's slot for the event's next-hop id). Always inlined: a function of nothing but
 * prefetches counts as one without effects, and GCC drops calls to those. */
static inline __attribute__((always_inline)) void
prefetch_ahead(Message *const *all, guint i, guint to)
{
    if (i + 12 < to) {
        /* the message's first two cache lines: its timelines pointer is in the second */
        __builtin_prefetch(all[i + 12]);
        __builtin_prefetch((const char *)all[i + 12] + 64);
    }
    if (i + 8 < to && all[i + 8]->timelines) {
        const char *t = (const char *)all[i + 8]->timelines;
        __builtin_prefetch(t);
        __builtin_prefetch(t + 64);
    }
    if (i + 4 < to && all[i + 4]->timelines) {
        const TimelineEvent *e = all[i + 4]->timelines->last_event;
        __builtin_prefetch(e);
        __builtin_prefetch((const char *)e + 64);
        __builtin_prefetch(all[i + 4]->timelines->events);
    }
}

/* Marks the local messages (the hops are folded already); with a classifier, finishes the
 * timelines and gathers the counted ones in the same walk (possible when nothing is left to
 * link into them). */
static gpointer
scan_range(gpointer data)
{
    RangeJob *job = data;
    Message *const *all = (Message *const *)job->c->messages->pdata;
    for (guint i = job->from; i < job->to; i++) {
        prefetch_ahead(all, i, job->to);
        Message *m = all[i];
        /* each message is written by the one thread whose range holds it */
        if (!job->c->include_local && message_is_local(m)) {
            m->local = TRUE;
            job->local_messages++;
        }
        if (job->classifier || job->collect)
            finish_message(job, m);
    }
    if (job->collect)
        sort_keys(job->keys);
    return NULL;
}

static gpointer
finish_range(gpointer data)
{
    RangeJob *job = data;
    Message *const *all = (Message *const *)job->c->messages->pdata;
    for (guint i = job->from; i < job->to; i++) {
        prefetch_ahead(all, i, job->to);
        finish_message(job, all[i]);
    }
    sort_keys(job->keys);
    return NULL;
}

/* Runs fn over the messages, split into n ranges on n threads (this one included). */
static void
run_ranges(Correlator *c, RangeJob *jobs, guint n, GThreadFunc fn,
           Classifier *const *classifiers, gboolean collect, CorrelatorVisit visit,
           gpointer const *data)
{
    GThread *threads[8] = {NULL};
    guint total = c->messages->len, per = (total + n - 1) / n;
    for (guint k = 0; k < n; k++) {
        guint from = MIN(k * per, total), to = MIN((k + 1) * per, total);
        jobs[k] = (RangeJob){
            .c = c,
            .id = k,
            .from = from,
            .to = to,
            .classifier = classifiers ? classifiers[k] : NULL,
            .collect = collect,
            .counted = collect ? g_ptr_array_sized_new(c->unlisted ? 0 : to - from) : NULL,
            .keys = collect ? g_array_sized_new(FALSE, FALSE, sizeof(SortKey),
                                                c->unlisted ? 0 : to - from)
                            : NULL,
            .visit = collect ? visit : NULL,
            .data = collect && visit ? data[k] : NULL,
        };
        if (k > 0)
            threads[k] = g_thread_new("finish", fn, &jobs[k]);
    }
    fn(&jobs[0]);
    for (guint k = 1; k < n; k++)
        g_thread_join(threads[k]);
}

static void
fold_one(Correlator *c, Message *m)
{
    Message *next = NULL;
    for (Timeline *t = m->timelines; t; t = t->next) {
        next = hop_target(c, m, t->last_event);
        if (next == NULL)
            return;
    }
    m->internal = TRUE;
    c->stats.internal_hops++;
    if (next->message_id == NULL)
        next->message_id = m->message_id;
    if (next->campaign == NULL)
        next->campaign = m->campaign;
    if (next->envid == NULL)
        next->envid = m->envid;
    if (m->queued_at && (next->queued_at == 0 || m->queued_at < next->queued_at))
        next->queued_at = m->queued_at;
}

/* The hops, found from the deliveries' next-hop hashes (recorded as the events were added)
 * against the hashes of every message's key, and folded in order of creation: before the
 * timelines are finished and counted, so that the next message is counted with the queue
 * time, Message-ID and campaign it takes from the first. Only the candidates (messages whose
 * every recipient went to an id that shares a hash with one of our keys: the hops, and a rare
 * collision) are looked at; no walk over every message's events. */
typedef struct {
    Correlator *c;
    KeyFilter *filter;
    int phase; /* 0: add the keys' hashes [keys_from, keys_to); 1: look up [from, to) */
    guint keys_from, keys_to, from, to;
    GArray *hits; /* guint32: the deliveries whose next-hop hash may be a key's */
} HopJob;

static gpointer
hop_job(gpointer data)
{
    HopJob *job = data;
    if (job->phase == 0) {
        key_filter_add(job->filter, job->c->key_hashes.data,
                       job->keys_from, job->keys_to);
        return NULL;
    }
    const guint32 *remote = job->c->remote_hashes.data;
    for (guint i = job->from; i < job->to; i++) {
        if (i + 16 < job->to)
            key_filter_prefetch(job->filter, remote[i + 16]);
        if (key_filter_may_have(job->filter, remote[i]))
            g_array_append_val(job->hits, i);
    }
    return NULL;
}

static void
find_hops(Correlator *c)
{
    if (c->hop_targets) {
        g_hash_table_destroy(c->hop_targets);
        c->hop_targets = NULL;
    }
    guint nr = c->remote_msgs.len;
    if (nr == 0)
        return;
    /* the filter is filled, then the next-hop hashes looked up, half on each of two threads */
    KeyFilter filter;
    key_filter_alloc(&filter, c->key_hashes.len);
    HopJob jobs[2];
    for (guint k = 0; k < 2; k++)
        jobs[k] = (HopJob){.c = c,
                           .filter = &filter,
                           .keys_from = c->key_hashes.len * k / 2,
                           .keys_to = c->key_hashes.len * (k + 1) / 2,
                           .from = nr * k / 2,
                           .to = nr * (k + 1) / 2,
                           .hits = g_array_new(FALSE, FALSE, sizeof(guint32))};
    /* a thread is worth starting for many hashes only */
    gboolean two = c->key_hashes.len + nr >= 65536;
    for (int phase = 0; phase < 2; phase++) {
        jobs[0].phase = jobs[1].phase = phase;
        GThread *other = two ? g_thread_new("hops", hop_job, &jobs[1]) : NULL;
        hop_job(&jobs[0]);
        if (other)
            g_thread_join(other);
        else
            hop_job(&jobs[1]);
    }
    g_autoptr(GHashTable) candidates = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_autoptr(GHashTable) looked_at = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint k = 0; k < 2; k++) {
        for (guint i = 0; i < jobs[k].hits->len; i++) {
            Message *m = c->remote_msgs.data[g_array_index(jobs[k].hits, guint32, i)];
            if (g_hash_table_add(looked_at, m) && may_be_hop(&filter, m))
                g_hash_table_add(candidates, m);
        }
        g_array_unref(jobs[k].hits);
    }
    big_block_free(filter.slots, (filter.mask + 1) * sizeof(guint32));
    if (g_hash_table_size(candidates) == 0)
        return;
    /* one pass over the keys' hashes finds, in order of creation, the messages whose keys are
     * the candidates' next-hop ids and the candidates themselves: the hashes of each mark a
     * small bitmap, and only the messages whose hash is marked are looked at */
    c->hop_targets =
        g_hash_table_new_full(string_hash, g_str_equal, NULL, (GDestroyNotify)g_ptr_array_unref);
    enum { BITS = 1 << 16 };
    g_autofree guint64 *target_bits = g_new0(guint64, BITS / 64);
    g_autofree guint64 *candidate_bits = g_new0(guint64, BITS / 64);
#define MARK(bits, h) ((bits)[(h) % BITS / 64] |= G_GUINT64_CONSTANT(1) << ((h) % BITS % 64))
#define MARKED(bits, h) (((bits)[(h) % BITS / 64] >> ((h) % BITS % 64)) & 1)
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, candidates);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        const Message *m = key;
        MARK(candidate_bits, m->key_hash);
        for (const Timeline *t = m->timelines; t; t = t->next) {
            const TimelineEvent *last = t->last_event;
            if (g_hash_table_contains(c->hop_targets, last->remote_id))
                continue;
            g_hash_table_insert(c->hop_targets, (gpointer)last->remote_id, g_ptr_array_new());
            MARK(target_bits, last->remote_hash);
        }
    }
    g_autoptr(GPtrArray) in_order = g_ptr_array_new();
    guint n = c->messages->len;
    const guint32 *hashes = c->key_hashes.data;
    for (guint i = 0; i < n; i++) {
        guint32 h = hashes[i];
        if (!MARKED(target_bits, h) && !MARKED(candidate_bits, h))
            continue;
        Message *m = c->messages->pdata[i];
        GPtrArray *same = m->key ? g_hash_table_lookup(c->hop_targets, m->key) : NULL;
        if (same)
            g_ptr_array_add(same, m);
        if (g_hash_table_contains(candidates, m))
            g_ptr_array_add(in_order, m);
    }
#undef MARK
#undef MARKED
    /* in order of creation: an earlier hop moves its queue time to the next message, which a
     * later hop's check reads */
    for (guint i = 0; i < in_order->len; i++)
        fold_one(c, in_order->pdata[i]);
}

/* Folds the hops, then marks the local messages on the threads (with classifiers, finishing
 * and gathering the counted timelines in the same walk). */
static void
fold_hops_and_mark_local(Correlator *c, RangeJob *jobs, guint threads,
                         Classifier *const *classifiers, CorrelatorVisit visit,
                         gpointer const *data)
{
    find_hops(c);
    run_ranges(c, jobs, threads, scan_range, classifiers, classifiers != NULL, visit, data);
    for (guint k = 0; k < threads; k++)
        c->stats.local_messages += jobs[k].local_messages;
}

/* The ranges' sorted timelines merged into one list in report order (ranges are in order of
 * creation, so comparing (time, range, index) is comparing (time, global index)). */
static void
merge_counted(Correlator *c, RangeJob *jobs, guint n)
{
    guint total = 0;
    for (guint k = 0; k < n; k++) {
        total += jobs[k].counted->len;
        c->messages_counted += jobs[k].messages_counted;
        c->uncounted_deliveries += jobs[k].uncounted_deliveries;
    }
    if (c->counted)
        g_ptr_array_unref(c->counted);
    c->counted = g_ptr_array_sized_new(total);
    guint pos[8] = {0};
    for (guint out = 0; out < total; out++) {
        guint best = n;
        for (guint k = 0; k < n; k++) {
            if (pos[k] >= jobs[k].keys->len)
                continue;
            const SortKey *x = &g_array_index(jobs[k].keys, SortKey, pos[k]);
            if (best == n ||
                x->when < g_array_index(jobs[best].keys, SortKey, pos[best]).when)
                best = k;
        }
        const SortKey *x = &g_array_index(jobs[best].keys, SortKey, pos[best]++);
        g_ptr_array_add(c->counted, jobs[best].counted->pdata[x->index]);
    }
    for (guint k = 0; k < n; k++) {
        g_ptr_array_unref(jobs[k].counted);
        g_array_unref(jobs[k].keys);
    }
}

/* Every message, closed or not, in the key index: linking looks up queue ids of the past. */
static void
index_all_keys(Correlator *c)
{
    key_index_init(&c->by_key, c->messages->len);
    Message *const *all = (Message *const *)c->messages->pdata;
    guint n = c->messages->len;
    for (guint i = 0; i < n; i++) {
        /* the messages are far apart and so are their slots: fetch the message eight steps
         * ahead, and the slot of the one four steps ahead (whose hash has arrived by then) */
        if (i + 8 < n)
            __builtin_prefetch(all[i + 8]);
        if (i + 4 < n && all[i + 4]->key)
            key_index_prefetch(&c->by_key, all[i + 4]->key_hash);
        if (all[i]->key)
            key_index_push(&c->by_key, all[i]);
    }
}

void
correlator_finish_parallel(Correlator *c, Classifier *const *classifiers, guint n)
{
    correlator_finish_visit(c, classifiers, n, NULL, NULL);
}

void
correlator_finish_visit(Correlator *c, Classifier *const *classifiers, guint n,
                        CorrelatorVisit visit, gpointer const *data)
{
    n = CLAMP(n, 1, 8);
    RangeJob jobs[8];
    /* without events from other sources to link into them, the timelines are complete once
     * read: finished and gathered in the scan's walk */
    gboolean complete = c->pending->len == 0;
    fold_hops_and_mark_local(c, jobs, n, complete ? classifiers : NULL, visit, data);
    if (complete) {
        merge_counted(c, jobs, n);
        return;
    }
    /* linking looks up queue ids of the past: every message, closed or not, by key */
    index_all_keys(c);
    build_indexes(c);
    g_array_sort(c->pending, compare_event_time);
    /* application events first: they give campaigns and create the messages that never
     * reached an MTA; then transcripts; then the mailbox */
    for (int pass = 0; pass < 3; pass++) {
        for (guint i = 0; i < c->pending->len; i++) {
            const Event *e = &g_array_index(c->pending, Event, i);
            gboolean app = is_app_kind(e->kind);
            gboolean transcript = (e->attempt_flags & EVENT_FLAG_TRANSCRIPT) != 0;
            if (pass == 0 && app)
                link_app_event(c, e);
            else if (pass == 1 && transcript)
                link_transcript(c, e);
            else if (pass == 2 && !app && !transcript)
                link_mailbox(c, e);
        }
    }
    g_array_set_size(c->pending, 0);
    /* each timeline is derived on its own: split the messages between the threads */
    run_ranges(c, jobs, n, finish_range, classifiers, TRUE, visit, data);
    merge_counted(c, jobs, n);
}

void
correlator_finish(Correlator *c, Classifier *classifier)
{
    correlator_finish_parallel(c, &classifier, 1);
}

const GPtrArray *
correlator_messages(const Correlator *c)
{
    return c->messages;
}

const GPtrArray *
correlator_counted_timelines(const Correlator *c, guint64 *messages,
                             guint64 *uncounted_deliveries)
{
    if (messages)
        *messages = c->messages_counted;
    if (uncounted_deliveries)
        *uncounted_deliveries = c->uncounted_deliveries;
    return c->counted;
}

const GArray *
correlator_other_items(const Correlator *c)
{
    return c->other;
}

const CorrelatorStats *
correlator_stats(const Correlator *c)
{
    return &c->stats;
}
