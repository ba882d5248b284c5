/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libbsdvm: the 4.4BSD memory calls over /dev/bsdvm (bsdvm.ko).
 *
 * Names and values are FreeBSD's, with a BSD_ prefix (from
 * <linux/bsdvm_mman.h>), so this header may be included next to glibc's
 * <sys/mman.h>.  Errors are reported in errno; bsd_mmap() and bsd_sbrk()
 * return BSD_MAP_FAILED.  The device is opened and the arena mapped on
 * first use; see Documentation/libbsdvm.rst.
 */
#ifndef _BSDVM_H
#define _BSDVM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/bsdvm.h>	/* the ABI, and <linux/bsdvm_mman.h> */

#ifdef __cplusplus
extern "C" {
#endif

#define BSD_MAP_FAILED	((void *)-1)

/* The BSD calls: FreeBSD's arguments, values and errno. */
void *bsd_mmap(void *addr, size_t len, int prot, int flags, int fd,
	       off_t offset);
int bsd_munmap(void *addr, size_t len);
int bsd_mprotect(void *addr, size_t len, int prot);
int bsd_minherit(void *addr, size_t len, int inherit);
int bsd_madvise(void *addr, size_t len, int advice);
int bsd_mincore(const void *addr, size_t len, char *vec);
int bsd_msync(void *addr, size_t len, int flags);
/* Set the break to addr; returns the new break, or BSD_MAP_FAILED. */
char *bsd_brk(const char *addr);
/* Move the break by incr bytes; returns the old break. */
void *bsd_sbrk(intptr_t incr);

/* Counters of the module's core: this process's space, or all of them. */
int bsdvm_stats(struct bsdvm_stats *st);
int bsdvm_stats_global(struct bsdvm_stats *st);

/*
 * Open the device and map the arena now (otherwise done by the first
 * call).  0, or -1 with errno: ENOENT (module not loaded), EACCES/EPERM
 * (not allowed: see the allow_users module parameter), EPROTO (ABI
 * mismatch), ENOMEM (no room for the arena).
 */
int bsdvm_init(void);
/* 1 when the BSD calls work in this process, 0 when not (errno says why). */
int bsdvm_available(void);

struct bsdvm_arena_info {
	void *start;			/* the arena: [start, start + size) */
	size_t size;
	int fd;				/* the /dev/bsdvm descriptor */
	unsigned int abi_version;	/* BSDVM_ABI_VERSION of the module */
	char release[BSDVM_RELEASE_LEN];	/* module version */
};

/* Describe the arena (initialising it if needed).  0 or -1/errno. */
int bsdvm_arena_info(struct bsdvm_arena_info *info);
/* 1 if [addr, addr + len) lies inside the arena, else 0; never inits. */
int bsdvm_in_arena(const void *addr, size_t len);

/* Library version, "MAJOR.MINOR". */
const char *bsdvm_version(void);

#ifdef __cplusplus
}
#endif

#endif /* _BSDVM_H */
