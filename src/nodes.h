/* What each node of the tree holds: whether it exists, its text, its
 * dynamic children, its link target, and the two actions (wait, execute).
 * Built on the api and journal modules; knows nothing of FUSE, so the
 * operations in fs.c stay thin. Every function returns 0 or -errno. */
#ifndef WRFS_NODES_H
#define WRFS_NODES_H

struct blob;
struct fs_ctx;
struct route;

/* 0 when the node exists (asking the API where needed), else -errno. */
int node_check(struct fs_ctx *ctx, const struct route *r);
/* The text of a file node (new reference in *out). *growing is set when
 * the text may still grow in place (a running run's log). */
int node_content(struct fs_ctx *ctx, const struct route *r, struct blob **out, int *growing);
/* Call add with each dynamic child's file name (already encoded). */
int node_list(struct fs_ctx *ctx, const struct route *r,
              void (*add)(void *arg, const char *name), void *arg);
/* The target of a link node (caller frees). */
int node_link(struct fs_ctx *ctx, const struct route *r, char **target);
/* Block until the run is COMPLETED or FAILED, then its word + newline.
 * Returns -EINTR as soon as interrupted() says so (polled often). */
int node_wait(struct fs_ctx *ctx, const struct route *r, struct blob **out,
              int (*interrupted)(void));
/* Start a run of the job with a JSON body and record it. */
int node_execute(struct fs_ctx *ctx, const struct route *r, const char *body);

#endif
