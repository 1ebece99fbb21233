/* meters — the lines at the top of the live view, as htop's: how busy
 * each CPU was over the last refresh, and memory and swap in use. Read
 * from /proc/stat and /proc/meminfo (the kernel's, not a target's) with
 * pure, bounded parsers; drawn as bars that fit the screen's width. */
#ifndef PI_TUI_METERS_H
#define PI_TUI_METERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* CPUs beyond this are shown only in the average. */
enum { PI_METERS_CPUS_MAX = 256 };

struct pi_cpu_ticks {
	uint64_t busy, total;	/* ticks so far: not idle, and all */
};

struct pi_meters {
	unsigned ncpus;				/* cpuN lines read (at most the max) */
	unsigned cpu_id[PI_METERS_CPUS_MAX];	/* N of each */
	struct pi_cpu_ticks all, cpus[PI_METERS_CPUS_MAX];
	struct pi_cpu_ticks old_all, old_cpus[PI_METERS_CPUS_MAX];
	unsigned old_ncpus;
	double all_percent;			/* NaN before two reads */
	double cpu_percent[PI_METERS_CPUS_MAX];
	bool stat_known, mem_known;
	uint64_t mem_total, mem_used, swap_total, swap_used;	/* bytes */
};

/* Parses /proc/stat: the "cpu" line into *all, the "cpuN" lines into
 * cpus[0..max) (their N in ids), *n of them. Returns 0, or -EINVAL when
 * there is no "cpu" line. */
int pi_meters_parse_stat(const char *text, size_t len, struct pi_cpu_ticks *all,
			 struct pi_cpu_ticks *cpus, unsigned *ids, unsigned max, unsigned *n);
/* Parses /proc/meminfo into bytes: used is MemTotal less MemAvailable
 * (as free(1)'s "used" and htop's bar). Returns 0, or -EINVAL when
 * MemTotal is missing. */
int pi_meters_parse_meminfo(const char *text, size_t len, uint64_t *mem_total, uint64_t *mem_used,
			    uint64_t *swap_total, uint64_t *swap_used);

/* Busy percent between two readings; NaN when no tick passed. */
double pi_meters_percent(const struct pi_cpu_ticks *old, const struct pi_cpu_ticks *now);

/* Reads both files again (at each refresh). */
void pi_meters_read(struct pi_meters *m);

/* Writes the meter lines for a screen cols wide, at most max_lines of
 * them, into lines[] (escaped text, a bar each: "0[|||     12.3%]");
 * returns how many. The CPUs take a line or more (their average alone
 * when they do not fit), then memory and swap share one. */
struct pi_buf;
unsigned pi_meters_lines(const struct pi_meters *m, int cols, unsigned max_lines,
			 struct pi_buf *lines);

#endif
