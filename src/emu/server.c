/* server.c — libmicrohttpd glue. One thread per connection (keep-alive
 * works, 50+ clients are served in parallel). MHD is told not to unescape
 * the path (no-op unescape callback), so the path is split on '/' first and
 * each segment percent-decoded after: an id holding "%2F" stays one segment.
 * The raw request target is captured by the URI log callback, which also
 * allocates the per-request state that accumulates bodies across calls.
 *
 * Order of checks for an API request: route lookup (for the stats key), API
 * key (401, never counted in a window), rate limit (429 + Retry-After, not
 * counted either), malformed path (400), unknown route (404), body too large
 * (413), query parsing (400), handler. Every API request is recorded in the
 * stats before its response is queued. */
#include "server.h"
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

static enum MHD_Result send_resp(struct MHD_Connection *conn, struct emu_resp *r)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;
	char ra[32];

	mr = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
	if (!mr) {
		free(r->body);
		return MHD_NO;
	}
	r->body = NULL;
	MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype);
	if (r->retry_after > 0) {
		snprintf(ra, sizeof(ra), "%ld", r->retry_after);
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

/* The /_emu/ endpoints. */
static void handle_emu(struct server *s, const char *method, const char *path,
		       double wall, struct emu_resp *r)
{
	if (strcmp(method, "GET") == 0 && strcmp(path, "/_emu/stats") == 0) {
		reply_string(r, 200, stats_json(s->stats));
	} else if (strcmp(method, "GET") == 0 && strcmp(path, "/_emu/log") == 0) {
		reply_string(r, 200, stats_log_json(s->stats));
	} else if (strcmp(method, "POST") == 0 && strcmp(path, "/_emu/reset-stats") == 0) {
		stats_reset(s->stats);
		reply_string(r, 200, xstrdup("{}"));
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

static void handle_api(struct server *s, struct MHD_Connection *conn,
		       const char *method, const char *path, const char *query,
		       const struct pending *p, const struct emu_now *now,
		       struct emu_resp *r)
{
	const char *key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-API-Key");
	const char *params[HTTP_MAX_PARAMS] = { NULL };
	const struct route *rt = NULL;
	struct url_path segs;
	struct url_query q = { 0 };
	size_t np = 0;
	long retry = 0;
	int bad_path = url_split_path(path, &segs) != 0;
	char *unmatched = NULL;
	int limited = 0;

	if (!bad_path)
		rt = route_match(method, segs.seg, segs.nseg, params, &np);

	if (!key_ok(s, key)) {
		http_reply_error(r, 401, now->wall, "Missing or invalid API key");
	} else if (rl_take(s->rl, key, now->mono, &retry) != 0) {
		limited = 1;
		r->retry_after = retry;
		http_reply_error(r, 429, now->wall,
				 "Rate limit exceeded: %ld requests per minute; retry after %ld s",
				 s->cfg.rate, retry);
	} else if (bad_path) {
		http_reply_error(r, 400, now->wall, "Malformed request path");
	} else if (!rt) {
		http_reply_error(r, 404, now->wall, "No endpoint %s %.200s", method, path);
	} else if (p->too_large) {
		http_reply_error(r, 413, now->wall, "Request body larger than %d bytes", BODY_MAX);
	} else if (url_parse_query(query, &q) != 0) {
		http_reply_error(r, 400, now->wall, "Malformed query string");
	} else {
		struct emu_req req = {
			.method = method,
			.nparam = np,
			.query = &q,
			.body = p->body ? p->body : "",
			.body_len = p->len,
			.now = *now,
			.svc = s->cfg.svc,
		};

		memcpy(req.param, params, sizeof(params));
		rt->fn(&req, r);
		url_query_free(&q);
	}
	if (!rt)
		unmatched = xasprintf("%s (unmatched)", method);
	stats_record(s->stats, rt ? rt->key : unmatched, method, path, query,
		     r->status, limited);
	free(unmatched);
	if (!bad_path)
		url_path_free(&segs);
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
	if (strncmp(url, "/_emu/", 6) == 0)
		handle_emu(s, method, url, now.wall, &r);
	else
		handle_api(s, conn, method, url, query, p, &now, &r);
	if (s->cfg.verbose)
		fprintf(stderr, "webrobot-emu: %s %s%s%s -> %d\n", method, url,
			*query ? "?" : "", query, r.status);
	return send_resp(conn, &r);
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
	MHD_stop_daemon(s->daemon);
	stats_free(s->stats);
	rl_free(s->rl);
	free(s);
}
