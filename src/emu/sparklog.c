/* sparklog.c — realistic Spark driver and executor log text for one
 * execution: start-up banner, three stages of tasks spread over three
 * executors, then either a clean shutdown or, for a failing run, the
 * OutOfMemoryError that aborts stage 2 and its stack trace. All variation
 * comes from p->seed, so the same execution always reads the same. */
#include "sparklog.h"
#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_EXECUTORS 3
#define APP_SITE "save at NativeMethodAccessorImpl.java:0"

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

/* Appends lines to one stream; body lines get spread times, the closing
 * section (final != 0) all gets run_seconds. */
struct builder {
	const struct sparklog_params *p;
	struct log_stream *s;
	size_t cap;
	size_t body;   /* how many body lines the stream has */
	double start;  /* fraction of run_seconds before the body begins */
	int final;
};

static int full(const struct builder *b)
{
	return !b->final && b->s->n >= b->body;
}

static double line_at(const struct builder *b, size_t i)
{
	const struct sparklog_params *p = b->p;
	double at;

	if (b->final)
		return p->run_seconds;
	/* body line i at start + (1 - start) * (i + 1) / body of the run, so the
	 * count visible grows in proportion to elapsed time; the very first
	 * driver line appears as soon as the run is RUNNING */
	if (i == 0 && b->start == 0)
		return p->running_at;
	at = p->run_seconds * (b->start + (1 - b->start) * (double)(i + 1) / (double)b->body);
	if (at < p->running_at)
		at = p->running_at;
	if (at > p->run_seconds)
		at = p->run_seconds;
	return at;
}

/* Adds one line; stamp != 0 prefixes the Spark "yy/MM/dd HH:mm:ss" time. */
static void __attribute__((format(printf, 3, 4)))
emit(struct builder *b, int stamp, const char *fmt, ...)
{
	struct log_line *l;
	char prefix[32] = "";
	char *body;
	va_list ap;
	int n;

	if (full(b))
		return;
	if (b->s->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->s->v = xrealloc(b->s->v, b->cap * sizeof(*b->s->v));
	}
	l = &b->s->v[b->s->n];
	l->at = line_at(b, b->s->n);
	if (stamp) {
		time_t t = (time_t)floor(b->p->wall0 + l->at);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(prefix, sizeof(prefix), "%y/%m/%d %H:%M:%S ", &tm);
	}
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	body = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(body, (size_t)n + 1, fmt, ap);
	va_end(ap);
	l->text = xasprintf("%s%s", prefix, body);
	free(body);
	b->s->n++;
}

struct stage {
	const char *kind;
	int id, ntasks, rdd, first_tid;
};

static const struct stage stages[] = {
	{ "ShuffleMapStage", 0, 8, 4, 0 },
	{ "ShuffleMapStage", 1, 8, 9, 8 },
	{ "ResultStage", 2, 4, 13, 16 },
};
#define N_STAGES (sizeof(stages) / sizeof(stages[0]))
#define FAILING_TASK 3

struct cluster {
	char ip[N_EXECUTORS][16];
	char uuid[40];
	long records;
};

static void make_cluster(struct rng *r, struct cluster *c)
{
	int i;

	uint64_t a, b;

	for (i = 0; i < N_EXECUTORS; i++) {
		long subnet = rnd_range(r, 1, 7);
		long host = rnd_range(r, 2, 250);

		snprintf(c->ip[i], sizeof(c->ip[i]), "10.0.%ld.%ld", subnet, host);
	}
	a = rnd(r);
	b = rnd(r);
	snprintf(c->uuid, sizeof(c->uuid), "%08lx-%04lx-4%03lx-a%03lx-%012lx",
		 (unsigned long)(a & 0xffffffffUL), (unsigned long)((a >> 32) & 0xffff),
		 (unsigned long)((a >> 48) & 0xfff), (unsigned long)(b & 0xfff),
		 (unsigned long)((b >> 12) & 0xffffffffffffUL));
	c->records = rnd_range(r, 40000, 260000);
}

static void shuffle(struct rng *r, int *v, int n)
{
	int i;

	for (i = n - 1; i > 0; i--) {
		int j = (int)(rnd(r) % (uint64_t)(i + 1));
		int t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
}

static void driver_body(struct builder *b, struct rng *r, const struct cluster *c)
{
	const struct sparklog_params *p = b->p;
	long mem = rnd_range(r, 10, 49);  /* tenths of GiB */
	size_t s;

	emit(b, 1, "INFO SparkContext: Running Spark version 3.5.1");
	emit(b, 1, "INFO SparkContext: OS info Linux, 6.1.0-27-cloud-amd64, amd64");
	emit(b, 1, "INFO SparkContext: Java version 17.0.12");
	emit(b, 1, "INFO SparkContext: Submitted application: webrobot-%s", p->job_name);
	emit(b, 1, "INFO WebRobotRunner: project %s job %s execution %s arguments [%s]",
	     p->project_id, p->job_id, p->exec_id, p->arguments);
	emit(b, 1, "INFO Utils: Successfully started service 'sparkDriver' on port 7078.");
	emit(b, 1, "INFO SparkEnv: Registering BlockManagerMaster");
	emit(b, 1, "INFO MemoryStore: MemoryStore started with capacity %ld.%ld GiB",
	     mem / 10, mem % 10);
	emit(b, 1, "INFO SparkUI: Bound SparkUI to 0.0.0.0, and started at http://%s-driver-svc.webrobot.svc:4040",
	     p->exec_id);
	emit(b, 1, "INFO ExecutorPodsAllocator: Going to request %d executors from Kubernetes for ResourceProfile Id: 0, target: %d, known: 0, sharedSlotFromPendingPods: 2147483647.",
	     N_EXECUTORS, N_EXECUTORS);
	emit(b, 1, "INFO KubernetesClusterSchedulerBackend: SchedulerBackend is ready for scheduling beginning after reached minRegisteredResourcesRatio: 0.8");
	emit(b, 1, "INFO DAGScheduler: Got job 0 (" APP_SITE ") with 20 output partitions");

	for (s = 0; s < N_STAGES && !full(b); s++) {
		const struct stage *st = &stages[s];
		int last = s == N_STAGES - 1;
		int order[8], k;

		emit(b, 1, "INFO DAGScheduler: Submitting %d missing tasks from %s %d (MapPartitionsRDD[%d] at " APP_SITE ") (first 15 tasks are for partitions Vector(%s))",
		     st->ntasks, st->kind, st->id, st->rdd,
		     st->ntasks == 8 ? "0, 1, 2, 3, 4, 5, 6, 7" : "0, 1, 2, 3");
		emit(b, 1, "INFO TaskSchedulerImpl: Adding task set %d.0 with %d tasks resource profile 0",
		     st->id, st->ntasks);
		for (k = 0; k < st->ntasks; k++)
			order[k] = k;
		/* the last stage's task 3 finishes last: it is the one that fails */
		shuffle(r, order, last ? st->ntasks - 1 : st->ntasks);
		for (k = 0; k < st->ntasks; k++) {
			int task = order[k], ex = (int)(rnd(r) % N_EXECUTORS);

			if (last && task == FAILING_TASK && p->error)
				emit(b, 1, "WARN TaskSetManager: Lost task %d.0 in stage %d.0 (TID %d) (%s executor %d): java.lang.OutOfMemoryError: Java heap space",
				     task, st->id, st->first_tid + task, c->ip[ex], ex + 1);
			else
				emit(b, 1, "INFO TaskSetManager: Finished task %d.0 in stage %d.0 (TID %d) in %ld ms on %s (executor %d) (%d/%d)",
				     task, st->id, st->first_tid + task, rnd_range(r, 300, 4200),
				     c->ip[ex], ex + 1, k + 1, st->ntasks);
		}
		if (!last) {
			long ms = rnd_range(r, 1000, 6999);

			emit(b, 1, "INFO DAGScheduler: %s %d (" APP_SITE ") finished in %ld.%03ld s",
			     st->kind, st->id, ms / 1000, ms % 1000);
		}
	}
}

static void driver_success(struct builder *b, struct rng *r, const struct cluster *c)
{
	const struct sparklog_params *p = b->p;
	long ms = rnd_range(r, 1000, 4999);

	emit(b, 1, "INFO DAGScheduler: ResultStage 2 (" APP_SITE ") finished in %ld.%03ld s",
	     ms / 1000, ms % 1000);
	emit(b, 1, "INFO DAGScheduler: Job 0 finished: " APP_SITE ", took %.6f s",
	     p->run_seconds - p->running_at);
	emit(b, 1, "INFO FileFormatWriter: Write Job %s committed. Elapsed time: %ld ms.",
	     c->uuid, rnd_range(r, 120, 900));
	emit(b, 1, "INFO WebRobotRunner: wrote %ld records to s3a://webrobot-datasets/%s/%s/output",
	     c->records, p->project_id, p->job_name);
	emit(b, 1, "INFO SparkUI: Stopped Spark web UI at http://%s-driver-svc.webrobot.svc:4040",
	     p->exec_id);
	emit(b, 1, "INFO KubernetesClusterSchedulerBackend: Shutting down all executors");
	emit(b, 1, "INFO MapOutputTrackerMasterEndpoint: MapOutputTrackerMasterEndpoint stopped!");
	emit(b, 1, "INFO MemoryStore: MemoryStore cleared");
	emit(b, 1, "INFO BlockManager: BlockManager stopped");
	emit(b, 1, "INFO SparkContext: Successfully stopped SparkContext");
	emit(b, 1, "INFO ShutdownHookManager: Shutdown hook called");
}

static void driver_failure(struct builder *b, struct rng *r, const struct cluster *c)
{
	const struct sparklog_params *p = b->p;
	long ms = rnd_range(r, 1000, 4999);

	emit(b, 1, "ERROR TaskSetManager: Task %d in stage 2.0 failed 4 times; aborting job",
	     FAILING_TASK);
	emit(b, 1, "INFO TaskSchedulerImpl: Cancelling stage 2");
	emit(b, 1, "INFO DAGScheduler: ResultStage 2 (" APP_SITE ") failed in %ld.%03ld s due to %s",
	     ms / 1000, ms % 1000, p->error);
	emit(b, 1, "INFO DAGScheduler: Job 0 failed: " APP_SITE ", took %.6f s",
	     p->run_seconds - p->running_at);
	emit(b, 1, "ERROR FileFormatWriter: Aborting job %s.", c->uuid);
	emit(b, 1, "ERROR WebRobotRunner: execution %s failed: %s", p->exec_id, p->error);
	emit(b, 0, "Exception in thread \"main\" org.apache.spark.SparkException: %s", p->error);
	emit(b, 0, "\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:2856)");
	emit(b, 0, "\tat org.apache.spark.scheduler.DAGScheduler.$anonfun$abortStage$2(DAGScheduler.scala:2792)");
	emit(b, 0, "\tat org.apache.spark.scheduler.DAGScheduler.abortStage(DAGScheduler.scala:2791)");
	emit(b, 0, "\tat org.apache.spark.sql.execution.datasources.FileFormatWriter$.write(FileFormatWriter.scala:268)");
	emit(b, 0, "\tat eu.webrobot.etl.runner.WebRobotRunner.main(WebRobotRunner.scala:88)");
	emit(b, 0, "Caused by: java.lang.OutOfMemoryError: Java heap space");
	emit(b, 0, "\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)");
	emit(b, 0, "\tat org.apache.spark.unsafe.map.BytesToBytesMap.growAndRehash(BytesToBytesMap.java:913)");
	emit(b, 1, "INFO SparkUI: Stopped Spark web UI at http://%s-driver-svc.webrobot.svc:4040",
	     p->exec_id);
	emit(b, 1, "INFO SparkContext: Successfully stopped SparkContext");
	emit(b, 1, "INFO ShutdownHookManager: Shutdown hook called");
}

static void executor_body(struct builder *b, struct rng *r, const struct cluster *c)
{
	const struct sparklog_params *p = b->p;
	size_t s;
	int e, task;

	for (e = 0; e < N_EXECUTORS; e++) {
		emit(b, 1, "INFO CoarseGrainedExecutorBackend: Started daemon with process name: 14@%s-exec-%d",
		     p->exec_id, e + 1);
		emit(b, 1, "INFO CoarseGrainedExecutorBackend: Successfully registered with driver");
		emit(b, 1, "INFO Executor: Starting executor ID %d on host %s", e + 1, c->ip[e]);
	}
	for (s = 0; s < N_STAGES && !full(b); s++) {
		const struct stage *st = &stages[s];

		for (task = 0; task < st->ntasks && !full(b); task++) {
			int tid = st->first_tid + task;

			emit(b, 1, "INFO Executor: Running task %d.0 in stage %d.0 (TID %d)",
			     task, st->id, tid);
			if (st->id == 0)
				emit(b, 1, "INFO FileScanRDD: Reading File path: s3a://webrobot-datasets/%s/%s/input/part-%05d-%.8s.snappy.parquet, range: 0-%ld, partition values: [empty row]",
				     p->project_id, p->job_name, task, c->uuid,
				     rnd_range(r, 4000000, 134217728));
			else {
				/* sizes in tenths: local KiB, remote MiB */
				long local = rnd_range(r, 1000, 9009);
				long remote = rnd_range(r, 10, 69);

				emit(b, 1, "INFO ShuffleBlockFetcherIterator: Getting 8 (%ld.%ld MiB) non-empty blocks including 3 (%ld.%ld KiB) local and 0 (0.0 B) host-local and 0 (0.0 B) push-merged-local and 5 (%ld.%ld MiB) remote blocks",
				     (remote + local / 1024) / 10, (remote + local / 1024) % 10,
				     local / 10, local % 10, remote / 10, remote % 10);
			}
			emit(b, 1, "INFO Executor: Finished task %d.0 in stage %d.0 (TID %d). %ld bytes result sent to driver",
			     task, st->id, tid, rnd_range(r, 1800, 4200));
		}
	}
}

static void executor_end(struct builder *b, const struct cluster *c)
{
	if (b->p->error) {
		emit(b, 1, "ERROR Executor: Exception in task %d.3 in stage 2.0 (TID 22)", FAILING_TASK);
		emit(b, 0, "java.lang.OutOfMemoryError: Java heap space");
		emit(b, 0, "\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)");
		emit(b, 0, "\tat org.apache.spark.unsafe.map.BytesToBytesMap.growAndRehash(BytesToBytesMap.java:913)");
		emit(b, 0, "\tat org.apache.spark.sql.execution.UnsafeFixedWidthAggregationMap.getAggregationBufferFromUnsafeRow(UnsafeFixedWidthAggregationMap.java:137)");
		emit(b, 1, "ERROR SparkUncaughtExceptionHandler: Uncaught exception in thread Thread[Executor task launch worker for task %d.3 in stage 2.0 (TID 22),5,main]",
		     FAILING_TASK);
	} else {
		emit(b, 1, "INFO Executor: Finished task %d.0 in stage 2.0 (TID %d). 3112 bytes result sent to driver",
		     FAILING_TASK, stages[2].first_tid + FAILING_TASK);
	}
	emit(b, 1, "INFO CoarseGrainedExecutorBackend: Driver commanded a shutdown");
	emit(b, 1, "INFO MemoryStore: MemoryStore cleared");
	emit(b, 1, "INFO BlockManager: BlockManager stopped");
	emit(b, 1, "INFO ShutdownHookManager: Shutdown hook called");
	(void)c;
}

void sparklog_generate(const struct sparklog_params *p,
		       struct log_stream *driver, struct log_stream *executor)
{
	struct rng r = { p->seed };
	struct cluster c;
	struct builder d = { .p = p, .s = driver, .body = SPARKLOG_DRIVER_BODY };
	/* executors log once the driver has asked for them (its 10th line) */
	struct builder x = { .p = p, .s = executor, .body = SPARKLOG_EXECUTOR_BODY,
			     .start = 0.25 };

	memset(driver, 0, sizeof(*driver));
	memset(executor, 0, sizeof(*executor));
	make_cluster(&r, &c);
	driver_body(&d, &r, &c);
	d.final = 1;
	if (p->error)
		driver_failure(&d, &r, &c);
	else
		driver_success(&d, &r, &c);
	executor_body(&x, &r, &c);
	x.final = 1;
	executor_end(&x, &c);
}

void sparklog_stream_free(struct log_stream *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].text);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
