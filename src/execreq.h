/* The `execute` file's request parser. Bytes written to one open `execute`
 * accumulate until they form a complete request:
 *   - a line holding only white space (`echo > execute`): run with defaults;
 *   - a JSON object {"arguments":[...],"cloudCredentialIds":[...]}, possibly
 *     split over many write() calls.
 * Anything else is invalid and is rejected before anything is sent. */
#ifndef WRFS_EXECREQ_H
#define WRFS_EXECREQ_H
#include <stddef.h>

enum execreq_state {
    EXECREQ_NEED_MORE,   /* nothing complete yet (possibly nothing at all) */
    EXECREQ_READY,       /* *body holds the request to POST */
    EXECREQ_INVALID,     /* the input can never become a valid request */
};

/* Largest request accepted, so a runaway writer cannot grow memory. */
#define EXECREQ_MAX 65536

/* Look at the first request in data[0..len). On READY, *body is the JSON
 * body to send (caller frees) and *consumed the bytes it used. On INVALID, *why is a
 * static reason. On NEED_MORE nothing is set. All white space after a
 * request belongs to it: "{...}\n\n" and "\n\n" are one request each. */
enum execreq_state execreq_take(const char *data, size_t len, char **body,
                                size_t *consumed, const char **why);
/* 1 when data holds nothing but white space without a newline (closing
 * then sends nothing and is no error). */
int execreq_is_blank(const char *data, size_t len);

#endif
