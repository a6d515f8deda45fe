/* seed.c — the demo data set. Written as JSON text, so it reads like what the
 * API returns; the products table is generated (130 records, deterministic)
 * to exercise paging. */
#include "seed.h"
#include "catalog.h"
#include "tables.h"
#include "util.h"
#include "world.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CREATED "2026-11-02T09:14:00Z"
#define UPDATED "2026-11-28T17:42:10Z"
#define CREDS "[\"550e8400-e29b-41d4-a716-446655440000\"]"

static cJSON *parse(const char *text)
{
	cJSON *v = cJSON_Parse(text);

	if (!v) {
		fprintf(stderr, "webrobot-emu: bad seed JSON near: %.60s\n",
			cJSON_GetErrorPtr());
		abort();
	}
	return v;
}

struct seed_project {
	const char *json;
	const char *timezone;
};

static const struct seed_project projects[] = {
	{ "{\"id\":\"98\",\"name\":\"price-comparison\","
	  "\"description\":\"Scrape competitor prices, normalise currencies and publish a daily report\","
	  "\"cronSchedule\":\"0 */6 * * *\",\"enabled\":true,\"jobIds\":[],"
	  "\"createdAt\":\"" CREATED "\",\"updatedAt\":\"" UPDATED "\"}", "Europe/Rome" },
	{ "{\"id\":\"101\",\"name\":\"inventory-sync\","
	  "\"description\":\"Synchronise warehouse stock levels with the shop catalogue\","
	  "\"cronSchedule\":\"*/30 * * * *\",\"enabled\":true,\"jobIds\":[],"
	  "\"createdAt\":\"" CREATED "\",\"updatedAt\":\"" UPDATED "\"}", "UTC" },
	{ "{\"id\":\"102\",\"name\":\"review-sentiment\","
	  "\"description\":\"Score product reviews for sentiment\","
	  "\"cronSchedule\":\"0 3 * * *\",\"enabled\":false,\"jobIds\":[],"
	  "\"createdAt\":\"" CREATED "\",\"updatedAt\":\"" UPDATED "\"}", "UTC" },
	{ "{\"id\":\"103\",\"name\":\"catalog-enrichment\","
	  "\"description\":\"Enrich the product catalogue with images and attributes\","
	  "\"cronSchedule\":null,\"enabled\":false,\"jobIds\":[],"
	  "\"createdAt\":\"" CREATED "\",\"updatedAt\":\"" UPDATED "\"}", "UTC" },
};

struct seed_job {
	const char *project, *id, *name, *description, *agent, *dataset, *status;
	int fails;
};

static const struct seed_job jobs[] = {
	{ "98", "210", "scrape-prices", "Scrape prices from competitor shops", "5", "12", "COMPLETED", 0 },
	{ "98", "211", "normalize-currencies", "Convert every price to EUR", "6", "13", "FAILED", 1 },
	{ "98", "212", "publish-report", "Publish the price comparison report", "7", "14", "COMPLETED", 0 },
	{ "101", "310", "sync-warehouse", "Pull stock levels from the warehouse API", "8", "15", "COMPLETED", 0 },
	{ "101", "311", "reconcile-stock", "Reconcile shop and warehouse stock", "8", "15", "COMPLETED", 0 },
	{ "102", "410", "score-reviews", "Score reviews with the sentiment model", "9", "16", "COMPLETED", 0 },
};

static const char *const tasks_210[] = {
	"{\"id\":\"7001\",\"name\":\"extract-prices\",\"description\":\"Spark extraction of competitor price pages\","
	"\"jobId\":\"210\",\"botId\":\"5\",\"outputDatasetId\":\"12\",\"taskType\":\"SPARK\","
	"\"executionReferenceId\":null,\"executionStatus\":\"COMPLETED\",\"executionLog\":\"Extracted 48211 prices\","
	"\"scheduledTime\":null,\"executionMode\":\"SCHEDULED\",\"enabled\":true,\"apiKey\":null,"
	"\"createdAt\":\"" CREATED "\",\"updatedAt\":\"" UPDATED "\"}",
	"{\"id\":\"7002\",\"name\":\"refresh-proxies\",\"description\":\"Rotate the scraping proxy pool\","
	"\"jobId\":\"210\",\"botId\":null,\"outputDatasetId\":null,\"taskType\":\"BACKGROUND_TASK\","
	"\"executionReferenceId\":null,\"executionStatus\":\"PENDING\",\"executionLog\":null,"
	"\"scheduledTime\":null,\"executionMode\":\"MANUAL\",\"enabled\":true,\"apiKey\":null,"
	"\"createdAt\":\"" CREATED "\",\"updatedAt\":\"" UPDATED "\"}",
};

static cJSON *job_dto(const struct seed_job *j)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", j->id);
	cJSON_AddStringToObject(o, "name", j->name);
	cJSON_AddStringToObject(o, "description", j->description);
	cJSON_AddStringToObject(o, "projectId", j->project);
	cJSON_AddStringToObject(o, "agentId", j->agent);
	cJSON_AddStringToObject(o, "inputDatasetId", j->dataset);
	cJSON_AddItemToObject(o, "cloudCredentialIds", parse(CREDS));
	cJSON_AddStringToObject(o, "executionStatus", j->status);
	cJSON_AddNullToObject(o, "scheduledTime");
	cJSON_AddBoolToObject(o, "enabled", 1);
	cJSON_AddArrayToObject(o, "taskIds");
	cJSON_AddStringToObject(o, "createdAt", CREATED);
	cJSON_AddStringToObject(o, "updatedAt", UPDATED);
	return o;
}

static void seed_projects(struct world *w)
{
	double t0;
	size_t i;

	for (i = 0; i < sizeof(projects) / sizeof(projects[0]); i++)
		world_add_project(w, parse(projects[i].json), projects[i].timezone);
	for (i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++)
		world_add_job(w, jobs[i].project, job_dto(&jobs[i]),
			      jobs[i].fails ? SEED_FAILURE_MESSAGE : NULL);
	util_parse_iso8601("2026-11-28T17:30:02Z", &t0);
	world_add_task(w, "98", "210", parse(tasks_210[0]), t0, t0 + 728);
	world_add_task(w, "98", "210", parse(tasks_210[1]), 0, 0);
}

static const char *const products_names[] = {
	"Espresso Machine", "Burr Grinder", "Milk Frother", "Kettle", "Toaster",
	"Blender", "Stand Mixer", "Rice Cooker", "Air Fryer", "Juicer",
	"Hand Blender", "Waffle Maker", "Slow Cooker",
};
static const char *const products_brands[] = {
	"Aurora", "Brava", "Corvo", "Delta", "Eclipse", "Fiamma", "Gala", "Helix",
	"Iris", "Jolt",
};
static const char *const currencies[] = { "EUR", "EUR", "USD", "GBP" };

static void seed_tables(struct tables *t)
{
	static const char *const competitors[] = {
		"{\"name\":\"ShopNova\",\"website\":\"https://www.shopnova.example\",\"country\":\"IT\",\"active\":true}",
		"{\"name\":\"PrezzoPiu\",\"website\":\"https://prezzopiu.example\",\"country\":\"IT\",\"active\":true}",
		"{\"name\":\"KitchenDeal\",\"website\":\"https://kitchendeal.example\",\"country\":\"DE\",\"active\":true}",
		"{\"name\":\"CasaMarket\",\"website\":\"https://casamarket.example\",\"country\":\"ES\",\"active\":false}",
		"{\"name\":\"BrightBuy\",\"website\":\"https://brightbuy.example\",\"country\":\"GB\",\"active\":true}",
	};
	double base;
	size_t i;

	tables_create(t, "products");
	tables_create(t, "competitors");
	util_parse_iso8601("2026-11-20T08:00:00Z", &base);
	for (i = 0; i < 130; i++) {
		cJSON *r = cJSON_CreateObject();
		uint64_t h = util_mix64(i + 1);
		char name[96], sku[32], ts[32];
		long cents = 1999 + (long)(h % 48000);

		snprintf(name, sizeof(name), "%s %s %zu",
			 products_brands[i % 10], products_names[i % 13], 100 + i);
		snprintf(sku, sizeof(sku), "WR-%06zu", 10001 + i * 7);
		util_iso8601(base + (double)i * 3607.0, ts);
		cJSON_AddStringToObject(r, "name", name);
		cJSON_AddNumberToObject(r, "price", (double)cents / 100.0);
		cJSON_AddStringToObject(r, "currency", currencies[h % 4]);
		cJSON_AddStringToObject(r, "sku", sku);
		cJSON_AddStringToObject(r, "updatedAt", ts);
		tables_seed(t, "products", r);
		cJSON_Delete(r);
	}
	for (i = 0; i < sizeof(competitors) / sizeof(competitors[0]); i++) {
		cJSON *r = parse(competitors[i]);

		cJSON_AddStringToObject(r, "updatedAt", UPDATED);
		tables_seed(t, "competitors", r);
		cJSON_Delete(r);
	}
}

static const char *const datasets[] = {
	"{\"id\":\"12\",\"name\":\"competitor-prices-raw\",\"description\":\"Raw scraped competitor prices\","
	"\"userId\":\"u-1001\",\"sourceUrl\":null,\"sourceType\":\"SCRAPER\","
	"\"filePath\":\"s3a://webrobot-datasets/98/scrape-prices/output\",\"fileFormat\":\"parquet\","
	"\"fileSize\":184467211,\"schema\":\"sku STRING, shop STRING, price DOUBLE, currency STRING, seen_at TIMESTAMP\","
	"\"metadata\":null,\"enabled\":true,\"fieldIds\":[],\"createdAt\":\"" CREATED "\",\"updatedAt\":\"" UPDATED "\","
	"\"storagePath\":\"s3a://webrobot-datasets/98/scrape-prices/output\",\"format\":\"parquet\","
	"\"datasetType\":\"parquet\",\"trinoSchema\":\"webrobot.price_comparison\"}",
	"{\"id\":\"13\",\"name\":\"competitor-prices-eur\",\"description\":\"Prices converted to EUR\","
	"\"userId\":\"u-1001\",\"sourceUrl\":null,\"sourceType\":\"ETL\","
	"\"filePath\":\"s3a://webrobot-datasets/98/normalize-currencies/output\",\"fileFormat\":\"parquet\","
	"\"fileSize\":96112004,\"schema\":\"sku STRING, shop STRING, price_eur DOUBLE\","
	"\"metadata\":null,\"enabled\":true,\"fieldIds\":[],\"createdAt\":\"" CREATED "\",\"updatedAt\":\"" UPDATED "\","
	"\"storagePath\":\"s3a://webrobot-datasets/98/normalize-currencies/output\",\"format\":\"parquet\","
	"\"datasetType\":\"parquet\",\"trinoSchema\":\"webrobot.price_comparison\"}",
	"{\"id\":\"15\",\"name\":\"warehouse-stock\",\"description\":\"Stock levels per warehouse\","
	"\"userId\":\"u-1002\",\"sourceUrl\":\"https://warehouse.example/api/stock\",\"sourceType\":\"API\","
	"\"filePath\":\"s3a://webrobot-datasets/101/sync-warehouse/output\",\"fileFormat\":\"csv\","
	"\"fileSize\":5242880,\"schema\":\"sku STRING, warehouse STRING, qty INT\","
	"\"metadata\":null,\"enabled\":true,\"fieldIds\":[],\"createdAt\":\"" CREATED "\",\"updatedAt\":\"" UPDATED "\","
	"\"storagePath\":\"s3a://webrobot-datasets/101/sync-warehouse/output\",\"format\":\"csv\","
	"\"datasetType\":\"csv\",\"trinoSchema\":null}",
};

static const char *const agents[] = {
	"{\"id\":\"5\",\"name\":\"price-scraper\",\"description\":\"Scrapes product pages for prices\","
	"\"enabled\":true,\"apiEndpoint\":null,\"executionMode\":\"SCHEDULED\",\"categoryId\":\"1\","
	"\"type\":\"SCRAPING_AGENT\",\"role\":\"scraper\",\"backstory\":null,\"defaultPrompt\":null,"
	"\"prompts\":null,\"config\":null,\"code\":null,\"codeTypeId\":null,"
	"\"pysparkCode\":\"df = spark.read.parquet(input_path)\\ndf.write.parquet(output_path)\","
	"\"pythonExtensions\":null,\"generatedAt\":null,\"toolIds\":[],"
	"\"createdAt\":\"" CREATED "\",\"updatedAt\":\"" UPDATED "\"}",
	"{\"id\":\"6\",\"name\":\"currency-normalizer\",\"description\":\"Converts prices with daily ECB rates\","
	"\"enabled\":true,\"apiEndpoint\":null,\"executionMode\":\"MANUAL\",\"categoryId\":\"1\","
	"\"type\":\"DATA_ANALYTICS_AGENT\",\"role\":\"transformer\",\"backstory\":null,\"defaultPrompt\":null,"
	"\"prompts\":null,\"config\":null,\"code\":null,\"codeTypeId\":null,"
	"\"pysparkCode\":\"df.withColumn('price_eur', col('price') * col('rate'))\","
	"\"pythonExtensions\":null,\"generatedAt\":null,\"toolIds\":[],"
	"\"createdAt\":\"" CREATED "\",\"updatedAt\":\"" UPDATED "\"}",
	"{\"id\":\"9\",\"name\":\"sentiment-scorer\",\"description\":\"Scores review text\","
	"\"enabled\":true,\"apiEndpoint\":null,\"executionMode\":\"EVENT_DRIVEN\",\"categoryId\":\"2\","
	"\"type\":\"ML_AGENT\",\"role\":\"scorer\",\"backstory\":null,\"defaultPrompt\":null,"
	"\"prompts\":null,\"config\":null,\"code\":null,\"codeTypeId\":null,\"pysparkCode\":null,"
	"\"pythonExtensions\":null,\"generatedAt\":null,\"toolIds\":[],"
	"\"createdAt\":\"" CREATED "\",\"updatedAt\":\"" UPDATED "\"}",
};

static const char *const categories[] = {
	"{\"id\":\"1\",\"name\":\"e-commerce\",\"description\":\"Price and catalogue pipelines\","
	"\"icon\":\"shopping-cart\",\"visibility\":\"PRIVATE\",\"enabled\":true,\"agentIds\":[\"5\",\"6\"],"
	"\"createdAt\":\"" CREATED "\",\"updatedAt\":\"" UPDATED "\"}",
	"{\"id\":\"2\",\"name\":\"analytics\",\"description\":\"Scoring and reporting\","
	"\"icon\":\"chart\",\"visibility\":\"PUBLIC\",\"enabled\":true,\"agentIds\":[\"9\"],"
	"\"createdAt\":\"" CREATED "\",\"updatedAt\":\"" UPDATED "\"}",
};

static void seed_catalog(struct catalog *c)
{
	size_t i;

	for (i = 0; i < sizeof(datasets) / sizeof(datasets[0]); i++)
		catalog_add(c, CATALOG_DATASETS, parse(datasets[i]));
	for (i = 0; i < sizeof(agents) / sizeof(agents[0]); i++)
		catalog_add(c, CATALOG_AGENTS, parse(agents[i]));
	for (i = 0; i < sizeof(categories) / sizeof(categories[0]); i++)
		catalog_add(c, CATALOG_CATEGORIES, parse(categories[i]));
}

int seed_known(const char *name)
{
	return strcmp(name, "demo") == 0 || strcmp(name, "empty") == 0;
}

int seed_load(const char *name, struct world *w, struct tables *t,
	      struct catalog *c)
{
	if (!seed_known(name))
		return -EINVAL;
	if (strcmp(name, "empty") == 0)
		return 0;
	seed_projects(w);
	seed_tables(t);
	seed_catalog(c);
	return 0;
}
