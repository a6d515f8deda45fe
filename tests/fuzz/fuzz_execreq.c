/* libFuzzer target for execreq.c. Whatever a process writes to an `execute`
 * file reaches execreq_take, and a READY answer costs a Spark run, so the
 * parser must not crash on any bytes and must only say READY for a real
 * request:
 *   - consumed <= len, and what it consumed is the request plus the white
 *     space after it, with no byte that cannot appear in JSON text;
 *   - the body is a JSON object that, written to `execute` itself, is READY
 *     again with the same body (what is POSTed is a request we accept);
 *   - a request split over several write() calls works: every proper prefix
 *     of a READY request is NEED_MORE, never INVALID or another request;
 *   - INVALID is final: more bytes never make it valid;
 *   - NEED_MORE sets nothing; execreq_is_blank is exactly "only ' ', '\t',
 *     '\r'". */
#include "execreq.h"
#include "fuzz.h"

#include <cjson/cJSON.h>
#include <string.h>

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* execreq_take with sentinels in the out-parameters, checking which of
 * them each answer sets. */
static enum execreq_state take(const char *data, size_t len, char **body, size_t *used,
                               const char **why)
{
    static char body0[] = "sentinel";
    static const char why0[] = "sentinel";
    *body = body0;
    *used = (size_t)-1;
    *why = why0;
    enum execreq_state s = execreq_take(data, len, body, used, why);
    CHECK(s == EXECREQ_NEED_MORE || s == EXECREQ_READY || s == EXECREQ_INVALID);
    if (s == EXECREQ_NEED_MORE)
        CHECK(*body == body0 && *used == (size_t)-1 && *why == why0);
    if (s == EXECREQ_INVALID)
        CHECK(*why && *why != why0 && **why);
    if (s == EXECREQ_READY) {
        CHECK(*body && *body != body0);
        CHECK(*used > 0 && *used <= len);
    }
    return s;
}

/* Prefix data[0..k) of a READY request must wait for more bytes. */
static void check_prefix(const char *data, size_t k)
{
    char *body;
    size_t used;
    const char *why;
    enum execreq_state s = take(data, k, &body, &used, &why);
    if (s == EXECREQ_READY)
        free(body);
    CHECK(s == EXECREQ_NEED_MORE);
}

static void check_ready(const char *data, size_t len, char *body, size_t used)
{
    /* The request's last byte: the '}' of an object, or the first '\n' of a
     * blank line. Everything after it that was consumed is white space, and
     * what follows is not. */
    size_t last = used;
    while (last > 0 && is_ws(data[last - 1]))
        last--;
    if (last == 0) {                        /* a blank line */
        const char *nl = memchr(data, '\n', used);
        CHECK(nl != NULL);
        last = (size_t)(nl - data) + 1;
        CHECK(strcmp(body, "{}") == 0);
    } else {
        CHECK(data[last - 1] == '}');
    }
    for (size_t i = last; i < used; i++)
        CHECK(is_ws(data[i]));
    CHECK(used == len || !is_ws(data[used]));
    /* No NUL or other control byte outside " \t\r\n": JSON text has none
     * (inside strings they must be escaped). */
    for (size_t i = 0; i < last; i++) {
        unsigned char c = (unsigned char)data[i];
        CHECK(c >= 0x20 || is_ws((char)c));
    }

    /* The body is a JSON object and a request we accept, unchanged. */
    const char *end = NULL;
    cJSON *obj = cJSON_ParseWithOpts(body, &end, 1);
    CHECK(cJSON_IsObject(obj));
    cJSON_Delete(obj);
    char *again;
    size_t used2;
    const char *why;
    size_t blen = strlen(body);
    CHECK(take(body, blen, &again, &used2, &why) == EXECREQ_READY);
    CHECK(used2 == blen && strcmp(again, body) == 0);
    free(again);

    /* Split writes: the pending buffer grows one write() at a time. */
    check_prefix(data, 0);
    check_prefix(data, last - 1);
    check_prefix(data, (last - 1) / 2);
    check_prefix(data, (last - 1) / 3);
}

/* More bytes after an invalid start never make a request. */
static void check_invalid_is_final(const char *data, size_t len)
{
    static const char tail[] = "\"]}\n";
    char *more = malloc(len + sizeof(tail));
    if (!more)
        return;
    memcpy(more, data, len);
    memcpy(more + len, tail, sizeof(tail) - 1);
    char *body;
    size_t used;
    const char *why;
    enum execreq_state s = take(more, len + sizeof(tail) - 1, &body, &used, &why);
    if (s == EXECREQ_READY)
        free(body);
    CHECK(s == EXECREQ_INVALID);
    free(more);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *d = (const char *)data;

    int blank = 1;
    for (size_t i = 0; i < size; i++)
        blank &= d[i] == ' ' || d[i] == '\t' || d[i] == '\r';
    CHECK(execreq_is_blank(d, size) == blank);

    char *body;
    size_t used;
    const char *why;
    switch (take(d, size, &body, &used, &why)) {
    case EXECREQ_READY:
        check_ready(d, size, body, used);
        free(body);
        break;
    case EXECREQ_INVALID:
        check_invalid_is_final(d, size);
        break;
    case EXECREQ_NEED_MORE:
        break;
    }
    return 0;
}
