/* sparklog.c — realistic Spark driver and executor log text for one
 * execution: start-up banner, three stages of tasks spread over three
 * executors, then either a clean shutdown or, for a failing run, the
 * OutOfMemoryError that aborts stage 2 and its stack trace.
 *
 * Every line is computed on demand from (seed, stream, index): the stage
 * layout is fixed when the log is created (the task counts grow with the
 * requested line count: 8, 8 and 4 tasks for the default 40 driver lines),
 * and each line draws its own random figures from a generator seeded with
 * its index. Reading a 100,000-line log therefore costs one pass of
 * formatting and no per-execution storage. */
#include "sparklog.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_EXECUTORS 3
#define N_STAGES 3
#define N_BANNER 12           /* driver lines before the first stage */
#define N_EXEC_BANNER (3 * N_EXECUTORS)
#define FAILING_TASK 3        /* of the last stage */
#define SHUFFLE_BLOCK 8
#define APP_SITE "save at NativeMethodAccessorImpl.java:0"
#define DRIVER_SUCCESS_LINES 11
#define DRIVER_FAILURE_LINES 18
#define EXECUTOR_SUCCESS_LINES 5
#define EXECUTOR_FAILURE_LINES 10

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return util_mix64(r->s);
}

/* Uniform in [lo, hi]. Callers draw one number per statement, never two in
 * one argument list, so the sequence does not depend on evaluation order. */
static long rnd_range(struct rng *r, long lo, long hi)
{
	return lo + (long)(rnd(r) % (uint64_t)(hi - lo + 1));
}

static const struct {
	const char *kind;
	int rdd;
} stage_names[N_STAGES] = {
	{ "ShuffleMapStage", 4 },
	{ "ShuffleMapStage", 9 },
	{ "ResultStage", 13 },
};

struct shape {
	size_t body;      /* body lines, spread over the run */
	size_t closing;   /* closing lines, all at run_seconds */
	double start;     /* fraction of run_seconds before the body begins */
};

struct sparklog {
	uint64_t seed;
	char *exec_id, *project_id, *job_id, *job_name, *arguments, *error;
	double wall0, running_at, run_seconds;
	size_t line_bytes;
	struct shape sh[2];
	/* driver layout: stage s has tasks[s] tasks with TIDs from first_tid[s];
	 * its "Submitting" line is driver line stage_line[s] */
	size_t ntasks;
	size_t tasks[N_STAGES], first_tid[N_STAGES], stage_line[N_STAGES];
	/* cluster */
	char ip[N_EXECUTORS][16];
	char uuid[40];
	long records;
};

static size_t stage_len(const struct sparklog *l, size_t s)
{
	return 2 + l->tasks[s] + (s < N_STAGES - 1);
}

static void make_layout(struct sparklog *l, size_t driver_lines)
{
	/* banner + per stage (submit, add, tasks, finished but for the last) */
	size_t fixed = N_BANNER + 2 * N_STAGES + (N_STAGES - 1);
	size_t t = driver_lines > fixed + 20 ? driver_lines - fixed : 20;
	size_t s, line = N_BANNER, tid = 0;

	l->ntasks = t;
	l->tasks[2] = t / 5 > FAILING_TASK ? t / 5 : FAILING_TASK + 1;
	l->tasks[0] = (t - l->tasks[2] + 1) / 2;
	l->tasks[1] = t - l->tasks[2] - l->tasks[0];
	for (s = 0; s < N_STAGES; s++) {
		l->first_tid[s] = tid;
		l->stage_line[s] = line;
		tid += l->tasks[s];
		line += stage_len(l, s);
	}
}

static void make_cluster(struct sparklog *l)
{
	struct rng r = { l->seed };
	uint64_t a, b;
	int i;

	for (i = 0; i < N_EXECUTORS; i++) {
		long subnet = rnd_range(&r, 1, 7);
		long host = rnd_range(&r, 2, 250);

		snprintf(l->ip[i], sizeof(l->ip[i]), "10.0.%ld.%ld", subnet, host);
	}
	a = rnd(&r);
	b = rnd(&r);
	snprintf(l->uuid, sizeof(l->uuid), "%08lx-%04lx-4%03lx-a%03lx-%012lx",
		 (unsigned long)(a & 0xffffffffUL), (unsigned long)((a >> 32) & 0xffff),
		 (unsigned long)((a >> 48) & 0xfff), (unsigned long)(b & 0xfff),
		 (unsigned long)((b >> 12) & 0xffffffffffffUL));
	l->records = rnd_range(&r, 40000, 260000);
}

struct sparklog *sparklog_new(const struct sparklog_params *p)
{
	struct sparklog *l = xcalloc(1, sizeof(*l));
	size_t n = p->driver_lines ? p->driver_lines : 1;

	l->seed = p->seed;
	l->exec_id = xstrdup(p->exec_id);
	l->project_id = xstrdup(p->project_id);
	l->job_id = xstrdup(p->job_id);
	l->job_name = xstrdup(p->job_name);
	l->arguments = xstrdup(p->arguments);
	l->error = p->error ? xstrdup(p->error) : NULL;
	l->wall0 = p->wall0;
	l->running_at = p->running_at;
	l->run_seconds = p->run_seconds;
	l->line_bytes = p->line_bytes;
	l->sh[SPARKLOG_DRIVER] = (struct shape){
		.body = n,
		.closing = l->error ? DRIVER_FAILURE_LINES : DRIVER_SUCCESS_LINES,
	};
	/* executors log once the driver has asked for them */
	l->sh[SPARKLOG_EXECUTOR] = (struct shape){
		.body = n * 3 / 4,
		.closing = l->error ? EXECUTOR_FAILURE_LINES : EXECUTOR_SUCCESS_LINES,
		.start = 0.25,
	};
	make_layout(l, n);
	make_cluster(l);
	return l;
}

void sparklog_free(struct sparklog *l)
{
	if (!l)
		return;
	free(l->exec_id);
	free(l->project_id);
	free(l->job_id);
	free(l->job_name);
	free(l->arguments);
	free(l->error);
	free(l);
}

double sparklog_at(const struct sparklog *l, enum sparklog_stream s, size_t i)
{
	const struct shape *sh = &l->sh[s];
	double at;

	if (i >= sh->body)
		return l->run_seconds;
	/* body line i at start + (1 - start) * (i + 1) / body of the run, so the
	 * count visible grows in proportion to elapsed time; the very first
	 * driver line appears as soon as the run is RUNNING */
	if (i == 0 && sh->start == 0)
		return l->running_at;
	at = l->run_seconds *
	     (sh->start + (1 - sh->start) * (double)(i + 1) / (double)sh->body);
	if (at < l->running_at)
		at = l->running_at;
	if (at > l->run_seconds)
		at = l->run_seconds;
	return at;
}

size_t sparklog_visible(const struct sparklog *l, enum sparklog_stream s, double t)
{
	const struct shape *sh = &l->sh[s];
	size_t lo = 0, hi = sh->body;

	if (t >= l->run_seconds)
		return sh->body + sh->closing;
	/* first body line that is not yet visible (sparklog_at is monotonic) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sparklog_at(l, s, mid) <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- one line ---- */

/* Where a line goes and when it appears, for emit. */
struct line_out {
	const struct sparklog *l;
	struct sbuf *b;
	double at;
};

static void two_digits(char *d, int v)
{
	d[0] = (char)('0' + v / 10 % 10);
	d[1] = (char)('0' + v % 10);
}

/* The Spark "yy/MM/dd HH:mm:ss " prefix. */
static void add_stamp(struct sbuf *b, double wall)
{
	time_t t = (time_t)floor(wall);
	struct tm tm;
	char s[18];

	gmtime_r(&t, &tm);
	two_digits(s, tm.tm_year % 100);
	s[2] = '/';
	two_digits(s + 3, tm.tm_mon + 1);
	s[5] = '/';
	two_digits(s + 6, tm.tm_mday);
	s[8] = ' ';
	two_digits(s + 9, tm.tm_hour);
	s[11] = ':';
	two_digits(s + 12, tm.tm_min);
	s[14] = ':';
	two_digits(s + 15, tm.tm_sec);
	s[17] = ' ';
	sbuf_add(b, s, sizeof(s));
}

/* Writes the line; stamp != 0 prefixes the Spark time. */
static void __attribute__((format(printf, 3, 4)))
emit(struct line_out *o, int stamp, const char *fmt, ...)
{
	struct sbuf *b = o->b;
	va_list ap;
	size_t room;
	int n;

	if (stamp)
		add_stamp(b, o->l->wall0 + o->at);
	sbuf_reserve(b, 256);
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= room) {
		sbuf_reserve(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/* The task that finishes at position pos of stage s: shuffled within blocks
 * of SHUFFLE_BLOCK (roughly in order, as Spark's completions are), except
 * that the last stage's FAILING_TASK always finishes last. */
static size_t task_at(const struct sparklog *l, size_t s, size_t pos)
{
	int last = s == N_STAGES - 1;
	size_t n = l->tasks[s], m = last ? n - 1 : n;
	size_t base = pos / SHUFFLE_BLOCK * SHUFFLE_BLOCK, size, k, v;
	size_t order[SHUFFLE_BLOCK];
	struct rng r = { util_mix64(l->seed ^ (0x51a9e5ULL * (s + 1)) ^
				    ((uint64_t)base << 20)) };

	if (last && pos == n - 1)
		return FAILING_TASK;
	size = m - base < SHUFFLE_BLOCK ? m - base : SHUFFLE_BLOCK;
	for (k = 0; k < size; k++)
		order[k] = base + k;
	for (k = size - 1; k > 0; k--) {
		size_t j = (size_t)(rnd(&r) % (uint64_t)(k + 1));
		size_t t = order[k];

		order[k] = order[j];
		order[j] = t;
	}
	v = order[pos - base];
	return last && v >= FAILING_TASK ? v + 1 : v;
}

static void driver_banner(struct line_out *o, struct rng *r, size_t i)
{
	const struct sparklog *l = o->l;
	long mem;

	switch (i) {
	case 0:
		emit(o, 1, "INFO SparkContext: Running Spark version 3.5.1");
		break;
	case 1:
		emit(o, 1, "INFO SparkContext: OS info Linux, 6.1.0-27-cloud-amd64, amd64");
		break;
	case 2:
		emit(o, 1, "INFO SparkContext: Java version 17.0.12");
		break;
	case 3:
		emit(o, 1, "INFO SparkContext: Submitted application: webrobot-%s", l->job_name);
		break;
	case 4:
		emit(o, 1, "INFO WebRobotRunner: project %s job %s execution %s arguments [%s]",
		     l->project_id, l->job_id, l->exec_id, l->arguments);
		break;
	case 5:
		emit(o, 1, "INFO Utils: Successfully started service 'sparkDriver' on port 7078.");
		break;
	case 6:
		emit(o, 1, "INFO SparkEnv: Registering BlockManagerMaster");
		break;
	case 7:
		mem = rnd_range(r, 10, 49);  /* tenths of GiB */
		emit(o, 1, "INFO MemoryStore: MemoryStore started with capacity %ld.%ld GiB",
		     mem / 10, mem % 10);
		break;
	case 8:
		emit(o, 1, "INFO SparkUI: Bound SparkUI to 0.0.0.0, and started at http://%s-driver-svc.webrobot.svc:4040",
		     l->exec_id);
		break;
	case 9:
		emit(o, 1, "INFO ExecutorPodsAllocator: Going to request %d executors from Kubernetes for ResourceProfile Id: 0, target: %d, known: 0, sharedSlotFromPendingPods: 2147483647.",
		     N_EXECUTORS, N_EXECUTORS);
		break;
	case 10:
		emit(o, 1, "INFO KubernetesClusterSchedulerBackend: SchedulerBackend is ready for scheduling beginning after reached minRegisteredResourcesRatio: 0.8");
		break;
	default:
		emit(o, 1, "INFO DAGScheduler: Got job 0 (" APP_SITE ") with %zu output partitions",
		     l->ntasks);
		break;
	}
}

/* "0, 1, ..., k" for Spark's "first 15 tasks are for partitions". */
static void first_partitions(size_t n, char out[64])
{
	size_t k, len = 0;

	out[0] = '\0';
	for (k = 0; k < n && k < 15; k++)
		len += (size_t)snprintf(out + len, 64 - len, "%s%zu", k ? ", " : "", k);
}

static void driver_stage(struct line_out *o, struct rng *r, size_t s, size_t k)
{
	const struct sparklog *l = o->l;
	size_t n = l->tasks[s];
	char parts[64];

	if (k == 0) {
		first_partitions(n, parts);
		emit(o, 1, "INFO DAGScheduler: Submitting %zu missing tasks from %s %zu (MapPartitionsRDD[%d] at " APP_SITE ") (first 15 tasks are for partitions Vector(%s))",
		     n, stage_names[s].kind, s, stage_names[s].rdd, parts);
	} else if (k == 1) {
		emit(o, 1, "INFO TaskSchedulerImpl: Adding task set %zu.0 with %zu tasks resource profile 0",
		     s, n);
	} else if (k < 2 + n) {
		size_t pos = k - 2, task = task_at(l, s, pos);
		int ex = (int)(rnd(r) % N_EXECUTORS);
		long ms;

		if (s == N_STAGES - 1 && task == FAILING_TASK && l->error) {
			emit(o, 1, "WARN TaskSetManager: Lost task %zu.0 in stage %zu.0 (TID %zu) (%s executor %d): java.lang.OutOfMemoryError: Java heap space",
			     task, s, l->first_tid[s] + task, l->ip[ex], ex + 1);
			return;
		}
		ms = rnd_range(r, 300, 4200);
		emit(o, 1, "INFO TaskSetManager: Finished task %zu.0 in stage %zu.0 (TID %zu) in %ld ms on %s (executor %d) (%zu/%zu)",
		     task, s, l->first_tid[s] + task, ms, l->ip[ex], ex + 1, pos + 1, n);
	} else {
		long ms = rnd_range(r, 1000, 6999);

		emit(o, 1, "INFO DAGScheduler: %s %zu (" APP_SITE ") finished in %ld.%03ld s",
		     stage_names[s].kind, s, ms / 1000, ms % 1000);
	}
}

static void driver_success(struct line_out *o, struct rng *r, size_t k)
{
	const struct sparklog *l = o->l;
	long ms;

	switch (k) {
	case 0:
		ms = rnd_range(r, 1000, 4999);
		emit(o, 1, "INFO DAGScheduler: ResultStage 2 (" APP_SITE ") finished in %ld.%03ld s",
		     ms / 1000, ms % 1000);
		break;
	case 1:
		emit(o, 1, "INFO DAGScheduler: Job 0 finished: " APP_SITE ", took %.6f s",
		     l->run_seconds - l->running_at);
		break;
	case 2:
		ms = rnd_range(r, 120, 900);
		emit(o, 1, "INFO FileFormatWriter: Write Job %s committed. Elapsed time: %ld ms.",
		     l->uuid, ms);
		break;
	case 3:
		emit(o, 1, "INFO WebRobotRunner: wrote %ld records to s3a://webrobot-datasets/%s/%s/output",
		     l->records, l->project_id, l->job_name);
		break;
	case 4:
		emit(o, 1, "INFO SparkUI: Stopped Spark web UI at http://%s-driver-svc.webrobot.svc:4040",
		     l->exec_id);
		break;
	case 5:
		emit(o, 1, "INFO KubernetesClusterSchedulerBackend: Shutting down all executors");
		break;
	case 6:
		emit(o, 1, "INFO MapOutputTrackerMasterEndpoint: MapOutputTrackerMasterEndpoint stopped!");
		break;
	case 7:
		emit(o, 1, "INFO MemoryStore: MemoryStore cleared");
		break;
	case 8:
		emit(o, 1, "INFO BlockManager: BlockManager stopped");
		break;
	case 9:
		emit(o, 1, "INFO SparkContext: Successfully stopped SparkContext");
		break;
	default:
		emit(o, 1, "INFO ShutdownHookManager: Shutdown hook called");
		break;
	}
}

static void driver_failure(struct line_out *o, struct rng *r, size_t k)
{
	static const char *const trace[] = {
		"\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:2856)",
		"\tat org.apache.spark.scheduler.DAGScheduler.$anonfun$abortStage$2(DAGScheduler.scala:2792)",
		"\tat org.apache.spark.scheduler.DAGScheduler.abortStage(DAGScheduler.scala:2791)",
		"\tat org.apache.spark.sql.execution.datasources.FileFormatWriter$.write(FileFormatWriter.scala:268)",
		"\tat eu.webrobot.etl.runner.WebRobotRunner.main(WebRobotRunner.scala:88)",
		"Caused by: java.lang.OutOfMemoryError: Java heap space",
		"\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)",
		"\tat org.apache.spark.unsafe.map.BytesToBytesMap.growAndRehash(BytesToBytesMap.java:913)",
	};
	const struct sparklog *l = o->l;
	long ms;

	switch (k) {
	case 0:
		emit(o, 1, "ERROR TaskSetManager: Task %d in stage 2.0 failed 4 times; aborting job",
		     FAILING_TASK);
		break;
	case 1:
		emit(o, 1, "INFO TaskSchedulerImpl: Cancelling stage 2");
		break;
	case 2:
		ms = rnd_range(r, 1000, 4999);
		emit(o, 1, "INFO DAGScheduler: ResultStage 2 (" APP_SITE ") failed in %ld.%03ld s due to %s",
		     ms / 1000, ms % 1000, l->error);
		break;
	case 3:
		emit(o, 1, "INFO DAGScheduler: Job 0 failed: " APP_SITE ", took %.6f s",
		     l->run_seconds - l->running_at);
		break;
	case 4:
		emit(o, 1, "ERROR FileFormatWriter: Aborting job %s.", l->uuid);
		break;
	case 5:
		emit(o, 1, "ERROR WebRobotRunner: execution %s failed: %s", l->exec_id, l->error);
		break;
	case 6:
		emit(o, 0, "Exception in thread \"main\" org.apache.spark.SparkException: %s", l->error);
		break;
	case 15:
		emit(o, 1, "INFO SparkUI: Stopped Spark web UI at http://%s-driver-svc.webrobot.svc:4040",
		     l->exec_id);
		break;
	case 16:
		emit(o, 1, "INFO SparkContext: Successfully stopped SparkContext");
		break;
	case 17:
		emit(o, 1, "INFO ShutdownHookManager: Shutdown hook called");
		break;
	default:
		emit(o, 0, "%s", trace[k - 7]);
		break;
	}
}

static void driver_line(struct line_out *o, struct rng *r, size_t i)
{
	const struct sparklog *l = o->l;
	size_t s;

	if (i >= l->sh[SPARKLOG_DRIVER].body) {
		if (l->error)
			driver_failure(o, r, i - l->sh[SPARKLOG_DRIVER].body);
		else
			driver_success(o, r, i - l->sh[SPARKLOG_DRIVER].body);
		return;
	}
	if (i < N_BANNER) {
		driver_banner(o, r, i);
		return;
	}
	/* the layout always has room for the body (make_layout) */
	for (s = 0; s < N_STAGES - 1; s++)
		if (i < l->stage_line[s] + stage_len(l, s))
			break;
	driver_stage(o, r, s, i - l->stage_line[s]);
}

static void executor_task(struct line_out *o, struct rng *r, size_t g, size_t kind)
{
	const struct sparklog *l = o->l;
	size_t s = N_STAGES - 1, task;

	while (s > 0 && g < l->first_tid[s])
		s--;
	task = g - l->first_tid[s];
	if (kind == 0) {
		emit(o, 1, "INFO Executor: Running task %zu.0 in stage %zu.0 (TID %zu)", task, s, g);
	} else if (kind == 2) {
		long bytes = rnd_range(r, 1800, 4200);

		emit(o, 1, "INFO Executor: Finished task %zu.0 in stage %zu.0 (TID %zu). %ld bytes result sent to driver",
		     task, s, g, bytes);
	} else if (s == 0) {
		long range = rnd_range(r, 4000000, 134217728);

		emit(o, 1, "INFO FileScanRDD: Reading File path: s3a://webrobot-datasets/%s/%s/input/part-%05zu-%.8s.snappy.parquet, range: 0-%ld, partition values: [empty row]",
		     l->project_id, l->job_name, task, l->uuid, range);
	} else {
		/* sizes in tenths: local KiB, remote MiB */
		long local = rnd_range(r, 1000, 9009);
		long remote = rnd_range(r, 10, 69);

		emit(o, 1, "INFO ShuffleBlockFetcherIterator: Getting 8 (%ld.%ld MiB) non-empty blocks including 3 (%ld.%ld KiB) local and 0 (0.0 B) host-local and 0 (0.0 B) push-merged-local and 5 (%ld.%ld MiB) remote blocks",
		     (remote + local / 1024) / 10, (remote + local / 1024) % 10,
		     local / 10, local % 10, remote / 10, remote % 10);
	}
}

static void executor_end(struct line_out *o, size_t k)
{
	static const char *const common[] = {
		"INFO CoarseGrainedExecutorBackend: Driver commanded a shutdown",
		"INFO MemoryStore: MemoryStore cleared",
		"INFO BlockManager: BlockManager stopped",
		"INFO ShutdownHookManager: Shutdown hook called",
	};
	static const char *const oom[] = {
		"java.lang.OutOfMemoryError: Java heap space",
		"\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)",
		"\tat org.apache.spark.unsafe.map.BytesToBytesMap.growAndRehash(BytesToBytesMap.java:913)",
		"\tat org.apache.spark.sql.execution.UnsafeFixedWidthAggregationMap.getAggregationBufferFromUnsafeRow(UnsafeFixedWidthAggregationMap.java:137)",
	};
	const struct sparklog *l = o->l;
	/* the failing task's fourth attempt gets the TID after the last task's
	 * first attempt plus two retries */
	size_t retry_tid = l->ntasks + 2;
	size_t own = l->error ? EXECUTOR_FAILURE_LINES - 4 : EXECUTOR_SUCCESS_LINES - 4;

	if (k >= own)
		emit(o, 1, "%s", common[k - own]);
	else if (!l->error)
		emit(o, 1, "INFO Executor: Finished task %d.0 in stage 2.0 (TID %zu). 3112 bytes result sent to driver",
		     FAILING_TASK, l->first_tid[N_STAGES - 1] + FAILING_TASK);
	else if (k == 0)
		emit(o, 1, "ERROR Executor: Exception in task %d.3 in stage 2.0 (TID %zu)",
		     FAILING_TASK, retry_tid);
	else if (k <= 4)
		emit(o, 0, "%s", oom[k - 1]);
	else
		emit(o, 1, "ERROR SparkUncaughtExceptionHandler: Uncaught exception in thread Thread[Executor task launch worker for task %d.3 in stage 2.0 (TID %zu),5,main]",
		     FAILING_TASK, retry_tid);
}

static void executor_line(struct line_out *o, struct rng *r, size_t i)
{
	const struct sparklog *l = o->l;
	size_t e = i / 3;

	if (i >= l->sh[SPARKLOG_EXECUTOR].body) {
		executor_end(o, i - l->sh[SPARKLOG_EXECUTOR].body);
		return;
	}
	if (i >= N_EXEC_BANNER) {
		i -= N_EXEC_BANNER;
		executor_task(o, r, i / 3 % l->ntasks, i % 3);
		return;
	}
	if (i % 3 == 0)
		emit(o, 1, "INFO CoarseGrainedExecutorBackend: Started daemon with process name: 14@%s-exec-%zu",
		     l->exec_id, e + 1);
	else if (i % 3 == 1)
		emit(o, 1, "INFO CoarseGrainedExecutorBackend: Successfully registered with driver");
	else
		emit(o, 1, "INFO Executor: Starting executor ID %zu on host %s", e + 1, l->ip[e]);
}

/* Pads the line that starts at b->s + from to l->line_bytes bytes. */
static void pad(const struct sparklog *l, struct sbuf *b, size_t from, size_t i)
{
	static const char pattern[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	size_t have = b->len - from, k;

	if (have >= l->line_bytes)
		return;
	sbuf_reserve(b, l->line_bytes - have);
	b->s[b->len++] = ' ';
	for (k = have + 1; k < l->line_bytes; k++)
		b->s[b->len++] = pattern[(k + i) % (sizeof(pattern) - 1)];
	b->s[b->len] = '\0';
}

void sparklog_line(const struct sparklog *l, enum sparklog_stream s, size_t i,
		   struct sbuf *out)
{
	struct rng r = { util_mix64(l->seed ^ ((uint64_t)(s + 1) << 60) ^
				    (i * 0x2545f4914f6cdd1dULL)) };
	struct line_out o = { .l = l, .b = out, .at = sparklog_at(l, s, i) };
	size_t from = out->len;

	if (s == SPARKLOG_DRIVER)
		driver_line(&o, &r, i);
	else
		executor_line(&o, &r, i);
	if (l->line_bytes)
		pad(l, out, from, i);
}
