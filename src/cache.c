/* Response cache with TTLs, coalescing, stale fallback and LRU: see cache.h.
 * One mutex guards the table; fills run without it. Waiters of an in-flight
 * fill sleep on one condition variable and recognise their fill's end by the
 * entry's fill generation. */
#include "cache.h"
#include "blob.h"
#include "xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

struct entry {
    char *key;
    /* every field below is protected by cache->lock */
    int has_value;
    struct cache_value value;
    int64_t stored_at;
    int fetching;               /* a fill is running */
    uint64_t fill_gen;          /* bumped when a fill ends */
    int last_fill_err;          /* result of the fill that ended last */
    struct cache_value last_fill_value;  /* kept for waiters of that fill */
    int detached;               /* invalidated while in use: out of the table
                                 * and the LRU, freed by its last user */
    int waiters;                /* threads sleeping on this entry */
    struct entry *lru_prev, *lru_next;  /* most recent at head */
    UT_hash_handle hh;
};

struct cache {
    pthread_mutex_t lock;
    pthread_cond_t fill_done;
    cache_clock_fn clock;
    size_t max_bytes;
    int64_t max_stale_ms;
    struct entry *table;        /* protected by lock */
    struct entry *lru_head, *lru_tail;
    size_t bytes;
    struct cache_stats st;
};

#define ENTRY_OVERHEAD 160

static size_t entry_bytes(const struct entry *e)
{
    size_t n = ENTRY_OVERHEAD + strlen(e->key);
    if (e->has_value && e->value.body)
        n += e->value.body->len;
    return n;
}

struct cache *cache_new(size_t max_bytes, int64_t max_stale_ms, cache_clock_fn clock)
{
    struct cache *c = xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->fill_done, NULL);
    c->clock = clock;
    c->max_bytes = max_bytes;
    c->max_stale_ms = max_stale_ms;
    return c;
}

static void lru_unlink(struct cache *c, struct entry *e)
{
    if (e->lru_prev)
        e->lru_prev->lru_next = e->lru_next;
    else
        c->lru_head = e->lru_next;
    if (e->lru_next)
        e->lru_next->lru_prev = e->lru_prev;
    else
        c->lru_tail = e->lru_prev;
    e->lru_prev = e->lru_next = NULL;
}

static void lru_push_head(struct cache *c, struct entry *e)
{
    e->lru_prev = NULL;
    e->lru_next = c->lru_head;
    if (c->lru_head)
        c->lru_head->lru_prev = e;
    c->lru_head = e;
    if (!c->lru_tail)
        c->lru_tail = e;
}

static void touch(struct cache *c, struct entry *e)
{
    lru_unlink(c, e);
    lru_push_head(c, e);
}

static void drop_value(struct cache *c, struct entry *e)
{
    if (!e->has_value)
        return;
    c->bytes -= entry_bytes(e) - ENTRY_OVERHEAD - strlen(e->key);
    blob_unref(e->value.body);
    e->value.body = NULL;
    e->has_value = 0;
}

/* Take e out of the table and the LRU: new lookups no longer find it. */
static void unlink_entry(struct cache *c, struct entry *e)
{
    drop_value(c, e);
    c->bytes -= ENTRY_OVERHEAD + strlen(e->key);
    lru_unlink(c, e);
    HASH_DEL(c->table, e);
    c->st.entries--;
}

static void free_entry(struct entry *e)
{
    blob_unref(e->last_fill_value.body);
    free(e->key);
    free(e);
}

static void destroy_entry(struct cache *c, struct entry *e)
{
    unlink_entry(c, e);
    free_entry(e);
}

/* A detached entry is freed by whoever uses it last. */
static void release_if_detached(struct entry *e)
{
    if (e->detached && !e->fetching && e->waiters == 0)
        free_entry(e);
}

static int pinned(const struct entry *e)
{
    return e->fetching || e->waiters > 0;
}

/* Evict least recently used entries until under the cap. */
static void enforce_cap(struct cache *c)
{
    struct entry *e = c->lru_tail;
    while (c->bytes > c->max_bytes && e) {
        struct entry *prev = e->lru_prev;
        if (!pinned(e)) {
            destroy_entry(c, e);
            c->st.evictions++;
        }
        e = prev;
    }
}

void cache_free(struct cache *c)
{
    if (!c)
        return;
    struct entry *e, *tmp;
    HASH_ITER(hh, c->table, e, tmp)
        destroy_entry(c, e);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->fill_done);
    free(c);
}

static struct entry *find_or_add(struct cache *c, const char *key)
{
    struct entry *e;
    HASH_FIND_STR(c->table, key, e);
    if (e)
        return e;
    e = xcalloc(1, sizeof(*e));
    e->key = xstrdup(key);
    HASH_ADD_KEYPTR(hh, c->table, e->key, strlen(e->key), e);
    lru_push_head(c, e);
    c->bytes += ENTRY_OVERHEAD + strlen(e->key);
    c->st.entries++;
    return e;
}

static int is_fresh(const struct cache *c, const struct entry *e, int64_t now)
{
    if (!e->has_value)
        return 0;
    if (e->value.ttl_ms == CACHE_FOREVER)
        return 1;
    return now - e->stored_at < e->value.ttl_ms;
}

static int stale_usable(const struct cache *c, const struct entry *e, int64_t now)
{
    return e->has_value && now - e->stored_at <= c->max_stale_ms;
}

/* Only a failure to get an answer lets a stale copy stand in; an answer
 * (a refused key, a bad request) is passed on as it is. */
static int stale_may_answer(int rc)
{
    return rc == -EIO || rc == -EAGAIN || rc == -ETIMEDOUT || rc == -EFBIG;
}

static void give(struct cache_value *out, const struct cache_value *v)
{
    *out = *v;
    out->body = blob_ref(v->body);
}

/* Wait for the running fill of e to end; returns its result. */
static int wait_for_fill(struct cache *c, struct entry *e, struct cache_value *out)
{
    uint64_t gen = e->fill_gen;
    e->waiters++;
    while (e->fill_gen == gen)
        pthread_cond_wait(&c->fill_done, &c->lock);
    e->waiters--;
    int rc = e->last_fill_err;
    if (rc == 0)
        give(out, &e->last_fill_value);
    if (e->waiters == 0 && !e->fetching) {   /* the last waiter of that fill */
        blob_unref(e->last_fill_value.body);
        e->last_fill_value.body = NULL;
    }
    return rc;
}

int cache_get(struct cache *c, const char *key, cache_fill_fn fill, void *arg,
              struct cache_value *out, enum cache_outcome *how)
{
    enum cache_outcome dummy;
    if (!how)
        how = &dummy;
    pthread_mutex_lock(&c->lock);
    struct entry *e = find_or_add(c, key);
    touch(c, e);
    int64_t now = c->clock();
    if (is_fresh(c, e, now)) {
        give(out, &e->value);
        c->st.hits++;
        *how = CACHE_HIT;
        pthread_mutex_unlock(&c->lock);
        return 0;
    }
    if (e->fetching) {
        c->st.coalesced++;
        *how = CACHE_COALESCED;
        int rc = wait_for_fill(c, e, out);
        if (rc < 0 && stale_may_answer(rc) && stale_usable(c, e, c->clock())) {
            give(out, &e->value);
            c->st.stale++;
            *how = CACHE_STALE;
            rc = 0;
        }
        release_if_detached(e);
        pthread_mutex_unlock(&c->lock);
        return rc;
    }
    c->st.misses++;
    *how = CACHE_MISS;
    e->fetching = 1;
    int have_stale = stale_usable(c, e, now);
    pthread_mutex_unlock(&c->lock);

    struct cache_value fresh = { 0, NULL, 0 };
    int rc = fill(arg, have_stale, &fresh);

    pthread_mutex_lock(&c->lock);
    e->fetching = 0;
    e->fill_gen++;
    e->last_fill_err = rc;
    blob_unref(e->last_fill_value.body);
    e->last_fill_value.body = NULL;
    if (rc == 0) {
        if (e->waiters > 0)        /* kept only for the waiters of this fill */
            give(&e->last_fill_value, &fresh);
        if (!e->detached) {
            drop_value(c, e);
            e->value = fresh;      /* the entry takes the fill's reference */
            e->has_value = 1;
            e->stored_at = c->clock();
            c->bytes += e->value.body ? e->value.body->len : 0;
            give(out, &fresh);
        } else {
            *out = fresh;          /* the caller takes the fill's reference */
        }
    } else if (stale_may_answer(rc) && stale_usable(c, e, c->clock())) {
        give(out, &e->value);
        c->st.stale++;
        *how = CACHE_STALE;
        rc = 0;
    }
    pthread_cond_broadcast(&c->fill_done);
    release_if_detached(e);
    enforce_cap(c);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int cache_peek(struct cache *c, const char *key, struct cache_value *out)
{
    pthread_mutex_lock(&c->lock);
    struct entry *e;
    HASH_FIND_STR(c->table, key, e);
    int rc = -ENOENT;
    if (e && is_fresh(c, e, c->clock())) {
        give(out, &e->value);
        rc = 0;
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

/* An entry in use by a fill or its waiters leaves the table at once (so the
 * next reader fills anew, never joining a fill that started before the
 * invalidation) and is freed by its last user. */
static void invalidate_locked(struct cache *c, struct entry *e)
{
    if (pinned(e)) {
        unlink_entry(c, e);
        e->detached = 1;
    } else {
        destroy_entry(c, e);
    }
}

void cache_invalidate(struct cache *c, const char *key)
{
    pthread_mutex_lock(&c->lock);
    struct entry *e;
    HASH_FIND_STR(c->table, key, e);
    if (e)
        invalidate_locked(c, e);
    pthread_mutex_unlock(&c->lock);
}

void cache_invalidate_prefix(struct cache *c, const char *prefix)
{
    size_t n = strlen(prefix);
    pthread_mutex_lock(&c->lock);
    struct entry *e, *tmp;
    HASH_ITER(hh, c->table, e, tmp)
        if (strncmp(e->key, prefix, n) == 0)
            invalidate_locked(c, e);
    pthread_mutex_unlock(&c->lock);
}

void cache_get_stats(struct cache *c, struct cache_stats *st)
{
    pthread_mutex_lock(&c->lock);
    *st = c->st;
    st->bytes = c->bytes;
    st->max_bytes = c->max_bytes;
    pthread_mutex_unlock(&c->lock);
}
