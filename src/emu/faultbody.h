/* faultbody.h — the libmicrohttpd response for an answer a fault spoils on
 * the wire: padding streamed into the JSON without ever being allocated,
 * a body drip-fed at a byte rate, or a body cut short after its headers
 * promised the full length. Everything goes through one content reader. */
#ifndef EMU_FAULTBODY_H
#define EMU_FAULTBODY_H

#include <stddef.h>
#include <stdint.h>

struct fault;
struct MHD_Response;

struct faultbody_opts {
	uint64_t pad_bytes;        /* > 0: a JSON object body gets a member
				    * "_emu_padding" holding that many 'x';
				    * any other body that many trailing spaces */
	long drip_bytes_per_sec;   /* > 0: send at about that rate */
	int truncate;              /* send only the first half of the (padded)
				    * length, then close the connection */
	struct fault *fault;       /* its sleeps end early when the server stops */
};

/* A response streaming body[0..len) (taken, freed with the response) as
 * opts say; Content-Length is always the full padded length. NULL if MHD
 * refuses (body freed). */
struct MHD_Response *faultbody_response(char *body, size_t len,
					const struct faultbody_opts *opts);

#endif
