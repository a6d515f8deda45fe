/* exec.h — one Spark execution of a job and what can be observed of it at a
 * given instant. An execution is immutable once created: its phase, status
 * body and visible logs are pure functions of the elapsed time, so the
 * emulator needs no timer thread and terminal answers never change. */
#ifndef EMU_EXEC_H
#define EMU_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "util.h"

enum exec_phase {
	EXEC_PENDING,
	EXEC_RUNNING,
	EXEC_COMPLETED,
	EXEC_FAILED,
};

enum exec_pod {
	EXEC_POD_ALL,
	EXEC_POD_DRIVER,
	EXEC_POD_EXECUTOR,
};

/* Figures of a terminal run, for the metrics endpoints. */
struct exec_figures {
	long duration_s, records_in, records_out, file_bytes, driver_mem,
	     executor_mem, cpu_s, errors, warnings, executors;
};

struct exec;

struct exec_spec {
	const char *id;
	const char *project_id;
	const char *job_id;
	const char *job_name;
	const cJSON *arguments;  /* array of strings or NULL */
	const char *error;       /* non-NULL: the run fails with this message */
	double run_seconds;
	size_t log_lines;        /* driver body lines; 0: SPARKLOG_DEFAULT_LINES */
	size_t log_line_bytes;   /* pad log lines to this length; 0: natural */
	struct emu_now submitted;
};

/* Creates an execution (O(1) memory: log lines are computed when read);
 * spec strings are copied.
 * Free with exec_free (NULL is fine). */
struct exec *exec_new(const struct exec_spec *spec);
void exec_free(struct exec *e);

/* Accessors; the strings live as long as the execution. */
const char *exec_id(const struct exec *e);
const char *exec_job_id(const struct exec *e);
const char *exec_project_id(const struct exec *e);
double exec_submitted_wall(const struct exec *e);

/* Phase at monotonic time mono. */
enum exec_phase exec_phase_at(const struct exec *e, double mono);
/* True for COMPLETED and FAILED, which never change again. */
static inline int exec_phase_terminal(enum exec_phase p)
{
	return p == EXEC_COMPLETED || p == EXEC_FAILED;
}
/* "PENDING", "RUNNING", "COMPLETED" or "FAILED" (static). */
const char *exec_phase_name(enum exec_phase p);

/* The status body at mono (new object, caller deletes). */
cJSON *exec_status_json(const struct exec *e, double mono);

/* The JSON text {"logs":[...]} of the lines visible at mono for pod; tail < 0
 * means all lines. EXEC_POD_ALL merges both streams in time order (driver
 * first on ties), which keeps it append-only too. Time and memory are
 * proportional to the answer. Returns a heap string (caller frees) and its
 * length in *len. Safe without any lock: an execution never changes. */
char *exec_logs_text(const struct exec *e, double mono, enum exec_pod pod,
		     long tail, size_t *len);

/* Fills f for a terminal execution; returns 0, or -EAGAIN when not terminal. */
int exec_figures(const struct exec *e, double mono, struct exec_figures *f);

#endif
