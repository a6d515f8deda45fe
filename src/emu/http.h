/* http.h — the request and response as API handlers see them, independent of
 * libmicrohttpd: decoded path parameters, decoded query, raw body, the clock
 * reading for this request, and a response to fill with a status and body. */
#ifndef EMU_HTTP_H
#define EMU_HTTP_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "url.h"
#include "util.h"

#define HTTP_MAX_PARAMS 4

struct world;
struct tables;
struct catalog;

/* The state handlers act on; each object does its own locking. */
struct emu_services {
	struct world *world;
	struct tables *tables;
	struct catalog *catalog;
};

struct emu_req {
	const char *method;
	const char *param[HTTP_MAX_PARAMS]; /* decoded {placeholders}, in order */
	size_t nparam;
	const struct url_query *query;
	const char *body;                   /* NUL-terminated, may be "" */
	size_t body_len;
	struct emu_now now;
	const struct emu_services *svc;
};

struct emu_resp {
	int status;
	const char *ctype;  /* static string */
	char *body;         /* heap, owned by the response */
	size_t len;
	long retry_after;   /* > 0: send a Retry-After header */
};

/* Sets a JSON response, taking ownership of (and deleting) item. */
void http_reply_json(struct emu_resp *r, int status, cJSON *item);

/* Sets an Error body {"error","code","timestamp"} with a printf message. */
void http_reply_error(struct emu_resp *r, int status, double wall,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Sets a body of the given content type, taking ownership of body. */
void http_reply_raw(struct emu_resp *r, int status, const char *ctype,
		    char *body, size_t len);

#endif
