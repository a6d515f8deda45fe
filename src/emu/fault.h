/* fault.h — fault injection for API requests, switched at run time through
 * /_emu/fault: latency, error statuses, connection resets, truncated or
 * malformed bodies, huge or slowly dripped bodies, spurious 429s and hung
 * requests. This module holds the settings and decides, request by request,
 * what to do (with a seeded PRNG, so a run is reproducible); server.c and
 * faultbody.c carry the decisions out. */
#ifndef EMU_FAULT_H
#define EMU_FAULT_H

#include <stddef.h>
#include <stdint.h>

#define FAULT_HANG_MAX_SECONDS 300

/* What replaces or spoils the answer of one request (at most one of these). */
enum fault_action {
	FAULT_NONE,
	FAULT_ERROR,      /* answer `code` with an Error body instead */
	FAULT_RESET,      /* close the connection without an answer */
	FAULT_TRUNCATE,   /* send half the body, then close (Content-Length full) */
	FAULT_MALFORMED,  /* 200 with the body cut in half */
	FAULT_429,        /* 429; Retry-After: retry_after when >= 0 */
};

/* The decision for one request. */
struct fault_plan {
	long latency_ms;        /* delay before answering, 0: none */
	int hang;               /* hold the request until the fault is cleared */
	enum fault_action action;
	int code;               /* FAULT_ERROR */
	long retry_after;       /* FAULT_429; -1: no header */
	uint64_t huge_bytes;    /* padding for successful GETs, 0: none */
	long drip_bytes_per_sec;/* 0: full speed */
};

struct fault;

/* No faults. Free with fault_free (NULL is fine). Every call is thread-safe. */
struct fault *fault_new(void);
void fault_free(struct fault *f);

/* Replaces the settings with the JSON object body[0..len) (validated as a
 * whole: on error nothing changes). Returns 0, or -EINVAL with a message
 * in err[0..errlen). Wakes hung requests so they can see the change. */
int fault_set(struct fault *f, const char *body, size_t len, char *err, size_t errlen);

/* Clears every fault (releasing hung requests). */
void fault_clear(struct fault *f);

/* The current settings as a new JSON object string ("{}" when none);
 * caller frees. */
char *fault_json(struct fault *f);

/* Fills *plan for an API request on path (as received, without the query):
 * all zero (action FAULT_NONE) when no fault is set or the path is out of
 * scope. Draws from the PRNG only for in-scope requests. */
void fault_plan(struct fault *f, const char *path, struct fault_plan *plan);

/* Blocks while the settings still say hang for path. Returns 0 once the
 * hang is cleared, or -ETIMEDOUT after FAULT_HANG_MAX_SECONDS, or
 * -ECANCELED when the server stops. */
int fault_hang(struct fault *f, const char *path);

/* Sleeps ms milliseconds; returns 0, or -ECANCELED early if the server
 * stops. */
int fault_sleep_ms(struct fault *f, long ms);

/* Marks the server as stopping: every wait above returns at once. */
void fault_stop(struct fault *f);

#endif
