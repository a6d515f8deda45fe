/* One function per API endpoint the tree uses. This is where paths are
 * built (every id percent-encoded as a single segment), where each answer's
 * cache lifetime is chosen, and where HTTP statuses become errno values.
 * Writes invalidate the cached resources they change. */
#ifndef WRFS_API_H
#define WRFS_API_H
#include <stdint.h>

#include "route.h"

struct blob;
struct cache;
struct http;

/* Cache lifetimes in ms. */
struct api_ttls {
    int64_t running;    /* status and logs of a run not yet finished */
    int64_t list;       /* projects and jobs listings */
    int64_t doc;        /* project, job, schedule, metrics, health */
    int64_t negative;   /* 404 answers */
};

enum log_pod { LOG_DRIVER, LOG_EXECUTOR, LOG_ALL };

/* A successful answer: the body (JSON as received, or rendered text where
 * the function says so). Release with api_result_free. */
struct api_result {
    struct blob *body;
    int from_stale;     /* served from a stale copy */
};

struct api;

struct api *api_new(struct http *h, struct cache *c, const struct api_ttls *ttls);
void api_free(struct api *a);
void api_result_free(struct api_result *r);

/* Map an HTTP status to 0 or -errno (SPEC §3): 400 EINVAL, 401/403 EACCES,
 * 404 ENOENT, 409 EBUSY, 429 EAGAIN, 5xx and the rest EIO. */
int api_errno_for_status(long status);

/* GET target (already encoded) through the cache, kept for the lifetime
 * of its class (404 answers: the negative lifetime). When json is set, a
 * 2xx answer that is not JSON is an error (-EIO, not kept). Returns 0 and
 * fills *res, or -errno; *res is untouched on error. */
int api_get(struct api *a, const char *target, enum ttl_class ttl, int json,
            struct api_result *res);
int api_exec_status(struct api *a, const char *project, const char *job, const char *exec,
                    struct api_result *res);
/* The logs, already rendered as text lines (render_logs). Kept forever once
 * the run is known to be finished. */
int api_exec_logs(struct api *a, const char *project, const char *job, const char *exec,
                  enum log_pod pod, struct api_result *res);

/* Send a change (PUT, POST, DELETE) with an optional JSON body. Returns 0
 * and, when answer is non-NULL, the answer's body in *answer (caller
 * frees); or -errno. Never repeated once the server may have acted on it.
 * Whatever the outcome, the cached GETs of `target` and of every target in
 * stale (NULL-terminated, may be NULL; one ending in '*' is a prefix) are
 * dropped. */
int api_send(struct api *a, const char *method, const char *target, const char *body,
             char **answer, const char *const *stale);

/* Start a run with the JSON body. Returns 0 and the new execution id in
 * *exec_id (caller frees), or -errno (EBUSY when already running). Never
 * repeated by retries once the server may have acted on it. */
int api_execute(struct api *a, const char *project, const char *job, const char *body,
                char **exec_id);

#endif
