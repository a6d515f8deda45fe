/* server.c — libmicrohttpd glue. One thread per connection (keep-alive
 * works, 50+ clients are served in parallel). MHD is told not to unescape
 * the path (no-op unescape callback), so the path is split on '/' first and
 * each segment percent-decoded after: an id holding "%2F" stays one segment.
 * The raw request target is captured by the URI log callback, which also
 * allocates the per-request state that accumulates bodies across calls.
 *
 * Order of checks for an API request: route lookup (for the stats key),
 * injected faults (fault.h: a hang, an error, a 429 or a reset replace the
 * rest), API key (401, never counted in a window), rate limit (429 +
 * Retry-After, not counted either), malformed path (400), unknown route
 * (404), body too large (413), query parsing (400), handler; then faults
 * that spoil the answer (malformed, padded, dripped, truncated, delayed).
 * Every API request is recorded in the stats before its response is
 * queued or its connection dropped. */
#include "server.h"
#include "fault.h"
#include "faultbody.h"
#include "ratelimit.h"
#include "routes.h"
#include "stats.h"
#include "url.h"

#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BODY_MAX (1024 * 1024)
#define CONNECTION_TIMEOUT 120

struct server {
	struct MHD_Daemon *daemon;
	uint16_t port;
	struct server_config cfg;
	struct stats *stats;
	struct rl *rl;
	struct fault *fault;
};

/* Per-request state, from the URI log callback to the completion callback. */
struct pending {
	char *raw_uri;
	char *body;
	size_t len, cap;
	int started;
	int too_large;
};

static struct pending *pending_new(const char *uri)
{
	struct pending *p = xcalloc(1, sizeof(*p));

	p->raw_uri = xstrdup(uri ? uri : "");
	return p;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	(void)c;
	return pending_new(uri);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct pending *p = *req_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (!p)
		return;
	free(p->raw_uri);
	free(p->body);
	free(p);
	*req_cls = NULL;
}

static size_t unescape_none(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

static void append_body(struct pending *p, const char *data, size_t n)
{
	if (p->too_large || p->len + n > BODY_MAX) {
		p->too_large = 1;
		return;
	}
	if (p->len + n + 1 > p->cap) {
		p->cap = (p->len + n + 1) * 2;
		p->body = xrealloc(p->body, p->cap);
	}
	memcpy(p->body + p->len, data, n);
	p->len += n;
	p->body[p->len] = '\0';
}

/* Queues r (its body taken). retry_after >= 0 adds a Retry-After header;
 * fb != NULL streams the body through faultbody.c instead of a buffer. */
static enum MHD_Result send_resp(struct MHD_Connection *conn, struct emu_resp *r,
				 long retry_after, const struct faultbody_opts *fb)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;
	char ra[32];

	if (fb)
		mr = faultbody_response(r->body, r->len, fb);
	else
		mr = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
	if (!mr) {
		if (!fb)
			free(r->body);
		r->body = NULL;
		return MHD_NO;
	}
	r->body = NULL;
	MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype);
	if (retry_after >= 0) {
		snprintf(ra, sizeof(ra), "%ld", retry_after);
		MHD_add_response_header(mr, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	ret = MHD_queue_response(conn, (unsigned int)r->status, mr);
	MHD_destroy_response(mr);
	return ret;
}

static void reply_string(struct emu_resp *r, int status, char *json)
{
	http_reply_raw(r, status, "application/json", json, strlen(json));
}

/* GET, POST and DELETE /_emu/fault. */
static void handle_fault(struct server *s, const char *method,
			 const struct pending *p, double wall, struct emu_resp *r)
{
	char err[256];

	if (strcmp(method, "GET") == 0) {
		reply_string(r, 200, fault_json(s->fault));
	} else if (strcmp(method, "DELETE") == 0) {
		fault_clear(s->fault);
		reply_string(r, 200, fault_json(s->fault));
	} else if (strcmp(method, "POST") == 0) {
		if (p->too_large)
			http_reply_error(r, 413, wall, "Request body larger than %d bytes", BODY_MAX);
		else if (fault_set(s->fault, p->body ? p->body : "", p->len, err, sizeof(err)) != 0)
			http_reply_error(r, 400, wall, "Invalid fault settings: %s", err);
		else
			reply_string(r, 200, fault_json(s->fault));
	} else {
		http_reply_error(r, 405, wall, "Method %s not allowed on /_emu/fault", method);
	}
}

/* The /_emu/ endpoints. */
static void handle_emu(struct server *s, const char *method, const char *path,
		       const struct pending *p, double wall, struct emu_resp *r)
{
	if (strcmp(method, "GET") == 0 && strcmp(path, "/_emu/stats") == 0) {
		reply_string(r, 200, stats_json(s->stats));
	} else if (strcmp(method, "GET") == 0 && strcmp(path, "/_emu/log") == 0) {
		reply_string(r, 200, stats_log_json(s->stats));
	} else if (strcmp(method, "POST") == 0 && strcmp(path, "/_emu/reset-stats") == 0) {
		stats_reset(s->stats);
		reply_string(r, 200, xstrdup("{}"));
	} else if (strcmp(path, "/_emu/fault") == 0) {
		handle_fault(s, method, p, wall, r);
	} else {
		http_reply_error(r, 404, wall, "No test endpoint %s %s", method, path);
	}
}

static int key_ok(const struct server *s, const char *key)
{
	size_t i;

	if (!key)
		return 0;
	for (i = 0; i < s->cfg.nkeys; i++)
		if (strcmp(s->cfg.keys[i], key) == 0)
			return 1;
	return 0;
}

/* An API request once its path is matched against the route table. */
struct api_call {
	const char *method, *path, *query;
	struct url_path segs;
	int bad_path;
	const struct route *rt;
	const char *params[HTTP_MAX_PARAMS];
	size_t np;
	char *unmatched;            /* "METHOD (unmatched)" when no route */
	const char *stats_key;      /* the route's key or unmatched */
};

static void call_begin(struct api_call *c, const char *method, const char *path,
		       const char *query)
{
	memset(c, 0, sizeof(*c));
	c->method = method;
	c->path = path;
	c->query = query;
	c->bad_path = url_split_path(path, &c->segs) != 0;
	if (!c->bad_path)
		c->rt = route_match(method, c->segs.seg, c->segs.nseg, c->params, &c->np);
	if (c->rt) {
		c->stats_key = c->rt->key;
	} else {
		c->unmatched = xasprintf("%s (unmatched)", method);
		c->stats_key = c->unmatched;
	}
}

static void call_end(struct api_call *c)
{
	free(c->unmatched);
	if (!c->bad_path)
		url_path_free(&c->segs);
}

static void call_record(struct server *s, const struct api_call *c, int status,
			unsigned flags)
{
	stats_record(s->stats, c->stats_key, c->method, c->path, c->query, status, flags);
}

/* Key check, rate limit, validation and the handler. Returns STATS_* flags
 * (STATS_RATE_LIMITED for a 429); r->retry_after is set for a 429. */
static unsigned call_run(struct server *s, struct api_call *c,
			 struct MHD_Connection *conn, const struct pending *p,
			 const struct emu_now *now, struct emu_resp *r)
{
	const char *key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-API-Key");
	struct url_query q = { 0 };
	long retry = 0;

	if (!key_ok(s, key)) {
		http_reply_error(r, 401, now->wall, "Missing or invalid API key");
	} else if (rl_take(s->rl, key, now->mono, &retry) != 0) {
		r->retry_after = retry;
		http_reply_error(r, 429, now->wall,
				 "Rate limit exceeded: %ld requests per minute; retry after %ld s",
				 s->cfg.rate, retry);
		return STATS_RATE_LIMITED;
	} else if (c->bad_path) {
		http_reply_error(r, 400, now->wall, "Malformed request path");
	} else if (!c->rt) {
		http_reply_error(r, 404, now->wall, "No endpoint %s %.200s", c->method, c->path);
	} else if (p->too_large) {
		http_reply_error(r, 413, now->wall, "Request body larger than %d bytes", BODY_MAX);
	} else if (url_parse_query(c->query, &q) != 0) {
		http_reply_error(r, 400, now->wall, "Malformed query string");
	} else {
		struct emu_req req = {
			.method = c->method,
			.nparam = c->np,
			.query = &q,
			.body = p->body ? p->body : "",
			.body_len = p->len,
			.now = *now,
			.svc = s->cfg.svc,
		};

		memcpy(req.param, c->params, sizeof(c->params));
		c->rt->fn(&req, r);
		url_query_free(&q);
	}
	return 0;
}

static void verbose_line(const struct server *s, const char *method, const char *url,
			 const char *query, int status, const char *fault)
{
	if (s->cfg.verbose)
		fprintf(stderr, "webrobot-emu: %s %s%s%s -> %d%s%s\n", method, url,
			*query ? "?" : "", query, status, fault ? " fault " : "",
			fault ? fault : "");
}

/* Applies the faults that spoil an answer already made: a malformed body
 * (200, cut in half) here; padding for a successful JSON GET, drip feeding
 * and truncation as options for faultbody.c in *fb. */
static void spoil_answer(const struct fault_plan *plan, const char *method,
			struct emu_resp *r, struct faultbody_opts *fb)
{
	int huge = plan->huge_bytes && plan->action != FAULT_MALFORMED &&
		   strcmp(method, "GET") == 0 && r->status >= 200 && r->status < 300 &&
		   strcmp(r->ctype, "application/json") == 0;

	if (plan->action == FAULT_MALFORMED) {
		/* never valid JSON for an object or array; "{" for a body too
		 * short to cut */
		r->status = 200;
		if (r->len >= 2) {
			r->len /= 2;
		} else {
			free(r->body);
			r->body = xstrdup("{");
			r->len = 1;
		}
	}
	fb->pad_bytes = huge ? plan->huge_bytes : 0;
	fb->drip_bytes_per_sec = plan->drip_bytes_per_sec;
	fb->truncate = plan->action == FAULT_TRUNCATE;
}

/* An API request: faults first (fault.h), then the normal path. Every
 * request is recorded in the stats once, before its answer is queued or its
 * connection dropped; a hung request is recorded when it arrives (status 0),
 * so a test can see it is being held. */
static enum MHD_Result serve_api(struct server *s, struct MHD_Connection *conn,
				 const char *method, const char *url, const char *query,
				 const struct pending *p, const struct emu_now *now)
{
	struct emu_resp r = { .status = 500, .ctype = "application/json" };
	struct faultbody_opts fb = { .fault = s->fault };
	struct fault_plan plan;
	struct api_call c;
	unsigned flags = 0;
	long retry_after;
	int recorded = 0, streamed;

	fault_plan(s->fault, url, &plan);
	call_begin(&c, method, url, query);
	if (plan.hang) {
		call_record(s, &c, 0, STATS_FAULTED);
		verbose_line(s, method, url, query, 0, "hang");
		if (fault_hang(s->fault, url) != 0) {
			call_end(&c);
			return MHD_NO;   /* gave up or stopping: close, no answer */
		}
		/* released: answer normally */
		recorded = 1;
		plan = (struct fault_plan){ .retry_after = -1 };
	}
	if (plan.action == FAULT_RESET) {
		call_record(s, &c, 0, STATS_FAULTED);
		verbose_line(s, method, url, query, 0, "reset");
		call_end(&c);
		if (plan.latency_ms)
			fault_sleep_ms(s->fault, plan.latency_ms);
		return MHD_NO;   /* MHD closes the connection, nothing sent */
	}
	if (plan.action == FAULT_ERROR) {
		http_reply_error(&r, plan.code, now->wall, "Injected fault: status %d", plan.code);
	} else if (plan.action == FAULT_429) {
		http_reply_error(&r, 429, now->wall, "Rate limit exceeded (injected fault)");
		flags |= STATS_RATE_LIMITED;
	} else {
		flags |= call_run(s, &c, conn, p, now, &r);
	}
	retry_after = plan.action == FAULT_429 ? plan.retry_after
					       : (r.retry_after > 0 ? r.retry_after : -1);
	spoil_answer(&plan, method, &r, &fb);
	streamed = fb.pad_bytes || fb.drip_bytes_per_sec || fb.truncate;
	if (plan.latency_ms || plan.action != FAULT_NONE || fb.pad_bytes ||
	    fb.drip_bytes_per_sec)
		flags |= STATS_FAULTED;
	if (!recorded)
		call_record(s, &c, fb.truncate ? 0 : r.status, flags);
	call_end(&c);
	verbose_line(s, method, url, query, r.status,
		     flags & STATS_FAULTED ? "applied" : NULL);

	if (plan.latency_ms && fault_sleep_ms(s->fault, plan.latency_ms) != 0) {
		free(r.body);
		return MHD_NO;
	}
	return send_resp(conn, &r, retry_after, streamed ? &fb : NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct server *s = cls;
	struct pending *p = *req_cls;
	struct emu_resp r = { .status = 500, .ctype = "application/json" };
	struct emu_now now;
	const char *query;

	(void)version;
	if (!p)
		*req_cls = p = pending_new(url);
	if (!p->started) {
		p->started = 1;
		return MHD_YES;
	}
	if (*upload_data_size) {
		append_body(p, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}

	now = util_now();
	query = strchr(p->raw_uri, '?');
	query = query ? query + 1 : "";
	if (strncmp(url, "/_emu/", 6) != 0)
		return serve_api(s, conn, method, url, query, p, &now);
	handle_emu(s, method, url, p, now.wall, &r);
	verbose_line(s, method, url, query, r.status, NULL);
	return send_resp(conn, &r, -1, NULL);
}

int server_start(const struct server_config *cfg, struct server **out)
{
	struct server *s = xcalloc(1, sizeof(*s));
	struct sockaddr_in addr;
	const union MHD_DaemonInfo *info;
	unsigned int flags = MHD_USE_THREAD_PER_CONNECTION |
			     MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
	int err;

	s->cfg = *cfg;
	s->stats = stats_new();
	s->rl = rl_new(cfg->rate);
	s->fault = fault_new();
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(cfg->port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (cfg->verbose)
		flags |= MHD_USE_ERROR_LOG;

	errno = 0;
	s->daemon = MHD_start_daemon(flags, cfg->port, NULL, NULL, on_request, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, (void *)s,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, (void *)s,
		MHD_OPTION_UNESCAPE_CALLBACK, unescape_none, (void *)s,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONNECTION_TIMEOUT,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1000,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)512,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
		MHD_OPTION_END);
	if (!s->daemon) {
		err = errno ? errno : EADDRINUSE;
		fprintf(stderr, "webrobot-emu: cannot listen on 127.0.0.1:%u: %s\n",
			(unsigned)cfg->port, strerror(err));
		stats_free(s->stats);
		rl_free(s->rl);
		fault_free(s->fault);
		free(s);
		return -err;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : cfg->port;
	*out = s;
	return 0;
}

uint16_t server_port(const struct server *s)
{
	return s->port;
}

void server_stop(struct server *s)
{
	if (!s)
		return;
	fault_stop(s->fault);   /* hung, delayed and dripping requests end now */
	MHD_stop_daemon(s->daemon);
	stats_free(s->stats);
	rl_free(s->rl);
	fault_free(s->fault);
	free(s);
}
