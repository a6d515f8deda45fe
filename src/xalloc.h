/* Out-of-memory policy for the filesystem and the emulator, decided once: a daemon that
 * cannot allocate a few bytes cannot answer FUSE correctly either, so every
 * allocation goes through these wrappers, which abort with a message instead
 * of returning NULL. Callers never check for NULL. */
#ifndef WRFS_XALLOC_H
#define WRFS_XALLOC_H
#include <stddef.h>

/* malloc/calloc/realloc/strdup that abort on failure; never return NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string the caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
