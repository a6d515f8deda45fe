/* Parser for requests written to `execute`: see execreq.h. A small lexical
 * scanner finds where the JSON object ends (strings and escapes tracked) and
 * rejects bytes that cannot occur in JSON early; cJSON then validates the
 * complete object and its fields. */
#include "execreq.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <string.h>

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int execreq_is_blank(const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!is_ws(data[i]) || data[i] == '\n')
            return 0;
    return 1;
}

/* Characters that may appear outside strings in JSON. */
static int json_bare_char(char c)
{
    /* c != '\0': strchr would find the terminator (cJSON reads NUL as
     * white space, so "{\0}" would pass as "{}"). */
    return c != '\0' && strchr("{}[]:,-+.0123456789eEtrufalsn \t\r\n", c) != NULL;
}

/* Find the end of the object starting at data[0] == '{'. Returns the index
 * just past its closing brace, 0 if incomplete, -1 if it cannot be JSON. */
static long scan_object(const char *data, size_t len)
{
    int depth = 0, in_string = 0, escaped = 0;
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (in_string) {
            if (escaped) {
                escaped = 0;
                if (!strchr("\"\\/bfnrtu", c) || c == '\0')
                    return -1;      /* not a JSON escape */
                if (c == 'u') {
                    /* four hex digits (more bytes may still come); and
                     * "\u0000" is refused: cJSON ends the string there, so
                     * the run would get a shorter argument than written */
                    for (size_t k = 1; k <= 4 && i + k < len; k++)
                        if (!isxdigit((unsigned char)data[i + k]))
                            return -1;
                    if (len - i > 4 && memcmp(data + i + 1, "0000", 4) == 0)
                        return -1;
                }
                continue;
            }
            if (c == '\\')
                escaped = 1;
            else if (c == '"')
                in_string = 0;
            else if ((unsigned char)c < 0x20)
                return -1;
            continue;
        }
        if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0)
                return (long)i + 1;
            if (depth < 0)
                return -1;
        } else if (!json_bare_char(c)) {
            return -1;
        }
    }
    return 0;
}

static int is_string_array(const cJSON *v)
{
    if (!cJSON_IsArray(v))
        return 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, v)
        if (!cJSON_IsString(e))
            return 0;
    return 1;
}

/* Validate the object's fields; returns a reason or NULL when fine. */
static const char *check_fields(const cJSON *obj)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, obj) {
        if (strcmp(f->string, "arguments") != 0 && strcmp(f->string, "cloudCredentialIds") != 0)
            return "unknown field (expected \"arguments\" and/or \"cloudCredentialIds\")";
        if (!is_string_array(f))
            return "\"arguments\" and \"cloudCredentialIds\" must be arrays of strings";
    }
    return NULL;
}

/* Past the request: all the white space after it, so a trailing blank
 * line never counts as a second request. */
static size_t skip_white(const char *data, size_t len, size_t pos)
{
    while (pos < len && is_ws(data[pos]))
        pos++;
    return pos;
}

enum execreq_state execreq_take(const char *data, size_t len, char **body,
                                size_t *consumed, const char **why)
{
    size_t start = 0;
    while (start < len && is_ws(data[start]) && data[start] != '\n')
        start++;
    if (start == len) {
        if (len > EXECREQ_MAX) {
            *why = "request too large";
            return EXECREQ_INVALID;
        }
        return EXECREQ_NEED_MORE;
    }
    if (data[start] == '\n') {
        *body = xstrdup("{}");
        *consumed = skip_white(data, len, start);
        return EXECREQ_READY;
    }
    if (data[start] != '{') {
        *why = "not a JSON object or an empty line";
        return EXECREQ_INVALID;
    }
    long end = scan_object(data + start, len - start);
    if (end < 0) {
        *why = "not valid JSON";
        return EXECREQ_INVALID;
    }
    if (end == 0 ? len > EXECREQ_MAX : start + (size_t)end > EXECREQ_MAX) {
        *why = "request too large";
        return EXECREQ_INVALID;
    }
    if (end == 0)
        return EXECREQ_NEED_MORE;
    cJSON *obj = cJSON_ParseWithLength(data + start, (size_t)end);
    if (!cJSON_IsObject(obj)) {
        cJSON_Delete(obj);
        *why = "not valid JSON";
        return EXECREQ_INVALID;
    }
    const char *bad = check_fields(obj);
    if (bad) {
        cJSON_Delete(obj);
        *why = bad;
        return EXECREQ_INVALID;
    }
    char *text = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    *body = xstrdup(text);
    cJSON_free(text);
    *consumed = skip_white(data, len, start + (size_t)end);
    return EXECREQ_READY;
}
