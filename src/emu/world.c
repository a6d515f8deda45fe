/* world.c — the world's life cycle and shared plumbing: creation and
 * teardown, lookups, outcome codes, and seeding. The endpoints' logic lives
 * in world_projects.c, world_tasks.c, world_runs.c, world_metrics.c and
 * world_cron.c; world_impl.h holds the data structures they share. DTOs are
 * kept as cJSON objects in the order clients see them; derived members
 * (jobIds, taskIds, executionStatus) are filled in on the way out. */
#include "world_impl.h"
#include "jsonx.h"

#include <stdlib.h>
#include <string.h>

int world_rc_status(enum world_rc rc)
{
	switch (rc) {
	case W_OK:
		return 200;
	case W_NO_PROJECT:
	case W_NO_JOB:
	case W_NO_TASK:
	case W_NO_EXEC:
	case W_NO_CRONJOB:
		return 404;
	case W_JOB_RUNNING:
	case W_PROJECT_BUSY:
	case W_TASK_RUNNING:
	case W_TASK_NOT_RUNNING:
	case W_DUPLICATE:
		return 409;
	}
	return 500;
}

const char *world_rc_message(enum world_rc rc)
{
	switch (rc) {
	case W_OK:
		return "OK";
	case W_NO_PROJECT:
		return "Project not found";
	case W_NO_JOB:
		return "Job not found";
	case W_NO_TASK:
		return "Task not found";
	case W_NO_EXEC:
		return "Execution not found";
	case W_NO_CRONJOB:
		return "CronJob not found";
	case W_JOB_RUNNING:
		return "Job already running";
	case W_PROJECT_BUSY:
		return "Max 10 concurrent executions per project";
	case W_TASK_RUNNING:
		return "Task already running";
	case W_TASK_NOT_RUNNING:
		return "Task not running";
	case W_DUPLICATE:
		return "Already exists";
	}
	return "Internal error";
}

struct world *world_new(const struct world_opts *o)
{
	struct world *w = xcalloc(1, sizeof(*w));

	pthread_mutex_init(&w->lock, NULL);
	w->run_seconds = o->run_seconds;
	w->log_lines = o->log_lines;
	w->log_line_bytes = o->log_line_bytes;
	w->salt = o->salt;
	w->next_job_id = 1;
	return w;
}

static void free_job(struct job *j)
{
	size_t i;

	for (i = 0; i < j->tasks.n; i++) {
		struct task *t = j->tasks.v[i];

		free(t->id);
		cJSON_Delete(t->dto);
		free(t);
	}
	ptrvec_release(&j->tasks);
	ptrvec_release(&j->execs);
	free(j->id);
	free(j->fail_message);
	cJSON_Delete(j->dto);
	free(j);
}

void world_free(struct world *w)
{
	struct exec_ref *r, *tmp;
	size_t i, k;

	if (!w)
		return;
	for (i = 0; i < w->projects.n; i++) {
		struct project *p = w->projects.v[i];

		for (k = 0; k < p->jobs.n; k++)
			free_job(p->jobs.v[k]);
		ptrvec_release(&p->jobs);
		free(p->id);
		free(p->timezone);
		cJSON_Delete(p->dto);
		free(p);
	}
	ptrvec_release(&w->projects);
	HASH_ITER(hh, w->execs, r, tmp) {
		HASH_DEL(w->execs, r);
		exec_free(r->e);
		free(r);
	}
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* ---- lookups (lock held) ---- */

struct project *world_find_project(struct world *w, const char *pid)
{
	size_t i;

	for (i = 0; i < w->projects.n; i++) {
		struct project *p = w->projects.v[i];

		if (strcmp(p->id, pid) == 0)
			return p;
	}
	return NULL;
}

struct job *world_find_job_in(struct project *p, const char *jid)
{
	size_t i;

	for (i = 0; i < p->jobs.n; i++) {
		struct job *j = p->jobs.v[i];

		if (strcmp(j->id, jid) == 0)
			return j;
	}
	return NULL;
}

enum world_rc world_find_job(struct world *w, const char *pid, const char *jid,
			      struct project **pp, struct job **jp)
{
	struct project *p = world_find_project(w, pid);

	if (!p)
		return W_NO_PROJECT;
	*jp = world_find_job_in(p, jid);
	if (!*jp)
		return W_NO_JOB;
	if (pp)
		*pp = p;
	return W_OK;
}

enum world_rc world_find_task(struct world *w, const char *pid, const char *jid,
			       const char *tid, struct job **jp, struct task **tp)
{
	struct job *j;
	enum world_rc rc = world_find_job(w, pid, jid, NULL, &j);
	size_t i;

	if (rc != W_OK)
		return rc;
	for (i = 0; i < j->tasks.n; i++) {
		struct task *t = j->tasks.v[i];

		if (strcmp(t->id, tid) == 0) {
			if (jp)
				*jp = j;
			*tp = t;
			return W_OK;
		}
	}
	return W_NO_TASK;
}

struct exec *world_newest_exec(const struct job *j)
{
	return j->execs.n ? j->execs.v[j->execs.n - 1] : NULL;
}

void world_touch(cJSON *dto, const struct emu_now *now)
{
	char ts[32];

	util_iso8601(now->wall, ts);
	jx_set(dto, "updatedAt", cJSON_CreateString(ts));
}

/* ---- seeding ---- */

static char *take_id(const cJSON *dto)
{
	const char *id = jx_str(dto, "id");

	return id ? xstrdup(id) : NULL;
}

enum world_rc world_add_project(struct world *w, cJSON *dto, const char *timezone)
{
	struct project *p;
	enum world_rc rc = W_OK;
	char *id = take_id(dto);

	pthread_mutex_lock(&w->lock);
	if (!id || world_find_project(w, id)) {
		rc = W_DUPLICATE;
		free(id);
		cJSON_Delete(dto);
	} else {
		p = xcalloc(1, sizeof(*p));
		p->id = id;
		p->dto = dto;
		p->timezone = xstrdup(timezone ? timezone : "UTC");
		ptrvec_push(&w->projects, p);
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

void world_note_job_id(struct world *w, const char *id)
{
	char *end;
	long v = strtol(id, &end, 10);

	if (*id && !*end && v >= w->next_job_id)
		w->next_job_id = v + 1;
}

int world_job_id_taken(struct world *w, const char *jid)
{
	size_t i;

	for (i = 0; i < w->projects.n; i++)
		if (world_find_job_in(w->projects.v[i], jid))
			return 1;
	return 0;
}

enum world_rc world_add_job(struct world *w, const char *pid, cJSON *dto,
			    const char *fail_message)
{
	struct project *p;
	struct job *j;
	enum world_rc rc = W_OK;
	char *id = take_id(dto);

	pthread_mutex_lock(&w->lock);
	p = world_find_project(w, pid);
	if (!p)
		rc = W_NO_PROJECT;
	else if (!id || world_job_id_taken(w, id))
		rc = W_DUPLICATE;
	if (rc != W_OK) {
		free(id);
		cJSON_Delete(dto);
	} else {
		j = xcalloc(1, sizeof(*j));
		j->id = id;
		j->dto = dto;
		j->fail_message = fail_message ? xstrdup(fail_message) : NULL;
		world_note_job_id(w, id);
		ptrvec_push(&p->jobs, j);
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

enum world_rc world_add_task(struct world *w, const char *pid, const char *jid,
			     cJSON *dto, double started, double ended)
{
	struct job *j;
	struct task *t;
	char *id = take_id(dto);
	enum world_rc rc;

	pthread_mutex_lock(&w->lock);
	rc = world_find_job(w, pid, jid, NULL, &j);
	if (rc == W_OK && (!id || world_find_task(w, pid, jid, id, NULL, &t) == W_OK))
		rc = W_DUPLICATE;
	if (rc != W_OK) {
		free(id);
		cJSON_Delete(dto);
	} else {
		t = xcalloc(1, sizeof(*t));
		t->id = id;
		t->dto = dto;
		t->started = started;
		t->ended = ended;
		ptrvec_push(&j->tasks, t);
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

