/* Encoding of untrusted ids into file names and URL segments: see names.h. */
#include "names.h"
#include "buf.h"
#include "xalloc.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

static const char hexdigits[] = "0123456789ABCDEF";

static void add_pct(struct buf *out, unsigned char c)
{
    char t[3] = { '%', hexdigits[c >> 4], hexdigits[c & 15] };
    buf_add(out, t, 3);
}

static int is_reserved_name(const char *id)
{
    return id[0] == '~' ||     /* "~<hash>" names long ids */
           strcmp(id, ".") == 0 || strcmp(id, "..") == 0 ||
           strcmp(id, "latest") == 0 || strcmp(id, "by-name") == 0;
}

static int must_escape_in_name(unsigned char c)
{
    return c == '%' || c == '/' || c < 0x20 || c == 0x7f;
}

/* Ids whose encoding would pass NAME_MAX (with room for a ".json" suffix)
 * are named "~<64-bit hash in hex>" instead, and remembered here so the
 * name decodes back. The one piece of shared state in this module: the
 * ids are learned from listings, so it lives as long as the process. */
#define LONG_NAME_LIMIT 240

struct long_id {
    char name[20];
    char *id;
    UT_hash_handle hh;
};

static pthread_mutex_t long_ids_lock = PTHREAD_MUTEX_INITIALIZER;
static struct long_id *long_ids;    /* protected by long_ids_lock */

static uint64_t hash_id(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static void encode_long(struct buf *out, const char *id)
{
    char name[20];
    snprintf(name, sizeof(name), "~%016" PRIx64, hash_id(id));
    pthread_mutex_lock(&long_ids_lock);
    struct long_id *e;
    HASH_FIND_STR(long_ids, name, e);
    if (!e) {
        e = xcalloc(1, sizeof(*e));
        memcpy(e->name, name, sizeof(name));
        e->id = xstrdup(id);
        HASH_ADD_STR(long_ids, name, e);
    }
    pthread_mutex_unlock(&long_ids_lock);
    buf_adds(out, name);
}

static char *decode_long(const char *name)
{
    pthread_mutex_lock(&long_ids_lock);
    struct long_id *e;
    HASH_FIND_STR(long_ids, name, e);
    char *id = e ? xstrdup(e->id) : NULL;
    pthread_mutex_unlock(&long_ids_lock);
    return id;
}

static void encode_short(struct buf *out, const char *id);

void names_encode(struct buf *out, const char *id)
{
    size_t start = out->len;
    encode_short(out, id);
    if (out->len - start > LONG_NAME_LIMIT) {
        out->len = start;
        out->data[start] = '\0';
        encode_long(out, id);
    }
}

static void encode_short(struct buf *out, const char *id)
{
    if (*id == '\0') {
        buf_addc(out, '%');
        return;
    }
    const unsigned char *p = (const unsigned char *)id;
    if (is_reserved_name(id))
        add_pct(out, *p++);
    for (; *p; p++) {
        if (must_escape_in_name(*p))
            add_pct(out, *p);
        else
            buf_addc(out, (char)*p);
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

char *names_pct_decode(const char *s)
{
    struct buf out = BUF_INIT;
    for (const char *p = s; *p; p++) {
        if (*p != '%') {
            buf_addc(&out, *p);
            continue;
        }
        int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            buf_free(&out);
            return NULL;
        }
        buf_addc(&out, (char)(hi * 16 + lo));
        p += 2;
    }
    return buf_steal(&out);
}

char *names_decode(const char *name)
{
    if (strcmp(name, "%") == 0)
        return xstrdup("");
    if (name[0] == '~' && strlen(name) == 17)
        return decode_long(name);   /* NULL unless a listing named it */
    char *id = names_pct_decode(name);
    if (!id)
        return NULL;
    /* Only canonical encodings name a thing: "a%41" is not "aA". */
    struct buf check = BUF_INIT;
    names_encode(&check, id);
    int canonical = strcmp(check.data ? check.data : "", name) == 0;
    buf_free(&check);
    if (!canonical) {
        free(id);
        return NULL;
    }
    return id;
}

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '~' || c == '.';
}

void names_url_segment(struct buf *out, const char *id)
{
    int dots_only = strcmp(id, ".") == 0 || strcmp(id, "..") == 0;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
        if (is_unreserved(*p) && !(dots_only && *p == '.'))
            buf_addc(out, (char)*p);
        else
            add_pct(out, *p);
    }
}
