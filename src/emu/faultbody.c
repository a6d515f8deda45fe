/* faultbody.c — a response body made of segments (the original body split
 * where the padding goes, the padding's opening and closing text, and the
 * padding itself, generated on the fly), served by an MHD content reader.
 * The reader can stop at half the declared length (MHD then closes the
 * connection, so the client sees a body cut short) and can pace itself to
 * a byte rate by sleeping before each small chunk; it runs in the
 * connection's own thread (one thread per connection), so sleeping there
 * delays nobody else. */
#include "faultbody.h"
#include "fault.h"
#include "util.h"

#include <math.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE (64 * 1024)
#define PAD_MEMBER "\"_emu_padding\":\""
#define DRIP_TICKS_PER_SEC 10

struct segment {
	const char *p;     /* bytes, or NULL for n copies of fill */
	uint64_t n;
	char fill;
};

struct faultbody {
	char *body;
	struct segment seg[6];     /* head , "member":" padding " tail */
	size_t nseg;
	uint64_t total, limit;     /* declared length; bytes actually sent */
	long rate;
	double t0;                 /* monotonic time of the first call */
	struct fault *fault;
};

static void add_seg(struct faultbody *fb, const char *p, uint64_t n, char fill)
{
	if (!n)
		return;
	if (fb->nseg == sizeof(fb->seg) / sizeof(fb->seg[0]))
		abort();   /* layout() never adds more */
	fb->seg[fb->nseg++] = (struct segment){ .p = p, .n = n, .fill = fill };
	fb->total += n;
}

/* Index of the last non-space byte of s[0..len) before `end`, or -1. */
static long last_nonspace(const char *s, size_t end)
{
	while (end > 0) {
		char c = s[--end];

		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			return (long)end;
	}
	return -1;
}

static void layout(struct faultbody *fb, size_t len, uint64_t pad)
{
	long close = pad ? last_nonspace(fb->body, len) : -1;

	if (pad && close >= 0 && fb->body[close] == '}') {
		long before = last_nonspace(fb->body, (size_t)close);
		int empty = before >= 0 && fb->body[before] == '{';

		add_seg(fb, fb->body, (uint64_t)close, 0);
		if (!empty)
			add_seg(fb, ",", 1, 0);
		add_seg(fb, PAD_MEMBER, sizeof(PAD_MEMBER) - 1, 0);
		add_seg(fb, NULL, pad, 'x');
		add_seg(fb, "\"", 1, 0);
		add_seg(fb, fb->body + close, len - (size_t)close, 0);
	} else {
		/* not an object: whitespace keeps any JSON value valid */
		add_seg(fb, fb->body, len, 0);
		add_seg(fb, NULL, pad, ' ');
	}
}

/* Copies bytes [pos, pos + n) of the segments into buf. */
static void copy_out(const struct faultbody *fb, uint64_t pos, char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < fb->nseg && n > 0; i++) {
		const struct segment *s = &fb->seg[i];
		size_t k;

		if (pos >= s->n) {
			pos -= s->n;
			continue;
		}
		k = s->n - pos < n ? (size_t)(s->n - pos) : n;
		if (s->p)
			memcpy(buf, s->p + pos, k);
		else
			memset(buf, s->fill, k);
		buf += k;
		n -= k;
		pos = 0;
	}
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct faultbody *fb = cls;
	size_t n;

	if (pos >= fb->limit)
		return pos >= fb->total ? MHD_CONTENT_READER_END_OF_STREAM
					: MHD_CONTENT_READER_END_WITH_ERROR;
	n = fb->limit - pos < max ? (size_t)(fb->limit - pos) : max;
	if (fb->rate > 0) {
		size_t chunk = (size_t)(fb->rate / DRIP_TICKS_PER_SEC);
		double due, wait;

		if (chunk < 1)
			chunk = 1;
		if (n > chunk)
			n = chunk;
		if (pos == 0)
			fb->t0 = util_now().mono;
		due = fb->t0 + (double)pos / (double)fb->rate;
		wait = due - util_now().mono;
		if (wait > 0 && fault_sleep_ms(fb->fault, (long)ceil(wait * 1000.0)) != 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	copy_out(fb, pos, buf, n);
	return (ssize_t)n;
}

static void release(void *cls)
{
	struct faultbody *fb = cls;

	free(fb->body);
	free(fb);
}

struct MHD_Response *faultbody_response(char *body, size_t len,
					const struct faultbody_opts *opts)
{
	struct faultbody *fb = xcalloc(1, sizeof(*fb));
	struct MHD_Response *mr;

	fb->body = body;
	fb->rate = opts->drip_bytes_per_sec;
	fb->fault = opts->fault;
	layout(fb, len, opts->pad_bytes);
	fb->limit = opts->truncate ? fb->total / 2 : fb->total;
	mr = MHD_create_response_from_callback(fb->total, BLOCK_SIZE, reader, fb, release);
	if (!mr)
		release(fb);
	return mr;
}
