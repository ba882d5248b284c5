/* SPDX-License-Identifier: GPL-2.0 */
/*
 * os_linux.h - the kernel host of the machine-independent core: everything
 * module/vm/os.h lists, over the kernel's own primitives.
 *
 * <linux/mm.h> declares its own vm_mmap(), vm_munmap() (and vm_brk() on
 * 6.1) with other signatures.  It is included here, first, so that vm.h's
 * kernel-only renames of the core's functions (bsdvm_mmap ...) come after
 * it in every file, whatever order a file includes things in.  Page
 * operations are out of line, in os_linux.c.
 */
#ifndef _BSDVM_OS_LINUX_H
#define _BSDVM_OS_LINUX_H

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/stddef.h>
#include <linux/kernel.h>
#include <linux/bug.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/atomic.h>
#include <linux/rbtree.h>
#include <linux/xarray.h>
#include <linux/mm.h>

#ifndef ENOTSUP
#define ENOTSUP		EOPNOTSUPP
#endif

#define OS_ASSERT(cond)		WARN_ON_ONCE(!(cond))
#define OS_PAGE_SHIFT		PAGE_SHIFT
#define OS_PAGE_SIZE		PAGE_SIZE
#define OS_PAGE_MASK		(PAGE_SIZE - 1)

#define os_printf(fmt, ...)	pr_info("bsdvm: " fmt, ##__VA_ARGS__)

/* Memory: accounted to the caller's memory cgroup. */
void os_cond_resched(void);
bool os_interrupted(void);
bool os_wx_denied(int old_prot, int new_prot);
void *os_malloc(size_t size);
void *os_zalloc(size_t size);
void os_free(void *p);

/*
 * Locks.  Every object mutex is initialised at one call site, so all of
 * them form one lockdep class; os_mutex_lock_nested gives the depth along
 * a shadow chain as the subclass (module/vm/vm_object.h).
 */
typedef struct mutex os_mutex_t;
#define os_mutex_init(m)		mutex_init(m)
#define os_mutex_destroy(m)		mutex_destroy(m)
#define os_mutex_lock(m)		mutex_lock(m)
#define os_mutex_lock_nested(m, sub)	mutex_lock_nested(m, sub)
#define os_mutex_unlock(m)		mutex_unlock(m)
#define os_mutex_assert_held(m)		lockdep_assert_held(m)

typedef struct rw_semaphore os_rwlock_t;
#define os_rwlock_init(l)		init_rwsem(l)
#define os_rwlock_destroy(l)		do { } while (0)
#define os_rwlock_rlock(l)		down_read(l)
#define os_rwlock_runlock(l)		up_read(l)
#define os_rwlock_wlock(l)		down_write(l)
#define os_rwlock_wunlock(l)		up_write(l)
#define os_rwlock_assert_wlocked(l)	lockdep_assert_held_write(l)

/* Counters: lock-free, relaxed. */
typedef atomic64_t os_counter_t;

static inline void os_counter_add(os_counter_t *c, s64 d)
{
	atomic64_add(d, c);
}

static inline s64 os_counter_read(os_counter_t *c)
{
	return atomic64_read(c);
}

static inline void os_counter_max(os_counter_t *c, s64 v)
{
	s64 cur = atomic64_read(c);

	while (cur < v && !atomic64_try_cmpxchg(c, &cur, v))
		;
}

/*
 * Pages.  A vm_page_t is one of two things (page.h tells them apart):
 *   - a page bsdvm allocated: the struct page itself, order 0, from the
 *     page allocator.  The core's flags (VM_PG_*) live in page->private,
 *     which the allocator leaves to the owner of a page that is on no LRU
 *     and in no page cache;
 *   - with bit 0 set, a struct bsdvm_lent_page: a page of a page-cache
 *     folio that the vnode pager lent, with the flags beside it.
 * The type is opaque so that no host code takes one for the other.
 */
struct vm_page;
typedef struct vm_page *vm_page_t;

vm_page_t os_page_alloc(bool zero);
void os_page_free(vm_page_t page);
void os_page_hold(vm_page_t page);
void os_page_unhold(vm_page_t page);
/* vnode_pager.c: a cred is a vnode mapping's (struct vnode_cred) */
void os_cred_hold(void *cred);
void os_cred_rele(void *cred);
void os_page_copy(vm_page_t dst, vm_page_t src);
void os_page_zero(vm_page_t page);
vm_page_t os_zero_page(void);
bool os_page_pinned(vm_page_t m);
bool os_page_held(vm_page_t m);
unsigned int os_page_flags(vm_page_t page);
void os_page_flags_set(vm_page_t page, unsigned int bits);
void os_page_flags_clear(vm_page_t page, unsigned int bits);

/* Ordered tree of map entries: an rbtree keyed by start address. */
struct os_tree_node {
	struct rb_node rb;
	u64 key;
};

struct os_tree {
	struct rb_root root;
};

void os_tree_init(struct os_tree *t);
void os_tree_insert(struct os_tree *t, struct os_tree_node *n, u64 key);
void os_tree_remove(struct os_tree *t, struct os_tree_node *n);
void os_tree_rekey(struct os_tree *t, struct os_tree_node *n, u64 key);
struct os_tree_node *os_tree_lookup_le(struct os_tree *t, u64 key);
bool os_tree_empty(struct os_tree *t);

/* Page index of an object: an xarray (its own spinlock nests inside). */
struct os_pindex {
	struct xarray xa;
};

void os_pindex_init(struct os_pindex *ix);
void os_pindex_destroy(struct os_pindex *ix);
vm_page_t os_pindex_lookup(struct os_pindex *ix, unsigned long long pidx);
int os_pindex_insert(struct os_pindex *ix, unsigned long long pidx,
		     vm_page_t page);
vm_page_t os_pindex_remove(struct os_pindex *ix, unsigned long long pidx);
vm_page_t os_pindex_replace(struct os_pindex *ix, unsigned long long pidx,
			    vm_page_t page);
vm_page_t os_pindex_next(struct os_pindex *ix, unsigned long long *pidx,
			 unsigned long long last);

/*
 * Trace hooks (os.h): the bsdvm:* tracepoints of trace.h.  Each is a
 * static-key branch, not taken while nobody is attached.
 */
#include "trace.h"

#define os_trace_zero_fill(obj, pindex)	trace_bsdvm_zero_fill(obj, pindex)
#define os_trace_cow(first, src, pindex, depth, renamed)		\
	trace_bsdvm_cow(first, src, pindex, depth, renamed)
#define os_trace_shadow(obj, backing, offset, depth)			\
	trace_bsdvm_shadow(obj, backing, offset, depth)
#define os_trace_collapse(obj, backing, new_backing)			\
	trace_bsdvm_collapse(obj, backing, new_backing)
#define os_trace_bypass(obj, backing, new_backing)			\
	trace_bsdvm_bypass(obj, backing, new_backing)
#define os_trace_fork(entries, share, copy, zero, none)			\
	trace_bsdvm_fork(entries, share, copy, zero, none)
#define os_trace_pagein(obj, pindex, result)				\
	trace_bsdvm_pagein(obj, pindex, result)
#define os_trace_pageout(obj, pindex, result)				\
	trace_bsdvm_pageout(obj, pindex, result)

#endif /* _BSDVM_OS_LINUX_H */
