/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libbsdvm internals: the library state, the region table, the shim's
 * counters and the page source of the allocator.
 */
#ifndef _BSDVM_INTERNAL_H
#define _BSDVM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "bsdvm.h"

#define BV_PAGE		4096UL
#define BV_PAGE_MASK	(BV_PAGE - 1)
#define bv_trunc(x)	((uintptr_t)(x) & ~BV_PAGE_MASK)
#define bv_round(x)	(((uintptr_t)(x) + BV_PAGE_MASK) & ~BV_PAGE_MASK)

#define BV_ARENA_DEFAULT	(64UL << 30)	/* 64 GiB of address space */
#define BV_ARENA_MIN		(64UL << 20)

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define BV_HIDDEN	__attribute__((visibility("hidden")))

/* Library state (lib.c). */
struct bv_lib {
	int state;			/* BV_ST_UNINIT, BV_ST_READY, BV_ST_FAILED */
	int err;			/* errno of the failed init */
	int fd;
	dev_t rdev;
	uintptr_t start, end;		/* the arena */
	unsigned int abi_version;
	char release[BSDVM_RELEASE_LEN];
	uintptr_t curbrk;		/* logical break (0: not yet read) */
	pthread_mutex_t init_lock;
	pthread_mutex_t map_lock;	/* map calls + region table */
};

enum { BV_ST_UNINIT = 0, BV_ST_READY = 1, BV_ST_FAILED = 2 };

extern struct bv_lib bv_lib BV_HIDDEN;

/* 0 when ready, else -1 with errno (the reason init failed). */
BV_HIDDEN int bv_ready_slow(void);
static inline int bv_ready(void)
{
	if (likely(__atomic_load_n(&bv_lib.state, __ATOMIC_ACQUIRE) ==
		   BV_ST_READY))
		return 0;
	return bv_ready_slow();
}

static inline bool bv_in_arena(uintptr_t a, size_t len)
{
	return a >= bv_lib.start && len <= bv_lib.end - a &&
	       a < bv_lib.end;
}

/* ioctl on the device, reopening it if the program closed our fd. */
BV_HIDDEN int bv_ioctl(unsigned long cmd, void *arg);
BV_HIDDEN void bv_log(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
BV_HIDDEN bool bv_env_flag(const char *name, bool dflt);

/*
 * Map calls with the map lock held by the caller; they keep the region
 * table in step.  Return 0 or an errno value.
 */
BV_HIDDEN int bv_map_locked(uintptr_t *addr, size_t len, int prot, int flags,
			    int fd, off_t off);
BV_HIDDEN int bv_unmap_locked(uintptr_t addr, size_t len);
BV_HIDDEN int bv_protect_locked(uintptr_t addr, size_t len, int prot);
BV_HIDDEN int bv_inherit_locked(uintptr_t addr, size_t len, int inherit);
BV_HIDDEN int bv_advise(uintptr_t addr, size_t len, int advice);
BV_HIDDEN int bv_mincore(uintptr_t addr, size_t len, unsigned char *vec);

/* The region table (regions.c): what the library mapped, by address. */
struct bv_region {
	uintptr_t start, end;
	int prot;			/* BSD prot | BSD_PROT_MAX(max) */
	unsigned short flags;		/* BSD_MAP_SHARED/PRIVATE/GUARD */
	unsigned short inherit;		/* BSD_INHERIT_* */
};

BV_HIDDEN int bv_regions_insert(uintptr_t start, uintptr_t end, int prot,
				int flags);
BV_HIDDEN void bv_regions_remove(uintptr_t start, uintptr_t end);
BV_HIDDEN void bv_regions_set_prot(uintptr_t start, uintptr_t end, int prot);
BV_HIDDEN void bv_regions_set_inherit(uintptr_t start, uintptr_t end,
				      int inherit);
/* Copy out the pieces of regions overlapping [start, end), clipped. */
BV_HIDDEN int bv_regions_get(uintptr_t start, uintptr_t end,
			     struct bv_region *out, int max);
/* Covered without a hole by regions of the same attributes (into *r). */
BV_HIDDEN bool bv_regions_uniform(uintptr_t start, uintptr_t end,
				  struct bv_region *r);
/* Whether [start, end) is covered by regions with no hole. */
BV_HIDDEN bool bv_regions_cover(uintptr_t start, uintptr_t end);
BV_HIDDEN void bv_regions_fork_child(void);
BV_HIDDEN void bv_regions_reset(void);

/* fork handlers of the other parts, called by lib.c's atfork. */
BV_HIDDEN void bv_malloc_prefork(void) __attribute__((weak));
BV_HIDDEN void bv_malloc_postfork(int child) __attribute__((weak));
BV_HIDDEN void bv_counters_fork_child(void) __attribute__((weak));

/*
 * The allocator's page source (calls.c for real; a fake in the host
 * tests).  Memory comes in whole pages, aligned to align (a power of two,
 * at least a page).  bv_mem_purge tells the VM the pages' contents are no
 * longer needed (BSD MADV_FREE: afterwards they hold old data or zeros).
 */
BV_HIDDEN int bv_mem_init(uintptr_t *base, size_t *size);
BV_HIDDEN void *bv_mem_map(size_t len, size_t align);
BV_HIDDEN int bv_mem_extend(void *at, size_t len);
BV_HIDDEN void bv_mem_unmap(void *p, size_t len);
BV_HIDDEN void bv_mem_purge(void *p, size_t len);

#endif /* _BSDVM_INTERNAL_H */
