/* world_metrics.c — project and job metrics aggregated from executions:
 * counts by phase and the figures of finished runs, optionally limited to
 * runs submitted within [startTime, endTime]. */
#include "world_impl.h"
#include "jsonx.h"

#include <string.h>

/* ---- metrics ---- */

struct agg {
	long total, completed, failed, running;
	struct exec_figures sum;
};

static int in_window(const struct world_window *win, const struct exec *e)
{
	double t = exec_submitted_wall(e);

	if (win && win->has_start && t < win->start)
		return 0;
	if (win && win->has_end && t > win->end)
		return 0;
	return 1;
}

static void aggregate_job(const struct job *j, const struct world_window *win,
			  double mono, struct agg *a)
{
	size_t i;

	for (i = 0; i < j->execs.n; i++) {
		const struct exec *e = j->execs.v[i];
		struct exec_figures f;
		enum exec_phase ph;

		if (!in_window(win, e))
			continue;
		ph = exec_phase_at(e, mono);
		a->total++;
		if (ph == EXEC_COMPLETED)
			a->completed++;
		else if (ph == EXEC_FAILED)
			a->failed++;
		else
			a->running++;
		if (exec_figures(e, mono, &f) == 0) {
			a->sum.duration_s += f.duration_s;
			a->sum.records_in += f.records_in;
			a->sum.records_out += f.records_out;
			a->sum.file_bytes += f.file_bytes;
			a->sum.driver_mem += f.driver_mem;
			a->sum.executor_mem += f.executor_mem;
			a->sum.cpu_s += f.cpu_s;
			a->sum.errors += f.errors;
			a->sum.warnings += f.warnings;
		}
	}
}

static double average(const struct agg *a)
{
	long done = a->completed + a->failed;

	return done ? (double)a->sum.duration_s / (double)done : 0.0;
}

/* Flat counters (what a shell user greps) plus the OpenAPI "aggregated". */
static void add_aggregate(cJSON *o, const struct agg *a)
{
	cJSON *g;

	cJSON_AddNumberToObject(o, "totalExecutions", (double)a->total);
	cJSON_AddNumberToObject(o, "completedExecutions", (double)a->completed);
	cJSON_AddNumberToObject(o, "failedExecutions", (double)a->failed);
	cJSON_AddNumberToObject(o, "runningExecutions", (double)a->running);
	cJSON_AddNumberToObject(o, "totalDurationSeconds", (double)a->sum.duration_s);
	cJSON_AddNumberToObject(o, "averageDurationSeconds", average(a));
	g = cJSON_AddObjectToObject(o, "aggregated");
	cJSON_AddNumberToObject(g, "totalExecutions", (double)a->total);
	cJSON_AddNumberToObject(g, "totalDurationSeconds", (double)a->sum.duration_s);
	cJSON_AddNumberToObject(g, "averageDurationSeconds", average(a));
	cJSON_AddNumberToObject(g, "totalRecordsProcessed", (double)a->sum.records_in);
	cJSON_AddNumberToObject(g, "totalRecordsOutput", (double)a->sum.records_out);
	cJSON_AddNumberToObject(g, "totalOutputFileSizeBytes", (double)a->sum.file_bytes);
	cJSON_AddNumberToObject(g, "totalDriverMemoryUsedBytes", (double)a->sum.driver_mem);
	cJSON_AddNumberToObject(g, "totalExecutorMemoryUsedBytes", (double)a->sum.executor_mem);
	cJSON_AddNumberToObject(g, "totalCpuTimeSeconds", (double)a->sum.cpu_s);
	cJSON_AddNumberToObject(g, "totalErrorCount", (double)a->sum.errors);
	cJSON_AddNumberToObject(g, "totalWarningCount", (double)a->sum.warnings);
	cJSON_AddNumberToObject(g, "completedCount", (double)a->completed);
	cJSON_AddNumberToObject(g, "failedCount", (double)a->failed);
	cJSON_AddNumberToObject(g, "runningCount", (double)a->running);
}

static void add_window(cJSON *o, const struct world_window *win)
{
	if (win && win->has_start)
		cJSON_AddStringToObject(o, "startTime", win->start_text);
	else
		cJSON_AddNullToObject(o, "startTime");
	if (win && win->has_end)
		cJSON_AddStringToObject(o, "endTime", win->end_text);
	else
		cJSON_AddNullToObject(o, "endTime");
}

enum world_rc world_project_metrics(struct world *w, const char *pid,
				    const struct world_window *win,
				    const struct emu_now *now, cJSON **out)
{
	struct project *p;
	struct agg all;
	cJSON *o, *jobs;
	size_t i;

	pthread_mutex_lock(&w->lock);
	p = world_find_project(w, pid);
	if (!p) {
		pthread_mutex_unlock(&w->lock);
		return W_NO_PROJECT;
	}
	memset(&all, 0, sizeof(all));
	jobs = cJSON_CreateArray();
	for (i = 0; i < p->jobs.n; i++) {
		struct job *j = p->jobs.v[i];
		struct agg a;
		cJSON *jo = cJSON_CreateObject();

		memset(&a, 0, sizeof(a));
		aggregate_job(j, win, now->mono, &a);
		aggregate_job(j, win, now->mono, &all);
		cJSON_AddStringToObject(jo, "jobId", j->id);
		cJSON_AddStringToObject(jo, "jobName", jx_str(j->dto, "name") ? jx_str(j->dto, "name") : "");
		cJSON_AddNumberToObject(jo, "executions", (double)a.total);
		cJSON_AddNumberToObject(jo, "executionCount", (double)a.total);
		cJSON_AddNumberToObject(jo, "completedExecutions", (double)a.completed);
		cJSON_AddNumberToObject(jo, "failedExecutions", (double)a.failed);
		cJSON_AddNumberToObject(jo, "runningExecutions", (double)a.running);
		cJSON_AddNumberToObject(jo, "totalDurationSeconds", (double)a.sum.duration_s);
		cJSON_AddNumberToObject(jo, "averageDurationSeconds", average(&a));
		cJSON_AddNumberToObject(jo, "totalRecordsProcessed", (double)a.sum.records_in);
		cJSON_AddItemToArray(jobs, jo);
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "projectId", p->id);
	add_window(o, win);
	add_aggregate(o, &all);
	cJSON_AddItemToObject(o, "jobs", jobs);
	pthread_mutex_unlock(&w->lock);
	*out = o;
	return W_OK;
}

enum world_rc world_job_metrics(struct world *w, const char *pid, const char *jid,
				const struct world_window *win,
				const struct emu_now *now, cJSON **out)
{
	struct job *j;
	struct agg a;
	enum world_rc rc;

	pthread_mutex_lock(&w->lock);
	rc = world_find_job(w, pid, jid, NULL, &j);
	if (rc == W_OK) {
		cJSON *o = cJSON_CreateObject();

		memset(&a, 0, sizeof(a));
		aggregate_job(j, win, now->mono, &a);
		cJSON_AddStringToObject(o, "jobId", j->id);
		add_window(o, win);
		add_aggregate(o, &a);
		*out = o;
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

