/* The input layer: turns command-line inputs (files, directories, "-") into byte streams —
 * one per file or archive member, decompressed through libarchive (gzip with ISA-L), never
 * unpacked to disk — sniffs the format of each, and feeds it to a parser instance. */
#pragma once

#include <glib.h>

#include "parser.h"

#define INPUT_ERROR (input_error_quark())
GQuark input_error_quark(void);
typedef enum {
    INPUT_ERROR_NOT_FOUND,
    INPUT_ERROR_READ,
    INPUT_ERROR_FORMAT,
} InputError;

/* Longest line handed to a line parser; longer lines are counted as unrecognised. */
#define INPUT_MAX_LINE (256 * 1024)
/* Bytes of a stream's start that the format probes see. */
#define INPUT_HEAD_SIZE (64 * 1024)
/* Archives inside archives are opened this deep. */
#define INPUT_MAX_DEPTH 3

/* One stream: a file, or a member of an archive. */
typedef struct {
    guint32 id;          /* 1-based, in reading order */
    char *name;          /* "logs/mail.log.2.gz" or "bounces.tar.gz:cur/1700000000.eml" */
    const ParserClass *parser; /* NULL: format not recognised */
    guint score;         /* probe score, 100 when forced with --format */
    InputStats *stats;
    gint64 mtime;        /* µs UTC, 0 unknown */
} InputStream;

void input_stream_free(InputStream *stream);

/* Receives every stream as it starts and as it ends (after the parser's finish). */
typedef struct {
    /* Called when a stream's format is known, before its data is fed. Returns the batch the
     * parser adds to (owned by the caller). */
    EventBatch *(*stream_begin)(InputStream *stream, gpointer data);
    /* Called after every block fed, so the caller can take a full batch: returns the batch the
     * parser adds to from now on (the same one, or a fresh one). bytes: of the file read. */
    EventBatch *(*stream_progress)(InputStream *stream, EventBatch *batch, guint64 bytes,
                                   gpointer data);
    /* Called at the end of the stream; ownership of stream passes to the callee. */
    void (*stream_end)(InputStream *stream, EventBatch *batch, gpointer data);
    gpointer data;
    /* Optional: called as each top-level path starts, with its size (0 unknown), before its
     * streams. */
    void (*path_begin)(const char *path, guint64 size, gpointer data);
} InputSink;

typedef struct {
    const ParserClass *forced; /* --format */
    const ParserOptions *parser_options;
    gboolean follow_symlinks;
} InputOptions;

/* Expands inputs ("-" is stdin) into the list of top-level paths in reading order: directories
 * recursively (sorted), rotated logs oldest first (mail.log.2.gz, mail.log.1, mail.log).
 * Returns FALSE if an input does not exist. */
gboolean input_expand(const char *const *inputs, GPtrArray *paths, GError **error);

/* Reads one top-level path (or "-") and every stream inside it. Problems (unreadable file,
 * corrupt member, truncated archive) are recorded as notes on the affected stream, or on a
 * stream of their own, so that the Inputs sheet shows them; the call itself does not fail
 * (error is for future fatal conditions). next_id numbers streams. */
gboolean input_read_path(const char *path, const InputOptions *options, const InputSink *sink,
                         guint32 *next_id, GError **error);

/* Reads the paths in order, as input_read_path() does each, with the same streams in the same
 * order; but small plain files (every file of a Maildir) are read, sniffed and parsed on two
 * threads, a round of paths at a time. */
gboolean input_read_paths(const char *const *paths, guint n, const InputOptions *options,
                          const InputSink *sink, guint32 *next_id, GError **error);

/* Line splitting shared with the test harness and fuzzers: feeds data to a line parser,
 * counting lines, keeping partial lines between calls. */
typedef struct InputLines InputLines;
InputLines *input_lines_new(const ParserClass *klass, gpointer parser, ParserContext *ctx);
void input_lines_feed(InputLines *lines, const char *data, gsize len);
/* For reading straight into the buffer: room for `want` more bytes, then commit what was
 * read there (the same as feeding it). */
char *input_lines_space(InputLines *lines, gsize want);
void input_lines_commit(InputLines *lines, gsize n);
/* Feeds the last line if it had no terminator. */
void input_lines_finish(InputLines *lines);
void input_lines_free(InputLines *lines);
