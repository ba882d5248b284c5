/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels bsdvm supports (Debian 12's 6.1 and
 * 6.12), in one place.  Code elsewhere uses the new API names; this header
 * provides them on older kernels.
 */
#ifndef _BSDVM_LINUX_COMPAT_H
#define _BSDVM_LINUX_COMPAT_H

#include <linux/version.h>
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

#endif /* _BSDVM_LINUX_COMPAT_H */
