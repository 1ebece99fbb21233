#include "tls/layout.h"


static uint64_t round_up(uint64_t v, uint64_t align)
{
	if (!align)
		align = 1;
	uint64_t r = v % align;
	return r ? v + (align - r) : v;
}

static uint64_t cut(const struct pi_arch *a, uint64_t v)
{
	return a->ptr_size == 4 ? v & 0xffffffffu : v;
}

uint64_t pi_tls_exe_block(const struct pi_arch *a, uint64_t tp, uint64_t size, uint64_t align)
{
	uint64_t limit = a->ptr_size == 4 ? 0xffffffffu : UINT64_MAX;
	if (!tp || tp > limit || size > limit || align > limit)
		return 0;
	if (a->tls_variant == PI_TLS_VARIANT_II) {
		uint64_t below = round_up(size, align);
		return below && below <= tp ? tp - below : 0;
	}
	uint64_t after = round_up(a->tcb_size, align);
	return after <= limit - tp ? tp + after : 0;
}

uint64_t pi_tls_tp_of_pthread(const struct pi_arch *a, uint64_t pd, uint64_t sizeof_pthread)
{
	if (a->tls_variant == PI_TLS_VARIANT_II)
		return pd;
	return pd && sizeof_pthread ? cut(a, pd + sizeof_pthread) : 0;
}

uint64_t pi_tls_dtv_slot(const struct pi_arch *a, uint64_t dtv, unsigned module)
{
	return cut(a, dtv + (uint64_t)module * 2 * a->ptr_size);
}

/* A pointer-sized word of the target at addr, or false. */
static bool word_at(const struct pi_arch *a, pi_tls_read_fn *read, void *arg, uint64_t addr,
		    uint64_t *out)
{
	uint8_t bytes[8];
	if (read(arg, addr, bytes, a->ptr_size) != (ssize_t)a->ptr_size)
		return false;
	*out = pi_arch_word(a, bytes);
	return true;
}

enum pi_tcb_verdict pi_tls_check_tcb(const struct pi_arch *a, uint64_t tp, uint64_t exe_block,
				     pi_tls_read_fn *read, void *arg)
{
	if (!tp)
		return PI_TCB_UNCHECKED;
	if (a->tcb_self[0] >= 0) {
		uint64_t w;
		for (int i = 0; i < 2; i++) {
			if (a->tcb_self[i] < 0)
				continue;
			if (!word_at(a, read, arg, cut(a, tp + (uint64_t)a->tcb_self[i]), &w))
				return PI_TCB_UNCHECKED;
			if (w != tp)
				return PI_TCB_WRONG;
		}
		return PI_TCB_OK;
	}
	uint64_t dtv, slot;
	if (!exe_block || !word_at(a, read, arg, cut(a, tp + (uint64_t)a->tcb_dtv), &dtv))
		return PI_TCB_UNCHECKED;
	if (!dtv)
		return PI_TCB_WRONG;	/* glibc gives every thread a DTV */
	if (!word_at(a, read, arg, pi_tls_dtv_slot(a, dtv, 1), &slot))
		return PI_TCB_UNCHECKED;
	return slot == exe_block ? PI_TCB_OK : PI_TCB_WRONG;
}
