/* What size the kernel believes each file has. With attribute caching on,
 * the kernel answers reads from its page cache up to the size we last
 * reported, so serving a file through the page cache is only correct when
 * that size is the size of the text being read. This book records the
 * sizes getattr reported per path and says when the kernel's copy must
 * match: the same size, reported with no change for longer than the
 * attribute timeout. Anything else is read with direct_io. Thread-safe. */
#ifndef WRFS_SIZES_H
#define WRFS_SIZES_H
#include <stdint.h>

struct size_book;

/* settle_ms: the kernel's attribute timeout plus a margin. max_paths caps
 * memory (the book forgets everything when full: safe, only slower). */
struct size_book *sizes_new(int64_t settle_ms, unsigned max_paths);
void sizes_free(struct size_book *b);
/* Record that getattr told the kernel `size` for path at time now. */
void sizes_reported(struct size_book *b, const char *path, uint64_t size, int64_t now);
/* The kernel changed path's size itself (a write or truncate through the
 * mount): its size is unknown to the book until getattr reports again. */
void sizes_forget(struct size_book *b, const char *path, int64_t now);
/* 1 when the kernel's cached size for path must be exactly `size`. */
int sizes_kernel_agrees(struct size_book *b, const char *path, uint64_t size, int64_t now);

#endif
