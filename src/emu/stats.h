/* stats.h — what the emulator saw: request counters by route template and a
 * log of the last requests, served to tests by /_emu/stats and /_emu/log. */
#ifndef EMU_STATS_H
#define EMU_STATS_H

#define STATS_LOG_SIZE 1000

/* Flags of a recorded request. */
enum {
	STATS_RATE_LIMITED = 1,   /* answered 429 (real or injected) */
	STATS_FAULTED = 2,        /* a fault was applied to it */
};

struct stats;

/* Empty counters and log. Free with stats_free (NULL is fine). Every call
 * is thread-safe. */
struct stats *stats_new(void);
void stats_free(struct stats *s);

/* Records one API request: route_key is "METHOD /template" or
 * "METHOD (unmatched)"; raw_path and raw_query are as received (query "" when
 * none); status is what was sent (0: no complete answer); flags are STATS_*
 * bits. All strings are copied. */
void stats_record(struct stats *s, const char *route_key, const char *method,
		  const char *raw_path, const char *raw_query, int status,
		  unsigned flags);

/* The /_emu/stats body {"total","rate_limited","faulted","routes"} as a new
 * JSON string; caller frees. */
char *stats_json(struct stats *s);

/* The /_emu/log body (oldest first) as a new JSON string; caller frees. Each
 * entry: method, path, query, status and t_ms (monotonic ms when received). */
char *stats_log_json(struct stats *s);

/* Zeroes counters and empties the log. */
void stats_reset(struct stats *s);

#endif
