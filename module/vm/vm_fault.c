// SPDX-License-Identifier: GPL-2.0
/*
 * vm_fault.c - the page fault algorithm (4.4BSD vm_fault(), with
 * FreeBSD's refinements: vm_fault_cow renaming, lazy anonymous objects).
 *
 *  1. Look up the entry: none -> KERN_INVALID_ADDRESS; a guard entry or a
 *     missing permission -> KERN_PROTECTION_FAILURE.  A stack gap first
 *     tries to grow the stack.
 *  2. Entry changes need the map write lock (the fault otherwise holds it
 *     shared): a write to a NEEDS_COPY entry makes its shadow now, a write
 *     to an entry without an object allocates one.  The map has no lock
 *     upgrade, so drop, take it exclusive and look up again.
 *  3. Walk the chain from the first object, locking each object below the
 *     ones already held (shadow before backing): the whole chain stays
 *     locked until the page is mapped, so no collapse, COW or pager can
 *     change what this fault saw before the pmap shows it.
 *  4. Found in the first object: map it with the entry's protection.
 *     Found below: a read maps it read-only; a write copies it into the
 *     first object, or moves it there when the first object is the only
 *     thing that can see it (vm_fault_cow's rename).
 *  5. Bottom of the chain: a write zero-fills a page in the first object.
 *     A read maps the one shared zero page read-only when the chain is
 *     private to this map (every object referenced once, or the first
 *     object marked OBJ_ONEMAPPING), so nobody can
 *     later put a page above it that this mapping would not show.  In a
 *     shared chain a read zero-fills a real page in the bottom object
 *     (FreeBSD zero-fills into the first object even for reads, which
 *     hides later writes by those sharing the bottom object).
 *  6. A pager object without the page: see vm_pager.h (KERN_RETRY, with
 *     read-around per the entry's advice).  A clean page of a pager
 *     object maps read-only on a read, so that writes dirty it.
 */
#include "vm_map.h"
#include "vm_object.h"
#include "vm_pager.h"
#include "pmap.h"

/* Unlock first and every object below it (all locked by the walk). */
static void vm_fault_unlock_chain(struct vm_object *first,
				  struct vm_object *last, bool keep_first)
{
	struct vm_object *o = first, *next;

	for (;;) {
		next = o->backing_object;
		if (o != first || !keep_first)
			vm_object_unlock(o);
		if (o == last)
			break;
		o = next;
	}
}

/*
 * Write fault on page m found in obj (a backing object of first, locked),
 * at depth levels below first: give first its own copy.
 */
static int vm_fault_cow(struct vm_space *vs, struct vm_object *first,
			vm_pindex_t first_pindex, struct vm_object *obj,
			vm_pindex_t pindex, int depth, vm_page_t m,
			vm_page_t *newp)
{
	vm_page_t n;

	/*
	 * Only first can see obj's pages: move the page up instead of
	 * copying.  Mappings of it stay right, since every one of them
	 * looks through first, where the page now is.  Not a page the host
	 * holds (a pipe's vmsplice from when obj was shared): its bytes are
	 * that snapshot's, so the write gets a copy, as on Linux.
	 */
	if (depth == 1 && obj->ref_count == 1 && (obj->flags & OBJ_ANON) &&
	    !obj->pager && !os_page_held(m)) {
		if (vm_object_page_insert(first, first_pindex, m))
			return KERN_RESOURCE_SHORTAGE;
		vm_object_page_take(obj, pindex);
		vm_stat_event(vs, VM_EV_COW_RENAMES);
		os_trace_cow(first->id, obj->id, first_pindex, depth, 1);
		*newp = m;
		return KERN_SUCCESS;
	}
	n = os_page_alloc(false);
	if (!n)
		return KERN_RESOURCE_SHORTAGE;
	os_page_copy(n, m);
	if (vm_object_page_insert(first, first_pindex, n)) {
		os_page_free(n);
		return KERN_RESOURCE_SHORTAGE;
	}
	vm_stat_pages(1);
	/*
	 * Others who look through first (it is shared, or shadowed) may have
	 * m mapped read-only from before this copy; they must now see the
	 * copy, so take m away from every pmap (FreeBSD CVE-2021-29626,
	 * tests/sys/vm/shared_shadow_inval_test.c).
	 */
	if (first->ref_count > 1 || first->shadow_count > 0)
		pmap_page_protect(m, VM_PROT_NONE);
	vm_stat_event(vs, VM_EV_COW_COPIES);
	os_trace_cow(first->id, obj->id, first_pindex, depth, 0);
	*newp = n;
	return KERN_SUCCESS;
}

/*
 * A write to lent page m at pindex of first (locked): the host's file
 * cache must not change behind its back, so first gets its own copy in
 * m's place, which write-back then puts in the file.  Every pmap loses m
 * first, so all who share first see the copy (the write) at once.
 */
static int vm_fault_unlend(struct vm_space *vs, struct vm_object *first,
			   vm_pindex_t pindex, vm_page_t m, vm_page_t *newp)
{
	vm_page_t n = os_page_alloc(false);

	if (!n)
		return KERN_RESOURCE_SHORTAGE;
	os_page_copy(n, m);
	pmap_page_protect(m, VM_PROT_NONE);
	vm_object_page_replace(first, pindex, n);
	os_page_flags_clear(m, VM_PG_REFERENCED);
	os_page_free(m);
	vm_stat_event(vs, VM_EV_LENT_COPIES);
	*newp = n;
	return KERN_SUCCESS;
}

/*
 * The pages to read with pindex, per the entry's advice (vm_pager.h):
 * [*startp, *startp + return value), inside [lo, hi) and the object, and
 * stopping at resident pages.  obj locked.
 */
static int vm_fault_readaround(struct vm_object *obj, vm_pindex_t pindex,
			       vm_pindex_t lo, vm_pindex_t hi, int behavior,
			       vm_pindex_t *startp)
{
	vm_pindex_t s, e, i;

	if (hi > obj->size)
		hi = obj->size;
	switch (behavior) {
	case MAP_ENTRY_BEHAV_RANDOM:
		s = pindex;
		e = pindex + 1;
		break;
	case MAP_ENTRY_BEHAV_SEQUENTIAL:
		s = pindex;
		e = pindex + VM_PAGER_CLUSTER_MAX;
		break;
	default:
		s = pindex & ~(vm_pindex_t)(VM_PAGER_CLUSTER_NORMAL - 1);
		e = s + VM_PAGER_CLUSTER_NORMAL;
		break;
	}
	if (s < lo)
		s = lo;
	if (e > hi || e < s)
		e = hi;
	for (i = pindex; i > s; i--)
		if (os_pindex_lookup(&obj->pages, i - 1))
			break;
	s = i;
	for (i = pindex + 1; i < e; i++)
		if (os_pindex_lookup(&obj->pages, i))
			break;
	*startp = s;
	return (int)(i - s);
}

/*
 * obj (locked, with the chain above it) has a lending pager and no page at
 * pindex: put the loans of the read-around run into obj, with no lock
 * dropped.  Returns how many (the run starts at *startp), or 0 when the
 * pager could not lend the page asked for; then nothing changed.
 */
static int vm_fault_lend(struct vm_space *vs, struct vm_object *obj,
			 vm_pindex_t pindex, vm_pindex_t lo, vm_pindex_t hi,
			 int behavior, vm_pindex_t *startp)
{
	int count = vm_fault_readaround(obj, pindex, lo, hi, behavior, startp);

	return vm_pager_lend(obj, *startp, count, (int)(pindex - *startp),
			     vs);
}

/*
 * Map the run of pages a fault just lent around va's page read-only, as
 * fault-around does: no fault context (pmap_enter may decline), chain
 * locked; the fault's own page is mapped already.
 */
static void vm_fault_prefault(struct vm_map *map, struct vm_map_entry *e,
			      struct vm_object *obj, vm_pindex_t lo,
			      vm_pindex_t start, int count, vm_offset_t va,
			      vm_prot_t prot)
{
	vm_pindex_t i;
	vm_page_t m;

	prot &= ~VM_PROT_WRITE;
	if (prot == VM_PROT_NONE)	/* a write-only entry: nothing to map */
		return;
	for (i = start; i < start + (vm_pindex_t)count; i++) {
		vm_offset_t a = e->start + ptoa(i - lo);

		if (a == va)
			continue;
		m = os_pindex_lookup(&obj->pages, i);
		if (m && pmap_enter(map->pmap, a, m, prot, NULL))
			break;
	}
}

/*
 * obj (locked, with first..obj above it locked) has a pager and no page
 * at pindex: read it and the pages around it (lo, hi: the entry's window
 * in obj) in with no lock held, then have the host retry.
 */
static int vm_fault_pager(struct vm_map *map, bool wlocked,
			  struct vm_object *first, struct vm_object *obj,
			  vm_pindex_t pindex, vm_pindex_t lo, vm_pindex_t hi,
			  const struct vm_map_entry *e, void *ctx)
{
	vm_page_t ma[VM_PAGER_CLUSTER_MAX], got[VM_PAGER_CLUSTER_MAX];
	vm_pindex_t start;
	int count, reqidx, i, n = 0, filled = 0, rv;
	void *cred = e->cred;

	count = vm_fault_readaround(obj, pindex, lo, hi, e->behavior, &start);
	reqidx = (int)(pindex - start);
	for (i = 0; i < count; i++) {
		ma[i] = os_page_alloc(false);
		if (!ma[i])
			break;
		os_page_flags_set(ma[i], VM_PG_BUSY);
		if (vm_object_page_insert(obj, start + i, ma[i])) {
			os_page_flags_clear(ma[i], VM_PG_BUSY);
			os_page_free(ma[i]);
			break;
		}
		vm_stat_pages(1);
	}
	n = i;
	if (n <= reqidx) {
		/* Not even the page asked for: give back the rest. */
		for (i = 0; i < n; i++) {
			vm_object_page_take(obj, start + i);
			vm_page_free_unmapped(ma[i]);
		}
		rv = KERN_RESOURCE_SHORTAGE;
		goto unlock;
	}
	vm_object_reference_locked(obj);
	/* the entry may go once the map is unlocked: its rights stay */
	if (cred)
		os_cred_hold(cred);
	vm_fault_unlock_chain(first, obj, false);
	if (wlocked)
		os_rwlock_wunlock(&map->lock);
	else
		os_rwlock_runlock(&map->lock);

	for (i = 0; i < n; i++)
		got[i] = ma[i];
	rv = obj->pager->getpages(obj, start, got, n, reqidx, &filled, cred,
				  ctx);
	os_trace_pagein(obj->id, pindex, rv);
	if (cred)
		os_cred_rele(cred);
	if (filled < 0 || filled > n)
		filled = 0;

	vm_object_lock(obj);
	for (i = 0; i < n; i++) {
		bool keep = i < filled && start + i < obj->size;

		if (os_pindex_lookup(&obj->pages, start + i) != ma[i]) {
			/* the object shrank past it */
		} else if (!keep) {
			vm_object_page_take(obj, start + i);
			vm_page_free_unmapped(ma[i]);
		} else if (got[i] != ma[i]) {
			/*
			 * a lent page takes the placeholder's slot; the host
			 * keeps vs alive while vm_fault runs (vm.h), though
			 * its map may be empty by now
			 */
			OS_ASSERT(os_page_flags(got[i]) == VM_PG_LENT);
			vm_object_page_replace(obj, start + i, got[i]);
			vm_stat_event(container_of(map, struct vm_space, map),
				      VM_EV_LENDS);
			os_page_flags_clear(ma[i], VM_PG_BUSY);
			os_page_free(ma[i]);
			continue;
		} else {
			os_page_flags_clear(ma[i], VM_PG_BUSY);
			continue;
		}
		if (got[i] != ma[i])
			os_page_free(got[i]);	/* a loan nobody took */
	}
	vm_object_unlock(obj);
	vm_object_deallocate(obj);
	return rv == KERN_SUCCESS ? KERN_RETRY : rv;
unlock:
	vm_fault_unlock_chain(first, obj, false);
	if (wlocked)
		os_rwlock_wunlock(&map->lock);
	else
		os_rwlock_runlock(&map->lock);
	return rv;
}

static int vm_fault_internal(struct vm_space *vs, vm_offset_t va,
			     vm_prot_t fault_type, void *ctx,
			     struct vm_fault_info *info, vm_page_t *holdp)
{
	struct vm_map *map = &vs->map;
	struct vm_map_entry *e;
	struct vm_object *first, *obj, *next;
	vm_pindex_t first_pindex, pindex;
	vm_page_t m;
	vm_pindex_t lent_start = 0, lent_lo = 0;
	vm_prot_t prot;
	bool write = fault_type & VM_PROT_WRITE, wlocked = false, private;
	int rv, depth = 0, source, lent = 0;

	if (fault_type & ~VM_PROT_ALL)
		return KERN_INVALID_ARGUMENT;
	if (!fault_type)
		fault_type = VM_PROT_READ;
	va = trunc_page(va);
	vm_stat_event(vs, VM_EV_FAULTS);
	vm_stat_event(vs, write ? VM_EV_FAULTS_WRITE : VM_EV_FAULTS_READ);
	os_rwlock_rlock(&map->lock);
retry:
	if (!vm_map_lookup_entry(map, va, &e)) {
		rv = KERN_INVALID_ADDRESS;
		goto out_map;
	}
	if (e->eflags & MAP_ENTRY_GUARD) {
		if (e->eflags & MAP_ENTRY_STACK_GAP_DN) {
			if (!wlocked)
				goto relock;
			if (vm_map_growstack(map, va, e) == KERN_SUCCESS)
				goto retry;
		}
		rv = KERN_PROTECTION_FAILURE;
		goto out_map;
	}
	if ((fault_type & e->protection) != fault_type) {
		rv = KERN_PROTECTION_FAILURE;
		goto out_map;
	}
	if (write && ((e->eflags & MAP_ENTRY_NEEDS_COPY) || !e->object)) {
		if (!wlocked)
			goto relock;
		if (e->eflags & MAP_ENTRY_NEEDS_COPY) {
			if (vm_object_shadow(&e->object, &e->offset,
					     e->end - e->start, vs)) {
				rv = KERN_RESOURCE_SHORTAGE;
				goto out_map;
			}
			e->eflags &= ~MAP_ENTRY_NEEDS_COPY;
		}
		if (!e->object) {
			e->object = vm_object_allocate_anon(atop(e->end -
								 e->start));
			if (!e->object) {
				rv = KERN_RESOURCE_SHORTAGE;
				goto out_map;
			}
			/* reads before now mapped the zero page */
			e->object->flags |= OBJ_ZEROMAPPED;
			e->offset = 0;
		}
	}
	prot = e->protection;
	if (e->eflags & MAP_ENTRY_NEEDS_COPY)
		prot &= ~VM_PROT_WRITE;
	first = e->object;
	if (!first) {
		/* Never touched anonymous memory: nothing to look up. */
		m = os_zero_page();
		prot &= ~VM_PROT_WRITE;
		source = VM_FAULT_SRC_ZERO_PAGE;
		vm_stat_event(vs, VM_EV_ZERO_PAGE_MAPS);
		if (holdp) {
			os_page_hold(m);
			*holdp = m;
			rv = KERN_SUCCESS;
		} else {
			rv = pmap_enter(map->pmap, va, m, prot, ctx) ?
				KERN_RESOURCE_SHORTAGE : KERN_SUCCESS;
		}
		goto done;
	}

	first_pindex = OFF_TO_IDX(e->offset) + atop(va - e->start);
	vm_object_lock_depth(first, 0);
	obj = first;
	pindex = first_pindex;
	private = true;
	for (;;) {
		/*
		 * Private: referenced once, or (first object) mapped once,
		 * perhaps by several entries of this map after a clip, each
		 * with its own window: nobody else can add a page here.
		 */
		if (obj->ref_count != 1 &&
		    !(obj == first && (obj->flags & OBJ_ONEMAPPING)))
			private = false;
		if (obj->pager && pindex >= obj->size) {
			vm_fault_unlock_chain(first, obj, false);
			rv = KERN_OUT_OF_BOUNDS;
			goto out_map;
		}
		m = os_pindex_lookup(&obj->pages, pindex);
		if (m) {
			if (os_page_flags(m) & VM_PG_BUSY) {
				/* a pager read is in flight: come back */
				vm_fault_unlock_chain(first, obj, false);
				rv = KERN_RETRY;
				goto out_map;
			}
			break;
		}
		if (obj->pager &&
		    (!obj->pager->haspage ||
		     obj->pager->haspage(obj, pindex))) {
			vm_pindex_t lo = OFF_TO_IDX(e->offset) +
					 (pindex - first_pindex);
			vm_pindex_t hi = lo + atop(e->end - e->start);

			if (obj->pager->lendpages) {
				lent = vm_fault_lend(vs, obj, pindex, lo, hi,
						     e->behavior, &lent_start);
				lent_lo = lo;
			}
			if (lent) {
				m = os_pindex_lookup(&obj->pages, pindex);
				break;
			}
			return vm_fault_pager(map, wlocked, first, obj, pindex,
					      lo, hi, e, ctx);
		}
		next = obj->backing_object;
		if (!next)
			break;
		pindex += OFF_TO_IDX(obj->backing_object_offset);
		depth++;
		vm_object_lock_depth(next, depth);
		obj = next;
	}
	if (!m)
		vm_stat_chain_depth(depth + 1);

	if (m && obj == first && write && (os_page_flags(m) & VM_PG_LENT)) {
		rv = vm_fault_unlend(vs, first, first_pindex, m, &m);
		if (rv != KERN_SUCCESS) {
			vm_fault_unlock_chain(first, obj, false);
			goto out_map;
		}
		source = VM_FAULT_SRC_RESIDENT;
	} else if (m && obj == first) {
		source = VM_FAULT_SRC_RESIDENT;
		/* a clean pager page: the first write must fault (dirty) */
		if (!write && first->pager &&
		    !(os_page_flags(m) & VM_PG_DIRTY))
			prot &= ~VM_PROT_WRITE;
	} else if (m && write) {
		rv = vm_fault_cow(vs, first, first_pindex, obj, pindex, depth,
				  m, &m);
		if (rv != KERN_SUCCESS) {
			vm_fault_unlock_chain(first, obj, false);
			goto out_map;
		}
		source = VM_FAULT_SRC_COW;
	} else if (m) {
		prot &= ~VM_PROT_WRITE;
		source = VM_FAULT_SRC_BACKING;
	} else if (!write && private) {
		/* vmspace_fork must drop it if it ever shares first */
		first->flags |= OBJ_ZEROMAPPED;
		m = os_zero_page();
		prot &= ~VM_PROT_WRITE;
		source = VM_FAULT_SRC_ZERO_PAGE;
		vm_stat_event(vs, VM_EV_ZERO_PAGE_MAPS);
	} else {
		struct vm_object *target = first;
		vm_pindex_t tpindex = first_pindex;

		/*
		 * A read in a shared chain puts its zeroed page at the
		 * bottom, where everyone who sees this page looks, so that
		 * a later write by one of them (in place, or a copy above
		 * it, which takes this page away from every pmap) shows
		 * through as it would without the read.
		 */
		if (!write && obj != first && pindex < obj->size) {
			target = obj;
			tpindex = pindex;
			prot &= ~VM_PROT_WRITE;
		}
		m = os_page_alloc(true);
		if (m && vm_object_page_insert(target, tpindex, m)) {
			os_page_free(m);
			m = NULL;
		}
		if (!m) {
			vm_fault_unlock_chain(first, obj, false);
			rv = KERN_RESOURCE_SHORTAGE;
			goto out_map;
		}
		vm_stat_pages(1);
		source = VM_FAULT_SRC_ZERO_FILL;
		vm_stat_event(vs, VM_EV_ZERO_FILLS);
		os_trace_zero_fill(target->id, tpindex);
	}
	if (write)
		os_page_flags_set(m, VM_PG_DIRTY);
	if (holdp) {
		/*
		 * A write hold (ptrace) may have made a new page for va; a
		 * mapping this pmap has there is then stale: drop it, the
		 * process refaults onto the page we return.
		 */
		if (write)
			pmap_remove(map->pmap, va, va + OS_PAGE_SIZE);
		os_page_hold(m);
		*holdp = m;
		rv = KERN_SUCCESS;
	} else {
		rv = pmap_enter(map->pmap, va, m, prot, ctx) ?
			KERN_RESOURCE_SHORTAGE : KERN_SUCCESS;
		/* a run just lent in the first object: map it all */
		if (rv == KERN_SUCCESS && lent > 1 && obj == first)
			vm_fault_prefault(map, e, obj, lent_lo, lent_start,
					  lent, va, e->protection);
	}
	/*
	 * After a COW the first object may now hide all its backing object
	 * needs (4.4BSD collapses here).  Only the cheap case: a backing
	 * object nobody else references merges in one pass.
	 */
	if (source == VM_FAULT_SRC_COW && first->backing_object &&
	    first->backing_object->ref_count == 1) {
		vm_fault_unlock_chain(first, obj, true);
		vm_object_collapse(first, vs);
		vm_object_unlock(first);
	} else {
		vm_fault_unlock_chain(first, obj, false);
	}
done:
	if (info) {
		info->source = source;
		info->depth = depth;
		info->prot = prot;
	}
out_map:
	if (wlocked)
		os_rwlock_wunlock(&map->lock);
	else
		os_rwlock_runlock(&map->lock);
	return rv;
relock:
	os_rwlock_runlock(&map->lock);
	os_rwlock_wlock(&map->lock);
	wlocked = true;
	goto retry;
}

/*
 * A host that may not let a pager read here (a write to a present
 * read-only PTE, answered in place) takes the PTE away, so that the access
 * refaults as one that may read: under the map lock held for write, as no
 * pmap_enter() of this map can then run.
 */
void vm_fault_unmap(struct vm_space *vs, vm_offset_t va)
{
	struct vm_map *map = &vs->map;

	va = trunc_page(va);
	os_rwlock_wlock(&map->lock);
	pmap_remove(map->pmap, va, va + OS_PAGE_SIZE);
	os_rwlock_wunlock(&map->lock);
}

int vm_fault(struct vm_space *vs, vm_offset_t va, vm_prot_t fault_type,
	     void *pmap_ctx, struct vm_fault_info *info)
{
	if (info) {
		info->source = VM_FAULT_SRC_NONE;
		info->depth = 0;
		info->prot = VM_PROT_NONE;
	}
	return vm_fault_internal(vs, va, fault_type, pmap_ctx, info, NULL);
}

int vm_fault_hold(struct vm_space *vs, vm_offset_t va, vm_prot_t fault_type,
		  vm_page_t *pagep)
{
	*pagep = NULL;
	return vm_fault_internal(vs, va, fault_type, NULL, NULL, pagep);
}
