/* Internal to fs.c and fs_write.c: the state of one open file, and the
 * helpers both halves of the FUSE operations share. */
#ifndef WRFS_FS_HANDLE_H
#define WRFS_FS_HANDLE_H
#include "fs.h"

#include <pthread.h>
#include <stdint.h>

#include "buf.h"
#include "route.h"

struct blob;
struct fs_ctx;
struct local_file;

enum handle_kind {
    H_READ,         /* a snapshot of API text */
    H_EXECUTE,      /* execute: bytes not yet a complete request */
    H_ACTION,       /* task start/stop: the first write sends the POST */
    H_DOC,          /* a document open for writing: the shared buffer */
    H_SCRATCH,      /* a scratch file */
};

struct handle {
    enum handle_kind kind;
    struct route route;
    char *path;
    pthread_mutex_t lock;
    struct blob *text;          /* H_READ, protected by lock */
    int growing;                /* H_READ, protected by lock */
    struct buf pending;         /* H_EXECUTE, protected by lock */
    int after_request;          /* H_EXECUTE: the last bytes ended a request,
                                   so white space that follows is its own;
                                   protected by lock */
    int acted;                  /* H_ACTION, protected by lock */
    struct local_file *file;    /* H_DOC, H_SCRATCH (its own lock) */
    struct handle *prev, *next; /* ctx->handles, protected by its lock */
};

static inline struct handle *handle_of(const struct fuse_file_info *fi)
{
    return fi ? (struct handle *)(uintptr_t)fi->fh : NULL;
}

static inline struct fs_ctx *ctx_now(void)
{
    return fuse_get_context()->private_data;
}

/* A new handle of that kind for path (route resolved by the caller and
 * moved in: r is left empty). */
struct handle *handle_new(enum handle_kind kind, const char *path, struct route *r);
void handle_free(struct handle *h);
/* Attach a handle to an open file: no page cache (the text is ours to
 * answer), no flush unless the handle has something to say at close. */
void handle_attach(struct handle *h, struct fuse_file_info *fi);

/* Write-side operations (fs_write.c). */
int fsw_open(struct fs_ctx *ctx, const char *path, struct route *r, struct fuse_file_info *fi);
int fsw_create(const char *path, mode_t mode, struct fuse_file_info *fi);
int fsw_write(const char *path, const char *data, size_t size, off_t off,
              struct fuse_file_info *fi);
int fsw_flush(const char *path, struct fuse_file_info *fi);
int fsw_fsync(const char *path, int datasync, struct fuse_file_info *fi);
void fsw_release(struct fs_ctx *ctx, struct handle *h);
int fsw_truncate(const char *path, off_t size, struct fuse_file_info *fi);
int fsw_unlink(const char *path);
int fsw_rename(const char *from, const char *to, unsigned int flags);
int fsw_chmod(const char *path, mode_t mode, struct fuse_file_info *fi);
int fsw_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi);
int fsw_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi);
/* Read a document being written or a scratch file. */
int fsw_read_local(struct handle *h, char *out, size_t size, off_t off);
/* Size and mode of a local file at path (scratch, or a document being
 * written): 1 and filled when there is one, else 0. */
int fsw_local_stat(struct fs_ctx *ctx, const struct route *r, const char *path, struct stat *st);
/* Add the scratch files of a writable directory to a listing. */
void fsw_list_scratch(struct fs_ctx *ctx, const char *dir,
                      void (*add)(void *arg, const char *name), void *arg);

#endif
