/* world_projects.c — projects, their schedule and their jobs: listing,
 * lookup, updates (read-only members kept), and job creation. */
#include "world_impl.h"
#include "jsonx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const project_readonly[] = { "id", "jobIds", "createdAt", "updatedAt", NULL };
static const char *const job_readonly[] = { "id", "projectId", "taskIds", "createdAt", "updatedAt", NULL };

/* ---- rendering (lock held) ---- */

static cJSON *render_project(const struct project *p)
{
	cJSON *o = cJSON_Duplicate(p->dto, 1);
	cJSON *ids = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < p->jobs.n; i++)
		cJSON_AddItemToArray(ids, cJSON_CreateString(((struct job *)p->jobs.v[i])->id));
	jx_set(o, "jobIds", ids);
	return o;
}

static cJSON *render_job(const struct project *p, const struct job *j,
			 const struct emu_now *now)
{
	cJSON *o = cJSON_Duplicate(j->dto, 1);
	cJSON *ids = cJSON_CreateArray();
	struct exec *e = world_newest_exec(j);
	size_t i;

	for (i = 0; i < j->tasks.n; i++)
		cJSON_AddItemToArray(ids, cJSON_CreateString(((struct task *)j->tasks.v[i])->id));
	jx_set(o, "projectId", cJSON_CreateString(p->id));
	if (e)
		jx_set(o, "executionStatus",
		       cJSON_CreateString(exec_phase_name(exec_phase_at(e, now->mono))));
	jx_set(o, "taskIds", ids);
	return o;
}

static cJSON *render_schedule(const struct project *p)
{
	cJSON *o = cJSON_CreateObject();
	const cJSON *cron = cJSON_GetObjectItemCaseSensitive(p->dto, "cronSchedule");
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(p->dto, "enabled");

	if (cJSON_IsString(cron))
		cJSON_AddStringToObject(o, "cronSchedule", cron->valuestring);
	else
		cJSON_AddNullToObject(o, "cronSchedule");
	cJSON_AddBoolToObject(o, "enabled", cJSON_IsTrue(en));
	cJSON_AddStringToObject(o, "timezone", p->timezone);
	return o;
}

/* ---- projects ---- */

cJSON *world_projects(struct world *w)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i;

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < w->projects.n; i++)
		cJSON_AddItemToArray(arr, render_project(w->projects.v[i]));
	pthread_mutex_unlock(&w->lock);
	return arr;
}

enum world_rc world_project_get(struct world *w, const char *pid, cJSON **out)
{
	struct project *p;

	pthread_mutex_lock(&w->lock);
	p = world_find_project(w, pid);
	if (p)
		*out = render_project(p);
	pthread_mutex_unlock(&w->lock);
	return p ? W_OK : W_NO_PROJECT;
}

enum world_rc world_project_by_name(struct world *w, const char *name, cJSON **out)
{
	enum world_rc rc = W_NO_PROJECT;
	size_t i;

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < w->projects.n; i++) {
		struct project *p = w->projects.v[i];
		const char *n = jx_str(p->dto, "name");

		if (n && strcmp(n, name) == 0) {
			*out = render_project(p);
			rc = W_OK;
			break;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

enum world_rc world_project_put(struct world *w, const char *pid, const cJSON *patch,
				const struct emu_now *now, cJSON **out)
{
	struct project *p;

	pthread_mutex_lock(&w->lock);
	p = world_find_project(w, pid);
	if (p) {
		jx_merge(p->dto, patch, project_readonly);
		world_touch(p->dto, now);
		*out = render_project(p);
	}
	pthread_mutex_unlock(&w->lock);
	return p ? W_OK : W_NO_PROJECT;
}

enum world_rc world_schedule_get(struct world *w, const char *pid, cJSON **out)
{
	struct project *p;

	pthread_mutex_lock(&w->lock);
	p = world_find_project(w, pid);
	if (p)
		*out = render_schedule(p);
	pthread_mutex_unlock(&w->lock);
	return p ? W_OK : W_NO_PROJECT;
}

enum world_rc world_schedule_put(struct world *w, const char *pid, const cJSON *patch,
				 const struct emu_now *now, cJSON **out)
{
	struct project *p;
	const cJSON *v;

	pthread_mutex_lock(&w->lock);
	p = world_find_project(w, pid);
	if (p) {
		v = cJSON_GetObjectItemCaseSensitive(patch, "cronSchedule");
		if (v)
			jx_set(p->dto, "cronSchedule", cJSON_Duplicate(v, 1));
		v = cJSON_GetObjectItemCaseSensitive(patch, "enabled");
		if (cJSON_IsBool(v))
			jx_set(p->dto, "enabled", cJSON_CreateBool(cJSON_IsTrue(v)));
		v = cJSON_GetObjectItemCaseSensitive(patch, "timezone");
		if (cJSON_IsString(v)) {
			free(p->timezone);
			p->timezone = xstrdup(v->valuestring);
		}
		world_touch(p->dto, now);
		*out = render_schedule(p);
	}
	pthread_mutex_unlock(&w->lock);
	return p ? W_OK : W_NO_PROJECT;
}

/* ---- jobs ---- */

enum world_rc world_jobs(struct world *w, const char *pid, const struct emu_now *now,
			 cJSON **out)
{
	struct project *p;
	size_t i;

	pthread_mutex_lock(&w->lock);
	p = world_find_project(w, pid);
	if (p) {
		*out = cJSON_CreateArray();
		for (i = 0; i < p->jobs.n; i++)
			cJSON_AddItemToArray(*out, render_job(p, p->jobs.v[i], now));
	}
	pthread_mutex_unlock(&w->lock);
	return p ? W_OK : W_NO_PROJECT;
}

enum world_rc world_job_add(struct world *w, const char *pid, const cJSON *body,
			    const struct emu_now *now, cJSON **out)
{
	struct project *p;
	struct job *j;
	char ts[32], idbuf[32];
	cJSON *dto;

	pthread_mutex_lock(&w->lock);
	p = world_find_project(w, pid);
	if (!p) {
		pthread_mutex_unlock(&w->lock);
		return W_NO_PROJECT;
	}
	do
		snprintf(idbuf, sizeof(idbuf), "%ld", w->next_job_id++);
	while (world_job_id_taken(w, idbuf));
	util_iso8601(now->wall, ts);
	dto = cJSON_CreateObject();
	cJSON_AddStringToObject(dto, "id", idbuf);
	cJSON_AddStringToObject(dto, "name", "");
	cJSON_AddNullToObject(dto, "description");
	cJSON_AddStringToObject(dto, "projectId", p->id);
	cJSON_AddNullToObject(dto, "agentId");
	cJSON_AddNullToObject(dto, "inputDatasetId");
	cJSON_AddArrayToObject(dto, "cloudCredentialIds");
	cJSON_AddStringToObject(dto, "executionStatus", "PENDING");
	cJSON_AddNullToObject(dto, "scheduledTime");
	cJSON_AddBoolToObject(dto, "enabled", 1);
	cJSON_AddArrayToObject(dto, "taskIds");
	cJSON_AddStringToObject(dto, "createdAt", ts);
	cJSON_AddStringToObject(dto, "updatedAt", ts);
	jx_merge(dto, body, job_readonly);
	j = xcalloc(1, sizeof(*j));
	j->id = xstrdup(idbuf);
	j->dto = dto;
	ptrvec_push(&p->jobs, j);
	*out = render_job(p, j, now);
	pthread_mutex_unlock(&w->lock);
	return W_OK;
}

enum world_rc world_job_get(struct world *w, const char *pid, const char *jid,
			    const struct emu_now *now, cJSON **out)
{
	struct project *p;
	struct job *j;
	enum world_rc rc;

	pthread_mutex_lock(&w->lock);
	rc = world_find_job(w, pid, jid, &p, &j);
	if (rc == W_OK)
		*out = render_job(p, j, now);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

enum world_rc world_job_put(struct world *w, const char *pid, const char *jid,
			    const cJSON *patch, const struct emu_now *now, cJSON **out)
{
	struct project *p;
	struct job *j;
	enum world_rc rc;

	pthread_mutex_lock(&w->lock);
	rc = world_find_job(w, pid, jid, &p, &j);
	if (rc == W_OK) {
		jx_merge(j->dto, patch, job_readonly);
		world_touch(j->dto, now);
		*out = render_job(p, j, now);
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

