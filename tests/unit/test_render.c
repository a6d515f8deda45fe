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

/* Strapi table pages */

static int table_page(const char *json, int *page_count, struct ids *l)
{
    return render_table_page(json, strlen(json), page_count, collect_id, l);
}

Test(render, should_read_a_bare_array_page_without_a_page_count)
{
    struct ids l = { "" };
    int pages = 99;
    cr_expect_eq(table_page("[{\"id\":1},{\"id\":\"two\"},{\"id\":3}]", &pages, &l), 3);
    cr_expect_str_eq(l.text, "1=(none);two=(none);3=(none);");
    cr_expect_eq(pages, -1);

    struct ids empty = { "" };
    pages = 99;
    cr_expect_eq(table_page("[]", &pages, &empty), 0);
    cr_expect_str_eq(empty.text, "");
    cr_expect_eq(pages, -1);
}

Test(render, should_read_records_and_page_count_of_a_data_page)
{
    struct ids l = { "" };
    int pages = 99;
    const char *json = "{\"data\":[{\"id\":5,\"attributes\":{\"name\":\"x\"}},{\"id\":6}],"
                       "\"meta\":{\"pagination\":{\"page\":1,\"pageSize\":2,\"pageCount\":4,"
                       "\"total\":7}}}";
    cr_expect_eq(table_page(json, &pages, &l), 2);
    cr_expect_str_eq(l.text, "5=(none);6=(none);");
    cr_expect_eq(pages, 4);

    /* a data page without pagination: no page count */
    struct ids m = { "" };
    pages = 99;
    cr_expect_eq(table_page("{\"data\":[{\"id\":1}],\"meta\":{}}", &pages, &m), 1);
    cr_expect_str_eq(m.text, "1=(none);");
    cr_expect_eq(pages, -1);

    /* a page count that is not a number is no page count */
    struct ids n = { "" };
    pages = 99;
    cr_expect_eq(table_page("{\"data\":[],\"meta\":{\"pagination\":{\"pageCount\":\"4\"}}}",
                            &pages, &n), 0);
    cr_expect_eq(pages, -1);
}

Test(render, should_take_a_record_id_from_id_else_document_id)
{
    struct ids l = { "" };
    int pages;
    const char *json = "{\"data\":[{\"id\":1,\"documentId\":\"doc-a\"},{\"documentId\":\"doc-b\"},"
                       "{\"id\":null,\"documentId\":\"doc-c\"},{\"id\":\"s\",\"documentId\":7}]}";
    cr_expect_eq(table_page(json, &pages, &l), 4);
    cr_expect_str_eq(l.text, "1=(none);doc-b=(none);doc-c=(none);s=(none);");
}

Test(render, should_count_records_without_ids_but_not_pass_them)
{
    struct ids l = { "" };
    int pages;
    const char *json = "[{\"name\":\"no id\"},{\"id\":2},{\"id\":1.5},{\"documentId\":[1]},3,"
                       "\"str\",null,{\"id\":4}]";
    cr_expect_eq(table_page(json, &pages, &l), 8);
    cr_expect_str_eq(l.text, "2=(none);4=(none);");

    struct ids none = { "" };
    cr_expect_eq(table_page("{\"data\":[{},{}],\"meta\":{\"pagination\":{\"pageCount\":1}}}",
                            &pages, &none), 2);
    cr_expect_str_eq(none.text, "");
    cr_expect_eq(pages, 1);
}

Test(render, should_refuse_a_page_without_a_record_array)
{
    static const char *const bad[] = {
        "{\"data\":{\"id\":1}}",
        "{\"data\":null}",
        "{\"data\":\"[]\"}",
        "{\"records\":[{\"id\":1}]}",
        "{}",
        "\"[]\"",
        "42",
        "null",
        "not json",
        "[{\"id\":1}",
        "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct ids l = { "" };
        int pages = 99;
        cr_expect_eq(table_page(bad[i], &pages, &l), -1, "input %s", bad[i]);
        cr_expect_str_eq(l.text, "", "input %s: no ids", bad[i]);
        cr_expect_eq(pages, -1, "input %s: page count", bad[i]);
    }
    /* the page count is still read when the records are missing */
    struct ids l = { "" };
    int pages = 99;
    cr_expect_eq(table_page("{\"data\":null,\"meta\":{\"pagination\":{\"pageCount\":3}}}",
                            &pages, &l), -1);
    cr_expect_eq(pages, 3);
}

static void expect_record_id(const char *json, const char *want)
{
    char *id = render_record_id(json, strlen(json));
    if (!want) {
        cr_expect_null(id, "input %s: got \"%s\"", json, id ? id : "");
    } else {
        cr_expect(id && strcmp(id, want) == 0, "input %s: got \"%s\", want \"%s\"", json,
                  id ? id : "(null)", want);
    }
    free(id);
}

Test(render, should_read_a_record_id_at_the_top_level)
{
    expect_record_id("{\"id\":5,\"name\":\"x\"}", "5");
    expect_record_id("{\"id\":\"a/b\"}", "a/b");
    expect_record_id("{\"documentId\":\"doc-1\"}", "doc-1");
    expect_record_id("{\"id\":9,\"documentId\":\"doc-1\"}", "9");
    expect_record_id("{\"id\":9,\"data\":{\"id\":10}}", "9");
}

Test(render, should_read_a_record_id_inside_data)
{
    expect_record_id("{\"data\":{\"id\":12,\"attributes\":{}},\"meta\":{}}", "12");
    expect_record_id("{\"data\":{\"documentId\":\"doc-2\"}}", "doc-2");
    expect_record_id("{\"id\":null,\"data\":{\"id\":3}}", "3");
}

Test(render, should_find_no_record_id_where_there_is_none)
{
    expect_record_id("{}", NULL);
    expect_record_id("{\"name\":\"x\"}", NULL);
    expect_record_id("{\"id\":1.5}", NULL);
    expect_record_id("{\"id\":[1]}", NULL);
    expect_record_id("{\"data\":[{\"id\":1}]}", NULL);
    expect_record_id("{\"data\":{\"data\":{\"id\":1}}}", NULL);
    expect_record_id("[{\"id\":1}]", NULL);
    expect_record_id("5", NULL);
    expect_record_id("not json", NULL);
    expect_record_id("", NULL);
}
