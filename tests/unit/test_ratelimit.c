/* Unit tests for ratelimit.c. Every call gets its time from the test (a
 * `now` argument, or a fake clock for rl_acquire); nothing sleeps. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "ratelimit.h"

#define WINDOW 60000

static int64_t fake_now;

static int64_t fake_clock(void)
{
    return fake_now;
}

static int never_interrupted(void)
{
    return 0;
}

static int always_interrupted(void)
{
    return 1;
}

/* Take n slots at `now`, asserting each is granted; slots go to out. */
static void take_n(struct ratelimit *rl, enum rl_prio prio, int n, int64_t now, int *out)
{
    for (int i = 0; i < n; i++) {
        int64_t wait = -1;
        int slot = rl_try_take(rl, prio, now, &wait);
        cr_assert_geq(slot, 0, "take #%d at %lld refused (wait %lld)", i + 1, (long long)now,
                      (long long)wait);
        if (out)
            out[i] = slot;
    }
}

Test(ratelimit, should_grant_rate_writes_then_refuse_with_a_wait_hint)
{
    struct ratelimit *rl = rl_new(5, WINDOW, fake_clock);
    int slots[5];
    take_n(rl, RL_WRITE, 5, 0, slots);
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < i; k++)
            cr_expect_neq(slots[i], slots[k], "slot %d handed out twice", slots[i]);
    int64_t wait = 0;
    cr_expect_eq(rl_try_take(rl, RL_WRITE, 0, &wait), -1);
    cr_expect_gt(wait, 0);
    cr_expect_eq(rl_try_take(rl, RL_WRITE, 0, NULL), -1, "wait_ms may be NULL");
    rl_free(rl);
}

Test(ratelimit, should_reuse_a_completed_slot_one_window_after_its_completion)
{
    struct ratelimit *rl = rl_new(5, WINDOW, fake_clock);
    int slots[5];
    take_n(rl, RL_WRITE, 5, 0, slots);
    const int64_t t = 1000;
    rl_complete(rl, slots[2], t);

    int64_t wait = 0;
    cr_expect_eq(rl_try_take(rl, RL_WRITE, t + 1, &wait), -1);
    cr_expect_eq(wait, WINDOW - 1, "hint: until the completed slot leaves the window");
    cr_expect_eq(rl_try_take(rl, RL_WRITE, t + WINDOW - 1, &wait), -1, "one ms too early");
    cr_expect_eq(wait, 1);
    int slot = rl_try_take(rl, RL_WRITE, t + WINDOW, &wait);
    cr_expect_eq(slot, slots[2], "the completed slot is reusable at t + window");
    cr_expect_eq(rl_try_take(rl, RL_WRITE, t + WINDOW, NULL), -1, "and only that one");
    rl_free(rl);
}

Test(ratelimit, should_never_reuse_an_in_flight_slot)
{
    struct ratelimit *rl = rl_new(5, WINDOW, fake_clock);
    take_n(rl, RL_WRITE, 5, 0, NULL);
    int64_t wait = 0;
    cr_expect_eq(rl_try_take(rl, RL_WRITE, 10 * WINDOW, &wait), -1);
    cr_expect_gt(wait, 0);
    cr_expect_eq(rl_try_take(rl, RL_WRITE, 1000 * (int64_t)WINDOW, NULL), -1);
    cr_expect_eq(rl_in_window(rl, 1000 * (int64_t)WINDOW), 5);
    rl_free(rl);
}

Test(ratelimit, should_leave_a_reserve_of_slots_for_writes)
{
    struct ratelimit *rl = rl_new(100, WINDOW, fake_clock);
    take_n(rl, RL_READ, 95, 0, NULL);
    int64_t wait = 0;
    cr_expect_eq(rl_try_take(rl, RL_READ, 0, &wait), -1, "the 96th read is refused");
    cr_expect_gt(wait, 0);
    take_n(rl, RL_WRITE, 5, 0, NULL);
    cr_expect_eq(rl_try_take(rl, RL_WRITE, 0, NULL), -1, "the 101st request is refused");
    cr_expect_eq(rl_in_window(rl, 0), 100);
    rl_free(rl);
}

Test(ratelimit, should_let_writes_use_the_whole_budget)
{
    struct ratelimit *rl = rl_new(100, WINDOW, fake_clock);
    take_n(rl, RL_WRITE, 100, 0, NULL);
    cr_expect_eq(rl_try_take(rl, RL_WRITE, 0, NULL), -1);
    cr_expect_eq(rl_try_take(rl, RL_READ, 0, NULL), -1);
    rl_free(rl);
}

Test(ratelimit, should_keep_a_reserve_at_small_rates)
{
    struct ratelimit *rl = rl_new(5, WINDOW, fake_clock);
    take_n(rl, RL_READ, 4, 0, NULL);
    cr_expect_eq(rl_try_take(rl, RL_READ, 0, NULL), -1);
    take_n(rl, RL_WRITE, 1, 0, NULL);
    rl_free(rl);

    rl = rl_new(1, WINDOW, fake_clock);      /* a single slot cannot be reserved */
    take_n(rl, RL_READ, 1, 0, NULL);
    cr_expect_eq(rl_try_take(rl, RL_WRITE, 0, NULL), -1);
    rl_free(rl);
}

Test(ratelimit, should_grant_nothing_until_a_pause_ends)
{
    struct ratelimit *rl = rl_new(100, WINDOW, fake_clock);
    rl_pause_until(rl, 5000);
    int64_t wait = 0;
    cr_expect_eq(rl_try_take(rl, RL_WRITE, 1000, &wait), -1);
    cr_expect_eq(wait, 4000);
    cr_expect_eq(rl_try_take(rl, RL_READ, 4999, &wait), -1);
    cr_expect_eq(wait, 1);
    cr_expect_geq(rl_try_take(rl, RL_READ, 5000, NULL), 0, "granted when the pause ends");
    cr_expect_geq(rl_try_take(rl, RL_WRITE, 5000, NULL), 0);
    rl_free(rl);
}

Test(ratelimit, should_never_shorten_a_pause)
{
    struct ratelimit *rl = rl_new(100, WINDOW, fake_clock);
    rl_pause_until(rl, 9000);
    rl_pause_until(rl, 2000);
    cr_expect_eq(rl_try_take(rl, RL_WRITE, 5000, NULL), -1);
    rl_pause_until(rl, 12000);
    cr_expect_eq(rl_try_take(rl, RL_WRITE, 10000, NULL), -1, "a pause can be extended");
    cr_expect_geq(rl_try_take(rl, RL_WRITE, 12000, NULL), 0);
    rl_free(rl);
}

Test(ratelimit, should_report_available_budget_and_requests_in_window)
{
    struct ratelimit *rl = rl_new(100, WINDOW, fake_clock);
    cr_expect_eq(rl_available(rl, 0), 95, "reads may use rate minus the reserve");
    cr_expect_eq(rl_in_window(rl, 0), 0);

    int slots[10];
    take_n(rl, RL_READ, 10, 0, slots);
    cr_expect_eq(rl_available(rl, 0), 85);
    cr_expect_eq(rl_in_window(rl, 0), 10, "in-flight requests count");

    for (int i = 0; i < 10; i++)
        rl_complete(rl, slots[i], 100 + i);
    cr_expect_eq(rl_in_window(rl, 1000), 10, "completed requests count for a window");
    cr_expect_eq(rl_in_window(rl, 100 + WINDOW + 4), 5, "the first five left the window");
    cr_expect_eq(rl_available(rl, 100 + WINDOW + 4), 90);
    cr_expect_eq(rl_in_window(rl, 200 + WINDOW), 0);
    cr_expect_eq(rl_available(rl, 200 + WINDOW), 95);

    take_n(rl, RL_READ, 95, 200 + WINDOW, NULL);
    cr_expect_eq(rl_available(rl, 200 + WINDOW), 0);
    take_n(rl, RL_WRITE, 5, 200 + WINDOW, NULL);
    cr_expect_eq(rl_available(rl, 200 + WINDOW), 0, "never negative");
    cr_expect_eq(rl_in_window(rl, 200 + WINDOW), 100);
    rl_free(rl);
}

Test(ratelimit, should_ignore_completion_of_an_invalid_slot)
{
    struct ratelimit *rl = rl_new(5, WINDOW, fake_clock);
    rl_complete(rl, -1, 0);
    rl_complete(rl, 5, 0);
    cr_expect_eq(rl_in_window(rl, 0), 0);
    rl_free(rl);
}

Test(ratelimit, should_grant_acquire_at_once_when_budget_is_left)
{
    fake_now = 1000;
    struct ratelimit *rl = rl_new(5, WINDOW, fake_clock);
    int slot = rl_acquire(rl, RL_WRITE, fake_now + 10000, never_interrupted);
    cr_expect_geq(slot, 0);
    slot = rl_acquire(rl, RL_READ, fake_now + 10000, NULL);
    cr_expect_geq(slot, 0);
    cr_expect_eq(rl_in_window(rl, fake_now), 2);
    rl_free(rl);
}

Test(ratelimit, should_fail_acquire_with_eagain_when_the_deadline_has_passed)
{
    fake_now = 1000;
    struct ratelimit *rl = rl_new(5, WINDOW, fake_clock);
    take_n(rl, RL_WRITE, 5, fake_now, NULL);
    cr_expect_eq(rl_acquire(rl, RL_WRITE, fake_now, never_interrupted), -EAGAIN);
    cr_expect_eq(rl_acquire(rl, RL_READ, fake_now - 500, NULL), -EAGAIN);
    rl_free(rl);

    /* A write acquire that gave up must not keep holding reads back. */
    rl = rl_new(100, WINDOW, fake_clock);
    rl_pause_until(rl, fake_now + 5000);
    cr_expect_eq(rl_acquire(rl, RL_WRITE, fake_now, NULL), -EAGAIN, "paused");
    fake_now += 5000;
    cr_expect_geq(rl_try_take(rl, RL_READ, fake_now, NULL), 0,
                  "reads are not held back by a write that gave up");
    rl_free(rl);
}

Test(ratelimit, should_fail_acquire_at_once_when_no_slot_frees_before_the_deadline, .timeout = 5)
{
    /* The fake clock never moves: waiting would never end, so only an
     * immediate answer passes. */
    fake_now = 1000;
    struct ratelimit *rl = rl_new(5, WINDOW, fake_clock);
    for (int i = 0; i < 5; i++)
        rl_complete(rl, rl_try_take(rl, RL_WRITE, fake_now, NULL), fake_now);
    cr_expect_eq(rl_acquire(rl, RL_READ, fake_now + 10000, NULL), -EAGAIN,
                 "the window frees a slot at 61000, after the deadline");
    rl_pause_until(rl, fake_now + 120000);
    cr_expect_eq(rl_acquire(rl, RL_WRITE, fake_now + 10000, NULL), -EAGAIN,
                 "a pause longer than the time left");
    rl_free(rl);
}

Test(ratelimit, should_stop_acquire_with_eintr_when_interrupted)
{
    fake_now = 0;
    struct ratelimit *rl = rl_new(5, WINDOW, fake_clock);
    take_n(rl, RL_WRITE, 5, 0, NULL);
    cr_expect_eq(rl_acquire(rl, RL_WRITE, fake_now + 60000, always_interrupted), -EINTR);
    rl_free(rl);
}

/* ---- property test ---- */

struct request {
    int64_t taken, done;    /* done == INT64_MAX while in flight */
    int slot;
};

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* The server counts a request at some moment between our take and our
 * completion. For every window [w, w + WINDOW), count requests that could
 * have been seen in it: their [taken, done] overlaps it. The most
 * overlaps start at some w = taken - WINDOW + 1. */
static int max_requests_in_any_window(const struct request *r, int n)
{
    int worst = 0;
    for (int i = 0; i < n; i++) {
        int64_t w = r[i].taken - WINDOW + 1;
        int count = 0;
        for (int k = 0; k < n; k++)
            count += r[k].taken < w + WINDOW && r[k].done >= w;
        if (count > worst)
            worst = count;
    }
    return worst;
}

/* A latency for a request: mostly short, some slow, a few longer than the
 * whole window (a hung server answering late). */
static int64_t random_latency(void)
{
    uint64_t kind = rng() % 20;
    if (kind < 14)
        return (int64_t)(rng() % 3000);
    if (kind < 19)
        return 3000 + (int64_t)(rng() % 27000);
    return WINDOW + (int64_t)(rng() % (2 * WINDOW));
}

/* Returns how many requests outlived the window. */
static int random_workload(uint64_t seed, int rate)
{
    rng_state = seed;
    struct ratelimit *rl = rl_new(rate, WINDOW, fake_clock);
    enum { MAX_REQ = 4000 };
    struct request *req = calloc(MAX_REQ, sizeof(*req));
    int64_t *due = calloc(MAX_REQ, sizeof(*due));     /* when each one completes */
    int n = 0, granted_writes = 0, granted_reads = 0, long_ones = 0;
    int64_t now = 0;
    const int64_t end = 5 * 60 * 1000;
    while (now < end && n < MAX_REQ) {
        now += (int64_t)(rng() % 1500);
        /* complete what is due, at its due time */
        for (int i = 0; i < n; i++) {
            if (req[i].done == INT64_MAX && due[i] <= now) {
                req[i].done = due[i];
                rl_complete(rl, req[i].slot, due[i]);
            }
        }
        int tries = (int)(rng() % 3);
        for (int t = 0; t < tries && n < MAX_REQ; t++) {
            enum rl_prio prio = rng() % 3 == 0 ? RL_WRITE : RL_READ;
            int64_t wait = 0;
            int slot = rl_try_take(rl, prio, now, &wait);
            if (slot < 0) {
                cr_assert_gt(wait, 0, "refusal without a positive wait hint");
                continue;
            }
            for (int i = 0; i < n; i++)
                cr_assert(!(req[i].slot == slot && req[i].done == INT64_MAX),
                          "slot %d handed out while in flight", slot);
            req[n] = (struct request){ now, INT64_MAX, slot };
            due[n] = now + random_latency();
            long_ones += due[n] - now > WINDOW;
            n++;
            granted_writes += prio == RL_WRITE;
            granted_reads += prio == RL_READ;
        }
        int in_window = rl_in_window(rl, now);
        cr_assert_leq(in_window, rate, "rl_in_window %d > rate at %lld", in_window,
                      (long long)now);
    }
    /* enough traffic that every slot was reused, by reads and writes */
    cr_assert_gt(granted_reads + granted_writes, 2 * rate, "workload too light to test anything");
    cr_assert_gt(granted_reads, 0);
    cr_assert_gt(granted_writes, 0);
    int worst = max_requests_in_any_window(req, n);
    cr_expect_leq(worst, rate, "seed %llu: %d requests could fall in one window (rate %d)",
                  (unsigned long long)seed, worst, rate);
    free(due);
    free(req);
    rl_free(rl);
    return long_ones;
}

Test(ratelimit, should_never_exceed_rate_in_any_window_under_random_load)
{
    static const uint64_t seeds[] = { 1, 42, 0xdeadbeef, 20261203, 777 };
    int long_ones = 0;
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        long_ones += random_workload(seeds[i], 5);
        long_ones += random_workload(seeds[i], 20);
    }
    cr_expect_gt(long_ones, 0, "no request outlived the window: the workload is too tame");
}
