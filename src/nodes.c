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
#include "tables.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STRAPI_PAGE_SIZE 50
#define STRAPI_MAX_PAGES 10000

/* The URL of an html page: host, then the page path ("index.html" is "/",
 * any other name is the path with "%2F" for each '/'). */
static char *page_url(const struct route *r)
{
    char *path = strcmp(r->name, "index.html") == 0 ? xstrdup("") : names_pct_decode(r->name);
    if (!path)
        return NULL;
    char *url = xasprintf("%s/%s", r->host, path);
    free(path);
    return url;
}

/* Expand an endpoint template: {P} {J} {K} {T} {R} {X} become the route's
 * ids, each percent-encoded as one path segment; {U} the page URL. Returns
 * NULL when the route lacks an id the template needs. */
static char *expand(const char *tpl, const struct route *r)
{
    struct buf b = BUF_INIT;
    for (const char *p = tpl; *p; p++) {
        if (p[0] != '{' || !p[1] || p[2] != '}') {
            buf_addc(&b, *p);
            continue;
        }
        char *own = NULL;
        const char *id = NULL;
        switch (p[1]) {
        case 'P': id = r->project; break;
        case 'J': id = r->job; break;
        case 'K': id = r->task; break;
        case 'T': id = r->table; break;
        case 'R': id = r->record; break;
        case 'X': id = r->proto; break;
        case 'U': id = own = r->host && r->name ? page_url(r) : NULL; break;
        default: break;
        }
        if (!id) {
            buf_free(&b);
            return NULL;
        }
        names_url_segment(&b, id);
        free(own);
        p += 2;
    }
    return buf_steal(&b);
}

/* GET the route's own endpoint (route table template). */
static int get_own(struct fs_ctx *ctx, const struct route *r, struct api_result *res)
{
    char *target = r->get ? expand(r->get, r) : NULL;
    if (!target)
        return -ENOENT;
    int rc = api_get(ctx->api, target, r->ttl, r->kind != N_HTML_PAGE, res);
    free(target);
    return rc;
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

static int exists(int rc, struct api_result *res)
{
    if (rc == 0)
        api_result_free(res);
    return rc;
}

/* First page of a table, which tells whether the table exists. */
static char *table_page_target(const char *table, int page)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, "/api/strapi-tables/");
    names_url_segment(&b, table);
    buf_printf(&b, "?page=%d&pageSize=%d", page, STRAPI_PAGE_SIZE);
    return buf_steal(&b);
}

static int table_exists(struct fs_ctx *ctx, const char *table)
{
    char *target = table_page_target(table, 0);
    struct api_result res;
    int rc = exists(api_get(ctx->api, target, TTL_LIST, 1, &res), &res);
    free(target);
    if (rc == 0)
        tables_add(ctx->tables, table);
    return rc;
}

/* Look a project up by name in the listing. */
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
    int rc = api_get(ctx->api, "/webrobot/api/projects", TTL_LIST, 1, &res);
    if (rc < 0)
        return rc;
    struct find_name f = { name, NULL };
    render_each_id(res.body->data, res.body->len, "id", "name", match_name, &f);
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
    case N_EXEC:
    case N_LOGS:
    case N_EXEC_STATUS:
    case N_EXEC_STATUS_JSON:
    case N_EXEC_ERROR:
    case N_EXEC_WAIT:
    case N_LOG_DRIVER:
    case N_LOG_EXECUTOR:
    case N_LOG_ALL:
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
    case N_TABLE:
        return table_exists(ctx, r->table);
    case N_HTML_PROTO:
        return strcmp(r->proto, "http") == 0 || strcmp(r->proto, "https") == 0 ? 0 : -ENOENT;
    case N_HTML_HOST:
    case N_SCRATCH:
        return 0;
    case N_PROJECTS:
    case N_TASKS:
    case N_DATASETS:
    case N_AGENTS:
    case N_CATEGORIES:
    case N_CRONJOBS:
        return 0;       /* listings: their parent's existence was checked */
    default:
        return r->get ? exists(get_own(ctx, r, &res), &res) : 0;
    }
}

static void render_as_received(struct buf *b, const char *data, size_t len)
{
    buf_add(b, data, len);
    if (len && data[len - 1] != '\n')
        buf_addc(b, '\n');
}

/* A document described by the route table: GET, then its view. */
static int table_content(struct fs_ctx *ctx, const struct route *r, struct blob **out)
{
    struct api_result res;
    int rc = get_own(ctx, r, &res);
    if (rc < 0)
        return rc;
    struct buf b = BUF_INIT;
    switch (r->view) {
    case V_JSON:
        render_json(&b, res.body->data, res.body->len);
        break;
    case V_WORD:
        render_status_word(&b, res.body->data, res.body->len, r->field);
        break;
    default:
        render_as_received(&b, res.body->data, res.body->len);
        break;
    }
    api_result_free(&res);
    *out = blob_from_buf(&b);
    return 0;
}

static int exec_content(struct fs_ctx *ctx, const struct route *r, struct blob **out)
{
    struct api_result res;
    int rc = exec_status(ctx, r, &res);
    if (rc < 0)
        return rc;
    struct buf b = BUF_INIT;
    const char *word = render_status_of(res.body->data, res.body->len, "status");
    switch (r->kind) {
    case N_EXEC_STATUS:
        buf_printf(&b, "%s\n", word);
        break;
    case N_EXEC_STATUS_JSON:
        render_json(&b, res.body->data, res.body->len);
        break;
    case N_EXEC_ERROR:
        render_error(&b, res.body->data, res.body->len);
        break;
    default:    /* wait, without blocking: the word once finished */
        if (render_status_is_final(word))
            buf_printf(&b, "%s\n", word);
        break;
    }
    api_result_free(&res);
    *out = blob_from_buf(&b);
    return 0;
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
    struct buf b = BUF_INIT;
    *growing = 0;
    if (r->view != V_SPECIAL)
        return table_content(ctx, r, out);
    switch (r->kind) {
    case N_EXEC_STATUS:
    case N_EXEC_STATUS_JSON:
    case N_EXEC_ERROR:
    case N_EXEC_WAIT:
        return exec_content(ctx, r, out);
    case N_LOG_DRIVER:
        return log_content(ctx, r, LOG_DRIVER, out, growing);
    case N_LOG_EXECUTOR:
        return log_content(ctx, r, LOG_EXECUTOR, out, growing);
    case N_LOG_ALL:
        return log_content(ctx, r, LOG_ALL, out, growing);
    case N_STATS:
        stats_render_text(&b, ctx);
        *out = blob_from_buf(&b);
        return 0;
    case N_STATS_PROM:
        stats_render_prom(&b, ctx);
        *out = blob_from_buf(&b);
        return 0;
    case N_EXECUTE:
    case N_TASK_START:
    case N_TASK_STOP:
        *out = blob_new("", 0);
        return 0;
    default:
        return r->type == NT_DIR ? -EISDIR : -EINVAL;
    }
}

/* Listing helpers: encode each id into a file name for add(). */
struct lister {
    void (*add)(void *arg, const char *name);
    void *arg;
    int by_name;
    const char *suffix;
    int count;
};

static void list_one(void *arg, const char *id, const char *name)
{
    struct lister *l = arg;
    const char *what = l->by_name ? name : id;
    if (!what || !*what)
        return;     /* an empty id could not be opened: not listed */
    struct buf b = BUF_INIT;
    names_encode(&b, what);
    if (l->suffix)
        buf_adds(&b, l->suffix);
    l->add(l->arg, b.data);
    buf_free(&b);
    l->count++;
}

static void list_plain(void *arg, const char *id)
{
    list_one(arg, id, NULL);
}

/* Every record of a table, page after page. */
static int list_table(struct fs_ctx *ctx, const char *table, struct lister *l)
{
    for (int page = 0; page < STRAPI_MAX_PAGES; page++) {
        char *target = table_page_target(table, page);
        struct api_result res;
        int rc = api_get(ctx->api, target, TTL_LIST, 1, &res);
        free(target);
        if (rc < 0)
            return rc;
        int page_count;
        int n = render_table_page(res.body->data, res.body->len, &page_count, list_one, l);
        api_result_free(&res);
        if (n < STRAPI_PAGE_SIZE || (page_count >= 0 && page + 1 >= page_count))
            break;
    }
    tables_add(ctx->tables, table);
    return 0;
}

static void list_html_protocols(struct lister *l)
{
    l->add(l->arg, "http");
    l->add(l->arg, "https");
}

int node_list(struct fs_ctx *ctx, const struct route *r,
              void (*add)(void *arg, const char *name), void *arg)
{
    struct lister l = { add, arg, 0, NULL, 0 };
    switch (r->kind) {
    case N_BYNAME: {
        struct api_result res;
        int rc = api_get(ctx->api, "/webrobot/api/projects", TTL_LIST, 1, &res);
        if (rc < 0)
            return rc;
        l.by_name = 1;
        render_each_id(res.body->data, res.body->len, "id", "name", list_one, &l);
        api_result_free(&res);
        return 0;
    }
    case N_EXECS:
        journal_each(ctx->journal, r->project, r->job, list_plain, &l);
        return 0;
    case N_TABLES:
        tables_each(ctx->tables, list_plain, &l);
        return 0;
    case N_TABLE:
        l.suffix = ".json";
        return list_table(ctx, r->table, &l);
    case N_HTML:
        list_html_protocols(&l);
        return 0;
    case N_DATASETS:
    case N_AGENTS:
    case N_CATEGORIES:
    case N_CRONJOBS:
        l.suffix = ".json";
        /* fall through */
    case N_PROJECTS:
    case N_JOBS:
    case N_TASKS: {
        struct api_result res;
        int rc = get_own(ctx, r, &res);
        if (rc < 0)
            return rc;
        render_each_id(res.body->data, res.body->len, r->field, NULL, list_one, &l);
        api_result_free(&res);
        return 0;
    }
    default:
        return 0;
    }
}

int node_link(struct fs_ctx *ctx, const struct route *r, char **target)
{
    char *id = NULL;
    struct buf b = BUF_INIT;
    if (r->kind == N_LATEST) {
        id = journal_latest(ctx->journal, r->project, r->job);
        if (!id)
            return -ENOENT;
    } else if (r->kind == N_BYNAME_LINK) {
        int rc = project_id_by_name(ctx, r->name, &id);
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
                *out = blob_from_buf(&b);
            }
            api_result_free(&res);
            if (done)
                return 0;
        } else if (rc != -EIO && rc != -EAGAIN) {
            return rc;      /* transient failures keep waiting; the rest end it */
        }
        int64_t slept = 0;
        do {    /* at least one check and one nap per poll, however short */
            if (interrupted && interrupted())
                return -EINTR;
            sleep_ms(100);
            slept += 100;
        } while (slept < ctx->wait_poll_ms);
    }
}

/* Send a change to the route's endpoint template plus tail. */
static int send(struct fs_ctx *ctx, const struct route *r, const char *method, const char *tpl,
                const char *body, char **answer, const char *const *stale_tpl)
{
    char *target = expand(tpl, r);
    char *stale[4] = { NULL, NULL, NULL, NULL };
    for (int i = 0; stale_tpl && stale_tpl[i] && i < 3; i++)
        stale[i] = expand(stale_tpl[i], r);
    int rc = target ? api_send(ctx->api, method, target, body, answer,
                               (const char *const *)stale) : -ENOENT;
    free(target);
    for (int i = 0; i < 3; i++)
        free(stale[i]);
    return rc;
}

#define J_API "/webrobot/api/projects/id/{P}/jobs/{J}"

int node_execute(struct fs_ctx *ctx, const struct route *r, const char *body)
{
    static const char *const stale[] = { J_API, "/webrobot/api/projects/id/{P}/jobs", NULL };
    char *answer = NULL;
    int rc = send(ctx, r, "POST", J_API "/execute", body, &answer, stale);
    if (rc < 0)
        return rc;
    char *exec = render_string_field(answer, strlen(answer), "executionId");
    free(answer);
    if (!exec) {
        log_warn("execute of job %s: the answer has no executionId", r->job);
        return -EIO;
    }
    log_info("started execution %s of job %s", exec, r->job);
    if (journal_add(ctx->journal, r->project, r->job, exec, clock_wall_ms()) < 0)
        log_error("execution %s started but could not be saved in the journal", exec);
    free(exec);
    return 0;
}

int node_task_action(struct fs_ctx *ctx, const struct route *r)
{
    static const char *const stale[] = { J_API "/tasks/{K}", J_API "/tasks/{K}/status",
                                         J_API "/tasks", NULL };
    const char *tpl = r->kind == N_TASK_START ? J_API "/tasks/{K}/start" : J_API "/tasks/{K}/stop";
    return send(ctx, r, "POST", tpl, NULL, NULL, stale);
}

int node_is_document(const struct route *r)
{
    return r->kind == N_PROJECT_JSON || r->kind == N_JOB_JSON ||
           r->kind == N_SCHEDULE_JSON || r->kind == N_RECORD;
}

/* 0 when text is one JSON object (white space around it allowed, nothing
 * else); -EINVAL (logged) otherwise. */
static int check_object(const struct route *r, const char *text, size_t len)
{
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    int ok = cJSON_IsObject(doc);
    for (const char *p = end; ok && p && p < text + len; p++)
        ok = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
    cJSON_Delete(doc);
    if (!ok)
        log_warn("%s: not a single JSON object; nothing sent", r->record ? r->record : r->get);
    return ok ? 0 : -EINVAL;
}

int node_save(struct fs_ctx *ctx, const struct route *r, const char *text, size_t len,
              char **created)
{
    if (!node_is_document(r))
        return -EACCES;
    int rc = check_object(r, text, len);
    if (rc < 0)
        return rc;
    char *body = xstrndup(text, len);
    if (r->kind == N_RECORD && node_check(ctx, r) == -ENOENT) {
        static const char *const stale[] = { "/api/strapi-tables/{T}?*", NULL };
        char *answer = NULL;
        rc = send(ctx, r, "POST", "/api/strapi-tables/{T}", body, &answer, stale);
        if (rc == 0) {
            char *id = render_record_id(answer, strlen(answer));
            log_info("table %s: created record %s", r->table, id ? id : "(no id in answer)");
            if (created)
                *created = id;
            else
                free(id);
            free(answer);
        }
    } else {
        static const char *const project_stale[] = { "/webrobot/api/projects", NULL };
        static const char *const job_stale[] = { "/webrobot/api/projects/id/{P}/jobs", NULL };
        static const char *const record_stale[] = { "/api/strapi-tables/{T}?*", NULL };
        const char *const *stale = r->kind == N_PROJECT_JSON ? project_stale :
                                   r->kind == N_JOB_JSON ? job_stale :
                                   r->kind == N_RECORD ? record_stale : NULL;
        rc = send(ctx, r, "PUT", r->get, body, NULL, stale);
    }
    free(body);
    return rc;
}

int node_delete(struct fs_ctx *ctx, const struct route *r)
{
    static const char *const stale[] = { "/api/strapi-tables/{T}?*", NULL };
    if (r->kind != N_RECORD)
        return -EACCES;
    return send(ctx, r, "DELETE", r->get, NULL, NULL, stale);
}
