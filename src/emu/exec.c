/* exec.c — an execution's life computed from elapsed time e since submit,
 * with S = run seconds: PENDING while e < min(1, 0.15 S), RUNNING while
 * e < S, then COMPLETED or FAILED. Status and logs use the same e >= S test,
 * so once a status read says terminal every later log read is complete.
 * Log lines are never stored: a logs answer formats the visible ones
 * straight into its JSON text (sparklog.h). */
#include "exec.h"
#include "sparklog.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct exec {
	char *id, *project_id, *job_id;
	char *error;              /* NULL: completes */
	double t0;                /* monotonic submit time */
	double wall0;             /* wall-clock submit time */
	double running_at;        /* elapsed seconds when RUNNING starts */
	double run_seconds;       /* elapsed seconds when terminal */
	uint64_t seed;
	struct sparklog *log;     /* lines computed when read */
};

static char *join_arguments(const cJSON *args)
{
	size_t cap = 64, n = 0;
	char *out = xmalloc(cap);
	const cJSON *a;

	cJSON_ArrayForEach(a, args) {
		const char *s = cJSON_GetStringValue(a);
		size_t need;

		if (!s)
			continue;
		need = n + strlen(s) + 3;
		if (need > cap) {
			while (need > cap)
				cap *= 2;
			out = xrealloc(out, cap);
		}
		if (n) {
			out[n++] = ',';
			out[n++] = ' ';
		}
		/* one log line must stay one line */
		for (; *s; s++)
			out[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;
	}
	out[n] = '\0';
	return out;
}

struct exec *exec_new(const struct exec_spec *spec)
{
	struct exec *e = xcalloc(1, sizeof(*e));
	struct sparklog_params lp;
	char *args = join_arguments(spec->arguments);

	e->id = xstrdup(spec->id);
	e->project_id = xstrdup(spec->project_id);
	e->job_id = xstrdup(spec->job_id);
	e->error = spec->error ? xstrdup(spec->error) : NULL;
	e->t0 = spec->submitted.mono;
	e->wall0 = spec->submitted.wall;
	e->run_seconds = spec->run_seconds;
	e->running_at = fmin(1.0, spec->run_seconds * 0.15);
	e->seed = util_hash_str(spec->id);

	lp = (struct sparklog_params){
		.seed = e->seed,
		.exec_id = e->id,
		.project_id = e->project_id,
		.job_id = e->job_id,
		.job_name = spec->job_name,
		.arguments = args,
		.error = e->error,
		.wall0 = e->wall0,
		.running_at = e->running_at,
		.run_seconds = e->run_seconds,
		.driver_lines = spec->log_lines ? spec->log_lines : SPARKLOG_DEFAULT_LINES,
		.line_bytes = spec->log_line_bytes,
	};
	e->log = sparklog_new(&lp);
	free(args);
	return e;
}

void exec_free(struct exec *e)
{
	if (!e)
		return;
	sparklog_free(e->log);
	free(e->id);
	free(e->project_id);
	free(e->job_id);
	free(e->error);
	free(e);
}

const char *exec_id(const struct exec *e)
{
	return e->id;
}

const char *exec_job_id(const struct exec *e)
{
	return e->job_id;
}

const char *exec_project_id(const struct exec *e)
{
	return e->project_id;
}

double exec_submitted_wall(const struct exec *e)
{
	return e->wall0;
}

static double elapsed(const struct exec *e, double mono)
{
	double d = mono - e->t0;

	return d < 0 ? 0 : d;
}

enum exec_phase exec_phase_at(const struct exec *e, double mono)
{
	double t = elapsed(e, mono);

	if (t >= e->run_seconds)
		return e->error ? EXEC_FAILED : EXEC_COMPLETED;
	if (t >= e->running_at)
		return EXEC_RUNNING;
	return EXEC_PENDING;
}

const char *exec_phase_name(enum exec_phase p)
{
	switch (p) {
	case EXEC_PENDING:
		return "PENDING";
	case EXEC_RUNNING:
		return "RUNNING";
	case EXEC_COMPLETED:
		return "COMPLETED";
	case EXEC_FAILED:
		return "FAILED";
	}
	return "UNKNOWN";
}

static long run_time(const struct exec *e)
{
	return lround(e->run_seconds - e->running_at);
}

cJSON *exec_status_json(const struct exec *e, double mono)
{
	enum exec_phase ph = exec_phase_at(e, mono);
	cJSON *o = cJSON_CreateObject();
	char ts[32];

	cJSON_AddStringToObject(o, "executionId", e->id);
	cJSON_AddStringToObject(o, "status", exec_phase_name(ph));
	if (ph == EXEC_PENDING) {
		cJSON_AddNullToObject(o, "startedAt");
	} else {
		util_iso8601(e->wall0 + e->running_at, ts);
		cJSON_AddStringToObject(o, "startedAt", ts);
	}
	if (exec_phase_terminal(ph)) {
		util_iso8601(e->wall0 + e->run_seconds, ts);
		cJSON_AddStringToObject(o, "completedAt", ts);
		cJSON_AddNumberToObject(o, "executionTimeSeconds", (double)run_time(e));
	} else {
		cJSON_AddNullToObject(o, "completedAt");
		cJSON_AddNullToObject(o, "executionTimeSeconds");
	}
	if (ph == EXEC_FAILED)
		cJSON_AddStringToObject(o, "errorMessage", e->error);
	else
		cJSON_AddNullToObject(o, "errorMessage");
	if (ph == EXEC_PENDING) {
		cJSON_AddNullToObject(o, "sparkUiUrl");
		cJSON_AddNullToObject(o, "executorPodCount");
	} else {
		char *url = xasprintf("http://%s-driver-svc.webrobot.svc:4040", e->id);

		cJSON_AddStringToObject(o, "sparkUiUrl", url);
		free(url);
		cJSON_AddNumberToObject(o, "executorPodCount",
					exec_phase_terminal(ph) ? 0 : 3);
	}
	return o;
}

/* Appends line i of stream st as one JSON array element. */
static void add_line(const struct exec *e, enum sparklog_stream st, size_t i,
		     struct sbuf *out, struct sbuf *scratch, int first)
{
	scratch->len = 0;
	sparklog_line(e->log, st, i, scratch);
	if (!first)
		sbuf_addc(out, ',');
	sbuf_add_json_string(out, scratch->s, scratch->len);
}

char *exec_logs_text(const struct exec *e, double mono, enum exec_pod pod,
		     long tail, size_t *len)
{
	double t = elapsed(e, mono);
	struct sbuf out = { 0 }, scratch = { 0 };
	size_t nd = 0, nx = 0, n, first = 0, k;

	if (t >= e->run_seconds)
		t = INFINITY;  /* terminal: everything, whatever the rounding */
	if (pod != EXEC_POD_EXECUTOR)
		nd = sparklog_visible(e->log, SPARKLOG_DRIVER, t);
	if (pod != EXEC_POD_DRIVER)
		nx = sparklog_visible(e->log, SPARKLOG_EXECUTOR, t);
	n = nd + nx;
	if (tail >= 0 && (size_t)tail < n)
		first = n - (size_t)tail;
	sbuf_add(&out, "{\"logs\":[", 9);
	if (pod != EXEC_POD_ALL) {
		enum sparklog_stream st = pod == EXEC_POD_DRIVER ? SPARKLOG_DRIVER
								 : SPARKLOG_EXECUTOR;

		for (k = first; k < n; k++)
			add_line(e, st, k, &out, &scratch, k == first);
	} else {
		/* merge by appearance time, driver first on ties; only the lines
		 * from position `first` on are formatted */
		size_t i = 0, j = 0;
		double at_d = nd ? sparklog_at(e->log, SPARKLOG_DRIVER, 0) : 0;
		double at_x = nx ? sparklog_at(e->log, SPARKLOG_EXECUTOR, 0) : 0;

		for (k = 0; k < n; k++) {
			if (j >= nx || (i < nd && at_d <= at_x)) {
				if (k >= first)
					add_line(e, SPARKLOG_DRIVER, i, &out, &scratch, k == first);
				if (++i < nd)
					at_d = sparklog_at(e->log, SPARKLOG_DRIVER, i);
			} else {
				if (k >= first)
					add_line(e, SPARKLOG_EXECUTOR, j, &out, &scratch, k == first);
				if (++j < nx)
					at_x = sparklog_at(e->log, SPARKLOG_EXECUTOR, j);
			}
		}
	}
	sbuf_add(&out, "]}", 2);
	free(scratch.s);
	return sbuf_take(&out, len);
}

int exec_figures(const struct exec *e, double mono, struct exec_figures *f)
{
	enum exec_phase ph = exec_phase_at(e, mono);
	uint64_t h = util_mix64(e->seed ^ 0x5eed);

	if (!exec_phase_terminal(ph))
		return -EAGAIN;
	memset(f, 0, sizeof(*f));
	f->duration_s = run_time(e);
	f->records_in = 40000 + (long)(h % 220000);
	f->records_out = ph == EXEC_COMPLETED ? f->records_in - (long)(h % 997) : 0;
	f->file_bytes = ph == EXEC_COMPLETED ? f->records_out * 212 : 0;
	f->driver_mem = 1073741824L + (long)((h >> 20) % 536870912);
	f->executor_mem = 3L * (2147483648L + (long)((h >> 24) % 1073741824));
	f->cpu_s = f->duration_s * 3 + (long)((h >> 8) % 7);
	f->errors = ph == EXEC_FAILED ? 4 : 0;
	f->warnings = ph == EXEC_FAILED ? 1 + (long)((h >> 4) % 3) : (long)((h >> 4) % 3);
	f->executors = 3;
	return 0;
}
