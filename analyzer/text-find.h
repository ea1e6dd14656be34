/* Finding a short text in one reply or log line. */
#pragma once

#include <glib.h>
#include <string.h>

/* The first needle (nlen > 0 bytes) in len bytes at s, or NULL: memchr for its first byte, then
 * a compare. For the phrases the parsers and the classifier look for in a line, several times
 * cheaper than memmem, whose set-up costs more than such a search. At worst len * nlen steps;
 * lines are bounded (INPUT_MAX_LINE) and needles short. */
static inline const char *
text_find(const char *s, gsize len, const char *needle, gsize nlen)
{
    if (nlen == 0 || len < nlen)
        return nlen == 0 ? s : NULL;
    const char *last = s + (len - nlen);
    for (const char *p = s; p <= last; p++) {
        p = memchr(p, needle[0], (gsize)(last - p) + 1);
        if (p == NULL)
            return NULL;
        if (memcmp(p + 1, needle + 1, nlen - 1) == 0)
            return p;
    }
    return NULL;
}
