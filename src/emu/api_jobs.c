/* api_jobs.c — jobs and tasks of a project: list, create, read, update,
 * metrics, and the task start/stop switches. Bodies are type-checked against
 * JobDto and TaskDto. */
#include "api.h"
#include "jsonx.h"

static const char *const exec_statuses[] = { "PENDING", "RUNNING", "COMPLETED", "FAILED", NULL };
static const char *const task_types[] = { "SPARK", "AUTONOMOUS_AGENT", "BACKGROUND_TASK", NULL };
static const char *const exec_modes[] = { "MANUAL", "SCHEDULED", "EVENT_DRIVEN", NULL };

static const struct jx_field job_fields[] = {
	{ "name", JX_STRING, NULL },
	{ "description", JX_STRING | JX_NULL, NULL },
	{ "agentId", JX_STRING | JX_NULL, NULL },
	{ "inputDatasetId", JX_STRING | JX_NULL, NULL },
	{ "cloudCredentialId", JX_STRING | JX_NULL, NULL },
	{ "cloudCredentialIds", JX_STRARRAY | JX_NULL, NULL },
	{ "executionStatus", JX_STRING | JX_NULL, exec_statuses },
	{ "scheduledTime", JX_STRING | JX_NULL, NULL },
	{ "enabled", JX_BOOL, NULL },
};

static const struct jx_field task_fields[] = {
	{ "name", JX_STRING, NULL },
	{ "description", JX_STRING | JX_NULL, NULL },
	{ "botId", JX_STRING | JX_NULL, NULL },
	{ "outputDatasetId", JX_STRING | JX_NULL, NULL },
	{ "taskType", JX_STRING, task_types },
	{ "executionReferenceId", JX_STRING | JX_NULL, NULL },
	{ "executionStatus", JX_STRING, exec_statuses },
	{ "executionLog", JX_STRING | JX_NULL, NULL },
	{ "scheduledTime", JX_STRING | JX_NULL, NULL },
	{ "executionMode", JX_STRING, exec_modes },
	{ "enabled", JX_BOOL, NULL },
	{ "apiKey", JX_STRING | JX_NULL, NULL },
};

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* The body as a checked object, or NULL after a 400. */
static cJSON *checked_body(const struct emu_req *q, struct emu_resp *r,
			   const struct jx_field *f, size_t n)
{
	cJSON *body = api_body_object(q, r);
	const char *bad = NULL;

	if (body && jx_check(body, f, n, &bad) != 0) {
		http_reply_error(r, 400, q->now.wall, "Invalid value for field '%s'", bad);
		cJSON_Delete(body);
		return NULL;
	}
	return body;
}

void api_jobs_list(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *out = NULL;

	api_reply_rc(q, r, world_jobs(q->svc->world, q->param[0], &q->now, &out), &out);
}

void api_job_create(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *body = checked_body(q, r, job_fields, NFIELDS(job_fields)), *out = NULL;
	const char *name;
	enum world_rc rc;

	if (!body)
		return;
	name = jx_str(body, "name");
	if (!name || !*name) {
		http_reply_error(r, 400, q->now.wall, "Field 'name' is required");
	} else {
		rc = world_job_add(q->svc->world, q->param[0], body, &q->now, &out);
		if (rc == W_OK)
			http_reply_json(r, 201, out);
		else
			api_reply_rc(q, r, rc, NULL);
	}
	cJSON_Delete(body);
}

void api_job_get(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *out = NULL;

	api_reply_rc(q, r, world_job_get(q->svc->world, q->param[0], q->param[1],
					 &q->now, &out), &out);
}

void api_job_put(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *body = checked_body(q, r, job_fields, NFIELDS(job_fields)), *out = NULL;

	if (!body)
		return;
	api_reply_rc(q, r, world_job_put(q->svc->world, q->param[0], q->param[1], body,
					 &q->now, &out), &out);
	cJSON_Delete(body);
}

void api_job_metrics(const struct emu_req *q, struct emu_resp *r)
{
	struct world_window win;
	cJSON *out = NULL;

	if (api_window(q, r, &win) != 0)
		return;
	api_reply_rc(q, r, world_job_metrics(q->svc->world, q->param[0], q->param[1],
					     &win, &q->now, &out), &out);
}

void api_tasks_list(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *out = NULL;

	api_reply_rc(q, r, world_tasks(q->svc->world, q->param[0], q->param[1], &out), &out);
}

void api_task_get(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *out = NULL;

	api_reply_rc(q, r, world_task_get(q->svc->world, q->param[0], q->param[1],
					  q->param[2], &out), &out);
}

void api_task_put(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *body = checked_body(q, r, task_fields, NFIELDS(task_fields)), *out = NULL;

	if (!body)
		return;
	api_reply_rc(q, r, world_task_put(q->svc->world, q->param[0], q->param[1],
					  q->param[2], body, &q->now, &out), &out);
	cJSON_Delete(body);
}

void api_task_status(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *out = NULL;

	api_reply_rc(q, r, world_task_status(q->svc->world, q->param[0], q->param[1],
					     q->param[2], &out), &out);
}

void api_task_start(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *out = NULL;

	api_reply_rc(q, r, world_task_start(q->svc->world, q->param[0], q->param[1],
					    q->param[2], &q->now, &out), &out);
}

void api_task_stop(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *out = NULL;

	api_reply_rc(q, r, world_task_stop(q->svc->world, q->param[0], q->param[1],
					   q->param[2], &q->now, &out), &out);
}

void api_task_metrics(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *out = NULL;

	api_reply_rc(q, r, world_task_metrics(q->svc->world, q->param[0], q->param[1],
					      q->param[2], &out), &out);
}
