/* broker — descriptors for a sandboxed child, decided by the root side.
 *
 * The child cannot open anything (its seccomp filter refuses open). When
 * it needs a file, it sends a request naming what it wants, as one
 * datagram on a socket pair: a record (wire.h) whose type is the kind of
 * request and whose payload names the object. The root side reads it,
 * asks a policy, and answers with a 4-byte status (0 or -errno) that
 * carries the descriptor with SCM_RIGHTS when the policy granted one.
 *
 * The policy is the caller's: the broker itself never opens anything. */
#ifndef PI_SANDBOX_BROKER_H
#define PI_SANDBOX_BROKER_H

#include <stddef.h>
#include <stdint.h>

enum {
	PI_BROKER_MAX_REQUEST = 4096,	/* payload bytes; longer requests are refused */
};

/* Kinds of request. The payload of each is what a policy may rely on. */
enum pi_broker_kind {
	/* The file mapped at a range of the target: two u64, start and end. */
	PI_BROKER_MAPPING = 1,
	/* A separate debug file: its absolute path in the target's root,
	 * without a NUL, as unwind/debugpaths names the candidates (the
	 * stacks' policy allows only those: pi_debug_path_allowed). */
	PI_BROKER_DEBUG_FILE = 2,
	/* A path as it is (tests; a policy would check it against a list). */
	PI_BROKER_PATH = 3,
	/* The debug file a debuginfod server has for the module mapped at a
	 * range of the target (two u64, start and end), followed by that
	 * module's build-id as the child read it (1 to 64 bytes): the root
	 * side, which has network, asks by the build-id alone. */
	PI_BROKER_DEBUGINFOD = 4,
	/* The stacks' session child (collect/stack_sandbox.h): its batch of
	 * stack copies, a memfd the root side wrote. Empty payload. */
	PI_BROKER_STACK_BATCH = 5,
};

/* The root side's decision on one request: a descriptor (which the broker
 * passes on and then closes), or -errno to refuse. data is the request's
 * payload, len bytes, already bounded by PI_BROKER_MAX_REQUEST; it is
 * hostile and not NUL-terminated. */
typedef int pi_sandbox_policy_fn(void *arg, uint32_t kind, const unsigned char *data, size_t len);

/* Root side: reads one request from sock and answers it. Answers -EMFILE
 * without asking the policy when *budget is 0 (and counts it down
 * otherwise). Returns 1 when the request was granted, 0 when refused,
 * -errno when sock failed (the child is gone, say). */
int pi_broker_serve(int sock, pi_sandbox_policy_fn *policy, void *arg, unsigned *budget);

/* Child side: asks for a descriptor and waits for the answer. Returns the
 * descriptor (close-on-exec), or -errno: the policy's refusal, -EBADMSG
 * for an answer that is not one, -EMSGSIZE for a payload over
 * PI_BROKER_MAX_REQUEST. */
int pi_broker_request(int sock, uint32_t kind, const void *data, size_t len);

/* A plain policy, for the unit tests:
 * opens path read-only without following a final symbolic link and
 * without blocking on a FIFO, and keeps it only if it is a regular file
 * (-EINVAL otherwise). It opens before it looks, so a device's driver
 * runs: a policy serving a target's files uses proc/target_open instead,
 * which resolves the path inside the target's root and opens nothing but
 * a regular file. */
int pi_broker_open_regular(const char *path);

#endif
