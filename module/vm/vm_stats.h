/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm_stats.h - the core's global state and its counters.
 *
 * vm_globals.lock is the innermost lock of the core (vm.h): it protects
 * the lists of all objects and all spaces and every object's hold_count.
 * The counters are lock-free os_counter_t; they start at zero because the
 * structures holding them are zero-initialised.
 */
#ifndef _BSDVM_VM_STATS_H
#define _BSDVM_VM_STATS_H

#include "vm.h"
#include "vm_list.h"

enum vm_stat_event {
	VM_EV_FAULTS,
	VM_EV_FAULTS_READ,
	VM_EV_FAULTS_WRITE,
	VM_EV_ZERO_FILLS,
	VM_EV_ZERO_PAGE_MAPS,
	VM_EV_COW_COPIES,
	VM_EV_COW_RENAMES,
	VM_EV_SHADOWS_CREATED,
	VM_EV_COLLAPSES,
	VM_EV_BYPASSES,
	VM_EV_PAGES_FREED,
	VM_EV_FORKS,
	VM_EV_LENDS,		/* pages a pager lent (vm_pager.h) */
	VM_EV_LENT_COPIES,	/* lent pages replaced by a copy for a write */
	VM_EV_NR
};

struct vm_counters {
	os_counter_t ev[VM_EV_NR];
};

struct vm_globals {
	os_mutex_t lock;
	bool initialised;
	struct vm_list objects;		/* every object, dead-but-held too */
	struct vm_list spaces;		/* every space */
	uint64_t last_object_id;	/* the last vm_object.id given out */
	struct vm_counters ev;
	os_counter_t spaces_live;
	os_counter_t entries_live;
	os_counter_t objects_live;
	os_counter_t pages_live;
	os_counter_t pages_lent_live;	/* of those, lent by a pager */
	os_counter_t shadows_live;
	os_counter_t max_chain_depth;
	os_counter_t peak_pages;
	os_counter_t stats_epoch;
};

extern struct vm_globals vm_globals;

/* Bytes of index per resident page counted in meta_bytes (a radix slot). */
#define VM_PINDEX_SLOT_BYTES	8

struct vm_space;

/* Count an event globally and, when vs is known, for that space. */
void vm_stat_event(struct vm_space *vs, enum vm_stat_event ev);
void vm_stat_pages(int64_t delta);
void vm_stat_chain_depth(int64_t depth);

/* The last invariant violation found by vm_map_check & co. */
void vm_check_fail(const char *what, uint64_t a, uint64_t b);

#endif /* _BSDVM_VM_STATS_H */
