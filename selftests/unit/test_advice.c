// SPDX-License-Identifier: GPL-2.0
/*
 * test_advice.c - madvise (BSD meanings), mincore bits, vm_fault_hold.
 */
#include "testlib.h"

#define RW (BSD_PROT_READ | BSD_PROT_WRITE)
#define PRIV (BSD_MAP_ANON | BSD_MAP_PRIVATE)
#define PS OS_PAGE_SIZE
#define INC BSD_MINCORE_INCORE

TEST(dontneed_keeps_data)
{
	struct tproc *p = tp_new();
	vm_offset_t a = tp_mmap(p, 0, 4 * PS, RW, PRIV, NULL);
	unsigned char vec[4];

	CHECK(a);
	CHECK_EQ(tp_wr(p, a, 5), 0);
	CHECK_EQ(vm_madvise(p->vs, a, 4 * PS, BSD_MADV_DONTNEED), 0);
	CHECK_EQ(tp_get(p, a), 5);
	CHECK_EQ(vm_mincore(p->vs, a, PS, vec), 0);
	CHECK(vec[0] & INC);
	tp_exit(p);
}

TEST(free_gives_old_or_zero_then_write_sticks)
{
	struct tproc *p = tp_new();
	vm_offset_t a = tp_mmap(p, 0, 4 * PS, RW, PRIV, NULL);
	int v, w;

	CHECK(a);
	CHECK_EQ(tp_wr(p, a, 5), 0);
	CHECK_EQ(tp_wr(p, a + 9, 6), 0);
	CHECK_EQ(vm_madvise(p->vs, a, 4 * PS, BSD_MADV_FREE), 0);
	v = tp_get(p, a);
	w = tp_get(p, a + 9);
	CHECK((v == 5 && w == 6) || (v == 0 && w == 0));
	CHECK_EQ(tp_wr(p, a + 1, 7), 0);
	CHECK_EQ(tp_get(p, a + 1), 7);
	CHECK_EQ(tp_get(p, a), v);
	tp_exit(p);
}

TEST(free_is_a_no_op_on_forked_memory)
{
	struct tproc *p = tp_new(), *c;
	vm_offset_t a = tp_mmap(p, 0, PS, RW, PRIV, NULL);

	CHECK(a);
	CHECK_EQ(tp_wr(p, a, 5), 0);
	c = tp_fork(p);
	CHECK_EQ(vm_madvise(c->vs, a, PS, BSD_MADV_FREE), 0);
	CHECK_EQ(vm_madvise(p->vs, a, PS, BSD_MADV_FREE), 0);
	CHECK_EQ(tp_get(c, a), 5);
	CHECK_EQ(tp_get(p, a), 5);
	tp_exit(c);
	tp_exit(p);
}

TEST(mincore_bits)
{
	struct tproc *p = tp_new(), *c;
	vm_offset_t a = tp_mmap(p, 0, 4 * PS, RW, PRIV, NULL);
	unsigned char vec[4];

	CHECK(a);
	CHECK_EQ(vm_mincore(p->vs, a, 4 * PS, vec), 0);
	CHECK(!vec[0] && !vec[1] && !vec[2] && !vec[3]);	/* untouched */
	CHECK_EQ(tp_wr(p, a, 1), 0);
	CHECK_EQ(tp_get(p, a + PS), 0);
	CHECK_EQ(vm_mincore(p->vs, a, 4 * PS, vec), 0);
	CHECK_EQ(vec[0] & (INC | BSD_MINCORE_REFERENCED | BSD_MINCORE_MODIFIED),
		 INC | BSD_MINCORE_REFERENCED | BSD_MINCORE_MODIFIED);
	CHECK_EQ(vec[2], 0);
	/* unaligned addr and len cover the pages they touch */
	CHECK_EQ(vm_mincore(p->vs, a + 100, PS, vec), 0);
	CHECK(vec[0] & INC);
	CHECK_EQ(vm_madvise(p->vs, a, PS, BSD_MADV_DONTNEED), 0);
	CHECK_EQ(vm_mincore(p->vs, a, PS, vec), 0);
	CHECK(vec[0] & INC);
	CHECK(!(vec[0] & (BSD_MINCORE_REFERENCED | BSD_MINCORE_MODIFIED)));
	/* a forked child that never touched the page has nothing mapped */
	c = tp_fork(p);
	CHECK_EQ(vm_mincore(c->vs, a, PS, vec), 0);
	CHECK(!(vec[0] & (BSD_MINCORE_REFERENCED | BSD_MINCORE_MODIFIED)));
	tp_exit(c);
	tp_exit(p);
}

TEST(willneed_maps_resident_pages)
{
	struct tproc *p = tp_new();
	vm_offset_t a = tp_mmap(p, 0, 2 * PS, RW, PRIV, NULL);
	struct cpu_result r;
	uint8_t b;

	CHECK(a);
	CHECK_EQ(tp_wr(p, a, 5), 0);
	pmap_remove(p->pmap, a, a + 2 * PS);
	CHECK_EQ(vm_madvise(p->vs, a, 2 * PS, BSD_MADV_WILLNEED), 0);
	CHECK_EQ(cpu_access(p->pmap, a, false, &b, &r), 0);
	CHECK_EQ(b, 5);
	CHECK_EQ(r.faults, 0);
	tp_exit(p);
}

/*
 * ptrace writes into a page the process already maps read-only (through
 * its COW chain): after the hold's COW the process must see the new page,
 * not keep its stale mapping of the old one.
 */
TEST(fault_hold_write_replaces_a_stale_mapping)
{
	struct tproc *p = tp_new(), *c;
	vm_offset_t a = tp_mmap(p, 0, PS, RW, PRIV, NULL);
	vm_page_t pg;

	CHECK(a);
	CHECK_EQ(tp_wr(p, a + 3, 5), 0);
	c = tp_fork(p);
	CHECK_EQ(tp_get(c, a + 3), 5);	/* mapped read-only in c's pmap */
	CHECK_EQ(vm_fault_hold(c->vs, a + 3, VM_PROT_WRITE, &pg),
		 KERN_SUCCESS);
	os_user_page_data(pg)[3] = 6;
	os_page_unhold(pg);
	CHECK_EQ(tp_get(c, a + 3), 6);
	CHECK_EQ(tp_get(p, a + 3), 5);
	tp_exit(c);
	tp_exit(p);
}

TEST(fault_hold_reads_and_cows)
{
	struct tproc *p = tp_new(), *c;
	vm_offset_t a = tp_mmap(p, 0, PS, RW, PRIV, NULL);
	vm_page_t pg;

	CHECK(a);
	CHECK_EQ(tp_wr(p, a + 3, 5), 0);
	c = tp_fork(p);
	CHECK_EQ(vm_fault_hold(c->vs, a + 3, VM_PROT_READ, &pg), KERN_SUCCESS);
	CHECK_EQ(os_user_page_data(pg)[3], 5);
	os_page_unhold(pg);
	CHECK_EQ(vm_fault_hold(c->vs, a + 3, VM_PROT_WRITE, &pg),
		 KERN_SUCCESS);
	os_user_page_data(pg)[3] = 6;
	os_page_unhold(pg);
	CHECK_EQ(tp_get(c, a + 3), 6);
	CHECK_EQ(tp_get(p, a + 3), 5);
	CHECK(vm_fault_hold(c->vs, T_END + PS, VM_PROT_READ, &pg) !=
	      KERN_SUCCESS);
	tp_exit(c);
	tp_exit(p);
}
