/* See json-line.h. */
#include "json-line.h"

#include <string.h>

/* Depth of [ and { outside strings, and no NUL byte: NULL if fine, else what is wrong. */
static const char *
precheck(const char *s, gsize len)
{
    int depth = 0;
    gboolean in_string = FALSE;
    for (gsize i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\0')
            return "NUL byte inside the line";
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = FALSE;
        } else if (c == '"') {
            in_string = TRUE;
        } else if (c == '{' || c == '[') {
            if (++depth > JSON_LINE_MAX_DEPTH)
                return "JSON nested deeper than " G_STRINGIFY(JSON_LINE_MAX_DEPTH) " levels";
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return NULL;
}

JsonObject *
json_line_parse_object(JsonParser *parser, const char *line, gsize len, char **why)
{
    *why = NULL;
    const char *bad = precheck(line, len);
    if (bad) {
        *why = g_strdup(bad);
        return NULL;
    }
    g_autoptr(GError) error = NULL;
    if (!json_parser_load_from_data(parser, line, (gssize)len, &error)) {
        /* json-glib says "<data>:1:17: Parse error: ..."; keep the column and the message */
        const char *msg = error->message;
        if (g_str_has_prefix(msg, "<data>:1:"))
            msg += strlen("<data>:1:");
        *why = g_strdup_printf("invalid JSON at column %s", msg);
        return NULL;
    }
    JsonNode *root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
        *why = g_strdup_printf("expected a JSON object, found %s", json_line_type_name(root));
        return NULL;
    }
    return json_node_get_object(root);
}

const char *
json_line_type_name(JsonNode *node)
{
    if (node == NULL || JSON_NODE_HOLDS_NULL(node))
        return "null";
    if (JSON_NODE_HOLDS_OBJECT(node))
        return "an object";
    if (JSON_NODE_HOLDS_ARRAY(node))
        return "an array";
    switch (json_node_get_value_type(node)) {
    case G_TYPE_STRING:
        return "a string";
    case G_TYPE_BOOLEAN:
        return "a boolean";
    default:
        return "a number";
    }
}

static JsonNode *
member(JsonObject *object, const char *name)
{
    JsonNode *node = json_object_get_member(object, name);
    if (node == NULL || JSON_NODE_HOLDS_NULL(node))
        return NULL;
    return node;
}

JsonFieldStatus
json_line_get_string(JsonObject *object, const char *name, const char **out)
{
    *out = NULL;
    JsonNode *node = member(object, name);
    if (node == NULL)
        return JSON_FIELD_ABSENT;
    if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
        return JSON_FIELD_WRONG_TYPE;
    *out = json_node_get_string(node);
    return JSON_FIELD_OK;
}

JsonFieldStatus
json_line_get_int(JsonObject *object, const char *name, gint64 *out)
{
    *out = 0;
    JsonNode *node = member(object, name);
    if (node == NULL)
        return JSON_FIELD_ABSENT;
    if (!JSON_NODE_HOLDS_VALUE(node))
        return JSON_FIELD_WRONG_TYPE;
    GType type = json_node_get_value_type(node);
    if (type == G_TYPE_INT64) {
        *out = json_node_get_int(node);
        return JSON_FIELD_OK;
    }
    if (type == G_TYPE_STRING) {
        const char *s = json_node_get_string(node);
        gint64 v = 0;
        gsize n = 0;
        for (; s[n] >= '0' && s[n] <= '9' && n < 9; n++)
            v = v * 10 + (s[n] - '0');
        if (n == 0 || s[n] != '\0')
            return JSON_FIELD_WRONG_TYPE;
        *out = v;
        return JSON_FIELD_OK;
    }
    return JSON_FIELD_WRONG_TYPE;
}

JsonFieldStatus
json_line_get_bool(JsonObject *object, const char *name, gboolean *out)
{
    *out = FALSE;
    JsonNode *node = member(object, name);
    if (node == NULL)
        return JSON_FIELD_ABSENT;
    if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_BOOLEAN)
        return JSON_FIELD_WRONG_TYPE;
    *out = json_node_get_boolean(node);
    return JSON_FIELD_OK;
}
