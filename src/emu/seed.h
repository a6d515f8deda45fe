/* seed.h — the data an emulator starts with: "demo" (projects 98, 101, 102,
 * 103 with their jobs and tasks, Strapi tables products and competitors,
 * datasets, agents, categories) or "empty". Tests depend on the demo ids. */
#ifndef EMU_SEED_H
#define EMU_SEED_H

struct world;
struct tables;
struct catalog;

/* The message every run of a job seeded to fail ends with. */
#define SEED_FAILURE_MESSAGE \
	"Job aborted due to stage failure: Task 3 in stage 2.0 failed 4 times, " \
	"most recent failure: java.lang.OutOfMemoryError: Java heap space"

/* Loads the named seed into empty containers. Returns 0, or -EINVAL for an
 * unknown name (nothing loaded). */
int seed_load(const char *name, struct world *w, struct tables *t,
	      struct catalog *c);

/* True if name is a known seed. */
int seed_known(const char *name);

#endif
