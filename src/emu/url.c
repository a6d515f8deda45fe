/* url.c — percent-decoding, path segmentation and query parsing for the
 * emulator. Routing works on decoded segments, never on a decoded path, so
 * "%2F" inside an id cannot reach another route. */
#include "url.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *url_decode(const char *s, size_t len, int plus_space)
{
	char *out = xmalloc(len + 1);
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				goto bad;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				goto bad;
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_space) {
			out[o++] = ' ';
		} else if (c == '\0') {
			goto bad;
		} else {
			out[o++] = c;
		}
	}
	out[o] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

int url_split_path(const char *raw, struct url_path *out)
{
	const char *p;

	out->seg = NULL;
	out->nseg = 0;
	if (raw[0] != '/')
		return -EINVAL;
	p = raw + 1;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		char *seg = url_decode(p, len, 0);

		if (!seg) {
			url_path_free(out);
			return -EINVAL;
		}
		out->seg = xrealloc(out->seg, (out->nseg + 1) * sizeof(*out->seg));
		out->seg[out->nseg++] = seg;
		if (!slash)
			break;
		p = slash + 1;
	}
	return 0;
}

void url_path_free(struct url_path *p)
{
	size_t i;

	for (i = 0; i < p->nseg; i++)
		free(p->seg[i]);
	free(p->seg);
	p->seg = NULL;
	p->nseg = 0;
}

int url_parse_query(const char *raw, struct url_query *out)
{
	const char *p = raw;

	out->key = out->val = NULL;
	out->n = 0;
	while (*p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		char *k, *v;

		if (len > 0) {
			if (eq) {
				k = url_decode(p, (size_t)(eq - p), 1);
				v = url_decode(eq + 1, len - (size_t)(eq - p) - 1, 1);
			} else {
				k = url_decode(p, len, 1);
				v = xstrdup("");
			}
			if (!k || !v) {
				free(k);
				free(v);
				url_query_free(out);
				return -EINVAL;
			}
			out->key = xrealloc(out->key, (out->n + 1) * sizeof(char *));
			out->val = xrealloc(out->val, (out->n + 1) * sizeof(char *));
			out->key[out->n] = k;
			out->val[out->n] = v;
			out->n++;
		}
		if (!amp)
			break;
		p = amp + 1;
	}
	return 0;
}

void url_query_free(struct url_query *q)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		free(q->key[i]);
		free(q->val[i]);
	}
	free(q->key);
	free(q->val);
	q->key = q->val = NULL;
	q->n = 0;
}

const char *url_query_get(const struct url_query *q, const char *key)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		if (strcmp(q->key[i], key) == 0)
			return q->val[i];
	return NULL;
}
