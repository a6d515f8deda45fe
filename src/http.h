/* HTTP transport to the API: libcurl handles (one per thread, reused for
 * keep-alive), the API key header, timeouts, the rate limiter, retries and
 * 429 handling. Above this module nobody sees libcurl or the key.
 *
 * Retry policy: a GET is retried on transport errors and 5xx answers with
 * jittered exponential backoff until the request's deadline. A request that
 * changes something (POST, PUT, DELETE) is only repeated when the server
 * cannot have acted on it: a refused connection or a 429, and always on a
 * fresh connection. A 429 pauses every request for its Retry-After (or a
 * backoff when absent). A read a stale copy can answer (fail_fast) waits at
 * most a third of the timeout (1 s at least), and not at all for 2 s after
 * a request got no answer, so a hung server costs one short wait, not one
 * timeout per lookup; any answer ends that. */
#ifndef WRFS_HTTP_H
#define WRFS_HTTP_H
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct ratelimit;
struct http;

struct http_config {
    const char *base_url;       /* server root, no trailing slash */
    const char *api_key;        /* "org:key"; copied, never logged */
    int64_t timeout_ms;         /* whole request, retries included */
    int64_t connect_timeout_ms;
    size_t max_body;            /* larger responses are refused */
    int insecure;               /* skip TLS certificate checks */
};

struct http_request {
    const char *method;         /* "GET", "POST", "PUT", "DELETE" */
    const char *target;         /* path and query, already encoded */
    const char *body;           /* NULL for none */
    size_t body_len;
    int fail_fast;              /* a stale copy can stand in: no waiting for the
                                   budget (-EAGAIN), no retries */
    int64_t timeout_ms;         /* 0: the configured timeout */
};

struct http_response {
    long status;
    struct buf body;
};

/* Counters, read by .stats. */
struct http_stats {
    uint64_t sent_get, sent_post, sent_put, sent_delete;
    uint64_t responses_429, retries, transport_errors;
};

/* Global libcurl set-up/tear-down; call once before threads start / after they end. */
int http_global_init(void);
void http_global_cleanup(void);

/* A transport using rl for every request sent. Returns NULL on bad config. */
struct http *http_new(const struct http_config *cfg, struct ratelimit *rl);
void http_free(struct http *h);

/* Set a predicate polled during transfers and waits; when it returns
 * non-zero the request stops with -EINTR (FUSE interrupts). */
void http_set_interrupt_check(struct http *h, int (*interrupted)(void));

/* Perform a request. Returns 0 with resp filled for any HTTP status the
 * retries ended on (free resp->body with buf_free), or -EIO (server
 * unreachable, timed out, cut short), -EAGAIN (throttled past the deadline),
 * -EINTR (interrupted), -EFBIG (body over max_body). resp is empty on error. */
int http_perform(struct http *h, const struct http_request *req, struct http_response *resp);
void http_get_stats(struct http *h, struct http_stats *st);

#endif
