/* Unit tests for names.c: untrusted API ids ↔ file names (reversible, never
 * ".", "..", a reserved sibling, or holding '/') and ids → URL segments
 * (always exactly one opaque segment). */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "names.h"

static char *encode(const char *id)
{
    struct buf b = BUF_INIT;
    names_encode(&b, id);
    return buf_steal(&b);
}

static char *url_segment(const char *id)
{
    struct buf b = BUF_INIT;
    names_url_segment(&b, id);
    return buf_steal(&b);
}

/* A file name must be usable as one directory entry of the tree. */
static void expect_sound_name(const char *id, const char *name)
{
    cr_expect_neq(name[0], '\0', "id \"%s\" encodes to the empty name", id);
    cr_expect_null(strchr(name, '/'), "id \"%s\" encodes to \"%s\" holding '/'", id, name);
    cr_expect(strcmp(name, ".") != 0 && strcmp(name, "..") != 0,
              "id \"%s\" encodes to \"%s\"", id, name);
    cr_expect(strcmp(name, "latest") != 0 && strcmp(name, "by-name") != 0,
              "id \"%s\" encodes to the reserved name \"%s\"", id, name);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        cr_expect(*p >= 0x20 && *p != 0x7f, "id encodes to a name with control byte 0x%02x", *p);
}

static void expect_round_trip(const char *id)
{
    char *name = encode(id);
    expect_sound_name(id, name);
    char *back = names_decode(name);
    cr_expect(back && strcmp(back, id) == 0, "\"%s\" → \"%s\" → \"%s\"", id, name,
              back ? back : "(null)");
    free(back);
    free(name);
}

Test(names, should_round_trip_awkward_ids)
{
    static const char *const ids[] = {
        "", ".", "..", "latest", "by-name", "a/b", "100%", "x\ny", "plain-id_42",
        "héllo wörld ✓ 日本", "\xff\xfe\x80 not utf-8 \xc3", "...", ".hidden", "a b\tc",
        "%", "%25", "%2F", "/", "//", "\x7f", "latestx", "by-name2", " latest", "~",
    };
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        expect_round_trip(ids[i]);
}

Test(names, should_encode_with_the_documented_spelling)
{
    static const struct { const char *id, *name; } cases[] = {
        { "",        "%" },
        { ".",       "%2E" },
        { "..",      "%2E." },
        { "latest",  "%6Catest" },
        { "by-name", "%62y-name" },
        { "a/b",     "a%2Fb" },
        { "100%",    "100%25" },
        { "x\ny",    "x%0Ay" },
        { "\x7f",    "%7F" },
        { "abc",     "abc" },
        { "héllo",   "héllo" },       /* UTF-8 is kept as is */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *name = encode(cases[i].id);
        cr_expect_str_eq(name, cases[i].name, "id #%zu", i);
        free(name);
    }
}

Test(names, should_round_trip_random_byte_strings)
{
    uint64_t s = 0x9e3779b97f4a7c15ULL;
    for (int n = 0; n < 2000; n++) {
        char id[24];
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        size_t len = s % (sizeof(id) - 1);
        for (size_t i = 0; i < len; i++) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            /* bias towards the interesting bytes */
            static const char special[] = "%/.\n\t ?#";
            id[i] = (s >> 32) % 3 == 0 ? special[(s >> 8) % (sizeof(special) - 1)]
                                        : (char)(1 + (s >> 16) % 255);
        }
        id[len] = '\0';
        expect_round_trip(id);
    }
}

Test(names, should_reject_names_that_are_not_canonical_encodings)
{
    static const char *const bad[] = {
        "a%41", "%zz", "%00", "%4", "a%", "%%", "%2f", "latest", "by-name", "%2E%2E",
        "a\nb", "%6catest",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *id = names_decode(bad[i]);
        cr_expect_null(id, "\"%s\" decoded to \"%s\"", bad[i], id ? id : "");
        free(id);
    }
}

Test(names, should_percent_decode_and_refuse_bad_hex_or_nul)
{
    char *s = names_pct_decode("a%2Fb%25c%41");
    cr_assert_not_null(s);
    cr_expect_str_eq(s, "a/b%cA");
    free(s);
    s = names_pct_decode("");
    cr_assert_not_null(s);
    cr_expect_str_eq(s, "");
    free(s);
    cr_expect_null(names_pct_decode("%00"));
    cr_expect_null(names_pct_decode("%G1"));
    cr_expect_null(names_pct_decode("abc%"));
    cr_expect_null(names_pct_decode("abc%4"));
}

Test(names, should_make_url_segments_without_separators)
{
    static const struct { const char *id, *seg; } cases[] = {
        { "a/b",                 "a%2Fb" },
        { "?",                   "%3F" },
        { "#",                   "%23" },
        { "%",                   "%25" },
        { " ",                   "%20" },
        { "..",                  "%2E%2E" },
        { ".",                   "%2E" },
        { "...",                 "..." },
        { "a.b",                 "a.b" },
        { "AZaz09-._~",          "AZaz09-._~" },
        { "é",                   "%C3%A9" },
        { "x\ny",                "x%0Ay" },
        { "a+b&c=d",             "a%2Bb%26c%3Dd" },
        { "..%2F..%2Fhealth",    "..%252F..%252Fhealth" },
        { "../../health",        "..%2F..%2Fhealth" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *seg = url_segment(cases[i].id);
        cr_expect_str_eq(seg, cases[i].seg, "id \"%s\"", cases[i].id);
        cr_expect_null(strpbrk(seg, "/?#"), "segment \"%s\" holds a separator", seg);
        cr_expect(strcmp(seg, ".") != 0 && strcmp(seg, "..") != 0, "dot segment \"%s\"", seg);
        free(seg);
    }
}

Test(names, should_keep_a_traversal_id_inside_one_segment)
{
    /* "..%2F..%2Fhealth" as an id must reach /projects/id/<one segment>,
     * never /health: its '%' is encoded, so a server decoding once sees the
     * literal id again. */
    char *seg = url_segment("..%2F..%2Fhealth");
    cr_expect_null(strpbrk(seg, "/?#"));
    char *once = names_pct_decode(seg);
    cr_assert_not_null(once);
    cr_expect_str_eq(once, "..%2F..%2Fhealth");
    free(once);
    free(seg);
}

Test(names, should_url_encode_random_ids_reversibly_into_one_segment)
{
    uint64_t s = 12345;
    for (int n = 0; n < 2000; n++) {
        char id[20];
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t len = 1 + (s >> 33) % (sizeof(id) - 2);
        for (size_t i = 0; i < len; i++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            id[i] = (char)(1 + (s >> 40) % 255);
        }
        id[len] = '\0';
        char *seg = url_segment(id);
        cr_expect_null(strpbrk(seg, "/?#"), "segment \"%s\" holds a separator", seg);
        cr_expect(strcmp(seg, ".") != 0 && strcmp(seg, "..") != 0);
        char *back = names_pct_decode(seg);
        cr_expect(back && strcmp(back, id) == 0, "url segment does not decode back");
        free(back);
        free(seg);
    }
}

Test(names, should_name_very_long_ids_by_hash_and_decode_them_back)
{
    char id[600];
    memset(id, 'x', sizeof(id) - 1);
    id[sizeof(id) - 1] = '\0';
    struct buf b = BUF_INIT;
    names_encode(&b, id);
    cr_expect_eq(b.len, 17, "name %s", b.data);
    cr_expect_eq(b.data[0], '~');
    char *back = names_decode(b.data);
    cr_assert_not_null(back);
    cr_expect_str_eq(back, id);
    free(back);
    buf_free(&b);
    cr_expect_null(names_decode("~0123456789abcdef"), "a hash nobody was named by");
    names_encode(&b, "~0123456789abcdef");
    cr_expect_str_eq(b.data, "%7E0123456789abcdef", "an id that looks like a hash name");
    buf_free(&b);
}
