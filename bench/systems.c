// SPDX-License-Identifier: GPL-2.0
/*
 * systems.c - the three systems vmbench compares, behind one set of calls:
 *   linux     libc's calls, Linux as configured (the guest kernels enable
 *             transparent huge pages: one fault may fill 2 MiB)
 *   linux-4k  the same with MADV_NOHUGEPAGE on each anonymous mapping:
 *             4 KiB faults, as bsdvm's
 *   bsdvm     libbsdvm's bsd_* calls, with BSD constants and semantics
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
#include "bsdvm.h"
#include "vmbench.h"

/* --- native Linux --- */

static int linux_prot(int prot)
{
	return prot == VB_RW ? PROT_READ | PROT_WRITE : PROT_READ;
}

static char *linux_map(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static char *linux_4k_map(size_t len)
{
	char *p = linux_map(len);

	if (madvise(p, len, MADV_NOHUGEPAGE))
		die("madvise(MADV_NOHUGEPAGE)");
	return p;
}

static char *linux_map_file(int fd, size_t len, int prot)
{
	char *p = mmap(NULL, len, linux_prot(prot), MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die("mmap(file)");
	return p;
}

static void linux_unmap(char *p, size_t len)
{
	if (munmap(p, len))
		die("munmap");
}

static void linux_protect(char *p, size_t len, int prot)
{
	if (mprotect(p, len, linux_prot(prot)))
		die("mprotect");
}

static void linux_advise(char *p, size_t len, int advice)
{
	if (madvise(p, len, advice == VB_FREE ? MADV_FREE : MADV_DONTNEED))
		die("madvise");
}

static void linux_mincore(char *p, size_t len, unsigned char *vec)
{
	if (mincore(p, len, vec))
		die("mincore");
}

static void linux_msync(char *p, size_t len)
{
	if (msync(p, len, MS_SYNC))
		die("msync");
}

static char *linux_sbrk(intptr_t incr)
{
	void *p = sbrk(incr);

	if (p == (void *)-1)
		die("sbrk");
	return p;
}

static void linux_brk(char *addr)
{
	if (brk(addr))
		die("brk");
}

/* --- bsdvm, through libbsdvm --- */

static int bsd_prot(int prot)
{
	return prot == VB_RW ? BSD_PROT_READ | BSD_PROT_WRITE : BSD_PROT_READ;
}

static char *bsdvm_map(size_t len)
{
	char *p = bsd_mmap(NULL, len, BSD_PROT_READ | BSD_PROT_WRITE,
			   BSD_MAP_ANON | BSD_MAP_PRIVATE, -1, 0);

	if (p == BSD_MAP_FAILED)
		die("bsd_mmap");
	return p;
}

static char *bsdvm_map_file(int fd, size_t len, int prot)
{
	char *p = bsd_mmap(NULL, len, bsd_prot(prot), BSD_MAP_SHARED, fd, 0);

	if (p == BSD_MAP_FAILED)
		die("bsd_mmap(file)");
	return p;
}

static void bsdvm_unmap(char *p, size_t len)
{
	if (bsd_munmap(p, len))
		die("bsd_munmap");
}

static void bsdvm_protect(char *p, size_t len, int prot)
{
	if (bsd_mprotect(p, len, bsd_prot(prot)))
		die("bsd_mprotect");
}

/* BSD's DONTNEED only deactivates: the data stays (unlike Linux's). */
static void bsdvm_advise(char *p, size_t len, int advice)
{
	if (bsd_madvise(p, len, advice == VB_FREE ? BSD_MADV_FREE :
			BSD_MADV_DONTNEED))
		die("bsd_madvise");
}

static void bsdvm_mincore(char *p, size_t len, unsigned char *vec)
{
	if (bsd_mincore(p, len, (char *)vec))
		die("bsd_mincore");
}

static void bsdvm_msync(char *p, size_t len)
{
	if (bsd_msync(p, len, BSD_MS_SYNC))
		die("bsd_msync");
}

static char *bsdvm_sbrk(intptr_t incr)
{
	void *p = bsd_sbrk(incr);

	if (p == BSD_MAP_FAILED)
		die("bsd_sbrk");
	return p;
}

static void bsdvm_brk(char *addr)
{
	if (bsd_brk(addr) == BSD_MAP_FAILED)
		die("bsd_brk");
}

const struct vm_sys vm_systems[NSYS] = {
	[SYS_LINUX] = {
		"linux", linux_map, linux_map_file, linux_unmap,
		linux_protect, linux_advise, linux_mincore, linux_msync,
		linux_sbrk, linux_brk,
	},
	[SYS_LINUX4K] = {
		"linux-4k", linux_4k_map, linux_map_file, linux_unmap,
		linux_protect, linux_advise, linux_mincore, linux_msync,
		linux_sbrk, linux_brk,
	},
	[SYS_BSDVM] = {
		"bsdvm", bsdvm_map, bsdvm_map_file, bsdvm_unmap,
		bsdvm_protect, bsdvm_advise, bsdvm_mincore, bsdvm_msync,
		bsdvm_sbrk, bsdvm_brk,
	},
};
