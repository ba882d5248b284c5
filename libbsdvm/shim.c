// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * shim.c - LD_PRELOAD=libbsdvm-preload.so: libc's memory calls, with
 * Linux arguments, served by bsdvm inside the arena (xlate.c decides),
 * passed through to the kernel when bsdvm cannot serve them (counted; or
 * refused with BSDVM_STRICT=1).  Documentation/shim.rst.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "shimstat.h"
#include "xlate.h"

extern void *__sbrk(intptr_t incr);

static struct bv_cfg cfg;

__attribute__((constructor(101))) static void shim_ctor(void)
{
	const char *v;

	cfg.strict = bv_env_flag("BSDVM_STRICT", false);
	cfg.debug = bv_env_flag("BSDVM_DEBUG", false);
	cfg.files = bv_env_flag("BSDVM_FILES", false);
	/* shared futexes work on arena pages (normal PTEs): serve it */
	cfg.shared_anon = bv_env_flag("BSDVM_SHARED_ANON", true);
	v = getenv("BSDVM_DONTNEED");
	cfg.dontneed_bsd = v && !strcmp(v, "bsd");
	v = getenv("BSDVM_MINCORE");
	cfg.mincore_bsd = v && !strcmp(v, "bsd");
}

/* Appended to lib.c's "cannot use /dev/bsdvm" line. */
const char *bv_shim_note(void)
{
	return bv_env_flag("BSDVM_STRICT", false) ?
		" (BSDVM_STRICT=1: memory calls fail)" :
		" (memory calls go to Linux)";
}

/* The arena, or astart == aend when bsdvm cannot be used. */
static bool arena(uintptr_t *s, uintptr_t *e)
{
	int saved = errno;

	if (bv_ready()) {
		errno = saved;
		*s = *e = 0;
		return false;
	}
	*s = bv_lib.start;
	*e = bv_lib.end;
	return true;
}

/* The part of [a, a + len) in the arena, without initialising it. */
static bool arena_part(uintptr_t a, size_t len, uintptr_t *s, uintptr_t *e)
{
	uintptr_t end = a + len;

	if (__atomic_load_n(&bv_lib.state, __ATOMIC_ACQUIRE) != BV_ST_READY)
		return false;
	if (end < a)
		end = UINTPTR_MAX;
	*s = a > bv_lib.start ? a : bv_lib.start;
	*e = end < bv_lib.end ? end : bv_lib.end;
	return *s < *e;
}

static long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	return syscall(nr, a, b, c, d, e, f);
}

static int fail(enum bv_op op, int err)
{
	bv_count(op, BV_FAILED, 0, BV_WHY_NONE);
	errno = err;
	return -1;
}

#define DBG(...) do { if (unlikely(cfg.debug)) bv_log(__VA_ARGS__); } while (0)

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct bv_mmap_x x;
	uintptr_t s, e, a;
	int err;

	arena(&s, &e);
	bv_xlate_mmap((uintptr_t)addr, len, prot, flags, fd, off, s, e, &cfg,
		      &x);
	if (x.route == BV_SERVE) {
		bool anon = flags & MAP_ANONYMOUS;

		a = (uintptr_t)addr;
		pthread_mutex_lock(&bv_lib.map_lock);
		err = bv_map_locked(&a, len, x.bprot, x.bflags,
				    anon ? -1 : fd, anon ? 0 : off);
		pthread_mutex_unlock(&bv_lib.map_lock);
		if (!err) {
			bv_count(BV_OP_MMAP, BV_SERVED, len, BV_WHY_NONE);
			if (anon && (flags & MAP_TYPE) != MAP_PRIVATE)
				bv_count(BV_OP_MMAP_SHARED_ANON, BV_SERVED, len,
					 BV_WHY_NONE);
			DBG("bsdvm: mmap(%p, %zu, %#x, %#x, %d, %#lx) = %#lx "
			    "bsdvm", addr, len, prot, flags, fd, (long)off,
			    (unsigned long)a);
			return (void *)a;
		}
		if (err == ENODEV && !anon) {
			x.route = BV_PASS;
			x.why = BV_WHY_FILE;
		} else if (err == ENOMEM && !(x.bflags & BSD_MAP_FIXED)) {
			x.route = BV_PASS;
			x.why = BV_WHY_ARENA_FULL;
		} else {
			x.route = BV_FAIL;
			x.err = (err == ENOMEM && (flags & MAP_FIXED_NOREPLACE))
				? EEXIST : err;
		}
	}
	if (x.route == BV_PASS && cfg.strict) {
		x.route = BV_FAIL;
		x.err = x.why == BV_WHY_UNAVAILABLE ? ENODEV : EOPNOTSUPP;
		bv_count(BV_OP_MMAP, BV_PASSED, 0, x.why);
	}
	if (x.route == BV_FAIL) {
		DBG("bsdvm: mmap(%p, %zu, %#x, %#x, %d, %#lx) fails: %s",
		    addr, len, prot, flags, fd, (long)off, strerror(x.err));
		fail(BV_OP_MMAP, x.err);
		return MAP_FAILED;
	}
	a = sys6(SYS_mmap, (long)addr, len, prot, flags, fd, off);
	bv_count(BV_OP_MMAP, BV_PASSED, len, x.why);
	if ((flags & MAP_ANONYMOUS) && (flags & MAP_TYPE) != MAP_PRIVATE)
		bv_count(BV_OP_MMAP_SHARED_ANON, BV_PASSED, len, BV_WHY_NONE);
	DBG("bsdvm: mmap(%p, %zu, %#x, %#x, %d, %#lx) = %#lx linux (%s)",
	    addr, len, prot, flags, fd, (long)off, (unsigned long)a,
	    bv_why_names[x.why]);
	return (void *)a;
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
	__attribute__((alias("mmap")));

/*
 * Run the parts of [a, a + len) outside the arena through Linux (nr with
 * args b, c) and return its result; the arena part is the caller's.
 */
static int pass_outside(long nr, uintptr_t a, size_t len, uintptr_t s,
			uintptr_t e, long arg, enum bv_op op)
{
	int r = 0;

	if (a < s) {
		r = syscall(nr, a, s - a, arg);
		bv_count(op, BV_PASSED, s - a, BV_WHY_OUTSIDE);
	}
	if (!r && a + len > e) {
		r = syscall(nr, e, a + len - e, arg);
		bv_count(op, BV_PASSED, a + len - e, BV_WHY_OUTSIDE);
	}
	return r;
}

int munmap(void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr, s, e;
	int err;

	if ((a & BV_PAGE_MASK) || !len)
		return fail(BV_OP_MUNMAP, EINVAL);
	len = bv_round(len);
	if (!arena_part(a, len, &s, &e)) {
		bv_count(BV_OP_MUNMAP, BV_PASSED, len, BV_WHY_OUTSIDE);
		return syscall(SYS_munmap, a, len);
	}
	if (pass_outside(SYS_munmap, a, len, s, e, 0, BV_OP_MUNMAP))
		return -1;
	pthread_mutex_lock(&bv_lib.map_lock);
	err = bv_unmap_locked(s, e - s);
	pthread_mutex_unlock(&bv_lib.map_lock);
	DBG("bsdvm: munmap(%p, %zu) bsdvm: %d", addr, len, err);
	if (err)
		return fail(BV_OP_MUNMAP, err);
	bv_count(BV_OP_MUNMAP, BV_SERVED, e - s, BV_WHY_NONE);
	return 0;
}

int mprotect(void *addr, size_t len, int prot)
{
	uintptr_t a = (uintptr_t)addr, s, e;
	int bprot, err;

	if (a & BV_PAGE_MASK)
		return fail(BV_OP_MPROTECT, EINVAL);
	if (!len)
		return 0;
	len = bv_round(len);
	if (!arena_part(a, len, &s, &e)) {
		bv_count(BV_OP_MPROTECT, BV_PASSED, len, BV_WHY_OUTSIDE);
		return syscall(SYS_mprotect, a, len, prot);
	}
	if (bv_xlate_prot(prot, &bprot))
		return fail(BV_OP_MPROTECT, EINVAL);
	if (pass_outside(SYS_mprotect, a, len, s, e, prot, BV_OP_MPROTECT))
		return -1;
	pthread_mutex_lock(&bv_lib.map_lock);
	err = bv_regions_cover(s, e) ? bv_protect_locked(s, e - s, bprot) :
				       ENOMEM;
	pthread_mutex_unlock(&bv_lib.map_lock);
	DBG("bsdvm: mprotect(%p, %zu, %#x) bsdvm: %d", addr, len, prot, err);
	if (err)
		return fail(BV_OP_MPROTECT, err);
	bv_count(BV_OP_MPROTECT, BV_SERVED, e - s, BV_WHY_NONE);
	return 0;
}

/*
 * Linux MADV_DONTNEED on private memory: the next touch reads zeros.  A
 * fresh mapping over the range (same protection and inheritance) gives
 * exactly that and frees the pages; shared memory keeps its data (as
 * Linux's shmem does).  Map lock held.  ENOMEM if part was unmapped.
 */
static int dontneed_zero(uintptr_t s, uintptr_t e)
{
	struct bv_region r[16];
	uintptr_t cur = s, a;
	bool hole = false;
	int n, i, err;

	while (cur < e) {
		n = bv_regions_get(cur, e, r, 16);
		if (!n) {
			hole = true;
			break;
		}
		for (i = 0; i < n; i++) {
			if (r[i].start > cur)
				hole = true;
			cur = r[i].end;
			if (r[i].flags & BSD_MAP_GUARD)
				continue;
			if (r[i].flags & BSD_MAP_SHARED) {
				bv_advise(r[i].start, r[i].end - r[i].start,
					  BSD_MADV_DONTNEED);
				continue;
			}
			a = r[i].start;
			err = bv_map_locked(&a, r[i].end - r[i].start,
					    r[i].prot, BSD_MAP_PRIVATE |
					    BSD_MAP_ANON | BSD_MAP_FIXED,
					    -1, 0);
			if (err)
				return err;
			if (r[i].inherit != BSD_INHERIT_COPY)
				bv_inherit_locked(r[i].start,
						  r[i].end - r[i].start,
						  r[i].inherit);
		}
	}
	return hole ? ENOMEM : 0;
}

static int populate(uintptr_t s, uintptr_t e, bool write)
{
	struct bv_region r[1];
	uintptr_t p;
	int need = write ? BSD_PROT_WRITE : BSD_PROT_READ;

	for (p = s; p < e; p += BV_PAGE) {
		pthread_mutex_lock(&bv_lib.map_lock);
		if (bv_regions_get(p, p + 1, r, 1) != 1 || r[0].start > p) {
			pthread_mutex_unlock(&bv_lib.map_lock);
			return ENOMEM;
		}
		pthread_mutex_unlock(&bv_lib.map_lock);
		if (!(r[0].prot & need))
			return EFAULT;
		if (write)
			__atomic_fetch_or((char *)p, 0, __ATOMIC_RELAXED);
		else
			(void)*(volatile char *)p;
	}
	return 0;
}

static int arena_madvise(uintptr_t s, uintptr_t e, int advice)
{
	enum bv_adv k;
	int arg, err = 0;
	bool covered;

	k = bv_xlate_madvise(advice, &cfg, &arg);
	if (k == BV_ADV_EINVAL)
		return EINVAL;
	pthread_mutex_lock(&bv_lib.map_lock);
	covered = bv_regions_cover(s, e);
	switch (k) {
	case BV_ADV_BSD:
		err = bv_advise(s, e - s, arg);
		break;
	case BV_ADV_ZERO:
		err = dontneed_zero(s, e);
		break;
	case BV_ADV_INHERIT:
		err = bv_inherit_locked(s, e - s, arg);
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&bv_lib.map_lock);
	if (k == BV_ADV_POPULATE_READ || k == BV_ADV_POPULATE_WRITE)
		err = populate(s, e, k == BV_ADV_POPULATE_WRITE);
	if (!err && !covered)
		err = ENOMEM;	/* Linux: advice applied, holes reported */
	return err;
}

int madvise(void *addr, size_t len, int advice)
{
	uintptr_t a = (uintptr_t)addr, s, e;
	int err;

	if (a & BV_PAGE_MASK)
		return fail(BV_OP_MADVISE, EINVAL);
	if (!len)
		return 0;
	len = bv_round(len);
	if (!arena_part(a, len, &s, &e)) {
		bv_count(BV_OP_MADVISE, BV_PASSED, len, BV_WHY_OUTSIDE);
		return syscall(SYS_madvise, a, len, advice);
	}
	if (pass_outside(SYS_madvise, a, len, s, e, advice, BV_OP_MADVISE))
		return -1;
	err = arena_madvise(s, e, advice);
	DBG("bsdvm: madvise(%p, %zu, %d) bsdvm: %d", addr, len, advice, err);
	if (err)
		return fail(BV_OP_MADVISE, err);
	bv_count(BV_OP_MADVISE, BV_SERVED, e - s, BV_WHY_NONE);
	return 0;
}

int posix_madvise(void *addr, size_t len, int advice)
{
	uintptr_t a = (uintptr_t)addr, s, e;
	int badv, err;

	if (bv_xlate_posix_madvise(advice, &badv))
		return EINVAL;
	if (!arena_part(a, len, &s, &e)) {
		bv_count(BV_OP_MADVISE, BV_PASSED, len, BV_WHY_OUTSIDE);
		/* glibc's: POSIX_MADV_DONTNEED would destroy data on Linux */
		if (advice == POSIX_MADV_DONTNEED)
			return 0;
		return syscall(SYS_madvise, a, len, advice) ? errno : 0;
	}
	err = bv_advise(s, e - s, badv);
	bv_count(BV_OP_MADVISE, err ? BV_FAILED : BV_SERVED, e - s,
		 BV_WHY_NONE);
	return err;
}

int mincore(void *addr, size_t len, unsigned char *vec)
{
	uintptr_t a = (uintptr_t)addr, s, e;
	size_t i, n;
	int err;

	if (a & BV_PAGE_MASK)
		return fail(BV_OP_MINCORE, EINVAL);
	if (!len)
		return 0;
	len = bv_round(len);
	if (!arena_part(a, len, &s, &e)) {
		bv_count(BV_OP_MINCORE, BV_PASSED, len, BV_WHY_OUTSIDE);
		return syscall(SYS_mincore, a, len, vec);
	}
	if (a < s && syscall(SYS_mincore, a, s - a, vec))
		return -1;
	if (a + len > e &&
	    syscall(SYS_mincore, e, a + len - e, vec + (e - a) / BV_PAGE))
		return -1;
	err = bv_mincore(s, e - s, vec + (s - a) / BV_PAGE);
	if (err)
		return fail(BV_OP_MINCORE, err);
	n = (e - s) / BV_PAGE;
	for (i = 0; i < n; i++)
		vec[(s - a) / BV_PAGE + i] =
			bv_xlate_mincore(vec[(s - a) / BV_PAGE + i], &cfg);
	bv_count(BV_OP_MINCORE, BV_SERVED, e - s, BV_WHY_NONE);
	return 0;
}

int msync(void *addr, size_t len, int flags)
{
	uintptr_t a = (uintptr_t)addr, s, e;
	int bflags;

	if ((a & BV_PAGE_MASK) || bv_xlate_msync(flags, &bflags))
		return fail(BV_OP_MSYNC, EINVAL);
	if (!len)
		return 0;
	len = bv_round(len);
	if (!arena_part(a, len, &s, &e)) {
		bv_count(BV_OP_MSYNC, BV_PASSED, len, BV_WHY_OUTSIDE);
		return syscall(SYS_msync, a, len, flags);
	}
	if (pass_outside(SYS_msync, a, len, s, e, flags, BV_OP_MSYNC))
		return -1;
	if (bsd_msync((void *)s, e - s, bflags))
		return fail(BV_OP_MSYNC, errno);
	bv_count(BV_OP_MSYNC, BV_SERVED, e - s, BV_WHY_NONE);
	return 0;
}

/*
 * mremap in the arena (BSD has none), of a range that Linux would see as
 * part of one VMA: shrink by unmapping the tail; grow
 * in place when the pages after are free (MAP_FIXED|MAP_EXCL); else, with
 * MREMAP_MAYMOVE, a new private mapping and a copy.  Shared memory cannot
 * be moved by copying (EINVAL).  Map lock held.
 */
static int arena_mremap(uintptr_t old, size_t osz, size_t nsz, int flags,
			uintptr_t want, uintptr_t *out)
{
	struct bv_region r[1];
	uintptr_t n;
	int err, prot;

	/* Linux: the old range must lie in one VMA (EFAULT otherwise) */
	if (!bv_regions_uniform(old, old + osz, r) ||
	    (r[0].flags & BSD_MAP_GUARD))
		return EFAULT;
	if ((r[0].flags & BSD_MAP_SHARED) &&
	    (nsz > osz || (flags & MREMAP_FIXED)))
		return EINVAL;
	if (!(flags & MREMAP_FIXED)) {
		if (nsz <= osz) {
			if (nsz < osz)
				bv_unmap_locked(old + nsz, osz - nsz);
			*out = old;
			return 0;
		}
		n = old + osz;
		if (!bv_map_locked(&n, nsz - osz, r[0].prot,
				   BSD_MAP_PRIVATE | BSD_MAP_ANON |
				   BSD_MAP_FIXED | BSD_MAP_EXCL, -1, 0)) {
			if (r[0].inherit != BSD_INHERIT_COPY)
				bv_inherit_locked(n, nsz - osz,
						  r[0].inherit);
			*out = old;
			return 0;
		}
		if (!(flags & MREMAP_MAYMOVE))
			return ENOMEM;
		n = 0;
	} else {
		n = want;
		if (want < old + osz && old < want + nsz)
			return EINVAL;
	}
	prot = BSD_PROT_READ | BSD_PROT_WRITE | BSD_PROT_MAX(BSD_PROT_ALL);
	err = bv_map_locked(&n, nsz, prot, BSD_MAP_PRIVATE | BSD_MAP_ANON |
			    (flags & MREMAP_FIXED ? BSD_MAP_FIXED : 0), -1, 0);
	if (err)
		return err;
	if (!(r[0].prot & BSD_PROT_READ))
		bv_protect_locked(old, osz, BSD_PROT_READ);
	memcpy((void *)n, (void *)old, osz < nsz ? osz : nsz);
	bv_protect_locked(n, nsz, r[0].prot);
	if (r[0].inherit != BSD_INHERIT_COPY)
		bv_inherit_locked(n, nsz, r[0].inherit);
	bv_unmap_locked(old, osz);
	*out = n;
	return 0;
}

void *mremap(void *oaddr, size_t osz, size_t nsz, int flags, ...)
{
	uintptr_t old = (uintptr_t)oaddr, want = 0, s, e, out;
	va_list ap;
	int err;

	if (flags & MREMAP_FIXED) {
		va_start(ap, flags);
		want = (uintptr_t)va_arg(ap, void *);
		va_end(ap);
	}
	if (!arena_part(old, osz ? osz : 1, &s, &e) &&
	    !((flags & MREMAP_FIXED) && arena_part(want, nsz, &s, &e))) {
		bv_count(BV_OP_MREMAP, BV_PASSED, nsz, BV_WHY_OUTSIDE);
		return (void *)syscall(SYS_mremap, old, osz, nsz, flags, want);
	}
	if ((old & BV_PAGE_MASK) || !nsz ||
	    (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) ||
	    ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) ||
	    (want & BV_PAGE_MASK)) {
		fail(BV_OP_MREMAP, EINVAL);
		return MAP_FAILED;
	}
	osz = bv_round(osz);
	nsz = bv_round(nsz);
	/* Only whole moves inside the arena; DONTUNMAP has no BSD meaning. */
	if (!osz || (flags & MREMAP_DONTUNMAP) || !bv_in_arena(old, osz) ||
	    ((flags & MREMAP_FIXED) && !bv_in_arena(want, nsz))) {
		fail(BV_OP_MREMAP, EINVAL);
		return MAP_FAILED;
	}
	pthread_mutex_lock(&bv_lib.map_lock);
	err = arena_mremap(old, osz, nsz, flags, want, &out);
	pthread_mutex_unlock(&bv_lib.map_lock);
	DBG("bsdvm: mremap(%p, %zu, %zu, %#x) bsdvm: %d", oaddr, osz, nsz,
	    flags, err);
	if (err) {
		fail(BV_OP_MREMAP, err);
		return MAP_FAILED;
	}
	bv_count(BV_OP_MREMAP, BV_SERVED, nsz, BV_WHY_NONE);
	return (void *)out;
}

int brk(void *addr)
{
	uintptr_t s, e;
	void *cur;

	if (arena(&s, &e)) {
		if (bsd_brk(addr) == BSD_MAP_FAILED)
			return fail(BV_OP_BRK, errno);
		bv_count(BV_OP_BRK, BV_SERVED, 0, BV_WHY_NONE);
		return 0;
	}
	if (cfg.strict)
		return fail(BV_OP_BRK, ENOMEM);
	bv_count(BV_OP_BRK, BV_PASSED, 0, BV_WHY_UNAVAILABLE);
	cur = __sbrk(0);
	return __sbrk((char *)addr - (char *)cur) == (void *)-1 ? -1 : 0;
}

void *sbrk(intptr_t incr)
{
	uintptr_t s, e;
	void *r;

	if (arena(&s, &e)) {
		r = bsd_sbrk(incr);
		if (r == BSD_MAP_FAILED)
			fail(BV_OP_BRK, errno);
		else
			bv_count(BV_OP_BRK, BV_SERVED, incr > 0 ? incr : 0,
				 BV_WHY_NONE);
		return r;
	}
	if (cfg.strict) {
		fail(BV_OP_BRK, ENOMEM);
		return (void *)-1;
	}
	bv_count(BV_OP_BRK, BV_PASSED, incr > 0 ? incr : 0,
		 BV_WHY_UNAVAILABLE);
	return __sbrk(incr);
}

/*
 * minherit with BSD's values (Linux has no such call).  Outside the arena
 * the nearest Linux advice stands in: NONE is MADV_DONTFORK, ZERO is
 * MADV_WIPEONFORK, COPY undoes both; SHARE has no Linux equivalent.
 */
int minherit(void *addr, size_t len, int inherit)
{
	uintptr_t a = (uintptr_t)addr, s, e;
	int err;

	if (!arena_part(a, len ? len : 1, &s, &e)) {
		bv_count(BV_OP_MINHERIT, BV_PASSED, len, BV_WHY_OUTSIDE);
		switch (inherit) {
		case BSD_INHERIT_NONE:
			return syscall(SYS_madvise, a, len, MADV_DONTFORK);
		case BSD_INHERIT_ZERO:
			return syscall(SYS_madvise, a, len, MADV_WIPEONFORK);
		case BSD_INHERIT_COPY:
			if (syscall(SYS_madvise, a, len, MADV_DOFORK))
				return -1;
			syscall(SYS_madvise, a, len, MADV_KEEPONFORK);
			return 0;
		default:
			return fail(BV_OP_MINHERIT, EINVAL);
		}
	}
	pthread_mutex_lock(&bv_lib.map_lock);
	err = bv_inherit_locked(a, len, inherit);
	pthread_mutex_unlock(&bv_lib.map_lock);
	if (err)
		return fail(BV_OP_MINHERIT, err);
	bv_count(BV_OP_MINHERIT, BV_SERVED, len, BV_WHY_NONE);
	return 0;
}
