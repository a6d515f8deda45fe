/* jsonx.h — JSON helpers the API layer shares: strict body parsing, checking
 * a PUT/POST body against a DTO's field types, and merging it into a stored
 * object without disturbing the key order clients see. */
#ifndef EMU_JSONX_H
#define EMU_JSONX_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Accepted JSON types for a field (bit set). */
enum {
	JX_STRING = 1,
	JX_BOOL = 2,
	JX_NUMBER = 4,
	JX_STRARRAY = 8,  /* array of strings */
	JX_NULL = 16,
};

struct jx_field {
	const char *name;
	unsigned types;
	const char *const *enumv;  /* NULL-terminated allowed strings, or NULL */
};

/* True when body[0..len) holds only whitespace (an absent body). */
int jx_is_blank(const char *body, size_t len);

/* Parses body[0..len) as one JSON value with nothing but whitespace after it.
 * Returns the value (caller deletes) or NULL when it is not valid JSON. */
cJSON *jx_parse(const char *body, size_t len);

/* Checks that each member of obj named in fields[0..n) has an allowed type
 * (unknown members pass). Returns 0, or -EINVAL with *bad set to the name. */
int jx_check(const cJSON *obj, const struct jx_field *fields, size_t n,
	     const char **bad);

/* Copies each member of patch into dst, replacing in place (order kept) or
 * appending; members named in skip (NULL-terminated) are ignored. */
void jx_merge(cJSON *dst, const cJSON *patch, const char *const *skip);

/* Sets dst[name] to item (taken), in place when present, else appended. */
void jx_set(cJSON *dst, const char *name, cJSON *item);

/* dst[name] as a string, or NULL when missing or not a string. Borrowed. */
const char *jx_str(const cJSON *obj, const char *name);

#endif
