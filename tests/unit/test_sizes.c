/* Unit tests for sizes.c: the kernel's cached size of a path is trusted
 * only once the same size has been reported, unchanged, for longer than
 * the settle time. Time is a fake millisecond clock passed as `now`. */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>

#include "sizes.h"

#define SETTLE 1000
#define T0 5000000

Test(sizes, should_agree_only_after_the_settle_time)
{
    struct size_book *b = sizes_new(SETTLE, 64);
    sizes_reported(b, "/projects/1/project.json", 120, T0);
    cr_expect_not(sizes_kernel_agrees(b, "/projects/1/project.json", 120, T0));
    cr_expect_not(sizes_kernel_agrees(b, "/projects/1/project.json", 120, T0 + SETTLE / 2));
    cr_expect_not(sizes_kernel_agrees(b, "/projects/1/project.json", 120, T0 + SETTLE),
                  "exactly the settle time is not longer than it");
    cr_expect(sizes_kernel_agrees(b, "/projects/1/project.json", 120, T0 + SETTLE + 1));
    cr_expect(sizes_kernel_agrees(b, "/projects/1/project.json", 120, T0 + 100 * SETTLE));
    sizes_free(b);
}

Test(sizes, should_agree_only_on_the_size_reported)
{
    struct size_book *b = sizes_new(SETTLE, 64);
    sizes_reported(b, "/a", 120, T0);
    cr_expect_not(sizes_kernel_agrees(b, "/a", 121, T0 + 10 * SETTLE));
    cr_expect_not(sizes_kernel_agrees(b, "/a", 119, T0 + 10 * SETTLE));
    cr_expect_not(sizes_kernel_agrees(b, "/a", 0, T0 + 10 * SETTLE));
    cr_expect(sizes_kernel_agrees(b, "/a", 120, T0 + 10 * SETTLE));
    sizes_free(b);
}

Test(sizes, should_not_restart_the_clock_when_the_same_size_is_reported_again)
{
    struct size_book *b = sizes_new(SETTLE, 64);
    sizes_reported(b, "/a", 7, T0);
    sizes_reported(b, "/a", 7, T0 + SETTLE / 2);
    sizes_reported(b, "/a", 7, T0 + SETTLE);
    cr_expect(sizes_kernel_agrees(b, "/a", 7, T0 + SETTLE + 1));
    sizes_free(b);
}

Test(sizes, should_restart_the_clock_when_the_size_changes)
{
    struct size_book *b = sizes_new(SETTLE, 64);
    sizes_reported(b, "/a", 7, T0);
    cr_assert(sizes_kernel_agrees(b, "/a", 7, T0 + 2 * SETTLE));

    const int64_t t1 = T0 + 3 * SETTLE;
    sizes_reported(b, "/a", 9, t1);
    cr_expect_not(sizes_kernel_agrees(b, "/a", 9, t1 + 1));
    cr_expect_not(sizes_kernel_agrees(b, "/a", 7, t1 + 1), "the old size is gone");
    cr_expect_not(sizes_kernel_agrees(b, "/a", 9, t1 + SETTLE));
    cr_expect(sizes_kernel_agrees(b, "/a", 9, t1 + SETTLE + 1));
    cr_expect_not(sizes_kernel_agrees(b, "/a", 7, t1 + 10 * SETTLE));

    /* back to the first size: that is a change too */
    const int64_t t2 = t1 + 10 * SETTLE;
    sizes_reported(b, "/a", 7, t2);
    cr_expect_not(sizes_kernel_agrees(b, "/a", 7, t2 + SETTLE));
    cr_expect(sizes_kernel_agrees(b, "/a", 7, t2 + SETTLE + 1));
    sizes_free(b);
}

Test(sizes, should_keep_a_clock_per_path)
{
    struct size_book *b = sizes_new(SETTLE, 64);
    sizes_reported(b, "/a", 5, T0);
    sizes_reported(b, "/b", 5, T0 + SETTLE);
    cr_expect(sizes_kernel_agrees(b, "/a", 5, T0 + SETTLE + 1));
    cr_expect_not(sizes_kernel_agrees(b, "/b", 5, T0 + SETTLE + 1));
    sizes_reported(b, "/b", 6, T0 + SETTLE + 2);
    cr_expect(sizes_kernel_agrees(b, "/a", 5, T0 + SETTLE + 3), "/b's change leaves /a alone");
    sizes_free(b);
}

Test(sizes, should_never_agree_on_unknown_paths)
{
    struct size_book *b = sizes_new(SETTLE, 64);
    cr_expect_not(sizes_kernel_agrees(b, "/a", 0, T0));
    cr_expect_not(sizes_kernel_agrees(b, "/a", 0, INT64_MAX));
    sizes_reported(b, "/a", 0, T0);
    cr_expect_not(sizes_kernel_agrees(b, "/a/", 0, T0 + 10 * SETTLE));
    cr_expect_not(sizes_kernel_agrees(b, "/A", 0, T0 + 10 * SETTLE));
    cr_expect_not(sizes_kernel_agrees(b, "/b", 0, T0 + 10 * SETTLE));
    cr_expect(sizes_kernel_agrees(b, "/a", 0, T0 + 10 * SETTLE));
    sizes_free(b);
}

Test(sizes, should_forget_everything_safely_at_the_cap)
{
    struct size_book *b = sizes_new(SETTLE, 3);
    sizes_reported(b, "/a", 1, T0);
    sizes_reported(b, "/b", 2, T0);
    sizes_reported(b, "/c", 3, T0);
    const int64_t later = T0 + 10 * SETTLE;
    cr_assert(sizes_kernel_agrees(b, "/a", 1, later));
    cr_assert(sizes_kernel_agrees(b, "/c", 3, later));

    /* re-reporting a known path does not count against the cap */
    sizes_reported(b, "/a", 1, later);
    cr_expect(sizes_kernel_agrees(b, "/b", 2, later));

    /* a fourth path: the book starts over; forgotten paths never agree */
    sizes_reported(b, "/d", 4, later);
    cr_expect_not(sizes_kernel_agrees(b, "/a", 1, later + 10 * SETTLE));
    cr_expect_not(sizes_kernel_agrees(b, "/b", 2, later + 10 * SETTLE));
    cr_expect_not(sizes_kernel_agrees(b, "/c", 3, later + 10 * SETTLE));
    cr_expect_not(sizes_kernel_agrees(b, "/d", 4, later + SETTLE));
    cr_expect(sizes_kernel_agrees(b, "/d", 4, later + SETTLE + 1));

    /* a forgotten path reported again waits the settle time afresh */
    sizes_reported(b, "/a", 1, later + 20 * SETTLE);
    cr_expect_not(sizes_kernel_agrees(b, "/a", 1, later + 20 * SETTLE + 1));
    cr_expect(sizes_kernel_agrees(b, "/a", 1, later + 21 * SETTLE + 1));
    sizes_free(b);
}

Test(sizes, should_survive_many_paths_through_a_small_cap)
{
    /* every forgetting frees what it held (checked by the ASan build) */
    struct size_book *b = sizes_new(SETTLE, 8);
    char path[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(path, sizeof(path), "/p/%d", i);
        sizes_reported(b, path, (uint64_t)i, T0 + i);
    }
    cr_expect(sizes_kernel_agrees(b, "/p/999", 999, T0 + 999 + SETTLE + 1));
    cr_expect_not(sizes_kernel_agrees(b, "/p/0", 0, T0 + 999 + SETTLE + 1));
    sizes_free(b);
    sizes_free(NULL);
}
