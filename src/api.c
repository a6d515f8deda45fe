/* API endpoints, cache policy and status mapping: see api.h. */
#include "api.h"
#include "blob.h"
#include "buf.h"
#include "cache.h"
#include "http.h"
#include "log.h"
#include "names.h"
#include "render.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct api {
    struct http *http;
    struct cache *cache;
    struct api_ttls ttl;
};

/* How a GET's answer is kept: its lifetime, and an optional rendering of
 * the body done once at fill time (so a 200 MB log is rendered once). */
struct fetch {
    struct api *a;
    const char *target;
    int64_t (*ttl_for)(struct fetch *f, long status, const struct buf *body);
    void (*render)(struct buf *out, const char *json, size_t len);
    int64_t ttl_ok;             /* used by fixed_ttl */
    int json;                   /* a 2xx answer must be JSON to be kept */
    int final_run;              /* logs: the run had finished before the fetch */
};

struct api *api_new(struct http *h, struct cache *c, const struct api_ttls *ttls)
{
    struct api *a = xcalloc(1, sizeof(*a));
    a->http = h;
    a->cache = c;
    a->ttl = *ttls;
    return a;
}

void api_free(struct api *a)
{
    free(a);
}

void api_result_free(struct api_result *r)
{
    blob_unref(r->body);
    r->body = NULL;
}

int api_errno_for_status(long status)
{
    if (status >= 200 && status < 300)
        return 0;
    switch (status) {
    case 400: return -EINVAL;
    case 401:
    case 403: return -EACCES;
    case 404: return -ENOENT;
    case 409: return -EBUSY;
    case 413: return -EFBIG;
    case 429: return -EAGAIN;
    default: return -EIO;
    }
}

/* Log why the API refused a request (its Error body), never the key. */
static void log_refusal(const char *method, const char *target, long status,
                        const char *body, size_t len)
{
    char *msg = render_string_field(body, len, "error");
    if (status == 404)
        log_debug("%s %s: HTTP 404%s%s", method, target, msg ? ": " : "", msg ? msg : "");
    else
        log_warn("%s %s: HTTP %ld%s%s", method, target, status, msg ? ": " : "", msg ? msg : "");
    free(msg);
}

static int64_t fixed_ttl(struct fetch *f, long status, const struct buf *body)
{
    return status == 404 ? f->a->ttl.negative : f->ttl_ok;
}

static int is_json(const char *data, size_t len)
{
    cJSON *doc = len ? cJSON_ParseWithLength(data, len) : NULL;
    int ok = doc != NULL;
    cJSON_Delete(doc);
    return ok;
}

static int fill(void *arg, int have_stale, struct cache_value *out)
{
    struct fetch *f = arg;
    struct http_request req = { .method = "GET", .target = f->target, .fail_fast = have_stale };
    struct http_response resp;
    int rc = http_perform(f->a->http, &req, &resp);
    if (rc < 0)
        return rc;
    int err = api_errno_for_status(resp.status);
    if (!err && f->json && !f->render && !is_json(resp.body.data, resp.body.len)) {
        log_warn("GET %s: the answer is not valid JSON; not kept", f->target);
        buf_free(&resp.body);
        return -EIO;    /* like a failed request: a stale copy may answer */
    }
    if (err && resp.status != 404) {
        /* transient or unexpected: not cached, so a stale copy may answer */
        log_refusal("GET", f->target, resp.status, resp.body.data, resp.body.len);
        buf_free(&resp.body);
        return err;
    }
    if (err)
        log_refusal("GET", f->target, resp.status, resp.body.data, resp.body.len);
    out->status = resp.status;
    out->ttl_ms = f->ttl_for(f, resp.status, &resp.body);
    if (err || !f->render) {
        out->body = blob_from_buf(&resp.body);
    } else {
        struct buf text = BUF_INIT;
        f->render(&text, resp.body.data, resp.body.len);
        buf_free(&resp.body);
        out->body = blob_from_buf(&text);
    }
    return 0;
}

/* GET through the cache under key "GET <target><suffix>". */
static int get(struct fetch *f, const char *key_suffix, struct api_result *res)
{
    char *key = xasprintf("GET %s%s", f->target, key_suffix);
    struct cache_value v;
    enum cache_outcome how;
    int rc = cache_get(f->a->cache, key, fill, f, &v, &how);
    free(key);
    if (rc < 0)
        return rc;
    rc = api_errno_for_status(v.status);
    if (rc < 0) {
        blob_unref(v.body);
        return rc;
    }
    res->body = v.body;
    res->from_stale = how == CACHE_STALE;
    return 0;
}

static int64_t ttl_of(const struct api *a, enum ttl_class c)
{
    switch (c) {
    case TTL_LIST: return a->ttl.list;
    case TTL_RUNNING: return a->ttl.running;
    default: return a->ttl.doc;
    }
}

int api_get(struct api *a, const char *target, enum ttl_class ttl, int json,
            struct api_result *res)
{
    struct fetch f = { .a = a, .target = target, .ttl_for = fixed_ttl,
                       .ttl_ok = ttl_of(a, ttl), .json = json };
    return get(&f, "", res);
}

/* Build "/prefix/<seg>/..." from alternating literals and ids: literal
 * parts are appended as is, ids are percent-encoded. ids[i] follows lit[i]. */
static char *target_of(const char *const *lit, const char *const *ids, int n)
{
    struct buf b = BUF_INIT;
    for (int i = 0; i < n; i++) {
        buf_adds(&b, lit[i]);
        if (ids[i])
            names_url_segment(&b, ids[i]);
    }
    return buf_steal(&b);
}

static char *exec_target(const char *project, const char *job, const char *exec,
                         const char *tail)
{
    const char *lit[] = { "/webrobot/api/projects/id/", "/jobs/", "/executions/", tail };
    const char *ids[] = { project, job, exec, NULL };
    return target_of(lit, ids, 4);
}

/* A finished run's status never changes: keep it forever. */
static int64_t status_ttl(struct fetch *f, long status, const struct buf *body)
{
    if (status == 404)
        return f->a->ttl.negative;
    const char *word = render_status_of(body->data, body->len, "status");
    return render_status_is_final(word) ? CACHE_FOREVER : f->a->ttl.running;
}

int api_exec_status(struct api *a, const char *project, const char *job, const char *exec,
                    struct api_result *res)
{
    char *t = exec_target(project, job, exec, "/status");
    struct fetch f = { .a = a, .target = t, .ttl_for = status_ttl, .json = 1 };
    int rc = get(&f, "", res);
    free(t);
    return rc;
}

static int64_t logs_ttl(struct fetch *f, long status, const struct buf *body)
{
    if (status == 404)
        return f->a->ttl.negative;
    return f->final_run ? CACHE_FOREVER : f->a->ttl.running;
}

int api_exec_logs(struct api *a, const char *project, const char *job, const char *exec,
                  enum log_pod pod, struct api_result *res)
{
    /* Logs fetched after the run is seen finished are complete: look at the
     * status first (usually a cache hit) to choose the lifetime. */
    struct api_result st;
    int rc = api_exec_status(a, project, job, exec, &st);
    if (rc < 0)
        return rc;
    int final = render_status_is_final(render_status_of(st.body->data, st.body->len, "status"));
    api_result_free(&st);

    static const char *const tails[] = { "/logs?podType=driver", "/logs?podType=executor", "/logs" };
    char *t = exec_target(project, job, exec, tails[pod]);
    struct fetch f = { .a = a, .target = t, .ttl_for = logs_ttl, .render = render_logs,
                       .final_run = final, .json = 1 };
    rc = get(&f, "#text", res);
    free(t);
    return rc;
}

/* Drop the cached GET of target; a target ending in '*' is a prefix. */
static void invalidate(struct api *a, const char *target)
{
    size_t n = strlen(target);
    char *key = xasprintf("GET %s", target);
    if (n > 0 && target[n - 1] == '*') {
        key[strlen(key) - 1] = '\0';
        cache_invalidate_prefix(a->cache, key);
    } else {
        cache_invalidate(a->cache, key);
    }
    free(key);
}

int api_send(struct api *a, const char *method, const char *target, const char *body,
             char **answer, const char *const *stale)
{
    struct http_request req = { .method = method, .target = target, .body = body,
                                .body_len = body ? strlen(body) : 0 };
    struct http_response resp;
    int rc = http_perform(a->http, &req, &resp);
    if (rc == 0) {
        rc = api_errno_for_status(resp.status);
        if (rc < 0)
            log_refusal(method, target, resp.status, resp.body.data, resp.body.len);
        else if (answer)
            *answer = buf_steal(&resp.body);
        buf_free(&resp.body);
    }
    /* Whatever the outcome, what it touched may have changed. */
    invalidate(a, target);
    for (int i = 0; stale && stale[i]; i++)
        invalidate(a, stale[i]);
    return rc;
}
