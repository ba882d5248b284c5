// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * xlate.c - Linux mmap/mprotect/madvise/msync/mincore values to BSD ones.
 * Every row here is a row of the table in Documentation/shim.rst.
 */
#include <errno.h>
#include <sys/mman.h>

#include "xlate.h"
#include "shimstat.h"

const char *const bv_op_names[BV_OP_NR] = {
	"mmap", "munmap", "mprotect", "madvise", "mincore", "msync",
	"mremap", "brk", "minherit", "malloc", "io_bounce",
	"mmap_shared_anon",
};

#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED	0x4000000
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif
#ifndef PROT_SEM
#define PROT_SEM		0x8
#endif

const char *const bv_why_names[BV_WHY_NR] = {
	[BV_WHY_NONE] = "none",
	[BV_WHY_UNAVAILABLE] = "unavailable",
	[BV_WHY_OUTSIDE] = "outside-arena",
	[BV_WHY_FILE] = "file",
	[BV_WHY_SHARED_ANON] = "shared-anon",
	[BV_WHY_HUGETLB] = "hugetlb",
	[BV_WHY_32BIT] = "32bit",
	[BV_WHY_GROWSDOWN] = "growsdown",
	[BV_WHY_LOCKED] = "locked",
	[BV_WHY_SYNC] = "sync",
	[BV_WHY_PROT] = "prot",
	[BV_WHY_ARENA_FULL] = "arena-full",
};

/* The flags Linux (6.1) knows for mmap; MAP_SHARED_VALIDATE checks them. */
#define LINUX_MAP_KNOWN (MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_32BIT | \
	MAP_GROWSDOWN | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED |	\
	MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK |	\
	MAP_HUGETLB | MAP_SYNC | MAP_FIXED_NOREPLACE | MAP_UNINITIALIZED | \
	(MAP_HUGE_MASK << MAP_HUGE_SHIFT))

int bv_xlate_prot(int lprot, int *bprot)
{
	/* PROT_SEM is accepted and meaningless on x86, as in Linux. */
	if (lprot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
		return EINVAL;
	*bprot = (lprot & PROT_READ ? BSD_PROT_READ : 0) |
		 (lprot & PROT_WRITE ? BSD_PROT_WRITE : 0) |
		 (lprot & PROT_EXEC ? BSD_PROT_EXEC : 0);
	return 0;
}

static void pass(struct bv_mmap_x *x, enum bv_why why)
{
	x->route = BV_PASS;
	x->why = why;
}

static void fail(struct bv_mmap_x *x, int err)
{
	x->route = BV_FAIL;
	x->err = err;
}

void bv_xlate_mmap(uintptr_t addr, size_t len, int prot, int flags, int fd,
		   off_t off, uintptr_t astart, uintptr_t aend,
		   const struct bv_cfg *cfg, struct bv_mmap_x *x)
{
	int type = flags & MAP_TYPE;
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	uintptr_t end;

	x->route = BV_SERVE;
	x->err = 0;
	x->why = BV_WHY_NONE;
	x->bflags = 0;
	x->bprot = 0;

	/* Linux's own argument checks first, with Linux's errno. */
	if (!len || len > PTRDIFF_MAX || (off & 4095) ||
	    (fixed && (addr & 4095)))
		return fail(x, EINVAL);
	if (type != MAP_SHARED && type != MAP_PRIVATE &&
	    type != MAP_SHARED_VALIDATE)
		return fail(x, EINVAL);
	if (type == MAP_SHARED_VALIDATE && (flags & ~LINUX_MAP_KNOWN))
		return fail(x, EOPNOTSUPP);

	if (astart == aend)
		return pass(x, BV_WHY_UNAVAILABLE);
	/* What bsdvm cannot serve, in the order Linux would care. */
	if (flags & MAP_HUGETLB)
		return pass(x, BV_WHY_HUGETLB);
	if (flags & MAP_32BIT)
		return pass(x, BV_WHY_32BIT);
	if (flags & MAP_GROWSDOWN)
		return pass(x, BV_WHY_GROWSDOWN);
	if (flags & MAP_LOCKED)
		return pass(x, BV_WHY_LOCKED);
	if ((flags & MAP_SYNC) && type == MAP_SHARED_VALIDATE)
		return pass(x, BV_WHY_SYNC);
	if (bv_xlate_prot(prot, &x->bprot))
		return pass(x, BV_WHY_PROT);
	if (!(flags & MAP_ANONYMOUS)) {
		if (!cfg->files)
			return pass(x, BV_WHY_FILE);
	} else if (type != MAP_PRIVATE && !cfg->shared_anon) {
		/* BSDVM_SHARED_ANON=0: the escape, should bsdvm's fail */
		return pass(x, BV_WHY_SHARED_ANON);
	}
	if (fixed) {
		end = addr + ((len + 4095) & ~(size_t)4095);
		if (end < addr)
			return fail(x, ENOMEM);
		if (addr >= aend || end <= astart)
			return pass(x, BV_WHY_OUTSIDE);
		if (addr < astart || end > aend)
			return pass(x, BV_WHY_OUTSIDE);	/* straddles the edge */
		x->bflags |= BSD_MAP_FIXED;
		if (flags & MAP_FIXED_NOREPLACE)
			x->bflags |= BSD_MAP_EXCL;
	}

	x->bflags |= type == MAP_PRIVATE ? BSD_MAP_PRIVATE : BSD_MAP_SHARED;
	if (flags & MAP_ANONYMOUS)
		x->bflags |= BSD_MAP_ANON;
	/*
	 * Accepted and dropped: MAP_DENYWRITE, MAP_EXECUTABLE (ignored by
	 * Linux too), MAP_NORESERVE (bsdvm never reserves), MAP_POPULATE
	 * and MAP_NONBLOCK (hints), MAP_STACK (a hint on Linux; BSD's
	 * MAP_STACK, a grow-down stack, is another thing),
	 * MAP_UNINITIALIZED (memory is always zero-filled).
	 */
	(void)fd;
}

enum bv_adv bv_xlate_madvise(int ladvice, const struct bv_cfg *cfg,
			     int *arg)
{
	*arg = 0;
	switch (ladvice) {
	case MADV_NORMAL:
		*arg = BSD_MADV_NORMAL;
		return BV_ADV_BSD;
	case MADV_RANDOM:
		*arg = BSD_MADV_RANDOM;
		return BV_ADV_BSD;
	case MADV_SEQUENTIAL:
		*arg = BSD_MADV_SEQUENTIAL;
		return BV_ADV_BSD;
	case MADV_WILLNEED:
		*arg = BSD_MADV_WILLNEED;
		return BV_ADV_BSD;
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
		/*
		 * Linux programs (allocators first) rely on private anonymous
		 * memory reading zeros after MADV_DONTNEED; BSD's keeps the
		 * data.  BSDVM_DONTNEED=bsd asks for BSD's meaning.
		 */
		if (cfg->dontneed_bsd) {
			*arg = BSD_MADV_DONTNEED;
			return BV_ADV_BSD;
		}
		return BV_ADV_ZERO;
	case MADV_FREE:
		*arg = BSD_MADV_FREE;
		return BV_ADV_BSD;
	case MADV_COLD:
	case MADV_PAGEOUT:
		/* "deactivate, keep the data": exactly BSD's DONTNEED */
		*arg = BSD_MADV_DONTNEED;
		return BV_ADV_BSD;
	case MADV_DONTDUMP:
		*arg = BSD_MADV_NOCORE;
		return BV_ADV_BSD;
	case MADV_DODUMP:
		*arg = BSD_MADV_CORE;
		return BV_ADV_BSD;
	case MADV_DONTFORK:
		*arg = BSD_INHERIT_NONE;
		return BV_ADV_INHERIT;
	case MADV_DOFORK:
	case MADV_KEEPONFORK:
		*arg = BSD_INHERIT_COPY;
		return BV_ADV_INHERIT;
	case MADV_WIPEONFORK:
		*arg = BSD_INHERIT_ZERO;
		return BV_ADV_INHERIT;
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_COLLAPSE:
		return BV_ADV_NOP;
	case MADV_POPULATE_READ:
		return BV_ADV_POPULATE_READ;
	case MADV_POPULATE_WRITE:
		return BV_ADV_POPULATE_WRITE;
	default:
		/* MADV_REMOVE (shmem only), MADV_HWPOISON, unknown values */
		return BV_ADV_EINVAL;
	}
}

int bv_xlate_posix_madvise(int advice, int *badvice)
{
	switch (advice) {
	case POSIX_MADV_NORMAL:
		*badvice = BSD_MADV_NORMAL;
		return 0;
	case POSIX_MADV_RANDOM:
		*badvice = BSD_MADV_RANDOM;
		return 0;
	case POSIX_MADV_SEQUENTIAL:
		*badvice = BSD_MADV_SEQUENTIAL;
		return 0;
	case POSIX_MADV_WILLNEED:
		*badvice = BSD_MADV_WILLNEED;
		return 0;
	case POSIX_MADV_DONTNEED:
		/* POSIX's meaning is BSD's: the data stays */
		*badvice = BSD_MADV_DONTNEED;
		return 0;
	}
	return EINVAL;
}

int bv_xlate_msync(int lflags, int *bflags)
{
	if (lflags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return EINVAL;
	if ((lflags & (MS_ASYNC | MS_SYNC)) == (MS_ASYNC | MS_SYNC))
		return EINVAL;
	/*
	 * BSD refuses ASYNC|INVALIDATE, Linux accepts it: invalidation of
	 * anonymous memory is meaningless anyway, keep the ASYNC part.
	 */
	*bflags = (lflags & MS_ASYNC) ? BSD_MS_ASYNC :
		  (BSD_MS_SYNC | (lflags & MS_INVALIDATE ?
				  BSD_MS_INVALIDATE : 0));
	return 0;
}

unsigned char bv_xlate_mincore(unsigned char bsd, const struct bv_cfg *cfg)
{
	if (cfg->mincore_bsd)
		return bsd;
	return bsd & BSD_MINCORE_INCORE ? 1 : 0;
}
