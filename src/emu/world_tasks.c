/* world_tasks.c — a job's tasks: read, update, the start/stop switch
 * (409 when already running / not running) and per-task metrics. */
#include "world_impl.h"
#include "jsonx.h"

#include <math.h>
#include <string.h>

static const char *const task_readonly[] = { "id", "jobId", "createdAt", "updatedAt", NULL };

/* ---- tasks ---- */

enum world_rc world_tasks(struct world *w, const char *pid, const char *jid, cJSON **out)
{
	struct job *j;
	enum world_rc rc;
	size_t i;

	pthread_mutex_lock(&w->lock);
	rc = world_find_job(w, pid, jid, NULL, &j);
	if (rc == W_OK) {
		*out = cJSON_CreateArray();
		for (i = 0; i < j->tasks.n; i++)
			cJSON_AddItemToArray(*out, cJSON_Duplicate(((struct task *)j->tasks.v[i])->dto, 1));
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

enum world_rc world_task_get(struct world *w, const char *pid, const char *jid,
			     const char *tid, cJSON **out)
{
	struct task *t;
	enum world_rc rc;

	pthread_mutex_lock(&w->lock);
	rc = world_find_task(w, pid, jid, tid, NULL, &t);
	if (rc == W_OK)
		*out = cJSON_Duplicate(t->dto, 1);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

enum world_rc world_task_put(struct world *w, const char *pid, const char *jid,
			     const char *tid, const cJSON *patch,
			     const struct emu_now *now, cJSON **out)
{
	struct task *t;
	enum world_rc rc;

	pthread_mutex_lock(&w->lock);
	rc = world_find_task(w, pid, jid, tid, NULL, &t);
	if (rc == W_OK) {
		jx_merge(t->dto, patch, task_readonly);
		world_touch(t->dto, now);
		*out = cJSON_Duplicate(t->dto, 1);
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

static const char *task_status(const struct task *t)
{
	const char *s = jx_str(t->dto, "executionStatus");

	return s ? s : "PENDING";
}

enum world_rc world_task_status(struct world *w, const char *pid, const char *jid,
				const char *tid, cJSON **out)
{
	struct task *t;
	enum world_rc rc;

	pthread_mutex_lock(&w->lock);
	rc = world_find_task(w, pid, jid, tid, NULL, &t);
	if (rc == W_OK) {
		const char *s = task_status(t);
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "taskId", t->id);
		cJSON_AddStringToObject(o, "executionStatus", s);
		cJSON_AddStringToObject(o, "status", s);
		cJSON_AddNumberToObject(o, "progress",
					strcmp(s, "COMPLETED") == 0 ? 100.0 :
					strcmp(s, "RUNNING") == 0 ? 50.0 : 0.0);
		*out = o;
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

static enum world_rc task_switch(struct world *w, const char *pid, const char *jid,
				 const char *tid, int start, const struct emu_now *now,
				 cJSON **out)
{
	struct task *t;
	enum world_rc rc;

	pthread_mutex_lock(&w->lock);
	rc = world_find_task(w, pid, jid, tid, NULL, &t);
	if (rc == W_OK) {
		int running = strcmp(task_status(t), "RUNNING") == 0;

		if (start && running) {
			rc = W_TASK_RUNNING;
		} else if (!start && !running) {
			rc = W_TASK_NOT_RUNNING;
		} else {
			jx_set(t->dto, "executionStatus",
			       cJSON_CreateString(start ? "RUNNING" : "FAILED"));
			if (start) {
				t->started = now->wall;
				t->ended = 0;
			} else {
				t->ended = now->wall;
				jx_set(t->dto, "executionLog", cJSON_CreateString("Stopped by user"));
			}
			world_touch(t->dto, now);
			*out = cJSON_Duplicate(t->dto, 1);
		}
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

enum world_rc world_task_start(struct world *w, const char *pid, const char *jid,
			       const char *tid, const struct emu_now *now, cJSON **out)
{
	return task_switch(w, pid, jid, tid, 1, now, out);
}

enum world_rc world_task_stop(struct world *w, const char *pid, const char *jid,
			      const char *tid, const struct emu_now *now, cJSON **out)
{
	return task_switch(w, pid, jid, tid, 0, now, out);
}

static void add_time_or_null(cJSON *o, const char *name, double wall)
{
	char ts[32];

	if (wall > 0) {
		util_iso8601(wall, ts);
		cJSON_AddStringToObject(o, name, ts);
	} else {
		cJSON_AddNullToObject(o, name);
	}
}

enum world_rc world_task_metrics(struct world *w, const char *pid, const char *jid,
				 const char *tid, cJSON **out)
{
	struct task *t;
	enum world_rc rc;

	pthread_mutex_lock(&w->lock);
	rc = world_find_task(w, pid, jid, tid, NULL, &t);
	if (rc == W_OK) {
		uint64_t h = util_hash_str(t->id);
		const char *s = task_status(t);
		int done = strcmp(s, "COMPLETED") == 0;
		long dur = t->started > 0 && t->ended > t->started ? lround(t->ended - t->started) : 0;
		long in = 10000 + (long)(h % 90000);
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "taskId", t->id);
		cJSON_AddNumberToObject(o, "durationSeconds", (double)dur);
		cJSON_AddNumberToObject(o, "recordsProcessed", (double)in);
		cJSON_AddNumberToObject(o, "recordsOutput", done ? (double)(in - (long)(h % 500)) : 0.0);
		cJSON_AddNumberToObject(o, "outputFileSizeBytes", done ? (double)(in * 180) : 0.0);
		cJSON_AddNumberToObject(o, "driverMemoryUsedBytes", (double)(805306368L + (long)((h >> 12) % 268435456)));
		cJSON_AddNumberToObject(o, "executorMemoryUsedBytes", (double)(2147483648L + (long)((h >> 16) % 1073741824)));
		cJSON_AddNumberToObject(o, "executorCount", 2);
		cJSON_AddNumberToObject(o, "totalCpuTimeSeconds", (double)(dur * 2));
		cJSON_AddNumberToObject(o, "errorCount", strcmp(s, "FAILED") == 0 ? 1 : 0);
		cJSON_AddNumberToObject(o, "warningCount", (double)((h >> 4) % 4));
		cJSON_AddStringToObject(o, "status", s);
		add_time_or_null(o, "startedAt", t->started);
		add_time_or_null(o, "completedAt", strcmp(s, "RUNNING") == 0 ? 0 : t->ended);
		*out = o;
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

