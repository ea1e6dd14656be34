/* The view of one received mailbox item that bounce decoders work on, and the helpers they share
 * (address, reply code and status extraction from human-readable text).
 *
 * dsn.c scans the item (mime-scan.h), fills a BounceMessage (top headers, human-readable text,
 * the RFC 3464 records if any, the returned message's headers) and tries the decoders of
 * bounce-*.c in order; the first that recognises the item fills m->rcpt. All strings live in
 * m->arena and die with the item. */
#pragma once

#include <glib.h>

#include "mime-scan.h"

/* One recipient as a bounce states it. */
typedef struct {
    const char *address;    /* Final-Recipient, or the address the text names (lower case) */
    const char *orig;       /* Original-Recipient */
    const char *action;     /* failed | delayed | delivered | relayed | expanded, NULL if unsaid */
    const char *status;     /* RFC 3463 "5.1.1", NULL if unsaid */
    const char *diagnostic; /* the reply or explanation, as written (whitespace collapsed) */
    const char *status_comment; /* "Status: 4.0.0 (host name lookup failure)": the comment, the
                                   diagnostic of a record that has no other */
    const char *remote_mta;     /* host name (Remote-MTA or the text's "host X [ip]") */
    const char *final_log_id;
    guint16 reply_code;
    gint64 last_attempt; /* µs UTC, 0 unknown */
    gint64 retry_until;
} BounceRecipient;

#define BOUNCE_MAX_RECIPIENTS 256
/* Longest diagnostic text kept. */
#define BOUNCE_MAX_DIAGNOSTIC 2000

typedef struct {
    MimeArena *arena;
    MimeHeaders top;       /* the item's own header fields */
    const char *subject;   /* decoded (RFC 2047), "" if none */
    const char *from;      /* decoded From:, "" if none */
    const char *from_addr; /* addr-spec of From:, lower case, "" if none */
    const char *body;      /* top-level body as it is (transfer encoding not undone) */
    gsize body_len;
    const char *text; /* human-readable text: text/plain parts (or HTML as text), UTF-8 */
    gsize text_len;
    const char *lower;        /* text with ASCII letters in lower case (same offsets), made on
                                 first use by bounce_text_find_in() */
    const char *content_type; /* top-level "type/subtype" */
    const char *report_type;  /* report-type of a top-level multipart/report, or NULL */

    /* RFC 3464 per-message fields */
    gboolean has_dsn; /* a message/(global-)delivery-status part was found */
    const char *reporting_mta;
    const char *received_from_mta;
    const char *envid;
    const char *queue_id;   /* X-Postfix-Queue-ID */
    const char *dsn_sender; /* X-Postfix-Sender */
    gint64 arrival;
    BounceRecipient *dsn; /* per-recipient records of the DSN part */
    guint n_dsn;

    /* the returned original message: its header block (no body is ever parsed) */
    const char *returned;
    gsize returned_len;

    /* addresses that are never the failed recipient: the item's From and To, the returned
     * message's sender (filled on first use by bounce_scan_lines) */
    const char *excluded[8];
    guint n_excluded;
    gboolean excluded_done;

    /* what a decoder learnt beyond the recipients (JSON notifications and the like) */
    const char *complaint_type; /* set: the item is a complaint with this feedback type */
    const char *vendor_label;   /* the sender's own category ("Permanent/General") */
    const char *orig_message_id;
    const char *orig_sender;

    /* the decoder's result */
    BounceRecipient *rcpt;
    guint n_rcpt;
    guint rcpt_cap;
} BounceMessage;

/* A decoder: recognises its family by markers and fills m->rcpt (bounce_add()). Returns TRUE
 * when the item is its family's bounce, even if it could read no recipient. */
typedef gboolean (*BounceDecodeFunc)(BounceMessage *m);

typedef struct {
    const char *name; /* goes into Event.detail */
    BounceDecodeFunc decode;
} BounceDecoder;

/* The ordered table (dsn.c): specific families first, RFC 3464 generic last. */
const BounceDecoder *bounce_decoders(void);

/* ---- helpers for decoders (bounce-text.c) ---- */

/* Adds a recipient, or returns the existing one with the same address (case-insensitive).
 * NULL when the item already has BOUNCE_MAX_RECIPIENTS. addr may be NULL. */
BounceRecipient *bounce_add(BounceMessage *m, const char *addr, gsize len);
/* Adopts the RFC 3464 records as the result (those with an address or a status). */
void bounce_use_dsn(BounceMessage *m);
/* The DSN record of address, or NULL. */
BounceRecipient *bounce_dsn_find(BounceMessage *m, const char *addr);

/* Appends text [s, s+len) to r's diagnostic (sets it when there is none), whitespace collapsed
 * and bounded like bounce_set_diagnostic(). */
void bounce_append_diagnostic(BounceMessage *m, BounceRecipient *r, const char *s, gsize len);
/* Finds the first e-mail address in [s, s+len): "<a@b>" preferred on a line, else a bare
 * local@domain token. Sets start and alen; FALSE if none. */
gboolean bounce_find_address(const char *s, gsize len, const char **start, gsize *alen);
/* Lower-cased, de-bracketed copy of an address in the arena ("rfc822;" prefixes, quotes,
 * trailing dots and "\x{..}" escapes undone). NULL if it does not look like an address. */
char *bounce_address_copy(MimeArena *arena, const char *s, gsize len);
/* First SMTP reply code (2xx-5xx followed by space, '-' or end) in [s, s+len), 0 if none. */
guint16 bounce_find_reply_code(const char *s, gsize len);
/* First RFC 3463 status "c.s.d" (class 2, 4 or 5) in [s, s+len) that is not part of an IP
 * address or version number, copied to out (>= 16 bytes). */
gboolean bounce_find_status(const char *s, gsize len, char *out);
/* The status code a diagnostic text states: "(#5.1.1)" first, then "550 5.1.1", then any;
 * 2.x.x only when allow_success. */
gboolean bounce_diagnostic_status(const char *s, gsize len, gboolean allow_success, char *out);
/* Sets r->diagnostic from text (whitespace collapsed, bounded) and fills reply_code and status
 * from it when they are unset. */
void bounce_set_diagnostic(BounceMessage *m, BounceRecipient *r, const char *s, gsize len);
/* Case-insensitive search in the human-readable text (from an offset), NULL if absent. */
const char *bounce_text_find(const BounceMessage *m, const char *needle);
/* Same within [s, s+len); fast when the range lies in m->text. */
const char *bounce_text_find_in(const BounceMessage *m, const char *s, gsize len,
                                const char *needle);
const char *bounce_find_in(const char *s, gsize len, const char *needle);
/* The end of the text (m->text + m->text_len). */
#define BOUNCE_TEXT_END(m) ((m)->text + (m)->text_len)
/* Start of the line after p (or end). */
const char *bounce_next_line(const char *p, const char *end);
/* End of the line at p (the '\n' or end). */
const char *bounce_line_end(const char *p, const char *end);
/* TRUE if the line [p, le) is empty or only white space. */
gboolean bounce_line_blank(const char *p, const char *le);
/* Sets m->returned to the header block of an inline copy of the original message that starts
 * at p (the first header line at or after p). */
void bounce_set_returned(BounceMessage *m, const char *p, const char *end);
/* A field of the top headers, unfolded, or NULL. */
const char *bounce_header(BounceMessage *m, const char *name);
/* TRUE if the sender looks like a mail system (MAILER-DAEMON, postmaster, mail delivery ...). */
gboolean bounce_from_mailer(const BounceMessage *m);
/* Subject or From contains needle (case-insensitive). */
gboolean bounce_subject_has(const BounceMessage *m, const char *needle);
gboolean bounce_from_has(const BounceMessage *m, const char *needle);
/* Collects "address block" recipients from [s, e): a line naming an address starts a block and
 * the following indented or non-blank lines up to a blank line (or the next address) are its
 * diagnostic. Used by the text decoders of many MTAs. Returns the number found. */
guint bounce_scan_blocks(BounceMessage *m, const char *s, const char *e);

/* The earliest of the markers that introduce the returned original message ("------ This is a
 * copy of the message", "--- Below this line is a copy of the message" ...) at or after from;
 * sets m->returned to the header block after it. Returns the marker's line start, or the text
 * end if none. */
const char *bounce_cut_returned(BounceMessage *m, const char *from);
/* Start of the line after the first occurrence of one of the markers in [from, text end), or
 * NULL. */
const char *bounce_after(const BounceMessage *m, const char *from, const char *const *markers);
/* Every line naming an address (other than the item's own From, To and the returned message's
 * sender) starts a recipient; the line and its indented or following non-blank lines up to a
 * blank line are the diagnostic. Returns the number found. */
guint bounce_scan_lines(BounceMessage *m, const char *s, const char *e);
/* Adds every address of a comma-separated header value (X-Failed-Recipients). */
guint bounce_add_list(BounceMessage *m, const char *value);
/* Adds the addresses of the returned message's To: (when the report names none). */
guint bounce_add_returned_to(BounceMessage *m);
/* Gives every recipient without a diagnostic the text [s, e). */
void bounce_set_all_diagnostics(BounceMessage *m, const char *s, const char *e);
/* Ends a text decoder: when the item also has RFC 3464 records, they are the result and the
 * text only fills what they lack (diagnostic, status, reply code), matched by address or, with
 * one recipient on each side, by position. Returns TRUE (for "return bounce_finish(m)"). */
gboolean bounce_finish(BounceMessage *m);
/* Sets action on every recipient that has none. */
void bounce_set_action(BounceMessage *m, const char *action);
/* A Received: header of the item contains needle. */
gboolean bounce_received_has(BounceMessage *m, const char *needle);

/* ---- the family decoders (bounce-*.c) ---- */

gboolean bounce_decode_exim(BounceMessage *m);
gboolean bounce_decode_qmail(BounceMessage *m);
gboolean bounce_decode_postfix(BounceMessage *m);
gboolean bounce_decode_sendmail(BounceMessage *m);
gboolean bounce_decode_courier(BounceMessage *m);
gboolean bounce_decode_opensmtpd(BounceMessage *m);
gboolean bounce_decode_domino(BounceMessage *m);
gboolean bounce_decode_exchange(BounceMessage *m);
gboolean bounce_decode_gmail(BounceMessage *m);
gboolean bounce_decode_googlegroups(BounceMessage *m);
gboolean bounce_decode_yahoo(BounceMessage *m);
gboolean bounce_decode_amazonses(BounceMessage *m);
gboolean bounce_decode_dragonfly(BounceMessage *m);
gboolean bounce_decode_imailserver(BounceMessage *m);
gboolean bounce_decode_notes(BounceMessage *m);
gboolean bounce_decode_x1(BounceMessage *m);
gboolean bounce_decode_x2(BounceMessage *m);
gboolean bounce_decode_v5sendmail(BounceMessage *m);
gboolean bounce_decode_zoho(BounceMessage *m);
gboolean bounce_decode_mimecast(BounceMessage *m);
gboolean bounce_decode_kddi(BounceMessage *m);
gboolean bounce_decode_verizon(BounceMessage *m);
gboolean bounce_decode_mailru(BounceMessage *m);
gboolean bounce_decode_fml(BounceMessage *m);
