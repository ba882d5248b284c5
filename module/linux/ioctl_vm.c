// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl_vm.c - the BSD memory calls as ioctls on /dev/bsdvm: map, unmap,
 * protect, inherit, advise, mincore, brk, stats.
 *
 * Each runs on the calling process's own space, found from current->mm
 * under mmap_read_lock (which keeps the space alive), and answers with the
 * errno the core returns, FreeBSD's for that input.  Nothing is copied to
 * or from user memory while mmap_lock or a core lock is held: a user
 * buffer may itself be in the arena, and faulting on it would take
 * mmap_lock again.
 */
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/bsdvm.h>

#include "vm/vm.h"
#include "internal.h"
#include "space.h"
#include "vnode.h"
#include "trace.h"

/*
 * Lock current->mm for read and find its space.  Returns the space, or
 * an error pointer with nothing locked: -ENXIO when this process has no
 * arena, -ENOMEM when its fork could not copy the parent's space.
 */
static struct bsdvm_space *space_get(void)
{
	struct bsdvm_space *space;

	if (!current->mm)
		return ERR_PTR(-ENXIO);
	if (mmap_read_lock_killable(current->mm))
		return ERR_PTR(-EINTR);
	space = bsdvm_space_current();
	if (space && space->vs)
		return space;
	mmap_read_unlock(current->mm);
	return ERR_PTR(space ? -ENOMEM : -ENXIO);
}

static void space_put(void)
{
	mmap_read_unlock(current->mm);
}

long bsdvm_ioc_map(struct file *file, void __user *arg)
{
	struct bsdvm_map_args a;
	struct vm_mmap_req req = { 0 };
	struct bsdvm_space *space;
	vm_offset_t addr = 0;
	long usize;
	int err;

	usize = bsdvm_copy_struct_from_user(&a, sizeof(a), BSDVM_MAP_SIZE_V1,
					    arg);
	if (usize < 0)
		return usize;
	req.addr = a.addr;
	req.len = a.len;
	req.prot = a.prot;
	req.flags = a.flags;
	req.offset = a.offset;
	req.maxprot_limit = VM_PROT_ALL;
	if (a.fd != -1) {
		bool anon;

		/* FreeBSD: MAP_ANON wants fd -1 */
		if (a.flags & (BSD_MAP_ANON | BSD_MAP_STACK | BSD_MAP_GUARD))
			return -EINVAL;
		if (a.offset > MAX_LFS_FILESIZE ||
		    a.len > MAX_LFS_FILESIZE - a.offset)
			return -EINVAL;
		/* the file's checks and object, before mmap_lock */
		err = bsdvm_vnode_get(a.fd, a.prot, a.flags, &req.object,
				      &req.cred, &req.maxprot_limit, &anon);
		if (err)
			return err;
		if (anon) {
			req.flags |= BSD_MAP_ANON;
			req.offset = 0;
		}
	}

	space = space_get();
	if (IS_ERR(space)) {
		err = -PTR_ERR(space);
	} else {
		err = vm_mmap(space->vs, &req, &addr);
		space_put();
		trace_bsdvm_map(err ? 0 : addr, a.len, a.prot, a.flags, a.fd,
				a.offset, err);
	}
	if (req.cred)
		os_cred_rele(req.cred);	/* the entries hold their own */
	if (err) {
		/* the mapping did not take the object's reference */
		if (req.object)
			bsdvm_vnode_put(req.object);
		return -err;
	}
	a.addr = addr;
	return bsdvm_copy_struct_to_user(arg, usize, &a, sizeof(a));
}

static long bsdvm_ioc_range(void __user *arg, unsigned int cmd)
{
	struct bsdvm_range_args a;
	struct bsdvm_space *space;
	long usize;
	int err;

	usize = bsdvm_copy_struct_from_user(&a, sizeof(a),
					    BSDVM_RANGE_SIZE_V1, arg);
	if (usize < 0)
		return usize;
	if (cmd == BSDVM_IOC_UNMAP && a.arg)
		return -EINVAL;
	space = space_get();
	if (IS_ERR(space))
		return PTR_ERR(space);
	switch (cmd) {
	case BSDVM_IOC_UNMAP:
		err = vm_munmap(space->vs, a.addr, a.len);
		break;
	case BSDVM_IOC_PROTECT:
		err = vm_mprotect(space->vs, a.addr, a.len, a.arg);
		break;
	case BSDVM_IOC_INHERIT:
		err = vm_minherit(space->vs, a.addr, a.len, a.arg);
		break;
	default:
		err = vm_madvise(space->vs, a.addr, a.len, a.arg);
		break;
	}
	space_put();
	switch (cmd) {
	case BSDVM_IOC_UNMAP:
		trace_bsdvm_unmap(a.addr, a.len, a.arg, err);
		break;
	case BSDVM_IOC_PROTECT:
		trace_bsdvm_protect(a.addr, a.len, a.arg, err);
		break;
	case BSDVM_IOC_INHERIT:
		trace_bsdvm_inherit(a.addr, a.len, a.arg, err);
		break;
	default:
		trace_bsdvm_advise(a.addr, a.len, a.arg, err);
		break;
	}
	/* an unmapped file's last mapping: its write-back, with no lock */
	if (cmd == BSDVM_IOC_UNMAP)
		bsdvm_vnode_flush();
	return -err;
}

long bsdvm_ioc_unmap(struct file *file, void __user *arg)
{
	return bsdvm_ioc_range(arg, BSDVM_IOC_UNMAP);
}

long bsdvm_ioc_protect(struct file *file, void __user *arg)
{
	return bsdvm_ioc_range(arg, BSDVM_IOC_PROTECT);
}

long bsdvm_ioc_inherit(struct file *file, void __user *arg)
{
	return bsdvm_ioc_range(arg, BSDVM_IOC_INHERIT);
}

long bsdvm_ioc_advise(struct file *file, void __user *arg)
{
	return bsdvm_ioc_range(arg, BSDVM_IOC_ADVISE);
}

/* Pages of mincore answered per round of locking. */
#define MINCORE_CHUNK	PAGE_SIZE

long bsdvm_ioc_mincore(struct file *file, void __user *arg)
{
	struct bsdvm_mincore_args a;
	struct bsdvm_space *space;
	u8 __user *uvec;
	vm_offset_t start, end;
	unsigned char *vec;
	long usize, err = 0;

	usize = bsdvm_copy_struct_from_user(&a, sizeof(a),
					    BSDVM_MINCORE_SIZE_V1, arg);
	if (usize < 0)
		return usize;
	if (a.flags)
		return -EINVAL;
	start = a.addr & PAGE_MASK;
	if (a.len > TASK_SIZE_MAX || a.addr > TASK_SIZE_MAX - a.len)
		return -ENOMEM;
	end = a.len ? PAGE_ALIGN(a.addr + a.len) : start;
	uvec = u64_to_user_ptr(a.vec);
	vec = kmalloc(MINCORE_CHUNK, GFP_KERNEL_ACCOUNT);
	if (!vec)
		return -ENOMEM;
	/* len 0 still asks whether addr is mapped (FreeBSD): one pass. */
	do {
		vm_size_t n = min_t(vm_size_t, (end - start) >> PAGE_SHIFT,
				    MINCORE_CHUNK);

		space = space_get();
		if (IS_ERR(space)) {
			err = PTR_ERR(space);
			break;
		}
		err = -vm_mincore(space->vs, n ? start : a.addr,
				  n ? n << PAGE_SHIFT : 0, vec);
		space_put();
		if (err)
			break;
		if (copy_to_user(uvec, vec, n)) {
			err = -EFAULT;
			break;
		}
		uvec += n;
		start += n << PAGE_SHIFT;
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
	} while (start < end);
	kfree(vec);
	return err;
}

long bsdvm_ioc_brk(struct file *file, void __user *arg)
{
	struct bsdvm_brk_args a;
	struct bsdvm_space *space;
	vm_offset_t cur = 0;
	long usize;
	int err;

	usize = bsdvm_copy_struct_from_user(&a, sizeof(a), BSDVM_BRK_SIZE_V1,
					    arg);
	if (usize < 0)
		return usize;
	if (a.flags)
		return -EINVAL;
	space = space_get();
	if (IS_ERR(space))
		return PTR_ERR(space);
	err = vm_brk(space->vs, a.addr, rlimit(RLIMIT_DATA), &cur);
	a.base = vmspace_daddr(space->vs);
	space_put();
	if (err)
		return -err;
	a.addr = cur;
	return bsdvm_copy_struct_to_user(arg, usize, &a, sizeof(a));
}

long bsdvm_ioc_stats(struct file *file, void __user *arg)
{
	struct bsdvm_stats a;
	struct bsdvm_space *space;
	struct vm_stats st;
	long usize;

	BUILD_BUG_ON(BSDVM_STATS_SIZE_V1 !=
		     offsetofend(struct bsdvm_stats, meta_bytes));
	usize = bsdvm_copy_struct_from_user(&a, sizeof(a), BSDVM_STATS_SIZE_V1,
					    arg);
	if (usize < 0)
		return usize;
	if (a.flags & ~BSDVM_STATS_GLOBAL)
		return -EINVAL;
	if (a.flags & BSDVM_STATS_GLOBAL) {
		/* files whose last mapper exited are released first */
		if (bsdvm_vnode_flush_all())
			return -EINTR;
		vm_stats_global(&st);
		a.arena_start = 0;
		a.arena_end = 0;
	} else {
		space = space_get();
		if (IS_ERR(space))
			return PTR_ERR(space);
		vmspace_stats(space->vs, &st);
		a.arena_start = space->pmap.start;
		a.arena_end = space->pmap.end;
		space_put();
	}
	a.spaces = st.spaces;
	a.entries = st.entries;
	a.objects = st.objects;
	a.pages = st.pages;
	a.shadow_objects = st.shadow_objects;
	a.faults = st.faults;
	a.faults_read = st.faults_read;
	a.faults_write = st.faults_write;
	a.zero_fills = st.zero_fills;
	a.zero_page_maps = st.zero_page_maps;
	a.cow_copies = st.cow_copies;
	a.cow_renames = st.cow_renames;
	a.shadows_created = st.shadows_created;
	a.collapses = st.collapses;
	a.bypasses = st.bypasses;
	a.pages_freed = st.pages_freed;
	a.forks = st.forks;
	a.max_chain_depth = st.max_chain_depth;
	a.peak_pages = st.peak_pages;
	a.meta_bytes = st.meta_bytes;
	a.pages_lent = st.pages_lent;
	a.lends = st.lends;
	a.lent_copies = st.lent_copies;
	return bsdvm_copy_struct_to_user(arg, usize, &a, sizeof(a));
}

long bsdvm_ioc_msync(struct file *file, void __user *arg)
{
	struct bsdvm_msync_args a;
	struct bsdvm_space *space;
	struct vm_sync *sync;
	long usize;
	int err;

	usize = bsdvm_copy_struct_from_user(&a, sizeof(a),
					    BSDVM_MSYNC_SIZE_V1, arg);
	if (usize < 0)
		return usize;
	space = space_get();
	if (IS_ERR(space))
		return PTR_ERR(space);
	err = vm_msync(space->vs, a.addr, a.len, a.flags, &sync);
	space_put();
	if (err)
		return -err;
	/* the I/O, with no lock held */
	return -vm_sync_run(sync);
}
