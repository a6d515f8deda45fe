/* fault.c — the fault settings behind /_emu/fault and the per-request draw.
 * The shares (error, reset, truncate, malformed, 429) are consecutive slices
 * of [0, 1) and each in-scope request draws one number from a splitmix64
 * PRNG reseeded on every change, so the k-th request after a POST always
 * meets the same fate. Waits (latency, hang, drip) sleep on one condition
 * variable on the monotonic clock, so clearing a hang or stopping the
 * server wakes them at once. */
#include "fault.h"
#include "jsonx.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CODES 16
#define DEFAULT_SEED 1
#define DEFAULT_RETRY_AFTER 1
#define MAX_LATENCY_MS 600000L
#define MAX_HUGE_BYTES (1ULL << 40)
#define MAX_DRIP 1000000000L
#define MAX_SEED 9007199254740991.0  /* 2^53 - 1: exact in a JSON number */

struct fault_cfg {
	long latency_ms;
	double error_rate, reset_rate, truncate_rate, malformed_rate, rate429;
	int codes[MAX_CODES];
	size_t ncodes;
	int codes_given;
	long retry_after;         /* -1: no header */
	int retry_after_given;
	uint64_t huge;
	long drip;
	int hang;
	char *prefix;             /* NULL: every path */
	uint64_t seed;
	int seed_given;
};

struct fault {
	pthread_mutex_t lock;
	pthread_cond_t changed;   /* settings changed or stopping */
	/* everything below is protected by lock */
	struct fault_cfg cfg;
	uint64_t rng;
	int stopping;
};

static void cfg_init(struct fault_cfg *c)
{
	static const int default_codes[] = { 500, 502, 503 };

	memset(c, 0, sizeof(*c));
	memcpy(c->codes, default_codes, sizeof(default_codes));
	c->ncodes = sizeof(default_codes) / sizeof(default_codes[0]);
	c->retry_after = DEFAULT_RETRY_AFTER;
	c->seed = DEFAULT_SEED;
}

static double rates_sum(const struct fault_cfg *c)
{
	return c->error_rate + c->reset_rate + c->truncate_rate + c->malformed_rate +
	       c->rate429;
}

static int cfg_empty(const struct fault_cfg *c)
{
	return !c->latency_ms && rates_sum(c) <= 0 && !c->huge && !c->drip && !c->hang;
}

struct fault *fault_new(void)
{
	struct fault *f = xcalloc(1, sizeof(*f));
	pthread_condattr_t ca;

	pthread_mutex_init(&f->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&f->changed, &ca);
	pthread_condattr_destroy(&ca);
	cfg_init(&f->cfg);
	f->rng = f->cfg.seed;
	return f;
}

void fault_free(struct fault *f)
{
	if (!f)
		return;
	free(f->cfg.prefix);
	pthread_cond_destroy(&f->changed);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

/* ---- parsing ---- */

static int __attribute__((format(printf, 3, 4)))
bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int get_rate(const cJSON *v, double *out)
{
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
	    v->valuedouble < 0 || v->valuedouble > 1)
		return -EINVAL;
	*out = v->valuedouble;
	return 0;
}

static int get_int(const cJSON *v, double max, double *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return -EINVAL;
	d = v->valuedouble;
	if (!isfinite(d) || d < 0 || d > max || d != floor(d))
		return -EINVAL;
	*out = d;
	return 0;
}

static int parse_codes(const cJSON *v, struct fault_cfg *c)
{
	const cJSON *x;
	double d;

	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) < 1 ||
	    cJSON_GetArraySize(v) > MAX_CODES)
		return -EINVAL;
	c->ncodes = 0;
	cJSON_ArrayForEach(x, v) {
		if (get_int(x, 599, &d) != 0 || d < 400)
			return -EINVAL;
		c->codes[c->ncodes++] = (int)d;
	}
	c->codes_given = 1;
	return 0;
}

/* One member of the POST body into c. */
static int parse_member(const cJSON *m, struct fault_cfg *c, char *err, size_t errlen)
{
	const char *k = m->string;
	double d;

	if (strcmp(k, "retry_after") == 0) {
		c->retry_after_given = 1;
		if (cJSON_IsNull(m)) {
			c->retry_after = -1;
			return 0;
		}
		if (get_int(m, 86400, &d) != 0)
			return bad(err, errlen, "retry_after: expected seconds 0-86400 or null");
		c->retry_after = (long)d;
		return 0;
	}
	if (cJSON_IsNull(m))
		return 0;   /* absent */
	if (strcmp(k, "latency_ms") == 0) {
		if (get_int(m, MAX_LATENCY_MS, &d) != 0)
			return bad(err, errlen, "latency_ms: expected an integer 0-%ld", MAX_LATENCY_MS);
		c->latency_ms = (long)d;
	} else if (strcmp(k, "error_rate") == 0) {
		if (get_rate(m, &c->error_rate) != 0)
			return bad(err, errlen, "error_rate: expected a number 0.0-1.0");
	} else if (strcmp(k, "error_codes") == 0) {
		if (parse_codes(m, c) != 0)
			return bad(err, errlen, "error_codes: expected 1-%d integers 400-599", MAX_CODES);
	} else if (strcmp(k, "reset_rate") == 0) {
		if (get_rate(m, &c->reset_rate) != 0)
			return bad(err, errlen, "reset_rate: expected a number 0.0-1.0");
	} else if (strcmp(k, "truncate_rate") == 0) {
		if (get_rate(m, &c->truncate_rate) != 0)
			return bad(err, errlen, "truncate_rate: expected a number 0.0-1.0");
	} else if (strcmp(k, "malformed_rate") == 0) {
		if (get_rate(m, &c->malformed_rate) != 0)
			return bad(err, errlen, "malformed_rate: expected a number 0.0-1.0");
	} else if (strcmp(k, "rate429") == 0) {
		if (get_rate(m, &c->rate429) != 0)
			return bad(err, errlen, "rate429: expected a number 0.0-1.0");
	} else if (strcmp(k, "huge_body_bytes") == 0) {
		if (get_int(m, (double)MAX_HUGE_BYTES, &d) != 0)
			return bad(err, errlen, "huge_body_bytes: expected an integer 0-%llu",
				   (unsigned long long)MAX_HUGE_BYTES);
		c->huge = (uint64_t)d;
	} else if (strcmp(k, "drip_bytes_per_sec") == 0) {
		if (get_int(m, MAX_DRIP, &d) != 0)
			return bad(err, errlen, "drip_bytes_per_sec: expected an integer 0-%ld", MAX_DRIP);
		c->drip = (long)d;
	} else if (strcmp(k, "hang") == 0) {
		if (!cJSON_IsBool(m))
			return bad(err, errlen, "hang: expected true or false");
		c->hang = cJSON_IsTrue(m);
	} else if (strcmp(k, "only_path_prefix") == 0) {
		if (!cJSON_IsString(m))
			return bad(err, errlen, "only_path_prefix: expected a string");
		free(c->prefix);
		c->prefix = m->valuestring[0] ? xstrdup(m->valuestring) : NULL;
	} else if (strcmp(k, "seed") == 0) {
		if (get_int(m, MAX_SEED, &d) != 0)
			return bad(err, errlen, "seed: expected an integer 0-9007199254740991");
		c->seed = (uint64_t)d;
		c->seed_given = 1;
	} else {
		return bad(err, errlen, "unknown field '%.64s'", k);
	}
	return 0;
}

int fault_set(struct fault *f, const char *body, size_t len, char *err, size_t errlen)
{
	struct fault_cfg c;
	cJSON *root = jx_is_blank(body, len) ? cJSON_CreateObject() : jx_parse(body, len);
	const cJSON *m;
	int rc = 0;

	cfg_init(&c);
	if (!root)
		return bad(err, errlen, "body is not valid JSON");
	if (!cJSON_IsObject(root))
		rc = bad(err, errlen, "body must be a JSON object");
	cJSON_ArrayForEach(m, root) {
		if (rc == 0)
			rc = parse_member(m, &c, err, errlen);
	}
	if (rc == 0 && rates_sum(&c) > 1 + 1e-9)
		rc = bad(err, errlen, "error_rate + reset_rate + truncate_rate + malformed_rate + rate429 exceeds 1");
	cJSON_Delete(root);
	if (rc != 0) {
		free(c.prefix);
		return rc;
	}
	pthread_mutex_lock(&f->lock);
	free(f->cfg.prefix);
	f->cfg = c;
	f->rng = c.seed;
	pthread_cond_broadcast(&f->changed);
	pthread_mutex_unlock(&f->lock);
	return 0;
}

void fault_clear(struct fault *f)
{
	pthread_mutex_lock(&f->lock);
	free(f->cfg.prefix);
	cfg_init(&f->cfg);
	f->rng = f->cfg.seed;
	pthread_cond_broadcast(&f->changed);
	pthread_mutex_unlock(&f->lock);
}

char *fault_json(struct fault *f)
{
	cJSON *o = cJSON_CreateObject();
	const struct fault_cfg *c = &f->cfg;
	char *s;

	pthread_mutex_lock(&f->lock);
	if (c->latency_ms)
		cJSON_AddNumberToObject(o, "latency_ms", (double)c->latency_ms);
	if (c->error_rate > 0)
		cJSON_AddNumberToObject(o, "error_rate", c->error_rate);
	if (c->error_rate > 0 || c->codes_given)
		cJSON_AddItemToObject(o, "error_codes", cJSON_CreateIntArray(c->codes, (int)c->ncodes));
	if (c->reset_rate > 0)
		cJSON_AddNumberToObject(o, "reset_rate", c->reset_rate);
	if (c->truncate_rate > 0)
		cJSON_AddNumberToObject(o, "truncate_rate", c->truncate_rate);
	if (c->malformed_rate > 0)
		cJSON_AddNumberToObject(o, "malformed_rate", c->malformed_rate);
	if (c->huge)
		cJSON_AddNumberToObject(o, "huge_body_bytes", (double)c->huge);
	if (c->drip)
		cJSON_AddNumberToObject(o, "drip_bytes_per_sec", (double)c->drip);
	if (c->rate429 > 0)
		cJSON_AddNumberToObject(o, "rate429", c->rate429);
	if (c->rate429 > 0 || c->retry_after_given) {
		if (c->retry_after < 0)
			cJSON_AddNullToObject(o, "retry_after");
		else
			cJSON_AddNumberToObject(o, "retry_after", (double)c->retry_after);
	}
	if (c->hang)
		cJSON_AddTrueToObject(o, "hang");
	if (c->prefix)
		cJSON_AddStringToObject(o, "only_path_prefix", c->prefix);
	if (rates_sum(c) > 0 || c->seed_given)
		cJSON_AddNumberToObject(o, "seed", (double)c->seed);
	pthread_mutex_unlock(&f->lock);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* ---- per request ---- */

static uint64_t draw(struct fault *f)
{
	f->rng += 0x9e3779b97f4a7c15ULL;
	return util_mix64(f->rng);
}

/* Lock held. */
static int in_scope(const struct fault *f, const char *path)
{
	const char *p = f->cfg.prefix;

	return !p || strncmp(path, p, strlen(p)) == 0;
}

void fault_plan(struct fault *f, const char *path, struct fault_plan *plan)
{
	const struct fault_cfg *c = &f->cfg;

	memset(plan, 0, sizeof(*plan));
	plan->retry_after = -1;
	pthread_mutex_lock(&f->lock);
	if (cfg_empty(c) || !in_scope(f, path))
		goto out;
	plan->latency_ms = c->latency_ms;
	plan->hang = c->hang;
	plan->huge_bytes = c->huge;
	plan->drip_bytes_per_sec = c->drip;
	if (rates_sum(c) > 0) {
		/* 53 random bits: u uniform in [0, 1) */
		double u = (double)(draw(f) >> 11) * (1.0 / 9007199254740992.0);
		double edge = c->error_rate;

		if (u < edge) {
			plan->action = FAULT_ERROR;
			plan->code = c->codes[draw(f) % c->ncodes];
		} else if (u < (edge += c->reset_rate)) {
			plan->action = FAULT_RESET;
		} else if (u < (edge += c->truncate_rate)) {
			plan->action = FAULT_TRUNCATE;
		} else if (u < (edge += c->malformed_rate)) {
			plan->action = FAULT_MALFORMED;
		} else if (u < edge + c->rate429) {
			plan->action = FAULT_429;
			plan->retry_after = c->retry_after;
		}
	}
out:
	pthread_mutex_unlock(&f->lock);
}

static struct timespec deadline_after(double seconds)
{
	struct timespec ts;
	double whole = floor(seconds);

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)whole;
	ts.tv_nsec += (long)((seconds - whole) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

int fault_hang(struct fault *f, const char *path)
{
	struct timespec until = deadline_after(FAULT_HANG_MAX_SECONDS);
	int rc = 0;

	pthread_mutex_lock(&f->lock);
	while (!f->stopping && f->cfg.hang && in_scope(f, path)) {
		if (pthread_cond_timedwait(&f->changed, &f->lock, &until) == ETIMEDOUT) {
			rc = -ETIMEDOUT;
			break;
		}
	}
	if (f->stopping)
		rc = -ECANCELED;
	pthread_mutex_unlock(&f->lock);
	return rc;
}

int fault_sleep_ms(struct fault *f, long ms)
{
	struct timespec until = deadline_after((double)ms / 1000.0);
	int rc = 0;

	pthread_mutex_lock(&f->lock);
	while (!f->stopping &&
	       pthread_cond_timedwait(&f->changed, &f->lock, &until) != ETIMEDOUT)
		;
	if (f->stopping)
		rc = -ECANCELED;
	pthread_mutex_unlock(&f->lock);
	return rc;
}

void fault_stop(struct fault *f)
{
	pthread_mutex_lock(&f->lock);
	f->stopping = 1;
	pthread_cond_broadcast(&f->changed);
	pthread_mutex_unlock(&f->lock);
}
