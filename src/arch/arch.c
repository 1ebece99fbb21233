#include "arch/arch.h"

#include <elf.h>
#include <string.h>

#include "arch/rows.h"

static const struct pi_arch *const rows[PI_ARCH_COUNT] = {
	[PI_ARCH_X86_64] = &pi_arch_x86_64,
	[PI_ARCH_I386] = &pi_arch_i386,
	[PI_ARCH_AARCH64] = &pi_arch_aarch64,
};

const struct pi_arch *pi_arch_get(enum pi_arch_id id)
{
	return (unsigned)id < PI_ARCH_COUNT ? rows[id] : NULL;
}

const struct pi_arch *pi_arch_host(void)
{
#if defined(__x86_64__)
	return &pi_arch_x86_64;
#elif defined(__aarch64__)
	return &pi_arch_aarch64;
#else
#error "pinspect runs on x86-64 and aarch64 hosts"
#endif
}

const struct pi_arch *pi_arch_from_elf(unsigned elf_class, unsigned machine)
{
	for (size_t i = 0; i < PI_ARCH_COUNT; i++)
		if (rows[i]->elf_class == elf_class && rows[i]->elf_machine == machine)
			return rows[i];
	return NULL;
}

const struct pi_arch *pi_arch_from_ehdr(const unsigned char *ehdr, size_t len)
{
	if (len < EI_NIDENT + 4 || memcmp(ehdr, ELFMAG, SELFMAG) != 0)
		return NULL;
	/* e_machine follows e_ident and e_type, in the file's byte order. */
	unsigned machine = ehdr[EI_DATA] == ELFDATA2MSB
				   ? (unsigned)(ehdr[EI_NIDENT + 2] << 8 | ehdr[EI_NIDENT + 3])
				   : (unsigned)(ehdr[EI_NIDENT + 2] | ehdr[EI_NIDENT + 3] << 8);
	if (ehdr[EI_DATA] != ELFDATA2LSB)
		return NULL;	/* every row is little-endian */
	return pi_arch_from_elf(ehdr[EI_CLASS], machine);
}

const struct pi_arch *pi_arch_by_name(const char *name)
{
	for (size_t i = 0; name && i < PI_ARCH_COUNT; i++)
		if (strcmp(rows[i]->name, name) == 0)
			return rows[i];
	return NULL;
}

uint64_t pi_arch_reg_read(const struct pi_arch_reg *r, const void *host_regs)
{
	uint64_t v = 0;
	memcpy(&v, (const uint8_t *)host_regs + r->host_offset, r->width);
	return v;
}

bool pi_arch_regs_to_dwarf(const struct pi_arch *a, const void *host_regs, size_t size,
			   uint64_t dwarf[PI_ARCH_MAX_REGS], uint64_t *known)
{
	*known = 0;
	memset(dwarf, 0, PI_ARCH_MAX_REGS * sizeof *dwarf);
	if (size != a->host_regs_size)
		return false;
	for (size_t i = 0; i < a->nregs; i++) {
		const struct pi_arch_reg *r = &a->regs[i];
		if (r->dwarf < 0 || r->dwarf >= PI_ARCH_MAX_REGS)
			continue;
		dwarf[r->dwarf] = pi_arch_reg_read(r, host_regs);
		*known |= 1ULL << r->dwarf;
	}
	return true;
}

uint64_t pi_arch_reg_value(const struct pi_arch *a, const void *host_regs, int dwarf)
{
	for (size_t i = 0; i < a->nregs; i++)
		if (a->regs[i].dwarf == dwarf)
			return pi_arch_reg_read(&a->regs[i], host_regs);
	return 0;
}

const struct pi_arch_reg *pi_arch_reg_by_name(const struct pi_arch *a, const char *name)
{
	for (size_t i = 0; i < a->nregs; i++)
		if (strcmp(a->regs[i].name, name) == 0)
			return &a->regs[i];
	return NULL;
}

uint64_t pi_arch_thread_pointer(const struct pi_arch *a, const void *host_regs, size_t size)
{
	const struct pi_arch_reg *r = pi_arch_reg_by_name(a, a->thread_pointer);
	return r && size == a->host_regs_size ? pi_arch_reg_read(r, host_regs) : 0;
}

uint64_t pi_arch_word(const struct pi_arch *a, const uint8_t *p)
{
	uint64_t w = 0;
	memcpy(&w, p, a->ptr_size);	/* little-endian: the low bytes first */
	return w;
}

static uint32_t u32_at(const uint8_t *bytes, size_t n, unsigned off)
{
	uint32_t v = 0;
	if (off + 4 <= n)
		memcpy(&v, bytes + off, 4);
	return v;
}

bool pi_arch_mutex_decode(const struct pi_arch *a, const uint8_t *bytes, size_t n,
			  struct pi_mutex_words *out)
{
	const struct pi_mutex_layout *m = &a->mutex;
	memset(out, 0, sizeof *out);
	if (n < m->lock + 4)
		return false;
	out->lock = u32_at(bytes, n, m->lock);
	out->count = u32_at(bytes, n, m->count);
	out->owner = (int32_t)u32_at(bytes, n, m->owner);
	out->nusers = u32_at(bytes, n, m->nusers);
	out->kind = (int32_t)u32_at(bytes, n, m->kind);
	return true;
}
