/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xlate.h - the shim's translation of Linux memory-call values to BSD
 * ones, as pure functions (no device, no state): the table of
 * Documentation/shim.rst, unit-tested on the host (libbsdvm/tests/).
 */
#ifndef _BSDVM_XLATE_H
#define _BSDVM_XLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/bsdvm_mman.h>

/* Shim settings from the environment (shim.c reads them once). */
struct bv_cfg {
	bool strict;		/* BSDVM_STRICT=1: fail instead of passing */
	bool debug;		/* BSDVM_DEBUG=1: log each decision */
	bool files;		/* BSDVM_FILES=1: try file mappings on bsdvm */
	bool shared_anon;	/* shared anon on bsdvm (BSDVM_SHARED_ANON=0: no) */
	bool dontneed_bsd;	/* BSDVM_DONTNEED=bsd: keep contents */
	bool mincore_bsd;	/* BSDVM_MINCORE=bsd: all BSD bits */
};

/* Why a call was passed through to Linux (counted per reason). */
enum bv_why {
	BV_WHY_NONE = 0,
	BV_WHY_UNAVAILABLE,	/* no module / no arena */
	BV_WHY_OUTSIDE,		/* address outside the arena */
	BV_WHY_FILE,		/* file mapping (fd != -1) */
	BV_WHY_SHARED_ANON,	/* MAP_SHARED|MAP_ANONYMOUS, BSDVM_SHARED_ANON=0 */
	BV_WHY_HUGETLB,
	BV_WHY_32BIT,
	BV_WHY_GROWSDOWN,
	BV_WHY_LOCKED,
	BV_WHY_SYNC,
	BV_WHY_PROT,		/* protection bits bsdvm does not have */
	BV_WHY_ARENA_FULL,	/* no room left in the arena */
	BV_WHY_NR
};

extern const char *const bv_why_names[BV_WHY_NR];

enum bv_route { BV_SERVE, BV_PASS, BV_FAIL };

struct bv_mmap_x {
	int route;		/* BV_SERVE, BV_PASS or BV_FAIL */
	int err;		/* BV_FAIL: the errno */
	enum bv_why why;	/* BV_PASS: the reason */
	int bflags;		/* BV_SERVE: BSD flags */
	int bprot;		/* BV_SERVE: BSD prot */
};

/*
 * Decide a Linux mmap(addr, len, prot, flags, fd, off) against an arena
 * [astart, aend) (astart == aend: none).
 */
void bv_xlate_mmap(uintptr_t addr, size_t len, int prot, int flags, int fd,
		   off_t off, uintptr_t astart, uintptr_t aend,
		   const struct bv_cfg *cfg, struct bv_mmap_x *x);

/* Linux prot -> BSD prot; 0 or EINVAL (bits bsdvm does not have). */
int bv_xlate_prot(int lprot, int *bprot);

/* What Linux advice means in the arena. */
enum bv_adv {
	BV_ADV_BSD,		/* BSD madvise with *arg */
	BV_ADV_ZERO,		/* Linux MADV_DONTNEED: zero-fill private */
	BV_ADV_INHERIT,		/* minherit with *arg */
	BV_ADV_NOP,		/* accepted, nothing to do */
	BV_ADV_POPULATE_READ,	/* fault the pages in for reading */
	BV_ADV_POPULATE_WRITE,	/* ... for writing */
	BV_ADV_EINVAL,		/* not valid here */
};

enum bv_adv bv_xlate_madvise(int ladvice, const struct bv_cfg *cfg,
			     int *arg);
/* posix_madvise: 0 with *badvice, or EINVAL. */
int bv_xlate_posix_madvise(int advice, int *badvice);
/* Linux msync flags -> BSD ones: 0 or EINVAL (Linux's checks). */
int bv_xlate_msync(int lflags, int *bflags);
/* BSD mincore byte -> what a Linux caller reads (bit 0: resident). */
unsigned char bv_xlate_mincore(unsigned char bsd, const struct bv_cfg *cfg);

#endif /* _BSDVM_XLATE_H */
