/* api_projects.c — /webrobot/api/projects: list, by id, by name, update,
 * schedule and metrics. Bodies are type-checked against JobProjectDto and
 * ProjectScheduleRequest before the world sees them. */
#include "api.h"
#include "jsonx.h"

static const struct jx_field project_fields[] = {
	{ "name", JX_STRING, NULL },
	{ "description", JX_STRING | JX_NULL, NULL },
	{ "cronSchedule", JX_STRING | JX_NULL, NULL },
	{ "enabled", JX_BOOL, NULL },
};

static const struct jx_field schedule_fields[] = {
	{ "cronSchedule", JX_STRING | JX_NULL, NULL },
	{ "enabled", JX_BOOL, NULL },
	{ "timezone", JX_STRING, NULL },
};

/* Type check plus a cron syntax check; replies 400 and returns -1 on error. */
static int check(const struct emu_req *q, struct emu_resp *r, const cJSON *body,
		 const struct jx_field *f, size_t n)
{
	const char *bad = NULL;
	const char *cron;

	if (jx_check(body, f, n, &bad) != 0) {
		http_reply_error(r, 400, q->now.wall, "Invalid value for field '%s'", bad);
		return -1;
	}
	cron = jx_str(body, "cronSchedule");
	if (cron && *cron && !api_cron_valid(cron)) {
		http_reply_error(r, 400, q->now.wall, "Invalid cron expression '%s'", cron);
		return -1;
	}
	return 0;
}

void api_projects_list(const struct emu_req *q, struct emu_resp *r)
{
	http_reply_json(r, 200, world_projects(q->svc->world));
}

void api_project_get(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *out = NULL;

	api_reply_rc(q, r, world_project_get(q->svc->world, q->param[0], &out), &out);
}

void api_project_by_name(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *out = NULL;

	api_reply_rc(q, r, world_project_by_name(q->svc->world, q->param[0], &out), &out);
}

void api_project_put(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *body = api_body_object(q, r), *out = NULL;

	if (!body)
		return;
	if (check(q, r, body, project_fields, sizeof(project_fields) / sizeof(project_fields[0])) == 0)
		api_reply_rc(q, r, world_project_put(q->svc->world, q->param[0], body,
						     &q->now, &out), &out);
	cJSON_Delete(body);
}

void api_schedule_get(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *out = NULL;

	api_reply_rc(q, r, world_schedule_get(q->svc->world, q->param[0], &out), &out);
}

void api_schedule_put(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *body = api_body_object(q, r), *out = NULL;
	const char *tz;

	if (!body)
		return;
	tz = jx_str(body, "timezone");
	if (tz && !*tz)
		http_reply_error(r, 400, q->now.wall, "Invalid value for field 'timezone'");
	else if (check(q, r, body, schedule_fields,
		       sizeof(schedule_fields) / sizeof(schedule_fields[0])) == 0)
		api_reply_rc(q, r, world_schedule_put(q->svc->world, q->param[0], body,
						      &q->now, &out), &out);
	cJSON_Delete(body);
}

void api_project_metrics(const struct emu_req *q, struct emu_resp *r)
{
	struct world_window win;
	cJSON *out = NULL;

	if (api_window(q, r, &win) != 0)
		return;
	api_reply_rc(q, r, world_project_metrics(q->svc->world, q->param[0], &win,
						 &q->now, &out), &out);
}
