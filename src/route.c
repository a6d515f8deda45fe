/* The tree's shape as a table: see route.h. A pattern segment "*P", "*J",
 * "*E" or "*N" captures a project id, job id, execution id or project name;
 * any other segment must match literally. The first matching row wins, so
 * literal rows come before capturing rows at the same depth. */
#include "route.h"
#include "names.h"
#include "xalloc.h"

#include <errno.h>
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

/* Try one table row against the segments; fills r on success. */
static int match_row(const struct node_def *def, char **seg, int nseg, struct route *r)
{
    char pat[256];
    snprintf(pat, sizeof(pat), "%s", def->pattern);
    char *pseg[MAX_SEGMENTS];
    int npat = split(pat, pseg, MAX_SEGMENTS);
    if (npat != nseg)
        return 0;
    memset(r, 0, sizeof(*r));
    for (int i = 0; i < nseg; i++) {
        if (pseg[i][0] == '*') {
            char *id = names_decode(seg[i]);
            if (!id || !*id) {      /* an empty id has no URL of its own */
                free(id);
                route_free(r);
                return 0;
            }
            char **slot = capture_slot(r, pseg[i][1]);
            free(*slot);
            *slot = id;
        } else if (strcmp(pseg[i], seg[i]) != 0) {
            route_free(r);
            return 0;
        }
    }
    r->kind = def->kind;
    r->type = def->type;
    r->mode = def->mode;
    return 1;
}

int route_resolve(const char *path, struct route *r)
{
    if (path[0] != '/')
        return -ENOENT;
    if (strlen(path) >= 4096)
        return -ENAMETOOLONG;
    char *copy = xstrdup(path);
    char *seg[MAX_SEGMENTS];
    int nseg = split(copy, seg, MAX_SEGMENTS);
    int rc = -ENOENT;
    for (int i = 0; i < nseg; i++)
        if (strlen(seg[i]) > MAX_NAME)
            rc = -ENAMETOOLONG;
    if (nseg >= 0 && rc != -ENAMETOOLONG) {
        for (size_t i = 0; i < NODE_COUNT; i++) {
            struct route tmp;
            if (match_row(&nodes[i], seg, nseg, &tmp)) {
                *r = tmp;
                rc = 0;
                break;
            }
        }
    }
    free(copy);
    return rc;
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
