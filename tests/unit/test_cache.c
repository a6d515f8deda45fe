/* Unit tests for cache.c. Time is a fake clock the tests set by hand; the
 * coalescing tests use real threads held inside the fill function until the
 * expected number of waiters is queued (seen through cache_get_stats). */
#include <criterion/criterion.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blob.h"
#include "cache.h"

static int64_t fake_now;

static int64_t fake_clock(void)
{
    return __atomic_load_n(&fake_now, __ATOMIC_SEQ_CST);
}

/* A fill function whose answer the test scripts. */
struct script {
    int calls;
    int rc;                 /* 0, or the -errno to fail with */
    long status;
    const char *body;
    int64_t ttl;
    int last_have_stale;
    struct cache *c;        /* when set, the fill invalidates key ... */
    const char *invalidate; /* ... while it runs */
};

static int scripted_fill(void *arg, int have_stale, struct cache_value *out)
{
    struct script *s = arg;
    s->calls++;
    s->last_have_stale = have_stale;
    if (s->c && s->invalidate)
        cache_invalidate(s->c, s->invalidate);
    if (s->rc < 0)
        return s->rc;
    out->status = s->status;
    out->body = s->body ? blob_new(s->body, strlen(s->body)) : NULL;
    out->ttl_ms = s->ttl;
    return 0;
}

static struct script ok_script(const char *body, int64_t ttl)
{
    struct script s = { 0 };
    s.status = 200;
    s.body = body;
    s.ttl = ttl;
    return s;
}

/* cache_get, checking the body and dropping the reference. */
static int get_body(struct cache *c, const char *key, struct script *s, const char *want_body,
                    enum cache_outcome want_how)
{
    struct cache_value v = { 0, NULL, 0 };
    enum cache_outcome how = (enum cache_outcome)-1;
    int rc = cache_get(c, key, scripted_fill, s, &v, &how);
    if (rc == 0) {
        cr_expect_eq(how, want_how, "%s: outcome %d, want %d", key, how, want_how);
        if (want_body) {
            cr_expect(v.body && strcmp(v.body->data, want_body) == 0, "%s: body %s, want %s",
                      key, v.body ? v.body->data : "(none)", want_body);
        }
        blob_unref(v.body);
    }
    return rc;
}

static struct cache_stats stats(struct cache *c)
{
    struct cache_stats st;
    cache_get_stats(c, &st);
    return st;
}

Test(cache, should_hit_within_ttl)
{
    fake_now = 1000;
    struct cache *c = cache_new(1 << 20, 60000, fake_clock);
    struct script s = ok_script("v1", 500);
    cr_assert_eq(get_body(c, "GET /a", &s, "v1", CACHE_MISS), 0);
    fake_now = 1499;
    s.body = "v2";
    cr_assert_eq(get_body(c, "GET /a", &s, "v1", CACHE_HIT), 0);
    cr_expect_eq(s.calls, 1);
    struct cache_stats st = stats(c);
    cr_expect_eq(st.hits, 1);
    cr_expect_eq(st.misses, 1);
    cache_free(c);
}

Test(cache, should_miss_after_ttl)
{
    fake_now = 1000;
    struct cache *c = cache_new(1 << 20, 60000, fake_clock);
    struct script s = ok_script("v1", 500);
    cr_assert_eq(get_body(c, "GET /a", &s, "v1", CACHE_MISS), 0);
    fake_now = 1500;
    s.body = "v2";
    cr_assert_eq(get_body(c, "GET /a", &s, "v2", CACHE_MISS), 0);
    cr_expect_eq(s.calls, 2);
    fake_now = 1999;
    cr_assert_eq(get_body(c, "GET /a", &s, "v2", CACHE_HIT), 0, "fresh again from 1500");
    cache_free(c);
}

Test(cache, should_never_expire_cache_forever_values)
{
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 60000, fake_clock);
    struct script s = ok_script("COMPLETED\n", CACHE_FOREVER);
    cr_assert_eq(get_body(c, "GET /done", &s, "COMPLETED\n", CACHE_MISS), 0);
    fake_now = INT64_MAX / 2;
    cr_assert_eq(get_body(c, "GET /done", &s, "COMPLETED\n", CACHE_HIT), 0);
    cr_expect_eq(s.calls, 1);
    cache_free(c);
}

Test(cache, should_treat_zero_ttl_as_never_fresh)
{
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 60000, fake_clock);
    struct script s = ok_script("x", 0);
    cr_assert_eq(get_body(c, "GET /a", &s, "x", CACHE_MISS), 0);
    cr_assert_eq(get_body(c, "GET /a", &s, "x", CACHE_MISS), 0);
    cr_expect_eq(s.calls, 2);
    cache_free(c);
}

Test(cache, should_cache_and_return_not_found_answers)
{
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 60000, fake_clock);
    struct script s = ok_script("{\"error\":\"not found\"}", 5000);
    s.status = 404;
    struct cache_value v;
    enum cache_outcome how;
    cr_assert_eq(cache_get(c, "GET /x", scripted_fill, &s, &v, &how), 0);
    cr_expect_eq(v.status, 404);
    blob_unref(v.body);
    fake_now = 100;
    cr_assert_eq(cache_get(c, "GET /x", scripted_fill, &s, &v, &how), 0);
    cr_expect_eq(how, CACHE_HIT);
    cr_expect_eq(v.status, 404);
    cr_expect_str_eq(v.body->data, "{\"error\":\"not found\"}");
    blob_unref(v.body);
    cr_expect_eq(s.calls, 1);
    cache_free(c);
}

Test(cache, should_store_values_without_a_body)
{
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 60000, fake_clock);
    struct script s = ok_script(NULL, 1000);
    s.status = 204;
    struct cache_value v;
    cr_assert_eq(cache_get(c, "GET /empty", scripted_fill, &s, &v, NULL), 0);
    cr_expect_null(v.body);
    cr_assert_eq(cache_get(c, "GET /empty", scripted_fill, &s, &v, NULL), 0);
    cr_expect_eq(v.status, 204);
    cr_expect_eq(s.calls, 1);
    cache_free(c);
}

Test(cache, should_return_the_fill_error_when_there_is_no_copy)
{
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 60000, fake_clock);
    struct script s = ok_script("x", 1000);
    s.rc = -EIO;
    cr_expect_eq(get_body(c, "GET /a", &s, NULL, CACHE_MISS), -EIO);
    cr_expect_eq(s.last_have_stale, 0);
    s.rc = -EAGAIN;
    cr_expect_eq(get_body(c, "GET /a", &s, NULL, CACHE_MISS), -EAGAIN, "errors are not cached");
    cr_expect_eq(s.calls, 2);
    struct cache_value v;
    cr_expect_eq(cache_peek(c, "GET /a", &v), -ENOENT);
    cache_free(c);
}

Test(cache, should_serve_a_stale_copy_when_the_fill_fails)
{
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 10000, fake_clock);
    struct script s = ok_script("old", 1000);
    cr_assert_eq(get_body(c, "GET /a", &s, "old", CACHE_MISS), 0);
    cr_expect_eq(s.last_have_stale, 0, "no copy at the first fill");

    fake_now = 5000;        /* expired, but younger than max_stale */
    s.rc = -EIO;
    cr_assert_eq(get_body(c, "GET /a", &s, "old", CACHE_STALE), 0);
    cr_expect_eq(s.last_have_stale, 1);
    cr_expect_eq(stats(c).stale, 1);

    fake_now = 10000;       /* exactly max_stale old: still usable */
    cr_assert_eq(get_body(c, "GET /a", &s, "old", CACHE_STALE), 0);
    cr_expect_eq(stats(c).stale, 2);
    cr_expect_eq(s.calls, 3);
    cache_free(c);
}

Test(cache, should_fail_when_the_copy_is_older_than_max_stale)
{
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 10000, fake_clock);
    struct script s = ok_script("old", 1000);
    cr_assert_eq(get_body(c, "GET /a", &s, "old", CACHE_MISS), 0);
    fake_now = 10001;
    s.rc = -ETIMEDOUT;
    cr_expect_eq(get_body(c, "GET /a", &s, NULL, CACHE_MISS), -ETIMEDOUT);
    cr_expect_eq(s.last_have_stale, 0, "a copy too old cannot stand in");
    cr_expect_eq(stats(c).stale, 0);
    cache_free(c);
}

Test(cache, should_refresh_the_copy_after_a_successful_fill)
{
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 10000, fake_clock);
    struct script s = ok_script("v1", 1000);
    cr_assert_eq(get_body(c, "GET /a", &s, "v1", CACHE_MISS), 0);
    fake_now = 9000;
    s.body = "v2";
    cr_assert_eq(get_body(c, "GET /a", &s, "v2", CACHE_MISS), 0);
    cr_expect_eq(s.last_have_stale, 1);
    fake_now = 18000;       /* 18 s after v1 but 9 s after v2 */
    s.rc = -EIO;
    cr_assert_eq(get_body(c, "GET /a", &s, "v2", CACHE_STALE), 0);
    cache_free(c);
}

Test(cache, should_peek_only_fresh_values)
{
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 10000, fake_clock);
    struct cache_value v;
    cr_expect_eq(cache_peek(c, "GET /a", &v), -ENOENT);
    struct script s = ok_script("v1", 1000);
    cr_assert_eq(get_body(c, "GET /a", &s, "v1", CACHE_MISS), 0);
    cr_assert_eq(cache_peek(c, "GET /a", &v), 0);
    cr_expect_str_eq(v.body->data, "v1");
    blob_unref(v.body);
    fake_now = 1000;
    cr_expect_eq(cache_peek(c, "GET /a", &v), -ENOENT);
    struct cache_stats st = stats(c);
    cr_expect_eq(st.hits, 0, "peek counts nothing");
    cache_free(c);
}

Test(cache, should_fill_again_after_invalidate)
{
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 10000, fake_clock);
    struct script s = ok_script("v1", 60000);
    cr_assert_eq(get_body(c, "GET /a", &s, "v1", CACHE_MISS), 0);
    cache_invalidate(c, "GET /a");
    cache_invalidate(c, "GET /not-there");
    s.body = "v2";
    cr_assert_eq(get_body(c, "GET /a", &s, "v2", CACHE_MISS), 0);
    cr_expect_eq(s.calls, 2);
    cache_free(c);
}

Test(cache, should_not_serve_an_invalidated_value_as_stale)
{
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 10000, fake_clock);
    struct script s = ok_script("before write", 60000);
    cr_assert_eq(get_body(c, "GET /a", &s, "before write", CACHE_MISS), 0);
    cache_invalidate(c, "GET /a");
    s.rc = -EIO;
    cr_expect_eq(get_body(c, "GET /a", &s, NULL, CACHE_MISS), -EIO);
    cache_free(c);
}

Test(cache, should_invalidate_every_key_with_a_prefix)
{
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 10000, fake_clock);
    static const char *const keys[] = {
        "GET /p/1", "GET /p/1/jobs", "GET /p/1/jobs/j/status", "GET /p/2", "GET /q",
    };
    struct script s = ok_script("v", 60000);
    for (size_t i = 0; i < 5; i++)
        cr_assert_eq(get_body(c, keys[i], &s, "v", CACHE_MISS), 0);
    cache_invalidate_prefix(c, "GET /p/1");
    struct cache_value v;
    cr_expect_eq(cache_peek(c, "GET /p/1", &v), -ENOENT);
    cr_expect_eq(cache_peek(c, "GET /p/1/jobs", &v), -ENOENT);
    cr_expect_eq(cache_peek(c, "GET /p/1/jobs/j/status", &v), -ENOENT);
    cr_assert_eq(cache_peek(c, "GET /p/2", &v), 0);
    blob_unref(v.body);
    cr_assert_eq(cache_peek(c, "GET /q", &v), 0);
    blob_unref(v.body);
    cr_expect_eq(stats(c).entries, 2);
    cache_free(c);
}

Test(cache, should_account_bytes_and_release_them_on_invalidate)
{
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 10000, fake_clock);
    char body[1000];
    memset(body, 'x', sizeof(body) - 1);
    body[sizeof(body) - 1] = '\0';
    struct script s = ok_script(body, 60000);
    cr_assert_eq(get_body(c, "GET /a", &s, body, CACHE_MISS), 0);
    struct cache_stats st = stats(c);
    cr_expect_geq(st.bytes, sizeof(body) - 1, "bytes %zu", st.bytes);
    cr_expect_eq(st.entries, 1);
    cache_invalidate_prefix(c, "");
    st = stats(c);
    cr_expect_eq(st.bytes, 0, "bytes %zu after dropping everything", st.bytes);
    cr_expect_eq(st.entries, 0);
    cache_free(c);
}

Test(cache, should_return_but_not_keep_a_fill_invalidated_while_running)
{
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 10000, fake_clock);
    struct script s = ok_script("during", 60000);
    s.c = c;
    s.invalidate = "GET /a";
    cr_assert_eq(get_body(c, "GET /a", &s, "during", CACHE_MISS), 0,
                 "the caller still gets its answer");
    struct cache_value v;
    cr_expect_eq(cache_peek(c, "GET /a", &v), -ENOENT, "the answer was not kept");
    s.invalidate = NULL;
    s.body = "after";
    cr_assert_eq(get_body(c, "GET /a", &s, "after", CACHE_MISS), 0);
    cr_expect_eq(s.calls, 2, "the next get fills again");
    cr_assert_eq(get_body(c, "GET /a", &s, "after", CACHE_HIT), 0);
    cache_free(c);
}

Test(cache, should_also_drop_the_old_copy_on_invalidation_during_a_fill)
{
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 60000, fake_clock);
    struct script s = ok_script("v1", 1000);
    cr_assert_eq(get_body(c, "GET /a", &s, "v1", CACHE_MISS), 0);
    fake_now = 2000;
    s.c = c;
    s.invalidate = "GET /a";
    s.rc = -EIO;
    /* the fill fails after an invalidation: the old copy is gone too */
    cr_expect_eq(get_body(c, "GET /a", &s, NULL, CACHE_MISS), -EIO);
    cache_free(c);
}

/* Body of n bytes for the eviction tests. */
static char big_body[201];

static void init_big_body(void)
{
    memset(big_body, 'b', 200);
    big_body[200] = '\0';
}

Test(cache, should_evict_the_least_recently_used_entry_first)
{
    init_big_body();
    fake_now = 0;
    /* Room for two entries of 200-byte bodies, not three. */
    struct cache *c = cache_new(1 << 20, 60000, fake_clock);
    struct script s = ok_script(big_body, 60000);
    cr_assert_eq(get_body(c, "A", &s, big_body, CACHE_MISS), 0);
    size_t one = stats(c).bytes;    /* what one entry costs */
    cr_assert_gt(one, 200);
    cache_free(c);

    c = cache_new(2 * one + one / 2, 60000, fake_clock);
    cr_assert_eq(get_body(c, "A", &s, big_body, CACHE_MISS), 0);
    cr_assert_eq(get_body(c, "B", &s, big_body, CACHE_MISS), 0);
    cr_assert_eq(get_body(c, "A", &s, big_body, CACHE_HIT), 0);    /* A used after B */
    cr_assert_eq(get_body(c, "C", &s, big_body, CACHE_MISS), 0);
    struct cache_value v;
    cr_expect_eq(cache_peek(c, "B", &v), -ENOENT, "B was least recently used");
    cr_assert_eq(cache_peek(c, "A", &v), 0, "A was used recently");
    blob_unref(v.body);
    cr_assert_eq(cache_peek(c, "C", &v), 0);
    blob_unref(v.body);
    struct cache_stats st = stats(c);
    cr_expect_eq(st.evictions, 1);
    cr_expect_leq(st.bytes, st.max_bytes);
    cache_free(c);
}

Test(cache, should_evict_the_oldest_entry_when_none_was_reused)
{
    init_big_body();
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 60000, fake_clock);
    struct script s = ok_script(big_body, 60000);
    cr_assert_eq(get_body(c, "A", &s, big_body, CACHE_MISS), 0);
    size_t one = stats(c).bytes;    /* what one entry costs */
    cr_assert_gt(one, 200);
    cache_free(c);

    c = cache_new(2 * one + one / 2, 60000, fake_clock);
    cr_assert_eq(get_body(c, "A", &s, big_body, CACHE_MISS), 0);
    cr_assert_eq(get_body(c, "B", &s, big_body, CACHE_MISS), 0);
    cr_assert_eq(get_body(c, "C", &s, big_body, CACHE_MISS), 0);
    struct cache_value v;
    cr_expect_eq(cache_peek(c, "A", &v), -ENOENT);
    cr_assert_eq(cache_peek(c, "B", &v), 0);
    blob_unref(v.body);
    cr_assert_eq(cache_peek(c, "C", &v), 0);
    blob_unref(v.body);
    cache_free(c);
}

Test(cache, should_keep_a_held_blob_valid_after_eviction)
{
    fake_now = 0;
    struct cache *c = cache_new(1, 60000, fake_clock);   /* everything is evicted */
    struct script s = ok_script("held by a reader", 60000);
    struct cache_value v;
    cr_assert_eq(cache_get(c, "GET /a", scripted_fill, &s, &v, NULL), 0);
    struct script s2 = ok_script("another", 60000);
    struct cache_value w;
    cr_assert_eq(cache_get(c, "GET /b", scripted_fill, &s2, &w, NULL), 0);
    blob_unref(w.body);
    cr_expect_geq(stats(c).evictions, 1);
    struct cache_value p;
    cr_expect_eq(cache_peek(c, "GET /a", &p), -ENOENT, "evicted");
    cr_assert_not_null(v.body);
    cr_expect_eq(v.body->refs, 1, "only the reader holds the bytes now");
    cr_expect_str_eq(v.body->data, "held by a reader");
    cr_expect_eq(v.body->len, strlen("held by a reader"));
    blob_unref(v.body);
    cache_free(c);
}

Test(cache, should_keep_a_held_blob_valid_after_invalidate_and_replace)
{
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 60000, fake_clock);
    struct script s = ok_script("first", 60000);
    struct cache_value v;
    cr_assert_eq(cache_get(c, "GET /a", scripted_fill, &s, &v, NULL), 0);
    cr_expect_eq(v.body->refs, 2, "the cache and the reader");
    cache_invalidate(c, "GET /a");
    s.body = "second";
    struct cache_value w;
    cr_assert_eq(cache_get(c, "GET /a", scripted_fill, &s, &w, NULL), 0);
    cr_expect_str_eq(v.body->data, "first");
    cr_expect_str_eq(w.body->data, "second");
    cr_expect_eq(v.body->refs, 1);
    blob_unref(v.body);
    blob_unref(w.body);
    cache_free(c);
}

/* ---- coalescing, with real threads ---- */

struct gate {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int open;
    int fills;              /* protected by lock */
    int rc;                 /* what the gated fill returns */
    const char *body;       /* first fill's body */
    const char *later_body; /* body of any fill after the first (not gated) */
};

static void gate_init(struct gate *g, const char *body, int rc)
{
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->cond, NULL);
    g->open = 0;
    g->fills = 0;
    g->rc = rc;
    g->body = body;
    g->later_body = NULL;
}

static void gate_open(struct gate *g)
{
    pthread_mutex_lock(&g->lock);
    g->open = 1;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

static int gate_fills(struct gate *g)
{
    pthread_mutex_lock(&g->lock);
    int n = g->fills;
    pthread_mutex_unlock(&g->lock);
    return n;
}

/* The first fill blocks until the test opens the gate; later fills answer
 * at once with later_body. */
static int gated_fill(void *arg, int have_stale, struct cache_value *out)
{
    struct gate *g = arg;
    pthread_mutex_lock(&g->lock);
    int n = ++g->fills;
    if (n == 1)
        while (!g->open)
            pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
    if (n == 1 && g->rc < 0)
        return g->rc;
    const char *b = n == 1 ? g->body : g->later_body;
    out->status = 200;
    out->body = blob_new(b, strlen(b));
    out->ttl_ms = 60000;
    return 0;
}

struct reader {
    pthread_t thread;
    struct cache *c;
    struct gate *g;
    const char *key;
    int rc;
    enum cache_outcome how;
    struct cache_value v;
    int done;               /* atomic */
};

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    r->rc = cache_get(r->c, r->key, gated_fill, r->g, &r->v, &r->how);
    __atomic_store_n(&r->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* Spin (yielding, never sleeping) until cond(arg) holds; fails the test
 * after a generous wall-clock limit instead of hanging. */
static void wait_until(int (*cond)(void *), void *arg, const char *what)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!cond(arg)) {
        sched_yield();
        clock_gettime(CLOCK_MONOTONIC, &t);
        cr_assert_lt(t.tv_sec - t0.tv_sec, 5, "timed out waiting for %s", what);
    }
}

struct coalesce_watch {
    struct cache *c;
    struct gate *g;
    uint64_t coalesced;
};

static int fill_started_and_waiters_queued(void *arg)
{
    struct coalesce_watch *w = arg;
    return gate_fills(w->g) >= 1 && stats(w->c).coalesced >= w->coalesced;
}

#define NREADERS 8

Test(cache, should_coalesce_concurrent_misses, .timeout = 10)
{
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 60000, fake_clock);
    struct gate g;
    gate_init(&g, "shared body", 0);
    struct reader r[NREADERS];
    for (int i = 0; i < NREADERS; i++) {
        r[i] = (struct reader){ .c = c, .g = &g, .key = "GET /status" };
        cr_assert_eq(pthread_create(&r[i].thread, NULL, reader_main, &r[i]), 0);
    }
    struct coalesce_watch w = { c, &g, NREADERS - 1 };
    wait_until(fill_started_and_waiters_queued, &w, "7 coalesced waiters");
    gate_open(&g);
    for (int i = 0; i < NREADERS; i++)
        pthread_join(r[i].thread, NULL);

    cr_expect_eq(gate_fills(&g), 1, "fill ran %d times", gate_fills(&g));
    int misses = 0, coalesced = 0;
    for (int i = 0; i < NREADERS; i++) {
        cr_assert_eq(r[i].rc, 0, "reader %d: %d", i, r[i].rc);
        cr_assert_not_null(r[i].v.body);
        cr_expect_str_eq(r[i].v.body->data, "shared body");
        cr_expect_eq(r[i].v.body, r[0].v.body, "every reader holds the same blob");
        misses += r[i].how == CACHE_MISS;
        coalesced += r[i].how == CACHE_COALESCED;
    }
    cr_expect_eq(misses, 1);
    cr_expect_eq(coalesced, NREADERS - 1);
    struct cache_stats st = stats(c);
    cr_expect_eq(st.misses, 1);
    cr_expect_eq(st.coalesced, NREADERS - 1);
    for (int i = 0; i < NREADERS; i++)
        blob_unref(r[i].v.body);
    cache_free(c);
}

Test(cache, should_give_every_coalesced_waiter_the_fill_error, .timeout = 10)
{
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 60000, fake_clock);
    struct gate g;
    gate_init(&g, "unused", -EIO);
    struct reader r[NREADERS];
    for (int i = 0; i < NREADERS; i++) {
        r[i] = (struct reader){ .c = c, .g = &g, .key = "GET /down" };
        cr_assert_eq(pthread_create(&r[i].thread, NULL, reader_main, &r[i]), 0);
    }
    struct coalesce_watch w = { c, &g, NREADERS - 1 };
    wait_until(fill_started_and_waiters_queued, &w, "7 coalesced waiters");
    gate_open(&g);
    for (int i = 0; i < NREADERS; i++)
        pthread_join(r[i].thread, NULL);
    cr_expect_eq(gate_fills(&g), 1);
    for (int i = 0; i < NREADERS; i++)
        cr_expect_eq(r[i].rc, -EIO, "reader %d: %d", i, r[i].rc);
    cache_free(c);
}

Test(cache, should_give_coalesced_waiters_the_stale_copy_when_the_fill_fails, .timeout = 10)
{
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 60000, fake_clock);
    struct script s = ok_script("stale but fine", 1000);
    cr_assert_eq(get_body(c, "GET /s", &s, "stale but fine", CACHE_MISS), 0);
    __atomic_store_n(&fake_now, 5000, __ATOMIC_SEQ_CST);
    struct gate g;
    gate_init(&g, "unused", -EIO);
    struct reader r[4];
    for (int i = 0; i < 4; i++) {
        r[i] = (struct reader){ .c = c, .g = &g, .key = "GET /s" };
        cr_assert_eq(pthread_create(&r[i].thread, NULL, reader_main, &r[i]), 0);
    }
    struct coalesce_watch w = { c, &g, 3 };
    wait_until(fill_started_and_waiters_queued, &w, "3 coalesced waiters");
    gate_open(&g);
    for (int i = 0; i < 4; i++) {
        pthread_join(r[i].thread, NULL);
        cr_assert_eq(r[i].rc, 0);
        cr_expect_eq(r[i].how, CACHE_STALE);
        cr_expect_str_eq(r[i].v.body->data, "stale but fine");
        blob_unref(r[i].v.body);
    }
    cr_expect_eq(stats(c).stale, 4);
    cache_free(c);
}

static int reader_done_or_coalesced(void *arg)
{
    struct reader *r = arg;
    return __atomic_load_n(&r->done, __ATOMIC_SEQ_CST) || stats(r->c).coalesced >= 1;
}

Test(cache, should_not_coalesce_onto_a_fill_invalidated_before_the_call, .timeout = 10)
{
    /* A write invalidates a key while a read of it is in flight. A reader
     * that starts after the invalidation (e.g. `cat` after the write's
     * close() returned) must not be handed the answer fetched before the
     * write: it needs a fill of its own. */
    fake_now = 0;
    struct cache *c = cache_new(1 << 20, 60000, fake_clock);
    struct gate g;
    gate_init(&g, "before write", 0);
    g.later_body = "after write";
    struct reader first = { .c = c, .g = &g, .key = "GET /p" };
    cr_assert_eq(pthread_create(&first.thread, NULL, reader_main, &first), 0);
    struct coalesce_watch w = { c, &g, 0 };
    wait_until(fill_started_and_waiters_queued, &w, "the first fill");

    cache_invalidate(c, "GET /p");      /* the write lands */

    struct reader second = { .c = c, .g = &g, .key = "GET /p" };
    cr_assert_eq(pthread_create(&second.thread, NULL, reader_main, &second), 0);
    wait_until(reader_done_or_coalesced, &second, "the second reader");
    gate_open(&g);
    pthread_join(first.thread, NULL);
    pthread_join(second.thread, NULL);

    cr_assert_eq(first.rc, 0);
    cr_expect_str_eq(first.v.body->data, "before write", "the first reader keeps its answer");
    cr_assert_eq(second.rc, 0);
    cr_expect_str_eq(second.v.body->data, "after write",
                     "a read started after the invalidation got the pre-write answer");
    blob_unref(first.v.body);
    blob_unref(second.v.body);
    cache_free(c);
}

Test(cache, should_not_evict_an_entry_while_a_fill_is_running, .timeout = 10)
{
    init_big_body();
    fake_now = 0;
    struct cache *c = cache_new(1, 60000, fake_clock);
    struct gate g;
    gate_init(&g, "slow", 0);
    struct reader slow = { .c = c, .g = &g, .key = "GET /slow" };
    cr_assert_eq(pthread_create(&slow.thread, NULL, reader_main, &slow), 0);
    struct coalesce_watch w = { c, &g, 0 };
    wait_until(fill_started_and_waiters_queued, &w, "the slow fill");
    /* Another key's fill enforces the cap while the slow one runs. */
    struct script s = ok_script(big_body, 60000);
    cr_assert_eq(get_body(c, "GET /fast", &s, big_body, CACHE_MISS), 0);
    /* a waiter can still join the running fill */
    struct reader joiner = { .c = c, .g = &g, .key = "GET /slow" };
    cr_assert_eq(pthread_create(&joiner.thread, NULL, reader_main, &joiner), 0);
    w.coalesced = 1;
    wait_until(fill_started_and_waiters_queued, &w, "the joiner");
    gate_open(&g);
    pthread_join(slow.thread, NULL);
    pthread_join(joiner.thread, NULL);
    cr_assert_eq(slow.rc, 0);
    cr_assert_eq(joiner.rc, 0);
    cr_expect_eq(joiner.how, CACHE_COALESCED);
    cr_expect_str_eq(joiner.v.body->data, "slow");
    cr_expect_eq(gate_fills(&g), 1);
    blob_unref(slow.v.body);
    blob_unref(joiner.v.body);
    cache_free(c);
}
