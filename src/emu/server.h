/* server.h — the emulator's HTTP front: a multi-threaded libmicrohttpd daemon
 * on 127.0.0.1 that checks the API key, applies the per-key rate limit,
 * routes to the API handlers, records stats, injects the faults set through
 * /_emu/fault, and serves the /_emu/ test endpoints (no key, not limited,
 * not counted, never faulted). */
#ifndef EMU_SERVER_H
#define EMU_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

struct server_config {
	uint16_t port;              /* 0: any free port */
	const char *const *keys;    /* accepted "ORG:KEY" values */
	size_t nkeys;
	long rate;                  /* requests per minute per key */
	int verbose;                /* one stderr line per request */
	const struct emu_services *svc;  /* must outlive the server */
};

struct server;

/* Starts serving (threads run at once). Returns 0 and *out, or -errno with a
 * message already printed on stderr. */
int server_start(const struct server_config *cfg, struct server **out);

/* The port actually bound. */
uint16_t server_port(const struct server *s);

/* Stops the daemon (closing every connection, waiting for its threads) and
 * frees the server. NULL is fine. */
void server_stop(struct server *s);

#endif
