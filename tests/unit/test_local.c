/* Unit tests for local.c: scratch files (create, get, rename, remove, list),
 * document buffers shared by every writer of a path, writes and resizes
 * with zero fill, and the memory cap, which is charged while any reference
 * keeps a file alive and given back when the last one goes. The cap is
 * observed only through -ENOSPC, as the filesystem sees it. */
#include <criterion/criterion.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "local.h"

/* write/resize under the file's lock, as the contract asks */
static int write_at(struct local_file *f, const char *data, size_t len, off_t off)
{
    pthread_mutex_lock(&f->lock);
    int rc = local_file_write(f, data, len, off);
    pthread_mutex_unlock(&f->lock);
    return rc;
}

static int write_str(struct local_file *f, const char *s, off_t off)
{
    return write_at(f, s, strlen(s), off);
}

static int resize(struct local_file *f, size_t size)
{
    pthread_mutex_lock(&f->lock);
    int rc = local_file_resize(f, size);
    pthread_mutex_unlock(&f->lock);
    return rc;
}

/* The file holds exactly these bytes, and stays NUL-terminated after them
 * (struct buf's promise, which readers rely on). */
static void expect_bytes(struct local_file *f, const char *want, size_t len)
{
    pthread_mutex_lock(&f->lock);
    cr_expect_eq(f->data.len, len, "length %zu, want %zu", f->data.len, len);
    if (f->data.len == len && len) {
        cr_expect_eq(memcmp(f->data.data, want, len), 0, "contents differ");
        cr_expect_eq(f->data.data[len], '\0', "not NUL-terminated");
    }
    pthread_mutex_unlock(&f->lock);
}

#define EXPECT_TEXT(f, s) expect_bytes((f), (s), sizeof(s) - 1)

static struct local_file *create(struct local *l, const char *path)
{
    struct local_file *f = NULL;
    cr_assert_eq(local_scratch_create(l, path, 0644, &f), 0, "create %s", path);
    cr_assert_not_null(f);
    return f;
}

/* Scratch files */

Test(local, should_create_and_find_scratch_files_by_path)
{
    struct local *l = local_new(1 << 20);
    cr_expect_null(local_scratch_get(l, "/projects/1/a.swp"));

    struct local_file *f = NULL;
    cr_assert_eq(local_scratch_create(l, "/projects/1/a.swp", 0600, &f), 0);
    cr_assert_not_null(f);
    cr_expect_eq(f->mode, 0600);
    expect_bytes(f, "", 0);
    cr_expect_eq(write_str(f, "swap", 0), 4);

    struct local_file *g = local_scratch_get(l, "/projects/1/a.swp");
    cr_assert_eq(g, f, "get should return the same file");
    EXPECT_TEXT(g, "swap");
    cr_expect_null(local_scratch_get(l, "/projects/1/b.swp"));
    cr_expect_null(local_scratch_get(l, "/projects/2/a.swp"));
    local_file_unref(g);
    local_file_unref(f);
    local_free(l);
}

Test(local, should_truncate_a_scratch_file_created_again)
{
    struct local *l = local_new(1 << 20);
    struct local_file *f = create(l, "/tables/t/x.tmp");
    cr_expect_eq(write_str(f, "old contents", 0), 12);
    struct local_file *g = create(l, "/tables/t/x.tmp");
    cr_expect_eq(g, f, "the existing file is reused");
    expect_bytes(g, "", 0);
    local_file_unref(g);
    local_file_unref(f);
    local_free(l);
}

Test(local, should_remove_scratch_files_once)
{
    struct local *l = local_new(1 << 20);
    local_file_unref(create(l, "/projects/1/a"));
    cr_expect_eq(local_scratch_remove(l, "/projects/1/a"), 0);
    cr_expect_null(local_scratch_get(l, "/projects/1/a"));
    cr_expect_eq(local_scratch_remove(l, "/projects/1/a"), -ENOENT);
    cr_expect_eq(local_scratch_remove(l, "/never"), -ENOENT);
    local_free(l);
}

Test(local, should_keep_a_removed_file_alive_while_referenced)
{
    struct local *l = local_new(1 << 20);
    struct local_file *f = create(l, "/projects/1/a");
    cr_expect_eq(write_str(f, "still here", 0), 10);
    cr_assert_eq(local_scratch_remove(l, "/projects/1/a"), 0);
    cr_expect_null(local_scratch_get(l, "/projects/1/a"));
    /* the holder still reads and writes it */
    EXPECT_TEXT(f, "still here");
    cr_expect_eq(write_str(f, "!", 10), 1);
    EXPECT_TEXT(f, "still here!");
    /* a new file at the path is another file */
    struct local_file *g = create(l, "/projects/1/a");
    cr_expect_neq(g, f);
    expect_bytes(g, "", 0);
    local_file_unref(g);
    local_file_unref(f);
    local_free(l);
}

Test(local, should_rename_a_scratch_file_with_its_contents)
{
    struct local *l = local_new(1 << 20);
    struct local_file *f = create(l, "/projects/1/a.tmp");
    cr_expect_eq(write_str(f, "data", 0), 4);
    cr_assert_eq(local_scratch_rename(l, "/projects/1/a.tmp", "/projects/1/b.tmp"), 0);
    cr_expect_null(local_scratch_get(l, "/projects/1/a.tmp"));
    struct local_file *g = local_scratch_get(l, "/projects/1/b.tmp");
    cr_assert_eq(g, f, "the same file under its new name");
    EXPECT_TEXT(g, "data");
    local_file_unref(g);

    /* to another directory */
    cr_assert_eq(local_scratch_rename(l, "/projects/1/b.tmp", "/projects/1/jobs/2/c"), 0);
    g = local_scratch_get(l, "/projects/1/jobs/2/c");
    cr_expect_eq(g, f);
    local_file_unref(g);
    local_file_unref(f);
    local_free(l);
}

Test(local, should_replace_the_target_of_a_rename)
{
    struct local *l = local_new(1 << 20);
    struct local_file *a = create(l, "/p/a");
    struct local_file *b = create(l, "/p/b");
    cr_expect_eq(write_str(a, "new", 0), 3);
    cr_expect_eq(write_str(b, "old", 0), 3);
    cr_assert_eq(local_scratch_rename(l, "/p/a", "/p/b"), 0);
    struct local_file *g = local_scratch_get(l, "/p/b");
    cr_expect_eq(g, a);
    EXPECT_TEXT(g, "new");
    cr_expect_null(local_scratch_get(l, "/p/a"));
    /* whoever held the replaced file keeps it */
    EXPECT_TEXT(b, "old");
    local_file_unref(g);
    local_file_unref(a);
    local_file_unref(b);
    local_free(l);
}

Test(local, should_refuse_renaming_a_missing_file_and_keep_the_target)
{
    struct local *l = local_new(1 << 20);
    struct local_file *b = create(l, "/p/b");
    cr_expect_eq(local_scratch_rename(l, "/p/none", "/p/b"), -ENOENT);
    struct local_file *g = local_scratch_get(l, "/p/b");
    cr_expect_eq(g, b);
    local_file_unref(g);
    local_file_unref(b);
    local_free(l);
}

Test(local, should_rename_a_file_onto_itself_harmlessly)
{
    struct local *l = local_new(1 << 20);
    struct local_file *a = create(l, "/p/a");
    cr_expect_eq(write_str(a, "keep", 0), 4);
    cr_assert_eq(local_scratch_rename(l, "/p/a", "/p/a"), 0);
    struct local_file *g = local_scratch_get(l, "/p/a");
    cr_assert_eq(g, a);
    EXPECT_TEXT(g, "keep");
    local_file_unref(g);
    local_file_unref(a);
    local_free(l);
}

struct names {
    char text[512];
    int n;
};

/* The listing order is the hash table's: collect and sort. */
static void collect_name(void *arg, const char *name)
{
    struct names *ns = arg;
    size_t len = strlen(ns->text);
    snprintf(ns->text + len, sizeof(ns->text) - len, "%s\n", name);
    ns->n++;
}

static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void expect_listing(struct local *l, const char *dir, const char *want)
{
    struct names ns = { "", 0 };
    local_scratch_list(l, dir, collect_name, &ns);
    char *lines[32];
    int n = 0;
    char *save = NULL;
    for (char *p = strtok_r(ns.text, "\n", &save); p && n < 32; p = strtok_r(NULL, "\n", &save))
        lines[n++] = p;
    qsort(lines, (size_t)n, sizeof(lines[0]), cmp_line);
    char sorted[512] = "";
    for (int i = 0; i < n; i++) {
        size_t len = strlen(sorted);
        snprintf(sorted + len, sizeof(sorted) - len, "%s%s", i ? " " : "", lines[i]);
    }
    cr_expect_str_eq(sorted, want, "listing of %s", dir);
}

Test(local, should_list_only_the_files_directly_inside_a_directory)
{
    struct local *l = local_new(1 << 20);
    static const char *const paths[] = {
        "/projects/1/.project.json.swp",
        "/projects/1/x.tmp",
        "/projects/1/jobs/2/.job.json.swp",     /* nested: not in /projects/1 */
        "/projects/10/y.tmp",                   /* a sibling sharing the prefix */
        "/projects/1x",                         /* a file beside the directory */
        "/tables/t/z.tmp",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        local_file_unref(create(l, paths[i]));

    expect_listing(l, "/projects/1", ".project.json.swp x.tmp");
    expect_listing(l, "/projects/1/jobs/2", ".job.json.swp");
    expect_listing(l, "/projects/10", "y.tmp");
    expect_listing(l, "/tables/t", "z.tmp");
    expect_listing(l, "/tables", "");
    expect_listing(l, "/projects/2", "");

    cr_assert_eq(local_scratch_remove(l, "/projects/1/x.tmp"), 0);
    cr_assert_eq(local_scratch_rename(l, "/projects/1/.project.json.swp", "/tables/t/w"), 0);
    expect_listing(l, "/projects/1", "");
    expect_listing(l, "/tables/t", "w z.tmp");
    local_free(l);
}

/* Writes and resizes */

Test(local, should_fill_the_gap_before_a_write_past_the_end_with_zeros)
{
    struct local *l = local_new(1 << 20);
    struct local_file *f = create(l, "/p/f");
    cr_expect_eq(write_str(f, "xy", 4), 2);
    expect_bytes(f, "\0\0\0\0xy", 6);
    cr_expect_eq(write_str(f, "ab", 0), 2);
    expect_bytes(f, "ab\0\0xy", 6);
    /* overwriting inside keeps the length */
    cr_expect_eq(write_str(f, "CD", 2), 2);
    EXPECT_TEXT(f, "abCDxy");
    /* across the end */
    cr_expect_eq(write_str(f, "YZW", 5), 3);
    EXPECT_TEXT(f, "abCDxYZW");
    local_file_unref(f);
    local_free(l);
}

Test(local, should_write_nothing_for_an_empty_write)
{
    /* An empty file has no buffer yet: an empty write must not touch it
     * (fs_write copies an empty document this way). As for pwrite(2), an
     * empty write changes nothing, even past the end. */
    struct local *l = local_new(1 << 20);
    struct local_file *f = create(l, "/p/f");
    cr_expect_eq(write_at(f, "", 0, 0), 0);
    expect_bytes(f, "", 0);
    cr_expect_eq(write_str(f, "abc", 0), 3);
    cr_expect_eq(write_at(f, "", 0, 1), 0);
    EXPECT_TEXT(f, "abc");
    cr_expect_eq(write_at(f, "", 0, 10), 0);
    EXPECT_TEXT(f, "abc");
    local_file_unref(f);
    local_free(l);
}

Test(local, should_resize_with_zeros_and_not_bring_back_cut_bytes)
{
    struct local *l = local_new(1 << 20);
    struct local_file *f = create(l, "/p/f");
    cr_expect_eq(write_str(f, "abcdef", 0), 6);
    cr_expect_eq(resize(f, 2), 0);
    EXPECT_TEXT(f, "ab");
    cr_expect_eq(resize(f, 5), 0);
    expect_bytes(f, "ab\0\0\0", 5);
    cr_expect_eq(resize(f, 5), 0);
    expect_bytes(f, "ab\0\0\0", 5);
    cr_expect_eq(resize(f, 0), 0);
    expect_bytes(f, "", 0);
    local_file_unref(f);

    /* growing a file that never had bytes */
    f = create(l, "/p/g");
    cr_expect_eq(resize(f, 3), 0);
    expect_bytes(f, "\0\0\0", 3);
    local_file_unref(f);
    local_free(l);
}

/* The memory cap */

Test(local, should_refuse_growth_past_the_cap_with_enospc_and_change_nothing)
{
    struct local *l = local_new(16);
    struct local_file *a = create(l, "/p/a");
    cr_expect_eq(write_str(a, "0123456789abcdef", 0), 16);     /* exactly the cap */
    cr_expect_eq(write_str(a, "!", 16), -ENOSPC);
    EXPECT_TEXT(a, "0123456789abcdef");
    cr_expect_eq(write_str(a, "X", 0), 1);                     /* no growth: fine */
    EXPECT_TEXT(a, "X123456789abcdef");

    struct local_file *b = create(l, "/p/b");
    cr_expect_eq(write_str(b, "x", 0), -ENOSPC);
    cr_expect_eq(resize(b, 1), -ENOSPC);
    expect_bytes(b, "", 0);
    local_file_unref(b);
    local_file_unref(a);
    local_free(l);
}

Test(local, should_give_back_memory_when_a_file_shrinks)
{
    struct local *l = local_new(16);
    struct local_file *a = create(l, "/p/a");
    struct local_file *b = create(l, "/p/b");
    cr_expect_eq(write_str(a, "0123456789abcdef", 0), 16);
    cr_expect_eq(resize(a, 4), 0);
    cr_expect_eq(write_str(b, "0123456789ab", 0), 12);
    cr_expect_eq(write_str(b, "c", 12), -ENOSPC);
    /* creating again truncates: its bytes are given back too */
    struct local_file *again = create(l, "/p/a");
    cr_expect_eq(write_str(b, "cdef", 12), 4);
    local_file_unref(again);
    local_file_unref(b);
    local_file_unref(a);
    local_free(l);
}

Test(local, should_give_back_memory_only_when_the_last_reference_goes)
{
    struct local *l = local_new(16);
    struct local_file *a = create(l, "/p/a");
    cr_expect_eq(write_str(a, "0123456789abcdef", 0), 16);
    struct local_file *b = create(l, "/p/b");

    cr_assert_eq(local_scratch_remove(l, "/p/a"), 0);
    /* a is still referenced: its bytes still count */
    cr_expect_eq(write_str(b, "x", 0), -ENOSPC);
    local_file_unref(a);
    cr_expect_eq(write_str(b, "0123456789abcdef", 0), 16);
    local_file_unref(b);
    local_free(l);
}

Test(local, should_give_back_the_memory_of_a_replaced_rename_target)
{
    struct local *l = local_new(16);
    struct local_file *a = create(l, "/p/a");
    struct local_file *b = create(l, "/p/b");
    cr_expect_eq(write_str(a, "01234567", 0), 8);
    cr_expect_eq(write_str(b, "01234567", 0), 8);
    local_file_unref(b);
    cr_assert_eq(local_scratch_rename(l, "/p/a", "/p/b"), 0);
    struct local_file *c = create(l, "/p/c");
    cr_expect_eq(write_str(c, "01234567", 0), 8);
    cr_expect_eq(write_str(c, "8", 8), -ENOSPC);
    local_file_unref(c);
    local_file_unref(a);
    local_free(l);
}

/* Documents open for writing */

Test(local, should_share_one_buffer_between_writers_of_a_document)
{
    struct local *l = local_new(1 << 20);
    const char *path = "/projects/1/project.json";
    cr_expect_null(local_doc_get(l, path));

    struct local_file *w1 = local_doc_open(l, path, "{\"a\":1}", 7);
    cr_assert_not_null(w1);
    EXPECT_TEXT(w1, "{\"a\":1}");
    cr_expect_eq(w1->writers, 1);

    /* the second writer joins; its initial bytes are ignored */
    struct local_file *w2 = local_doc_open(l, path, "something else", 14);
    cr_assert_eq(w2, w1, "second writer should share the buffer");
    EXPECT_TEXT(w2, "{\"a\":1}");
    cr_expect_eq(w1->writers, 2);

    cr_expect_eq(write_str(w2, "2", 5), 1);
    EXPECT_TEXT(w1, "{\"a\":2}");

    struct local_file *g = local_doc_get(l, path);
    cr_expect_eq(g, w1);
    local_file_unref(g);
    cr_expect_null(local_doc_get(l, "/projects/2/project.json"));

    /* documents and scratch files are separate name spaces */
    cr_expect_null(local_scratch_get(l, path));

    local_doc_close(l, path, w2);
    g = local_doc_get(l, path);
    cr_expect_eq(g, w1, "still open by the first writer");
    cr_expect_eq(g->writers, 1);
    local_file_unref(g);

    local_doc_close(l, path, w1);
    cr_expect_null(local_doc_get(l, path), "dropped with the last writer");
    local_free(l);
}

Test(local, should_start_a_fresh_buffer_after_the_last_writer_closed)
{
    struct local *l = local_new(1 << 20);
    const char *path = "/projects/1/jobs/2/job.json";
    struct local_file *w = local_doc_open(l, path, "old", 3);
    cr_expect_eq(write_str(w, "edit", 0), 4);
    local_doc_close(l, path, w);

    w = local_doc_open(l, path, "server", 6);
    EXPECT_TEXT(w, "server");
    cr_expect_eq(w->writers, 1);
    local_doc_close(l, path, w);
    local_free(l);
}

Test(local, should_keep_a_closed_document_readable_by_a_reference_holder)
{
    struct local *l = local_new(1 << 20);
    const char *path = "/tables/t/5.json";
    struct local_file *w = local_doc_open(l, path, "{}", 2);
    struct local_file *reader = local_doc_get(l, path);
    cr_expect_eq(write_str(w, "[]", 0), 2);
    local_doc_close(l, path, w);
    cr_expect_null(local_doc_get(l, path));
    EXPECT_TEXT(reader, "[]");
    cr_expect_eq(reader->writers, 0);
    local_file_unref(reader);
    local_free(l);
}

Test(local, should_charge_document_buffers_to_the_cap_and_give_them_back)
{
    struct local *l = local_new(16);
    const char *path = "/projects/1/project.json";
    struct local_file *w = local_doc_open(l, path, "0123456789ab", 12);
    struct local_file *s = create(l, "/projects/1/x");
    cr_expect_eq(write_str(s, "0123", 0), 4);
    cr_expect_eq(write_str(s, "4", 4), -ENOSPC);
    /* growing the document counts too */
    cr_expect_eq(write_str(w, "c", 12), -ENOSPC);
    local_doc_close(l, path, w);
    cr_expect_eq(write_str(s, "456789abcdef", 4), 12);
    local_file_unref(s);
    local_free(l);
}

Test(local, should_free_everything_left_open_with_the_store)
{
    /* leak check (ASan build): files still in the store are freed with it */
    struct local *l = local_new(1 << 20);
    local_file_unref(create(l, "/p/a"));
    struct local_file *f = create(l, "/p/b");
    cr_expect_eq(write_str(f, "bytes", 0), 5);
    local_file_unref(f);
    struct local_file *w = local_doc_open(l, "/p/doc.json", "{}", 2);
    local_file_unref(w);        /* leaves the writer count, not the store */
    local_free(l);
    local_free(NULL);
}

/* Many writers of one document at once: each writes its own byte while
 * the first keeps it open; every byte lands in the one shared buffer. */
#define WRITERS 8
#define ROUNDS 200

struct writer_arg {
    struct local *l;
    int index;
};

static void *writer_thread(void *p)
{
    struct writer_arg *a = p;
    const char *path = "/projects/1/project.json";
    for (int r = 0; r < ROUNDS; r++) {
        struct local_file *f = local_doc_open(a->l, path, "ignored", 7);
        char c = (char)('a' + a->index);
        write_at(f, &c, 1, a->index);
        local_doc_close(a->l, path, f);
    }
    return NULL;
}

Test(local, should_share_a_document_between_concurrent_writers)
{
    struct local *l = local_new(1 << 20);
    const char *path = "/projects/1/project.json";
    struct local_file *first = local_doc_open(l, path, "", 0);
    pthread_t t[WRITERS];
    struct writer_arg args[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        args[i].l = l;
        args[i].index = i;
        cr_assert_eq(pthread_create(&t[i], NULL, writer_thread, &args[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++)
        pthread_join(t[i], NULL);
    EXPECT_TEXT(first, "abcdefgh");
    cr_expect_eq(first->writers, 1);
    local_doc_close(l, path, first);
    cr_expect_null(local_doc_get(l, path));
    local_free(l);
}
