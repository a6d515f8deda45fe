/* FUSE operations: see fs.h. Each operation resolves the path with route,
 * asks nodes for what the node holds, and turns that into a FUSE reply.
 *
 * An open file keeps a snapshot of its text, so one `cat` sees one
 * consistent version; a growing log (direct_io) refreshes its snapshot when
 * a reader reaches its end (that is how `tail -f` sees new lines). See
 * op_open for when the page cache may serve reads. */
#include "fs.h"
#include "blob.h"
#include "buf.h"
#include "context.h"
#include "execreq.h"
#include "log.h"
#include "nodes.h"
#include "route.h"
#include "sizes.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* State of one open file. */
struct handle {
    struct route route;
    pthread_mutex_t lock;
    struct blob *text;          /* protected by lock: snapshot being read */
    int growing;                /* protected by lock: text may still grow */
    struct buf pending;         /* protected by lock: execute bytes not yet a request */
};

static struct fs_ctx *ctx_now(void)
{
    return fuse_get_context()->private_data;
}

static int interrupted(void)
{
    return fuse_interrupted();
}

static void fill_stat(struct fs_ctx *ctx, const struct route *r, size_t size, struct stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_uid = ctx->uid;
    st->st_gid = ctx->gid;
    st->st_atime = st->st_mtime = st->st_ctime = ctx->mount_time;
    st->st_blksize = 4096;
    switch (r->type) {
    case NT_DIR:
        st->st_mode = S_IFDIR | r->mode;
        st->st_nlink = 2;
        break;
    case NT_LINK:
        st->st_mode = S_IFLNK | r->mode;
        st->st_nlink = 1;
        break;
    case NT_FILE:
        st->st_mode = S_IFREG | r->mode;
        st->st_nlink = 1;
        break;
    }
    st->st_size = (off_t)size;
    st->st_blocks = (blkcnt_t)((size + 511) / 512);
}

static int op_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    struct fs_ctx *ctx = ctx_now();
    struct handle *h = fi ? (struct handle *)(uintptr_t)fi->fh : NULL;
    struct route r;
    int rc = route_resolve(path, &r);
    if (rc < 0)
        return rc;
    size_t size = 0;
    if (h && !h->growing && h->text) {
        /* fstat on an open file: the size of what that open reads */
        pthread_mutex_lock(&h->lock);
        size = h->text->len;
        pthread_mutex_unlock(&h->lock);
    } else if (r.type == NT_FILE && r.kind != N_EXECUTE) {
        struct blob *text = NULL;
        int growing;
        rc = node_content(ctx, &r, &text, &growing);
        if (rc == 0)
            size = text->len;
        blob_unref(text);
    } else if (r.type == NT_LINK) {
        char *target = NULL;
        rc = node_link(ctx, &r, &target);
        if (rc == 0)
            size = strlen(target);
        free(target);
    } else {
        rc = node_check(ctx, &r);
    }
    if (rc == 0) {
        fill_stat(ctx, &r, size, st);
        if (r.type == NT_FILE)
            sizes_reported(ctx->sizes, path, size, ctx->clock());
    }
    route_free(&r);
    return rc;
}

static int op_readlink(const char *path, char *out, size_t size)
{
    struct route r;
    int rc = route_resolve(path, &r);
    if (rc < 0)
        return rc;
    char *target = NULL;
    rc = r.type == NT_LINK ? node_link(ctx_now(), &r, &target) : -EINVAL;
    if (rc == 0) {
        snprintf(out, size, "%s", target);
        free(target);
    }
    route_free(&r);
    return rc;
}

/* readdir: fixed names from the route table, then dynamic ones. */
struct dir_fill {
    void *buf;
    fuse_fill_dir_t filler;
    int has_latest;
};

static void add_name(void *arg, const char *name)
{
    struct dir_fill *d = arg;
    d->filler(d->buf, name, NULL, 0, 0);
}

static void add_fixed(void *arg, const char *name, enum node_kind kind)
{
    struct dir_fill *d = arg;
    if (kind == N_LATEST && !d->has_latest)
        return;
    if (kind == N_STATS || kind == N_STATS_PROM)
        return;     /* present but hidden, like dot files elsewhere */
    add_name(arg, name);
}

static int op_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    struct fs_ctx *ctx = ctx_now();
    struct route r;
    int rc = route_resolve(path, &r);
    if (rc < 0)
        return rc;
    if (r.type != NT_DIR) {
        route_free(&r);
        return -ENOTDIR;
    }
    struct dir_fill d = { buf, filler, 0 };
    if (r.kind == N_EXECS) {
        struct route latest = r;
        latest.kind = N_LATEST;
        d.has_latest = node_check(ctx, &latest) == 0;
    }
    filler(buf, ".", NULL, 0, 0);
    filler(buf, "..", NULL, 0, 0);
    route_fixed_children(r.kind, add_fixed, &d);
    rc = node_list(ctx, &r, add_name, &d);
    route_free(&r);
    return rc;
}

static int wants_write(int flags)
{
    return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

static int wants_read(int flags)
{
    return (flags & O_ACCMODE) != O_WRONLY;
}

static void free_handle(struct handle *h)
{
    route_free(&h->route);
    blob_unref(h->text);
    buf_free(&h->pending);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

static int op_open(const char *path, struct fuse_file_info *fi)
{
    struct fs_ctx *ctx = ctx_now();
    struct handle *h = xcalloc(1, sizeof(*h));
    pthread_mutex_init(&h->lock, NULL);
    int rc = route_resolve(path, &h->route);
    if (rc < 0) {
        free(h);
        return rc;
    }
    const struct route *r = &h->route;
    if (r->type == NT_DIR)
        rc = -EISDIR;
    else if (r->kind == N_EXECUTE && wants_read(fi->flags))
        rc = -EACCES;
    else if (r->kind != N_EXECUTE && wants_write(fi->flags))
        rc = -EACCES;
    else if (r->kind == N_EXECUTE)
        rc = node_check(ctx, r);
    else if (r->kind != N_EXEC_WAIT)
        rc = node_content(ctx, r, &h->text, &h->growing);
    else
        rc = node_check(ctx, r);
    if (rc < 0) {
        free_handle(h);
        return rc;
    }
    /* Text that may grow while open (a running log), is made per read
     * (wait, .stats), or whose size the kernel may not know (sizes.h)
     * bypasses the page cache. Other text may be read through it: the
     * kernel then answers the reader's final read (EOF) itself. keep_cache
     * stays off, so every open reads afresh. */
    fi->direct_io = h->growing || r->kind == N_EXEC_WAIT || r->kind == N_EXECUTE ||
                    r->kind == N_STATS || r->kind == N_STATS_PROM ||
                    !sizes_kernel_agrees(ctx->sizes, path, h->text->len, ctx->clock());
    /* Only execute has something to say at close (an incomplete request). */
    fi->noflush = r->kind != N_EXECUTE;
    fi->fh = (uint64_t)(uintptr_t)h;
    return 0;
}

/* Make sure the snapshot covers [off, off+size) if the text has grown. */
static int refresh_if_grown(struct fs_ctx *ctx, struct handle *h, off_t off, size_t size)
{
    if (!h->growing || (size_t)off + size <= h->text->len)
        return 0;
    struct blob *fresh = NULL;
    int growing;
    int rc = node_content(ctx, &h->route, &fresh, &growing);
    if (rc < 0)
        return rc;
    if (fresh->len >= h->text->len) {     /* logs only grow; never go back */
        blob_unref(h->text);
        h->text = fresh;
        h->growing = growing;
    } else {
        blob_unref(fresh);
    }
    return 0;
}

static int op_read(const char *path, char *out, size_t size, off_t off,
                   struct fuse_file_info *fi)
{
    struct fs_ctx *ctx = ctx_now();
    struct handle *h = (struct handle *)(uintptr_t)fi->fh;
    int rc = 0;
    if (h->route.kind == N_EXEC_WAIT) {
        pthread_mutex_lock(&h->lock);
        int have = h->text != NULL;
        pthread_mutex_unlock(&h->lock);
        if (!have) {
            struct blob *word = NULL;
            rc = node_wait(ctx, &h->route, &word, interrupted);
            if (rc < 0)
                return rc;
            pthread_mutex_lock(&h->lock);
            if (!h->text)
                h->text = word;
            else
                blob_unref(word);
            pthread_mutex_unlock(&h->lock);
        }
    }
    pthread_mutex_lock(&h->lock);
    if (h->text)
        rc = refresh_if_grown(ctx, h, off, size);
    if (rc == 0 && h->text) {
        if ((size_t)off >= h->text->len) {
            rc = 0;
        } else {
            size_t n = h->text->len - (size_t)off;
            if (n > size)
                n = size;
            memcpy(out, h->text->data + off, n);
            rc = (int)n;
        }
    }
    pthread_mutex_unlock(&h->lock);
    return rc;
}

/* Send every complete request in h->pending. Returns 0 or the first -errno. */
static int run_pending_requests(struct fs_ctx *ctx, struct handle *h)
{
    for (;;) {
        char *body = NULL;
        size_t used = 0;
        const char *why = NULL;
        enum execreq_state s = execreq_take(h->pending.data, h->pending.len, &body, &used, &why);
        if (s == EXECREQ_NEED_MORE)
            return 0;
        if (s == EXECREQ_INVALID) {
            log_warn("execute for job %s: %s; nothing sent", h->route.job, why);
            buf_reset(&h->pending);
            return -EINVAL;
        }
        memmove(h->pending.data, h->pending.data + used, h->pending.len - used);
        h->pending.len -= used;
        h->pending.data[h->pending.len] = '\0';
        int rc = node_execute(ctx, &h->route, body);
        free(body);
        if (rc < 0) {
            buf_reset(&h->pending);
            return rc;
        }
    }
}

static int op_write(const char *path, const char *data, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
    struct fs_ctx *ctx = ctx_now();
    struct handle *h = (struct handle *)(uintptr_t)fi->fh;
    if (h->route.kind != N_EXECUTE)
        return -EACCES;
    pthread_mutex_lock(&h->lock);
    buf_add(&h->pending, data, size);
    int rc = run_pending_requests(ctx, h);
    pthread_mutex_unlock(&h->lock);
    return rc < 0 ? rc : (int)size;
}

/* close(): an execute request left incomplete is an error, and nothing is
 * sent. flush runs for every close of every duplicate of the descriptor
 * (shells dup and close around each redirected command), so it reports the
 * error but keeps the bytes: a later write may still complete the request.
 * release, at the last close, discards what is left. */
static int op_flush(const char *path, struct fuse_file_info *fi)
{
    struct handle *h = (struct handle *)(uintptr_t)fi->fh;
    int rc = 0;
    pthread_mutex_lock(&h->lock);
    if (h->route.kind == N_EXECUTE && h->pending.len > 0 &&
        !execreq_is_blank(h->pending.data, h->pending.len)) {
        log_debug("execute for job %s: incomplete request at close; nothing sent",
                 h->route.job);
        rc = -EINVAL;
    }
    pthread_mutex_unlock(&h->lock);
    return rc;
}

static int op_release(const char *path, struct fuse_file_info *fi)
{
    free_handle((struct handle *)(uintptr_t)fi->fh);
    return 0;
}

static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    struct route r;
    int rc = route_resolve(path, &r);
    if (rc < 0)
        return rc;
    /* `echo > execute` opens with O_TRUNC: nothing to truncate, no error. */
    rc = r.kind == N_EXECUTE ? 0 : (r.type == NT_DIR ? -EISDIR : -EACCES);
    route_free(&r);
    return rc;
}

static int op_access(const char *path, int mask)
{
    struct route r;
    int rc = route_resolve(path, &r);
    if (rc < 0)
        return rc;
    rc = node_check(ctx_now(), &r);
    if (rc == 0 && mask != F_OK) {
        int allowed = (r.mode & 0444 ? R_OK : 0) | (r.mode & 0222 ? W_OK : 0) |
                      (r.type == NT_DIR ? X_OK : 0);
        if (mask & ~allowed)
            rc = -EACCES;
    }
    route_free(&r);
    return rc;
}

/* Metadata changes have no meaning for API files: accept them without
 * effect on existing nodes so `touch`, `cp -p` and editors do not fail. */
static int op_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
    struct route r;
    int rc = route_resolve(path, &r);
    if (rc < 0)
        return rc;
    rc = node_check(ctx_now(), &r);
    route_free(&r);
    return rc;
}

static int op_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    struct route r;
    int rc = route_resolve(path, &r);
    if (rc == 0) {
        route_free(&r);
        return op_open(path, fi);   /* O_CREAT on an existing node */
    }
    return -EACCES;
}

static int refuse_path(const char *path)
{
    return -EACCES;
}

static int refuse_mkdir(const char *path, mode_t mode)
{
    return -EACCES;
}

static int refuse_rename(const char *from, const char *to, unsigned int flags)
{
    return -EACCES;
}

static int refuse_link(const char *from, const char *to)
{
    return -EACCES;
}

static int op_statfs(const char *path, struct statvfs *st)
{
    memset(st, 0, sizeof(*st));
    st->f_bsize = 4096;
    st->f_frsize = 4096;
    st->f_namemax = 255;
    return 0;
}

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    /* Lookups in one directory wait on the API (and on the limiter): let
     * the kernel send them in parallel instead of one at a time. */
    if (conn->capable & FUSE_CAP_PARALLEL_DIROPS)
        conn->want |= FUSE_CAP_PARALLEL_DIROPS;
    struct fs_ctx *ctx = fuse_get_context()->private_data;
    cfg->entry_timeout = 1.0;
    cfg->attr_timeout = ctx->attr_timeout;
    cfg->negative_timeout = 0.0;
    cfg->use_ino = 0;
    cfg->nullpath_ok = 0;
    return ctx;
}

static const struct fuse_operations operations = {
    .init = op_init,
    .getattr = op_getattr,
    .readlink = op_readlink,
    .readdir = op_readdir,
    .open = op_open,
    .create = op_create,
    .read = op_read,
    .write = op_write,
    .flush = op_flush,
    .release = op_release,
    .truncate = op_truncate,
    .access = op_access,
    .utimens = op_utimens,
    .statfs = op_statfs,
    .mkdir = refuse_mkdir,
    .unlink = refuse_path,
    .rmdir = refuse_path,
    .rename = refuse_rename,
    .symlink = refuse_link,
    .link = refuse_link,
};

const struct fuse_operations *fs_operations(void)
{
    return &operations;
}
