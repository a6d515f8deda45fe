/* world_impl.h — private to the world module (world*.c): the state's data
 * structures and the lookups its files share. Every function here expects
 * w->lock to be held by the caller. */
#ifndef EMU_WORLD_IMPL_H
#define EMU_WORLD_IMPL_H

#include <pthread.h>
#include <uthash.h>

#include "world.h"

struct task {
	char *id;
	cJSON *dto;
	double started, ended;  /* wall times for metrics; 0 = none */
};

struct job {
	char *id;
	cJSON *dto;
	char *fail_message;     /* NULL: runs complete */
	struct ptrvec tasks;    /* struct task * */
	struct ptrvec execs;    /* struct exec *, oldest first; owned by world */
};

struct project {
	char *id;
	cJSON *dto;
	char *timezone;
	struct ptrvec jobs;     /* struct job * */
};

struct exec_ref {
	const char *id;         /* exec_id(e) */
	struct exec *e;
	UT_hash_handle hh;
};

struct world {
	pthread_mutex_t lock;
	/* everything below is protected by lock */
	double run_seconds;
	size_t log_lines, log_line_bytes;
	uint64_t salt;
	uint64_t exec_counter;
	long next_job_id;
	struct ptrvec projects;     /* struct project * */
	struct exec_ref *execs;     /* owns every execution */
};

/* Lookups; NULL or a W_NO_* code when absent. Optional outputs may be NULL. */
struct project *world_find_project(struct world *w, const char *pid);
struct job *world_find_job_in(struct project *p, const char *jid);
enum world_rc world_find_job(struct world *w, const char *pid, const char *jid,
			     struct project **pp, struct job **jp);
enum world_rc world_find_task(struct world *w, const char *pid, const char *jid,
			      const char *tid, struct job **jp, struct task **tp);
/* The job's most recent execution, or NULL. */
struct exec *world_newest_exec(const struct job *j);
/* Sets dto.updatedAt to now (in place). */
void world_touch(cJSON *dto, const struct emu_now *now);
/* True if any project has a job with that id. */
int world_job_id_taken(struct world *w, const char *jid);
/* Keeps next_job_id above every numeric job id seen. */
void world_note_job_id(struct world *w, const char *id);

#endif
