/* Facts inside SMTP reply texts as MTAs log them: the basic reply code, the RFC 3463 enhanced
 * code and the next hop's queue id in a "250 ... queued as X" confirmation; and the small value
 * readers the syslog-style MTA parsers share. Used by the exim, sendmail and opensmtpd parsers;
 * no allocation, nothing is classified here. */
#pragma once

#include <glib.h>

/* Longest enhanced code kept ("5.123.123" plus NUL). */
#define MTA_REPLY_ENHANCED_MAX 12
/* Longest next-hop queue id kept. */
#define MTA_REPLY_ID_MAX 80

typedef struct {
    guint16 code;                          /* 0 = none found */
    char enhanced[MTA_REPLY_ENHANCED_MAX]; /* "" = none found */
} MtaReply;

/* Length of an RFC 3463 code "c.sss.ddd" (c in 2, 4, 5) at s, 0 if there is none. The code
 * must end at end, a space, or one of ";,)]:" (not at a further digit or dot). */
gsize mta_reply_enhanced_at(const char *s, const char *end);

/* Looks for a reply "NNN[ -]" (first digit 2 to 5) at the start of text or right after ": ",
 * and for an enhanced code right after it. Fills out (zeroed when nothing is found); returns
 * TRUE if a basic code was found. */
gboolean mta_reply_scan(const char *text, gsize len, MtaReply *out);

/* Finds the next hop's queue id in a success reply: "queued as X", "id=X", "X Message accepted
 * for delivery". Copies it (NUL-terminated, at most size - 1 bytes) to out and returns TRUE. */
gboolean mta_reply_next_hop_id(const char *text, gsize len, char *out, gsize size);

/* "<addr>" -> "addr", in place (the closing '>' becomes NUL); other text is returned as is. */
char *mta_reply_strip_angles(char *s);
/* A decimal number at the start of s (locale-free), -1 if s does not start with a digit. */
gint64 mta_reply_parse_uint(const char *s);
