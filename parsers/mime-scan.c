/* See mime-scan.h: header blocks, Content-Type, multipart and transfer decoding as slices of the
 * item buffer, with GMime for encoded words, charsets, base64 and quoted-printable. */
#include "mime-scan.h"

#include <gmime/gmime.h>
#include <string.h>

#define ARENA_CHUNK ((gsize)64 * 1024)

struct MimeArena {
    GPtrArray *chunks; /* chunk 0 is kept across resets */
    char *cur;
    gsize left;
};

MimeArena *
mime_arena_new(void)
{
    MimeArena *a = g_new0(MimeArena, 1);
    a->chunks = g_ptr_array_new_with_free_func(g_free);
    char *c = g_malloc(ARENA_CHUNK);
    g_ptr_array_add(a->chunks, c);
    a->cur = c;
    a->left = ARENA_CHUNK;
    return a;
}

void
mime_arena_free(MimeArena *arena)
{
    if (arena == NULL)
        return;
    g_ptr_array_unref(arena->chunks);
    g_free(arena);
}

void
mime_arena_reset(MimeArena *arena)
{
    if (arena->chunks->len > 1)
        g_ptr_array_remove_range(arena->chunks, 1, arena->chunks->len - 1);
    arena->cur = arena->chunks->pdata[0];
    arena->left = ARENA_CHUNK;
}

gpointer
mime_arena_alloc(MimeArena *arena, gsize size)
{
    size = (size + 7) & ~(gsize)7;
    if (size == 0)
        size = 8;
    if (size > arena->left) {
        if (size > ARENA_CHUNK / 4) {
            /* a large block of its own; the current chunk stays in use */
            char *big = g_malloc(size);
            g_ptr_array_add(arena->chunks, big);
            return big;
        }
        char *c = g_malloc(ARENA_CHUNK);
        g_ptr_array_add(arena->chunks, c);
        arena->cur = c;
        arena->left = ARENA_CHUNK;
    }
    char *p = arena->cur;
    arena->cur += size;
    arena->left -= size;
    return p;
}

char *
mime_arena_strndup(MimeArena *arena, const char *s, gsize len)
{
    char *d = mime_arena_alloc(arena, len + 1);
    if (len)
        memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

/* ---- header blocks ---- */

static gboolean
is_blank_line(const char *q, const char *le)
{
    return le == q || (le - q == 1 && *q == '\r');
}

/* Length of a field name at q ending at ':' (WSP allowed before the colon), 0 if none. */
static gsize
field_name_len(const char *q, const char *le, const char **colon)
{
    const char *p = q;
    while (p < le && (guchar)*p > 32 && (guchar)*p < 127 && *p != ':')
        p++;
    gsize n = (gsize)(p - q);
    if (n == 0 || n > 200)
        return 0;
    const char *c = p;
    while (c < le && (*c == ' ' || *c == '\t'))
        c++;
    if (c >= le || *c != ':')
        return 0;
    *colon = c;
    return n;
}

gboolean
mime_headers_parse(MimeArena *arena, const char *p, gsize len, MimeHeaders *out)
{
    const char *end = p + len, *q = p;
    guint cap = 16;
    memset(out, 0, sizeof *out);
    out->fields = mime_arena_alloc(arena, cap * sizeof(MimeField));
    out->body = end;
    MimeField *cur = NULL;
    while (q < end) {
        const char *nl = memchr(q, '\n', (gsize)(end - q));
        const char *le = nl ? nl : end;
        const char *next = nl ? nl + 1 : end;
        if (is_blank_line(q, le)) {
            out->body = next;
            goto done;
        }
        if (*q == ' ' || *q == '\t') {
            if (cur == NULL) {
                if (out->n == 0)
                    return FALSE;
            } else {
                const char *ve = le;
                if (ve > cur->value && ve[-1] == '\r')
                    ve--;
                if (ve > cur->value)
                    cur->value_len = (guint32)(ve - cur->value);
            }
            q = next;
            continue;
        }
        const char *colon = NULL;
        gsize nlen = field_name_len(q, le, &colon);
        if (nlen == 0) {
            if (out->n == 0)
                return FALSE;
            out->flags |= MIME_HEADERS_NO_BLANK;
            out->body = q;
            goto done;
        }
        if (out->n >= MIME_MAX_FIELDS || (gsize)(q - p) > MIME_MAX_HEADER_BYTES) {
            /* a header bomb: skip to the blank line, the body is still read */
            out->flags |= MIME_HEADERS_TRUNCATED;
            const char *b = q;
            for (;;) {
                const char *n2 = memchr(b, '\n', (gsize)(end - b));
                if (n2 == NULL) {
                    out->body = end;
                    break;
                }
                b = n2 + 1;
                if (b < end && (*b == '\n' || (*b == '\r' && b + 1 < end && b[1] == '\n'))) {
                    out->body = *b == '\n' ? b + 1 : b + 2;
                    break;
                }
            }
            goto done;
        }
        if (out->n == cap) {
            MimeField *f = mime_arena_alloc(arena, (gsize)cap * 2 * sizeof(MimeField));
            memcpy(f, out->fields, cap * sizeof(MimeField));
            out->fields = f;
            cap *= 2;
        }
        cur = &out->fields[out->n++];
        cur->name = q;
        cur->name_len = (guint32)nlen;
        const char *v = colon + 1;
        while (v < le && (*v == ' ' || *v == '\t'))
            v++;
        const char *ve = le;
        if (ve > v && ve[-1] == '\r')
            ve--;
        cur->value = v;
        cur->value_len = (guint32)(ve > v ? ve - v : 0);
        q = next;
    }
    out->body = end;
done:
    out->body_len = (gsize)(end - out->body);
    return TRUE;
}

const MimeField *
mime_headers_next(const MimeHeaders *h, const MimeField *prev, const char *name)
{
    gsize n = strlen(name);
    guint i = prev ? (guint)(prev - h->fields) + 1 : 0;
    for (; i < h->n; i++) {
        const MimeField *f = &h->fields[i];
        if (f->name_len == n && g_ascii_strncasecmp(f->name, name, n) == 0)
            return f;
    }
    return NULL;
}

const MimeField *
mime_headers_get(const MimeHeaders *h, const char *name)
{
    return mime_headers_next(h, NULL, name);
}

char *
mime_field_value(MimeArena *arena, const MimeField *f)
{
    gsize n = MIN((gsize)f->value_len, (gsize)MIME_MAX_VALUE);
    char *d = mime_arena_alloc(arena, n + 1);
    gsize o = 0;
    const char *s = f->value, *e = f->value + n;
    while (s < e) {
        char c = *s++;
        if (c == '\r' || c == '\n') {
            while (s < e && (*s == '\r' || *s == '\n' || *s == ' ' || *s == '\t'))
                s++;
            c = ' ';
        } else if (c == '\t' || c == '\0') {
            c = ' ';
        }
        d[o++] = c;
    }
    while (o > 0 && d[o - 1] == ' ')
        o--;
    d[o] = '\0';
    return d;
}

char *
mime_headers_value(MimeArena *arena, const MimeHeaders *h, const char *name)
{
    const MimeField *f = mime_headers_get(h, name);
    return f ? mime_field_value(arena, f) : NULL;
}

/* ---- Content-Type ---- */

static const char *
skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static void
copy_lower(char *dst, gsize size, const char *s, gsize n)
{
    n = MIN(n, size - 1);
    for (gsize i = 0; i < n; i++)
        dst[i] = g_ascii_tolower(s[i]);
    dst[n] = '\0';
}

static gboolean
is_token_char(char c)
{
    return (guchar)c > 32 && (guchar)c < 127 && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

void
mime_content_type_parse(MimeArena *arena, const char *value, MimeContentType *ct)
{
    memset(ct, 0, sizeof *ct);
    if (value == NULL || *value == '\0') {
        strcpy(ct->type, "text");
        strcpy(ct->subtype, "plain");
        return;
    }
    const char *s = skip_ws(value);
    const char *t = s;
    while (is_token_char(*s))
        s++;
    copy_lower(ct->type, sizeof ct->type, t, (gsize)(s - t));
    s = skip_ws(s);
    if (*s == '/') {
        s = skip_ws(s + 1);
        t = s;
        while (is_token_char(*s))
            s++;
        copy_lower(ct->subtype, sizeof ct->subtype, t, (gsize)(s - t));
    }
    /* parameters: name=value; quoted strings may hold ';' */
    while (*s) {
        const char *semi = s;
        while (*semi && *semi != ';') {
            if (*semi == '"') {
                semi++;
                while (*semi && *semi != '"') {
                    if (*semi == '\\' && semi[1])
                        semi++;
                    semi++;
                }
                if (*semi)
                    semi++;
            } else {
                semi++;
            }
        }
        if (*semi != ';')
            break;
        s = skip_ws(semi + 1);
        const char *name = s;
        while (*s && *s != '=' && *s != ';' && *s != ' ' && *s != '\t')
            s++;
        gsize name_len = (gsize)(s - name);
        s = skip_ws(s);
        if (*s != '=')
            continue;
        s = skip_ws(s + 1);
        const char *v;
        gsize vlen;
        char *unq = NULL;
        if (*s == '"') {
            s++;
            const char *vs = s;
            gsize cap = strlen(vs);
            unq = mime_arena_alloc(arena, cap + 1);
            gsize o = 0;
            while (*s && *s != '"') {
                if (*s == '\\' && s[1])
                    s++;
                unq[o++] = *s++;
            }
            unq[o] = '\0';
            if (*s == '"')
                s++;
            v = unq;
            vlen = o;
        } else {
            v = s;
            while (*s && *s != ';' && *s != ' ' && *s != '\t')
                s++;
            vlen = (gsize)(s - v);
        }
        if (name_len == 8 && g_ascii_strncasecmp(name, "boundary", 8) == 0) {
            if (vlen > 0 && vlen <= 200 && ct->boundary == NULL)
                ct->boundary = unq ? unq : mime_arena_strndup(arena, v, vlen);
        } else if (name_len == 7 && g_ascii_strncasecmp(name, "charset", 7) == 0) {
            char *c = mime_arena_strndup(arena, v, MIN(vlen, (gsize)64));
            for (char *x = c; *x; x++)
                *x = g_ascii_tolower(*x);
            ct->charset = c;
        } else if (name_len == 11 && g_ascii_strncasecmp(name, "report-type", 11) == 0) {
            char *c = mime_arena_strndup(arena, v, MIN(vlen, (gsize)64));
            for (char *x = c; *x; x++)
                *x = g_ascii_tolower(*x);
            ct->report_type = c;
        }
    }
}

gboolean
mime_content_type_is(const MimeContentType *ct, const char *type, const char *subtype)
{
    return strcmp(ct->type, type) == 0 && (subtype == NULL || strcmp(ct->subtype, subtype) == 0);
}

/* ---- multipart ---- */

void
mime_multipart_init(MimeMultipart *mp, const char *body, gsize len, const char *boundary)
{
    memset(mp, 0, sizeof *mp);
    mp->pos = body;
    mp->end = body + len;
    mp->boundary = boundary;
    mp->blen = strlen(boundary);
}

/* Finds the next delimiter line "--boundary[--][WSP]" at a line start in [from, end).
 * Returns the start of the "--", sets *after to the byte after the line and *close. */
static const char *
find_delimiter(const MimeMultipart *mp, const char *from, const char *start, const char **after,
               gboolean *close)
{
    const char *p = from;
    while (p < mp->end) {
        const char *hit = memmem(p, (gsize)(mp->end - p), mp->boundary, mp->blen);
        if (hit == NULL)
            return NULL;
        const char *d = hit - 2;
        p = hit + 1;
        if (d < start || d[0] != '-' || d[1] != '-')
            continue;
        if (d != start && d[-1] != '\n')
            continue;
        const char *e = hit + mp->blen;
        gboolean is_close = FALSE;
        if (e + 1 < mp->end && e[0] == '-' && e[1] == '-') {
            is_close = TRUE;
            e += 2;
        }
        while (e < mp->end && (*e == ' ' || *e == '\t' || *e == '\r'))
            e++;
        if (e < mp->end && *e != '\n')
            continue; /* a longer boundary that starts with this one */
        *after = e < mp->end ? e + 1 : e;
        *close = is_close;
        return d;
    }
    return NULL;
}

gboolean
mime_multipart_next(MimeMultipart *mp, const char **part, gsize *part_len)
{
    if (mp->done || mp->blen == 0)
        return FALSE;
    const char *start;
    const char *after;
    gboolean close;
    if (!mp->started) {
        mp->started = TRUE;
        const char *d = find_delimiter(mp, mp->pos, mp->pos, &after, &close);
        if (d == NULL || close) {
            mp->done = TRUE;
            return FALSE;
        }
        mp->pos = after;
    }
    start = mp->pos;
    const char *d = find_delimiter(mp, mp->pos, start, &after, &close);
    const char *pe;
    if (d == NULL) {
        /* no closing delimiter: a truncated item; the last part runs to the end */
        pe = mp->end;
        mp->done = TRUE;
    } else {
        pe = d;
        if (pe > start && pe[-1] == '\n')
            pe--;
        if (pe > start && pe[-1] == '\r')
            pe--;
        mp->pos = after;
        if (close) {
            mp->done = TRUE;
            mp->closed = TRUE;
        }
    }
    *part = start;
    *part_len = (gsize)(pe - start);
    return TRUE;
}

/* ---- transfer encodings, charsets, encoded words ---- */

const char *
mime_decode_transfer(MimeArena *arena, const char *cte, const char *body, gsize len, gsize *out_len)
{
    *out_len = len;
    if (cte == NULL)
        return body;
    int state = 0;
    guint32 save = 0;
    if (g_ascii_strncasecmp(cte, "base64", 6) == 0) {
        guchar *out = mime_arena_alloc(arena, len + 4);
        gsize n = g_mime_encoding_base64_decode_step((const guchar *)body, len, out, &state, &save);
        out[n] = '\0';
        *out_len = n;
        return (const char *)out;
    }
    if (g_ascii_strncasecmp(cte, "quoted-printable", 16) == 0) {
        guchar *out = mime_arena_alloc(arena, len + 4);
        gsize n = g_mime_encoding_quoted_decode_step((const guchar *)body, len, out, &state, &save);
        out[n] = '\0';
        *out_len = n;
        return (const char *)out;
    }
    return body;
}

static gboolean
is_ascii(const char *s, gsize len)
{
    for (gsize i = 0; i < len; i++)
        if ((guchar)s[i] >= 0x80 || s[i] == 0x1b)
            return FALSE;
    return TRUE;
}

/* Converters to UTF-8 are kept for reuse, a few per charset, for the whole run: each open
 * loads glibc's conversion module and the last close unloads it again, which costs more than
 * most conversions. An open converter also keeps the module loaded for GMime's own (encoded
 * words in headers). Shared by the decoding threads. */
#define ICONV_POOL_MAX 64

typedef struct {
    char *charset;
    iconv_t cd;
} PooledIconv;

static GMutex iconv_lock;
static GArray *iconv_pool; /* PooledIconv: converters not in use */

/* A converter from charset, reset; (iconv_t)-1 when iconv does not know it. */
static iconv_t
iconv_take(const char *charset)
{
    g_mutex_lock(&iconv_lock);
    for (guint i = 0; iconv_pool && i < iconv_pool->len; i++) {
        PooledIconv *p = &g_array_index(iconv_pool, PooledIconv, i);
        if (g_ascii_strcasecmp(p->charset, charset) == 0) {
            iconv_t cd = p->cd;
            g_free(p->charset);
            g_array_remove_index_fast(iconv_pool, i);
            g_mutex_unlock(&iconv_lock);
            iconv(cd, NULL, NULL, NULL, NULL);
            return cd;
        }
    }
    g_mutex_unlock(&iconv_lock);
    return g_mime_iconv_open("UTF-8", charset);
}

static void
iconv_give(const char *charset, iconv_t cd)
{
    g_mutex_lock(&iconv_lock);
    if (iconv_pool == NULL)
        iconv_pool = g_array_new(FALSE, FALSE, sizeof(PooledIconv));
    if (iconv_pool->len < ICONV_POOL_MAX) {
        PooledIconv p = {g_strdup(charset), cd};
        g_array_append_val(iconv_pool, p);
        cd = (iconv_t)-1;
    }
    g_mutex_unlock(&iconv_lock);
    if (cd != (iconv_t)-1)
        g_mime_iconv_close(cd);
}

/* Makes sure that a converter from charset is kept (for GMime's conversions). */
static void
iconv_keep(const char *charset)
{
    iconv_t cd = iconv_take(charset);
    if (cd != (iconv_t)-1)
        iconv_give(charset, cd);
}

static char *
latin1_to_utf8(MimeArena *arena, const char *s, gsize len)
{
    char *d = mime_arena_alloc(arena, len * 2 + 1);
    gsize o = 0;
    for (gsize i = 0; i < len; i++) {
        guchar c = (guchar)s[i];
        if (c < 0x80) {
            d[o++] = (char)c;
        } else {
            d[o++] = (char)(0xc0 | (c >> 6));
            d[o++] = (char)(0x80 | (c & 0x3f));
        }
    }
    d[o] = '\0';
    return d;
}

static char *
valid_copy(MimeArena *arena, const char *s, gsize len)
{
    if (g_utf8_validate(s, (gssize)len, NULL))
        return mime_arena_strndup(arena, s, len);
    g_autofree char *v = g_utf8_make_valid(s, (gssize)len);
    return mime_arena_strndup(arena, v, strlen(v));
}

char *
mime_to_utf8(MimeArena *arena, const char *s, gsize len, const char *charset, gboolean *bad_charset)
{
    /* NULs would cut the text short for every reader after us */
    if (memchr(s, '\0', len) != NULL) {
        char *c = mime_arena_strndup(arena, s, len);
        for (gsize i = 0; i < len; i++)
            if (c[i] == '\0')
                c[i] = ' ';
        s = c;
    }
    if (is_ascii(s, len))
        return mime_arena_strndup(arena, s, len);
    if (charset == NULL || *charset == '\0' || g_ascii_strcasecmp(charset, "utf-8") == 0 ||
        g_ascii_strcasecmp(charset, "utf8") == 0 || g_ascii_strcasecmp(charset, "us-ascii") == 0)
        return valid_copy(arena, s, len);
    iconv_t cd = iconv_take(charset);
    if (cd == (iconv_t)-1) {
        if (bad_charset)
            *bad_charset = TRUE;
        if (g_utf8_validate(s, (gssize)len, NULL))
            return mime_arena_strndup(arena, s, len);
        return latin1_to_utf8(arena, s, len);
    }
    g_autofree char *conv = g_mime_iconv_strndup(cd, s, len);
    iconv_give(charset, cd);
    if (conv == NULL)
        return valid_copy(arena, s, len);
    return valid_copy(arena, conv, strlen(conv));
}

char *
mime_decode_header_text(MimeArena *arena, const char *value)
{
    if (value == NULL)
        return NULL;
    gsize len = strlen(value);
    if (is_ascii(value, len) && strstr(value, "=?") == NULL)
        return (char *)value;
    /* the charsets of its encoded words ("=?iso-2022-jp?B?...?="), kept loaded */
    for (const char *w = strstr(value, "=?"); w != NULL; w = strstr(w + 2, "=?")) {
        const char *e = w + 2;
        while (*e && *e != '?' && *e != '*' && e - w < 64 && !g_ascii_isspace(*e))
            e++;
        if (*e != '?' && *e != '*')
            continue;
        char charset[64];
        gsize n = (gsize)(e - w - 2);
        memcpy(charset, w + 2, n);
        charset[n] = '\0';
        if (n > 0 && g_ascii_strcasecmp(charset, "utf-8") != 0 &&
            g_ascii_strcasecmp(charset, "us-ascii") != 0)
            iconv_keep(charset);
    }
    g_autofree char *d = g_mime_utils_header_decode_text(NULL, value);
    if (d == NULL)
        return valid_copy(arena, value, len);
    return valid_copy(arena, d, strlen(d));
}

const char *
mime_memcasemem(const char *s, gsize len, const char *needle)
{
    gsize n = strlen(needle);
    if (n == 0)
        return s;
    if (n > len)
        return NULL;
    char lo = g_ascii_tolower(needle[0]), up = g_ascii_toupper(needle[0]);
    const char *last = s + len - n;
    for (const char *p = s; p <= last; p++) {
        if ((*p == lo || *p == up) && g_ascii_strncasecmp(p + 1, needle + 1, n - 1) == 0)
            return p;
    }
    return NULL;
}

static const struct {
    const char *name;
    char c;
} html_entities[] = {
    {"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"nbsp;", ' '}, {"quot;", '"'}, {"#39;", '\''},
};

char *
mime_html_to_text(MimeArena *arena, const char *s, gsize len)
{
    char *d = mime_arena_alloc(arena, len + 1);
    gsize o = 0;
    const char *e = s + len;
    while (s < e) {
        if (*s == '<') {
            const char *gt = memchr(s, '>', (gsize)(e - s));
            if (gt == NULL)
                break;
            const char *t = s + 1;
            if (*t == '/')
                t++;
            gsize tl = (gsize)(gt - t);
            static const char *const blocks[] = {"br", "p",  "div", "tr",    "li",
                                                 "h1", "h2", "h3",  "table", "pre"};
            for (gsize i = 0; i < G_N_ELEMENTS(blocks); i++) {
                gsize bl = strlen(blocks[i]);
                if (tl >= bl && g_ascii_strncasecmp(t, blocks[i], bl) == 0 &&
                    (tl == bl || !g_ascii_isalnum(t[bl]))) {
                    d[o++] = '\n';
                    break;
                }
            }
            if (tl >= 5 &&
                (g_ascii_strncasecmp(t, "style", 5) == 0 ||
                 g_ascii_strncasecmp(t, "script", 6) == 0) &&
                t[-1] != '/') {
                const char *close = mime_memcasemem(gt, (gsize)(e - gt), "</");
                if (close)
                    gt = memchr(close, '>', (gsize)(e - close));
                if (gt == NULL)
                    break;
            }
            s = gt + 1;
            continue;
        }
        if (*s == '&') {
            gboolean done = FALSE;
            for (gsize i = 0; i < G_N_ELEMENTS(html_entities); i++) {
                gsize el = strlen(html_entities[i].name);
                if ((gsize)(e - s - 1) >= el &&
                    g_ascii_strncasecmp(s + 1, html_entities[i].name, el) == 0) {
                    d[o++] = html_entities[i].c;
                    s += el + 1;
                    done = TRUE;
                    break;
                }
            }
            if (done)
                continue;
        }
        if (*s == '\r') {
            s++;
            continue;
        }
        d[o++] = *s++;
    }
    d[o] = '\0';
    return d;
}
