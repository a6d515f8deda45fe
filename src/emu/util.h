/* util.h — clock, hashing and small containers shared by every emulator
 * module.
 *
 * Out-of-memory policy: the project's one (src/xalloc.h, shared with the
 * filesystem): every allocation goes through xmalloc and friends, which
 * print a message and abort() on failure. cJSON is given the same
 * allocator in main.c, so no caller ever checks an allocation for NULL. */
#ifndef EMU_UTIL_H
#define EMU_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "xalloc.h"     /* src/xalloc.h */

/* One instant seen through two clocks: `mono` (CLOCK_MONOTONIC, seconds) for
 * durations, `wall` (CLOCK_REALTIME, seconds since the epoch) for timestamps. */
struct emu_now {
	double mono;
	double wall;
};

/* Reads both clocks. */
struct emu_now util_now(void);

/* Formats `wall` as ISO 8601 UTC with second precision ("2026-12-03T15:30:00Z")
 * into out (at least 32 bytes). */
void util_iso8601(double wall, char out[32]);

/* Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z" into epoch seconds. Returns 0, or
 * -EINVAL for anything else (out untouched). */
int util_parse_iso8601(const char *s, double *out);

/* splitmix64 finaliser: a cheap, well-mixed 64-bit hash step. */
uint64_t util_mix64(uint64_t x);
/* FNV-1a of a string, then mixed; stable across runs. */
uint64_t util_hash_str(const char *s);

/* A growable array of pointers; elements are owned by whoever pushed them. */
struct ptrvec {
	void **v;
	size_t n, cap;
};

/* Appends p (never fails). */
void ptrvec_push(struct ptrvec *pv, void *p);
/* Removes element i, keeping order. */
void ptrvec_remove(struct ptrvec *pv, size_t i);
/* Frees the array itself, not the elements; leaves pv empty. */
void ptrvec_release(struct ptrvec *pv);

/* A growable byte string, always NUL-terminated once anything was added.
 * Start from {0}; take the result with sbuf_take or drop it with free(b.s). */
struct sbuf {
	char *s;
	size_t len, cap;
};

/* Makes room for n more bytes (plus the NUL). */
void sbuf_reserve(struct sbuf *b, size_t n);
void sbuf_add(struct sbuf *b, const char *p, size_t n);
void sbuf_addc(struct sbuf *b, char c);
void sbuf_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends p[0..n) as a quoted JSON string (escaping as cJSON does). */
void sbuf_add_json_string(struct sbuf *b, const char *p, size_t n);
/* The string (never NULL; "" when empty) and its length; b is left empty. */
char *sbuf_take(struct sbuf *b, size_t *len);

#endif
