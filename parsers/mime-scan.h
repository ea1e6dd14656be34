/* A bounded, zero-copy MIME scanner for mailbox items: header blocks, Content-Type, multipart
 * bodies and transfer decoding, all as slices of the item buffer. GMime does the parts that need
 * tables (RFC 2047 words, charsets, base64 / quoted-printable); the tree of a returned original
 * message is never built, only the parts a bounce decoder reads are looked at. */
#pragma once

#include <glib.h>

/* Per-item scratch memory: one bump allocator, reset after each item. */
typedef struct MimeArena MimeArena;

MimeArena *mime_arena_new(void);
void mime_arena_free(MimeArena *arena);
void mime_arena_reset(MimeArena *arena);
gpointer mime_arena_alloc(MimeArena *arena, gsize size);
char *mime_arena_strndup(MimeArena *arena, const char *s, gsize len);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MimeArena, mime_arena_free)

/* One header field; name and value point into the scanned buffer, the value still folded. */
typedef struct {
    const char *name;
    const char *value;
    guint32 name_len;
    guint32 value_len;
} MimeField;

enum {
    MIME_HEADERS_TRUNCATED = 1 << 0, /* more fields or bytes than the limits: the rest skipped */
    MIME_HEADERS_NO_BLANK = 1 << 1,  /* the block ended at a line that is not a field */
};

typedef struct {
    MimeField *fields;
    guint n;
    guint flags;
    const char *body; /* after the blank line (or the first non-field line) */
    gsize body_len;
} MimeHeaders;

/* Limits of one header block. */
#define MIME_MAX_FIELDS 512
#define MIME_MAX_HEADER_BYTES ((gsize)256 * 1024)
/* Longest unfolded value returned by mime_field_value(). */
#define MIME_MAX_VALUE 16384

/* Parses the header block at the start of p. Returns FALSE (and leaves out->n == 0, body = p)
 * when the first line is not a header field. Accepts LF and CRLF. */
gboolean mime_headers_parse(MimeArena *arena, const char *p, gsize len, MimeHeaders *out);
/* The first field called name (case-insensitive), or NULL. */
const MimeField *mime_headers_get(const MimeHeaders *h, const char *name);
/* The next field called name after prev (NULL starts at the beginning). */
const MimeField *mime_headers_next(const MimeHeaders *h, const MimeField *prev, const char *name);
/* Unfolded, trimmed, NUL-terminated copy of a field's value in the arena (bounded). */
char *mime_field_value(MimeArena *arena, const MimeField *f);
/* mime_field_value() of the first field called name, or NULL. */
char *mime_headers_value(MimeArena *arena, const MimeHeaders *h, const char *name);

typedef struct {
    char type[32];           /* lower case, "" when absent */
    char subtype[48];        /* lower case */
    const char *boundary;    /* in the arena, NULL if none */
    const char *charset;     /* lower case, in the arena, NULL if none */
    const char *report_type; /* lower case, in the arena, NULL if none */
} MimeContentType;

/* Parses a Content-Type value ("multipart/report; report-type=delivery-status; boundary=..").
 * value may be NULL: text/plain is assumed. */
void mime_content_type_parse(MimeArena *arena, const char *value, MimeContentType *ct);
gboolean mime_content_type_is(const MimeContentType *ct, const char *type, const char *subtype);

/* Iterates over the parts of a multipart body. */
typedef struct {
    const char *pos;
    const char *end;
    const char *boundary;
    gsize blen;
    gboolean started;
    gboolean done;
    gboolean closed; /* the closing delimiter was seen */
} MimeMultipart;

void mime_multipart_init(MimeMultipart *mp, const char *body, gsize len, const char *boundary);
/* The next part (headers and body); FALSE when there is none. */
gboolean mime_multipart_next(MimeMultipart *mp, const char **part, gsize *part_len);

/* Decodes a Content-Transfer-Encoding (base64, quoted-printable); others are returned as they
 * are. The result is in the arena or is body itself. */
const char *mime_decode_transfer(MimeArena *arena, const char *cte, const char *body, gsize len,
                                 gsize *out_len);
/* Converts text in charset to UTF-8 (NUL-terminated, in the arena). Invalid bytes are replaced;
 * *bad_charset is set when the charset is unknown (the text is then read as ISO-8859-1). */
char *mime_to_utf8(MimeArena *arena, const char *s, gsize len, const char *charset,
                   gboolean *bad_charset);
/* Decodes RFC 2047 encoded words of an unstructured header value into UTF-8 (in the arena). */
char *mime_decode_header_text(MimeArena *arena, const char *value);
/* Crude text from HTML: tags removed, entities &amp; &lt; &gt; &nbsp; &quot; decoded, block
 * tags become line breaks. */
char *mime_html_to_text(MimeArena *arena, const char *s, gsize len);

/* ASCII case-insensitive search of needle in [s, s+len), NULL if absent. */
const char *mime_memcasemem(const char *s, gsize len, const char *needle);
