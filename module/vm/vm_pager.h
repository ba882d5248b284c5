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
 * the map lock), calls getpage(), clears VM_PG_BUSY (or removes the page on
 * error), and returns KERN_RETRY: the host faults again and finds the page
 * resident.  A fault that meets a busy page returns KERN_RETRY as well.
 */
#ifndef _BSDVM_VM_PAGER_H
#define _BSDVM_VM_PAGER_H

#include "vm_object.h"

struct vm_pager_ops {
	const char *name;
	/*
	 * Does the pager have data for pindex (< object size)?  Called with
	 * the object locked; must not sleep on I/O.  NULL means "yes".
	 */
	bool (*haspage)(struct vm_object *obj, vm_pindex_t pindex);
	/*
	 * Fill page (busy, already in the object at pindex) with the data
	 * of pindex.  No core lock held; obj is held (vm_object_hold) and
	 * referenced.  Returns KERN_SUCCESS, KERN_OUT_OF_BOUNDS (the object
	 * shrank: SIGBUS) or KERN_FAILURE (I/O error: SIGBUS).
	 */
	int (*getpage)(struct vm_object *obj, vm_pindex_t pindex,
		       vm_page_t page);
	/*
	 * Write a dirty page back (msync, issue 5).  No core lock held.
	 * 0 or an errno.
	 */
	int (*putpage)(struct vm_object *obj, vm_pindex_t pindex,
		       vm_page_t page);
	/* The object died (ref_count 0, pages freed): release handle. */
	void (*dealloc)(struct vm_object *obj);
};

/*
 * A pager-backed object of size pages, with one reference for the caller
 * (vm_mmap_req.object takes it over).  NULL on ENOMEM.
 */
struct vm_object *vm_pager_allocate(int type, const struct vm_pager_ops *ops,
				    void *handle, vm_pindex_t size);

#endif /* _BSDVM_VM_PAGER_H */
