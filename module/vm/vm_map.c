// SPDX-License-Identifier: GPL-2.0
/*
 * vm_map.c - map entries: lookup, clipping, finding space, insertion with
 * coalescing, deletion, protection, inheritance, advice and stacks.
 *
 * Entries sit on a sorted list (iteration) and in an os_tree keyed by
 * their start (lookup); a hint short-cuts repeated lookups.  See
 * vm_map.h for the locking rules.
 */
#include "vm_map.h"
#include "vm_object.h"
#include "vm_pager.h"
#include "pmap.h"

void vm_map_init(struct vm_map *map, struct pmap *pmap, vm_offset_t min,
		 vm_offset_t max)
{
	os_rwlock_init(&map->lock);
	vm_list_init(&map->header);
	os_tree_init(&map->root);
	map->hint = NULL;
	map->min_offset = min;
	map->max_offset = max;
	map->nentries = 0;
	map->size = 0;
	map->pmap = pmap;
	map->max_prot = VM_PROT_ALL;
}

struct vm_map_entry *vm_map_entry_create(void)
{
	struct vm_map_entry *e = os_zalloc(sizeof(*e));

	if (e) {
		vm_list_init(&e->link);
		os_counter_add(&vm_globals.entries_live, 1);
	}
	return e;
}

void vm_map_entry_dispose(struct vm_map_entry *entry)
{
	if (entry->cred)
		os_cred_rele(entry->cred);
	os_counter_add(&vm_globals.entries_live, -1);
	os_free(entry);
}

/* Put entry on the list after 'after' (NULL: first) and in the tree. */
void vm_map_entry_link(struct vm_map *map, struct vm_map_entry *after,
		       struct vm_map_entry *entry)
{
	vm_list_insert_after(after ? &after->link : &map->header,
			     &entry->link);
	os_tree_insert(&map->root, &entry->node, entry->start);
	map->nentries++;
	map->size += entry->end - entry->start;
}

static void vm_map_entry_unlink(struct vm_map *map,
				struct vm_map_entry *entry)
{
	vm_list_remove(&entry->link);
	os_tree_remove(&map->root, &entry->node);
	map->nentries--;
	map->size -= entry->end - entry->start;
	if (map->hint == entry)
		map->hint = NULL;
}

/*
 * Find the entry containing addr: true and *entryp = it; or false and
 * *entryp = the entry before addr (NULL if none).  Map locked either way;
 * the hint is only read here, so readers never write shared state.
 */
bool vm_map_lookup_entry(struct vm_map *map, vm_offset_t addr,
			 struct vm_map_entry **entryp)
{
	struct vm_map_entry *e = map->hint;
	struct os_tree_node *n;

	if (e && addr >= e->start && addr < e->end) {
		*entryp = e;
		return true;
	}
	n = os_tree_lookup_le(&map->root, addr);
	if (!n) {
		*entryp = NULL;
		return false;
	}
	e = container_of(n, struct vm_map_entry, node);
	*entryp = e;
	return addr < e->end;
}

struct vm_map_entry *vm_map_entry_clone(struct vm_map_entry *src)
{
	struct vm_map_entry *e = vm_map_entry_create();

	if (!e)
		return NULL;
	e->start = src->start;
	e->end = src->end;
	e->object = src->object;
	e->offset = src->offset;
	e->eflags = src->eflags;
	e->protection = src->protection;
	e->max_protection = src->max_protection;
	e->inheritance = src->inheritance;
	e->behavior = src->behavior;
	e->cred = src->cred;
	if (e->cred)
		os_cred_hold(e->cred);
	return e;
}

/* Split entry so that it starts at addr; the part before is a new entry. */
int vm_map_clip_start(struct vm_map *map, struct vm_map_entry *entry,
		      vm_offset_t addr)
{
	struct vm_map_entry *n;

	if (addr <= entry->start || addr >= entry->end)
		return 0;
	n = vm_map_entry_clone(entry);
	if (!n)
		return ENOMEM;
	n->end = addr;
	/* Rekey the old entry first: tree keys are unique. */
	map->size -= entry->end - entry->start;
	entry->offset += addr - entry->start;
	entry->start = addr;
	os_tree_rekey(&map->root, &entry->node, addr);
	map->size += entry->end - entry->start;
	vm_map_entry_link(map, vm_map_entry_pred(map, entry), n);
	if (n->object)
		vm_object_reference(n->object);
	return 0;
}

/* Split entry so that it ends at addr; the part after is a new entry. */
int vm_map_clip_end(struct vm_map *map, struct vm_map_entry *entry,
		    vm_offset_t addr)
{
	struct vm_map_entry *n;

	if (addr <= entry->start || addr >= entry->end)
		return 0;
	n = vm_map_entry_clone(entry);
	if (!n)
		return ENOMEM;
	n->start = addr;
	n->offset += addr - entry->start;
	map->size -= entry->end - addr;
	entry->end = addr;
	vm_map_entry_link(map, entry, n);
	if (n->object)
		vm_object_reference(n->object);
	return 0;
}

static inline vm_offset_t align_up(vm_offset_t x, vm_size_t align)
{
	return (x + align - 1) & ~(vm_offset_t)(align - 1);
}

static inline vm_offset_t align_down(vm_offset_t x, vm_size_t align)
{
	return x & ~(vm_offset_t)(align - 1);
}

/* Can [a, a + length) aligned up fit below gap_end?  *out = where. */
static bool fit_up(vm_offset_t gap_start, vm_offset_t gap_end,
		   vm_size_t length, vm_size_t align, vm_offset_t *out)
{
	vm_offset_t a = align_up(gap_start, align);

	if (a < gap_start || a > gap_end || gap_end - a < length)
		return false;
	*out = a;
	return true;
}

static bool fit_down(vm_offset_t gap_start, vm_offset_t gap_end,
		     vm_size_t length, vm_size_t align, vm_offset_t *out)
{
	vm_offset_t a;

	if (gap_end - gap_start < length)
		return false;
	a = align_down(gap_end - length, align);
	if (a < gap_start)
		return false;
	*out = a;
	return true;
}

/*
 * Find length free bytes aligned to align (a power of two >= page) within
 * [lo, hi).  hint != 0: the lowest fit at or above hint (FreeBSD's
 * first-fit from the hint); hint == 0: the highest fit (top-down, which
 * leaves the bottom of the space to brk).  Guard entries are entries, so
 * no search lands in one.  0 or ENOMEM.
 */
int vm_map_findspace(struct vm_map *map, vm_offset_t hint, vm_size_t length,
		     vm_size_t align, vm_offset_t lo, vm_offset_t hi,
		     vm_offset_t *addrp)
{
	struct vm_map_entry *e, *prev;
	vm_offset_t gap_start, gap_end;

	if (lo < map->min_offset)
		lo = map->min_offset;
	if (hi > map->max_offset)
		hi = map->max_offset;
	if (!length || hi <= lo || hi - lo < length)
		return ENOMEM;
	if (hint) {
		if (hint < lo)
			hint = lo;
		if (hint >= hi)
			return ENOMEM;
		if (vm_map_lookup_entry(map, hint, &prev))
			gap_start = prev->end;
		else
			gap_start = hint;
		e = prev ? vm_map_entry_succ(map, prev) :
			   vm_map_entry_first(map);
		for (;;) {
			gap_end = e ? e->start : hi;
			if (gap_end > hi)
				gap_end = hi;
			if (gap_start < lo)
				gap_start = lo;
			if (gap_end > gap_start &&
			    fit_up(gap_start, gap_end, length, align, addrp))
				return 0;
			if (!e || e->end >= hi)
				return ENOMEM;
			gap_start = e->end;
			e = vm_map_entry_succ(map, e);
		}
	}
	/* top-down: walk gaps from the highest one */
	e = vm_map_entry_last(map);
	gap_end = hi;
	for (;;) {
		while (e && e->start >= gap_end) {
			if (e->end < gap_end)
				gap_end = e->end;
			e = vm_map_entry_pred(map, e);
		}
		gap_start = e ? e->end : lo;
		if (gap_start < lo)
			gap_start = lo;
		if (gap_end > gap_start &&
		    fit_down(gap_start, gap_end, length, align, addrp))
			return 0;
		if (!e || e->start <= lo)
			return ENOMEM;
		gap_end = e->start;
		e = vm_map_entry_pred(map, e);
	}
}

/*
 * Map [start, end) of object at offset (NULL: anonymous, allocated on
 * first touch).  Fails with KERN_NO_SPACE if anything is mapped there.
 * An anonymous insertion right after a compatible anonymous entry extends
 * that entry (and its object, vm_object_coalesce) instead: brk relies on
 * this.  On success the entry owns the caller's object reference and
 * holds cred (NULL: none) itself.
 */
int vm_map_insert(struct vm_map *map, struct vm_object *object,
		  vm_ooffset_t offset, void *cred, vm_offset_t start,
		  vm_offset_t end, vm_prot_t prot, vm_prot_t max, int cow)
{
	struct vm_map_entry *prev, *next, *e;
	uint16_t eflags = 0;
	uint8_t inh;

	os_rwlock_assert_wlocked(&map->lock);
	if (start >= end || start < map->min_offset || end > map->max_offset)
		return KERN_INVALID_ADDRESS;
	if (vm_map_lookup_entry(map, start, &prev))
		return KERN_NO_SPACE;
	next = prev ? vm_map_entry_succ(map, prev) : vm_map_entry_first(map);
	if (next && next->start < end)
		return KERN_NO_SPACE;
	if (cow & MAP_CREATE_GUARD) {
		eflags = MAP_ENTRY_GUARD;
		if (cow & MAP_CREATE_STACK_GAP_DN)
			eflags |= MAP_ENTRY_STACK_GAP_DN;
		object = NULL;
		cred = NULL;
		prot = max = VM_PROT_NONE;
	} else {
		/* the host's bound: EACCES, as prot beyond the file's */
		max &= map->max_prot;
		if (prot & ~max)
			return KERN_PROTECTION_FAILURE;
		if (cow & MAP_COPY_ON_WRITE) {
			eflags |= MAP_ENTRY_COW;
			if (object)
				eflags |= MAP_ENTRY_NEEDS_COPY;
		}
		if (cow & MAP_STACK_GROWS_DOWN)
			eflags |= MAP_ENTRY_GROWS_DOWN;
		if (cow & MAP_DISABLE_SYNCER)
			eflags |= MAP_ENTRY_NOSYNC;
		if (cow & MAP_DISABLE_COREDUMP)
			eflags |= MAP_ENTRY_NOCOREDUMP;
	}
	inh = (cow & MAP_INHERIT_SHARE) ? BSD_INHERIT_SHARE : BSD_INHERIT_COPY;

	if (!object && !cred &&
	    !(eflags & (MAP_ENTRY_GUARD | MAP_ENTRY_GROWS_DOWN)) &&
	    (eflags & MAP_ENTRY_COW) && !(cow & MAP_NO_MERGE) && prev &&
	    !prev->cred && prev->end == start && prev->eflags == eflags &&
	    prev->protection == prot && prev->max_protection == max &&
	    prev->inheritance == inh &&
	    prev->behavior == MAP_ENTRY_BEHAV_NORMAL &&
	    vm_object_coalesce(prev->object, prev->offset,
			       prev->end - prev->start, end - start)) {
		prev->end = end;
		map->size += end - start;
		return KERN_SUCCESS;
	}

	e = vm_map_entry_create();
	if (!e)
		return KERN_RESOURCE_SHORTAGE;
	e->start = start;
	e->end = end;
	e->object = object;
	e->offset = offset;
	e->eflags = eflags;
	e->protection = (uint8_t)prot;
	e->max_protection = (uint8_t)max;
	e->inheritance = inh;
	e->behavior = MAP_ENTRY_BEHAV_NORMAL;
	e->cred = cred;
	if (cred)
		os_cred_hold(cred);
	vm_map_entry_link(map, prev, e);
	map->hint = e;
	return KERN_SUCCESS;
}

/*
 * Release what an unlinked entry held (FreeBSD's vm_map_entry_delete):
 * an anonymous object nobody else maps loses the pages of the range now
 * (nothing else can reach them), and shrinks if the range was its end.
 */
static void vm_map_entry_delete(struct vm_map_entry *entry)
{
	struct vm_object *obj = entry->object;
	vm_pindex_t start, end;

	if (obj) {
		vm_object_lock(obj);
		if ((obj->flags & (OBJ_ANON | OBJ_ONEMAPPING)) ==
		    (OBJ_ANON | OBJ_ONEMAPPING) && obj->ref_count != 1) {
			vm_object_collapse(obj, NULL);
			start = OFF_TO_IDX(entry->offset);
			end = start + atop(entry->end - entry->start);
			vm_object_page_remove(obj, start, end);
			if (end >= obj->size && start < obj->size)
				obj->size = start;
		}
		vm_object_unlock(obj);
		vm_object_deallocate(obj);
	}
	vm_map_entry_dispose(entry);
}

/* Unmap [start, end): holes are fine.  0 or ENOMEM (clip failed). */
int vm_map_delete(struct vm_map *map, vm_offset_t start, vm_offset_t end)
{
	struct vm_map_entry *e, *next;
	int err;

	os_rwlock_assert_wlocked(&map->lock);
	if (start >= end)
		return 0;
	if (vm_map_lookup_entry(map, start, &e)) {
		err = vm_map_clip_start(map, e, start);
		if (err)
			return err;
	} else {
		e = e ? vm_map_entry_succ(map, e) : vm_map_entry_first(map);
	}
	for (; e && e->start < end; e = next) {
		err = vm_map_clip_end(map, e, end);
		if (err)
			return err;
		next = vm_map_entry_succ(map, e);
		if (!(e->eflags & MAP_ENTRY_GUARD))
			pmap_remove(map->pmap, e->start, e->end);
		vm_map_entry_unlink(map, e);
		vm_map_entry_delete(e);
	}
	return 0;
}

void vm_map_remove_all(struct vm_map *map)
{
	struct vm_map_entry *e;

	os_rwlock_assert_wlocked(&map->lock);
	while ((e = vm_map_entry_first(map)) != NULL) {
		if (!(e->eflags & MAP_ENTRY_GUARD))
			pmap_remove(map->pmap, e->start, e->end);
		vm_map_entry_unlink(map, e);
		vm_map_entry_delete(e);
	}
}

/*
 * A grow-down stack of max_ssize bytes at addrbos (FreeBSD's
 * vm_map_stack_locked): the top VM_STACK_GROW_SIZE bytes (at most all but
 * the guard) are mapped now; below them a guard entry marked as a stack
 * gap reserves the rest.  Faults in the gap grow the stack down
 * (vm_map_growstack), never into its lowest VM_STACK_GUARD_PAGES pages.
 */
int vm_map_stack(struct vm_map *map, vm_offset_t addrbos, vm_size_t max_ssize,
		 vm_prot_t prot, vm_prot_t max, int cow)
{
	vm_size_t sgp = (vm_size_t)VM_STACK_GUARD_PAGES * OS_PAGE_SIZE;
	vm_size_t init_ssize = VM_STACK_GROW_SIZE;
	struct vm_map_entry *prev, *next;
	vm_offset_t bot, top;
	int rv;

	os_rwlock_assert_wlocked(&map->lock);
	if (!max_ssize || !vm_map_range_valid(map, addrbos, addrbos + max_ssize))
		return KERN_INVALID_ADDRESS;
	if (sgp >= max_ssize)
		return KERN_INVALID_ARGUMENT;
	if (max_ssize < init_ssize + sgp)
		init_ssize = max_ssize - sgp;
	if (vm_map_lookup_entry(map, addrbos, &prev))
		return KERN_NO_SPACE;
	next = prev ? vm_map_entry_succ(map, prev) : vm_map_entry_first(map);
	if (next && next->start < addrbos + max_ssize)
		return KERN_NO_SPACE;
	top = addrbos + max_ssize;
	bot = top - init_ssize;
	rv = vm_map_insert(map, NULL, 0, NULL, bot, top, prot, max,
			   cow | MAP_STACK_GROWS_DOWN);
	if (rv != KERN_SUCCESS)
		return rv;
	rv = vm_map_insert(map, NULL, 0, NULL, addrbos, bot, VM_PROT_NONE,
			   VM_PROT_NONE, MAP_CREATE_GUARD |
			   MAP_CREATE_STACK_GAP_DN);
	if (rv != KERN_SUCCESS)
		vm_map_delete(map, bot, top);
	return rv;
}

/*
 * A fault at addr hit gap_entry, a stack gap: grow the stack above it
 * down to cover addr, in VM_STACK_GROW_SIZE steps, keeping the guard.
 * Map write-locked.
 */
int vm_map_growstack(struct vm_map *map, vm_offset_t addr,
		     struct vm_map_entry *gap_entry)
{
	vm_size_t sgp = (vm_size_t)VM_STACK_GUARD_PAGES * OS_PAGE_SIZE;
	struct vm_map_entry *stack = vm_map_entry_succ(map, gap_entry);
	vm_size_t grow, max_grow;
	vm_offset_t grow_start;
	int cow;

	os_rwlock_assert_wlocked(&map->lock);
	if (!stack || stack->start != gap_entry->end ||
	    !(stack->eflags & MAP_ENTRY_GROWS_DOWN) ||
	    !(gap_entry->eflags & MAP_ENTRY_STACK_GAP_DN))
		return KERN_FAILURE;
	max_grow = gap_entry->end - gap_entry->start;
	if (max_grow <= sgp)
		return KERN_NO_SPACE;
	max_grow -= sgp;
	grow = stack->start - trunc_page(addr);
	if (grow > max_grow)
		return KERN_NO_SPACE;
	grow = align_up(grow, VM_STACK_GROW_SIZE);
	if (grow > max_grow)
		grow = max_grow;
	grow_start = stack->start - grow;
	map->size -= grow;
	gap_entry->end = grow_start;
	/*
	 * The grown pages are new memory with the default inheritance
	 * (FreeBSD inserts a fresh entry, which merges with the stack only
	 * when their attributes match): a minherit() of the stack before
	 * it grew does not cover them.
	 */
	if (!stack->object && stack->inheritance == BSD_INHERIT_COPY) {
		/* Nothing to keep offsets for: extend the stack itself. */
		map->size += grow;
		stack->start = grow_start;
		os_tree_rekey(&map->root, &stack->node, grow_start);
		return KERN_SUCCESS;
	}
	cow = MAP_STACK_GROWS_DOWN | MAP_NO_MERGE;
	if (stack->eflags & MAP_ENTRY_COW)
		cow |= MAP_COPY_ON_WRITE;
	if (vm_map_insert(map, NULL, 0, NULL, grow_start, grow_start + grow,
			  stack->protection, stack->max_protection, cow) !=
	    KERN_SUCCESS) {
		gap_entry->end = grow_start + grow;
		map->size += grow;
		return KERN_RESOURCE_SHORTAGE;
	}
	return KERN_SUCCESS;
}

/* First entry at or after start, clipped to start; NULL if none. */
static struct vm_map_entry *vm_map_first_clipped(struct vm_map *map,
						 vm_offset_t start, int *err)
{
	struct vm_map_entry *e;

	*err = 0;
	if (vm_map_lookup_entry(map, start, &e)) {
		*err = vm_map_clip_start(map, e, start);
		return e;
	}
	return e ? vm_map_entry_succ(map, e) : vm_map_entry_first(map);
}

/*
 * mprotect (FreeBSD's vm_map_protect): all or nothing, checked before
 * anything changes; guard entries are skipped; holes ignored.  Lowering
 * takes the permission away from the pmap now; raising waits for the next
 * fault.  Copy-on-write entries never map writable while NEEDS_COPY.
 */
int vm_map_protect(struct vm_map *map, vm_offset_t start, vm_offset_t end,
		   vm_prot_t new_prot, vm_prot_t new_maxprot, int flags)
{
	struct vm_map_entry *e, *first;
	vm_prot_t old;
	int err;

	if ((flags & VM_MAP_PROTECT_SET_MAXPROT) &&
	    (new_prot & new_maxprot) != new_prot)
		return KERN_OUT_OF_BOUNDS;
	if (start < map->min_offset)
		start = map->min_offset;
	if (end > map->max_offset)
		end = map->max_offset;
	if (start >= end)
		return KERN_SUCCESS;
	os_rwlock_wlock(&map->lock);
	if (!vm_map_lookup_entry(map, start, &first))
		first = first ? vm_map_entry_succ(map, first) :
				vm_map_entry_first(map);
	for (e = first; e && e->start < end; e = vm_map_entry_succ(map, e)) {
		if (e->eflags & MAP_ENTRY_GUARD)
			continue;
		if (((flags & VM_MAP_PROTECT_SET_PROT) &&
		     ((new_prot & e->max_protection) != new_prot ||
		      os_wx_denied(e->protection, new_prot))) ||
		    ((flags & VM_MAP_PROTECT_SET_MAXPROT) &&
		     (new_maxprot & e->max_protection) != new_maxprot)) {
			os_rwlock_wunlock(&map->lock);
			return KERN_PROTECTION_FAILURE;
		}
	}
	e = vm_map_first_clipped(map, start, &err);
	for (; !err && e && e->start < end; e = vm_map_entry_succ(map, e)) {
		if (e->eflags & MAP_ENTRY_GUARD)
			continue;
		err = vm_map_clip_end(map, e, end);
		if (err)
			break;
		old = e->protection;
		if (flags & VM_MAP_PROTECT_SET_MAXPROT) {
			e->max_protection = (uint8_t)new_maxprot;
			e->protection &= (uint8_t)new_maxprot;
		}
		if (flags & VM_MAP_PROTECT_SET_PROT)
			e->protection = (uint8_t)new_prot;
		/*
		 * A lowering must reach the pmap; so must a raise of
		 * EXECUTE, which some MMUs (x86 under Linux) refuse on a
		 * present mapping before any fault reaches us.
		 */
		if ((old & ~e->protection) ||
		    (e->protection & ~old & VM_PROT_EXECUTE)) {
			vm_prot_t p = e->protection;

			if (e->eflags & MAP_ENTRY_NEEDS_COPY)
				p &= ~VM_PROT_WRITE;
			pmap_protect(map->pmap, e->start, e->end, p);
		}
	}
	os_rwlock_wunlock(&map->lock);
	return err ? KERN_RESOURCE_SHORTAGE : KERN_SUCCESS;
}

/* minherit: bad value EINVAL, holes ignored, ZERO leaves guards alone. */
int vm_map_inherit(struct vm_map *map, vm_offset_t start, vm_offset_t end,
		   vm_inherit_t new_inheritance)
{
	struct vm_map_entry *e;
	int err;

	switch (new_inheritance) {
	case BSD_INHERIT_SHARE:
	case BSD_INHERIT_COPY:
	case BSD_INHERIT_NONE:
	case BSD_INHERIT_ZERO:
		break;
	default:
		return KERN_INVALID_ARGUMENT;
	}
	if (start < map->min_offset)
		start = map->min_offset;
	if (end > map->max_offset)
		end = map->max_offset;
	if (start >= end)
		return KERN_SUCCESS;
	os_rwlock_wlock(&map->lock);
	e = vm_map_first_clipped(map, start, &err);
	for (; !err && e && e->start < end; e = vm_map_entry_succ(map, e)) {
		if ((e->eflags & MAP_ENTRY_GUARD) &&
		    new_inheritance == BSD_INHERIT_ZERO)
			continue;
		err = vm_map_clip_end(map, e, end);
		if (!err)
			e->inheritance = (uint8_t)new_inheritance;
	}
	os_rwlock_wunlock(&map->lock);
	return err ? KERN_RESOURCE_SHORTAGE : KERN_SUCCESS;
}

/*
 * Map entry's resident pages in [start, end) of its first object
 * read-only, with no fault context: MADV_WILLNEED and MAP_PREFAULT_READ.
 * Nothing is read from a pager and nothing below the first object is
 * mapped (FreeBSD's vm_map_pmap_enter); a lending pager's cached pages
 * count as resident (vm_pager_lend_range).  Map locked either way.
 */
void vm_map_pmap_enter(struct vm_map *map, struct vm_map_entry *entry,
		       vm_offset_t start, vm_offset_t end)
{
	struct vm_object *obj = entry->object;
	vm_prot_t prot = entry->protection & ~VM_PROT_WRITE;
	vm_pindex_t base, idx, last;
	vm_page_t m;

	if (!obj || prot == VM_PROT_NONE || start >= end)
		return;
	base = OFF_TO_IDX(entry->offset) - atop(entry->start);
	idx = base + atop(start);
	last = base + atop(end) - 1;
	vm_object_lock(obj);
	if (obj->pager && obj->pager->lendpages)
		vm_pager_lend_range(obj, idx, last,
				    container_of(map, struct vm_space, map));
	while (obj->resident_count &&
	       (m = os_pindex_next(&obj->pages, &idx, last)) != NULL) {
		if (!(os_page_flags(m) & VM_PG_BUSY) &&
		    pmap_enter(map->pmap, ptoa(idx - base), m, prot, NULL))
			break;
		if (idx == last)
			break;
		idx++;
	}
	vm_object_unlock(obj);
}

/*
 * MADV_FREE on one entry: only an anonymous object mapped once and
 * shadowing nothing may lose pages (FreeBSD: vm_object_advice_applies and
 * the backing-object check in vm_map_madvise); elsewhere it is a no-op.
 * The contents afterwards read as zeros, which BSD allows ("old or zero").
 */
static void vm_map_entry_free_pages(struct vm_map *map,
				    struct vm_map_entry *e, vm_offset_t start,
				    vm_offset_t end)
{
	struct vm_object *obj = e->object;
	vm_pindex_t first;

	/*
	 * Also a no-op on an entry still waiting for its copy after a fork:
	 * its pages are the fork-time snapshot even when the other side is
	 * gone (stricter than FreeBSD, which only looks at the object).
	 */
	if (!obj || (e->eflags & MAP_ENTRY_NEEDS_COPY))
		return;
	vm_object_lock(obj);
	if ((obj->flags & (OBJ_ANON | OBJ_ONEMAPPING)) ==
	    (OBJ_ANON | OBJ_ONEMAPPING) && !obj->backing_object &&
	    !obj->pager) {
		first = OFF_TO_IDX(e->offset + (start - e->start));
		pmap_remove(map->pmap, start, end);
		vm_object_page_remove(obj, first, first + atop(end - start));
	}
	vm_object_unlock(obj);
}

/*
 * madvise (FreeBSD's vm_map_madvise): advice that changes entries takes
 * the write lock and clips; advice about pages takes the read lock.
 */
int vm_map_madvise(struct vm_map *map, vm_offset_t start, vm_offset_t end,
		   int behav)
{
	struct vm_map_entry *e;
	vm_offset_t s, t;
	bool modify;
	int err = 0;

	switch (behav) {
	case BSD_MADV_NORMAL:
	case BSD_MADV_SEQUENTIAL:
	case BSD_MADV_RANDOM:
	case BSD_MADV_NOSYNC:
	case BSD_MADV_AUTOSYNC:
	case BSD_MADV_NOCORE:
	case BSD_MADV_CORE:
		modify = true;
		break;
	case BSD_MADV_WILLNEED:
	case BSD_MADV_DONTNEED:
	case BSD_MADV_FREE:
		modify = false;
		break;
	default:
		return EINVAL;
	}
	if (start >= end)
		return 0;
	if (modify) {
		os_rwlock_wlock(&map->lock);
		e = vm_map_first_clipped(map, start, &err);
		for (; !err && e && e->start < end;
		     e = vm_map_entry_succ(map, e)) {
			if (e->eflags & MAP_ENTRY_GUARD)
				continue;
			err = vm_map_clip_end(map, e, end);
			if (err)
				break;
			switch (behav) {
			case BSD_MADV_NORMAL:
				e->behavior = MAP_ENTRY_BEHAV_NORMAL;
				break;
			case BSD_MADV_SEQUENTIAL:
				e->behavior = MAP_ENTRY_BEHAV_SEQUENTIAL;
				break;
			case BSD_MADV_RANDOM:
				e->behavior = MAP_ENTRY_BEHAV_RANDOM;
				break;
			case BSD_MADV_NOSYNC:
				e->eflags |= MAP_ENTRY_NOSYNC;
				break;
			case BSD_MADV_AUTOSYNC:
				e->eflags &= ~MAP_ENTRY_NOSYNC;
				break;
			case BSD_MADV_NOCORE:
				e->eflags |= MAP_ENTRY_NOCOREDUMP;
				break;
			case BSD_MADV_CORE:
				e->eflags &= ~MAP_ENTRY_NOCOREDUMP;
				break;
			}
		}
		os_rwlock_wunlock(&map->lock);
		return err ? ENOMEM : 0;
	}
	os_rwlock_rlock(&map->lock);
	if (!vm_map_lookup_entry(map, start, &e))
		e = e ? vm_map_entry_succ(map, e) : vm_map_entry_first(map);
	for (; e && e->start < end; e = vm_map_entry_succ(map, e)) {
		if (e->eflags & MAP_ENTRY_GUARD)
			continue;
		s = start > e->start ? start : e->start;
		t = end < e->end ? end : e->end;
		switch (behav) {
		case BSD_MADV_WILLNEED:
			vm_map_pmap_enter(map, e, s, t);
			break;
		case BSD_MADV_DONTNEED:
			pmap_advise(map->pmap, s, t, behav);
			break;
		case BSD_MADV_FREE:
			pmap_advise(map->pmap, s, t, behav);
			vm_map_entry_free_pages(map, e, s, t);
			break;
		}
	}
	os_rwlock_runlock(&map->lock);
	return 0;
}

int vm_mmap_to_errno(int rv)
{
	switch (rv) {
	case KERN_SUCCESS:
		return 0;
	case KERN_INVALID_ADDRESS:
	case KERN_NO_SPACE:
	case KERN_RESOURCE_SHORTAGE:
		return ENOMEM;
	case KERN_PROTECTION_FAILURE:
		return EACCES;
	default:
		return EINVAL;
	}
}
