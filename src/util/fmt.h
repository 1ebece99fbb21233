/* fmt — the few ways pinspect writes numbers for people. */
#ifndef PI_UTIL_FMT_H
#define PI_UTIL_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* "0.004 s", "3.2 s", "5 min 12 s", "2 h 03 min", "4 d 02 h". */
char *pi_fmt_duration(char *out, size_t size, double seconds);
/* "812 B", "4.0 KiB", "12.3 MiB", "1.5 GiB". */
char *pi_fmt_bytes(char *out, size_t size, uint64_t bytes);
/* "1,081": a count people read at a glance. */
char *pi_fmt_count(char *out, size_t size, uint64_t n);
/* "2026-11-26 07:03:12" in local time. */
char *pi_fmt_localtime(char *out, size_t size, time_t when);

#endif
