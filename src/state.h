/* The execution journal. The API cannot list a job's executions, so the
 * mount remembers every execution it started or was asked about, per server,
 * in a small text file under the state directory; a remount lists them
 * again. The file is replaced atomically (write to temp, fsync, rename), so
 * a crash at any moment keeps every run that was recorded before it. */
#ifndef WRFS_STATE_H
#define WRFS_STATE_H
#include <stddef.h>
#include <stdint.h>

struct journal;

/* Open (creating state_dir, mode 0700, if needed) the journal for the
 * server at server_url and load it. Returns NULL and sets *err (-errno) if
 * the directory cannot be created or the file cannot be read. Unreadable
 * lines in the file are skipped with a warning. */
struct journal *journal_open(const char *state_dir, const char *server_url, int *err);
void journal_close(struct journal *j);

/* Record an execution learned at wall-clock time ts_ms. Returns 1 when it
 * was new (and is now on disk), 0 when already known, -errno when it could
 * not be saved (it is still remembered in memory). */
int journal_add(struct journal *j, const char *project, const char *job,
                const char *exec, int64_t ts_ms);
/* 1 if the execution is recorded under that job, else 0. */
int journal_has(struct journal *j, const char *project, const char *job, const char *exec);
/* Call fn for each execution of the job, oldest first. */
void journal_each(struct journal *j, const char *project, const char *job,
                  void (*fn)(void *arg, const char *exec), void *arg);
/* The newest execution of the job (caller frees), or NULL when none. */
char *journal_latest(struct journal *j, const char *project, const char *job);
/* Total number of executions recorded. */
size_t journal_count(struct journal *j);
/* Path of the journal file (owned by j). */
const char *journal_path(struct journal *j);

#endif
