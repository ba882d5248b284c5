// SPDX-License-Identifier: GPL-2.0
/*
 * vm_collapse.c - keeping shadow chains short (FreeBSD's
 * vm_object_collapse, 4.4BSD's vm_object_collapse).
 *
 * An object's backing object is merged into it ("collapse") when nothing
 * else references the backing object: its pages that the shadow does not
 * hide move up, the rest are freed, and the shadow takes over the backing
 * object's own backing object.  When others still reference the backing
 * object but the shadow already has its own copy of every page the backing
 * object holds inside the shadow's window, the shadow simply skips it
 * ("bypass").  Both repeat down the chain, one level per iteration.
 *
 * Only anonymous objects without a pager take part: a pager object's
 * non-resident pages live in the pager, which a move would lose.
 */
#include "vm_object.h"
#include "vm_map.h"
#include "pmap.h"

/*
 * Does obj have its own page for every page backing holds inside obj's
 * window?  Both locked.
 */
static bool vm_object_scan_all_shadowed(struct vm_object *obj,
					struct vm_object *backing)
{
	vm_pindex_t off = OFF_TO_IDX(obj->backing_object_offset);
	vm_pindex_t idx = off, last;
	vm_page_t m;

	if (!backing->resident_count || !obj->size)
		return true;
	last = off + obj->size - 1;
	if (last < off)
		last = ~(vm_pindex_t)0;
	while ((m = os_pindex_next(&backing->pages, &idx, last)) != NULL) {
		if (!os_pindex_lookup(&obj->pages, idx - off))
			return false;
		if (idx == last)
			break;
		idx++;
	}
	return true;
}

/*
 * Put a copy of m (at idx of backing) at pindex of obj instead of m,
 * which the host holds: a later write in obj must not reach the bytes
 * the holder (a pipe's vmsplice) saw when backing was shared.  Mappings
 * of m go, and refault onto the copy.  False if no memory.
 */
static bool vm_object_collapse_copy(struct vm_object *obj, vm_pindex_t pindex,
				    struct vm_object *backing, vm_pindex_t idx,
				    vm_page_t m)
{
	vm_page_t n = os_page_alloc(false);

	if (!n)
		return false;
	os_page_copy(n, m);
	if (vm_object_page_insert(obj, pindex, n)) {
		os_page_free(n);
		return false;
	}
	vm_stat_pages(1);
	vm_object_page_take(backing, idx);
	vm_page_free_unmapped(m);
	return true;
}

/*
 * Move backing's visible pages into obj and free the hidden ones.  Both
 * locked, backing->ref_count == 1.  Returns false (and leaves the chain as
 * it was, every page still visible through it) if the index could not
 * grow.
 */
static bool vm_object_collapse_scan(struct vm_object *obj,
				    struct vm_object *backing)
{
	vm_pindex_t off = OFF_TO_IDX(obj->backing_object_offset);
	vm_pindex_t idx = 0;
	vm_page_t m;

	while (backing->resident_count &&
	       (m = os_pindex_next(&backing->pages, &idx,
				   ~(vm_pindex_t)0)) != NULL) {
		if (os_page_flags(m) & VM_PG_BUSY)
			return false;
		if (idx < off || idx - off >= obj->size ||
		    os_pindex_lookup(&obj->pages, idx - off)) {
			/* Hidden or outside the window: nobody sees it. */
			vm_object_page_take(backing, idx);
			vm_page_free_unmapped(m);
		} else if (os_page_held(m)) {
			if (!vm_object_collapse_copy(obj, idx - off, backing,
						     idx, m))
				return false;
		} else {
			/*
			 * Insert before removing, so a failed insert leaves
			 * the page where it was.  Mappings of the page stay
			 * valid: it is the same page at the same place in
			 * the chain's view.
			 */
			if (vm_object_page_insert(obj, idx - off, m))
				return false;
			vm_object_page_take(backing, idx);
		}
		if (idx == ~(vm_pindex_t)0)
			break;
		idx++;
	}
	return true;
}

/* Make obj's backing object bb (locked), replacing backing. */
static void vm_object_backing_replace(struct vm_object *obj,
				      struct vm_object *backing,
				      struct vm_object *bb)
{
	vm_list_remove(&obj->shadow_link);
	backing->shadow_count--;
	obj->backing_object = bb;
	obj->backing_object_offset += backing->backing_object_offset;
	if (bb) {
		vm_list_insert_tail(&bb->shadow_head, &obj->shadow_link);
		bb->shadow_count++;
	}
}

/* Merge backing (locked, ref_count 1) into obj (locked). */
static bool vm_object_collapse_merge(struct vm_object *obj,
				     struct vm_object *backing,
				     struct vm_space *vs)
{
	struct vm_object *bb;

	if (!vm_object_collapse_scan(obj, backing))
		return false;
	bb = backing->backing_object;
	if (bb) {
		vm_object_lock_depth(bb, 2);
		/* backing's reference on bb passes to obj */
		vm_list_remove(&backing->shadow_link);
		bb->shadow_count--;
		backing->backing_object = NULL;
		vm_object_backing_replace(obj, backing, bb);
		vm_object_unlock(bb);
	} else {
		vm_object_backing_replace(obj, backing, NULL);
	}
	/* One shadow fewer: backing if it had a backing, else obj. */
	os_counter_add(&vm_globals.shadows_live, -1);
	OS_ASSERT(backing->shadow_count == 0 && !backing->resident_count);
	os_trace_collapse(obj->id, backing->id, bb ? bb->id : 0);
	backing->ref_count = 0;
	backing->flags |= OBJ_DEAD;
	vm_object_unlock(backing);
	os_counter_add(&vm_globals.objects_live, -1);
	vm_object_drop(backing);
	vm_stat_event(vs, VM_EV_COLLAPSES);
	return true;
}

/* Skip backing (locked, ref_count > 1), which obj entirely hides. */
static void vm_object_bypass(struct vm_object *obj, struct vm_object *backing,
			     struct vm_space *vs)
{
	struct vm_object *bb = backing->backing_object;

	if (bb) {
		vm_object_lock_depth(bb, 2);
		vm_object_reference_locked(bb);
		bb->flags &= ~OBJ_ONEMAPPING;
		vm_object_backing_replace(obj, backing, bb);
		vm_object_unlock(bb);
	} else {
		vm_object_backing_replace(obj, backing, NULL);
		os_counter_add(&vm_globals.shadows_live, -1);
	}
	/* Still referenced by someone else: cannot reach zero here. */
	backing->ref_count--;
	if (backing->ref_count == 1 && backing->shadow_count == 0)
		backing->flags |= OBJ_ONEMAPPING;
	os_trace_bypass(obj->id, backing->id, bb ? bb->id : 0);
	vm_object_unlock(backing);
	vm_stat_event(vs, VM_EV_BYPASSES);
}

/*
 * Shorten obj's chain as far as it goes.  obj is locked (and stays so);
 * backing objects are locked below it one level at a time.
 */
void vm_object_collapse(struct vm_object *obj, struct vm_space *vs)
{
	struct vm_object *backing;

	os_mutex_assert_held(&obj->lock);
	if (!(obj->flags & OBJ_ANON) || obj->pager || (obj->flags & OBJ_DEAD))
		return;
	while ((backing = obj->backing_object) != NULL) {
		vm_object_lock_depth(backing, 1);
		if (!(backing->flags & OBJ_ANON) || backing->pager ||
		    (backing->flags & OBJ_DEAD)) {
			vm_object_unlock(backing);
			return;
		}
		if (backing->ref_count == 1) {
			/* merge unlocks backing on success */
			if (vm_object_collapse_merge(obj, backing, vs))
				continue;
			vm_object_unlock(backing);
			return;
		}
		/*
		 * Bypass only what can gain no page obj would show: a
		 * backing object some entry maps directly (a shared mapping
		 * that one sharer forked INHERIT_COPY and then wrote) takes
		 * the other sharers' writes in place, and obj must keep
		 * seeing them on the pages it has not copied.  FreeBSD's
		 * bypass ignores this, so there a copier's fork would hide
		 * the sharers' later writes.  Objects referenced only by
		 * shadows are written by nobody.
		 */
		if (backing->ref_count > backing->shadow_count ||
		    !vm_object_scan_all_shadowed(obj, backing)) {
			vm_object_unlock(backing);
			return;
		}
		vm_object_bypass(obj, backing, vs);
	}
}
