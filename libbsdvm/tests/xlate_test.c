// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The shim's translation table (xlate.c), row by row, with no device: the
 * table of Documentation/shim.rst.
 */
#include <errno.h>
#include <sys/mman.h>

#include "tap.h"
#include "xlate.h"

#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000
#endif

#define A0 0x7f0000000000UL		/* a fake arena */
#define A1 (A0 + (1UL << 30))

static struct bv_cfg dflt;

static struct bv_mmap_x X(uintptr_t addr, size_t len, int prot, int flags,
			  int fd, const struct bv_cfg *c)
{
	struct bv_mmap_x x;

	bv_xlate_mmap(addr, len, prot, flags, fd, 0, A0, A1, c ? c : &dflt,
		      &x);
	return x;
}

static void test_mmap(void)
{
	struct bv_cfg files = { .files = true }, shared = { .shared_anon = true };
	struct bv_mmap_x x;
	int rw = PROT_READ | PROT_WRITE;

	x = X(0, 4096, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, NULL);
	ok(x.route == BV_SERVE && x.bflags == (BSD_MAP_PRIVATE | BSD_MAP_ANON) &&
	   x.bprot == (BSD_PROT_READ | BSD_PROT_WRITE),
	   "MAP_PRIVATE|MAP_ANONYMOUS -> BSD_MAP_PRIVATE|BSD_MAP_ANON");
	x = X(0, 4096, PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, NULL);
	ok(x.bprot == BSD_PROT_EXEC, "PROT_EXEC -> BSD_PROT_EXEC");
	x = X(0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, NULL);
	ok(x.route == BV_SERVE && x.bprot == BSD_PROT_NONE, "PROT_NONE served");
	x = X(0, 4096, rw, MAP_SHARED | MAP_ANONYMOUS, -1, NULL);
	ok(x.route == BV_PASS && x.why == BV_WHY_SHARED_ANON,
	   "BSDVM_SHARED_ANON=0 passes MAP_SHARED|MAP_ANONYMOUS through");
	x = X(0, 4096, rw, MAP_SHARED | MAP_ANONYMOUS, -1, &shared);
	ok(x.route == BV_SERVE && (x.bflags & BSD_MAP_SHARED),
	   "shared anon is served (BSD_MAP_SHARED)");
	x = X(0, 4096, rw, MAP_SHARED, 3, NULL);
	ok(x.route == BV_PASS && x.why == BV_WHY_FILE, "file mapping passes");
	x = X(0, 4096, rw, MAP_PRIVATE, 3, &files);
	ok(x.route == BV_SERVE && x.bflags == BSD_MAP_PRIVATE,
	   "BSDVM_FILES=1 tries file mappings on bsdvm");
	x = X(0, 4096, rw, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, NULL);
	ok(x.route == BV_PASS && x.why == BV_WHY_HUGETLB, "MAP_HUGETLB passes");
	x = X(0, 4096, rw, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, NULL);
	ok(x.route == BV_PASS && x.why == BV_WHY_32BIT, "MAP_32BIT passes");
	x = X(0, 4096, rw, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1,
	      NULL);
	ok(x.route == BV_PASS && x.why == BV_WHY_GROWSDOWN,
	   "MAP_GROWSDOWN passes");
	x = X(0, 4096, rw, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, NULL);
	ok(x.route == BV_PASS && x.why == BV_WHY_LOCKED, "MAP_LOCKED passes");
	x = X(0, 4096, rw | PROT_GROWSDOWN, MAP_PRIVATE | MAP_ANONYMOUS, -1,
	      NULL);
	ok(x.route == BV_PASS && x.why == BV_WHY_PROT,
	   "PROT_GROWSDOWN passes (Linux answers)");
	x = X(0, 4096, rw | 0x8, MAP_PRIVATE | MAP_ANONYMOUS, -1, NULL);
	ok(x.route == BV_SERVE && x.bprot == (BSD_PROT_READ | BSD_PROT_WRITE),
	   "PROT_SEM accepted and dropped");
	x = X(0, 4096, rw, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK |
	      MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_DENYWRITE |
	      MAP_EXECUTABLE | MAP_UNINITIALIZED, -1, NULL);
	ok(x.route == BV_SERVE && x.bflags == (BSD_MAP_PRIVATE | BSD_MAP_ANON),
	   "hints (STACK NORESERVE POPULATE NONBLOCK DENYWRITE EXECUTABLE "
	   "UNINITIALIZED) dropped, not BSD_MAP_STACK/EXCL/NOCORE");
	x = X(A0 + 8192, 4096, rw, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
	      NULL);
	ok(x.route == BV_SERVE &&
	   x.bflags == (BSD_MAP_PRIVATE | BSD_MAP_ANON | BSD_MAP_FIXED),
	   "MAP_FIXED inside the arena -> BSD_MAP_FIXED");
	x = X(A0 + 8192, 4096, rw, MAP_PRIVATE | MAP_ANONYMOUS |
	      MAP_FIXED_NOREPLACE, -1, NULL);
	ok(x.route == BV_SERVE && (x.bflags & BSD_MAP_FIXED) &&
	   (x.bflags & BSD_MAP_EXCL),
	   "MAP_FIXED_NOREPLACE -> BSD_MAP_FIXED|BSD_MAP_EXCL");
	x = X(0x10000, 4096, rw, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
	      NULL);
	ok(x.route == BV_PASS && x.why == BV_WHY_OUTSIDE,
	   "MAP_FIXED outside the arena passes");
	x = X(A1 - 4096, 8192, rw, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
	      NULL);
	ok(x.route == BV_PASS, "MAP_FIXED across the arena edge passes");
	x = X(0x10000, 4096, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, NULL);
	ok(x.route == BV_SERVE && !(x.bflags & BSD_MAP_FIXED),
	   "a hint outside the arena is no hint (served anywhere)");
	x = X(A0 + 1, 4096, rw, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
	      NULL);
	ok(x.route == BV_FAIL && x.err == EINVAL, "unaligned MAP_FIXED: EINVAL");
	x = X(0, 0, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, NULL);
	ok(x.route == BV_FAIL && x.err == EINVAL, "len 0: EINVAL");
	x = X(0, 4096, rw, MAP_ANONYMOUS, -1, NULL);
	ok(x.route == BV_FAIL && x.err == EINVAL,
	   "neither SHARED nor PRIVATE: EINVAL (Linux)");
	x = X(0, 4096, rw, MAP_SHARED_VALIDATE | MAP_ANONYMOUS | 0x800000, -1,
	      NULL);
	ok(x.route == BV_FAIL && x.err == EOPNOTSUPP,
	   "MAP_SHARED_VALIDATE with an unknown flag: EOPNOTSUPP");
	x = X(0, 4096, rw, MAP_PRIVATE | MAP_ANONYMOUS | 0x800000, -1, NULL);
	ok(x.route == BV_SERVE, "unknown flags ignored without VALIDATE (Linux)");
	{
		struct bv_mmap_x y;

		bv_xlate_mmap(0, 4096, rw, MAP_PRIVATE, 3, 100, A0, A1, &files,
			      &y);
		ok(y.route == BV_FAIL && y.err == EINVAL,
		   "unaligned offset: EINVAL");
		bv_xlate_mmap(0, 4096, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0,
			      0, 0, &dflt, &y);
		ok(y.route == BV_PASS && y.why == BV_WHY_UNAVAILABLE,
		   "no arena: passes (unavailable)");
	}
}

static void test_madvise(void)
{
	struct bv_cfg bsd = { .dontneed_bsd = true };
	static const struct { int l; int kind; int arg; const char *n; } t[] = {
		{ MADV_NORMAL, BV_ADV_BSD, BSD_MADV_NORMAL, "NORMAL" },
		{ MADV_RANDOM, BV_ADV_BSD, BSD_MADV_RANDOM, "RANDOM" },
		{ MADV_SEQUENTIAL, BV_ADV_BSD, BSD_MADV_SEQUENTIAL, "SEQUENTIAL" },
		{ MADV_WILLNEED, BV_ADV_BSD, BSD_MADV_WILLNEED, "WILLNEED" },
		{ MADV_DONTNEED, BV_ADV_ZERO, 0, "DONTNEED (zero-fill)" },
		{ MADV_FREE, BV_ADV_BSD, BSD_MADV_FREE, "FREE (8 -> 5)" },
		{ MADV_REMOVE, BV_ADV_EINVAL, 0, "REMOVE" },
		{ MADV_DONTFORK, BV_ADV_INHERIT, BSD_INHERIT_NONE, "DONTFORK" },
		{ MADV_DOFORK, BV_ADV_INHERIT, BSD_INHERIT_COPY, "DOFORK" },
		{ MADV_MERGEABLE, BV_ADV_NOP, 0, "MERGEABLE" },
		{ MADV_UNMERGEABLE, BV_ADV_NOP, 0, "UNMERGEABLE" },
		{ MADV_HUGEPAGE, BV_ADV_NOP, 0, "HUGEPAGE" },
		{ MADV_NOHUGEPAGE, BV_ADV_NOP, 0, "NOHUGEPAGE" },
		{ MADV_DONTDUMP, BV_ADV_BSD, BSD_MADV_NOCORE, "DONTDUMP" },
		{ MADV_DODUMP, BV_ADV_BSD, BSD_MADV_CORE, "DODUMP" },
		{ MADV_WIPEONFORK, BV_ADV_INHERIT, BSD_INHERIT_ZERO, "WIPEONFORK" },
		{ MADV_KEEPONFORK, BV_ADV_INHERIT, BSD_INHERIT_COPY, "KEEPONFORK" },
		{ MADV_COLD, BV_ADV_BSD, BSD_MADV_DONTNEED, "COLD" },
		{ MADV_PAGEOUT, BV_ADV_BSD, BSD_MADV_DONTNEED, "PAGEOUT" },
		{ MADV_POPULATE_READ, BV_ADV_POPULATE_READ, 0, "POPULATE_READ" },
		{ MADV_POPULATE_WRITE, BV_ADV_POPULATE_WRITE, 0, "POPULATE_WRITE" },
		{ MADV_DONTNEED_LOCKED, BV_ADV_ZERO, 0, "DONTNEED_LOCKED" },
		{ 25, BV_ADV_NOP, 0, "COLLAPSE" },
		{ MADV_HWPOISON, BV_ADV_EINVAL, 0, "HWPOISON" },
		{ 77, BV_ADV_EINVAL, 0, "unknown 77" },
		{ -1, BV_ADV_EINVAL, 0, "-1" },
	};
	unsigned int i;
	int arg, k;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		k = bv_xlate_madvise(t[i].l, &dflt, &arg);
		ok(k == t[i].kind && (k == BV_ADV_NOP || k == BV_ADV_EINVAL ||
				      k == BV_ADV_ZERO ||
				      k == BV_ADV_POPULATE_READ ||
				      k == BV_ADV_POPULATE_WRITE ||
				      arg == t[i].arg),
		   "madvise MADV_%s (%d)", t[i].n, t[i].l);
	}
	k = bv_xlate_madvise(MADV_DONTNEED, &bsd, &arg);
	ok(k == BV_ADV_BSD && arg == BSD_MADV_DONTNEED,
	   "BSDVM_DONTNEED=bsd: MADV_DONTNEED keeps contents");
	ok(bv_xlate_posix_madvise(POSIX_MADV_DONTNEED, &arg) == 0 &&
	   arg == BSD_MADV_DONTNEED, "posix_madvise DONTNEED -> BSD DONTNEED");
	ok(bv_xlate_posix_madvise(POSIX_MADV_WILLNEED, &arg) == 0 &&
	   arg == BSD_MADV_WILLNEED, "posix_madvise WILLNEED");
	ok(bv_xlate_posix_madvise(8, &arg) == EINVAL,
	   "posix_madvise unknown: EINVAL");
}

static void test_misc(void)
{
	struct bv_cfg bsd = { .mincore_bsd = true };
	int b;

	ok(!bv_xlate_msync(MS_SYNC, &b) && b == BSD_MS_SYNC,
	   "MS_SYNC (4) -> BSD_MS_SYNC (0)");
	ok(!bv_xlate_msync(MS_ASYNC, &b) && b == BSD_MS_ASYNC, "MS_ASYNC");
	ok(!bv_xlate_msync(MS_SYNC | MS_INVALIDATE, &b) &&
	   b == (BSD_MS_SYNC | BSD_MS_INVALIDATE), "MS_SYNC|MS_INVALIDATE");
	ok(!bv_xlate_msync(MS_ASYNC | MS_INVALIDATE, &b) && b == BSD_MS_ASYNC,
	   "MS_ASYNC|MS_INVALIDATE (valid on Linux) -> BSD_MS_ASYNC");
	ok(!bv_xlate_msync(0, &b) && b == BSD_MS_SYNC, "msync flags 0");
	ok(bv_xlate_msync(MS_SYNC | MS_ASYNC, &b) == EINVAL,
	   "MS_SYNC|MS_ASYNC: EINVAL");
	ok(bv_xlate_msync(0x10, &b) == EINVAL, "msync unknown flag: EINVAL");
	ok(!bv_xlate_prot(PROT_READ | PROT_WRITE | PROT_EXEC, &b) &&
	   b == BSD_PROT_ALL, "prot RWX");
	ok(bv_xlate_prot(PROT_GROWSDOWN | PROT_READ, &b) == EINVAL,
	   "mprotect PROT_GROWSDOWN in the arena: EINVAL");
	ok(bv_xlate_mincore(BSD_MINCORE_INCORE | BSD_MINCORE_MODIFIED |
			    BSD_MINCORE_REFERENCED_OTHER, &dflt) == 1,
	   "mincore for Linux: INCORE -> 1, other bits dropped");
	ok(bv_xlate_mincore(0, &dflt) == 0, "mincore: not resident -> 0");
	ok(bv_xlate_mincore(BSD_MINCORE_INCORE | BSD_MINCORE_MODIFIED, &bsd) ==
	   (BSD_MINCORE_INCORE | BSD_MINCORE_MODIFIED),
	   "BSDVM_MINCORE=bsd keeps the BSD bits");
	ok(BSD_MADV_FREE == 5 && MADV_FREE == 8 && BSD_MAP_ANON == 0x1000 &&
	   MAP_ANONYMOUS == 0x20 && BSD_MS_SYNC == 0 && MS_SYNC == 4,
	   "the colliding constants are what the table says");
}

int main(void)
{
	test_mmap();
	test_madvise();
	test_misc();
	return tap_done();
}
