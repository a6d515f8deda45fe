/* routes.c — every endpoint the emulator serves, as a table in OpenAPI
 * terms. Order matters only where templates overlap: the first match wins.
 * Matching is per decoded segment, so "%2F" inside an id never splits it. */
#include "routes.h"

#include <string.h>

#define P "/webrobot/api/projects"
#define J P "/id/{projectId}/jobs/{jobId}"
#define T J "/tasks/{taskId}"
#define E J "/executions/{executionId}"
#define R(m, t, f) { m, t, m " " t, f }

static const struct route routes[] = {
	R("GET", "/health", api_health),

	R("GET", P, api_projects_list),
	R("GET", P "/id/{projectId}", api_project_get),
	R("PUT", P "/id/{projectId}", api_project_put),
	R("GET", P "/id/{projectId}/schedule", api_schedule_get),
	R("PUT", P "/id/{projectId}/schedule", api_schedule_put),
	R("GET", P "/id/{projectId}/metrics", api_project_metrics),
	R("GET", P "/id/{projectId}/jobs", api_jobs_list),
	R("POST", P "/id/{projectId}/jobs", api_job_create),
	R("GET", J, api_job_get),
	R("PUT", J, api_job_put),
	R("GET", J "/metrics", api_job_metrics),
	R("POST", J "/execute", api_execute),
	R("GET", E "/status", api_exec_status),
	R("GET", E "/logs", api_exec_logs),
	R("GET", J "/tasks", api_tasks_list),
	R("GET", T, api_task_get),
	R("PUT", T, api_task_put),
	R("GET", T "/status", api_task_status),
	R("POST", T "/start", api_task_start),
	R("POST", T "/stop", api_task_stop),
	R("GET", T "/metrics", api_task_metrics),
	R("GET", P "/{projectName}", api_project_by_name),

	R("GET", "/api/strapi-tables/{table}", api_table_list),
	R("POST", "/api/strapi-tables/{table}", api_table_insert),
	R("GET", "/api/strapi-tables/{table}/{id}", api_table_get),
	R("PUT", "/api/strapi-tables/{table}/{id}", api_table_put),
	R("DELETE", "/api/strapi-tables/{table}/{id}", api_table_delete),

	R("GET", "/webrobot/api/datasets", api_datasets_list),
	R("GET", "/webrobot/api/datasets/{datasetId}", api_dataset_get),
	R("GET", "/webrobot/api/agents", api_agents_list),
	R("GET", "/webrobot/api/agents/{agentId}", api_agent_get),
	R("GET", "/webrobot/api/categories", api_categories_list),
	R("GET", "/webrobot/api/categories/id/{categoryId}", api_category_get),

	R("GET", "/webrobot/cloud/spark/info", api_spark_info),
	R("GET", "/webrobot/cloud/spark/health", api_spark_health),
	R("GET", "/webrobot/cloud/spark/capabilities", api_spark_capabilities),
	R("GET", "/webrobot/cloud/training/info", api_training_info),
	R("GET", "/webrobot/cloud/training/health", api_training_health),
	R("GET", "/webrobot/cloud/scheduler/cronjobs", api_cronjobs_list),
	R("GET", "/webrobot/cloud/scheduler/cronjobs/{name}", api_cronjob_get),

	R("GET", "/webrobot/api/html/{url}/{protocol}", api_html),
};

/* Matches one template against the segments; fills params on success. */
static int match(const char *tmpl, char *const *seg, size_t nseg,
		 const char **params, size_t *nparams)
{
	const char *p = tmpl + 1;   /* templates start with '/' */
	size_t i = 0, np = 0;

	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);

		if (i >= nseg)
			return 0;
		if (len >= 2 && p[0] == '{' && p[len - 1] == '}') {
			if (!seg[i][0] || np >= HTTP_MAX_PARAMS)
				return 0;
			params[np++] = seg[i];
		} else if (strlen(seg[i]) != len || memcmp(seg[i], p, len) != 0) {
			return 0;
		}
		i++;
		if (!slash)
			break;
		p = slash + 1;
	}
	if (i != nseg)
		return 0;
	*nparams = np;
	return 1;
}

const struct route *route_match(const char *method, char *const *seg, size_t nseg,
				const char **params, size_t *nparams)
{
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(routes[i].method, method) == 0 &&
		    match(routes[i].tmpl, seg, nseg, params, nparams))
			return &routes[i];
	return NULL;
}
