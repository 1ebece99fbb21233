/* gopclntab — a Go program's pc-value tables (its .gopclntab section), Go
 * 1.18 and later: from a program counter to its function, the function's
 * frame size there, and its source file and line, as the Go runtime's own
 * traceback finds them.
 *
 * The section is the target's file, so hostile: every offset is checked
 * against the table it points into, every name must end within its table,
 * and a pc-value table is decoded for at most a bounded number of steps.
 * Pure: the section's bytes in, answers out (names point into them). */
#ifndef PI_RUNTIME_GOPCLNTAB_H
#define PI_RUNTIME_GOPCLNTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pi_gopcln {
	const uint8_t *data;
	size_t len;
	int version;			/* 118 (Go 1.18, 1.19) or 120 (1.20 and later) */
	uint64_t text_start;		/* where function entry offsets count from */
	uint32_t nfunc;
	size_t funcnametab, cutab, filetab, pctab, pclntab;	/* offsets into data */
	size_t funcnametab_end, cutab_end, filetab_end, pctab_end;
};

/* Go's funcFlag_TOPFRAME: the function is a goroutine's or a thread's
 * outermost frame. */
enum { PI_GOFUNC_FLAG_TOPFRAME = 1 };

struct pi_gofunc {
	uint64_t entry;
	const char *name;		/* NULL when its offset is bad */
	uint32_t pcsp, pcfile, pcln, cu;
	uint8_t funcid, flag;
	/* Its pc-data and func-data tables: npcdata and nfuncdata u32
	 * offsets right after the _func at tables (an offset into data),
	 * checked to lie inside the function table. */
	uint32_t npcdata;
	uint8_t nfuncdata;
	size_t tables;
};

/* Go's numbers of the tables an inlined call is read from: the pc-data
 * table giving, at each pc, the index of the innermost inlined call there
 * (-1: none), and the func-data holding the calls (the inline tree). */
enum { PI_GO_PCDATA_INLTREEINDEX = 2, PI_GO_FUNCDATA_INLTREE = 3 };

/* One call of the inline tree (runtime.inlinedCall): its bytes in the
 * table's version (Go 1.18-1.19: 20, 1.20 and later: 16), and where its
 * name offset (into the function name table) and parentPc (the offset
 * from the function's entry of an instruction at the call site) lie. */
struct pi_go_inl_layout {
	uint32_t size, name_off, parent_pc;
};
void pi_gopcln_inl_layout(const struct pi_gopcln *t, struct pi_go_inl_layout *l);

/* Reads the header of a .gopclntab of len bytes. text_start is the
 * address of the program's text as loaded, for a header that leaves it 0
 * (the table then counts from it); else the header's is taken plus bias
 * (0 for a program that is not position-independent). Returns 0, -ENOTSUP
 * for a table of Go before 1.18 (or another architecture's), -EINVAL for
 * a header that does not hold together. */
int pi_gopcln_init(struct pi_gopcln *t, const uint8_t *data, size_t len, uint64_t bias,
		   uint64_t text_start);

/* The function holding pc; false when none does. */
bool pi_gopcln_func(const struct pi_gopcln *t, uint64_t pc, struct pi_gofunc *f);

/* The value of f's pc-value table at table_off (f->pcsp, pcfile, pcln)
 * for pc; false when it cannot be read or does not cover pc. */
bool pi_gopcln_value(const struct pi_gopcln *t, const struct pi_gofunc *f, uint32_t table_off,
		     uint64_t pc, int32_t *value);

/* The value of f's pc-data table number table at pc; false when f has
 * no such table or it does not cover pc. */
bool pi_gopcln_pcdata(const struct pi_gopcln *t, const struct pi_gofunc *f, uint32_t table,
		      uint64_t pc, int32_t *value);

/* The offset of f's func-data number index from the program's go:func.*
 * symbol; false when f has none. */
bool pi_gopcln_funcdata(const struct pi_gopcln *t, const struct pi_gofunc *f, uint32_t index,
			uint32_t *off);

/* The function name at off in the function name table, or NULL. */
const char *pi_gopcln_name(const struct pi_gopcln *t, uint64_t off);

/* f's source file at pc, or NULL. */
const char *pi_gopcln_file(const struct pi_gopcln *t, const struct pi_gofunc *f, uint64_t pc);

#endif
