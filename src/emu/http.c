/* http.c — filling an emu_resp: JSON bodies, Error bodies, raw bodies. Every
 * handler answers through these so that content types and the Error shape
 * are the same everywhere. */
#include "http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void http_reply_raw(struct emu_resp *r, int status, const char *ctype,
		    char *body, size_t len)
{
	free(r->body);
	r->status = status;
	r->ctype = ctype;
	r->body = body;
	r->len = len;
}

void http_reply_json(struct emu_resp *r, int status, cJSON *item)
{
	char *s = cJSON_PrintUnformatted(item);

	cJSON_Delete(item);
	http_reply_raw(r, status, "application/json", s, strlen(s));
}

void http_reply_error(struct emu_resp *r, int status, double wall,
		      const char *fmt, ...)
{
	cJSON *o = cJSON_CreateObject();
	char ts[32];
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	util_iso8601(wall, ts);
	cJSON_AddStringToObject(o, "error", msg);
	cJSON_AddNumberToObject(o, "code", status);
	cJSON_AddStringToObject(o, "timestamp", ts);
	http_reply_json(r, status, o);
}
