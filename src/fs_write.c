/* The write side of the FUSE operations: execute requests, task actions,
 * documents saved with PUT (or POST for a new table record), scratch files
 * and the renames editors use to save.
 *
 * A document open for writing is a buffer shared by every handle writing
 * it (local.h), changed by offset like a local file; it is checked and
 * sent, whole, when the last writer closes or on fsync. Nothing is sent for
 * a handle that never wrote, nor for an empty document (`: > f`). */
#include "fs_handle.h"
#include "blob.h"
#include "context.h"
#include "execreq.h"
#include "local.h"
#include "log.h"
#include "nodes.h"
#include "sizes.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int wants_read(int flags)
{
    return (flags & O_ACCMODE) != O_WRONLY;
}

/* The text a document shows now, to start its buffer from. */
static int current_text(struct fs_ctx *ctx, const struct route *r, struct blob **text)
{
    int growing;
    return node_content(ctx, r, text, &growing);
}

/* Open the shared buffer of a document for writing. */
static int open_doc(struct fs_ctx *ctx, struct handle *h, int flags, int create)
{
    struct local_file *f = local_doc_join(ctx->local, h->path);
    if (!f) {
        struct blob *text = NULL;
        int rc = (flags & O_TRUNC) ? 0 : current_text(ctx, &h->route, &text);
        if (rc == -ENOENT && create && h->route.kind == N_RECORD)
            rc = 0;     /* a new record: starts empty, POSTed at close */
        if (rc < 0)
            return rc;
        f = local_doc_open(ctx->local, h->path, text ? text->data : "", text ? text->len : 0);
        blob_unref(text);
    }
    if (flags & O_TRUNC) {
        pthread_mutex_lock(&f->lock);
        local_file_resize(f, 0);
        f->dirty = 1;
        pthread_mutex_unlock(&f->lock);
    }
    h->file = f;
    return 0;
}

int fsw_open(struct fs_ctx *ctx, const char *path, struct route *r, struct fuse_file_info *fi)
{
    enum node_kind k = r->kind;
    int write_only = (r->mode & 0444) == 0;
    int rc = 0;
    struct handle *h = NULL;
    if (write_only && wants_read(fi->flags)) {
        rc = -EACCES;
    } else if (k == N_SCRATCH) {
        struct local_file *f = local_scratch_get(ctx->local, path);
        if (!f) {
            rc = -ENOENT;
        } else {
            h = handle_new(H_SCRATCH, path, r);
            h->file = f;
            if (fi->flags & O_TRUNC) {
                pthread_mutex_lock(&f->lock);
                local_file_resize(f, 0);
                pthread_mutex_unlock(&f->lock);
            }
        }
    } else if (k == N_EXECUTE || k == N_TASK_START || k == N_TASK_STOP) {
        rc = node_check(ctx, r);
        if (rc == 0)
            h = handle_new(k == N_EXECUTE ? H_EXECUTE : H_ACTION, path, r);
    } else if (node_is_document(r)) {
        h = handle_new(H_DOC, path, r);
        rc = open_doc(ctx, h, fi->flags, 0);
    } else {
        rc = -EACCES;
    }
    if (rc < 0) {
        if (h)
            handle_free(h);
        else
            route_free(r);
        return rc;
    }
    handle_attach(h, fi);
    return 0;
}

int fsw_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    struct fs_ctx *ctx = ctx_now();
    struct route r;
    if (route_resolve(path, &r) < 0)
        return -EACCES;     /* no file can be made there */
    struct handle *h = NULL;
    int rc = 0;
    if (r.kind == N_SCRATCH) {
        struct local_file *f = NULL;
        rc = local_scratch_create(ctx->local, path, mode & 07777, &f);
        if (rc == 0) {
            h = handle_new(H_SCRATCH, path, &r);
            h->file = f;
        }
    } else if (r.kind == N_RECORD) {
        h = handle_new(H_DOC, path, &r);
        rc = open_doc(ctx, h, fi->flags, 1);
    } else {
        return fsw_open(ctx, path, &r, fi);    /* O_CREAT on an existing node */
    }
    if (rc < 0) {
        if (h)
            handle_free(h);
        else
            route_free(&r);
        return rc;
    }
    handle_attach(h, fi);
    return 0;
}

int fsw_read_local(struct handle *h, char *out, size_t size, off_t off)
{
    struct local_file *f = h->file;
    pthread_mutex_lock(&f->lock);
    size_t n = 0;
    if ((size_t)off < f->data.len) {
        n = f->data.len - (size_t)off;
        if (n > size)
            n = size;
        memcpy(out, f->data.data + off, n);
    }
    pthread_mutex_unlock(&f->lock);
    return (int)n;
}

/* Send every complete request in h->pending. Returns 0 or the first -errno. */
static int run_pending_requests(struct fs_ctx *ctx, struct handle *h)
{
    for (;;) {
        /* White space after a request belongs to it even when a later
         * write() brings it: printf '{...}' then echo must not start a
         * second run with the defaults. */
        size_t ws = 0;
        while (h->after_request && ws < h->pending.len &&
               (h->pending.data[ws] == ' ' || h->pending.data[ws] == '\t' ||
                h->pending.data[ws] == '\r' || h->pending.data[ws] == '\n'))
            ws++;
        if (ws) {
            memmove(h->pending.data, h->pending.data + ws, h->pending.len - ws);
            h->pending.len -= ws;
            h->pending.data[h->pending.len] = '\0';
        }
        if (h->pending.len)
            h->after_request = 0;
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
        h->after_request = 1;
        int rc = node_execute(ctx, &h->route, body);
        free(body);
        if (rc < 0) {
            buf_reset(&h->pending);
            return rc;
        }
    }
}

int fsw_write(const char *path, const char *data, size_t size, off_t off,
              struct fuse_file_info *fi)
{
    struct fs_ctx *ctx = ctx_now();
    struct handle *h = handle_of(fi);
    int rc;
    switch (h->kind) {
    case H_EXECUTE:
        pthread_mutex_lock(&h->lock);
        buf_add(&h->pending, data, size);
        rc = run_pending_requests(ctx, h);
        pthread_mutex_unlock(&h->lock);
        return rc < 0 ? rc : (int)size;
    case H_ACTION:
        pthread_mutex_lock(&h->lock);
        rc = h->acted ? 0 : node_task_action(ctx, &h->route);
        h->acted = 1;
        pthread_mutex_unlock(&h->lock);
        return rc < 0 ? rc : (int)size;
    case H_DOC:
    case H_SCRATCH:
        sizes_forget(ctx->sizes, path, ctx->clock());
        pthread_mutex_lock(&h->file->lock);
        rc = local_file_write(h->file, data, size, off);
        if (rc >= 0)
            h->file->dirty = 1;
        pthread_mutex_unlock(&h->file->lock);
        return rc;
    default:
        return -EACCES;
    }
}

/* Send a document's buffer if it changed. Not sent when empty (an empty
 * body is never a document). On failure it stays changed, so a later close
 * or fsync tries again and reports again. */
static int commit(struct fs_ctx *ctx, struct handle *h, int only_last_writer)
{
    struct local_file *f = h->file;
    pthread_mutex_lock(&f->lock);
    if (!f->dirty || (only_last_writer && f->writers > 1)) {
        pthread_mutex_unlock(&f->lock);
        return 0;
    }
    char *text = xstrndup(f->data.data ? f->data.data : "", f->data.len);
    size_t len = f->data.len;
    struct route target = h->route;     /* shallow: ids stay the handle's */
    char *created = f->created_id ? xstrdup(f->created_id) : NULL;
    if (created)
        target.record = created;        /* a new record already POSTed: PUT now */
    f->dirty = 0;
    pthread_mutex_unlock(&f->lock);
    char *new_id = NULL;
    int rc = len ? node_save(ctx, &target, text, len, &new_id) : 0;
    free(text);
    free(created);
    pthread_mutex_lock(&f->lock);
    if (rc < 0)
        f->dirty = 1;
    if (new_id) {
        free(f->created_id);
        f->created_id = new_id;
    }
    pthread_mutex_unlock(&f->lock);
    return rc;
}

/* After a document was written through the mount, the kernel holds the
 * size its writes and truncates left, not the size of the document the
 * API now shows: drop its cached attributes so the next stat asks us. */
static void forget_kernel_size(const char *path)
{
    struct fs_ctx *ctx = ctx_now();
    sizes_forget(ctx->sizes, path, ctx->clock());
    fuse_invalidate_path(fuse_get_context()->fuse, path);
}

/* close(): flush runs for every close of every duplicate of the
 * descriptor (shells dup and close around each redirected command), so an
 * incomplete execute request is reported but kept: a later write may still
 * complete it. A document is sent by its last writer's close. */
int fsw_flush(const char *path, struct fuse_file_info *fi)
{
    struct handle *h = handle_of(fi);
    int rc = 0;
    if (h->kind == H_EXECUTE) {
        pthread_mutex_lock(&h->lock);
        if (h->pending.len > 0 && !execreq_is_blank(h->pending.data, h->pending.len)) {
            log_debug("execute for job %s: incomplete request at close; nothing sent",
                      h->route.job);
            rc = -EINVAL;
        }
        pthread_mutex_unlock(&h->lock);
    } else if (h->kind == H_DOC) {
        rc = commit(ctx_now(), h, 1);
        forget_kernel_size(path);
    }
    return rc;
}

int fsw_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    struct handle *h = handle_of(fi);
    if (!h || h->kind != H_DOC)
        return 0;
    int rc = commit(ctx_now(), h, 0);
    forget_kernel_size(path);
    return rc;
}

void fsw_release(struct fs_ctx *ctx, struct handle *h)
{
    if (h->kind == H_DOC)
        local_doc_close(ctx->local, h->path, h->file);
    else if (h->kind == H_SCRATCH)
        local_file_unref(h->file);
    h->file = NULL;
}

static int resize_local(struct local_file *f, off_t size, int mark_dirty)
{
    pthread_mutex_lock(&f->lock);
    int rc = local_file_resize(f, (size_t)size);
    if (rc == 0 && mark_dirty)
        f->dirty = 1;
    pthread_mutex_unlock(&f->lock);
    return rc;
}

/* truncate(2) of a document nobody has open: cut its current text and
 * save that (truncating to 0 sends nothing, like `: > f`). */
static int truncate_closed_doc(struct fs_ctx *ctx, const struct route *r, off_t size)
{
    if (size == 0)
        return 0;
    struct blob *text = NULL;
    int rc = current_text(ctx, r, &text);
    if (rc < 0)
        return rc;
    rc = (size_t)size > text->len ? -EINVAL :
         (size_t)size == text->len ? 0 : node_save(ctx, r, text->data, (size_t)size, NULL);
    blob_unref(text);
    return rc;
}

int fsw_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    struct fs_ctx *ctx = ctx_now();
    struct handle *h = handle_of(fi);
    if (size < 0)
        return -EINVAL;
    sizes_forget(ctx->sizes, path, ctx->clock());
    if (h && (h->kind == H_DOC || h->kind == H_SCRATCH))
        return resize_local(h->file, size, h->kind == H_DOC);
    struct route r;
    int rc = route_resolve(path, &r);
    if (rc < 0)
        return rc;
    struct local_file *f = r.kind == N_SCRATCH ? local_scratch_get(ctx->local, path)
                                               : local_doc_get(ctx->local, path);
    if (f) {
        rc = resize_local(f, size, r.kind != N_SCRATCH);
        local_file_unref(f);
    } else if (r.kind == N_SCRATCH) {
        rc = -ENOENT;
    } else if (node_is_document(&r)) {
        rc = truncate_closed_doc(ctx, &r, size);
    } else if ((r.mode & 0444) == 0) {
        rc = 0;     /* `echo > execute` truncates first: nothing to do */
    } else {
        rc = r.type == NT_DIR ? -EISDIR : -EACCES;
    }
    route_free(&r);
    return rc;
}

int fsw_unlink(const char *path)
{
    struct fs_ctx *ctx = ctx_now();
    struct route r;
    int rc = route_resolve(path, &r);
    if (rc < 0)
        return rc;
    if (r.kind == N_SCRATCH)
        rc = local_scratch_remove(ctx->local, path);
    else if (r.kind == N_RECORD)
        rc = node_delete(ctx, &r);
    else
        rc = -EACCES;
    route_free(&r);
    return rc;
}

/* Copy a document's text into a new scratch file (vim's backup rename). */
static int doc_to_scratch(struct fs_ctx *ctx, const struct route *from, const char *to)
{
    struct blob *text = NULL;
    int rc = current_text(ctx, from, &text);
    if (rc < 0)
        return rc;
    struct local_file *f = NULL;
    rc = local_scratch_create(ctx->local, to, 0644, &f);
    if (rc == 0) {
        pthread_mutex_lock(&f->lock);
        rc = local_file_write(f, text->data, text->len, 0);
        pthread_mutex_unlock(&f->lock);
        local_file_unref(f);
    }
    blob_unref(text);
    return rc < 0 ? rc : 0;
}

/* Save a scratch file's bytes as a document (python's os.replace, sed -i,
 * rsync); the scratch file goes once the API took them. */
static int scratch_to_doc(struct fs_ctx *ctx, const char *from, const struct route *to)
{
    struct local_file *f = local_scratch_get(ctx->local, from);
    if (!f)
        return -ENOENT;
    pthread_mutex_lock(&f->lock);
    char *text = xstrndup(f->data.data ? f->data.data : "", f->data.len);
    size_t len = f->data.len;
    pthread_mutex_unlock(&f->lock);
    local_file_unref(f);
    int rc = node_save(ctx, to, text, len, NULL);
    free(text);
    if (rc == 0)
        local_scratch_remove(ctx->local, from);
    return rc;
}

int fsw_rename(const char *from, const char *to, unsigned int flags)
{
    struct fs_ctx *ctx = ctx_now();
    if (flags & ~RENAME_NOREPLACE)
        return -EINVAL;
    struct route rf, rt;
    int rc = route_resolve(from, &rf);
    if (rc < 0)
        return rc;
    rc = route_resolve(to, &rt);
    if (rc < 0) {
        route_free(&rf);
        return rc == -ENOENT ? -EACCES : rc;
    }
    struct stat st;
    int target_exists = rt.kind == N_SCRATCH ? fsw_local_stat(ctx, &rt, to, &st)
                                             : node_check(ctx, &rt) == 0;
    if ((flags & RENAME_NOREPLACE) && target_exists)
        rc = -EEXIST;
    else if (strcmp(from, to) == 0)
        rc = 0;
    else if (rf.kind == N_SCRATCH && rt.kind == N_SCRATCH)
        rc = local_scratch_rename(ctx->local, from, to);
    else if (rf.kind == N_SCRATCH && node_is_document(&rt))
        rc = scratch_to_doc(ctx, from, &rt);
    else if (node_is_document(&rf) && rt.kind == N_SCRATCH)
        rc = doc_to_scratch(ctx, &rf, to);
    else
        rc = -EACCES;
    sizes_forget(ctx->sizes, to, ctx->clock());     /* its size is the moved file's now */
    route_free(&rf);
    route_free(&rt);
    return rc;
}

/* Metadata: kept for scratch files; accepted without effect on API files
 * so `cp -p`, rsync and editors do not fail. */
static int existing(const char *path)
{
    struct fs_ctx *ctx = ctx_now();
    struct route r;
    int rc = route_resolve(path, &r);
    if (rc < 0)
        return rc;
    struct stat st;
    if (!fsw_local_stat(ctx, &r, path, &st))
        rc = r.kind == N_SCRATCH ? -ENOENT : node_check(ctx, &r);
    route_free(&r);
    return rc;
}

int fsw_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    struct local_file *f = local_scratch_get(ctx_now()->local, path);
    if (!f)
        return existing(path);
    pthread_mutex_lock(&f->lock);
    f->mode = mode & 07777;
    pthread_mutex_unlock(&f->lock);
    local_file_unref(f);
    return 0;
}

int fsw_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
    return existing(path);
}

int fsw_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
    struct local_file *f = local_scratch_get(ctx_now()->local, path);
    if (!f)
        return existing(path);
    pthread_mutex_lock(&f->lock);
    if (tv && tv[1].tv_nsec != UTIME_OMIT) {
        if (tv[1].tv_nsec == UTIME_NOW)
            clock_gettime(CLOCK_REALTIME, &f->mtime);
        else
            f->mtime = tv[1];
    }
    pthread_mutex_unlock(&f->lock);
    local_file_unref(f);
    return 0;
}

int fsw_local_stat(struct fs_ctx *ctx, const struct route *r, const char *path, struct stat *st)
{
    struct local_file *f = NULL;
    if (r->kind == N_SCRATCH)
        f = local_scratch_get(ctx->local, path);
    else if (node_is_document(r))
        f = local_doc_get(ctx->local, path);
    if (!f)
        return 0;
    memset(st, 0, sizeof(*st));
    pthread_mutex_lock(&f->lock);
    st->st_mode = S_IFREG | (r->kind == N_SCRATCH ? f->mode : r->mode);
    st->st_nlink = 1;
    st->st_size = (off_t)f->data.len;
    st->st_blocks = (blkcnt_t)((f->data.len + 511) / 512);
    st->st_blksize = 4096;
    st->st_mtim = st->st_ctim = st->st_atim = f->mtime;
    pthread_mutex_unlock(&f->lock);
    st->st_uid = ctx->uid;
    st->st_gid = ctx->gid;
    local_file_unref(f);
    return 1;
}

void fsw_list_scratch(struct fs_ctx *ctx, const char *dir,
                      void (*add)(void *arg, const char *name), void *arg)
{
    local_scratch_list(ctx->local, dir, add, arg);
}
