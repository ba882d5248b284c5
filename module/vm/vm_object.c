// SPDX-License-Identifier: GPL-2.0
/*
 * vm_object.c - object life cycle: allocation, references, termination,
 * shadows, page insertion and removal, and coalescing for brk.
 *
 * Collapse and bypass live in vm_collapse.c.  See vm_object.h for what
 * each lock protects.  Nothing here recurses along a chain: deallocate
 * walks down iteratively, releasing one object per step.
 */
#include "vm_object.h"
#include "vm_pager.h"
#include "vm_map.h"
#include "pmap.h"

static struct vm_object *vm_object_alloc_common(int type, vm_pindex_t size)
{
	struct vm_object *obj = os_zalloc(sizeof(*obj));

	if (!obj)
		return NULL;
	os_mutex_init(&obj->lock);
	obj->ref_count = 1;
	obj->hold_count = 1;	/* dropped when the object terminates */
	obj->type = (uint8_t)type;
	obj->size = size;
	vm_list_init(&obj->shadow_head);
	vm_list_init(&obj->shadow_link);
	os_pindex_init(&obj->pages);
	os_mutex_lock(&vm_globals.lock);
	obj->id = ++vm_globals.last_object_id;
	vm_list_insert_tail(&vm_globals.objects, &obj->all_link);
	os_mutex_unlock(&vm_globals.lock);
	os_counter_add(&vm_globals.objects_live, 1);
	return obj;
}

struct vm_object *vm_object_allocate(int type, vm_pindex_t size)
{
	struct vm_object *obj = vm_object_alloc_common(type, size);

	/* A new anonymous object has exactly one mapping, its creator. */
	if (obj && (type == OBJT_DEFAULT || type == OBJT_SWAP))
		obj->flags = OBJ_ANON | OBJ_ONEMAPPING;
	return obj;
}

struct vm_object *vm_object_allocate_anon(vm_pindex_t size)
{
	return vm_object_allocate(OBJT_DEFAULT, size);
}

struct vm_object *vm_pager_allocate(int type, const struct vm_pager_ops *ops,
				    void *handle, vm_pindex_t size)
{
	struct vm_object *obj = vm_object_alloc_common(type, size);

	if (obj) {
		obj->pager = ops;
		obj->handle = handle;
	}
	return obj;
}

void vm_object_hold(struct vm_object *obj)
{
	os_mutex_lock(&vm_globals.lock);
	OS_ASSERT(obj->hold_count > 0);
	obj->hold_count++;
	os_mutex_unlock(&vm_globals.lock);
}

void vm_object_drop(struct vm_object *obj)
{
	bool last;

	os_mutex_lock(&vm_globals.lock);
	OS_ASSERT(obj->hold_count > 0);
	last = --obj->hold_count == 0;
	if (last)
		vm_list_remove(&obj->all_link);
	os_mutex_unlock(&vm_globals.lock);
	if (!last)
		return;
	OS_ASSERT(obj->flags & OBJ_DEAD);
	os_pindex_destroy(&obj->pages);
	os_mutex_destroy(&obj->lock);
	os_free(obj);
}

void vm_object_reference_locked(struct vm_object *obj)
{
	os_mutex_assert_held(&obj->lock);
	OS_ASSERT(obj->ref_count > 0 && !(obj->flags & OBJ_DEAD));
	obj->ref_count++;
}

void vm_object_reference(struct vm_object *obj)
{
	if (!obj)
		return;
	vm_object_lock(obj);
	vm_object_reference_locked(obj);
	vm_object_unlock(obj);
}

/* Page m enters obj at pindex: its pager may name it (vm_pager.h). */
static void vm_object_page_named(struct vm_object *obj, vm_pindex_t pindex,
				 vm_page_t m)
{
	if (obj->pager && obj->pager->page_named &&
	    !(os_page_flags(m) & VM_PG_LENT))
		obj->pager->page_named(obj, pindex, m);
}

/* Pages the host lent (VM_PG_LENT) entering or leaving obj. */
static void vm_object_count_lent(struct vm_object *obj, vm_page_t m, int d)
{
	if (!(os_page_flags(m) & VM_PG_LENT))
		return;
	obj->lent_count += d;
	os_counter_add(&vm_globals.pages_lent_live, d);
}

/* Free a page nobody may map any more (pmap.h's contract first). */
void vm_page_free_unmapped(vm_page_t m)
{
	pmap_page_protect(m, VM_PROT_NONE);
	os_page_flags_clear(m, VM_PG_DIRTY | VM_PG_REFERENCED | VM_PG_BUSY);
	os_page_free(m);
	vm_stat_pages(-1);
	vm_stat_event(NULL, VM_EV_PAGES_FREED);
}

int vm_object_page_insert(struct vm_object *obj, vm_pindex_t pindex,
			  vm_page_t m)
{
	int err;

	os_mutex_assert_held(&obj->lock);
	err = os_pindex_insert(&obj->pages, pindex, m);
	if (err)
		return err;
	obj->resident_count++;
	vm_object_count_lent(obj, m, 1);
	vm_object_page_named(obj, pindex, m);
	return 0;
}

/* Remove the page at pindex from obj's index and return it (or NULL). */
vm_page_t vm_object_page_take(struct vm_object *obj, vm_pindex_t pindex)
{
	vm_page_t m;

	os_mutex_assert_held(&obj->lock);
	m = os_pindex_remove(&obj->pages, pindex);
	if (m) {
		obj->resident_count--;
		vm_object_count_lent(obj, m, -1);
	}
	return m;
}

/*
 * Put m where the resident page at pindex is, and return that page (the
 * caller frees it): a pager's lent page for its busy placeholder, or a
 * copy for a lent page about to be written.  Allocates nothing.
 */
vm_page_t vm_object_page_replace(struct vm_object *obj, vm_pindex_t pindex,
				 vm_page_t m)
{
	vm_page_t old;

	os_mutex_assert_held(&obj->lock);
	old = os_pindex_replace(&obj->pages, pindex, m);
	vm_object_count_lent(obj, old, -1);
	vm_object_count_lent(obj, m, 1);
	vm_object_page_named(obj, pindex, m);
	return old;
}

/* Free the resident pages with index in [start, end); end 0 = no limit. */
void vm_object_page_remove(struct vm_object *obj, vm_pindex_t start,
			   vm_pindex_t end)
{
	vm_pindex_t idx = start, last = end ? end - 1 : ~(vm_pindex_t)0;
	vm_page_t m;

	os_mutex_assert_held(&obj->lock);
	if (end && end <= start)
		return;
	while (obj->resident_count &&
	       (m = os_pindex_next(&obj->pages, &idx, last)) != NULL) {
		/* Busy pages belong to a pager read in flight; skip them. */
		if (!(os_page_flags(m) & VM_PG_BUSY)) {
			vm_object_page_take(obj, idx);
			vm_page_free_unmapped(m);
		}
		if (idx == last)
			break;
		idx++;
	}
}

/*
 * The last reference is going: free the pages, unlink from the backing
 * object, and return the backing object, whose reference the caller drops
 * next.  Called with obj locked and ref_count 1; returns with it unlocked.
 */
static struct vm_object *vm_object_terminate(struct vm_object *obj)
{
	struct vm_object *backing = obj->backing_object;
	const struct vm_pager_ops *pager = obj->pager;

	OS_ASSERT(obj->ref_count == 1 && obj->shadow_count == 0);
	obj->ref_count = 0;
	obj->flags |= OBJ_DEAD;
	if (backing) {
		vm_object_lock_depth(backing, 1);
		vm_list_remove(&obj->shadow_link);
		backing->shadow_count--;
		vm_object_unlock(backing);
		obj->backing_object = NULL;
		os_counter_add(&vm_globals.shadows_live, -1);
	}
	vm_object_page_remove(obj, 0, 0);
	vm_object_unlock(obj);
	if (pager && pager->dealloc)
		pager->dealloc(obj);
	os_counter_add(&vm_globals.objects_live, -1);
	vm_object_drop(obj);
	return backing;
}

/*
 * obj's only reference is now its only shadow: merge the shadow with obj
 * (FreeBSD's vm_object_deallocate_anon).  The shadow's lock comes before
 * obj's, so hold the shadow's memory, drop obj's lock, and take both in
 * order; then check nothing changed meanwhile.  Called with obj locked;
 * returns with it unlocked.
 */
static void vm_object_collapse_sibling(struct vm_object *obj)
{
	struct vm_object *shadow;

	shadow = vm_list_entry(obj->shadow_head.next, struct vm_object,
			       shadow_link);
	vm_object_hold(shadow);
	vm_object_unlock(obj);
	vm_object_lock(shadow);
	if (!(shadow->flags & OBJ_DEAD) && shadow->backing_object == obj)
		vm_object_collapse(shadow, NULL);
	vm_object_unlock(shadow);
	vm_object_drop(shadow);
}

void vm_object_deallocate(struct vm_object *obj)
{
	while (obj) {
		vm_object_lock(obj);
		OS_ASSERT(obj->ref_count > 0);
		if (obj->ref_count > 1) {
			obj->ref_count--;
			if (obj->ref_count == 1 && (obj->flags & OBJ_ANON)) {
				/*
				 * One reference left.  If it is a mapping,
				 * the object has one mapping again; if it is
				 * a shadow, the two can merge.
				 */
				if (obj->shadow_count == 0) {
					obj->flags |= OBJ_ONEMAPPING;
				} else if (obj->shadow_count == 1) {
					vm_object_collapse_sibling(obj);
					return;
				}
			} else if (obj->ref_count == 1 && obj->pager &&
				   obj->pager->lastref) {
				/* only the host's own reference is left */
				obj->pager->lastref(obj);
			}
			vm_object_unlock(obj);
			return;
		}
		obj = vm_object_terminate(obj);
	}
}

/* Is pred true of a page of obj (locked) in [first, first + n)? */
bool vm_object_page_any(struct vm_object *obj, vm_pindex_t first,
			vm_pindex_t n, bool (*pred)(vm_page_t))
{
	unsigned long long idx = first;
	vm_page_t m;

	os_mutex_assert_held(&obj->lock);
	if (!n)
		return false;
	while ((m = os_pindex_next(&obj->pages, &idx, first + n - 1))) {
		if (pred(m))
			return true;
		if (idx == first + n - 1)
			break;
		idx++;
	}
	return false;
}

/*
 * Give the mapping of *objp at *offp (length bytes) a new anonymous shadow
 * (FreeBSD's vm_object_shadow).  The mapping's reference moves to the
 * shadow.  An anonymous object only its caller references needs none:
 * nobody else can see the pages it would protect, unless the host holds
 * one of them from when the object was shared (a pipe's vmsplice before
 * the other side unmapped): that page's bytes must not change, so the
 * shadow is made, and the write copies.  Map write-locked.
 */
int vm_object_shadow(struct vm_object **objp, vm_ooffset_t *offp,
		     vm_size_t length, struct vm_space *vs)
{
	struct vm_object *src = *objp, *s;
	int depth;

	if (src) {
		vm_object_lock(src);
		if ((src->flags & OBJ_ANON) && src->ref_count == 1 &&
		    !vm_object_page_any(src, OFF_TO_IDX(*offp), atop(length),
					os_page_held)) {
			vm_object_unlock(src);
			return 0;
		}
		vm_object_unlock(src);
	}
	s = vm_object_allocate_anon(atop(length));
	if (!s)
		return ENOMEM;
	if (src) {
		vm_object_lock(s);
		vm_object_lock_depth(src, 1);
		s->backing_object = src;
		s->backing_object_offset = *offp;
		vm_list_insert_tail(&src->shadow_head, &s->shadow_link);
		src->shadow_count++;
		src->flags &= ~OBJ_ONEMAPPING;
		/* zero-page mappings made through src now look through s */
		s->flags |= src->flags & OBJ_ZEROMAPPED;
		vm_object_unlock(src);
		depth = vm_object_chain_depth(s);
		vm_object_unlock(s);
		vm_stat_chain_depth(depth);
		os_counter_add(&vm_globals.shadows_live, 1);
		vm_stat_event(vs, VM_EV_SHADOWS_CREATED);
		os_trace_shadow(s->id, src->id, *offp, depth);
	}
	*objp = s;
	*offp = 0;
	return 0;
}

/* Objects in the chain from obj down (obj locked, the rest locked here). */
int vm_object_chain_depth(struct vm_object *obj)
{
	struct vm_object *o = obj, *next;
	int depth = 1;

	while (o->backing_object) {
		next = o->backing_object;
		vm_object_lock_depth(next, depth);
		if (o != obj)
			vm_object_unlock(o);
		o = next;
		depth++;
	}
	if (o != obj)
		vm_object_unlock(o);
	return depth;
}

/*
 * brk and adjacent anonymous mappings: grow prev_object so that it also
 * covers next_size bytes after the prev_size bytes mapped at prev_offset,
 * instead of making a new object (FreeBSD's vm_object_coalesce).  Only an
 * anonymous object that shadows nothing and that nobody else can see past
 * the mapping qualifies.
 */
bool vm_object_coalesce(struct vm_object *prev_object,
			vm_ooffset_t prev_offset, vm_size_t prev_size,
			vm_size_t next_size)
{
	vm_pindex_t next_pindex, npages;

	if (!prev_object)
		return true;
	vm_object_lock(prev_object);
	if (!(prev_object->flags & OBJ_ANON) || prev_object->pager ||
	    prev_object->backing_object) {
		vm_object_unlock(prev_object);
		return false;
	}
	next_pindex = OFF_TO_IDX(prev_offset) + OFF_TO_IDX(prev_size);
	npages = OFF_TO_IDX(next_size);
	if (prev_object->ref_count > 1 && prev_object->size != next_pindex &&
	    !(prev_object->flags & OBJ_ONEMAPPING)) {
		vm_object_unlock(prev_object);
		return false;
	}
	/* Pages left there by an earlier shrink must read as zeros. */
	vm_object_page_remove(prev_object, next_pindex, next_pindex + npages);
	if (next_pindex + npages > prev_object->size)
		prev_object->size = next_pindex + npages;
	vm_object_unlock(prev_object);
	return true;
}
