// SPDX-License-Identifier: GPL-2.0
/*
 * vm_check.c - invariant checks for tests (the model checker runs them
 * after every operation).  They assume a quiescent core: no fault or map
 * operation running on another thread.
 */
#include "vm_map.h"
#include "vm_object.h"

static const char *vm_check_what;
static uint64_t vm_check_a, vm_check_b;

void vm_check_fail(const char *what, uint64_t a, uint64_t b)
{
	vm_check_what = what;
	vm_check_a = a;
	vm_check_b = b;
	os_printf("bsdvm check: %s (%#llx, %#llx)\n", what,
		  (unsigned long long)a, (unsigned long long)b);
}

const char *vm_check_last(uint64_t *a, uint64_t *b)
{
	if (a)
		*a = vm_check_a;
	if (b)
		*b = vm_check_b;
	return vm_check_what;
}

#define FAIL(what, a, b)						\
	do {								\
		vm_check_fail(what, (uint64_t)(a), (uint64_t)(b));	\
		err = EINVAL;						\
		goto out;						\
	} while (0)

/*
 * Entries sorted, disjoint, page aligned and inside the map; the tree
 * finds each of them; counts and sizes agree; flags consistent; every
 * object referenced is alive and large enough for the window.
 */
int vm_map_check(struct vm_map *map)
{
	struct vm_map_entry *e, *prev = NULL;
	struct os_tree_node *n;
	vm_size_t size = 0;
	int count = 0, err = 0;

	os_rwlock_rlock(&map->lock);
	for (e = vm_map_entry_first(map); e;
	     prev = e, e = vm_map_entry_succ(map, e)) {
		count++;
		if (e->start >= e->end || (e->start & OS_PAGE_MASK) ||
		    (e->end & OS_PAGE_MASK))
			FAIL("entry bounds", e->start, e->end);
		if (e->start < map->min_offset || e->end > map->max_offset)
			FAIL("entry outside map", e->start, e->end);
		if (prev && prev->end > e->start)
			FAIL("entries overlap or unsorted", prev->end,
			     e->start);
		if (e->link.prev->next != &e->link ||
		    e->link.next->prev != &e->link)
			FAIL("entry list links", e->start, 0);
		n = os_tree_lookup_le(&map->root, e->start);
		if (n != &e->node || n->key != e->start)
			FAIL("tree disagrees at start", e->start, 0);
		n = os_tree_lookup_le(&map->root, e->end - 1);
		if (n != &e->node)
			FAIL("tree disagrees at end", e->end, 0);
		size += e->end - e->start;
		if (e->eflags & MAP_ENTRY_GUARD) {
			if (e->object || e->protection || e->max_protection)
				FAIL("guard entry with object or access",
				     e->start, e->protection);
			continue;
		}
		if (e->protection & ~e->max_protection)
			FAIL("protection above max", e->start, e->protection);
		if ((e->eflags & MAP_ENTRY_NEEDS_COPY) &&
		    (!(e->eflags & MAP_ENTRY_COW) || !e->object))
			FAIL("NEEDS_COPY without COW or object", e->start,
			     e->eflags);
		if (e->inheritance > BSD_INHERIT_ZERO)
			FAIL("bad inheritance", e->start, e->inheritance);
		if (e->object) {
			struct vm_object *o = e->object;

			if (o->ref_count <= 0 || (o->flags & OBJ_DEAD))
				FAIL("entry maps a dead object", e->start,
				     o->ref_count);
			if (e->offset & OS_PAGE_MASK)
				FAIL("unaligned object offset", e->start,
				     e->offset);
			if (!o->pager && OFF_TO_IDX(e->offset) +
			    atop(e->end - e->start) > o->size)
				FAIL("entry window past object end", e->start,
				     o->size);
		}
	}
	if (count != map->nentries)
		FAIL("nentries", count, map->nentries);
	if (size != map->size)
		FAIL("map size", size, map->size);
	if (map->hint) {
		for (e = vm_map_entry_first(map); e && e != map->hint;
		     e = vm_map_entry_succ(map, e))
			;
		if (!e)
			FAIL("stale hint", 0, 0);
	}
out:
	os_rwlock_runlock(&map->lock);
	return err;
}

/*
 * Every live object: reference count equal to the entries and shadows
 * pointing at it (at least that many for pager objects, which hosts may
 * reference), shadow list and count agreeing with the backing pointers,
 * resident count equal to the index contents, no page past the object's
 * end and none busy, ONEMAPPING only without shadows, no cycle, and the
 * global counters equal to what is there.  O(objects + entries + pages).
 */
int vm_object_check_all(void)
{
	struct vm_globals *g = &vm_globals;
	struct vm_object *o, *b;
	struct vm_space *vs;
	struct vm_map_entry *e;
	struct vm_list *l, *s;
	int64_t live = 0, pages = 0, shadows = 0, entries = 0, spaces = 0;
	int err = 0, depth;

	os_mutex_lock(&g->lock);
	vm_list_foreach(l, &g->objects) {
		o = vm_list_entry(l, struct vm_object, all_link);
		o->chk_refs = 0;
		o->chk_depth = 0;
	}
	vm_list_foreach(l, &g->spaces) {
		vs = vm_list_entry(l, struct vm_space, all_link);
		spaces++;
		for (e = vm_map_entry_first(&vs->map); e;
		     e = vm_map_entry_succ(&vs->map, e)) {
			entries++;
			if (e->object)
				e->object->chk_refs++;
		}
	}
	vm_list_foreach(l, &g->objects) {
		o = vm_list_entry(l, struct vm_object, all_link);
		if (o->flags & OBJ_DEAD)
			continue;
		if (o->backing_object)
			o->backing_object->chk_refs++;
	}
	vm_list_foreach(l, &g->objects) {
		vm_pindex_t idx = 0, count = 0, lent = 0;
		vm_page_t m;
		int nshadows = 0;

		o = vm_list_entry(l, struct vm_object, all_link);
		if (o->flags & OBJ_DEAD) {
			if (o->chk_refs)
				FAIL("dead object referenced", o->chk_refs, 0);
			continue;
		}
		live++;
		if (o->pager ? o->ref_count < o->chk_refs :
			       o->ref_count != o->chk_refs)
			FAIL("ref_count != references", o->ref_count,
			     o->chk_refs);
		if (o->ref_count <= 0)
			FAIL("live object without references", o->ref_count,
			     0);
		vm_list_foreach(s, &o->shadow_head) {
			struct vm_object *sh = vm_list_entry(s,
					struct vm_object, shadow_link);

			if (sh->backing_object != o || (sh->flags & OBJ_DEAD))
				FAIL("shadow list member not a shadow",
				     nshadows, 0);
			nshadows++;
		}
		if (nshadows != o->shadow_count)
			FAIL("shadow_count", o->shadow_count, nshadows);
		if ((o->flags & OBJ_ONEMAPPING) && o->shadow_count)
			FAIL("ONEMAPPING object has shadows", o->shadow_count,
			     0);
		if (o->backing_object) {
			shadows++;
			if (o->backing_object->flags & OBJ_DEAD)
				FAIL("backed by a dead object", 0, 0);
			if (o->backing_object_offset & OS_PAGE_MASK)
				FAIL("unaligned backing offset",
				     o->backing_object_offset, 0);
		}
		while ((m = os_pindex_next(&o->pages, &idx,
					   ~(vm_pindex_t)0)) != NULL) {
			count++;
			if (idx >= o->size)
				FAIL("page past object end", idx, o->size);
			if (os_page_flags(m) & VM_PG_BUSY)
				FAIL("busy page at rest", idx, 0);
			if (m == os_zero_page())
				FAIL("zero page in an object", idx, 0);
			if (os_page_flags(m) & VM_PG_LENT) {
				lent++;
				if (!o->pager)
					FAIL("lent page without a pager", idx,
					     0);
				if (os_page_flags(m) & VM_PG_DIRTY)
					FAIL("dirty lent page", idx, 0);
			}
			if (idx == ~(vm_pindex_t)0)
				break;
			idx++;
		}
		if (count != o->resident_count)
			FAIL("resident_count", o->resident_count, count);
		if (lent != o->lent_count)
			FAIL("lent_count", o->lent_count, lent);
		pages += (int64_t)count;
	}
	/* chain depths, memoised; a walk longer than the objects is a cycle */
	vm_list_foreach(l, &g->objects) {
		o = vm_list_entry(l, struct vm_object, all_link);
		if (o->flags & OBJ_DEAD)
			continue;
		depth = 0;
		for (b = o; b && !b->chk_depth; b = b->backing_object)
			if (++depth > live)
				FAIL("cycle in a shadow chain", depth, live);
		depth += b ? b->chk_depth : 0;
		for (b = o; b && !b->chk_depth; b = b->backing_object)
			b->chk_depth = depth--;
		if (o->chk_depth > os_counter_read(&g->max_chain_depth) &&
		    o->chk_depth > 1)
			os_counter_max(&g->max_chain_depth, o->chk_depth);
	}
	if (live != os_counter_read(&g->objects_live))
		FAIL("objects counter", os_counter_read(&g->objects_live),
		     live);
	if (pages != os_counter_read(&g->pages_live))
		FAIL("pages counter", os_counter_read(&g->pages_live), pages);
	if (shadows != os_counter_read(&g->shadows_live))
		FAIL("shadows counter", os_counter_read(&g->shadows_live),
		     shadows);
	if (entries != os_counter_read(&g->entries_live))
		FAIL("entries counter", os_counter_read(&g->entries_live),
		     entries);
	if (spaces != os_counter_read(&g->spaces_live))
		FAIL("spaces counter", os_counter_read(&g->spaces_live),
		     spaces);
out:
	os_mutex_unlock(&g->lock);
	return err;
}
