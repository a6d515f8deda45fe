/* Unit tests for execreq.c: the bytes written to an `execute` file become
 * exactly one request each, as soon as they are complete, and anything that
 * can never become a valid request is refused before anything is sent. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "execreq.h"

struct take {
    enum execreq_state state;
    char *body;
    size_t consumed;
    const char *why;
};

static struct take take_n(const char *data, size_t len)
{
    struct take t = { EXECREQ_NEED_MORE, NULL, (size_t)-1, NULL };
    t.state = execreq_take(data, len, &t.body, &t.consumed, &t.why);
    return t;
}

static struct take take(const char *s)
{
    return take_n(s, strlen(s));
}

/* consumed == 0 means "all of input". */
static void expect_ready(const char *input, const char *body, size_t consumed)
{
    if (consumed == 0)
        consumed = strlen(input);
    struct take t = take(input);
    cr_assert_eq(t.state, EXECREQ_READY, "\"%s\": state %d, why %s", input, t.state,
                 t.why ? t.why : "-");
    cr_expect_str_eq(t.body, body, "\"%s\"", input);
    cr_expect_eq(t.consumed, consumed, "\"%s\": consumed %zu, want %zu", input, t.consumed,
                 consumed);
    free(t.body);
}

static void expect_invalid(const char *input)
{
    struct take t = take(input);
    cr_expect_eq(t.state, EXECREQ_INVALID, "\"%s\": state %d, want INVALID", input, t.state);
    if (t.state == EXECREQ_INVALID)
        cr_expect(t.why && t.why[0], "\"%s\": INVALID without a reason", input);
    free(t.body);
}

static void expect_need_more(const char *input)
{
    struct take t = take(input);
    cr_expect_eq(t.state, EXECREQ_NEED_MORE, "\"%s\": state %d, want NEED_MORE", input, t.state);
    cr_expect_null(t.body);
    cr_expect_eq(t.consumed, (size_t)-1, "consumed set on NEED_MORE");
    free(t.body);
}

Test(execreq, should_run_defaults_for_a_lone_newline)
{
    expect_ready("\n", "{}", 1);
    expect_ready("  \t\r\n", "{}", 5);
}

Test(execreq, should_wait_for_more_on_blank_input_without_newline)
{
    expect_need_more("");
    expect_need_more("   ");
    expect_need_more(" \t\r");
    cr_expect(execreq_is_blank("", 0));
    cr_expect(execreq_is_blank("   ", 3));
    cr_expect(execreq_is_blank(" \t\r", 3));
}

Test(execreq, should_not_call_input_with_content_or_a_newline_blank)
{
    cr_expect_not(execreq_is_blank("\n", 1));
    cr_expect_not(execreq_is_blank("  \n", 3));
    cr_expect_not(execreq_is_blank("{", 1));
    cr_expect_not(execreq_is_blank(" {\"arguments\":[]", 16));
}

Test(execreq, should_accept_a_json_object_with_known_fields)
{
    expect_ready("{\"arguments\":[\"--date\",\"2026-12-03\"]}\n",
                 "{\"arguments\":[\"--date\",\"2026-12-03\"]}", 0);
    expect_ready("{\"cloudCredentialIds\":[\"c1\"],\"arguments\":[]}",
                 "{\"cloudCredentialIds\":[\"c1\"],\"arguments\":[]}", 0);
    expect_ready("{}\n", "{}", 3);
    expect_ready("  { \"arguments\" : [ \"a b\" ] }  \n", "{\"arguments\":[\"a b\"]}", 0);
}

Test(execreq, should_accept_pretty_printed_json_over_many_lines)
{
    const char *in = "{\n  \"arguments\": [\n    \"x\"\n  ]\n}\n";
    expect_ready(in, "{\"arguments\":[\"x\"]}", 0);
}

Test(execreq, should_track_strings_with_braces_and_escapes)
{
    const char *in = "{\"arguments\":[\"}\\\"{]\",\"\\\\\"]}\n";
    struct take t = take(in);
    cr_assert_eq(t.state, EXECREQ_READY, "why %s", t.why ? t.why : "-");
    cr_expect_eq(t.consumed, strlen(in));
    cr_expect_str_eq(t.body, "{\"arguments\":[\"}\\\"{]\",\"\\\\\"]}");
    free(t.body);
}

Test(execreq, should_assemble_json_split_over_three_writes)
{
    const char *full = "{\"arguments\":[\"--mode\",\"full\"],\"cloudCredentialIds\":[\"aws-1\"]}\n";
    size_t len = strlen(full);
    size_t cut1 = 7, cut2 = 30;    /* mid-key and mid-string */
    struct take t1 = take_n(full, cut1);
    cr_expect_eq(t1.state, EXECREQ_NEED_MORE);
    struct take t2 = take_n(full, cut2);
    cr_expect_eq(t2.state, EXECREQ_NEED_MORE);
    struct take t3 = take_n(full, len);
    cr_assert_eq(t3.state, EXECREQ_READY, "why %s", t3.why ? t3.why : "-");
    cr_expect_str_eq(t3.body,
                     "{\"arguments\":[\"--mode\",\"full\"],\"cloudCredentialIds\":[\"aws-1\"]}");
    cr_expect_eq(t3.consumed, len);
    free(t3.body);
}

Test(execreq, should_need_more_at_every_prefix_of_a_valid_request)
{
    const char *full = "{\"arguments\":[\"a\\\"b\",\"c\"]}";
    size_t len = strlen(full);
    for (size_t n = 1; n < len; n++) {
        struct take t = take_n(full, n);
        cr_expect_eq(t.state, EXECREQ_NEED_MORE, "prefix of %zu bytes: state %d", n, t.state);
        free(t.body);
    }
}

Test(execreq, should_refuse_invalid_json)
{
    expect_invalid("{nope");
    expect_invalid("{nope}\n");
    expect_invalid("{\"arguments\":[\"a\"],}\n");
    expect_invalid("{\"arguments\" [\"a\"]}\n");
    expect_invalid("{\"arguments\":[\"a\"]]\n");
    expect_invalid("{\"arguments\":[\"raw\ttab\"]}\n");
}

Test(execreq, should_refuse_wrong_field_types)
{
    expect_invalid("{\"arguments\":\"--flag\"}\n");
    expect_invalid("{\"arguments\":[1,2]}\n");
    expect_invalid("{\"arguments\":null}\n");
    expect_invalid("{\"arguments\":{}}\n");
    expect_invalid("{\"cloudCredentialIds\":[true]}\n");
    expect_invalid("{\"arguments\":[[\"nested\"]]}\n");
}

Test(execreq, should_refuse_unknown_fields)
{
    expect_invalid("{\"args\":[\"a\"]}\n");
    expect_invalid("{\"arguments\":[],\"extra\":[]}\n");
    expect_invalid("{\"Arguments\":[]}\n");
}

Test(execreq, should_refuse_json_that_is_not_an_object)
{
    expect_invalid("[1]\n");
    expect_invalid("42\n");
    expect_invalid("\"text\"\n");
    expect_invalid("null\n");
    expect_invalid("run please\n");
    expect_invalid("[1");   /* refused at once, not after more input */
}

Test(execreq, should_take_two_requests_from_one_buffer_one_at_a_time)
{
    const char *buf = "{\"arguments\":[\"one\"]}\n{\"arguments\":[\"two\"]}\n";
    size_t len = strlen(buf);
    struct take t1 = take_n(buf, len);
    cr_assert_eq(t1.state, EXECREQ_READY);
    cr_expect_str_eq(t1.body, "{\"arguments\":[\"one\"]}");
    cr_assert_eq(t1.consumed, 22);
    struct take t2 = take_n(buf + t1.consumed, len - t1.consumed);
    cr_assert_eq(t2.state, EXECREQ_READY);
    cr_expect_str_eq(t2.body, "{\"arguments\":[\"two\"]}");
    cr_expect_eq(t1.consumed + t2.consumed, len);
    free(t1.body);
    free(t2.body);
}

Test(execreq, should_take_a_default_run_then_a_json_run)
{
    const char *buf = "\n{\"arguments\":[\"x\"]}";
    struct take t1 = take(buf);
    cr_assert_eq(t1.state, EXECREQ_READY);
    cr_expect_str_eq(t1.body, "{}");
    cr_assert_eq(t1.consumed, 1);
    struct take t2 = take(buf + 1);
    cr_assert_eq(t2.state, EXECREQ_READY);
    cr_expect_str_eq(t2.body, "{\"arguments\":[\"x\"]}");
    free(t1.body);
    free(t2.body);
}

Test(execreq, should_consume_all_white_space_after_a_request)
{
    /* A blank line after a request belongs to it (it is not a second run);
     * what follows the white space is the next request. */
    const char *buf = "{}  \n\n  {";
    struct take t = take(buf);
    cr_assert_eq(t.state, EXECREQ_READY);
    cr_expect_eq(t.consumed, 8);
    free(t.body);

    t = take("\n\n  \n");
    cr_assert_eq(t.state, EXECREQ_READY);
    cr_expect_eq(t.consumed, 5, "several blank lines are one run with defaults");
    cr_expect_str_eq(t.body, "{}");
    free(t.body);
}

Test(execreq, should_refuse_oversize_incomplete_input)
{
    size_t len = EXECREQ_MAX + 100;
    char *big = malloc(len + 1);
    strcpy(big, "{\"arguments\":[\"");
    memset(big + strlen(big), 'a', len - strlen(big));
    big[len] = '\0';
    struct take t = take_n(big, len);
    cr_expect_eq(t.state, EXECREQ_INVALID, "state %d", t.state);
    free(t.body);
    free(big);
}

Test(execreq, should_refuse_oversize_blank_input)
{
    /* A writer sending only spaces must not grow the pending buffer forever:
     * past EXECREQ_MAX the input can never become an accepted request. */
    size_t len = EXECREQ_MAX + 100;
    char *big = malloc(len);
    memset(big, ' ', len);
    struct take t = take_n(big, len);
    cr_expect_eq(t.state, EXECREQ_INVALID, "%zu blank bytes: state %d, want INVALID", len,
                 t.state);
    free(t.body);
    free(big);
}

Test(execreq, should_refuse_a_complete_request_larger_than_the_maximum)
{
    /* EXECREQ_MAX is "the largest request accepted": one larger, even when
     * it arrives complete in one write, is refused. */
    size_t n = EXECREQ_MAX + 100;
    char *big = malloc(n + 64);
    size_t p = (size_t)sprintf(big, "{\"arguments\":[\"");
    memset(big + p, 'a', n);
    p += n;
    p += (size_t)sprintf(big + p, "\"]}\n");
    struct take t = take_n(big, p);
    cr_expect_eq(t.state, EXECREQ_INVALID, "a %zu-byte request: state %d, want INVALID", p,
                 t.state);
    free(t.body);
    free(big);
}
