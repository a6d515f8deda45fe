/* The Strapi table names the mount knows: the API cannot list tables, so
 * `ls tables` shows those named with -o tables=a,b plus every table looked
 * up by name since the mount started. Thread-safe. */
#ifndef WRFS_TABLES_H
#define WRFS_TABLES_H

struct table_names;

/* From a comma-separated list (may be NULL or empty). */
struct table_names *tables_new(const char *csv);
void tables_free(struct table_names *t);
/* Remember a table that exists. */
void tables_add(struct table_names *t, const char *name);
/* Call fn with each name, in the order they became known. */
void tables_each(struct table_names *t, void (*fn)(void *arg, const char *name), void *arg);

#endif
