/* Unit tests for route.c: every path shape of the tree resolves to the
 * right node kind, file type, mode and decoded ids; anything else is
 * refused with the errno the contract names. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"

struct shape {
    const char *path;
    enum node_kind kind;
    enum node_type type;
    mode_t mode;
    const char *project, *job, *exec, *name;
};

#define EX "/projects/p1/jobs/j1/executions/e1"

static const struct shape shapes[] = {
    { "/",                    N_ROOT,            NT_DIR,  0555, NULL, NULL, NULL, NULL },
    { "/health",              N_HEALTH,          NT_FILE, 0444, NULL, NULL, NULL, NULL },
    { "/.stats",              N_STATS,           NT_FILE, 0444, NULL, NULL, NULL, NULL },
    { "/.stats.prom",         N_STATS_PROM,      NT_FILE, 0444, NULL, NULL, NULL, NULL },
    { "/projects",            N_PROJECTS,        NT_DIR,  0555, NULL, NULL, NULL, NULL },
    { "/projects/by-name",    N_BYNAME,          NT_DIR,  0555, NULL, NULL, NULL, NULL },
    { "/projects/by-name/x",  N_BYNAME_LINK,     NT_LINK, 0777, NULL, NULL, NULL, "x" },
    { "/projects/p1",         N_PROJECT,         NT_DIR,  0555, "p1", NULL, NULL, NULL },
    { "/projects/p1/project.json",  N_PROJECT_JSON,    NT_FILE, 0444, "p1", NULL, NULL, NULL },
    { "/projects/p1/schedule.json", N_SCHEDULE_JSON,   NT_FILE, 0444, "p1", NULL, NULL, NULL },
    { "/projects/p1/metrics.json",  N_PROJECT_METRICS, NT_FILE, 0444, "p1", NULL, NULL, NULL },
    { "/projects/p1/jobs",          N_JOBS,            NT_DIR,  0555, "p1", NULL, NULL, NULL },
    { "/projects/p1/jobs/j1",       N_JOB,             NT_DIR,  0555, "p1", "j1", NULL, NULL },
    { "/projects/p1/jobs/j1/job.json",     N_JOB_JSON,    NT_FILE, 0444, "p1", "j1", NULL, NULL },
    { "/projects/p1/jobs/j1/status",       N_JOB_STATUS,  NT_FILE, 0444, "p1", "j1", NULL, NULL },
    { "/projects/p1/jobs/j1/metrics.json", N_JOB_METRICS, NT_FILE, 0444, "p1", "j1", NULL, NULL },
    { "/projects/p1/jobs/j1/execute",      N_EXECUTE,     NT_FILE, 0200, "p1", "j1", NULL, NULL },
    { "/projects/p1/jobs/j1/executions",   N_EXECS,       NT_DIR,  0555, "p1", "j1", NULL, NULL },
    { "/projects/p1/jobs/j1/executions/latest", N_LATEST, NT_LINK, 0777, "p1", "j1", NULL, NULL },
    { EX,                     N_EXEC,             NT_DIR,  0555, "p1", "j1", "e1", NULL },
    { EX "/status",           N_EXEC_STATUS,      NT_FILE, 0444, "p1", "j1", "e1", NULL },
    { EX "/status.json",      N_EXEC_STATUS_JSON, NT_FILE, 0444, "p1", "j1", "e1", NULL },
    { EX "/error",            N_EXEC_ERROR,       NT_FILE, 0444, "p1", "j1", "e1", NULL },
    { EX "/wait",             N_EXEC_WAIT,        NT_FILE, 0444, "p1", "j1", "e1", NULL },
    { EX "/logs",             N_LOGS,             NT_DIR,  0555, "p1", "j1", "e1", NULL },
    { EX "/logs/driver",      N_LOG_DRIVER,       NT_FILE, 0444, "p1", "j1", "e1", NULL },
    { EX "/logs/executor",    N_LOG_EXECUTOR,     NT_FILE, 0444, "p1", "j1", "e1", NULL },
    { EX "/logs/all",         N_LOG_ALL,          NT_FILE, 0444, "p1", "j1", "e1", NULL },
};

static void expect_id(const char *what, const char *path, const char *got, const char *want)
{
    if (!want)
        cr_expect_null(got, "%s: %s should be NULL, got \"%s\"", path, what, got ? got : "");
    else
        cr_expect(got && strcmp(got, want) == 0, "%s: %s should be \"%s\", got \"%s\"",
                  path, what, want, got ? got : "(null)");
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
        expect_id("project", s->path, r.project, s->project);
        expect_id("job", s->path, r.job, s->job);
        expect_id("exec", s->path, r.exec, s->exec);
        expect_id("name", s->path, r.name, s->name);
        route_free(&r);
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
        "/projects/p1/nope",
        "/projects/p1/jobs/j1/nope",
        "/projects/p1/jobs/j1/executions/e1/nope",
        "/projects/p1/jobs/j1/executions/e1/logs/nope",
        "/projects/p1/jobs/j1/executions/e1/logs/driver/x",
        "/projects/by-name/x/y",
        "/projects/p1/project.json/x",
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

    name[255] = '\0';          /* 255 bytes is allowed */
    snprintf(path, sizeof(path), "/projects/%s", name);
    cr_assert_eq(route_resolve(path, &r), 0);
    cr_expect_eq(strlen(r.project), 255);
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
        static const char *const names[] = { "health", ".stats", ".stats.prom", "projects" };
        static const enum node_kind kinds[] = { N_HEALTH, N_STATS, N_STATS_PROM, N_PROJECTS };
        expect_children(N_ROOT, names, kinds, 4);
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
                                             "executions" };
        static const enum node_kind kinds[] = { N_JOB_JSON, N_JOB_STATUS, N_JOB_METRICS,
                                                N_EXECUTE, N_EXECS };
        expect_children(N_JOB, names, kinds, 5);
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
}

Test(route, should_list_no_children_for_files_and_links)
{
    expect_children(N_HEALTH, NULL, NULL, 0);
    expect_children(N_EXEC_STATUS, NULL, NULL, 0);
    expect_children(N_LATEST, NULL, NULL, 0);
    expect_children(N_BYNAME_LINK, NULL, NULL, 0);
}

Test(route, should_report_the_type_of_every_kind)
{
    cr_expect_eq(route_type(N_ROOT), NT_DIR);
    cr_expect_eq(route_type(N_LOGS), NT_DIR);
    cr_expect_eq(route_type(N_LATEST), NT_LINK);
    cr_expect_eq(route_type(N_BYNAME_LINK), NT_LINK);
    cr_expect_eq(route_type(N_EXECUTE), NT_FILE);
    cr_expect_eq(route_type(N_LOG_ALL), NT_FILE);
}
