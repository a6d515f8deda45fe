/* The book of sizes reported to the kernel: see sizes.h. */
#include "sizes.h"
#include "xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

struct reported {
    char *path;
    uint64_t size;
    int64_t changed_at;     /* when a different size was last reported */
    UT_hash_handle hh;
};

struct size_book {
    pthread_mutex_t lock;
    int64_t settle_ms;
    unsigned max_paths;
    unsigned count;             /* protected by lock */
    struct reported *table;     /* protected by lock */
};

struct size_book *sizes_new(int64_t settle_ms, unsigned max_paths)
{
    struct size_book *b = xcalloc(1, sizeof(*b));
    pthread_mutex_init(&b->lock, NULL);
    b->settle_ms = settle_ms;
    b->max_paths = max_paths;
    return b;
}

static void forget_all(struct size_book *b)
{
    struct reported *r, *tmp;
    HASH_ITER(hh, b->table, r, tmp) {
        HASH_DEL(b->table, r);
        free(r->path);
        free(r);
    }
    b->count = 0;
}

void sizes_free(struct size_book *b)
{
    if (!b)
        return;
    forget_all(b);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

void sizes_reported(struct size_book *b, const char *path, uint64_t size, int64_t now)
{
    pthread_mutex_lock(&b->lock);
    struct reported *r;
    HASH_FIND_STR(b->table, path, r);
    if (!r) {
        if (b->count >= b->max_paths)
            forget_all(b);
        r = xcalloc(1, sizeof(*r));
        r->path = xstrdup(path);
        r->size = size;
        r->changed_at = now;
        HASH_ADD_KEYPTR(hh, b->table, r->path, strlen(r->path), r);
        b->count++;
    } else if (r->size != size) {
        r->size = size;
        r->changed_at = now;
    }
    pthread_mutex_unlock(&b->lock);
}

void sizes_forget(struct size_book *b, const char *path, int64_t now)
{
    sizes_reported(b, path, UINT64_MAX, now);   /* no text has this size */
}

int sizes_kernel_agrees(struct size_book *b, const char *path, uint64_t size, int64_t now)
{
    pthread_mutex_lock(&b->lock);
    struct reported *r;
    HASH_FIND_STR(b->table, path, r);
    int agrees = r && r->size == size && now - r->changed_at > b->settle_ms;
    pthread_mutex_unlock(&b->lock);
    return agrees;
}
