/* The classifier: places a failure at an SMTP step and names its cause and permanence, by rules
 * that are data (analyzer/rules.tsv compiled in, plus --rules FILE; the format is in
 * docs/rules.md). Identical inputs are classified once: a memo table keyed on the event kind,
 * the hints, the codes and the normalised text, which is also what the rules see. */
#include "classify.h"
#include "taxonomy.h"
#include "text-find.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

G_DEFINE_QUARK(classify_error_quark, classify_error)

#define TEXT_SCAN_MAX 16384        /* bytes of input text looked at */
/* texts shorter than this are looked up by their shape (shape_key()): normalise() sees all of
 * them and, as its output stays below NORM_MAX - 16, cuts no token */
#define SHAPE_TEXT_MAX 1024
#define SHAPE_TRIAL 4096 /* lookups by shape that decide whether they are worth it */
#define NORM_MAX 2048              /* bytes of normalised text the rules see */
#define MEMO_MAX_ENTRIES 65536     /* the memo table is emptied when it holds this many */
#define MEMO_MAX_BYTES (16u << 20) /* ... or this many key bytes */
#define NEEDLE_BUCKETS 4096        /* literal index: buckets by the first two bytes */
#define RULE_LINE_MAX 4096
#define RULES_FILE_MAX (4u << 20)
#define LIST_MAX 64 /* values in one condition */
#define NO_NEEDLE G_MAXUINT32
#define KEY_FIELD_MAX 64 /* bytes of enhanced code, cause hint, vendor label in a key */

/* ------------------------------------------------------------------------------------------ */
/* Rules */

typedef struct {
    guint16 lo, hi;
} ReplyRange;

typedef struct {
    guint8 cls;     /* 2, 4, 5; 0 = either */
    gint16 subject; /* -1 = any */
    gint16 lo, hi;  /* detail range; -1 = any */
    gboolean none;  /* matches "no enhanced code" */
} EnhancedPattern;

typedef struct {
    guint32 needle; /* literal: its needle; regex: a literal it needs (or NO_NEEDLE) */
    gint32 regex;   /* index into Classifier.regexes, -1 for a literal */
    gboolean negate;
} Term;

typedef struct {
    const char *id;     /* interned */
    const char *source; /* "file:line", interned */
    /* conditions (0 / empty = any) */
    guint32 kinds; /* bit per EventKind */
    guint32 steps; /* bit per Step: the step placed before the cause is chosen */
    guint32 perms; /* bit per Permanence: what the codes say */
    gint8 foreign; /* -1 any, 0, 1 */
    guint n_reply;
    ReplyRange *reply;
    guint n_enhanced;
    EnhancedPattern *enhanced;
    guint n_vendor;
    char **vendor; /* lower case */
    guint n_terms;
    Term *terms;
    guint32 need; /* a literal the text must hold (the first plain term), or NO_NEEDLE */
    /* outputs */
    Step out_step; /* STEP_UNKNOWN = does not place the step */
    int cause;     /* -1 = does not name a cause */
    Permanence perm;
    Confidence conf;
} Rule;

/* Decisions that are not rules; their ids come first in the statistics. */
enum {
    DECIDER_CAUSE_HINT,
    DECIDER_COMPLAINT,
    DECIDER_OTHER_RECEIVED,
    DECIDER_DELAY_NOTICE,
    DECIDER_SUPPRESSED,
    DECIDER_FALLBACK,
    DECIDER_N_PSEUDO
};
static const char *const pseudo_ids[DECIDER_N_PSEUDO] = {
    "cause-hint",        "kind-complaint",  "kind-other-received",
    "kind-delay-notice", "kind-suppressed", "fallback",
};

typedef struct {
    guint64 hash; /* 0 = empty */
    guint32 key_off, key_len;
    guint32 decider;
    Classification result;
} MemoSlot;

#define RECENT_SLOTS 8192

typedef struct {
    const char *text, *enhanced, *cause_hint, *vendor_label;
    guint32 bits; /* kind, step, confidence, foreign, reply code */
    gboolean used;
    Classification result;
} PointerSlot;

struct Classifier {
    GArray *user_rules;     /* Rule, from --rules files, in load order */
    GArray *builtin_rules;  /* Rule */
    GPtrArray *rules;       /* Rule*: user rules, then built-in ones */
    GHashTable *needle_ids; /* literal -> index + 1 */
    GPtrArray *needles;     /* char*, lower case */
    GArray *needle_len;     /* guint32 */
    guint32 *bucket_start;  /* NEEDLE_BUCKETS + 1 */
    guint32 *bucket_needles;
    GPtrArray *regexes; /* GRegex* */
    /* per classification scratch */
    guint64 *needle_bits;
    gint8 *regex_state; /* -1 not yet run, 0, 1 */
    GString *key;
    GString *shape; /* the key of the text with the recipient's address written x@x */
    guint shape_tries, shape_hits; /* lookups by shape, and how many found an answer */
    gboolean shape_off;            /* not worth it for these texts (see shape_key()) */
    /* memo */
    MemoSlot *slots;
    guint capacity; /* power of two */
    guint count;
    GByteArray *arena;
    /* statistics: DECIDER_N_PSEUDO + rules->len */
    guint64 *hits;
    int cause_undetermined;
    /* for stable inputs: the last answers by the inputs' pointers, in front of the memo (no
     * key to build, no text to read) */
    PointerSlot *recent;
};

static void
rule_clear(Rule *r)
{
    g_free(r->reply);
    g_free(r->enhanced);
    g_strfreev(r->vendor);
    g_free(r->terms);
}

/* ------------------------------------------------------------------------------------------ */
/* Normalisation: what the memo key holds and what the rules see. */

typedef struct {
    int cls; /* 0 = none */
    int subject, detail;
} Enhanced;

/* Character classes for the normaliser, one table lookup per byte. */
enum {
    CH_SPACE = 0x001, /* white space and control characters */
    CH_PUNCT = 0x002, /* < > ( ) [ ] " ' , ; end a token and are copied */
    CH_DIGIT = 0x004,
    CH_ALPHA = 0x008, /* ASCII letters */
    CH_UPPER = 0x010,
    CH_HEX = 0x020,
    CH_HEXCOLON = 0x040, /* what IPv6 addresses are made of: hex digits, ':' and '.' */
    CH_HOST = 0x080,     /* what host names are made of: letters, digits, '.', '-', '_' */
    CH_LOCAL = 0x100,    /* the local part of an address (and bytes >= 0x80) */
    CH_DOMAIN = 0x200,   /* the domain of an address (and bytes >= 0x80) */
    CH_DOT = 0x400,
    CH_COLON = 0x800,
    CH_AT = 0x1000,
    CH_SLASH = 0x2000,
};

static const guint16 char_flags[256] = {
    0x0001, 0x0001, 0x0001, 0x0001, 0x0001, 0x0001, 0x0001, 0x0001, 0x0001, 0x0001, 0x0001, 0x0001,
    0x0001, 0x0001, 0x0001, 0x0001, 0x0001, 0x0001, 0x0001, 0x0001, 0x0001, 0x0001, 0x0001, 0x0001,
    0x0001, 0x0001, 0x0001, 0x0001, 0x0001, 0x0001, 0x0001, 0x0001, 0x0001, 0x0100, 0x0002, 0x0100,
    0x0100, 0x0100, 0x0100, 0x0002, 0x0002, 0x0002, 0x0100, 0x0100, 0x0002, 0x0380, 0x07c0, 0x2100,
    0x03e4, 0x03e4, 0x03e4, 0x03e4, 0x03e4, 0x03e4, 0x03e4, 0x03e4, 0x03e4, 0x03e4, 0x0840, 0x0002,
    0x0002, 0x0100, 0x0002, 0x0100, 0x1000, 0x03f8, 0x03f8, 0x03f8, 0x03f8, 0x03f8, 0x03f8, 0x0398,
    0x0398, 0x0398, 0x0398, 0x0398, 0x0398, 0x0398, 0x0398, 0x0398, 0x0398, 0x0398, 0x0398, 0x0398,
    0x0398, 0x0398, 0x0398, 0x0398, 0x0398, 0x0398, 0x0398, 0x0002, 0x0000, 0x0002, 0x0100, 0x0180,
    0x0100, 0x03e8, 0x03e8, 0x03e8, 0x03e8, 0x03e8, 0x03e8, 0x0388, 0x0388, 0x0388, 0x0388, 0x0388,
    0x0388, 0x0388, 0x0388, 0x0388, 0x0388, 0x0388, 0x0388, 0x0388, 0x0388, 0x0388, 0x0388, 0x0388,
    0x0388, 0x0388, 0x0388, 0x0100, 0x0100, 0x0100, 0x0100, 0x0001, 0x0300, 0x0300, 0x0300, 0x0300,
    0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300,
    0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300,
    0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300,
    0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300,
    0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300,
    0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300,
    0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300,
    0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300,
    0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300,
    0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300, 0x0300,
    0x0300, 0x0300, 0x0300, 0x0300,
};

/* ASCII lower case */
static const guchar lower_table[256] = {
    0,   1,   2,   3,   4,   5,   6,   7,   8,   9,   10,  11,  12,  13,  14,  15,  16,  17,  18,
    19,  20,  21,  22,  23,  24,  25,  26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  36,  37,
    38,  39,  40,  41,  42,  43,  44,  45,  46,  47,  48,  49,  50,  51,  52,  53,  54,  55,  56,
    57,  58,  59,  60,  61,  62,  63,  64,  97,  98,  99,  100, 101, 102, 103, 104, 105, 106, 107,
    108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 91,  92,  93,  94,
    95,  96,  97,  98,  99,  100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113,
    114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132,
    133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143, 144, 145, 146, 147, 148, 149, 150, 151,
    152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170,
    171, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189,
    190, 191, 192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208,
    209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 225, 226, 227,
    228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246,
    247, 248, 249, 250, 251, 252, 253, 254, 255,
};

static inline guchar
lower(guchar c)
{
    return lower_table[c];
}

static inline gboolean
is_digit(guchar c)
{
    return c >= '0' && c <= '9';
}

typedef struct {
    char *o; /* the output text (capacity reserved by normalise()) */
    gsize len;
    char code[4];             /* the first reply code token ("550"), "" if none yet */
    char enhanced[16];        /* the enhanced code that came with it */
    gboolean expect_enhanced; /* the token before was that first code */
    gboolean drop_enhanced;   /* the token before was a repeated code */
    gssize prev_start;        /* last token written: where it starts and ends, -1 = none */
    gsize prev_end;
    gboolean prev_hostlike;
} Norm;

static inline void
norm_put(Norm *nm, const char *s, gsize n)
{
    memcpy(nm->o + nm->len, s, n);
    nm->len += n;
}

/* Length of a dotted quad at s (n bytes available) not followed by more [0-9.], else 0. */
static gsize
quad_length(const guchar *s, gsize n)
{
    gsize i = 0;
    for (int part = 0; part < 4; part++) {
        gsize start = i;
        while (i < n && is_digit(s[i]) && i - start < 4)
            i++;
        if (i == start || i - start > 3)
            return 0;
        if (part < 3) {
            if (i >= n || s[i] != '.')
                return 0;
            i++;
        }
    }
    if (i < n && (is_digit(s[i]) || (s[i] == '.' && i + 1 < n && is_digit(s[i + 1]))))
        return 0;
    return i;
}

/* Copies a token lower-cased, with any dotted quad replaced by "ip". */
static void
copy_lowered(Norm *nm, const guchar *s, gsize n)
{
    char *o = nm->o + nm->len;
    gsize k = 0;
    for (gsize i = 0; i < n; i++) {
        if (is_digit(s[i]) && (i == 0 || (!is_digit(s[i - 1]) && s[i - 1] != '.'))) {
            gsize q = quad_length(s + i, n - i);
            if (q > 0) {
                o[k++] = 'i';
                o[k++] = 'p';
                i += q - 1;
                continue;
            }
        }
        o[k++] = (char)lower(s[i]);
    }
    nm->len += k;
}

static gsize parse_enhanced(const guchar *s, gsize n, Enhanced *e);

/* Multi-line replies joined into one line repeat their prefix on every line ("550-5.1.1 The
 * email account ... 550-5.1.1 double-checking ..."). The repeats say nothing new and would
 * split phrases, so they are dropped. Returns TRUE when the token is such a repeat. */
static gboolean
norm_repeated_code(Norm *nm, const guchar *s, gsize n)
{
    gboolean drop_enhanced = nm->drop_enhanced, expect_enhanced = nm->expect_enhanced;
    nm->drop_enhanced = nm->expect_enhanced = FALSE;
    if (!expect_enhanced && !drop_enhanced && !(s[0] >= '2' && s[0] <= '5'))
        return FALSE;
    Enhanced e;
    if (n >= 3 && s[0] >= '2' && s[0] <= '5' && is_digit(s[1]) && is_digit(s[2]) &&
        (n == 3 || (s[3] == '-' && (n == 4 || parse_enhanced(s + 4, n - 4, &e) == n - 4)))) {
        const guchar *enh = n > 4 ? s + 4 : NULL;
        gsize enh_len = n > 4 ? n - 4 : 0;
        if (nm->code[0] == '\0') {
            memcpy(nm->code, s, 3);
            nm->code[3] = '\0';
            if (enh != NULL && enh_len < sizeof nm->enhanced) {
                memcpy(nm->enhanced, enh, enh_len);
                nm->enhanced[enh_len] = '\0';
            }
            nm->expect_enhanced = enh == NULL;
            return FALSE;
        }
        if (memcmp(nm->code, s, 3) == 0 &&
            (enh == NULL ||
             (strlen(nm->enhanced) == enh_len && memcmp(nm->enhanced, enh, enh_len) == 0))) {
            nm->drop_enhanced = enh == NULL;
            return TRUE;
        }
        return FALSE;
    }
    if (expect_enhanced && n < sizeof nm->enhanced && parse_enhanced(s, n, &e) == n) {
        memcpy(nm->enhanced, s, n);
        nm->enhanced[n] = '\0';
    } else if (drop_enhanced && strlen(nm->enhanced) == n && memcmp(nm->enhanced, s, n) == 0) {
        return TRUE;
    }
    return FALSE;
}

static gsize
count_byte(const guchar *s, gsize n, guchar c)
{
    gsize k = 0;
    for (gsize i = 0; i < n; i++)
        k += s[i] == c;
    return k;
}

typedef struct {
    gsize digits;
    guint all, any; /* AND and OR of the char_flags of the token */
} TokenStats;

/* The token s (n bytes) has already been copied lower-cased to the output at nm->len by the
 * caller; this keeps it, or replaces it by what it stands for. */
static void
norm_token(Norm *nm, const guchar *s, gsize n, const TokenStats *st)
{
    if ((s[0] >= '2' && s[0] <= '5') || nm->expect_enhanced || nm->drop_enhanced) {
        if (norm_repeated_code(nm, s, n))
            return;
    }
    guint any = st->any, all = st->all;
    gsize start = nm->len;
    gboolean ip = FALSE, at = (any & CH_AT) != 0;
    if (at) {
        /* every address in the token becomes *@* */
        gsize i = 0;
        while (i < n) {
            const guchar *a = memchr(s + i, '@', n - i);
            if (a == NULL) {
                copy_lowered(nm, s + i, n - i);
                break;
            }
            gsize ai = (gsize)(a - s), l = ai, r = ai + 1;
            while (l > i && (char_flags[s[l - 1]] & CH_LOCAL))
                l--;
            while (r < n && (char_flags[s[r]] & CH_DOMAIN))
                r++;
            copy_lowered(nm, s + i, l - i);
            if (l == ai && r == ai + 1)
                norm_put(nm, "@", 1);
            else
                norm_put(nm, "*@*", 3);
            i = r;
        }
    } else if ((any & CH_COLON) &&
               (((all & CH_HEXCOLON) && (any & (CH_DIGIT | CH_ALPHA)) &&
                 count_byte(s, n, ':') >= 2) ||
                (n > 5 && g_ascii_strncasecmp((const char *)s, "ipv6:", 5) == 0))) {
        ip = TRUE; /* IPv6: hex digits with two colons at least */
    } else if (st->digits >= 4 && (all & CH_HEXCOLON) && !(any & (CH_COLON | CH_ALPHA)) &&
               quad_length(s, n) == n) {
        ip = TRUE; /* IPv4 */
    } else if (!(any & CH_SLASH) && (st->digits >= 8 || (n >= 12 && st->digits >= 4))) {
        norm_put(nm, "#", 1); /* per-message ids, time stamps, long numbers */
    } else if (st->digits >= 4 && (any & CH_DOT)) {
        copy_lowered(nm, s, n); /* may hold a dotted quad: "ip=192.0.2.1" */
    } else {
        nm->len += n; /* the lower-cased copy stays */
    }
    if (ip) {
        /* "host.example[1.2.3.4]" and "host.example [1.2.3.4]": the name goes too */
        gsize len = nm->len;
        if (nm->prev_start >= 0 && nm->prev_hostlike && len > 0 && nm->o[len - 1] == '[') {
            gboolean adjacent = nm->prev_end == len - 1;
            gboolean spaced = nm->prev_end == len - 2 && nm->o[len - 2] == ' ';
            if (adjacent || spaced) {
                nm->len = (gsize)nm->prev_start;
                if (spaced)
                    norm_put(nm, "host [", 6);
                else
                    norm_put(nm, "host[", 5);
            }
        }
        start = nm->len;
        norm_put(nm, "ip", 2);
    }
    nm->prev_start = (gssize)start;
    nm->prev_end = nm->len;
    /* a name (or an address) that a bracketed IP address may follow */
    nm->prev_hostlike =
        ip ||
        (!at && (all & CH_HOST) && (any & CH_ALPHA) &&
         ((any & CH_DOT) || (n == 7 && g_ascii_strncasecmp((const char *)s, "unknown", 7) == 0) ||
          (n == 9 && g_ascii_strncasecmp((const char *)s, "localhost", 9) == 0)));
}

/* Appends the normalised form of text to out (at most NORM_MAX bytes). */
static void
normalise(GString *out, const char *text)
{
    if (text == NULL)
        return;
    const guchar *s = (const guchar *)text;
    gsize n = strnlen(text, TEXT_SCAN_MAX);
    gsize base = out->len;
    /* room for the longest output: a token started before NORM_MAX, up to NORM_MAX + 16 bytes
     * long, whose addresses each grow by one byte ("a@" -> "*@*") */
    g_string_set_size(out, base + 2 * (gsize)NORM_MAX + 64);
    Norm nm = {.o = out->str + base, .prev_start = -1};
    gsize i = 0;
    while (i < n && nm.len < NORM_MAX) {
        guchar c = s[i];
        guint f = char_flags[c];
        if (f & CH_SPACE) {
            if (nm.len > 0 && nm.o[nm.len - 1] != ' ')
                nm.o[nm.len++] = ' ';
            i++;
        } else if (f & CH_PUNCT) {
            nm.o[nm.len++] = (char)c;
            i++;
        } else {
            /* a token: copy it lower-cased while finding its end and what it is made of */
            TokenStats st = {.all = 0xffff};
            char *o = nm.o + nm.len;
            gsize j = i, limit = MIN(n, i + (NORM_MAX + 16 - nm.len));
            while (j < limit) {
                c = s[j];
                f = char_flags[c];
                if (f & (CH_SPACE | CH_PUNCT))
                    break;
                o[j - i] = (char)lower_table[c];
                st.all &= f;
                st.any |= f;
                st.digits += (f & CH_DIGIT) != 0;
                j++;
            }
            norm_token(&nm, s + i, j - i, &st);
            i = j;
            while (i < n && !(char_flags[s[i]] & (CH_SPACE | CH_PUNCT)))
                i++; /* the rest of a token cut at NORM_MAX */
        }
    }
    if (nm.len > NORM_MAX)
        nm.len = NORM_MAX;
    if (nm.len > 0 && nm.o[nm.len - 1] == ' ')
        nm.len--;
    g_string_truncate(out, base + nm.len);
}

/* Lower-cases a literal and folds white space, as normalise() does to the text, but keeps a
 * leading or trailing space (they are part of what the rule asks for). */
static char *
normalise_literal(const char *s)
{
    GString *out = g_string_new(NULL);
    for (const guchar *p = (const guchar *)s; *p != '\0'; p++) {
        if (char_flags[*p] & CH_SPACE) {
            if (out->len == 0 || out->str[out->len - 1] != ' ')
                g_string_append_c(out, ' ');
        } else {
            g_string_append_c(out, (char)lower(*p));
        }
    }
    return g_string_free(out, FALSE);
}

/* ------------------------------------------------------------------------------------------ */
/* Codes */

/* Parses "C.S.D" at s; returns the length or 0. */
static gsize
parse_enhanced(const guchar *s, gsize n, Enhanced *e)
{
    if (n < 5 || !(s[0] == '2' || s[0] == '4' || s[0] == '5') || s[1] != '.')
        return 0;
    gsize i = 2;
    int v[2] = {0, 0};
    for (int part = 0; part < 2; part++) {
        gsize start = i;
        while (i < n && is_digit(s[i]) && i - start < 4) {
            v[part] = v[part] * 10 + (s[i] - '0');
            i++;
        }
        if (i == start || i - start > 3)
            return 0;
        if (part == 0) {
            if (i >= n || s[i] != '.')
                return 0;
            i++;
        }
    }
    if (i < n && (is_digit(s[i]) || (s[i] == '.' && i + 1 < n && is_digit(s[i + 1]))))
        return 0;
    e->cls = s[0] - '0';
    e->subject = v[0];
    e->detail = v[1];
    return i;
}

/* sisimai's own placeholders (X.0.9NN) are not RFC codes: never let them drive anything */
static inline gboolean
enhanced_is_placeholder(const Enhanced *e)
{
    return e->subject == 0 && e->detail >= 900;
}

static void
find_enhanced(const char *t, gsize n, Enhanced *out)
{
    const guchar *s = (const guchar *)t;
    for (gsize i = 0; i + 5 <= n; i++) {
        if (i > 0 && (is_digit(s[i - 1]) || s[i - 1] == '.'))
            continue;
        Enhanced e;
        if (parse_enhanced(s + i, n - i, &e) > 0 && !enhanced_is_placeholder(&e)) {
            *out = e;
            return;
        }
    }
    out->cls = 0;
}

/* The first 4xx/5xx reply code in the text, else the first 2xx/354 ("220-laposte 421 ..." is a
 * banner that turned into a refusal). */
static guint
find_reply_code(const char *t, gsize n)
{
    const guchar *s = (const guchar *)t;
    guint positive = 0;
    for (gsize i = 0; i + 3 <= n; i++) {
        guchar c = s[i];
        if (c < '2' || c > '5' || !is_digit(s[i + 1]) || !is_digit(s[i + 2]) || s[i + 1] > '5')
            continue;
        if (i > 0 && strchr(" <([:'\"=", s[i - 1]) == NULL)
            continue;
        if (i + 3 < n && s[i + 3] != ' ' && s[i + 3] != '-')
            continue;
        guint code = (guint)((c - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0'));
        if (c == '3' && code != 354)
            continue;
        if (code >= 400)
            return code;
        if (positive == 0)
            positive = code;
    }
    return positive;
}

static Permanence
class_permanence(int cls)
{
    return cls == 4 ? PERMANENCE_TEMPORARY : cls == 5 ? PERMANENCE_PERMANENT : PERMANENCE_UNKNOWN;
}

/* What the sending MTA decided, which always wins (findings.md section 5.5). */
static Permanence
kind_decision(EventKind kind)
{
    switch (kind) {
    case EVENT_KIND_DEFERRED:
    case EVENT_KIND_DELAY_NOTICE:
        return PERMANENCE_TEMPORARY;
    case EVENT_KIND_FAILED:
    case EVENT_KIND_EXPIRED:
    case EVENT_KIND_SUPPRESSED:
        return PERMANENCE_PERMANENT;
    default:
        return PERMANENCE_UNKNOWN;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Matching */

typedef struct {
    EventKind kind;
    gboolean foreign;
    guint reply;
    Enhanced enhanced;  /* what the rules see: given, else found in the text */
    int status_cls;     /* class of the given enhanced code (a DSN's Status), 0 = none */
    const char *vendor; /* lower case, NULL = none */
    const char *text;   /* normalised */
    gsize len;
    Step step; /* placed step (the remote step of a foreign DSN) */
    Permanence code_perm;
} Ctx;

static inline gboolean
needle_hit(const Classifier *c, guint32 needle)
{
    return (c->needle_bits[needle / 64] >> (needle % 64)) & 1;
}

static gboolean
regex_hit(Classifier *c, gint32 index, const Ctx *x)
{
    gint8 *state = &c->regex_state[index];
    if (*state < 0) {
        GRegex *re = g_ptr_array_index(c->regexes, index);
        *state = g_regex_match_full(re, x->text, (gssize)x->len, 0, 0, NULL, NULL) ? 1 : 0;
    }
    return *state == 1;
}

static gboolean
enhanced_matches(const Rule *r, const Enhanced *e)
{
    for (guint i = 0; i < r->n_enhanced; i++) {
        const EnhancedPattern *p = &r->enhanced[i];
        if (p->none) {
            if (e->cls == 0)
                return TRUE;
            continue;
        }
        if (e->cls == 0 || (p->cls != 0 && p->cls != e->cls))
            continue;
        if (p->subject >= 0 && p->subject != e->subject)
            continue;
        if (p->lo >= 0 && (e->detail < p->lo || e->detail > p->hi))
            continue;
        return TRUE;
    }
    return FALSE;
}

static gboolean
rule_matches(Classifier *c, const Rule *r, const Ctx *x)
{
    if (r->kinds != 0 && !((r->kinds >> x->kind) & 1))
        return FALSE;
    if (r->foreign >= 0 && r->foreign != (x->foreign ? 1 : 0))
        return FALSE;
    if (r->steps != 0 && !((r->steps >> x->step) & 1))
        return FALSE;
    if (r->perms != 0 && !((r->perms >> x->code_perm) & 1))
        return FALSE;
    if (r->n_reply > 0) {
        gboolean ok = FALSE;
        for (guint i = 0; i < r->n_reply && !ok; i++)
            ok = x->reply >= r->reply[i].lo && x->reply <= r->reply[i].hi;
        if (!ok)
            return FALSE;
    }
    if (r->n_enhanced > 0 && !enhanced_matches(r, &x->enhanced))
        return FALSE;
    if (r->n_vendor > 0) {
        gboolean ok = FALSE;
        for (guint i = 0; i < r->n_vendor && !ok && x->vendor != NULL; i++)
            ok = strcmp(r->vendor[i], x->vendor) == 0;
        if (!ok)
            return FALSE;
    }
    for (guint i = 0; i < r->n_terms; i++) {
        const Term *t = &r->terms[i];
        gboolean hit;
        if (t->regex < 0)
            hit = needle_hit(c, t->needle);
        else if (t->needle != NO_NEEDLE && !needle_hit(c, t->needle))
            hit = FALSE;
        else
            hit = regex_hit(c, t->regex, x);
        if (hit == t->negate)
            return FALSE;
    }
    return TRUE;
}

static void
needles_scan(Classifier *c, const char *text, gsize len)
{
    guint words = (c->needles->len + 63) / 64;
    memset(c->needle_bits, 0, words * sizeof(guint64));
    const guchar *t = (const guchar *)text;
    const guint32 *start = c->bucket_start;
    for (gsize i = 0; i + 1 < len; i++) {
        guint b = (((guint)t[i] << 6) ^ t[i + 1]) & (NEEDLE_BUCKETS - 1);
        for (guint32 k = start[b]; k < start[b + 1]; k++) {
            guint32 id = c->bucket_needles[k];
            guint32 nlen = g_array_index(c->needle_len, guint32, id);
            const guchar *needle = g_ptr_array_index(c->needles, id);
            if (nlen <= len - i && needle[0] == t[i] && needle[1] == t[i + 1] &&
                (nlen == 2 || (needle[2] == t[i + 2] && memcmp(t + i, needle, nlen) == 0)))
                c->needle_bits[id / 64] |= G_GUINT64_CONSTANT(1) << (id % 64);
        }
    }
}

/* Whether cause may follow a step placed by another rule: the taxonomy lists the pair (for a
 * foreign DSN, or the async-bounce group does), or the step is unknown. */
static gboolean
cause_fits(const Classifier *c, const Ctx *x, int cause)
{
    if (cause == c->cause_undetermined || x->step == STEP_UNKNOWN)
        return TRUE;
    if (taxonomy_step_has_cause(x->step, cause))
        return TRUE;
    return x->foreign && taxonomy_step_has_cause(STEP_ASYNC, cause);
}

static void
text_flags(const Ctx *x, Classification *out)
{
    if (strstr(x->text, "delivery temporarily suspended") != NULL ||
        strstr(x->text, "retry time not reached") != NULL)
        out->flags |= CLASSIFY_FLAG_NOT_ATTEMPTED;
    if (strstr(x->text, "may be sent more than once") != NULL)
        out->flags |= CLASSIFY_FLAG_MAY_DUPLICATE;
}

static Permanence
text_permanence(const Ctx *x)
{
    if (strstr(x->text, "temporar") != NULL || strstr(x->text, "try again later") != NULL ||
        strstr(x->text, "try later") != NULL)
        return PERMANENCE_TEMPORARY;
    if (strstr(x->text, "permanent") != NULL)
        return PERMANENCE_PERMANENT;
    return PERMANENCE_UNKNOWN;
}

static const char *
complaint_cause(const char *hint)
{
    static const struct {
        const char *alias, *cause;
    } aliases[] = {
        {"opt-out-list", "opt-out"},
        {"dmarc", "auth-failure"},
        {"auth-failed", "auth-failure"},
        {"spam", "abuse"},
    };
    int id = taxonomy_cause_id(hint);
    if (id >= 0 && taxonomy_group_has_cause("complaint", id))
        return taxonomy_cause_name(id);
    for (gsize i = 0; hint != NULL && i < G_N_ELEMENTS(aliases); i++)
        if (g_ascii_strcasecmp(hint, aliases[i].alias) == 0)
            return taxonomy_cause_name(taxonomy_cause_id(aliases[i].cause));
    return taxonomy_cause_name(taxonomy_cause_id("other"));
}

/* The MTA's decision, a rule's override, (compile) the typical permanence of the cause, the
 * codes, the text, the typical permanence; a bounce is permanent (Action: failed). */
static Permanence
final_permanence(const Ctx *x, Step step, int cause, Permanence decision, Permanence override,
                 Permanence code_class)
{
    if (x->kind == EVENT_KIND_DELIVERED || x->kind == EVENT_KIND_DSN_SUCCESS)
        return PERMANENCE_UNKNOWN;
    if (decision != PERMANENCE_UNKNOWN)
        return decision;
    if (override != PERMANENCE_UNKNOWN)
        return override;
    Permanence typical = taxonomy_typical_permanence(step, cause);
    if (x->kind == EVENT_KIND_COMPILE_FAILED && typical != PERMANENCE_UNKNOWN)
        return typical;
    if (code_class != PERMANENCE_UNKNOWN)
        return code_class;
    Permanence hint = text_permanence(x);
    if (hint != PERMANENCE_UNKNOWN)
        return hint;
    if (typical != PERMANENCE_UNKNOWN)
        return typical;
    return x->kind == EVENT_KIND_BOUNCE ? PERMANENCE_PERMANENT : PERMANENCE_UNKNOWN;
}

/* The whole decision for one input whose text is already normalised into x. */
static guint32
classify_fresh(Classifier *c, Ctx *x, const ClassifyInput *in, Classification *out)
{
    memset(out, 0, sizeof *out);
    int hint = taxonomy_cause_id(in->cause_hint);

    switch (x->kind) {
    case EVENT_KIND_COMPLAINT:
        out->cause = complaint_cause(in->cause_hint);
        out->rule = pseudo_ids[DECIDER_COMPLAINT];
        return DECIDER_COMPLAINT;
    case EVENT_KIND_OTHER_RECEIVED:
        out->cause = hint >= 0 && taxonomy_group_has_cause("other-received", hint)
                         ? taxonomy_cause_name(hint)
                         : taxonomy_cause_name(taxonomy_cause_id("unrelated"));
        out->rule = pseudo_ids[DECIDER_OTHER_RECEIVED];
        return DECIDER_OTHER_RECEIVED;
    case EVENT_KIND_SUPPRESSED:
        out->step = STEP_COMPILE;
        out->confidence = CONFIDENCE_EXPLICIT;
        out->cause = taxonomy_cause_name(taxonomy_cause_id("suppressed"));
        out->permanence = PERMANENCE_PERMANENT;
        out->rule = pseudo_ids[DECIDER_SUPPRESSED];
        return DECIDER_SUPPRESSED;
    default:
        break;
    }

    needles_scan(c, x->text, x->len);
    memset(c->regex_state, -1, c->regexes->len);
    guint n_rules = c->rules->len;

    /* 1. the step */
    Step step = STEP_UNKNOWN;
    Confidence conf = CONFIDENCE_UNKNOWN;
    gint64 step_rule = -1;
    if (x->kind == EVENT_KIND_COMPILE_FAILED || x->kind == EVENT_KIND_REJECTED) {
        step = STEP_COMPILE;
        conf = CONFIDENCE_EXPLICIT;
    } else if (in->step != STEP_UNKNOWN && in->step_confidence == CONFIDENCE_EXPLICIT) {
        step = in->step;
        conf = CONFIDENCE_EXPLICIT;
    } else {
        for (guint i = 0; i < n_rules; i++) {
            const Rule *r = g_ptr_array_index(c->rules, i);
            if (r->out_step == STEP_UNKNOWN || (r->need != NO_NEEDLE && !needle_hit(c, r->need)))
                continue;
            if (rule_matches(c, r, x)) {
                step = r->out_step;
                conf = r->conf;
                step_rule = i;
                break;
            }
        }
        if (in->step != STEP_UNKNOWN && (unsigned)in->step < STEP_N && in->step_confidence > conf) {
            step = in->step;
            conf = in->step_confidence;
            step_rule = -1;
        }
    }
    x->step = step;
    if (x->foreign) {
        out->step = STEP_ASYNC;
        out->remote_step = (guint8)step;
        out->confidence = CONFIDENCE_EXPLICIT;
    } else {
        out->step = (guint8)step;
        out->confidence = (guint8)conf;
    }

    /* 2. the cause */
    guint32 decider = DECIDER_FALLBACK;
    int cause = -1;
    Permanence override = PERMANENCE_UNKNOWN;
    if (hint >= 0) {
        cause = hint;
        decider = DECIDER_CAUSE_HINT;
    } else if (x->kind == EVENT_KIND_DELAY_NOTICE) {
        cause = taxonomy_cause_id("delay-notice");
        decider = DECIDER_DELAY_NOTICE;
    } else {
        for (guint i = 0; i < n_rules; i++) {
            const Rule *r = g_ptr_array_index(c->rules, i);
            if (r->cause < 0 || (r->need != NO_NEEDLE && !needle_hit(c, r->need)) ||
                !rule_matches(c, r, x))
                continue;
            if ((gint64)i != step_rule && !cause_fits(c, x, r->cause)) {
                if (!(conf == CONFIDENCE_INFERRED_CODE && r->n_terms > 0))
                    continue;
                /* the text names a cause the step guessed from a code cannot have (Yahoo's
                 * 554 5.7.9 "policy reasons" is no AUTH failure): the text wins */
                step = x->step = STEP_UNKNOWN;
                if (x->foreign) {
                    out->remote_step = STEP_UNKNOWN;
                } else {
                    out->step = STEP_UNKNOWN;
                    out->confidence = CONFIDENCE_UNKNOWN;
                }
            }
            cause = r->cause;
            override = r->perm;
            decider = DECIDER_N_PSEUDO + i;
            break;
        }
        if (cause < 0)
            cause = c->cause_undetermined;
    }
    out->cause = taxonomy_cause_name(cause);
    out->rule = decider >= DECIDER_N_PSEUDO
                    ? ((const Rule *)g_ptr_array_index(c->rules, decider - DECIDER_N_PSEUDO))->id
                    : pseudo_ids[decider];

    /* 3. permanence: the MTA's decision, a rule's override, the codes, the text, the typical */
    Permanence code_class = class_permanence(x->status_cls != 0     ? x->status_cls
                                             : x->enhanced.cls != 0 ? x->enhanced.cls
                                                                    : (int)(x->reply / 100));
    Permanence decision = kind_decision(x->kind);
    out->permanence = (guint8)final_permanence(x, out->step, cause, decision, override, code_class);

    /* 4. flags */
    text_flags(x, out);
    if (step == STEP_END_OF_DATA &&
        (cause == taxonomy_cause_id("timeout") || cause == taxonomy_cause_id("connection-lost")))
        out->flags |= CLASSIFY_FLAG_MAY_DUPLICATE;
    int reply_cls = (int)(x->reply / 100);
    if (x->enhanced.cls >= 4 && reply_cls >= 4 && x->enhanced.cls != reply_cls)
        out->flags |= CLASSIFY_FLAG_CODE_MISMATCH;
    if (decision != PERMANENCE_UNKNOWN && code_class != PERMANENCE_UNKNOWN &&
        decision != code_class)
        out->flags |= CLASSIFY_FLAG_DECISION_DIFFERS;
    return decider;
}

/* ------------------------------------------------------------------------------------------ */
/* Memo */

static guint64
hash_bytes(const guchar *p, gsize n)
{
    guint64 h =
        G_GUINT64_CONSTANT(0x9E3779B97F4A7C15) ^ (n * G_GUINT64_CONSTANT(0xff51afd7ed558ccd));
    while (n >= 8) {
        guint64 v;
        memcpy(&v, p, 8);
        h = (h ^ v) * G_GUINT64_CONSTANT(0xff51afd7ed558ccd);
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    guint64 v = 0;
    memcpy(&v, p, n);
    h = (h ^ v) * G_GUINT64_CONSTANT(0xc4ceb9fe1a85ec53);
    h ^= h >> 29;
    h *= G_GUINT64_CONSTANT(0x94d049bb133111eb);
    h ^= h >> 32;
    return h | 1; /* 0 marks an empty slot */
}

static void
memo_clear(Classifier *c)
{
    memset(c->slots, 0, c->capacity * sizeof(MemoSlot));
    c->count = 0;
    if (c->recent)
        memset(c->recent, 0, RECENT_SLOTS * sizeof(PointerSlot));
    g_byte_array_set_size(c->arena, 0);
}

static void
memo_grow(Classifier *c)
{
    guint old_cap = c->capacity;
    MemoSlot *old = c->slots;
    c->capacity = old_cap * 2;
    c->slots = g_new0(MemoSlot, c->capacity);
    for (guint i = 0; i < old_cap; i++) {
        if (old[i].hash == 0)
            continue;
        guint j = (guint)old[i].hash & (c->capacity - 1);
        while (c->slots[j].hash != 0)
            j = (j + 1) & (c->capacity - 1);
        c->slots[j] = old[i];
    }
    g_free(old);
}

static MemoSlot *
memo_find(Classifier *c, guint64 hash, const char *key, gsize len)
{
    guint j = (guint)hash & (c->capacity - 1);
    for (;;) {
        MemoSlot *s = &c->slots[j];
        if (s->hash == 0)
            return s;
        if (s->hash == hash && s->key_len == len &&
            memcmp(c->arena->data + s->key_off, key, len) == 0)
            return s;
        j = (j + 1) & (c->capacity - 1);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* The public entry point */

static void
key_append_field(GString *key, const char *s)
{
    if (s != NULL)
        g_string_append_len(key, s, (gssize)strnlen(s, KEY_FIELD_MAX));
    g_string_append_c(key, '\0');
}

static void classify_uncached(Classifier *c, const ClassifyInput *in, Classification *out);

void
classifier_classify(Classifier *c, const ClassifyInput *input, Classification *out)
{
    g_return_if_fail(c != NULL && input != NULL && out != NULL);
    /* out-of-range enum values from a caller are "unknown" */
    ClassifyInput sane = *input;
    const ClassifyInput *in = &sane;
    if ((unsigned)sane.kind >= EVENT_KIND_N)
        sane.kind = EVENT_KIND_NONE;
    if ((unsigned)sane.step >= STEP_N || (unsigned)sane.step_confidence > CONFIDENCE_EXPLICIT) {
        sane.step = STEP_UNKNOWN;
        sane.step_confidence = CONFIDENCE_UNKNOWN;
    }
    PointerSlot *ps = NULL;
    guint32 bits = 0;
    if (in->stable) {
        bits = (guint32)in->kind | (guint32)in->step << 6 | (guint32)in->step_confidence << 11 |
               (guint32)(in->foreign ? 1 : 0) << 13 | (guint32)in->reply_code << 14;
        guint64 h = (guint64)(gsize)in->text * 0x9E3779B97F4A7C15u ^
                    (guint64)(gsize)in->enhanced * 0xBF58476D1CE4E5B9u ^
                    (guint64)(gsize)in->cause_hint ^ (guint64)(gsize)in->vendor_label ^ bits;
        if (c->recent == NULL)
            c->recent = g_new0(PointerSlot, RECENT_SLOTS);
        ps = &c->recent[(h >> 29) & (RECENT_SLOTS - 1)];
        if (ps->used && ps->text == in->text && ps->enhanced == in->enhanced &&
            ps->cause_hint == in->cause_hint && ps->vendor_label == in->vendor_label &&
            ps->bits == bits) {
            *out = ps->result;
            return;
        }
    }
    classify_uncached(c, in, out);
    if (ps) {
        *ps = (PointerSlot){.text = in->text,
                            .enhanced = in->enhanced,
                            .cause_hint = in->cause_hint,
                            .vendor_label = in->vendor_label,
                            .bits = bits,
                            .used = TRUE,
                            .result = *out};
    }
}

/* Remembers the answer for a key (copied into the arena). */
static void
memo_put(Classifier *c, guint64 h, const GString *key, guint32 decider,
         const Classification *result)
{
    if (c->count + 1 > MEMO_MAX_ENTRIES || c->arena->len + key->len > MEMO_MAX_BYTES) {
        memo_clear(c);
    } else if ((c->count + 1) * 2 > c->capacity) {
        memo_grow(c);
    }
    MemoSlot *slot = memo_find(c, h, key->str, key->len);
    if (slot->hash != 0)
        return; /* there already */
    slot->hash = h;
    slot->key_off = c->arena->len;
    slot->key_len = (guint32)key->len;
    slot->decider = decider;
    slot->result = *result;
    g_byte_array_append(c->arena, (const guint8 *)key->str, (guint)key->len);
    c->count++;
}

/* Can the recipient's address stand for any other in a text? It does when normalise() would
 * turn it into *@* wherever it appears: a local part of address characters, one '@', a
 * domain of domain characters (x@x is such an address too). */
static gboolean
plain_address(const char *a, gsize n)
{
    const char *at = memchr(a, '@', n);
    if (at == NULL || at == a || at == a + n - 1 || n > 254)
        return FALSE;
    for (const char *p = a; p < at; p++)
        if (!(char_flags[(guchar)*p] & CH_LOCAL))
            return FALSE;
    for (const char *p = at + 1; p < a + n; p++)
        if (!(char_flags[(guchar)*p] & CH_DOMAIN))
            return FALSE;
    return TRUE;
}

/* c->shape: the key so far (its fields), a mark, and the text with every occurrence of the
 * recipient's address written x@x. Two texts with the same shape normalise to the same key:
 * the address becomes *@* either way and nothing around it changes. Only for texts short
 * enough that normalise() sees all of them and cuts no token (the address changes the
 * text's length). */
static gboolean
shape_key(Classifier *c, const ClassifyInput *in, const GString *key)
{
    if (in->recipient == NULL || in->text == NULL || c->shape_off)
        return FALSE;
    /* texts that differ in more than the address (a Postfix deferral names the server and its
     * address too) rarely share a shape: after a few thousand lookups with fewer than half
     * answered, the shapes cost more time and memory than they save */
    if (c->shape_tries == SHAPE_TRIAL && c->shape_hits < SHAPE_TRIAL / 2) {
        c->shape_off = TRUE;
        return FALSE;
    }
    gsize tlen = strnlen(in->text, SHAPE_TEXT_MAX), rlen = strlen(in->recipient);
    if (tlen >= SHAPE_TEXT_MAX || !plain_address(in->recipient, rlen))
        return FALSE;
    GString *shape = c->shape;
    g_string_truncate(shape, 0);
    g_string_append_len(shape, key->str, (gssize)key->len);
    g_string_append_c(shape, '\001'); /* normalised texts hold no control characters */
    const char *p = in->text, *end = in->text + tlen;
    for (const char *q; (q = text_find(p, (gsize)(end - p), in->recipient, rlen)) != NULL;
         p = q + rlen) {
        g_string_append_len(shape, p, q - p);
        g_string_append_len(shape, "x@x", 3);
    }
    g_string_append_len(shape, p, end - p);
    return TRUE;
}

static void
classify_uncached(Classifier *c, const ClassifyInput *in, Classification *out)
{
    GString *key = c->key;
    g_string_truncate(key, 0);
    guint8 head[6] = {
        (guint8)in->kind,
        (guint8)in->step,
        (guint8)in->step_confidence,
        (guint8)(in->foreign ? 1 : 0),
        (guint8)(in->reply_code & 0xff),
        (guint8)(in->reply_code >> 8),
    };
    g_string_append_len(key, (const char *)head, sizeof head);
    key_append_field(key, in->enhanced);
    key_append_field(key, in->cause_hint);
    gsize vendor_off = key->len;
    key_append_field(key, in->vendor_label);
    for (gsize i = vendor_off; i < key->len; i++)
        key->str[i] = (char)lower((guchar)key->str[i]);
    gsize text_off = key->len;
    /* texts that differ only in the recipient's address are classified once: looked up by
     * their shape before the text is normalised */
    guint64 shape_hash = 0;
    gboolean shaped = shape_key(c, in, key);
    if (shaped) {
        shape_hash = hash_bytes((const guchar *)c->shape->str, c->shape->len);
        MemoSlot *known = memo_find(c, shape_hash, c->shape->str, c->shape->len);
        c->shape_tries += c->shape_tries < SHAPE_TRIAL;
        if (known->hash != 0) {
            c->shape_hits += c->shape_tries < SHAPE_TRIAL;
            *out = known->result;
            c->hits[known->decider]++;
            return;
        }
    }
    normalise(key, in->text);

    guint64 h = hash_bytes((const guchar *)key->str, key->len);
    MemoSlot *slot = memo_find(c, h, key->str, key->len);
    if (slot->hash != 0) {
        *out = slot->result;
        c->hits[slot->decider]++;
        if (shaped) {
            Classification result = slot->result;
            memo_put(c, shape_hash, c->shape, slot->decider, &result);
        }
        return;
    }

    Ctx x = {
        .kind = (EventKind)head[0],
        .foreign = in->foreign,
        .text = key->str + text_off,
        .len = key->len - text_off,
        .vendor = key->str[vendor_off] != '\0' ? key->str + vendor_off : NULL,
    };
    /* codes: the given ones, else what the text says (X.0.0 says nothing beyond its class) */
    Enhanced given = {0};
    if (in->enhanced != NULL &&
        parse_enhanced((const guchar *)in->enhanced, strnlen(in->enhanced, 16), &given) > 0 &&
        !enhanced_is_placeholder(&given))
        x.status_cls = given.cls;
    else
        given.cls = 0;
    x.enhanced = given;
    /* X.0.0 says nothing beyond its class; our own expiry notice (X.4.7) quotes the last
     * attempt's reply, which says why */
    if (given.cls == 0 || (given.subject == 0 && given.detail == 0) ||
        (!in->foreign && given.subject == 4 && given.detail == 7)) {
        Enhanced found;
        find_enhanced(x.text, x.len, &found);
        if (found.cls != 0)
            x.enhanced = found;
    }
    x.reply = in->reply_code != 0 ? in->reply_code : find_reply_code(x.text, x.len);
    int cls = x.status_cls != 0     ? x.status_cls
              : x.enhanced.cls != 0 ? x.enhanced.cls
                                    : (int)(x.reply / 100);
    x.code_perm = class_permanence(cls);
    if (x.code_perm == PERMANENCE_UNKNOWN)
        x.code_perm = kind_decision(x.kind);
    if (x.code_perm == PERMANENCE_UNKNOWN)
        x.code_perm = text_permanence(&x);

    guint32 decider = classify_fresh(c, &x, in, out);
    c->hits[decider]++;
    memo_put(c, h, key, decider, out);
    if (shaped)
        memo_put(c, shape_hash, c->shape, decider, out);
}

void
classify_input_from_event(ClassifyInput *in, const Event *ev)
{
    memset(in, 0, sizeof *in);
    in->kind = ev->kind;
    in->step = ev->step;
    in->step_confidence = ev->step_confidence;
    in->reply_code = ev->reply_code;
    in->enhanced = ev->enhanced;
    in->text = ev->diagnostic;
    in->cause_hint = ev->cause_hint;
    in->vendor_label = ev->vendor_label;
    in->foreign = FALSE;
}

/* ------------------------------------------------------------------------------------------ */
/* Parsing rules */

typedef struct {
    Classifier *c;
    const char *file;
    guint line;
    GError **error;
} ParseCtx;

static gboolean G_GNUC_PRINTF(2, 3) parse_fail(ParseCtx *p, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    g_autofree char *msg = g_strdup_vprintf(format, args);
    va_end(args);
    g_set_error(p->error, CLASSIFY_ERROR, CLASSIFY_ERROR_RULES, "%s:%u: %s", p->file, p->line, msg);
    return FALSE;
}

static guint32
needle_add(Classifier *c, const char *literal)
{
    gpointer idp = g_hash_table_lookup(c->needle_ids, literal);
    if (idp != NULL)
        return GPOINTER_TO_UINT(idp) - 1;
    char *copy = g_strdup(literal);
    guint32 id = c->needles->len;
    g_ptr_array_add(c->needles, copy);
    guint32 len = (guint32)strlen(copy);
    g_array_append_val(c->needle_len, len);
    g_hash_table_insert(c->needle_ids, copy, GUINT_TO_POINTER(id + 1));
    return id;
}

/* A literal every match of the regex contains (lower-cased), or NULL: the longest run of plain
 * characters outside groups and classes, when the pattern has no top-level alternative. Only
 * when the text holds it is the regex run. */
static char *
regex_guard(const char *re)
{
    GString *best = g_string_new(NULL), *run = g_string_new(NULL);
    int depth = 0;
    gboolean ok = TRUE;
    for (const char *p = re; *p != '\0' && ok; p++) {
        char ch = *p;
        gboolean flush = FALSE;
        if (ch == '[') { /* a class: skip it */
            p++;
            if (*p == '^')
                p++;
            if (*p == ']')
                p++;
            while (*p != '\0' && *p != ']') {
                if (*p == '\\' && p[1] != '\0')
                    p++;
                p++;
            }
            if (*p == '\0')
                break;
            flush = TRUE;
        } else if (ch == '(') {
            depth++;
            flush = TRUE;
        } else if (ch == ')') {
            depth = depth > 0 ? depth - 1 : 0;
        } else if (depth > 0) {
            if (ch == '\\' && p[1] != '\0')
                p++;
        } else if (ch == '|') {
            ok = FALSE;
        } else if (ch == '?' || ch == '*' || ch == '{') {
            if (run->len > 0)
                g_string_truncate(run, run->len - 1); /* the char before is optional */
            if (ch == '{')
                while (p[1] != '\0' && *p != '}')
                    p++;
            flush = TRUE;
        } else if (ch == '\\' && p[1] != '\0') {
            p++;
            if (!g_ascii_isalnum(*p) && (guchar)*p < 0x80)
                g_string_append_c(run, *p);
            else
                flush = TRUE; /* \d, \s, \b ... */
        } else if (strchr(".^$+", ch) != NULL || (guchar)ch >= 0x80) {
            flush = TRUE;
        } else {
            g_string_append_c(run, (char)lower((guchar)ch));
        }
        if (flush) {
            if (run->len > best->len)
                g_string_assign(best, run->str);
            g_string_truncate(run, 0);
        }
    }
    if (run->len > best->len)
        g_string_assign(best, run->str);
    g_string_free(run, TRUE);
    if (!ok || best->len < 3) {
        g_string_free(best, TRUE);
        return NULL;
    }
    return g_string_free(best, FALSE);
}

static gboolean
parse_text(ParseCtx *p, Rule *r, const char *field)
{
    if (strcmp(field, "-") == 0)
        return TRUE;
    g_auto(GStrv) parts = g_strsplit(field, " && ", -1);
    guint n = g_strv_length(parts);
    if (n > LIST_MAX)
        return parse_fail(p, "too many text conditions");
    r->terms = g_new0(Term, n);
    for (guint i = 0; i < n; i++) {
        const char *s = parts[i];
        Term *t = &r->terms[r->n_terms];
        t->negate = s[0] == '!';
        if (t->negate)
            s++;
        if (g_str_has_prefix(s, "re:")) {
            const char *pattern = s + 3;
            if (*pattern == '\0')
                return parse_fail(p, "empty regular expression");
            g_autoptr(GError) rerr = NULL;
            GRegex *re =
                g_regex_new(pattern, G_REGEX_CASELESS | G_REGEX_OPTIMIZE | G_REGEX_RAW, 0, &rerr);
            if (re == NULL)
                return parse_fail(p, "bad regular expression \"%s\": %s", pattern, rerr->message);
            t->regex = (gint32)p->c->regexes->len;
            g_ptr_array_add(p->c->regexes, re);
            g_autofree char *guard = regex_guard(pattern);
            t->needle = guard != NULL ? needle_add(p->c, guard) : NO_NEEDLE;
        } else {
            g_autofree char *lit = normalise_literal(s);
            if (strlen(lit) < 2)
                return parse_fail(p, "text \"%s\" is too short (two characters at least)", s);
            t->regex = -1;
            t->needle = needle_add(p->c, lit);
        }
        r->n_terms++;
    }
    return TRUE;
}

static gboolean
parse_reply(ParseCtx *p, Rule *r, char **values)
{
    guint n = g_strv_length(values);
    r->reply = g_new0(ReplyRange, n);
    for (guint i = 0; i < n; i++) {
        const char *v = values[i];
        ReplyRange *range = &r->reply[r->n_reply];
        if (strcmp(v, "none") == 0) {
            range->lo = range->hi = 0;
        } else if (strlen(v) == 3 && v[0] >= '2' && v[0] <= '5') {
            guint lo = 0, hi = 0;
            gboolean wild = FALSE;
            for (int k = 0; k < 3; k++) {
                if (v[k] == 'x' || v[k] == 'X') {
                    wild = TRUE;
                    lo = lo * 10;
                    hi = hi * 10 + 9;
                } else if (g_ascii_isdigit(v[k]) && !wild) {
                    lo = lo * 10 + (guint)(v[k] - '0');
                    hi = hi * 10 + (guint)(v[k] - '0');
                } else {
                    return parse_fail(p, "bad reply code \"%s\" (550, 55x, 5xx or none)", v);
                }
            }
            range->lo = (guint16)lo;
            range->hi = (guint16)hi;
        } else {
            return parse_fail(p, "bad reply code \"%s\" (550, 55x, 5xx or none)", v);
        }
        r->n_reply++;
    }
    return TRUE;
}

/* "5.1.1", "x.1.1", "4.x.x", "x.7.20-22", "none" */
static gboolean
parse_enhanced_pattern(const char *v, EnhancedPattern *e)
{
    memset(e, 0, sizeof *e);
    if (strcmp(v, "none") == 0) {
        e->none = TRUE;
        return TRUE;
    }
    g_auto(GStrv) parts = g_strsplit(v, ".", -1);
    if (g_strv_length(parts) != 3)
        return FALSE;
    const char *c = parts[0];
    if (g_ascii_strcasecmp(c, "x") == 0)
        e->cls = 0;
    else if (strlen(c) == 1 && (c[0] == '2' || c[0] == '4' || c[0] == '5'))
        e->cls = (guint8)(c[0] - '0');
    else
        return FALSE;
    guint64 n = 0;
    if (g_ascii_strcasecmp(parts[1], "x") == 0)
        e->subject = -1;
    else if (g_ascii_string_to_unsigned(parts[1], 10, 0, 999, &n, NULL))
        e->subject = (gint16)n;
    else
        return FALSE;
    if (g_ascii_strcasecmp(parts[2], "x") == 0) {
        e->lo = e->hi = -1;
        return TRUE;
    }
    const char *dash = strchr(parts[2], '-');
    g_autofree char *lo = dash ? g_strndup(parts[2], (gsize)(dash - parts[2])) : g_strdup(parts[2]);
    guint64 a = 0, b = 0;
    if (!g_ascii_string_to_unsigned(lo, 10, 0, 999, &a, NULL))
        return FALSE;
    b = a;
    if (dash != NULL && (!g_ascii_string_to_unsigned(dash + 1, 10, 0, 999, &b, NULL) || b < a))
        return FALSE;
    e->lo = (gint16)a;
    e->hi = (gint16)b;
    return TRUE;
}

static gboolean
parse_when(ParseCtx *p, Rule *r, const char *field)
{
    if (strcmp(field, "-") == 0)
        return TRUE;
    g_auto(GStrv) conds = g_strsplit(field, " ", -1);
    for (char **cp = conds; *cp != NULL; cp++) {
        if (**cp == '\0')
            continue;
        char *eq = strchr(*cp, '=');
        if (eq == NULL || eq == *cp || eq[1] == '\0')
            return parse_fail(p, "condition \"%s\" is not key=value", *cp);
        *eq = '\0';
        const char *key = *cp;
        g_auto(GStrv) values = g_strsplit(eq + 1, ",", -1);
        if (g_strv_length(values) > LIST_MAX)
            return parse_fail(p, "too many values for %s", key);
        for (char **v = values; *v != NULL; v++)
            if (**v == '\0')
                return parse_fail(p, "empty value in %s=", key);
        if (strcmp(key, "kind") == 0) {
            for (char **v = values; *v != NULL; v++) {
                int k;
                for (k = 1; k < EVENT_KIND_N; k++)
                    if (strcmp(*v, event_kind_to_string((EventKind)k)) == 0)
                        break;
                if (k == EVENT_KIND_N)
                    return parse_fail(p, "unknown event kind \"%s\"", *v);
                r->kinds |= 1u << k;
            }
        } else if (strcmp(key, "step") == 0) {
            for (char **v = values; *v != NULL; v++) {
                Step s = step_from_string(*v);
                if (s == STEP_UNKNOWN && strcmp(*v, "unknown") != 0)
                    return parse_fail(p, "unknown step \"%s\"", *v);
                r->steps |= 1u << s;
            }
        } else if (strcmp(key, "perm") == 0) {
            for (char **v = values; *v != NULL; v++) {
                if (strcmp(*v, "temporary") == 0)
                    r->perms |= 1u << PERMANENCE_TEMPORARY;
                else if (strcmp(*v, "permanent") == 0)
                    r->perms |= 1u << PERMANENCE_PERMANENT;
                else if (strcmp(*v, "unknown") == 0)
                    r->perms |= 1u << PERMANENCE_UNKNOWN;
                else
                    return parse_fail(p, "perm= takes temporary, permanent or unknown, not \"%s\"",
                                      *v);
            }
        } else if (strcmp(key, "foreign") == 0) {
            if (values[0] != NULL && strcmp(values[0], "yes") == 0 && values[1] == NULL)
                r->foreign = 1;
            else if (values[0] != NULL && strcmp(values[0], "no") == 0 && values[1] == NULL)
                r->foreign = 0;
            else
                return parse_fail(p, "foreign= takes yes or no");
        } else if (strcmp(key, "reply") == 0) {
            if (r->n_reply > 0)
                return parse_fail(p, "reply= given twice");
            if (!parse_reply(p, r, values))
                return FALSE;
        } else if (strcmp(key, "enhanced") == 0 || strcmp(key, "status") == 0) {
            if (r->n_enhanced > 0)
                return parse_fail(p, "enhanced= given twice");
            r->enhanced = g_new0(EnhancedPattern, g_strv_length(values));
            for (char **v = values; *v != NULL; v++)
                if (!parse_enhanced_pattern(*v, &r->enhanced[r->n_enhanced++]))
                    return parse_fail(p,
                                      "bad enhanced code \"%s\" (5.1.1, x.1.1, 4.x.x, "
                                      "x.7.20-22 or none)",
                                      *v);
        } else if (strcmp(key, "vendor") == 0) {
            if (r->n_vendor > 0)
                return parse_fail(p, "vendor= given twice");
            r->n_vendor = g_strv_length(values);
            r->vendor = g_new0(char *, r->n_vendor + 1);
            for (guint i = 0; i < r->n_vendor; i++)
                r->vendor[i] = g_ascii_strdown(values[i], -1);
        } else {
            return parse_fail(p,
                              "unknown condition \"%s\" (kind, step, perm, foreign, reply, "
                              "enhanced, vendor)",
                              key);
        }
    }
    return TRUE;
}

static gboolean
parse_rule(ParseCtx *p, char **f, Rule *r, GHashTable *ids)
{
    memset(r, 0, sizeof *r);
    r->foreign = -1;
    r->cause = -1;
    r->need = NO_NEEDLE;
    const char *id = f[0];
    if (strlen(id) > 64)
        return parse_fail(p, "rule id is longer than 64 characters");
    for (const char *q = id; *q != '\0'; q++)
        if (!g_ascii_isalnum(*q) && strchr("._:-", *q) == NULL)
            return parse_fail(p, "rule id \"%s\" may only hold letters, digits and . _ : -", id);
    if (g_hash_table_contains(ids, id))
        return parse_fail(p, "rule id \"%s\" is used twice", id);
    g_hash_table_add(ids, g_strdup(id));
    r->id = g_intern_string(id);
    g_autofree char *source = g_strdup_printf("%s:%u", p->file, p->line);
    r->source = g_intern_string(source);

    if (strcmp(f[1], "-") != 0) {
        r->out_step = step_from_string(f[1]);
        if (r->out_step == STEP_UNKNOWN || r->out_step == STEP_ASYNC)
            return parse_fail(p, "unknown step \"%s\"", f[1]);
    }
    if (strcmp(f[2], "-") != 0) {
        r->cause = taxonomy_cause_id(f[2]);
        if (r->cause < 0)
            return parse_fail(p,
                              "unknown cause \"%s\" (the causes are those of the taxonomy, "
                              "see docs/rules.md)",
                              f[2]);
    }
    if (strcmp(f[3], "temporary") == 0)
        r->perm = PERMANENCE_TEMPORARY;
    else if (strcmp(f[3], "permanent") == 0)
        r->perm = PERMANENCE_PERMANENT;
    else if (strcmp(f[3], "-") != 0)
        return parse_fail(p, "permanence must be temporary, permanent or -, not \"%s\"", f[3]);
    const char *cf = f[4];
    if (strcmp(cf, "explicit") == 0)
        r->conf = CONFIDENCE_EXPLICIT;
    else if (strcmp(cf, "text") == 0 || strcmp(cf, "inferred-text") == 0)
        r->conf = CONFIDENCE_INFERRED_TEXT;
    else if (strcmp(cf, "code") == 0 || strcmp(cf, "inferred-code") == 0)
        r->conf = CONFIDENCE_INFERRED_CODE;
    else if (strcmp(cf, "-") != 0)
        return parse_fail(p, "confidence must be explicit, text, code or -, not \"%s\"", cf);
    if (!parse_when(p, r, f[5]) || !parse_text(p, r, f[6]))
        return FALSE;
    r->need = NO_NEEDLE;
    for (guint i = 0; i < r->n_terms && r->need == NO_NEEDLE; i++)
        if (!r->terms[i].negate)
            r->need = r->terms[i].needle; /* a literal, or the literal a regex needs */
    if (r->conf == CONFIDENCE_UNKNOWN)
        r->conf = r->n_terms > 0 ? CONFIDENCE_INFERRED_TEXT : CONFIDENCE_INFERRED_CODE;
    if (r->out_step == STEP_UNKNOWN && r->cause < 0 && r->perm == PERMANENCE_UNKNOWN)
        return parse_fail(p, "the rule sets nothing (give a step, a cause or a permanence)");
    if (r->out_step != STEP_UNKNOWN && r->steps != 0)
        return parse_fail(p, "a rule with a step= condition cannot place the step");
    if (r->out_step != STEP_UNKNOWN && r->perms != 0)
        return parse_fail(p, "a rule with a perm= condition cannot place the step");
    return TRUE;
}

/* Parses a rules text into rules; on error nothing is added. */
static gboolean
rules_parse(Classifier *c, const char *text, gsize len, const char *file, GArray *into,
            GError **error)
{
    ParseCtx p = {.c = c, .file = file, .error = error};
    g_autoptr(GHashTable) ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GArray) rules = g_array_new(FALSE, TRUE, sizeof(Rule));
    g_array_set_clear_func(rules, (GDestroyNotify)rule_clear);
    gsize pos = 0;
    while (pos < len) {
        p.line++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        gsize end = nl != NULL ? (gsize)(nl - text) : len;
        gsize line_len = end - pos;
        if (line_len > 0 && text[pos + line_len - 1] == '\r')
            line_len--;
        if (line_len > RULE_LINE_MAX)
            return parse_fail(&p, "line is longer than %u bytes", RULE_LINE_MAX);
        g_autofree char *line = g_strndup(text + pos, line_len);
        pos = end + 1;
        if (strlen(line) != line_len)
            return parse_fail(&p, "NUL byte in line");
        if (!g_utf8_validate(line, -1, NULL))
            return parse_fail(&p, "line is not valid UTF-8");
        const char *q = line;
        while (*q == ' ')
            q++;
        if (*q == '\0' || *q == '#')
            continue;
        /* columns are separated by one or more tabs */
        char *f[8];
        guint n = 0;
        char *s = line;
        while (*s != '\0' && n < 8) {
            f[n++] = s;
            char *tab = strchr(s, '\t');
            if (tab == NULL)
                break;
            *tab = '\0';
            s = tab + 1;
            while (*s == '\t')
                s++;
        }
        for (guint i = 0; i < n; i++)
            f[i] = g_strstrip(f[i]);
        if (n == 7 && strcmp(f[0], "id") == 0 && strcmp(f[1], "step") == 0)
            continue; /* a header line */
        if (n != 7)
            return parse_fail(&p,
                              "expected 7 tab-separated columns (id, step, cause, "
                              "permanence, confidence, when, text), found %u",
                              n);
        Rule r;
        if (!parse_rule(&p, f, &r, ids)) {
            rule_clear(&r);
            return FALSE;
        }
        g_array_append_val(rules, r);
    }
    g_array_set_clear_func(rules, NULL);
    g_array_append_vals(into, rules->data, rules->len);
    return TRUE;
}

/* Rebuilds the rule order, the literal index and the scratch buffers; empties the memo. */
static void
classifier_rebuild(Classifier *c)
{
    g_ptr_array_set_size(c->rules, 0);
    for (guint i = 0; i < c->user_rules->len; i++)
        g_ptr_array_add(c->rules, &g_array_index(c->user_rules, Rule, i));
    for (guint i = 0; i < c->builtin_rules->len; i++)
        g_ptr_array_add(c->rules, &g_array_index(c->builtin_rules, Rule, i));

    guint n = c->needles->len;
    g_free(c->bucket_start);
    g_free(c->bucket_needles);
    c->bucket_start = g_new0(guint32, NEEDLE_BUCKETS + 1);
    c->bucket_needles = g_new0(guint32, n + 1);
    for (guint i = 0; i < n; i++) {
        const guchar *s = g_ptr_array_index(c->needles, i);
        c->bucket_start[(((guint)s[0] << 6) ^ s[1]) & (NEEDLE_BUCKETS - 1)]++;
    }
    guint32 sum = 0;
    for (guint b = 0; b <= NEEDLE_BUCKETS; b++) {
        guint32 count = c->bucket_start[b];
        c->bucket_start[b] = sum;
        sum += count;
    }
    g_autofree guint32 *fill = g_memdup2(c->bucket_start, (NEEDLE_BUCKETS + 1) * sizeof(guint32));
    for (guint i = 0; i < n; i++) {
        const guchar *s = g_ptr_array_index(c->needles, i);
        guint b = (((guint)s[0] << 6) ^ s[1]) & (NEEDLE_BUCKETS - 1);
        c->bucket_needles[fill[b]++] = i;
    }
    g_free(c->needle_bits);
    c->needle_bits = g_new0(guint64, (n + 63) / 64 + 1);
    g_free(c->regex_state);
    c->regex_state = g_new0(gint8, c->regexes->len + 1);
    g_free(c->hits);
    c->hits = g_new0(guint64, DECIDER_N_PSEUDO + c->rules->len);
    memo_clear(c);
}

Classifier *
classifier_new(void)
{
    Classifier *c = g_new0(Classifier, 1);
    c->user_rules = g_array_new(FALSE, TRUE, sizeof(Rule));
    c->builtin_rules = g_array_new(FALSE, TRUE, sizeof(Rule));
    g_array_set_clear_func(c->user_rules, (GDestroyNotify)rule_clear);
    g_array_set_clear_func(c->builtin_rules, (GDestroyNotify)rule_clear);
    c->rules = g_ptr_array_new();
    c->needle_ids = g_hash_table_new(g_str_hash, g_str_equal);
    c->needles = g_ptr_array_new_with_free_func(g_free);
    c->needle_len = g_array_new(FALSE, FALSE, sizeof(guint32));
    c->regexes = g_ptr_array_new_with_free_func((GDestroyNotify)g_regex_unref);
    c->key = g_string_sized_new(NORM_MAX + 256);
    c->shape = g_string_sized_new(1024);
    c->capacity = 1024;
    c->slots = g_new0(MemoSlot, c->capacity);
    c->arena = g_byte_array_new();
    c->cause_undetermined = taxonomy_cause_id("undetermined");

    g_autoptr(GBytes) builtin = taxonomy_data("rules.tsv");
    if (builtin != NULL) {
        gsize len = 0;
        const char *text = g_bytes_get_data(builtin, &len);
        g_autoptr(GError) error = NULL;
        if (!rules_parse(c, text, len, "rules.tsv (built in)", c->builtin_rules, &error))
            g_critical("%s", error->message);
    }
    classifier_rebuild(c);
    return c;
}

void
classifier_free(Classifier *c)
{
    if (c == NULL)
        return;
    g_ptr_array_free(c->rules, TRUE);
    g_array_free(c->user_rules, TRUE);
    g_array_free(c->builtin_rules, TRUE);
    g_hash_table_destroy(c->needle_ids);
    g_ptr_array_free(c->needles, TRUE);
    g_array_free(c->needle_len, TRUE);
    g_free(c->bucket_start);
    g_free(c->bucket_needles);
    g_ptr_array_free(c->regexes, TRUE);
    g_free(c->recent);
    g_free(c->needle_bits);
    g_free(c->regex_state);
    g_string_free(c->key, TRUE);
    g_string_free(c->shape, TRUE);
    g_free(c->slots);
    g_byte_array_free(c->arena, TRUE);
    g_free(c->hits);
    g_free(c);
}

gboolean
classifier_load_rules(Classifier *c, const char *path, GError **error)
{
    g_return_val_if_fail(c != NULL && path != NULL, FALSE);
    GStatBuf st;
    if (g_stat(path, &st) != 0) {
        g_set_error(error, CLASSIFY_ERROR, CLASSIFY_ERROR_RULES, "%s: cannot read rules: %s", path,
                    g_strerror(errno));
        return FALSE;
    }
    if (st.st_size > (goffset)RULES_FILE_MAX) {
        g_set_error(error, CLASSIFY_ERROR, CLASSIFY_ERROR_RULES,
                    "%s: rules file is larger than %u bytes", path, RULES_FILE_MAX);
        return FALSE;
    }
    g_autofree char *text = NULL;
    gsize len = 0;
    g_autoptr(GError) ferr = NULL;
    if (!g_file_get_contents(path, &text, &len, &ferr)) {
        g_set_error(error, CLASSIFY_ERROR, CLASSIFY_ERROR_RULES, "%s: cannot read rules: %s", path,
                    ferr->message);
        return FALSE;
    }
    if (len > RULES_FILE_MAX) {
        g_set_error(error, CLASSIFY_ERROR, CLASSIFY_ERROR_RULES,
                    "%s: rules file is larger than %u bytes", path, RULES_FILE_MAX);
        return FALSE;
    }
    guint n_needles = c->needles->len, n_regexes = c->regexes->len;
    if (!rules_parse(c, text, len, path, c->user_rules, error)) {
        /* forget the literals and expressions of the rejected file: the index stays as it was */
        for (guint i = n_needles; i < c->needles->len; i++)
            g_hash_table_remove(c->needle_ids, g_ptr_array_index(c->needles, i));
        g_ptr_array_set_size(c->needles, n_needles);
        g_array_set_size(c->needle_len, n_needles);
        g_ptr_array_set_size(c->regexes, n_regexes);
        return FALSE;
    }
    classifier_rebuild(c);
    return TRUE;
}

guint
classifier_memo_size(const Classifier *c)
{
    return c != NULL ? c->count : 0;
}

guint
classifier_n_rules(const Classifier *c)
{
    return c != NULL ? c->rules->len : 0;
}

void
classifier_foreach_rule(const Classifier *c, ClassifierRuleFunc func, gpointer user_data)
{
    g_return_if_fail(c != NULL && func != NULL);
    for (guint i = 0; i < DECIDER_N_PSEUDO; i++)
        func(pseudo_ids[i], c->hits[i], user_data);
    for (guint i = 0; i < c->rules->len; i++) {
        const Rule *r = g_ptr_array_index(c->rules, i);
        func(r->id, c->hits[DECIDER_N_PSEUDO + i], user_data);
    }
}

gboolean
classifier_rule_info(const Classifier *c, guint index, ClassifierRuleInfo *info)
{
    g_return_val_if_fail(c != NULL && info != NULL, FALSE);
    if (index >= c->rules->len)
        return FALSE;
    const Rule *r = g_ptr_array_index(c->rules, index);
    info->id = r->id;
    info->source = r->source;
    info->step = r->out_step;
    info->cause = taxonomy_cause_name(r->cause);
    info->step_condition = r->steps;
    info->foreign = (gint)r->foreign;
    return TRUE;
}
