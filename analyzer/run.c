/* One report run (see run.h). */
#include "run.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "classify.h"
#include "correlate.h"
#include "input.h"
#include "progress.h"
#include "report.h"
#include "writers.h"

G_DEFINE_QUARK(run_error_quark, run_error)

/* Events handed to the correlator at a time, and batches in flight between the threads. */
#define BATCH_EVENTS 1024
#define BATCHES_IN_FLIGHT 8

/* Two threads: the reader reads, decompresses and parses (in input order, so that log order is
 * kept) and hands full batches over a queue; the main thread correlates them. */
typedef enum {
    ITEM_BATCH,      /* a batch of events, and the streams that ended before it was handed over */
    ITEM_PATH_ERROR, /* a file that could not be opened */
    ITEM_DONE,
} ItemKind;

typedef struct {
    ItemKind kind;
    EventBatch *batch;
    GPtrArray *streams; /* InputStream*, in order */
    char *error;
} Item;

typedef struct {
    GAsyncQueue *full;  /* Item* to the main thread */
    GAsyncQueue *free;  /* EventBatch* back to the reader */
    guint allocated;
    Progress *progress;
    guint64 total;      /* size of the current top-level file, 0 unknown */
    guint64 lines, items;
    /* many small streams (a Maildir) share a batch: one hand-over per batch, not per file */
    EventBatch *current;
    GPtrArray *ended;
    /* reader's work */
    GPtrArray *paths;
    InputOptions *iopts;
    gint64 reader_cpu; /* µs of CPU the reading thread used, for MAILTRAIL_TIMING */
} RunSink;

static void
count_timeline(gpointer builder, const Timeline *t, gint64 when, guint64 seq)
{
    aggregate_builder_add(builder, t, when, seq);
}

/* CPU time of the calling thread in µs: what a phase costs, whatever else runs. */
static gint64
thread_cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static EventBatch *
take_batch(RunSink *s)
{
    EventBatch *b = g_async_queue_try_pop(s->free);
    if (b)
        return b;
    if (s->allocated < BATCHES_IN_FLIGHT) {
        s->allocated++;
        return event_batch_new();
    }
    return g_async_queue_pop(s->free); /* wait for the correlator */
}

static void
push(RunSink *s, ItemKind kind, EventBatch *batch, char *error)
{
    Item *it = g_new0(Item, 1);
    it->kind = kind;
    it->batch = batch;
    it->error = error;
    if (s->ended->len) {
        it->streams = s->ended;
        s->ended = g_ptr_array_new();
    }
    g_async_queue_push(s->full, it);
}

static EventBatch *
sink_begin(InputStream *stream, gpointer data)
{
    (void)stream;
    RunSink *s = data;
    if (s->current == NULL)
        s->current = take_batch(s);
    return s->current;
}

static EventBatch *
sink_progress(InputStream *stream, EventBatch *batch, guint64 bytes, gpointer data)
{
    RunSink *s = data;
    progress_update(s->progress, stream->name, bytes, s->total, s->lines + stream->stats->lines,
                    s->items + stream->stats->items);
    if (event_batch_len(batch) < BATCH_EVENTS)
        return batch;
    push(s, ITEM_BATCH, batch, NULL);
    return s->current = take_batch(s);
}

static void
sink_end(InputStream *stream, EventBatch *batch, gpointer data)
{
    RunSink *s = data;
    s->lines += stream->stats->lines;
    s->items += stream->stats->items;
    s->current = batch;
    g_ptr_array_add(s->ended, stream);
    if (event_batch_len(batch) >= BATCH_EVENTS || s->ended->len >= 1024) {
        push(s, ITEM_BATCH, batch, NULL);
        s->current = NULL;
    }
}

static void
sink_path_begin(const char *path, guint64 size, gpointer data)
{
    (void)path;
    RunSink *s = data;
    s->total = size;
}

/* The CSV files are written on a thread of their own while the workbook is written: the row
 * functions only read the finished analysis. */
typedef struct {
    const Report *report;
    const char *dir;
    GPtrArray *written;
    GError *error;
    gboolean ok;
    gint64 finished; /* monotonic µs */
} CsvJob;

static gpointer
csv_thread(gpointer data)
{
    CsvJob *job = data;
    job->ok = csv_write_report(job->report, job->dir, job->written, &job->error);
    job->finished = g_get_monotonic_time();
    return NULL;
}

/* CPU seconds of the whole process so far (every thread, user and system), and its peak
 * resident memory in MB. */
static double
cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double
peak_rss_mb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)ru.ru_maxrss / 1024.0; /* KB on Linux */
}

static gpointer
reader_thread(gpointer data)
{
    RunSink *s = data;
    InputSink isink = {sink_begin, sink_progress, sink_end, s, sink_path_begin};
    guint32 next_id = 1;
    GError *local = NULL;
    if (!input_read_paths((const char *const *)s->paths->pdata, s->paths->len, s->iopts, &isink,
                          &next_id, &local)) {
        push(s, ITEM_PATH_ERROR, NULL, g_strdup(local->message));
        g_error_free(local);
    }
    if (s->current || s->ended->len)
        push(s, ITEM_BATCH, s->current, NULL);
    s->current = NULL;
    s->reader_cpu = thread_cpu_us();
    push(s, ITEM_DONE, NULL, NULL);
    return NULL;
}

void
run_result_clear(RunResult *r)
{
    g_free(r->xlsx_path);
    if (r->csv_paths)
        g_ptr_array_unref(r->csv_paths);
    if (r->problems)
        g_ptr_array_unref(r->problems);
    memset(r, 0, sizeof *r);
}

static gboolean
ensure_dir(const char *dir, GError **error)
{
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        int e = errno;
        g_set_error(error, RUN_ERROR, RUN_ERROR_OUTPUT, "%s: %s", dir, g_strerror(e));
        return FALSE;
    }
    if (access(dir, W_OK) != 0) {
        int e = errno;
        g_set_error(error, RUN_ERROR, RUN_ERROR_OUTPUT, "%s: %s", dir, g_strerror(e));
        return FALSE;
    }
    return TRUE;
}

/* SOURCE_DATE_EPOCH if set, else the end of the data: the same input gives the same bytes. */
static gint64
report_date(const Aggregates *a)
{
    const char *sde = g_getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        guint64 v = g_ascii_strtoull(sde, &end, 10);
        if (*end == '\0')
            return (gint64)v * G_USEC_PER_SEC;
    }
    return a->last ? a->last : (gint64)946684800 * G_USEC_PER_SEC;
}

gboolean
run_report(const RunOptions *o, RunResult *result, GError **error)
{
    gint64 t_setup = g_get_monotonic_time();
    memset(result, 0, sizeof *result);
    result->csv_paths = g_ptr_array_new_with_free_func(g_free);
    result->problems = g_ptr_array_new_with_free_func(g_free);

    const ParserClass *forced = NULL;
    if (o->format) {
        forced = parser_registry_find(o->format);
        if (forced == NULL) {
            GString *known = g_string_new(NULL);
            for (const ParserClass *const *p = parser_registry(); *p; p++)
                g_string_append_printf(known, "%s%s", known->len ? ", " : "", (*p)->name);
            g_set_error(error, RUN_ERROR, RUN_ERROR_USAGE, "unknown format '%s' (known: %s)",
                        o->format, known->str);
            g_string_free(known, TRUE);
            return FALSE;
        }
    }
    g_autoptr(GTimeZone) tz = NULL;
    if (o->timezone) {
        tz = g_time_zone_new_identifier(o->timezone);
        if (tz == NULL) {
            g_set_error(error, RUN_ERROR, RUN_ERROR_USAGE,
                        "unknown time zone '%s' (use a name such as Europe/Berlin, or +01:00)",
                        o->timezone);
            return FALSE;
        }
    } else {
        tz = g_time_zone_new_local();
    }
    /* one classifier per thread that derives timelines (each keeps its own memo table) */
    g_autoptr(Classifier) classifier = classifier_new();
    g_autoptr(Classifier) classifier2 = classifier_new();
    for (int i = 0; o->rules && o->rules[i]; i++)
        if (!classifier_load_rules(classifier, o->rules[i], error) ||
            !classifier_load_rules(classifier2, o->rules[i], NULL))
            return FALSE;
    CorrelatorOptions copts = {
        .our_mtas = (const char *const *)o->our_mta,
        .verp_patterns = (const char *const *)o->verp,
        .link_window = (gint64)o->link_window_days * 86400 * G_USEC_PER_SEC,
        .include_local = o->include_local,
        /* the per-message sheet is the only one that lists the timelines */
        .unlisted = o->no_messages,
    };
    g_autoptr(Correlator) corr = correlator_new(&copts, error);
    if (corr == NULL)
        return FALSE;
    if (o->sheets) {
        for (int i = 0; o->sheets[i]; i++)
            if (!g_strv_contains(report_sheet_ids, o->sheets[i])) {
                g_autofree char *known = g_strjoinv(", ", (char **)report_sheet_ids);
                g_set_error(error, RUN_ERROR, RUN_ERROR_USAGE, "unknown sheet '%s' (known: %s)",
                            o->sheets[i], known);
                return FALSE;
            }
    }

    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    gint64 t_expand = g_get_monotonic_time();
    if (!input_expand((const char *const *)o->inputs, paths, error))
        return FALSE;
    if (!ensure_dir(o->output, error))
        return FALSE;

    ParserOptions popts = {.year = o->year, .tz = tz};
    InputOptions iopts = {.forced = forced, .parser_options = &popts};
    g_autoptr(Progress) progress = progress_new(o->progress);
    g_autoptr(GPtrArray) streams = g_ptr_array_new_with_free_func((GDestroyNotify)input_stream_free);
    RunSink sink = {
        .full = g_async_queue_new(),
        .free = g_async_queue_new(),
        .progress = progress,
        .paths = paths,
        .iopts = &iopts,
        .ended = g_ptr_array_new(),
    };
    gint64 t_start = g_get_monotonic_time();
    gint64 thread_cpu_start = thread_cpu_us();
    double cpu_start = cpu_seconds();
    GThread *reader = g_thread_new("reader", reader_thread, &sink);
    gint64 waited = 0; /* the correlator waiting for the reader */
    for (gboolean done = FALSE; !done;) {
        gint64 before = g_get_monotonic_time();
        Item *it = g_async_queue_pop(sink.full);
        waited += g_get_monotonic_time() - before;
        if (it->batch) {
            correlator_consume(corr, it->batch);
            event_batch_clear(it->batch);
            g_async_queue_push(sink.free, it->batch);
        }
        for (guint i = 0; it->streams && i < it->streams->len; i++) {
            InputStream *st = it->streams->pdata[i];
            /* ids are dense and in order: streams->pdata[id - 1] is the stream */
            g_assert(st->id == streams->len + 1);
            g_ptr_array_add(streams, st);
        }
        if (it->streams)
            g_ptr_array_unref(it->streams);
        switch (it->kind) {
        case ITEM_BATCH:
            break;
        case ITEM_PATH_ERROR:
            /* an unreadable file is an input problem, not the end of the run */
            g_ptr_array_add(result->problems, it->error);
            result->errors++;
            break;
        case ITEM_DONE:
            done = TRUE;
            break;
        }
        g_free(it);
    }
    g_thread_join(reader);
    EventBatch *b;
    while ((b = g_async_queue_try_pop(sink.free)) != NULL)
        event_batch_free(b);
    g_async_queue_unref(sink.full);
    g_async_queue_unref(sink.free);
    g_ptr_array_unref(sink.ended);

    /* MAILTRAIL_TIMING=1 prints how long each phase took, for performance work */
    gboolean timing = g_getenv("MAILTRAIL_TIMING") != NULL;
    gint64 t_read = g_get_monotonic_time();
    gint64 correlator_cpu = thread_cpu_us() - thread_cpu_start;
    double cpu_read = cpu_seconds() - cpu_start;
    progress_phase(progress, "linking and classifying");
    Classifier *classifiers[] = {classifier, classifier2};
    /* the timelines are counted by the threads that finish them, while they are in cache */
    AggregateBuilder *builders[] = {aggregate_builder_new(), aggregate_builder_new()};
    G_STATIC_ASSERT(G_N_ELEMENTS(builders) == G_N_ELEMENTS(classifiers));
    correlator_finish_visit(corr, classifiers, G_N_ELEMENTS(classifiers), count_timeline,
                            (gpointer const *)builders);
    gint64 t_finish = g_get_monotonic_time();
    g_autoptr(Aggregates) agg = aggregates_from_builders(corr, builders, G_N_ELEMENTS(builders));
    gint64 t_agg = g_get_monotonic_time();

    ReportData rd = {
        .agg = agg,
        .corr = corr,
        .streams = streams,
        .generated = report_date(agg),
        .with_messages = !o->no_messages,
    };
    g_autoptr(Report) report = report_build(&rd, (const char *const *)o->sheets, error);
    if (report == NULL)
        return FALSE;
    progress_phase(progress, "writing the report");
    double cpu_write = cpu_seconds();
    double rss_before_write = peak_rss_mb();
    gint64 t_xlsx = t_agg;
    gboolean ok = TRUE;
    CsvJob job = {.report = report, .dir = o->output, .written = result->csv_paths, .ok = TRUE};
    GThread *csv = o->no_csv ? NULL : g_thread_new("csv", csv_thread, &job);
    if (!o->no_xlsx) {
        g_autofree char *xlsx = g_build_filename(o->output, "mailtrail-report.xlsx", NULL);
        XlsxStats xs;
        ok = xlsx_write_report(report, xlsx, &xs, error);
        t_xlsx = g_get_monotonic_time();
        if (ok) {
            result->xlsx_path = g_steal_pointer(&xlsx);
            result->truncated_cells = xs.truncated_cells;
        }
    }
    if (csv) {
        g_thread_join(csv);
        if (!job.ok) {
            if (ok)
                g_propagate_error(error, job.error);
            else
                g_clear_error(&job.error);
            ok = FALSE;
        }
    }
    progress_clear(progress);
    if (timing) {
        gint64 t_end = g_get_monotonic_time();
        g_printerr("timing: setup %.3f s, listing inputs %.3f s, read+correlate %.3f s "
                   "(correlator idle %.2f s, reader %.2f s cpu, correlator %.2f s cpu; %.2f s cpu), "
                   "link+classify %.3f s, "
                   "aggregate %.3f s, write %.3f s (xlsx %.2f s, csv %.2f s; %.2f s cpu), "
                   "peak RSS %.0f MB (%.0f MB before writing)\n",
                   (double)(t_expand - t_setup) / 1e6, (double)(t_start - t_expand) / 1e6,
                   (double)(t_read - t_start) / 1e6, (double)waited / 1e6,
                   (double)sink.reader_cpu / 1e6, (double)correlator_cpu / 1e6, cpu_read,
                   (double)(t_finish - t_read) / 1e6, (double)(t_agg - t_finish) / 1e6,
                   (double)(t_end - t_agg) / 1e6, (double)(t_xlsx - t_agg) / 1e6,
                   o->no_csv ? 0.0 : (double)(job.finished - t_agg) / 1e6,
                   cpu_seconds() - cpu_write, peak_rss_mb(), rss_before_write);
    }

    for (guint i = 0; i < streams->len; i++) {
        const InputStream *s = streams->pdata[i];
        result->lines += s->stats->lines;
        result->lines_unrecognised += s->stats->lines_unrecognised;
        result->items += s->stats->items;
        result->items_unrecognised += s->stats->items_unrecognised;
        result->errors += s->stats->errors;
        for (guint k = 0; k < s->stats->notes->len; k++)
            g_ptr_array_add(result->problems,
                            g_strdup_printf("%s: %s", s->name, (char *)s->stats->notes->pdata[k]));
        if (s->stats->examples->len)
            g_ptr_array_add(result->problems,
                            g_strdup_printf("%s: unrecognised %s", s->name,
                                            (char *)s->stats->examples->pdata[0]));
    }
    result->streams = streams->len;
    result->messages = agg->messages;
    result->counts = agg->all;
    result->other_received = correlator_other_items(corr)->len;
    if (o->leave_memory) {
        g_steal_pointer(&report);
        g_steal_pointer(&agg);
        g_steal_pointer(&corr);
    }
    return ok;
}
