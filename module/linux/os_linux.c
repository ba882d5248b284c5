// SPDX-License-Identifier: GPL-2.0
/*
 * os_linux.c - the kernel implementation of module/vm/os.h.
 *
 * This file may include any kernel header: it never includes the core's
 * vm.h, whose vm_mmap()/vm_munmap() would clash with <linux/mm.h>.
 */
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/sched/signal.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/rbtree.h>
#include <linux/xarray.h>

#include <linux/bsdvm_mman.h>

#include "compat.h"
#include "internal.h"
#include "os_linux.h"
#include "page.h"

void os_cond_resched(void)
{
	cond_resched();
}

bool os_interrupted(void)
{
	return fatal_signal_pending(current);
}

#ifdef MMF_HAS_MDWE
static unsigned long os_prot_vm_flags(int prot)
{
	/* VM_PROT_* are BSD's values: vm.h is not ours to include here */
	return (prot & BSD_PROT_READ ? VM_READ : 0) |
	       (prot & BSD_PROT_WRITE ? VM_WRITE : 0) |
	       (prot & BSD_PROT_EXEC ? VM_EXEC : 0);
}

/* The calling process's PR_SET_MDWE, with mmap(2)'s and mprotect(2)'s rule. */
bool os_wx_denied(int old_prot, int new_prot)
{
	return map_deny_write_exec(os_prot_vm_flags(old_prot),
				   os_prot_vm_flags(new_prot));
}
#else
bool os_wx_denied(int old_prot, int new_prot)
{
	return false;	/* before 6.3 Linux has no MDWE */
}
#endif

void *os_malloc(size_t size)
{
	return kmalloc(size, GFP_KERNEL_ACCOUNT);
}

void *os_zalloc(size_t size)
{
	return kzalloc(size, GFP_KERNEL_ACCOUNT);
}

void os_free(void *p)
{
	kfree(p);
}

/*
 * Every page bsdvm owns belongs to one module-wide inode, at an index no
 * other page has had since the module loaded (page.h says why); the
 * shared zero page too, which is bsdvm's own: Linux's zero page may not
 * be mapped into a shared writable VMA on 6.12 (vm_mixed_zeropage_allowed).
 */
static struct inode *bsdvm_page_inode;
static atomic_long_t bsdvm_page_ids;
static struct page *bsdvm_zero_page;

static void bsdvm_page_own(struct page *page)
{
	set_page_private(page, 0);
	/* the pmap's pv list of this page (pmap.c) */
	INIT_LIST_HEAD(&page->lru);
	page->index = atomic_long_inc_return(&bsdvm_page_ids);
	WRITE_ONCE(page->mapping, bsdvm_page_inode->i_mapping);
}

/*
 * Rename an own page, not yet mapped, after its place in a pager's
 * object: a futex keyed on it then stays with (mapping, index) when
 * another page takes its place (vnode_page_named).
 */
void bsdvm_page_name(struct page *page, struct address_space *mapping,
		     pgoff_t index)
{
	page->index = index;
	WRITE_ONCE(page->mapping, mapping);
}

/* Before the page's last put: the allocator refuses a page with a mapping. */
static void bsdvm_page_disown(struct page *page)
{
	WRITE_ONCE(page->mapping, NULL);
	set_page_private(page, 0);
}

/*
 * Pages for user data: highmem-capable, charged to the faulting task's
 * memory cgroup so a runaway process meets its limit, not the machine's.
 */
vm_page_t os_page_alloc(bool zero)
{
	gfp_t gfp = GFP_HIGHUSER | __GFP_ACCOUNT;
	struct page *page;

	if (zero)
		gfp |= __GFP_ZERO;
	page = alloc_page(gfp);
	if (page)
		bsdvm_page_own(page);
	return (vm_page_t)page;
}

static struct kmem_cache *lent_cache;

vm_page_t bsdvm_page_lend(struct page *page, unsigned int flags)
{
	struct bsdvm_lent_page *lp;

	lp = kmem_cache_alloc(lent_cache, GFP_KERNEL_ACCOUNT);
	if (!lp)
		return NULL;
	INIT_LIST_HEAD(&lp->pv);
	lp->page = page;
	lp->flags = flags;
	refcount_set(&lp->ref, 1);
	get_page(page);
	return (vm_page_t)((unsigned long)lp | BSDVM_PAGE_LENT_BIT);
}

/* The last reference of a lent page: give the folio back. */
static void bsdvm_lent_put(struct bsdvm_lent_page *lp)
{
	if (!refcount_dec_and_test(&lp->ref))
		return;
	WARN_ON_ONCE(!list_empty(&lp->pv));
	put_page(lp->page);
	kmem_cache_free(lent_cache, lp);
}

/* The core's reference goes; a hold (os_page_hold) keeps the page. */
void os_page_free(vm_page_t m)
{
	struct page *page = (struct page *)m;

	/* pmap_page_protect(page, NONE) must have unmapped it everywhere */
	WARN_ON_ONCE(!list_empty(bsdvm_page_pv(m)));
	if (bsdvm_page_is_lent(m)) {
		bsdvm_lent_put(bsdvm_lent_page(m));
		return;
	}
	/*
	 * No PTE maps it now, but a get_user_pages() reference (a pipe's,
	 * a direct I/O's) may outlive ours: that holder's put frees it.
	 */
	bsdvm_page_disown(page);
	put_page(page);
}

void os_page_hold(vm_page_t m)
{
	if (bsdvm_page_is_lent(m))
		refcount_inc(&bsdvm_lent_page(m)->ref);
	else
		get_page((struct page *)m);
}

void os_page_unhold(vm_page_t m)
{
	if (bsdvm_page_is_lent(m))
		bsdvm_lent_put(bsdvm_lent_page(m));
	else
		put_page((struct page *)m);
}

void os_page_copy(vm_page_t dst, vm_page_t src)
{
	copy_highpage(bsdvm_page(dst), bsdvm_page(src));
}

void os_page_zero(vm_page_t m)
{
	clear_highpage(bsdvm_page(m));
}

vm_page_t os_zero_page(void)
{
	return (vm_page_t)bsdvm_zero_page;
}

/*
 * A pin (FOLL_PIN: direct I/O, an io_uring fixed buffer) of a page that
 * a normal PTE maps.  A lent page has a special PTE, which GUP skips.
 */
bool os_page_pinned(vm_page_t m)
{
	return !bsdvm_page_is_lent(m) &&
	       folio_maybe_dma_pinned(page_folio((struct page *)m));
}

/*
 * Every reference but the allocation's comes with a PTE (vm_insert_page
 * takes one of each), so more references than PTEs plus one are someone
 * else's: a pipe's, a GUP's.  A zap in flight (mapcount gone, reference
 * not yet) also counts: a needless copy, never a missed one.
 */
bool os_page_held(vm_page_t m)
{
	struct page *page = (struct page *)m;

	if (bsdvm_page_is_lent(m))
		return false;
	return page_count(page) > 1 + bsdvm_page_mapcount(page);
}

/* Flags change only under the owning object's lock: no atomics needed. */
unsigned int os_page_flags(vm_page_t m)
{
	if (bsdvm_page_is_lent(m))
		return bsdvm_lent_page(m)->flags;
	return (unsigned int)page_private((struct page *)m);
}

void os_page_flags_set(vm_page_t m, unsigned int bits)
{
	struct page *page = (struct page *)m;

	if (bsdvm_page_is_lent(m))
		bsdvm_lent_page(m)->flags |= bits;
	else
		set_page_private(page, page_private(page) | bits);
}

void os_page_flags_clear(vm_page_t m, unsigned int bits)
{
	struct page *page = (struct page *)m;

	if (bsdvm_page_is_lent(m))
		bsdvm_lent_page(m)->flags &= ~bits;
	else
		set_page_private(page, page_private(page) & ~(unsigned long)bits);
}

int bsdvm_page_global_init(void)
{
	bsdvm_page_inode = bsdvm_fs_inode();
	if (IS_ERR(bsdvm_page_inode))
		return PTR_ERR(bsdvm_page_inode);
	bsdvm_zero_page = alloc_page(GFP_HIGHUSER | __GFP_ZERO);
	lent_cache = KMEM_CACHE(bsdvm_lent_page, 0);
	if (!bsdvm_zero_page || !lent_cache) {
		bsdvm_page_global_exit();
		return -ENOMEM;
	}
	bsdvm_page_own(bsdvm_zero_page);
	return 0;
}

/* After the last space: no PTE maps the zero page any more. */
void bsdvm_page_global_exit(void)
{
	if (bsdvm_zero_page) {
		bsdvm_page_disown(bsdvm_zero_page);
		__free_page(bsdvm_zero_page);
		bsdvm_zero_page = NULL;
	}
	kmem_cache_destroy(lent_cache);
	lent_cache = NULL;
	iput(bsdvm_page_inode);
}

void os_tree_init(struct os_tree *t)
{
	t->root = RB_ROOT;
}

void os_tree_insert(struct os_tree *t, struct os_tree_node *n, u64 key)
{
	struct rb_node **link = &t->root.rb_node, *parent = NULL;

	n->key = key;
	while (*link) {
		struct os_tree_node *cur;

		parent = *link;
		cur = rb_entry(parent, struct os_tree_node, rb);
		if (key < cur->key)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&n->rb, parent, link);
	rb_insert_color(&n->rb, &t->root);
}

void os_tree_remove(struct os_tree *t, struct os_tree_node *n)
{
	rb_erase(&n->rb, &t->root);
	RB_CLEAR_NODE(&n->rb);
}

/* The caller guarantees the new key keeps n's place in the order. */
void os_tree_rekey(struct os_tree *t, struct os_tree_node *n, u64 key)
{
	n->key = key;
}

struct os_tree_node *os_tree_lookup_le(struct os_tree *t, u64 key)
{
	struct rb_node *rb = t->root.rb_node;
	struct os_tree_node *best = NULL;

	while (rb) {
		struct os_tree_node *cur = rb_entry(rb, struct os_tree_node,
						    rb);

		if (cur->key <= key) {
			best = cur;
			rb = rb->rb_right;
		} else {
			rb = rb->rb_left;
		}
	}
	return best;
}

bool os_tree_empty(struct os_tree *t)
{
	return RB_EMPTY_ROOT(&t->root);
}

void os_pindex_init(struct os_pindex *ix)
{
	xa_init(&ix->xa);
}

void os_pindex_destroy(struct os_pindex *ix)
{
	WARN_ON_ONCE(!xa_empty(&ix->xa));
	xa_destroy(&ix->xa);
}

vm_page_t os_pindex_lookup(struct os_pindex *ix, unsigned long long pidx)
{
	if (pidx > ULONG_MAX)
		return NULL;
	return xa_load(&ix->xa, (unsigned long)pidx);
}

int os_pindex_insert(struct os_pindex *ix, unsigned long long pidx,
		     vm_page_t page)
{
	int err;

	if (pidx > ULONG_MAX)
		return ENOMEM;
	err = xa_insert(&ix->xa, (unsigned long)pidx, page,
			GFP_KERNEL_ACCOUNT);
	return err ? ENOMEM : 0;
}

vm_page_t os_pindex_remove(struct os_pindex *ix, unsigned long long pidx)
{
	if (pidx > ULONG_MAX)
		return NULL;
	return xa_erase(&ix->xa, (unsigned long)pidx);
}

/* Storing into an occupied slot allocates nothing. */
vm_page_t os_pindex_replace(struct os_pindex *ix, unsigned long long pidx,
			    vm_page_t page)
{
	vm_page_t old = xa_store(&ix->xa, (unsigned long)pidx, page,
				 GFP_NOWAIT);

	WARN_ON_ONCE(!old || xa_is_err(old));
	return old;
}

vm_page_t os_pindex_next(struct os_pindex *ix, unsigned long long *pidx,
			 unsigned long long last)
{
	unsigned long idx = (unsigned long)*pidx;
	vm_page_t page;

	if (*pidx > ULONG_MAX)
		return NULL;
	if (last > ULONG_MAX)
		last = ULONG_MAX;
	page = xa_find(&ix->xa, &idx, (unsigned long)last, XA_PRESENT);
	if (page)
		*pidx = idx;
	return page;
}
