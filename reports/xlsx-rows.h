/* The <row> elements of a worksheet's data rows (SpreadsheetML), generated straight from a
 * Table into a window of memory that a flush function empties: no temporary file, no printf.
 * Text is an inline string (never a formula), escaped for XML and for OOXML's _xHHHH_ form,
 * and cut at Excel's cell limit; numbers are written so that they read back as the same double.
 */
#pragma once

#include <glib.h>

#include "table.h"

/* The room a flush must leave at least (and the most a caller asks for at once). */
#define XLSX_ROWS_ROOM 4096
/* The longest number xlsx_rows_format_double() writes, with its NUL. */
#define XLSX_NUMBER_MAX 32

typedef struct XlsxRows XlsxRows;
/* Makes room: sets x->p and x->end to a window of at least XLSX_ROWS_ROOM bytes, after taking
 * what was written since the last flush (from the window's start up to x->p). */
typedef void (*XlsxRowsFlushFunc)(XlsxRows *x);

struct XlsxRows {
    char *p, *end; /* the window being written */
    XlsxRowsFlushFunc flush;
    gpointer flush_data;
    char styles[CELL_DURATION + 1][24]; /* ' s="N"' per cell type, or "" */
    /* a cell's opening after its reference, up to its value, per type (for CELL_EMPTY: '"') */
    char open[CELL_DURATION + 1][64];
    gsize open_len[CELL_DURATION + 1];
    char open_preserve[64]; /* text with leading or trailing blanks */
    gsize open_preserve_len;
    guint64 truncated_cells; /* texts cut at XLSX_MAX_CELL */
    Cell *cells;
    guint n_cells;
    GStringChunk *scratch;
};

/* xf_index: the workbook's style index per cell type (0: none). The first window comes from
 * calling flush. */
void xlsx_rows_init(XlsxRows *x, const gint32 xf_index[CELL_DURATION + 1], XlsxRowsFlushFunc flush,
                    gpointer flush_data);
void xlsx_rows_clear(XlsxRows *x);

/* Copies bytes as they are (the parts of the sheet libxlsxwriter wrote). */
void xlsx_rows_put(XlsxRows *x, const char *data, gsize len);
/* Rows first .. first + n - 1 of table, as sheet rows at, at + 1, ... (0-based). */
void xlsx_rows_table(XlsxRows *x, const Table *table, guint64 first, guint64 n, guint32 at);

/* v (finite) as the shortest of its correctly rounded 15, 16 and 17 significant digits that
 * reads back as v: never less exact than printf's %.16G. Returns the length. */
gsize xlsx_rows_format_double(double v, char buf[XLSX_NUMBER_MAX]);
