/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pmap.h - what the core asks of the host's machine-dependent layer.
 *
 * As in 4.4BSD, the pmap is a cache of the map: the core may call
 * pmap_remove/pmap_protect/pmap_page_protect at any time to take mappings
 * away, and faults put them back.  A pmap never holds a page reference of
 * its own that outlives pmap_page_protect(page, VM_PROT_NONE): after that
 * call returns no CPU can reach the page through any pmap.
 *
 * Hosts: module/linux/pmap.c (PTEs of the arena VMA), selftests/unit
 * (a hashed page table with referenced/modified bits).
 *
 * All calls may sleep.  The core may hold a map lock and object locks
 * across them; the pmap's own locks nest inside.
 */
#ifndef _BSDVM_VM_PMAP_H
#define _BSDVM_VM_PMAP_H

#include "vm.h"

/*
 * Enter page at va with prot (never VM_PROT_NONE).  ctx is the host's fault
 * context from vm_fault(), or NULL outside a fault (MADV_WILLNEED,
 * BSD_MAP_PREFAULT_READ).  KERN_SUCCESS, or KERN_RESOURCE_SHORTAGE (as
 * FreeBSD's).  A host may decline silently to enter a page outside a fault
 * (returning KERN_SUCCESS): the pmap is only a cache.
 */
int pmap_enter(struct pmap *pmap, vm_offset_t va, vm_page_t page,
	       vm_prot_t prot, void *ctx);
/* Remove every mapping in [sva, eva). */
void pmap_remove(struct pmap *pmap, vm_offset_t sva, vm_offset_t eva);
/*
 * Lower the protection of every mapping in [sva, eva) to at most prot.
 * Also called when prot newly grants VM_PROT_EXECUTE: a host whose
 * faults cannot raise a present mapping to executable takes away the
 * mappings without it, and faults put them back.
 */
void pmap_protect(struct pmap *pmap, vm_offset_t sva, vm_offset_t eva,
		  vm_prot_t prot);
/*
 * Lower every mapping of page, in every pmap, to at most prot; with
 * VM_PROT_NONE remove them all (before a page is freed, renamed or copied
 * over).
 */
void pmap_page_protect(vm_page_t page, vm_prot_t prot);
/*
 * mincore for [sva, eva) of this pmap: vec[i] gets the BSD_MINCORE_* bits
 * (INCORE|REFERENCED|MODIFIED) of the mapping of the range's page i, or 0
 * where nothing is mapped here.  One walk of the range, not one per page.
 */
void pmap_mincore_range(struct pmap *pmap, vm_offset_t sva, vm_offset_t eva,
			unsigned char *vec);
/* Referenced/modified state of page over all pmaps (for *_OTHER bits). */
bool pmap_is_referenced(vm_page_t page);
bool pmap_is_modified(vm_page_t page);
/*
 * May a page this pmap maps be pinned for I/O (os_page_pinned)?  False
 * lets fork skip looking (Linux: no FOLL_PIN ever ran on the mm).
 */
bool pmap_has_pinned(struct pmap *pmap);
/* MADV_DONTNEED/MADV_FREE: clear referenced and modified bits in range. */
void pmap_advise(struct pmap *pmap, vm_offset_t sva, vm_offset_t eva,
		 int advice);

#endif /* _BSDVM_VM_PMAP_H */
