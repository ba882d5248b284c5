/* SPDX-License-Identifier: GPL-2.0 */
/*
 * os.h - the only way the machine-independent core reaches its host.
 *
 * The core (the C files of module/vm/) is plain C.  It never includes a
 * host header itself; it includes this file, which pulls in exactly one
 * host header:
 *
 *   - in the kernel:    module/linux/os_linux.h  (struct mutex, rbtree,
 *                        xarray, struct page, kmalloc)
 *   - in userspace:     selftests/unit/os_user.h (pthreads, simple tree
 *                        and index, malloc'd pages)
 *
 * Each host header must provide everything listed below, with these exact
 * names and meanings.  The core's own objects and algorithms live in the
 * vm_*.h headers; pmap.h lists what the host's pmap must do.
 *
 * Integer types: uint8_t .. uint64_t, int64_t, uintptr_t, size_t, bool,
 * true/false, NULL, and the errno names the core returns (EINVAL, ENOMEM,
 * EACCES, EEXIST, ENOTSUP, EFAULT, EBUSY, EIO, ENODEV).
 *
 * Compiler helpers: likely(), unlikely(), OS_ASSERT(cond) (a debug check:
 * WARN_ON_ONCE in the kernel, abort() in userspace), OS_PAGE_SIZE,
 * OS_PAGE_SHIFT, OS_PAGE_MASK (= OS_PAGE_SIZE - 1), container_of().
 *
 * Messages (added by the core, issue 3):
 *   void os_printf(const char *fmt, ...);  printf-style debug message
 *                                           (vm_map_check and friends)
 *
 * Scheduling:
 *   void os_cond_resched(void);            let others run in a long loop
 *                                           (no core spinlock is ever
 *                                           held: the core's locks sleep)
 *   bool os_interrupted(void);             the caller is being killed: a
 *                                           long loop stops (EINTR)
 *
 * Policy of the host process:
 *   bool os_wx_denied(int old_prot, int new_prot);
 *                                           a protection change (VM_PROT_*
 *                                           bits; old = new for a new
 *                                           mapping) the host's W^X rule
 *                                           refuses (Linux: PR_SET_MDWE)
 *
 * Memory (may fail; callers handle NULL):
 *   void *os_malloc(size_t size);          uninitialised, accounted
 *   void *os_zalloc(size_t size);          zeroed, accounted
 *   void  os_free(void *p);                NULL is fine
 *
 * Locks (all may sleep; never taken in atomic context):
 *   os_mutex_t:  os_mutex_init/destroy/lock/unlock(os_mutex_t *),
 *                os_mutex_assert_held(os_mutex_t *)
 *   optional: os_mutex_lock_nested(os_mutex_t *, unsigned subclass), a
 *                macro; lock validators (lockdep) learn that the core
 *                takes object locks top-down along a shadow chain, one
 *                subclass per level.  Without it the core falls back to
 *                os_mutex_lock (vm_object.h).
 *   os_rwlock_t: os_rwlock_init/destroy(os_rwlock_t *),
 *                os_rwlock_rlock/runlock/wlock/wunlock(os_rwlock_t *),
 *                os_rwlock_assert_wlocked(os_rwlock_t *)
 *
 * Counters (lock-free statistics):
 *   os_counter_t: os_counter_add(os_counter_t *, int64_t),
 *                 os_counter_read(os_counter_t *) -> int64_t,
 *                 os_counter_max(os_counter_t *, int64_t v)  raise to v
 *
 * Pages.  vm_page_t is the host's page handle (struct page * in the kernel).
 * The core keeps no per-page structure of its own: a resident page is an
 * entry in its object's page index, plus the flags below, which the host
 * stores in the page itself.  That keeps core metadata per resident page at
 * the cost of one index slot.
 *   vm_page_t os_page_alloc(bool zero);    NULL when out of memory
 *   void      os_page_free(vm_page_t);     drops the core's reference
 *   void      os_page_hold(vm_page_t);     extra reference (ptrace access)
 *   void      os_page_unhold(vm_page_t);   frees if it was the last one
 *   void      os_page_copy(vm_page_t dst, vm_page_t src);
 *   void      os_page_zero(vm_page_t);
 *   vm_page_t os_zero_page(void);          the one shared read-only zero
 *                                           page; never in any object,
 *                                           never freed
 *   bool      os_page_pinned(vm_page_t);   a device may still write it: the
 *                                           host pinned it for I/O (Linux:
 *                                           get_user_pages FOLL_PIN); may
 *                                           say true when it is not
 *   bool      os_page_held(vm_page_t);     someone besides the core and the
 *                                           pmaps references it (a pipe's
 *                                           vmsplice, a pin): its bytes
 *                                           are a snapshot that a COW must
 *                                           copy, never reuse; may say true
 *                                           when it is not
 *   unsigned  os_page_flags(vm_page_t);    VM_PG_* bits (vm_page.h)
 *   void      os_page_flags_set(vm_page_t, unsigned bits);
 *   void      os_page_flags_clear(vm_page_t, unsigned bits);
 * A pager may hand the core a page the host lends it (a page of the
 * host's file cache, shared with read(2) and native mappings, vm_pager.h):
 * os_page_flags() shows VM_PG_LENT for it from the start, and every call
 * above works on it too (os_page_free gives the loan back).
 *
 * Mapping rights (vm_map_entry.cred): an opaque handle the host gives
 * vm_mmap with a pager object, which the core passes back to the pager's
 * getpages for the entry's faults.  Each entry holding it, and a fault
 * reading with it, has a reference.  Neither call sleeps on I/O.
 *   void os_cred_hold(void *cred);
 *   void os_cred_rele(void *cred);        the last one frees it
 *
 * Ordered tree of map entries (lookup only; the core keeps its own sorted
 * list for iteration).  Keys are unique.
 *   struct os_tree, struct os_tree_node (embedded by the core)
 *   void os_tree_init(struct os_tree *);
 *   void os_tree_insert(struct os_tree *, struct os_tree_node *, uint64_t key);
 *   void os_tree_remove(struct os_tree *, struct os_tree_node *);
 *   void os_tree_rekey(struct os_tree *, struct os_tree_node *, uint64_t key);
 *        (the new key keeps the node's place in the order: clipping)
 *   struct os_tree_node *os_tree_lookup_le(struct os_tree *, uint64_t key);
 *        (the node with the greatest key <= key, or NULL)
 *   bool os_tree_empty(struct os_tree *);
 *
 * Page index of an object: pindex -> vm_page_t.  Insert may allocate and
 * may fail; the object's lock serialises all calls on one index.
 *   struct os_pindex (embedded by the core)
 *   void      os_pindex_init(struct os_pindex *);
 *   void      os_pindex_destroy(struct os_pindex *);   must be empty
 *   vm_page_t os_pindex_lookup(struct os_pindex *, vm_pindex_t);
 *   int       os_pindex_insert(struct os_pindex *, vm_pindex_t, vm_page_t);
 *             0, or ENOMEM (nothing changed); the slot must be empty
 *   vm_page_t os_pindex_remove(struct os_pindex *, vm_pindex_t);
 *   vm_page_t os_pindex_replace(struct os_pindex *, vm_pindex_t, vm_page_t);
 *             the slot must be occupied: puts the page there and returns
 *             the old one; never allocates, never fails
 *   vm_page_t os_pindex_next(struct os_pindex *, vm_pindex_t *pidx,
 *                            vm_pindex_t last);
 *             first page with index in [*pidx, last], its index in *pidx;
 *             NULL when there is none
 *
 * Doubly linked lists: the core uses its own (vm_list.h), not the host's.
 *
 * Trace hooks (issue 7; Documentation/tracing.rst).  The core calls these
 * at its events, one line per site; the kernel host turns them into the
 * bsdvm:* tracepoints (a static key: a no-op branch while nobody
 * listens), the userspace host into nothing.  Arguments are integers:
 * object ids (vm_object.id, 0 = none), page indexes, counts.  They may be
 * called with object and map locks held and must not sleep.
 *   os_trace_zero_fill(obj, pindex)         a zeroed page put in obj
 *   os_trace_cow(first, src, pindex, depth, renamed)
 *                                           a page copied (or moved) from
 *                                           src, depth levels down, to first
 *   os_trace_shadow(obj, backing, offset, depth)
 *                                           new shadow obj of backing
 *   os_trace_collapse(obj, backing, new_backing)
 *                                           backing merged into obj
 *   os_trace_bypass(obj, backing, new_backing)
 *                                           obj skips backing
 *   os_trace_fork(entries, share, copy, zero, none)
 *                                           vmspace_fork: parent entries
 *                                           by inheritance
 *   os_trace_pagein(obj, pindex, result)    pager getpage, KERN_* result
 *                                           (also a run the pager lent)
 *   os_trace_pageout(obj, pindex, result)   pager putpage, errno result
 */
#ifndef _BSDVM_VM_OS_H
#define _BSDVM_VM_OS_H

typedef unsigned long long vm_pindex_t;	/* page index within an object */

#ifdef __KERNEL__
#include "os_linux.h"
#else
#include "os_user.h"
#endif

#endif /* _BSDVM_VM_OS_H */
