/* world_cron.c — the scheduler's view: one Kubernetes-style CronJob per
 * project that has a cron schedule, derived from the project each time. */
#include "world_impl.h"
#include "jsonx.h"

#include <stdlib.h>
#include <string.h>

/* ---- scheduler view ---- */

#define CRON_NAMESPACE "webrobot"

static cJSON *render_cronjob(const struct project *p)
{
	const char *cron = jx_str(p->dto, "cronSchedule");
	const char *name = jx_str(p->dto, "name");
	cJSON *o;
	char *cname;

	if (!cron || !*cron)
		return NULL;
	o = cJSON_CreateObject();
	cname = xasprintf("%s-schedule", name ? name : p->id);
	cJSON_AddStringToObject(o, "name", cname);
	free(cname);
	cJSON_AddStringToObject(o, "namespace", CRON_NAMESPACE);
	cJSON_AddStringToObject(o, "schedule", cron);
	cJSON_AddStringToObject(o, "timezone", p->timezone);
	cJSON_AddBoolToObject(o, "suspend",
			      !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p->dto, "enabled")));
	cJSON_AddStringToObject(o, "projectId", p->id);
	if (p->jobs.n)
		cJSON_AddStringToObject(o, "jobId", ((struct job *)p->jobs.v[0])->id);
	else
		cJSON_AddNullToObject(o, "jobId");
	cJSON_AddStringToObject(o, "image", "registry.webrobot.eu/webrobot/spark-runner:3.5.1");
	cJSON_AddNumberToObject(o, "active", 0);
	cJSON_AddNullToObject(o, "lastScheduleTime");
	return o;
}

cJSON *world_cronjobs(struct world *w, const char *ns)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i;

	if (ns && strcmp(ns, CRON_NAMESPACE) != 0)
		return arr;
	pthread_mutex_lock(&w->lock);
	for (i = 0; i < w->projects.n; i++) {
		cJSON *o = render_cronjob(w->projects.v[i]);

		if (o)
			cJSON_AddItemToArray(arr, o);
	}
	pthread_mutex_unlock(&w->lock);
	return arr;
}

enum world_rc world_cronjob_get(struct world *w, const char *name, const char *ns,
				cJSON **out)
{
	enum world_rc rc = W_NO_CRONJOB;
	size_t i;

	if (ns && strcmp(ns, CRON_NAMESPACE) != 0)
		return rc;
	pthread_mutex_lock(&w->lock);
	for (i = 0; i < w->projects.n && rc != W_OK; i++) {
		cJSON *o = render_cronjob(w->projects.v[i]);

		if (o && strcmp(jx_str(o, "name"), name) == 0) {
			*out = o;
			rc = W_OK;
		} else {
			cJSON_Delete(o);
		}
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}
