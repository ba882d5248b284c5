// SPDX-License-Identifier: GPL-2.0
/*
 * vmops.c - the arena VMA's vm_operations_struct: faults go to the core's
 * vm_fault(), fork goes to vmspace_fork(), ptrace goes through ->access.
 *
 * Without ->map_pages, ->fault and the mkwrite hooks always run under
 * mmap_read_lock, also on kernels with per-VMA locks (6.7+ retries such
 * faults under mmap_lock: vmf_can_call_fault()).
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>

#include "vm/vm.h"
#include "compat.h"
#include "internal.h"
#include "page.h"
#include "space.h"
#include "trace.h"

/*
 * Core mm can only turn a driver's fault into SEGV_MAPERR or BUS_ADRERR.
 * BSD's SEGV_ACCERR and BUS_OBJERR are queued here with the faulting
 * address, and the access is retried after the handler runs: a handler
 * that fixes the protection sees the access succeed (Appel & Li).  When
 * the signal is blocked or ignored, or the fault is the kernel's own
 * (uaccess: it gets -EFAULT), fall back to core mm's forced signal.
 */
static vm_fault_t bsdvm_fault_signal(struct vm_fault *vmf, int sig, int code)
{
	struct kernel_siginfo info;

	if (!(vmf->flags & FAULT_FLAG_USER) || current->mm != vmf->vma->vm_mm ||
	    sigismember(&current->blocked, sig) ||
	    current->sighand->action[sig - 1].sa.sa_handler == SIG_IGN)
		return sig == SIGBUS ? VM_FAULT_SIGBUS : VM_FAULT_SIGSEGV;
	clear_siginfo(&info);
	info.si_signo = sig;
	info.si_code = code;
	info.si_addr = (void __user *)vmf->real_address;
	if (send_sig_info(sig, &info, current))
		return sig == SIGBUS ? VM_FAULT_SIGBUS : VM_FAULT_SIGSEGV;
	return VM_FAULT_NOPAGE;
}

static vm_fault_t bsdvm_vm_fault_common(struct vm_fault *vmf, bool mkwrite)
{
	struct bsdvm_space *space = vmf->vma->vm_private_data;
	struct bsdvm_fault_ctx fc = {
		.vmf = vmf, .ret = VM_FAULT_NOPAGE, .mkwrite = mkwrite,
	};
	vm_prot_t type = VM_PROT_READ;
	struct vm_fault_info info;
	u64 t0 = 0;
	int rv;

	if (!space || !space->vs)
		return VM_FAULT_SIGBUS;	/* a fork that could not copy it */
	bsdvm_space_learn_pid(space);
	if (vmf->flags & FAULT_FLAG_WRITE)
		type = VM_PROT_WRITE;
	else if (vmf->flags & FAULT_FLAG_INSTRUCTION)
		type = VM_PROT_EXECUTE;

	if (trace_bsdvm_fault_enabled())
		t0 = ktime_get_ns();
	rv = vm_fault(space->vs, vmf->address, type, &fc, &info);
	if (fc.unmap)	/* mkwrite: a read is needed first, by ->fault */
		vm_fault_unmap(space->vs, vmf->address);
	if (trace_bsdvm_fault_enabled() && t0)
		trace_bsdvm_fault(vmf->address, type == VM_PROT_WRITE ? 1 :
				  type == VM_PROT_EXECUTE ? 2 : 0, rv,
				  info.source, info.depth, ktime_get_ns() - t0);
	/*
	 * A pager read with the fault lock released (vnode_pager.c): the
	 * VMA may be gone, so touch nothing; the retried fault finds the
	 * page, or the error the read left.  The space was held across the
	 * core's use of it after the release; this may be its last put.
	 */
	if (fc.dropped) {
		if (fc.held)
			bsdvm_space_put(fc.held);
		return VM_FAULT_RETRY;
	}
	switch (rv) {
	case KERN_SUCCESS:
		return fc.ret;
	case KERN_INVALID_ADDRESS:
		return bsdvm_fault_signal(vmf, SIGSEGV, SEGV_MAPERR);
	case KERN_PROTECTION_FAILURE:
		return bsdvm_fault_signal(vmf, SIGSEGV, SEGV_ACCERR);
	case KERN_OUT_OF_BOUNDS:
	case KERN_FAILURE:
		return bsdvm_fault_signal(vmf, SIGBUS, BUS_OBJERR);
	case KERN_RESOURCE_SHORTAGE:
		return VM_FAULT_OOM;
	case KERN_RETRY:
		/* nothing mapped: fault again (VM_FAULT_RETRY: lock kept) */
		return fc.ret == VM_FAULT_RETRY ? VM_FAULT_RETRY :
						  VM_FAULT_NOPAGE;
	default:
		return VM_FAULT_SIGBUS;
	}
}

/* A fault on an empty PTE. */
static vm_fault_t bsdvm_vm_fault(struct vm_fault *vmf)
{
	return bsdvm_vm_fault_common(vmf, false);
}

/*
 * A write to a present read-only PTE (the zero page, a page of a backing
 * object, a needs-copy entry, a page first read): a BSD write fault, whose
 * pmap_enter() raises the PTE in place or replaces it, and answers
 * VM_FAULT_NOPAGE, so core mm does nothing more.  ->page_mkwrite comes
 * for a normal PTE (an own page), ->pfn_mkwrite for a special one (a lent
 * page).  Both must exist: without them core mm would make a read-only
 * shared PTE writable by itself (wp_page_reuse).
 */
static vm_fault_t bsdvm_vm_mkwrite(struct vm_fault *vmf)
{
	return bsdvm_vm_fault_common(vmf, true);
}

/*
 * A new VMA that is a copy of an arena VMA: fork (another mm; both are
 * write-locked and current is the parent) or mremap's copy (same mm,
 * undone by ->mremap below).  ->open cannot fail: a child whose space
 * cannot be made gets SIGBUS on its arena.
 */
static void bsdvm_vm_open(struct vm_area_struct *vma)
{
	struct bsdvm_space *parent = vma->vm_private_data;
	struct bsdvm_space *child;

	lockdep_assert_held_write(&vma->vm_mm->mmap_lock);
	/* before dup_mmap() looks at VM_WIPEONFORK (both kernels) */
	vm_flags_set(vma, BSDVM_ARENA_VM_FLAGS);
	if (!parent)
		return;
	if (vma->vm_mm == parent->mm) {
		parent->nvmas++;
		return;
	}
	child = bsdvm_space_create(vma);
	vma->vm_private_data = child;
	if (!child)
		return;
	if (!parent->vs)
		return;
	parent->pmap.in_fork = true;
	if (vmspace_fork(parent->vs, &child->pmap, &child->vs))
		child->vs = NULL;
	parent->pmap.in_fork = false;
}

static void bsdvm_vm_close(struct vm_area_struct *vma)
{
	struct bsdvm_space *space = vma->vm_private_data;

	if (!space || --space->nvmas)
		return;
	bsdvm_space_destroy(space);
}

/* The arena is one VMA: no partial munmap, mprotect(2) or mremap. */
static int bsdvm_vm_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static int bsdvm_vm_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

/* Protections inside the arena are BSD's, through the ioctl. */
static int bsdvm_vm_mprotect(struct vm_area_struct *vma, unsigned long start,
			     unsigned long end, unsigned long newflags)
{
	return -EACCES;
}

/*
 * ptrace, /proc/PID/mem and gdb where GUP fails (a lent page's special
 * PTE; a forced write to a page BSD maps read-only), so core mm falls
 * back here, with the target's mmap_lock held for read.  Each page is the
 * one a fault would map, held while we copy through it; a write makes the
 * COW a write fault would.
 */
static int bsdvm_vm_access(struct vm_area_struct *vma, unsigned long addr,
			   void *buf, int len, int write)
{
	struct bsdvm_space *space = vma->vm_private_data;
	int done = 0;

	if (!space || !space->vs)
		return -EIO;
	while (done < len) {
		unsigned long va = addr + done;
		unsigned int off = offset_in_page(va);
		int n = min_t(int, len - done, PAGE_SIZE - off);
		vm_page_t page;
		char *kaddr;
		int rv, tries = 0;

		/*
		 * A file page is read in with mmap_lock held here (no fault
		 * to retry): KERN_RETRY means it is now resident.
		 */
		do {
			rv = vm_fault_hold(space->vs, va & PAGE_MASK,
					   write ? VM_PROT_WRITE : VM_PROT_READ,
					   &page);
			if (rv == KERN_RETRY)
				cond_resched();
		} while (rv == KERN_RETRY && ++tries < 100);
		if (rv)
			break;
		kaddr = kmap_local_page(bsdvm_page(page));
		if (write)
			memcpy(kaddr + off, buf + done, n);
		else
			memcpy(buf + done, kaddr + off, n);
		kunmap_local(kaddr);
		os_page_unhold(page);
		done += n;
	}
	return done ? done : -EIO;
}

const struct vm_operations_struct bsdvm_vm_ops = {
	.open		= bsdvm_vm_open,
	.close		= bsdvm_vm_close,
	.may_split	= bsdvm_vm_may_split,
	.mremap		= bsdvm_vm_mremap,
	.mprotect	= bsdvm_vm_mprotect,
	.fault		= bsdvm_vm_fault,
	.page_mkwrite	= bsdvm_vm_mkwrite,
	.pfn_mkwrite	= bsdvm_vm_mkwrite,
	.access		= bsdvm_vm_access,
};
