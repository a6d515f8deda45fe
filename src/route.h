/* Path routing: one table maps every path shape of the tree to a node kind,
 * its file type and mode, and the ids it names. The FUSE operations ask this
 * module what a path is; nothing else parses paths. */
#ifndef WRFS_ROUTE_H
#define WRFS_ROUTE_H
#include <sys/types.h>

enum node_kind {
    N_ROOT, N_HEALTH, N_STATS, N_STATS_PROM,
    N_PROJECTS, N_BYNAME, N_BYNAME_LINK,
    N_PROJECT, N_PROJECT_JSON, N_SCHEDULE_JSON, N_PROJECT_METRICS,
    N_JOBS, N_JOB, N_JOB_JSON, N_JOB_STATUS, N_JOB_METRICS, N_EXECUTE,
    N_EXECS, N_LATEST, N_EXEC,
    N_EXEC_STATUS, N_EXEC_STATUS_JSON, N_EXEC_ERROR, N_EXEC_WAIT,
    N_LOGS, N_LOG_DRIVER, N_LOG_EXECUTOR, N_LOG_ALL,
    N_SCRATCH,
    N_TASKS, N_TASK, N_TASK_JSON, N_TASK_STATUS, N_TASK_START, N_TASK_STOP, N_TASK_METRICS,
    N_TABLES, N_TABLE, N_RECORD,
    N_DATASETS, N_DATASET, N_AGENTS, N_AGENT, N_CATEGORIES, N_CATEGORY,
    N_CLOUD, N_SPARK, N_SPARK_DOC, N_TRAINING, N_TRAINING_DOC,
    N_SCHEDULER, N_CRONJOBS, N_CRONJOB,
    N_HTML, N_HTML_PROTO, N_HTML_HOST, N_HTML_PAGE,
    N_KIND_COUNT
};

/* How a file node's text is made from its GET answer (see nodes.c). */
enum node_view {
    V_SPECIAL,      /* nodes.c has code for it */
    V_JSON,         /* pretty-printed JSON */
    V_RAW,          /* as received, newline-terminated */
    V_WORD,         /* one status word taken from the field named by `field` */
};

/* How long a GET answer stays fresh (api_ttls). */
enum ttl_class { TTL_DOC, TTL_LIST, TTL_RUNNING };

enum node_type { NT_DIR, NT_FILE, NT_LINK };

/* What a path names. Id fields are decoded API ids (NULL when the shape
 * has none); the route owns them. */
struct route {
    enum node_kind kind;
    enum node_type type;
    mode_t mode;          /* permission bits, e.g. 0444 */
    char *project;
    char *job;
    char *exec;
    char *task;
    char *table;
    char *record;         /* a table record or collection item id */
    char *proto;          /* html/<proto> */
    char *host;           /* html/<proto>/<host> */
    char *name;           /* by-name link: the project name; a scratch file
                             or html page: the file name as it is */
    /* From the table, static: */
    const char *get;      /* GET endpoint template, or NULL (see nodes.c) */
    enum node_view view;
    enum ttl_class ttl;
    const char *field;    /* V_WORD: the field; listing dirs: the id field */
};

/* Resolve an absolute path. A name in a writable directory that matches
 * nothing else resolves to N_SCRATCH (whether such a file exists is for
 * the local store to say). Returns 0 and fills r (free with route_free),
 * or -ENOENT when no shape matches or a name is not a valid encoding, or
 * -ENAMETOOLONG for an over-long component. r is untouched on error. */
int route_resolve(const char *path, struct route *r);
void route_free(struct route *r);

/* Call fn for each fixed (literal) child name of a directory kind, e.g.
 * "project.json" and "jobs" for N_PROJECT, with the child's kind. */
void route_fixed_children(enum node_kind dir,
                          void (*fn)(void *arg, const char *name, enum node_kind kind),
                          void *arg);

/* File type of a node kind. */
enum node_type route_type(enum node_kind kind);

#endif
