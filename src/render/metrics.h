/* metrics — the health scans in the Prometheus text exposition format
 * (which OpenMetrics parsers read too: gauges only, ending in "# EOF"),
 * for node_exporter's textfile collector: a fleet is watched by letting
 * Prometheus collect these and alert on them. The metrics are listed in
 * pinspect(1), METRICS. */
#ifndef PI_RENDER_METRICS_H
#define PI_RENDER_METRICS_H

#include <stddef.h>

#include "health/check.h"
#include "util/buf.h"

void pi_render_metrics(struct pi_buf *b, const struct pi_check *c);

/* Appends s as a label value: escaped as the text output shows it
 * (util/escape.h: a newline as \n, U+202E as \u{202e}, a byte that is not
 * UTF-8 as \xff), then with backslash and double quote escaped as the
 * format wants. The value Prometheus reads is the text pinspect prints. */
void pi_metrics_label_value(struct pi_buf *b, const char *s, size_t len);

#endif
