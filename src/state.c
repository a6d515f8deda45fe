/* Persistent execution journal: see state.h.
 *
 * File format, one execution per line after a header line:
 *   webrobotfs-journal 1
 *   <wall-clock ms>\t<project>\t<job>\t<execution>
 * with every id percent-encoded (names_url_segment) so no tab or newline
 * from the API can break the format. */
#include "state.h"
#include "buf.h"
#include "log.h"
#include "names.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>
#include <uthash.h>

#define HEADER "webrobotfs-journal 1\n"

struct exec_rec {
    char *exec;
    int64_t ts;
};

/* Index entry: an execution id of one job (the string is the record's). */
struct exec_key {
    const char *exec;
    UT_hash_handle hh;
};

/* The executions of one job, oldest first, and an index by id. */
struct job_recs {
    char *key;                  /* encoded project "\t" encoded job: the
                                 * encoding holds no tab, so keys of
                                 * different (project, job) never collide */
    struct exec_rec *execs;
    size_t n, cap;
    struct exec_key *index;
    UT_hash_handle hh;
};

struct journal {
    pthread_mutex_t lock;
    char *path;
    struct job_recs *jobs;      /* protected by lock */
    size_t total;               /* protected by lock */
};

static char *job_key(const char *project, const char *job)
{
    struct buf b = BUF_INIT;
    names_url_segment(&b, project);
    buf_addc(&b, '\t');
    names_url_segment(&b, job);
    return buf_steal(&b);
}

static struct job_recs *find_job(struct journal *j, const char *project, const char *job)
{
    char *key = job_key(project, job);
    struct job_recs *r;
    HASH_FIND_STR(j->jobs, key, r);
    free(key);
    return r;
}

static int has_exec(struct job_recs *r, const char *exec)
{
    struct exec_key *k;
    HASH_FIND_STR(r->index, exec, k);
    return k != NULL;
}

/* Add in memory; returns 1 if new. */
static int remember(struct journal *j, const char *project, const char *job,
                    const char *exec, int64_t ts)
{
    struct job_recs *r = find_job(j, project, job);
    if (!r) {
        r = xcalloc(1, sizeof(*r));
        r->key = job_key(project, job);
        HASH_ADD_KEYPTR(hh, j->jobs, r->key, strlen(r->key), r);
    } else if (has_exec(r, exec)) {
        return 0;
    }
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 8;
        r->execs = xrealloc(r->execs, r->cap * sizeof(*r->execs));
    }
    size_t at = r->n;           /* after every record not newer than ts */
    while (at > 0 && r->execs[at - 1].ts > ts)
        at--;
    memmove(&r->execs[at + 1], &r->execs[at], (r->n - at) * sizeof(*r->execs));
    r->execs[at].exec = xstrdup(exec);
    r->execs[at].ts = ts;
    r->n++;
    struct exec_key *k = xcalloc(1, sizeof(*k));
    k->exec = r->execs[at].exec;
    HASH_ADD_KEYPTR(hh, r->index, k->exec, strlen(k->exec), k);
    j->total++;
    return 1;
}

static int mkdir_p(const char *dir)
{
    if (!*dir)
        return -ENOENT;
    char *tmp = xstrdup(dir);
    int rc = 0;
    for (char *p = tmp + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(tmp, 0700) < 0 && errno != EEXIST) {
                rc = -errno;
                break;
            }
            *p = c;
            if (c == '\0')
                break;
        }
    }
    free(tmp);
    return rc;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static void load_line(struct journal *j, char *line, int lineno)
{
    char *fields[4];
    int n = 0;
    line[strcspn(line, "\n")] = '\0';
    for (char *f; n < 5 && (f = strsep(&line, "\t")) != NULL; n++)
        if (n < 4)
            fields[n] = f;
    char *ids[3] = { NULL, NULL, NULL };
    int ok = n == 4;
    for (int i = 0; ok && i < 3; i++)
        ok = (ids[i] = names_pct_decode(fields[i + 1])) != NULL;
    if (ok)
        remember(j, ids[0], ids[1], ids[2], strtoll(fields[0], NULL, 10));
    else
        log_warn("journal %s: line %d unreadable, skipped", j->path, lineno);
    for (int i = 0; i < 3; i++)
        free(ids[i]);
}

static int load(struct journal *j)
{
    FILE *f = fopen(j->path, "r");
    if (!f)
        return errno == ENOENT ? 0 : -errno;
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0;
    while (getline(&line, &cap, f) > 0) {
        lineno++;
        if (lineno == 1) {
            if (strcmp(line, HEADER) != 0) {
                log_warn("journal %s: unknown format, ignored", j->path);
                break;
            }
            continue;
        }
        load_line(j, line, lineno);
    }
    free(line);
    fclose(f);
    return 0;
}

/* A save killed between writing and renaming its temp file leaves
 * "<journal>.tmp.<pid>": remove those whose process is gone. */
static void remove_stale_temps(const char *state_dir, const char *path)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char *prefix = xasprintf("%s.tmp.", base);
    size_t n = strlen(prefix);
    DIR *d = opendir(state_dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, n) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + n, &end, 10);
        if (*end || pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno == ESRCH) || pid == getpid()) {
            char *full = xasprintf("%s/%s", state_dir, e->d_name);
            unlink(full);
            free(full);
        }
    }
    if (d)
        closedir(d);
    free(prefix);
}

struct journal *journal_open(const char *state_dir, const char *server_url, int *err)
{
    int rc = mkdir_p(state_dir);
    if (rc < 0) {
        *err = rc;
        return NULL;
    }
    struct journal *j = xcalloc(1, sizeof(*j));
    pthread_mutex_init(&j->lock, NULL);
    j->path = xasprintf("%s/journal-%016llx.tsv", state_dir,
                        (unsigned long long)fnv1a(server_url));
    remove_stale_temps(state_dir, j->path);
    rc = load(j);
    if (rc < 0) {
        *err = rc;
        journal_close(j);
        return NULL;
    }
    return j;
}

void journal_close(struct journal *j)
{
    if (!j)
        return;
    struct job_recs *r, *tmp;
    HASH_ITER(hh, j->jobs, r, tmp) {
        HASH_DEL(j->jobs, r);
        struct exec_key *k, *ktmp;
        HASH_ITER(hh, r->index, k, ktmp) {
            HASH_DEL(r->index, k);
            free(k);
        }
        for (size_t i = 0; i < r->n; i++)
            free(r->execs[i].exec);
        free(r->execs);
        free(r->key);
        free(r);
    }
    pthread_mutex_destroy(&j->lock);
    free(j->path);
    free(j);
}

static void append_record(struct buf *b, const char *key, const struct exec_rec *e)
{
    buf_printf(b, "%lld\t%s\t", (long long)e->ts, key);
    names_url_segment(b, e->exec);
    buf_addc(b, '\n');
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Write the whole journal to a temp file, fsync it, rename it over. Other
 * mounts may share the state directory: under an exclusive lock on
 * "<journal>.lock", what is on disk is merged in first, so no mount drops
 * another's runs. */
static int load(struct journal *j);
static int write_file(struct journal *j);

static int save(struct journal *j)
{
    char *lockname = xasprintf("%s.lock", j->path);
    int lockfd = open(lockname, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    free(lockname);
    if (lockfd >= 0)
        flock(lockfd, LOCK_EX);
    load(j);
    int rc = write_file(j);
    if (lockfd >= 0)
        close(lockfd);      /* releases the lock */
    return rc;
}

static int write_file(struct journal *j)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, HEADER);
    struct job_recs *r, *tmp;
    HASH_ITER(hh, j->jobs, r, tmp)
        for (size_t i = 0; i < r->n; i++)
            append_record(&b, r->key, &r->execs[i]);
    char *tmpname = xasprintf("%s.tmp.%d", j->path, (int)getpid());
    int rc = 0;
    int fd = open(tmpname, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        rc = -errno;
    if (rc == 0)
        rc = write_all(fd, b.data, b.len);
    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    if (fd >= 0 && close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmpname, j->path) < 0)
        rc = -errno;
    if (rc < 0) {
        unlink(tmpname);
        log_error("journal %s: cannot save: %s", j->path, strerror(-rc));
    }
    free(tmpname);
    buf_free(&b);
    return rc;
}

int journal_add(struct journal *j, const char *project, const char *job,
                const char *exec, int64_t ts_ms)
{
    pthread_mutex_lock(&j->lock);
    int rc = remember(j, project, job, exec, ts_ms);
    if (rc == 1) {
        int s = save(j);
        if (s < 0)
            rc = s;
    }
    pthread_mutex_unlock(&j->lock);
    return rc;
}

int journal_has(struct journal *j, const char *project, const char *job, const char *exec)
{
    pthread_mutex_lock(&j->lock);
    struct job_recs *r = find_job(j, project, job);
    int has = r && has_exec(r, exec);
    pthread_mutex_unlock(&j->lock);
    return has;
}

void journal_each(struct journal *j, const char *project, const char *job,
                  void (*fn)(void *arg, const char *exec), void *arg)
{
    pthread_mutex_lock(&j->lock);
    struct job_recs *r = find_job(j, project, job);
    for (size_t i = 0; r && i < r->n; i++)
        fn(arg, r->execs[i].exec);
    pthread_mutex_unlock(&j->lock);
}

char *journal_latest(struct journal *j, const char *project, const char *job)
{
    pthread_mutex_lock(&j->lock);
    struct job_recs *r = find_job(j, project, job);
    const struct exec_rec *best = NULL;
    for (size_t i = 0; r && i < r->n; i++)
        if (!best || r->execs[i].ts >= best->ts)
            best = &r->execs[i];
    char *id = best ? xstrdup(best->exec) : NULL;
    pthread_mutex_unlock(&j->lock);
    return id;
}

size_t journal_count(struct journal *j)
{
    pthread_mutex_lock(&j->lock);
    size_t n = j->total;
    pthread_mutex_unlock(&j->lock);
    return n;
}

const char *journal_path(struct journal *j)
{
    return j->path;
}
