/* catalog.c — immutable-after-seed JSON collections served as they are. */
#include "catalog.h"
#include "jsonx.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct catalog {
	cJSON *coll[CATALOG_NKINDS];  /* arrays; read-only once serving */
};

struct catalog *catalog_new(void)
{
	struct catalog *c = xcalloc(1, sizeof(*c));
	int k;

	for (k = 0; k < CATALOG_NKINDS; k++)
		c->coll[k] = cJSON_CreateArray();
	return c;
}

void catalog_free(struct catalog *c)
{
	int k;

	if (!c)
		return;
	for (k = 0; k < CATALOG_NKINDS; k++)
		cJSON_Delete(c->coll[k]);
	free(c);
}

void catalog_add(struct catalog *c, enum catalog_kind kind, cJSON *item)
{
	cJSON_AddItemToArray(c->coll[kind], item);
}

cJSON *catalog_list(const struct catalog *c, enum catalog_kind kind)
{
	return cJSON_Duplicate(c->coll[kind], 1);
}

int catalog_get(const struct catalog *c, enum catalog_kind kind, const char *id,
		cJSON **out)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, c->coll[kind]) {
		const char *iid = jx_str(item, "id");

		if (iid && strcmp(iid, id) == 0) {
			*out = cJSON_Duplicate(item, 1);
			return 0;
		}
	}
	return -ENOENT;
}
