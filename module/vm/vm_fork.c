// SPDX-License-Identifier: GPL-2.0
/*
 * vm_fork.c - vmspace_fork: the child's map, entry by entry, per
 * inheritance (FreeBSD's vmspace_fork; bsd-semantics.md 2.4).
 *
 *   NONE   the child gets nothing there.
 *   SHARE  both reference the same object.  A private entry still waiting
 *          for its copy (NEEDS_COPY) gets its shadow first, so that parent
 *          and child share one copy-on-write layer.
 *   COPY   both entries become NEEDS_COPY on the same object; the parent's
 *          writable mappings are lowered to read-only first, so neither
 *          side can write a page the other still sees.  If the host has
 *          a page of the entry pinned for I/O, the child gets copies now
 *          instead (vm_fork_copy_pinned).
 *   ZERO   the child gets a fresh, empty entry of the same protection.
 * Guard entries are copied (ZERO included), never made accessible.
 *
 * The parent's map is write-locked throughout, so none of its faults can
 * map a page writable while its entries are being marked.
 */
#include "vm_map.h"
#include "vm_object.h"
#include "pmap.h"

static int vm_fork_share(struct vm_space *parent, struct vm_map_entry *old,
			 struct vm_map_entry *e)
{
	struct vm_map *map = &parent->map;
	struct vm_object *obj = old->object;
	bool may_map_zero_page;

	/*
	 * The parent may have the shared zero page mapped where its chain
	 * was private to it (vm_fault marks the object); once the object is
	 * shared, the child's writes must show through, so drop the parent's
	 * mappings of the range (they refault).
	 */
	may_map_zero_page = !obj;
	if (obj) {
		vm_object_lock(obj);
		may_map_zero_page = obj->flags & OBJ_ZEROMAPPED;
		vm_object_unlock(obj);
	}
	if (!obj) {
		obj = vm_object_allocate_anon(atop(old->end - old->start));
		if (!obj)
			return ENOMEM;
		old->object = obj;
		old->offset = 0;
	} else if (old->eflags & MAP_ENTRY_NEEDS_COPY) {
		if (vm_object_shadow(&old->object, &old->offset,
				     old->end - old->start, parent))
			return ENOMEM;
		old->eflags &= ~MAP_ENTRY_NEEDS_COPY;
		obj = old->object;
	}
	if (may_map_zero_page)
		pmap_remove(map->pmap, old->start, old->end);
	vm_object_lock(obj);
	vm_object_reference_locked(obj);
	obj->flags &= ~OBJ_ONEMAPPING;
	vm_object_unlock(obj);
	e->object = obj;
	e->offset = old->offset;
	e->eflags = old->eflags;
	return 0;
}

/*
 * Copy obj's (locked) pages of [first, first + n) into to (locked), at
 * pindex - first.
 */
static int vm_fork_copy_pages(struct vm_object *obj, vm_pindex_t first,
			      vm_pindex_t n, struct vm_object *to)
{
	unsigned long long idx = first;
	vm_page_t m, c;

	os_mutex_assert_held(&obj->lock);
	os_mutex_assert_held(&to->lock);
	while ((m = os_pindex_next(&obj->pages, &idx, first + n - 1))) {
		c = os_page_alloc(false);
		if (!c)
			return ENOMEM;
		os_page_copy(c, m);
		if (vm_object_page_insert(to, idx - first, c)) {
			os_page_free(c);
			return ENOMEM;
		}
		vm_stat_pages(1);
		idx++;
	}
	return 0;
}

/*
 * A write pin (direct I/O in flight, an io_uring fixed buffer) holds a
 * page of an anonymous object only the parent maps: the device writes
 * there, so the page must stay the parent's.  The usual copy-on-write
 * would move the parent's next write to a copy and leave the pinned
 * page, and what the device writes, to the child.  So, as FreeBSD's
 * vm_fault_copy_entry() does for a wired entry, the child gets its own
 * object now: a copy of each page obj holds in the range, over obj's
 * backing object, which both then see read-only.  The parent keeps obj
 * and its writable mappings.  Returns ENOMEM or 0; false *done: no pin.
 */
static int vm_fork_copy_pinned(struct vm_space *parent,
			       struct vm_map_entry *old,
			       struct vm_map_entry *e, bool *done)
{
	struct vm_object *obj = old->object, *backing, *c;
	vm_pindex_t first = OFF_TO_IDX(old->offset);
	vm_pindex_t n = atop(old->end - old->start);
	vm_ooffset_t off;
	int err;

	*done = false;
	vm_object_lock(obj);
	/*
	 * Only for an object the parent alone maps: where others share it,
	 * BSD moves the parent's later writes to a shadow of its own anyway
	 * (NEEDS_COPY), and the pinned page stays with the sharers.
	 */
	if (!(obj->flags & OBJ_ANON) || !(obj->flags & OBJ_ONEMAPPING) ||
	    obj->pager || (old->eflags & MAP_ENTRY_NEEDS_COPY) ||
	    !vm_object_page_any(obj, first, n, os_page_pinned)) {
		vm_object_unlock(obj);
		return 0;
	}
	backing = obj->backing_object;
	off = obj->backing_object_offset + old->offset;
	if (backing) {
		/* the shadow's link; one level down the chain from obj */
		vm_object_lock_depth(backing, 1);
		vm_object_reference_locked(backing);
		vm_object_unlock(backing);
	}
	vm_object_unlock(obj);
	/*
	 * A shadow of backing (our reference is its link), or with no
	 * backing a fresh object.  The parent's map is write-locked, so no
	 * fault of its changes obj's pages meanwhile.
	 */
	c = backing;
	if (vm_object_shadow(&c, &off, old->end - old->start, parent)) {
		if (backing)
			vm_object_deallocate(backing);
		return ENOMEM;
	}
	vm_object_lock(obj);
	vm_object_lock_depth(c, 1);
	err = vm_fork_copy_pages(obj, first, n, c);
	vm_object_unlock(c);
	vm_object_unlock(obj);
	if (err) {
		vm_object_deallocate(c);
		return err;
	}
	e->object = c;
	e->offset = off;
	e->eflags = old->eflags & ~MAP_ENTRY_NEEDS_COPY;
	*done = true;
	return 0;
}

/* pins: the pmap may map pinned pages (else no page is looked at) */
static int vm_fork_copy(struct vm_space *parent, struct vm_map_entry *old,
			struct vm_map_entry *e, bool pins)
{
	struct vm_object *obj = old->object;
	bool done = false;
	int err;

	if (!obj) {
		/* Nothing touched yet: each side zero-fills its own. */
		e->eflags &= ~MAP_ENTRY_NEEDS_COPY;
		return 0;
	}
	err = pins ? vm_fork_copy_pinned(parent, old, e, &done) : 0;
	if (err || done)
		return err;
	vm_object_lock(obj);
	vm_object_collapse(obj, parent);
	vm_object_reference_locked(obj);
	obj->flags &= ~OBJ_ONEMAPPING;
	vm_object_unlock(obj);
	if ((old->protection & VM_PROT_WRITE) &&
	    !(old->eflags & MAP_ENTRY_NEEDS_COPY))
		pmap_protect(parent->map.pmap, old->start, old->end,
			     old->protection & ~VM_PROT_WRITE);
	old->eflags |= MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY;
	e->eflags = old->eflags;
	e->object = obj;
	e->offset = old->offset;
	return 0;
}

int vmspace_fork(struct vm_space *parent, struct pmap *child_pmap,
		 struct vm_space **childp)
{
	struct vm_map *map = &parent->map;
	struct vm_map_entry *old, *e, *last = NULL;
	struct vm_space *child;
	int err = 0, by_inh[4] = { 0 };	/* parent entries by inheritance */
	bool pins = pmap_has_pinned(map->pmap);

	*childp = NULL;
	child = vmspace_alloc(map->min_offset, map->max_offset, child_pmap);
	if (!child)
		return ENOMEM;
	child->map.max_prot = map->max_prot;
	os_rwlock_wlock(&map->lock);
	child->daddr = parent->daddr;
	child->dbreak = parent->dbreak;
	for (old = vm_map_entry_first(map); old;
	     old = vm_map_entry_succ(map, old)) {
		by_inh[old->inheritance & 3]++;
		if (old->inheritance == BSD_INHERIT_NONE)
			continue;
		e = vm_map_entry_clone(old);
		if (!e) {
			err = ENOMEM;
			break;
		}
		e->object = NULL;
		if (old->eflags & MAP_ENTRY_GUARD) {
			/* copied as is, whatever the inheritance */
		} else if (old->inheritance == BSD_INHERIT_SHARE) {
			err = vm_fork_share(parent, old, e);
		} else if (old->inheritance == BSD_INHERIT_COPY) {
			err = vm_fork_copy(parent, old, e, pins);
		} else {
			/* ZERO: same protection, nothing inside */
			e->eflags &= ~MAP_ENTRY_NEEDS_COPY;
			e->offset = 0;
			if (e->cred) {
				os_cred_rele(e->cred);	/* no file behind it */
				e->cred = NULL;
			}
		}
		if (err) {
			vm_map_entry_dispose(e);
			break;
		}
		vm_map_entry_link(&child->map, last, e);
		last = e;
	}
	os_rwlock_wunlock(&map->lock);
	if (err) {
		vmspace_free(child);
		return err;
	}
	vm_stat_event(parent, VM_EV_FORKS);
	os_trace_fork(by_inh[0] + by_inh[1] + by_inh[2] + by_inh[3],
		      by_inh[BSD_INHERIT_SHARE],
		      by_inh[BSD_INHERIT_COPY], by_inh[BSD_INHERIT_ZERO],
		      by_inh[BSD_INHERIT_NONE]);
	*childp = child;
	return 0;
}
