// SPDX-License-Identifier: GPL-2.0
/*
 * os_user.c - userspace host: assertions, accounted memory, locks, pages.
 *
 * Everything is accounted so a test can demand "zero live bytes, zero
 * live pages" once every space is gone.  Fault injection (os_user_fail_after)
 * lets tests drive the core's ENOMEM paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include "os.h"
#include "vm.h"

bool os_user_interrupted;
bool os_user_mdwe;

/* Linux's map_deny_write_exec(), when a test turns MDWE on. */
bool os_wx_denied(int old_prot, int new_prot)
{
	if (!os_user_mdwe || !(new_prot & VM_PROT_EXECUTE))
		return false;
	return (new_prot & VM_PROT_WRITE) || !(old_prot & VM_PROT_EXECUTE);
}

void os_assert_fail(const char *cond, const char *file, int line,
		    const char *func)
{
	fprintf(stderr, "OS_ASSERT failed: %s at %s:%d (%s)\n",
		cond, file, line, func);
	fflush(stderr);
	abort();
}

void os_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* ---- fault injection ---- */

static long fail_countdown = -1;

void os_user_fail_after(long n)
{
	fail_countdown = n;
}

/* True when this allocation must fail (injected out-of-memory). */
static bool inject_fail(void)
{
	if (fail_countdown < 0)
		return false;
	if (fail_countdown == 0) {
		fail_countdown = -1;
		return true;
	}
	fail_countdown--;
	return false;
}

/* ---- memory ---- */

/*
 * A 16-byte header in front of each block records its size, so frees can
 * be accounted and double frees caught by the magic.
 */
struct mhdr {
	uint32_t magic;
	uint32_t pad;
	uint64_t size;
};

#define MEM_MAGIC	0x6d656d21u
#define MEM_DEAD	0x66726565u

static int64_t live_bytes, live_allocs;

void *os_malloc(size_t size)
{
	struct mhdr *h;

	if (inject_fail())
		return NULL;
	h = malloc(sizeof(*h) + size);
	if (!h)
		return NULL;
	h->magic = MEM_MAGIC;
	h->size = size;
	__atomic_add_fetch(&live_bytes, (int64_t)size, __ATOMIC_RELAXED);
	__atomic_add_fetch(&live_allocs, 1, __ATOMIC_RELAXED);
	/* uninitialised memory must not look zeroed by accident */
	memset(h + 1, 0xa5, size);
	return h + 1;
}

void *os_zalloc(size_t size)
{
	void *p = os_malloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void os_free(void *p)
{
	struct mhdr *h;

	if (!p)
		return;
	h = (struct mhdr *)p - 1;
	OS_ASSERT(h->magic == MEM_MAGIC);
	h->magic = MEM_DEAD;
	__atomic_sub_fetch(&live_bytes, (int64_t)h->size, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&live_allocs, 1, __ATOMIC_RELAXED);
	free(h);
}

int64_t os_user_live_bytes(void)
{
	return __atomic_load_n(&live_bytes, __ATOMIC_RELAXED);
}

int64_t os_user_live_allocs(void)
{
	return __atomic_load_n(&live_allocs, __ATOMIC_RELAXED);
}

/* ---- locks ---- */

/*
 * The owner and writer fields are read without the lock (the recursion
 * checks run before taking it), so every access is atomic.  The owner is
 * cleared before the lock is released: only this thread ever stores its
 * own id there, so "owner == self" read unlocked is never stale.
 */
_Static_assert(sizeof(pthread_t) == sizeof(unsigned long),
	       "pthread_t is stored with __atomic builtins");

static pthread_t owner_get(pthread_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void owner_set(pthread_t *p, pthread_t t)
{
	__atomic_store_n(p, t, __ATOMIC_RELAXED);
}

/* does this thread own it? (unlocked reads are fine, see above) */
static bool owned(pthread_t *p, bool *flag)
{
	return __atomic_load_n(flag, __ATOMIC_RELAXED) &&
	       pthread_equal(owner_get(p), pthread_self());
}

/* This thread's held mutexes, innermost last (lockdep's held_locks). */
#define OS_HELD_MAX	48
static __thread struct os_held {
	os_mutex_t *m;
	unsigned int subclass;
} os_held[OS_HELD_MAX];
static __thread int os_nheld;

static void held_push(os_mutex_t *m, unsigned int subclass)
{
	int i;

	for (i = 0; i < os_nheld; i++)
		if (!strcmp(os_held[i].m->class, m->class) &&
		    os_held[i].subclass == subclass) {
			fprintf(stderr, "recursive locking: %s subclass %u\n",
				m->class, subclass);
			OS_ASSERT(!"two locks of one class and subclass");
		}
	OS_ASSERT(os_nheld < OS_HELD_MAX);
	os_held[os_nheld].m = m;
	os_held[os_nheld++].subclass = subclass;
}

static void held_pop(os_mutex_t *m)
{
	int i;

	for (i = os_nheld - 1; i >= 0; i--)
		if (os_held[i].m == m)
			break;
	OS_ASSERT(i >= 0);
	memmove(&os_held[i], &os_held[i + 1],
		(os_nheld - i - 1) * sizeof(os_held[0]));
	os_nheld--;
}

void os_mutex_init_class(os_mutex_t *m, const char *class)
{
	pthread_mutex_init(&m->m, NULL);
	owner_set(&m->owner, (pthread_t)0);
	__atomic_store_n(&m->held, false, __ATOMIC_RELAXED);
	m->class = class;
}

void os_mutex_destroy(os_mutex_t *m)
{
	OS_ASSERT(!__atomic_load_n(&m->held, __ATOMIC_RELAXED));
	pthread_mutex_destroy(&m->m);
}

void os_mutex_lock_nested(os_mutex_t *m, unsigned int subclass)
{
	/* a recursive lock would deadlock silently: catch it loudly */
	OS_ASSERT(!owned(&m->owner, &m->held));
	held_push(m, subclass);
	pthread_mutex_lock(&m->m);
	owner_set(&m->owner, pthread_self());
	__atomic_store_n(&m->held, true, __ATOMIC_RELAXED);
}

void os_mutex_lock(os_mutex_t *m)
{
	os_mutex_lock_nested(m, 0);
}

void os_mutex_unlock(os_mutex_t *m)
{
	OS_ASSERT(owned(&m->owner, &m->held));
	held_pop(m);
	__atomic_store_n(&m->held, false, __ATOMIC_RELAXED);
	owner_set(&m->owner, (pthread_t)0);
	pthread_mutex_unlock(&m->m);
}

void os_mutex_assert_held(os_mutex_t *m)
{
	OS_ASSERT(owned(&m->owner, &m->held));
}

void os_rwlock_init(os_rwlock_t *l)
{
	pthread_rwlock_init(&l->l, NULL);
	owner_set(&l->writer, (pthread_t)0);
	__atomic_store_n(&l->wlocked, false, __ATOMIC_RELAXED);
}

void os_rwlock_destroy(os_rwlock_t *l)
{
	OS_ASSERT(!__atomic_load_n(&l->wlocked, __ATOMIC_RELAXED));
	pthread_rwlock_destroy(&l->l);
}

void os_rwlock_rlock(os_rwlock_t *l)
{
	OS_ASSERT(!owned(&l->writer, &l->wlocked));
	pthread_rwlock_rdlock(&l->l);
}

void os_rwlock_runlock(os_rwlock_t *l)
{
	OS_ASSERT(!__atomic_load_n(&l->wlocked, __ATOMIC_RELAXED));
	pthread_rwlock_unlock(&l->l);
}

void os_rwlock_wlock(os_rwlock_t *l)
{
	OS_ASSERT(!owned(&l->writer, &l->wlocked));
	pthread_rwlock_wrlock(&l->l);
	owner_set(&l->writer, pthread_self());
	__atomic_store_n(&l->wlocked, true, __ATOMIC_RELAXED);
}

void os_rwlock_wunlock(os_rwlock_t *l)
{
	OS_ASSERT(owned(&l->writer, &l->wlocked));
	__atomic_store_n(&l->wlocked, false, __ATOMIC_RELAXED);
	owner_set(&l->writer, (pthread_t)0);
	pthread_rwlock_unlock(&l->l);
}

void os_rwlock_assert_wlocked(os_rwlock_t *l)
{
	OS_ASSERT(owned(&l->writer, &l->wlocked));
}

/* ---- pages ---- */

static int64_t live_pages;
static uint8_t zero_data[OS_PAGE_SIZE] __attribute__((aligned(4096)));
static struct os_page zero_pg = {
	.magic = OS_PAGE_MAGIC,
	.refs = 1,
	.is_zero = true,
	.data = zero_data,
};

vm_page_t os_page_alloc(bool zero)
{
	struct os_page *pg;

	if (inject_fail())
		return NULL;
	pg = calloc(1, sizeof(*pg));
	if (!pg)
		return NULL;
	pg->data = aligned_alloc(OS_PAGE_SIZE, OS_PAGE_SIZE);
	if (!pg->data) {
		free(pg);
		return NULL;
	}
	if (zero)
		memset(pg->data, 0, OS_PAGE_SIZE);
	else
		memset(pg->data, 0x5a, OS_PAGE_SIZE);	/* garbage on purpose */
	pg->magic = OS_PAGE_MAGIC;
	pg->refs = 1;
	__atomic_add_fetch(&live_pages, 1, __ATOMIC_RELAXED);
	return pg;
}


static void page_release(vm_page_t pg)
{
	/* a freed page still mapped by a pmap is a use-after-free to be */
	OS_ASSERT(pg->pv == NULL && pg->pv_count == 0);
	pg->magic = OS_PAGE_DEAD;
	free(pg->data);
	pg->data = NULL;
	__atomic_sub_fetch(&live_pages, 1, __ATOMIC_RELAXED);
	free(pg);
}

/*
 * Page references are atomic, as the kernel's get_page/put_page: a hold
 * (vm_fault_hold, ptrace) is dropped without any of the core's locks.
 */
static void page_put(vm_page_t pg)
{
	int left = __atomic_sub_fetch(&pg->refs, 1, __ATOMIC_ACQ_REL);

	OS_ASSERT(left >= 0);
	if (left == 0)
		page_release(pg);
}

void os_page_free(vm_page_t pg)
{
	OS_ASSERT(pg && pg->magic == OS_PAGE_MAGIC);
	OS_ASSERT(!pg->is_zero);
	page_put(pg);
}

void os_page_hold(vm_page_t pg)
{
	int before;

	OS_ASSERT(pg && pg->magic == OS_PAGE_MAGIC);
	if (pg->is_zero)
		return;
	before = __atomic_fetch_add(&pg->refs, 1, __ATOMIC_RELAXED);
	OS_ASSERT(before > 0);
}

void os_page_unhold(vm_page_t pg)
{
	OS_ASSERT(pg && pg->magic == OS_PAGE_MAGIC);
	if (pg->is_zero)
		return;
	page_put(pg);
}

void os_cred_hold(void *cred)
{
	int before = __atomic_fetch_add((int *)cred, 1, __ATOMIC_RELAXED);

	OS_ASSERT(before > 0);
}

void os_cred_rele(void *cred)
{
	int before = __atomic_fetch_sub((int *)cred, 1, __ATOMIC_RELAXED);

	OS_ASSERT(before > 0);
}

void os_page_copy(vm_page_t dst, vm_page_t src)
{
	OS_ASSERT(dst->magic == OS_PAGE_MAGIC && src->magic == OS_PAGE_MAGIC);
	OS_ASSERT(!dst->is_zero);
	OS_ASSERT(dst != src);
	memcpy(dst->data, src->data, OS_PAGE_SIZE);
}

void os_page_zero(vm_page_t pg)
{
	OS_ASSERT(pg->magic == OS_PAGE_MAGIC && !pg->is_zero);
	memset(pg->data, 0, OS_PAGE_SIZE);
}

vm_page_t os_zero_page(void)
{
	return &zero_pg;
}

bool os_page_pinned(vm_page_t pg)
{
	OS_ASSERT(pg->magic == OS_PAGE_MAGIC);
	return pg->pinned;
}

/* A hold (os_page_hold: a test's stand-in for a pipe) or a pin. */
bool os_page_held(vm_page_t pg)
{
	OS_ASSERT(pg->magic == OS_PAGE_MAGIC);
	return pg->pinned || __atomic_load_n(&pg->refs, __ATOMIC_RELAXED) > 1;
}

int os_user_zero_page_check(void)
{
	size_t i;

	if (zero_pg.magic != OS_PAGE_MAGIC || !zero_pg.is_zero)
		return EINVAL;
	for (i = 0; i < OS_PAGE_SIZE; i++)
		if (zero_data[i])
			return EIO;
	return 0;
}

int64_t os_user_live_pages(void)
{
	return __atomic_load_n(&live_pages, __ATOMIC_RELAXED);
}
