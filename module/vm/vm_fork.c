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
 *          side can write a page the other still sees.
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

static void vm_fork_copy(struct vm_space *parent, struct vm_map_entry *old,
			 struct vm_map_entry *e)
{
	struct vm_object *obj = old->object;

	if (!obj) {
		/* Nothing touched yet: each side zero-fills its own. */
		e->eflags &= ~MAP_ENTRY_NEEDS_COPY;
		return;
	}
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
}

int vmspace_fork(struct vm_space *parent, struct pmap *child_pmap,
		 struct vm_space **childp)
{
	struct vm_map *map = &parent->map;
	struct vm_map_entry *old, *e, *last = NULL;
	struct vm_space *child;
	int err = 0, by_inh[4] = { 0 };	/* parent entries by inheritance */

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
			vm_fork_copy(parent, old, e);
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
