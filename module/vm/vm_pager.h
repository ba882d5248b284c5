/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm_pager.h - where an object's pages come from when they are not
 * resident.  Anonymous objects (OBJT_DEFAULT) have no pager: the bottom of
 * a chain zero-fills.  A pager-backed object (OBJT_VNODE, issue 5; swap
 * later) supplies its pages through these operations.
 *
 * Pager I/O never runs with a core lock held.  When vm_fault() reaches a
 * pager object without the page, it inserts a new page marked VM_PG_BUSY
 * into the object, holds the object, drops every lock (object locks and
 * the map lock), calls getpages(), clears VM_PG_BUSY (or removes the page on
 * error), and returns KERN_RETRY: the host faults again and finds the page
 * resident.  A fault that meets a busy page returns KERN_RETRY as well.
 * The fault reads around the page, per the entry's advice: RANDOM only
 * the page, NORMAL the aligned cluster of VM_PAGER_CLUSTER_NORMAL pages
 * around it, SEQUENTIAL VM_PAGER_CLUSTER_MAX pages from it, each stopping
 * at the entry's bounds, the object's end and resident pages.
 *
 * A pager that can lend (lendpages) is asked first: its loans go into the
 * object at once, the fault goes on with the page resident, and maps the
 * other pages of the run read-only too (FreeBSD's vm_fault_prefault, Linux's
 * fault-around), so a file in the cache takes one fault per run.
 *
 * A read fault maps a page of a pager object that is not dirty read-only,
 * so that the first write faults and marks it VM_PG_DIRTY: that is the
 * dirty tracking msync and write-back rely on.  A lent page (VM_PG_LENT)
 * is shared with the host's file cache, so a write never lands in it: the
 * write fault replaces it with a copy first, which is then dirty as any
 * other page.  A lent page lives only in pager objects and is never dirty.
 */
#ifndef _BSDVM_VM_PAGER_H
#define _BSDVM_VM_PAGER_H

#include "vm_object.h"

/* Most pages one getpages() call reads (read-ahead of MADV_SEQUENTIAL). */
#define VM_PAGER_CLUSTER_MAX	32
/* Read-around of MADV_NORMAL: the aligned cluster of this many pages. */
#define VM_PAGER_CLUSTER_NORMAL	16

/* putpages() flags */
#define VM_PAGER_PUT_SYNC	0x1	/* wait until the data is stable */

struct vm_pager_ops {
	const char *name;
	/*
	 * Does the pager have data for pindex (< object size)?  Called with
	 * the object locked; must not sleep on I/O.  NULL means "yes".
	 */
	bool (*haspage)(struct vm_object *obj, vm_pindex_t pindex);
	/*
	 * Fill pages[0..count), busy and already in the object at pindex ..
	 * pindex + count - 1, with their data; pages[reqidx] is the one a
	 * fault asked for, the others are read-around.  No core lock held;
	 * obj is held (vm_object_hold) and referenced.  ctx is the fault's
	 * pmap context (NULL outside a fault: vm_fault_hold); the host may
	 * release its own locks through it (the Linux host drops mmap_lock
	 * and answers VM_FAULT_RETRY).  cred is the faulting entry's
	 * (vm_map_entry.cred): the rights to read with.  *filled is the number of leading
	 * pages filled (the rest are thrown away).  Instead of filling
	 * pages[i] the pager may lend a page of the host's file cache that
	 * holds the same data: it puts that page (VM_PG_LENT, nothing else)
	 * in pages[i] and leaves the placeholder alone, and the core swaps
	 * them (or gives the loan back if the slot went meanwhile).  Returns KERN_SUCCESS
	 * (pages[reqidx] filled), KERN_OUT_OF_BOUNDS (it lies past the end
	 * now: SIGBUS), KERN_FAILURE (I/O error: SIGBUS) or KERN_RETRY (no
	 * I/O was possible now; fault again).
	 */
	int (*getpages)(struct vm_object *obj, vm_pindex_t pindex,
			vm_page_t *pages, int count, int reqidx, int *filled,
			void *cred, void *ctx);
	/*
	 * Optional, the fast way in: lend the pages of [pindex, pindex +
	 * count) that the host's file cache holds now, with no I/O.  Called
	 * with obj (and the fault's chain and map) locked: it may allocate,
	 * never wait for I/O.  Puts loans (VM_PG_LENT, nothing else) of the
	 * leading run of cached pages in pages[] and returns its length, or
	 * 0, lending nothing, when the run stops before reqidx; the fault
	 * then reads with getpages().
	 */
	int (*lendpages)(struct vm_object *obj, vm_pindex_t pindex,
			 vm_page_t *pages, int count, int reqidx);
	/*
	 * Optional: page m of the host's (not a loan) is now at pindex of
	 * obj (locked), and nothing maps it yet.  The host may name it
	 * after (obj, pindex), so that what the host keys on a page (Linux:
	 * a shared futex) stays the same when another page takes its place.
	 */
	void (*page_named)(struct vm_object *obj, vm_pindex_t pindex,
			   vm_page_t m);
	/*
	 * Write pages[0..count) (dirty, held, object unlocked) to
	 * pindex .. pindex + count - 1 of the backing store, and with
	 * VM_PAGER_PUT_SYNC wait until it is stable.  No core lock held; obj
	 * is referenced.  0 or an errno (EIO).
	 */
	int (*putpages)(struct vm_object *obj, vm_pindex_t pindex,
			vm_page_t *pages, int count, int flags);
	/*
	 * The references of obj dropped to one, which is the host's own
	 * (the last mapping went).  Called with obj locked: the host may
	 * only schedule work here (write-back, then its final release).
	 */
	void (*lastref)(struct vm_object *obj);
	/* The object died (ref_count 0, pages freed): release handle. */
	void (*dealloc)(struct vm_object *obj);
};

/*
 * A pager-backed object of size pages, with one reference for the caller
 * (vm_mmap_req.object takes it over).  NULL on ENOMEM.
 */
struct vm_object *vm_pager_allocate(int type, const struct vm_pager_ops *ops,
				    void *handle, vm_pindex_t size);

/*
 * With obj locked and a pager that lends: put its loans for [start, start
 * + count) (at most VM_PAGER_CLUSTER_MAX, none of them resident) into
 * obj, counted as lends of vs (NULL: only globally).  Returns how many
 * (a leading run longer than reqidx), or 0 and nothing changed.
 */
int vm_pager_lend(struct vm_object *obj, vm_pindex_t start, int count,
		  int reqidx, struct vm_space *vs);

/*
 * The same over [first, last] (obj locked), around its resident pages,
 * skipping what the host's cache lacks: MADV_WILLNEED and
 * MAP_PREFAULT_READ, for which a vnode object's resident pages include
 * the file's cached ones (FreeBSD's vnode objects are the page cache).
 * The object lock is released and retaken every few lookups, and the walk
 * stops early when the caller is being killed (os_interrupted).
 */
void vm_pager_lend_range(struct vm_object *obj, vm_pindex_t first,
			 vm_pindex_t last, struct vm_space *vs);

/*
 * The backing store is now size pages long (a file grew or was
 * truncated): pages at or past size leave the object and every pmap, so
 * faults there answer KERN_OUT_OF_BOUNDS.  No core lock held.
 */
void vm_pager_setsize(struct vm_object *obj, vm_pindex_t size);

/* vm_object_page_clean() flags */
#define VM_CLEAN_SYNC		0x1	/* VM_PAGER_PUT_SYNC */
#define VM_CLEAN_INVALIDATE	0x2	/* then drop the clean pages */
#define VM_CLEAN_NOWRITE	0x4	/* write nothing: only drop clean pages */

/*
 * Write obj's dirty pages in [start, end) (end 0: to the end) through
 * putpages, in runs of contiguous pages, with no core lock held during
 * the I/O; a page written again meanwhile stays dirty.  Written pages
 * lose their write mappings, so the next write faults and dirties them
 * again.  With VM_CLEAN_INVALIDATE the clean pages are then freed
 * (MS_INVALIDATE).  No core lock held on entry.  0 or EIO (the pages
 * that failed stay dirty).
 */
int vm_object_page_clean(struct vm_object *obj, vm_pindex_t start,
			 vm_pindex_t end, int flags);

/* Does obj hold a dirty page?  No core lock held. */
bool vm_object_has_dirty(struct vm_object *obj);

#endif /* _BSDVM_VM_PAGER_H */
