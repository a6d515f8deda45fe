/* api_exec.c — running a job and watching the run: POST .../execute with its
 * optional {"arguments","cloudCredentialIds"} body, and the status and logs
 * of an execution. */
#include "api.h"
#include "jsonx.h"

#include <string.h>

static const struct jx_field execute_fields[] = {
	{ "arguments", JX_STRARRAY | JX_NULL, NULL },
	{ "cloudCredentialIds", JX_STRARRAY | JX_NULL, NULL },
};

void api_execute(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *body = NULL, *out = NULL;
	const cJSON *args = NULL, *creds = NULL;
	const char *bad = NULL;

	if (!jx_is_blank(q->body, q->body_len)) {
		body = api_body_object(q, r);
		if (!body)
			return;
		if (jx_check(body, execute_fields, 2, &bad) != 0) {
			http_reply_error(r, 400, q->now.wall,
					 "Invalid value for field '%s': expected an array of strings", bad);
			cJSON_Delete(body);
			return;
		}
		args = cJSON_GetObjectItemCaseSensitive(body, "arguments");
		creds = cJSON_GetObjectItemCaseSensitive(body, "cloudCredentialIds");
	}
	api_reply_rc(q, r, world_execute(q->svc->world, q->param[0], q->param[1],
					 cJSON_IsArray(args) ? args : NULL,
					 cJSON_IsArray(creds) ? creds : NULL,
					 &q->now, &out), &out);
	cJSON_Delete(body);
}

void api_exec_status(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *out = NULL;

	api_reply_rc(q, r, world_exec_status(q->svc->world, q->param[0], q->param[1],
					     q->param[2], &q->now, &out), &out);
}

void api_exec_logs(const struct emu_req *q, struct emu_resp *r)
{
	const char *pod = url_query_get(q->query, "podType");
	enum exec_pod kind = EXEC_POD_ALL;
	enum world_rc rc;
	char *text = NULL;
	size_t len = 0;
	long tail;

	if (pod && strcmp(pod, "driver") == 0) {
		kind = EXEC_POD_DRIVER;
	} else if (pod && strcmp(pod, "executor") == 0) {
		kind = EXEC_POD_EXECUTOR;
	} else if (pod) {
		http_reply_error(r, 400, q->now.wall,
				 "Invalid podType '%.64s': expected driver or executor", pod);
		return;
	}
	if (api_query_long(q, r, "tail", -1, 0, 100000000, &tail) != 0)
		return;
	rc = world_exec_logs(q->svc->world, q->param[0], q->param[1], q->param[2],
			     kind, tail, &q->now, &text, &len);
	if (rc == W_OK)
		http_reply_raw(r, 200, "application/json", text, len);
	else
		api_reply_rc(q, r, rc, NULL);
}
