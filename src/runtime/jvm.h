/* jvm — frames of a Java virtual machine's own code.
 *
 * HotSpot runs Java methods as code it writes itself, interpreted or
 * JIT-compiled, in anonymous executable memory: no module, no symbols, no
 * unwind tables. A frame there, in a process that maps libjvm.so, is
 * labelled as Java code rather than left as "??", and named where the JVM
 * writes a perf map (/tmp/perf-PID.map: -XX:+DumpPerfMapAtExit,
 * `jcmd PID Compiler.perfmap`, or a perf-map agent), one line per piece
 * of code:
 *
 *     START SIZE NAME        (START and SIZE in hex, "0x" optional)
 *
 * The map is the target's file, so hostile: it is read by the root side
 * inside the process's root (a regular file only, without blocking, at
 * most its last PI_PERFMAP_MAX_BYTES), and parsed by the stacks' sandboxed
 * child with the pure parser below, which keeps at most
 * PI_PERFMAP_MAX_ENTRIES entries and skips any line it cannot read. */
#ifndef PI_RUNTIME_JVM_H
#define PI_RUNTIME_JVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc/maps.h"
#include "util/buf.h"

#define PI_JVM_CODE_LABEL "[JIT or interpreted Java code]"

enum {
	PI_PERFMAP_MAX_BYTES = 16 << 20,
	PI_PERFMAP_MAX_ENTRIES = 1 << 20,
	PI_PERFMAP_MAX_NAME = 1024,
};

/* Does the process map HotSpot's libjvm.so? */
bool pi_jvm_mapped(const struct pi_vma *vmas, size_t n);

/* Does pc lie in anonymous executable memory (where a JVM's code is)? */
bool pi_jvm_code_at(const struct pi_vma *vmas, size_t n, uint64_t pc);

struct pi_perfmap_entry {
	uint64_t start, size;
	size_t name;		/* offset into names */
	size_t line;		/* a later line wins over an earlier one */
};

struct pi_perfmap {
	struct pi_perfmap_entry *entries;	/* sorted by start */
	size_t n;
	char *names;				/* NUL-separated */
};

/* Parses a perf map's text (len bytes, not NUL-terminated; a line cut at
 * either end is skipped). Fills *m, which pi_perfmap_free frees. */
void pi_perfmap_parse(const char *text, size_t len, struct pi_perfmap *m);

/* The name of the code at pc and pc's offset into it, or NULL. */
const char *pi_perfmap_lookup(const struct pi_perfmap *m, uint64_t pc, uint64_t *offset);

void pi_perfmap_free(struct pi_perfmap *m);

/* Root side: reads /tmp/perf-NSPID.map inside the process's root (rootfd;
 * nspid is the PID the process sees itself as) into out: a regular file
 * only, opened without blocking (proc/target_open), at most its last
 * PI_PERFMAP_MAX_BYTES. Returns 0, or -errno (-ENOENT: it writes none). */
int pi_perfmap_read(int rootfd, pid_t nspid, struct pi_buf *out);
/* The same from fd, the map's file already opened (st: its stat); fd is
 * closed. */
struct stat;
int pi_perfmap_read_fd(int fd, const struct stat *st, struct pi_buf *out);

#endif
