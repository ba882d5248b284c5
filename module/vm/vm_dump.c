// SPDX-License-Identifier: GPL-2.0
/*
 * vm_dump.c - print a space: one line per map entry (FreeBSD's
 * procstat -v columns), then one line per object reachable from the
 * entries, top of each chain first.  Format: Documentation/tracing.rst.
 *
 * Locking: the map lock shared for the whole dump (the entries cannot
 * change, and each entry's reference keeps its first object alive; a
 * reference from the level above keeps each backing object alive).  Along
 * a chain, objects are locked top-down with vm_object_lock_depth(), as
 * vm_fault does: pass 1 holds a chain's top VM_DUMP_MAX_DEPTH objects at
 * once (residency looks through them), pass 2 goes hand over hand.
 * Shadow links may still shorten (collapse, bypass) between the passes;
 * they never grow under a shared map lock.
 */
#include "vm_dump.h"
#include "vm_map.h"
#include "vm_object.h"

#define DUMP(s, ...)	(s)->printf((s)->ctx, __VA_ARGS__)

/* Objects already printed: an open-addressing set of pointers. */
struct dump_seen {
	struct vm_object **slot;
	size_t mask;
};

/* True if obj was not in the set (it is now, unless the set is full). */
static bool dump_seen_add(struct dump_seen *set, struct vm_object *obj)
{
	size_t i = ((uintptr_t)obj >> 4) * 0x9e3779b97f4a7c15ULL;
	size_t n;

	for (n = 0; n <= set->mask; n++, i++) {
		struct vm_object **s = &set->slot[i & set->mask];

		if (*s == obj)
			return false;
		if (!*s) {
			*s = obj;
			return true;
		}
	}
	return true;	/* full (cannot happen: sized for every level) */
}

static void dump_prot(char *b, vm_prot_t p)
{
	b[0] = (p & VM_PROT_READ) ? 'r' : '-';
	b[1] = (p & VM_PROT_WRITE) ? 'w' : '-';
	b[2] = (p & VM_PROT_EXECUTE) ? 'x' : '-';
	b[3] = '\0';
}

static const char *dump_inherit(int inh)
{
	switch (inh) {
	case BSD_INHERIT_SHARE:
		return "share";
	case BSD_INHERIT_COPY:
		return "copy";
	case BSD_INHERIT_NONE:
		return "none";
	case BSD_INHERIT_ZERO:
		return "zero";
	}
	return "?";
}

static const char *dump_type(const struct vm_object *obj)
{
	if (!obj)
		return "none";
	switch (obj->type) {
	case OBJT_DEFAULT:
		return "anon";
	case OBJT_SWAP:
		return "swap";
	case OBJT_VNODE:
		return "vnode";
	}
	return "other";
}

struct dump_flag {
	unsigned int bit;
	const char *name;
};

static const struct dump_flag dump_eflags[] = {
	{ MAP_ENTRY_COW, "cow" },
	{ MAP_ENTRY_NEEDS_COPY, "nc" },
	{ MAP_ENTRY_GUARD, "guard" },
	{ MAP_ENTRY_STACK_GAP_DN, "gap" },
	{ MAP_ENTRY_GROWS_DOWN, "stack" },
	{ MAP_ENTRY_NOSYNC, "nosync" },
	{ MAP_ENTRY_NOCOREDUMP, "nocore" },
	{ 0, NULL }
};

static const struct dump_flag dump_oflags[] = {
	{ OBJ_ANON, "anon" },
	{ OBJ_ONEMAPPING, "onemap" },
	{ OBJ_DEAD, "dead" },
	{ OBJ_ZEROMAPPED, "zeromapped" },
	{ 0, NULL }
};

/* "a,b,c", or "-" for none; buf holds every name of the table. */
static const char *dump_flags(char *buf, size_t len, unsigned int bits,
			      const struct dump_flag *t)
{
	size_t n = 0;
	const char *p;

	for (; t->name; t++) {
		if (!(bits & t->bit))
			continue;
		if (n && n + 1 < len)
			buf[n++] = ',';
		for (p = t->name; *p && n + 1 < len; p++)
			buf[n++] = *p;
	}
	if (!n)
		buf[n++] = '-';
	buf[n] = '\0';
	return buf;
}

/*
 * Lock the chain from first down; the top VM_DUMP_MAX_DEPTH objects stay
 * locked in chain[] (*held of them), deeper ones are passed hand over
 * hand only to count them.  Returns the depth.
 */
static int dump_chain_lock(struct vm_object *first, struct vm_object **chain,
			   int *held)
{
	struct vm_object *o = first, *next;
	int depth = 1, n = 1;

	vm_object_lock_depth(first, 0);
	chain[0] = first;
	while ((next = o->backing_object) != NULL) {
		vm_object_lock_depth(next, depth);
		if (n < VM_DUMP_MAX_DEPTH)
			chain[n++] = next;
		else if (o != chain[n - 1])
			vm_object_unlock(o);
		o = next;
		depth++;
	}
	if (o != chain[n - 1])
		vm_object_unlock(o);
	*held = n;
	return depth;
}

/*
 * Pages the entry sees resident somewhere in its chain (each page once,
 * from the highest object that has it), like procstat's RES.
 */
static uint64_t dump_entry_resident(struct vm_map_entry *e,
				    struct vm_object **chain, int held)
{
	vm_pindex_t off[VM_DUMP_MAX_DEPTH], npages = atop(e->end - e->start);
	vm_pindex_t idx, last;
	uint64_t res = 0;
	int i, j;

	off[0] = OFF_TO_IDX(e->offset);
	for (i = 1; i < held; i++)
		off[i] = off[i - 1] +
			 OFF_TO_IDX(chain[i - 1]->backing_object_offset);
	for (i = 0; i < held && npages; i++) {
		if (!chain[i]->resident_count)
			continue;
		idx = off[i];
		last = off[i] + npages - 1;
		while (os_pindex_next(&chain[i]->pages, &idx, last)) {
			for (j = 0; j < i; j++)
				if (os_pindex_lookup(&chain[j]->pages,
						     off[j] + idx - off[i]))
					break;
			if (j == i)
				res++;
			if (idx == last)
				break;
			idx++;
		}
	}
	return res;
}

static void dump_entry(const struct vm_dump_sink *s, struct vm_map_entry *e)
{
	struct vm_object *chain[VM_DUMP_MAX_DEPTH];
	char prot[4], max[4], flags[64];
	uint64_t res = 0;
	int depth = 0, held, i;

	if (e->object) {
		depth = dump_chain_lock(e->object, chain, &held);
		res = dump_entry_resident(e, chain, held);
		for (i = held - 1; i >= 0; i--)
			vm_object_unlock(chain[i]);
	}
	dump_prot(prot, e->protection);
	dump_prot(max, e->max_protection);
	DUMP(s, "entry 0x%llx 0x%llx %s/%s %s %s %llu %s 0x%llx %llu %d\n",
	     (unsigned long long)e->start, (unsigned long long)e->end,
	     prot, max, dump_inherit(e->inheritance),
	     dump_flags(flags, sizeof(flags), e->eflags, dump_eflags),
	     (unsigned long long)(e->object ? e->object->id : 0),
	     dump_type(e->object), (unsigned long long)e->offset,
	     (unsigned long long)res, depth);
}

/* obj locked. */
static void dump_object(const struct vm_dump_sink *s, struct vm_object *obj)
{
	vm_pindex_t idx = 0;
	uint64_t dirty = 0;
	vm_page_t m;
	char flags[64];

	while (obj->resident_count &&
	       (m = os_pindex_next(&obj->pages, &idx, ~(vm_pindex_t)0))) {
		if (os_page_flags(m) & VM_PG_DIRTY)
			dirty++;
		if (idx == ~(vm_pindex_t)0)
			break;
		idx++;
	}
	DUMP(s, "object %llu %s %d %d %llu 0x%llx %llu %llu %llu %s",
	     (unsigned long long)obj->id, dump_type(obj), obj->ref_count,
	     obj->shadow_count,
	     (unsigned long long)(obj->backing_object ?
				  obj->backing_object->id : 0),
	     (unsigned long long)obj->backing_object_offset,
	     (unsigned long long)obj->size,
	     (unsigned long long)obj->resident_count,
	     (unsigned long long)dirty,
	     dump_flags(flags, sizeof(flags), obj->flags, dump_oflags));
	if (s->object_extra)
		s->object_extra(s->ctx, obj);
	DUMP(s, "\n");
}

/* Print every object of e's chain not printed yet; returns how many. */
static int dump_chain_objects(const struct vm_dump_sink *s,
			      struct dump_seen *seen, struct vm_object *first)
{
	struct vm_object *o = first, *next;
	int depth = 1, n = 0;

	vm_object_lock_depth(o, 0);
	for (;;) {
		if (dump_seen_add(seen, o)) {
			dump_object(s, o);
			n++;
		}
		next = o->backing_object;
		if (next)
			vm_object_lock_depth(next, depth++);
		vm_object_unlock(o);
		if (!next)
			return n;
		o = next;
	}
}

int vm_dump_space(struct vm_space *vs, const struct vm_dump_sink *s)
{
	struct vm_map *map = &vs->map;
	struct vm_map_entry *e;
	struct dump_seen seen;
	size_t levels = 0, size;
	int nobjects = 0;

	os_rwlock_rlock(&map->lock);
	for (e = vm_map_entry_first(map); e; e = vm_map_entry_succ(map, e)) {
		if (!e->object)
			continue;
		vm_object_lock_depth(e->object, 0);
		levels += (size_t)vm_object_chain_depth(e->object);
		vm_object_unlock(e->object);
	}
	for (size = 16; size < 2 * levels; size *= 2)
		;
	seen.mask = size - 1;
	seen.slot = os_zalloc(size * sizeof(*seen.slot));
	if (!seen.slot) {
		os_rwlock_runlock(&map->lock);
		return ENOMEM;
	}
	DUMP(s, "map 0x%llx 0x%llx entries %d size %llu brk 0x%llx 0x%llx\n",
	     (unsigned long long)map->min_offset,
	     (unsigned long long)map->max_offset, map->nentries,
	     (unsigned long long)map->size, (unsigned long long)vs->daddr,
	     (unsigned long long)vs->dbreak);
	DUMP(s, "# entry START END PROT/MAX INHERIT FLAGS OBJECT TYPE OFFSET RESIDENT DEPTH\n");
	for (e = vm_map_entry_first(map); e; e = vm_map_entry_succ(map, e))
		dump_entry(s, e);
	DUMP(s, "# object ID TYPE REF SHADOWS BACKING BACKING_OFFSET SIZE RESIDENT DIRTY FLAGS\n");
	for (e = vm_map_entry_first(map); e; e = vm_map_entry_succ(map, e))
		if (e->object)
			nobjects += dump_chain_objects(s, &seen, e->object);
	DUMP(s, "end entries %d objects %d\n", map->nentries, nobjects);
	os_rwlock_runlock(&map->lock);
	os_free(seen.slot);
	return 0;
}
