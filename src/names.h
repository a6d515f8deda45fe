/* Ids from the API are untrusted text. This module turns them into file
 * names that keep the tree sound, back again, and into URL path segments
 * that can never reach another API path.
 *
 * File-name encoding (reversible): '%', '/', control bytes and DEL become
 * %XX; an id that is "." or ".." or that equals a reserved sibling name
 * ("latest", "by-name") has its first byte encoded; the empty id is "%".
 * An id whose name would be longer than 240 bytes is named "~<16 hex>" (a
 * hash) and decodes back once this process has encoded it (from a listing). */
#ifndef WRFS_NAMES_H
#define WRFS_NAMES_H
#include <stddef.h>

struct buf;

/* Append the file name for an API id. */
void names_encode(struct buf *out, const char *id);
/* Decode a file name back to the id (caller frees). NULL when the name is
 * not a valid encoding (a lone '%' in the middle, bad hex, a decoded NUL,
 * or a name that names_encode would never produce). */
char *names_decode(const char *name);
/* Percent-decode s (caller frees); NULL on bad hex or a decoded NUL. */
char *names_pct_decode(const char *s);
/* Append id percent-encoded for use as one URL path segment or query value:
 * every byte except A-Z a-z 0-9 - . _ ~ becomes %XX, and "." / ".." are
 * encoded too, so the result is always exactly one opaque segment. */
void names_url_segment(struct buf *out, const char *id);

#endif
