/* Writing a Report: one CSV file per table, and one XLSX workbook. */
#pragma once

#include <glib.h>

#include "table.h"

#define REPORT_ERROR (report_error_quark())
GQuark report_error_quark(void);
typedef enum {
    REPORT_ERROR_WRITE,
} ReportError;

/* Excel's limits. */
#define XLSX_MAX_ROWS 1048576
#define XLSX_MAX_CELL 32767

typedef struct {
    guint64 truncated_cells; /* texts cut at 32,767 characters (XLSX only; CSV keeps them) */
    guint continued_sheets;  /* sheets continued on a second sheet past 1,048,576 rows */
    guint64 rows;
} XlsxStats;

/* Writes every table of report as DIR/<table id>.csv (UTF-8, RFC 4180, header row). Text that
 * a spreadsheet would read as a formula gets a leading apostrophe. Files written are appended
 * to written (char*). */
gboolean csv_write_report(const Report *report, const char *dir, GPtrArray *written,
                          GError **error);
/* Formats one CSV field into out (appends). */
void csv_append_cell(GString *out, const Cell *cell);

gboolean xlsx_write_report(const Report *report, const char *path, XlsxStats *stats,
                           GError **error);
