/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the in-guest selftests: open /dev/bsdvm, map an
 * arena, and the BSD calls as thin ioctl wrappers returning 0 or -errno
 * (so a test can assert the exact errno).
 */
#ifndef _BSDVM_SELFTEST_H
#define _BSDVM_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/bsdvm.h>

#define PG		4096UL
#define ARENA_SIZE	(1UL << 30)	/* 1 GiB of address space */

struct arena {
	int fd;
	char *base;
	size_t size;
};

static inline int arena_open(struct arena *a, size_t size)
{
	a->size = size;
	a->fd = open(BSDVM_DEVICE, O_RDWR | O_CLOEXEC);
	if (a->fd < 0)
		return -errno;
	a->base = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_SHARED, a->fd, 0);
	if (a->base == MAP_FAILED) {
		int e = -errno;

		close(a->fd);
		return e;
	}
	return 0;
}

static inline void arena_close(struct arena *a)
{
	munmap(a->base, a->size);
	close(a->fd);
}

static inline int bsd_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/* BSD mmap; *addr in: hint or fixed address, out: start. */
static inline int bsdvm_map(int fd, void **addr, size_t len, int prot,
			    int flags)
{
	struct bsdvm_map_args m = {
		.size = sizeof(m), .flags = flags, .prot = prot, .fd = -1,
		.addr = (uintptr_t)*addr, .len = len,
	};
	int r = bsd_ioctl(fd, BSDVM_IOC_MAP, &m);

	if (!r)
		*addr = (void *)(uintptr_t)m.addr;
	return r;
}

/* Anonymous private read/write memory anywhere; NULL on failure. */
static inline char *bsdvm_anon(int fd, size_t len, int flags)
{
	void *p = NULL;

	if (bsdvm_map(fd, &p, len, BSD_PROT_READ | BSD_PROT_WRITE,
		      BSD_MAP_ANON | flags))
		return NULL;
	return p;
}

static inline int bsdvm_range(int fd, unsigned long cmd, void *addr,
			      size_t len, int arg)
{
	struct bsdvm_range_args r = {
		.size = sizeof(r), .arg = arg, .addr = (uintptr_t)addr,
		.len = len,
	};

	return bsd_ioctl(fd, cmd, &r);
}

#define bsdvm_unmap(fd, a, l)		bsdvm_range(fd, BSDVM_IOC_UNMAP, a, l, 0)
#define bsdvm_protect(fd, a, l, p)	bsdvm_range(fd, BSDVM_IOC_PROTECT, a, l, p)
#define bsdvm_inherit(fd, a, l, i)	bsdvm_range(fd, BSDVM_IOC_INHERIT, a, l, i)
#define bsdvm_advise(fd, a, l, v)	bsdvm_range(fd, BSDVM_IOC_ADVISE, a, l, v)

static inline int bsdvm_mincore(int fd, void *addr, size_t len,
				unsigned char *vec)
{
	struct bsdvm_mincore_args m = {
		.size = sizeof(m), .addr = (uintptr_t)addr, .len = len,
		.vec = (uintptr_t)vec,
	};

	return bsd_ioctl(fd, BSDVM_IOC_MINCORE, &m);
}

static inline int bsdvm_brk(int fd, uint64_t want, uint64_t *cur,
			    uint64_t *base)
{
	struct bsdvm_brk_args b = { .size = sizeof(b), .addr = want };
	int r = bsd_ioctl(fd, BSDVM_IOC_BRK, &b);

	if (cur)
		*cur = b.addr;
	if (base)
		*base = b.base;
	return r;
}

static inline int bsdvm_stats(int fd, struct bsdvm_stats *st, int global)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->flags = global ? BSDVM_STATS_GLOBAL : 0;
	return bsd_ioctl(fd, BSDVM_IOC_STATS, st);
}

/* BSDVM_IOC_MAP of descriptor filefd at offset off (fd -1: anonymous). */
static inline int bsdvm_mapfd(int fd, void **addr, size_t len, int prot,
			      int flags, int filefd, uint64_t off)
{
	struct bsdvm_map_args m = {
		.size = sizeof(m), .flags = flags, .prot = prot, .fd = filefd,
		.addr = (uintptr_t)*addr, .len = len, .offset = off,
	};
	int r = bsd_ioctl(fd, BSDVM_IOC_MAP, &m);

	if (!r)
		*addr = (void *)(uintptr_t)m.addr;
	return r;
}

static inline int bsdvm_msync(int fd, void *addr, size_t len, int flags)
{
	struct bsdvm_msync_args m = {
		.size = sizeof(m), .flags = flags, .addr = (uintptr_t)addr,
		.len = len,
	};

	return bsd_ioctl(fd, BSDVM_IOC_MSYNC, &m);
}

/*
 * mkstemp(path) (a template ending in XXXXXX) filled with npages pages,
 * page i with first + i % 26: its descriptor, or -1.
 */
static inline int make_pattern_file(char *path, int npages, char first)
{
	char buf[PG];
	int fd, i;

	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	for (i = 0; i < npages; i++) {
		memset(buf, first + i % 26, PG);
		if (write(fd, buf, PG) != PG) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* A mapping of file fd from offset 0 anywhere in the arena, or NULL. */
static inline char *map_file(int dev, int fd, size_t len, int prot, int flags)
{
	void *p = NULL;

	if (bsdvm_mapfd(dev, &p, len, prot, flags, fd, 0))
		return NULL;
	return p;
}

/*
 * Touch one byte and report the signal it raised: 0, or the signal with
 * its si_code and si_addr.  The handler jumps back, so the access is not
 * retried.
 */
struct fault_result {
	int sig;
	int code;
	void *addr;
};

static sigjmp_buf fault_jmp;
static volatile struct fault_result fault_last;

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
	fault_last.sig = sig;
	fault_last.code = si->si_code;
	fault_last.addr = si->si_addr;
	siglongjmp(fault_jmp, 1);
}

static inline void fault_catch(void)
{
	struct sigaction sa = { 0 };

	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

static inline struct fault_result touch(volatile char *p, int write, char v)
{
	struct fault_result r = { 0 };

	fault_catch();
	fault_last.sig = 0;
	if (!sigsetjmp(fault_jmp, 1)) {
		if (write)
			*p = v;
		else
			(void)*p;
	} else {
		r.sig = fault_last.sig;
		r.code = fault_last.code;
		r.addr = fault_last.addr;
	}
	return r;
}

#endif /* _BSDVM_SELFTEST_H */
