/* A streaming CSV record reader (RFC 4180 quoting) fed one line at a time: a quoted field may
 * span lines. Bounded: records longer than CSV_MAX_RECORD bytes or with more than
 * CSV_MAX_FIELDS fields are reported as errors and skipped. */
#pragma once

#include <glib.h>

#define CSV_MAX_RECORD (1024 * 1024)
#define CSV_MAX_FIELDS 512

typedef enum {
    CSV_RECORD,    /* a complete record is available (csv_reader_field ...) */
    CSV_NEED_MORE, /* inside a quoted field: feed the next line */
    CSV_ERROR,     /* the record was malformed or too large; it is dropped */
} CsvStatus;

typedef struct CsvReader CsvReader;

CsvReader *csv_reader_new(char delimiter);
void csv_reader_free(CsvReader *reader);
/* Feeds one line without its terminator. */
CsvStatus csv_reader_feed_line(CsvReader *reader, const char *line, gsize len);
/* After CSV_ERROR: what was wrong. */
const char *csv_reader_error(const CsvReader *reader);
/* Is a record pending (inside a quoted field) at end of input? */
gboolean csv_reader_pending(const CsvReader *reader);
guint csv_reader_n_fields(const CsvReader *reader);
/* Field i of the last record (NUL-terminated, unquoted), "" if i is out of range. Valid until
 * the next feed. */
const char *csv_reader_field(const CsvReader *reader, guint i);
gsize csv_reader_field_len(const CsvReader *reader, guint i);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsvReader, csv_reader_free)
