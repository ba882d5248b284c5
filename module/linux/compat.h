/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels bsdvm supports (Debian 12's 6.1 and
 * 6.12), in one place.  Code elsewhere uses the new API names; this header
 * provides them on older kernels.
 */
#ifndef _BSDVM_LINUX_COMPAT_H
#define _BSDVM_LINUX_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>
#include <linux/mm.h>

/*
 * vm_flags became read-only with wrappers in 6.3 (bc292ab00f6c); before
 * that, it is a plain field.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma,
				  vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}

static inline void vm_flags_mod(struct vm_area_struct *vma,
				vm_flags_t set, vm_flags_t clear)
{
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
}
#endif

/*
 * Per-VMA locks (6.4+): a fault may arrive holding only the VMA lock.  The
 * flag is an enum member there, so test the version, not #ifdef.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
#define FAULT_FLAG_VMA_LOCK	0
#endif

/*
 * Release the lock a fault holds before answering VM_FAULT_RETRY (6.5+,
 * where it may be the VMA lock); before that it is always mmap_lock.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
static inline void release_fault_lock(struct vm_fault *vmf)
{
	mmap_read_unlock(vmf->vma->vm_mm);
}
#endif

/*
 * vfs_iocb_iter_write() takes the superblock's write access itself since
 * 6.7 (kiocb_start_write); before, the caller does (file_start_write).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
static inline void bsdvm_iocb_write_start(struct file *file)
{
	file_start_write(file);
}

static inline void bsdvm_iocb_write_end(struct file *file)
{
	file_end_write(file);
}
#else
static inline void bsdvm_iocb_write_start(struct file *file) { }
static inline void bsdvm_iocb_write_end(struct file *file) { }
#endif

/*
 * May page stay pinned for long (FOLL_LONGTERM's rule: not in CMA or
 * ZONE_MOVABLE)?  folio_is_longterm_pinnable() reads a CMA kernel's
 * pageblock type through get_pfnblock_flags_mask(), which is not
 * exported; there only the zone is checked.  Debian's kernels have no CMA.
 */
static inline bool bsdvm_longterm_pinnable(struct page *page)
{
#ifdef CONFIG_CMA
	return !is_zone_movable_page(page);
#else
	return folio_is_longterm_pinnable(page_folio(page));
#endif
}

/*
 * Remove the PTEs of [addr, addr + size) in one VMA, with the TLB flush,
 * MMU notifiers, rmap and RSS: zap_page_range() is exported until 6.3,
 * zap_page_range_single() from then on.  The caller holds mmap_lock.
 */
static inline void bsdvm_zap_range(struct vm_area_struct *vma,
				   unsigned long addr, unsigned long size)
{
	if (!range_in_vma(vma, addr, addr + size))
		return;
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
	zap_page_range(vma, addr, size);
#else
	zap_page_range_single(vma, addr, size, NULL);
#endif
}

/* pte_mkwrite() takes the VMA from 6.6 on (shadow stacks). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#define bsdvm_pte_mkwrite(pte)	pte_mkwrite(pte)
#else
#define bsdvm_pte_mkwrite(pte)	pte_mkwrite_novma(pte)
#endif

/*
 * PTEs mapping an order-0 page: 6.1's folio_mapcount() is not exported,
 * 6.12 has no page_mapcount().
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
#define bsdvm_page_mapcount(page)	page_mapcount(page)
#else
#define bsdvm_page_mapcount(page)	folio_mapcount(page_folio(page))
#endif

#endif /* _BSDVM_LINUX_COMPAT_H */
