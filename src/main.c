/* webrobotfs: mount the WebRobot ETL API as a directory tree.
 * This file parses options, builds the mount's parts (transport, limiter,
 * cache, journal), mounts, runs the FUSE loop and unwinds in reverse. */
#include "api.h"
#include "cache.h"
#include "clock.h"
#include "context.h"
#include "fs.h"
#include "http.h"
#include "log.h"
#include "ratelimit.h"
#include "secret.h"
#include "sizes.h"
#include "local.h"
#include "tables.h"
#include "state.h"
#include "xalloc.h"

#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <fuse_lowlevel.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_URL "https://api.webrobot.eu"
#define VERSION "0.1.0"
/* Memory for scratch files and documents being written. */
#define LOCAL_FILES_MAX ((size_t)256 << 20)

struct options {
    char *url;
    char *api_key_file;
    char *state_dir;
    char *cache_size;
    int rate;
    double status_ttl, list_ttl, doc_ttl, neg_ttl, max_stale;
    double timeout, connect_timeout, wait_poll, attr_cache;
    char *max_body;
    char *tables;
    char *config;
    int insecure;
    int key_on_cmdline;
};

#define OPT(t, p) { t, offsetof(struct options, p), 1 }
enum { KEY_URL_FLAG, KEY_API_KEY };
static const struct fuse_opt option_spec[] = {
    OPT("url=%s", url),
    OPT("api_key_file=%s", api_key_file),
    OPT("state_dir=%s", state_dir),
    OPT("rate=%d", rate),
    OPT("cache_size=%s", cache_size),
    OPT("status_ttl=%lf", status_ttl),
    OPT("list_ttl=%lf", list_ttl),
    OPT("doc_ttl=%lf", doc_ttl),
    OPT("neg_ttl=%lf", neg_ttl),
    OPT("max_stale=%lf", max_stale),
    OPT("timeout=%lf", timeout),
    OPT("connect_timeout=%lf", connect_timeout),
    OPT("wait_poll=%lf", wait_poll),
    OPT("attr_cache=%lf", attr_cache),
    OPT("max_body=%s", max_body),
    OPT("insecure", insecure),
    OPT("tables=%s", tables),
    OPT("config=%s", config),
    FUSE_OPT_KEY("--url=", KEY_URL_FLAG),
    FUSE_OPT_KEY("--url", KEY_URL_FLAG),
    FUSE_OPT_KEY("api_key=", KEY_API_KEY),
    FUSE_OPT_KEY("--api-key", KEY_API_KEY),
    FUSE_OPT_KEY("--api-key=", KEY_API_KEY),
    FUSE_OPT_END
};

static int pending_url_value;   /* "--url" seen, value is the next argument */

static int on_option(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    struct options *o = data;
    if (pending_url_value && key == FUSE_OPT_KEY_NONOPT) {
        pending_url_value = 0;
        free(o->url);
        o->url = xstrdup(arg);
        return 0;
    }
    switch (key) {
    case KEY_URL_FLAG:
        if (strncmp(arg, "--url=", 6) == 0) {
            free(o->url);
            o->url = xstrdup(arg + 6);
        } else {
            pending_url_value = 1;
        }
        return 0;
    case KEY_API_KEY:
        o->key_on_cmdline = 1;
        return 0;
    default:
        return 1;
    }
}

static void usage(const char *prog)
{
    printf("usage: %s [options] MOUNTPOINT\n\n"
           "Mounts the WebRobot ETL API as a directory tree.\n"
           "The API key comes from -o api_key_file=PATH, $WEBROBOT_API_KEY, or a line\n"
           "api_key = ORG:KEY in ~/.config/webrobotfs/config (files must be mode 600).\n\n"
           "webrobotfs options:\n"
           "    --url URL, -o url=URL  server root (default " DEFAULT_URL ")\n"
           "    -o api_key_file=PATH   read the key from a private file\n"
           "    -o config=PATH         config file (default ~/.config/webrobotfs/config)\n"
           "    -o state_dir=DIR       execution journal (default $XDG_STATE_HOME/webrobotfs)\n"
           "    -o rate=N              max API requests per 60 s window (default 1000)\n"
           "    -o cache_size=BYTES    cache memory cap, K/M/G suffixes (default 256M)\n"
           "    -o status_ttl=SECS     lifetime of a running run's status and logs (default 2)\n"
           "    -o list_ttl=SECS       lifetime of project and job listings (default 5)\n"
           "    -o doc_ttl=SECS        lifetime of documents and metrics (default 5)\n"
           "    -o neg_ttl=SECS        lifetime of 'not found' answers (default 5)\n"
           "    -o max_stale=SECS      serve copies up to this old when the API fails (default 3600)\n"
           "    -o timeout=SECS        give up on a request after this, retries included (default 30)\n"
           "    -o connect_timeout=SECS  TCP/TLS connect timeout (default 10)\n"
           "    -o wait_poll=SECS      how often a read of 'wait' checks the status (default 0.5)\n"
           "    -o max_body=BYTES      refuse larger responses (default 512M)\n"
           "    -o attr_cache=SECS     how long the kernel may cache sizes (default 1)\n"
           "    -o tables=A,B          Strapi tables listed under tables/ (any other name\n"
           "                           can be looked up directly: ls tables/NAME)\n"
           "    -o insecure            do not verify TLS certificates (warns)\n\n",
           prog);
}

/* "256M" → bytes; 0 on a bad value. */
static size_t parse_size(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0)
        return 0;
    switch (*end) {
    case 'k': case 'K': v *= 1024; end++; break;
    case 'm': case 'M': v *= 1024 * 1024; end++; break;
    case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
    default: break;
    }
    return *end ? 0 : (size_t)v;
}

static char *default_state_dir(void)
{
    const char *xdg = getenv("XDG_STATE_HOME");
    if (xdg && *xdg == '/')
        return xasprintf("%s/webrobotfs", xdg);
    const char *home = getenv("HOME");
    return xasprintf("%s/.local/state/webrobotfs", home && *home ? home : "/tmp");
}

static char *default_config_path(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && *xdg == '/')
        return xasprintf("%s/webrobotfs/config", xdg);
    const char *home = getenv("HOME");
    return home && *home ? xasprintf("%s/.config/webrobotfs/config", home) : NULL;
}

static int64_t secs_to_ms(double s)
{
    return (int64_t)(s * 1000.0);
}

/* Check values; returns a message for the first bad one, or NULL. */
static const char *validate(const struct options *o, size_t cache_size, size_t max_body)
{
    if (o->rate < 1)
        return "rate must be at least 1";
    if (!cache_size)
        return "cache_size must be a size such as 256M";
    if (!max_body)
        return "max_body must be a size such as 512M";
    if (o->status_ttl < 0 || o->list_ttl < 0 || o->doc_ttl < 0 || o->neg_ttl < 0 || o->max_stale < 0)
        return "TTLs and max_stale must not be negative";
    if (o->rate > 100000)
        return "rate must be at most 100000 requests per minute";
    double secs[] = { o->status_ttl, o->list_ttl, o->doc_ttl, o->neg_ttl, o->max_stale,
                      o->timeout, o->connect_timeout, o->wait_poll, o->attr_cache };
    for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++)
        if (!isfinite(secs[i]) || secs[i] > 86400.0 * 365)
            return "times must be finite numbers of seconds (at most a year)";
    if (o->wait_poll < 0.1)
        return "wait_poll must be at least 0.1 seconds";
    if (o->attr_cache < 0 || o->attr_cache > 60)
        return "attr_cache must be between 0 and 60 seconds";
    if (o->timeout <= 0 || o->connect_timeout <= 0 || o->wait_poll <= 0)
        return "timeout, connect_timeout and wait_poll must be positive";
    if (strncmp(o->url, "http://", 7) != 0 && strncmp(o->url, "https://", 8) != 0)
        return "url must start with http:// or https://";
    return NULL;
}

/* The FUSE loop returns the signal that ended it: SIGTERM, SIGINT and
 * SIGHUP are a clean unmount (exit 0), anything else an error. */
static int loop_status(int rc)
{
    return rc == 0 || rc == SIGTERM || rc == SIGINT || rc == SIGHUP ? 0 : 1;
}

/* One request before mounting: a key the API refuses stops the mount with a
 * clear message; a server that cannot be reached only warns (the mount
 * serves what it can and recovers when the server answers). */
static int check_server(struct http *h, const char *url)
{
    struct http_request req = { .method = "GET", .target = "/webrobot/api/projects", .timeout_ms = 5000 };
    struct http_response resp;
    int rc = http_perform(h, &req, &resp);
    if (rc < 0) {
        fprintf(stderr, "webrobotfs: warning: cannot reach %s (%s); mounting anyway\n",
                url, strerror(-rc));
        return 0;
    }
    buf_free(&resp.body);
    if (resp.status == 401 || resp.status == 403) {
        fprintf(stderr, "webrobotfs: %s refused the API key (HTTP %ld): check "
                        "WEBROBOT_API_KEY or the key file\n", url, resp.status);
        return -EACCES;
    }
    return 0;
}

int main(int argc, char *argv[])
{
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    struct options o = { .rate = 1000, .status_ttl = 2, .list_ttl = 5, .doc_ttl = 5,
                         .neg_ttl = 5, .max_stale = 3600, .timeout = 30,
                         .connect_timeout = 10, .wait_poll = 0.5, .attr_cache = 1 };
    struct fuse_cmdline_opts cmd = { 0 };
    struct fs_ctx ctx = { 0 };
    struct fuse *fuse = NULL;
    char *key = NULL;
    int status = 1;

    /* Big answers (logs) come and go: a fixed mmap threshold returns their
     * memory at once (glibc otherwise raises it and keeps freed blocks in
     * the heap), and few arenas keep worker threads from holding many. */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    mallopt(M_ARENA_MAX, 4);
    o.url = xstrdup(DEFAULT_URL);
    if (fuse_opt_parse(&args, &o, option_spec, on_option) < 0)
        goto out_args;
    if (o.key_on_cmdline) {
        fprintf(stderr, "webrobotfs: the API key is never taken from the command line "
                        "(others can read it there); use WEBROBOT_API_KEY or -o api_key_file=PATH\n");
        goto out_args;
    }
    if (fuse_parse_cmdline(&args, &cmd) < 0)
        goto out_args;
    if (cmd.show_help) {
        usage(argv[0]);
        fuse_cmdline_help();
        fuse_lib_help(&args);
        status = 0;
        goto out_args;
    }
    if (cmd.show_version) {
        printf("webrobotfs " VERSION "\n");
        status = 0;
        goto out_args;
    }
    if (!cmd.mountpoint) {
        fprintf(stderr, "webrobotfs: no mount point given (try --help)\n");
        goto out_args;
    }
    size_t url_len = strlen(o.url);
    while (url_len > 0 && o.url[url_len - 1] == '/')
        o.url[--url_len] = '\0';
    size_t cache_size = parse_size(o.cache_size ? o.cache_size : "256M");
    size_t max_body = parse_size(o.max_body ? o.max_body : "512M");
    const char *bad = validate(&o, cache_size, max_body);
    if (bad) {
        fprintf(stderr, "webrobotfs: %s\n", bad);
        goto out_args;
    }
    const char *why = NULL;
    char *config = o.config ? xstrdup(o.config) : default_config_path();
    int loaded = secret_load(o.api_key_file, config, &key, &why);
    free(config);
    if (loaded < 0) {
        fprintf(stderr, "webrobotfs: %s%s%s\n", why, o.api_key_file ? ": " : "",
                o.api_key_file ? o.api_key_file : "");
        goto out_args;
    }
    log_setup(cmd.debug ? LOG_LVL_DEBUG : LOG_LVL_INFO, !cmd.foreground);
    if (o.insecure)
        fprintf(stderr, "webrobotfs: warning: TLS certificate checks are OFF (-o insecure)\n");

    char *state_dir = o.state_dir ? xstrdup(o.state_dir) : default_state_dir();
    int err = 0;
    ctx.journal = journal_open(state_dir, o.url, &err);
    if (!ctx.journal) {
        fprintf(stderr, "webrobotfs: cannot use state directory %s: %s\n", state_dir, strerror(-err));
        free(state_dir);
        goto out_key;
    }
    free(state_dir);
    if (http_global_init() < 0) {
        fprintf(stderr, "webrobotfs: cannot initialise libcurl\n");
        goto out_journal;
    }
    ctx.clock = clock_now_ms;
    ctx.rl = rl_new(o.rate, 60000, clock_now_ms);
    struct http_config hc = { o.url, key, secs_to_ms(o.timeout), secs_to_ms(o.connect_timeout),
                              max_body, o.insecure };
    ctx.http = http_new(&hc, ctx.rl);
    explicit_bzero(key, strlen(key));
    ctx.cache = cache_new(cache_size, secs_to_ms(o.max_stale), clock_now_ms);
    struct api_ttls ttls = { secs_to_ms(o.status_ttl), secs_to_ms(o.list_ttl),
                             secs_to_ms(o.doc_ttl), secs_to_ms(o.neg_ttl) };
    ctx.api = api_new(ctx.http, ctx.cache, &ttls);
    ctx.wait_poll_ms = secs_to_ms(o.wait_poll);
    ctx.attr_timeout = o.attr_cache;
    ctx.sizes = sizes_new(secs_to_ms(o.attr_cache) + 200, 200000);
    ctx.local = local_new(LOCAL_FILES_MAX);
    ctx.tables = tables_new(o.tables);
    ctx.uid = getuid();
    ctx.gid = getgid();
    ctx.mount_time = time(NULL);

    if (check_server(ctx.http, o.url) < 0)
        goto out_parts;
    fuse = fuse_new(&args, fs_operations(), sizeof(struct fuse_operations), &ctx);
    if (!fuse)
        goto out_parts;
    /* Only now: fuse_interrupted() needs the FUSE context fuse_new sets up. */
    http_set_interrupt_check(ctx.http, fs_should_stop);
    if (fuse_mount(fuse, cmd.mountpoint) != 0) {
        fprintf(stderr, "webrobotfs: cannot mount on %s (if a mount is stale there, "
                        "run: fusermount3 -u %s)\n", cmd.mountpoint, cmd.mountpoint);
        goto out_fuse;
    }
    if (fuse_daemonize(cmd.foreground) != 0)
        goto out_unmount;
    if (fuse_set_signal_handlers(fuse_get_session(fuse)) != 0)
        goto out_unmount;
    log_info("mounted %s on %s", o.url, cmd.mountpoint);
    if (cmd.singlethread) {
        status = loop_status(fuse_loop(fuse));
    } else {
        struct fuse_loop_config *lc = fuse_loop_cfg_create();
        fuse_loop_cfg_set_clone_fd(lc, (unsigned)cmd.clone_fd);
        if (cmd.max_idle_threads <= 100000)     /* UINT_MAX: not given */
            fuse_loop_cfg_set_idle_threads(lc, cmd.max_idle_threads);
        /* blocked `wait` readers each hold a thread: allow many */
        /* Blocked `wait` readers each hold a thread: libfuse's default of
         * 10 (filled in even when -o max_threads is not given) would let ten
         * of them freeze the mount, so that value means 128 here. */
        unsigned threads = cmd.max_threads == 10 || cmd.max_threads == 0 ||
                           cmd.max_threads > 100000 ? 128 : cmd.max_threads;
        fuse_loop_cfg_set_max_threads(lc, threads);
        status = loop_status(fuse_loop_mt(fuse, lc));
        fuse_loop_cfg_destroy(lc);
    }
    fuse_remove_signal_handlers(fuse_get_session(fuse));
out_unmount:
    fuse_unmount(fuse);
out_fuse:
    fuse_destroy(fuse);
out_parts:
    api_free(ctx.api);
    sizes_free(ctx.sizes);
    local_free(ctx.local);
    tables_free(ctx.tables);
    cache_free(ctx.cache);
    http_free(ctx.http);
    rl_free(ctx.rl);
    http_global_cleanup();
out_journal:
    journal_close(ctx.journal);
out_key:
    if (key) {
        explicit_bzero(key, strlen(key));
        free(key);
    }
out_args:
    free(cmd.mountpoint);
    fuse_opt_free_args(&args);
    free(o.url);
    free(o.api_key_file);
    free(o.state_dir);
    free(o.cache_size);
    free(o.max_body);
    free(o.tables);
    free(o.config);
    return status;
}
