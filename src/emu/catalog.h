/* catalog.h — the read-only collections of the emulator (datasets, agents,
 * categories). Filled by the seed before the server starts and never changed
 * afterwards, so reads need no lock. */
#ifndef EMU_CATALOG_H
#define EMU_CATALOG_H

#include <cjson/cJSON.h>

enum catalog_kind {
	CATALOG_DATASETS,
	CATALOG_AGENTS,
	CATALOG_CATEGORIES,
	CATALOG_NKINDS,
};

struct catalog;

/* Three empty collections. Free with catalog_free (NULL is fine). */
struct catalog *catalog_new(void);
void catalog_free(struct catalog *c);

/* Adds item (taken; must hold a string "id") to a collection. Only before
 * the server starts. */
void catalog_add(struct catalog *c, enum catalog_kind kind, cJSON *item);

/* A copy of the whole collection (caller deletes). */
cJSON *catalog_list(const struct catalog *c, enum catalog_kind kind);

/* A copy of the item with that id: 0, or -ENOENT. */
int catalog_get(const struct catalog *c, enum catalog_kind kind, const char *id,
		cJSON **out);

#endif
