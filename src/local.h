/* Files that live only in the mount's memory, keyed by path:
 *   - scratch files: what editors and tools create beside a document
 *     (vim's swap and backup files, sed's and rsync's temporaries, a
 *     script's x.tmp). They are never sent to the API and vanish when
 *     removed; renaming one over a document sends its bytes.
 *   - documents being written: every handle open for writing on one path
 *     shares one buffer, so the document is sent once, whole, when the last
 *     writer closes.
 * Thread-safe; every returned pointer is a reference the caller releases. */
#ifndef WRFS_LOCAL_H
#define WRFS_LOCAL_H
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"

struct local;

/* A file's bytes and metadata. Lock `lock` around any access to the fields
 * below it. */
struct local_file {
    pthread_mutex_t lock;
    struct buf data;
    mode_t mode;
    struct timespec mtime;
    int dirty;          /* documents: changed since opened */
    int writers;        /* documents: handles open for writing */
    char *created_id;   /* documents: the id a POST gave this new record */
    int refs;           /* atomic */
    struct local *owner;    /* accounts for data.len until freed */
};

struct local *local_new(size_t max_bytes);
void local_free(struct local *l);

/* Scratch files. */
/* The scratch file at path with a new reference, or NULL. */
struct local_file *local_scratch_get(struct local *l, const char *path);
/* Create (or truncate, when it exists) a scratch file. Always 0; the memory
 * cap applies when it is written (local_file_write). */
int local_scratch_create(struct local *l, const char *path, mode_t mode, struct local_file **out);
/* Remove; -ENOENT when there is none. Holders keep their reference. */
int local_scratch_remove(struct local *l, const char *path);
/* Move a scratch file to another path (replacing one there). */
int local_scratch_rename(struct local *l, const char *from, const char *to);
/* Call fn with the base name of each scratch file directly inside dir. */
void local_scratch_list(struct local *l, const char *dir,
                        void (*fn)(void *arg, const char *name), void *arg);

/* Documents open for writing. */
/* Join (creating it with `initial` bytes when new) the shared buffer of the
 * document at path; writers is incremented. */
struct local_file *local_doc_open(struct local *l, const char *path,
                                  const char *initial, size_t len);
/* Join the shared buffer of a document only if some handle already writes
 * it (writers is incremented, as by local_doc_open), else NULL. Lets a
 * caller fetch the initial bytes only when needed without racing the last
 * writer's close. */
struct local_file *local_doc_join(struct local *l, const char *path);
/* The shared buffer of a document open for writing (new reference), or
 * NULL when no handle writes it. */
struct local_file *local_doc_get(struct local *l, const char *path);
/* Leave it: writers is decremented; the buffer is dropped with the last. */
void local_doc_close(struct local *l, const char *path, struct local_file *f);

/* Release a reference from any of the above. */
void local_file_unref(struct local_file *f);

/* Grow or cut f->data to size (zero-filled); caller holds f->lock.
 * -ENOSPC when the store's cap would be exceeded. */
int local_file_resize(struct local_file *f, size_t size);
/* Write at offset (extending with zeros); caller holds f->lock. Returns
 * the bytes written or -ENOSPC. */
int local_file_write(struct local_file *f, const char *data, size_t len, off_t off);

#endif
