/* libFuzzer target for names.c. Ids come from the API and file names from
 * any process on the machine, so both directions of the encoding must hold
 * for every byte string, not just the ones the unit tests thought of:
 *   - decode(encode(x)) == x for any x without NUL, and encode(x) is a
 *     sound file name (no '/', no control byte, never "", ".", "..",
 *     "latest" or "by-name");
 *   - decode(y), when it accepts y, gives an id whose encoding is y again
 *     (one name per id);
 *   - url_segment(x) holds only unreserved bytes and %XX, so never '/',
 *     '?' or '#', is never "." or "..", and percent-decodes back to x. */
#include "buf.h"
#include "fuzz.h"
#include "names.h"

#include <string.h>

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '~' || c == '.';
}

static int is_upper_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static void check_encode(const char *id)
{
    struct buf enc = BUF_INIT;
    names_encode(&enc, id);
    CHECK(enc.data && enc.len > 0);
    CHECK(strlen(enc.data) == enc.len);
    CHECK(strcmp(enc.data, ".") != 0 && strcmp(enc.data, "..") != 0);
    CHECK(strcmp(enc.data, "latest") != 0 && strcmp(enc.data, "by-name") != 0);
    for (size_t i = 0; i < enc.len; i++) {
        unsigned char c = (unsigned char)enc.data[i];
        CHECK(c != '/' && c >= 0x20 && c != 0x7f);
    }
    char *back = names_decode(enc.data);
    CHECK(back != NULL);
    CHECK(strcmp(back, id) == 0);
    free(back);
    buf_free(&enc);
}

static void check_decode(const char *name)
{
    char *id = names_decode(name);
    if (!id)
        return;
    struct buf enc = BUF_INIT;
    names_encode(&enc, id);
    CHECK(enc.data && strcmp(enc.data, name) == 0);
    buf_free(&enc);
    free(id);
}

static void check_url_segment(const char *id)
{
    struct buf seg = BUF_INIT;
    names_url_segment(&seg, id);
    const char *s = seg.data ? seg.data : "";
    CHECK(strlen(s) == seg.len);
    CHECK(*id == '\0' || seg.len > 0);
    CHECK(strcmp(s, ".") != 0 && strcmp(s, "..") != 0);
    for (size_t i = 0; i < seg.len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            CHECK(i + 2 < seg.len);     /* two hex digits follow */
            CHECK(is_upper_hex((unsigned char)s[i + 1]) && is_upper_hex((unsigned char)s[i + 2]));
            i += 2;
            continue;
        }
        CHECK(is_unreserved(c));    /* so never '/', '?', '#' */
    }
    char *back = names_pct_decode(s);
    CHECK(back != NULL && strcmp(back, id) == 0);
    free(back);
    buf_free(&seg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The input up to its first NUL: ids and names are C strings. */
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    check_encode(s);
    check_decode(s);
    check_url_segment(s);
    free(s);
    return 0;
}
