/* The one comparison between sisimai's reasons and our causes, shared by the corpus tests
 * (test-mailbox-corpus, test-classify-corpus): tests/data/sisimai-map.tsv, whose format is
 * described in that file and in docs/rules.md ("Measuring against sisimai"). */
#pragma once

#include "classify.h"

typedef struct SisimaiMap SisimaiMap;

typedef enum {
    SISIMAI_MAP_AGREE,
    SISIMAI_MAP_DISAGREE,
    SISIMAI_MAP_NOT_COMPARED, /* sisimai decided nothing (onhold, undefined): no verdict */
} SisimaiMapVerdict;

/* What we said about one recipient. */
typedef struct {
    EventKind kind;        /* BOUNCE, DELAY_NOTICE, DSN_SUCCESS, COMPLAINT, OTHER_RECEIVED ... */
    const char *cause;     /* the classifier's cause; the sub-type of other received mail */
    Step step;             /* the classifier's step (the remote step of a foreign DSN) */
    Permanence permanence; /* the classifier's permanence */
} SisimaiMapOurs;

/* Reads the map; errors name the file and line. */
SisimaiMap *sisimai_map_load(const char *path, GError **error);
void sisimai_map_free(SisimaiMap *map);
/* The map of the source tree (tests/data/sisimai-map.tsv); aborts the test if it is bad. */
SisimaiMap *sisimai_map_load_default(void);
/* Does our answer agree with sisimai's reason (any case)? An unknown reason disagrees. */
SisimaiMapVerdict sisimai_map_compare(const SisimaiMap *map, const char *reason,
                                      const SisimaiMapOurs *ours);
/* Checks the map against the text of spec/map_sisimai.tsv: every cause of the taxonomy that the
 * spec names for a reason is in the map with the source "spec", and every "spec" row is named
 * by the spec. Appends one line per problem; FALSE if there was any. */
gboolean sisimai_map_check_spec(const SisimaiMap *map, const char *spec_text, GString *problems);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SisimaiMap, sisimai_map_free)
