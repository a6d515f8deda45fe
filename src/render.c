/* API JSON → file text: see render.h. */
#include "render.h"
#include "buf.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *parse(const char *json, size_t len)
{
    return json && len ? cJSON_ParseWithLength(json, len) : NULL;
}

static void indent(struct buf *out, int depth)
{
    for (int i = 0; i < depth; i++)
        buf_adds(out, "  ");
}

/* cJSON prints numbers with 15 significant digits when that is "close
 * enough", which changes 0.30000000000000004 or 1234567890123456: print the
 * shortest of 15, 16 or 17 digits that reads back as the same double. */
static void number(struct buf *out, double d)
{
    char tmp[32];
    if (!isfinite(d)) {
        buf_adds(out, "null");
        return;
    }
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(tmp, sizeof(tmp), "%.*g", digits, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    buf_adds(out, tmp);
}

static void scalar(struct buf *out, const cJSON *item)
{
    if (cJSON_IsNumber(item)) {
        number(out, item->valuedouble);
        return;
    }
    char *s = cJSON_PrintUnformatted(item);
    if (s) {
        buf_adds(out, s);
        cJSON_free(s);
    }
}

static void pretty(struct buf *out, const cJSON *item, int depth)
{
    int is_obj = cJSON_IsObject(item);
    if (!is_obj && !cJSON_IsArray(item)) {
        scalar(out, item);
        return;
    }
    if (!item->child) {
        buf_adds(out, is_obj ? "{}" : "[]");
        return;
    }
    buf_adds(out, is_obj ? "{\n" : "[\n");
    for (const cJSON *c = item->child; c; c = c->next) {
        indent(out, depth + 1);
        if (is_obj) {
            cJSON key = { 0 };
            key.type = cJSON_String;
            key.valuestring = c->string;
            scalar(out, &key);
            buf_adds(out, ": ");
        }
        pretty(out, c, depth + 1);
        buf_adds(out, c->next ? ",\n" : "\n");
    }
    indent(out, depth);
    buf_addc(out, is_obj ? '}' : ']');
}

static void ensure_newline(struct buf *out)
{
    if (out->len > 0 && out->data[out->len - 1] != '\n')
        buf_addc(out, '\n');
}

void render_json(struct buf *out, const char *json, size_t len)
{
    cJSON *root = parse(json, len);
    if (root) {
        pretty(out, root, 0);
        cJSON_Delete(root);
    } else if (len) {
        buf_add(out, json, len);
    }
    ensure_newline(out);
}

static const char *const words[] = { "PENDING", "RUNNING", "COMPLETED", "FAILED", "UNKNOWN" };

const char *render_status_of(const char *json, size_t len, const char *field)
{
    cJSON *root = parse(json, len);
    const char *word = "UNKNOWN";
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, field);
    if (cJSON_IsString(v))
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
            if (strcmp(v->valuestring, words[i]) == 0)
                word = words[i];
    cJSON_Delete(root);
    return word;
}

void render_status_word(struct buf *out, const char *json, size_t len, const char *field)
{
    buf_adds(out, render_status_of(json, len, field));
    buf_addc(out, '\n');
}

int render_status_is_final(const char *word)
{
    return strcmp(word, "COMPLETED") == 0 || strcmp(word, "FAILED") == 0;
}

void render_error(struct buf *out, const char *json, size_t len)
{
    cJSON *root = parse(json, len);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "errorMessage");
    if (cJSON_IsString(v) && v->valuestring[0]) {
        buf_adds(out, v->valuestring);
        ensure_newline(out);
    }
    cJSON_Delete(root);
}

static void log_entry(struct buf *out, const cJSON *e)
{
    if (cJSON_IsString(e))
        buf_adds(out, e->valuestring);
    else
        scalar(out, e);
    buf_addc(out, '\n');
}

void render_logs(struct buf *out, const char *json, size_t len)
{
    cJSON *root = parse(json, len);
    const cJSON *logs = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "logs") : root;
    if (cJSON_IsArray(logs)) {
        const cJSON *e;
        cJSON_ArrayForEach(e, logs)
            log_entry(out, e);
    } else if (cJSON_IsString(logs)) {
        buf_adds(out, logs->valuestring);
        ensure_newline(out);
    }
    cJSON_Delete(root);
}

/* An id as text: strings as they are, integral numbers without decimals. */
static char *id_text(const cJSON *v)
{
    if (cJSON_IsString(v))
        return xstrdup(v->valuestring);
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && fabs(v->valuedouble) < 1e18 &&
        v->valuedouble == floor(v->valuedouble))
        return xasprintf("%lld", (long long)v->valuedouble);
    return NULL;
}

void render_each_id(const char *json, size_t len, const char *id_field, const char *name_field,
                    void (*fn)(void *arg, const char *id, const char *name), void *arg)
{
    cJSON *root = parse(json, len);
    const cJSON *list = cJSON_IsArray(root) ? root : NULL;
    const cJSON *e;
    cJSON_ArrayForEach(e, list) {
        char *id = id_text(cJSON_GetObjectItemCaseSensitive(e, id_field));
        if (!id)
            continue;
        const cJSON *n = name_field ? cJSON_GetObjectItemCaseSensitive(e, name_field) : NULL;
        fn(arg, id, cJSON_IsString(n) ? n->valuestring : NULL);
        free(id);
    }
    cJSON_Delete(root);
}

static char *record_id(const cJSON *rec)
{
    char *id = id_text(cJSON_GetObjectItemCaseSensitive(rec, "id"));
    return id ? id : id_text(cJSON_GetObjectItemCaseSensitive(rec, "documentId"));
}

int render_table_page(const char *json, size_t len, int *page_count,
                      void (*fn)(void *arg, const char *id, const char *name), void *arg)
{
    cJSON *root = parse(json, len);
    const cJSON *data = cJSON_IsArray(root) ? root : cJSON_GetObjectItemCaseSensitive(root, "data");
    *page_count = -1;
    const cJSON *pc = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "meta"), "pagination"),
        "pageCount");
    if (cJSON_IsNumber(pc))
        *page_count = pc->valueint;
    int n = -1;
    if (cJSON_IsArray(data)) {
        n = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, data) {
            n++;
            char *id = record_id(e);
            if (id)
                fn(arg, id, NULL);
            free(id);
        }
    }
    cJSON_Delete(root);
    return n;
}

char *render_record_id(const char *json, size_t len)
{
    cJSON *root = parse(json, len);
    char *id = record_id(root);
    if (!id)
        id = record_id(cJSON_GetObjectItemCaseSensitive(root, "data"));
    cJSON_Delete(root);
    return id;
}

char *render_string_field(const char *json, size_t len, const char *field)
{
    cJSON *root = parse(json, len);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, field);
    char *s = cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
    cJSON_Delete(root);
    return s;
}
