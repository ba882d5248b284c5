// SPDX-License-Identifier: GPL-2.0
/*
 * test_pmap.c - the fake pmap alone: enter, remove, protect, reverse maps
 * across pmaps, referenced/modified bits and mincore.
 */
#include "os.h"
#include "vm.h"
#include "vm_page.h"
#include "pmap_user.h"
#include "harness.h"

#define VA(i) (0x100000ull + (vm_offset_t)(i) * OS_PAGE_SIZE)

TEST(enter_lookup_remove)
{
	struct pmap *a = pmap_user_create();
	vm_page_t pg = os_page_alloc(true), got;
	vm_prot_t prot;
	int i;

	for (i = 0; i < 1000; i++)
		CHECK_EQ(pmap_enter(a, VA(i), pg, VM_PROT_READ, NULL), 0);
	CHECK_EQ(pmap_user_count(a), 1000);
	CHECK_EQ(pg->pv_count, 1000);
	CHECK(pmap_user_lookup(a, VA(5) + 17, &got, &prot));
	CHECK(got == pg && prot == VM_PROT_READ);
	CHECK_EQ(pmap_user_check(a), 0);
	pmap_remove(a, VA(10), VA(20));
	CHECK_EQ(pmap_user_count(a), 990);
	CHECK(!pmap_user_lookup(a, VA(10), NULL, NULL));
	pmap_remove(a, 0, ~0ull & ~(vm_offset_t)OS_PAGE_MASK);
	CHECK_EQ(pmap_user_count(a), 0);
	CHECK_EQ(pg->pv_count, 0);
	os_page_free(pg);
	pmap_user_destroy(a);
}

TEST(protect_and_page_protect_reach_all_pmaps)
{
	struct pmap *a = pmap_user_create(), *b = pmap_user_create();
	vm_page_t pg = os_page_alloc(true);
	vm_prot_t prot;

	CHECK_EQ(pmap_enter(a, VA(1), pg, VM_PROT_ALL, NULL), 0);
	CHECK_EQ(pmap_enter(b, VA(7), pg, VM_PROT_READ | VM_PROT_WRITE, NULL), 0);
	pmap_protect(a, VA(0), VA(4), VM_PROT_READ);
	CHECK(pmap_user_lookup(a, VA(1), NULL, &prot) && prot == VM_PROT_READ);
	pmap_protect(a, VA(0), VA(4), VM_PROT_EXECUTE);	/* nothing left */
	CHECK(!pmap_user_lookup(a, VA(1), NULL, NULL));
	CHECK_EQ(pmap_enter(a, VA(1), pg, VM_PROT_ALL, NULL), 0);
	pmap_page_protect(pg, VM_PROT_READ);
	CHECK(pmap_user_lookup(b, VA(7), NULL, &prot) && prot == VM_PROT_READ);
	CHECK(pmap_user_lookup(a, VA(1), NULL, &prot) && prot == VM_PROT_READ);
	pmap_page_protect(pg, VM_PROT_NONE);
	CHECK_EQ(pmap_user_count(a) + pmap_user_count(b), 0);
	os_page_free(pg);
	pmap_user_destroy(a);
	pmap_user_destroy(b);
}

TEST(mincore_bits_and_advise)
{
	struct pmap *a = pmap_user_create();
	vm_page_t pg = os_page_alloc(true);

	CHECK_EQ(pmap_mincore(a, VA(3)), 0);
	CHECK_EQ(pmap_enter(a, VA(3), pg, VM_PROT_READ | VM_PROT_WRITE, NULL), 0);
	CHECK_EQ(pmap_mincore(a, VA(3)), BSD_MINCORE_INCORE);
	CHECK(!pmap_is_referenced(pg) && !pmap_is_modified(pg));
	pmap_user_touch(a, VA(3), true);
	CHECK_EQ(pmap_mincore(a, VA(3)), BSD_MINCORE_INCORE |
		 BSD_MINCORE_REFERENCED | BSD_MINCORE_MODIFIED);
	CHECK(pmap_is_referenced(pg) && pmap_is_modified(pg));
	pmap_advise(a, VA(0), VA(8), BSD_MADV_DONTNEED);
	CHECK_EQ(pmap_mincore(a, VA(3)), BSD_MINCORE_INCORE);
	/* DONTNEED keeps data: the dirt moved to the page */
	CHECK(os_page_flags(pg) & VM_PG_DIRTY);
	pmap_user_touch(a, VA(3), false);
	pmap_remove(a, VA(3), VA(4));
	CHECK(os_page_flags(pg) & VM_PG_REFERENCED);
	os_page_free(pg);
	pmap_user_destroy(a);
}

TEST(zero_page_read_only)
{
	struct pmap *a = pmap_user_create();

	CHECK_EQ(pmap_enter(a, VA(0), os_zero_page(), VM_PROT_READ, NULL), 0);
	CHECK_EQ(pmap_user_check(a), 0);
	pmap_page_protect(os_zero_page(), VM_PROT_NONE);
	CHECK_EQ(pmap_user_count(a), 0);
	CHECK_EQ(os_zero_page()->flags, 0);
	pmap_user_destroy(a);
}
