/* The mount's shared parts, built once by main and handed to the FUSE
 * operations as private data. No globals: tests build their own. */
#ifndef WRFS_CONTEXT_H
#define WRFS_CONTEXT_H
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct api;
struct cache;
struct http;
struct journal;
struct ratelimit;
struct size_book;
struct local;
struct table_names;
struct handle;

struct fs_ctx {
    struct api *api;
    struct cache *cache;
    struct http *http;
    struct journal *journal;
    struct ratelimit *rl;
    struct size_book *sizes;    /* file sizes the kernel has been told */
    struct local *local;        /* scratch files, documents being written */
    struct table_names *tables; /* Strapi tables known by name */
    double attr_timeout;        /* seconds the kernel may cache attributes */
    int64_t (*clock)(void);     /* monotonic ms, for the limiter's window */
    int64_t wait_poll_ms;       /* how often `wait` looks at the status */
    uid_t uid;
    gid_t gid;
    time_t mount_time;
    /* Every open file's handle, so those still open when the mount ends
     * (libfuse sends no release then) are freed too. */
    pthread_mutex_t handles_lock;
    struct handle *handles;     /* protected by handles_lock */
};

#endif
