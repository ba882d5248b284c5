/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm.h - the machine-independent BSD VM core: types and the public API that
 * hosts (module/linux/, selftests/unit/) call.
 *
 * Conventions (BSD's own):
 *   - calls that a system call maps onto return 0 or a positive errno,
 *     exactly the errno FreeBSD's kern_* function returns for that input;
 *   - vm_fault() returns a KERN_* code, which the host turns into a signal;
 *   - addresses and lengths are bytes; lengths are rounded out to pages the
 *     way FreeBSD does (addr truncated, addr + len rounded up) unless the
 *     call's comment says otherwise.
 *
 * Locking, from outermost to innermost (see Documentation/design.rst):
 *   1. vm_map.lock        (os_rwlock, one per map)
 *   2. vm_object.lock     (os_mutex), a shadow before its backing object
 *   3. vm_globals.lock    (os_mutex): the list of all objects and spaces
 * The pmap's own locks nest inside all of these.
 */
#ifndef _BSDVM_VM_VM_H
#define _BSDVM_VM_VM_H

#include "os.h"
#include "bsdvm_mman.h"

#ifdef __KERNEL__
/*
 * <linux/mm.h> (included first, by os_linux.h) has functions of these
 * names with other signatures; the core's get other link names.  Callers
 * still write vm_mmap() etc.
 */
#define vm_mmap		bsdvm_vm_mmap
#define vm_munmap	bsdvm_vm_munmap
#define vm_brk		bsdvm_vm_brk
#endif

typedef uint64_t vm_offset_t;	/* a virtual address */
typedef uint64_t vm_size_t;	/* a length in bytes */
typedef uint64_t vm_ooffset_t;	/* an offset within an object, in bytes */
typedef int vm_prot_t;		/* BSD_PROT_* bits */
typedef int vm_inherit_t;	/* BSD_INHERIT_* */

#define VM_PROT_NONE	BSD_PROT_NONE
#define VM_PROT_READ	BSD_PROT_READ
#define VM_PROT_WRITE	BSD_PROT_WRITE
#define VM_PROT_EXECUTE	BSD_PROT_EXEC
#define VM_PROT_ALL	BSD_PROT_ALL

#define trunc_page(x)	((x) & ~(vm_offset_t)OS_PAGE_MASK)
#define round_page(x)	(((x) + OS_PAGE_MASK) & ~(vm_offset_t)OS_PAGE_MASK)
#define atop(x)		((vm_pindex_t)((x) >> OS_PAGE_SHIFT))
#define ptoa(x)		((vm_offset_t)(x) << OS_PAGE_SHIFT)
#define OFF_TO_IDX(x)	atop(x)
#define IDX_TO_OFF(x)	ptoa(x)

/* Results of vm_fault() and of internal map operations (Mach/BSD names). */
#define KERN_SUCCESS			0
#define KERN_INVALID_ADDRESS		1	/* no entry: SIGSEGV/SEGV_MAPERR */
#define KERN_PROTECTION_FAILURE		2	/* SIGSEGV/SEGV_ACCERR */
#define KERN_NO_SPACE			3
#define KERN_INVALID_ARGUMENT		4
#define KERN_RESOURCE_SHORTAGE		5	/* out of memory: VM_FAULT_OOM */
#define KERN_OUT_OF_BOUNDS		6	/* past a pager's end: SIGBUS/BUS_OBJERR */
#define KERN_FAILURE			7	/* pager I/O error: SIGBUS */
#define KERN_RETRY			8	/* locks were dropped (pager I/O); fault again */

struct pmap;		/* the host's MMU state for one space (pmap.h) */
struct vm_map;
struct vm_object;
struct vm_space;

/* The core's counters; global, and per space where it says so. */
struct vm_stats {
	/* live counts (global) */
	int64_t spaces;
	int64_t entries;
	int64_t objects;
	int64_t pages;		/* resident pages in objects */
	int64_t shadow_objects;	/* live objects with a backing object */
	/* event counts (global and per space) */
	int64_t faults;
	int64_t faults_read;
	int64_t faults_write;
	int64_t zero_fills;	/* pages allocated zeroed at the chain bottom */
	int64_t zero_page_maps;	/* read faults served by the shared zero page */
	int64_t cow_copies;	/* pages copied up a shadow chain */
	int64_t cow_renames;	/* pages moved up instead of copied */
	int64_t shadows_created;
	int64_t collapses;
	int64_t bypasses;
	int64_t pages_freed;
	int64_t forks;
	/* high-water marks */
	int64_t max_chain_depth;
	int64_t peak_pages;
	/* metadata cost: bytes of core structures (objects, entries, index) */
	int64_t meta_bytes;
	/* of the pages, those a pager lent from the host's file cache */
	int64_t pages_lent;
	int64_t lends;		/* pages lent by pagers (events) */
	int64_t lent_copies;	/* lent pages replaced by a copy for a write */
};

/* Global set-up and tear-down; vm_fini() requires that no space is left. */
int vm_init(void);
void vm_fini(void);
void vm_stats_global(struct vm_stats *st);
/* peak_pages starts again from the pages resident now (bsdvm run) */
void vm_stats_reset_peak(void);

/*
 * Spaces.  A space covers [min, max) of the process's addresses (the arena)
 * and owns a map whose faults the host sends to vm_fault().
 */
struct vm_space *vmspace_alloc(vm_offset_t min, vm_offset_t max,
			       struct pmap *pmap);
/* fork: a new space for the child per entry inheritance; 0 or ENOMEM */
int vmspace_fork(struct vm_space *parent, struct pmap *child_pmap,
		 struct vm_space **childp);
/*
 * The host's limit on every protection in vs (Linux: the arena VMA's);
 * mappings beyond it fail with EACCES.  Call before the first mapping.
 */
void vmspace_limit_prot(struct vm_space *vs, vm_prot_t max);
/* exit/exec: remove every mapping, release every entry, object and page */
void vmspace_free(struct vm_space *vs);
/* this space's counters; live counts are of objects/pages it can reach */
void vmspace_stats(struct vm_space *vs, struct vm_stats *st);
struct vm_map *vmspace_map(struct vm_space *vs);
/* start of the data segment: the lowest break */
vm_offset_t vmspace_daddr(struct vm_space *vs);
struct pmap *vmspace_pmap(struct vm_space *vs);

/*
 * mmap.  prot may carry BSD_PROT_MAX(); flags are BSD_MAP_*.  object is
 * NULL for anonymous memory, else a referenced pager object whose reference
 * the mapping takes over on success; maxprot_limit is what the host allows
 * on that object (the file's open mode), BSD_PROT_ALL for anonymous memory.
 * Without BSD_MAP_FIXED, *addrp is a hint.  On success *addrp is the start.
 */
struct vm_mmap_req {
	vm_offset_t addr;
	vm_size_t len;
	int prot;
	int flags;
	struct vm_object *object;
	vm_ooffset_t offset;
	vm_prot_t maxprot_limit;
	/* the mapper's rights for object's pager (vm_map_entry.cred) */
	void *cred;
};
int vm_mmap(struct vm_space *vs, const struct vm_mmap_req *req,
	    vm_offset_t *addrp);
int vm_munmap(struct vm_space *vs, vm_offset_t addr, vm_size_t len);
int vm_mprotect(struct vm_space *vs, vm_offset_t addr, vm_size_t len,
		int prot);
int vm_minherit(struct vm_space *vs, vm_offset_t addr, vm_size_t len,
		int inherit);
int vm_madvise(struct vm_space *vs, vm_offset_t addr, vm_size_t len,
	       int advice);
/* vec has one byte per page of [trunc_page(addr), round_page(addr+len)) */
int vm_mincore(struct vm_space *vs, vm_offset_t addr, vm_size_t len,
	       unsigned char *vec);
/*
 * msync (FreeBSD's kern_msync and vm_map_sync), in two steps so that the
 * host does the I/O with none of its own locks held.  vm_msync() checks
 * the arguments and the range (flags BSD_MS_*: unknown bits or
 * ASYNC|INVALIDATE EINVAL; a hole or a range outside the space ENOMEM;
 * len 0 means the whole entry at addr) and collects, referenced, the
 * pager object at the bottom of each entry's chain into *syncp (NULL when
 * there is nothing to write).  vm_sync_run() writes their dirty pages (no
 * host or core lock held), drops clean pages for MS_INVALIDATE, releases
 * everything and returns 0 or EIO.  Between the two the space may change.
 */
struct vm_sync;
int vm_msync(struct vm_space *vs, vm_offset_t addr, vm_size_t len, int flags,
	     struct vm_sync **syncp);
int vm_sync_run(struct vm_sync *sync);
/*
 * brk: newbrk 0 only reports.  The break starts at the space's data base
 * and may not grow past data base + limit (RLIMIT_DATA, from the host):
 * ENOMEM.  Below the base: no change, returns 0.  *curbrk: the break after.
 */
int vm_brk(struct vm_space *vs, vm_offset_t newbrk, vm_size_t limit,
	   vm_offset_t *curbrk);

/*
 * The fault handler.  fault_type is VM_PROT_READ, VM_PROT_WRITE or
 * VM_PROT_EXECUTE.  On KERN_SUCCESS the page is entered in the pmap through
 * pmap_enter(..., pmap_ctx) (the host's fault context, e.g. struct vm_fault).
 */
enum vm_fault_source {
	VM_FAULT_SRC_NONE = 0,
	VM_FAULT_SRC_RESIDENT,	/* found in the first object */
	VM_FAULT_SRC_BACKING,	/* found lower in the chain, mapped read-only */
	VM_FAULT_SRC_ZERO_PAGE,	/* the shared zero page, read-only */
	VM_FAULT_SRC_ZERO_FILL,	/* new zeroed page in the first object */
	VM_FAULT_SRC_COW,	/* copied (or renamed) up into the first object */
	VM_FAULT_SRC_PAGER,	/* read in from a pager */
};
struct vm_fault_info {
	int source;		/* enum vm_fault_source */
	int depth;		/* shadow-chain levels walked (0 = first object) */
	vm_prot_t prot;		/* protection the page was entered with */
};
/*
 * A pager may release the host's fault lock (vm_pager.h) and the core's
 * locks to read; the core still counts into vs afterwards, so the caller
 * keeps vs allocated until vm_fault returns (though its map may be
 * emptied meanwhile).
 */
int vm_fault(struct vm_space *vs, vm_offset_t va, vm_prot_t fault_type,
	     void *pmap_ctx, struct vm_fault_info *info);
/* Remove the PTE at va for a refault that may read (map lock taken). */
void vm_fault_unmap(struct vm_space *vs, vm_offset_t va);

/*
 * The page a fault at va would map, held (os_page_hold) for the caller,
 * which copies through it and calls os_page_unhold.  For ptrace and
 * /proc/PID/mem: a write access does the COW as a write fault would.
 */
int vm_fault_hold(struct vm_space *vs, vm_offset_t va, vm_prot_t fault_type,
		  vm_page_t *pagep);

/* Debug checks for tests: 0, or an errno with a message via the host. */
int vm_map_check(struct vm_map *map);
int vm_object_check_all(void);
/*
 * The last violation a check found: a constant description (NULL if none
 * yet) and two values that go with it (addresses, counts).
 */
const char *vm_check_last(uint64_t *a, uint64_t *b);

#endif /* _BSDVM_VM_VM_H */
