/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * bsdvm ioctl ABI: /dev/bsdvm, shared by bsdvm.ko and libbsdvm.
 * Documented in Documentation/abi.rst.
 *
 * Conventions (every ioctl follows them):
 *  - Numbers are _IOR/_IOW/_IOWR(BSDVM_IOC_MAGIC, nr, struct); nr starts at
 *    BSDVM_IOC_BASE (0x40), clear of the other users of 'B'.  The kernel
 *    matches type, nr and direction; the size bits are not used, so a struct
 *    may grow without changing its number.
 *  - Every argument struct starts with "__u32 size": the caller sets it to
 *    sizeof() of the struct as the caller knows it.  A size below the first
 *    version of the struct, or above 4096, is -EINVAL.  A caller's struct
 *    larger than the kernel's must have only zero bytes past the kernel's
 *    end (-EINVAL otherwise); the kernel writes back min(caller, kernel)
 *    bytes.
 *  - An unknown number is -ENOTTY; an unreadable/unwritable argument is
 *    -EFAULT.
 *  - Constants use BSD names and values (<linux/bsdvm_mman.h>).
 */
#ifndef _UAPI_LINUX_BSDVM_H
#define _UAPI_LINUX_BSDVM_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/bsdvm_mman.h>

#define BSDVM_DEVICE		"/dev/bsdvm"

/* Bumped on any incompatible change; compatible growth keeps it. */
#define BSDVM_ABI_VERSION	1

#define BSDVM_IOC_MAGIC		'B'
#define BSDVM_IOC_BASE		0x40

/* Largest "size" any argument struct may claim. */
#define BSDVM_STRUCT_SIZE_MAX	4096

/*
 * Index of each ABI struct in bsdvm_version.sizes[].  Append only: a new
 * ioctl adds its struct at the end and bumps BSDVM_STRUCT_COUNT.
 */
enum bsdvm_struct_id {
	BSDVM_STRUCT_VERSION = 0,
	BSDVM_STRUCT_MSYNC,
	BSDVM_STRUCT_MAP,		/* struct bsdvm_map_args */
	BSDVM_STRUCT_RANGE,		/* UNMAP, PROTECT, INHERIT, ADVISE */
	BSDVM_STRUCT_MINCORE,
	BSDVM_STRUCT_BRK,
	BSDVM_STRUCT_STATS,
	BSDVM_STRUCT_COUNT
};

#define BSDVM_SIZES_MAX		32
#define BSDVM_RELEASE_LEN	32

/*
 * BSDVM_IOC_VERSION: what the loaded module speaks.
 * in:  size (must be >= BSDVM_VERSION_SIZE_V1), flags (must be 0)
 * out: everything else; size is set to the number of bytes written.
 */
struct bsdvm_version {
	__u32 size;
	__u32 flags;
	__u32 abi_version;		/* BSDVM_ABI_VERSION */
	__u32 nr_sizes;			/* valid entries in sizes[] */
	char release[BSDVM_RELEASE_LEN];	/* module version, NUL-ended */
	__u32 sizes[BSDVM_SIZES_MAX];	/* sizeof each struct, by bsdvm_struct_id */
};

#define BSDVM_VERSION_SIZE_V1	sizeof(struct bsdvm_version)

#define BSDVM_IOC_VERSION	_IOWR(BSDVM_IOC_MAGIC, BSDVM_IOC_BASE + 0x00, \
				      struct bsdvm_version)


/*
 * BSDVM_IOC_MAP: BSD mmap inside the calling process's arena.
 * in:  flags (BSD_MAP_*), prot (BSD_PROT_*, may carry BSD_PROT_MAX()),
 *      addr (hint, or the address with BSD_MAP_FIXED), len, fd (-1 for
 *      anonymous memory), offset
 * out: addr, the start of the new mapping
 */
struct bsdvm_map_args {
	__u32 size;
	__u32 flags;
	__s32 prot;
	__s32 fd;
	__u64 addr;
	__u64 len;
	__u64 offset;
};

#define BSDVM_MAP_SIZE_V1	sizeof(struct bsdvm_map_args)

/*
 * BSDVM_IOC_UNMAP, _PROTECT, _INHERIT, _ADVISE: one call over a range.
 * arg is 0 for UNMAP, else the new protection, inheritance or advice.
 */
struct bsdvm_range_args {
	__u32 size;
	__s32 arg;
	__u64 addr;
	__u64 len;
};

#define BSDVM_RANGE_SIZE_V1	sizeof(struct bsdvm_range_args)

/*
 * BSDVM_IOC_MINCORE: vec (a user pointer) receives one byte of
 * BSD_MINCORE_* bits per page of [trunc_page(addr), round_page(addr+len)).
 */
struct bsdvm_mincore_args {
	__u32 size;
	__u32 flags;			/* must be 0 */
	__u64 addr;
	__u64 len;
	__u64 vec;
};

#define BSDVM_MINCORE_SIZE_V1	sizeof(struct bsdvm_mincore_args)

/*
 * BSDVM_IOC_BRK: set the break to addr (0: only report it).  out: addr is
 * the break now, base the start of the data segment.
 */
struct bsdvm_brk_args {
	__u32 size;
	__u32 flags;			/* must be 0 */
	__u64 addr;
	__u64 base;
};

#define BSDVM_BRK_SIZE_V1	sizeof(struct bsdvm_brk_args)

/*
 * BSDVM_IOC_STATS: the core's counters, for the calling process's space
 * (flags 0) or for the whole module (BSDVM_STATS_GLOBAL).  Live counts
 * (spaces .. shadow_objects) of a space are what it can reach.
 */
#define BSDVM_STATS_GLOBAL	0x1

struct bsdvm_stats {
	__u32 size;
	__u32 flags;
	__u64 arena_start;		/* this space's arena (0 if global) */
	__u64 arena_end;
	__s64 spaces;
	__s64 entries;
	__s64 objects;
	__s64 pages;
	__s64 shadow_objects;
	__s64 faults;
	__s64 faults_read;
	__s64 faults_write;
	__s64 zero_fills;
	__s64 zero_page_maps;
	__s64 cow_copies;
	__s64 cow_renames;
	__s64 shadows_created;
	__s64 collapses;
	__s64 bypasses;
	__s64 pages_freed;
	__s64 forks;
	__s64 max_chain_depth;
	__s64 peak_pages;
	__s64 meta_bytes;
	/* V2: page-cache pages lent to file objects (vnode.rst) */
	__s64 pages_lent;		/* of pages, lent now */
	__s64 lends;			/* pages lent (events) */
	__s64 lent_copies;		/* loans replaced by a copy to write */
};

#define BSDVM_STATS_SIZE_V1	184	/* up to meta_bytes */
#define BSDVM_STATS_SIZE_V2	sizeof(struct bsdvm_stats)

#define BSDVM_IOC_MAP		_IOWR(BSDVM_IOC_MAGIC, BSDVM_IOC_BASE + 0x01, \
				      struct bsdvm_map_args)
#define BSDVM_IOC_UNMAP		_IOW(BSDVM_IOC_MAGIC, BSDVM_IOC_BASE + 0x02, \
				     struct bsdvm_range_args)
#define BSDVM_IOC_PROTECT	_IOW(BSDVM_IOC_MAGIC, BSDVM_IOC_BASE + 0x03, \
				     struct bsdvm_range_args)
#define BSDVM_IOC_INHERIT	_IOW(BSDVM_IOC_MAGIC, BSDVM_IOC_BASE + 0x04, \
				     struct bsdvm_range_args)
#define BSDVM_IOC_ADVISE	_IOW(BSDVM_IOC_MAGIC, BSDVM_IOC_BASE + 0x05, \
				     struct bsdvm_range_args)
#define BSDVM_IOC_MINCORE	_IOW(BSDVM_IOC_MAGIC, BSDVM_IOC_BASE + 0x06, \
				     struct bsdvm_mincore_args)
#define BSDVM_IOC_BRK		_IOWR(BSDVM_IOC_MAGIC, BSDVM_IOC_BASE + 0x07, \
				      struct bsdvm_brk_args)
#define BSDVM_IOC_STATS		_IOWR(BSDVM_IOC_MAGIC, BSDVM_IOC_BASE + 0x08, \
				      struct bsdvm_stats)

/*
 * BSDVM_IOC_MSYNC: BSD msync.  flags are BSD_MS_* (BSD_MS_SYNC is 0);
 * len 0 means the whole mapping at addr.  Errors are FreeBSD's: unknown
 * flags or ASYNC|INVALIDATE EINVAL, an unmapped range ENOMEM, a write
 * error EIO.
 */
struct bsdvm_msync_args {
	__u32 size;
	__u32 flags;
	__u64 addr;
	__u64 len;
};

#define BSDVM_MSYNC_SIZE_V1	sizeof(struct bsdvm_msync_args)

#define BSDVM_IOC_MSYNC		_IOW(BSDVM_IOC_MAGIC, BSDVM_IOC_BASE + 0x09, \
				     struct bsdvm_msync_args)

#endif /* _UAPI_LINUX_BSDVM_H */
