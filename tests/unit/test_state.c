/* Unit tests for state.c, the execution journal. Each test works in its own
 * temporary directory under /tmp, removed afterwards. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"

#define URL "http://127.0.0.1:8080"

static char tmpdir[64];

static void rm_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        unlink(path);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char sub[512];
        snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
        struct stat st;
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            rm_tree(sub);
        else
            unlink(sub);
    }
    closedir(d);
    rmdir(path);
}

static void make_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/wrfs-unit-state-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
}

static void remove_tmpdir(void)
{
    rm_tree(tmpdir);
}

TestSuite(state, .init = make_tmpdir, .fini = remove_tmpdir);

static struct journal *open_journal(const char *dir, const char *url)
{
    int err = 0;
    struct journal *j = journal_open(dir, url, &err);
    cr_assert_not_null(j, "journal_open(%s): %s", dir, strerror(-err));
    return j;
}

/* The executions of a job, joined with ',' in the order journal_each gives. */
struct listing {
    char text[1024];
    int n;
};

static void add_to_listing(void *arg, const char *exec)
{
    struct listing *l = arg;
    size_t len = strlen(l->text);
    snprintf(l->text + len, sizeof(l->text) - len, "%s%s", l->n ? "," : "", exec);
    l->n++;
}

static struct listing list_job(struct journal *j, const char *project, const char *job)
{
    struct listing l = { "", 0 };
    journal_each(j, project, job, add_to_listing, &l);
    return l;
}

static void expect_latest(struct journal *j, const char *project, const char *job,
                          const char *want)
{
    char *got = journal_latest(j, project, job);
    if (!want) {
        cr_expect_null(got, "latest should be none, got %s", got ? got : "");
    } else {
        cr_expect(got && strcmp(got, want) == 0, "latest: got %s, want %s",
                  got ? got : "(null)", want);
    }
    free(got);
}

Test(state, should_add_new_executions_once)
{
    struct journal *j = open_journal(tmpdir, URL);
    cr_expect_eq(journal_count(j), 0);
    cr_expect_eq(journal_add(j, "p1", "j1", "e1", 1000), 1);
    cr_expect_eq(journal_add(j, "p1", "j1", "e1", 2000), 0, "already known");
    cr_expect_eq(journal_add(j, "p1", "j2", "e1", 1000), 1, "same id, other job");
    cr_expect_eq(journal_add(j, "p2", "j1", "e1", 1000), 1, "same id, other project");
    cr_expect_eq(journal_count(j), 3);
    cr_expect(journal_has(j, "p1", "j1", "e1"));
    cr_expect(journal_has(j, "p1", "j2", "e1"));
    cr_expect_not(journal_has(j, "p1", "j1", "e2"));
    cr_expect_not(journal_has(j, "p3", "j1", "e1"));
    journal_close(j);
}

Test(state, should_not_mix_up_project_and_job_boundaries)
{
    struct journal *j = open_journal(tmpdir, URL);
    cr_expect_eq(journal_add(j, "a", "b\nc", "e1", 1), 1);
    cr_expect_not(journal_has(j, "a\nb", "c", "e1"), "ids must not run into each other");
    journal_close(j);
}

Test(state, should_list_executions_of_a_job_in_order)
{
    struct journal *j = open_journal(tmpdir, URL);
    journal_add(j, "p1", "j1", "e1", 1000);
    journal_add(j, "p1", "j1", "e2", 2000);
    journal_add(j, "p1", "j2", "other", 2500);
    journal_add(j, "p1", "j1", "e3", 3000);
    struct listing l = list_job(j, "p1", "j1");
    cr_expect_str_eq(l.text, "e1,e2,e3");
    l = list_job(j, "p1", "j2");
    cr_expect_str_eq(l.text, "other");
    l = list_job(j, "p9", "j9");
    cr_expect_eq(l.n, 0);
    journal_close(j);
}

Test(state, should_list_oldest_first_even_when_learned_out_of_order)
{
    /* An old run looked up after a new one is recorded with its own (older)
     * start time: "oldest first" is by timestamp, not by arrival. */
    struct journal *j = open_journal(tmpdir, URL);
    journal_add(j, "p1", "j1", "new", 5000);
    journal_add(j, "p1", "j1", "old", 1000);
    journal_add(j, "p1", "j1", "mid", 3000);
    struct listing l = list_job(j, "p1", "j1");
    cr_expect_str_eq(l.text, "old,mid,new");
    journal_close(j);
}

Test(state, should_name_the_newest_execution_by_timestamp_as_latest)
{
    struct journal *j = open_journal(tmpdir, URL);
    expect_latest(j, "p1", "j1", NULL);
    journal_add(j, "p1", "j1", "b", 3000);
    journal_add(j, "p1", "j1", "a", 1000);
    journal_add(j, "p1", "j1", "c", 2000);
    expect_latest(j, "p1", "j1", "b");
    journal_add(j, "p1", "j1", "d", 4000);
    expect_latest(j, "p1", "j1", "d");
    expect_latest(j, "p1", "j2", NULL);
    journal_close(j);
}

Test(state, should_load_the_same_entries_after_reopen)
{
    struct journal *j = open_journal(tmpdir, URL);
    journal_add(j, "p1", "j1", "e1", 1000);
    journal_add(j, "p1", "j1", "e2", 3000);
    journal_add(j, "p1", "j1", "e3", 2000);
    journal_add(j, "p2", "j7", "x", 500);
    journal_close(j);

    j = open_journal(tmpdir, URL);
    cr_expect_eq(journal_count(j), 4);
    cr_expect(journal_has(j, "p1", "j1", "e1"));
    cr_expect(journal_has(j, "p1", "j1", "e2"));
    cr_expect(journal_has(j, "p1", "j1", "e3"));
    cr_expect(journal_has(j, "p2", "j7", "x"));
    expect_latest(j, "p1", "j1", "e2");
    expect_latest(j, "p2", "j7", "x");
    cr_expect_eq(journal_add(j, "p1", "j1", "e1", 9999), 0, "still known after reopen");
    journal_close(j);
}

Test(state, should_round_trip_awkward_ids_through_the_file)
{
    static const char *const ids[] = {
        "tab\there", "new\nline", "100%", "%41", "a/b", "..", ".", "sp ace", "héllo ✓",
        "\r\x01\x7f", "\xff\xfe",
    };
    size_t n = sizeof(ids) / sizeof(ids[0]);
    struct journal *j = open_journal(tmpdir, URL);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(journal_add(j, ids[i], ids[(i + 1) % n], ids[(i + 2) % n], (int64_t)i), 1,
                     "id #%zu", i);
    journal_close(j);

    j = open_journal(tmpdir, URL);
    cr_expect_eq(journal_count(j), n);
    for (size_t i = 0; i < n; i++)
        cr_expect(journal_has(j, ids[i], ids[(i + 1) % n], ids[(i + 2) % n]),
                  "id #%zu lost across reopen", i);
    journal_close(j);
}

Test(state, should_round_trip_empty_ids_through_the_file)
{
    /* The empty id is a valid (if odd) API id: the tree shows it as "%". */
    struct journal *j = open_journal(tmpdir, URL);
    cr_assert_eq(journal_add(j, "p1", "j1", "", 1000), 1);
    cr_assert_eq(journal_add(j, "", "j1", "e1", 1000), 1);
    journal_close(j);

    j = open_journal(tmpdir, URL);
    cr_expect_eq(journal_count(j), 2);
    cr_expect(journal_has(j, "p1", "j1", ""), "empty execution id lost across reopen");
    cr_expect(journal_has(j, "", "j1", "e1"), "empty project id lost across reopen");
    journal_close(j);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fputs(text, f);
    fclose(f);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    static char text[8192];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

Test(state, should_skip_a_corrupt_line_and_load_the_others)
{
    struct journal *j = open_journal(tmpdir, URL);
    char *path = strdup(journal_path(j));
    journal_close(j);
    write_text(path,
               "webrobotfs-journal 1\n"
               "1000\tp1\tj1\te1\n"
               "garbage without tabs\n"
               "2000\tp1\tj1\tbad%zzhex\n"
               "3000\tp1\tonly-three-fields\n"
               "4000\tp1\tj1\te2\n");
    j = open_journal(tmpdir, URL);
    cr_expect_eq(journal_count(j), 2);
    cr_expect(journal_has(j, "p1", "j1", "e1"));
    cr_expect(journal_has(j, "p1", "j1", "e2"));
    expect_latest(j, "p1", "j1", "e2");
    journal_close(j);
    free(path);
}

Test(state, should_load_nothing_from_a_file_with_an_unknown_header)
{
    struct journal *j = open_journal(tmpdir, URL);
    char *path = strdup(journal_path(j));
    journal_close(j);
    write_text(path, "some-other-format 7\n1000\tp1\tj1\te1\n");
    j = open_journal(tmpdir, URL);
    cr_expect_eq(journal_count(j), 0);
    journal_close(j);
    free(path);
}

Test(state, should_replace_the_file_atomically_without_leftovers)
{
    struct journal *j = open_journal(tmpdir, URL);
    const char *path = journal_path(j);
    ino_t previous = 0;
    for (int i = 0; i < 5; i++) {
        char id[16];
        snprintf(id, sizeof(id), "e%d", i);
        cr_assert_eq(journal_add(j, "p1", "j\t1", id, 1000 + i), 1);
        /* a new file renamed over the old one each time, never rewritten
         * in place (a crash mid-write would lose every run) */
        struct stat now;
        cr_assert_eq(stat(path, &now), 0);
        if (i > 0)
            cr_expect_neq(now.st_ino, previous, "save #%d rewrote the file in place", i + 1);
        previous = now.st_ino;
    }
    cr_expect_eq(strncmp(path, tmpdir, strlen(tmpdir)), 0, "journal lives in state_dir");

    DIR *d = opendir(tmpdir);
    cr_assert_not_null(d);
    int files = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        size_t n = strlen(de->d_name);
        if (n > 5 && strcmp(de->d_name + n - 5, ".lock") == 0)
            continue;   /* the lock mounts sharing the directory take */
        files++;
        cr_expect_null(strstr(de->d_name, ".tmp"), "leftover temp file %s", de->d_name);
    }
    closedir(d);
    cr_expect_eq(files, 1, "exactly the journal file (and its lock) in the state dir");

    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_expect_eq(st.st_mode & 077, 0, "journal readable by others: %o", st.st_mode & 0777);

    /* One header line plus one line per execution: no id broke a line. */
    const char *text = read_text(path);
    cr_expect_eq(strncmp(text, "webrobotfs-journal 1\n", 21), 0);
    int lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    cr_expect_eq(lines, 6);
    journal_close(j);
}

Test(state, should_keep_separate_journals_for_separate_servers)
{
    struct journal *a = open_journal(tmpdir, "http://127.0.0.1:1111");
    struct journal *b = open_journal(tmpdir, "https://api.webrobot.eu");
    cr_expect_str_neq(journal_path(a), journal_path(b));
    journal_add(a, "p1", "j1", "from-a", 1);
    journal_add(b, "p1", "j1", "from-b", 1);
    cr_expect_not(journal_has(a, "p1", "j1", "from-b"));
    cr_expect_not(journal_has(b, "p1", "j1", "from-a"));
    journal_close(a);
    journal_close(b);

    a = open_journal(tmpdir, "http://127.0.0.1:1111");
    cr_expect_eq(journal_count(a), 1);
    cr_expect(journal_has(a, "p1", "j1", "from-a"));
    cr_expect_not(journal_has(a, "p1", "j1", "from-b"));
    journal_close(a);
}

Test(state, should_create_a_missing_state_dir_private)
{
    char dir[128];
    snprintf(dir, sizeof(dir), "%s/deeper/state", tmpdir);
    struct journal *j = open_journal(dir, URL);
    cr_expect_eq(journal_add(j, "p", "j", "e", 1), 1);
    struct stat st;
    cr_assert_eq(stat(dir, &st), 0);
    cr_expect(S_ISDIR(st.st_mode));
    cr_expect_eq(st.st_mode & 0777, 0700, "mode %o", st.st_mode & 0777);
    journal_close(j);
}

Test(state, should_fail_to_open_when_the_state_dir_cannot_be_made)
{
    char file[128];
    snprintf(file, sizeof(file), "%s/plain-file", tmpdir);
    write_text(file, "x");
    char dir[160];
    snprintf(dir, sizeof(dir), "%s/sub", file);
    int err = 0;
    struct journal *j = journal_open(dir, URL, &err);
    cr_expect_null(j);
    cr_expect_lt(err, 0, "err should be -errno, got %d", err);
    journal_close(j);
}
