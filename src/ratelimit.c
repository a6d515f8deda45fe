/* Sliding-window request budget with write priority: see ratelimit.h. */
#include "ratelimit.h"
#include "xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define IN_FLIGHT INT64_MAX
#define NEVER_USED INT64_MIN

struct ratelimit {
    pthread_mutex_t lock;
    pthread_cond_t changed;     /* a slot completed or a pause ended */
    rl_clock_fn clock;
    int rate;
    int read_reserve;           /* slots reads leave for writes */
    int64_t window_ms;
    int64_t *slots;             /* protected by lock: completion stamps */
    int64_t paused_until;       /* protected by lock */
    int writers_waiting;        /* protected by lock */
};

struct ratelimit *rl_new(int rate, int64_t window_ms, rl_clock_fn clock)
{
    struct ratelimit *rl = xcalloc(1, sizeof(*rl));
    pthread_mutex_init(&rl->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&rl->changed, &ca);
    pthread_condattr_destroy(&ca);
    rl->clock = clock;
    rl->rate = rate < 1 ? 1 : rate;
    rl->read_reserve = rl->rate >= 20 ? rl->rate / 20 : (rl->rate > 1 ? 1 : 0);
    rl->window_ms = window_ms;
    rl->slots = xmalloc(sizeof(int64_t) * (size_t)rl->rate);
    for (int i = 0; i < rl->rate; i++)
        rl->slots[i] = NEVER_USED;
    rl->paused_until = NEVER_USED;
    return rl;
}

void rl_free(struct ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    pthread_cond_destroy(&rl->changed);
    free(rl->slots);
    free(rl);
}

static int slot_busy(const struct ratelimit *rl, int i, int64_t now)
{
    int64_t t = rl->slots[i];
    return t == IN_FLIGHT || (t != NEVER_USED && t > now - rl->window_ms);
}

static int count_busy(const struct ratelimit *rl, int64_t now)
{
    int n = 0;
    for (int i = 0; i < rl->rate; i++)
        n += slot_busy(rl, i, now);
    return n;
}

/* Time until the soonest completed slot leaves the window (>= 1 ms), or a
 * short poll when every busy slot is still in flight. */
static int64_t time_to_next_free(const struct ratelimit *rl, int64_t now)
{
    int64_t best = INT64_MAX;
    for (int i = 0; i < rl->rate; i++) {
        int64_t t = rl->slots[i];
        if (t != IN_FLIGHT && t != NEVER_USED && t > now - rl->window_ms &&
            t + rl->window_ms - now < best)
            best = t + rl->window_ms - now;
    }
    if (best == INT64_MAX)
        best = 100;
    return best < 1 ? 1 : best;
}

static int try_take_locked(struct ratelimit *rl, enum rl_prio prio, int64_t now,
                           int64_t *wait_ms)
{
    if (rl->paused_until != NEVER_USED && now < rl->paused_until) {
        if (wait_ms)
            *wait_ms = rl->paused_until - now;
        return -1;
    }
    int busy = count_busy(rl, now);
    int limit = prio == RL_WRITE ? rl->rate : rl->rate - rl->read_reserve;
    int blocked = busy >= limit || (prio == RL_READ && rl->writers_waiting > 0);
    if (!blocked) {
        for (int i = 0; i < rl->rate; i++) {
            if (!slot_busy(rl, i, now)) {
                rl->slots[i] = IN_FLIGHT;
                return i;
            }
        }
    }
    if (wait_ms)
        *wait_ms = time_to_next_free(rl, now);
    return -1;
}

int rl_try_take(struct ratelimit *rl, enum rl_prio prio, int64_t now, int64_t *wait_ms)
{
    pthread_mutex_lock(&rl->lock);
    int slot = try_take_locked(rl, prio, now, wait_ms);
    pthread_mutex_unlock(&rl->lock);
    return slot;
}

void rl_complete(struct ratelimit *rl, int slot, int64_t now)
{
    if (slot < 0 || slot >= rl->rate)
        return;
    pthread_mutex_lock(&rl->lock);
    rl->slots[slot] = now;
    pthread_cond_broadcast(&rl->changed);
    pthread_mutex_unlock(&rl->lock);
}

static void timed_wait(struct ratelimit *rl, int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&rl->changed, &rl->lock, &ts);
}

int rl_acquire(struct ratelimit *rl, enum rl_prio prio, int64_t deadline_ms,
               int (*interrupted)(void))
{
    pthread_mutex_lock(&rl->lock);
    if (prio == RL_WRITE)
        rl->writers_waiting++;
    int slot;
    for (;;) {
        int64_t now = rl->clock();
        int64_t wait = 0;
        slot = try_take_locked(rl, prio, now, &wait);   /* writers_waiting only holds back reads */
        if (slot >= 0)
            break;
        if (now >= deadline_ms || (wait > 100 && now + wait > deadline_ms)) {
            slot = -EAGAIN;     /* no slot can free up in time: say so now */
            break;
        }
        if (interrupted && interrupted()) {
            slot = -EINTR;
            break;
        }
        if (wait > deadline_ms - now)
            wait = deadline_ms - now;
        if (wait > 200)
            wait = 200;
        timed_wait(rl, wait);
    }
    if (prio == RL_WRITE) {
        rl->writers_waiting--;
        pthread_cond_broadcast(&rl->changed);   /* reads held back may go now */
    }
    pthread_mutex_unlock(&rl->lock);
    return slot;
}

void rl_pause_until(struct ratelimit *rl, int64_t until)
{
    pthread_mutex_lock(&rl->lock);
    if (rl->paused_until == NEVER_USED || until > rl->paused_until)
        rl->paused_until = until;
    pthread_mutex_unlock(&rl->lock);
}

int rl_available(struct ratelimit *rl, int64_t now)
{
    pthread_mutex_lock(&rl->lock);
    int left = rl->rate - rl->read_reserve - count_busy(rl, now);
    pthread_mutex_unlock(&rl->lock);
    return left < 0 ? 0 : left;
}

int rl_in_window(struct ratelimit *rl, int64_t now)
{
    pthread_mutex_lock(&rl->lock);
    int n = count_busy(rl, now);
    pthread_mutex_unlock(&rl->lock);
    return n;
}
