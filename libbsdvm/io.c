// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * io.c - read/write into arena memory where the kernel pins user pages.
 *
 * Arena pages are PFN mappings, invisible to get_user_pages.  Most file
 * systems copy (copy_to_user goes through the module's fault handler), but
 * some pin the buffer instead: 9p's zero-copy path for any transfer over
 * 1 KiB (the QEMU guest's root), FUSE direct I/O, O_DIRECT.  Those fail
 * with EFAULT.  When that happens with a buffer in the arena, the shim
 * repeats the transfer through a bounce buffer of Linux memory: the
 * failed call moved no data (the pin fails before any I/O).
 * Only the libc entry points are covered: stdio's internal reads, readv
 * and raw system calls are not (Documentation/shim.rst).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "shimstat.h"

extern ssize_t __read(int fd, void *buf, size_t n);
extern ssize_t __write(int fd, const void *buf, size_t n);
extern ssize_t __pread64(int fd, void *buf, size_t n, off_t off);
extern ssize_t __pwrite64(int fd, const void *buf, size_t n, off_t off);

#define BOUNCE	(256UL << 10)

static bool arena_efault(const void *buf, size_t n)
{
	return errno == EFAULT &&
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
