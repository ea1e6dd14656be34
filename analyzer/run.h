/* The wiring of one "mailtrail report" run: inputs -> parsers -> correlator -> classifier ->
 * aggregates -> XLSX and CSV. Prints nothing but progress; main reports the outcome. */
#pragma once

#include <glib.h>

#include "aggregate.h"
#include "parser.h"

typedef struct {
    char **inputs;        /* files, directories, "-" */
    char *output;         /* directory */
    char *format;         /* --format */
    int year;
    char *timezone;
    char **rules;         /* --rules files */
    char **verp;          /* --verp patterns */
    char **our_mta;
    char **sheets;        /* --sheets (NULL = all) */
    gboolean no_messages;
    gboolean include_local;
    gboolean no_xlsx;
    gboolean no_csv;
    gboolean progress;
    int link_window_days;
    /* the process ends right after: the timelines, tables and report (hundreds of MB for a
     * month of logs) are left to the operating system instead of freed piece by piece */
    gboolean leave_memory;
} RunOptions;

typedef struct {
    guint streams;
    guint64 lines, lines_unrecognised, items, items_unrecognised, errors;
    guint64 messages;
    Counts counts;
    guint64 other_received;
    char *xlsx_path;       /* NULL when not written */
    GPtrArray *csv_paths;  /* char* */
    guint64 truncated_cells;
    GPtrArray *problems;   /* char*: "input: note" for the summary on stderr */
} RunResult;

void run_result_clear(RunResult *r);

#define RUN_ERROR (run_error_quark())
GQuark run_error_quark(void);
typedef enum {
    RUN_ERROR_USAGE,
    RUN_ERROR_OUTPUT,
} RunError;

/* FALSE (with error) for usage and fatal errors; input problems are in result. */
gboolean run_report(const RunOptions *options, RunResult *result, GError **error);
