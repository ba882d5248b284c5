/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm_object.h - BSD VM objects: a page index with a reference count, and
 * an optional backing object (the shadow chain of copy-on-write).
 *
 * Locking (see vm.h for the global order):
 *   vm_object.lock protects every field below except those marked (g),
 *   which vm_globals.lock protects.  A shadow's lock is taken before its
 *   backing object's; walking down a chain takes them top-down with
 *   vm_object_lock_depth() so lockdep sees one nesting level per depth.
 *   A shadow's backing_object/backing_object_offset change only with both
 *   the shadow and the old (and new) backing object locked, so holding
 *   either end pins the link.
 */
#ifndef _BSDVM_VM_OBJECT_H
#define _BSDVM_VM_OBJECT_H

#include "vm.h"
#include "vm_list.h"
#include "vm_page.h"

/* Object types (FreeBSD's objtype_t, minus what bsdvm has no use for). */
#define OBJT_DEFAULT	0	/* anonymous: zero-fill, no pager */
#define OBJT_SWAP	1	/* anonymous with a swap pager (future) */
#define OBJT_VNODE	2	/* file pages through a pager (issue 5) */

/* Object flags (FreeBSD names). */
#define OBJ_ANON	0x0001	/* anonymous memory: may shadow, collapse */
/* one mapping, offsets 1:1: munmap and MADV_FREE may free its pages */
#define OBJ_ONEMAPPING	0x0002
#define OBJ_DEAD	0x0004	/* terminated; memory kept while held */
/* a fault mapped the shared zero page for a page of this object (sticky) */
#define OBJ_ZEROMAPPED	0x0008

struct vm_pager_ops;

struct vm_object {
	os_mutex_t lock;
	int ref_count;		/* entries + shadows + host references */
	int shadow_count;	/* objects whose backing_object is this */
	int hold_count;		/* (g) keeps the memory, not the object */
	uint16_t flags;		/* OBJ_* */
	uint8_t type;		/* OBJT_* */
	uint64_t id;		/* stable, never reused: traces and the dump */
	vm_pindex_t size;	/* in pages */
	vm_pindex_t resident_count;
	vm_pindex_t lent_count;	/* of those, VM_PG_LENT pages */
	struct vm_object *backing_object;
	vm_ooffset_t backing_object_offset;	/* bytes, page aligned */
	struct vm_list shadow_head;	/* shadows of this object */
	struct vm_list shadow_link;	/* on backing_object->shadow_head */
	struct vm_list all_link;	/* (g) vm_globals.objects */
	struct os_pindex pages;		/* pindex -> resident page */
	const struct vm_pager_ops *pager;	/* NULL: zero-fill */
	void *handle;			/* the pager's own state */
	/* scratch for the debug checks and statistics (vm_globals.lock) */
	int64_t chk_refs;
	uint64_t mark;
	int chk_depth;
};

/* Nesting level for lockdep: at most this many distinct subclasses. */
#define VM_OBJECT_LOCK_DEPTHS	8

#ifndef os_mutex_lock_nested
/* Hosts without lock validation need no subclass. */
#define os_mutex_lock_nested(m, sub)	os_mutex_lock(m)
#endif

static inline void vm_object_lock(struct vm_object *obj)
{
	os_mutex_lock(&obj->lock);
}

static inline void vm_object_lock_depth(struct vm_object *obj, int depth)
{
	if (depth >= VM_OBJECT_LOCK_DEPTHS)
		depth = VM_OBJECT_LOCK_DEPTHS - 1;
	os_mutex_lock_nested(&obj->lock, depth);
}

static inline void vm_object_unlock(struct vm_object *obj)
{
	os_mutex_unlock(&obj->lock);
}

struct vm_object *vm_object_allocate(int type, vm_pindex_t size);
struct vm_object *vm_object_allocate_anon(vm_pindex_t size);
void vm_object_reference(struct vm_object *obj);
void vm_object_reference_locked(struct vm_object *obj);
void vm_object_deallocate(struct vm_object *obj);
int vm_object_shadow(struct vm_object **objp, vm_ooffset_t *offp,
		     vm_size_t length, struct vm_space *vs);
void vm_object_collapse(struct vm_object *obj, struct vm_space *vs);
bool vm_object_coalesce(struct vm_object *prev_object,
			vm_ooffset_t prev_offset, vm_size_t prev_size,
			vm_size_t next_size);
void vm_object_page_remove(struct vm_object *obj, vm_pindex_t start,
			   vm_pindex_t end);
int vm_object_page_insert(struct vm_object *obj, vm_pindex_t pindex,
			  vm_page_t m);
vm_page_t vm_object_page_take(struct vm_object *obj, vm_pindex_t pindex);
bool vm_object_page_any(struct vm_object *obj, vm_pindex_t first,
			vm_pindex_t n, bool (*pred)(vm_page_t));
vm_page_t vm_object_page_replace(struct vm_object *obj, vm_pindex_t pindex,
				 vm_page_t m);
void vm_page_free_unmapped(vm_page_t m);

/* Existence holds: keep an object's memory while its lock is dropped. */
void vm_object_hold(struct vm_object *obj);
void vm_object_drop(struct vm_object *obj);

/* Depth of the chain below obj, obj included (obj locked). */
int vm_object_chain_depth(struct vm_object *obj);

#endif /* _BSDVM_VM_OBJECT_H */
