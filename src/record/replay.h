/* replay — a recording as the monitor's source (monitor.h): the table
 * of each refresh decoded in place of a sample, so that the live view's
 * screen and batch mode's text and JSON are made by the very code that
 * made them live. Nothing here reads /proc: a replayed monitor never
 * samples, never reads a row's files, never looks for deadlocks. */
#ifndef PI_RECORD_REPLAY_H
#define PI_RECORD_REPLAY_H

#include "monitor.h"
#include "options.h"
#include "record/reader.h"
#include "tui/meters.h"

/* Opens opt->replay_path and sets the monitor up over it: the view from
 * the options and the recording (-H when recorded with it). *first and
 * *last: the refreshes --begin and --end choose. Returns 0, or the exit
 * status after a message on stderr (damaged stretches skipped are a
 * warning there). */
int pi_monitor_replay_open(struct pi_monitor *m, struct pi_replay *r, const struct pi_options *opt,
			   size_t *first, size_t *last);
/* Makes refresh i the monitor's table (and its meters, when m is not
 * NULL), classified from its facts, and builds the view. Returns 0, or the
 * exit status with the reason in m->error. */
int pi_monitor_replay_load(struct pi_monitor *mon, struct pi_replay *r, size_t i,
			   struct pi_meters *meters);

/* Leaves out of a set the columns a recording cannot show (WAITS FOR
 * looks at the processes as they are now); true when one was. */
bool pi_replay_columns(struct pi_column_set *set);

/* "2026-11-29 14:02:03" (local time). */
void pi_replay_format_time(double realtime, char *out, size_t size);

#endif
