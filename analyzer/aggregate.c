/* One pass over the finished timelines into the report aggregates (see aggregate.h). */
#include "aggregate.h"
#include "string-pool.h"

#include <string.h>

#define DAY_US ((gint64)86400 * G_USEC_PER_SEC)
#define HOUR_US ((gint64)3600 * G_USEC_PER_SEC)

double
counts_delivery_rate(const Counts *c)
{
    guint64 base = c->recipients - c->outcome[OUTCOME_SUPPRESSED] - c->outcome[OUTCOME_UNKNOWN];
    return base ? (double)c->outcome[OUTCOME_DELIVERED] / (double)base : 0.0;
}

guint64
counts_failed_total(const Counts *c)
{
    return c->outcome[OUTCOME_FAILED] + c->outcome[OUTCOME_EXPIRED] +
           c->outcome[OUTCOME_BOUNCED_AFTER];
}

double
counts_failure_rate(const Counts *c)
{
    guint64 base = c->recipients - c->outcome[OUTCOME_SUPPRESSED] - c->outcome[OUTCOME_UNKNOWN];
    return base ? (double)counts_failed_total(c) / (double)base : 0.0;
}

/* ---- providers ------------------------------------------------------------------------- */

typedef struct {
    const char *suffix;
    const char *provider;
} ProviderEntry;

/* MX / relay host domains of the large mailbox providers. */
static const ProviderEntry mx_providers[] = {
    {"google.com", "Google"},
    {"googlemail.com", "Google"},
    {"outlook.com", "Microsoft"},
    {"hotmail.com", "Microsoft"},
    {"yahoodns.net", "Yahoo"},
    {"yahoo.com", "Yahoo"},
    {"aol.com", "Yahoo"},
    {"gmx.net", "United Internet (GMX, WEB.DE)"},
    {"web.de", "United Internet (GMX, WEB.DE)"},
    {"kundenserver.de", "IONOS"},
    {"ionos.com", "IONOS"},
    {"t-online.de", "Deutsche Telekom"},
    {"orange.fr", "Orange"},
    {"icloud.com", "Apple"},
    {"me.com", "Apple"},
    {"mail.ru", "Mail.ru"},
    {"yandex.net", "Yandex"},
    {"yandex.ru", "Yandex"},
    {"zoho.com", "Zoho"},
    {"zoho.eu", "Zoho"},
    {"protonmail.ch", "Proton"},
    {"mimecast.com", "Mimecast"},
    {"pphosted.com", "Proofpoint"},
    {"ppe-hosted.com", "Proofpoint"},
    {"messagelabs.com", "Broadcom MessageLabs"},
    {"barracudanetworks.com", "Barracuda"},
    {"secureserver.net", "GoDaddy"},
    {"amazonaws.com", "Amazon"},
    {"comcast.net", "Comcast"},
    {"free.fr", "Free"},
    {"laposte.net", "La Poste"},
    {"sfr.fr", "SFR"},
    {"libero.it", "Italiaonline"},
    {"seznam.cz", "Seznam"},
    {"fastmail.com", "Fastmail"},
    {"messagingengine.com", "Fastmail"},
};

/* Recipient domains whose provider is known without seeing an MX. */
static const ProviderEntry domain_providers[] = {
    {"gmail.com", "Google"},         {"googlemail.com", "Google"},
    {"outlook.com", "Microsoft"},    {"hotmail.com", "Microsoft"},
    {"hotmail.de", "Microsoft"},     {"hotmail.fr", "Microsoft"},
    {"hotmail.co.uk", "Microsoft"},  {"live.com", "Microsoft"},
    {"live.de", "Microsoft"},        {"msn.com", "Microsoft"},
    {"outlook.de", "Microsoft"},     {"yahoo.com", "Yahoo"},
    {"yahoo.de", "Yahoo"},           {"yahoo.fr", "Yahoo"},
    {"yahoo.co.uk", "Yahoo"},        {"ymail.com", "Yahoo"},
    {"aol.com", "Yahoo"},            {"gmx.de", "United Internet (GMX, WEB.DE)"},
    {"gmx.net", "United Internet (GMX, WEB.DE)"}, {"gmx.at", "United Internet (GMX, WEB.DE)"},
    {"web.de", "United Internet (GMX, WEB.DE)"},  {"t-online.de", "Deutsche Telekom"},
    {"orange.fr", "Orange"},         {"wanadoo.fr", "Orange"},
    {"icloud.com", "Apple"},         {"me.com", "Apple"},
    {"mac.com", "Apple"},            {"mail.ru", "Mail.ru"},
    {"yandex.ru", "Yandex"},         {"proton.me", "Proton"},
    {"protonmail.com", "Proton"},    {"free.fr", "Free"},
    {"comcast.net", "Comcast"},      {"fastmail.com", "Fastmail"},
};

static const char *two_level_suffixes[] = {"co.uk", "org.uk", "ac.uk", "com.au", "net.au",
                                           "co.jp",  "ne.jp",  "or.jp", "com.br", "co.nz",
                                           "co.za",  "com.cn", "com.tr", "co.in", NULL};

/* "gmail-smtp-in.l.google.com" -> "google.com" */
static const char *
registrable(const char *host)
{
    const char *end = host + strlen(host);
    while (end > host && end[-1] == '.')
        end--;
    int labels = 0;
    const char *p = end;
    const char *cut = host;
    while (p > host) {
        p--;
        if (*p == '.') {
            labels++;
            if (labels == 2) {
                cut = p + 1;
                /* a public two-level suffix takes one more label */
                for (int i = 0; two_level_suffixes[i]; i++) {
                    gsize n = strlen(two_level_suffixes[i]);
                    if ((gsize)(end - cut) == n && g_ascii_strncasecmp(cut, two_level_suffixes[i], n) == 0) {
                        labels = 1;
                        break;
                    }
                }
                if (labels == 2)
                    return cut;
            }
        }
    }
    return host;
}

static const char *
lookup(const ProviderEntry *table, gsize n, const char *name)
{
    for (gsize i = 0; i < n; i++)
        if (g_ascii_strcasecmp(table[i].suffix, name) == 0)
            return table[i].provider;
    return NULL;
}

const char *
aggregate_provider(const char *domain, const char *relay_host)
{
    if (relay_host && *relay_host && g_ascii_strcasecmp(relay_host, "none") != 0 &&
        !g_ascii_isdigit(relay_host[0]) && strchr(relay_host, '.')) {
        const char *reg = registrable(relay_host);
        const char *p = lookup(mx_providers, G_N_ELEMENTS(mx_providers), reg);
        if (p)
            return p;
        return reg;
    }
    if (domain && *domain) {
        const char *p = lookup(domain_providers, G_N_ELEMENTS(domain_providers), domain);
        if (p)
            return p;
        return registrable(domain);
    }
    return "(unknown)";
}

/* ---- building ---------------------------------------------------------------------------- */

#define BUILDER_CACHE 64

/* A slot of the caches for two pointers (row keys are interned strings). */
static guint
cache_slot(gconstpointer a, gconstpointer b, guint extra)
{
    guint64 h = ((guint64)(guintptr)a ^ ((guint64)(guintptr)b * 31u) ^ extra) * 0x9E3779B97F4A7C15u;
    return (guint)(h >> 58);
}

/* A slot for a string of n bytes, from its first and last eight. */
static guint
cache_slot_text(const char *s, gsize n)
{
    guint64 head = string_head_word(s, MIN(n, 8)), tail = 0;
    if (n > 8)
        memcpy(&tail, s + n - 8, 8);
    return (guint)(((head ^ (tail * 31u) ^ n) * 0x9E3779B97F4A7C15u) >> 58);
}

struct AggregateBuilder {
    GHashTable *steps;     /* "step\tcause" -> StepCauseRow* */
    GHashTable *domains;   /* name -> GroupRow* */
    GHashTable *providers;
    GHashTable *campaigns;
    GHashTable *relays;    /* "host\tip" -> RelayRow* */
    GHashTable *codes;     /* "code\tenhanced" -> CodeRow* */
    GHashTable *days;      /* gint64* -> PeriodRow* */
    GHashTable *hours;
    GHashTable *suppress;  /* address -> SuppressRow* */
    GStringChunk *strings;
    GPtrArray *strings_more; /* GStringChunk*: of builders merged into this one */
    /* this builder's share of the totals */
    Counts all;
    guint64 no_message_id, no_campaign, unknown_step;
    gint64 first, last;
    GHashTable *cause_totals; /* cause -> count */
    /* the timeline being counted: its place in report order */
    AggregateOrder cur;
    /* the rows of the timeline before: timelines come roughly in time order, often of the
     * same campaign */
    PeriodRow *last_day, *last_hour;
    GroupRow *last_campaign;
    /* small caches of recent rows in front of the tables (the same few domains, servers
     * and codes come back timeline after timeline): found without hashing a string */
    GroupRow *domain_cache[BUILDER_CACHE];
    RelayRow *relay_cache[BUILDER_CACHE];
    CodeRow *code_cache[BUILDER_CACHE];
    struct {
        const char *cause; /* by address: causes are static strings */
        Step step;
        StepCauseRow *row;
    } step_cache[BUILDER_CACHE];
};
typedef struct AggregateBuilder Builder;

/* Does a come before b in report order? */
static inline gboolean
order_before(const AggregateOrder *a, const AggregateOrder *b)
{
    return a->when != b->when ? a->when < b->when : a->seq < b->seq;
}

/* A row's example: event e of timeline t, at order, when it comes before the one the row has
 * (the first in report order wins, whatever order the rows were counted or merged in). */
static inline void
keep_first_example(const TimelineEvent **example, const Timeline **example_timeline,
                   AggregateOrder *example_order, const TimelineEvent *e, const Timeline *t,
                   const AggregateOrder *order)
{
    if (e != NULL && (*example == NULL || order_before(order, example_order))) {
        *example = e;
        *example_timeline = t;
        *example_order = *order;
    }
}

/* What one walk over a timeline's events finds, and what every Counts it is added to takes
 * from the timeline (worked out once, added to five rows). */
typedef struct {
    const char *relay; /* the last remote host an attempt went to */
    const TimelineEvent *last_defer;
    guint deferrals;
    guint compiled, compile_failed, submitted;
    guint compile_by_phase[AGGREGATE_PHASES];
    /* for counts_add() */
    Outcome outcome;
    int failed_step; /* the step a failure is counted at, -1 if not a failure */
    guint32 attempts;
    gboolean complaint, other_received, delay_known;
    double delay; /* seconds from queued to delivered */
} Facts;

static void
facts_for_counts(Facts *f, const Timeline *t)
{
    f->outcome = (Outcome)t->outcome;
    f->failed_step = t->outcome == OUTCOME_FAILED || t->outcome == OUTCOME_EXPIRED ||
                             t->outcome == OUTCOME_BOUNCED_AFTER
                         ? (t->cls.step < STEP_N ? t->cls.step : STEP_UNKNOWN)
                         : -1;
    f->attempts = t->attempts;
    f->complaint = t->complaint;
    f->other_received = t->other_received;
    f->delay_known = t->outcome == OUTCOME_DELIVERED && t->delivered_at &&
                     t->message->queued_at && t->delivered_at >= t->message->queued_at;
    if (f->delay_known)
        f->delay = (double)(t->delivered_at - t->message->queued_at) / G_USEC_PER_SEC;
}

const char *const aggregate_phases[AGGREGATE_PHASES] = {
    "template-error", "personalization-error", "feed-error",
    "asset-error",    "attachment-error",      "mime-build-error",
};

static void
counts_add(Counts *c, const Facts *f)
{
    c->recipients++;
    c->outcome[f->outcome]++;
    if (f->failed_step >= 0)
        c->failed_by_step[f->failed_step]++;
    c->complaints += f->complaint;
    c->other_received += f->other_received;
    c->attempts += f->attempts;
    c->deferrals += f->deferrals;
    if (f->delay_known) {
        c->delay_sum += f->delay;
        c->delay_n++;
    }
}

static void
count_cause(GHashTable *causes, const char *cause)
{
    if (cause == NULL)
        return;
    gpointer v = g_hash_table_lookup(causes, cause);
    g_hash_table_insert(causes, (gpointer)cause, GSIZE_TO_POINTER(GPOINTER_TO_SIZE(v) + 1));
}

const char *
aggregate_top_cause(GHashTable *causes, guint64 *count)
{
    const char *best = NULL;
    gsize best_n = 0;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, causes);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        gsize n = GPOINTER_TO_SIZE(v);
        if (n > best_n || (n == best_n && best && strcmp(k, best) < 0)) {
            best = k;
            best_n = n;
        }
    }
    if (count)
        *count = best_n;
    return best;
}

static GroupRow *
group(Builder *b, GHashTable *table, const char *name)
{
    GroupRow *g = g_hash_table_lookup(table, name);
    if (g == NULL) {
        g = g_new0(GroupRow, 1);
        g->name = g_string_chunk_insert_const(b->strings, name);
        g->causes = g_hash_table_new(string_hash, g_str_equal);
        g_hash_table_insert(table, (gpointer)g->name, g);
    }
    return g;
}

static void
counts_merge(Counts *dst, const Counts *src)
{
    dst->recipients += src->recipients;
    for (int i = 0; i < OUTCOME_N; i++)
        dst->outcome[i] += src->outcome[i];
    for (int i = 0; i < STEP_N; i++)
        dst->failed_by_step[i] += src->failed_by_step[i];
    dst->complaints += src->complaints;
    dst->other_received += src->other_received;
    dst->attempts += src->attempts;
    dst->deferrals += src->deferrals;
    dst->delay_sum += src->delay_sum;
    dst->delay_n += src->delay_n;
}

static void
group_merge(GroupRow *dst, const GroupRow *src)
{
    counts_merge(&dst->counts, &src->counts);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, src->causes);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        gsize n = GPOINTER_TO_SIZE(g_hash_table_lookup(dst->causes, k)) + GPOINTER_TO_SIZE(v);
        g_hash_table_insert(dst->causes, k, GSIZE_TO_POINTER(n));
    }
    dst->messages += src->messages;
    dst->compiled += src->compiled;
    dst->compile_failed += src->compile_failed;
    for (int i = 0; i < AGGREGATE_PHASES; i++)
        dst->compile_by_phase[i] += src->compile_by_phase[i];
    dst->submitted += src->submitted;
}

static void
group_add(GroupRow *g, const Timeline *t, const Facts *f)
{
    counts_add(&g->counts, f);
    if (t->outcome != OUTCOME_DELIVERED && t->cls.cause)
        count_cause(g->causes, t->cls.cause);
    g->compiled += f->compiled;
    g->compile_failed += f->compile_failed;
    if (f->compile_failed)
        for (int i = 0; i < AGGREGATE_PHASES; i++)
            g->compile_by_phase[i] += f->compile_by_phase[i];
    g->submitted += f->submitted;
}

/* Rows are their own hash keys: lookups use a row on the stack, no key strings are built. The
 * relay and code strings are interned by the correlator, so they compare by pointer. */
static guint
step_row_hash(gconstpointer p)
{
    const StepCauseRow *r = p;
    return string_hash(r->cause) * 31u + (guint)r->step;
}

static gboolean
step_row_equal(gconstpointer a, gconstpointer b)
{
    const StepCauseRow *x = a, *y = b;
    return x->step == y->step && strcmp(x->cause, y->cause) == 0;
}

static guint
relay_row_hash(gconstpointer p)
{
    const RelayRow *r = p;
    return g_direct_hash(r->host) * 31u + g_direct_hash(r->ip);
}

static gboolean
relay_row_equal(gconstpointer a, gconstpointer b)
{
    const RelayRow *x = a, *y = b;
    return x->host == y->host && x->ip == y->ip;
}

static guint
code_row_hash(gconstpointer p)
{
    const CodeRow *r = p;
    return g_direct_hash(r->enhanced) * 31u + r->reply_code;
}

static gboolean
code_row_equal(gconstpointer a, gconstpointer b)
{
    const CodeRow *x = a, *y = b;
    return x->reply_code == y->reply_code && x->enhanced == y->enhanced;
}

static StepCauseRow *
step_row(Builder *b, Step step, const char *cause)
{
    StepCauseRow probe = {.step = step, .cause = cause ? cause : ""};
    /* the same address is the same cause; another address may be too: the table decides */
    guint slot = cache_slot(probe.cause, NULL, (guint)step);
    if (b->step_cache[slot].row && b->step_cache[slot].cause == probe.cause &&
        b->step_cache[slot].step == step)
        return b->step_cache[slot].row;
    StepCauseRow *r = g_hash_table_lookup(b->steps, &probe);
    if (r == NULL) {
        r = g_new0(StepCauseRow, 1);
        r->step = step;
        r->cause = probe.cause;
        g_hash_table_add(b->steps, r);
    }
    b->step_cache[slot].cause = probe.cause;
    b->step_cache[slot].step = step;
    b->step_cache[slot].row = r;
    return r;
}

static PeriodRow *
period(GHashTable *table, gint64 start, PeriodRow **last)
{
    /* timelines come in time order: mostly the same period as the one before */
    if (*last && (*last)->start == start)
        return *last;
    PeriodRow *p = g_hash_table_lookup(table, &start);
    if (p == NULL) {
        p = g_new0(PeriodRow, 1);
        p->start = start;
        g_hash_table_insert(table, &p->start, p);
    }
    return *last = p;
}

static gint64
floor_to(gint64 t, gint64 unit)
{
    gint64 r = t % unit;
    return r < 0 ? t - r - unit : t - r;
}

static void
add_relay(Builder *b, const TimelineEvent *e)
{
    RelayRow probe = {.host = e->relay ? e->relay : "none", .ip = e->relay_ip};
    RelayRow **cached = &b->relay_cache[cache_slot(probe.host, probe.ip, 0)];
    RelayRow *r = *cached && relay_row_equal(*cached, &probe)
                      ? *cached
                      : g_hash_table_lookup(b->relays, &probe);
    if (r == NULL) {
        r = g_new0(RelayRow, 1);
        r->host = probe.host;
        r->ip = e->relay_ip;
        r->causes = g_hash_table_new(string_hash, g_str_equal);
        g_hash_table_add(b->relays, r);
    }
    *cached = r;
    r->attempts++;
    if (e->kind == EVENT_KIND_DELIVERED)
        r->delivered++;
    else if (e->kind == EVENT_KIND_DEFERRED)
        r->deferred++;
    else
        r->failed++;
    if (e->kind != EVENT_KIND_DELIVERED)
        count_cause(r->causes, timeline_event_cls(e)->cause);
    if (e->time && (r->first == 0 || e->time < r->first))
        r->first = e->time;
    if (e->time > r->last)
        r->last = e->time;
}

static void
add_code(Builder *b, const Timeline *t, const TimelineEvent *e)
{
    CodeRow probe = {.reply_code = e->reply_code, .enhanced = e->enhanced};
    CodeRow **cached = &b->code_cache[cache_slot(probe.enhanced, NULL, probe.reply_code)];
    CodeRow *r = *cached && code_row_equal(*cached, &probe)
                     ? *cached
                     : g_hash_table_lookup(b->codes, &probe);
    if (r == NULL) {
        r = g_new0(CodeRow, 1);
        r->reply_code = e->reply_code;
        r->enhanced = e->enhanced;
        r->success = e->kind == EVENT_KIND_DELIVERED || e->kind == EVENT_KIND_DSN_SUCCESS;
        g_hash_table_add(b->codes, r);
    }
    *cached = r;
    r->events++;
    if (e->diagnostic)
        keep_first_example(&r->example, &r->example_timeline, &r->example_order, e, t, &b->cur);
    /* count each recipient once per code: timelines are visited one after the other */
    if (r->last_timeline != t) {
        r->last_timeline = t;
        r->recipients++;
    }
}

static void
walk_events(Builder *b, const Timeline *t, Facts *f)
{
    for (const TimelineEvent *e = t->events; e; e = e->next) {
        switch (e->kind) {
        case EVENT_KIND_DEFERRED:
            f->deferrals++;
            if (timeline_event_cls(e)->cause) {
                const Classification *cls = timeline_event_cls(e);
                f->last_defer = e;
                StepCauseRow *r = step_row(b, cls->step, cls->cause);
                r->attempts++;
                keep_first_example(&r->example, &r->example_timeline, &r->example_order, e, t,
                                   &b->cur);
            }
            G_GNUC_FALLTHROUGH;
        case EVENT_KIND_DELIVERED:
        case EVENT_KIND_FAILED:
            if (e->relay && *e->relay && strcmp(e->relay, "none") != 0)
                f->relay = e->relay;
            if (!(e->flags & EVENT_FLAG_NOT_ATTEMPTED))
                add_relay(b, e);
            break;
        case EVENT_KIND_COMPILED:
            f->compiled++;
            break;
        case EVENT_KIND_COMPILE_FAILED:
            f->compile_failed++;
            for (int i = 0; i < AGGREGATE_PHASES; i++)
                if (timeline_event_cls(e)->cause &&
                    strcmp(timeline_event_cls(e)->cause, aggregate_phases[i]) == 0)
                    f->compile_by_phase[i]++;
            break;
        case EVENT_KIND_SUBMITTED:
            f->submitted++;
            break;
        default:
            break;
        }
        if ((e->reply_code || e->enhanced) && e->kind != EVENT_KIND_SMTP_COMMAND &&
            e->kind != EVENT_KIND_OTHER_RECEIVED)
            add_code(b, t, e);
    }
}

/* Which timeline an address's row shows: the first "suppress" one in report order, else the
 * first "review" one. Does the candidate (action, at order) replace the row's (row_action, at
 * row_order)? */
static gboolean
suppress_takes(const char *row_action, const AggregateOrder *row_order, const char *action,
               const AggregateOrder *order)
{
    gboolean row_suppress = strcmp(row_action, "suppress") == 0;
    gboolean suppress = strcmp(action, "suppress") == 0;
    if (row_suppress != suppress)
        return suppress;
    return order_before(order, row_order);
}

static void
add_suppress(Builder *b, const Timeline *t)
{
    const char *reason = NULL;
    const char *action = NULL;
    const TaxonomyEntry *entry = NULL;
    const TimelineEvent *evidence = t->decisive;
    Step step = t->cls.step;
    if (t->complaint && t->complaint_type &&
        (strcmp(t->complaint_type, "abuse") == 0 || strcmp(t->complaint_type, "fraud") == 0)) {
        reason = t->complaint_type; /* abuse, fraud */
        action = "suppress";
        for (const TimelineEvent *e = t->events; e; e = e->next)
            if (e->kind == EVENT_KIND_COMPLAINT)
                evidence = e;
        step = STEP_UNKNOWN;
    } else if ((t->outcome == OUTCOME_FAILED || t->outcome == OUTCOME_BOUNCED_AFTER ||
                t->outcome == OUTCOME_EXPIRED) &&
               t->cls.cause && t->cls.permanence == PERMANENCE_PERMANENT) {
        const TaxonomyEntry *te = taxonomy_lookup(step_to_string(t->cls.step), t->cls.cause);
        if (te && strcmp(te->action, "suppress") == 0 && t->outcome != OUTCOME_EXPIRED) {
            reason = t->cls.cause;
            action = "suppress";
            entry = te;
        } else if (te && strcmp(te->action, "suppress-after-repeats") == 0) {
            reason = t->cls.cause;
            action = "review"; /* decided below by repeats */
            entry = te;
        }
    } else if (t->other_received) {
        for (const TimelineEvent *e = t->events; e; e = e->next)
            if (e->kind == EVENT_KIND_OTHER_RECEIVED && timeline_event_cause_hint(e) &&
                strcmp(timeline_event_cause_hint(e), "unsubscribe-request") == 0) {
                reason = "unsubscribe-request";
                action = "suppress";
                evidence = e;
                step = STEP_UNKNOWN;
            }
    }
    if (reason == NULL || t->recipient == NULL || *t->recipient == '\0')
        return;
    SuppressRow *r = g_hash_table_lookup(b->suppress, t->recipient);
    if (r == NULL) {
        r = g_new0(SuppressRow, 1);
        r->address = t->recipient;
        r->reason = reason;
        r->action = action;
        r->entry = entry;
        r->step = step;
        r->evidence = evidence;
        r->timeline = t;
        r->order = b->cur;
        g_hash_table_insert(b->suppress, (gpointer)t->recipient, r);
    } else if (suppress_takes(r->action, &r->order, action, &b->cur)) {
        r->reason = reason;
        r->action = action;
        r->entry = entry;
        r->step = step;
        r->evidence = evidence;
        r->timeline = t;
        r->order = b->cur;
    }
    r->failures++;
}

static int
compare_step_rows(gconstpointer a, gconstpointer b)
{
    const StepCauseRow *x = *(StepCauseRow *const *)a, *y = *(StepCauseRow *const *)b;
    if (x->step != y->step)
        return x->step < y->step ? -1 : 1;
    guint64 nx = x->failed + x->expired + x->pending + x->bounced_after + x->recovered +
                 x->suppressed;
    guint64 ny = y->failed + y->expired + y->pending + y->bounced_after + y->recovered +
                 y->suppressed;
    if (nx != ny)
        return nx > ny ? -1 : 1;
    return g_strcmp0(x->cause, y->cause);
}

static int
compare_groups(gconstpointer a, gconstpointer b)
{
    const GroupRow *x = *(GroupRow *const *)a, *y = *(GroupRow *const *)b;
    if (x->counts.recipients != y->counts.recipients)
        return x->counts.recipients > y->counts.recipients ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int
compare_relays(gconstpointer a, gconstpointer b)
{
    const RelayRow *x = *(RelayRow *const *)a, *y = *(RelayRow *const *)b;
    if (x->attempts != y->attempts)
        return x->attempts > y->attempts ? -1 : 1;
    int c = g_strcmp0(x->host, y->host);
    return c ? c : g_strcmp0(x->ip, y->ip);
}

static int
compare_codes(gconstpointer a, gconstpointer b)
{
    const CodeRow *x = *(CodeRow *const *)a, *y = *(CodeRow *const *)b;
    if (x->events != y->events)
        return x->events > y->events ? -1 : 1;
    if (x->reply_code != y->reply_code)
        return x->reply_code < y->reply_code ? -1 : 1;
    return g_strcmp0(x->enhanced, y->enhanced);
}

static int
compare_periods(gconstpointer a, gconstpointer b)
{
    const PeriodRow *x = *(PeriodRow *const *)a, *y = *(PeriodRow *const *)b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Suppress rows by address: tens of thousands of addresses scattered in memory, so each is
 * read once, its first sixteen bytes kept beside it as two big-endian numbers (comparing
 * those compares the bytes as strcmp does); the rest is compared only on a tie. */
typedef struct {
    guint64 head[2];
    SuppressRow *row;
} SuppressKey;

static int
compare_suppress_keys(const void *a, const void *b)
{
    const SuppressKey *x = a, *y = b;
    for (int i = 0; i < 2; i++)
        if (x->head[i] != y->head[i])
            return x->head[i] < y->head[i] ? -1 : 1;
    gsize n = strnlen(x->row->address, 16);
    return n < 16 ? 0 : strcmp(x->row->address + 16, y->row->address + 16);
}

/* One builder's suppress rows, sorted by address (on a thread of its own). */
typedef struct {
    GHashTable *table;
    SuppressKey *keys;
    guint n;
} SuppressSort;

static gpointer
sort_suppress(gpointer data)
{
    SuppressSort *x = data;
    x->n = g_hash_table_size(x->table);
    x->keys = g_new(SuppressKey, MAX(x->n, 1));
    guint k = 0;
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, x->table);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        SuppressRow *r = value;
        guchar bytes[16] = {0};
        memcpy(bytes, r->address, strnlen(r->address, 16));
        for (int i = 0; i < 2; i++) {
            guint64 w;
            memcpy(&w, bytes + 8 * i, 8);
            x->keys[k].head[i] = GUINT64_FROM_BE(w);
        }
        x->keys[k++].row = r;
    }
    qsort(x->keys, x->n, sizeof *x->keys, compare_suppress_keys);
    return NULL;
}

static void merge_suppress(gpointer into, gpointer from);

/* The builders' suppress rows in one list sorted by address: each builder's sorted on a
 * thread, then merged, an address in two builders becoming one row (merge_suppress). */
static GPtrArray *
sorted_suppress(AggregateBuilder *const *builders, guint n)
{
    g_autofree SuppressSort *sorts = g_new0(SuppressSort, n);
    g_autofree GThread **threads = g_new0(GThread *, n);
    guint rows = 0;
    for (guint k = 0; k < n; k++)
        rows += g_hash_table_size(builders[k]->suppress);
    for (guint k = 0; k < n; k++) {
        sorts[k].table = builders[k]->suppress;
        /* a thread is worth starting for many rows only */
        if (k > 0 && rows >= 4096)
            threads[k] = g_thread_new("suppress", sort_suppress, &sorts[k]);
    }
    sort_suppress(&sorts[0]);
    for (guint k = 1; k < n; k++) {
        if (threads[k])
            g_thread_join(threads[k]);
        else
            sort_suppress(&sorts[k]);
    }
    SuppressKey *merged = sorts[0].keys;
    guint len = sorts[0].n;
    for (guint k = 1; k < n; k++) {
        SuppressKey *out = g_new(SuppressKey, MAX(len + sorts[k].n, 1));
        guint i = 0, j = 0, o = 0;
        while (i < len || j < sorts[k].n) {
            int c = i == len           ? 1
                    : j == sorts[k].n ? -1
                                       : compare_suppress_keys(&merged[i], &sorts[k].keys[j]);
            if (c == 0)
                merge_suppress(merged[i].row, sorts[k].keys[j++].row);
            out[o++] = c > 0 ? sorts[k].keys[j++] : merged[i++];
        }
        g_free(merged);
        g_free(sorts[k].keys);
        merged = out;
        len = o;
    }
    GPtrArray *arr = g_ptr_array_sized_new(len);
    for (guint i = 0; i < len; i++)
        g_ptr_array_add(arr, merged[i].row);
    g_free(merged);
    return arr;
}

static GPtrArray *
sorted_values(GHashTable *table, GCompareFunc cmp)
{
    GPtrArray *arr = g_ptr_array_new();
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, table);
    while (g_hash_table_iter_next(&it, &k, &v))
        g_ptr_array_add(arr, v);
    g_ptr_array_sort(arr, cmp);
    return arr;
}

static void
free_group(gpointer p)
{
    GroupRow *g = p;
    g_hash_table_destroy(g->causes);
    g_free(g);
}

static void
free_relay(gpointer p)
{
    RelayRow *r = p;
    g_hash_table_destroy(r->causes);
    g_free(r);
}

static void
builder_init(Builder *b)
{
    memset(b, 0, sizeof *b);
    b->steps = g_hash_table_new(step_row_hash, step_row_equal);
    b->domains = g_hash_table_new(string_hash, g_str_equal);
    b->providers = g_hash_table_new(string_hash, g_str_equal);
    b->campaigns = g_hash_table_new(string_hash, g_str_equal);
    b->relays = g_hash_table_new(relay_row_hash, relay_row_equal);
    b->codes = g_hash_table_new(code_row_hash, code_row_equal);
    b->days = g_hash_table_new(g_int64_hash, g_int64_equal);
    b->hours = g_hash_table_new(g_int64_hash, g_int64_equal);
    b->suppress = g_hash_table_new(string_hash, g_str_equal);
    b->strings = g_string_chunk_new(4096);
    b->strings_more = g_ptr_array_new();
    b->cause_totals = g_hash_table_new(string_hash, g_str_equal);
}

static void
merge_causes(GHashTable *dst, GHashTable *src)
{
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, src);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        gsize n = GPOINTER_TO_SIZE(g_hash_table_lookup(dst, k)) + GPOINTER_TO_SIZE(v);
        g_hash_table_insert(dst, k, GSIZE_TO_POINTER(n));
    }
}

/* Moves every row of src's table into dst's, or merges it with dst's row of the same key. */
static void
merge_table(GHashTable *dst, GHashTable *src, void (*merge)(gpointer into, gpointer from),
            gboolean key_is_row)
{
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, src);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        gpointer mine = g_hash_table_lookup(dst, k);
        if (mine == NULL) {
            if (key_is_row)
                g_hash_table_add(dst, v);
            else
                g_hash_table_insert(dst, k, v);
            g_hash_table_iter_steal(&it);
        } else {
            merge(mine, v);
        }
    }
}

static void
merge_step(gpointer into, gpointer from)
{
    StepCauseRow *d = into, *s = from;
    d->failed += s->failed;
    d->expired += s->expired;
    d->pending += s->pending;
    d->bounced_after += s->bounced_after;
    d->recovered += s->recovered;
    d->suppressed += s->suppressed;
    d->temporary += s->temporary;
    d->permanent += s->permanent;
    d->attempts += s->attempts;
    keep_first_example(&d->example, &d->example_timeline, &d->example_order, s->example,
                       s->example_timeline, &s->example_order);
    g_free(s);
}

static void
merge_group(gpointer into, gpointer from)
{
    GroupRow *d = into, *s = from;
    group_merge(d, s);
    if (s->relay && (d->relay == NULL || order_before(&d->relay_order, &s->relay_order))) {
        d->relay = s->relay;
        d->relay_order = s->relay_order;
    }
    g_hash_table_destroy(s->causes);
    g_free(s);
}

static void
merge_relay(gpointer into, gpointer from)
{
    RelayRow *d = into, *s = from;
    d->attempts += s->attempts;
    d->delivered += s->delivered;
    d->deferred += s->deferred;
    d->failed += s->failed;
    merge_causes(d->causes, s->causes);
    if (s->first && (d->first == 0 || s->first < d->first))
        d->first = s->first;
    if (s->last > d->last)
        d->last = s->last;
    g_hash_table_destroy(s->causes);
    g_free(s);
}

static void
merge_code(gpointer into, gpointer from)
{
    CodeRow *d = into, *s = from;
    d->events += s->events;
    d->recipients += s->recipients;
    keep_first_example(&d->example, &d->example_timeline, &d->example_order, s->example,
                       s->example_timeline, &s->example_order);
    g_free(s);
}

static void
merge_period(gpointer into, gpointer from)
{
    PeriodRow *d = into, *s = from;
    counts_merge(&d->counts, &s->counts);
    g_free(s);
}

static void
merge_suppress(gpointer into, gpointer from)
{
    SuppressRow *d = into, *s = from;
    if (suppress_takes(d->action, &d->order, s->action, &s->order)) {
        d->reason = s->reason;
        d->action = s->action;
        d->entry = s->entry;
        d->step = s->step;
        d->evidence = s->evidence;
        d->timeline = s->timeline;
        d->order = s->order;
    }
    d->failures += s->failures;
    g_free(s);
}

/* b's rows and totals are added to a; b's tables are emptied and freed. */
static void
builder_merge(Builder *a, Builder *b)
{
    merge_table(a->steps, b->steps, merge_step, TRUE);
    merge_table(a->domains, b->domains, merge_group, FALSE);
    merge_table(a->campaigns, b->campaigns, merge_group, FALSE);
    merge_table(a->relays, b->relays, merge_relay, TRUE);
    merge_table(a->codes, b->codes, merge_code, TRUE);
    merge_table(a->days, b->days, merge_period, FALSE);
    merge_table(a->hours, b->hours, merge_period, FALSE);
    /* the suppress rows are merged as they are sorted (sorted_suppress) */
    counts_merge(&a->all, &b->all);
    a->no_message_id += b->no_message_id;
    a->no_campaign += b->no_campaign;
    a->unknown_step += b->unknown_step;
    if (b->first && (a->first == 0 || b->first < a->first))
        a->first = b->first;
    if (b->last > a->last)
        a->last = b->last;
    merge_causes(a->cause_totals, b->cause_totals);
    g_hash_table_destroy(b->steps);
    g_hash_table_destroy(b->domains);
    g_hash_table_destroy(b->providers);
    g_hash_table_destroy(b->campaigns);
    g_hash_table_destroy(b->relays);
    g_hash_table_destroy(b->codes);
    g_hash_table_destroy(b->days);
    g_hash_table_destroy(b->hours);
    g_hash_table_destroy(b->suppress);
    g_hash_table_destroy(b->cause_totals);
    /* b's strings stay alive: merged rows point into them */
    g_ptr_array_add(a->strings_more, b->strings);
    for (guint i = 0; i < b->strings_more->len; i++)
        g_ptr_array_add(a->strings_more, b->strings_more->pdata[i]);
    g_ptr_array_set_size(b->strings_more, 0);
    g_ptr_array_unref(b->strings_more);
}

/* Counts timeline t, at its place in report order, into b. One walk over its events gathers
 * what every table needs (events are scattered in memory: walking them once is most of the
 * cost). */
void
aggregate_builder_add(Builder *b, const Timeline *t, gint64 order_when, guint64 seq)
{
    b->cur = (AggregateOrder){.when = order_when, .seq = seq};
    Facts facts = {0}, *f = &facts;
    walk_events(b, t, f);
    facts_for_counts(f, t);
    counts_add(&b->all, f);
    gint64 when = t->first_seen ? t->first_seen : t->message->queued_at;
    if (when && (b->first == 0 || when < b->first))
        b->first = when;
    if (t->last_seen > b->last)
        b->last = t->last_seen;
    b->no_message_id += t->message->message_id == NULL;
    b->no_campaign += t->message->campaign == NULL;
    b->unknown_step += (t->outcome == OUTCOME_FAILED || t->outcome == OUTCOME_EXPIRED ||
                        t->outcome == OUTCOME_PENDING) &&
                       t->cls.step == STEP_UNKNOWN && t->cls.cause;

    /* steps x causes */
    if (t->outcome != OUTCOME_DELIVERED && t->outcome != OUTCOME_UNKNOWN &&
        (t->cls.cause || t->outcome == OUTCOME_PENDING)) {
        StepCauseRow *r = step_row(b, t->cls.step, t->cls.cause ? t->cls.cause : "queued");
        switch (t->outcome) {
        case OUTCOME_FAILED:
            r->failed++;
            break;
        case OUTCOME_EXPIRED:
            r->expired++;
            break;
        case OUTCOME_PENDING:
            r->pending++;
            break;
        case OUTCOME_BOUNCED_AFTER:
            r->bounced_after++;
            break;
        case OUTCOME_SUPPRESSED:
            r->suppressed++;
            break;
        default:
            break;
        }
        if (t->cls.permanence == PERMANENCE_PERMANENT)
            r->permanent++;
        else if (t->cls.permanence == PERMANENCE_TEMPORARY)
            r->temporary++;
        keep_first_example(&r->example, &r->example_timeline, &r->example_order, t->decisive,
                           t, &b->cur);
        count_cause(b->cause_totals, t->cls.cause);
    }
    /* delivered after trouble: the last deferral's step and cause */
    if (t->outcome == OUTCOME_DELIVERED && f->last_defer) {
        const Classification *cls = timeline_event_cls(f->last_defer);
        StepCauseRow *r = step_row(b, cls->step, cls->cause);
        r->recovered++;
        r->temporary++;
    }

    const char *camp = t->message->campaign ? t->message->campaign : "(none)";
    GroupRow *cg = b->last_campaign && strcmp(b->last_campaign->name, camp) == 0
                       ? b->last_campaign
                       : group(b, b->campaigns, camp);
    b->last_campaign = cg;
    group_add(cg, t, f);
    /* campaigns count distinct messages: each at its first recipient's timeline */
    if (t == t->message->timelines)
        cg->messages++;
    add_suppress(b, t);
    const char *domain = timeline_domain(t);
    if (*domain == '\0')
        domain = "(none)";
    gsize dlen = strlen(domain);
    GroupRow **cached = &b->domain_cache[cache_slot_text(domain, dlen)];
    GroupRow *dg = *cached && strcmp((*cached)->name, domain) == 0
                       ? *cached
                       : (*cached = group(b, b->domains, domain));
    group_add(dg, t, f);
    /* its provider follows the MX hosts seen: the last in report order */
    if (f->relay && (dg->relay == NULL || !order_before(&b->cur, &dg->relay_order))) {
        dg->relay = f->relay;
        dg->relay_order = b->cur;
    }
    if (when) {
        counts_add(&period(b->days, floor_to(when, DAY_US), &b->last_day)->counts, f);
        counts_add(&period(b->hours, floor_to(when, HOUR_US), &b->last_hour)->counts, f);
    }
}

AggregateBuilder *
aggregate_builder_new(void)
{
    /* on cache lines of its own: the builders of the threads are written at the same time */
    Builder *b = g_aligned_alloc(1, sizeof(Builder), 64);
    builder_init(b);
    return b;
}

/* Time of a timeline for report order (as the correlator sorts them). */
static gint64
order_time(const Timeline *t)
{
    return t->first_seen ? t->first_seen : t->message->queued_at;
}

typedef struct {
    Builder *b;
    const GPtrArray *timelines;
    guint from, to;
} RangeJob;

/* Counts the timelines [from, to) of the report-ordered array: one thread's share. */
static gpointer
build_range(gpointer data)
{
    RangeJob *job = data;
    const Timeline *const *all = (const Timeline *const *)job->timelines->pdata;
    for (guint i = job->from; i < job->to; i++) {
        /* timelines and their events are scattered: fetch those of the next ones early */
        if (i + 8 < job->to)
            __builtin_prefetch(all[i + 8]);
        if (i + 4 < job->to) {
            __builtin_prefetch(all[i + 4]->events);
            __builtin_prefetch(all[i + 4]->message);
        }
        aggregate_builder_add(job->b, all[i], order_time(all[i]), i);
    }
    return NULL;
}

Aggregates *
aggregates_build(const Correlator *c)
{
    /* two builders count the two halves of the report-ordered timelines on two threads */
    const GPtrArray *counted = correlator_counted_timelines(c, NULL, NULL);
    guint n = counted ? counted->len : 0;
    Builder *bb[2] = {aggregate_builder_new(), aggregate_builder_new()};
    RangeJob jobs[2] = {{bb[0], counted, 0, n / 2}, {bb[1], counted, n / 2, n}};
    if (n > 0) {
        GThread *second = g_thread_new("aggregate", build_range, &jobs[1]);
        build_range(&jobs[0]);
        g_thread_join(second);
    }
    return aggregates_from_builders(c, bb, 2);
}

Aggregates *
aggregates_from_builders(const Correlator *c, AggregateBuilder *const *builders, guint n)
{
    g_return_val_if_fail(n > 0, NULL);
    Aggregates *a = g_new0(Aggregates, 1);
    /* the counted timelines in report order, gathered and sorted by the correlator's
     * finishing threads */
    const GPtrArray *counted =
        correlator_counted_timelines(c, &a->messages, &a->uncounted_deliveries);
    a->timelines = counted ? g_ptr_array_ref((GPtrArray *)counted) : g_ptr_array_new();
    /* "review" rows need repeats: mailbox full once is not a reason to drop anyone */
    GPtrArray *sup = sorted_suppress(builders, n);
    for (guint k = 1; k < n; k++) {
        builder_merge(builders[0], builders[k]);
        g_aligned_free(builders[k]);
    }
    Builder b = *builders[0]; /* the merged tables */
    g_aligned_free(builders[0]);
    a->all = b.all;
    a->no_message_id = b.no_message_id;
    a->no_campaign = b.no_campaign;
    a->unknown_step = b.unknown_step;
    a->first = b.first;
    a->last = b.last;
    a->cause_totals = b.cause_totals;

    /* a domain's provider: from the MX/relay hosts its mail went to, else from the domain;
     * a provider's row is the sum of its domains' rows */
    GHashTable *relay_provider = g_hash_table_new(g_direct_hash, g_direct_equal);
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, b.domains);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        GroupRow *d = value;
        const char *name = strcmp(d->name, "(none)") == 0 ? "" : d->name;
        const char *prov = d->relay ? g_hash_table_lookup(relay_provider, d->relay) : NULL;
        if (prov == NULL) {
            prov = g_string_chunk_insert_const(b.strings, aggregate_provider(name, d->relay));
            if (d->relay)
                g_hash_table_insert(relay_provider, (gpointer)d->relay, (gpointer)prov);
        }
        d->provider = prov;
        GroupRow *p = group(&b, b.providers, prov);
        group_merge(p, d);
        p->domains++;
    }
    g_hash_table_destroy(relay_provider);

    a->steps = sorted_values(b.steps, compare_step_rows);
    g_ptr_array_set_free_func(a->steps, g_free);
    a->domains = sorted_values(b.domains, compare_groups);
    g_ptr_array_set_free_func(a->domains, free_group);
    a->providers = sorted_values(b.providers, compare_groups);
    g_ptr_array_set_free_func(a->providers, free_group);
    a->campaigns = sorted_values(b.campaigns, compare_groups);
    g_ptr_array_set_free_func(a->campaigns, free_group);
    a->relays = sorted_values(b.relays, compare_relays);
    g_ptr_array_set_free_func(a->relays, free_relay);
    a->codes = sorted_values(b.codes, compare_codes);
    g_ptr_array_set_free_func(a->codes, g_free);
    a->days = sorted_values(b.days, compare_periods);
    g_ptr_array_set_free_func(a->days, g_free);
    GPtrArray *hours = sorted_values(b.hours, compare_periods);
    g_ptr_array_set_free_func(hours, g_free);
    if (a->last - a->first <= 3 * DAY_US)
        a->hours = hours;
    else
        g_ptr_array_unref(hours);
    a->suppress = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < sup->len; i++) {
        SuppressRow *r = sup->pdata[i];
        if (strcmp(r->action, "suppress") == 0 || r->failures >= 3)
            g_ptr_array_add(a->suppress, r);
        else
            g_free(r);
    }
    g_ptr_array_unref(sup);

    g_hash_table_destroy(b.steps);
    g_hash_table_destroy(b.domains);
    g_hash_table_destroy(b.providers);
    g_hash_table_destroy(b.campaigns);
    g_hash_table_destroy(b.relays);
    g_hash_table_destroy(b.codes);
    g_hash_table_destroy(b.days);
    g_hash_table_destroy(b.hours);
    g_hash_table_destroy(b.suppress);
    /* names live as long as the aggregates */
    a->strings = b.strings_more;
    g_ptr_array_add(a->strings, b.strings);
    return a;
}

void
aggregates_free(Aggregates *a)
{
    if (a == NULL)
        return;
    g_ptr_array_unref(a->steps);
    g_ptr_array_unref(a->domains);
    g_ptr_array_unref(a->providers);
    g_ptr_array_unref(a->campaigns);
    g_ptr_array_unref(a->relays);
    g_ptr_array_unref(a->codes);
    g_ptr_array_unref(a->days);
    if (a->hours)
        g_ptr_array_unref(a->hours);
    g_ptr_array_unref(a->suppress);
    g_ptr_array_unref(a->timelines);
    g_hash_table_destroy(a->cause_totals);
    for (guint i = 0; i < a->strings->len; i++)
        g_string_chunk_free(a->strings->pdata[i]);
    g_ptr_array_unref(a->strings);
    g_free(a);
}
