/* Report tables (see table.h). */
#include "table.h"

#include <string.h>

Table *
table_new(const char *id, const char *title, const Column *columns, guint n_columns)
{
    Table *t = g_new0(Table, 1);
    t->id = id;
    t->title = title;
    t->columns = g_memdup2(columns, sizeof(Column) * n_columns);
    t->n_columns = n_columns;
    t->cells = g_array_new(FALSE, TRUE, sizeof(Cell));
    t->strings = g_string_chunk_new(4096);
    return t;
}

void
table_free(Table *table)
{
    if (table == NULL)
        return;
    g_free(table->columns);
    g_array_free(table->cells, TRUE);
    g_string_chunk_free(table->strings);
    if (table->row_data_free)
        table->row_data_free(table->row_data);
    g_free(table);
}

void
table_add_row(Table *table)
{
    g_array_set_size(table->cells, table->cells->len + table->n_columns);
    table->n_rows++;
}

static Cell *
cell(Table *t, guint col)
{
    g_return_val_if_fail(t->n_rows > 0 && col < t->n_columns, NULL);
    return &g_array_index(t->cells, Cell, (t->n_rows - 1) * t->n_columns + col);
}

void
table_set_text(Table *table, guint col, const char *text)
{
    Cell *c = cell(table, col);
    if (text == NULL) {
        c->type = CELL_EMPTY;
        return;
    }
    c->type = CELL_TEXT;
    c->text = g_string_chunk_insert_const(table->strings, text);
}

void
table_set_int(Table *table, guint col, gint64 v)
{
    Cell *c = cell(table, col);
    c->type = CELL_INT;
    c->i = v;
}

void
table_set_real(Table *table, guint col, double v)
{
    Cell *c = cell(table, col);
    c->type = CELL_REAL;
    c->r = v;
}

void
table_set_percent(Table *table, guint col, double ratio)
{
    Cell *c = cell(table, col);
    c->type = CELL_PERCENT;
    c->r = ratio;
}

void
table_set_time(Table *table, guint col, gint64 t)
{
    Cell *c = cell(table, col);
    if (t == 0) {
        c->type = CELL_EMPTY;
        return;
    }
    c->type = CELL_TIME;
    c->i = t;
}

void
table_set_duration(Table *table, guint col, double seconds)
{
    Cell *c = cell(table, col);
    if (seconds < 0) {
        c->type = CELL_EMPTY;
        return;
    }
    c->type = CELL_DURATION;
    c->r = seconds;
}

void
table_get_row(const Table *table, guint64 i, Cell *cells, GStringChunk *scratch)
{
    if (table->row_func) {
        memset(cells, 0, sizeof(Cell) * table->n_columns);
        table->row_func(table, i, cells, scratch, table->row_data);
        return;
    }
    memcpy(cells, &g_array_index(table->cells, Cell, i * table->n_columns),
           sizeof(Cell) * table->n_columns);
}

void
table_set_row_func(Table *table, guint64 n_rows, TableRowFunc func, gpointer data,
                   GDestroyNotify data_free)
{
    table->n_rows = n_rows;
    table->row_func = func;
    table->row_data = data;
    table->row_data_free = data_free;
}

Sheet *
sheet_new(const char *name)
{
    Sheet *s = g_new0(Sheet, 1);
    s->name = name;
    s->tables = g_ptr_array_new_with_free_func((GDestroyNotify)table_free);
    return s;
}

void
sheet_free(Sheet *sheet)
{
    if (sheet == NULL)
        return;
    g_ptr_array_unref(sheet->tables);
    g_free(sheet);
}

void
sheet_add(Sheet *sheet, Table *table)
{
    g_ptr_array_add(sheet->tables, table);
}

Report *
report_new(const char *title)
{
    Report *r = g_new0(Report, 1);
    r->title = title;
    r->sheets = g_ptr_array_new_with_free_func((GDestroyNotify)sheet_free);
    return r;
}

void
report_free(Report *report)
{
    if (report == NULL)
        return;
    g_ptr_array_unref(report->sheets);
    g_free(report);
}

void
report_add(Report *report, Sheet *sheet)
{
    g_ptr_array_add(report->sheets, sheet);
}

gboolean
table_text_is_risky(const char *text)
{
    return text && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
                    text[0] == '\t' || text[0] == '\r');
}
