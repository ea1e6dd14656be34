/* Test helpers: run a parser over text and look at the events it produced. */
#pragma once

#include "parser.h"

typedef struct {
    EventBatch *batch;
    InputStats *stats;
    ParserOptions options;
} Harness;

/* Feeds text (lines separated by \n) to a new instance of klass as one stream. year pins
 * classic syslog years (0 = infer from now); the time zone is UTC. */
Harness *harness_run(const ParserClass *klass, const char *text, gsize len, int year);
/* Same, from a file in tests/data or samples (path relative to the source root). */
Harness *harness_run_file(const ParserClass *klass, const char *path, int year);
void harness_free(Harness *h);
guint harness_count(Harness *h, EventKind kind);
/* The n-th (0-based) event of kind, or NULL. */
const Event *harness_nth(Harness *h, EventKind kind, guint n);
/* Path of a file under the source tree. */
char *harness_source_path(const char *relative);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Harness, harness_free)
