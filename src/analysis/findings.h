/* findings — the noteworthy conditions of a snapshot, each explained in a
 * sentence and tied to the section of pinspect(1) that says what to do. */
#ifndef PI_ANALYSIS_FINDINGS_H
#define PI_ANALYSIS_FINDINGS_H

#include "model.h"
#include "util/buf.h"

/* Fills p->findings from the threads (their off-CPU times must be known:
 * see pi_analyze_process). */
void pi_findings_build(struct pi_process *p);

/* Appends a finding about thread tid (the message is taken from msg). */
struct pi_finding *pi_findings_add(struct pi_process *p, enum pi_finding_kind kind, pid_t tid,
				   double seconds, struct pi_buf *msg);
void pi_finding_add_pid(struct pi_finding *f, pid_t pid);

/* "hung", "uninterruptible", "zombie", "zombie_parent", "stopped",
 * "traced", "leader_exited". */
const char *pi_finding_kind_name(enum pi_finding_kind kind);
/* The section of pinspect(1) that explains the finding: "HUNG TASKS". */
const char *pi_finding_see(enum pi_finding_kind kind);

#endif
