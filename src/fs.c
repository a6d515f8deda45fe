/* FUSE operations: see fs.h. Each operation resolves the path with route,
 * asks nodes for what the node holds, and turns that into a FUSE reply.
 *
 * An open file keeps a snapshot of its text, so one `cat` sees one
 * consistent version; a growing log (direct_io) refreshes its snapshot when
 * a reader reaches its end (that is how `tail -f` sees new lines). See
 * op_open for when the page cache may serve reads. */
#include "fs.h"
#include <fuse_lowlevel.h>
#include "fs_handle.h"
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

int fs_should_stop(void)
{
    struct fuse_context *c = fuse_get_context();
    if (!c || !c->fuse)
        return 0;
    return fuse_interrupted() || fuse_session_exited(fuse_get_session(c->fuse));
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
    struct handle *h = handle_of(fi);
    struct route r;
    int rc = route_resolve(path, &r);
    if (rc < 0)
        return rc;
    size_t size = 0;
    if (fsw_local_stat(ctx, &r, path, st)) {
        route_free(&r);
        return 0;
    }
    if (r.kind == N_SCRATCH) {
        rc = -ENOENT;
    } else if (h && h->kind == H_READ && !h->growing && h->text) {
        /* fstat on an open file: the size of what that open reads */
        pthread_mutex_lock(&h->lock);
        size = h->text->len;
        pthread_mutex_unlock(&h->lock);
    } else if (r.type == NT_FILE && r.mode != 0200) {
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
    if (kind == N_EXEC_WAIT)
        return;     /* not listed, so grep -r, cp -r and tar never block on it */
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
    if (rc == 0 && (r.mode & 0200))
        fsw_list_scratch(ctx, path, add_name, &d);
    route_free(&r);
    return rc;
}

static int wants_write(int flags)
{
    return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

struct handle *handle_new(enum handle_kind kind, const char *path, struct route *r)
{
    struct fs_ctx *ctx = ctx_now();
    struct handle *h = xcalloc(1, sizeof(*h));
    pthread_mutex_init(&h->lock, NULL);
    h->kind = kind;
    h->path = xstrdup(path);
    h->route = *r;
    memset(r, 0, sizeof(*r));
    pthread_mutex_lock(&ctx->handles_lock);
    h->next = ctx->handles;
    if (h->next)
        h->next->prev = h;
    ctx->handles = h;
    pthread_mutex_unlock(&ctx->handles_lock);
    return h;
}

static void handle_destroy(struct fs_ctx *ctx, struct handle *h)
{
    pthread_mutex_lock(&ctx->handles_lock);
    if (h->prev)
        h->prev->next = h->next;
    else
        ctx->handles = h->next;
    if (h->next)
        h->next->prev = h->prev;
    pthread_mutex_unlock(&ctx->handles_lock);
    route_free(&h->route);
    blob_unref(h->text);
    buf_free(&h->pending);
    pthread_mutex_destroy(&h->lock);
    free(h->path);
    free(h);
}

void handle_free(struct handle *h)
{
    handle_destroy(ctx_now(), h);
}

void handle_attach(struct handle *h, struct fuse_file_info *fi)
{
    fi->direct_io = 1;
    fi->noflush = h->kind != H_EXECUTE && h->kind != H_DOC;
    fi->fh = (uint64_t)(uintptr_t)h;
}

static int op_open(const char *path, struct fuse_file_info *fi)
{
    struct fs_ctx *ctx = ctx_now();
    struct route r;
    int rc = route_resolve(path, &r);
    if (rc < 0)
        return rc;
    if (r.type == NT_DIR) {
        route_free(&r);
        return -EISDIR;
    }
    if (wants_write(fi->flags) || r.kind == N_SCRATCH || (r.mode & 0444) == 0)
        return fsw_open(ctx, path, &r, fi);    /* takes r */
    struct handle *h = handle_new(H_READ, path, &r);
    if (h->route.kind != N_EXEC_WAIT)
        rc = node_content(ctx, &h->route, &h->text, &h->growing);
    else
        rc = node_check(ctx, &h->route);
    if (rc < 0) {
        handle_free(h);
        return rc;
    }
    /* Text that may grow while open (a running log), is made per read
     * (wait, .stats), or whose size the kernel may not know (sizes.h)
     * bypasses the page cache. Other text may be read through it: the
     * kernel then answers the reader's final read (EOF) itself. keep_cache
     * stays off, so every open reads afresh. */
    enum node_kind k = h->route.kind;
    fi->direct_io = h->growing || k == N_EXEC_WAIT || k == N_STATS || k == N_STATS_PROM ||
                    !sizes_kernel_agrees(ctx->sizes, path, h->text->len, ctx->clock());
    fi->noflush = 1;
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
    struct handle *h = handle_of(fi);
    int rc = 0;
    if (h->kind == H_DOC || h->kind == H_SCRATCH)
        return fsw_read_local(h, out, size, off);
    if (h->kind != H_READ)
        return -EACCES;
    if (h->route.kind == N_EXEC_WAIT) {
        pthread_mutex_lock(&h->lock);
        int have = h->text != NULL;
        pthread_mutex_unlock(&h->lock);
        if (!have) {
            struct blob *word = NULL;
            rc = node_wait(ctx, &h->route, &word, fs_should_stop);
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

static int op_release(const char *path, struct fuse_file_info *fi)
{
    struct handle *h = handle_of(fi);
    fsw_release(ctx_now(), h);
    handle_free(h);
    return 0;
}

static int op_access(const char *path, int mask)
{
    struct route r;
    int rc = route_resolve(path, &r);
    if (rc < 0)
        return rc;
    struct stat st;
    if (fsw_local_stat(ctx_now(), &r, path, &st))
        rc = 0;
    else
        rc = r.kind == N_SCRATCH ? -ENOENT : node_check(ctx_now(), &r);
    if (rc == 0 && mask != F_OK) {
        int allowed = (r.mode & 0444 ? R_OK : 0) | (r.mode & 0222 ? W_OK : 0) |
                      (r.type == NT_DIR ? X_OK : 0);
        if (mask & ~allowed)
            rc = -EACCES;
    }
    route_free(&r);
    return rc;
}

static int refuse_mkdir(const char *path, mode_t mode)
{
    return -EACCES;
}

static int refuse_path(const char *path)
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

/* The mount ends: free the handles of files still open (no release comes
 * for them). No request runs any more. */
static void op_destroy(void *private_data)
{
    struct fs_ctx *ctx = private_data;
    while (ctx->handles) {
        struct handle *h = ctx->handles;
        fsw_release(ctx, h);
        handle_destroy(ctx, h);
    }
    pthread_mutex_destroy(&ctx->handles_lock);
}

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    /* Lookups in one directory wait on the API (and on the limiter): let
     * the kernel send them in parallel instead of one at a time. */
    if (conn->capable & FUSE_CAP_PARALLEL_DIROPS)
        conn->want |= FUSE_CAP_PARALLEL_DIROPS;
    struct fs_ctx *ctx = fuse_get_context()->private_data;
    pthread_mutex_init(&ctx->handles_lock, NULL);
    ctx->handles = NULL;
    cfg->entry_timeout = 1.0;
    cfg->attr_timeout = ctx->attr_timeout;
    cfg->negative_timeout = 0.0;
    cfg->use_ino = 0;
    cfg->hard_remove = 1;   /* no .fuse_hidden files: renames go straight to us */
    cfg->nullpath_ok = 0;
    return ctx;
}

static const struct fuse_operations operations = {
    .init = op_init,
    .destroy = op_destroy,
    .getattr = op_getattr,
    .readlink = op_readlink,
    .readdir = op_readdir,
    .open = op_open,
    .create = fsw_create,
    .read = op_read,
    .write = fsw_write,
    .flush = fsw_flush,
    .fsync = fsw_fsync,
    .release = op_release,
    .truncate = fsw_truncate,
    .access = op_access,
    .utimens = fsw_utimens,
    .chmod = fsw_chmod,
    .chown = fsw_chown,
    .statfs = op_statfs,
    .mkdir = refuse_mkdir,
    .unlink = fsw_unlink,
    .rmdir = refuse_path,
    .rename = fsw_rename,
    .symlink = refuse_link,
    .link = refuse_link,
};

const struct fuse_operations *fs_operations(void)
{
    return &operations;
}
