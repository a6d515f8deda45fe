/* sparklog.h — the text of an execution's Spark logs. Every line is generated
 * once, when the execution is submitted, together with the elapsed time at
 * which it becomes visible; readers then show the prefix whose time has
 * come. That makes the logs deterministic for an execution and append-only
 * as they grow. */
#ifndef EMU_SPARKLOG_H
#define EMU_SPARKLOG_H

#include <stddef.h>
#include <stdint.h>

/* Lines in the body of each stream (visible gradually while RUNNING); the
 * closing lines (success or failure) all appear at the terminal instant. */
#define SPARKLOG_DRIVER_BODY 40
#define SPARKLOG_EXECUTOR_BODY 30

struct log_line {
	double at;    /* seconds after submission when the line appears */
	char *text;   /* owned */
};

struct log_stream {
	struct log_line *v;
	size_t n;
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
};

/* Generates both streams, each sorted by `at` (non-decreasing). Release each
 * with sparklog_stream_free. */
void sparklog_generate(const struct sparklog_params *p,
		       struct log_stream *driver, struct log_stream *executor);

void sparklog_stream_free(struct log_stream *s);

#endif
