// SPDX-License-Identifier: GPL-2.0
/*
 * space.c - one bsdvm_space per mm_struct: the arena mmap, and finding a
 * process's space from its mm.
 *
 * A space is keyed by mm and pins it with mmgrab() (never mmget(), which
 * would keep exit_mmap(), and so ->close and the space's end, from ever
 * running).  ioctls find it from current->mm, never from the file, so a
 * /dev/bsdvm descriptor passed to another process reaches only that
 * process's own space.
 */
#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "vm/vm.h"
#include "compat.h"
#include "internal.h"
#include "space.h"
#include "trace.h"

/*
 * bsdvm_spaces_lock protects the hash table, nr_spaces and each space's
 * pid once it is in the table; taken inside mmap_lock, never with the
 * core's locks held.
 */
static DEFINE_MUTEX(bsdvm_spaces_lock);
static DEFINE_HASHTABLE(bsdvm_spaces, 8);
static long nr_spaces;

static struct bsdvm_space *space_lookup(struct mm_struct *mm)
{
	struct bsdvm_space *space;

	lockdep_assert_held(&bsdvm_spaces_lock);
	hash_for_each_possible(bsdvm_spaces, space, hash, (unsigned long)mm)
		if (space->mm == mm)
			return space;
	return NULL;
}

/*
 * Is space's arena still mapped?  munmap(2) detaches the VMA under the
 * mmap write lock and only then, read-locked, calls ->close: a space seen
 * attached under mmap_read_lock lives until that lock is dropped.  The
 * space is in the table (bsdvm_spaces_lock), so its memory is valid.
 */
static bool space_attached(struct bsdvm_space *space)
{
	struct vm_area_struct *vma;

	lockdep_assert_held(&bsdvm_spaces_lock);
	lockdep_assert_held(&space->mm->mmap_lock);
	vma = vma_lookup(space->mm, space->pmap.start);
	return vma && vma->vm_ops == &bsdvm_vm_ops &&
	       vma->vm_private_data == space;
}

struct bsdvm_space *bsdvm_space_current(void)
{
	struct bsdvm_space *space;

	mutex_lock(&bsdvm_spaces_lock);
	space = space_lookup(current->mm);
	if (space && !space_attached(space))
		space = NULL;	/* being unmapped: its ->close may run now */
	/* a forked child's pid is unknown until it runs (bsdvm_space_create) */
	if (space && !space->pid) {
		space->pid = current->tgid;
		bsdvm_dump_changed();
	}
	mutex_unlock(&bsdvm_spaces_lock);
	return space;
}

/* A forked child's first fault names its space (see bsdvm_space_create). */
void bsdvm_space_learn_pid(struct bsdvm_space *space)
{
	if (likely(READ_ONCE(space->pid)) || current->mm != space->mm)
		return;
	mutex_lock(&bsdvm_spaces_lock);
	if (!space->pid) {
		space->pid = current->tgid;
		bsdvm_dump_changed();
	}
	mutex_unlock(&bsdvm_spaces_lock);
}

/*
 * For the dump (dump.c), which names spaces by pid but must follow one
 * space: a pid is reused, an id never.  mm's space's id if pid is its
 * process, else 0.
 */
u64 bsdvm_space_id_of(struct mm_struct *mm, pid_t pid)
{
	struct bsdvm_space *space;
	u64 id = 0;

	mutex_lock(&bsdvm_spaces_lock);
	space = space_lookup(mm);
	if (space && space->pid == pid)
		id = space->id;
	mutex_unlock(&bsdvm_spaces_lock);
	return id;
}

/*
 * The mm of space id, pinned (mmget_not_zero: an mm being torn down is
 * skipped), or NULL.  The caller takes mmap_read_lock(mm) with no other
 * lock held, finds the space again with bsdvm_space_find(), and mmput()s.
 */
struct mm_struct *bsdvm_space_mm_get(u64 id)
{
	struct bsdvm_space *space;
	struct mm_struct *mm = NULL;
	int bkt;

	mutex_lock(&bsdvm_spaces_lock);
	hash_for_each(bsdvm_spaces, bkt, space, hash) {
		/* space->mm is mmgrab()ed: its memory is valid here */
		if (space->id == id && mmget_not_zero(space->mm)) {
			mm = space->mm;
			break;
		}
	}
	mutex_unlock(&bsdvm_spaces_lock);
	return mm;
}

/*
 * mm's space if it is still space id with its arena attached; the caller
 * holds mmap_read_lock(mm) for as long as it uses it.
 */
struct bsdvm_space *bsdvm_space_find(struct mm_struct *mm, u64 id)
{
	struct bsdvm_space *space;

	mutex_lock(&bsdvm_spaces_lock);
	space = space_lookup(mm);
	if (space && (space->id != id || !space_attached(space)))
		space = NULL;
	mutex_unlock(&bsdvm_spaces_lock);
	return space;
}

/* Up to max pids of spaces (0s skipped); returns how many there are. */
int bsdvm_space_pids(pid_t *pids, int max)
{
	struct bsdvm_space *space;
	int bkt, n = 0;

	mutex_lock(&bsdvm_spaces_lock);
	hash_for_each(bsdvm_spaces, bkt, space, hash) {
		if (!space->pid)
			continue;
		if (n < max)
			pids[n] = space->pid;
		n++;
	}
	mutex_unlock(&bsdvm_spaces_lock);
	return n;
}

long bsdvm_nr_spaces(void)
{
	return READ_ONCE(nr_spaces);
}

/*
 * A space for vma's mm, without its core half (the caller makes vs).
 * vma's mm is write-locked.
 */
struct bsdvm_space *bsdvm_space_create(struct vm_area_struct *vma)
{
	static u64 next_id;	/* bsdvm_spaces_lock */
	struct bsdvm_space *space;

	lockdep_assert_held_write(&vma->vm_mm->mmap_lock);
	space = kzalloc(sizeof(*space), GFP_KERNEL_ACCOUNT);
	if (!space)
		return NULL;
	refcount_set(&space->refs, 1);	/* the arena's */
	space->mm = vma->vm_mm;
	mmgrab(space->mm);
	bsdvm_pmap_init(&space->pmap, vma);
	space->nvmas = 1;
	/*
	 * A forked child (->open runs in the parent) has no pid yet: its
	 * first ioctl or fault sets it (bsdvm_space_current, vmops.c).
	 */
	if (current->mm == vma->vm_mm)
		space->pid = current->tgid;
	mutex_lock(&bsdvm_spaces_lock);
	space->id = ++next_id;
	hash_add(bsdvm_spaces, &space->hash, (unsigned long)space->mm);
	nr_spaces++;
	mutex_unlock(&bsdvm_spaces_lock);
	trace_bsdvm_space_create(space->pid,
				 space->pid ? 0 : current->tgid,
				 vma->vm_start, vma->vm_end);
	bsdvm_dump_changed();
	return space;
}

/* Keep space past a release of the lock that kept it (see space.h). */
struct bsdvm_space *bsdvm_space_hold(struct bsdvm_space *space)
{
	refcount_inc(&space->refs);
	return space;
}

/* No PTE is left and nobody can find the space: free what only it held. */
void bsdvm_space_put(struct bsdvm_space *space)
{
	if (!refcount_dec_and_test(&space->refs))
		return;
	bsdvm_pmap_release(&space->pmap);
	if (space->vs)
		vmspace_free(space->vs);
	mmdrop(space->mm);
	kfree(space);
}

/*
 * The mm's last arena VMA is gone (detached, its PTEs zapped); mm is
 * locked, maybe only for read (munmap).  Lookups stop finding the space;
 * a fault that released its lock may still hold it.
 */
void bsdvm_space_destroy(struct bsdvm_space *space)
{
	lockdep_assert_held(&space->mm->mmap_lock);
	mutex_lock(&bsdvm_spaces_lock);
	hash_del(&space->hash);
	nr_spaces--;
	mutex_unlock(&bsdvm_spaces_lock);
	trace_bsdvm_space_destroy(space->pid);
	bsdvm_dump_changed();
	WRITE_ONCE(space->pmap.vma, NULL);
	bsdvm_space_put(space);
}

/*
 * f_op->mmap: the arena.  One shared mapping at file offset 0 per mm;
 * inside it the core's vm_map is the address space.
 */
int bsdvm_arena_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct bsdvm_space *space;
	bool busy;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;	/* core mm would COW the arena's pages itself */
	if (vma->vm_pgoff || vma->vm_mm != current->mm)
		return -EINVAL;
	mutex_lock(&bsdvm_spaces_lock);
	busy = space_lookup(vma->vm_mm);
	mutex_unlock(&bsdvm_spaces_lock);
	if (busy)
		return -EBUSY;

	space = bsdvm_space_create(vma);
	if (!space)
		return -ENOMEM;
	space->vs = vmspace_alloc(vma->vm_start, vma->vm_end, &space->pmap);
	if (!space->vs) {
		bsdvm_space_destroy(space);
		return -ENOMEM;
	}
	/* nothing inside may be more than the arena: PROT_EXEC, W^X policy */
	vmspace_limit_prot(space->vs,
			   (vma->vm_flags & VM_READ ? VM_PROT_READ : 0) |
			   (vma->vm_flags & VM_WRITE ? VM_PROT_WRITE : 0) |
			   (vma->vm_flags & VM_EXEC ? VM_PROT_EXECUTE : 0));
	vma->vm_ops = &bsdvm_vm_ops;
	vma->vm_private_data = space;
	/*
	 * No VM_EXEC: vm_page_prot, with which every PTE goes in, is then
	 * no-exec, and pmap_enter() raises exec where BSD allows it.  (An
	 * exec fault on a present no-exec PTE never reaches a driver.)
	 */
	vm_flags_mod(vma, BSDVM_ARENA_VM_FLAGS, VM_EXEC);
	return 0;
}
