/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pmap_user_pte.h - the fake pte, shared by pmap_user.c and the CPU only.
 */
#ifndef _BSDVM_PMAP_USER_PTE_H
#define _BSDVM_PMAP_USER_PTE_H

struct os_pv {				/* one pte */
	struct pmap *pmap;
	vm_offset_t va;
	vm_page_t page;
	vm_prot_t prot;
	bool ref, mod;
	struct os_pv *hnext;		/* hash chain */
	struct os_pv *pv_next, *pv_prev;	/* page's mappings */
	struct os_pv *all_next, *all_prev;	/* pmap's ptes */
};

struct os_pv *pmap_user_pte(struct pmap *pm, vm_offset_t va);

#endif
