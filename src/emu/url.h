/* url.h — turning a raw request target into what routing needs: the path
 * split on '/' into percent-decoded segments (so an id holding an encoded
 * "%2F" stays one segment), and the query string into decoded pairs. */
#ifndef EMU_URL_H
#define EMU_URL_H

#include <stddef.h>

struct url_path {
	char **seg;   /* decoded segments, owned */
	size_t nseg;
};

struct url_query {
	char **key;   /* decoded, owned */
	char **val;   /* decoded, owned; "" for a bare "key" */
	size_t n;
};

/* Splits raw ("/a/b%2Fc" -> {"a", "b/c"}). Returns 0, or -EINVAL when the path
 * does not start with '/', holds a bad escape or an escaped NUL; out is then
 * empty. Release with url_path_free. */
int url_split_path(const char *raw, struct url_path *out);
void url_path_free(struct url_path *p);

/* Parses "a=1&b=x%20y" ('+' is a space). Returns 0, or -EINVAL on a bad escape
 * or escaped NUL; out is then empty. Release with url_query_free. */
int url_parse_query(const char *raw, struct url_query *out);
void url_query_free(struct url_query *q);

/* First value for key, or NULL when absent. Borrowed from q. */
const char *url_query_get(const struct url_query *q, const char *key);

/* Percent-decodes s[0..len) into a new string; plus_space turns '+' into ' '.
 * Returns NULL on a malformed escape or an escaped NUL. Caller frees. */
char *url_decode(const char *s, size_t len, int plus_space);

#endif
