/* Client-side request budget: at most `rate` requests in any window
 * (60 s for the API), counted the way the server counts them.
 *
 * A slot is taken before a request is sent and stamped with the time its
 * response arrived; a slot is reusable once that stamp is a whole window
 * old, and an in-flight slot is never reusable. Because the server saw the
 * request no later than we saw the response, two requests the server sees
 * in one window always hold two of our slots in that window: we can never
 * exceed the server's limit, whatever the latency.
 *
 * Writes (execute, PUT, POST, DELETE) are never starved by reads: reads
 * leave a reserve of slots free, and no read is granted while a write waits.
 * A 429 pauses everyone until its Retry-After.
 *
 * Every function takes the current time (ms, any monotonic origin) so unit
 * tests drive a fake clock; rl_acquire blocks using the clock given to
 * rl_new. All functions are thread-safe. */
#ifndef WRFS_RATELIMIT_H
#define WRFS_RATELIMIT_H
#include <stdint.h>

struct ratelimit;

enum rl_prio { RL_READ, RL_WRITE };

typedef int64_t (*rl_clock_fn)(void);

/* A limiter of `rate` requests per `window_ms`. rate >= 1. */
struct ratelimit *rl_new(int rate, int64_t window_ms, rl_clock_fn clock);
void rl_free(struct ratelimit *rl);

/* Try to take a slot now. Returns the slot (>= 0) or -1, in which case
 * *wait_ms (if non-NULL) is a hint of how long until one may be granted. */
int rl_try_take(struct ratelimit *rl, enum rl_prio prio, int64_t now, int64_t *wait_ms);
/* Stamp a taken slot with the time its response arrived (or the request
 * failed). Every slot taken must be completed exactly once. */
void rl_complete(struct ratelimit *rl, int slot, int64_t now);
/* Block until a slot is granted or the clock reaches deadline_ms.
 * Returns the slot; -EAGAIN at the deadline, or at once when no slot can
 * free up before it (a pause or window that ends too late); -EINTR when interrupted()
 * (may be NULL; polled at least every 200 ms) says so. */
int rl_acquire(struct ratelimit *rl, enum rl_prio prio, int64_t deadline_ms,
               int (*interrupted)(void));
/* Grant nothing before `until` (a 429's Retry-After). Never shortens a pause. */
void rl_pause_until(struct ratelimit *rl, int64_t until);
/* Slots a read could take now (the budget left), for .stats. */
int rl_available(struct ratelimit *rl, int64_t now);
/* Requests counted in the window ending now (in flight included). */
int rl_in_window(struct ratelimit *rl, int64_t now);

#endif
