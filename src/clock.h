/* The real clock, in milliseconds. Modules that need time take a clock
 * function or a `now` argument instead of calling this directly, so tests
 * can substitute a fake one. */
#ifndef WRFS_CLOCK_H
#define WRFS_CLOCK_H
#include <stdint.h>

/* Monotonic time in ms since an arbitrary origin. */
int64_t clock_now_ms(void);
/* Wall-clock time in ms since the epoch. */
int64_t clock_wall_ms(void);

#endif
