/* Reference-counted immutable bytes: see blob.h. */
#include "blob.h"
#include "buf.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct blob *blob_new(const void *data, size_t len)
{
    char *copy = xmalloc(len + 1);
    if (len)
        memcpy(copy, data, len);
    copy[len] = '\0';
    return blob_from_string(copy, len);
}

struct blob *blob_from_string(char *s, size_t len)
{
    struct blob *b = xmalloc(sizeof(*b));
    b->refs = 1;
    b->len = len;
    b->data = s;
    return b;
}

struct blob *blob_from_buf(struct buf *b)
{
    size_t len = b->len;
    char *data = buf_steal(b);
    return blob_from_string(xrealloc(data, len + 1), len);
}

struct blob *blob_ref(struct blob *b)
{
    if (b)
        __atomic_add_fetch(&b->refs, 1, __ATOMIC_RELAXED);
    return b;
}

void blob_unref(struct blob *b)
{
    if (b && __atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        free(b->data);
        free(b);
    }
}
