/* main.c — webrobot-emu: a local, stateful emulator of the WebRobot ETL API
 * for tests, benchmarks and demos. Parses options, seeds the state, starts
 * the server, prints "listening on http://127.0.0.1:PORT", then waits for
 * SIGINT/SIGTERM with sigwait (signals are blocked in every thread, so no
 * handler and no global flag are needed) and unwinds everything. */
#include "catalog.h"
#include "seed.h"
#include "server.h"
#include "sparklog.h"
#include "tables.h"
#include "util.h"
#include "world.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_KEY "demo:demo-key"

struct emu_opts {
	long port;
	const char **keys;
	size_t nkeys;
	long rate;
	const char *seed;
	double run_seconds;
	long log_lines;
	long log_line_bytes;
	int verbose;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: webrobot-emu --port PORT [--key ORG:KEY]... [--rate N]\n"
		"                    [--seed demo|empty] [--run-seconds S]\n"
		"                    [--log-lines N] [--log-line-bytes B] [--verbose]\n"
		"\n"
		"A local, stateful emulator of the WebRobot ETL API, bound to 127.0.0.1.\n"
		"\n"
		"  --port PORT         TCP port; 0 picks a free one (required)\n"
		"  --key ORG:KEY       accepted X-API-Key value; repeatable\n"
		"                      (default: " DEFAULT_KEY ")\n"
		"  --rate N            requests per minute per key, sliding 60 s window\n"
		"                      (default 1000); over it: 429 with Retry-After\n"
		"  --seed NAME         initial data: demo (default) or empty\n"
		"  --run-seconds S     time from execute to COMPLETED/FAILED (default 8)\n"
		"  --log-lines N       driver log body lines per run, appearing while it\n"
		"                      runs (default 40, up to 10000000); the executor\n"
		"                      log gets 3/4 as many; closing lines come on top\n"
		"  --log-line-bytes B  pad every log line shorter than B bytes to B\n"
		"                      (default 0: natural length, about 60-250 bytes)\n"
		"  --verbose           log each request on stderr\n"
		"  --help              this text\n"
		"\n"
		"When ready it prints \"listening on http://127.0.0.1:PORT\" on stdout.\n"
		"Test endpoints (no key, not rate limited, not counted):\n"
		"  GET /_emu/stats, GET /_emu/log, POST /_emu/reset-stats,\n"
		"  GET|POST|DELETE /_emu/fault (fault injection; see below)\n"
		"Logs without podType list driver and executor lines merged in time order.\n"
		"\n"
		"Fault injection: POST /_emu/fault with a JSON object replaces the faults\n"
		"(POST {} or DELETE clears them; GET shows them). Faults apply to API\n"
		"requests only; every field is optional:\n"
		"  latency_ms N           delay every answer by N ms\n"
		"  error_rate R           share R (0..1) answered with one of\n"
		"  error_codes [C...]       these codes (default [500,502,503])\n"
		"  reset_rate R           share R: connection closed without an answer\n"
		"  truncate_rate R        share R: Content-Length promises more than is sent\n"
		"  malformed_rate R       share R: 200 with the body cut in half (bad JSON)\n"
		"  rate429 R              share R: 429, with\n"
		"  retry_after S|null       Retry-After: S (default 1; null: no header)\n"
		"  huge_body_bytes N      successful GETs get a N-byte \"_emu_padding\" member\n"
		"  drip_bytes_per_sec N   bodies sent at about N bytes/s\n"
		"  hang true              no answer until the fault is cleared (max 300 s)\n"
		"  only_path_prefix P     apply only to paths starting with P\n"
		"  seed N                 seed of the PRNG drawing the shares (default 1)\n"
		"The shares are consecutive slices of one draw per request (their sum must\n"
		"be <= 1). /_emu/stats counts faulted requests in \"faulted\".\n"
		"SIGINT or SIGTERM stops it cleanly (exit 0). Bad options exit 2.\n");
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int valid_key(const char *k)
{
	const char *colon = strchr(k, ':');
	const char *p;

	if (!colon || colon == k || !colon[1])
		return 0;
	for (p = k; *p; p++)
		if ((unsigned char)*p < 0x21 || *p == 0x7f)
			return 0;
	return 1;
}

/* Returns 0 to run, 1 after --help, 2 on a bad command line (reported). */
static int parse_opts(int argc, char **argv, struct emu_opts *o)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "key", required_argument, NULL, 'k' },
		{ "rate", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "run-seconds", required_argument, NULL, 't' },
		{ "log-lines", required_argument, NULL, 'n' },
		{ "log-line-bytes", required_argument, NULL, 'b' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->port = -1;
	o->rate = 1000;
	o->seed = "demo";
	o->run_seconds = 8.0;
	o->log_lines = SPARKLOG_DEFAULT_LINES;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'p':
			if (parse_long(optarg, 0, 65535, &o->port)) {
				fprintf(stderr, "webrobot-emu: invalid --port '%s' (0-65535)\n", optarg);
				return 2;
			}
			break;
		case 'k':
			if (!valid_key(optarg)) {
				fprintf(stderr, "webrobot-emu: invalid --key: expected ORG:KEY\n");
				return 2;
			}
			o->keys = xrealloc(o->keys, (o->nkeys + 1) * sizeof(*o->keys));
			o->keys[o->nkeys++] = optarg;
			break;
		case 'r':
			if (parse_long(optarg, 1, 100000000, &o->rate)) {
				fprintf(stderr, "webrobot-emu: invalid --rate '%s' (1-100000000)\n", optarg);
				return 2;
			}
			break;
		case 's':
			if (!seed_known(optarg)) {
				fprintf(stderr, "webrobot-emu: unknown --seed '%s' (demo or empty)\n", optarg);
				return 2;
			}
			o->seed = optarg;
			break;
		case 't':
			errno = 0;
			o->run_seconds = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(o->run_seconds) ||
			    o->run_seconds < 0 || o->run_seconds > 86400) {
				fprintf(stderr, "webrobot-emu: invalid --run-seconds '%s' (0-86400)\n", optarg);
				return 2;
			}
			break;
		case 'n':
			if (parse_long(optarg, 1, SPARKLOG_MAX_LINES, &o->log_lines)) {
				fprintf(stderr, "webrobot-emu: invalid --log-lines '%s' (1-%d)\n",
					optarg, SPARKLOG_MAX_LINES);
				return 2;
			}
			break;
		case 'b':
			if (parse_long(optarg, 0, SPARKLOG_MAX_LINE_BYTES, &o->log_line_bytes)) {
				fprintf(stderr, "webrobot-emu: invalid --log-line-bytes '%s' (0-%d)\n",
					optarg, SPARKLOG_MAX_LINE_BYTES);
				return 2;
			}
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case ':':
			fprintf(stderr, "webrobot-emu: option '%s' needs a value\n", argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "webrobot-emu: unknown option '%s'\n", argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "webrobot-emu: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (o->port < 0) {
		fprintf(stderr, "webrobot-emu: --port is required (0 picks a free port)\n");
		usage(stderr);
		return 2;
	}
	return 0;
}

static uint64_t process_salt(void)
{
	uint64_t salt = 0;
	struct timespec ts;

	if (getrandom(&salt, sizeof(salt), GRND_NONBLOCK) != (ssize_t)sizeof(salt)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		salt = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
		       ((uint64_t)getpid() << 40);
	}
	return util_mix64(salt);
}

int main(int argc, char **argv)
{
	static const char *const default_keys[] = { DEFAULT_KEY };
	cJSON_Hooks hooks = { .malloc_fn = xmalloc, .free_fn = free };
	struct emu_opts o;
	struct emu_services svc = { 0 };
	struct world_opts wo;
	struct server_config cfg;
	struct server *srv = NULL;
	sigset_t set;
	int rc, sig;

	rc = parse_opts(argc, argv, &o);
	if (rc) {
		free(o.keys);
		return rc == 1 ? 0 : 2;
	}
	cJSON_InitHooks(&hooks);

	/* block before any thread exists, so every thread inherits the mask */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	wo = (struct world_opts){
		.run_seconds = o.run_seconds,
		.log_lines = (size_t)o.log_lines,
		.log_line_bytes = (size_t)o.log_line_bytes,
		.salt = process_salt(),
	};
	svc.world = world_new(&wo);
	svc.tables = tables_new();
	svc.catalog = catalog_new();
	seed_load(o.seed, svc.world, svc.tables, svc.catalog);

	cfg = (struct server_config){
		.port = (uint16_t)o.port,
		.keys = o.nkeys ? o.keys : (const char *const *)default_keys,
		.nkeys = o.nkeys ? o.nkeys : 1,
		.rate = o.rate,
		.verbose = o.verbose,
		.svc = &svc,
	};
	rc = 1;
	if (server_start(&cfg, &srv) != 0)
		goto out;
	printf("listening on http://127.0.0.1:%u\n", (unsigned)server_port(srv));
	fflush(stdout);

	if (sigwait(&set, &sig) == 0 && o.verbose)
		fprintf(stderr, "webrobot-emu: %s, stopping\n", strsignal(sig));
	server_stop(srv);
	rc = 0;
out:
	catalog_free(svc.catalog);
	tables_free(svc.tables);
	world_free(svc.world);
	free(o.keys);
	return rc;
}
