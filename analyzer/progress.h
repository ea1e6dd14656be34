/* A progress line on stderr for long runs (only when stderr is a terminal). */
#pragma once

#include <glib.h>

typedef struct Progress Progress;

Progress *progress_new(gboolean enabled);
void progress_free(Progress *p);
/* name: current input; done/total: bytes of the current file (total 0 = unknown). Cheap to
 * call often: redraws at most five times a second. */
void progress_update(Progress *p, const char *name, guint64 done, guint64 total, guint64 lines,
                     guint64 items);
/* A phase after reading ("linking", "writing report"). */
void progress_phase(Progress *p, const char *what);
/* Clears the line. */
void progress_clear(Progress *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Progress, progress_free)
