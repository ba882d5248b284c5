/* SPDX-License-Identifier: GPL-2.0 */
/*
 * page.h - the two kinds of vm_page_t (os_linux.h) as the Linux side sees
 * them: bsdvm's own pages, and pages of page-cache folios the vnode pager
 * lent to an object (vnode_pager.c, Documentation/vnode.rst).
 *
 * A page-cache folio uses page->lru (it is on an LRU) and page->private
 * (the file system's buffers), where an own page keeps its pv list and
 * flags, so a lent page gets a descriptor that keeps them instead, plus a
 * reference to the folio.  The descriptor is told apart by bit 0 of the
 * handle: an xarray stores such an entry as a value entry, which the
 * object's page index does not mind.
 *
 * An own page is mapped by a normal PTE (pmap.c), so get_user_pages() and
 * futexes see it.  A shared futex is keyed by the page's mapping->host
 * and index: so every own page has mapping = one module-wide inode's and
 * an index no other page has had, set before its first PTE and cleared
 * before bsdvm's last put (os_linux.c).  Two processes that map one page
 * at different addresses then wait on the same key.  A page of a vnode
 * object is named after its place instead: its vnode's own inode of
 * bsdvm's file system and its file index (vnode_page_named), so a key
 * survives the page being dropped and read again.  A lent page is the
 * page cache's, with its file's mapping and index, and is mapped by a
 * special PTE, which get_user_pages() does not see (pmap.c says why).
 */
#ifndef _BSDVM_LINUX_PAGE_H
#define _BSDVM_LINUX_PAGE_H

#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/refcount.h>

#include "os_linux.h"

struct bsdvm_lent_page {
	struct list_head pv;	/* pmap.c's pv list of this page (pv_lock) */
	struct page *page;	/* in a folio we hold one reference of */
	unsigned int flags;	/* VM_PG_*, VM_PG_LENT always (object lock) */
	refcount_t ref;		/* the object's, plus holds (os_page_hold) */
};

#define BSDVM_PAGE_LENT_BIT	1UL

static inline bool bsdvm_page_is_lent(vm_page_t m)
{
	return (unsigned long)m & BSDVM_PAGE_LENT_BIT;
}

static inline struct bsdvm_lent_page *bsdvm_lent_page(vm_page_t m)
{
	return (struct bsdvm_lent_page *)((unsigned long)m &
					  ~BSDVM_PAGE_LENT_BIT);
}

/* The struct page whose frame a PTE of m maps. */
static inline struct page *bsdvm_page(vm_page_t m)
{
	return bsdvm_page_is_lent(m) ? bsdvm_lent_page(m)->page :
				       (struct page *)m;
}

/* The list of pv entries (pmap.c) of m. */
static inline struct list_head *bsdvm_page_pv(vm_page_t m)
{
	return bsdvm_page_is_lent(m) ? &bsdvm_lent_page(m)->pv :
				       &((struct page *)m)->lru;
}

/*
 * A vm_page_t for page (of a page-cache folio, uptodate), holding a
 * reference to its folio until the core frees the handle; flags are the
 * handle's VM_PG_* bits for good (VM_PG_LENT).  NULL without memory.
 */
vm_page_t bsdvm_page_lend(struct page *page, unsigned int flags);
void bsdvm_page_name(struct page *page, struct address_space *mapping,
		     pgoff_t index);

int bsdvm_page_global_init(void);
void bsdvm_page_global_exit(void);

#endif /* _BSDVM_LINUX_PAGE_H */
