/* replay — the live view over a recording (pinspect --replay FILE): the
 * same pages, with keys that step through its refreshes (t and T, as
 * atop's; b to go to a time; Home and End), a status that says which
 * refresh is shown and when it was taken, and a snapshot page made of
 * the recorded row: its every column and its findings. The keys that
 * act on live processes (k, renice) or refresh (d, Z) say they do
 * nothing here. */
#ifndef PI_TUI_REPLAY_H
#define PI_TUI_REPLAY_H

#include <stdbool.h>

#include "tui/live.h"
#include "util/buf.h"

/* Loads the first refresh shown. Returns 0, or the exit status with the
 * reason in l->m->error. */
int pi_live_replay_start(struct pi_live *l);
/* A key of the table page that a replay takes (true), with *rebuild
 * set when the rows changed. */
bool pi_live_replay_key(struct pi_live *l, int key, bool *rebuild);
/* On the snapshot page: may the key go on to it (it only moves)? Else
 * the page says why not. */
bool pi_live_replay_detail_key(struct pi_live *l, int key);
/* b's prompt done: go to the refresh of that time. */
void pi_live_replay_goto(struct pi_live *l, const char *text);
/* "; REPLAY refresh 3 of 10, 2026-11-29 14:02:03 (t T b)". */
void pi_live_replay_status(const struct pi_live *l, struct pi_buf *out);

#endif
