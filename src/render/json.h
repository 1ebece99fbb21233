/* json — the snapshot for scripts, one JSON document per process.
 *
 * The keys are documented in pinspect(1), JSON OUTPUT. Anything that could
 * not be read is null and explained in "unavailable"; numbers are numbers
 * (addresses too), times are seconds, sizes bytes. The document is written
 * as it is produced (render/jsonw.h), never built in memory as a whole. */
#ifndef PI_RENDER_JSON_H
#define PI_RENDER_JSON_H

#include "model.h"
#include "render/jsonw.h"

/* Bump when a key changes meaning or disappears (adding keys does not). */
#define PI_JSON_SCHEMA_VERSION 1

void pi_render_json(struct pi_jw *w, const struct pi_process *p);
/* A finding: {kind, pid, tid, message, see, seconds, pids}. The _keys
 * form writes the keys only, into an object the caller opened (the scans
 * add the facts behind the finding). */
void pi_json_finding(struct pi_jw *w, const struct pi_finding *f);
void pi_json_finding_keys(struct pi_jw *w, const struct pi_finding *f);

#endif
