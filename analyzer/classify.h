/* Classification of a failure (or delivery): step x cause, with permanence and confidence.
 * The rules are data: a readable TSV table compiled into the binary (analyzer/rules.tsv),
 * extended or overridden with --rules FILE. Identical inputs are classified once (memoised). */
#pragma once

#include <glib.h>

#include "event.h"

/* Kept with every failure of every timeline: small fields are bytes (Step, Permanence and
 * Confidence values). */
typedef struct {
    const char *cause;  /* a cause of taxonomy.tsv ("mailbox-unknown"); static storage */
    const char *rule;   /* id of the rule that decided the cause; static storage (interned) */
    guint8 step;        /* Step: where it happened (STEP_ASYNC for bounces after acceptance;
                           STEP_QUIT + quit-failure: delivered, only QUIT failed) */
    guint8 remote_step; /* Step: for async bounces, the step at the remote hop, if stated */
    guint8 permanence;  /* Permanence */
    guint8 confidence;  /* Confidence of the step */
    guint32 flags;      /* CLASSIFY_FLAG_* */
} Classification;

enum {
    CLASSIFY_FLAG_NOT_ATTEMPTED = 1 << 0,  /* "delivery temporarily suspended", "retry time not
                                              reached": the cause is that of an earlier attempt */
    CLASSIFY_FLAG_MAY_DUPLICATE = 1 << 1,  /* lost after the message was sent: may arrive twice */
    CLASSIFY_FLAG_CODE_MISMATCH = 1 << 2,  /* reply class and enhanced class differ ("550 4.2.2") */
    CLASSIFY_FLAG_DECISION_DIFFERS = 1 << 3, /* the MTA's decision differs from the code class
                                                (Postfix defers a 5xx greeting, soft_bounce) */
};

typedef struct Classifier Classifier;

/* What the classifier looks at (taken from an Event). */
typedef struct {
    EventKind kind;        /* DEFERRED, FAILED, EXPIRED, BOUNCE, COMPILE_FAILED, ... */
    Step step;             /* step hint from structured input, STEP_UNKNOWN if none */
    Confidence step_confidence;
    guint16 reply_code;
    const char *enhanced;  /* "5.1.1" or NULL */
    const char *text;      /* diagnostic text */
    const char *cause_hint; /* a taxonomy cause stated by the input, or NULL */
    const char *vendor_label; /* peer category (PowerMTA bounceCat, KumoMTA class ...) */
    gboolean stable;       /* the caller keeps every string of this input alive and unchanged
                              while the classifier lives (interned strings): then the same
                              pointers give the same answer without looking at the text */
    gboolean foreign;      /* a DSN from a Reporting-MTA that is not ours (after acceptance);
                              set by the correlator: classify_input_from_event() leaves it FALSE */
    const char *recipient; /* the recipient the text is about, or NULL: texts that differ only
                              in that address are classified once */
} ClassifyInput;

#define CLASSIFY_ERROR (classify_error_quark())
GQuark classify_error_quark(void);
typedef enum {
    CLASSIFY_ERROR_RULES, /* a rules file could not be read or has a bad line */
} ClassifyError;

/* The built-in rules. */
Classifier *classifier_new(void);
void classifier_free(Classifier *classifier);
/* Adds rules from a file in the same format as analyzer/rules.tsv. They are tried before the
 * built-in ones. Errors name the file and line. */
gboolean classifier_load_rules(Classifier *classifier, const char *path, GError **error);
/* Thread-compatible, not thread-safe (the memo table is per classifier). The text is
 * normalised (docs/rules.md) and identical normalised inputs are classified once. */
void classifier_classify(Classifier *classifier, const ClassifyInput *in, Classification *out);
/* Fills a ClassifyInput from an event. */
void classify_input_from_event(ClassifyInput *in, const Event *ev);
/* Statistics: how often each rule decided, for the Steps x causes sheet and --rules tuning. */
guint classifier_memo_size(const Classifier *classifier);
/* Number of rules (user rules first, then the built-in ones). */
guint classifier_n_rules(const Classifier *classifier);
/* Calls func for every rule and for the decisions that are not rules ("cause-hint",
 * "fallback" ...), in table order, with how many classifications it decided the cause of. */
typedef void (*ClassifierRuleFunc)(const char *rule, guint64 hits, gpointer user_data);
void classifier_foreach_rule(const Classifier *classifier, ClassifierRuleFunc func,
                             gpointer user_data);
/* What a rule can output, for checks and listings. */
typedef struct {
    const char *id;
    const char *source;     /* "file:line" */
    Step step;              /* the step it places, STEP_UNKNOWN if none */
    const char *cause;      /* the cause it names, or NULL */
    guint32 step_condition; /* bit per Step of its step= condition, 0 if none */
    gint foreign;           /* its foreign= condition: -1 none, 0 no, 1 yes */
} ClassifierRuleInfo;
gboolean classifier_rule_info(const Classifier *classifier, guint index, ClassifierRuleInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Classifier, classifier_free)

/* The vocabulary of taxonomy.tsv, compiled in. */
typedef struct {
    const char *step;       /* taxonomy level 1: "rcpt-to", "pending", "async-bounce" ... */
    const char *cause;
    const char *definition;
    const char *permanence; /* typical: temporary / permanent / n/a / unknown */
    const char *owner;      /* recipient-address, sender-reputation ... */
    const char *action;     /* address action: suppress, suppress-after-repeats, keep ... */
} TaxonomyEntry;

/* The entry of (step, cause), or the first entry of cause under any step, or NULL. */
const TaxonomyEntry *taxonomy_lookup(const char *step, const char *cause);
/* Plain-language meaning of an RFC 3463 enhanced status code ("5.1.1" ->
 * "Bad destination mailbox address"), NULL if unregistered. */
const char *enhanced_code_title(const char *code);
/* Meaning of a basic SMTP reply code (RFC 5321), NULL if unknown. */
const char *reply_code_title(guint code);
