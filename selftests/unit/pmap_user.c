// SPDX-License-Identifier: GPL-2.0
/*
 * pmap_user.c - a hashed page table standing in for the MMU.
 *
 * Each pmap hashes va -> pte; each pte is also on its page's pv list so
 * pmap_page_protect reaches every pmap, as a real pmap's reverse map does.
 * Like amd64's pmap, dropping a pte passes its accessed/dirty bits to the
 * page (VM_PG_REFERENCED / VM_PG_DIRTY) so nothing the core relies on is
 * lost when the cache is flushed.
 */
#include <stdlib.h>
#include <string.h>
#include "os.h"
#include "vm.h"
#include "vm_page.h"
#include "pmap_user.h"
#include "pmap_user_pte.h"


struct pmap {
	struct os_pv **hash;
	size_t nbuckets;		/* power of two */
	size_t count;
	struct os_pv *all;
	struct vm_space *vs;
};

static int64_t live_ptes;

static inline size_t hslot(struct pmap *pm, vm_offset_t va)
{
	uint64_t h = (va >> OS_PAGE_SHIFT) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) & (pm->nbuckets - 1);
}

struct pmap *pmap_user_create(void)
{
	struct pmap *pm = calloc(1, sizeof(*pm));

	OS_ASSERT(pm);
	pm->nbuckets = 64;
	pm->hash = calloc(pm->nbuckets, sizeof(*pm->hash));
	OS_ASSERT(pm->hash);
	return pm;
}

void pmap_user_set_space(struct pmap *pm, struct vm_space *vs)
{
	pm->vs = vs;
}

void pmap_user_destroy(struct pmap *pm)
{
	if (!pm)
		return;
	/* The core must have removed every mapping of a freed space. */
	OS_ASSERT(pm->count == 0 && pm->all == NULL);
	free(pm->hash);
	free(pm);
}

struct vm_space *pmap_user_space(struct pmap *pm)
{
	return pm->vs;
}

size_t pmap_user_count(struct pmap *pm)
{
	return pm->count;
}

int64_t pmap_user_live_ptes(void)
{
	return live_ptes;
}

struct os_pv *pmap_user_pte(struct pmap *pm, vm_offset_t va)
{
	struct os_pv *p;

	for (p = pm->hash[hslot(pm, va)]; p; p = p->hnext)
		if (p->va == va)
			return p;
	return NULL;
}

static void grow(struct pmap *pm)
{
	size_t n = pm->nbuckets * 2, i;
	struct os_pv **h = calloc(n, sizeof(*h)), *p;

	OS_ASSERT(h);
	free(pm->hash);
	pm->hash = h;
	pm->nbuckets = n;
	for (p = pm->all; p; p = p->all_next) {
		i = hslot(pm, p->va);
		p->hnext = h[i];
		h[i] = p;
	}
}

/* Unlink and free one pte, passing its A/D bits to the page. */
static void pte_drop(struct os_pv *p)
{
	struct pmap *pm = p->pmap;
	struct os_pv **pp = &pm->hash[hslot(pm, p->va)];
	vm_page_t pg = p->page;

	while (*pp != p)
		pp = &(*pp)->hnext;
	*pp = p->hnext;
	if (p->all_prev)
		p->all_prev->all_next = p->all_next;
	else
		pm->all = p->all_next;
	if (p->all_next)
		p->all_next->all_prev = p->all_prev;
	if (p->pv_prev)
		p->pv_prev->pv_next = p->pv_next;
	else
		pg->pv = p->pv_next;
	if (p->pv_next)
		p->pv_next->pv_prev = p->pv_prev;
	pg->pv_count--;
	pm->count--;
	live_ptes--;
	if (!pg->is_zero) {
		if (p->mod)
			os_page_flags_set(pg, VM_PG_DIRTY);
		if (p->ref)
			os_page_flags_set(pg, VM_PG_REFERENCED);
	}
	free(p);
}

int pmap_enter(struct pmap *pm, vm_offset_t va, vm_page_t page,
	       vm_prot_t prot, void *ctx)
{
	struct os_pv *p;
	size_t i;

	(void)ctx;
	OS_ASSERT(pm && page && page->magic == OS_PAGE_MAGIC);
	OS_ASSERT((va & OS_PAGE_MASK) == 0);
	OS_ASSERT(prot != VM_PROT_NONE && (prot & ~VM_PROT_ALL) == 0);
	/* The shared zero page must never become writable. */
	OS_ASSERT(!(page->is_zero && (prot & VM_PROT_WRITE)));
	/* Nor a page the host's file cache lent (vm_page.h). */
	OS_ASSERT(!((page->flags & VM_PG_LENT) && (prot & VM_PROT_WRITE)));
	p = pmap_user_pte(pm, va);
	if (p && p->page == page) {
		p->prot = prot;
		return KERN_SUCCESS;
	}
	if (p)
		pte_drop(p);
	p = calloc(1, sizeof(*p));
	if (!p)
		return KERN_RESOURCE_SHORTAGE;
	p->pmap = pm;
	p->va = va;
	p->page = page;
	p->prot = prot;
	i = hslot(pm, va);
	p->hnext = pm->hash[i];
	pm->hash[i] = p;
	p->all_next = pm->all;
	if (pm->all)
		pm->all->all_prev = p;
	pm->all = p;
	p->pv_next = page->pv;
	if (page->pv)
		page->pv->pv_prev = p;
	page->pv = p;
	page->pv_count++;
	pm->count++;
	live_ptes++;
	if (pm->count > pm->nbuckets)
		grow(pm);
	return KERN_SUCCESS;
}

/*
 * Apply fn to every pte of pm in [sva, eva): by hash lookups for small
 * ranges, by the pmap's list when the range is larger than the table.
 */
static void range_apply(struct pmap *pm, vm_offset_t sva, vm_offset_t eva,
			void (*fn)(struct os_pv *, vm_prot_t), vm_prot_t arg)
{
	struct os_pv *p, *next;
	vm_offset_t va;

	sva = trunc_page(sva);
	if (eva <= sva)
		return;
	if ((eva - sva) >> OS_PAGE_SHIFT <= pm->count) {
		for (va = sva; va < eva; va += OS_PAGE_SIZE) {
			p = pmap_user_pte(pm, va);
			if (p)
				fn(p, arg);
		}
		return;
	}
	for (p = pm->all; p; p = next) {
		next = p->all_next;
		if (p->va >= sva && p->va < eva)
			fn(p, arg);
	}
}

static void do_remove(struct os_pv *p, vm_prot_t unused)
{
	(void)unused;
	pte_drop(p);
}

static void do_protect(struct os_pv *p, vm_prot_t prot)
{
	if ((p->prot & prot) == 0)
		pte_drop(p);
	else
		p->prot &= prot;
}

void pmap_remove(struct pmap *pm, vm_offset_t sva, vm_offset_t eva)
{
	range_apply(pm, sva, eva, do_remove, 0);
}

void pmap_protect(struct pmap *pm, vm_offset_t sva, vm_offset_t eva,
		  vm_prot_t prot)
{
	range_apply(pm, sva, eva, do_protect, prot);
}

void pmap_page_protect(vm_page_t page, vm_prot_t prot)
{
	struct os_pv *p, *next;

	OS_ASSERT(page && page->magic == OS_PAGE_MAGIC);
	for (p = page->pv; p; p = next) {
		next = p->pv_next;
		do_protect(p, prot);
	}
	if (prot == VM_PROT_NONE)
		OS_ASSERT(page->pv == NULL && page->pv_count == 0);
}

int pmap_mincore(struct pmap *pm, vm_offset_t va)
{
	struct os_pv *p = pmap_user_pte(pm, trunc_page(va));
	int v;

	if (!p)
		return 0;
	v = BSD_MINCORE_INCORE;
	if (p->ref)
		v |= BSD_MINCORE_REFERENCED;
	if (p->mod)
		v |= BSD_MINCORE_MODIFIED;
	return v;
}

void pmap_mincore_range(struct pmap *pm, vm_offset_t sva, vm_offset_t eva,
			unsigned char *vec)
{
	vm_offset_t va;

	for (va = sva; va < eva; va += OS_PAGE_SIZE)
		vec[(va - sva) / OS_PAGE_SIZE] = pmap_mincore(pm, va);
}

bool pmap_is_referenced(vm_page_t page)
{
	struct os_pv *p;

	for (p = page->pv; p; p = p->pv_next)
		if (p->ref)
			return true;
	return false;
}

/* The tests pin pages behind the pmap's back (os_page.pinned): maybe. */
bool pmap_has_pinned(struct pmap *pmap)
{
	(void)pmap;
	return true;
}

bool pmap_is_modified(vm_page_t page)
{
	struct os_pv *p;

	for (p = page->pv; p; p = p->pv_next)
		if (p->mod)
			return true;
	return false;
}

static void do_advise(struct os_pv *p, vm_prot_t advice)
{
	/* DONTNEED keeps the data, so the page must remember it is dirty */
	if (advice == BSD_MADV_DONTNEED && p->mod && !p->page->is_zero)
		os_page_flags_set(p->page, VM_PG_DIRTY);
	p->ref = false;
	p->mod = false;
}

void pmap_advise(struct pmap *pm, vm_offset_t sva, vm_offset_t eva,
		 int advice)
{
	if (advice != BSD_MADV_DONTNEED && advice != BSD_MADV_FREE)
		return;
	range_apply(pm, sva, eva, do_advise, advice);
}

bool pmap_user_touch(struct pmap *pm, vm_offset_t va, bool write)
{
	struct os_pv *p = pmap_user_pte(pm, trunc_page(va));

	if (!p)
		return false;
	p->ref = true;
	if (write)
		p->mod = true;
	return true;
}

bool pmap_user_lookup(struct pmap *pm, vm_offset_t va, vm_page_t *pagep,
		      vm_prot_t *protp)
{
	struct os_pv *p = pmap_user_pte(pm, trunc_page(va));

	if (!p)
		return false;
	if (pagep)
		*pagep = p->page;
	if (protp)
		*protp = p->prot;
	return true;
}

int pmap_user_check(struct pmap *pm)
{
	struct os_pv *p, *q;
	size_t n = 0;

	for (p = pm->all; p; p = p->all_next) {
		n++;
		if (pmap_user_pte(pm, p->va) != p)
			return EINVAL;
		if (p->page->magic != OS_PAGE_MAGIC)
			return EFAULT;	/* mapping of a freed page */
		if (p->page->is_zero && (p->prot & VM_PROT_WRITE))
			return EACCES;
		for (q = p->page->pv; q && q != p; q = q->pv_next)
			;
		if (q != p)
			return EINVAL;
	}
	return n == pm->count ? 0 : EINVAL;
}
