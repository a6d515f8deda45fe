/* Unit tests for render.c. Rendered file text is compared byte for byte with
 * golden files in tests/unit/golden/: <case>.json (or .txt) is the API
 * answer, <case>.ans the text the file must show. The .ans files of the
 * JSON cases were checked against `jq .` (two-space indentation). The suite
 * runs from the project root, so paths are relative to it. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "render.h"

#define GOLDEN_DIR "tests/unit/golden/"

static void read_file(const char *path, struct buf *out)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s (run the suite from the project root)", path);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_add(out, chunk, n);
    fclose(f);
}

/* Show where two texts first differ, for a readable failure. */
static void expect_same_text(const char *what, const struct buf *got, const struct buf *want)
{
    size_t glen = got->len, wlen = want->len;
    const char *g = got->data ? got->data : "", *w = want->data ? want->data : "";
    size_t i = 0;
    while (i < glen && i < wlen && g[i] == w[i])
        i++;
    cr_expect(glen == wlen && i == glen,
              "%s: differs at byte %zu (got %zu bytes, want %zu)\n--- got:\n%s\n--- want:\n%s",
              what, i, glen, wlen, g, w);
}

static void check_golden(const char *input, const char *expected,
                         void (*render)(struct buf *out, const char *json, size_t len))
{
    struct buf in = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
    read_file(input, &in);
    read_file(expected, &want);
    render(&got, in.data ? in.data : "", in.len);
    expect_same_text(input, &got, &want);
    buf_free(&in);
    buf_free(&want);
    buf_free(&got);
}

#define GOLDEN_JSON(name) \
    check_golden(GOLDEN_DIR name ".json", GOLDEN_DIR name ".ans", render_json)
#define GOLDEN_TEXT(name) \
    check_golden(GOLDEN_DIR name ".txt", GOLDEN_DIR name ".ans", render_json)
#define GOLDEN_LOGS(name) \
    check_golden(GOLDEN_DIR name ".json", GOLDEN_DIR name ".ans", render_logs)

Test(render, should_pretty_print_nested_objects_and_arrays_like_jq)
{
    GOLDEN_JSON("json_nested");
}

Test(render, should_print_empty_containers_compactly)
{
    GOLDEN_JSON("json_empty");
    GOLDEN_JSON("json_empty_array");
}

Test(render, should_keep_string_escapes_valid_json)
{
    GOLDEN_JSON("json_strings");
}

Test(render, should_print_numbers_like_jq)
{
    GOLDEN_JSON("json_numbers");
}

Test(render, should_not_lose_digits_of_numbers)
{
    /* project.json is read, edited and written back (PUT): a number must
     * come out as the same double it went in as, not rounded to 15
     * significant digits. */
    GOLDEN_JSON("json_number_precision");
}

Test(render, should_end_json_with_a_newline)
{
    GOLDEN_JSON("json_no_newline");
    GOLDEN_JSON("json_scalar");
}

Test(render, should_copy_non_json_input_and_add_a_newline)
{
    GOLDEN_TEXT("text_plain");
    GOLDEN_TEXT("text_broken_json");
}

Test(render, should_not_double_the_newline_of_non_json_text)
{
    GOLDEN_TEXT("text_with_newline");
}

Test(render, should_leave_empty_input_empty)
{
    struct buf out = BUF_INIT;
    render_json(&out, "", 0);
    cr_expect_eq(out.len, 0);
    buf_free(&out);
}

Test(render, should_render_log_lines_one_per_line)
{
    GOLDEN_LOGS("logs_object");
}

Test(render, should_render_a_bare_log_array_or_string)
{
    GOLDEN_LOGS("logs_array");
    GOLDEN_LOGS("logs_string");
}

Test(render, should_render_no_logs_as_an_empty_file)
{
    GOLDEN_LOGS("logs_empty");
    struct buf out = BUF_INIT;
    render_logs(&out, "", 0);
    cr_expect_eq(out.len, 0);
    buf_free(&out);
}

static char *status_word(const char *json, const char *field)
{
    struct buf out = BUF_INIT;
    render_status_word(&out, json, strlen(json), field);
    return buf_steal(&out);
}

Test(render, should_render_each_status_word_with_a_newline)
{
    static const char *const words[] = { "PENDING", "RUNNING", "COMPLETED", "FAILED", "UNKNOWN" };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        char json[128], want[32];
        snprintf(json, sizeof(json), "{\"executionId\":\"e1\",\"status\":\"%s\"}", words[i]);
        snprintf(want, sizeof(want), "%s\n", words[i]);
        char *got = status_word(json, "status");
        cr_expect_str_eq(got, want);
        free(got);
        cr_expect_str_eq(render_status_of(json, strlen(json), "status"), words[i]);
    }
}

Test(render, should_read_the_status_from_the_field_asked_for)
{
    const char *job = "{\"id\":\"j1\",\"status\":\"FAILED\",\"executionStatus\":\"RUNNING\"}";
    char *got = status_word(job, "executionStatus");
    cr_expect_str_eq(got, "RUNNING\n");
    free(got);
}

Test(render, should_render_unexpected_status_values_as_unknown)
{
    static const char *const odd[] = {
        "{\"status\":\"SUCCEEDED\"}",
        "{\"status\":\"completed\"}",
        "{\"status\":\"COMPLETED \"}",
        "{\"status\":\"\"}",
        "{\"status\":3}",
        "{\"status\":null}",
        "{\"status\":[\"RUNNING\"]}",
        "{\"other\":\"RUNNING\"}",       /* missing field */
        "{}",
        "[\"RUNNING\"]",
        "\"RUNNING\"",
        "not json",
        "",
    };
    for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
        char *got = status_word(odd[i], "status");
        cr_expect_str_eq(got, "UNKNOWN\n", "input %s", odd[i]);
        free(got);
    }
}

Test(render, should_call_only_completed_and_failed_final)
{
    cr_expect(render_status_is_final("COMPLETED"));
    cr_expect(render_status_is_final("FAILED"));
    cr_expect_not(render_status_is_final("RUNNING"));
    cr_expect_not(render_status_is_final("PENDING"));
    cr_expect_not(render_status_is_final("UNKNOWN"));
}

static char *error_text(const char *json)
{
    struct buf out = BUF_INIT;
    render_error(&out, json, strlen(json));
    return buf_steal(&out);
}

Test(render, should_render_error_message_with_a_newline)
{
    char *got = error_text("{\"status\":\"FAILED\",\"errorMessage\":\"Stage 2 failed: OOM\"}");
    cr_expect_str_eq(got, "Stage 2 failed: OOM\n");
    free(got);
    got = error_text("{\"errorMessage\":\"already ends\\n\"}");
    cr_expect_str_eq(got, "already ends\n");
    free(got);
}

Test(render, should_render_null_or_missing_error_as_empty)
{
    static const char *const none[] = {
        "{\"status\":\"RUNNING\",\"errorMessage\":null}",
        "{\"status\":\"COMPLETED\"}",
        "{\"errorMessage\":\"\"}",
        "not json",
        "",
    };
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
        char *got = error_text(none[i]);
        cr_expect_str_eq(got, "", "input %s", none[i]);
        free(got);
    }
}

struct ids {
    char text[512];
};

static void collect_id(void *arg, const char *id, const char *name)
{
    struct ids *l = arg;
    size_t n = strlen(l->text);
    snprintf(l->text + n, sizeof(l->text) - n, "%s=%s;", id, name ? name : "(none)");
}

static void expect_ids(const char *json, const char *name_field, const char *want)
{
    struct ids l = { "" };
    render_each_id(json, strlen(json), "id", name_field, collect_id, &l);
    cr_expect_str_eq(l.text, want, "input %s", json);
}

Test(render, should_call_back_with_string_ids_and_names)
{
    expect_ids("[{\"id\":\"p1\",\"name\":\"First\"},{\"id\":\"a/b\",\"name\":\"Second\"}]", "name",
               "p1=First;a/b=Second;");
    expect_ids("[{\"id\":\"p1\",\"name\":\"First\"}]", NULL, "p1=(none);");
    expect_ids("[{\"id\":\"p1\"},{\"id\":\"p2\",\"name\":7}]", "name", "p1=(none);p2=(none);");
}

Test(render, should_print_numeric_ids_as_integers)
{
    expect_ids("[{\"id\":42},{\"id\":-7},{\"id\":1e3},{\"id\":9007199254740991}]", NULL,
               "42=(none);-7=(none);1000=(none);9007199254740991=(none);");
}

Test(render, should_skip_elements_without_a_usable_id)
{
    expect_ids("[{\"name\":\"no id\"},{\"id\":null},{\"id\":1.5},{\"id\":[1]},\"str\",3,"
               "{\"id\":\"ok\"},{\"ID\":\"case\"}]",
               NULL, "ok=(none);");
    expect_ids("{\"id\":\"not a list\"}", NULL, "");
    expect_ids("not json", NULL, "");
    expect_ids("[]", NULL, "");
}

Test(render, should_extract_string_fields_only)
{
    const char *j = "{\"executionId\":\"e-9\",\"n\":3,\"startedAt\":\"2026-12-03T10:00:00Z\"}";
    char *s = render_string_field(j, strlen(j), "executionId");
    cr_assert_not_null(s);
    cr_expect_str_eq(s, "e-9");
    free(s);
    cr_expect_null(render_string_field(j, strlen(j), "n"));
    cr_expect_null(render_string_field(j, strlen(j), "missing"));
    cr_expect_null(render_string_field("[1]", 3, "x"));
    cr_expect_null(render_string_field("", 0, "x"));
}
