/* state — what a task state letter means. */
#ifndef PI_ANALYSIS_STATE_H
#define PI_ANALYSIS_STATE_H

/* A short name ("sleeping") and a sentence for people, for the letters of
 * /proc/PID/stat: R S D T t Z X I P (and the old K W). Unknown letters get
 * "unknown state". Never NULL. */
const char *pi_state_name(char code);
const char *pi_state_meaning(char code);

#endif
