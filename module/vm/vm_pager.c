// SPDX-License-Identifier: GPL-2.0
/*
 * vm_pager.c - what the core does for pager-backed objects besides
 * faulting pages in (vm_fault.c): the object's size following its backing
 * store, write-back of dirty pages, and msync.
 *
 * Dirty tracking: a page is VM_PG_DIRTY from the write fault that mapped
 * it writable until write-back takes it (vm_fault.c maps clean pager
 * pages read-only, so every first write faults).  Write-back clears the
 * flag and removes the page's write mappings under the object lock, then
 * writes with no lock held: a write that lands meanwhile faults, dirties
 * the page again and is written by the next clean (FreeBSD's
 * vm_object_page_clean with pmap_remove_write).
 */
#include "vm_map.h"
#include "vm_object.h"
#include "vm_pager.h"
#include "pmap.h"

int vm_pager_lend(struct vm_object *obj, vm_pindex_t start, int count,
		  int reqidx, struct vm_space *vs)
{
	vm_page_t ma[VM_PAGER_CLUSTER_MAX];
	int i, n, done;

	os_mutex_assert_held(&obj->lock);
	if (count > VM_PAGER_CLUSTER_MAX)
		count = VM_PAGER_CLUSTER_MAX;
	n = obj->pager->lendpages(obj, start, ma, count, reqidx);
	OS_ASSERT(n <= count);
	if (n <= reqidx)
		return 0;
	for (done = 0; done < n; done++) {
		OS_ASSERT(os_page_flags(ma[done]) == VM_PG_LENT);
		if (vm_object_page_insert(obj, start + done, ma[done]))
			break;
		vm_stat_pages(1);
		vm_stat_event(vs, VM_EV_LENDS);
	}
	for (i = done; i < n; i++)
		os_page_free(ma[i]);	/* no room in the index */
	if (done > reqidx) {
		/* a page-in that needed no I/O */
		os_trace_pagein(obj->id, start + reqidx, KERN_SUCCESS);
		return done;
	}
	while (done-- > 0) {
		vm_object_page_take(obj, start + done);
		vm_page_free_unmapped(ma[done]);
	}
	return 0;
}

/* Lookups vm_pager_lend_range() makes between lock releases. */
#define VM_PAGER_LEND_BATCH	64

void vm_pager_lend_range(struct vm_object *obj, vm_pindex_t first,
			 vm_pindex_t last, struct vm_space *vs)
{
	vm_pindex_t i = first, hole_end = first, next;
	int n, batch = 0;

	os_mutex_assert_held(&obj->lock);
	while (i <= last) {
		if (!obj->size || i >= obj->size)
			break;
		if (last >= obj->size)
			last = obj->size - 1;
		if (++batch == VM_PAGER_LEND_BATCH) {
			/*
			 * A whole sparse file may take long: let the file's
			 * other users (truncate, a new mapping) have the
			 * object, and stop if we are being killed.
			 */
			batch = 0;
			if (os_interrupted())
				break;
			vm_object_unlock(obj);
			os_cond_resched();
			vm_object_lock(obj);
			hole_end = i;	/* look at the index again */
			continue;
		}
		if (i >= hole_end) {
			/* the hole at i ends at the next resident page */
			next = i;
			if (os_pindex_next(&obj->pages, &next, last))
				hole_end = next;
			else
				hole_end = last + 1;
			if (hole_end == i) {
				i++;
				continue;
			}
		}
		n = hole_end - i < VM_PAGER_CLUSTER_MAX ?
			(int)(hole_end - i) : VM_PAGER_CLUSTER_MAX;
		n = vm_pager_lend(obj, i, n, 0, vs);
		i += n ? (vm_pindex_t)n : 1;
	}
}

void vm_pager_setsize(struct vm_object *obj, vm_pindex_t size)
{
	vm_object_lock(obj);
	if (size < obj->size)
		vm_object_page_remove(obj, size, 0);
	obj->size = size;
	vm_object_unlock(obj);
}

bool vm_object_has_dirty(struct vm_object *obj)
{
	vm_pindex_t idx = 0;
	vm_page_t m;
	bool dirty = false;

	vm_object_lock(obj);
	while (obj->resident_count &&
	       (m = os_pindex_next(&obj->pages, &idx, ~(vm_pindex_t)0))) {
		if (os_page_flags(m) & VM_PG_DIRTY) {
			dirty = true;
			break;
		}
		if (idx == ~(vm_pindex_t)0)
			break;
		idx++;
	}
	vm_object_unlock(obj);
	return dirty;
}

/*
 * Take the next run of contiguous dirty pages at or after *idxp (up to
 * last) out of the dirty state: held, clean, not writable anywhere.
 * Returns the run's length, its first index in *startp; *idxp moves past
 * what was looked at, and *donep says nothing is left.  obj locked.
 */
static int vm_object_dirty_run(struct vm_object *obj, vm_pindex_t *idxp,
			       vm_pindex_t last, vm_page_t *ma,
			       vm_pindex_t *startp, bool *donep)
{
	vm_pindex_t idx = *idxp;
	vm_page_t m;
	int n = 0;

	for (;;) {
		unsigned int fl;

		m = obj->resident_count ?
			os_pindex_next(&obj->pages, &idx, last) : NULL;
		if (!m) {
			*donep = true;
			break;
		}
		fl = os_page_flags(m);
		if (n && idx != *startp + (vm_pindex_t)n)
			break;			/* a gap: the next run */
		if ((fl & VM_PG_DIRTY) && !(fl & VM_PG_BUSY)) {
			if (!n)
				*startp = idx;
			os_page_hold(m);
			os_page_flags_clear(m, VM_PG_DIRTY);
			pmap_page_protect(m, VM_PROT_READ | VM_PROT_EXECUTE);
			ma[n++] = m;
		} else if (n) {
			break;
		}
		if (idx == last) {
			*donep = true;
			break;
		}
		idx++;
		if (n == VM_PAGER_CLUSTER_MAX)
			break;
	}
	*idxp = idx;
	return n;
}

int vm_object_page_clean(struct vm_object *obj, vm_pindex_t start,
			 vm_pindex_t end, int flags)
{
	vm_pindex_t last = end ? end - 1 : ~(vm_pindex_t)0, idx = start, run;
	vm_page_t ma[VM_PAGER_CLUSTER_MAX], m;
	bool done = false;
	int n, i, e, err = 0;

	if (end && end <= start)
		return 0;
	if (!obj->pager || !obj->pager->putpages ||
	    (flags & VM_CLEAN_NOWRITE))
		done = true;
	while (!done) {
		vm_object_lock(obj);
		n = vm_object_dirty_run(obj, &idx, last, ma, &run, &done);
		vm_object_unlock(obj);
		if (!n)
			continue;
		e = obj->pager->putpages(obj, run, ma, n,
					 (flags & VM_CLEAN_SYNC) ?
					 VM_PAGER_PUT_SYNC : 0);
		os_trace_pageout(obj->id, run, e);
		if (e) {
			/* nothing is lost: the pages stay dirty */
			err = EIO;
			vm_object_lock(obj);
			for (i = 0; i < n; i++)
				if (os_pindex_lookup(&obj->pages, run + i) ==
				    ma[i])
					os_page_flags_set(ma[i], VM_PG_DIRTY);
			vm_object_unlock(obj);
		}
		for (i = 0; i < n; i++)
			os_page_unhold(ma[i]);
	}
	if (!(flags & (VM_CLEAN_INVALIDATE | VM_CLEAN_NOWRITE)))
		return err;
	/* MS_INVALIDATE: the clean pages go; the next access reads again */
	vm_object_lock(obj);
	idx = start;
	while (obj->resident_count &&
	       (m = os_pindex_next(&obj->pages, &idx, last)) != NULL) {
		if (!(os_page_flags(m) & (VM_PG_DIRTY | VM_PG_BUSY))) {
			vm_object_page_take(obj, idx);
			vm_page_free_unmapped(m);
		}
		if (idx == last)
			break;
		idx++;
	}
	vm_object_unlock(obj);
	return err;
}

struct vm_sync_ent {
	struct vm_object *obj;		/* referenced */
	vm_pindex_t start, end;
};

struct vm_sync {
	int n;
	int flags;			/* VM_CLEAN_* */
	struct vm_sync_ent ent[];
};

/*
 * The pager object at the bottom of e's chain and the window [*s, *t)
 * (addresses) in its index, referenced; NULL if the bottom has no pager.
 * Map locked.
 */
static struct vm_object *vm_sync_bottom(struct vm_map_entry *e,
					vm_offset_t s, vm_offset_t t,
					vm_pindex_t *startp)
{
	struct vm_object *o = e->object, *next;
	vm_pindex_t pindex;
	int depth = 0;

	if (!o)
		return NULL;
	pindex = OFF_TO_IDX(e->offset + (s - e->start));
	vm_object_lock_depth(o, 0);
	while ((next = o->backing_object) != NULL) {
		pindex += OFF_TO_IDX(o->backing_object_offset);
		vm_object_lock_depth(next, ++depth);
		vm_object_unlock(o);
		o = next;
	}
	if (!o->pager) {
		vm_object_unlock(o);
		return NULL;
	}
	vm_object_reference_locked(o);
	vm_object_unlock(o);
	*startp = pindex;
	(void)t;
	return o;
}

int vm_msync(struct vm_space *vs, vm_offset_t addr, vm_size_t len, int flags,
	     struct vm_sync **syncp)
{
	struct vm_map *map = &vs->map;
	struct vm_map_entry *e, *first, *next;
	struct vm_sync *sync;
	vm_offset_t start, end;
	vm_size_t pageoff;
	int n = 0, err = 0;

	*syncp = NULL;
	if (flags & ~(BSD_MS_ASYNC | BSD_MS_INVALIDATE))
		return EINVAL;
	if ((flags & (BSD_MS_ASYNC | BSD_MS_INVALIDATE)) ==
	    (BSD_MS_ASYNC | BSD_MS_INVALIDATE))
		return EINVAL;
	pageoff = addr & OS_PAGE_MASK;
	start = addr - pageoff;
	end = start;
	if (len) {
		len += pageoff;
		if (len < pageoff || round_page(len) < len)
			return EINVAL;
		end = start + round_page(len);
		if (end < start)
			return EINVAL;
	}
	if (!vm_map_range_valid(map, start, end))
		return ENOMEM;
	os_rwlock_rlock(&map->lock);
	if (!vm_map_lookup_entry(map, start, &first)) {
		err = ENOMEM;
		goto out;
	}
	if (start == end) {
		/* length 0: the whole entry (FreeBSD's vm_map_sync) */
		start = first->start;
		end = first->end;
	}
	for (e = first; e && e->start < end; e = next) {
		next = vm_map_entry_succ(map, e);
		if (end > e->end && (!next || next->start != e->end)) {
			err = ENOMEM;	/* a hole */
			goto out;
		}
		n++;
	}
	sync = os_malloc(sizeof(*sync) + (size_t)n * sizeof(sync->ent[0]));
	if (!sync) {
		err = ENOMEM;
		goto out;
	}
	sync->n = 0;
	sync->flags = (flags & BSD_MS_ASYNC) ? 0 : VM_CLEAN_SYNC;
	if (flags & BSD_MS_INVALIDATE)
		sync->flags |= VM_CLEAN_INVALIDATE;
	for (e = first; e && e->start < end; e = vm_map_entry_succ(map, e)) {
		vm_offset_t s = start > e->start ? start : e->start;
		vm_offset_t t = end < e->end ? end : e->end;
		struct vm_sync_ent *se = &sync->ent[sync->n];

		if (e->eflags & MAP_ENTRY_GUARD)
			continue;
		se->obj = vm_sync_bottom(e, s, t, &se->start);
		if (!se->obj)
			continue;
		se->end = se->start + atop(t - s);
		sync->n++;
	}
	if (sync->n)
		*syncp = sync;
	else
		os_free(sync);
out:
	os_rwlock_runlock(&map->lock);
	return err;
}

int vm_sync_run(struct vm_sync *sync)
{
	int i, err = 0;

	if (!sync)
		return 0;
	for (i = 0; i < sync->n; i++) {
		struct vm_sync_ent *se = &sync->ent[i];

		if (vm_object_page_clean(se->obj, se->start, se->end,
					 sync->flags))
			err = EIO;
		vm_object_deallocate(se->obj);
	}
	os_free(sync);
	return err;
}
