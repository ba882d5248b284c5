// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * io.c - read/write into arena memory where the kernel pins user pages.
 *
 * bsdvm's own pages have normal PTEs, which get_user_pages pins like any
 * others.  A page the vnode pager lends from the page cache (a BSD file
 * mapping, BSDVM_FILES=1) has a special PTE, which it cannot
 * (Documentation/linux.rst).  Most file systems copy (copy_to_user goes
 * through the module's fault handler), but some pin the buffer instead:
 * 9p's zero-copy path for any transfer over 1 KiB (the QEMU guest's
 * root), FUSE direct I/O, O_DIRECT.  Those fail on a lent page: EFAULT
 * from a get_user_pages reference, EEXIST from a FOLL_PIN (O_DIRECT;
 * __get_user_pages' "a PTE but no struct page").  When that happens with
 * a buffer in the arena, the shim
 * repeats the transfer through a bounce buffer of Linux memory: the
 * failed call moved no data (the pin fails before any I/O).
 * The libc entry points read, write, pread(64), pwrite(64), readv,
 * writev, preadv(64) and pwritev(64) are covered; stdio's internal reads
 * and raw system calls are not (Documentation/shim.rst).
 */
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"
#include "shimstat.h"

extern ssize_t __read(int fd, void *buf, size_t n);
extern ssize_t __write(int fd, const void *buf, size_t n);
extern ssize_t __pread64(int fd, void *buf, size_t n, off_t off);
extern ssize_t __pwrite64(int fd, const void *buf, size_t n, off_t off);

#define BOUNCE		(256UL << 10)
/* a vector transfer goes through one buffer: at most this much of it */
#define BOUNCE_IOV	(64UL << 20)

static bool arena_efault(const void *buf, size_t n)
{
	return (errno == EFAULT || errno == EEXIST) &&
	       __atomic_load_n(&bv_lib.state, __ATOMIC_ACQUIRE) ==
	       BV_ST_READY && n && bv_in_arena((uintptr_t)buf, 1);
}

static void *bounce_get(size_t n)
{
	void *b = (void *)syscall(SYS_mmap, NULL, n, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return b == MAP_FAILED ? NULL : b;
}

/* off < 0: read/write at the file position */
static ssize_t bounce_io(int fd, void *buf, size_t n, off_t off, bool wr)
{
	size_t len = n < BOUNCE ? n : BOUNCE, done = 0;
	char *b = bounce_get(len);
	ssize_t r = 0;
	int saved;

	if (!b) {
		errno = EFAULT;
		return -1;
	}
	while (done < n) {
		size_t c = n - done < len ? n - done : len;

		if (wr) {
			memcpy(b, (char *)buf + done, c);
			r = off < 0 ? __write(fd, b, c) :
				      __pwrite64(fd, b, c, off + done);
		} else {
			r = off < 0 ? __read(fd, b, c) :
				      __pread64(fd, b, c, off + done);
			if (r > 0)
				memcpy((char *)buf + done, b, r);
		}
		if (r <= 0)
			break;
		done += r;
		if ((size_t)r < c)
			break;
	}
	saved = errno;
	syscall(SYS_munmap, b, len);
	errno = saved;
	if (done) {
		if (bv_count)
			bv_count(BV_OP_IO_BOUNCE, BV_SERVED, done, BV_WHY_NONE);
		return done;
	}
	return r;
}

ssize_t read(int fd, void *buf, size_t n)
{
	ssize_t r = __read(fd, buf, n);

	if (r >= 0 || !arena_efault(buf, n))
		return r;
	return bounce_io(fd, buf, n, -1, false);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	ssize_t r = __write(fd, buf, n);

	if (r >= 0 || !arena_efault(buf, n))
		return r;
	return bounce_io(fd, (void *)buf, n, -1, true);
}

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	ssize_t r = __pread64(fd, buf, n, off);

	if (r >= 0 || !arena_efault(buf, n))
		return r;
	return bounce_io(fd, buf, n, off, false);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t r = __pwrite64(fd, buf, n, off);

	if (r >= 0 || !arena_efault(buf, n))
		return r;
	return bounce_io(fd, (void *)buf, n, off, true);
}

ssize_t pread64(int fd, void *buf, size_t n, off_t off)
	__attribute__((alias("pread")));
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
	__attribute__((alias("pwrite")));

/* Any buffer of the vector in the arena, after an EFAULT or EEXIST? */
static bool arena_efault_iov(const struct iovec *iov, int cnt)
{
	int i;

	for (i = 0; i < cnt; i++)
		if (arena_efault(iov[i].iov_base, iov[i].iov_len))
			return true;
	return false;
}

/*
 * A vector transfer again through one buffer of Linux memory: gathered
 * before a write, scattered after a read.  At most BOUNCE_IOV bytes, so
 * a short count may come back, as a vector transfer may anyway.
 */
static ssize_t bounce_iov(int fd, const struct iovec *iov, int cnt,
			  off_t off, bool wr)
{
	size_t total = 0, done = 0, c;
	ssize_t r;
	char *b;
	int i, saved;

	for (i = 0; i < cnt && total < BOUNCE_IOV; i++)
		total += iov[i].iov_len;
	if (total > BOUNCE_IOV)
		total = BOUNCE_IOV;
	b = bounce_get(total);
	if (!b) {
		errno = EFAULT;
		return -1;
	}
	for (i = 0; wr && i < cnt && done < total; i++, done += c) {
		c = iov[i].iov_len < total - done ? iov[i].iov_len :
						    total - done;
		memcpy(b + done, iov[i].iov_base, c);
	}
	if (wr)
		r = off < 0 ? __write(fd, b, total) :
			      __pwrite64(fd, b, total, off);
	else
		r = off < 0 ? __read(fd, b, total) :
			      __pread64(fd, b, total, off);
	for (i = 0, done = 0; !wr && r > 0 && done < (size_t)r;
	     i++, done += c) {
		c = iov[i].iov_len < (size_t)r - done ? iov[i].iov_len :
							(size_t)r - done;
		memcpy(iov[i].iov_base, b + done, c);
	}
	saved = errno;
	syscall(SYS_munmap, b, total);
	errno = saved;
	if (r > 0 && bv_count)
		bv_count(BV_OP_IO_BOUNCE, BV_SERVED, r, BV_WHY_NONE);
	return r;
}

/*
 * The first attempt is libc's own function (a cancellation point, as
 * callers expect), found once with dlsym; a benign race sets it twice.
 */
#define REAL(name, ...)							\
	static __typeof__(name) *real_##name;				\
	if (!real_##name)						\
		real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name); \
	r = real_##name ? real_##name(__VA_ARGS__) : (errno = ENOSYS, -1)

/* After libc's try r: the bounce, if a buffer in the arena was refused */
static ssize_t vec_retry(ssize_t r, int fd, const struct iovec *iov, int cnt,
			 off_t off, bool wr)
{
	if (r >= 0 || !arena_efault_iov(iov, cnt))
		return r;
	return bounce_iov(fd, iov, cnt, off, wr);
}

ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
	ssize_t r;

	REAL(readv, fd, iov, cnt);
	return vec_retry(r, fd, iov, cnt, -1, false);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	ssize_t r;

	REAL(writev, fd, iov, cnt);
	return vec_retry(r, fd, iov, cnt, -1, true);
}

/* (a negative offset is EINVAL from libc, never retried) */
ssize_t preadv(int fd, const struct iovec *iov, int cnt, off_t off)
{
	ssize_t r;

	REAL(preadv, fd, iov, cnt, off);
	return vec_retry(r, fd, iov, cnt, off, false);
}

ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
	ssize_t r;

	REAL(pwritev, fd, iov, cnt, off);
	return vec_retry(r, fd, iov, cnt, off, true);
}

ssize_t preadv64(int fd, const struct iovec *iov, int cnt, off_t off)
	__attribute__((alias("preadv")));
ssize_t pwritev64(int fd, const struct iovec *iov, int cnt, off_t off)
	__attribute__((alias("pwritev")));
