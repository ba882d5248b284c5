// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * calls.c - the BSD calls: FreeBSD's arguments, values and errno, each an
 * ioctl on /dev/bsdvm (the module does the argument checks), with the
 * region table kept in step.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

int bv_map_locked(uintptr_t *addr, size_t len, int prot, int flags, int fd,
		  off_t off)
{
	struct bsdvm_map_args m = {
		.size = sizeof(m), .flags = flags, .prot = prot, .fd = fd,
		.addr = *addr, .len = len, .offset = off,
	};
	int p;

	if (bv_ioctl(BSDVM_IOC_MAP, &m))
		return errno;
	*addr = m.addr;
	/* as the module rounds it */
	len = bv_round(len + ((uintptr_t)off & BV_PAGE_MASK));
	p = BSD_PROT_MAX_EXTRACT(prot) ? prot :
	    (prot | BSD_PROT_MAX(BSD_PROT_ALL));
	if (flags & BSD_MAP_GUARD)
		p = BSD_PROT_NONE;
	if ((flags & BSD_MAP_ANON) && !(flags & BSD_MAP_SHARED))
		flags |= BSD_MAP_PRIVATE;
	bv_regions_insert(bv_trunc(m.addr), bv_trunc(m.addr) + len, p, flags);
	return 0;
}

int bv_unmap_locked(uintptr_t addr, size_t len)
{
	struct bsdvm_range_args r = {
		.size = sizeof(r), .addr = addr, .len = len,
	};

	if (bv_ioctl(BSDVM_IOC_UNMAP, &r))
		return errno;
	bv_regions_remove(bv_trunc(addr), bv_round(addr + len));
	return 0;
}

int bv_protect_locked(uintptr_t addr, size_t len, int prot)
{
	struct bsdvm_range_args r = {
		.size = sizeof(r), .arg = prot, .addr = addr, .len = len,
	};

	if (bv_ioctl(BSDVM_IOC_PROTECT, &r))
		return errno;
	bv_regions_set_prot(bv_trunc(addr), bv_round(addr + len), prot);
	return 0;
}

int bv_inherit_locked(uintptr_t addr, size_t len, int inherit)
{
	struct bsdvm_range_args r = {
		.size = sizeof(r), .arg = inherit, .addr = addr, .len = len,
	};

	if (bv_ioctl(BSDVM_IOC_INHERIT, &r))
		return errno;
	bv_regions_set_inherit(bv_trunc(addr), bv_round(addr + len), inherit);
	return 0;
}

int bv_advise(uintptr_t addr, size_t len, int advice)
{
	struct bsdvm_range_args r = {
		.size = sizeof(r), .arg = advice, .addr = addr, .len = len,
	};

	return bv_ioctl(BSDVM_IOC_ADVISE, &r) ? errno : 0;
}

int bv_mincore(uintptr_t addr, size_t len, unsigned char *vec)
{
	struct bsdvm_mincore_args m = {
		.size = sizeof(m), .addr = addr, .len = len,
		.vec = (uintptr_t)vec,
	};

	return bv_ioctl(BSDVM_IOC_MINCORE, &m) ? errno : 0;
}

static int fail(int err)
{
	errno = err;
	return -1;
}

void *bsd_mmap(void *addr, size_t len, int prot, int flags, int fd,
	       off_t offset)
{
	uintptr_t a = (uintptr_t)addr;
	int err;

	if (bv_ready())
		return BSD_MAP_FAILED;
	pthread_mutex_lock(&bv_lib.map_lock);
	err = bv_map_locked(&a, len, prot, flags, fd, offset);
	pthread_mutex_unlock(&bv_lib.map_lock);
	if (err) {
		errno = err;
		return BSD_MAP_FAILED;
	}
	return (void *)a;
}

int bsd_munmap(void *addr, size_t len)
{
	int err;

	if (bv_ready())
		return -1;
	pthread_mutex_lock(&bv_lib.map_lock);
	err = bv_unmap_locked((uintptr_t)addr, len);
	pthread_mutex_unlock(&bv_lib.map_lock);
	return err ? fail(err) : 0;
}

int bsd_mprotect(void *addr, size_t len, int prot)
{
	int err;

	if (bv_ready())
		return -1;
	pthread_mutex_lock(&bv_lib.map_lock);
	err = bv_protect_locked((uintptr_t)addr, len, prot);
	pthread_mutex_unlock(&bv_lib.map_lock);
	return err ? fail(err) : 0;
}

int bsd_minherit(void *addr, size_t len, int inherit)
{
	int err;

	if (bv_ready())
		return -1;
	pthread_mutex_lock(&bv_lib.map_lock);
	err = bv_inherit_locked((uintptr_t)addr, len, inherit);
	pthread_mutex_unlock(&bv_lib.map_lock);
	return err ? fail(err) : 0;
}

int bsd_madvise(void *addr, size_t len, int advice)
{
	int err;

	if (bv_ready())
		return -1;
	err = bv_advise((uintptr_t)addr, len, advice);
	return err ? fail(err) : 0;
}

int bsd_mincore(const void *addr, size_t len, char *vec)
{
	int err;

	if (bv_ready())
		return -1;
	err = bv_mincore((uintptr_t)addr, len, (unsigned char *)vec);
	return err ? fail(err) : 0;
}

/*
 * msync (FreeBSD's kern_msync): unknown flags and ASYNC|INVALIDATE are
 * EINVAL; an unmapped range is ENOMEM; len 0 means the entry holding
 * addr.  The module writes file mappings back (BSDVM_IOC_MSYNC); for
 * anonymous memory it has nothing to do.
 */
int bsd_msync(void *addr, size_t len, int flags)
{
	uintptr_t a = bv_trunc(addr), e;
	struct bsdvm_msync_args m = {
		.size = sizeof(m), .flags = flags, .addr = a,
		/* FreeBSD moves addr down to its page, len with it */
		.len = len ? len + ((uintptr_t)addr - a) : 0,
	};
	bool ok;

	if (flags & ~(BSD_MS_ASYNC | BSD_MS_INVALIDATE))
		return fail(EINVAL);
	if ((flags & (BSD_MS_ASYNC | BSD_MS_INVALIDATE)) ==
	    (BSD_MS_ASYNC | BSD_MS_INVALIDATE))
		return fail(EINVAL);
	if (bv_ready())
		return -1;
	e = len ? bv_round((uintptr_t)addr + len) : a + BV_PAGE;
	if (e < a || (uintptr_t)addr + len < (uintptr_t)addr)
		return fail(EINVAL);
	pthread_mutex_lock(&bv_lib.map_lock);
	ok = bv_regions_cover(a, e);
	pthread_mutex_unlock(&bv_lib.map_lock);
	if (!ok)
		return fail(ENOMEM);
	return bv_ioctl(BSDVM_IOC_MSYNC, &m) ? fail(errno) : 0;
}

/*
 * The break: FreeBSD's libc keeps the logical break and asks the kernel
 * (which works in pages) only to move the page-rounded end.
 */
static int brk_set(uintptr_t want, uintptr_t *now, uintptr_t *basep)
{
	struct bsdvm_brk_args b = { .size = sizeof(b), .addr = want };
	uintptr_t base, cur;

	if (bv_ioctl(BSDVM_IOC_BRK, &b))
		return errno;
	cur = b.addr;
	base = b.base;
	*basep = base;
	if (want >= base && bv_round(want) != cur)
		return ENOMEM;
	/* keep the table in step with [base, cur) */
	bv_regions_remove(base, bv_lib.end);
	if (cur > base) {
		struct bv_region r[1];
		int n = bv_regions_get(base, cur, r, 1);

		if (!n || r[0].start != base || r[0].end != cur) {
			bv_regions_remove(base, cur);
			bv_regions_insert(base, cur, BSD_PROT_READ |
					  BSD_PROT_WRITE |
					  BSD_PROT_MAX(BSD_PROT_ALL),
					  BSD_MAP_PRIVATE);
		}
	}
	*now = cur;
	return 0;
}

char *bsd_brk(const char *addr)
{
	uintptr_t cur, base;
	int err;

	if (bv_ready())
		return BSD_MAP_FAILED;
	pthread_mutex_lock(&bv_lib.map_lock);
	err = brk_set((uintptr_t)addr, &cur, &base);
	if (!err) {
		/* below the data segment: no effect (FreeBSD) */
		if ((uintptr_t)addr >= base)
			bv_lib.curbrk = (uintptr_t)addr;
		else if (!bv_lib.curbrk)
			bv_lib.curbrk = cur;
	}
	pthread_mutex_unlock(&bv_lib.map_lock);
	if (err) {
		errno = err;
		return BSD_MAP_FAILED;
	}
	return (char *)bv_lib.curbrk;
}

void *bsd_sbrk(intptr_t incr)
{
	uintptr_t old = 0, cur, want, base;
	int err = 0;

	if (bv_ready())
		return BSD_MAP_FAILED;
	pthread_mutex_lock(&bv_lib.map_lock);
	if (!bv_lib.curbrk) {
		struct bsdvm_brk_args b = { .size = sizeof(b) };

		if (bv_ioctl(BSDVM_IOC_BRK, &b)) {
			err = errno;
			goto out;
		}
		bv_lib.curbrk = b.addr;
	}
	old = bv_lib.curbrk;
	if (incr) {
		want = old + incr;
		if ((incr > 0 && want < old) || (incr < 0 && want > old)) {
			err = ENOMEM;
			goto out;
		}
		err = brk_set(want, &cur, &base);
		if (!err && want < base)
			err = EINVAL;
		else if (!err)
			bv_lib.curbrk = want;
	}
out:
	pthread_mutex_unlock(&bv_lib.map_lock);
	if (err) {
		errno = err;
		return BSD_MAP_FAILED;
	}
	return (void *)old;
}

/* The allocator's page source: private anonymous arena memory. */
int bv_mem_init(uintptr_t *base, size_t *size)
{
	if (bv_ready())
		return -1;
	*base = bv_lib.start;
	*size = bv_lib.end - bv_lib.start;
	return 0;
}

void *bv_mem_map(size_t len, size_t align)
{
	uintptr_t a = 0;
	int flags = BSD_MAP_PRIVATE | BSD_MAP_ANON, err;

	if (align > BV_PAGE)
		flags |= BSD_MAP_ALIGNED(__builtin_ctzl(align));
	pthread_mutex_lock(&bv_lib.map_lock);
	err = bv_map_locked(&a, len, BSD_PROT_READ | BSD_PROT_WRITE, flags,
			    -1, 0);
	pthread_mutex_unlock(&bv_lib.map_lock);
	if (err) {
		errno = err;
		return NULL;
	}
	return (void *)a;
}

int bv_mem_extend(void *at, size_t len)
{
	uintptr_t a = (uintptr_t)at;
	int err;

	pthread_mutex_lock(&bv_lib.map_lock);
	err = bv_map_locked(&a, len, BSD_PROT_READ | BSD_PROT_WRITE,
			    BSD_MAP_PRIVATE | BSD_MAP_ANON | BSD_MAP_FIXED |
			    BSD_MAP_EXCL, -1, 0);
	pthread_mutex_unlock(&bv_lib.map_lock);
	return err ? -1 : 0;
}

void bv_mem_unmap(void *p, size_t len)
{
	pthread_mutex_lock(&bv_lib.map_lock);
	bv_unmap_locked((uintptr_t)p, len);
	pthread_mutex_unlock(&bv_lib.map_lock);
}

void bv_mem_purge(void *p, size_t len)
{
	bv_advise((uintptr_t)p, len, BSD_MADV_FREE);
}
