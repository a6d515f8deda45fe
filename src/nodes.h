/* What each node of the tree holds: whether it exists, its text, its
 * dynamic children, its link target, and the actions (wait, execute, task
 * start/stop, saving a document, creating and deleting records). Built on
 * the api, journal and local modules; knows nothing of FUSE, so the
 * operations in fs.c stay thin. Every function returns 0 or -errno.
 *
 * Most documents are described by the route table alone (an endpoint
 * template and a view); this file holds the code for the rest. */
#ifndef WRFS_NODES_H
#define WRFS_NODES_H
#include <stddef.h>

struct blob;
struct fs_ctx;
struct route;

/* 0 when the node exists (asking the API where needed), else -errno.
 * Scratch files are the local store's business (fs.c), not checked here. */
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
/* Send a task's start or stop (by the route's kind). */
int node_task_action(struct fs_ctx *ctx, const struct route *r);
/* 1 when the route names a document that can be written (PUT, or POST
 * for a table record that does not exist yet). */
int node_is_document(const struct route *r);
/* Save a document's new text: it must be one JSON object (else -EINVAL and
 * nothing is sent); a record that does not exist is created (POST) and,
 * when created is non-NULL, its new id returned there (caller frees; NULL
 * when the answer named none). */
int node_save(struct fs_ctx *ctx, const struct route *r, const char *text, size_t len,
              char **created);
/* Delete a table record. */
int node_delete(struct fs_ctx *ctx, const struct route *r);

#endif
