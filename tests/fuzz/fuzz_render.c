/* libFuzzer target for render.c. Every byte a file shows comes from an API
 * answer, which may be truncated, hostile or just odd, so each renderer is
 * run on the raw input and must not crash, leak or read out of bounds. On
 * top of that, properties the files promise:
 *   - render_json: non-empty input gives text ending in a newline; JSON comes
 *     back as JSON holding the same values (non-finite numbers become null),
 *     anything else (text after a JSON value included) is copied as is;
 *   - render_logs: its hand-written fast path agrees with the cJSON path:
 *     for answers cJSON reads as {"logs":[strings]} or [strings], the text is
 *     each string plus a newline;
 *   - render_status_word prints one of five words; render_error and
 *     render_logs print nothing or text ending in a newline;
 *   - render_each_id / render_table_page (the Strapi page parser) /
 *     render_record_id hand out real strings, no more ids than records, and
 *     none when there is no record array. */
#include "buf.h"
#include "fuzz.h"
#include "render.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

static int ends_in_newline_or_empty(const struct buf *b)
{
    return b->len == 0 || b->data[b->len - 1] == '\n';
}

/* Same values in the same order. Unlike cJSON_Compare this is exact for
 * objects with duplicate keys (it walks both trees in step). A non-finite
 * number in `in` is rendered as null on purpose. */
static int same_tree(const cJSON *in, const cJSON *out)
{
    if (cJSON_IsNumber(in) && !isfinite(in->valuedouble))
        return cJSON_IsNull(out);
    if ((in->type & 0xFF) != (out->type & 0xFF))
        return 0;
    if (cJSON_IsNumber(in))
        return in->valuedouble == out->valuedouble;
    if (cJSON_IsString(in))
        return strcmp(in->valuestring, out->valuestring) == 0;
    if (cJSON_IsArray(in) || cJSON_IsObject(in)) {
        const cJSON *a = in->child, *b = out->child;
        for (; a && b; a = a->next, b = b->next) {
            if (cJSON_IsObject(in) && strcmp(a->string, b->string) != 0)
                return 0;
            if (!same_tree(a, b))
                return 0;
        }
        return !a && !b;
    }
    return 1;                               /* true, false, null */
}

/* The input as JSON when it is one JSON value and nothing else (white
 * space aside), else NULL. cJSON_ParseWithLength alone stops after the first
 * value: it reads "{"a":1} trailing text" or two NDJSON lines as {"a":1}. */
static cJSON *parse_whole(const char *json, size_t len)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
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

static void check_json(const char *json, size_t len)
{
    struct buf out = BUF_INIT;
    render_json(&out, json, len);
    if (len == 0) {
        CHECK(out.len == 0);
        buf_free(&out);
        return;
    }
    CHECK(out.len > 0 && out.data[out.len - 1] == '\n');
    cJSON *in = parse_whole(json, len);
    if (in) {
        cJSON *again = cJSON_ParseWithLength(out.data, out.len);
        CHECK(again != NULL);
        CHECK(same_tree(in, again));
        cJSON_Delete(again);
        cJSON_Delete(in);
    } else {
        int had_newline = json[len - 1] == '\n';
        CHECK(out.len == len + (had_newline ? 0 : 1));
        CHECK(memcmp(out.data, json, len) == 0);
    }
    buf_free(&out);
}

/* The logs text computed with cJSON alone, or -1 when the answer is not
 * {"logs":[strings]} or [strings] as cJSON reads it. */
static int reference_logs(const char *json, size_t len, struct buf *ref)
{
    cJSON *root = cJSON_ParseWithLength(json, len);
    const cJSON *logs = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "logs") : root;
    int ok = cJSON_IsArray(logs);
    const cJSON *list = ok ? logs : NULL, *e;
    cJSON_ArrayForEach(e, list) {
        if (!cJSON_IsString(e)) {
            ok = 0;
            break;
        }
        buf_adds(ref, e->valuestring);
        buf_addc(ref, '\n');
    }
    cJSON_Delete(root);
    return ok ? 0 : -1;
}

static void check_logs(const char *json, size_t len)
{
    struct buf out = BUF_INIT, ref = BUF_INIT;
    render_logs(&out, json, len);
    CHECK(ends_in_newline_or_empty(&out));
    if (len && reference_logs(json, len, &ref) == 0) {
        if (out.len != ref.len || (out.len && memcmp(out.data, ref.data, out.len) != 0)) {
            fprintf(stderr, "render_logs: %zu bytes, cJSON reference: %zu bytes\n",
                    out.len, ref.len);
            CHECK(!"render_logs fast path and cJSON path disagree");
        }
    }
    buf_free(&ref);
    buf_free(&out);
}

static void check_status(const char *json, size_t len, const char *field)
{
    struct buf out = BUF_INIT;
    render_status_word(&out, json, len, field);
    CHECK(out.data);
    const char *word = render_status_of(json, len, field);
    static const char *const words[] = { "PENDING\n", "RUNNING\n", "COMPLETED\n", "FAILED\n",
                                         "UNKNOWN\n" };
    int known = 0;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        known |= strcmp(out.data, words[i]) == 0;
    CHECK(known);
    CHECK(strncmp(out.data, word, strlen(word)) == 0 && out.data[strlen(word)] == '\n');
    CHECK(render_status_is_final(word) == (strcmp(word, "COMPLETED") == 0 ||
                                           strcmp(word, "FAILED") == 0));
    buf_free(&out);
}

static void check_error(const char *json, size_t len)
{
    struct buf out = BUF_INIT;
    render_error(&out, json, len);
    CHECK(ends_in_newline_or_empty(&out));
    buf_free(&out);
}

struct seen {
    int count;
};

static void on_id(void *arg, const char *id, const char *name)
{
    struct seen *s = arg;
    CHECK(id != NULL);
    (void)strlen(id);                       /* a real, terminated string */
    if (name)
        (void)strlen(name);
    s->count++;
}

static void check_ids(const char *json, size_t len)
{
    struct seen s = { 0 };
    render_each_id(json, len, "id", "name", on_id, &s);
    render_each_id(json, len, "name", NULL, on_id, &s);

    struct seen page = { 0 };
    int page_count = 12345;
    int n = render_table_page(json, len, &page_count, on_id, &page);
    CHECK(n >= -1);
    CHECK(n == -1 ? page.count == 0 : page.count <= n);
    (void)page_count;                       /* any int: pageCount is the server's */

    free(render_record_id(json, len));
    free(render_string_field(json, len, "name"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* libFuzzer's buffer holds exactly size bytes with nothing after it, so
     * ASan catches any read past the answer (bodies carry a length). */
    const char *json = (const char *)data;
    check_json(json, size);
    check_logs(json, size);
    check_status(json, size, "status");
    check_status(json, size, "executionStatus");
    check_error(json, size);
    check_ids(json, size);
    return 0;
}
