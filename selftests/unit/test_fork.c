// SPDX-License-Identifier: GPL-2.0
/*
 * test_fork.c - fork per inheritance value, copy-on-write in each
 * direction, FreeBSD's shared_shadow_inval scenario, collapse over 10 000
 * generations, and freeing on a partial unmap.
 */
#include "testlib.h"

#define RW (BSD_PROT_READ | BSD_PROT_WRITE)
#define PRIV (BSD_MAP_ANON | BSD_MAP_PRIVATE)
#define SHRD (BSD_MAP_ANON | BSD_MAP_SHARED)
#define NP 4

static vm_offset_t filled(struct tproc *p, int flags, uint8_t v)
{
	vm_offset_t a = tp_mmap(p, 0, NP * OS_PAGE_SIZE, RW, flags, NULL);
	int i;

	OS_ASSERT(a);
	for (i = 0; i < NP; i++)
		OS_ASSERT(tp_wr(p, a + i * OS_PAGE_SIZE, v) == 0);
	return a;
}

/* After fork with inheritance inh, does a write by writer show in other? */
static void one_case(int flags, int inh, bool child_writes)
{
	struct tproc *p = tp_new(), *c;
	vm_offset_t a = filled(p, flags, 1);
	struct tproc *w, *o;
	int i;

	CHECK_EQ(vm_minherit(p->vs, a, NP * OS_PAGE_SIZE, inh), 0);
	c = tp_fork(p);
	w = child_writes ? c : p;
	o = child_writes ? p : c;
	switch (inh) {
	case BSD_INHERIT_NONE:
		CHECK_EQ(tp_code(c, a, false), CPU_SIGSEGV * 100 +
			 CPU_SEGV_MAPERR);
		CHECK_EQ(tp_get(p, a), 1);
		break;
	case BSD_INHERIT_ZERO:
		CHECK_EQ(tp_get(c, a), 0);
		CHECK_EQ(tp_get(p, a), 1);
		CHECK_EQ(tp_wr(w, a, 9), 0);
		CHECK_EQ(tp_get(o, a), child_writes ? 1 : 0);
		break;
	case BSD_INHERIT_SHARE:
		CHECK_EQ(tp_get(c, a), 1);
		for (i = 0; i < NP; i++)
			CHECK_EQ(tp_wr(w, a + i * OS_PAGE_SIZE, 7), 0);
		for (i = 0; i < NP; i++)
			CHECK_EQ(tp_get(o, a + i * OS_PAGE_SIZE), 7);
		break;
	case BSD_INHERIT_COPY:
		/* read first on both sides, so a stale mapping would show */
		CHECK_EQ(tp_get(c, a), 1);
		CHECK_EQ(tp_get(p, a), 1);
		for (i = 0; i < NP; i++)
			CHECK_EQ(tp_wr(w, a + i * OS_PAGE_SIZE, 7), 0);
		for (i = 0; i < NP; i++) {
			CHECK_EQ(tp_get(o, a + i * OS_PAGE_SIZE), 1);
			CHECK_EQ(tp_get(w, a + i * OS_PAGE_SIZE), 7);
		}
		/* and the other side's own write stays its own */
		CHECK_EQ(tp_wr(o, a, 3), 0);
		CHECK_EQ(tp_get(w, a), 7);
		break;
	}
	tp_exit(c);
	for (i = 0; i < NP; i++)
		CHECK(tp_get(p, a + i * OS_PAGE_SIZE) >= 0);
	tp_exit(p);
}

#define INH_TEST(name, flags, inh, cw) \
	TEST(name) { one_case(flags, inh, cw); }

INH_TEST(private_copy_parent_writes, PRIV, BSD_INHERIT_COPY, false)
INH_TEST(private_copy_child_writes, PRIV, BSD_INHERIT_COPY, true)
INH_TEST(private_share_parent_writes, PRIV, BSD_INHERIT_SHARE, false)
INH_TEST(private_share_child_writes, PRIV, BSD_INHERIT_SHARE, true)
INH_TEST(private_none, PRIV, BSD_INHERIT_NONE, false)
INH_TEST(private_zero_parent_writes, PRIV, BSD_INHERIT_ZERO, false)
INH_TEST(private_zero_child_writes, PRIV, BSD_INHERIT_ZERO, true)
INH_TEST(shared_copy_parent_writes, SHRD, BSD_INHERIT_COPY, false)
INH_TEST(shared_copy_child_writes, SHRD, BSD_INHERIT_COPY, true)
INH_TEST(shared_share_parent_writes, SHRD, BSD_INHERIT_SHARE, false)
INH_TEST(shared_share_child_writes, SHRD, BSD_INHERIT_SHARE, true)
INH_TEST(shared_none, SHRD, BSD_INHERIT_NONE, false)
INH_TEST(shared_zero_parent_writes, SHRD, BSD_INHERIT_ZERO, false)
INH_TEST(shared_zero_child_writes, SHRD, BSD_INHERIT_ZERO, true)

TEST(shared_default_is_share_private_default_is_copy)
{
	struct tproc *p = tp_new(), *c;
	vm_offset_t s = filled(p, SHRD, 1), q = filled(p, PRIV, 1);

	c = tp_fork(p);
	CHECK_EQ(tp_wr(c, s, 5), 0);
	CHECK_EQ(tp_wr(c, q, 5), 0);
	CHECK_EQ(tp_get(p, s), 5);
	CHECK_EQ(tp_get(p, q), 1);
	tp_exit(c);
	tp_exit(p);
}

/*
 * FreeBSD tests/sys/vm/shared_shadow_inval_test.c, re-told: P1 maps
 * SHARED|ANON with INHERIT_COPY and forks P2; P2 forks P4 (a plain COW
 * child), sets INHERIT_SHARE and forks P3; P3's writes are seen by P2 but
 * not by P1 nor P4.  Variants: P1 exits first (collapse), full or half of
 * the region written.  (A COPY child forked from P2 *after* P3 shares the
 * object would see P3's writes until it writes itself: BSD's
 * COPY-of-shared rule, bsd-semantics.md 1.7.)
 */
static void shadow_inval(bool p1_exits, bool half)
{
	struct tproc *p1 = tp_new(), *p2, *p3, *p4;
	vm_offset_t a = tp_mmap(p1, 0, NP * OS_PAGE_SIZE, RW, SHRD, NULL);
	int i, n = half ? NP / 2 : NP;

	CHECK(a);
	for (i = 0; i < NP; i++)
		CHECK_EQ(tp_wr(p1, a + i * OS_PAGE_SIZE, 1), 0);
	CHECK_EQ(vm_minherit(p1->vs, a, NP * OS_PAGE_SIZE,
			     BSD_INHERIT_COPY), 0);
	p2 = tp_fork(p1);
	p4 = tp_fork(p2);
	CHECK_EQ(vm_minherit(p2->vs, a, NP * OS_PAGE_SIZE,
			     BSD_INHERIT_SHARE), 0);
	p3 = tp_fork(p2);
	if (p1_exits) {
		tp_exit(p1);
		p1 = NULL;
	}
	for (i = 0; i < n; i++)
		CHECK_EQ(tp_wr(p3, a + i * OS_PAGE_SIZE, 3), 0);
	for (i = 0; i < NP; i++) {
		int want = i < n ? 3 : 1;

		CHECK_EQ(tp_get(p3, a + i * OS_PAGE_SIZE), want);
		CHECK_EQ(tp_get(p2, a + i * OS_PAGE_SIZE), want);
		CHECK_EQ(tp_get(p4, a + i * OS_PAGE_SIZE), 1);
		if (p1)
			CHECK_EQ(tp_get(p1, a + i * OS_PAGE_SIZE), 1);
	}
	/* and the other way: P2 writes, P3 sees, P4 and P1 do not */
	CHECK_EQ(tp_wr(p2, a + (NP - 1) * OS_PAGE_SIZE, 8), 0);
	CHECK_EQ(tp_get(p3, a + (NP - 1) * OS_PAGE_SIZE), 8);
	CHECK_EQ(tp_get(p4, a + (NP - 1) * OS_PAGE_SIZE), 1);
	if (p1)
		CHECK_EQ(tp_get(p1, a + (NP - 1) * OS_PAGE_SIZE), 1);
	tp_exit(p4);
	tp_exit(p3);
	tp_exit(p2);
	tp_exit(p1);
}

TEST(shared_shadow_inval_full) { shadow_inval(false, false); }
TEST(shared_shadow_inval_half) { shadow_inval(false, true); }
TEST(shared_shadow_inval_collapse_full) { shadow_inval(true, false); }
TEST(shared_shadow_inval_collapse_half) { shadow_inval(true, true); }

/* fork -> child writes -> child exits, 10 000 times. */
TEST(chain_10000_generations)
{
	struct tproc *p = tp_new();
	vm_offset_t a = filled(p, PRIV, 1);
	int64_t base_objects = live_objects(), base_pages = live_pages();
	int g, i;

	for (g = 0; g < 10000; g++) {
		struct tproc *c = tp_fork(p);

		for (i = 0; i < NP; i++)
			CHECK_EQ(tp_wr(c, a + i * OS_PAGE_SIZE, (uint8_t)g), 0);
		/* the parent writes too, every other generation */
		if (g & 1)
			CHECK_EQ(tp_wr(p, a, (uint8_t)(g + 1)), 0);
		tp_exit(c);
		if (g % 1000 == 0) {
			CHECK_EQ(vm_map_check(vmspace_map(p->vs)), 0);
			CHECK_EQ(vm_object_check_all(), 0);
		}
	}
	CHECK(chain_depth(p) <= 2);
	CHECK_EQ(live_objects(), base_objects);
	CHECK_EQ(live_pages(), base_pages);
	CHECK_EQ(tp_get(p, a), (uint8_t)10000);
	CHECK_EQ(tp_get(p, a + OS_PAGE_SIZE), 1);
	tp_exit(p);
}

/* The same with the parent only reading: its chain stays short too. */
TEST(chain_10000_generations_parent_reads)
{
	struct tproc *p = tp_new();
	vm_offset_t a = filled(p, PRIV, 1);
	int64_t base_objects = live_objects();
	struct vm_fault_info info;
	int g;

	for (g = 0; g < 10000; g++) {
		struct tproc *c = tp_fork(p);

		CHECK_EQ(tp_wr(c, a, 2), 0);
		CHECK_EQ(tp_get(p, a + OS_PAGE_SIZE), 1);
		tp_exit(c);
	}
	CHECK(chain_depth(p) <= 2);
	CHECK_EQ(live_objects(), base_objects);
	CHECK_EQ(vm_fault(p->vs, a, VM_PROT_READ, NULL, &info), KERN_SUCCESS);
	CHECK(info.depth <= 2);
	tp_exit(p);
}

/* Child writes its whole copy, then unmaps half: those pages go. */
TEST(unmap_half_of_inherited_region_frees_pages)
{
	struct tproc *p = tp_new(), *c;
	vm_offset_t a = filled(p, PRIV, 1);
	int64_t before;
	int i;

	c = tp_fork(p);
	for (i = 0; i < NP; i++)
		CHECK_EQ(tp_wr(c, a + i * OS_PAGE_SIZE, 2), 0);
	before = live_pages();
	CHECK_EQ(before, 2 * NP);
	CHECK_EQ(vm_munmap(c->vs, a, NP / 2 * OS_PAGE_SIZE), 0);
	CHECK_EQ(live_pages(), before - NP / 2);
	tp_exit(c);
	/* after the child is gone, the parent unmapping half frees half */
	CHECK_EQ(live_pages(), NP);
	CHECK_EQ(vm_munmap(p->vs, a + NP / 2 * OS_PAGE_SIZE,
			   NP / 2 * OS_PAGE_SIZE), 0);
	CHECK_EQ(live_pages(), NP / 2);
	CHECK_EQ(tp_get(p, a), 1);
	tp_exit(p);
}

/* Parent unmaps half while the child still shares: child data intact. */
TEST(unmap_half_while_shared_keeps_child_data)
{
	struct tproc *p = tp_new(), *c;
	vm_offset_t a = filled(p, PRIV, 4);
	int i;

	c = tp_fork(p);
	CHECK_EQ(vm_munmap(p->vs, a, NP / 2 * OS_PAGE_SIZE), 0);
	for (i = 0; i < NP; i++)
		CHECK_EQ(tp_get(c, a + i * OS_PAGE_SIZE), 4);
	tp_exit(p);
	for (i = 0; i < NP; i++)
		CHECK_EQ(tp_get(c, a + i * OS_PAGE_SIZE), 4);
	tp_exit(c);
}

/*
 * Model seed 2 reproducer, minimised: in MAP_SHARED anonymous memory a
 * read maps the shared zero page; when another sharer then writes, the
 * zero-fill goes into the shared object but the reader's zero-page
 * mapping is never shot down, so it keeps reading zeros.  (The same with
 * INHERIT_SHARE of a private mapping: model seed 3.)
 */
TEST(shared_read_zero_page_then_other_writes)
{
	struct tproc *p = tp_new(), *c;
	vm_offset_t a = tp_mmap(p, 0, OS_PAGE_SIZE, RW, SHRD, NULL);

	CHECK(a);
	CHECK_EQ(tp_get(p, a), 0);		/* maps the zero page */
	c = tp_fork(p);
	CHECK_EQ(tp_wr(c, a, 0x1f), 0);
	CHECK_EQ(tp_get(c, a), 0x1f);
	CHECK_EQ(tp_get(p, a), 0x1f);
	tp_exit(c);
	tp_exit(p);
}

/* The same through a backing page: a sharer's COW must reach readers. */
TEST(shared_shadow_read_backing_then_other_writes)
{
	struct tproc *p = tp_new(), *c, *g;
	vm_offset_t a = filled(p, PRIV, 1);

	g = tp_fork(p);			/* p's entry now needs copy */
	CHECK_EQ(tp_get(p, a), 1);	/* maps the backing page read-only */
	CHECK_EQ(vm_minherit(p->vs, a, NP * OS_PAGE_SIZE,
			     BSD_INHERIT_SHARE), 0);
	c = tp_fork(p);
	CHECK_EQ(tp_wr(c, a, 9), 0);
	CHECK_EQ(tp_get(p, a), 9);
	CHECK_EQ(tp_get(g, a), 1);
	tp_exit(c);
	tp_exit(g);
	tp_exit(p);
}

/*
 * Model seed 3, minimised by hand: a private mapping never written (entry
 * object still NULL) is read, which maps the zero page; INHERIT_SHARE and
 * fork give both a shared object, the child's write zero-fills into it,
 * but the parent's zero-page pte survives the fork, so the parent keeps
 * reading 0.  Needs a COW fork before the sharing one (model seed 3).
 */
TEST(share_after_zero_page_read_of_untouched_entry)
{
	struct tproc *p = tp_new(), *c, *g;
	vm_offset_t a = tp_mmap(p, 0, OS_PAGE_SIZE, RW, PRIV, NULL);

	CHECK(a);
	CHECK_EQ(tp_get(p, a), 0);
	g = tp_fork(p);			/* a plain COW fork first */
	CHECK_EQ(vm_minherit(p->vs, a, OS_PAGE_SIZE, BSD_INHERIT_SHARE), 0);
	c = tp_fork(p);
	CHECK_EQ(tp_wr(c, a, 0x2e), 0);
	CHECK_EQ(tp_get(p, a), 0x2e);
	CHECK_EQ(tp_get(g, a), 0);
	tp_exit(c);
	tp_exit(g);
	tp_exit(p);
}

/* The page p maps at va, after a read maps it. */
static vm_page_t page_at(struct tproc *p, vm_offset_t va)
{
	vm_page_t m = NULL;

	OS_ASSERT(tp_get(p, va) >= 0);
	OS_ASSERT(pmap_user_lookup(p->pmap, va, &m, NULL));
	return m;
}

/*
 * A page pinned for I/O stays the parent's across fork: its next write
 * goes to the same page, a device's write into it shows in the parent
 * only, and the child has copies of everything as it was.
 */
TEST(fork_leaves_a_pinned_page_to_the_parent)
{
	struct tproc *p = tp_new(), *c;
	vm_offset_t a = filled(p, PRIV, 1);
	const vm_offset_t pg = OS_PAGE_SIZE;
	vm_page_t m = page_at(p, a);

	m->pinned = true;
	c = tp_fork(p);
	CHECK_EQ(live_pages(), 2 * NP);	/* the child's copies, now */
	CHECK_EQ(tp_wr(p, a, 7), 0);
	CHECK(page_at(p, a) == m);
	m->data[1] = 42;		/* the device */
	CHECK_EQ(tp_get(p, a + 1), 42);
	CHECK_EQ(tp_get(c, a + 1), 0);	/* as at fork */
	CHECK_EQ(tp_get(c, a), 1);
	CHECK_EQ(tp_wr(c, a + pg, 5), 0);
	CHECK_EQ(tp_get(p, a + pg), 1);
	CHECK_EQ(tp_wr(p, a + 2 * pg, 6), 0);
	CHECK_EQ(tp_get(c, a + 2 * pg), 1);
	CHECK_EQ(live_pages(), 2 * NP);	/* no copy-on-write was needed */
	m->pinned = false;
	tp_exit(c);
	tp_exit(p);
}

/*
 * The same one level down: the parent's object shadows an older one (an
 * earlier fork).  The child's copies sit over that backing object, so a
 * parent's write that copies a backing page up is not the child's.
 */
TEST(fork_with_a_pinned_page_over_a_backing_object)
{
	struct tproc *p = tp_new(), *c1, *c2;
	vm_offset_t a = filled(p, PRIV, 1);
	const vm_offset_t pg = OS_PAGE_SIZE;
	vm_page_t m;

	c1 = tp_fork(p);
	CHECK_EQ(tp_wr(p, a, 2), 0);	/* page 0 in p's shadow, 1..3 below */
	m = page_at(p, a);
	m->pinned = true;
	c2 = tp_fork(p);
	CHECK_EQ(tp_wr(p, a, 3), 0);
	CHECK(page_at(p, a) == m);
	CHECK_EQ(tp_wr(p, a + pg, 4), 0);	/* up from the backing object */
	CHECK_EQ(tp_get(c2, a), 2);
	CHECK_EQ(tp_get(c2, a + pg), 1);
	CHECK_EQ(tp_get(c1, a), 1);
	CHECK_EQ(tp_get(c1, a + pg), 1);
	CHECK_EQ(tp_wr(c2, a + 3 * pg, 9), 0);
	CHECK_EQ(tp_get(p, a + 3 * pg), 1);
	CHECK_EQ(tp_get(c1, a + 3 * pg), 1);
	m->pinned = false;
	tp_exit(c2);
	tp_exit(c1);
	CHECK_EQ(tp_get(p, a), 3);
	tp_exit(p);
}

/*
 * The kernel's cow selftest cases "vmsplice() before fork(), unmap in
 * parent after fork()" and "vmsplice() + unmap in child": a pipe holds
 * page m from when the object was shared, the other side unmaps, and the
 * remaining side's write must not reach m's bytes (no shadow skipped, no
 * rename, no collapse that moves m up).
 */
static void held_then_unmapped(bool hold_in_child)
{
	struct tproc *p = tp_new(), *c, *holder, *writer;
	vm_offset_t a = filled(p, PRIV, 1);
	const vm_offset_t pg = OS_PAGE_SIZE;
	vm_page_t m;
	int i;

	c = tp_fork(p);
	holder = hold_in_child ? c : p;
	writer = hold_in_child ? p : c;
	m = page_at(holder, a);
	os_page_hold(m);		/* the pipe */
	CHECK_EQ(vm_munmap(holder->vs, a, NP * pg), 0);
	for (i = 0; i < NP; i++)
		CHECK_EQ(tp_wr(writer, a + i * pg, (uint8_t)(5 + i)), 0);
	CHECK_EQ(m->data[0], 1);	/* what the pipe reads */
	for (i = 0; i < NP; i++)
		CHECK_EQ(tp_get(writer, a + i * pg), 5 + i);
	os_page_unhold(m);
	tp_exit(c);
	tp_exit(p);
	CHECK_EQ(live_pages(), 0);
}

TEST(held_page_unmapped_by_parent_child_writes)
{
	held_then_unmapped(false);
}

TEST(held_page_unmapped_by_child_parent_writes)
{
	held_then_unmapped(true);
}

/*
 * The writer's chain has a shadow over the held page's object: after the
 * holder unmaps, a COW's collapse must copy the held page up, not move it.
 */
TEST(held_page_is_copied_by_collapse)
{
	struct tproc *p = tp_new(), *c;
	vm_offset_t a = filled(p, PRIV, 1);
	const vm_offset_t pg = OS_PAGE_SIZE;
	vm_page_t m;

	c = tp_fork(p);
	CHECK_EQ(tp_wr(p, a, 2), 0);	/* p's shadow over the shared object */
	m = page_at(c, a + pg);
	os_page_hold(m);
	CHECK_EQ(vm_munmap(c->vs, a, NP * pg), 0);
	CHECK_EQ(tp_wr(p, a + 2 * pg, 3), 0);	/* COW, then collapse */
	CHECK_EQ(tp_wr(p, a + pg, 4), 0);
	CHECK_EQ(m->data[0], 1);
	CHECK_EQ(tp_get(p, a + pg), 4);
	CHECK_EQ(tp_get(p, a), 2);
	CHECK_EQ(tp_get(p, a + 3 * pg), 1);
	os_page_unhold(m);
	tp_exit(c);
	tp_exit(p);
	CHECK_EQ(live_pages(), 0);
}
