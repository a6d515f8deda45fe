/* Unit tests for route.c: every path shape of the tree resolves to the
 * right node kind, file type, mode, decoded ids, endpoint template, view,
 * ttl class and field; other names in writable directories are scratch
 * files; anything else is refused with the errno the contract names. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"

/* The ids a route captures; unset members are expected NULL. */
struct ids {
    const char *project, *job, *exec, *task, *table, *record, *proto, *host, *name;
};

/* One row per path shape: everything route_resolve fills in, spelled out
 * here independently of route.c's table. */
struct shape {
    const char *path;
    enum node_kind kind;
    enum node_type type;
    mode_t mode;
    struct ids id;
    const char *get;
    enum node_view view;
    enum ttl_class ttl;
    const char *field;
};

#define EX "/projects/p1/jobs/j1/executions/e1"
#define TK "/projects/98/jobs/210/tasks/7001"
#define A_P "/webrobot/api/projects/id/{P}"
#define A_J A_P "/jobs/{J}"
#define A_K A_J "/tasks/{K}"
#define IDS_P { .project = "p1" }
#define IDS_J { .project = "p1", .job = "j1" }
#define IDS_E { .project = "p1", .job = "j1", .exec = "e1" }
#define IDS_K { .project = "98", .job = "210", .task = "7001" }

static const struct shape shapes[] = {
    { "/",                    N_ROOT,         NT_DIR,  0555, { 0 }, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/health",              N_HEALTH,       NT_FILE, 0444, { 0 }, "/health", V_RAW, TTL_DOC, NULL },
    { "/.stats",              N_STATS,        NT_FILE, 0444, { 0 }, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/.stats.prom",         N_STATS_PROM,   NT_FILE, 0444, { 0 }, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/projects",            N_PROJECTS,     NT_DIR,  0555, { 0 }, "/webrobot/api/projects",
      V_SPECIAL, TTL_LIST, "id" },
    { "/projects/by-name",    N_BYNAME,       NT_DIR,  0555, { 0 }, NULL, V_SPECIAL, TTL_LIST, NULL },
    { "/projects/by-name/x",  N_BYNAME_LINK,  NT_LINK, 0777, { .name = "x" }, NULL, V_SPECIAL,
      TTL_LIST, NULL },

    /* projects and jobs: the documents are writable, so are their dirs */
    { "/projects/p1",         N_PROJECT,      NT_DIR,  0755, IDS_P, A_P, V_SPECIAL, TTL_DOC, NULL },
    { "/projects/p1/project.json",  N_PROJECT_JSON, NT_FILE, 0644, IDS_P, A_P, V_JSON, TTL_DOC,
      NULL },
    { "/projects/p1/schedule.json", N_SCHEDULE_JSON, NT_FILE, 0644, IDS_P, A_P "/schedule",
      V_JSON, TTL_DOC, NULL },
    { "/projects/p1/metrics.json",  N_PROJECT_METRICS, NT_FILE, 0444, IDS_P, A_P "/metrics",
      V_JSON, TTL_DOC, NULL },
    { "/projects/p1/jobs",    N_JOBS,         NT_DIR,  0555, IDS_P, A_P "/jobs", V_SPECIAL,
      TTL_LIST, "id" },
    { "/projects/p1/jobs/j1", N_JOB,          NT_DIR,  0755, IDS_J, A_J, V_SPECIAL, TTL_DOC, NULL },
    { "/projects/p1/jobs/j1/job.json",     N_JOB_JSON,    NT_FILE, 0644, IDS_J, A_J, V_JSON,
      TTL_DOC, NULL },
    { "/projects/p1/jobs/j1/status",       N_JOB_STATUS,  NT_FILE, 0444, IDS_J, A_J, V_WORD,
      TTL_DOC, "executionStatus" },
    { "/projects/p1/jobs/j1/metrics.json", N_JOB_METRICS, NT_FILE, 0444, IDS_J, A_J "/metrics",
      V_JSON, TTL_DOC, NULL },
    { "/projects/p1/jobs/j1/execute",      N_EXECUTE,     NT_FILE, 0200, IDS_J, A_J, V_SPECIAL,
      TTL_DOC, NULL },
    { "/projects/p1/jobs/j1/executions",   N_EXECS,       NT_DIR,  0555, IDS_J, A_J, V_SPECIAL,
      TTL_DOC, NULL },
    { "/projects/p1/jobs/j1/executions/latest", N_LATEST, NT_LINK, 0777, IDS_J, NULL, V_SPECIAL,
      TTL_DOC, NULL },

    /* executions */
    { EX,                     N_EXEC,             NT_DIR,  0555, IDS_E, NULL, V_SPECIAL,
      TTL_RUNNING, NULL },
    { EX "/status",           N_EXEC_STATUS,      NT_FILE, 0444, IDS_E, NULL, V_SPECIAL,
      TTL_RUNNING, NULL },
    { EX "/status.json",      N_EXEC_STATUS_JSON, NT_FILE, 0444, IDS_E, NULL, V_SPECIAL,
      TTL_RUNNING, NULL },
    { EX "/error",            N_EXEC_ERROR,       NT_FILE, 0444, IDS_E, NULL, V_SPECIAL,
      TTL_RUNNING, NULL },
    { EX "/wait",             N_EXEC_WAIT,        NT_FILE, 0444, IDS_E, NULL, V_SPECIAL,
      TTL_RUNNING, NULL },
    { EX "/logs",             N_LOGS,             NT_DIR,  0555, IDS_E, NULL, V_SPECIAL,
      TTL_RUNNING, NULL },
    { EX "/logs/driver",      N_LOG_DRIVER,       NT_FILE, 0444, IDS_E, NULL, V_SPECIAL,
      TTL_RUNNING, NULL },
    { EX "/logs/executor",    N_LOG_EXECUTOR,     NT_FILE, 0444, IDS_E, NULL, V_SPECIAL,
      TTL_RUNNING, NULL },
    { EX "/logs/all",         N_LOG_ALL,          NT_FILE, 0444, IDS_E, NULL, V_SPECIAL,
      TTL_RUNNING, NULL },

    /* tasks */
    { "/projects/98/jobs/210/tasks", N_TASKS, NT_DIR, 0555, { .project = "98", .job = "210" },
      "/webrobot/api/projects/id/{P}/jobs/{J}/tasks", V_SPECIAL, TTL_LIST, "id" },
    { TK,                     N_TASK,         NT_DIR,  0555, IDS_K, A_K, V_SPECIAL, TTL_DOC, NULL },
    { TK "/task.json",        N_TASK_JSON,    NT_FILE, 0444, IDS_K, A_K, V_JSON, TTL_DOC, NULL },
    { TK "/status",           N_TASK_STATUS,  NT_FILE, 0444, IDS_K, A_K "/status", V_WORD,
      TTL_RUNNING, "executionStatus" },
    { TK "/start",            N_TASK_START,   NT_FILE, 0200, IDS_K, A_K, V_SPECIAL, TTL_DOC, NULL },
    { TK "/stop",             N_TASK_STOP,    NT_FILE, 0200, IDS_K, A_K, V_SPECIAL, TTL_DOC, NULL },
    { TK "/metrics.json",     N_TASK_METRICS, NT_FILE, 0444, IDS_K, A_K "/metrics", V_JSON,
      TTL_DOC, NULL },

    /* scratch files: any other name in a writable directory, kept as is */
    { "/projects/98/.project.json.swp", N_SCRATCH, NT_FILE, 0644,
      { .project = "98", .name = ".project.json.swp" }, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/projects/p1/nope",    N_SCRATCH,      NT_FILE, 0644, { .project = "p1", .name = "nope" },
      NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/projects/p1/a%41",    N_SCRATCH,      NT_FILE, 0644, { .project = "p1", .name = "a%41" },
      NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/projects/p1/jobs/j1/nope", N_SCRATCH, NT_FILE, 0644,
      { .project = "p1", .job = "j1", .name = "nope" }, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/projects/p1/jobs/j1/job.json~", N_SCRATCH, NT_FILE, 0644,
      { .project = "p1", .job = "j1", .name = "job.json~" }, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/tables/products/x.tmp", N_SCRATCH,    NT_FILE, 0644,
      { .table = "products", .name = "x.tmp" }, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/tables/products/5",   N_SCRATCH,      NT_FILE, 0644, { .table = "products", .name = "5" },
      NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/tables/products/.json", N_SCRATCH,    NT_FILE, 0644,
      { .table = "products", .name = ".json" }, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/tables/products/5.json.swp", N_SCRATCH, NT_FILE, 0644,
      { .table = "products", .name = "5.json.swp" }, NULL, V_SPECIAL, TTL_DOC, NULL },

    /* Strapi tables */
    { "/tables",              N_TABLES,       NT_DIR,  0555, { 0 }, NULL, V_SPECIAL, TTL_LIST, NULL },
    { "/tables/products",     N_TABLE,        NT_DIR,  0755, { .table = "products" },
      "/api/strapi-tables/{T}", V_SPECIAL, TTL_LIST, NULL },
    { "/tables/products/5.json", N_RECORD,    NT_FILE, 0644, { .table = "products", .record = "5" },
      "/api/strapi-tables/{T}/{R}", V_JSON, TTL_DOC, NULL },

    /* collections */
    { "/datasets",            N_DATASETS,     NT_DIR,  0555, { 0 }, "/webrobot/api/datasets",
      V_SPECIAL, TTL_LIST, "id" },
    { "/datasets/12.json",    N_DATASET,      NT_FILE, 0444, { .record = "12" },
      "/webrobot/api/datasets/{R}", V_JSON, TTL_DOC, NULL },
    { "/agents",              N_AGENTS,       NT_DIR,  0555, { 0 }, "/webrobot/api/agents",
      V_SPECIAL, TTL_LIST, "id" },
    { "/agents/a7.json",      N_AGENT,        NT_FILE, 0444, { .record = "a7" },
      "/webrobot/api/agents/{R}", V_JSON, TTL_DOC, NULL },
    { "/categories",          N_CATEGORIES,   NT_DIR,  0555, { 0 }, "/webrobot/api/categories",
      V_SPECIAL, TTL_LIST, "id" },
    { "/categories/3.json",   N_CATEGORY,     NT_FILE, 0444, { .record = "3" },
      "/webrobot/api/categories/id/{R}", V_JSON, TTL_DOC, NULL },

    /* cloud */
    { "/cloud",               N_CLOUD,        NT_DIR,  0555, { 0 }, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/cloud/spark",         N_SPARK,        NT_DIR,  0555, { 0 }, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/cloud/spark/info.json", N_SPARK_DOC,  NT_FILE, 0444, { 0 }, "/webrobot/cloud/spark/info",
      V_JSON, TTL_DOC, NULL },
    { "/cloud/spark/health.json", N_SPARK_DOC, NT_FILE, 0444, { 0 },
      "/webrobot/cloud/spark/health", V_JSON, TTL_DOC, NULL },
    { "/cloud/spark/capabilities.json", N_SPARK_DOC, NT_FILE, 0444, { 0 },
      "/webrobot/cloud/spark/capabilities", V_JSON, TTL_DOC, NULL },
    { "/cloud/training",      N_TRAINING,     NT_DIR,  0555, { 0 }, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/cloud/training/info.json", N_TRAINING_DOC, NT_FILE, 0444, { 0 },
      "/webrobot/cloud/training/info", V_JSON, TTL_DOC, NULL },
    { "/cloud/training/health.json", N_TRAINING_DOC, NT_FILE, 0444, { 0 },
      "/webrobot/cloud/training/health", V_JSON, TTL_DOC, NULL },
    { "/cloud/scheduler",     N_SCHEDULER,    NT_DIR,  0555, { 0 }, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/cloud/scheduler/cronjobs", N_CRONJOBS, NT_DIR, 0555, { 0 },
      "/webrobot/cloud/scheduler/cronjobs", V_SPECIAL, TTL_LIST, "name" },
    { "/cloud/scheduler/cronjobs/nightly.json", N_CRONJOB, NT_FILE, 0444, { .record = "nightly" },
      "/webrobot/cloud/scheduler/cronjobs/{R}", V_JSON, TTL_DOC, NULL },

    /* html */
    { "/html",                N_HTML,         NT_DIR,  0555, { 0 }, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/html/https",          N_HTML_PROTO,   NT_DIR,  0555, { .proto = "https" }, NULL, V_SPECIAL,
      TTL_DOC, NULL },
    { "/html/https/example.com", N_HTML_HOST, NT_DIR,  0555,
      { .proto = "https", .host = "example.com" }, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/html/https/example.com/index.html", N_HTML_PAGE, NT_FILE, 0444,
      { .proto = "https", .host = "example.com", .name = "index.html" },
      "/webrobot/api/html/{U}/{X}", V_RAW, TTL_DOC, NULL },
};

static void expect_id(const char *what, const char *path, const char *got, const char *want)
{
    if (!want)
        cr_expect_null(got, "%s: %s should be NULL, got \"%s\"", path, what, got ? got : "");
    else
        cr_expect(got && strcmp(got, want) == 0, "%s: %s should be \"%s\", got \"%s\"",
                  path, what, want, got ? got : "(null)");
}

static void expect_ids(const char *path, const struct route *r, const struct ids *want)
{
    expect_id("project", path, r->project, want->project);
    expect_id("job", path, r->job, want->job);
    expect_id("exec", path, r->exec, want->exec);
    expect_id("task", path, r->task, want->task);
    expect_id("table", path, r->table, want->table);
    expect_id("record", path, r->record, want->record);
    expect_id("proto", path, r->proto, want->proto);
    expect_id("host", path, r->host, want->host);
    expect_id("name", path, r->name, want->name);
}

Test(route, should_resolve_every_path_shape_to_its_kind_type_mode_and_ids)
{
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        const struct shape *s = &shapes[i];
        struct route r;
        int rc = route_resolve(s->path, &r);
        cr_assert_eq(rc, 0, "%s: rc %d", s->path, rc);
        cr_expect_eq(r.kind, s->kind, "%s: kind %d, want %d", s->path, r.kind, s->kind);
        cr_expect_eq(r.type, s->type, "%s: type %d, want %d", s->path, r.type, s->type);
        cr_expect_eq(r.mode, s->mode, "%s: mode %o, want %o", s->path, (unsigned)r.mode,
                     (unsigned)s->mode);
        cr_expect_eq(route_type(r.kind), s->type, "%s: route_type disagrees", s->path);
        expect_ids(s->path, &r, &s->id);
        route_free(&r);
    }
}

Test(route, should_carry_the_endpoint_view_ttl_and_field_of_every_shape)
{
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        const struct shape *s = &shapes[i];
        struct route r;
        cr_assert_eq(route_resolve(s->path, &r), 0, "%s", s->path);
        expect_id("get", s->path, r.get, s->get);
        cr_expect_eq(r.view, s->view, "%s: view %d, want %d", s->path, r.view, s->view);
        cr_expect_eq(r.ttl, s->ttl, "%s: ttl %d, want %d", s->path, r.ttl, s->ttl);
        expect_id("field", s->path, r.field, s->field);
        route_free(&r);
    }
}

Test(route, should_have_a_shape_row_for_every_node_kind)
{
    /* Keeps the table above complete as kinds are added. */
    for (int k = 0; k < N_KIND_COUNT; k++) {
        int seen = 0;
        for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
            seen |= (int)shapes[i].kind == k;
        cr_expect(seen, "node kind %d has no row in the shape table", k);
    }
}

Test(route, should_make_by_name_entries_links)
{
    struct route r;
    cr_assert_eq(route_resolve("/projects/by-name/My Project", &r), 0);
    cr_expect_eq(r.kind, N_BYNAME_LINK);
    cr_expect_eq(r.type, NT_LINK);
    cr_expect_str_eq(r.name, "My Project");
    cr_expect_null(r.project);
    route_free(&r);
}

Test(route, should_decode_encoded_ids)
{
    struct route r;
    cr_assert_eq(route_resolve("/projects/a%2Fb/jobs/%2E./executions/%6Catest/status", &r), 0);
    cr_expect_eq(r.kind, N_EXEC_STATUS);
    cr_expect_str_eq(r.project, "a/b");
    cr_expect_str_eq(r.job, "..");
    cr_expect_str_eq(r.exec, "latest");
    route_free(&r);

    cr_assert_eq(route_resolve("/projects/100%25/jobs/x%0Ay", &r), 0);
    cr_expect_str_eq(r.project, "100%");
    cr_expect_str_eq(r.job, "x\ny");
    route_free(&r);

    cr_assert_eq(route_resolve("/projects/by-name/%62y-name", &r), 0);
    cr_expect_eq(r.kind, N_BYNAME_LINK);
    cr_expect_str_eq(r.name, "by-name");
    route_free(&r);

    cr_assert_eq(route_resolve("/projects/p/jobs/j/tasks/%2E./stop", &r), 0);
    cr_expect_eq(r.kind, N_TASK_STOP);
    cr_expect_str_eq(r.task, "..");
    route_free(&r);

    cr_assert_eq(route_resolve("/tables/a%2Fb/x%0Ay.json", &r), 0);
    cr_expect_eq(r.kind, N_RECORD);
    cr_expect_str_eq(r.table, "a/b");
    cr_expect_str_eq(r.record, "x\ny");
    route_free(&r);

    cr_assert_eq(route_resolve("/datasets/%6Catest.json", &r), 0);
    cr_expect_eq(r.kind, N_DATASET);
    cr_expect_str_eq(r.record, "latest");
    route_free(&r);

    cr_assert_eq(route_resolve("/html/a%2Fb/h%25t/p%41ge", &r), 0);
    cr_expect_eq(r.kind, N_HTML_PAGE);
    cr_expect_str_eq(r.proto, "a/b");
    cr_expect_str_eq(r.host, "h%t");
    cr_expect_str_eq(r.name, "p%41ge");     /* page names are kept as they are */
    route_free(&r);
}

Test(route, should_resolve_json_names_in_a_table_to_records_and_others_to_scratch)
{
    struct route r;
    cr_assert_eq(route_resolve("/tables/products/5.json", &r), 0);
    cr_expect_eq(r.kind, N_RECORD);
    cr_expect_str_eq(r.table, "products");
    cr_expect_str_eq(r.record, "5");
    cr_expect_null(r.name);
    route_free(&r);

    /* no ".json": a scratch file, the name kept whole */
    static const char *const scratch[] = { "5", "5.jsonx", "5.JSON", ".json", "5.json~",
                                           ".5.json.swp", "5.json.tmp" };
    for (size_t i = 0; i < sizeof(scratch) / sizeof(scratch[0]); i++) {
        char path[128];
        snprintf(path, sizeof(path), "/tables/products/%s", scratch[i]);
        cr_assert_eq(route_resolve(path, &r), 0, "%s", path);
        cr_expect_eq(r.kind, N_SCRATCH, "%s: kind %d, want N_SCRATCH", path, r.kind);
        cr_expect_null(r.record, "%s: no record id", path);
        expect_id("table", path, r.table, "products");
        expect_id("name", path, r.name, scratch[i]);
        route_free(&r);
    }
}

Test(route, should_not_make_a_record_of_a_name_that_is_not_a_valid_encoding)
{
    /* "%zz" is no id, "%" is the empty id, "latest" is spelled "%6Catest"
     * and "aA" "aA": none of these names a record. In a table directory
     * such a name matches nothing else, so it is a scratch file. */
    static const char *const names[] = { "%zz.json", "%.json", "latest.json", "a%41.json",
                                         "%00.json" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char path[128];
        struct route r;
        snprintf(path, sizeof(path), "/tables/products/%s", names[i]);
        cr_assert_eq(route_resolve(path, &r), 0, "%s", path);
        cr_expect_eq(r.kind, N_SCRATCH, "%s: kind %d, want N_SCRATCH", path, r.kind);
        cr_expect_null(r.record, "%s: record id", path);
        expect_id("table", path, r.table, "products");
        expect_id("name", path, r.name, names[i]);
        route_free(&r);
        /* in a read-only collection there is no scratch to fall back to */
        snprintf(path, sizeof(path), "/datasets/%s", names[i]);
        cr_expect_eq(route_resolve(path, &r), -ENOENT, "%s should be ENOENT", path);
    }
}

Test(route, should_keep_scratch_names_as_they_are)
{
    struct route r;
    cr_assert_eq(route_resolve("/projects/98/.project.json.swp", &r), 0);
    cr_expect_eq(r.kind, N_SCRATCH);
    cr_expect_eq(r.type, NT_FILE);
    cr_expect_eq(r.mode, 0644);
    cr_expect_str_eq(r.project, "98");
    cr_expect_str_eq(r.name, ".project.json.swp");
    cr_expect_null(r.get);
    route_free(&r);

    /* literal names win over scratch */
    cr_assert_eq(route_resolve("/projects/98/jobs", &r), 0);
    cr_expect_eq(r.kind, N_JOBS);
    route_free(&r);
    cr_assert_eq(route_resolve("/projects/98/jobs/210/tasks", &r), 0);
    cr_expect_eq(r.kind, N_TASKS);
    route_free(&r);

    /* the directory ids around a scratch name are still decoded */
    cr_assert_eq(route_resolve("/projects/a%2Fb/jobs/%2E./x.tmp", &r), 0);
    cr_expect_eq(r.kind, N_SCRATCH);
    cr_expect_str_eq(r.project, "a/b");
    cr_expect_str_eq(r.job, "..");
    cr_expect_str_eq(r.name, "x.tmp");
    route_free(&r);
}

Test(route, should_refuse_scratch_names_in_directories_with_bad_ids)
{
    static const char *const bad[] = {
        "/projects/a%41/x.swp",
        "/projects/latest/x.swp",
        "/projects/p/jobs/%zz/x.swp",
        "/tables/a%41/x.tmp",
        "/tables/%/x.tmp",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct route r;
        cr_expect_eq(route_resolve(bad[i], &r), -ENOENT, "\"%s\" should be ENOENT", bad[i]);
    }
}

Test(route, should_resolve_task_control_files_write_only)
{
    struct route r;
    cr_assert_eq(route_resolve("/projects/98/jobs/210/tasks/7001/start", &r), 0);
    cr_expect_eq(r.kind, N_TASK_START);
    cr_expect_eq(r.type, NT_FILE);
    cr_expect_eq(r.mode, 0200);
    cr_expect_str_eq(r.project, "98");
    cr_expect_str_eq(r.job, "210");
    cr_expect_str_eq(r.task, "7001");
    route_free(&r);
}

Test(route, should_resolve_html_pages_with_proto_host_and_name)
{
    struct route r;
    cr_assert_eq(route_resolve("/html/https/example.com/index.html", &r), 0);
    cr_expect_eq(r.kind, N_HTML_PAGE);
    cr_expect_eq(r.type, NT_FILE);
    cr_expect_eq(r.mode, 0444);
    cr_expect_str_eq(r.proto, "https");
    cr_expect_str_eq(r.host, "example.com");
    cr_expect_str_eq(r.name, "index.html");
    route_free(&r);
}

Test(route, should_resolve_spark_documents_to_their_endpoints)
{
    struct route r;
    cr_assert_eq(route_resolve("/cloud/spark/info.json", &r), 0);
    cr_expect_eq(r.kind, N_SPARK_DOC);
    cr_expect_str_eq(r.get, "/webrobot/cloud/spark/info");
    cr_expect_eq(r.view, V_JSON);
    route_free(&r);
}

Test(route, should_resolve_collection_items_from_json_names)
{
    struct route r;
    cr_assert_eq(route_resolve("/datasets/12.json", &r), 0);
    cr_expect_eq(r.kind, N_DATASET);
    cr_expect_str_eq(r.record, "12");
    cr_expect_null(r.name);
    route_free(&r);
    cr_expect_eq(route_resolve("/datasets/12", &r), -ENOENT);
    cr_expect_eq(route_resolve("/agents/a7", &r), -ENOENT);
    cr_expect_eq(route_resolve("/categories/3.json.swp", &r), -ENOENT);
    cr_expect_eq(route_resolve("/cloud/scheduler/cronjobs/nightly", &r), -ENOENT);
}

Test(route, should_prefer_literal_latest_over_an_execution_id)
{
    struct route r;
    cr_assert_eq(route_resolve("/projects/p/jobs/j/executions/latest", &r), 0);
    cr_expect_eq(r.kind, N_LATEST);
    cr_expect_null(r.exec);
    route_free(&r);
}

Test(route, should_refuse_unknown_paths_with_enoent)
{
    static const char *const bad[] = {
        "/nope",
        "/health/x",
        "/projects/p1/jobs/j1/executions/nope/x",
        "/projects/p1/jobs/j1/executions/e1/nope",
        "/projects/p1/jobs/j1/executions/latest/x",
        "/projects/p1/jobs/j1/executions/e1/logs/nope",
        "/projects/p1/jobs/j1/executions/e1/logs/driver/x",
        "/projects/by-name/x/y",
        "/projects/p1/project.json/x",
        "/projects/p1/nope/x",
        "/projects/p1/jobs/j1/nope/x",
        "/projects/p1/jobs/j1/tasks/t1/nope",
        "/projects/p1/jobs/j1/tasks/t1/start/x",
        "/projects/p1/jobs/j1/tasks/t1/task.json/x",
        "/tables/t/5.json/x",
        "/tables/t/x.tmp/y",
        "/datasets/12.json/x",
        "/datasets/nope",
        "/agents/nope",
        "/categories/nope",
        "/cloud/nope",
        "/cloud/spark/nope.json",
        "/cloud/training/capabilities.json",
        "/cloud/scheduler/nope",
        "/cloud/scheduler/cronjobs/x.json/y",
        "/html/https/example.com/a/b.html",
        "/tables/t/a/b",
        "relative/path",
        "",
        "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct route r;
        cr_expect_eq(route_resolve(bad[i], &r), -ENOENT, "\"%s\" should be ENOENT", bad[i]);
    }
}

Test(route, should_refuse_over_long_component_with_enametoolong)
{
    char name[300];
    memset(name, 'a', sizeof(name));
    name[256] = '\0';          /* 256 bytes: one more than NAME_MAX */
    char path[400];
    snprintf(path, sizeof(path), "/projects/%s", name);
    struct route r;
    cr_expect_eq(route_resolve(path, &r), -ENAMETOOLONG);

    snprintf(path, sizeof(path), "/projects/p/jobs/%s/status", name);
    cr_expect_eq(route_resolve(path, &r), -ENAMETOOLONG);

    name[255] = '\0';          /* 255 bytes: short enough for the kernel, but ids */
    snprintf(path, sizeof(path), "/projects/%s", name);  /* that long are named "~<hash>" */
    cr_expect_eq(route_resolve(path, &r), -ENOENT);

    name[240] = '\0';          /* 240 bytes is a name as it is */
    snprintf(path, sizeof(path), "/projects/%s", name);
    cr_assert_eq(route_resolve(path, &r), 0);
    cr_expect_eq(strlen(r.project), 240);
    route_free(&r);
}

Test(route, should_refuse_non_canonical_encodings_with_enoent)
{
    static const char *const bad[] = {
        "/projects/a%41",               /* "aA" is spelled "aA" */
        "/projects/%zz",                /* bad hex */
        "/projects/%00",                /* decoded NUL */
        "/projects/%4",                 /* truncated escape */
        "/projects/a%",                 /* lone % at the end */
        "/projects/%2f",                /* lower-case hex is not what encode emits */
        "/projects/latest",             /* reserved names are encoded */
        "/projects/p/jobs/j/executions/%2E%2E",
        "/projects/by-name/by-name",
        "/projects/p/jobs/%25%",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct route r;
        cr_expect_eq(route_resolve(bad[i], &r), -ENOENT, "\"%s\" should be ENOENT", bad[i]);
    }
}

Test(route, should_leave_route_untouched_on_error)
{
    struct route r;
    memset(&r, 0x5a, sizeof(r));
    struct route copy = r;
    cr_assert_eq(route_resolve("/projects/a%41", &r), -ENOENT);
    cr_expect_eq(memcmp(&r, &copy, sizeof(r)), 0);
}

struct child_list {
    const char *names[32];
    enum node_kind kinds[32];
    int n;
};

static void collect_child(void *arg, const char *name, enum node_kind kind)
{
    struct child_list *l = arg;
    cr_assert_lt(l->n, 32);
    l->names[l->n] = name;
    l->kinds[l->n] = kind;
    l->n++;
}

static void expect_children(enum node_kind dir, const char *const *names,
                            const enum node_kind *kinds, int n)
{
    struct child_list l = { .n = 0 };
    route_fixed_children(dir, collect_child, &l);
    cr_assert_eq(l.n, n, "directory kind %d: %d children, want %d", dir, l.n, n);
    for (int i = 0; i < n; i++) {
        int found = -1;
        for (int k = 0; k < l.n; k++)
            if (strcmp(l.names[k], names[i]) == 0)
                found = k;
        cr_assert_geq(found, 0, "directory kind %d: missing child %s", dir, names[i]);
        cr_expect_eq(l.kinds[found], kinds[i], "child %s: kind %d, want %d", names[i],
                     l.kinds[found], kinds[i]);
    }
}

Test(route, should_list_exactly_the_literal_children_of_a_project)
{
    static const char *const names[] = { "project.json", "schedule.json", "metrics.json", "jobs" };
    static const enum node_kind kinds[] = { N_PROJECT_JSON, N_SCHEDULE_JSON, N_PROJECT_METRICS,
                                            N_JOBS };
    expect_children(N_PROJECT, names, kinds, 4);
}

Test(route, should_list_exactly_the_literal_children_of_every_directory)
{
    {
        static const char *const names[] = { "health", ".stats", ".stats.prom", "projects",
                                             "tables", "datasets", "agents", "categories",
                                             "cloud", "html" };
        static const enum node_kind kinds[] = { N_HEALTH, N_STATS, N_STATS_PROM, N_PROJECTS,
                                                N_TABLES, N_DATASETS, N_AGENTS, N_CATEGORIES,
                                                N_CLOUD, N_HTML };
        expect_children(N_ROOT, names, kinds, 10);
    }
    {
        static const char *const names[] = { "by-name" };
        static const enum node_kind kinds[] = { N_BYNAME };
        expect_children(N_PROJECTS, names, kinds, 1);
    }
    expect_children(N_BYNAME, NULL, NULL, 0);
    expect_children(N_JOBS, NULL, NULL, 0);
    {
        static const char *const names[] = { "job.json", "status", "metrics.json", "execute",
                                             "executions", "tasks" };
        static const enum node_kind kinds[] = { N_JOB_JSON, N_JOB_STATUS, N_JOB_METRICS,
                                                N_EXECUTE, N_EXECS, N_TASKS };
        expect_children(N_JOB, names, kinds, 6);
    }
    {
        static const char *const names[] = { "latest" };
        static const enum node_kind kinds[] = { N_LATEST };
        expect_children(N_EXECS, names, kinds, 1);
    }
    {
        static const char *const names[] = { "status", "status.json", "error", "wait", "logs" };
        static const enum node_kind kinds[] = { N_EXEC_STATUS, N_EXEC_STATUS_JSON, N_EXEC_ERROR,
                                                N_EXEC_WAIT, N_LOGS };
        expect_children(N_EXEC, names, kinds, 5);
    }
    {
        static const char *const names[] = { "driver", "executor", "all" };
        static const enum node_kind kinds[] = { N_LOG_DRIVER, N_LOG_EXECUTOR, N_LOG_ALL };
        expect_children(N_LOGS, names, kinds, 3);
    }
    expect_children(N_TASKS, NULL, NULL, 0);
    {
        static const char *const names[] = { "task.json", "status", "start", "stop",
                                             "metrics.json" };
        static const enum node_kind kinds[] = { N_TASK_JSON, N_TASK_STATUS, N_TASK_START,
                                                N_TASK_STOP, N_TASK_METRICS };
        expect_children(N_TASK, names, kinds, 5);
    }
    expect_children(N_TABLES, NULL, NULL, 0);
    expect_children(N_TABLE, NULL, NULL, 0);
    expect_children(N_DATASETS, NULL, NULL, 0);
    expect_children(N_AGENTS, NULL, NULL, 0);
    expect_children(N_CATEGORIES, NULL, NULL, 0);
    {
        static const char *const names[] = { "spark", "training", "scheduler" };
        static const enum node_kind kinds[] = { N_SPARK, N_TRAINING, N_SCHEDULER };
        expect_children(N_CLOUD, names, kinds, 3);
    }
    {
        static const char *const names[] = { "info.json", "health.json", "capabilities.json" };
        static const enum node_kind kinds[] = { N_SPARK_DOC, N_SPARK_DOC, N_SPARK_DOC };
        expect_children(N_SPARK, names, kinds, 3);
    }
    {
        static const char *const names[] = { "info.json", "health.json" };
        static const enum node_kind kinds[] = { N_TRAINING_DOC, N_TRAINING_DOC };
        expect_children(N_TRAINING, names, kinds, 2);
    }
    {
        static const char *const names[] = { "cronjobs" };
        static const enum node_kind kinds[] = { N_CRONJOBS };
        expect_children(N_SCHEDULER, names, kinds, 1);
    }
    expect_children(N_CRONJOBS, NULL, NULL, 0);
    expect_children(N_HTML, NULL, NULL, 0);
    expect_children(N_HTML_PROTO, NULL, NULL, 0);
    expect_children(N_HTML_HOST, NULL, NULL, 0);
}

Test(route, should_list_no_children_for_files_and_links)
{
    expect_children(N_HEALTH, NULL, NULL, 0);
    expect_children(N_EXEC_STATUS, NULL, NULL, 0);
    expect_children(N_LATEST, NULL, NULL, 0);
    expect_children(N_BYNAME_LINK, NULL, NULL, 0);
    expect_children(N_SCRATCH, NULL, NULL, 0);
    expect_children(N_RECORD, NULL, NULL, 0);
    expect_children(N_TASK_START, NULL, NULL, 0);
    expect_children(N_SPARK_DOC, NULL, NULL, 0);
    expect_children(N_CRONJOB, NULL, NULL, 0);
    expect_children(N_HTML_PAGE, NULL, NULL, 0);
}

Test(route, should_report_the_type_of_every_kind)
{
    cr_expect_eq(route_type(N_ROOT), NT_DIR);
    cr_expect_eq(route_type(N_LOGS), NT_DIR);
    cr_expect_eq(route_type(N_LATEST), NT_LINK);
    cr_expect_eq(route_type(N_BYNAME_LINK), NT_LINK);
    cr_expect_eq(route_type(N_EXECUTE), NT_FILE);
    cr_expect_eq(route_type(N_LOG_ALL), NT_FILE);
    cr_expect_eq(route_type(N_SCRATCH), NT_FILE);
    cr_expect_eq(route_type(N_TABLE), NT_DIR);
    cr_expect_eq(route_type(N_RECORD), NT_FILE);
    cr_expect_eq(route_type(N_HTML_HOST), NT_DIR);
    cr_expect_eq(route_type(N_HTML_PAGE), NT_FILE);
}
