/* Node contents and actions: see nodes.h. */
#include "nodes.h"
#include "api.h"
#include "blob.h"
#include "buf.h"
#include "clock.h"
#include "context.h"
#include "log.h"
#include "names.h"
#include "render.h"
#include "route.h"
#include "state.h"
#include "stats.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct blob *blob_of_buf(struct buf *b)
{
    size_t n = b->len;
    return blob_from_string(buf_steal(b), n);
}

/* ISO 8601 UTC ("2026-12-03T15:30:00Z", fraction ignored) → epoch ms, or -1. */
static int64_t parse_time_ms(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
        return -1;
    return (int64_t)timegm(&tm) * 1000;
}

/* Fetch an execution's status; on success remember the execution. */
static int exec_status(struct fs_ctx *ctx, const struct route *r, struct api_result *res)
{
    int rc = api_exec_status(ctx->api, r->project, r->job, r->exec, res);
    if (rc == 0 && !journal_has(ctx->journal, r->project, r->job, r->exec)) {
        char *started = render_string_field(res->body->data, res->body->len, "startedAt");
        int64_t ts = parse_time_ms(started);
        free(started);
        journal_add(ctx->journal, r->project, r->job, r->exec, ts >= 0 ? ts : clock_wall_ms());
    }
    return rc;
}

/* Run a read that yields an api_result and drop the result. */
static int exists(int rc, struct api_result *res)
{
    if (rc == 0)
        api_result_free(res);
    return rc;
}

/* Look a project up by name in the listing. Returns its id (caller frees)
 * or NULL. */
struct find_name {
    const char *name;
    char *id;
};

static void match_name(void *arg, const char *id, const char *name)
{
    struct find_name *f = arg;
    if (!f->id && name && strcmp(name, f->name) == 0)
        f->id = xstrdup(id);
}

static int project_id_by_name(struct fs_ctx *ctx, const char *name, char **id)
{
    struct api_result res;
    int rc = api_projects(ctx->api, &res);
    if (rc < 0)
        return rc;
    struct find_name f = { name, NULL };
    render_each_id(res.body->data, res.body->len, "name", match_name, &f);
    api_result_free(&res);
    if (!f.id)
        return -ENOENT;
    *id = f.id;
    return 0;
}

int node_check(struct fs_ctx *ctx, const struct route *r)
{
    struct api_result res;
    switch (r->kind) {
    case N_PROJECT:
    case N_PROJECT_JSON:
    case N_JOBS:
        return exists(api_project(ctx->api, r->project, &res), &res);
    case N_JOB:
    case N_JOB_JSON:
    case N_JOB_STATUS:
    case N_EXECUTE:
    case N_EXECS:
        return exists(api_job(ctx->api, r->project, r->job, &res), &res);
    case N_EXEC:
    case N_LOGS:
    case N_EXEC_STATUS:
    case N_EXEC_STATUS_JSON:
    case N_EXEC_ERROR:
    case N_EXEC_WAIT:
        return exists(exec_status(ctx, r, &res), &res);
    case N_LATEST: {
        char *id = journal_latest(ctx->journal, r->project, r->job);
        free(id);
        return id ? 0 : -ENOENT;
    }
    case N_BYNAME_LINK: {
        char *id = NULL;
        int rc = project_id_by_name(ctx, r->name, &id);
        free(id);
        return rc;
    }
    default:
        return 0;
    }
}

/* Render an API document with fn into a new blob. */
static int rendered(int rc, struct api_result *res, struct blob **out,
                    void (*fn)(struct buf *, const char *, size_t))
{
    if (rc < 0)
        return rc;
    struct buf b = BUF_INIT;
    fn(&b, res->body->data, res->body->len);
    api_result_free(res);
    *out = blob_of_buf(&b);
    return 0;
}

static void render_exec_word(struct buf *b, const char *json, size_t len)
{
    render_status_word(b, json, len, "status");
}

static void render_job_word(struct buf *b, const char *json, size_t len)
{
    render_status_word(b, json, len, "executionStatus");
}

static void render_as_received(struct buf *b, const char *data, size_t len)
{
    buf_add(b, data, len);
    if (len && data[len - 1] != '\n')
        buf_addc(b, '\n');
}

static int log_content(struct fs_ctx *ctx, const struct route *r, enum log_pod pod,
                       struct blob **out, int *growing)
{
    struct api_result st;
    int rc = exec_status(ctx, r, &st);
    if (rc < 0)
        return rc;
    *growing = !render_status_is_final(render_status_of(st.body->data, st.body->len, "status"));
    api_result_free(&st);
    struct api_result res;
    rc = api_exec_logs(ctx->api, r->project, r->job, r->exec, pod, &res);
    if (rc < 0)
        return rc;
    *out = res.body;    /* already text */
    return 0;
}

int node_content(struct fs_ctx *ctx, const struct route *r, struct blob **out, int *growing)
{
    struct api_result res;
    struct buf b = BUF_INIT;
    *growing = 0;
    switch (r->kind) {
    case N_HEALTH:
        return rendered(api_health(ctx->api, &res), &res, out, render_as_received);
    case N_PROJECT_JSON:
        return rendered(api_project(ctx->api, r->project, &res), &res, out, render_json);
    case N_SCHEDULE_JSON:
        return rendered(api_schedule(ctx->api, r->project, &res), &res, out, render_json);
    case N_PROJECT_METRICS:
        return rendered(api_project_metrics(ctx->api, r->project, &res), &res, out, render_json);
    case N_JOB_JSON:
        return rendered(api_job(ctx->api, r->project, r->job, &res), &res, out, render_json);
    case N_JOB_STATUS:
        return rendered(api_job(ctx->api, r->project, r->job, &res), &res, out, render_job_word);
    case N_JOB_METRICS:
        return rendered(api_job_metrics(ctx->api, r->project, r->job, &res), &res, out, render_json);
    case N_EXEC_STATUS:
        return rendered(exec_status(ctx, r, &res), &res, out, render_exec_word);
    case N_EXEC_STATUS_JSON:
        return rendered(exec_status(ctx, r, &res), &res, out, render_json);
    case N_EXEC_ERROR:
        return rendered(exec_status(ctx, r, &res), &res, out, render_error);
    case N_EXEC_WAIT: {
        /* Not blocking here: the word once finished, else nothing yet. */
        int rc = exec_status(ctx, r, &res);
        if (rc < 0)
            return rc;
        const char *word = render_status_of(res.body->data, res.body->len, "status");
        if (render_status_is_final(word))
            buf_printf(&b, "%s\n", word);
        api_result_free(&res);
        *out = blob_of_buf(&b);
        return 0;
    }
    case N_LOG_DRIVER:
        return log_content(ctx, r, LOG_DRIVER, out, growing);
    case N_LOG_EXECUTOR:
        return log_content(ctx, r, LOG_EXECUTOR, out, growing);
    case N_LOG_ALL:
        return log_content(ctx, r, LOG_ALL, out, growing);
    case N_STATS:
        stats_render_text(&b, ctx);
        *out = blob_of_buf(&b);
        return 0;
    case N_STATS_PROM:
        stats_render_prom(&b, ctx);
        *out = blob_of_buf(&b);
        return 0;
    case N_EXECUTE:
        *out = blob_new("", 0);
        return 0;
    default:
        return -EISDIR;
    }
}

/* Listing helpers: encode each id into a file name for add(). */
struct lister {
    void (*add)(void *arg, const char *name);
    void *arg;
    int by_name;
};

static void list_one(void *arg, const char *id, const char *name)
{
    struct lister *l = arg;
    const char *what = l->by_name ? name : id;
    if (!what || !*what)
        return;     /* an empty id could not be opened: not listed */
    struct buf b = BUF_INIT;
    names_encode(&b, what);
    l->add(l->arg, b.data);
    buf_free(&b);
}

static void list_exec(void *arg, const char *exec)
{
    list_one(arg, exec, NULL);
}

static int list_from(int rc, struct api_result *res, struct lister *l, const char *name_field)
{
    if (rc < 0)
        return rc;
    render_each_id(res->body->data, res->body->len, name_field, list_one, l);
    api_result_free(res);
    return 0;
}

int node_list(struct fs_ctx *ctx, const struct route *r,
              void (*add)(void *arg, const char *name), void *arg)
{
    struct lister l = { add, arg, 0 };
    struct api_result res;
    switch (r->kind) {
    case N_PROJECTS:
        return list_from(api_projects(ctx->api, &res), &res, &l, NULL);
    case N_BYNAME:
        l.by_name = 1;
        return list_from(api_projects(ctx->api, &res), &res, &l, "name");
    case N_JOBS:
        return list_from(api_jobs(ctx->api, r->project, &res), &res, &l, NULL);
    case N_EXECS:
        journal_each(ctx->journal, r->project, r->job, list_exec, &l);
        return 0;
    default:
        return 0;
    }
}

int node_link(struct fs_ctx *ctx, const struct route *r, char **target)
{
    char *id = NULL;
    int rc = 0;
    struct buf b = BUF_INIT;
    if (r->kind == N_LATEST) {
        id = journal_latest(ctx->journal, r->project, r->job);
        if (!id)
            return -ENOENT;
    } else if (r->kind == N_BYNAME_LINK) {
        rc = project_id_by_name(ctx, r->name, &id);
        if (rc < 0)
            return rc;
        buf_adds(&b, "../");
    } else {
        return -EINVAL;
    }
    names_encode(&b, id);
    free(id);
    *target = buf_steal(&b);
    return 0;
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

int node_wait(struct fs_ctx *ctx, const struct route *r, struct blob **out,
              int (*interrupted)(void))
{
    for (;;) {
        struct api_result res;
        int rc = exec_status(ctx, r, &res);
        if (rc == 0) {
            const char *word = render_status_of(res.body->data, res.body->len, "status");
            int done = render_status_is_final(word);
            if (done) {
                struct buf b = BUF_INIT;
                buf_printf(&b, "%s\n", word);
                *out = blob_of_buf(&b);
            }
            api_result_free(&res);
            if (done)
                return 0;
        } else if (rc != -EIO && rc != -EAGAIN) {
            return rc;      /* transient failures keep waiting; the rest end it */
        }
        for (int64_t slept = 0; slept < ctx->wait_poll_ms; slept += 100) {
            if (interrupted && interrupted())
                return -EINTR;
            sleep_ms(100);
        }
    }
}

int node_execute(struct fs_ctx *ctx, const struct route *r, const char *body)
{
    char *exec = NULL;
    int rc = api_execute(ctx->api, r->project, r->job, body, &exec);
    if (rc < 0)
        return rc;
    log_info("started execution %s of job %s", exec, r->job);
    int saved = journal_add(ctx->journal, r->project, r->job, exec, clock_wall_ms());
    if (saved < 0)
        log_error("execution %s started but could not be saved in the journal", exec);
    free(exec);
    return 0;
}
