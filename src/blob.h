/* Immutable, reference-counted byte strings. The cache hands these out so a
 * reader keeps its bytes alive after the cache has evicted or replaced the
 * entry: nobody ever holds a pointer into a cache entry without a reference. */
#ifndef WRFS_BLOB_H
#define WRFS_BLOB_H
#include <stddef.h>

struct blob {
    int refs;          /* atomic */
    size_t len;
    char *data;        /* len bytes, then a NUL */
};

/* A new blob holding a copy of data (refs = 1). Aborts on OOM. */
struct blob *blob_new(const void *data, size_t len);
/* Take over a malloc'd NUL-terminated string of length len, without a
 * copy (a 100 MB log is never held twice); it is freed with the blob. */
struct blob *blob_from_string(char *s, size_t len);
/* Take over a buffer's bytes (trimmed to size), leaving it empty. */
struct buf;
struct blob *blob_from_buf(struct buf *b);
/* Add a reference; returns b. NULL-safe. */
struct blob *blob_ref(struct blob *b);
/* Drop a reference, freeing at zero. NULL-safe. */
void blob_unref(struct blob *b);

#endif
