/* A deadline for the whole hook run: a hook that hangs stalls the runtime
 * and every pod behind it.  Past the deadline the process logs one line
 * (async-signal-safe path) and exits with the policy's on_error decision. */
#ifndef OCIGATE_DEADLINE_H
#define OCIGATE_DEADLINE_H

/* (Re)arm the deadline `ms` from now; exit_code is what the process exits with. */
void og_deadline_arm(int ms, int exit_code);
/* Prepare the log line sent if the deadline passes (container id known by now). */
void og_deadline_describe(const char *container_id, const char *stage, int allow);

#endif
