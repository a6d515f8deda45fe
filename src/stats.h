/* The .stats and .stats.prom files: the cache's, limiter's and transport's
 * counters as text for people and in Prometheus text format for scrapers. */
#ifndef WRFS_STATS_H
#define WRFS_STATS_H

struct buf;
struct fs_ctx;

/* Append the human-readable counters ("name: value" lines). */
void stats_render_text(struct buf *out, struct fs_ctx *ctx);
/* Append the same counters in Prometheus text exposition format. */
void stats_render_prom(struct buf *out, struct fs_ctx *ctx);

#endif
