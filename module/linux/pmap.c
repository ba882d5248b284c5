// SPDX-License-Identifier: GPL-2.0
/*
 * pmap.c - the machine-dependent layer: the core's pmap_* calls (pmap.h)
 * as PTEs of the arena VMA.
 *
 * Which kernel call is used where (Documentation/linux.rst has the why):
 *   - The arena is VM_MIXEDMAP.  An own page goes in as a normal PTE with
 *     vm_insert_page(): refcounted, counted in RSS (MM_FILEPAGES), on the
 *     page's file rmap, so get_user_pages() and futexes see it.  A lent
 *     page-cache page goes in as a special PTE with vmf_insert_mixed():
 *     a mapcount would make its file's truncation find it still mapped
 *     (its VMA is not on that file's i_mmap), a kernel "Bad page cache".
 *   - Both calls take the VMA's vm_page_prot, which write-notify keeps
 *     read-only and the arena's lack of VM_EXEC keeps no-exec: write and
 *     exec are then raised in place on the new PTE (pmap_pte_raise), as
 *     wp_page_reuse() does, which needs no TLB flush.  Writes to
 *     read-only PTEs come to ->page_mkwrite or ->pfn_mkwrite (vmops.c).
 *   - This all happens from ->fault and the mkwrite hooks.  Outside a
 *     fault (MADV_WILLNEED) the same calls enter PTEs of current's own
 *     arena, under the mmap_lock the caller holds; for another mm
 *     pmap_enter() declines: the pmap is only a cache of the map.
 *   - PTEs of this mm come out with bsdvm_zap_range() (zap_page_range*,
 *     which flushes the TLB and uncounts RSS before it returns); another
 *     mm's with unmap_mapping_range() on the arena file's mapping, which
 *     needs no lock of that mm.
 *   - A module cannot flush the TLB, so lowering a protection removes
 *     the PTE (bsdvm_zap_range flushes); the next access refaults.  The one
 *     exception is fork: dup_mmap() flushes the parent's TLB itself before
 *     it drops the parent's mmap_lock, so there the parent's PTEs are
 *     write-protected in place (apply_to_existing_page_range), as Linux's
 *     own copy-on-write PTEs are, and the parent keeps them.
 *
 * Each page the core maps carries a pv list (FreeBSD's name), in page->lru
 * of an own page (free for the owner of a page that is not on an LRU) or
 * in the descriptor of a lent one (page.h): one pv_entry per
 * (pmap, va) that maps it, so pmap_page_protect() reaches every pmap.  Each
 * pmap records the same entries in ptes, by va.  The shared zero page is
 * never freed or protected, so it has no pv list: ptes holds an xa_value.
 *
 * The core calls pmap_enter() and pmap_page_protect() for a page only
 * with the lock of the object that holds the page: so a pv entry cannot
 * be unlinked (and its PTE zapped) between its insertion and the insertion
 * of its PTE, which would leave a mapping no pv list knows.
 */
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/pfn_t.h>
#include <linux/sched/coredump.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

#include "vm/vm.h"
#include "vm/pmap.h"
#include "compat.h"
#include "page.h"
#include "space.h"

struct pv_entry {
	struct list_head link;		/* page's pv list (pv_lock) */
	struct pmap *pmap;		/* valid while on the list */
	struct address_space *mapping;	/* for a zap after unlinking, */
	pgoff_t pgoff;			/* when pmap may already be gone */
	unsigned long va;
	/* the PTE allows at most this (fork may have lowered the PTE) */
	unsigned int prot;
};

/*
 * pv_lock protects every pv list, and makes "in pmap->ptes" and "on its
 * page's list" change together, so whoever unlinks an entry owns it.
 * Taken last, after the core's locks and i_mmap_rwsem; held only for list
 * and xarray updates, never across a zap.
 */
static DEFINE_SPINLOCK(pv_lock);
static struct kmem_cache *pv_cache;

static pgoff_t pmap_pgoff(struct pmap *pmap, unsigned long va)
{
	return ((va - pmap->start) >> PAGE_SHIFT) + pmap->pgoff;
}

void bsdvm_pmap_init(struct pmap *pmap, struct vm_area_struct *vma)
{
	pmap->vma = vma;
	pmap->mm = vma->vm_mm;
	pmap->mapping = vma->vm_file->f_mapping;
	pmap->start = vma->vm_start;
	pmap->end = vma->vm_end;
	pmap->pgoff = vma->vm_pgoff;
	pmap->in_fork = false;
	xa_init(&pmap->ptes);
}

/* Remove the records of [sva, eva); true if any was there. */
static bool pmap_forget(struct pmap *pmap, unsigned long sva,
			unsigned long eva, vm_prot_t keep)
{
	struct pv_entry *pv, *n;
	unsigned long idx;
	LIST_HEAD(doomed);
	bool any = false;
	void *e;

	spin_lock(&pv_lock);
	xa_for_each_range(&pmap->ptes, idx, e, sva >> PAGE_SHIFT,
			  (eva >> PAGE_SHIFT) - 1) {
		unsigned int prot = xa_is_value(e) ? xa_to_value(e) :
			((struct pv_entry *)e)->prot;

		if (!(prot & ~keep))
			continue;
		xa_erase(&pmap->ptes, idx);
		any = true;
		if (!xa_is_value(e))
			list_move(&((struct pv_entry *)e)->link, &doomed);
	}
	spin_unlock(&pv_lock);
	list_for_each_entry_safe(pv, n, &doomed, link)
		kmem_cache_free(pv_cache, pv);
	return any;
}

void pmap_remove(struct pmap *pmap, vm_offset_t sva, vm_offset_t eva)
{
	pmap_forget(pmap, sva, eva, VM_PROT_NONE);
	if (pmap->vma)
		bsdvm_zap_range(pmap->vma, sva, eva - sva);
}

static int pmap_wrprotect_fn(pte_t *ptep, unsigned long addr, void *data)
{
	if (pte_present(ptep_get(ptep)))
		ptep_set_wrprotect(data, addr, ptep);
	return 0;
}

/*
 * fork's parent (pmap->in_fork): take write access from the PTEs in
 * place, under their page-table locks.  No fault of this mm can run (its
 * mmap_lock is held for write), and the flush that makes the change
 * visible to other CPUs is dup_mmap()'s, as for Linux's own COW PTEs.
 * The records keep their prot, an upper bound of what the PTE allows
 * (walking them all would double the cost of a fork): the page was
 * writable, so it may be dirty (pmap_is_modified), and a later lowering
 * removes the PTE once more, which is harmless.  With MMU notifiers (a
 * secondary MMU mirroring this mm) removing is kept: they must hear of
 * the change, and bsdvm_zap_range() tells them.
 */
static bool pmap_protect_in_place(struct pmap *pmap, vm_offset_t sva,
				  vm_offset_t eva, vm_prot_t prot)
{
	if (!pmap->in_fork || !pmap->vma || pmap->mm != current->mm ||
	    (prot & VM_PROT_WRITE) || mm_has_notifiers(pmap->mm))
		return false;
	lockdep_assert_held_write(&pmap->mm->mmap_lock);
	apply_to_existing_page_range(pmap->mm, sva, eva - sva,
				     pmap_wrprotect_fn, pmap->mm);
	return true;
}

/* Runs of pages whose PTEs pmap_protect() zaps per round. */
#define PMAP_PROTECT_RUNS	16

struct pmap_run {
	unsigned long start, end;	/* page indexes, end excluded */
};

/*
 * One round of pmap_protect(): from index *idx to last, take out the
 * records above prot, in at most PMAP_PROTECT_RUNS runs of adjacent
 * pages, into runs and doomed.  Under pv_lock, since another space's
 * pmap_page_protect() may unlink and free a record of ours at any time.
 * Returns the number of runs; *idx is where the next round starts, or
 * past last when none is needed.
 */
static int pmap_protect_collect(struct pmap *pmap, unsigned long *idx,
				unsigned long last, vm_prot_t prot,
				struct pmap_run *runs, struct list_head *doomed)
{
	unsigned long i;
	int n = 0;
	void *e;

	spin_lock(&pv_lock);
	xa_for_each_range(&pmap->ptes, i, e, *idx, last) {
		unsigned int p = xa_is_value(e) ? xa_to_value(e) :
			((struct pv_entry *)e)->prot;

		if (!(p & ~prot) && !(prot & ~p & VM_PROT_EXECUTE))
			continue;
		if (n && runs[n - 1].end == i) {
			runs[n - 1].end = i + 1;
		} else {
			if (n == PMAP_PROTECT_RUNS) {
				spin_unlock(&pv_lock);
				*idx = i;
				return n;
			}
			runs[n].start = i;
			runs[n++].end = i + 1;
		}
		xa_erase(&pmap->ptes, i);
		if (!xa_is_value(e))
			list_move(&((struct pv_entry *)e)->link, doomed);
	}
	spin_unlock(&pv_lock);
	*idx = last + 1;
	return n;
}

/*
 * Lowering means removing (but see pmap_protect_in_place): only entries
 * above prot go, in runs, so an mprotect to read-only of a written region
 * zaps each run of writable pages once.  Entries without EXECUTE go too
 * when prot has it: an instruction fetch from a present NX PTE is a
 * SIGSEGV in access_error(), never a ->fault.  The caller holds the map lock,
 * so no pmap_enter() of this pmap runs meanwhile.
 */
void pmap_protect(struct pmap *pmap, vm_offset_t sva, vm_offset_t eva,
		  vm_prot_t prot)
{
	struct pmap_run runs[PMAP_PROTECT_RUNS];
	unsigned long idx = sva >> PAGE_SHIFT, last = (eva >> PAGE_SHIFT) - 1;
	struct vm_area_struct *vma;
	struct pv_entry *pv, *tmp;
	int n, i;

	if (prot == VM_PROT_NONE) {
		pmap_remove(pmap, sva, eva);
		return;
	}
	if (pmap_protect_in_place(pmap, sva, eva, prot))
		return;
	while (idx <= last) {
		LIST_HEAD(doomed);

		n = pmap_protect_collect(pmap, &idx, last, prot, runs,
					 &doomed);
		list_for_each_entry_safe(pv, tmp, &doomed, link)
			kmem_cache_free(pv_cache, pv);
		vma = READ_ONCE(pmap->vma);
		for (i = 0; vma && i < n; i++)
			bsdvm_zap_range(vma, runs[i].start << PAGE_SHIFT,
					(runs[i].end - runs[i].start) <<
					PAGE_SHIFT);
	}
}

/*
 * Outside a fault (MADV_WILLNEED, MAP_PREFAULT_READ, a ptrace hold) a PTE
 * goes in only for current's own arena, whose mmap_lock the ioctl or
 * access_remote_vm() holds: the same lock a fault holds, so the VMA and
 * its page tables are as stable as in ->fault.  A va this pmap already
 * maps is left as it is: prefaulting never downgrades a PTE.
 */
static struct vm_area_struct *pmap_nofault_vma(struct pmap *pmap,
					       unsigned long idx)
{
	if (!pmap->vma || pmap->mm != current->mm)
		return NULL;
	/* not mmap_assert_locked(): DEBUG_VM makes it call dump_mm, unexported */
	lockdep_assert_held(&pmap->mm->mmap_lock);
	return xa_load(&pmap->ptes, idx) ? NULL : pmap->vma;
}

struct pmap_raise {
	struct mm_struct *mm;
	unsigned long pfn;
	vm_prot_t prot;
	bool done;
};

static int pmap_raise_fn(pte_t *ptep, unsigned long addr, void *data)
{
	struct pmap_raise *r = data;
	pte_t pte = ptep_get(ptep);

	if (!pte_present(pte) || pte_pfn(pte) != r->pfn)
		return 0;
	/* taking write away needs a TLB flush: a zap's job, not ours */
	if (pte_write(pte) && !(r->prot & VM_PROT_WRITE))
		return 0;
	r->done = true;
	/* nothing to raise: leave a writable PTE's dirty bit to the CPU */
	if ((pte_write(pte) || !(r->prot & VM_PROT_WRITE)) &&
	    (pte_exec(pte) || !(r->prot & VM_PROT_EXECUTE)))
		return 0;
	if (r->prot & VM_PROT_WRITE)
		pte = bsdvm_pte_mkwrite(pte);
	if (r->prot & VM_PROT_EXECUTE)
		pte = pte_mkexec(pte);
	/*
	 * Under the PTE lock.  The PTE is read-only (the CPU may set only
	 * its accessed bit meanwhile) but for an exec raise of a writable
	 * one, whose dirty bit could be lost: pmap_is_modified() does not
	 * rely on it.
	 */
	set_pte_at(r->mm, addr, ptep, pte_mkyoung(pte));
	return 0;
}

/*
 * Give the present PTE of page at va the write and exec bits prot has:
 * an upgrade, which no other CPU's TLB can have cached wrongly, so no
 * flush.  False if va has no PTE of page (a raw MADV_DONTNEED zaps too).
 */
static bool pmap_pte_raise(struct vm_area_struct *vma, unsigned long va,
			   vm_page_t page, vm_prot_t prot)
{
	struct pmap_raise r = {
		.mm = vma->vm_mm, .pfn = page_to_pfn(bsdvm_page(page)),
		.prot = prot,
	};

	apply_to_existing_page_range(vma->vm_mm, va, PAGE_SIZE, pmap_raise_fn,
				     &r);
	return r.done;
}

/*
 * va has a record and a PTE of this very page (the parent after fork, a
 * page first read, a raised protection): raise both in place.  A write
 * fault on a read-only PTE ends here when no copy is needed.
 */
static bool pmap_upgrade_in_place(struct pmap *pmap,
				  struct vm_area_struct *vma, vm_offset_t va,
				  vm_page_t page, vm_prot_t prot)
{
	unsigned long idx = va >> PAGE_SHIFT;
	bool found;
	void *e;

	if (page == os_zero_page())
		return false;
	spin_lock(&pv_lock);
	e = xa_load(&pmap->ptes, idx);
	found = e && !xa_is_value(e);
	spin_unlock(&pv_lock);
	/* the object lock we hold keeps the record until we are done */
	if (!found || !pmap_pte_raise(vma, va, page, prot))
		return false;
	spin_lock(&pv_lock);
	e = xa_load(&pmap->ptes, idx);
	if (!WARN_ON_ONCE(!e || xa_is_value(e)))
		((struct pv_entry *)e)->prot |= prot;
	spin_unlock(&pv_lock);
	return true;
}

/*
 * The PTE for page at va, which has none: normal for an own page, special
 * for a lent one (see the top of this file), raised to prot.  Returns
 * what ->fault answers: VM_FAULT_NOPAGE, or an error.
 */
static vm_fault_t pmap_insert(struct vm_area_struct *vma, unsigned long va,
			      vm_page_t page, vm_prot_t prot)
{
	struct page *p = bsdvm_page(page);
	vm_fault_t ret;
	int err;

	if (bsdvm_page_is_lent(page)) {
		ret = vmf_insert_mixed(vma, va, page_to_pfn_t(p));
		if (ret != VM_FAULT_NOPAGE)
			return ret;
	} else {
		err = vm_insert_page(vma, va, p);
		/* -EBUSY: a PTE is there already; the next fault sorts it */
		if (err == -EBUSY)
			return VM_FAULT_NOPAGE;
		if (err)
			return vmf_error(err);
	}
	/* if this fails (a raw MADV_DONTNEED raced), the access refaults */
	if (prot & (VM_PROT_WRITE | VM_PROT_EXECUTE))
		pmap_pte_raise(vma, va, page, prot);
	return VM_FAULT_NOPAGE;
}

int pmap_enter(struct pmap *pmap, vm_offset_t va, vm_page_t page,
	       vm_prot_t prot, void *ctx)
{
	struct bsdvm_fault_ctx *fc = ctx;
	unsigned long idx = va >> PAGE_SHIFT;
	struct vm_area_struct *vma;
	struct pv_entry *pv = NULL;
	void *old, *rec;
	vm_fault_t ret;

	if (!pmap->vma)
		return KERN_SUCCESS;
	vma = fc ? fc->vmf->vma : pmap_nofault_vma(pmap, idx);
	if (!vma)
		return KERN_SUCCESS;	/* the pmap is only a cache */
	/* A PTE granting nothing still maps the frame: never make one */
	if (WARN_ON_ONCE(prot == VM_PROT_NONE)) {
		if (fc)
			fc->ret = VM_FAULT_SIGSEGV;
		return KERN_SUCCESS;
	}
	/* the zero page and lent pages are never written through a PTE */
	if ((page == os_zero_page() || bsdvm_page_is_lent(page)) &&
	    WARN_ON_ONCE(prot & VM_PROT_WRITE))
		prot &= ~VM_PROT_WRITE;
	/*
	 * Only a write to a present read-only PTE can find its own page
	 * there (->fault comes for an empty PTE, a prefault skips a mapped
	 * va): a first touch skips the global pv_lock round trip.
	 */
	if (fc && fc->mkwrite &&
	    pmap_upgrade_in_place(pmap, vma, va, page, prot))
		return KERN_SUCCESS;
	if (page != os_zero_page()) {
		pv = kmem_cache_alloc(pv_cache, GFP_KERNEL_ACCOUNT);
		if (!pv)
			return KERN_RESOURCE_SHORTAGE;
		pv->pmap = pmap;
		pv->mapping = pmap->mapping;
		pv->pgoff = pmap_pgoff(pmap, va);
		pv->va = va;
		pv->prot = prot;
	}
	rec = pv ? (void *)pv : xa_mk_value(prot);
	/* Allocate the slot now: pv_lock is a spinlock. */
	if (xa_reserve(&pmap->ptes, idx, GFP_KERNEL_ACCOUNT)) {
		if (pv)
			kmem_cache_free(pv_cache, pv);
		return KERN_RESOURCE_SHORTAGE;
	}
	spin_lock(&pv_lock);
	old = xa_store(&pmap->ptes, idx, rec, GFP_NOWAIT);
	if (xa_is_err(old)) {
		spin_unlock(&pv_lock);
		if (pv)
			kmem_cache_free(pv_cache, pv);
		return KERN_RESOURCE_SHORTAGE;
	}
	if (old && !xa_is_value(old))
		list_del(&((struct pv_entry *)old)->link);
	if (pv)
		list_add(&pv->link, bsdvm_page_pv(page));
	spin_unlock(&pv_lock);
	if (old && !xa_is_value(old))
		kmem_cache_free(pv_cache, old);

	/*
	 * The insert fills only an empty PTE: a COW replaces what this pmap
	 * had at va, so take that out first.
	 */
	if (old)
		bsdvm_zap_range(vma, va, PAGE_SIZE);
	ret = pmap_insert(vma, va, page, prot);
	if (fc)
		fc->ret = ret;
	if (ret & VM_FAULT_ERROR) {
		pmap_forget(pmap, va, va + PAGE_SIZE, VM_PROT_NONE);
		return ret & VM_FAULT_OOM ? KERN_RESOURCE_SHORTAGE :
					    KERN_SUCCESS;
	}
	return KERN_SUCCESS;
}

void pmap_page_protect(vm_page_t page, vm_prot_t prot)
{
	struct pv_entry *pv, *n;
	LIST_HEAD(doomed);

	if (page == os_zero_page())
		return;
	spin_lock(&pv_lock);
	list_for_each_entry_safe(pv, n, bsdvm_page_pv(page), link) {
		/* kept only if it grants no more than prot; NONE takes all */
		if (prot != VM_PROT_NONE && !(pv->prot & ~prot))
			continue;
		xa_erase(&pv->pmap->ptes, pv->va >> PAGE_SHIFT);
		list_move(&pv->link, &doomed);
	}
	spin_unlock(&pv_lock);
	/*
	 * The pmap may be another mm's, whose page tables only
	 * i_mmap_rwsem keeps still: zap by file offset.  Every mm that maps
	 * this arena file at that offset loses its PTE there; an extra
	 * refault is the price of reaching them without their mmap_lock.
	 */
	list_for_each_entry_safe(pv, n, &doomed, link) {
		unmap_mapping_range(pv->mapping, (loff_t)pv->pgoff << PAGE_SHIFT,
				    PAGE_SIZE, 1);
		kmem_cache_free(pv_cache, pv);
	}
}

static int pmap_pte_mincore(pte_t pte)
{
	int bits;

	if (!pte_present(pte))
		return 0;
	bits = BSD_MINCORE_INCORE;
	if (pte_young(pte))
		bits |= BSD_MINCORE_REFERENCED;
	if (pte_dirty(pte))
		bits |= BSD_MINCORE_MODIFIED;
	return bits;
}

struct pmap_mincore_walk {
	unsigned long sva;
	unsigned char *vec;
};

static int pmap_mincore_fn(pte_t *ptep, unsigned long addr, void *data)
{
	struct pmap_mincore_walk *w = data;

	w->vec[(addr - w->sva) >> PAGE_SHIFT] = pmap_pte_mincore(ptep_get(ptep));
	return 0;
}

/*
 * The accessed and dirty bits are the hardware's: read them from the PTEs,
 * in one walk (pages without a page table stay 0).  Every present PTE is
 * one this pmap entered; a removal in flight (record gone, PTE not yet)
 * may still show, the same race any mincore has with an unmap.
 */
void pmap_mincore_range(struct pmap *pmap, vm_offset_t sva, vm_offset_t eva,
			unsigned char *vec)
{
	struct pmap_mincore_walk w = { .sva = sva, .vec = vec };

	memset(vec, 0, (eva - sva) >> PAGE_SHIFT);
	if (!pmap->vma)
		return;
	apply_to_existing_page_range(pmap->mm, sva, eva - sva, pmap_mincore_fn,
				     &w);
}

/* Over all pmaps, from the pv records (other mms' PTEs are not ours). */
bool pmap_is_referenced(vm_page_t page)
{
	bool ret;

	if (page == os_zero_page())
		return false;
	spin_lock(&pv_lock);
	ret = !list_empty(bsdvm_page_pv(page));
	spin_unlock(&pv_lock);
	return ret;
}

/* Linux sets MMF_HAS_PINNED at an mm's first FOLL_PIN and never clears it. */
bool pmap_has_pinned(struct pmap *pmap)
{
	return test_bit(MMF_HAS_PINNED, &pmap->mm->flags);
}

bool pmap_is_modified(vm_page_t page)
{
	struct pv_entry *pv;
	bool ret = false;

	if (page == os_zero_page())
		return false;
	spin_lock(&pv_lock);
	list_for_each_entry(pv, bsdvm_page_pv(page), link) {
		if (pv->prot & VM_PROT_WRITE) {
			ret = true;
			break;
		}
	}
	spin_unlock(&pv_lock);
	return ret;
}

/* What x86's unexported ptep_test_and_clear_young() does: atomic. */
static int pmap_age_fn(pte_t *ptep, unsigned long addr, void *data)
{
#ifdef CONFIG_X86
	pte_t pte = ptep_get(ptep);

	if (pte_present(pte) && pte_young(pte))
		clear_bit(_PAGE_BIT_ACCESSED, (unsigned long *)&ptep->pte);
#endif
	return 0;
}

/*
 * MADV_DONTNEED/FREE age the range: clear the accessed bits (no flush is
 * needed for that, as ptep_clear_flush_young() on x86 also skips it).  The
 * dirty bits stay: cleaning a live PTE needs a TLB flush no module can do.
 */
void pmap_advise(struct pmap *pmap, vm_offset_t sva, vm_offset_t eva,
		 int advice)
{
	if (!pmap->vma || pmap->mm != current->mm)
		return;
	apply_to_existing_page_range(pmap->mm, sva, eva - sva, pmap_age_fn,
				     NULL);
}

void bsdvm_pmap_release(struct pmap *pmap)
{
	pmap->vma = NULL;
	pmap_forget(pmap, pmap->start, pmap->end, VM_PROT_NONE);
	xa_destroy(&pmap->ptes);
}

int bsdvm_pmap_global_init(void)
{
	pv_cache = KMEM_CACHE(pv_entry, 0);
	return pv_cache ? 0 : -ENOMEM;
}

void bsdvm_pmap_global_exit(void)
{
	kmem_cache_destroy(pv_cache);
}
