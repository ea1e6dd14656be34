/* Mailbox input formats: mbox (mboxo, mboxrd, mboxcl2) and single messages (.eml, one Maildir or
 * MH file, one archive member). Both cut the stream into items and hand each to dsn.c. */
#pragma once

#include "parser.h"

extern const ParserClass mailbox_mbox_parser;
extern const ParserClass mailbox_eml_parser;

/* Initialises GMime once per process (thread-safe; the parsers call it themselves). */
void mailbox_init(void);
