/* The one table of input formats. Probe order matters only for equal scores. */
#include "parser.h"

#include <string.h>

#include "syslog.h"

/* One line per format. */
extern const ParserClass mailbox_mbox_parser;
extern const ParserClass mailbox_eml_parser;
extern const ParserClass postfix_parser_class;
extern const ParserClass powermta_parser_class;
extern const ParserClass kumomta_parser_class;
extern const ParserClass app_jsonl_parser_class;
extern const ParserClass app_csv_parser_class;
extern const ParserClass transcript_parser_class;
extern const ParserClass mailerq_parser_class;
extern const ParserClass exim_parser_class;
extern const ParserClass sendmail_parser_class;
extern const ParserClass opensmtpd_parser_class;

static const ParserClass *const registry[] = {
    &mailbox_mbox_parser,
    &mailbox_eml_parser,
    &postfix_parser_class,
    &powermta_parser_class,
    &kumomta_parser_class,
    &app_jsonl_parser_class,
    &app_csv_parser_class,
    &transcript_parser_class,
    &mailerq_parser_class,
    &exim_parser_class,
    &sendmail_parser_class,
    &opensmtpd_parser_class,
    NULL,
};

const ParserClass *const *
parser_registry(void)
{
    return registry;
}

const ParserClass *
parser_registry_find(const char *name)
{
    for (const ParserClass *const *p = registry; *p; p++)
        if (g_ascii_strcasecmp((*p)->name, name) == 0)
            return *p;
    return NULL;
}

static gboolean
syslog_line_found(const char *line, gsize len, gpointer data)
{
    gboolean *found = data;
    *found = syslog_peek(line, len, NULL, NULL);
    return !*found;
}

static const ParserClass *
sniff(const char *head, gsize len, guint *score)
{
    const ParserClass *best = NULL;
    guint best_score = 0;
    int has_syslog = -1; /* unknown until a probe needs it */
    for (const ParserClass *const *p = registry; *p; p++) {
        if ((*p)->probe_needs_syslog) {
            if (has_syslog < 0) {
                gboolean found = FALSE;
                syslog_head_foreach_line(head, len, syslog_line_found, &found);
                has_syslog = found;
            }
            if (!has_syslog)
                continue;
        }
        guint s = (*p)->probe(head, len);
        if (s > best_score) {
            best_score = s;
            best = *p;
        }
    }
    *score = best_score;
    return best;
}

/* Probes first look at the first 4 KiB only: a confident answer there (a mail message's
 * headers, the first lines of a log) saves running every probe over 64 KiB for each of the
 * thousands of files of a Maildir. Otherwise they see the whole head. */
#define SNIFF_QUICK 4096
#define SNIFF_CONFIDENT 80

const ParserClass *
parser_registry_sniff(const char *head, gsize len, guint *score)
{
    guint s = 0;
    const ParserClass *best = NULL;
    if (len > SNIFF_QUICK) {
        /* cut at a line end, so that no probe sees half a line */
        gsize quick = SNIFF_QUICK;
        while (quick > 0 && head[quick - 1] != '\n')
            quick--;
        if (quick > 0) {
            best = sniff(head, quick, &s);
            if (s < SNIFF_CONFIDENT)
                best = NULL;
        }
    }
    if (best == NULL)
        best = sniff(head, len, &s);
    if (score)
        *score = s;
    return best;
}
