/* Data rows as SpreadsheetML (see xlsx-rows.h). This is the inner loop of a million-row
 * workbook: every piece is copied with memcpy into a window that is checked once per piece, row
 * and cell references are built once per row and once per column, numbers are formatted with
 * integer arithmetic. The cells are what libxlsxwriter writes in constant_memory mode. */
#include "xlsx-rows.h"

#include <math.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "timeutil.h"
#include "writers.h"

static inline void
room(XlsxRows *x, gsize n)
{
    if ((gsize)(x->end - x->p) < n)
        x->flush(x);
}

/* Appends a short piece, whose room the caller made. */
static inline void
put_short(XlsxRows *x, const char *s, gsize n)
{
    memcpy(x->p, s, n);
    x->p += n;
}

#define PUT_LITERAL(x, s) put_short((x), (s), sizeof(s) - 1)

void
xlsx_rows_put(XlsxRows *x, const char *data, gsize len)
{
    while (len > 0) {
        room(x, 1);
        gsize n = MIN(len, (gsize)(x->end - x->p));
        memcpy(x->p, data, n);
        x->p += n;
        data += n;
        len -= n;
    }
}

void
xlsx_rows_init(XlsxRows *x, const gint32 xf_index[CELL_DURATION + 1], XlsxRowsFlushFunc flush,
               gpointer flush_data)
{
    memset(x, 0, sizeof *x);
    x->flush = flush;
    x->flush_data = flush_data;
    for (int t = 0; t <= CELL_DURATION; t++) {
        if (xf_index[t] > 0)
            g_snprintf(x->styles[t], sizeof x->styles[t], " s=\"%d\"", (int)xf_index[t]);
        /* what follows a cell's reference, up to its value */
        const char *rest = t == CELL_TEXT ? " t=\"inlineStr\"><is><t>" : "><v>";
        if (t == CELL_EMPTY)
            rest = "";
        x->open_len[t] =
            (gsize)g_snprintf(x->open[t], sizeof x->open[t], "\"%s%s", x->styles[t], rest);
    }
    x->open_preserve_len = (gsize)g_snprintf(x->open_preserve, sizeof x->open_preserve,
                                             "\"%s t=\"inlineStr\"><is><t xml:space=\"preserve\">",
                                             x->styles[CELL_TEXT]);
    x->scratch = g_string_chunk_new(4096);
    x->flush(x);
}

void
xlsx_rows_clear(XlsxRows *x)
{
    g_free(x->cells);
    x->cells = NULL;
    if (x->scratch)
        g_string_chunk_free(x->scratch);
    x->scratch = NULL;
}

/* Decimal digits of v; returns the end. */
static char *
put_u64(char *p, guint64 v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *
put_i64(char *p, gint64 v)
{
    if (v < 0) {
        *p++ = '-';
        return put_u64(p, (guint64)0 - (guint64)v);
    }
    return put_u64(p, (guint64)v);
}

/* Whatever the platform offers when the fast way does not apply: the first of %.15g, %.16g and
 * %.17g that reads back as v (%.17g always does). */
static gsize
format_double_slow(double v, char *buf)
{
    static const char *const formats[] = {"%.15g", "%.16g", "%.17g"};
    for (guint i = 0; i < G_N_ELEMENTS(formats); i++) {
        g_ascii_formatd(buf, XLSX_NUMBER_MAX, formats[i], v);
        if (g_ascii_strtod(buf, NULL) == v)
            break;
    }
    return strlen(buf);
}

#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 U128;

static const guint64 pow10_64[20] = {
    1ull,
    10ull,
    100ull,
    1000ull,
    10000ull,
    100000ull,
    1000000ull,
    10000000ull,
    100000000ull,
    1000000000ull,
    10000000000ull,
    100000000000ull,
    1000000000000ull,
    10000000000000ull,
    100000000000000ull,
    1000000000000000ull,
    10000000000000000ull,
    100000000000000000ull,
    1000000000000000000ull,
    10000000000000000000ull,
};

static inline U128
pow10_128(int k)
{
    return k <= 19 ? (U128)pow10_64[k] : (U128)pow10_64[19] * pow10_64[k - 19];
}

/* For 1e-5 <= v < 1e15, not an integer: v = M / 2^s exactly (M has 53 bits, 3 <= s <= 69), so
 * D = round(v * 10^k) with up to 17 digits, and whether D / 10^k reads back as v, are exact in
 * 128-bit integers: it does when it is nearer to v than half the gap to the neighbouring
 * doubles (the gap below is half as wide when M is a power of two). */
static gsize
format_double_exact(double v, char *buf)
{
    int e2;
    double m = frexp(v, &e2);
    guint64 M = (guint64)ldexp(m, 53);
    int s = 53 - e2;
    /* v is in [2^(e2-1), 2^e2): this is floor(log10(v)) or one less, which the loop corrects */
    int e10 = (int)floor((e2 - 1) * 0.30102999566398120);
    for (int p = 15; p <= 17; p++) {
        U128 num = 0, D = 0;
        int k = 0;
        for (int tries = 0; tries < 3; tries++) {
            k = p - 1 - e10;
            num = (U128)M * pow10_128(k);
            D = (num + ((U128)1 << (s - 1))) >> s;
            if (D >= pow10_64[p])
                e10++;
            else if (D < pow10_64[p - 1])
                e10--;
            else
                break;
        }
        U128 back = D << s;
        gboolean below = back < num;
        U128 diff = below ? num - back : back - num;
        U128 lhs = below && M == (1ull << 52) ? diff * 4 : diff * 2;
        U128 half = pow10_128(k);
        if (!(lhs < half || (lhs == half && (M & 1) == 0)))
            continue;
        /* D's p digits, without trailing zeros, with the point after e10 + 1 of them */
        char digits[20];
        char *end = put_u64(digits, (guint64)D);
        int nd = (int)(end - digits);
        while (nd > 1 && digits[nd - 1] == '0')
            nd--;
        int ip = e10 + 1;
        char *o = buf;
        if (ip > 0) {
            for (int i = 0; i < ip; i++)
                *o++ = i < nd ? digits[i] : '0';
            if (nd > ip) {
                *o++ = '.';
                memcpy(o, digits + ip, (gsize)(nd - ip));
                o += nd - ip;
            }
        } else {
            *o++ = '0';
            *o++ = '.';
            for (int i = 0; i < -ip; i++)
                *o++ = '0';
            memcpy(o, digits, (gsize)nd);
            o += nd;
        }
        *o = '\0';
        return (gsize)(o - buf);
    }
    return format_double_slow(v, buf); /* not reached: 17 digits always read back */
}
#endif

gsize
xlsx_rows_format_double(double v, char buf[XLSX_NUMBER_MAX])
{
    char *p = buf;
    if (v == 0) { /* and -0 */
        buf[0] = '0';
        buf[1] = '\0';
        return 1;
    }
    if (signbit(v)) {
        *p++ = '-';
        v = -v;
    }
    if (v < 9007199254740992.0 && v == (double)(guint64)v) {
        p = put_u64(p, (guint64)v);
        *p = '\0';
        return (gsize)(p - buf);
    }
#ifdef __SIZEOF_INT128__
    if (v >= 1e-5 && v < 1e15)
        return (gsize)(p - buf) + format_double_exact(v, p);
#endif
    return (gsize)(p - buf) + format_double_slow(v, p);
}

/* Bytes that text cannot hold as they are: the NUL that ends it, XML's markup characters, the
 * control characters XML 1.0 forbids (and CR, which XML turns into LF), and '_', which starts
 * OOXML's _xHHHH_ escapes. */
static const guint8 text_special[256] = {
    [0] = 1,    [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
    [0x07] = 1, [0x08] = 1, [0x0B] = 1, [0x0C] = 1, [0x0D] = 1, [0x0E] = 1, [0x0F] = 1,
    [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1,
    [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1A] = 1, [0x1B] = 1, [0x1C] = 1, [0x1D] = 1,
    [0x1E] = 1, [0x1F] = 1, ['&'] = 1,  ['<'] = 1,  ['>'] = 1,  ['_'] = 1,
};

static const char hex_digits[] = "0123456789ABCDEF";

static gboolean
is_hex(char c)
{
    return g_ascii_isxdigit(c);
}

/* The first special byte from s on, or e. With SSE2 (every x86-64) 16 bytes at a time; it
 * stops at tab and LF too (all bytes below 0x20), which the caller copies. */
static inline const char *
scan_plain(const char *s, const char *e)
{
#ifdef __SSE2__
    const __m128i amp = _mm_set1_epi8('&'), lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>'),
                  us = _mm_set1_epi8('_'), ctl = _mm_set1_epi8(0x1F);
    for (; e - s >= 16; s += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, amp), _mm_cmpeq_epi8(v, lt)),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, gt), _mm_cmpeq_epi8(v, us)));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v));
        int bits = _mm_movemask_epi8(m);
        if (bits)
            return s + __builtin_ctz((unsigned)bits);
    }
#endif
    while (s < e && !text_special[(guchar)*s])
        s++;
    return s;
}

/* s .. s + len - 1 as the content of <t>: each special byte is replaced, runs of others are
 * copied. A literal "_xHHHH_" keeps its text: its '_' is written as _x005F_. */
static void
put_text(XlsxRows *x, const char *s, gsize len)
{
    const char *e = s + len;
    while (s < e) {
        const char *run = s;
        s = scan_plain(s, e);
        xlsx_rows_put(x, run, (gsize)(s - run));
        if (s == e)
            break;
        room(x, 8);
        switch (*s) {
        case '\t':
        case '\n':
            *x->p++ = *s;
            break;
        case '&':
            PUT_LITERAL(x, "&amp;");
            break;
        case '<':
            PUT_LITERAL(x, "&lt;");
            break;
        case '>':
            PUT_LITERAL(x, "&gt;");
            break;
        case '_':
            if (e - s >= 7 && s[1] == 'x' && is_hex(s[2]) && is_hex(s[3]) && is_hex(s[4]) &&
                is_hex(s[5]) && s[6] == '_')
                PUT_LITERAL(x, "_x005F_");
            else
                PUT_LITERAL(x, "_");
            break;
        default: {
            /* a control character (or a NUL inside the given length) */
            char esc[7] = {
                '_', 'x', '0', '0', hex_digits[(guchar)*s >> 4], hex_digits[(guchar)*s & 15], '_'};
            put_short(x, esc, sizeof esc);
            break;
        }
        }
        s++;
    }
}

static gboolean
is_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* Copies a piece of at most 16 bytes as 16 (the source is that long, the room was made): one
 * store instead of a call to memcpy with a variable length. */
static inline void
put_16(XlsxRows *x, const char *s, gsize n)
{
    memcpy(x->p, s, 16);
    x->p += n;
}

/* One column of the rows being written. */
typedef struct {
    char ref[16]; /* "<c r=\"" and the column's letters */
    gsize ref_len;
    /* the last number written in this column: times repeat from row to row */
    guint64 last; /* its bits: an exact and cheap comparison */
    char last_text[XLSX_NUMBER_MAX];
    gsize last_len;
} XlsxRowsColumn;

/* "<c r=\"B12" + the rest of the opening for the cell's type and style. */
static inline void
put_open(XlsxRows *x, const XlsxRowsColumn *col, const char *row, gsize row_len, const char *open,
         gsize open_len)
{
    put_16(x, col->ref, col->ref_len);
    put_16(x, row, row_len);
    memcpy(x->p, open, sizeof x->open[0]);
    x->p += open_len;
}

static void
put_number(XlsxRows *x, XlsxRowsColumn *col, const char *row, gsize row_len, CellType type,
           double v)
{
    room(x, 128);
    if (!isfinite(v)) {
        /* Excel has no NaN or infinity */
        put_open(x, col, row, row_len, x->open[CELL_EMPTY], x->open_len[CELL_EMPTY]);
        put_short(x, x->styles[type], strlen(x->styles[type]));
        PUT_LITERAL(x, " t=\"e\"><v>#NUM!</v></c>");
        return;
    }
    put_open(x, col, row, row_len, x->open[type], x->open_len[type]);
    guint64 bits;
    memcpy(&bits, &v, sizeof bits);
    if (col->last_len == 0 || bits != col->last) {
        col->last = bits;
        col->last_len = xlsx_rows_format_double(v, col->last_text);
    }
    memcpy(x->p, col->last_text, sizeof col->last_text);
    x->p += col->last_len;
    PUT_LITERAL(x, "</v></c>");
}

static void
put_cell(XlsxRows *x, const Cell *c, XlsxRowsColumn *col, const char *row, gsize row_len)
{
    switch (c->type) {
    case CELL_EMPTY:
        return;
    case CELL_TEXT: {
        const char *s = c->text ? c->text : "";
        gsize len = strnlen(s, XLSX_MAX_CELL + 1);
        if (len == 0)
            return;
        gboolean cut = len > XLSX_MAX_CELL;
        if (cut) {
            len = XLSX_MAX_CELL - 10;
            while (len > 0 && ((guchar)s[len] & 0xC0) == 0x80)
                len--;
            x->truncated_cells++;
        }
        room(x, 128);
        if (is_xml_space(s[0]) || (!cut && is_xml_space(s[len - 1])))
            put_open(x, col, row, row_len, x->open_preserve, x->open_preserve_len);
        else
            put_open(x, col, row, row_len, x->open[CELL_TEXT], x->open_len[CELL_TEXT]);
        put_text(x, s, len);
        room(x, 32);
        if (cut)
            PUT_LITERAL(x, " [cut]");
        PUT_LITERAL(x, "</t></is></c>");
        return;
    }
    case CELL_INT:
        room(x, 128);
        put_open(x, col, row, row_len, x->open[CELL_INT], x->open_len[CELL_INT]);
        x->p = put_i64(x->p, c->i);
        PUT_LITERAL(x, "</v></c>");
        return;
    case CELL_REAL:
    case CELL_PERCENT:
        put_number(x, col, row, row_len, c->type, c->r);
        return;
    case CELL_TIME: {
        /* whole seconds, as in the CSV files */
        gint64 t = c->i - ((c->i % G_USEC_PER_SEC) + G_USEC_PER_SEC) % G_USEC_PER_SEC;
        put_number(x, col, row, row_len, c->type, time_to_excel(t));
        return;
    }
    case CELL_DURATION:
        /* whole seconds, as in the CSV files */
        put_number(x, col, row, row_len, c->type, (double)(gint64)(c->r + 0.5) / 86400.0);
        return;
    }
}

void
xlsx_rows_table(XlsxRows *x, const Table *table, guint64 first, guint64 n, guint32 at)
{
    guint nc = table->n_columns;
    if (x->n_cells < nc) {
        x->cells = g_renew(Cell, x->cells, nc);
        x->n_cells = nc;
    }
    g_autofree XlsxRowsColumn *cols = g_new0(XlsxRowsColumn, nc);
    for (guint c = 0; c < nc; c++) {
        char letters[4];
        int k = 0;
        for (guint v = c + 1; v > 0; v = (v - 1) / 26)
            letters[k++] = (char)('A' + (v - 1) % 26);
        memcpy(cols[c].ref, "<c r=\"", 6);
        cols[c].ref_len = 6;
        while (k)
            cols[c].ref[cols[c].ref_len++] = letters[--k];
    }
    for (guint64 i = 0; i < n; i++) {
        char row[16];
        gsize row_len = (gsize)(put_u64(row, (guint64)at + i + 1) - row);
        table_get_row(table, first + i, x->cells, x->scratch);
        gboolean open = FALSE;
        for (guint c = 0; c < nc; c++) {
            if (x->cells[c].type == CELL_EMPTY)
                continue;
            if (!open) {
                room(x, 32);
                PUT_LITERAL(x, "<row r=\"");
                put_short(x, row, row_len);
                PUT_LITERAL(x, "\">");
                open = TRUE;
            }
            put_cell(x, &x->cells[c], &cols[c], row, row_len);
        }
        if (open) {
            room(x, 8);
            PUT_LITERAL(x, "</row>");
        }
        /* as in the CSV writer: cleared every SCRATCH_ROWS rows */
        if (i % SCRATCH_ROWS == SCRATCH_ROWS - 1)
            g_string_chunk_clear(x->scratch);
    }
}
