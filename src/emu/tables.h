/* tables.h — the Strapi tables behind /api/strapi-tables: named lists of
 * records with an integer "id" and a string "documentId", paged reads and
 * record-level create, update and delete. Thread-safe (own mutex). */
#ifndef EMU_TABLES_H
#define EMU_TABLES_H

#include <cjson/cJSON.h>

#define TABLES_MAX_PAGE_SIZE 500

struct tables;

/* No tables yet. Free with tables_free (NULL is fine), records included. */
struct tables *tables_new(void);
void tables_free(struct tables *t);

/* Creates an empty table; -EEXIST if the name is taken. */
int tables_create(struct tables *t, const char *name);

/* Appends a record built from fields (copied; "id"/"documentId" ignored) with
 * the next id, verbatim otherwise. For seeding. Returns 0 or -ENOENT. */
int tables_seed(struct tables *t, const char *name, const cJSON *fields);

/* POST: like tables_seed, plus createdAt/updatedAt = now. *out is a copy of
 * the new record (caller deletes). Returns 0 or -ENOENT (no such table). */
int tables_insert(struct tables *t, const char *name, const cJSON *fields,
		  double now_wall, cJSON **out);

/* One page (0-based) of pageSize records with Strapi's meta.pagination.
 * Returns 0 or -ENOENT. */
int tables_page(struct tables *t, const char *name, long page, long page_size,
		cJSON **out);

/* Record by decimal id: 0 or -ENOENT (table or record). */
int tables_get(struct tables *t, const char *name, const char *id, cJSON **out);
/* Merges fields into the record (not id/documentId), sets updatedAt. */
int tables_update(struct tables *t, const char *name, const char *id,
		  const cJSON *fields, double now_wall, cJSON **out);
/* Removes the record; *out is the removed record. */
int tables_delete(struct tables *t, const char *name, const char *id, cJSON **out);

#endif
