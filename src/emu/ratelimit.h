/* ratelimit.h — the server-side limit of N requests per key in any sliding
 * 60-second window. Time is passed in, so the window logic needs no clock. */
#ifndef EMU_RATELIMIT_H
#define EMU_RATELIMIT_H

struct rl;

/* A limiter allowing `per_minute` (>= 1) requests per key per 60 s window.
 * Free with rl_free. Thread-safe. */
struct rl *rl_new(long per_minute);
void rl_free(struct rl *rl);

/* Counts one request for key at monotonic time now. Returns 0 when allowed
 * (it is recorded), or -EAGAIN when over the limit: nothing is recorded and
 * *retry_after gets the whole seconds (>= 1, rounded up) until the oldest
 * request leaves the window. */
int rl_take(struct rl *rl, const char *key, double now, long *retry_after);

/* Forgets every key's history. */
void rl_reset(struct rl *rl);

#endif
