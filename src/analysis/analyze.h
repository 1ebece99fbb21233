/* analyze — everything that follows from a collected snapshot: how long
 * each thread has been off the CPU, what each mapping is, the findings,
 * and why anything is missing. Pure: it reads nothing. */
#ifndef PI_ANALYSIS_ANALYZE_H
#define PI_ANALYSIS_ANALYZE_H

#include "model.h"

void pi_analyze_process(struct pi_process *p, double hung_after_seconds);

/* Why an item of p could not be had, in words: err is 0 or -errno (or one
 * of the PI_ERR_* reasons). A copy to free. */
char *pi_unavailable_reason(const struct pi_process *p, const char *item, int err);

#endif
