/* Reference-counted immutable bytes: see blob.h. */
#include "blob.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct blob *blob_new(const void *data, size_t len)
{
    struct blob *b = xmalloc(sizeof(*b) + len + 1);
    b->refs = 1;
    b->len = len;
    if (len)
        memcpy(b->data, data, len);
    b->data[len] = '\0';
    return b;
}

struct blob *blob_from_string(char *s, size_t len)
{
    struct blob *b = blob_new(s, len);
    free(s);
    return b;
}

struct blob *blob_ref(struct blob *b)
{
    if (b)
        __atomic_add_fetch(&b->refs, 1, __ATOMIC_RELAXED);
    return b;
}

void blob_unref(struct blob *b)
{
    if (b && __atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) == 0)
        free(b);
}
