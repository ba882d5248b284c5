// SPDX-License-Identifier: GPL-2.0
/*
 * vm_mmap.c - the system-call layer: argument checks and errno values as
 * FreeBSD's kern_mmap, kern_munmap, kern_mprotect, kern_minherit,
 * kern_madvise, kern_mincore and kern_break give them (bsd-semantics.md
 * 1.2-1.8), on top of the map operations.
 */
#include "vm_map.h"
#include "vm_object.h"
#include "pmap.h"

/* The flags kern_mmap knows; anything else is EINVAL. */
#define VM_MMAP_KNOWN_FLAGS (BSD_MAP_SHARED | BSD_MAP_PRIVATE |		\
	BSD_MAP_FIXED | BSD_MAP_STACK | BSD_MAP_NOSYNC | BSD_MAP_ANON |	\
	BSD_MAP_EXCL | BSD_MAP_NOCORE | BSD_MAP_PREFAULT_READ |		\
	BSD_MAP_GUARD | BSD_MAP_ALIGNMENT_MASK)

/* Place and insert the mapping; map write-locked.  KERN_*. */
static int vm_mmap_insert(struct vm_space *vs, vm_offset_t *addrp,
			  vm_size_t size, vm_size_t align, bool fixed,
			  bool excl, bool stack, struct vm_object *object,
			  vm_ooffset_t offset, void *cred, vm_prot_t prot,
			  vm_prot_t max, int cow)
{
	struct vm_map *map = &vs->map;
	vm_offset_t addr = *addrp;
	int rv;

	if (fixed) {
		/*
		 * MAP_FIXED replaces whatever is there (guards included);
		 * MAP_EXCL refuses instead: vm_map_insert's KERN_NO_SPACE,
		 * which kern_mmap turns into ENOMEM (FreeBSD's code path;
		 * its manual page says EINVAL).
		 */
		if (!excl && vm_map_delete(map, addr, addr + size))
			return KERN_RESOURCE_SHORTAGE;
	} else {
		if (vm_map_findspace(map, addr, size, align, map->min_offset,
				     map->max_offset, &addr) &&
		    (!addr || vm_map_findspace(map, 0, size, align,
					       map->min_offset,
					       map->max_offset, &addr)))
			return KERN_NO_SPACE;
	}
	if (stack)
		rv = vm_map_stack(map, addr, size, prot, max, cow);
	else
		rv = vm_map_insert(map, object, offset, cred, addr,
				   addr + size, prot, max, cow);
	if (rv == KERN_SUCCESS)
		*addrp = addr;
	return rv;
}

int vm_mmap(struct vm_space *vs, const struct vm_mmap_req *req,
	    vm_offset_t *addrp)
{
	struct vm_map *map = &vs->map;
	struct vm_object *object = req->object, *anon = NULL;
	int prot = req->prot, flags = req->flags, cow = 0, rv;
	vm_prot_t max_prot;
	vm_size_t size = req->len, pageoff, align = OS_PAGE_SIZE;
	vm_ooffset_t pos = req->offset;
	vm_offset_t addr = req->addr;
	unsigned int alflag;

	if (prot & ~(BSD_PROT_ALL | BSD_PROT_MAX(BSD_PROT_ALL)))
		return EINVAL;
	max_prot = BSD_PROT_MAX_EXTRACT(prot);
	prot = BSD_PROT_EXTRACT(prot);
	if (max_prot && (max_prot & prot) != prot)
		return ENOTSUP;
	if (!max_prot)
		max_prot = BSD_PROT_ALL;
	if (size == 0 || ((flags & BSD_MAP_ANON) && (object || pos)))
		return EINVAL;
	if (flags & BSD_MAP_STACK) {
		if (object || (prot & (BSD_PROT_READ | BSD_PROT_WRITE)) !=
		    (BSD_PROT_READ | BSD_PROT_WRITE))
			return EINVAL;
		flags |= BSD_MAP_ANON;
		pos = 0;
	}
	if (flags & ~VM_MMAP_KNOWN_FLAGS)
		return EINVAL;
	if ((flags & (BSD_MAP_EXCL | BSD_MAP_FIXED)) == BSD_MAP_EXCL)
		return EINVAL;
	if ((flags & (BSD_MAP_SHARED | BSD_MAP_PRIVATE)) ==
	    (BSD_MAP_SHARED | BSD_MAP_PRIVATE))
		return EINVAL;
	if ((flags & BSD_MAP_GUARD) &&
	    (prot != BSD_PROT_NONE || object || pos ||
	     (flags & ~(BSD_MAP_FIXED | BSD_MAP_GUARD | BSD_MAP_EXCL |
			BSD_MAP_ALIGNMENT_MASK))))
		return EINVAL;
	/* No object and no MAP_ANON: the host had no descriptor to give. */
	if (!object && !(flags & (BSD_MAP_ANON | BSD_MAP_GUARD)))
		return EINVAL;
	/* A file mapping must say how it is shared. */
	if (object && !(flags & (BSD_MAP_SHARED | BSD_MAP_PRIVATE)))
		return EINVAL;

	pageoff = pos & OS_PAGE_MASK;
	pos -= pageoff;
	size += pageoff;
	if (round_page(size) < size)
		return EINVAL;
	size = round_page(size);

	alflag = (unsigned int)flags & BSD_MAP_ALIGNMENT_MASK;
	if (alflag) {
		unsigned int n = alflag >> BSD_MAP_ALIGNMENT_SHIFT;

		/*
		 * MAP_ALIGNED_SUPER: always superpage aligned here, even
		 * below a superpage's size, where FreeBSD's
		 * pmap_align_superpage leaves the address alone.
		 */
		if (alflag == BSD_MAP_ALIGNED_SUPER) {
			align = VM_SUPERPAGE_SIZE;
		} else {
			if (n >= 64 || n < OS_PAGE_SHIFT)
				return EINVAL;
			align = (vm_size_t)1 << n;
		}
	}
	if (flags & BSD_MAP_FIXED) {
		addr -= pageoff;
		if (addr & OS_PAGE_MASK)
			return EINVAL;
		if (addr + size < addr ||
		    !vm_map_range_valid(map, addr, addr + size))
			return EINVAL;
	} else if (addr < map->min_offset || addr >= map->max_offset) {
		/* a hint outside the space is no hint */
		addr = 0;
	} else {
		addr = trunc_page(addr);
	}

	/* What the object allows (the file's open mode) bounds it all. */
	if (prot & ~req->maxprot_limit)
		return EACCES;
	max_prot &= req->maxprot_limit;
	/* W^X as the host's mmap(2) has it (Linux: PR_SET_MDWE) */
	if (os_wx_denied(prot, prot))
		return EACCES;

	if (flags & BSD_MAP_GUARD) {
		cow = MAP_CREATE_GUARD;
		prot = max_prot = VM_PROT_NONE;
		object = NULL;
	} else if (!object) {
		/* vm_map_stack takes no object: a stack gets one on use */
		if ((flags & BSD_MAP_SHARED) && !(flags & BSD_MAP_STACK)) {
			/* shared anonymous memory needs its object now */
			anon = vm_object_allocate_anon(atop(size));
			if (!anon)
				return ENOMEM;
			anon->flags &= ~OBJ_ONEMAPPING;
			object = anon;
			cow = MAP_INHERIT_SHARE;
		} else {
			cow = MAP_COPY_ON_WRITE;
			if (flags & BSD_MAP_SHARED)
				cow |= MAP_INHERIT_SHARE;
		}
	} else {
		cow = (flags & BSD_MAP_SHARED) ? MAP_INHERIT_SHARE :
						 MAP_COPY_ON_WRITE;
	}
	if (flags & BSD_MAP_NOSYNC)
		cow |= MAP_DISABLE_SYNCER;
	if (flags & BSD_MAP_NOCORE)
		cow |= MAP_DISABLE_COREDUMP;

	os_rwlock_wlock(&map->lock);
	rv = vm_mmap_insert(vs, &addr, size, align, flags & BSD_MAP_FIXED,
			    flags & BSD_MAP_EXCL, flags & BSD_MAP_STACK,
			    object, pos, object ? req->cred : NULL, prot,
			    max_prot, cow);
	if (rv == KERN_SUCCESS && object && (flags & BSD_MAP_PREFAULT_READ)) {
		struct vm_map_entry *e;

		if (vm_map_lookup_entry(map, addr, &e))
			vm_map_pmap_enter(map, e, addr, addr + size);
	}
	os_rwlock_wunlock(&map->lock);
	if (rv != KERN_SUCCESS) {
		if (anon)
			vm_object_deallocate(anon);
		return vm_mmap_to_errno(rv);
	}
	*addrp = addr;
	return 0;
}

/*
 * Round [addr, addr + len) out to pages, as kern_munmap, kern_mprotect and
 * kern_minherit do: false if the rounded range wraps.
 */
static bool vm_range_round(vm_offset_t *addr, vm_size_t *len)
{
	vm_size_t pageoff = *addr & OS_PAGE_MASK;
	vm_size_t l = *len + pageoff;

	if (l < pageoff || round_page(l) < l)
		return false;
	l = round_page(l);
	if (*addr - pageoff + l < *addr - pageoff)
		return false;
	*addr -= pageoff;
	*len = l;
	return true;
}

int vm_munmap(struct vm_space *vs, vm_offset_t addr, vm_size_t len)
{
	struct vm_map *map = &vs->map;
	vm_offset_t end;
	int err;

	if (len == 0 || !vm_range_round(&addr, &len))
		return EINVAL;
	end = addr + len;
	if (!vm_map_range_valid(map, addr, end))
		return EINVAL;
	os_rwlock_wlock(&map->lock);
	err = vm_map_delete(map, addr, end);
	os_rwlock_wunlock(&map->lock);
	return err;
}

/*
 * A map operation's KERN_* result as the errno of the call (FreeBSD's
 * vm_mmap_to_errno): KERN_OUT_OF_BOUNDS is a PROT_MAX mismatch.
 */
static int vm_kern_to_errno(int rv)
{
	switch (rv) {
	case KERN_SUCCESS:
		return 0;
	case KERN_PROTECTION_FAILURE:
		return EACCES;
	case KERN_RESOURCE_SHORTAGE:
		return ENOMEM;
	case KERN_OUT_OF_BOUNDS:
		return ENOTSUP;
	}
	return EINVAL;
}

int vm_mprotect(struct vm_space *vs, vm_offset_t addr, vm_size_t len,
		int prot)
{
	vm_prot_t max_prot;
	int flags = VM_MAP_PROTECT_SET_PROT;

	if (prot & ~(BSD_PROT_ALL | BSD_PROT_MAX(BSD_PROT_ALL)))
		return EINVAL;
	max_prot = BSD_PROT_MAX_EXTRACT(prot);
	prot = BSD_PROT_EXTRACT(prot);
	if (!vm_range_round(&addr, &len))
		return EINVAL;
	if (max_prot)
		flags |= VM_MAP_PROTECT_SET_MAXPROT;
	return vm_kern_to_errno(vm_map_protect(&vs->map, addr, addr + len,
					       prot, max_prot, flags));
}

int vm_minherit(struct vm_space *vs, vm_offset_t addr, vm_size_t len,
		int inherit)
{
	if (!vm_range_round(&addr, &len))
		return EINVAL;
	return vm_kern_to_errno(vm_map_inherit(&vs->map, addr, addr + len,
					       inherit));
}

/*
 * madvise: the unrounded range must lie within the space (EINVAL), holes
 * are ignored.  MADV_PROTECT is FreeBSD's "spare this process from the
 * OOM killer" (a procctl, EPERM when unprivileged); bsdvm has no process
 * to protect, so it accepts and ignores it, whatever the range.
 */
int vm_madvise(struct vm_space *vs, vm_offset_t addr, vm_size_t len,
	       int advice)
{
	struct vm_map *map = &vs->map;

	if (advice == BSD_MADV_PROTECT)
		return 0;
	if (!vm_map_range_valid(map, addr, addr + len))
		return EINVAL;
	if (round_page(addr + len) < addr + len)
		return EINVAL;
	return vm_map_madvise(map, trunc_page(addr), round_page(addr + len),
			      advice);
}

/*
 * mincore: this pmap's own bits (pmap_mincore_range), plus the *_OTHER
 * bits of the page this map sees there, from its state over every pmap.
 *
 * Residency is FreeBSD's default (vm.mincore_mapped=1): a page is INCORE
 * when this map has it mapped.  The shared zero page mapped after a read
 * of untouched memory therefore reports INCORE (and REFERENCED once
 * read), like the private zeroed page FreeBSD would have allocated; it
 * never reports *_OTHER, being nobody's data.  A page resident in the
 * map's objects but not mapped here (after fork, before the child touches
 * it) reports 0.
 */

/* The *_OTHER bits of the page e shows at va.  Map read-locked. */
static unsigned char vm_mincore_other(struct vm_map_entry *e, vm_offset_t va)
{
	struct vm_object *o = e->object, *next;
	unsigned char val = 0;
	vm_pindex_t pindex;
	vm_page_t m;
	int depth = 0;

	pindex = OFF_TO_IDX(e->offset) + atop(va - e->start);
	vm_object_lock_depth(o, 0);
	for (;;) {
		m = os_pindex_lookup(&o->pages, pindex);
		next = o->backing_object;
		if (m || !next)
			break;
		pindex += OFF_TO_IDX(o->backing_object_offset);
		vm_object_lock_depth(next, ++depth);
		vm_object_unlock(o);
		o = next;
	}
	if (m) {
		if (pmap_is_referenced(m) ||
		    (os_page_flags(m) & VM_PG_REFERENCED))
			val |= BSD_MINCORE_REFERENCED_OTHER;
		if (pmap_is_modified(m) || (os_page_flags(m) & VM_PG_DIRTY))
			val |= BSD_MINCORE_MODIFIED_OTHER;
	}
	vm_object_unlock(o);
	return val;
}

/*
 * [va, eoff) of entry e, into vec.  A page this pmap has referenced and
 * modified is referenced and modified over every pmap (the zero page is
 * never modified), so only the others look into the objects, as in
 * FreeBSD's pmap_mincore.
 */
static void vm_mincore_entry(struct vm_map *map, struct vm_map_entry *e,
			     vm_offset_t va, vm_offset_t eoff,
			     unsigned char *vec)
{
	const unsigned char both = BSD_MINCORE_REFERENCED |
				   BSD_MINCORE_MODIFIED;
	vm_size_t i, n = atop(eoff - va);

	if (e->eflags & MAP_ENTRY_GUARD) {
		for (i = 0; i < n; i++)
			vec[i] = 0;
		return;
	}
	pmap_mincore_range(map->pmap, va, eoff, vec);
	for (i = 0; i < n; i++) {
		if (!vec[i] || !e->object)
			continue;
		if ((vec[i] & both) == both)
			vec[i] |= BSD_MINCORE_REFERENCED_OTHER |
				  BSD_MINCORE_MODIFIED_OTHER;
		else
			vec[i] |= vm_mincore_other(e, va + ptoa(i));
	}
}

int vm_mincore(struct vm_space *vs, vm_offset_t addr, vm_size_t len,
	       unsigned char *vec)
{
	struct vm_map *map = &vs->map;
	struct vm_map_entry *e;
	vm_offset_t first = trunc_page(addr), end, va;
	int err = 0;

	end = addr + len;
	if (end < addr || round_page(end) < end)
		return ENOMEM;
	end = round_page(end);
	if (first < map->min_offset || end > map->max_offset)
		return ENOMEM;
	os_rwlock_rlock(&map->lock);
	if (!vm_map_lookup_entry(map, first, &e)) {
		err = ENOMEM;
		goto out;
	}
	for (va = first; va < end; va = e->end) {
		vm_offset_t eoff;

		if (va >= e->end) {
			struct vm_map_entry *n = vm_map_entry_succ(map, e);

			if (!n || n->start != e->end) {
				err = ENOMEM;	/* a hole */
				break;
			}
			e = n;
		}
		eoff = end < e->end ? end : e->end;
		vm_mincore_entry(map, e, va, eoff, vec + atop(va - first));
	}
out:
	os_rwlock_runlock(&map->lock);
	return err;
}

/*
 * brk (FreeBSD's kern_break): the break moves in whole pages.  Growing
 * maps anonymous memory after the old break, which vm_map_insert merges
 * into the previous entry and object (vm_object_coalesce); shrinking
 * unmaps.  Past the limit, or into something already mapped: ENOMEM.
 */
int vm_brk(struct vm_space *vs, vm_offset_t newbrk, vm_size_t limit,
	   vm_offset_t *curbrk)
{
	struct vm_map *map = &vs->map;
	vm_offset_t old, new;
	int err = 0, rv;

	os_rwlock_wlock(&map->lock);
	old = vs->dbreak;
	if (newbrk == 0 || newbrk < vs->daddr)
		goto out;
	new = round_page(newbrk);
	if (new < newbrk || new - vs->daddr > limit) {
		err = ENOMEM;
		goto out;
	}
	if (new > old) {
		rv = vm_map_insert(map, NULL, 0, NULL, old, new,
				   VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL,
				   MAP_COPY_ON_WRITE);
		if (rv != KERN_SUCCESS) {
			err = ENOMEM;
			goto out;
		}
	} else if (new < old) {
		err = vm_map_delete(map, new, old);
		if (err)
			goto out;
	}
	vs->dbreak = new;
out:
	*curbrk = vs->dbreak;
	os_rwlock_wunlock(&map->lock);
	return err;
}
