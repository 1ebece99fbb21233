/* output — writing results to stdout, and noticing when that fails. */
#ifndef PI_OUTPUT_H
#define PI_OUTPUT_H

#include <stddef.h>

void pi_output_write(const char *data, size_t len);
/* Flushes stdout. Returns 0, or -1 after printing why writing failed (a
 * closed pipe is not worth a message). */
int pi_output_flush(void);

#endif
