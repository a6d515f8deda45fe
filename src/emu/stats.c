/* stats.c — request counters and a fixed-size ring of the last requests.
 * Tests use them to check what a client really sent (how many calls per
 * endpoint, which raw paths), so counts are kept per OpenAPI template. */
#include "stats.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct route_count {
	char *key;
	uint64_t n;
};

struct log_entry {
	char *method, *path, *query;
	int status;
	long long t_ms;               /* monotonic ms when it was received */
};

struct stats {
	pthread_mutex_t lock;
	/* everything below is protected by lock */
	uint64_t total, rate_limited, faulted;
	struct route_count *routes;   /* in order of first appearance */
	size_t nroutes;
	struct log_entry log[STATS_LOG_SIZE];
	size_t log_head, log_n;       /* ring: oldest at log_head */
};

struct stats *stats_new(void)
{
	struct stats *s = xcalloc(1, sizeof(*s));

	pthread_mutex_init(&s->lock, NULL);
	return s;
}

static void clear(struct stats *s)
{
	size_t i;

	for (i = 0; i < s->nroutes; i++)
		free(s->routes[i].key);
	free(s->routes);
	s->routes = NULL;
	s->nroutes = 0;
	for (i = 0; i < STATS_LOG_SIZE; i++) {
		free(s->log[i].method);
		free(s->log[i].path);
		free(s->log[i].query);
		memset(&s->log[i], 0, sizeof(s->log[i]));
	}
	s->log_head = s->log_n = 0;
	s->total = s->rate_limited = s->faulted = 0;
}

void stats_free(struct stats *s)
{
	if (!s)
		return;
	clear(s);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void stats_reset(struct stats *s)
{
	pthread_mutex_lock(&s->lock);
	clear(s);
	pthread_mutex_unlock(&s->lock);
}

void stats_record(struct stats *s, const char *route_key, const char *method,
		  const char *raw_path, const char *raw_query, int status,
		  unsigned flags)
{
	struct log_entry *e;
	size_t i;

	pthread_mutex_lock(&s->lock);
	s->total++;
	if (flags & STATS_RATE_LIMITED)
		s->rate_limited++;
	if (flags & STATS_FAULTED)
		s->faulted++;
	for (i = 0; i < s->nroutes; i++)
		if (strcmp(s->routes[i].key, route_key) == 0)
			break;
	if (i == s->nroutes) {
		s->routes = xrealloc(s->routes, (s->nroutes + 1) * sizeof(*s->routes));
		s->routes[i].key = xstrdup(route_key);
		s->routes[i].n = 0;
		s->nroutes++;
	}
	s->routes[i].n++;

	if (s->log_n < STATS_LOG_SIZE) {
		e = &s->log[(s->log_head + s->log_n) % STATS_LOG_SIZE];
		s->log_n++;
	} else {
		e = &s->log[s->log_head];
		s->log_head = (s->log_head + 1) % STATS_LOG_SIZE;
		free(e->method);
		free(e->path);
		free(e->query);
	}
	e->method = xstrdup(method);
	e->path = xstrdup(raw_path);
	e->query = xstrdup(raw_query);
	e->status = status;
	e->t_ms = (long long)(util_now().mono * 1000.0);
	pthread_mutex_unlock(&s->lock);
}

char *stats_json(struct stats *s)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *routes;
	char *out;
	size_t i;

	pthread_mutex_lock(&s->lock);
	cJSON_AddNumberToObject(root, "total", (double)s->total);
	cJSON_AddNumberToObject(root, "rate_limited", (double)s->rate_limited);
	cJSON_AddNumberToObject(root, "faulted", (double)s->faulted);
	routes = cJSON_AddObjectToObject(root, "routes");
	for (i = 0; i < s->nroutes; i++)
		cJSON_AddNumberToObject(routes, s->routes[i].key, (double)s->routes[i].n);
	pthread_mutex_unlock(&s->lock);
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return out;
}

char *stats_log_json(struct stats *s)
{
	cJSON *arr = cJSON_CreateArray();
	char *out;
	size_t i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->log_n; i++) {
		const struct log_entry *e = &s->log[(s->log_head + i) % STATS_LOG_SIZE];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "method", e->method);
		cJSON_AddStringToObject(o, "path", e->path);
		cJSON_AddStringToObject(o, "query", e->query);
		cJSON_AddNumberToObject(o, "status", e->status);
		cJSON_AddNumberToObject(o, "t_ms", (double)e->t_ms);
		cJSON_AddItemToArray(arr, o);
	}
	pthread_mutex_unlock(&s->lock);
	out = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	return out;
}
