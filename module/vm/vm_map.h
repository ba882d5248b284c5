/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm_map.h - address maps: a sorted list of vm_map_entry, each a range of
 * addresses mapping a window of a vm_object, plus an ordered tree over the
 * same entries for O(log n) lookup.  A vm_space is a map and its pmap.
 *
 * Locking: vm_map.lock (rwlock) protects the entry list, the tree, every
 * field of every entry, the hint, and the vm_space fields marked (m).
 * Readers (vm_fault, mincore, WILLNEED/DONTNEED/FREE) hold it shared;
 * everything that adds, removes, clips or changes an entry holds it
 * exclusive.  It is the outermost lock of the core (vm.h).
 */
#ifndef _BSDVM_VM_MAP_H
#define _BSDVM_VM_MAP_H

#include "vm.h"
#include "vm_list.h"
#include "vm_stats.h"

/* Entry flags (FreeBSD's MAP_ENTRY_*). */
#define MAP_ENTRY_COW		0x0001	/* private: writes copy */
#define MAP_ENTRY_NEEDS_COPY	0x0002	/* shadow on the next write */
#define MAP_ENTRY_GUARD		0x0004	/* reserved, never mapped */
#define MAP_ENTRY_STACK_GAP_DN	0x0008	/* guard a stack grows down into */
#define MAP_ENTRY_GROWS_DOWN	0x0010	/* a stack entry */
#define MAP_ENTRY_NOSYNC	0x0020	/* MAP_NOSYNC / MADV_NOSYNC */
#define MAP_ENTRY_NOCOREDUMP	0x0040	/* MAP_NOCORE / MADV_NOCORE */

/* Per-entry paging behaviour (MADV_NORMAL/RANDOM/SEQUENTIAL). */
#define MAP_ENTRY_BEHAV_NORMAL		0
#define MAP_ENTRY_BEHAV_RANDOM		1
#define MAP_ENTRY_BEHAV_SEQUENTIAL	2

/* vm_map_insert() cow argument (FreeBSD's MAP_* insertion flags). */
#define MAP_COPY_ON_WRITE	0x0001
#define MAP_INHERIT_SHARE	0x0002
#define MAP_CREATE_GUARD	0x0004
#define MAP_CREATE_STACK_GAP_DN	0x0008
#define MAP_STACK_GROWS_DOWN	0x0010
#define MAP_DISABLE_SYNCER	0x0020
#define MAP_DISABLE_COREDUMP	0x0040
#define MAP_NO_MERGE		0x0080

/* Stack defaults (FreeBSD: sgrowsiz = 128 KiB, stack_guard_page = 1). */
#define VM_STACK_GROW_SIZE	(128 * 1024)
#define VM_STACK_GUARD_PAGES	1
/* MAP_ALIGNED_SUPER: the amd64 superpage. */
#define VM_SUPERPAGE_SIZE	(2 * 1024 * 1024)
/* MAP_32BIT: below 2 GiB. */
#define VM_MAP_32BIT_MAX_ADDR	0x80000000ULL

struct vm_object;

struct vm_map_entry {
	struct vm_list link;		/* map->header, sorted by start */
	struct os_tree_node node;	/* map->root, key = start */
	vm_offset_t start;
	vm_offset_t end;
	struct vm_object *object;	/* NULL: anonymous, not yet touched */
	vm_ooffset_t offset;		/* of start in object, bytes */
	uint16_t eflags;		/* MAP_ENTRY_* */
	uint8_t protection;
	uint8_t max_protection;
	uint8_t inheritance;		/* BSD_INHERIT_* */
	uint8_t behavior;		/* MAP_ENTRY_BEHAV_* */
	/*
	 * The host's rights the mapping was made with, which its pager
	 * serves the entry's faults by (Linux's vma->vm_file, FreeBSD's
	 * entry->cred): NULL, or one os_cred_hold() of this entry's.
	 */
	void *cred;
};

struct vm_map {
	os_rwlock_t lock;		/* see the comment at the top */
	struct vm_list header;		/* entries, sorted */
	struct os_tree root;		/* the same entries by start */
	/* last entry inserted (set under the write lock only) */
	struct vm_map_entry *hint;
	vm_offset_t min_offset;
	vm_offset_t max_offset;
	int nentries;
	vm_size_t size;			/* bytes mapped, guards included */
	struct pmap *pmap;
	/* what the host lets any entry have (its arena's protection) */
	vm_prot_t max_prot;
};

struct vm_space {
	struct vm_map map;
	vm_offset_t daddr;		/* (m) data (brk) base */
	vm_offset_t dbreak;		/* (m) current break, page aligned */
	struct vm_counters ev;		/* this space's event counts */
	struct vm_list all_link;	/* (g) vm_globals.spaces */
};

static inline struct vm_map_entry *vm_map_entry_first(struct vm_map *map)
{
	if (vm_list_empty(&map->header))
		return NULL;
	return vm_list_entry(map->header.next, struct vm_map_entry, link);
}

static inline struct vm_map_entry *vm_map_entry_last(struct vm_map *map)
{
	if (vm_list_empty(&map->header))
		return NULL;
	return vm_list_entry(map->header.prev, struct vm_map_entry, link);
}

static inline struct vm_map_entry *vm_map_entry_succ(struct vm_map *map,
						     struct vm_map_entry *e)
{
	if (e->link.next == &map->header)
		return NULL;
	return vm_list_entry(e->link.next, struct vm_map_entry, link);
}

static inline struct vm_map_entry *vm_map_entry_pred(struct vm_map *map,
						     struct vm_map_entry *e)
{
	if (e->link.prev == &map->header)
		return NULL;
	return vm_list_entry(e->link.prev, struct vm_map_entry, link);
}

static inline bool vm_map_range_valid(struct vm_map *map, vm_offset_t start,
				      vm_offset_t end)
{
	if (end < start)
		return false;
	return start >= map->min_offset && end <= map->max_offset;
}

/* vm_map.c (map write-locked unless noted) */
void vm_map_init(struct vm_map *map, struct pmap *pmap, vm_offset_t min,
		 vm_offset_t max);
/* map locked either way */
bool vm_map_lookup_entry(struct vm_map *map, vm_offset_t addr,
			 struct vm_map_entry **entryp);
int vm_map_clip_start(struct vm_map *map, struct vm_map_entry *entry,
		      vm_offset_t addr);
int vm_map_clip_end(struct vm_map *map, struct vm_map_entry *entry,
		    vm_offset_t addr);
int vm_map_findspace(struct vm_map *map, vm_offset_t hint, vm_size_t length,
		     vm_size_t align, vm_offset_t lo, vm_offset_t hi,
		     vm_offset_t *addrp);
int vm_map_insert(struct vm_map *map, struct vm_object *object,
		  vm_ooffset_t offset, void *cred, vm_offset_t start,
		  vm_offset_t end, vm_prot_t prot, vm_prot_t max, int cow);
int vm_map_delete(struct vm_map *map, vm_offset_t start, vm_offset_t end);
int vm_map_stack(struct vm_map *map, vm_offset_t addrbos, vm_size_t max_ssize,
		 vm_prot_t prot, vm_prot_t max, int cow);
int vm_map_growstack(struct vm_map *map, vm_offset_t addr,
		     struct vm_map_entry *gap_entry);
/* map not locked: these take the lock themselves */
#define VM_MAP_PROTECT_SET_PROT		0x1
#define VM_MAP_PROTECT_SET_MAXPROT	0x2
int vm_map_protect(struct vm_map *map, vm_offset_t start, vm_offset_t end,
		   vm_prot_t new_prot, vm_prot_t new_maxprot, int flags);
int vm_map_inherit(struct vm_map *map, vm_offset_t start, vm_offset_t end,
		   vm_inherit_t new_inheritance);
int vm_map_madvise(struct vm_map *map, vm_offset_t start, vm_offset_t end,
		   int behav);
/* Remove everything (exit); map write-locked. */
void vm_map_remove_all(struct vm_map *map);
/* Entry helpers shared with vm_fork.c */
struct vm_map_entry *vm_map_entry_create(void);
/* A new entry with src's range, object and attributes (no reference). */
struct vm_map_entry *vm_map_entry_clone(struct vm_map_entry *src);
void vm_map_entry_dispose(struct vm_map_entry *entry);
void vm_map_entry_link(struct vm_map *map, struct vm_map_entry *after,
		       struct vm_map_entry *entry);
/* Pre-map resident pages of entry's object in [start, end) read-only. */
void vm_map_pmap_enter(struct vm_map *map, struct vm_map_entry *entry,
		       vm_offset_t start, vm_offset_t end);

/* KERN_* to the errno FreeBSD's vm_mmap_to_errno() gives. */
int vm_mmap_to_errno(int rv);

#endif /* _BSDVM_VM_MAP_H */
