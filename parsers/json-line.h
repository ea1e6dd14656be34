/* JSON Lines helpers shared by the JSON-based formats (application events, MailerQ results):
 * parse one line into an object with json-glib after a cheap nesting-depth check, and read
 * typed fields with a clear verdict (absent, right type, wrong type) for error messages. */
#pragma once

#include <json-glib/json-glib.h>

/* Deeper nesting is refused before json-glib sees the line (its parser recurses). */
#define JSON_LINE_MAX_DEPTH 32

typedef enum {
    JSON_FIELD_ABSENT = 0, /* missing or null */
    JSON_FIELD_OK,
    JSON_FIELD_WRONG_TYPE,
} JsonFieldStatus;

/* Parses line (len bytes) as one JSON object. Returns the object, owned by parser and valid
 * until its next use, or NULL with *why set to a message for the user (freed by the caller). */
JsonObject *json_line_parse_object(JsonParser *parser, const char *line, gsize len, char **why);
/* A string member. */
JsonFieldStatus json_line_get_string(JsonObject *object, const char *name, const char **out);
/* An integer member; a string of 1-9 digits is accepted too ("code": "550"). */
JsonFieldStatus json_line_get_int(JsonObject *object, const char *name, gint64 *out);
/* A boolean member. */
JsonFieldStatus json_line_get_bool(JsonObject *object, const char *name, gboolean *out);
/* "a string", "a number", "an object" ... for messages. */
const char *json_line_type_name(JsonNode *node);
