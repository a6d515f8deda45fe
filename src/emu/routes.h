/* routes.h — the table from (method, OpenAPI path template) to handler, and
 * matching of decoded path segments against it. */
#ifndef EMU_ROUTES_H
#define EMU_ROUTES_H

#include <stddef.h>

#include "api.h"

struct route {
	const char *method;
	const char *tmpl;     /* OpenAPI template, e.g. "/health" */
	const char *key;      /* "METHOD template", the stats key */
	api_handler *fn;
};

/* The first route whose method and template match seg[0..nseg); each
 * {placeholder} matches one non-empty segment and is stored in params (at
 * most HTTP_MAX_PARAMS, borrowed from seg). NULL when none matches. */
const struct route *route_match(const char *method, char *const *seg, size_t nseg,
				const char **params, size_t *nparams);

#endif
