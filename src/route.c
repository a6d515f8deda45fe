/* The tree's shape as a table: see route.h. A pattern segment "*P", "*J",
 * "*E" or "*N" captures a project id, job id, execution id or project name;
 * any other segment must match literally. The first matching row wins, so
 * literal rows come before capturing rows at the same depth. */
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
};

#define EXEC_DIR "/projects/*P/jobs/*J/executions/*E"
static const struct node_def nodes[] = {
    { "/",                                    N_ROOT,            NT_DIR,  0555 },
    { "/health",                              N_HEALTH,          NT_FILE, 0444 },
    { "/.stats",                              N_STATS,           NT_FILE, 0444 },
    { "/.stats.prom",                         N_STATS_PROM,      NT_FILE, 0444 },
    { "/projects",                            N_PROJECTS,        NT_DIR,  0555 },
    { "/projects/by-name",                    N_BYNAME,          NT_DIR,  0555 },
    { "/projects/by-name/*N",                 N_BYNAME_LINK,     NT_LINK, 0777 },
    { "/projects/*P",                         N_PROJECT,         NT_DIR,  0555 },
    { "/projects/*P/project.json",            N_PROJECT_JSON,    NT_FILE, 0444 },
    { "/projects/*P/schedule.json",           N_SCHEDULE_JSON,   NT_FILE, 0444 },
    { "/projects/*P/metrics.json",            N_PROJECT_METRICS, NT_FILE, 0444 },
    { "/projects/*P/jobs",                    N_JOBS,            NT_DIR,  0555 },
    { "/projects/*P/jobs/*J",                 N_JOB,             NT_DIR,  0555 },
    { "/projects/*P/jobs/*J/job.json",        N_JOB_JSON,        NT_FILE, 0444 },
    { "/projects/*P/jobs/*J/status",          N_JOB_STATUS,      NT_FILE, 0444 },
    { "/projects/*P/jobs/*J/metrics.json",    N_JOB_METRICS,     NT_FILE, 0444 },
    { "/projects/*P/jobs/*J/execute",         N_EXECUTE,         NT_FILE, 0200 },
    { "/projects/*P/jobs/*J/executions",      N_EXECS,           NT_DIR,  0555 },
    { "/projects/*P/jobs/*J/executions/latest", N_LATEST,        NT_LINK, 0777 },
    { EXEC_DIR,                               N_EXEC,            NT_DIR,  0555 },
    { EXEC_DIR "/status",                     N_EXEC_STATUS,     NT_FILE, 0444 },
    { EXEC_DIR "/status.json",                N_EXEC_STATUS_JSON, NT_FILE, 0444 },
    { EXEC_DIR "/error",                      N_EXEC_ERROR,      NT_FILE, 0444 },
    { EXEC_DIR "/wait",                       N_EXEC_WAIT,       NT_FILE, 0444 },
    { EXEC_DIR "/logs",                       N_LOGS,            NT_DIR,  0555 },
    { EXEC_DIR "/logs/driver",                N_LOG_DRIVER,      NT_FILE, 0444 },
    { EXEC_DIR "/logs/executor",              N_LOG_EXECUTOR,    NT_FILE, 0444 },
    { EXEC_DIR "/logs/all",                   N_LOG_ALL,         NT_FILE, 0444 },
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
    default: return NULL;
    }
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
        char *id = names_decode(seg[i]);
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
    free(r->project);
    free(r->job);
    free(r->exec);
    free(r->name);
    r->project = r->job = r->exec = r->name = NULL;
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
