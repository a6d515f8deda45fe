/* libFuzzer target for route.c. Every path the kernel hands the filesystem
 * goes through route_resolve, and any local process chooses those bytes, so
 * it must never crash, leak or read out of bounds whatever the path. When a
 * path resolves, the route must also be one the tree can give back: each
 * captured id, encoded again with names_encode, is the very segment it came
 * from, and the path rebuilt from those names resolves to the same route
 * (same kind, mode, endpoint, ids). Templates only name ids the route has,
 * and every fixed child a directory lists resolves to the kind it claims. */
#include "buf.h"
#include "fuzz.h"
#include "names.h"
#include "route.h"

#include <errno.h>
#include <string.h>

#define MAX_SEGS 64

/* Split like route.c does: empty segments ("//") vanish. */
static int split(char *path, char **seg)
{
    int n = 0;
    char *save = NULL;
    for (char *p = strtok_r(path, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
        if (n == MAX_SEGS)
            return -1;
        seg[n++] = p;
    }
    return n;
}

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_same_route(const struct route *a, const struct route *b)
{
    CHECK(a->kind == b->kind && a->type == b->type && a->mode == b->mode);
    CHECK(a->get == b->get && a->view == b->view && a->ttl == b->ttl && a->field == b->field);
    CHECK(same_str(a->project, b->project) && same_str(a->job, b->job));
    CHECK(same_str(a->exec, b->exec) && same_str(a->task, b->task));
    CHECK(same_str(a->table, b->table) && same_str(a->record, b->record));
    CHECK(same_str(a->proto, b->proto) && same_str(a->host, b->host));
    CHECK(same_str(a->name, b->name));
}

/* Put the file name of id (plus suffix) at segment i and check it is the
 * segment the route decoded the id from. */
static void place(char **rebuilt, struct buf *names, char **seg, int nseg, int i,
                  const char *id, const char *suffix, int encode)
{
    CHECK(id && *id);                       /* an empty id is never captured */
    CHECK(i >= 0 && i < nseg);
    struct buf *b = &names[i];
    buf_reset(b);
    if (encode)
        names_encode(b, id);
    else
        buf_adds(b, id);
    buf_adds(b, suffix);
    CHECK(strcmp(b->data, seg[i]) == 0);
    rebuilt[i] = b->data;
}

/* A template placeholder needs its id: {P} project, {J} job, ... */
static void check_template(const struct route *r)
{
    if (!r->get)
        return;
    const struct { const char *ph; const char *id; } need[] = {
        { "{P}", r->project }, { "{J}", r->job }, { "{K}", r->task }, { "{T}", r->table },
        { "{R}", r->record }, { "{X}", r->proto }, { "{U}", r->host },
    };
    for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
        if (strstr(r->get, need[i].ph))
            CHECK(need[i].id != NULL);
    if (strstr(r->get, "{U}"))
        CHECK(r->name != NULL);
}

/* Every fixed child a directory lists resolves, below it, to the kind the
 * listing gives (what readdir shows, lookup finds). */
struct listing {
    const char *dir;
};

static void check_child(void *arg, const char *name, enum node_kind kind)
{
    const struct listing *l = arg;
    struct buf p = BUF_INIT;
    buf_adds(&p, l->dir);
    if (p.len == 0 || p.data[p.len - 1] != '/')
        buf_addc(&p, '/');
    buf_adds(&p, name);
    struct route child;
    int rc = route_resolve(p.data, &child);
    if (rc == -ENAMETOOLONG) {              /* the directory's path was near the limit */
        buf_free(&p);
        return;
    }
    CHECK(rc == 0);
    CHECK(child.kind == kind);
    route_free(&child);
    buf_free(&p);
}

static void check_resolved(const char *path, struct route *r)
{
    CHECK((unsigned)r->kind < N_KIND_COUNT);
    CHECK(route_type(r->kind) == r->type);
    CHECK(r->mode != 0 && (r->mode & ~07777u) == 0);
    check_template(r);

    char *copy = strdup(path);
    CHECK(copy);
    char *seg[MAX_SEGS];
    int nseg = split(copy, seg);
    CHECK(nseg >= 0);
    char *rebuilt[MAX_SEGS];
    struct buf names[MAX_SEGS];
    for (int i = 0; i < nseg; i++) {
        rebuilt[i] = seg[i];
        names[i] = (struct buf)BUF_INIT;
    }
    /* Where each id sits in the tree (see the table in route.c). */
    int last = nseg - 1;
    if (r->project)
        place(rebuilt, names, seg, nseg, 1, r->project, "", 1);
    if (r->job)
        place(rebuilt, names, seg, nseg, 3, r->job, "", 1);
    if (r->exec)
        place(rebuilt, names, seg, nseg, 5, r->exec, "", 1);
    if (r->task)
        place(rebuilt, names, seg, nseg, 5, r->task, "", 1);
    if (r->table)
        place(rebuilt, names, seg, nseg, 1, r->table, "", 1);
    if (r->record)
        place(rebuilt, names, seg, nseg, last, r->record, ".json", 1);
    if (r->proto)
        place(rebuilt, names, seg, nseg, 1, r->proto, "", 1);
    if (r->host)
        place(rebuilt, names, seg, nseg, 2, r->host, "", 1);
    if (r->name) {
        if (r->kind == N_BYNAME_LINK)       /* a decoded project name */
            place(rebuilt, names, seg, nseg, 2, r->name, "", 1);
        else                                /* scratch file, html page: as is */
            place(rebuilt, names, seg, nseg, last, r->name, "", 0);
    }

    struct buf p = BUF_INIT;
    for (int i = 0; i < nseg; i++) {
        buf_addc(&p, '/');
        buf_adds(&p, rebuilt[i]);
    }
    if (nseg == 0)
        buf_addc(&p, '/');
    struct route again;
    CHECK(route_resolve(p.data, &again) == 0);
    check_same_route(r, &again);
    route_free(&again);
    if (r->type == NT_DIR) {
        struct listing l = { p.data };
        route_fixed_children(r->kind, check_child, &l);
    }

    buf_free(&p);
    for (int i = 0; i < nseg; i++)
        buf_free(&names[i]);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A FUSE path is a C string: the input up to its first NUL. */
    char *path = malloc(size + 1);
    if (!path)
        return 0;
    memcpy(path, data, size);
    path[size] = '\0';

    struct route r;
    memset(&r, 0xA5, sizeof(r));            /* "untouched on error" is checked */
    struct route before = r;
    int rc = route_resolve(path, &r);
    CHECK(rc == 0 || rc == -ENOENT || rc == -ENAMETOOLONG);
    if (rc == 0) {
        check_resolved(path, &r);
        route_free(&r);
        CHECK(!r.project && !r.job && !r.exec && !r.task && !r.table && !r.record &&
              !r.proto && !r.host && !r.name);
    } else {
        CHECK(memcmp(&r, &before, sizeof(r)) == 0);
    }
    free(path);
    return 0;
}
