/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm_page.h - per-page state the core keeps in the host's page (see os.h:
 * os_page_flags*).  The core has no struct vm_page: a resident page is its
 * object's page-index slot plus these bits.
 */
#ifndef _BSDVM_VM_PAGE_H
#define _BSDVM_VM_PAGE_H

#include "vm.h"

#define VM_PG_DIRTY	0x01	/* differs from its pager's copy */
#define VM_PG_REFERENCED 0x02	/* referenced since last cleared (mincore) */
#define VM_PG_BUSY	0x04	/* pager I/O in progress; wait, then retry */
/*
 * Set by the host, never changed: the pager lent this page from the host's
 * file cache (vm_pager.h).  Others read and write it behind the core's
 * back, so it is never mapped writable and never dirty; a write fault on
 * it puts a copy in its place (vm_fault.c), a write-back never sees it.
 */
#define VM_PG_LENT	0x08

#endif /* _BSDVM_VM_PAGE_H */
