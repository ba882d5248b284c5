/* SPDX-License-Identifier: GPL-2.0 */
/*
 * testlib.h - helpers for the core's unit tests: simulated processes, byte
 * access through the fake CPU, and per-test leak checks (every test starts
 * with vm_init() and must end with nothing live after vm_fini()).
 */
#ifndef _BSDVM_TESTLIB_H
#define _BSDVM_TESTLIB_H

#include "os.h"
#include "vm.h"
#include "pmap_user.h"
#include "harness.h"

#define T_BASE	0x40000000ull
#define T_PAGES	4096ull
#define T_END	(T_BASE + T_PAGES * OS_PAGE_SIZE)
#define PGA(i)	(T_BASE + (vm_offset_t)(i) * OS_PAGE_SIZE)

struct tproc {
	struct vm_space *vs;
	struct pmap *pmap;
};

struct tproc *tp_new(void);
struct tproc *tp_fork(struct tproc *parent);
void tp_exit(struct tproc *p);
/* mmap anonymous memory; returns the address or 0 (errno in *err) */
vm_offset_t tp_mmap(struct tproc *p, vm_offset_t addr, vm_size_t len,
		    int prot, int flags, int *err);
/* one byte: the signal (0 = ok); the value read via *b */
int tp_rd(struct tproc *p, vm_offset_t va, uint8_t *b);
int tp_wr(struct tproc *p, vm_offset_t va, uint8_t b);
/* read, -1 on a signal */
int tp_get(struct tproc *p, vm_offset_t va);
int tp_code(struct tproc *p, vm_offset_t va, bool write);
int64_t live_objects(void);
int64_t live_pages(void);
int64_t chain_depth(struct tproc *p);	/* vmspace_stats max_chain_depth */

#endif
