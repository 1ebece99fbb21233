/* json — the snapshot for scripts, one JSON document per process.
 *
 * The keys are documented in pinspect(1), JSON OUTPUT. Anything that could
 * not be read is null and explained in "unavailable"; numbers are numbers
 * (addresses too), times are seconds, sizes bytes. */
#ifndef PI_RENDER_JSON_H
#define PI_RENDER_JSON_H

#include <json-c/json.h>

#include "model.h"

/* Bump when a key changes meaning or disappears (adding keys does not). */
#define PI_JSON_SCHEMA_VERSION 1

json_object *pi_render_json(const struct pi_process *p);
json_object *pi_json_finding(const struct pi_finding *f);

/* Shared helpers: a string made valid UTF-8 (NULL gives JSON null), and
 * seconds (negative or NaN give null). */
json_object *pi_json_string(const char *s);
json_object *pi_json_seconds(double seconds);
/* A number with at most that many decimals; null for NaN. */
json_object *pi_json_number(double v, int decimals);

#endif
