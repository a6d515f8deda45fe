/* world.h — the emulator's mutable state: projects, their jobs and tasks, and
 * the executions started on them, behind one mutex. Every call takes the
 * lock, works, and hands back a fresh copy (cJSON or text; caller frees),
 * so no pointer into the state ever escapes it. */
#ifndef EMU_WORLD_H
#define EMU_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "exec.h"
#include "util.h"

/* Outcomes richer than -errno: the API layer turns each into an HTTP status
 * and message with world_rc_status / world_rc_message. */
enum world_rc {
	W_OK = 0,
	W_NO_PROJECT,
	W_NO_JOB,
	W_NO_TASK,
	W_NO_EXEC,
	W_NO_CRONJOB,
	W_JOB_RUNNING,
	W_PROJECT_BUSY,
	W_TASK_RUNNING,
	W_TASK_NOT_RUNNING,
	W_DUPLICATE,
};

#define WORLD_MAX_CONCURRENT 10

/* HTTP status for rc (200 for W_OK). */
int world_rc_status(enum world_rc rc);
/* Human message for rc, a static string. */
const char *world_rc_message(enum world_rc rc);

/* Optional time filter on execution submit time (metrics endpoints). */
struct world_window {
	int has_start, has_end;
	double start, end;
	const char *start_text, *end_text;  /* echoed back, borrowed */
};

struct world;

struct world_opts {
	double run_seconds;        /* how long a run lasts */
	size_t log_lines;          /* driver body lines per run; 0: default */
	size_t log_line_bytes;     /* pad log lines to this length; 0: natural */
	uint64_t salt;             /* makes execution ids of this process
				    * differ from other runs' */
};

/* An empty world. Free with world_free. */
struct world *world_new(const struct world_opts *o);
/* Frees everything, executions included (NULL is fine). */
void world_free(struct world *w);

/* Seeding. dto (taken) must hold a string "id"; W_DUPLICATE if it exists.
 * A job with fail_message != NULL fails every run with that message. */
enum world_rc world_add_project(struct world *w, cJSON *dto, const char *timezone);
enum world_rc world_add_job(struct world *w, const char *pid, cJSON *dto,
			    const char *fail_message);
enum world_rc world_add_task(struct world *w, const char *pid, const char *jid,
			     cJSON *dto, double started, double ended);

/* Projects. Patches are objects already type-checked by the caller; members
 * id, jobIds, createdAt and updatedAt are ignored (updatedAt becomes now).
 * W_NO_PROJECT for an unknown id; *out is set only on W_OK. */
cJSON *world_projects(struct world *w);
enum world_rc world_project_get(struct world *w, const char *pid, cJSON **out);
enum world_rc world_project_by_name(struct world *w, const char *name, cJSON **out);
enum world_rc world_project_put(struct world *w, const char *pid, const cJSON *patch,
				const struct emu_now *now, cJSON **out);
enum world_rc world_schedule_get(struct world *w, const char *pid, cJSON **out);
enum world_rc world_schedule_put(struct world *w, const char *pid, const cJSON *patch,
				 const struct emu_now *now, cJSON **out);
enum world_rc world_project_metrics(struct world *w, const char *pid,
				    const struct world_window *win,
				    const struct emu_now *now, cJSON **out);

/* Jobs: executionStatus is the newest execution's phase when there is one;
 * id, projectId, taskIds, createdAt, updatedAt are not writable. A job not
 * in that project is W_NO_JOB. world_job_add gives the next numeric id. */
enum world_rc world_jobs(struct world *w, const char *pid, const struct emu_now *now,
			 cJSON **out);
enum world_rc world_job_add(struct world *w, const char *pid, const cJSON *body,
			    const struct emu_now *now, cJSON **out);
enum world_rc world_job_get(struct world *w, const char *pid, const char *jid,
			    const struct emu_now *now, cJSON **out);
enum world_rc world_job_put(struct world *w, const char *pid, const char *jid,
			    const cJSON *patch, const struct emu_now *now, cJSON **out);
enum world_rc world_job_metrics(struct world *w, const char *pid, const char *jid,
				const struct world_window *win,
				const struct emu_now *now, cJSON **out);

/* Tasks. start: W_TASK_RUNNING if already RUNNING; stop: W_TASK_NOT_RUNNING
 * unless RUNNING (a stopped task becomes FAILED). */
enum world_rc world_tasks(struct world *w, const char *pid, const char *jid, cJSON **out);
enum world_rc world_task_get(struct world *w, const char *pid, const char *jid,
			     const char *tid, cJSON **out);
enum world_rc world_task_put(struct world *w, const char *pid, const char *jid,
			     const char *tid, const cJSON *patch,
			     const struct emu_now *now, cJSON **out);
enum world_rc world_task_status(struct world *w, const char *pid, const char *jid,
				const char *tid, cJSON **out);
enum world_rc world_task_start(struct world *w, const char *pid, const char *jid,
			       const char *tid, const struct emu_now *now, cJSON **out);
enum world_rc world_task_stop(struct world *w, const char *pid, const char *jid,
			      const char *tid, const struct emu_now *now, cJSON **out);
enum world_rc world_task_metrics(struct world *w, const char *pid, const char *jid,
				 const char *tid, cJSON **out);

/* Starts a run of the job: W_JOB_RUNNING while its newest run is not
 * terminal, W_PROJECT_BUSY at WORLD_MAX_CONCURRENT live runs in the project.
 * arguments / credentials: arrays of strings or NULL. */
enum world_rc world_execute(struct world *w, const char *pid, const char *jid,
			    const cJSON *arguments, const cJSON *credentials,
			    const struct emu_now *now, cJSON **out);
/* Status / logs of an execution that belongs to that project and job. The
 * logs come as JSON text (*out, caller frees; *len its length), formatted
 * after the lock is released: a large log does not stall other requests. */
enum world_rc world_exec_status(struct world *w, const char *pid, const char *jid,
				const char *eid, const struct emu_now *now, cJSON **out);
enum world_rc world_exec_logs(struct world *w, const char *pid, const char *jid,
			      const char *eid, enum exec_pod pod, long tail,
			      const struct emu_now *now, char **out, size_t *len);

/* Scheduler view: one CronJob per project with a cron schedule. ns == NULL
 * means any namespace. */
cJSON *world_cronjobs(struct world *w, const char *ns);
enum world_rc world_cronjob_get(struct world *w, const char *name, const char *ns,
				cJSON **out);

#endif
