/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * shimstat.h - the shim's counters: what it served from bsdvm and what it
 * passed through to Linux, per call and per reason.  With
 * BSDVM_STATS_FILE=PATH every process (children too) adds to one shared
 * copy in PATH as it goes, so nothing depends on exit handlers;
 * bsdvm-stat shim PATH prints it.
 */
#ifndef _BSDVM_SHIMSTAT_H
#define _BSDVM_SHIMSTAT_H

#include <stdint.h>
#include "xlate.h"

enum bv_op {
	BV_OP_MMAP, BV_OP_MUNMAP, BV_OP_MPROTECT, BV_OP_MADVISE,
	BV_OP_MINCORE, BV_OP_MSYNC, BV_OP_MREMAP, BV_OP_BRK,
	BV_OP_MINHERIT, BV_OP_MALLOC, BV_OP_IO_BOUNCE,
	BV_OP_MMAP_SHARED_ANON,	/* of BV_OP_MMAP: MAP_SHARED|MAP_ANONYMOUS */
	BV_OP_NR
};

#define BV_STATS_MAGIC	0x62737664766d5354ULL	/* "bsdvmST" */
#define BV_STATS_VERSION 2

struct bv_counters {
	uint64_t magic;
	uint64_t version;
	uint64_t processes;		/* processes that loaded the shim */
	uint64_t served[BV_OP_NR];	/* calls served by bsdvm */
	uint64_t served_bytes[BV_OP_NR];
	uint64_t passed[BV_OP_NR];	/* calls passed through to Linux */
	uint64_t passed_bytes[BV_OP_NR];
	uint64_t failed[BV_OP_NR];	/* calls that returned an error */
	uint64_t why[BV_WHY_NR];	/* pass-through reasons */
	uint64_t malloc_libc;		/* processes whose malloc is libc's */
};

extern const char *const bv_op_names[BV_OP_NR];

enum bv_outcome { BV_SERVED, BV_PASSED, BV_FAILED };

void bv_count(enum bv_op op, enum bv_outcome how, uint64_t bytes,
	      enum bv_why why) __attribute__((weak));
void bv_count_malloc_libc(void);

#endif /* _BSDVM_SHIMSTAT_H */
