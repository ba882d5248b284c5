/* SPDX-License-Identifier: GPL-2.0 */
/*
 * os_user.h - the userspace host of the machine-independent core.
 *
 * Everything os.h lists, built on libc and pthreads, plus a few hooks
 * (os_user_*) the tests use to look inside: live bytes, live pages, page
 * data, fault injection.  The core includes this through os.h only.
 */
#ifndef _BSDVM_OS_USER_H
#define _BSDVM_OS_USER_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <errno.h>
#include <pthread.h>

#ifndef ENOTSUP
#define ENOTSUP EOPNOTSUPP
#endif

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#define OS_PAGE_SHIFT	12
#define OS_PAGE_SIZE	(1UL << OS_PAGE_SHIFT)
#define OS_PAGE_MASK	(OS_PAGE_SIZE - 1)

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif

void os_assert_fail(const char *cond, const char *file, int line,
		    const char *func) __attribute__((noreturn));
#define OS_ASSERT(cond)							\
	do {								\
		if (unlikely(!(cond)))					\
			os_assert_fail(#cond, __FILE__, __LINE__, __func__); \
	} while (0)

/* Messages from the core (vm_map_check and friends). */
void os_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- memory ---- */
void *os_malloc(size_t size);
void *os_zalloc(size_t size);
void os_free(void *p);

/* ---- locks ---- */
typedef struct {
	pthread_mutex_t m;
	pthread_t owner;
	bool held;
	const char *class;	/* where it was initialised, as lockdep keys */
} os_mutex_t;

/*
 * As lockdep does, a mutex's class is its os_mutex_init() call site, and
 * a thread may not take a second lock of one class at one subclass: that
 * is how two objects of a chain locked at the same depth get caught here,
 * not only on the debug kernel.
 */
#define OS_STR2(x)	#x
#define OS_STR(x)	OS_STR2(x)
#define os_mutex_init(m)	os_mutex_init_class(m, __FILE__ ":" OS_STR(__LINE__))
void os_mutex_init_class(os_mutex_t *m, const char *class);
void os_mutex_destroy(os_mutex_t *m);
void os_mutex_lock(os_mutex_t *m);
void os_mutex_lock_nested(os_mutex_t *m, unsigned int subclass);
#define os_mutex_lock_nested os_mutex_lock_nested
void os_mutex_unlock(os_mutex_t *m);
void os_mutex_assert_held(os_mutex_t *m);

typedef struct {
	pthread_rwlock_t l;
	pthread_t writer;
	bool wlocked;
} os_rwlock_t;

void os_rwlock_init(os_rwlock_t *l);
void os_rwlock_destroy(os_rwlock_t *l);
void os_rwlock_rlock(os_rwlock_t *l);
void os_rwlock_runlock(os_rwlock_t *l);
void os_rwlock_wlock(os_rwlock_t *l);
void os_rwlock_wunlock(os_rwlock_t *l);
void os_rwlock_assert_wlocked(os_rwlock_t *l);

/* ---- counters ---- */
typedef struct {
	int64_t v;
} os_counter_t;

static inline void os_counter_add(os_counter_t *c, int64_t d)
{
	__atomic_add_fetch(&c->v, d, __ATOMIC_RELAXED);
}

static inline int64_t os_counter_read(os_counter_t *c)
{
	return __atomic_load_n(&c->v, __ATOMIC_RELAXED);
}

static inline void os_counter_max(os_counter_t *c, int64_t v)
{
	int64_t cur = __atomic_load_n(&c->v, __ATOMIC_RELAXED);

	while (cur < v &&
	       !__atomic_compare_exchange_n(&c->v, &cur, v, true,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* ---- scheduling: one thread per simulated CPU, nothing to yield ---- */
static inline void os_cond_resched(void)
{
}

/* ---- host policy: tests set these (os_user.c) ---- */
extern bool os_user_interrupted;	/* os_interrupted() answers this */
extern bool os_user_mdwe;		/* W^X as Linux's PR_SET_MDWE */

static inline bool os_interrupted(void)
{
	return os_user_interrupted;
}

bool os_wx_denied(int old_prot, int new_prot);

/* ---- pages ---- */
struct os_pv;			/* fake pmap's reverse mapping (pmap_user.c) */

/*
 * The page handle.  The header lives apart from the 4096 data bytes, so a
 * stray write past a page's end lands in ASan's redzone, not in our flags.
 */
struct os_page {
	uint32_t magic;		/* OS_PAGE_MAGIC live, OS_PAGE_DEAD freed */
	unsigned flags;		/* VM_PG_* */
	int refs;		/* core's reference + holds */
	bool is_zero;		/* the shared zero page */
	bool pinned;		/* os_page_pinned(); tests set it */
	uint8_t *data;		/* OS_PAGE_SIZE bytes, page aligned */
	struct os_pv *pv;	/* mappings of this page in fake pmaps */
	int pv_count;
};
typedef struct os_page *vm_page_t;

#define OS_PAGE_MAGIC	0x70616765u
#define OS_PAGE_DEAD	0xdeadbeefu

vm_page_t os_page_alloc(bool zero);
bool os_page_pinned(vm_page_t pg);
bool os_page_held(vm_page_t pg);
void os_page_free(vm_page_t pg);
void os_page_hold(vm_page_t pg);
void os_page_unhold(vm_page_t pg);
/* a cred is an int the tests own: its count of references */
void os_cred_hold(void *cred);
void os_cred_rele(void *cred);
void os_page_copy(vm_page_t dst, vm_page_t src);
void os_page_zero(vm_page_t pg);
vm_page_t os_zero_page(void);

static inline unsigned os_page_flags(vm_page_t pg)
{
	return pg->flags;
}

static inline void os_page_flags_set(vm_page_t pg, unsigned bits)
{
	pg->flags |= bits;
}

static inline void os_page_flags_clear(vm_page_t pg, unsigned bits)
{
	pg->flags &= ~bits;
}

/* ---- ordered tree (AVL, os_tree.c) ---- */
struct os_tree_node {
	struct os_tree_node *left, *right, *parent;
	uint64_t key;
	int height;
};

struct os_tree {
	struct os_tree_node *root;
	size_t count;
};

void os_tree_init(struct os_tree *t);
void os_tree_insert(struct os_tree *t, struct os_tree_node *n, uint64_t key);
void os_tree_remove(struct os_tree *t, struct os_tree_node *n);
void os_tree_rekey(struct os_tree *t, struct os_tree_node *n, uint64_t key);
struct os_tree_node *os_tree_lookup_le(struct os_tree *t, uint64_t key);
bool os_tree_empty(struct os_tree *t);
/* tests: 0 if the AVL invariants hold */
int os_tree_check(struct os_tree *t);

/* ---- page index (radix tree, os_pindex.c) ---- */
struct os_pindex_node;

struct os_pindex {
	struct os_pindex_node *root;
	unsigned height;	/* levels below root; 0 = empty */
	size_t count;
};

void os_pindex_init(struct os_pindex *ix);
void os_pindex_destroy(struct os_pindex *ix);
vm_page_t os_pindex_lookup(struct os_pindex *ix, vm_pindex_t pidx);
int os_pindex_insert(struct os_pindex *ix, vm_pindex_t pidx, vm_page_t pg);
vm_page_t os_pindex_remove(struct os_pindex *ix, vm_pindex_t pidx);
vm_page_t os_pindex_replace(struct os_pindex *ix, vm_pindex_t pidx,
			    vm_page_t pg);
vm_page_t os_pindex_next(struct os_pindex *ix, vm_pindex_t *pidx,
			 vm_pindex_t last);

/* ---- test hooks (not used by the core) ---- */
int64_t os_user_live_bytes(void);	/* os_malloc'd bytes not yet freed */
int64_t os_user_live_allocs(void);
int64_t os_user_live_pages(void);	/* allocated pages, zero page excluded */
static inline uint8_t *os_user_page_data(vm_page_t pg)
{
	return pg->data;
}
/* 0 if the shared zero page still reads as zeros */
int os_user_zero_page_check(void);
/* make the n-th next allocation (malloc or page) fail; -1 = never */
void os_user_fail_after(long n);

/*
 * ---- trace hooks (os.h): counted per event in os_user_trace[], so the
 * unit tests can see that the core reports its events ----
 */
enum os_user_trace_ev {
	OS_TR_ZERO_FILL, OS_TR_COW, OS_TR_SHADOW, OS_TR_COLLAPSE,
	OS_TR_BYPASS, OS_TR_FORK, OS_TR_PAGEIN, OS_TR_PAGEOUT, OS_TR_NR
};
extern int64_t os_user_trace[OS_TR_NR];	/* os_trace_user.c */

static inline void os_user_trace_hit(enum os_user_trace_ev ev)
{
	__atomic_add_fetch(&os_user_trace[ev], 1, __ATOMIC_RELAXED);
}

static inline void os_trace_zero_fill(uint64_t obj, uint64_t pindex)
{
	(void)obj; (void)pindex;
	os_user_trace_hit(OS_TR_ZERO_FILL);
}

static inline void os_trace_cow(uint64_t first, uint64_t src,
				uint64_t pindex, int depth, int renamed)
{
	(void)first; (void)src; (void)pindex; (void)depth; (void)renamed;
	os_user_trace_hit(OS_TR_COW);
}

static inline void os_trace_shadow(uint64_t obj, uint64_t backing,
				   uint64_t offset, int depth)
{
	(void)obj; (void)backing; (void)offset; (void)depth;
	os_user_trace_hit(OS_TR_SHADOW);
}

static inline void os_trace_collapse(uint64_t obj, uint64_t backing,
				     uint64_t new_backing)
{
	(void)obj; (void)backing; (void)new_backing;
	os_user_trace_hit(OS_TR_COLLAPSE);
}

static inline void os_trace_bypass(uint64_t obj, uint64_t backing,
				   uint64_t new_backing)
{
	(void)obj; (void)backing; (void)new_backing;
	os_user_trace_hit(OS_TR_BYPASS);
}

static inline void os_trace_fork(int entries, int share, int copy, int zero,
				 int none)
{
	(void)entries; (void)share; (void)copy; (void)zero; (void)none;
	os_user_trace_hit(OS_TR_FORK);
}

static inline void os_trace_pagein(uint64_t obj, uint64_t pindex, int result)
{
	(void)obj; (void)pindex; (void)result;
	os_user_trace_hit(OS_TR_PAGEIN);
}

static inline void os_trace_pageout(uint64_t obj, uint64_t pindex,
				    int result)
{
	(void)obj; (void)pindex; (void)result;
	os_user_trace_hit(OS_TR_PAGEOUT);
}

#endif /* _BSDVM_OS_USER_H */
