/* Unit tests for tables.c: the table names from -o tables=a,b (empty items
 * skipped), names added later, each once, listed in the order they became
 * known. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "tables.h"

struct names {
    char text[512];
    int n;
};

static void collect(void *arg, const char *name)
{
    struct names *ns = arg;
    size_t len = strlen(ns->text);
    snprintf(ns->text + len, sizeof(ns->text) - len, "%s%s", ns->n ? "," : "", name);
    ns->n++;
}

/* The names, comma-joined in listing order. */
static void expect_names(struct table_names *t, const char *want, int count)
{
    struct names ns = { "", 0 };
    tables_each(t, collect, &ns);
    cr_expect_str_eq(ns.text, want);
    cr_expect_eq(ns.n, count, "%d names, want %d", ns.n, count);
}

static void expect_csv(const char *csv, const char *want, int count)
{
    struct table_names *t = tables_new(csv);
    cr_assert_not_null(t);
    struct names ns = { "", 0 };
    tables_each(t, collect, &ns);
    cr_expect_str_eq(ns.text, want, "tables_new(\"%s\")", csv ? csv : "(null)");
    cr_expect_eq(ns.n, count, "tables_new(\"%s\"): %d names, want %d", csv ? csv : "(null)",
                 ns.n, count);
    tables_free(t);
}

Test(tables, should_know_no_tables_without_a_list)
{
    expect_csv(NULL, "", 0);
    expect_csv("", "", 0);
    expect_csv(",", "", 0);
    expect_csv(",,,", "", 0);
}

Test(tables, should_read_a_comma_separated_list_in_order)
{
    expect_csv("products", "products", 1);
    expect_csv("products,orders,customers", "products,orders,customers", 3);
    expect_csv("b,a", "b,a", 2);
}

Test(tables, should_skip_empty_items_of_the_list)
{
    expect_csv("a,,b", "a,b", 2);
    expect_csv(",a,b,", "a,b", 2);
    expect_csv(",,a,,,b,,", "a,b", 2);
}

Test(tables, should_keep_each_listed_name_once)
{
    expect_csv("a,b,a,c,b", "a,b,c", 3);
    expect_csv("a,a,a", "a", 1);
}

Test(tables, should_add_new_names_after_the_known_ones)
{
    struct table_names *t = tables_new("products,orders");
    tables_add(t, "customers");
    tables_add(t, "archive");
    expect_names(t, "products,orders,customers,archive", 4);
    tables_free(t);

    t = tables_new(NULL);
    tables_add(t, "z");
    tables_add(t, "a");
    expect_names(t, "z,a", 2);
    tables_free(t);
}

Test(tables, should_not_add_a_name_twice)
{
    struct table_names *t = tables_new("products,orders");
    tables_add(t, "orders");
    tables_add(t, "products");
    tables_add(t, "new");
    tables_add(t, "new");
    expect_names(t, "products,orders,new", 3);
    tables_free(t);
}

Test(tables, should_compare_names_exactly)
{
    struct table_names *t = tables_new("Products");
    tables_add(t, "products");
    tables_add(t, "products ");
    expect_names(t, "Products,products,products ", 3);
    tables_free(t);
}

Test(tables, should_ignore_an_empty_name)
{
    struct table_names *t = tables_new("a");
    tables_add(t, "");
    expect_names(t, "a", 1);
    tables_free(t);
}

struct order {
    int n;
    int in_order;       /* every name so far was t<position> */
};

static void check_order(void *arg, const char *name)
{
    struct order *o = arg;
    char want[32];
    snprintf(want, sizeof(want), "t%d", o->n);
    if (strcmp(name, want) != 0)
        o->in_order = 0;
    o->n++;
}

Test(tables, should_stay_bounded_and_keep_the_first_names)
{
    /* The list is capped (names looked up by anyone could grow it without
     * end): past the cap new names are dropped, the known ones kept. */
    struct table_names *t = tables_new(NULL);
    char name[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof(name), "t%d", i);
        tables_add(t, name);
    }
    struct order o = { 0, 1 };
    tables_each(t, check_order, &o);
    cr_expect_gt(o.n, 0);
    cr_expect_lt(o.n, 5000, "the list should be capped, has %d names", o.n);
    cr_expect(o.in_order, "the first names should be kept, in order");
    tables_free(t);
    tables_free(NULL);
}
