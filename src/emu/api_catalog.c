/* api_catalog.c — the read-only corners of the API: health, datasets,
 * agents, categories, the cloud service descriptions, the scheduler's
 * CronJobs, and the HTML fetcher (answered with a small deterministic page
 * instead of a real fetch, so tests never touch the network). */
#include "api.h"
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

static void reply_text_json(struct emu_resp *r, const char *text)
{
	http_reply_json(r, 200, cJSON_Parse(text));
}

void api_health(const struct emu_req *q, struct emu_resp *r)
{
	(void)q;
	reply_text_json(r, "{\"status\":\"UP\",\"service\":\"webrobot-etl-api\",\"version\":\"1.0.0\"}");
}

static void list(const struct emu_req *q, struct emu_resp *r, enum catalog_kind k)
{
	http_reply_json(r, 200, catalog_list(q->svc->catalog, k));
}

static void get(const struct emu_req *q, struct emu_resp *r, enum catalog_kind k,
		const char *what)
{
	cJSON *out = NULL;

	if (catalog_get(q->svc->catalog, k, q->param[0], &out) != 0)
		http_reply_error(r, 404, q->now.wall, "%s not found", what);
	else
		http_reply_json(r, 200, out);
}

void api_datasets_list(const struct emu_req *q, struct emu_resp *r)
{
	list(q, r, CATALOG_DATASETS);
}

void api_dataset_get(const struct emu_req *q, struct emu_resp *r)
{
	get(q, r, CATALOG_DATASETS, "Dataset");
}

void api_agents_list(const struct emu_req *q, struct emu_resp *r)
{
	list(q, r, CATALOG_AGENTS);
}

void api_agent_get(const struct emu_req *q, struct emu_resp *r)
{
	get(q, r, CATALOG_AGENTS, "Agent");
}

void api_categories_list(const struct emu_req *q, struct emu_resp *r)
{
	list(q, r, CATALOG_CATEGORIES);
}

void api_category_get(const struct emu_req *q, struct emu_resp *r)
{
	get(q, r, CATALOG_CATEGORIES, "Category");
}

void api_spark_info(const struct emu_req *q, struct emu_resp *r)
{
	(void)q;
	reply_text_json(r,
		"{\"clusterId\":\"default-cluster\",\"provider\":\"kubernetes\","
		"\"sparkVersion\":\"3.5.1\",\"scalaVersion\":\"2.12.18\",\"javaVersion\":\"17.0.12\","
		"\"master\":\"k8s://https://kubernetes.default.svc:443\",\"namespace\":\"webrobot\","
		"\"image\":\"registry.webrobot.eu/webrobot/spark-runner:3.5.1\","
		"\"defaults\":{\"driverCores\":1,\"driverMemory\":\"2g\",\"executorInstances\":3,"
		"\"executorCores\":2,\"executorMemory\":\"4g\"},\"status\":\"RUNNING\"}");
}

void api_spark_health(const struct emu_req *q, struct emu_resp *r)
{
	(void)q;
	reply_text_json(r,
		"{\"status\":\"UP\",\"service\":\"spark\",\"clusterId\":\"default-cluster\","
		"\"kubernetes\":\"UP\",\"activeExecutions\":0}");
}

void api_spark_capabilities(const struct emu_req *q, struct emu_resp *r)
{
	(void)q;
	reply_text_json(r,
		"{\"sparkVersions\":[\"3.5.1\",\"3.4.3\"],\"languages\":[\"python\",\"scala\",\"sql\"],"
		"\"formats\":[\"parquet\",\"csv\",\"json\",\"delta\"],\"storage\":[\"s3a\",\"gs\",\"abfss\"],"
		"\"maxExecutors\":20,\"maxExecutorMemory\":\"16g\",\"maxConcurrentExecutionsPerProject\":10,"
		"\"gpu\":false,\"dynamicAllocation\":true}");
}

void api_training_info(const struct emu_req *q, struct emu_resp *r)
{
	(void)q;
	reply_text_json(r,
		"{\"service\":\"training\",\"version\":\"1.0.0\","
		"\"providers\":[\"huggingface\",\"openai\"],\"frameworks\":[\"pytorch\",\"transformers\"],"
		"\"gpu\":false,\"status\":\"RUNNING\"}");
}

void api_training_health(const struct emu_req *q, struct emu_resp *r)
{
	(void)q;
	reply_text_json(r, "{\"status\":\"UP\",\"service\":\"training\"}");
}

void api_cronjobs_list(const struct emu_req *q, struct emu_resp *r)
{
	http_reply_json(r, 200, world_cronjobs(q->svc->world,
					       url_query_get(q->query, "namespace")));
}

void api_cronjob_get(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *out = NULL;

	api_reply_rc(q, r, world_cronjob_get(q->svc->world, q->param[0],
					     url_query_get(q->query, "namespace"), &out), &out);
}

/* Appends s to buf with HTML escaping; returns the new length. */
static size_t html_escape(char *buf, size_t n, const char *s)
{
	for (; *s; s++) {
		const char *rep = NULL;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		}
		if (rep) {
			memcpy(buf + n, rep, strlen(rep));
			n += strlen(rep);
		} else {
			buf[n++] = *s;
		}
	}
	return n;
}

void api_html(const struct emu_req *q, struct emu_resp *r)
{
	const char *url = q->param[0], *proto = q->param[1];
	static const char *const part[] = {
		"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
		"</title>\n</head>\n<body>\n<h1>",
		"</h1>\n<p>Fetched <a href=\"",
		"\">",
		"</a> through the WebRobot emulator.</p>\n<p>Protocol: ",
		"</p>\n</body>\n</html>\n",
	};
	char *buf;
	char *full;
	size_t n = 0, i;

	if (!url || !proto || (strcmp(proto, "http") != 0 && strcmp(proto, "https") != 0)) {
		http_reply_error(r, 400, q->now.wall,
				 "Invalid protocol '%.32s': expected http or https",
				 proto ? proto : "");
		return;
	}
	full = xasprintf("%s://%s", proto, url);
	buf = xmalloc(512 + 6 * (4 * strlen(full) + strlen(proto)));
	for (i = 0; i < sizeof(part) / sizeof(part[0]); i++) {
		memcpy(buf + n, part[i], strlen(part[i]));
		n += strlen(part[i]);
		if (i == 0 || i == 1)
			n = html_escape(buf, n, url);
		else if (i == 2 || i == 3)
			n = html_escape(buf, n, full);
		else if (i == 4)
			n = html_escape(buf, n, proto);
	}
	buf[n] = '\0';
	free(full);
	http_reply_raw(r, 200, "text/html; charset=utf-8", buf, n);
}
