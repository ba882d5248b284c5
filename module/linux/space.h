/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Linux side of a BSD address space: one struct bsdvm_space per
 * mm_struct that mapped /dev/bsdvm, holding the core's vm_space and the
 * machine-dependent struct pmap that turns the core's pmap_* calls into
 * PTEs of the arena VMA.
 *
 * Lifetime and locking (see Documentation/linux.rst):
 *   - A space is created in f_op->mmap and in ->open of a forked child's
 *     arena VMA, and torn down in ->close of its mm's last arena VMA.
 *     munmap(2) runs ->close with mmap_lock only read-held (it downgrades
 *     after detaching the VMA), so holding mmap_lock does not by itself
 *     keep a space alive.  What does: the arena VMA is attached.  Detaching
 *     needs mmap_lock for write, so a user that finds the space and sees
 *     its VMA attached (bsdvm_space_current, under mmap_read_lock and
 *     bsdvm_spaces_lock) may use it until it drops mmap_lock.  A fault
 *     has vmf->vma attached for as long as it holds its lock.
 *   - refs counts the arena (one, until ->close) and the users that keep
 *     the space past a lock drop (a fault whose pager released the fault
 *     lock).  The last bsdvm_space_put() frees it, with no lock needed.
 *     Nothing may touch the space's VMA after ->close.
 *   - Lock order: mmap_lock, then bsdvm_spaces_lock (lookups only), then
 *     the core's locks (vm.h), then i_mmap_rwsem (unmap_mapping_range),
 *     then the pv locks and xarray locks of pmap.c, then page-table locks.
 */
#ifndef _BSDVM_LINUX_SPACE_H
#define _BSDVM_LINUX_SPACE_H

#include <linux/mm_types.h>
#include <linux/refcount.h>
#include <linux/xarray.h>
#include <linux/hashtable.h>

struct vm_space;
struct bsdvm_space;

/*
 * The arena VMA's flags, set at mmap and again in every copy (->open):
 * a raw madvise(2) can clear VM_WIPEONFORK (MADV_KEEPONFORK), and then
 * fork would copy PTEs no pmap knows of into the child.
 *   VM_MIXEDMAP     PTEs of our own pages, normal ones that GUP, RSS and
 *                   futexes see (pmap.c); VM_SPECIAL, so mlock(2), KSM
 *                   and THP leave it alone.  A raw MADV_DONTNEED or
 *                   MADV_COLD/PAGEOUT may zap or age PTEs: the pmap is
 *                   only a cache, and pages not on an LRU are not paged.
 *   VM_DONTEXPAND   mremap(2) cannot grow it
 *   VM_DONTDUMP     core dumps skip it (MADV_DODUMP refuses VM_SPECIAL)
 *   VM_WIPEONFORK   fork copies no PTE: vmspace_fork() decides
 *   VM_SEQ_READ     a zap does not mark_page_accessed() each young page:
 *                   bsdvm's pages are on no LRU, so Linux's recency of
 *                   them means nothing, and it cost COW faults 1/8
 */
#define BSDVM_ARENA_VM_FLAGS \
	(VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP | VM_WIPEONFORK | \
	 VM_SEQ_READ)

/*
 * The machine-dependent half of a space.  ptes records what this pmap has
 * entered: va >> PAGE_SHIFT -> struct pv_entry * (a tracked page) or an
 * xa_value for the shared zero page.  It is the reverse of each page's pv
 * list, which pmap_page_protect() walks to reach every pmap.
 */
struct pmap {
	/* the arena; NULL once it is going away (mmap_lock of mm) */
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	struct address_space *mapping;	/* arena file's, for cross-mm zaps */
	unsigned long start;		/* arena bounds */
	unsigned long end;
	pgoff_t pgoff;			/* arena's file offset, in pages */
	struct xarray ptes;		/* own lock; see above */
	/*
	 * Set by ->open of a fork's child VMA around vmspace_fork(), on the
	 * parent's pmap (both mms write-locked): dup_mmap() flushes the
	 * parent's TLB before it unlocks, so pmap_protect() may write-protect
	 * PTEs in place instead of removing them.
	 */
	bool in_fork;
};

struct bsdvm_space {
	struct hlist_node hash;		/* bsdvm_spaces, by mm (spaces lock) */
	refcount_t refs;		/* the arena + holders; see above */
	u64 id;				/* unique for the module's life */
	struct mm_struct *mm;		/* mmgrab()ed: the key, never mmget */
	/* the core's space; NULL if a fork could not copy it (SIGBUS) */
	struct vm_space *vs;
	struct pmap pmap;
	/* arena VMAs of mm using this space (mmap_lock of mm, for write) */
	int nvmas;
	/*
	 * tgid of the process, for traces and the dump; 0 until a forked
	 * child first uses its space (set under bsdvm_spaces_lock)
	 */
	pid_t pid;
};

/* space.c */
int bsdvm_space_init(void);
void bsdvm_space_exit(void);
int bsdvm_arena_mmap(struct file *file, struct vm_area_struct *vma);
struct bsdvm_space *bsdvm_space_create(struct vm_area_struct *vma);
void bsdvm_space_destroy(struct bsdvm_space *space);
struct bsdvm_space *bsdvm_space_hold(struct bsdvm_space *space);
void bsdvm_space_put(struct bsdvm_space *space);
/*
 * The calling process's space if its arena is attached, else NULL; the
 * caller holds mmap_read_lock(current->mm) until it is done with it.
 */
struct bsdvm_space *bsdvm_space_current(void);
long bsdvm_nr_spaces(void);
/* For the dump (dump.c); see space.c. */
void bsdvm_space_learn_pid(struct bsdvm_space *space);
u64 bsdvm_space_id_of(struct mm_struct *mm, pid_t pid);
struct mm_struct *bsdvm_space_mm_get(u64 id);
struct bsdvm_space *bsdvm_space_find(struct mm_struct *mm, u64 id);
int bsdvm_space_pids(pid_t *pids, int max);

/* dump.c: debugfs bsdvm/spaces/<pid> */
void bsdvm_dump_init(void);
void bsdvm_dump_exit(void);
/* A space came, went or learnt its pid: resync the files (any context). */
void bsdvm_dump_changed(void);

/* ioctl_vm.c: the BSD calls, one handler per ioctl */
long bsdvm_ioc_map(struct file *file, void __user *arg);
long bsdvm_ioc_unmap(struct file *file, void __user *arg);
long bsdvm_ioc_protect(struct file *file, void __user *arg);
long bsdvm_ioc_inherit(struct file *file, void __user *arg);
long bsdvm_ioc_advise(struct file *file, void __user *arg);
long bsdvm_ioc_mincore(struct file *file, void __user *arg);
long bsdvm_ioc_brk(struct file *file, void __user *arg);
long bsdvm_ioc_stats(struct file *file, void __user *arg);
long bsdvm_ioc_msync(struct file *file, void __user *arg);

/* vmops.c */
extern const struct vm_operations_struct bsdvm_vm_ops;

/* pmap.c */
void bsdvm_pmap_init(struct pmap *pmap, struct vm_area_struct *vma);
/* The arena is going away: forget the VMA, drop every pv entry. */
void bsdvm_pmap_release(struct pmap *pmap);
int bsdvm_pmap_global_init(void);
void bsdvm_pmap_global_exit(void);
/* The result of the pmap_enter() a fault made, for ->fault to return. */
struct bsdvm_fault_ctx {
	struct vm_fault *vmf;
	vm_fault_t ret;
	bool mkwrite;		/* from a mkwrite hook: no VM_FAULT_RETRY */
	bool dropped;		/* a pager released the fault lock */
	/* held across that release (vmops.c puts it); NULL if none */
	struct bsdvm_space *held;
	/* a pager asked for the faulting PTE to go (mkwrite, no read) */
	bool unmap;
};

#endif /* _BSDVM_LINUX_SPACE_H */
