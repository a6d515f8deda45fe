/* The response cache, keyed by API resource ("GET /path?query").
 *
 * - Freshness: every value carries the TTL its producer chose (the api
 *   module knows a finished run's logs never change; the cache does not).
 * - Coalescing: concurrent misses on one key run the fill function once;
 *   every waiter gets that value or that error.
 * - Stale copies: when a fill fails to get an answer (-EIO, -EAGAIN,
 *   -ETIMEDOUT, -EFBIG: server down, timeout, throttled) and a copy no
 *   older than max_stale exists, that copy is returned instead; other
 *   errors (a refusal) are passed on.
 * - A memory cap with LRU eviction. Values are reference-counted blobs, so
 *   eviction never frees bytes a reader still holds.
 * - Invalidation by key or key prefix; a fill in flight during an
 *   invalidation delivers its result to its waiters but is not kept.
 *
 * The clock is injected so unit tests drive time by hand. Thread-safe. */
#ifndef WRFS_CACHE_H
#define WRFS_CACHE_H
#include <stddef.h>
#include <stdint.h>

struct blob;
struct cache;

#define CACHE_FOREVER INT64_MAX

/* A cached answer: an HTTP status and its (rendered) body. */
struct cache_value {
    long status;
    struct blob *body;      /* owned reference; may be NULL for no body */
    int64_t ttl_ms;         /* how long it stays fresh, or CACHE_FOREVER */
};

/* Produce the value for a key. have_stale tells whether a stale copy could
 * stand in, so the producer may give up early (e.g. not wait for the rate
 * limiter). Returns 0 with *out filled (ownership of out->body passes to the
 * cache), or -errno on failure (nothing is stored). */
typedef int (*cache_fill_fn)(void *arg, int have_stale, struct cache_value *out);
typedef int64_t (*cache_clock_fn)(void);

/* How cache_get answered, for callers and counters. */
enum cache_outcome { CACHE_HIT, CACHE_MISS, CACHE_COALESCED, CACHE_STALE };

struct cache_stats {
    uint64_t hits, misses, coalesced, stale, evictions;
    size_t entries, bytes, max_bytes;
};

struct cache *cache_new(size_t max_bytes, int64_t max_stale_ms, cache_clock_fn clock);
/* Frees every entry; no cache_get may be running. */
void cache_free(struct cache *c);

/* Look up key; on a miss call fill (once across concurrent callers).
 * Returns 0 with *out holding a new reference to the body (caller must
 * blob_unref it) and *how telling the path taken; or the fill's -errno when
 * there is no usable copy. */
int cache_get(struct cache *c, const char *key, cache_fill_fn fill, void *arg,
              struct cache_value *out, enum cache_outcome *how);
/* Peek without filling: 0 and a reference if a fresh value is cached, else
 * -ENOENT. Counts nothing. */
int cache_peek(struct cache *c, const char *key, struct cache_value *out);
/* Drop one key / every key starting with prefix. */
void cache_invalidate(struct cache *c, const char *key);
void cache_invalidate_prefix(struct cache *c, const char *prefix);
void cache_get_stats(struct cache *c, struct cache_stats *st);

#endif
