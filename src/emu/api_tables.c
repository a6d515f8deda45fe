/* api_tables.c — /api/strapi-tables/{table}[/{id}]: paged listing (page is
 * 0-based, pageSize 1..500, default 50) and record CRUD. */
#include "api.h"
#include "tables.h"

#include <errno.h>

#define MAX_PAGE 1000000000L

static void reply_missing(const struct emu_req *q, struct emu_resp *r, int with_id)
{
	if (with_id)
		http_reply_error(r, 404, q->now.wall, "Record not found");
	else
		http_reply_error(r, 404, q->now.wall, "Table not found");
}

void api_table_list(const struct emu_req *q, struct emu_resp *r)
{
	long page, size;
	cJSON *out = NULL;

	if (api_query_long(q, r, "page", 0, 0, MAX_PAGE, &page) != 0 ||
	    api_query_long(q, r, "pageSize", 50, 1, TABLES_MAX_PAGE_SIZE, &size) != 0)
		return;
	if (tables_page(q->svc->tables, q->param[0], page, size, &out) != 0)
		reply_missing(q, r, 0);
	else
		http_reply_json(r, 200, out);
}

void api_table_insert(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *body = api_body_object(q, r), *out = NULL;

	if (!body)
		return;
	if (tables_insert(q->svc->tables, q->param[0], body, q->now.wall, &out) != 0)
		reply_missing(q, r, 0);
	else
		http_reply_json(r, 200, out);
	cJSON_Delete(body);
}

void api_table_get(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *out = NULL;

	if (tables_get(q->svc->tables, q->param[0], q->param[1], &out) != 0)
		reply_missing(q, r, 1);
	else
		http_reply_json(r, 200, out);
}

void api_table_put(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *body = api_body_object(q, r), *out = NULL;

	if (!body)
		return;
	if (tables_update(q->svc->tables, q->param[0], q->param[1], body, q->now.wall, &out) != 0)
		reply_missing(q, r, 1);
	else
		http_reply_json(r, 200, out);
	cJSON_Delete(body);
}

void api_table_delete(const struct emu_req *q, struct emu_resp *r)
{
	cJSON *out = NULL;

	if (tables_delete(q->svc->tables, q->param[0], q->param[1], &out) != 0)
		reply_missing(q, r, 1);
	else
		http_reply_json(r, 200, out);
}
