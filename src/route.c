/* The tree's shape as a table: see route.h. A pattern segment "*X" captures
 * a name into the route: P project, J job, E execution, K task, T table,
 * N project name (by-name), X protocol and H host (html/) are decoded ids;
 * R is a decoded id written "<id>.json"; S (scratch file) and G (html
 * page) keep the name as it is. Any other segment must match literally.
 * The first matching row wins, so literal rows come before capturing rows
 * at the same depth. */
#include "route.h"
#include "names.h"
#include "xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node_def {
    const char *pattern;
    enum node_kind kind;
    enum node_type type;
    mode_t mode;
    const char *get;        /* GET endpoint template: {P} {J} {K} {T} {R} {X} {U} */
    enum node_view view;
    enum ttl_class ttl;
    const char *field;
};

#define API "/webrobot/api"
#define PRJ "/projects/*P"
#define JOB PRJ "/jobs/*J"
#define TASK JOB "/tasks/*K"
#define EXEC_DIR JOB "/executions/*E"
#define P_API API "/projects/id/{P}"
#define J_API P_API "/jobs/{J}"
#define K_API J_API "/tasks/{K}"
static const struct node_def nodes[] = {
    { "/",                         N_ROOT,            NT_DIR,  0555, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/health",                   N_HEALTH,          NT_FILE, 0444, "/health", V_RAW, TTL_DOC, NULL },
    { "/.stats",                   N_STATS,           NT_FILE, 0444, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/.stats.prom",              N_STATS_PROM,      NT_FILE, 0444, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/projects",                 N_PROJECTS,        NT_DIR,  0555, API "/projects", V_SPECIAL, TTL_LIST, "id" },
    { "/projects/by-name",         N_BYNAME,          NT_DIR,  0555, NULL, V_SPECIAL, TTL_LIST, NULL },
    { "/projects/by-name/*N",      N_BYNAME_LINK,     NT_LINK, 0777, NULL, V_SPECIAL, TTL_LIST, NULL },
    { PRJ,                         N_PROJECT,         NT_DIR,  0755, P_API, V_SPECIAL, TTL_DOC, NULL },
    { PRJ "/project.json",         N_PROJECT_JSON,    NT_FILE, 0644, P_API, V_JSON, TTL_DOC, NULL },
    { PRJ "/schedule.json",        N_SCHEDULE_JSON,   NT_FILE, 0644, P_API "/schedule", V_JSON, TTL_DOC, NULL },
    { PRJ "/metrics.json",         N_PROJECT_METRICS, NT_FILE, 0444, P_API "/metrics", V_JSON, TTL_DOC, NULL },
    { PRJ "/jobs",                 N_JOBS,            NT_DIR,  0555, P_API "/jobs", V_SPECIAL, TTL_LIST, "id" },
    { JOB,                         N_JOB,             NT_DIR,  0755, J_API, V_SPECIAL, TTL_DOC, NULL },
    { JOB "/job.json",             N_JOB_JSON,        NT_FILE, 0644, J_API, V_JSON, TTL_DOC, NULL },
    { JOB "/status",               N_JOB_STATUS,      NT_FILE, 0444, J_API, V_WORD, TTL_DOC, "executionStatus" },
    { JOB "/metrics.json",         N_JOB_METRICS,     NT_FILE, 0444, J_API "/metrics", V_JSON, TTL_DOC, NULL },
    { JOB "/execute",              N_EXECUTE,         NT_FILE, 0200, J_API, V_SPECIAL, TTL_DOC, NULL },
    { JOB "/executions",           N_EXECS,           NT_DIR,  0555, J_API, V_SPECIAL, TTL_DOC, NULL },
    { JOB "/executions/latest",    N_LATEST,          NT_LINK, 0777, NULL, V_SPECIAL, TTL_DOC, NULL },
    { EXEC_DIR,                    N_EXEC,            NT_DIR,  0555, NULL, V_SPECIAL, TTL_RUNNING, NULL },
    { EXEC_DIR "/status",          N_EXEC_STATUS,     NT_FILE, 0444, NULL, V_SPECIAL, TTL_RUNNING, NULL },
    { EXEC_DIR "/status.json",     N_EXEC_STATUS_JSON, NT_FILE, 0444, NULL, V_SPECIAL, TTL_RUNNING, NULL },
    { EXEC_DIR "/error",           N_EXEC_ERROR,      NT_FILE, 0444, NULL, V_SPECIAL, TTL_RUNNING, NULL },
    { EXEC_DIR "/wait",            N_EXEC_WAIT,       NT_FILE, 0444, NULL, V_SPECIAL, TTL_RUNNING, NULL },
    { EXEC_DIR "/logs",            N_LOGS,            NT_DIR,  0555, NULL, V_SPECIAL, TTL_RUNNING, NULL },
    { EXEC_DIR "/logs/driver",     N_LOG_DRIVER,      NT_FILE, 0444, NULL, V_SPECIAL, TTL_RUNNING, NULL },
    { EXEC_DIR "/logs/executor",   N_LOG_EXECUTOR,    NT_FILE, 0444, NULL, V_SPECIAL, TTL_RUNNING, NULL },
    { EXEC_DIR "/logs/all",        N_LOG_ALL,         NT_FILE, 0444, NULL, V_SPECIAL, TTL_RUNNING, NULL },
    { JOB "/tasks",                N_TASKS,           NT_DIR,  0555, J_API "/tasks", V_SPECIAL, TTL_LIST, "id" },
    { TASK,                        N_TASK,            NT_DIR,  0555, K_API, V_SPECIAL, TTL_DOC, NULL },
    { TASK "/task.json",           N_TASK_JSON,       NT_FILE, 0444, K_API, V_JSON, TTL_DOC, NULL },
    { TASK "/status",              N_TASK_STATUS,     NT_FILE, 0444, K_API "/status", V_WORD, TTL_RUNNING, "executionStatus" },
    { TASK "/start",               N_TASK_START,      NT_FILE, 0200, K_API, V_SPECIAL, TTL_DOC, NULL },
    { TASK "/stop",                N_TASK_STOP,       NT_FILE, 0200, K_API, V_SPECIAL, TTL_DOC, NULL },
    { TASK "/metrics.json",        N_TASK_METRICS,    NT_FILE, 0444, K_API "/metrics", V_JSON, TTL_DOC, NULL },
    { PRJ "/*S",                   N_SCRATCH,         NT_FILE, 0644, NULL, V_SPECIAL, TTL_DOC, NULL },
    { JOB "/*S",                   N_SCRATCH,         NT_FILE, 0644, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/tables",                   N_TABLES,          NT_DIR,  0555, NULL, V_SPECIAL, TTL_LIST, NULL },
    { "/tables/*T",                N_TABLE,           NT_DIR,  0755, "/api/strapi-tables/{T}", V_SPECIAL, TTL_LIST, NULL },
    { "/tables/*T/*R",             N_RECORD,          NT_FILE, 0644, "/api/strapi-tables/{T}/{R}", V_JSON, TTL_DOC, NULL },
    { "/tables/*T/*S",             N_SCRATCH,         NT_FILE, 0644, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/datasets",                 N_DATASETS,        NT_DIR,  0555, API "/datasets", V_SPECIAL, TTL_LIST, "id" },
    { "/datasets/*R",              N_DATASET,         NT_FILE, 0444, API "/datasets/{R}", V_JSON, TTL_DOC, NULL },
    { "/agents",                   N_AGENTS,          NT_DIR,  0555, API "/agents", V_SPECIAL, TTL_LIST, "id" },
    { "/agents/*R",                N_AGENT,           NT_FILE, 0444, API "/agents/{R}", V_JSON, TTL_DOC, NULL },
    { "/categories",               N_CATEGORIES,      NT_DIR,  0555, API "/categories", V_SPECIAL, TTL_LIST, "id" },
    { "/categories/*R",            N_CATEGORY,        NT_FILE, 0444, API "/categories/id/{R}", V_JSON, TTL_DOC, NULL },
    { "/cloud",                    N_CLOUD,           NT_DIR,  0555, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/cloud/spark",              N_SPARK,           NT_DIR,  0555, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/cloud/spark/info.json",    N_SPARK_DOC,       NT_FILE, 0444, "/webrobot/cloud/spark/info", V_JSON, TTL_DOC, NULL },
    { "/cloud/spark/health.json",  N_SPARK_DOC,       NT_FILE, 0444, "/webrobot/cloud/spark/health", V_JSON, TTL_DOC, NULL },
    { "/cloud/spark/capabilities.json", N_SPARK_DOC,  NT_FILE, 0444, "/webrobot/cloud/spark/capabilities", V_JSON, TTL_DOC, NULL },
    { "/cloud/training",           N_TRAINING,        NT_DIR,  0555, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/cloud/training/info.json", N_TRAINING_DOC,    NT_FILE, 0444, "/webrobot/cloud/training/info", V_JSON, TTL_DOC, NULL },
    { "/cloud/training/health.json", N_TRAINING_DOC,  NT_FILE, 0444, "/webrobot/cloud/training/health", V_JSON, TTL_DOC, NULL },
    { "/cloud/scheduler",          N_SCHEDULER,       NT_DIR,  0555, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/cloud/scheduler/cronjobs", N_CRONJOBS,        NT_DIR,  0555, "/webrobot/cloud/scheduler/cronjobs", V_SPECIAL, TTL_LIST, "name" },
    { "/cloud/scheduler/cronjobs/*R", N_CRONJOB,      NT_FILE, 0444, "/webrobot/cloud/scheduler/cronjobs/{R}", V_JSON, TTL_DOC, NULL },
    { "/html",                     N_HTML,            NT_DIR,  0555, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/html/*X",                  N_HTML_PROTO,      NT_DIR,  0555, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/html/*X/*H",               N_HTML_HOST,       NT_DIR,  0555, NULL, V_SPECIAL, TTL_DOC, NULL },
    { "/html/*X/*H/*G",            N_HTML_PAGE,       NT_FILE, 0444, API "/html/{U}/{X}", V_RAW, TTL_DOC, NULL },
};
#define NODE_COUNT (sizeof(nodes) / sizeof(nodes[0]))

#define MAX_SEGMENTS 16
#define MAX_NAME 255

/* The table's patterns split into segments once, at first use. */
struct compiled_row {
    int nseg;
    char seg[MAX_SEGMENTS][32];
};
static struct compiled_row compiled[NODE_COUNT];
static pthread_once_t compiled_once = PTHREAD_ONCE_INIT;

/* Split "/a/b/c" in place into segments; returns the count or -1. */
static int split(char *path, char **seg, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *p = strtok_r(path, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
        if (n == max)
            return -1;
        seg[n++] = p;
    }
    return n;
}

static void compile_table(void)
{
    for (size_t i = 0; i < NODE_COUNT; i++) {
        char pat[256];
        char *seg[MAX_SEGMENTS];
        snprintf(pat, sizeof(pat), "%s", nodes[i].pattern);
        compiled[i].nseg = split(pat, seg, MAX_SEGMENTS);
        for (int k = 0; k < compiled[i].nseg; k++)
            snprintf(compiled[i].seg[k], sizeof(compiled[i].seg[k]), "%s", seg[k]);
    }
}

static char **capture_slot(struct route *r, char tag)
{
    switch (tag) {
    case 'P': return &r->project;
    case 'J': return &r->job;
    case 'E': return &r->exec;
    case 'N': return &r->name;
    case 'K': return &r->task;
    case 'T': return &r->table;
    case 'R': return &r->record;
    case 'X': return &r->proto;
    case 'H': return &r->host;
    case 'S':
    case 'G': return &r->name;
    default: return NULL;
    }
}

/* The value a capturing segment holds: ids are decoded from their file
 * names ("R" ids from "<name>.json"); scratch and page names ("S", "G")
 * are kept as they are. NULL when the name is not a valid encoding. */
static char *capture(char tag, const char *seg)
{
    if (tag == 'S' || tag == 'G')
        return xstrdup(seg);
    if (tag == 'R') {
        size_t n = strlen(seg);
        if (n <= 5 || strcmp(seg + n - 5, ".json") != 0)
            return NULL;
        char *base = xstrndup(seg, n - 5);
        char *id = names_decode(base);
        free(base);
        return id;
    }
    return names_decode(seg);
}

/* Try one table row against the segments; fills r on success. Literal
 * segments are compared first, so ids are decoded only for the row that
 * matches. */
static int match_row(size_t row, char **seg, int nseg, struct route *r)
{
    const struct compiled_row *c = &compiled[row];
    if (c->nseg != nseg)
        return 0;
    for (int i = 0; i < nseg; i++)
        if (c->seg[i][0] != '*' && strcmp(c->seg[i], seg[i]) != 0)
            return 0;
    memset(r, 0, sizeof(*r));
    for (int i = 0; i < nseg; i++) {
        if (c->seg[i][0] != '*')
            continue;
        char *id = capture(c->seg[i][1], seg[i]);
        if (!id || !*id) {      /* an empty id has no URL of its own */
            free(id);
            route_free(r);
            return 0;
        }
        char **slot = capture_slot(r, c->seg[i][1]);
        free(*slot);
        *slot = id;
    }
    r->kind = nodes[row].kind;
    r->type = nodes[row].type;
    r->mode = nodes[row].mode;
    r->get = nodes[row].get;
    r->view = nodes[row].view;
    r->ttl = nodes[row].ttl;
    r->field = nodes[row].field;
    return 1;
}

int route_resolve(const char *path, struct route *r)
{
    if (path[0] != '/')
        return -ENOENT;
    size_t len = strlen(path);
    if (len >= 4096)
        return -ENAMETOOLONG;
    pthread_once(&compiled_once, compile_table);
    char copy[4096];
    memcpy(copy, path, len + 1);
    char *seg[MAX_SEGMENTS];
    int nseg = split(copy, seg, MAX_SEGMENTS);
    if (nseg < 0)
        return -ENOENT;
    for (int i = 0; i < nseg; i++)
        if (strlen(seg[i]) > MAX_NAME)
            return -ENAMETOOLONG;
    for (size_t i = 0; i < NODE_COUNT; i++) {
        struct route tmp;
        if (match_row(i, seg, nseg, &tmp)) {
            *r = tmp;
            return 0;
        }
    }
    return -ENOENT;
}

void route_free(struct route *r)
{
    char **ids[] = { &r->project, &r->job, &r->exec, &r->task, &r->table,
                     &r->record, &r->proto, &r->host, &r->name };
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        free(*ids[i]);
        *ids[i] = NULL;
    }
}

static const struct node_def *def_of(enum node_kind kind)
{
    for (size_t i = 0; i < NODE_COUNT; i++)
        if (nodes[i].kind == kind)
            return &nodes[i];
    return NULL;
}

void route_fixed_children(enum node_kind dir,
                          void (*fn)(void *arg, const char *name, enum node_kind kind),
                          void *arg)
{
    const struct node_def *parent = def_of(dir);
    if (!parent || parent->type != NT_DIR)
        return;
    const char *ppat = strcmp(parent->pattern, "/") == 0 ? "" : parent->pattern;
    size_t plen = strlen(ppat);
    for (size_t i = 0; i < NODE_COUNT; i++) {
        const char *pat = nodes[i].pattern;
        if (strncmp(pat, ppat, plen) != 0 || pat[plen] != '/')
            continue;
        const char *rest = pat + plen + 1;
        if (*rest == '\0' || *rest == '*' || strchr(rest, '/'))
            continue;
        fn(arg, rest, nodes[i].kind);
    }
}

enum node_type route_type(enum node_kind kind)
{
    const struct node_def *d = def_of(kind);
    return d ? d->type : NT_FILE;
}
