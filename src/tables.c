/* Known Strapi table names: see tables.h. A short list: linear search. */
#include "tables.h"
#include "xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TABLES 1024

struct table_names {
    pthread_mutex_t lock;
    char *names[MAX_TABLES];    /* protected by lock */
    int n;                      /* protected by lock */
};

struct table_names *tables_new(const char *csv)
{
    struct table_names *t = xcalloc(1, sizeof(*t));
    pthread_mutex_init(&t->lock, NULL);
    if (csv) {
        char *copy = xstrdup(csv), *save = NULL;
        for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save))
            tables_add(t, p);
        free(copy);
    }
    return t;
}

void tables_free(struct table_names *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n; i++)
        free(t->names[i]);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

void tables_add(struct table_names *t, const char *name)
{
    pthread_mutex_lock(&t->lock);
    int known = 0;
    for (int i = 0; i < t->n && !known; i++)
        known = strcmp(t->names[i], name) == 0;
    if (!known && t->n < MAX_TABLES && *name)
        t->names[t->n++] = xstrdup(name);
    pthread_mutex_unlock(&t->lock);
}

void tables_each(struct table_names *t, void (*fn)(void *arg, const char *name), void *arg)
{
    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < t->n; i++)
        fn(arg, t->names[i]);
    pthread_mutex_unlock(&t->lock);
}
