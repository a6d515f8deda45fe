/* sparklog.h — the text of an execution's Spark logs. Nothing is stored per
 * line: line i of a stream, and the elapsed time at which it becomes
 * visible, are pure functions of the execution's parameters and i. Readers
 * show the prefix whose time has come, so the logs are deterministic for an
 * execution and append-only as they grow, and a log of 100,000 lines costs
 * no memory until it is read. */
#ifndef EMU_SPARKLOG_H
#define EMU_SPARKLOG_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Default number of driver body lines (visible gradually while RUNNING);
 * the executor stream has 3/4 as many. The closing lines (success or
 * failure) come on top and all appear at the terminal instant. */
#define SPARKLOG_DEFAULT_LINES 40
#define SPARKLOG_MAX_LINES 10000000
#define SPARKLOG_MAX_LINE_BYTES 1000000

enum sparklog_stream {
	SPARKLOG_DRIVER,
	SPARKLOG_EXECUTOR,
};

struct sparklog_params {
	uint64_t seed;            /* derived from the execution id */
	const char *exec_id;
	const char *project_id;
	const char *job_id;
	const char *job_name;
	const char *arguments;    /* already joined for display, may be "" */
	const char *error;        /* errorMessage for a failing run, else NULL */
	double wall0;             /* wall-clock time of submission */
	double running_at;        /* elapsed time when RUNNING begins */
	double run_seconds;       /* elapsed time when terminal */
	size_t driver_lines;      /* driver body lines, 1..SPARKLOG_MAX_LINES */
	size_t line_bytes;        /* 0: natural; else shorter lines are padded
				   * to this many bytes */
};

struct sparklog;

/* The logs of one execution (strings copied; O(1) memory whatever the line
 * count). Free with sparklog_free (NULL is fine). */
struct sparklog *sparklog_new(const struct sparklog_params *p);
void sparklog_free(struct sparklog *l);

/* Lines in the stream at elapsed time t: those whose appearance time is
 * <= t (every line once t >= run_seconds). Non-decreasing in t. */
size_t sparklog_visible(const struct sparklog *l, enum sparklog_stream s, double t);

/* When line i of the stream appears (elapsed seconds); non-decreasing in i. */
double sparklog_at(const struct sparklog *l, enum sparklog_stream s, size_t i);

/* Appends the text of line i (i < sparklog_visible(l, s, INFINITY)) to out,
 * without a newline; the text never contains one. */
void sparklog_line(const struct sparklog *l, enum sparklog_stream s, size_t i,
		   struct sbuf *out);

#endif
