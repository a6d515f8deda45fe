/* libcurl transport with limiter, retries and timeouts: see http.h. */
#include "http.h"
#include "clock.h"
#include "log.h"
#include "ratelimit.h"
#include "xalloc.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct http {
    struct http_config cfg;     /* strings below owned */
    char *key_header;           /* "X-API-Key: ..." never logged */
    struct ratelimit *rl;
    int (*interrupted)(void);
    pthread_key_t handle_key;   /* per-thread CURL easy handle */
    pthread_mutex_t stats_lock;
    struct http_stats st;       /* protected by stats_lock */
    int64_t down_until;         /* atomic: reads fail fast until then */
};

/* After a request got no answer at all (timeout, reset, refused), reads
 * that a stale copy can answer do not try the server for this long: one
 * `cat` makes several requests (lookups, open), and a hung server must not
 * cost a timeout for each. Any answer from the server ends it. */
#define DOWN_MS 2000

int http_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -EIO;
}

void http_global_cleanup(void)
{
    curl_global_cleanup();
}

static void free_handle(void *p)
{
    curl_easy_cleanup(p);
}

struct http *http_new(const struct http_config *cfg, struct ratelimit *rl)
{
    if (!cfg->base_url || !cfg->api_key)
        return NULL;
    struct http *h = xcalloc(1, sizeof(*h));
    h->cfg = *cfg;
    h->cfg.base_url = xstrdup(cfg->base_url);
    h->cfg.api_key = NULL;
    h->key_header = xasprintf("X-API-Key: %s", cfg->api_key);
    h->rl = rl;
    pthread_key_create(&h->handle_key, free_handle);
    pthread_mutex_init(&h->stats_lock, NULL);
    return h;
}

void http_free(struct http *h)
{
    if (!h)
        return;
    CURL *mine = pthread_getspecific(h->handle_key);
    if (mine)
        curl_easy_cleanup(mine);
    pthread_key_delete(h->handle_key);
    free((char *)h->cfg.base_url);
    explicit_bzero(h->key_header, strlen(h->key_header));
    free(h->key_header);
    pthread_mutex_destroy(&h->stats_lock);
    free(h);
}

void http_set_interrupt_check(struct http *h, int (*interrupted)(void))
{
    h->interrupted = interrupted;
}

static CURL *thread_handle(struct http *h)
{
    CURL *c = pthread_getspecific(h->handle_key);
    if (!c) {
        c = curl_easy_init();
        if (!c)
            return NULL;
        pthread_setspecific(h->handle_key, c);
    }
    return c;
}

/* Per-transfer state handed to libcurl callbacks. */
struct transfer {
    struct http *h;
    struct buf *body;
    int too_big;
    int interrupted;
    int64_t retry_after_ms;     /* -1 when absent */
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct transfer *t = arg;
    size_t n = size * nmemb;
    if (t->body->len + n > t->h->cfg.max_body) {
        t->too_big = 1;
        return 0;
    }
    buf_add(t->body, data, n);
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
    struct transfer *t = arg;
    size_t n = size * nmemb;
    static const char name[] = "retry-after:";
    if (n > sizeof(name) && strncasecmp(data, name, sizeof(name) - 1) == 0) {
        char tmp[64];
        size_t len = n - (sizeof(name) - 1);
        if (len >= sizeof(tmp))
            len = sizeof(tmp) - 1;
        memcpy(tmp, data + sizeof(name) - 1, len);
        tmp[len] = '\0';
        char *end;
        long secs = strtol(tmp, &end, 10);
        if (end != tmp && secs >= 0 && secs < 86400)
            t->retry_after_ms = secs * 1000;
    }
    return n;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    struct transfer *t = arg;
    if (t->h->interrupted && t->h->interrupted()) {
        t->interrupted = 1;
        return 1;
    }
    return 0;
}

static void count_sent(struct http *h, const char *method)
{
    pthread_mutex_lock(&h->stats_lock);
    if (strcmp(method, "GET") == 0)
        h->st.sent_get++;
    else if (strcmp(method, "POST") == 0)
        h->st.sent_post++;
    else if (strcmp(method, "PUT") == 0)
        h->st.sent_put++;
    else
        h->st.sent_delete++;
    pthread_mutex_unlock(&h->stats_lock);
}

static void count(struct http *h, uint64_t *field)
{
    pthread_mutex_lock(&h->stats_lock);
    (*field)++;
    pthread_mutex_unlock(&h->stats_lock);
}

/* One attempt. Returns the CURLcode; fills *status and t. */
static CURLcode attempt(struct http *h, CURL *c, const struct http_request *req,
                        int64_t remaining_ms, struct transfer *t, long *status)
{
    curl_easy_reset(c);
    char *url = xasprintf("%s%s", h->cfg.base_url, req->target);
    struct curl_slist *hdrs = NULL;
    hdrs = curl_slist_append(hdrs, h->key_header);
    hdrs = curl_slist_append(hdrs, "Accept: application/json");
    if (req->body)
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "webrobotfs/0.1");
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
    if (strcmp(req->method, "GET") == 0)
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    if (req->body || strcmp(req->method, "GET") != 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(req->body ? req->body_len : 0));
    }
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    /* libcurl silently re-sends a request that got no answer on a reused
     * connection; a change must never be sent twice, so it gets its own. */
    curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, strcmp(req->method, "GET") != 0 ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)(h->cfg.connect_timeout_ms < remaining_ms ? h->cfg.connect_timeout_ms : remaining_ms));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)remaining_ms);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 15L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, t);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    if (h->cfg.insecure) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    CURLcode rc = curl_easy_perform(c);
    *status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(hdrs);
    free(url);
    return rc;
}

static int is_read(const struct http_request *req)
{
    return strcmp(req->method, "GET") == 0;
}

/* Backoff before retry n (0-based): 250 ms doubling, capped at 4 s, with
 * full jitter in its upper half. */
static int64_t backoff_ms(int n)
{
    int64_t base = 250LL << (n < 4 ? n : 4);
    return base / 2 + (int64_t)(random() % (base / 2 + 1));
}

static int sleep_interruptibly(struct http *h, int64_t ms)
{
    while (ms > 0) {
        if (h->interrupted && h->interrupted())
            return -EINTR;
        int64_t step = ms < 100 ? ms : 100;
        struct timespec ts = { step / 1000, (step % 1000) * 1000000L };
        nanosleep(&ts, NULL);
        ms -= step;
    }
    return 0;
}

int http_perform(struct http *h, const struct http_request *req, struct http_response *resp)
{
    memset(resp, 0, sizeof(*resp));
    CURL *c = thread_handle(h);
    if (!c)
        return -EIO;
    int64_t start = clock_now_ms();
    int64_t deadline = start + (req->timeout_ms > 0 ? req->timeout_ms : h->cfg.timeout_ms);
    enum rl_prio prio = is_read(req) ? RL_READ : RL_WRITE;
    if (req->fail_fast) {
        /* A stale copy can answer: do not make the reader wait long for a
         * server that hangs, nor at all for one that just did. */
        if (start < __atomic_load_n(&h->down_until, __ATOMIC_RELAXED)) {
            log_debug("%s %s: no answer from the server lately; the stale copy answers",
                      req->method, req->target);
            return -EIO;
        }
        int64_t short_ms = h->cfg.timeout_ms / 3 > 1000 ? h->cfg.timeout_ms / 3 : 1000;
        if (deadline - start > short_ms)
            deadline = start + short_ms;
    }
    for (int tries = 0;; tries++) {
        int64_t now = clock_now_ms();
        int slot = req->fail_fast
                       ? rl_try_take(h->rl, prio, now, NULL)
                       : rl_acquire(h->rl, prio, deadline, h->interrupted);
        if (slot < 0) {
            log_debug("%s %s: throttled by the client-side rate limit", req->method, req->target);
            return slot == -EINTR ? -EINTR : -EAGAIN;
        }
        struct transfer t = { h, &resp->body, 0, 0, -1 };
        buf_reset(&resp->body);
        int64_t remaining = deadline - clock_now_ms();
        if (remaining < 1)
            remaining = 1;
        count_sent(h, req->method);
        long status = 0;
        CURLcode rc = attempt(h, c, req, remaining, &t, &status);
        rl_complete(h->rl, slot, clock_now_ms());
        now = clock_now_ms();

        int retry = 0;
        int64_t wait = backoff_ms(tries);
        if (t.interrupted) {
            buf_free(&resp->body);
            return -EINTR;
        }
        if (t.too_big) {
            log_warn("%s %s: response larger than max_body (%zu bytes), refused",
                     req->method, req->target, h->cfg.max_body);
            buf_free(&resp->body);
            return -EFBIG;
        }
        if (rc == CURLE_OK)
            __atomic_store_n(&h->down_until, 0, __ATOMIC_RELAXED);
        if (rc != CURLE_OK) {
            count(h, &h->st.transport_errors);
            __atomic_store_n(&h->down_until, now + DOWN_MS, __ATOMIC_RELAXED);
            log_warn("%s %s: %s", req->method, req->target, curl_easy_strerror(rc));
            retry = is_read(req) || rc == CURLE_COULDNT_CONNECT;
            if (!retry || req->fail_fast || now + wait >= deadline) {
                buf_free(&resp->body);
                return -EIO;
            }
        } else if (status == 429) {
            count(h, &h->st.responses_429);
            if (t.retry_after_ms >= 0)
                wait = t.retry_after_ms;
            rl_pause_until(h->rl, now + wait);
            log_warn("%s %s: 429 from the server, pausing requests for %lld ms",
                     req->method, req->target, (long long)wait);
            retry = 1;
        } else if (status >= 500 && is_read(req)) {
            log_warn("%s %s: HTTP %ld", req->method, req->target, status);
            retry = 1;
        }
        log_debug("%s %s -> %ld (%lld ms)", req->method, req->target, status,
                  (long long)(now - start));
        if (!retry || req->fail_fast || now + wait >= deadline) {
            resp->status = status;
            return 0;
        }
        count(h, &h->st.retries);
        if (sleep_interruptibly(h, wait) < 0) {
            buf_free(&resp->body);
            return -EINTR;
        }
    }
}

void http_get_stats(struct http *h, struct http_stats *st)
{
    pthread_mutex_lock(&h->stats_lock);
    *st = h->st;
    pthread_mutex_unlock(&h->stats_lock);
}
