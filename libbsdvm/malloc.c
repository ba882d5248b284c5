// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * malloc.c - the shim's allocator, on bsdvm memory (Documentation/shim.rst,
 * "The heap").
 *
 * Memory comes from the arena in 2 MiB chunks (BSD_MAP_ALIGNED_SUPER); a
 * chunk's first pages are its header: a bitmap of free pages and one
 * descriptor per page.  Requests up to 16 KiB use 36 size classes, served
 * from slabs (runs of pages cut into equal objects) through per-thread
 * caches and one locked bin per class; up to 1 MiB get a page run of a
 * chunk; larger ones a mapping of their own.  A table with one word per
 * 2 MiB of arena says what each chunk-sized slot holds, so free() finds
 * any pointer's metadata without touching memory that may be unmapped.
 *
 * Freed pages are handed back with BSD MADV_FREE in batches.  BSD leaves
 * old data or zeros there, so the only memory known to be zero is memory
 * never handed out since its mapping was made: a per-page bitmap tracks
 * that, and calloc() clears everything else.
 *
 * BSDVM_MALLOC=0, or no usable bsdvm, leaves malloc to glibc
 * (__libc_malloc and friends); pointers outside the arena always go back
 * to glibc.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "shimstat.h"

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
void bv_count_malloc_libc(void) __attribute__((weak));

#define CHUNK_SHIFT	21
#define CHUNK		(1UL << CHUNK_SHIFT)
#define NPAGES		(CHUNK / BV_PAGE)
#define NWORDS		(NPAGES / 64)
#define SMALL_MAX	16384UL
#define LARGE_MAX	(1UL << 20)
#define NCLASS		36
#define TC_MAX		64
#define CHUNK_MAGIC	0x6273646368756e6bULL
#define HUGE_MAGIC	0x627364687567650aULL

enum { RUN_FREE, RUN_SLAB, RUN_LARGE, RUN_HDR };

struct run {
	uint16_t head;		/* first page of the run this page is in */
	uint16_t npages;	/* run length (at the head) */
	uint8_t kind;
	uint8_t cls;
	uint16_t nfree;		/* slab: free objects */
	uint16_t bump;		/* slab: first never-used object */
	void *freelist;		/* slab: freed objects */
	struct run *next, *prev;	/* slab: bin's list of non-full slabs */
};

struct chunk {
	uint64_t magic;
	struct chunk *next, *prev;
	uint64_t free_bm[NWORDS];	/* 1: page free */
	uint64_t dirty_bm[NWORDS];	/* 1: free, touched, not purged */
	uint64_t zero_bm[NWORDS];	/* 1: never handed out: reads zero */
	uint32_t nfree;
	uint32_t maxrun;		/* >= the longest free run */
	struct run runs[NPAGES];
};

#define HDR_PAGES	((sizeof(struct chunk) + BV_PAGE - 1) / BV_PAGE)
#define USABLE_PAGES	(NPAGES - HDR_PAGES)

struct huge {
	uint64_t magic;
	size_t maplen;		/* the mapping: [base, base + maplen) */
	size_t off;		/* the pointer is base + off */
};

struct bin {
	pthread_mutex_t lock;
	struct run *nonfull;
	uint32_t size;
	uint16_t slab_pages;
	uint16_t nobj;
	uint16_t tc_cap;
} __attribute__((aligned(64)));

struct tcache {
	uint16_t n[NCLASS];
	void *slot[NCLASS][TC_MAX];
};

enum { M_UNINIT, M_BSDVM, M_LIBC, M_FAIL };

static int mode;
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t pg_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t tc_key;
static struct bin bins[NCLASS];
static uintptr_t heap_base;
static size_t heap_size;
static uintptr_t *slots;
static struct chunk *chunks;
static size_t dirty_pages, used_pages, empty_chunks;

static __thread struct tcache *tc __attribute__((tls_model("initial-exec")));
/* 0: none yet, 1: being made or thread exiting (use the bins) */
static __thread int tc_busy __attribute__((tls_model("initial-exec")));

/* Size classes: 16..128 by 16, then four per doubling up to 16 KiB. */
static inline unsigned int size2cls(size_t s)
{
	unsigned int k;

	if (s <= 128)
		return s ? (unsigned int)((s + 15) >> 4) - 1 : 0;
	k = 63 - __builtin_clzl(s - 1);
	return 8 + (k - 7) * 4 + (unsigned int)((s - 1 - (1UL << k)) >>
						(k - 2));
}

static size_t cls2size(unsigned int c)
{
	unsigned int k;

	if (c < 8)
		return (c + 1) * 16;
	k = 7 + (c - 8) / 4;
	return (1UL << k) + (((c - 8) % 4) + 1) * (1UL << (k - 2));
}

static void count_map(size_t bytes)
{
	if (bv_count)
		bv_count(BV_OP_MALLOC, BV_SERVED, bytes, BV_WHY_NONE);
}

/* ---- bitmaps ---- */

static unsigned int bm_next(const uint64_t *bm, unsigned int i, bool set)
{
	unsigned int w = i / 64;
	uint64_t v;

	if (i >= NPAGES)
		return NPAGES;
	v = (set ? bm[w] : ~bm[w]) & (~0ULL << (i % 64));
	while (!v) {
		if (++w == NWORDS)
			return NPAGES;
		v = set ? bm[w] : ~bm[w];
	}
	return w * 64 + __builtin_ctzll(v);
}

static inline bool bm_test(const uint64_t *bm, unsigned int i)
{
	return bm[i / 64] >> (i % 64) & 1;
}

static void bm_range(uint64_t *bm, unsigned int i, unsigned int n, bool set)
{
	for (; n && (i % 64); i++, n--)
		bm[i / 64] = set ? bm[i / 64] | 1ULL << (i % 64) :
				   bm[i / 64] & ~(1ULL << (i % 64));
	for (; n >= 64; i += 64, n -= 64)
		bm[i / 64] = set ? ~0ULL : 0;
	for (; n; i++, n--)
		bm[i / 64] = set ? bm[i / 64] | 1ULL << (i % 64) :
				   bm[i / 64] & ~(1ULL << (i % 64));
}

/* All of [i, i + n) set? */
static bool bm_all(const uint64_t *bm, unsigned int i, unsigned int n)
{
	return bm_next(bm, i, false) >= i + n;
}

/* ---- chunks and page runs (pg_lock) ---- */

static inline struct chunk *run_chunk(struct run *r)
{
	return (struct chunk *)((uintptr_t)r & ~(CHUNK - 1));
}

static inline uintptr_t run_base(struct run *r)
{
	struct chunk *c = run_chunk(r);

	return (uintptr_t)c + (uintptr_t)(r - c->runs) * BV_PAGE;
}

static inline uintptr_t *slot_of(uintptr_t a)
{
	/* slots follow absolute 2 MiB boundaries: the arena need not */
	return &slots[(a >> CHUNK_SHIFT) - (heap_base >> CHUNK_SHIFT)];
}

static struct chunk *chunk_new(void)
{
	struct chunk *c = bv_mem_map(CHUNK, CHUNK);
	unsigned int i;

	if (!c)
		return NULL;
	count_map(CHUNK);
	c->magic = CHUNK_MAGIC;
	bm_range(c->free_bm, HDR_PAGES, USABLE_PAGES, true);
	bm_range(c->zero_bm, HDR_PAGES, USABLE_PAGES, true);
	c->nfree = USABLE_PAGES;
	c->maxrun = USABLE_PAGES;
	for (i = 0; i < HDR_PAGES; i++)
		c->runs[i].kind = RUN_HDR;
	c->next = chunks;
	if (chunks)
		chunks->prev = c;
	chunks = c;
	empty_chunks++;
	__atomic_store_n(slot_of((uintptr_t)c), (uintptr_t)c | 1,
			 __ATOMIC_RELEASE);
	return c;
}

static void chunk_release(struct chunk *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < NWORDS; i++)
		n += __builtin_popcountll(c->dirty_bm[i]);
	dirty_pages -= n;
	if (c->prev)
		c->prev->next = c->next;
	else
		chunks = c->next;
	if (c->next)
		c->next->prev = c->prev;
	empty_chunks--;
	__atomic_store_n(slot_of((uintptr_t)c), 0, __ATOMIC_RELEASE);
	bv_mem_unmap(c, CHUNK);
}

/* First fit of n pages in c, or -1 (and c->maxrun made exact). */
static int chunk_fit(struct chunk *c, unsigned int n)
{
	unsigned int i = HDR_PAGES, j, max = 0;

	while (i < NPAGES) {
		i = bm_next(c->free_bm, i, true);
		if (i >= NPAGES)
			break;
		j = bm_next(c->free_bm, i, false);
		if (j - i >= n)
			return (int)i;
		if (j - i > max)
			max = j - i;
		i = j;
	}
	c->maxrun = max;
	return -1;
}

static void purge_all(void)
{
	struct chunk *c;
	unsigned int i, j;

	for (c = chunks; c; c = c->next) {
		for (i = 0; (i = bm_next(c->dirty_bm, i, true)) < NPAGES;
		     i = j) {
			j = bm_next(c->dirty_bm, i, false);
			bv_mem_purge((char *)c + i * BV_PAGE,
				     (j - i) * BV_PAGE);
		}
		memset(c->dirty_bm, 0, sizeof(c->dirty_bm));
	}
	dirty_pages = 0;
}

/* n pages; *zeroed: all of them read zero.  pg_lock held. */
static struct run *pages_alloc(unsigned int n, bool *zeroed)
{
	struct chunk *c;
	struct run *r;
	int idx = -1;
	unsigned int i;

	for (c = chunks; c; c = c->next) {
		if (c->nfree < n || c->maxrun < n)
			continue;
		idx = chunk_fit(c, n);
		if (idx >= 0)
			break;
	}
	if (!c) {
		c = chunk_new();
		if (!c)
			return NULL;
		idx = HDR_PAGES;
	}
	if (c->nfree == USABLE_PAGES)
		empty_chunks--;
	bm_range(c->free_bm, idx, n, false);
	for (i = idx; i < idx + n; i++)
		if (bm_test(c->dirty_bm, i))
			dirty_pages--;
	bm_range(c->dirty_bm, idx, n, false);
	if (zeroed)
		*zeroed = bm_all(c->zero_bm, idx, n);
	bm_range(c->zero_bm, idx, n, false);
	c->nfree -= n;
	used_pages += n;
	for (i = idx; i < idx + n; i++)
		c->runs[i].head = idx;
	r = &c->runs[idx];
	r->npages = n;
	return r;
}

static void pages_free(struct run *r)
{
	struct chunk *c = run_chunk(r);
	unsigned int idx = r - c->runs, n = r->npages, lo, hi;

	r->kind = RUN_FREE;
	bm_range(c->free_bm, idx, n, true);
	bm_range(c->dirty_bm, idx, n, true);
	c->nfree += n;
	used_pages -= n;
	dirty_pages += n;
	for (lo = idx; lo > HDR_PAGES && bm_test(c->free_bm, lo - 1); lo--)
		;
	hi = bm_next(c->free_bm, idx + n, false);
	if (hi - lo > c->maxrun)
		c->maxrun = hi - lo;
	if (c->nfree == USABLE_PAGES) {
		empty_chunks++;
		if (empty_chunks > 2) {
			chunk_release(c);
			return;
		}
	}
	if (dirty_pages > 2048 && dirty_pages > used_pages / 4)
		purge_all();
}

/* ---- init ---- */

static void tc_destroy(void *arg);

static int malloc_init(void)
{
	unsigned int c, n;
	size_t sz;

	pthread_mutex_lock(&init_lock);
	if (mode != M_UNINIT)
		goto out;
	if (!bv_env_flag("BSDVM_MALLOC", true) ||
	    bv_mem_init(&heap_base, &heap_size)) {
		mode = bv_env_flag("BSDVM_STRICT", false) &&
		       bv_env_flag("BSDVM_MALLOC", true) ? M_FAIL : M_LIBC;
		if (mode == M_LIBC && bv_count_malloc_libc)
			bv_count_malloc_libc();
		goto out;
	}
	sz = bv_round(((heap_size >> CHUNK_SHIFT) + 2) * sizeof(uintptr_t));
	slots = bv_mem_map(sz, BV_PAGE);
	if (!slots) {
		heap_size = 0;
		mode = M_LIBC;
		goto out;
	}
	for (c = 0; c < NCLASS; c++) {
		struct bin *b = &bins[c];

		pthread_mutex_init(&b->lock, NULL);
		b->size = cls2size(c);
		/* at least 4 objects, at most 1/16 wasted, at most 16 pages */
		n = (4 * b->size + BV_PAGE - 1) / BV_PAGE;
		if (n < 1)
			n = 1;
		while (n < 16 && (n * BV_PAGE % b->size) * 16 > n * BV_PAGE)
			n++;
		b->slab_pages = n;
		b->nobj = n * BV_PAGE / b->size;
		b->tc_cap = b->size <= 1024 ? TC_MAX : b->size <= 4096 ? 16 : 8;
	}
	pthread_key_create(&tc_key, tc_destroy);
	__atomic_store_n(&mode, M_BSDVM, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&init_lock);
	return mode;
}

static inline int get_mode(void)
{
	int m = __atomic_load_n(&mode, __ATOMIC_ACQUIRE);

	return likely(m != M_UNINIT) ? m : malloc_init();
}

/* ---- slabs (bin lock) ---- */

static void list_del(struct bin *b, struct run *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		b->nonfull = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->next = r->prev = NULL;
}

static void list_add(struct bin *b, struct run *r)
{
	r->prev = NULL;
	r->next = b->nonfull;
	if (b->nonfull)
		b->nonfull->prev = r;
	b->nonfull = r;
}

static int bin_take(unsigned int cls, void **out, int want)
{
	struct bin *b = &bins[cls];
	struct run *r;
	int got = 0;

	pthread_mutex_lock(&b->lock);
	while (got < want) {
		r = b->nonfull;
		if (!r) {
			pthread_mutex_lock(&pg_lock);
			r = pages_alloc(b->slab_pages, NULL);
			pthread_mutex_unlock(&pg_lock);
			if (!r)
				break;
			r->kind = RUN_SLAB;
			r->cls = cls;
			r->nfree = b->nobj;
			r->bump = 0;
			r->freelist = NULL;
			list_add(b, r);
		}
		while (got < want && r->nfree) {
			void *p = r->freelist;

			if (p)
				r->freelist = *(void **)p;
			else
				p = (void *)(run_base(r) +
					     (uintptr_t)r->bump++ * b->size);
			r->nfree--;
			out[got++] = p;
		}
		if (!r->nfree)
			list_del(b, r);
	}
	pthread_mutex_unlock(&b->lock);
	return got;
}

static inline struct run *run_of(uintptr_t a)
{
	struct chunk *c = (struct chunk *)(a & ~(CHUNK - 1));

	return &c->runs[c->runs[(a - (uintptr_t)c) / BV_PAGE].head];
}

static void bin_put(unsigned int cls, void **ptrs, int n)
{
	struct bin *b = &bins[cls];
	struct run *r;
	int i;

	pthread_mutex_lock(&b->lock);
	for (i = 0; i < n; i++) {
		r = run_of((uintptr_t)ptrs[i]);
		*(void **)ptrs[i] = r->freelist;
		r->freelist = ptrs[i];
		if (r->nfree++ == 0)
			list_add(b, r);
		if (r->nfree == b->nobj && (r->prev || r->next)) {
			list_del(b, r);
			pthread_mutex_lock(&pg_lock);
			pages_free(r);
			pthread_mutex_unlock(&pg_lock);
		}
	}
	pthread_mutex_unlock(&b->lock);
}

/* ---- thread caches ---- */

static void tc_destroy(void *arg)
{
	struct tcache *t = arg;
	unsigned int c;

	if (!t)
		return;
	tc_busy = 1;
	tc = NULL;
	for (c = 0; c < NCLASS; c++)
		if (t->n[c])
			bin_put(c, t->slot[c], t->n[c]);
	pthread_mutex_lock(&pg_lock);
	pages_free(run_of((uintptr_t)t));
	pthread_mutex_unlock(&pg_lock);
}

static struct tcache *tc_create(void)
{
	struct run *r;
	struct tcache *t;
	unsigned int n = (sizeof(struct tcache) + BV_PAGE - 1) / BV_PAGE;

	if (tc_busy || get_mode() != M_BSDVM)
		return NULL;
	tc_busy = 1;
	pthread_mutex_lock(&pg_lock);
	r = pages_alloc(n, NULL);
	if (r)
		r->kind = RUN_LARGE;
	pthread_mutex_unlock(&pg_lock);
	if (!r)
		return NULL;	/* stays busy: this thread uses the bins */
	t = (struct tcache *)run_base(r);
	memset(t->n, 0, sizeof(t->n));
	/* may allocate (second-level key arrays): tc_busy routes it */
	pthread_setspecific(tc_key, t);
	tc = t;
	tc_busy = 0;
	return t;
}

static void *small_alloc(size_t size)
{
	unsigned int cls = size2cls(size);
	struct tcache *t = tc;
	struct bin *b;
	void *p;
	int got;

	if (unlikely(!t)) {
		t = tc_create();
		if (!t) {
			if (get_mode() != M_BSDVM)
				return NULL;
			return bin_take(cls, &p, 1) ? p : NULL;
		}
	}
	if (likely(t->n[cls]))
		return t->slot[cls][--t->n[cls]];
	b = &bins[cls];
	got = bin_take(cls, t->slot[cls], b->tc_cap / 2);
	if (!got)
		return NULL;
	t->n[cls] = got - 1;
	return t->slot[cls][got - 1];
}

static void small_free(struct run *r, void *p)
{
	unsigned int cls = r->cls, half;
	struct tcache *t = tc;
	struct bin *b = &bins[cls];

	if (unlikely(!t)) {
		bin_put(cls, &p, 1);
		return;
	}
	if (unlikely(t->n[cls] >= b->tc_cap)) {
		half = t->n[cls] / 2;
		bin_put(cls, t->slot[cls], half);
		memmove(t->slot[cls], t->slot[cls] + half,
			(t->n[cls] - half) * sizeof(void *));
		t->n[cls] -= half;
	}
	t->slot[cls][t->n[cls]++] = p;
}

/* ---- large runs and huge mappings ---- */

static void *large_alloc(size_t size, size_t align, bool *zeroed)
{
	unsigned int n = bv_round(size) / BV_PAGE, extra = 0;
	struct run *r;
	uintptr_t base;

	if (align > BV_PAGE)
		extra = align / BV_PAGE - 1;
	pthread_mutex_lock(&pg_lock);
	r = pages_alloc(n + extra, zeroed);
	if (r)
		r->kind = RUN_LARGE;
	pthread_mutex_unlock(&pg_lock);
	if (!r)
		return NULL;
	base = run_base(r);
	return (void *)((base + align - 1) & ~(align - 1));
}

static void *huge_alloc(size_t size, size_t align)
{
	size_t off = align > BV_PAGE ? align : BV_PAGE, len;
	struct huge *h;

	if (size > SIZE_MAX / 2 - off)
		return NULL;
	len = bv_round(off + size);
	h = bv_mem_map(len, align > CHUNK ? align : CHUNK);
	if (!h)
		return NULL;
	count_map(len);
	h->magic = HUGE_MAGIC;
	h->maplen = len;
	h->off = off;
	__atomic_store_n(slot_of((uintptr_t)h + off), (uintptr_t)h | 2,
			 __ATOMIC_RELEASE);
	return (char *)h + off;
}

static void bad_pointer(const char *fn, void *p)
{
	bv_log("libbsdvm: %s(): invalid pointer %p", fn, p);
	abort();
}

static void *do_alloc(size_t size, size_t align, bool clear)
{
	bool zeroed = false;
	void *p;

	if (unlikely(size > SIZE_MAX / 4)) {
		errno = ENOMEM;
		return NULL;
	}
	if (size <= SMALL_MAX && align <= 16) {
		p = small_alloc(size);
		if (p && clear)
			memset(p, 0, size);
	} else if (size <= SMALL_MAX && align <= BV_PAGE) {
		/* a class whose objects fall on the alignment */
		unsigned int c = size2cls(size < align ? align : size);

		while (c < NCLASS && bins[c].size % align)
			c++;
		p = small_alloc(bins[c].size);
		if (p && clear)
			memset(p, 0, size);
	} else if (bv_round(size) + (align > BV_PAGE ? align - BV_PAGE : 0)
		   <= LARGE_MAX) {
		p = large_alloc(size, align, &zeroed);
		if (p && clear && !zeroed)
			memset(p, 0, size);
	} else {
		/* a fresh mapping: zero-filled */
		p = huge_alloc(size, align);
	}
	if (!p)
		errno = ENOMEM;
	return p;
}

/* Usable bytes at p, or 0 when p is not ours. */
static size_t usable(void *p, struct run **rp, struct huge **hp)
{
	uintptr_t a = (uintptr_t)p, s;
	struct run *r;
	struct huge *h;

	*rp = NULL;
	*hp = NULL;
	if (a - heap_base >= heap_size || !slots)
		return 0;
	s = __atomic_load_n(slot_of(a), __ATOMIC_ACQUIRE);
	if (s & 1) {
		r = run_of(a);
		*rp = r;
		if (r->kind == RUN_SLAB)
			return bins[r->cls].size;
		if (r->kind == RUN_LARGE)
			return run_base(r) + r->npages * BV_PAGE - a;
		bad_pointer("free", p);
	}
	if (s & 2) {
		h = (struct huge *)(s & ~3UL);
		if (h->magic != HUGE_MAGIC || (char *)h + h->off != p)
			bad_pointer("free", p);
		*hp = h;
		return h->maplen - h->off;
	}
	bad_pointer("free", p);
	return 0;
}

static void do_free(void *p)
{
	struct run *r;
	struct huge *h;

	usable(p, &r, &h);
	if (r && r->kind == RUN_SLAB) {
		small_free(r, p);
	} else if (r) {
		pthread_mutex_lock(&pg_lock);
		pages_free(r);
		pthread_mutex_unlock(&pg_lock);
	} else {
		__atomic_store_n(slot_of((uintptr_t)p), 0, __ATOMIC_RELEASE);
		bv_mem_unmap(h, h->maplen);
	}
}

static inline bool ours(void *p)
{
	return (uintptr_t)p - heap_base < heap_size;
}

/* ---- the malloc family ---- */

void *malloc(size_t size)
{
	if (likely(tc) && size <= SMALL_MAX) {
		unsigned int cls = size2cls(size);

		if (likely(tc->n[cls]))
			return tc->slot[cls][--tc->n[cls]];
	}
	switch (get_mode()) {
	case M_BSDVM:
		return do_alloc(size, 16, false);
	case M_LIBC:
		return __libc_malloc(size);
	}
	errno = ENOMEM;
	return NULL;
}

void free(void *p)
{
	if (!p)
		return;
	if (likely(ours(p))) {
		int saved = errno;

		do_free(p);
		errno = saved;
		return;
	}
	__libc_free(p);
}

void *calloc(size_t n, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	switch (get_mode()) {
	case M_BSDVM:
		return do_alloc(total, 16, true);
	case M_LIBC:
		return __libc_calloc(n, size);
	}
	errno = ENOMEM;
	return NULL;
}

void *realloc(void *p, size_t size)
{
	struct run *r;
	struct huge *h;
	size_t have, len;
	void *q;

	if (!p)
		return malloc(size);
	if (!ours(p))
		return __libc_realloc(p, size);
	if (!size) {
		free(p);
		return NULL;
	}
	have = usable(p, &r, &h);
	if (r && r->kind == RUN_SLAB) {
		if (size <= have && (size > SMALL_MAX / 2 ||
				     size2cls(size) == r->cls ||
				     size > have / 2))
			return p;
	} else if (r) {
		if (size <= have && size > have / 2)
			return p;
	} else if (h) {
		len = bv_round(h->off + size);
		if (len <= h->maplen && len > h->maplen / 2)
			return p;
		if (len > h->maplen &&
		    !bv_mem_extend((char *)h + h->maplen, len - h->maplen)) {
			count_map(len - h->maplen);
			h->maplen = len;
			return p;
		}
	}
	q = malloc(size);
	if (!q)
		return NULL;
	memcpy(q, p, have < size ? have : size);
	free(p);
	return q;
}

void *reallocarray(void *p, size_t n, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, total);
}

static void *aligned(size_t align, size_t size)
{
	switch (get_mode()) {
	case M_BSDVM:
		if (align < 16)
			align = 16;
		return do_alloc(size, align, false);
	case M_LIBC:
		return __libc_memalign(align, size);
	}
	errno = ENOMEM;
	return NULL;
}

int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;
	int saved = errno;

	if (!align || (align & (align - 1)) || align % sizeof(void *))
		return EINVAL;
	p = aligned(align, size);
	if (!p) {
		errno = saved;
		return ENOMEM;
	}
	*out = p;
	return 0;
}

void *aligned_alloc(size_t align, size_t size)
{
	if (!align || (align & (align - 1))) {
		errno = EINVAL;
		return NULL;
	}
	return aligned(align, size);
}

void *memalign(size_t align, size_t size)
{
	/* glibc rounds a non-power-of-two alignment up */
	if (align & (align - 1))
		align = 1UL << (64 - __builtin_clzl(align));
	return aligned(align ? align : 1, size);
}

void *valloc(size_t size)
{
	return aligned(BV_PAGE, size);
}

void *pvalloc(size_t size)
{
	return aligned(BV_PAGE, bv_round(size ? size : 1));
}

size_t malloc_usable_size(void *p)
{
	static size_t (*libc_usable)(void *);
	struct run *r;
	struct huge *h;

	if (!p)
		return 0;
	if (ours(p))
		return usable(p, &r, &h);
	if (!libc_usable)
		libc_usable = (size_t (*)(void *))dlsym(RTLD_NEXT,
							"malloc_usable_size");
	return libc_usable ? libc_usable(p) : 0;
}

/* ---- fork ---- */

void bv_malloc_prefork(void)
{
	unsigned int c;

	pthread_mutex_lock(&init_lock);
	for (c = 0; c < NCLASS; c++)
		pthread_mutex_lock(&bins[c].lock);
	pthread_mutex_lock(&pg_lock);
}

void bv_malloc_postfork(int child)
{
	unsigned int c;

	if (child) {
		pthread_mutex_init(&pg_lock, NULL);
		for (c = 0; c < NCLASS; c++)
			pthread_mutex_init(&bins[c].lock, NULL);
		pthread_mutex_init(&init_lock, NULL);
		return;
	}
	pthread_mutex_unlock(&pg_lock);
	for (c = 0; c < NCLASS; c++)
		pthread_mutex_unlock(&bins[c].lock);
	pthread_mutex_unlock(&init_lock);
}

/* Decide early, while the process has one thread. */
__attribute__((constructor)) static void malloc_ctor(void)
{
	get_mode();
}
