/* A growable byte buffer (like curl's dynbuf): HTTP bodies, rendered file
 * text and request paths are all built with it. */
#ifndef WRFS_BUF_H
#define WRFS_BUF_H
#include <stddef.h>

struct buf {
    char *data;   /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

/* Append bytes; the buffer stays NUL-terminated. Aborts on OOM. */
void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empty the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/* Take the contents (caller frees; never NULL) and leave the buffer empty. */
char *buf_steal(struct buf *b);
/* Free the contents. */
void buf_free(struct buf *b);

#endif
