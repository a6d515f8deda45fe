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

/* Like parse(), but only when the input is one JSON value and nothing else
 * (JSON white space aside): cJSON_ParseWithLength stops after the first
 * value, so "{...} <html>..." or two NDJSON lines would show as the first
 * object alone instead of being copied as is. */
static cJSON *parse_whole(const char *json, size_t len)
{
    const char *end = NULL;
    cJSON *root = json && len ? cJSON_ParseWithLengthOpts(json, len, &end, 0) : NULL;
    if (!root)
        return NULL;
    while (end < json + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
        end++;
    if (end != json + len) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

void render_json(struct buf *out, const char *json, size_t len)
{
    cJSON *root = parse_whole(json, len);
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

/* Fast path for the common logs answer: {"logs":["line", ...]} (or a bare
 * array) of strings, decoded straight into out without building a tree, so
 * a 100 MB log costs its text and no more. Returns 0, or -1 (out untouched)
 * when the input is anything else; the caller then uses cJSON. */
struct cursor {
    const char *p, *end;
};

static void skip_ws(struct cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int hex4(const char *p, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char ch = p[i];
        int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
                ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        *v = *v * 16 + (unsigned)d;
    }
    return 0;
}

static void add_utf8(struct buf *out, unsigned cp)
{
    char t[4];
    int n;
    if (cp < 0x80) {
        t[0] = (char)cp; n = 1;
    } else if (cp < 0x800) {
        t[0] = (char)(0xC0 | cp >> 6); t[1] = (char)(0x80 | (cp & 0x3F)); n = 2;
    } else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | cp >> 12); t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        t[0] = (char)(0xF0 | cp >> 18); t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); t[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    buf_add(out, t, (size_t)n);
}

/* Decode the JSON string at c->p (at its opening quote) into out. */
static int decode_string(struct cursor *c, struct buf *out)
{
    if (c->p >= c->end || *c->p != '"')
        return -1;
    c->p++;
    while (c->p < c->end) {
        const char *run = c->p;
        while (c->p < c->end && *c->p != '"' && *c->p != '\\' && (unsigned char)*c->p >= 0x20)
            c->p++;
        buf_add(out, run, (size_t)(c->p - run));
        if (c->p >= c->end || (unsigned char)*c->p < 0x20)
            return -1;
        if (*c->p == '"') {
            c->p++;
            return 0;
        }
        if (c->end - c->p < 2)
            return -1;
        char e = c->p[1];
        c->p += 2;
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *k = e ? strchr(from, e) : NULL;
        if (k) {
            buf_addc(out, to[k - from]);
            continue;
        }
        unsigned cp, lo;
        /* \u0000 ends a cJSON string early: leave it to the cJSON path so
         * both paths show the same text. */
        if (e != 'u' || c->end - c->p < 4 || hex4(c->p, &cp) < 0 || cp == 0)
            return -1;
        c->p += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && c->end - c->p >= 6 && c->p[0] == '\\' &&
            c->p[1] == 'u' && hex4(c->p + 2, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            c->p += 6;
        }
        add_utf8(out, cp);
    }
    return -1;
}

static int fast_logs(struct buf *out, const char *json, size_t len)
{
    struct cursor c = { json, json + len };
    struct buf tmp = BUF_INIT;
    skip_ws(&c);
    int in_object = c.p < c.end && *c.p == '{';
    if (in_object) {                        /* {"logs": [...]} and nothing else */
        c.p++;
        skip_ws(&c);
        if (decode_string(&c, &tmp) < 0 || strcmp(tmp.data ? tmp.data : "", "logs") != 0)
            goto fail;
        buf_reset(&tmp);
        skip_ws(&c);
        if (c.p >= c.end || *c.p++ != ':')
            goto fail;
        skip_ws(&c);
    }
    if (c.p >= c.end || *c.p++ != '[')
        goto fail;
    skip_ws(&c);
    if (c.p < c.end && *c.p == ']') {
        c.p++;
    } else {
        for (;;) {
            if (decode_string(&c, &tmp) < 0)
                goto fail;
            buf_addc(&tmp, '\n');
            skip_ws(&c);
            if (c.p < c.end && *c.p == ',') {
                c.p++;
                skip_ws(&c);
                continue;
            }
            if (c.p < c.end && *c.p == ']') {
                c.p++;
                break;
            }
            goto fail;
        }
    }
    skip_ws(&c);
    if (in_object && (c.p >= c.end || *c.p++ != '}'))
        goto fail;
    skip_ws(&c);
    if (c.p != c.end)
        goto fail;
    buf_add(out, tmp.data ? tmp.data : "", tmp.len);
    buf_free(&tmp);
    return 0;
fail:
    buf_free(&tmp);
    return -1;
}

void render_logs(struct buf *out, const char *json, size_t len)
{
    if (json && len && fast_logs(out, json, len) == 0)
        return;
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
