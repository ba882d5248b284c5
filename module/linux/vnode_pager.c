// SPDX-License-Identifier: GPL-2.0
/*
 * vnode_pager.c - file-backed objects: the core's pager (vm_pager.h) over
 * struct file, and the checks do_mmap makes before a file is mapped.
 *
 * One vm_object per inode, found in vnode_table by every process that maps
 * the file.  The table holds a reference of its own; when the last mapping
 * goes (the core's lastref hook) a work item writes the dirty pages back
 * and only then drops it, so write-back at munmap and exit never runs
 * under mmap_lock (exit's ->close holds it for write).
 *
 * A page the page cache has (uptodate, inside i_size) is lent to the
 * object (page.h): the arena maps the page cache's own page, read-only,
 * so every bsdvm process and every native mapping and read(2) share it.
 * A write fault replaces the loan with a copy (the core's
 * vm_fault_unlend), and copies are what write-back writes, with
 * vfs_iocb_iter_write + vfs_fsync_range: a store never lands in a
 * page-cache page behind the file system's back.  Pages the page cache
 * does not keep after a read (9p without cache, fallocated tmpfs) stay
 * copies filled with vfs_iocb_iter_read.  All I/O runs with no core lock
 * and no mmap_lock held: a fault that needs a read takes a file
 * reference, releases the fault lock, reads and answers VM_FAULT_RETRY
 * (filemap_fault's protocol); the page stays in the object for the
 * retried fault.  Lending needs no I/O, so the fault lends with every
 * lock held (vnode_lendpages) and reads only what the cache lacks.
 *
 * Each mapping reads, and a shared-writable one writes back, through the
 * file it was mapped with (struct vnode_cred, the core's entry->cred).
 *
 * Coherence with the file: an fsnotify mark per inode sees FS_MODIFY
 * (write(2), truncate) from anyone else and makes the object follow the
 * new size (SIGBUS past it, no stale page) and drops its clean pages, so
 * the next access reads what write(2) put there.
 *
 * Lock order: vnode_lock (table) -> vnode.lock -> the core's object locks;
 * vnode.wb_lock -> the filesystem's (i_rwsem) for write-back.  i_rwsem
 * (truncate) -> vnode.lock in the fsnotify handler.  vnode.cred_lock is a
 * leaf, taken under the map lock when an entry lets its file go.
 */
#include <linux/bvec.h>
#include <linux/fs.h>
#include <linux/fsnotify_backend.h>
#include <linux/hashtable.h>
#include <linux/highmem.h>
#include <linux/major.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/workqueue.h>
#include <uapi/linux/magic.h>
#include <linux/bsdvm.h>

#include "vm/vm.h"
#include "vm/vm_pager.h"
#include "vm/pmap.h"
#include "compat.h"
#include "internal.h"
#include "page.h"
#include "space.h"
#include "vnode.h"

struct bsdvm_vnode {
	struct hlist_node hash;		/* vnode_table (vnode_lock) */
	/*
	 * The key: the owner of the page cache (file->f_mapping->host), so
	 * that every node of a block device finds the device's one object;
	 * for a regular file, its inode.  Pinned by file.
	 */
	struct inode *inode;
	/*
	 * An inode of bsdvm's file system that names the object's own pages
	 * (bsdvm_page_name): a shared futex in one is keyed on it and the
	 * file index, whichever page is there.  Freed with vn, after every
	 * page of the object has been.
	 */
	struct inode *key_inode;
	/*
	 * The first mapper's: names the page cache and pins the inode.  No
	 * I/O goes through it: each mapping reads through its own file and
	 * writes back through a writer's (struct vnode_cred).
	 */
	struct file *file;
	/*
	 * cred_lock, a leaf spinlock, protects writers, the vnode_creds of
	 * the shared-writable mappings alive, oldest first; wfile, the file
	 * of the last writer to go, which writes back what it left until the
	 * object dies; and dead, set when it has.
	 */
	spinlock_t cred_lock;
	struct list_head writers;
	struct file *wfile;
	bool dead;
	bool map_writable;		/* holds one mapping_map_writable() */
	struct mutex lock;		/* obj (cleared at death) */
	struct vm_object *obj;
	struct mutex wb_lock;		/* one write-back at a time */
	struct task_struct *wb_task;	/* its task: not an outside FS_MODIFY */
	/* the last read that failed after the fault lock was dropped */
	struct task_struct *fail_task;
	pgoff_t fail_index;
	struct work_struct reap;
	/* on vnode_reaping while reap is due (vnode_reap_lock) */
	struct list_head reaping;
	struct task_struct *reap_task;	/* whose last unmap queued it */
	u64 reap_seq;			/* when (vnode_reap_seq) */
	/*
	 * FS_MODIFY of the first mapper's file_inode(): write(2) reports it
	 * on the inode it was given (a block device's node, not the device's
	 * inode).  Its free drops one of refs.
	 */
	struct fsnotify_mark mark;
	/* the mark's, and a reap's past the object's end (vnode_reap) */
	refcount_t refs;
};

/*
 * One mapping's rights (vm_map_entry.cred, os.h): the file it was mapped
 * through, which reads its faults' pages, and for a shared-writable
 * mapping also writes back (vnode_putpages), so that each user's own
 * credentials reach NFS, FUSE and quotas, as Linux's vma->vm_file does.
 * Referenced by each entry of the mapping and by a read in flight.
 */
struct vnode_cred {
	refcount_t refs;
	struct file *file;
	struct bsdvm_vnode *vn;		/* holds one vn->refs */
	struct list_head writer;	/* on vn->writers (vn->cred_lock) */
};

static DEFINE_MUTEX(vnode_lock);
/*
 * vnode_reap_lock protects vnode_reaping, vnode_reap_seq and each vnode's
 * reap fields: the write-backs due, so that a caller waits for its own
 * (bsdvm_vnode_flush) and not for another user's stuck file system.  A
 * leaf spinlock.
 */
static DEFINE_SPINLOCK(vnode_reap_lock);
static LIST_HEAD(vnode_reaping);
static u64 vnode_reap_seq;
static DECLARE_WAIT_QUEUE_HEAD(vnode_reap_wq);
static DEFINE_HASHTABLE(vnode_table, 7);
static struct workqueue_struct *vnode_wq;
static struct fsnotify_group *vnode_group;
static atomic_t vnode_count = ATOMIC_INIT(0);

/*
 * Pages of file's data: its page cache's owner's size, which for a block
 * device is the device's (the device node's own i_size is 0).
 */
static vm_pindex_t vnode_npages(struct file *file)
{
	return DIV_ROUND_UP_ULL(i_size_read(file->f_mapping->host),
				PAGE_SIZE);
}

/* A kiocb that ignores the descriptor's O_APPEND, O_DIRECT and O_*SYNC. */
static void vnode_kiocb(struct kiocb *kiocb, struct file *file, loff_t pos)
{
	init_sync_kiocb(kiocb, file);
	kiocb->ki_flags &= ~(IOCB_APPEND | IOCB_DIRECT | IOCB_DSYNC |
			     IOCB_SYNC | IOCB_NOWAIT);
	kiocb->ki_pos = pos;
}

/*
 * tmpfs and hugetlbfs read with ->read_iter, which takes no i_rwsem on
 * either: shmem's reads a hole as zeros without allocating (a full tmpfs
 * stays readable) and brings swapped pages back; hugetlbfs's page cache
 * is indexed in huge pages.
 */
static bool vnode_reads_by_iter(struct inode *host)
{
	return host->i_sb->s_magic == TMPFS_MAGIC ||
	       host->i_sb->s_magic == HUGETLBFS_MAGIC;
}

/*
 * Read pages[0..count) from pos with ->read_iter (vnode_reads_by_iter).
 * Returns the number of leading pages filled (zeros past the end of the
 * file in the last one), or -errno.
 */
static int vnode_read(struct file *file, vm_page_t *pages, int count,
		      loff_t pos)
{
	struct bio_vec bv[VM_PAGER_CLUSTER_MAX];
	size_t want = (size_t)count << PAGE_SHIFT, done = 0;
	struct iov_iter iter;
	struct kiocb kiocb;
	ssize_t ret;
	int i, n;

	for (i = 0; i < count; i++) {
		bv[i].bv_page = bsdvm_page(pages[i]);
		bv[i].bv_len = PAGE_SIZE;
		bv[i].bv_offset = 0;
	}
	/*
	 * What XFS's and NFS's ->read_iter take: should any other file
	 * system's read come here, lockdep proves that no caller holds
	 * mmap_lock or another file's i_rwsem (i_rwsem ranks above both).
	 */
	if (!vnode_reads_by_iter(file->f_mapping->host))
		might_lock_read(&file_inode(file)->i_rwsem);
	iov_iter_bvec(&iter, ITER_DEST, bv, count, want);
	while (done < want) {
		vnode_kiocb(&kiocb, file, pos + done);
		ret = vfs_iocb_iter_read(file, &kiocb, &iter);
		if (ret < 0)
			return ret;
		if (ret == 0)
			break;
		done += ret;
	}
	n = DIV_ROUND_UP(done, PAGE_SIZE);
	if (done & ~PAGE_MASK)
		zero_user_segment(bsdvm_page(pages[n - 1]), done & ~PAGE_MASK,
				  PAGE_SIZE);
	return n;
}

/*
 * Files whose page cache can be lent by 4 KiB index: not DAX (no page
 * cache), not hugetlbfs (before 6.7 its page cache is indexed in huge
 * pages, and its pages are not the file's in 4 KiB pieces anyway).
 */
static bool vnode_may_lend(struct file *file)
{
	struct inode *host = file->f_mapping->host;

	/* is_file_hugepages() needs symbols modules do not get */
	return !IS_DAX(host) && host->i_sb->s_magic != HUGETLBFS_MAGIC;
}

/*
 * Lend the page cache's page for index instead of placeholder *pagep:
 * only an uptodate page inside i_size, whose data is the file's as read(2)
 * would return it (DAX mappings have no such page).  True if lent.
 */
static bool vnode_lend_folio(struct folio *folio, pgoff_t index,
			     vm_page_t *pagep)
{
	struct page *page = folio_file_page(folio, index);
	vm_page_t m = NULL;

	/*
	 * A loan is a pin that lasts as long as the mapping: not in CMA or
	 * ZONE_MOVABLE memory (FOLL_LONGTERM's rule), and never a poisoned
	 * page (a large folio we hold cannot be split to isolate one).
	 */
	if (folio_test_uptodate(folio) && !folio_test_hwpoison(folio) &&
	    !PageHWPoison(page) && bsdvm_longterm_pinnable(page))
		m = bsdvm_page_lend(page, VM_PG_LENT);
	if (!m)
		return false;
	*pagep = m;
	return true;
}

static bool vnode_lend(struct file *file, pgoff_t index, vm_page_t *pagep)
{
	struct folio *folio;
	bool lent;

	if (index >= vnode_npages(file))
		return false;
	folio = filemap_get_folio(file->f_mapping, index);
	if (IS_ERR_OR_NULL(folio))	/* NULL on 6.1, -ENOENT on 6.12 */
		return false;
	lent = vnode_lend_folio(folio, index, pagep);
	folio_put(folio);
	return lent;
}

/*
 * The pager's lendpages (vm_pager.h): the leading run of pages the page
 * cache holds, with obj and the fault's locks held.  A lookup takes no
 * sleeping lock and reads nothing, so this is safe under them.
 */
static int vnode_lendpages(struct vm_object *obj, vm_pindex_t pindex,
			   vm_page_t *pages, int count, int reqidx)
{
	struct bsdvm_vnode *vn = obj->handle;
	struct file *file = vn->file;
	int i, n;

	if (!vnode_may_lend(file))
		return 0;
	for (n = 0; n < count; n++)
		if (!vnode_lend(file, pindex + n, &pages[n]))
			break;
	if (n > reqidx)
		return n;
	for (i = 0; i < n; i++)
		os_page_free(pages[i]);
	return 0;
}

/*
 * The page cache's folio for index, read in if it is not there: by
 * ->read_folio under invalidate_lock, as filemap_fault does.  Never
 * ->read_iter, which takes i_rwsem on XFS and NFS: a fault may hold
 * mmap_lock, or another file's i_rwsem (write(2) from an arena buffer),
 * and i_rwsem ranks above both (Documentation/vnode.rst).  Referenced,
 * or an ERR_PTR.
 */
static struct folio *vnode_cache_folio(struct file *file, pgoff_t index)
{
	struct address_space *mapping = file->f_mapping;
	struct folio *folio;

	filemap_invalidate_lock_shared(mapping);
	folio = read_mapping_folio(mapping, index, file);
	filemap_invalidate_unlock_shared(mapping);
	return folio;
}

/*
 * Page in pages[0..count) from pindex through the page cache: each page
 * lent (vnode_lend_folio) or, for page skip (a write fault's, which a
 * loan would only see copied again) and files that cannot lend, copied.
 * Returns the number of leading pages filled, or -errno when the read of
 * one up to reqidx failed.
 */
static int vnode_pagein(struct file *file, vm_pindex_t pindex,
			vm_page_t *pages, int count, int reqidx, int skip)
{
	struct address_space *mapping = file->f_mapping;
	loff_t isize = i_size_read(mapping->host);
	vm_pindex_t end = DIV_ROUND_UP_ULL(isize, PAGE_SIZE);
	bool lend = vnode_may_lend(file);
	struct page *page;
	struct folio *folio;
	int i, n;

	if (vnode_reads_by_iter(mapping->host)) {
		i = vnode_read(file, pages, count,
			       (loff_t)pindex << PAGE_SHIFT);
		for (n = 0; lend && n < i; n++)	/* what it left cached */
			if (n != skip)
				vnode_lend(file, pindex + n, &pages[n]);
		return i;
	}
	if (pindex >= end)
		return 0;
	count = min_t(vm_pindex_t, count, end - pindex);
	if (count > 1 && mapping->a_ops->read_folio) {
		/* one read for the run, as the fault's read-around asked */
		DEFINE_READAHEAD(ractl, file, &file->f_ra, mapping, pindex);

		page_cache_ra_unbounded(&ractl, count, 0);
	}
	for (i = 0; i < count; i++) {
		folio = vnode_cache_folio(file, pindex + i);
		if (IS_ERR(folio))
			return i > reqidx ? i : PTR_ERR(folio);
		if (i == skip || !lend ||
		    !vnode_lend_folio(folio, pindex + i, &pages[i])) {
			page = bsdvm_page(pages[i]);
			copy_highpage(page, folio_file_page(folio, pindex + i));
			if (pindex + i == end - 1 && (isize & ~PAGE_MASK))
				zero_user_segment(page, isize & ~PAGE_MASK,
						  PAGE_SIZE);
		}
		folio_put(folio);
	}
	return i;
}

static int vnode_getpages(struct vm_object *obj, vm_pindex_t pindex,
			  vm_page_t *pages, int count, int reqidx, int *filled,
			  void *cred, void *ctx)
{
	struct bsdvm_vnode *vn = obj->handle;
	struct bsdvm_fault_ctx *fc = ctx;
	struct vm_fault *vmf = fc ? fc->vmf : NULL;
	struct vnode_cred *vc = cred;
	struct file *file;
	bool dropped = false;
	int n;

	/* the core holds vc, and obj, which holds vn->file, for the read */
	if (WARN_ON_ONCE(!vc || vc->vn != vn))
		return KERN_FAILURE;
	file = vc->file;
	*filled = 0;
	if (vmf) {
		if (fc->mkwrite) {
			/*
			 * A mkwrite hook may not answer VM_FAULT_RETRY: the
			 * host takes the PTE away (vm_fault_unmap, under the
			 * map lock we no longer hold) and ->fault reads.
			 */
			fc->unmap = true;
			return KERN_RETRY;
		}
		if ((vmf->flags & FAULT_FLAG_TRIED) &&
		    READ_ONCE(vn->fail_task) == current &&
		    READ_ONCE(vn->fail_index) == pindex + reqidx) {
			/* the read before the retry failed: report it */
			WRITE_ONCE(vn->fail_task, NULL);
			return KERN_FAILURE;
		}
		if (vmf->flags & FAULT_FLAG_ALLOW_RETRY) {
			fc->ret = VM_FAULT_RETRY;
			if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT)
				return KERN_RETRY;	/* lock kept */
			/* the core counts into the space after the release */
			fc->held = bsdvm_space_hold(vmf->vma->vm_private_data);
			release_fault_lock(vmf);
			fc->dropped = true;
			dropped = true;
		}
	}
	n = vnode_pagein(file, pindex, pages, count, reqidx,
			 vmf && (vmf->flags & FAULT_FLAG_WRITE) ? reqidx : -1);
	if (n >= 0)
		*filled = n;
	if (n >= 0 && n <= reqidx) {
		/* the file is shorter than the object: follow it */
		vm_pager_setsize(obj, vnode_npages(file));
	}
	if (dropped) {
		if (n < 0) {
			WRITE_ONCE(vn->fail_index, pindex + reqidx);
			WRITE_ONCE(vn->fail_task, current);
		}
	}
	if (n < 0)
		return KERN_FAILURE;
	return n > reqidx ? KERN_SUCCESS : KERN_OUT_OF_BOUNDS;
}

/*
 * The file to write back through, referenced: the oldest shared-writable
 * mapping's still mapped, else the last one's to go; NULL if none ever was.
 */
static struct file *vnode_writer_file(struct bsdvm_vnode *vn)
{
	struct vnode_cred *vc;
	struct file *file;

	spin_lock(&vn->cred_lock);
	vc = list_first_entry_or_null(&vn->writers, struct vnode_cred, writer);
	file = vc ? vc->file : vn->wfile;
	if (file)
		get_file(file);
	spin_unlock(&vn->cred_lock);
	return file;
}

static int vnode_putpages(struct vm_object *obj, vm_pindex_t pindex,
			  vm_page_t *pages, int count, int flags)
{
	struct bsdvm_vnode *vn = obj->handle;
	struct file *file = vnode_writer_file(vn);
	struct bio_vec bv[VM_PAGER_CLUSTER_MAX];
	loff_t pos = (loff_t)pindex << PAGE_SHIFT, isize;
	struct iov_iter iter;
	struct kiocb kiocb;
	size_t len;
	ssize_t ret;
	int i, err = 0;

	if (!file)
		return EIO;
	mutex_lock(&vn->wb_lock);
	isize = i_size_read(file->f_mapping->host);
	if (pos >= isize)
		goto out;	/* truncated meanwhile: nothing to keep */
	len = min_t(loff_t, (loff_t)count << PAGE_SHIFT, isize - pos);
	for (i = 0; i < count; i++) {
		bv[i].bv_page = bsdvm_page(pages[i]);
		bv[i].bv_len = PAGE_SIZE;
		bv[i].bv_offset = 0;
	}
	iov_iter_bvec(&iter, ITER_SOURCE, bv, count, len);
	vnode_kiocb(&kiocb, file, pos);
	WRITE_ONCE(vn->wb_task, current);
	bsdvm_iocb_write_start(file);
	ret = vfs_iocb_iter_write(file, &kiocb, &iter);
	bsdvm_iocb_write_end(file);
	WRITE_ONCE(vn->wb_task, NULL);
	if (ret != len) {
		err = EIO;
		goto out;
	}
	if (flags & VM_PAGER_PUT_SYNC)
		ret = vfs_fsync_range(file, pos, pos + len - 1, 1);
	else
		ret = filemap_fdatawrite_range(file->f_mapping, pos,
					       pos + len - 1);
	if (ret && ret != -EINVAL)
		err = EIO;
out:
	mutex_unlock(&vn->wb_lock);
	fput(file);
	return err;
}

static void vnode_free(struct bsdvm_vnode *vn)
{
	if (!refcount_dec_and_test(&vn->refs))
		return;
	if (vn->key_inode)
		iput(vn->key_inode);
	kfree(vn);
}

static void vnode_page_named(struct vm_object *obj, vm_pindex_t pindex,
			     vm_page_t m)
{
	struct bsdvm_vnode *vn = obj->handle;

	bsdvm_page_name((struct page *)m, vn->key_inode->i_mapping, pindex);
}

void os_cred_hold(void *cred)
{
	struct vnode_cred *vc = cred;

	refcount_inc(&vc->refs);
}

/* The mapping's last entry went: a writer leaves its file to the rest. */
void os_cred_rele(void *cred)
{
	struct vnode_cred *vc = cred;
	struct bsdvm_vnode *vn = vc->vn;
	struct file *put = vc->file;

	if (!refcount_dec_and_test(&vc->refs))
		return;
	spin_lock(&vn->cred_lock);
	if (!list_empty(&vc->writer)) {
		list_del(&vc->writer);
		if (list_empty(&vn->writers) && !vn->dead)
			swap(put, vn->wfile);
	}
	spin_unlock(&vn->cred_lock);
	if (put)
		fput(put);
	kfree(vc);
	vnode_free(vn);
}

/* The last mapping went: write back, then let go (vnode_reap). */
static void vnode_lastref(struct vm_object *obj)
{
	struct bsdvm_vnode *vn = obj->handle;

	spin_lock(&vnode_reap_lock);
	if (list_empty(&vn->reaping))
		list_add_tail(&vn->reaping, &vnode_reaping);
	vn->reap_task = current;
	vn->reap_seq = ++vnode_reap_seq;
	spin_unlock(&vnode_reap_lock);
	queue_work(vnode_wq, &vn->reap);
}

/* The reap is over, or left for the next lastref: wake its waiters. */
static void vnode_reap_done(struct bsdvm_vnode *vn)
{
	spin_lock(&vnode_reap_lock);
	list_del_init(&vn->reaping);
	spin_unlock(&vnode_reap_lock);
	wake_up_all(&vnode_reap_wq);
}

static void vnode_reap(struct work_struct *work)
{
	struct bsdvm_vnode *vn = container_of(work, struct bsdvm_vnode, reap);
	struct vm_object *obj = vn->obj;
	bool last;
	int err;

	for (;;) {
		err = vm_object_page_clean(obj, 0, 0, VM_CLEAN_SYNC);
		if (err)
			/* nobody to tell now: a later fsync(2) reports it */
			mapping_set_error(vn->file->f_mapping, -EIO);
		mutex_lock(&vnode_lock);
		vm_object_lock(obj);
		last = obj->ref_count == 1;
		vm_object_unlock(obj);
		if (!last) {
			/* mapped again; its lastref will queue us again */
			mutex_unlock(&vnode_lock);
			vnode_reap_done(vn);
			return;
		}
		/* dirtied meanwhile: again; after an error, give up */
		if (err || !vm_object_has_dirty(obj))
			break;
		mutex_unlock(&vnode_lock);
	}
	hash_del(&vn->hash);
	/*
	 * A lastref between our passes queued us again; with the object at
	 * one reference and out of the table none can follow.  That run
	 * would find the vnode freed.
	 */
	cancel_work(&vn->reap);
	mutex_unlock(&vnode_lock);
	/* waiters wake when the object and its file reference are gone */
	refcount_inc(&vn->refs);
	vm_object_deallocate(obj);	/* -> vnode_dealloc */
	vnode_reap_done(vn);
	vnode_free(vn);
}

static void vnode_dealloc(struct vm_object *obj)
{
	struct bsdvm_vnode *vn = obj->handle;
	struct file *wfile;

	mutex_lock(&vn->lock);
	vn->obj = NULL;
	mutex_unlock(&vn->lock);
	/* now, not with vn: umount(2) right after the last munmap works */
	spin_lock(&vn->cred_lock);
	wfile = vn->wfile;
	vn->wfile = NULL;
	vn->dead = true;
	spin_unlock(&vn->cred_lock);
	if (wfile)
		fput(wfile);
	if (vn->map_writable)
		mapping_unmap_writable(vn->file->f_mapping);
	fput(vn->file);
	vn->file = NULL;
	/* the mark's last reference frees vn (vnode_free_mark) */
	fsnotify_destroy_mark(&vn->mark, vnode_group);
	fsnotify_put_mark(&vn->mark);
	atomic_dec(&vnode_count);
}

static const struct vm_pager_ops vnode_pager_ops = {
	.name = "vnode",
	.lendpages = vnode_lendpages,
	.page_named = vnode_page_named,
	.getpages = vnode_getpages,
	.putpages = vnode_putpages,
	.lastref = vnode_lastref,
	.dealloc = vnode_dealloc,
};

/*
 * Someone else changed the file (write(2), truncate): follow its size and
 * drop the clean pages, which may be stale.  Our own write-back is not a
 * change.
 */
static int vnode_handle_event(struct fsnotify_mark *mark, u32 mask,
			      struct inode *inode, struct inode *dir,
			      const struct qstr *name, u32 cookie)
{
	struct bsdvm_vnode *vn = container_of(mark, struct bsdvm_vnode, mark);

	if (!(mask & FS_MODIFY) || READ_ONCE(vn->wb_task) == current)
		return 0;
	mutex_lock(&vn->lock);
	if (vn->obj) {
		vm_pager_setsize(vn->obj, vnode_npages(vn->file));
		vm_object_page_clean(vn->obj, 0, 0, VM_CLEAN_NOWRITE);
	}
	mutex_unlock(&vn->lock);
	return 0;
}

static void vnode_free_mark(struct fsnotify_mark *mark)
{
	vnode_free(container_of(mark, struct bsdvm_vnode, mark));
}

static const struct fsnotify_ops vnode_fsnotify_ops = {
	.handle_inode_event = vnode_handle_event,
	.free_mark = vnode_free_mark,
};

static bool vnode_is_dev_zero(struct inode *inode)
{
	return S_ISCHR(inode->i_mode) && imajor(inode) == MEM_MAJOR &&
	       iminor(inode) == 5;
}

/*
 * The kernel's attribute file systems: files whose f_op->mmap refuses
 * (kernfs's and procfs's ask an attribute that has no mmap: ENODEV or
 * EIO).  A module cannot ask f_op->mmap without a VMA to give it, so these
 * are refused by name, as do_mmap() would refuse them.
 */
static bool vnode_is_attribute_fs(struct inode *inode)
{
	switch (inode->i_sb->s_magic) {
	case SYSFS_MAGIC:
	case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC:
	case PROC_SUPER_MAGIC:
	case DEBUGFS_MAGIC:
	case TRACEFS_MAGIC:
	case SECURITYFS_MAGIC:
	case SELINUX_MAGIC:
	case SMACK_MAGIC:
	case BPF_FS_MAGIC:
	case EFIVARFS_MAGIC:
	case PSTOREFS_MAGIC:
		return true;
	default:
		return false;
	}
}

static unsigned int vnode_seals(struct file *file)
{
	struct inode *inode = file_inode(file);

	if (inode->i_sb->s_magic != TMPFS_MAGIC)
		return 0;
	return SHMEM_I(inode)->seals;
}

/*
 * do_mmap's checks (Documentation/vnode.rst), for a mapping with prot and
 * flags (BSD values): 0 and the most the mapping may ever have, or -errno.
 */
static int vnode_check(struct file *file, int prot, int flags,
		       vm_prot_t *maxp)
{
	struct inode *inode = file_inode(file);
	vm_prot_t max = VM_PROT_ALL;

	if (!S_ISREG(inode->i_mode) && !S_ISBLK(inode->i_mode))
		return -ENODEV;
	if (!(file->f_mode & FMODE_READ))
		return -EACCES;
	/* what do_mmap() refuses (no f_op->mmap, attributes), and we read */
	if (!file->f_op->mmap)
		return -ENODEV;
	if (vnode_is_attribute_fs(inode))	/* proc_reg_mmap says EIO */
		return inode->i_sb->s_magic == PROC_SUPER_MAGIC ? -EIO :
								  -ENODEV;
	if (!file->f_op->read_iter)
		return -ENODEV;
	/* vnode_pagein's ways in (DAX files have none of them) */
	if (!file->f_mapping->a_ops->read_folio &&
	    !vnode_reads_by_iter(file->f_mapping->host))
		return -ENODEV;
	/* a block device in use as swap has the flag on its own inode */
	if (IS_SWAPFILE(inode) || IS_SWAPFILE(file->f_mapping->host))
		return -ETXTBSY;
	if ((file->f_path.mnt->mnt_flags & MNT_NOEXEC) ||
	    (file->f_path.mnt->mnt_sb->s_iflags & SB_I_NOEXEC)) {
		if (prot & VM_PROT_EXECUTE)
			return -EPERM;
		max &= ~VM_PROT_EXECUTE;
	}
	if (flags & BSD_MAP_SHARED) {
		if (!(file->f_mode & FMODE_WRITE)) {
			max &= ~VM_PROT_WRITE;
		} else if (IS_APPEND(inode)) {
			return -EACCES;
		} else if (IS_IMMUTABLE(inode) || !file->f_op->write_iter ||
			   (vnode_seals(file) &
			    (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))) {
			if (prot & VM_PROT_WRITE)
				return -EPERM;
			max &= ~VM_PROT_WRITE;
		}
	}
	*maxp = max;
	return 0;
}

static struct bsdvm_vnode *vnode_lookup(struct inode *inode)
{
	struct bsdvm_vnode *vn;

	hash_for_each_possible(vnode_table, vn, hash, (unsigned long)inode)
		if (vn->inode == inode)
			return vn;
	return NULL;
}

static struct bsdvm_vnode *vnode_create(struct file *file)
{
	struct inode *inode = file->f_mapping->host;
	struct bsdvm_vnode *vn = kzalloc(sizeof(*vn), GFP_KERNEL_ACCOUNT);
	int err;

	if (!vn)
		return ERR_PTR(-ENOMEM);
	mutex_init(&vn->lock);
	mutex_init(&vn->wb_lock);
	spin_lock_init(&vn->cred_lock);
	INIT_LIST_HEAD(&vn->writers);
	INIT_WORK(&vn->reap, vnode_reap);
	INIT_LIST_HEAD(&vn->reaping);
	refcount_set(&vn->refs, 1);
	vn->key_inode = bsdvm_fs_inode();
	if (IS_ERR(vn->key_inode)) {
		err = PTR_ERR(vn->key_inode);
		kfree(vn);
		return ERR_PTR(err);
	}
	vn->inode = inode;
	vn->file = get_file(file);
	fsnotify_init_mark(&vn->mark, vnode_group);
	vn->mark.mask = FS_MODIFY;
	err = fsnotify_add_inode_mark(&vn->mark, file_inode(file), 0);
	if (err) {
		fput(file);
		fsnotify_put_mark(&vn->mark);	/* frees vn */
		return ERR_PTR(err);
	}
	vn->obj = vm_pager_allocate(OBJT_VNODE, &vnode_pager_ops, vn,
				    vnode_npages(file));
	if (!vn->obj) {
		fput(file);
		fsnotify_destroy_mark(&vn->mark, vnode_group);
		fsnotify_put_mark(&vn->mark);
		return ERR_PTR(-ENOMEM);
	}
	atomic_inc(&vnode_count);
	hash_add(vnode_table, &vn->hash, (unsigned long)inode);
	return vn;
}

/* vn's new mapping's rights (vc, allocated): file's, maybe a writer's. */
static void vnode_cred_init(struct vnode_cred *vc, struct bsdvm_vnode *vn,
			    struct file *file, bool writer)
{
	lockdep_assert_held(&vnode_lock);
	refcount_set(&vc->refs, 1);
	vc->file = get_file(file);
	vc->vn = vn;
	refcount_inc(&vn->refs);
	INIT_LIST_HEAD(&vc->writer);
	if (writer) {
		spin_lock(&vn->cred_lock);
		list_add_tail(&vc->writer, &vn->writers);
		spin_unlock(&vn->cred_lock);
	}
}

/* A shared-writable mapping: F_SEAL_WRITE must wait for the object to go. */
static int vnode_map_writable(struct bsdvm_vnode *vn, struct file *file)
{
	lockdep_assert_held(&vnode_lock);
	if (vn->map_writable)
		return 0;
	if (mapping_map_writable(file->f_mapping))
		return -EPERM;
	vn->map_writable = true;
	return 0;
}

int bsdvm_vnode_get(int fd, int prot, int flags, struct vm_object **objp,
		    void **credp, int *maxp, bool *anonp)
{
	struct vm_object *orphan = NULL;
	struct vnode_cred *vc = NULL;
	struct bsdvm_vnode *vn;
	struct file *file;
	bool writer, created = false;
	int err;

	*objp = NULL;
	*credp = NULL;
	*anonp = false;
	file = fget(fd);
	if (!file)
		return -EBADF;
	if (vnode_is_dev_zero(file_inode(file))) {
		/* a new anonymous object per mapping (FreeBSD, Linux) */
		*anonp = true;
		*maxp = VM_PROT_ALL;
		fput(file);
		return 0;
	}
	err = vnode_check(file, BSD_PROT_EXTRACT(prot), flags, maxp);
	if (err)
		goto out;
	writer = (flags & BSD_MAP_SHARED) && (*maxp & VM_PROT_WRITE);
	/* before any vnode exists, so that ENOMEM leaves none unmapped */
	vc = kmalloc(sizeof(*vc), GFP_KERNEL_ACCOUNT);
	if (!vc) {
		err = -ENOMEM;
		goto out;
	}
	mutex_lock(&vnode_lock);
	vn = vnode_lookup(file->f_mapping->host);
	if (!vn) {
		vn = vnode_create(file);
		if (IS_ERR(vn)) {
			err = PTR_ERR(vn);
			goto unlock;
		}
		created = true;
	}
	err = writer ? vnode_map_writable(vn, file) : 0;
	if (err) {
		if (created) {	/* mapped by nobody: the reap's (lastref) */
			orphan = vn->obj;
			vm_object_reference(orphan);
		}
		goto unlock;
	}
	vnode_cred_init(vc, vn, file, writer);
	*credp = vc;
	vc = NULL;
	vm_object_reference(vn->obj);
	*objp = vn->obj;
unlock:
	mutex_unlock(&vnode_lock);
	if (orphan)
		bsdvm_vnode_put(orphan);
	/*
	 * Not under vnode_lock: the object lock may be held long by another
	 * user's WILLNEED over a big file, and vnode_lock is everyone's.
	 */
	if (*objp)
		vm_pager_setsize(*objp, vnode_npages(file));
out:
	kfree(vc);
	fput(file);
	return err;
}

void bsdvm_vnode_put(struct vm_object *obj)
{
	vm_object_deallocate(obj);
	bsdvm_vnode_flush();
}

/* Is a reap that pred(vn, arg) picks still due? */
static bool vnode_reap_due(bool (*pred)(struct bsdvm_vnode *, void *),
			   void *arg)
{
	struct bsdvm_vnode *vn;
	bool due = false;

	spin_lock(&vnode_reap_lock);
	list_for_each_entry(vn, &vnode_reaping, reaping) {
		if (pred(vn, arg)) {
			due = true;
			break;
		}
	}
	spin_unlock(&vnode_reap_lock);
	return due;
}

static bool vnode_reap_mine(struct bsdvm_vnode *vn, void *task)
{
	return vn->reap_task == task;
}

static bool vnode_reap_before(struct bsdvm_vnode *vn, void *seq)
{
	return vn->reap_seq <= *(u64 *)seq;
}

/*
 * The write-backs the caller's own unmaps started: an interrupted wait
 * leaves them to finish behind it, as Linux's munmap leaves dirty pages.
 */
void bsdvm_vnode_flush(void)
{
	wait_event_interruptible(vnode_reap_wq,
				 !vnode_reap_due(vnode_reap_mine, current));
}

int bsdvm_vnode_flush_all(void)
{
	u64 seq;

	spin_lock(&vnode_reap_lock);
	seq = vnode_reap_seq;
	spin_unlock(&vnode_reap_lock);
	return wait_event_interruptible(vnode_reap_wq,
			!vnode_reap_due(vnode_reap_before, &seq));
}

int bsdvm_vnode_init(void)
{
	vnode_wq = alloc_workqueue("bsdvm_vnode", WQ_UNBOUND, 0);
	if (!vnode_wq)
		return -ENOMEM;
	/*
	 * DUPS: a reaped vnode is out of vnode_table before its mark is off
	 * the inode, and the next mapper's new vnode marks it meanwhile.
	 */
	vnode_group = fsnotify_alloc_group(&vnode_fsnotify_ops,
					   FSNOTIFY_GROUP_DUPS);
	if (IS_ERR(vnode_group)) {
		destroy_workqueue(vnode_wq);
		return PTR_ERR(vnode_group);
	}
	return 0;
}

void bsdvm_vnode_exit(void)
{
	/* no space is left, so every object is on its way out */
	flush_workqueue(vnode_wq);
	destroy_workqueue(vnode_wq);
	WARN_ON(atomic_read(&vnode_count));
	/* vnode_free_mark is ours: wait for the marks before the group */
	fsnotify_wait_marks_destroyed();
	fsnotify_put_group(vnode_group);
}
