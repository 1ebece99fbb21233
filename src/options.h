/* options — the command line, parsed into one struct. */
#ifndef PI_OPTIONS_H
#define PI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* What pinspect was asked to do. */
enum pi_mode {
	PI_MODE_SNAPSHOT,	/* pinspect PID...: one snapshot per process */
};

struct pi_options {
	enum pi_mode mode;
	bool json;
	bool no_ptrace;		/* never stop a thread */
	bool stop_blocked;	/* stop blocked threads whose stack was cut short */
	bool consistent;	/* stop every thread together */
	unsigned max_frames;
	int lines;		/* enum pi_lines: whose source lines to read */
	double hung_after_seconds;
	pid_t *pids;
	size_t npids;
};

enum pi_options_result {
	PI_OPTIONS_RUN,		/* go on */
	PI_OPTIONS_EXIT_OK,	/* --help or --version was printed */
	PI_OPTIONS_USAGE,	/* a message was printed; exit with PI_EXIT_USAGE */
};

enum pi_options_result pi_options_parse(int argc, char **argv, struct pi_options *out);
void pi_options_free(struct pi_options *o);

/* Parses a PID: decimal digits only, 1 to 2^22 (the kernel's PID_MAX_LIMIT). */
bool pi_parse_pid(const char *s, pid_t *out);
/* The default --max-frames, as eu-stack's. */
#define PI_MAX_FRAMES_DEFAULT 256

/* Parses a non-negative number of seconds ("10", "0.5"). */
bool pi_parse_seconds(const char *s, double *out);

#endif
