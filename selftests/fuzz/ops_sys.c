// SPDX-License-Identifier: GPL-2.0
/*
 * Raw Linux system calls on arena memory, the way a program that knows
 * nothing of bsdvm makes them: every madvise but the hwpoison ones,
 * mprotect, pieces unmapped, moved or mapped over, mlock, other
 * processes' views of the memory (process_vm_*, /proc/self/mem), I/O
 * into and out of it, futexes, userfaultfd, io_uring buffers; and plain
 * loads and stores.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/io_uring.h>
#include <linux/userfaultfd.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "fuzz.h"

#ifndef __NR_mseal
#define __NR_mseal	462
#endif
#ifndef PR_SET_VMA
#define PR_SET_VMA		0x53564d41
#define PR_SET_VMA_ANON_NAME	0
#endif

static long sys_result(long r)
{
	return r < 0 ? -errno : r;
}

/* Every advice Linux 6.1 and 6.12 know, but MADV_HWPOISON/SOFT_OFFLINE. */
static const int linux_advice[] = {
	0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
	22, 23, 24, 25,
};

static long op_madvise(struct fz_thread *t, uint64_t a[3])
{
	int adv = linux_advice[fz_below(&t->rng, ARRAY_SIZE(linux_advice))];

	a[0] = fz_addr(t);
	a[1] = fz_sys_len(t, a[0]);
	a[2] = adv;
	return sys_result(madvise((void *)(uintptr_t)a[0], a[1], adv));
}

static long op_mprotect(struct fz_thread *t, uint64_t a[3])
{
	int pkey = fz_chance(&t->rng, 2) ? -1 : (int)fz_below(&t->rng, 16);

	a[0] = fz_addr(t);
	a[1] = fz_sys_len(t, a[0]);
	a[2] = ((uint64_t)(uint32_t)pkey << 32) | (fz_prot(t) & 7);
	if (pkey == -1 && fz_chance(&t->rng, 2))
		return sys_result(mprotect((void *)(uintptr_t)a[0], a[1],
					   a[2] & 7));
	return sys_result(syscall(__NR_pkey_mprotect, a[0], a[1], a[2] & 7,
				  pkey));
}

/* A piece of the arena (or its whole) unmapped. */
static long op_munmap(struct fz_thread *t, uint64_t a[3])
{
	a[0] = fz_addr(t);
	a[1] = FZ_PG * (1 + fz_below(&t->rng, 16));
	if (!t->arena->base || a[0] < (uintptr_t)t->arena->base ||
	    a[0] + a[1] > (uintptr_t)t->arena->base + t->arena->size)
		return -EDOM;	/* never our own stacks and heap */
	return sys_result(munmap((void *)(uintptr_t)a[0], a[1]));
}

/* Grown, shrunk or moved: the target is in the arena or the kernel's. */
static long op_mremap(struct fz_thread *t, uint64_t a[3])
{
	char *base = t->arena->base, *to = NULL;
	int flags = MREMAP_MAYMOVE;
	void *r;

	if (!base)
		return -EDOM;
	a[0] = (uintptr_t)base + FZ_PG * fz_below(&t->rng, 256);
	a[1] = FZ_PG * (1 + fz_below(&t->rng, 8));
	a[2] = FZ_PG * (1 + fz_below(&t->rng, 8));
	if (fz_chance(&t->rng, 3)) {
		to = base + FZ_PG * fz_below(&t->rng, t->arena->size / FZ_PG - 8);
		flags |= MREMAP_FIXED;
	} else if (fz_chance(&t->rng, 4)) {
		flags |= MREMAP_DONTUNMAP;
		a[2] = a[1];
	}
	r = mremap((void *)(uintptr_t)a[0], a[1], a[2], flags, to);
	if (r == MAP_FAILED)
		return -errno;
	/* moved out of the arena: Linux memory now, give it back */
	if ((char *)r < base || (char *)r >= base + t->arena->size)
		munmap(r, a[2]);
	return 0;
}

/* Ordinary memory mapped over a piece of the arena. */
static long op_mmap_over(struct fz_thread *t, uint64_t a[3])
{
	char *base = t->arena->base;
	int flags = MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS;
	void *r;

	if (!base)
		return -EDOM;
	a[0] = (uintptr_t)base + FZ_PG * fz_below(&t->rng, 256);
	a[1] = FZ_PG * (1 + fz_below(&t->rng, 4));
	if (fz_chance(&t->rng, 2))
		flags = MAP_FIXED | MAP_SHARED | MAP_ANONYMOUS;
	a[2] = flags;
	r = mmap((void *)(uintptr_t)a[0], a[1], PROT_READ | PROT_WRITE, flags,
		 -1, 0);
	return r == MAP_FAILED ? -errno : 0;
}

static long op_mlock(struct fz_thread *t, uint64_t a[3])
{
	a[0] = fz_addr(t);
	a[1] = fz_sys_len(t, a[0]);
	a[2] = fz_below(&t->rng, 6);
	switch (a[2]) {
	case 0:
		return sys_result(mlock((void *)(uintptr_t)a[0], a[1]));
	case 1:
		return sys_result(syscall(__NR_mlock2, a[0], a[1], 1));
	case 2:
		return sys_result(munlock((void *)(uintptr_t)a[0], a[1]));
	case 3:
		return sys_result(mlockall(MCL_CURRENT | MCL_ONFAULT));
	case 4:
		return sys_result(mlockall(MCL_FUTURE | MCL_ONFAULT));
	default:
		return sys_result(munlockall());
	}
}

static long op_msync_linux(struct fz_thread *t, uint64_t a[3])
{
	static const int fl[] = { MS_SYNC, MS_ASYNC, MS_INVALIDATE,
				  MS_SYNC | MS_INVALIDATE };

	a[0] = fz_addr(t) & ~(FZ_PG - 1);
	a[1] = fz_sys_len(t, a[0]);
	a[2] = fl[fz_below(&t->rng, 4)];
	return sys_result(msync((void *)(uintptr_t)a[0], a[1], a[2]));
}

static long op_mincore_linux(struct fz_thread *t, uint64_t a[3])
{
	unsigned char vec[64];

	a[0] = fz_addr(t) & ~(FZ_PG - 1);
	a[1] = FZ_PG * (1 + fz_below(&t->rng, 64));
	return sys_result(mincore((void *)(uintptr_t)a[0], a[1], vec));
}

/* This process's memory as another process would read or write it. */
static long op_process_vm(struct fz_thread *t, uint64_t a[3])
{
	char buf[4 * FZ_PG];
	struct iovec local = { buf, sizeof(buf) }, remote;

	a[0] = fz_addr(t);
	a[1] = 1 + fz_below(&t->rng, sizeof(buf));
	a[2] = fz_below(&t->rng, 2);
	remote.iov_base = (void *)(uintptr_t)a[0];
	remote.iov_len = a[1];
	memset(buf, 'p', sizeof(buf));
	if (a[2])
		return sys_result(process_vm_writev(getpid(), &local, 1,
						    &remote, 1, 0));
	return sys_result(process_vm_readv(getpid(), &local, 1, &remote, 1,
					   0));
}

static long op_proc_mem(struct fz_thread *t, uint64_t a[3])
{
	char buf[2 * FZ_PG];
	long r;
	int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	a[0] = fz_addr(t);
	a[1] = 1 + fz_below(&t->rng, sizeof(buf));
	a[2] = fz_below(&t->rng, 2);
	memset(buf, 'm', sizeof(buf));
	if (a[2])
		r = pwrite(fd, buf, a[1], (off_t)a[0]);
	else
		r = pread(fd, buf, a[1], (off_t)a[0]);
	r = sys_result(r);
	close(fd);
	return r;
}

/* Arena memory as a buffer of read(2), write(2) and vmsplice(2). */
static long op_io(struct fz_thread *t, uint64_t a[3])
{
	int p[2], file = t->arena->files[fz_below(&t->rng, 2)];
	struct iovec iov;
	char *addr;
	long r;

	a[0] = fz_addr(t);
	a[1] = 1 + fz_below(&t->rng, 3 * FZ_PG);
	a[2] = fz_below(&t->rng, 5);
	addr = (char *)(uintptr_t)a[0];
	if (a[2] == 3)
		return sys_result(pread(file, addr, a[1], 0));
	if (a[2] == 4)
		return sys_result(pwrite(file, addr, a[1], FZ_PG));
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC))
		return -errno;
	iov.iov_base = addr;
	iov.iov_len = a[1];
	if (a[2] == 0) {
		r = sys_result(write(p[1], addr, a[1]));
	} else if (a[2] == 1) {
		r = sys_result(vmsplice(p[1], &iov, 1, 0));
	} else {
		r = write(p[1], "pipe data", 9) == 9 ?
		    sys_result(read(p[0], addr, a[1])) : -errno;
	}
	close(p[0]);
	close(p[1]);
	return r;
}

/* A futex word in the arena: shared keys need get_user_pages. */
static long op_futex(struct fz_thread *t, uint64_t a[3])
{
	struct timespec ts = { 0, 1000 };
	int priv = fz_chance(&t->rng, 2) ? FUTEX_PRIVATE_FLAG : 0;

	a[0] = fz_addr(t) & ~3ULL;
	a[1] = fz_below(&t->rng, 2);
	a[2] = priv;
	if (a[1])
		return sys_result(syscall(SYS_futex, a[0], FUTEX_WAKE | priv,
					  1, NULL, NULL, 0));
	return sys_result(syscall(SYS_futex, a[0], FUTEX_WAIT | priv,
				  (int)fz_below(&t->rng, 2), &ts, NULL, 0));
}

static long op_uffd(struct fz_thread *t, uint64_t a[3])
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	long r;
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	a[0] = fz_addr(t) & ~(FZ_PG - 1);
	a[1] = FZ_PG * (1 + fz_below(&t->rng, 16));
	reg.range.start = a[0];
	reg.range.len = a[1];
	reg.mode = fz_chance(&t->rng, 2) ? UFFDIO_REGISTER_MODE_MISSING :
					    UFFDIO_REGISTER_MODE_WP;
	r = ioctl(fd, UFFDIO_API, &api);
	if (!r)
		r = ioctl(fd, UFFDIO_REGISTER, &reg);
	r = sys_result(r);
	close(fd);
	return r;
}

/* io_uring fixed buffers pin the memory (pin_user_pages). */
static long op_io_uring_buffers(struct fz_thread *t, uint64_t a[3])
{
	struct io_uring_params par;
	struct iovec iov;
	long r;
	int fd;

	memset(&par, 0, sizeof(par));
	fd = syscall(__NR_io_uring_setup, 2, &par);
	if (fd < 0)
		return -errno;
	a[0] = fz_addr(t);
	a[1] = FZ_PG * (1 + fz_below(&t->rng, 8));
	iov.iov_base = (void *)(uintptr_t)a[0];
	iov.iov_len = a[1];
	r = sys_result(syscall(__NR_io_uring_register, fd,
			       IORING_REGISTER_BUFFERS, &iov, 1));
	close(fd);
	return r;
}

/* madvise through a pidfd: the same VMAs, from process_madvise(2). */
static long process_advise(struct fz_thread *t, uint64_t a[3])
{
	struct iovec iov = { (void *)(uintptr_t)a[0], a[1] };
	int pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	long r;

	if (pidfd < 0)
		return -errno;
	r = sys_result(syscall(__NR_process_madvise, pidfd, &iov, 1,
			       fz_chance(&t->rng, 2) ? MADV_COLD :
						       MADV_PAGEOUT, 0));
	close(pidfd);
	return r;
}

static long op_vma_misc(struct fz_thread *t, uint64_t a[3])
{
	a[0] = fz_addr(t) & ~(FZ_PG - 1);
	a[1] = FZ_PG * (1 + fz_below(&t->rng, 16));
	a[2] = fz_below(&t->rng, 16);
	if (a[2] == 0)	/* a sealed arena only leaves with the process */
		return sys_result(syscall(__NR_mseal, a[0], a[1], 0));
	if (a[2] < 8)
		return process_advise(t, a);
	return sys_result(prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, a[0], a[1],
				"fuzz"));
}

static long op_load(struct fz_thread *t, uint64_t a[3])
{
	a[0] = fz_addr(t);
	return fz_probe((char *)(uintptr_t)a[0], false) ? 0 : -EFAULT;
}

static long op_store(struct fz_thread *t, uint64_t a[3])
{
	uint64_t i, n = 1 + fz_below(&t->rng, 8);

	a[0] = fz_addr(t);
	a[1] = n;
	for (i = 0; i < n; i++)
		if (!fz_probe((char *)(uintptr_t)a[0] + i * FZ_PG, true))
			return -EFAULT;
	return 0;
}

const struct fz_op fz_sys_ops[] = {
	{ "load",		op_load,		14 },
	{ "store",		op_store,		14 },
	{ "madvise",		op_madvise,		6 },
	{ "mprotect",		op_mprotect,		3 },
	{ "munmap",		op_munmap,		2 },
	{ "mremap",		op_mremap,		2 },
	{ "mmap_over",		op_mmap_over,		1 },
	{ "mlock",		op_mlock,		2 },
	{ "msync",		op_msync_linux,		2 },
	{ "mincore",		op_mincore_linux,	2 },
	{ "process_vm",		op_process_vm,		3 },
	{ "proc_mem",		op_proc_mem,		3 },
	{ "io",			op_io,			4 },
	{ "futex",		op_futex,		2 },
	{ "userfaultfd",	op_uffd,		1 },
	{ "io_uring_buffers",	op_io_uring_buffers,	1 },
	{ "vma_misc",		op_vma_misc,		1 },
};
const unsigned int fz_nr_sys_ops = ARRAY_SIZE(fz_sys_ops);
