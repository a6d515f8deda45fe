/* tables.c — Strapi-like record tables. Records are cJSON objects kept in id
 * order; ids only grow, so a deleted id is never reused (as in Strapi), and
 * each record gets a stable documentId derived from table name and id. */
#include "tables.h"
#include "jsonx.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct table {
	char *name;
	struct ptrvec recs;   /* cJSON *, ascending id */
	long next_id;
};

struct tables {
	pthread_mutex_t lock;
	struct ptrvec all;    /* struct table *; protected by lock */
};

static const char *const record_readonly[] = { "id", "documentId", "createdAt", "updatedAt", NULL };
static const char *const seed_readonly[] = { "id", "documentId", NULL };

struct tables *tables_new(void)
{
	struct tables *t = xcalloc(1, sizeof(*t));

	pthread_mutex_init(&t->lock, NULL);
	return t;
}

void tables_free(struct tables *t)
{
	size_t i, k;

	if (!t)
		return;
	for (i = 0; i < t->all.n; i++) {
		struct table *tb = t->all.v[i];

		for (k = 0; k < tb->recs.n; k++)
			cJSON_Delete(tb->recs.v[k]);
		ptrvec_release(&tb->recs);
		free(tb->name);
		free(tb);
	}
	ptrvec_release(&t->all);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static struct table *find(struct tables *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->all.n; i++) {
		struct table *tb = t->all.v[i];

		if (strcmp(tb->name, name) == 0)
			return tb;
	}
	return NULL;
}

int tables_create(struct tables *t, const char *name)
{
	struct table *tb;
	int rc = 0;

	pthread_mutex_lock(&t->lock);
	if (find(t, name)) {
		rc = -EEXIST;
	} else {
		tb = xcalloc(1, sizeof(*tb));
		tb->name = xstrdup(name);
		tb->next_id = 1;
		ptrvec_push(&t->all, tb);
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

/* Strapi 5 style: 24 lowercase alphanumerics. */
static void document_id(const char *table, long id, char out[25])
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	char key[128];
	uint64_t h;
	int i;

	snprintf(key, sizeof(key), "%s#%ld", table, id);
	h = util_hash_str(key);
	for (i = 0; i < 24; i++) {
		if (i % 10 == 0)
			h = util_mix64(h + (uint64_t)i);
		out[i] = alphabet[h % 36];
		h /= 36;
	}
	out[24] = '\0';
}

static cJSON *new_record(struct table *tb, const cJSON *fields,
			 const char *const *skip)
{
	cJSON *r = cJSON_CreateObject();
	char doc[25];
	long id = tb->next_id++;

	document_id(tb->name, id, doc);
	cJSON_AddNumberToObject(r, "id", (double)id);
	cJSON_AddStringToObject(r, "documentId", doc);
	jx_merge(r, fields, skip);
	ptrvec_push(&tb->recs, r);
	return r;
}

int tables_seed(struct tables *t, const char *name, const cJSON *fields)
{
	struct table *tb;

	pthread_mutex_lock(&t->lock);
	tb = find(t, name);
	if (tb)
		new_record(tb, fields, seed_readonly);
	pthread_mutex_unlock(&t->lock);
	return tb ? 0 : -ENOENT;
}

int tables_insert(struct tables *t, const char *name, const cJSON *fields,
		  double now_wall, cJSON **out)
{
	struct table *tb;
	char ts[32];

	util_iso8601(now_wall, ts);
	pthread_mutex_lock(&t->lock);
	tb = find(t, name);
	if (tb) {
		cJSON *r = new_record(tb, fields, record_readonly);

		jx_set(r, "createdAt", cJSON_CreateString(ts));
		jx_set(r, "updatedAt", cJSON_CreateString(ts));
		*out = cJSON_Duplicate(r, 1);
	}
	pthread_mutex_unlock(&t->lock);
	return tb ? 0 : -ENOENT;
}

int tables_page(struct tables *t, const char *name, long page, long page_size,
		cJSON **out)
{
	struct table *tb;

	pthread_mutex_lock(&t->lock);
	tb = find(t, name);
	if (tb) {
		cJSON *o = cJSON_CreateObject();
		cJSON *data = cJSON_AddArrayToObject(o, "data");
		cJSON *pg = cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "meta"), "pagination");
		size_t total = tb->recs.n, first, i;

		for (i = 0, first = (size_t)page * (size_t)page_size;
		     first < total && i < (size_t)page_size && first + i < total; i++)
			cJSON_AddItemToArray(data, cJSON_Duplicate(tb->recs.v[first + i], 1));
		cJSON_AddNumberToObject(pg, "page", (double)page);
		cJSON_AddNumberToObject(pg, "pageSize", (double)page_size);
		cJSON_AddNumberToObject(pg, "pageCount",
					(double)((total + (size_t)page_size - 1) / (size_t)page_size));
		cJSON_AddNumberToObject(pg, "total", (double)total);
		*out = o;
	}
	pthread_mutex_unlock(&t->lock);
	return tb ? 0 : -ENOENT;
}

/* Index of the record with decimal id text, or -1 (lock held). */
static long find_record(const struct table *tb, const char *id)
{
	char *end;
	long v;
	size_t i;

	if (!*id || *id == '-' || *id == '+' || *id == ' ')
		return -1;
	v = strtol(id, &end, 10);
	if (*end)
		return -1;
	for (i = 0; i < tb->recs.n; i++) {
		const cJSON *rid = cJSON_GetObjectItemCaseSensitive(tb->recs.v[i], "id");

		if (cJSON_IsNumber(rid) && (long)rid->valuedouble == v)
			return (long)i;
	}
	return -1;
}

int tables_get(struct tables *t, const char *name, const char *id, cJSON **out)
{
	struct table *tb;
	long i = -1;

	pthread_mutex_lock(&t->lock);
	tb = find(t, name);
	if (tb && (i = find_record(tb, id)) >= 0)
		*out = cJSON_Duplicate(tb->recs.v[i], 1);
	pthread_mutex_unlock(&t->lock);
	return i >= 0 ? 0 : -ENOENT;
}

int tables_update(struct tables *t, const char *name, const char *id,
		  const cJSON *fields, double now_wall, cJSON **out)
{
	struct table *tb;
	long i = -1;
	char ts[32];

	util_iso8601(now_wall, ts);
	pthread_mutex_lock(&t->lock);
	tb = find(t, name);
	if (tb && (i = find_record(tb, id)) >= 0) {
		cJSON *r = tb->recs.v[i];

		jx_merge(r, fields, record_readonly);
		jx_set(r, "updatedAt", cJSON_CreateString(ts));
		*out = cJSON_Duplicate(r, 1);
	}
	pthread_mutex_unlock(&t->lock);
	return i >= 0 ? 0 : -ENOENT;
}

int tables_delete(struct tables *t, const char *name, const char *id, cJSON **out)
{
	struct table *tb;
	long i = -1;

	pthread_mutex_lock(&t->lock);
	tb = find(t, name);
	if (tb && (i = find_record(tb, id)) >= 0) {
		*out = tb->recs.v[i];
		ptrvec_remove(&tb->recs, (size_t)i);
	}
	pthread_mutex_unlock(&t->lock);
	return i >= 0 ? 0 : -ENOENT;
}
