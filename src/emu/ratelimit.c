/* ratelimit.c — per-key sliding-window limiter for the emulator: each key
 * keeps the times of its accepted requests in a ring buffer that grows up to
 * the limit; requests older than 60 s fall out of the front. Rejected
 * requests are not recorded, so a client hammering at 429 does not push its
 * own reopening further away. */
#include "ratelimit.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#define RL_WINDOW 60.0

struct rl_key {
	char *key;
	double *t;        /* ring of accepted request times */
	size_t head, n, cap;
	UT_hash_handle hh;
};

struct rl {
	pthread_mutex_t lock;
	long limit;
	struct rl_key *keys;  /* protected by lock */
};

struct rl *rl_new(long per_minute)
{
	struct rl *rl = xcalloc(1, sizeof(*rl));

	pthread_mutex_init(&rl->lock, NULL);
	rl->limit = per_minute < 1 ? 1 : per_minute;
	return rl;
}

static void free_keys(struct rl *rl)
{
	struct rl_key *k, *tmp;

	HASH_ITER(hh, rl->keys, k, tmp) {
		HASH_DEL(rl->keys, k);
		free(k->key);
		free(k->t);
		free(k);
	}
}

void rl_free(struct rl *rl)
{
	if (!rl)
		return;
	free_keys(rl);
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

void rl_reset(struct rl *rl)
{
	pthread_mutex_lock(&rl->lock);
	free_keys(rl);
	pthread_mutex_unlock(&rl->lock);
}

static void grow(struct rl_key *k, size_t limit)
{
	size_t ncap = k->cap ? k->cap * 2 : 16;
	double *t;
	size_t i;

	if (ncap > limit)
		ncap = limit;
	t = xmalloc(ncap * sizeof(*t));
	for (i = 0; i < k->n; i++)
		t[i] = k->t[(k->head + i) % k->cap];
	free(k->t);
	k->t = t;
	k->head = 0;
	k->cap = ncap;
}

int rl_take(struct rl *rl, const char *key, double now, long *retry_after)
{
	struct rl_key *k;
	int rc = 0;

	pthread_mutex_lock(&rl->lock);
	HASH_FIND_STR(rl->keys, key, k);
	if (!k) {
		k = xcalloc(1, sizeof(*k));
		k->key = xstrdup(key);
		HASH_ADD_KEYPTR(hh, rl->keys, k->key, strlen(k->key), k);
	}
	while (k->n > 0 && k->t[k->head] <= now - RL_WINDOW) {
		k->head = (k->head + 1) % k->cap;
		k->n--;
	}
	if ((long)k->n >= rl->limit) {
		double wait = k->t[k->head] + RL_WINDOW - now;
		long secs = (long)ceil(wait);

		*retry_after = secs < 1 ? 1 : secs;
		rc = -EAGAIN;
	} else {
		if (k->n == k->cap)
			grow(k, (size_t)rl->limit);
		k->t[(k->head + k->n) % k->cap] = now;
		k->n++;
	}
	pthread_mutex_unlock(&rl->lock);
	return rc;
}
