/* jsonx.c — strict JSON body parsing, type checking against small field
 * tables, and order-preserving merges (a PUT must not reshuffle a DTO). */
#include "jsonx.h"

#include <errno.h>
#include <string.h>

int jx_is_blank(const char *body, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!strchr(" \t\r\n", body[i]) || body[i] == '\0')
			return 0;
	return 1;
}

cJSON *jx_parse(const char *body, size_t len)
{
	const char *end = NULL;
	cJSON *v;

	if (memchr(body, '\0', len))
		return NULL;
	v = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	if (!v)
		return NULL;
	if (!jx_is_blank(end, len - (size_t)(end - body))) {
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

static int is_strarray(const cJSON *v)
{
	const cJSON *e;

	if (!cJSON_IsArray(v))
		return 0;
	cJSON_ArrayForEach(e, v)
		if (!cJSON_IsString(e))
			return 0;
	return 1;
}

static int type_ok(const cJSON *v, const struct jx_field *f)
{
	if ((f->types & JX_NULL) && cJSON_IsNull(v))
		return 1;
	if ((f->types & JX_BOOL) && cJSON_IsBool(v))
		return 1;
	if ((f->types & JX_NUMBER) && cJSON_IsNumber(v))
		return 1;
	if ((f->types & JX_STRARRAY) && is_strarray(v))
		return 1;
	if ((f->types & JX_STRING) && cJSON_IsString(v)) {
		const char *const *e;

		if (!f->enumv)
			return 1;
		for (e = f->enumv; *e; e++)
			if (strcmp(*e, v->valuestring) == 0)
				return 1;
	}
	return 0;
}

int jx_check(const cJSON *obj, const struct jx_field *fields, size_t n,
	     const char **bad)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, fields[i].name);

		if (v && !type_ok(v, &fields[i])) {
			*bad = fields[i].name;
			return -EINVAL;
		}
	}
	return 0;
}

void jx_set(cJSON *dst, const char *name, cJSON *item)
{
	if (cJSON_GetObjectItemCaseSensitive(dst, name))
		cJSON_ReplaceItemInObjectCaseSensitive(dst, name, item);
	else
		cJSON_AddItemToObject(dst, name, item);
}

void jx_merge(cJSON *dst, const cJSON *patch, const char *const *skip)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, patch) {
		const char *const *s;
		int skipped = 0;

		for (s = skip; s && *s; s++)
			if (strcmp(*s, m->string) == 0)
				skipped = 1;
		if (!skipped)
			jx_set(dst, m->string, cJSON_Duplicate(m, 1));
	}
}

const char *jx_str(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}
