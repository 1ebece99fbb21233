/* detectors — each kind's detector, for the table of kinds
 * (analysis/kinds.c) to name; the builder (analysis/findings.c) runs them. */
#ifndef PI_ANALYSIS_DETECTORS_H
#define PI_ANALYSIS_DETECTORS_H

#include "analysis/findings.h"

/* Hung and uninterruptible threads, in task order (one pass for both,
 * so that they are listed as the threads are). */
void pi_detect_d(struct pi_finding_list *l, const struct pi_finding_proc *p, unsigned kinds);
void pi_detect_cycles(struct pi_finding_list *l, const struct pi_finding_proc *p, unsigned kinds);
void pi_detect_zombie(struct pi_finding_list *l, const struct pi_finding_proc *p, unsigned kinds);
void pi_detect_leader_exited(struct pi_finding_list *l, const struct pi_finding_proc *p,
			     unsigned kinds);
void pi_detect_stopped(struct pi_finding_list *l, const struct pi_finding_proc *p, unsigned kinds);
void pi_detect_traced(struct pi_finding_list *l, const struct pi_finding_proc *p, unsigned kinds);
/* From the chains of waits across processes (collect/waits.c), handed
 * over in pi_finding_proc. */
void pi_detect_process_cycles(struct pi_finding_list *l, const struct pi_finding_proc *p, unsigned kinds);
void pi_detect_mutex_owner_died(struct pi_finding_list *l, const struct pi_finding_proc *p,
				unsigned kinds);
void pi_detect_waits_on_stopped(struct pi_finding_list *l, const struct pi_finding_proc *p,
				unsigned kinds);
/* Stuck goroutines of a Go program (analysis/go_stuck.h). */
void pi_detect_go(struct pi_finding_list *l, const struct pi_finding_proc *p, unsigned kinds);
void pi_detect_zombie_parent(struct pi_finding_list *l, const struct pi_finding_proc *p,
			     unsigned kinds);

#endif
