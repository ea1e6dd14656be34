/* Format-neutral report tables. Each table is written as one CSV file and as one block of an
 * XLSX sheet; a sheet holds one or more tables and optional charts. Rows are produced by a
 * callback, so a million-row table is never held in memory. */
#pragma once

#include <glib.h>

typedef enum {
    CELL_EMPTY = 0,
    CELL_TEXT,     /* untrusted text: never a formula */
    CELL_INT,
    CELL_REAL,
    CELL_PERCENT,  /* a ratio 0..1, shown as % */
    CELL_TIME,     /* µs UTC */
    CELL_DURATION, /* seconds */
} CellType;

typedef struct {
    CellType type;
    union {
        const char *text;
        gint64 i;
        double r;
    };
} Cell;

typedef struct {
    const char *name;
    CellType type;        /* the column's usual type (for formats and widths) */
    double width;         /* XLSX column width in characters, 0 = automatic */
    const char *doc;      /* what the column means (README / docs/reports.md) */
} Column;

typedef struct Table Table;

/* Fills row i (0-based) into cells (n_columns cells). Text may point into scratch (a pool
 * the writer clears once the row is written: every SCRATCH_ROWS rows). */
#define SCRATCH_ROWS 256
typedef void (*TableRowFunc)(const Table *table, guint64 i, Cell *cells, GStringChunk *scratch,
                             gpointer data);

typedef enum {
    CHART_NONE = 0,
    CHART_BAR,     /* horizontal bars: categories in column cat, values in value columns */
    CHART_COLUMN,
    CHART_STACKED_COLUMN,
    CHART_PIE,
} ChartType;

typedef struct {
    ChartType type;
    const char *title;
    guint category_column;
    guint value_columns[8];
    guint n_values;
    guint max_rows; /* chart only the first rows (0 = all) */
    const char *x_title, *y_title;
} ChartSpec;

struct Table {
    const char *id;    /* CSV file stem: "steps-causes" */
    const char *title; /* shown above the table */
    const char *note;  /* one line under the title */
    Column *columns;
    guint n_columns;
    guint64 n_rows;
    /* either stored rows ... */
    GArray *cells; /* Cell, row-major */
    GStringChunk *strings;
    /* ... or a row callback */
    TableRowFunc row_func;
    gpointer row_data;
    GDestroyNotify row_data_free;
    ChartSpec chart; /* drawn beside the table in XLSX */
    gboolean key_value; /* a two-column "what / value" table (no autofilter) */
};

typedef struct {
    const char *name; /* sheet name, <= 31 characters */
    GPtrArray *tables; /* Table* */
    gboolean wide_first_column;
} Sheet;

typedef struct {
    GPtrArray *sheets; /* Sheet* */
    const char *title;
    gint64 created;    /* µs UTC: the workbook's creation date (deterministic output) */
} Report;

Table *table_new(const char *id, const char *title, const Column *columns, guint n_columns);
void table_free(Table *table);
/* Stored rows: start a row, then set its cells. */
void table_add_row(Table *table);
void table_set_text(Table *table, guint col, const char *text);
void table_set_int(Table *table, guint col, gint64 v);
void table_set_real(Table *table, guint col, double v);
void table_set_percent(Table *table, guint col, double ratio);
void table_set_time(Table *table, guint col, gint64 t);
void table_set_duration(Table *table, guint col, double seconds);
/* Row i into cells (for both kinds of tables). */
void table_get_row(const Table *table, guint64 i, Cell *cells, GStringChunk *scratch);
void table_set_row_func(Table *table, guint64 n_rows, TableRowFunc func, gpointer data,
                        GDestroyNotify data_free);

Sheet *sheet_new(const char *name);
void sheet_free(Sheet *sheet);
void sheet_add(Sheet *sheet, Table *table);

Report *report_new(const char *title);
void report_free(Report *report);
void report_add(Report *report, Sheet *sheet);

/* Text that a spreadsheet could read as a formula (=, +, -, @, tab, CR first). */
gboolean table_text_is_risky(const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Table, table_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Sheet, sheet_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Report, report_free)
