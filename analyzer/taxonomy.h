/* Internal to the analyzer: the compiled-in data tables (taxonomy, status code titles, built-in
 * rules) and the cause vocabulary as small integer ids, for the classifier. The public lookups
 * (taxonomy_lookup, enhanced_code_title, reply_code_title) are declared in classify.h. */
#pragma once

#include <glib.h>

#include "event.h"

/* Causes are numbered 0..taxonomy_n_causes()-1 in the order of their first row. */
#define TAXONOMY_MAX_CAUSES 256

/* The bytes of a compiled-in data file ("rules.tsv", "taxonomy.tsv" ...), NUL-terminated. */
GBytes *taxonomy_data(const char *name);

int taxonomy_cause_id(const char *cause); /* -1 if not a cause of the taxonomy */
const char *taxonomy_cause_name(int id);  /* static storage */
guint taxonomy_n_causes(void);

/* Whether the taxonomy lists (step, cause). STEP_QUIT stands for the "delivered" row group,
 * STEP_ASYNC for "async-bounce", STEP_UNKNOWN for "unknown". */
gboolean taxonomy_step_has_cause(Step step, int cause);
/* Whether the row group named group ("complaint", "other-received", "pending" ...) lists cause. */
gboolean taxonomy_group_has_cause(const char *group, int cause);
/* The typical permanence of (step, cause), else of cause under any step. */
Permanence taxonomy_typical_permanence(Step step, int cause);
