// SPDX-License-Identifier: GPL-2.0
/*
 * vm_space.c - the core's global state, spaces (a map plus its pmap), and
 * the statistics hosts read.
 */
#include "vm_map.h"
#include "vm_object.h"
#include "pmap.h"

struct vm_globals vm_globals;

int vm_init(void)
{
	struct vm_globals *g = &vm_globals;
	int i;

	if (g->initialised)
		return 0;
	os_mutex_init(&g->lock);
	vm_list_init(&g->objects);
	vm_list_init(&g->spaces);
	/* counters are plain integers underneath: start them at zero */
	for (i = 0; i < VM_EV_NR; i++)
		os_counter_add(&g->ev.ev[i], -os_counter_read(&g->ev.ev[i]));
	os_counter_add(&g->max_chain_depth,
		       -os_counter_read(&g->max_chain_depth));
	os_counter_add(&g->peak_pages, -os_counter_read(&g->peak_pages));
	g->initialised = true;
	return 0;
}

void vm_fini(void)
{
	struct vm_globals *g = &vm_globals;

	if (!g->initialised)
		return;
	OS_ASSERT(vm_list_empty(&g->spaces));
	OS_ASSERT(vm_list_empty(&g->objects));
	os_mutex_destroy(&g->lock);
	g->initialised = false;
}

void vm_stat_event(struct vm_space *vs, enum vm_stat_event ev)
{
	os_counter_add(&vm_globals.ev.ev[ev], 1);
	if (vs)
		os_counter_add(&vs->ev.ev[ev], 1);
}

void vm_stat_pages(int64_t delta)
{
	os_counter_add(&vm_globals.pages_live, delta);
	if (delta > 0)
		os_counter_max(&vm_globals.peak_pages,
			       os_counter_read(&vm_globals.pages_live));
}

/* Restart the peak_pages high-water mark from the pages live now. */
void vm_stats_reset_peak(void)
{
	struct vm_globals *g = &vm_globals;

	os_counter_add(&g->peak_pages, os_counter_read(&g->pages_live) -
		       os_counter_read(&g->peak_pages));
}

void vm_stat_chain_depth(int64_t depth)
{
	os_counter_max(&vm_globals.max_chain_depth, depth);
}

struct vm_space *vmspace_alloc(vm_offset_t min, vm_offset_t max,
			       struct pmap *pmap)
{
	struct vm_space *vs;

	min = round_page(min);
	max = trunc_page(max);
	if (max <= min)
		return NULL;
	vs = os_zalloc(sizeof(*vs));
	if (!vs)
		return NULL;
	vm_map_init(&vs->map, pmap, min, max);
	vs->daddr = min;
	vs->dbreak = min;
	os_mutex_lock(&vm_globals.lock);
	vm_list_insert_tail(&vm_globals.spaces, &vs->all_link);
	os_mutex_unlock(&vm_globals.lock);
	os_counter_add(&vm_globals.spaces_live, 1);
	return vs;
}

/* Bound every entry's max protection by max (before any is mapped). */
void vmspace_limit_prot(struct vm_space *vs, vm_prot_t max)
{
	OS_ASSERT(!vs->map.nentries);
	vs->map.max_prot = max & VM_PROT_ALL;
}

void vmspace_free(struct vm_space *vs)
{
	if (!vs)
		return;
	os_rwlock_wlock(&vs->map.lock);
	vm_map_remove_all(&vs->map);
	os_rwlock_wunlock(&vs->map.lock);
	os_mutex_lock(&vm_globals.lock);
	vm_list_remove(&vs->all_link);
	os_mutex_unlock(&vm_globals.lock);
	os_counter_add(&vm_globals.spaces_live, -1);
	os_rwlock_destroy(&vs->map.lock);
	os_free(vs);
}

struct vm_map *vmspace_map(struct vm_space *vs)
{
	return &vs->map;
}

struct pmap *vmspace_pmap(struct vm_space *vs)
{
	return vs->map.pmap;
}

static void vm_stats_events(struct vm_counters *c, struct vm_stats *st)
{
	st->faults = os_counter_read(&c->ev[VM_EV_FAULTS]);
	st->faults_read = os_counter_read(&c->ev[VM_EV_FAULTS_READ]);
	st->faults_write = os_counter_read(&c->ev[VM_EV_FAULTS_WRITE]);
	st->zero_fills = os_counter_read(&c->ev[VM_EV_ZERO_FILLS]);
	st->zero_page_maps = os_counter_read(&c->ev[VM_EV_ZERO_PAGE_MAPS]);
	st->cow_copies = os_counter_read(&c->ev[VM_EV_COW_COPIES]);
	st->cow_renames = os_counter_read(&c->ev[VM_EV_COW_RENAMES]);
	st->shadows_created = os_counter_read(&c->ev[VM_EV_SHADOWS_CREATED]);
	st->collapses = os_counter_read(&c->ev[VM_EV_COLLAPSES]);
	st->bypasses = os_counter_read(&c->ev[VM_EV_BYPASSES]);
	st->pages_freed = os_counter_read(&c->ev[VM_EV_PAGES_FREED]);
	st->forks = os_counter_read(&c->ev[VM_EV_FORKS]);
	st->lends = os_counter_read(&c->ev[VM_EV_LENDS]);
	st->lent_copies = os_counter_read(&c->ev[VM_EV_LENT_COPIES]);
}

static int64_t vm_meta_bytes(int64_t spaces, int64_t entries,
			     int64_t objects, int64_t pages)
{
	return spaces * (int64_t)sizeof(struct vm_space) +
	       entries * (int64_t)sizeof(struct vm_map_entry) +
	       objects * (int64_t)sizeof(struct vm_object) +
	       pages * VM_PINDEX_SLOT_BYTES;
}

void vm_stats_global(struct vm_stats *st)
{
	struct vm_globals *g = &vm_globals;

	vm_stats_events(&g->ev, st);
	st->spaces = os_counter_read(&g->spaces_live);
	st->entries = os_counter_read(&g->entries_live);
	st->objects = os_counter_read(&g->objects_live);
	st->pages = os_counter_read(&g->pages_live);
	st->pages_lent = os_counter_read(&g->pages_lent_live);
	st->shadow_objects = os_counter_read(&g->shadows_live);
	st->max_chain_depth = os_counter_read(&g->max_chain_depth);
	st->peak_pages = os_counter_read(&g->peak_pages);
	st->meta_bytes = vm_meta_bytes(st->spaces, st->entries, st->objects,
				       st->pages);
}

/*
 * This space's counters.  Live counts are of what the space can reach:
 * its entries, and each object of their chains counted once (an epoch
 * mark per object; concurrent callers may count an object twice, which
 * statistics tolerate).  max_chain_depth is the deepest chain it has now.
 */
void vmspace_stats(struct vm_space *vs, struct vm_stats *st)
{
	struct vm_map *map = &vs->map;
	struct vm_map_entry *e;
	struct vm_object *o, *next;
	uint64_t epoch;
	int depth;

	vm_stats_events(&vs->ev, st);
	st->spaces = 1;
	st->entries = 0;
	st->objects = 0;
	st->pages = 0;
	st->pages_lent = 0;
	st->shadow_objects = 0;
	st->max_chain_depth = 0;
	st->peak_pages = 0;
	os_counter_add(&vm_globals.stats_epoch, 1);
	epoch = (uint64_t)os_counter_read(&vm_globals.stats_epoch);
	os_rwlock_rlock(&map->lock);
	for (e = vm_map_entry_first(map); e; e = vm_map_entry_succ(map, e)) {
		st->entries++;
		o = e->object;
		if (!o)
			continue;
		vm_object_lock_depth(o, 0);
		depth = 1;
		for (;;) {
			if (o->mark != epoch) {
				o->mark = epoch;
				st->objects++;
				st->pages += (int64_t)o->resident_count;
				st->pages_lent += (int64_t)o->lent_count;
				if (o->backing_object)
					st->shadow_objects++;
			}
			next = o->backing_object;
			if (next)
				vm_object_lock_depth(next, depth);
			vm_object_unlock(o);
			if (!next)
				break;
			o = next;
			depth++;
		}
		if (depth > st->max_chain_depth)
			st->max_chain_depth = depth;
	}
	os_rwlock_runlock(&map->lock);
	st->peak_pages = st->pages;
	st->meta_bytes = vm_meta_bytes(1, st->entries, st->objects,
				       st->pages);
}

vm_offset_t vmspace_daddr(struct vm_space *vs)
{
	return vs->daddr;
}
