/* api.h — one handler per endpoint of the emulated API, plus the helpers
 * they share. Handlers read a decoded emu_req and fill an emu_resp; they
 * never see libmicrohttpd. The route table (routes.c) binds them to paths. */
#ifndef EMU_API_H
#define EMU_API_H

#include "http.h"
#include "world.h"

typedef void api_handler(const struct emu_req *q, struct emu_resp *r);

/* Shared helpers (api_common.c). */

/* 200 with *out (taken) for W_OK, else the Error for rc (*out deleted if
 * set). out is a pointer so that it is read after the world call that fills
 * it, whatever the argument evaluation order. */
void api_reply_rc(const struct emu_req *q, struct emu_resp *r, enum world_rc rc,
		  cJSON **out);
/* The body as a JSON object (caller deletes), or NULL after replying 400. */
cJSON *api_body_object(const struct emu_req *q, struct emu_resp *r);
/* Reads startTime/endTime; returns 0, or -EINVAL after replying 400. */
int api_window(const struct emu_req *q, struct emu_resp *r, struct world_window *win);
/* Non-negative decimal query value (absent: dflt); -EINVAL after a 400 when
 * malformed or above max. */
int api_query_long(const struct emu_req *q, struct emu_resp *r, const char *name,
		   long dflt, long min, long max, long *out);
/* True for a plausible 5- or 6-field cron expression. */
int api_cron_valid(const char *expr);

/* api_projects.c */
api_handler api_projects_list, api_project_get, api_project_put,
	api_project_by_name, api_schedule_get, api_schedule_put,
	api_project_metrics;

/* api_jobs.c */
api_handler api_jobs_list, api_job_create, api_job_get, api_job_put,
	api_job_metrics, api_tasks_list, api_task_get, api_task_put,
	api_task_status, api_task_start, api_task_stop, api_task_metrics;

/* api_exec.c */
api_handler api_execute, api_exec_status, api_exec_logs;

/* api_tables.c */
api_handler api_table_list, api_table_insert, api_table_get, api_table_put,
	api_table_delete;

/* api_catalog.c */
api_handler api_health, api_datasets_list, api_dataset_get, api_agents_list,
	api_agent_get, api_categories_list, api_category_get, api_spark_info,
	api_spark_health, api_spark_capabilities, api_training_info,
	api_training_health, api_cronjobs_list, api_cronjob_get, api_html;

#endif
