/* Counter files: see stats.h. One table of counters feeds both formats so
 * they can never disagree. */
#include "stats.h"
#include "buf.h"
#include "cache.h"
#include "context.h"
#include "http.h"
#include "ratelimit.h"
#include "state.h"

#include <stdint.h>
#include <string.h>

struct counter {
    const char *name;       /* text name; Prometheus adds the prefix */
    const char *help;
    const char *type;       /* "counter" or "gauge" */
    const char *label;      /* optional label pair for .prom, e.g. method="GET" */
    const char *prom_name;  /* Prometheus metric when it differs from name */
    uint64_t value;
};

static int collect(struct fs_ctx *ctx, struct counter *c)
{
    struct http_stats hs;
    struct cache_stats cs;
    http_get_stats(ctx->http, &hs);
    cache_get_stats(ctx->cache, &cs);
    int64_t now = ctx->clock();
    struct counter all[] = {
        { "requests_get", "API requests sent", "counter", "method=\"GET\"", "requests_total", hs.sent_get },
        { "requests_post", "API requests sent", "counter", "method=\"POST\"", "requests_total", hs.sent_post },
        { "requests_put", "API requests sent", "counter", "method=\"PUT\"", "requests_total", hs.sent_put },
        { "requests_delete", "API requests sent", "counter", "method=\"DELETE\"", "requests_total", hs.sent_delete },
        { "responses_429", "429 answers received", "counter", NULL, "responses_429_total", hs.responses_429 },
        { "retries", "requests retried", "counter", NULL, "retries_total", hs.retries },
        { "transport_errors", "requests that failed without an answer", "counter", NULL, "transport_errors_total", hs.transport_errors },
        { "cache_hits", "reads answered from a fresh cached copy", "counter", NULL, "cache_hits_total", cs.hits },
        { "cache_misses", "reads that sent a request", "counter", NULL, "cache_misses_total", cs.misses },
        { "cache_coalesced", "reads that waited for another reader's request", "counter", NULL, "cache_coalesced_total", cs.coalesced },
        { "cache_stale", "reads answered from a stale copy", "counter", NULL, "cache_stale_total", cs.stale },
        { "cache_evictions", "entries evicted by the memory cap", "counter", NULL, "cache_evictions_total", cs.evictions },
        { "cache_entries", "entries cached", "gauge", NULL, NULL, cs.entries },
        { "cache_bytes", "bytes cached", "gauge", NULL, NULL, cs.bytes },
        { "cache_max_bytes", "cache memory cap", "gauge", NULL, NULL, cs.max_bytes },
        { "limiter_tokens_left", "requests a read may still send in this window", "gauge", NULL, NULL, (uint64_t)rl_available(ctx->rl, now) },
        { "limiter_in_window", "requests counted in the current 60 s window", "gauge", NULL, NULL, (uint64_t)rl_in_window(ctx->rl, now) },
        { "executions_known", "executions in the journal", "gauge", NULL, NULL, journal_count(ctx->journal) },
    };
    int n = (int)(sizeof(all) / sizeof(all[0]));
    for (int i = 0; i < n; i++)
        c[i] = all[i];
    return n;
}

#define MAX_COUNTERS 32

static const char *metric_name(const struct counter *c)
{
    return c->prom_name ? c->prom_name : c->name;
}

void stats_render_text(struct buf *out, struct fs_ctx *ctx)
{
    struct counter c[MAX_COUNTERS];
    int n = collect(ctx, c);
    for (int i = 0; i < n; i++)
        buf_printf(out, "%s: %llu\n", c[i].name, (unsigned long long)c[i].value);
}

void stats_render_prom(struct buf *out, struct fs_ctx *ctx)
{
    struct counter c[MAX_COUNTERS];
    int n = collect(ctx, c);
    for (int i = 0; i < n; i++) {
        const char *metric = metric_name(&c[i]);
        if (i == 0 || strcmp(metric_name(&c[i - 1]), metric) != 0)
            buf_printf(out, "# HELP webrobotfs_%s %s\n# TYPE webrobotfs_%s %s\n",
                       metric, c[i].help, metric, c[i].type);
        buf_printf(out, "webrobotfs_%s%s%s%s %llu\n", metric, c[i].label ? "{" : "",
                   c[i].label ? c[i].label : "", c[i].label ? "}" : "",
                   (unsigned long long)c[i].value);
    }
}
