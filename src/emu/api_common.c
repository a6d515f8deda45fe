/* api_common.c — what every handler needs: world outcomes to HTTP, strict
 * JSON object bodies, query numbers and time windows, cron syntax. Kept in
 * one place so 400s and 404s read the same across endpoints. */
#include "api.h"
#include "jsonx.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void api_reply_rc(const struct emu_req *q, struct emu_resp *r, enum world_rc rc,
		  cJSON **out)
{
	if (rc == W_OK && out && *out) {
		http_reply_json(r, 200, *out);
	} else {
		if (out)
			cJSON_Delete(*out);
		http_reply_error(r, rc == W_OK ? 500 : world_rc_status(rc), q->now.wall,
				 "%s", world_rc_message(rc));
	}
	if (out)
		*out = NULL;
}

cJSON *api_body_object(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *v = jx_parse(q->body, q->body_len);

	if (!v) {
		http_reply_error(r, 400, q->now.wall, "Request body is not valid JSON");
		return NULL;
	}
	if (!cJSON_IsObject(v)) {
		cJSON_Delete(v);
		http_reply_error(r, 400, q->now.wall, "Request body must be a JSON object");
		return NULL;
	}
	return v;
}

static int window_end(const struct emu_req *q, struct emu_resp *r, const char *name,
		      int *has, double *t, const char **text)
{
	const char *v = url_query_get(q->query, name);

	*has = 0;
	if (!v)
		return 0;
	if (util_parse_iso8601(v, t) != 0) {
		http_reply_error(r, 400, q->now.wall,
				 "Invalid %s: expected ISO 8601 like 2025-12-11T00:00:00Z", name);
		return -EINVAL;
	}
	*has = 1;
	*text = v;
	return 0;
}

int api_window(const struct emu_req *q, struct emu_resp *r, struct world_window *win)
{
	memset(win, 0, sizeof(*win));
	if (window_end(q, r, "startTime", &win->has_start, &win->start, &win->start_text))
		return -EINVAL;
	return window_end(q, r, "endTime", &win->has_end, &win->end, &win->end_text);
}

int api_query_long(const struct emu_req *q, struct emu_resp *r, const char *name,
		   long dflt, long min, long max, long *out)
{
	const char *v = url_query_get(q->query, name);
	const char *p;
	long n = 0;

	if (!v) {
		*out = dflt;
		return 0;
	}
	for (p = v; *p; p++) {
		if (!isdigit((unsigned char)*p) || n > max)
			break;
		n = n * 10 + (*p - '0');
	}
	if (!*v || *p || n < min || n > max) {
		http_reply_error(r, 400, q->now.wall,
				 "Invalid %s: expected an integer from %ld to %ld", name, min, max);
		return -EINVAL;
	}
	*out = n;
	return 0;
}

int api_cron_valid(const char *expr)
{
	const char *p = expr;
	int fields = 0;

	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		fields++;
		while (*p && *p != ' ' && *p != '\t') {
			if (!isalnum((unsigned char)*p) && !strchr("*/,-?#", *p))
				return 0;
			p++;
		}
	}
	return fields == 5 || fields == 6;
}
