/* Streaming CSV reader (see csv.h). Fields are unquoted into one buffer; offsets index it. */
#include "csv.h"

#include <string.h>

struct CsvReader {
    char delimiter;
    GString *buf;     /* unquoted field bytes, each field NUL-terminated */
    GArray *offsets;  /* guint: start of each field in buf */
    GArray *lengths;  /* gsize */
    gboolean in_quotes;
    gboolean field_open; /* the current field has started */
    gsize field_start;
    gsize raw;        /* raw bytes of the current record */
    const char *error;
};

CsvReader *
csv_reader_new(char delimiter)
{
    CsvReader *r = g_new0(CsvReader, 1);
    r->delimiter = delimiter;
    r->buf = g_string_sized_new(256);
    r->offsets = g_array_new(FALSE, FALSE, sizeof(guint));
    r->lengths = g_array_new(FALSE, FALSE, sizeof(gsize));
    return r;
}

void
csv_reader_free(CsvReader *reader)
{
    if (reader == NULL)
        return;
    g_string_free(reader->buf, TRUE);
    g_array_free(reader->offsets, TRUE);
    g_array_free(reader->lengths, TRUE);
    g_free(reader);
}

static void
reset(CsvReader *r)
{
    g_string_truncate(r->buf, 0);
    g_array_set_size(r->offsets, 0);
    g_array_set_size(r->lengths, 0);
    r->in_quotes = FALSE;
    r->field_open = FALSE;
    r->raw = 0;
}

static void
start_field(CsvReader *r)
{
    r->field_start = r->buf->len;
    r->field_open = TRUE;
}

static gboolean
end_field(CsvReader *r)
{
    if (r->offsets->len >= CSV_MAX_FIELDS) {
        r->error = "too many fields";
        return FALSE;
    }
    guint off = (guint)r->field_start;
    gsize len = r->buf->len - r->field_start;
    g_array_append_val(r->offsets, off);
    g_array_append_val(r->lengths, len);
    g_string_append_c(r->buf, '\0');
    r->field_open = FALSE;
    return TRUE;
}

CsvStatus
csv_reader_feed_line(CsvReader *r, const char *line, gsize len)
{
    if (!r->in_quotes)
        reset(r);
    else
        g_string_append_c(r->buf, '\n'); /* the line break inside a quoted field */
    r->raw += len + 1;
    if (r->raw > CSV_MAX_RECORD) {
        r->error = "record longer than 1 MiB";
        reset(r);
        return CSV_ERROR;
    }
    if (!r->field_open)
        start_field(r);
    /* copy runs of ordinary bytes at once; stop only at quotes and delimiters */
    gsize i = 0;
    while (i < len) {
        if (r->in_quotes) {
            const char *q = memchr(line + i, '"', len - i);
            gsize run = q ? (gsize)(q - (line + i)) : len - i;
            g_string_append_len(r->buf, line + i, (gssize)run);
            i += run;
            if (i >= len)
                break;
            if (i + 1 < len && line[i + 1] == '"') {
                g_string_append_c(r->buf, '"');
                i += 2;
            } else {
                r->in_quotes = FALSE;
                i++;
            }
            continue;
        }
        gsize j = i;
        while (j < len && line[j] != r->delimiter && line[j] != '"')
            j++;
        g_string_append_len(r->buf, line + i, (gssize)(j - i));
        i = j;
        if (i >= len)
            break;
        if (line[i] == r->delimiter) {
            if (!end_field(r)) {
                reset(r);
                return CSV_ERROR;
            }
            start_field(r);
        } else if (r->buf->len == r->field_start) {
            r->in_quotes = TRUE;
        } else {
            /* a stray quote inside an unquoted field is kept as data, as most readers do */
            g_string_append_c(r->buf, '"');
        }
        i++;
    }
    if (r->in_quotes)
        return CSV_NEED_MORE;
    if (!end_field(r)) {
        reset(r);
        return CSV_ERROR;
    }
    return CSV_RECORD;
}

const char *
csv_reader_error(const CsvReader *reader)
{
    return reader->error ? reader->error : "";
}

gboolean
csv_reader_pending(const CsvReader *reader)
{
    return reader->in_quotes;
}

guint
csv_reader_n_fields(const CsvReader *reader)
{
    return reader->in_quotes ? 0 : reader->offsets->len;
}

const char *
csv_reader_field(const CsvReader *reader, guint i)
{
    if (i >= csv_reader_n_fields(reader))
        return "";
    return reader->buf->str + g_array_index(reader->offsets, guint, i);
}

gsize
csv_reader_field_len(const CsvReader *reader, guint i)
{
    if (i >= csv_reader_n_fields(reader))
        return 0;
    return g_array_index(reader->lengths, gsize, i);
}
