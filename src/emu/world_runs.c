/* world_runs.c — executions: starting one (one live run per job, at most
 * WORLD_MAX_CONCURRENT per project, unique ids) and reading its status and
 * logs, only through the project and job it belongs to. */
#include "world_impl.h"
#include "jsonx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- executions ---- */

static void make_exec_id(struct world *w, char out[32])
{
	for (;;) {
		uint64_t n = w->exec_counter++;
		uint64_t hex = util_mix64(w->salt ^ (n * 0x9e3779b97f4a7c15ULL)) & 0xffffffffffffULL;
		/* 48271 is coprime with 10^8: distinct n give distinct digits */
		unsigned long digits = (unsigned long)(((w->salt >> 20) + n * 48271ULL) % 100000000ULL);
		struct exec_ref *r;

		snprintf(out, 32, "spark-%012llx-%08lu", (unsigned long long)hex, digits);
		HASH_FIND_STR(w->execs, out, r);
		if (!r)
			return;
	}
}

enum world_rc world_execute(struct world *w, const char *pid, const char *jid,
			    const cJSON *arguments, const cJSON *credentials,
			    const struct emu_now *now, cJSON **out)
{
	struct project *p;
	struct job *j;
	struct exec *e;
	struct exec_ref *r;
	struct exec_spec spec;
	enum world_rc rc;
	char id[32];
	size_t i, live = 0;
	cJSON *o;

	(void)credentials;  /* accepted, and only validated by the caller */
	pthread_mutex_lock(&w->lock);
	rc = world_find_job(w, pid, jid, &p, &j);
	if (rc != W_OK)
		goto out;
	e = world_newest_exec(j);
	if (e && !exec_phase_terminal(exec_phase_at(e, now->mono))) {
		rc = W_JOB_RUNNING;
		goto out;
	}
	for (i = 0; i < p->jobs.n; i++) {
		struct exec *x = world_newest_exec(p->jobs.v[i]);

		if (x && !exec_phase_terminal(exec_phase_at(x, now->mono)))
			live++;
	}
	if (live >= WORLD_MAX_CONCURRENT) {
		rc = W_PROJECT_BUSY;
		goto out;
	}
	make_exec_id(w, id);
	spec = (struct exec_spec){
		.id = id,
		.project_id = p->id,
		.job_id = j->id,
		.job_name = jx_str(j->dto, "name") ? jx_str(j->dto, "name") : j->id,
		.arguments = arguments,
		.error = j->fail_message,
		.run_seconds = w->run_seconds,
		.log_lines = w->log_lines,
		.log_line_bytes = w->log_line_bytes,
		.submitted = *now,
	};
	e = exec_new(&spec);
	r = xcalloc(1, sizeof(*r));
	r->id = exec_id(e);
	r->e = e;
	HASH_ADD_KEYPTR(hh, w->execs, r->id, strlen(r->id), r);
	ptrvec_push(&j->execs, e);

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "executionId", id);
	cJSON_AddStringToObject(o, "status", "SUBMITTED");
	cJSON_AddStringToObject(o, "message", "Job execution submitted successfully");
	cJSON_AddStringToObject(o, "clusterId", "default-cluster");
	cJSON_AddBoolToObject(o, "success", 1);
	*out = o;
out:
	pthread_mutex_unlock(&w->lock);
	return rc;
}

/* The execution, if it exists and belongs to pid/jid (lock held). */
static enum world_rc find_exec(struct world *w, const char *pid, const char *jid,
			       const char *eid, struct exec **ep)
{
	struct job *j;
	struct exec_ref *r;
	enum world_rc rc = world_find_job(w, pid, jid, NULL, &j);

	if (rc != W_OK)
		return rc;
	HASH_FIND_STR(w->execs, eid, r);
	if (!r || strcmp(exec_job_id(r->e), jid) != 0 ||
	    strcmp(exec_project_id(r->e), pid) != 0)
		return W_NO_EXEC;
	*ep = r->e;
	return W_OK;
}

enum world_rc world_exec_status(struct world *w, const char *pid, const char *jid,
				const char *eid, const struct emu_now *now, cJSON **out)
{
	struct exec *e;
	enum world_rc rc;

	pthread_mutex_lock(&w->lock);
	rc = find_exec(w, pid, jid, eid, &e);
	if (rc == W_OK)
		*out = exec_status_json(e, now->mono);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

enum world_rc world_exec_logs(struct world *w, const char *pid, const char *jid,
			      const char *eid, enum exec_pod pod, long tail,
			      const struct emu_now *now, char **out, size_t *len)
{
	struct exec *e = NULL;
	enum world_rc rc;

	pthread_mutex_lock(&w->lock);
	rc = find_exec(w, pid, jid, eid, &e);
	pthread_mutex_unlock(&w->lock);
	/* executions are immutable and freed only by world_free, so formatting
	 * (proportional to the log's size) needs no lock */
	if (rc == W_OK)
		*out = exec_logs_text(e, now->mono, pod, tail, len);
	return rc;
}

