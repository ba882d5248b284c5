// SPDX-License-Identifier: GPL-2.0
/*
 * test_map.c - map operations: guard, stack, fixed, excl, brk, and the
 * errno of each bad input (FreeBSD mmap_test bad_arguments and friends).
 */
#include "testlib.h"

#define RW (BSD_PROT_READ | BSD_PROT_WRITE)
#define PRIV (BSD_MAP_ANON | BSD_MAP_PRIVATE)
#define PS OS_PAGE_SIZE

TEST(guard_never_faulted_skipped_by_protect_replaced_by_fixed)
{
	struct tproc *p = tp_new();
	vm_offset_t g = PGA(100), a;
	int err, i;

	CHECK_EQ(tp_mmap(p, g, 8 * PS, BSD_PROT_NONE,
			 BSD_MAP_GUARD | BSD_MAP_FIXED, &err), g);
	CHECK_EQ(tp_code(p, g, false) / 100, CPU_SIGSEGV);
	CHECK_EQ(vm_mprotect(p->vs, g, 8 * PS, RW), 0);	/* skipped */
	CHECK_EQ(tp_code(p, g + PS, true) / 100, CPU_SIGSEGV);
	/* find-space never lands in a guard */
	for (i = 0; i < 20; i++) {
		a = tp_mmap(p, g, PS, RW, PRIV, &err);
		CHECK(a && (a + PS <= g || a >= g + 8 * PS));
	}
	/* MAP_EXCL refuses, MAP_FIXED replaces */
	CHECK_EQ(tp_mmap(p, g, PS, RW, PRIV | BSD_MAP_FIXED | BSD_MAP_EXCL,
			 &err), 0);
	CHECK_EQ(err, ENOMEM);
	CHECK_EQ(tp_mmap(p, g, PS, RW, PRIV | BSD_MAP_FIXED, &err), g);
	CHECK_EQ(tp_wr(p, g, 1), 0);
	CHECK_EQ(tp_code(p, g + PS, false) / 100, CPU_SIGSEGV);
	CHECK_EQ(vm_munmap(p->vs, g, 8 * PS), 0);
	CHECK_EQ(tp_code(p, g + PS, false), CPU_SIGSEGV * 100 +
		 CPU_SEGV_MAPERR);
	tp_exit(p);
}

TEST(fixed_replaces_data)
{
	struct tproc *p = tp_new();
	vm_offset_t a = PGA(10);
	int err;

	CHECK_EQ(tp_mmap(p, a, 4 * PS, RW, PRIV | BSD_MAP_FIXED, &err), a);
	CHECK_EQ(tp_wr(p, a + PS, 9), 0);
	CHECK_EQ(tp_mmap(p, a + PS, PS, RW, PRIV | BSD_MAP_FIXED, &err),
		 a + PS);
	CHECK_EQ(tp_get(p, a + PS), 0);
	CHECK_EQ(live_pages(), 0);
	tp_exit(p);
}

TEST(stack_grows_down_with_guard)
{
	struct tproc *p = tp_new();
	vm_offset_t s = PGA(200);
	int err;

	CHECK_EQ(tp_mmap(p, s, 16 * PS, RW, BSD_MAP_STACK | BSD_MAP_FIXED,
			 &err), s);
	CHECK_EQ(tp_wr(p, s + 16 * PS - 1, 1), 0);	/* top */
	CHECK_EQ(tp_wr(p, s + PS, 2), 0);		/* lowest usable */
	CHECK_EQ(tp_code(p, s, true) / 100, CPU_SIGSEGV);	/* guard */
	CHECK_EQ(tp_get(p, s + 16 * PS - 1), 1);
	/* MAP_STACK needs read and write */
	CHECK_EQ(tp_mmap(p, 0, 4 * PS, BSD_PROT_READ, BSD_MAP_STACK, &err),
		 0);
	CHECK_EQ(err, EINVAL);
	tp_exit(p);
}

TEST(aligned_mappings)
{
	struct tproc *p = tp_new();
	vm_offset_t a;
	int err, n;

	for (n = 12; n <= 18; n++) {
		a = tp_mmap(p, 0, PS, RW, PRIV | BSD_MAP_ALIGNED(n), &err);
		CHECK(a && (a & ((1ull << n) - 1)) == 0);
	}
	CHECK_EQ(tp_mmap(p, 0, PS, RW, PRIV | BSD_MAP_ALIGNED(11), &err), 0);
	CHECK_EQ(err, EINVAL);
	CHECK_EQ(tp_mmap(p, 0, PS, RW, PRIV | BSD_MAP_ALIGNED(64), &err), 0);
	CHECK_EQ(err, EINVAL);
	tp_exit(p);
}

TEST(brk_grows_shrinks_and_respects_limit)
{
	struct tproc *p = tp_new();
	vm_offset_t base, cur;

	CHECK_EQ(vm_brk(p->vs, 0, 64 * PS, &base), 0);
	CHECK_EQ(vm_brk(p->vs, base + 10 * PS, 64 * PS, &cur), 0);
	CHECK_EQ(cur, base + 10 * PS);
	CHECK_EQ(tp_wr(p, base + 9 * PS, 5), 0);
	CHECK_EQ(tp_code(p, base + 10 * PS, false),
		 CPU_SIGSEGV * 100 + CPU_SEGV_MAPERR);
	CHECK_EQ(vm_brk(p->vs, base + 65 * PS, 64 * PS, &cur), ENOMEM);
	CHECK_EQ(vm_brk(p->vs, 0, 64 * PS, &cur), 0);
	CHECK_EQ(cur, base + 10 * PS);
	/* unaligned break: rounded to pages */
	CHECK_EQ(vm_brk(p->vs, base + 12 * PS + 5, 64 * PS, &cur), 0);
	CHECK_EQ(tp_wr(p, base + 12 * PS + 4, 1), 0);
	/* below the base: nothing changes */
	CHECK_EQ(vm_brk(p->vs, base - PS, 64 * PS, &cur), 0);
	CHECK_EQ(tp_get(p, base + 9 * PS), 5);
	/* shrink frees, growing again reads zeros (BSD brk_test) */
	CHECK_EQ(vm_brk(p->vs, base + PS, 64 * PS, &cur), 0);
	CHECK_EQ(tp_code(p, base + 9 * PS, false) / 100, CPU_SIGSEGV);
	CHECK_EQ(vm_brk(p->vs, base + 10 * PS, 64 * PS, &cur), 0);
	CHECK_EQ(tp_get(p, base + 9 * PS), 0);
	/* growing over a mapping is refused */
	CHECK_EQ(tp_mmap(p, base + 20 * PS, PS, RW, PRIV | BSD_MAP_FIXED,
			 NULL), base + 20 * PS);
	CHECK_EQ(vm_brk(p->vs, base + 30 * PS, 64 * PS, &cur), ENOMEM);
	tp_exit(p);
}

TEST(mmap_bad_arguments)
{
	struct tproc *p = tp_new();
	struct { int prot, flags; vm_offset_t addr; vm_size_t len; int err; }
	c[] = {
		{ RW, PRIV, 0, 0, EINVAL },
		{ RW, BSD_MAP_ANON | BSD_MAP_SHARED | BSD_MAP_PRIVATE, 0, PS,
		  EINVAL },
		{ RW, PRIV | 0x0080, 0, PS, EINVAL },
		{ RW, PRIV | BSD_MAP_EXCL, 0, PS, EINVAL },
		{ RW | 0x8, PRIV, 0, PS, EINVAL },
		{ RW | 0x01000000, PRIV, 0, PS, EINVAL },
		{ RW | BSD_PROT_MAX(BSD_PROT_READ), PRIV, 0, PS, ENOTSUP },
		{ BSD_PROT_READ, BSD_MAP_GUARD, 0, PS, EINVAL },
		{ BSD_PROT_NONE, BSD_MAP_GUARD | BSD_MAP_SHARED, 0, PS,
		  EINVAL },
		{ RW, PRIV | BSD_MAP_FIXED, PGA(1) + 8, PS, EINVAL },
		{ RW, PRIV | BSD_MAP_FIXED, T_END, PS, EINVAL },
		{ RW, PRIV | BSD_MAP_FIXED, T_BASE - PS, PS, EINVAL },
		{ RW, PRIV | BSD_MAP_FIXED, T_END - PS, 2 * PS, EINVAL },
		/* rounds up to zero: kern_mmap's EINVAL */
		{ RW, PRIV, 0, ~0ull - 10, EINVAL },
		/* page aligned and huge: no room, ENOMEM */
		{ RW, PRIV, 0, ~0ull & ~(vm_size_t)(PS - 1), ENOMEM },
	};
	unsigned i;
	int err;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		CHECK_EQ(tp_mmap(p, c[i].addr, c[i].len, c[i].prot,
				 c[i].flags, &err), 0);
		if (err != c[i].err)
			fprintf(stderr, "  case %u\n", i);
		CHECK_EQ(err, c[i].err);
	}
	CHECK_EQ(live_objects(), 0);
	tp_exit(p);
}

TEST(other_calls_bad_arguments)
{
	struct tproc *p = tp_new();
	vm_offset_t a = tp_mmap(p, 0, 2 * PS, RW | BSD_PROT_MAX(RW), PRIV,
				NULL);
	unsigned char vec[4];

	CHECK(a);
	CHECK_EQ(vm_munmap(p->vs, a, 0), EINVAL);
	CHECK_EQ(vm_munmap(p->vs, T_END, PS), EINVAL);
	CHECK_EQ(vm_munmap(p->vs, PGA(3000), PS), 0);	/* hole: fine */
	CHECK_EQ(vm_mprotect(p->vs, a, PS, BSD_PROT_ALL), EACCES);
	CHECK_EQ(vm_mprotect(p->vs, a, PS, RW | 0x8), EINVAL);
	CHECK_EQ(vm_mprotect(p->vs, a, PS, RW | BSD_PROT_MAX(BSD_PROT_READ)),
		 ENOTSUP);
	CHECK_EQ(vm_mprotect(p->vs, a, PS, BSD_PROT_READ |
			     BSD_PROT_MAX(BSD_PROT_ALL)), EACCES);
	CHECK_EQ(vm_mprotect(p->vs, a + 5, 1, BSD_PROT_READ |
			     BSD_PROT_MAX(BSD_PROT_READ)), 0);
	CHECK_EQ(vm_mprotect(p->vs, a, PS, RW), EACCES);	/* max is R now */
	CHECK_EQ(vm_mprotect(p->vs, PGA(3000), PS, RW), 0);	/* hole */
	CHECK_EQ(vm_minherit(p->vs, a, PS, 7), EINVAL);
	CHECK_EQ(vm_minherit(p->vs, PGA(3000), PS, BSD_INHERIT_NONE), 0);
	CHECK_EQ(vm_madvise(p->vs, a, PS, 99), EINVAL);
	CHECK_EQ(vm_madvise(p->vs, a, PS, -1), EINVAL);
	CHECK_EQ(vm_madvise(p->vs, PGA(3000), PS, BSD_MADV_WILLNEED), 0);
	CHECK_EQ(vm_mincore(p->vs, PGA(3000), PS, vec), ENOMEM);
	CHECK_EQ(vm_mincore(p->vs, a, 3 * PS, vec), ENOMEM);	/* hole */
	CHECK_EQ(vm_mincore(p->vs, a, 0, vec), 0);
	CHECK_EQ(vm_mincore(p->vs, PGA(3000), 0, vec), ENOMEM);
	tp_exit(p);
}

/* The host's arena protection bounds every mapping, also in a child. */
TEST(host_prot_limit_bounds_maps_brk_and_children)
{
	struct tproc *p = tp_new(), *c;
	vm_offset_t a, cur;
	int err;

	vmspace_limit_prot(p->vs, RW);
	CHECK_EQ(tp_mmap(p, 0, PS, RW | BSD_PROT_EXEC, PRIV, &err), 0);
	CHECK_EQ(err, EACCES);
	a = tp_mmap(p, 0, PS, RW, PRIV, &err);
	CHECK(a);
	CHECK_EQ(vm_mprotect(p->vs, a, PS, BSD_PROT_READ | BSD_PROT_EXEC),
		 EACCES);
	CHECK_EQ(vm_brk(p->vs, vmspace_daddr(p->vs) + PS, 1UL << 30, &cur),
		 0);
	CHECK_EQ(vm_mprotect(p->vs, vmspace_daddr(p->vs), PS, BSD_PROT_ALL),
		 EACCES);
	c = tp_fork(p);
	CHECK_EQ(tp_mmap(c, 0, PS, BSD_PROT_EXEC, PRIV, &err), 0);
	CHECK_EQ(err, EACCES);
	tp_exit(c);
	tp_exit(p);
}

/* Linux's PR_SET_MDWE rules: no W+X, no gaining X. */
TEST(wx_policy_refuses_write_exec_and_exec_gain)
{
	struct tproc *p = tp_new();
	vm_offset_t rw, rx;
	int err;

	rw = tp_mmap(p, 0, PS, RW, PRIV, &err);
	rx = tp_mmap(p, 0, PS, BSD_PROT_READ | BSD_PROT_EXEC, PRIV, &err);
	CHECK(rw && rx);
	os_user_mdwe = true;
	CHECK_EQ(tp_mmap(p, 0, PS, RW | BSD_PROT_EXEC, PRIV, &err), 0);
	CHECK_EQ(err, EACCES);
	CHECK(tp_mmap(p, 0, PS, BSD_PROT_READ | BSD_PROT_EXEC, PRIV, &err));
	CHECK_EQ(vm_mprotect(p->vs, rw, PS, BSD_PROT_READ | BSD_PROT_EXEC),
		 EACCES);
	CHECK_EQ(vm_mprotect(p->vs, rx, PS, BSD_PROT_ALL), EACCES);
	CHECK_EQ(vm_mprotect(p->vs, rx, PS, BSD_PROT_READ | BSD_PROT_EXEC),
		 0);
	CHECK_EQ(vm_mprotect(p->vs, rx, PS, BSD_PROT_READ), 0);
	CHECK_EQ(vm_mprotect(p->vs, rw, PS, BSD_PROT_READ), 0);
	os_user_mdwe = false;
	CHECK_EQ(vm_mprotect(p->vs, rw, PS, BSD_PROT_ALL), 0);
	tp_exit(p);
}
