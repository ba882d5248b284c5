// SPDX-License-Identifier: GPL-2.0
/*
 * Arguments worth trying: mostly inside the arena, page-aligned or not,
 * and now and then the edges where bugs live (the arena's ends, overflow,
 * kernel addresses, zero).
 */
#include "fuzz.h"

uint64_t fz_addr(struct fz_thread *t)
{
	struct fz_arena *ar = t->arena;
	uint64_t base = (uintptr_t)ar->base, pages = ar->size / FZ_PG;
	uint64_t a;

	if (!base) {		/* unmapped: where it was, or anything */
		base = 0x7f0000000000ULL;
		pages = 1 << 18;
	}
	switch (fz_below(&t->rng, 16)) {
	case 0:
		return fz_next(&t->rng);
	case 1:
		return 0;
	case 2:
		return base - FZ_PG * (1 + fz_below(&t->rng, 4));
	case 3:
		return base + ar->size - FZ_PG * fz_below(&t->rng, 4);
	case 4:
		return 0xffff800000000000ULL + fz_below(&t->rng, 1 << 20);
	case 5:		/* unaligned */
		return base + fz_below(&t->rng, pages) * FZ_PG +
		       fz_below(&t->rng, FZ_PG);
	default:	/* low pages: where the ops meet */
		a = fz_below(&t->rng, pages < 256 ? pages : 256);
		if (fz_chance(&t->rng, 4))
			a = fz_below(&t->rng, pages);
		return base + a * FZ_PG;
	}
}

uint64_t fz_len(struct fz_thread *t)
{
	switch (fz_below(&t->rng, 12)) {
	case 0:
		return 0;
	case 1:
		return fz_next(&t->rng);
	case 2:
		return -FZ_PG * (1 + fz_below(&t->rng, 4));
	case 3:
		return t->arena->size;
	case 4:
		return 1 + fz_below(&t->rng, 3 * FZ_PG);
	default:
		return FZ_PG * (1 + fz_below(&t->rng, 32));
	}
}

/*
 * A length for a raw Linux call at addr: it may run into the guards but
 * never past them, where the fuzzer's own memory is (a madvise or an
 * mprotect there breaks the fuzzer, not bsdvm).  Off the arena, a few
 * pages.
 */
uint64_t fz_sys_len(struct fz_thread *t, uint64_t addr)
{
	uint64_t base = (uintptr_t)t->arena->base, len = fz_len(t), hi;

	hi = base + t->arena->size + FZ_GUARD;
	if (!base || addr < base - FZ_GUARD || addr >= hi)
		return len < 4 * FZ_PG ? len : 4 * FZ_PG;
	return len < hi - addr ? len : hi - addr;
}

int fz_prot(struct fz_thread *t)
{
	if (fz_chance(&t->rng, 16))
		return (int)fz_next(&t->rng);
	return (int)fz_below(&t->rng, 8);	/* READ|WRITE|EXEC */
}

/* -1 (anonymous), one of the worker's files, or junk. */
int fz_file(struct fz_thread *t)
{
	switch (fz_below(&t->rng, 8)) {
	case 0:
		return (int)fz_below(&t->rng, 64);
	case 1:
	case 2:
		return -1;
	default:
		return t->arena->files[fz_below(&t->rng, 4)];
	}
}

/* An argument struct's size field: right, short, long or absurd. */
uint32_t fz_size_field(struct fz_thread *t, uint32_t real)
{
	switch (fz_below(&t->rng, 24)) {
	case 0:
		return (uint32_t)fz_next(&t->rng);
	case 1:
		return real - 1 - (uint32_t)fz_below(&t->rng, 8);
	case 2:
		return real + 8 * (uint32_t)fz_below(&t->rng, 8);
	case 3:
		return 4097;
	default:
		return real;
	}
}
