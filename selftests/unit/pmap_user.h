/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pmap_user.h - the fake MMU of the userspace build: a hashed page table per
 * pmap with per-page reverse maps, and a "CPU" that reads and writes bytes
 * through it, faulting into the core exactly as the kernel module would.
 */
#ifndef _BSDVM_PMAP_USER_H
#define _BSDVM_PMAP_USER_H

#include "vm.h"
#include "pmap.h"

struct pmap *pmap_user_create(void);
/* The space faults are sent to (set after vmspace_alloc/vmspace_fork). */
void pmap_user_set_space(struct pmap *pmap, struct vm_space *vs);
struct vm_space *pmap_user_space(struct pmap *pmap);
/* Asserts the core left no mapping behind. */
void pmap_user_destroy(struct pmap *pmap);
size_t pmap_user_count(struct pmap *pmap);
/* Mapping at va: true and its page/prot, or false. */
bool pmap_user_lookup(struct pmap *pmap, vm_offset_t va, vm_page_t *pagep,
		      vm_prot_t *protp);
/* Set the A (and D) bit of the pte at va as an access would; tests only. */
/* One page's pmap_mincore_range(): what the tests compare against. */
int pmap_mincore(struct pmap *pmap, vm_offset_t va);
bool pmap_user_touch(struct pmap *pmap, vm_offset_t va, bool write);
/* Walk every pte for consistency (hash, pv lists, zero page read-only). */
int pmap_user_check(struct pmap *pmap);
/* Live ptes over all pmaps. */
int64_t pmap_user_live_ptes(void);

/* Signal outcome of one access, as the kernel module would deliver it. */
#define CPU_OK		0
#define CPU_SIGSEGV	11
#define CPU_SIGBUS	7
#define CPU_SIGKILL	9	/* out of memory in a fault */
#define CPU_SEGV_MAPERR	1
#define CPU_SEGV_ACCERR	2
#define CPU_BUS_OBJERR	3

struct cpu_result {
	int sig;		/* CPU_OK, CPU_SIGSEGV or CPU_SIGBUS */
	int code;		/* si_code */
	int faults;		/* vm_fault calls made */
	struct vm_fault_info info;	/* of the last successful fault */
};

/*
 * Read (write == false) or write *byte at va in pmap's space, faulting as
 * needed.  Returns the signal (0 on success) and fills *res when non-NULL.
 */
int cpu_access(struct pmap *pmap, vm_offset_t va, bool write, uint8_t *byte,
	       struct cpu_result *res);
/* Map a KERN_* fault result to a signal and si_code. */
int cpu_fault_signal(int kern, int *code);

#endif /* _BSDVM_PMAP_USER_H */
