/* Event helpers and the EventBatch that carries a stream's events to the correlator. */
#include "event.h"
#include "string-pool.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Longest text kept from any input field; longer text is cut at a UTF-8 boundary. */
#define EVENT_STRING_MAX 4096

static const char *const step_names[STEP_N] = {
    [STEP_UNKNOWN] = "unknown",       [STEP_COMPILE] = "compile",
    [STEP_RESOLVE] = "resolve",       [STEP_CONNECT] = "connect",
    [STEP_GREETING] = "greeting",     [STEP_HELO] = "helo",
    [STEP_TLS] = "tls",               [STEP_MAIL_FROM] = "mail-from",
    [STEP_RCPT_TO] = "rcpt-to",       [STEP_DATA] = "data",
    [STEP_END_OF_DATA] = "end-of-data", [STEP_QUIT] = "quit",
    [STEP_ASYNC] = "async-bounce",
};

static const char *const kind_names[EVENT_KIND_N] = {
    [EVENT_KIND_NONE] = "none",
    [EVENT_KIND_COMPILED] = "compiled",
    [EVENT_KIND_COMPILE_FAILED] = "compile-failed",
    [EVENT_KIND_SUPPRESSED] = "suppressed",
    [EVENT_KIND_SUBMITTED] = "submitted",
    [EVENT_KIND_QUEUED] = "queued",
    [EVENT_KIND_REJECTED] = "rejected",
    [EVENT_KIND_DELIVERED] = "delivered",
    [EVENT_KIND_DEFERRED] = "deferred",
    [EVENT_KIND_FAILED] = "failed",
    [EVENT_KIND_EXPIRED] = "expired",
    [EVENT_KIND_NOTIFICATION] = "notification",
    [EVENT_KIND_MESSAGE_END] = "message-end",
    [EVENT_KIND_SMTP_COMMAND] = "smtp-command",
    [EVENT_KIND_BOUNCE] = "bounce",
    [EVENT_KIND_DELAY_NOTICE] = "delay-notice",
    [EVENT_KIND_DSN_SUCCESS] = "dsn-success",
    [EVENT_KIND_COMPLAINT] = "complaint",
    [EVENT_KIND_OTHER_RECEIVED] = "other-received",
};

const char *
step_to_string(Step step)
{
    return (unsigned)step < STEP_N ? step_names[step] : "unknown";
}

Step
step_from_string(const char *s)
{
    static const struct {
        const char *name;
        Step step;
    } aliases[] = {
        {"dns", STEP_RESOLVE},         {"conn", STEP_CONNECT},    {"banner", STEP_GREETING},
        {"intro", STEP_GREETING},      {"ehlo", STEP_HELO},       {"lhlo", STEP_HELO},
        {"starttls", STEP_TLS},        {"mailfrom", STEP_MAIL_FROM}, {"mail", STEP_MAIL_FROM},
        {"rcptto", STEP_RCPT_TO},      {"rcpt", STEP_RCPT_TO},    {"message", STEP_END_OF_DATA},
        {"end-of-data", STEP_END_OF_DATA}, {"eod", STEP_END_OF_DATA}, {"async", STEP_ASYNC},
    };
    if (s == NULL)
        return STEP_UNKNOWN;
    for (int i = 0; i < STEP_N; i++)
        if (g_ascii_strcasecmp(s, step_names[i]) == 0)
            return (Step)i;
    for (gsize i = 0; i < G_N_ELEMENTS(aliases); i++)
        if (g_ascii_strcasecmp(s, aliases[i].name) == 0)
            return aliases[i].step;
    return STEP_UNKNOWN;
}

const char *
permanence_to_string(Permanence p)
{
    switch (p) {
    case PERMANENCE_TEMPORARY:
        return "temporary";
    case PERMANENCE_PERMANENT:
        return "permanent";
    case PERMANENCE_UNKNOWN:
        break;
    }
    return "";
}

const char *
event_kind_to_string(EventKind kind)
{
    return (unsigned)kind < EVENT_KIND_N ? kind_names[kind] : "none";
}

struct EventBatch {
    Event *events;
    guint len, cap;
    StringPool *strings;
    /* the host of the last event added, a copy in strings: the next events of the stream
     * name the same host, and share the copy */
    const char *host;
    gsize host_len;
};

EventBatch *
event_batch_new(void)
{
    EventBatch *b = g_new0(EventBatch, 1);
    b->cap = 1024;
    b->events = g_new(Event, b->cap);
    b->strings = string_pool_new();
    return b;
}

void
event_batch_free(EventBatch *batch)
{
    if (batch == NULL)
        return;
    g_free(batch->events);
    string_pool_free(batch->strings);
    g_free(batch);
}

/* Does s hold a control character, DEL or a non-ASCII byte? Eight bytes at a time (may say
 * yes for a clean word after a borrow, never no for a dirty one): for the tail of an event's
 * strings (region_needs_care takes sixteen at a time) and for each string of a dirty event. */
static gboolean
batch_needs_care(const char *s, gsize len)
{
    const guint64 ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    gsize i = 0;
    for (; i + 8 <= len; i += 8) {
        guint64 w;
        memcpy(&w, s + i, 8);
        guint64 ctl = (w - 0x20 * ones) & ~w;
        guint64 del = w ^ (0x7F * ones);
        del = (del - ones) & ~del;
        if ((ctl | del | w) & highs)
            return TRUE;
    }
    for (; i < len; i++) {
        guchar c = (guchar)s[i];
        if (c < 0x20 || c >= 0x7F)
            return TRUE;
    }
    return FALSE;
}

/* The length of s, bounded to EVENT_STRING_MAX (backed up to the start of a UTF-8
 * sequence when cut). */
#if defined(__SSE2__)
/* The length of s when it ends within its first 32 bytes, else -1: two loads in line. It
 * reads 32 bytes, past the end of s, but only when they lie in one page (so never where a read
 * could fault): hence not shown to the address sanitizer, which would see a read past the end
 * of the object. */
__attribute__((no_sanitize_address)) static inline gssize
short_length(const char *s)
{
    if (((guintptr)s & 4095) > 4096 - 32)
        return -1;
    const __m128i zero = _mm_setzero_si128();
    guint m = (guint)_mm_movemask_epi8(
                  _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)s), zero)) |
              (guint)_mm_movemask_epi8(_mm_cmpeq_epi8(
                  _mm_loadu_si128((const __m128i *)(const void *)(s + 16)), zero))
                  << 16;
    return m ? (gssize)__builtin_ctz(m) : -1;
}
#endif

/* n bytes from src to dst: short strings (most of an event's) in line, with loads that
 * overlap instead of a loop or a call. */
static inline void
copy_bytes(char *dst, const char *src, gsize n)
{
    if (n >= 8 && n <= 16) {
        guint64 a, b;
        memcpy(&a, src, 8);
        memcpy(&b, src + n - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + n - 8, &b, 8);
    } else if (n >= 4 && n < 8) {
        guint32 a, b;
        memcpy(&a, src, 4);
        memcpy(&b, src + n - 4, 4);
        memcpy(dst, &a, 4);
        memcpy(dst + n - 4, &b, 4);
    } else if (n > 0 && n < 4) {
        dst[0] = src[0];
        dst[n / 2] = src[n / 2];
        dst[n - 1] = src[n - 1];
    } else {
        memcpy(dst, src, n);
    }
}

static gsize
bounded_length(const char *s)
{
#if defined(__SSE2__)
    gssize n = short_length(s);
    if (n >= 0)
        return (gsize)n;
#endif
    gsize len = strnlen(s, EVENT_STRING_MAX + 1);
    if (len > EVENT_STRING_MAX) {
        len = EVENT_STRING_MAX;
        while (len > 0 && ((guchar)s[len] & 0xC0) == 0x80)
            len--;
    }
    return len;
}

/* Control characters turned into spaces and invalid UTF-8 repaired, in the batch's copy:
 * every string that reaches a report is safe to write as XML text. Returns the clean string
 * (a new copy when the repair changed its length). */
static const char *
clean_copy(EventBatch *b, char *copy, gsize len)
{
    gboolean plain = TRUE;
    for (gsize i = 0; i < len; i++) {
        guchar c = (guchar)copy[i];
        if (c < 0x20 || c == 0x7F)
            copy[i] = ' ';
        else if (c >= 0x80)
            plain = FALSE;
    }
    if (!plain && !g_utf8_validate(copy, (gssize)len, NULL)) {
        g_autofree char *valid = g_utf8_make_valid(copy, (gssize)len);
        return string_pool_copy(b->strings, valid, strlen(valid));
    }
    return copy;
}

/* ASCII letters to lower case, eight bytes at a time (bytes with the high bit set, UTF-8,
 * are left alone). */
static void
ascii_lower(char *s, gsize n)
{
    /* the last block is done once more from where it starts: lower case twice is once */
#if defined(__SSE2__)
    if (n >= 16) {
        const __m128i before_a = _mm_set1_epi8('A' - 1), after_z = _mm_set1_epi8('Z' + 1),
                      bit = _mm_set1_epi8(0x20);
        for (gsize i = 0;; i += 16) {
            gsize at = MIN(i, n - 16);
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + at));
            /* signed: bytes >= 0x80 are negative, outside A-Z */
            __m128i upper =
                _mm_and_si128(_mm_cmpgt_epi8(v, before_a), _mm_cmplt_epi8(v, after_z));
            _mm_storeu_si128((__m128i *)(void *)(s + at),
                             _mm_or_si128(v, _mm_and_si128(upper, bit)));
            if (at == n - 16)
                return;
        }
    }
#endif
    if (n >= 8) {
        const guint64 ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
        for (gsize i = 0;; i += 8) {
            gsize at = MIN(i, n - 8);
            guint64 w;
            memcpy(&w, s + at, 8);
            guint64 low7 = w & ~highs;
            guint64 ge_a = low7 + (0x80 - 'A') * ones;    /* high bit: byte >= 'A' */
            guint64 gt_z = low7 + (0x80 - 'Z' - 1) * ones; /* high bit: byte > 'Z' */
            guint64 upper = (ge_a ^ gt_z) & ~w & highs;
            w |= upper >> 2;                               /* 0x80 >> 2 = 0x20 */
            memcpy(s + at, &w, 8);
            if (at == n - 8)
                return;
        }
    }
    for (gsize i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            s[i] = (char)(s[i] + 32);
}

/* Addresses compare case-insensitively and without angle brackets; Message-IDs without them.
 * Done here, on the thread that parses, so that the correlator finds them ready. s has n
 * bytes. */
static const char *
normal_address(char *s, gsize n)
{
    if (s == NULL)
        return NULL;
    if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
        s[n - 1] = '\0';
        s++;
        n -= 2;
    }
    ascii_lower(s, n);
    return s;
}

static const char *
normal_msgid(char *s, gsize n)
{
    if (s == NULL)
        return NULL;
    while (*s == ' ' || *s == '<') {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == '>' || s[n - 1] == ' '))
        s[--n] = '\0';
    return n ? s : NULL;
}

/* Does any of len bytes need care (see batch_needs_care)? NULs do not: they separate the
 * strings. Sixteen bytes at a time: an event's strings are checked together, in one run over
 * their copies. */
static gboolean
region_needs_care(const char *s, gsize len)
{
#if defined(__SSE2__)
    if (len >= 16) {
        const __m128i zero = _mm_setzero_si128(), space = _mm_set1_epi8(0x20),
                      del = _mm_set1_epi8(0x7F);
        /* signed: bytes >= 0x80 are negative, so "< 0x20" takes them with the controls */
#define REGION_BAD(v)                                                                         \
    _mm_or_si128(_mm_andnot_si128(_mm_cmpeq_epi8((v), zero), _mm_cmplt_epi8((v), space)),     \
                 _mm_cmpeq_epi8((v), del))
#define REGION_LOAD(at) _mm_loadu_si128((const __m128i *)(const void *)(s + (at)))
        gsize i = 0;
        /* sixty-four bytes a step (whole lines are checked this way), then sixteen, then the
         * last sixteen once more from where they start: no loop over single bytes */
        for (; i + 64 <= len; i += 64) {
            __m128i bad = _mm_or_si128(
                _mm_or_si128(REGION_BAD(REGION_LOAD(i)), REGION_BAD(REGION_LOAD(i + 16))),
                _mm_or_si128(REGION_BAD(REGION_LOAD(i + 32)), REGION_BAD(REGION_LOAD(i + 48))));
            if (_mm_movemask_epi8(bad))
                return TRUE;
        }
        for (; i + 16 <= len; i += 16)
            if (_mm_movemask_epi8(REGION_BAD(REGION_LOAD(i))))
                return TRUE;
        return i < len && _mm_movemask_epi8(REGION_BAD(REGION_LOAD(len - 16))) != 0;
#undef REGION_LOAD
#undef REGION_BAD
    }
#endif
    for (gsize i = 0; i < len; i++) {
        guchar c = (guchar)s[i];
        if ((c < 0x20 && c != 0) || c >= 0x7F)
            return TRUE;
    }
    return FALSE;
}

#define EVENT_STRING_FIELDS 21
/* the position of a string field among them */
#define FIELD_INDEX(name)                                                                    \
    ((G_STRUCT_OFFSET(Event, name) - G_STRUCT_OFFSET(Event, host)) / sizeof(const char *))

/* A bit for each of the EVENT_STRING_FIELDS fields that is set: two pointers at a time where
 * SSE2 is there (every x86-64), without a branch per field. */
static guint32
set_fields(const char *const *fields)
{
    G_STATIC_ASSERT(EVENT_STRING_FIELDS == 21);
#if defined(__SSE2__)
    guint32 null = 0;
    const __m128i zero = _mm_setzero_si128();
    for (guint i = 0; i < 20; i += 2) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)&fields[i]);
        __m128i z = _mm_cmpeq_epi32(v, zero);
        /* a pointer is NULL when both of its 32-bit halves are */
        z = _mm_and_si128(z, _mm_shuffle_epi32(z, _MM_SHUFFLE(2, 3, 0, 1)));
        null |= (guint32)_mm_movemask_pd(_mm_castsi128_pd(z)) << i;
    }
    null |= (guint32)(fields[20] == NULL) << 20;
    return ~null & ((1u << EVENT_STRING_FIELDS) - 1);
#else
    guint32 present = 0;
    for (guint i = 0; i < EVENT_STRING_FIELDS; i++)
        present |= (guint32)(fields[i] != NULL) << i;
    return present;
#endif
}

static Event *
batch_push(EventBatch *batch)
{
    if (G_UNLIKELY(batch->len == batch->cap)) {
        batch->cap *= 2;
        batch->events = g_renew(Event, batch->events, batch->cap);
    }
    return &batch->events[batch->len++];
}

void
event_batch_add(EventBatch *batch, const Event *ev)
{
    Event *e = batch_push(batch);
    *e = *ev;
    /* the string fields lie side by side, host to detail */
    G_STATIC_ASSERT(G_STRUCT_OFFSET(Event, detail) - G_STRUCT_OFFSET(Event, host) ==
                    (EVENT_STRING_FIELDS - 1) * sizeof(const char *));
    const char **fields = &e->host;
    guint32 present = set_fields(fields);
    if ((present & 1) && batch->host) {
        G_STATIC_ASSERT(FIELD_INDEX(host) == 0);
        gsize n = batch->host_len;
        if (strncmp(e->host, batch->host, n + 1) == 0) {
            e->host = batch->host;
            present &= ~1u;
        }
    }
    if (present == 0)
        return;
    /* the event's strings: one allocation, one copy each, the whole run checked at once */
    gsize lens[EVENT_STRING_FIELDS], total = 0;
    for (guint32 bits = present; bits; bits &= bits - 1) {
        guint i = (guint)__builtin_ctz(bits);
        lens[i] = bounded_length(fields[i]);
        total += lens[i] + 1;
    }
    char *start = string_pool_alloc(batch->strings, total);
    char *p = start;
    for (guint32 bits = present; bits; bits &= bits - 1) {
        guint i = (guint)__builtin_ctz(bits);
        copy_bytes(p, fields[i], lens[i]);
        p[lens[i]] = '\0';
        fields[i] = p;
        p += lens[i] + 1;
    }
    if (region_needs_care(start, total - 1))
        for (guint32 bits = present; bits; bits &= bits - 1) {
            guint i = (guint)__builtin_ctz(bits);
            char *copy = (char *)fields[i];
            if (batch_needs_care(copy, lens[i])) {
                fields[i] = clean_copy(batch, copy, lens[i]);
                lens[i] = strlen(fields[i]); /* repaired UTF-8 may differ in length */
            }
        }
    if (present & 1) {
        batch->host = e->host;
        batch->host_len = lens[0];
    }
    /* the copies are the batch's own: normalised in place */
#define NORMALISE(fn, name)                                                                   \
    if (present & (1u << FIELD_INDEX(name)))                                                  \
        e->name = fn((char *)e->name, lens[FIELD_INDEX(name)]);
    NORMALISE(normal_address, recipient)
    NORMALISE(normal_address, orig_recipient)
    NORMALISE(normal_address, sender)
    NORMALISE(normal_msgid, message_id)
    NORMALISE(normal_msgid, in_reply_to)
#undef NORMALISE
}

void
event_batch_add_copy(EventBatch *batch, const Event *ev, guint32 input)
{
    Event *e = batch_push(batch);
    *e = *ev;
    e->input = input;
    /* clean and normalised already: copied as they are, in one allocation */
    const char **fields = &e->host;
    gsize lens[EVENT_STRING_FIELDS], total = 0;
    for (guint i = 0; i < EVENT_STRING_FIELDS; i++)
        if (fields[i])
            total += (lens[i] = strlen(fields[i])) + 1;
    if (total == 0)
        return;
    char *p = string_pool_alloc(batch->strings, total);
    for (guint i = 0; i < EVENT_STRING_FIELDS; i++)
        if (fields[i]) {
            memcpy(p, fields[i], lens[i] + 1);
            fields[i] = p;
            p += lens[i] + 1;
        }
}

guint
event_batch_len(const EventBatch *batch)
{
    return batch->len;
}

Event *
event_batch_events(EventBatch *batch)
{
    return batch->events;
}

const Event *
event_batch_get(const EventBatch *batch, guint i)
{
    g_return_val_if_fail(i < batch->len, NULL);
    return &batch->events[i];
}

void
event_batch_clear(EventBatch *batch)
{
    batch->len = 0;
    batch->host = NULL;
    string_pool_clear(batch->strings);
}
