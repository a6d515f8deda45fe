/* In-memory scratch files and shared document buffers: see local.h. */
#include "local.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

struct slot {
    char *path;
    struct local_file *file;
    UT_hash_handle hh;
};

struct local {
    pthread_mutex_t lock;
    struct slot *scratch;       /* protected by lock */
    struct slot *docs;          /* protected by lock */
    size_t max_bytes;
    size_t bytes;               /* atomic: bytes held by all files */
};

struct local *local_new(size_t max_bytes)
{
    struct local *l = xcalloc(1, sizeof(*l));
    pthread_mutex_init(&l->lock, NULL);
    l->max_bytes = max_bytes;
    return l;
}

static struct local_file *file_new(struct local *l, mode_t mode)
{
    struct local_file *f = xcalloc(1, sizeof(*f));
    f->owner = l;
    pthread_mutex_init(&f->lock, NULL);
    f->mode = mode;
    f->refs = 1;
    clock_gettime(CLOCK_REALTIME, &f->mtime);
    return f;
}

static struct local_file *file_ref(struct local_file *f)
{
    __atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
    return f;
}

void local_file_unref(struct local_file *f)
{
    if (!f || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    __atomic_sub_fetch(&f->owner->bytes, f->data.len, __ATOMIC_RELAXED);
    buf_free(&f->data);
    free(f->created_id);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

static void drop_slot(struct slot **table, struct slot *s)
{
    HASH_DEL(*table, s);
    local_file_unref(s->file);
    free(s->path);
    free(s);
}

void local_free(struct local *l)
{
    if (!l)
        return;
    struct slot *s, *tmp;
    HASH_ITER(hh, l->scratch, s, tmp)
        drop_slot(&l->scratch, s);
    HASH_ITER(hh, l->docs, s, tmp)
        drop_slot(&l->docs, s);
    pthread_mutex_destroy(&l->lock);
    free(l);
}

static struct slot *find(struct slot *table, const char *path)
{
    struct slot *s;
    HASH_FIND_STR(table, path, s);
    return s;
}

static struct slot *add(struct slot **table, const char *path, struct local_file *f)
{
    struct slot *s = xcalloc(1, sizeof(*s));
    s->path = xstrdup(path);
    s->file = f;
    HASH_ADD_KEYPTR(hh, *table, s->path, strlen(s->path), s);
    return s;
}

struct local_file *local_scratch_get(struct local *l, const char *path)
{
    pthread_mutex_lock(&l->lock);
    struct slot *s = find(l->scratch, path);
    struct local_file *f = s ? file_ref(s->file) : NULL;
    pthread_mutex_unlock(&l->lock);
    return f;
}

int local_scratch_create(struct local *l, const char *path, mode_t mode, struct local_file **out)
{
    pthread_mutex_lock(&l->lock);
    struct slot *s = find(l->scratch, path);
    if (s) {
        pthread_mutex_lock(&s->file->lock);
        local_file_resize(s->file, 0);
        pthread_mutex_unlock(&s->file->lock);
    } else {
        s = add(&l->scratch, path, file_new(l, mode));
    }
    *out = file_ref(s->file);
    pthread_mutex_unlock(&l->lock);
    return 0;
}

int local_scratch_remove(struct local *l, const char *path)
{
    pthread_mutex_lock(&l->lock);
    struct slot *s = find(l->scratch, path);
    if (s)
        drop_slot(&l->scratch, s);
    pthread_mutex_unlock(&l->lock);
    return s ? 0 : -ENOENT;
}

int local_scratch_rename(struct local *l, const char *from, const char *to)
{
    pthread_mutex_lock(&l->lock);
    struct slot *s = find(l->scratch, from);
    int rc = -ENOENT;
    if (s) {
        struct slot *old = find(l->scratch, to);
        if (old && old != s)
            drop_slot(&l->scratch, old);
        struct local_file *f = file_ref(s->file);
        drop_slot(&l->scratch, s);
        add(&l->scratch, to, f);
        rc = 0;
    }
    pthread_mutex_unlock(&l->lock);
    return rc;
}

void local_scratch_list(struct local *l, const char *dir,
                        void (*fn)(void *arg, const char *name), void *arg)
{
    size_t n = strlen(dir);
    pthread_mutex_lock(&l->lock);
    struct slot *s, *tmp;
    HASH_ITER(hh, l->scratch, s, tmp) {
        if (strncmp(s->path, dir, n) == 0 && s->path[n] == '/' && !strchr(s->path + n + 1, '/'))
            fn(arg, s->path + n + 1);
    }
    pthread_mutex_unlock(&l->lock);
}

struct local_file *local_doc_open(struct local *l, const char *path,
                                  const char *initial, size_t len)
{
    pthread_mutex_lock(&l->lock);
    struct slot *s = find(l->docs, path);
    if (!s) {
        s = add(&l->docs, path, file_new(l, 0644));
        buf_add(&s->file->data, initial, len);
        __atomic_add_fetch(&l->bytes, len, __ATOMIC_RELAXED);
    }
    struct local_file *f = file_ref(s->file);
    pthread_mutex_lock(&f->lock);
    f->writers++;
    pthread_mutex_unlock(&f->lock);
    pthread_mutex_unlock(&l->lock);
    return f;
}

struct local_file *local_doc_join(struct local *l, const char *path)
{
    pthread_mutex_lock(&l->lock);
    struct slot *s = find(l->docs, path);
    struct local_file *f = s ? file_ref(s->file) : NULL;
    if (f) {
        pthread_mutex_lock(&f->lock);
        f->writers++;
        pthread_mutex_unlock(&f->lock);
    }
    pthread_mutex_unlock(&l->lock);
    return f;
}

struct local_file *local_doc_get(struct local *l, const char *path)
{
    pthread_mutex_lock(&l->lock);
    struct slot *s = find(l->docs, path);
    struct local_file *f = s ? file_ref(s->file) : NULL;
    pthread_mutex_unlock(&l->lock);
    return f;
}

void local_doc_close(struct local *l, const char *path, struct local_file *f)
{
    pthread_mutex_lock(&l->lock);
    pthread_mutex_lock(&f->lock);
    int last = --f->writers == 0;
    pthread_mutex_unlock(&f->lock);
    struct slot *s = find(l->docs, path);
    if (last && s && s->file == f)
        drop_slot(&l->docs, s);
    pthread_mutex_unlock(&l->lock);
    local_file_unref(f);
}

int local_file_resize(struct local_file *f, size_t size)
{
    struct local *l = f->owner;
    size_t old = f->data.len;
    if (size > old) {
        if (__atomic_load_n(&l->bytes, __ATOMIC_RELAXED) + (size - old) > l->max_bytes)
            return -ENOSPC;
        size_t grow = size - old;
        char *zeros = xcalloc(1, grow);
        buf_add(&f->data, zeros, grow);
        free(zeros);
        __atomic_add_fetch(&l->bytes, grow, __ATOMIC_RELAXED);
    } else {
        f->data.len = size;
        if (f->data.data)
            f->data.data[size] = '\0';
        __atomic_sub_fetch(&l->bytes, old - size, __ATOMIC_RELAXED);
    }
    clock_gettime(CLOCK_REALTIME, &f->mtime);
    return 0;
}

int local_file_write(struct local_file *f, const char *data, size_t len, off_t off)
{
    if (len == 0)
        return 0;       /* as pwrite(2): no bytes, no change, even past the end */
    size_t end = (size_t)off + len;
    if (end > f->data.len) {
        int rc = local_file_resize(f, end);
        if (rc < 0)
            return rc;
    }
    memcpy(f->data.data + off, data, len);
    clock_gettime(CLOCK_REALTIME, &f->mtime);
    return (int)len;
}
