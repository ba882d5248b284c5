// SPDX-License-Identifier: GPL-2.0
/*
 * Anonymous memory in the arena: zero-fill, the shared zero page, signals
 * and si_code, the Appel & Li handler pattern, MAP_FIXED/EXCL, guard and
 * stack entries, brk, madvise and mincore.
 */
#include <sys/resource.h>
#include "kselftest_harness.h"
#include "bsdvm_test.h"

FIXTURE(vm) {
	struct arena a;
};

FIXTURE_SETUP(vm)
{
	ASSERT_EQ(0, arena_open(&self->a, ARENA_SIZE));
}

FIXTURE_TEARDOWN(vm)
{
	arena_close(&self->a);
}

TEST_F(vm, zero_fill_and_read_back)
{
	char *p = bsdvm_anon(self->a.fd, 16 * PG, 0);
	struct bsdvm_stats st;
	int i;

	ASSERT_NE(NULL, p);
	ASSERT_GE(p, self->a.base);
	ASSERT_LE(p + 16 * PG, self->a.base + self->a.size);
	for (i = 0; i < 16; i++)
		p[i * PG + i] = (char)(i + 1);
	for (i = 0; i < 16; i++) {
		EXPECT_EQ((char)(i + 1), p[i * PG + i]);
		EXPECT_EQ(0, p[i * PG + i + 1]);
	}
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &st, 0));
	EXPECT_GE(st.zero_fills, 16);
	EXPECT_EQ(16, st.pages);
}

TEST_F(vm, zero_page_is_shared_for_reads)
{
	char *p = bsdvm_anon(self->a.fd, 8 * PG, 0);
	struct bsdvm_stats before, after;
	int i;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &before, 0));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, p[i * PG]);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &after, 0));
	/* Reads allocate nothing: each maps the one zero page. */
	EXPECT_EQ(before.pages, after.pages);
	EXPECT_EQ(before.zero_page_maps + 8, after.zero_page_maps);
	/* A write after the read gets a private page, others stay zero. */
	p[3 * PG] = 7;
	EXPECT_EQ(7, p[3 * PG]);
	EXPECT_EQ(0, p[2 * PG]);
	EXPECT_EQ(0, p[4 * PG]);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &after, 0));
	EXPECT_EQ(before.pages + 1, after.pages);
}

TEST_F(vm, unmapped_is_segv_maperr)
{
	char *p = bsdvm_anon(self->a.fd, 4 * PG, 0);
	struct fault_result r;

	ASSERT_NE(NULL, p);
	p[PG] = 1;
	ASSERT_EQ(0, bsdvm_unmap(self->a.fd, p, 4 * PG));
	r = touch(p + PG + 5, 0, 0);
	EXPECT_EQ(SIGSEGV, r.sig);
	EXPECT_EQ(SEGV_MAPERR, r.code);
	EXPECT_EQ(p + PG + 5, r.addr);
	r = touch(p + 3 * PG, 1, 1);
	EXPECT_EQ(SIGSEGV, r.sig);
	EXPECT_EQ(SEGV_MAPERR, r.code);
}

TEST_F(vm, protection_is_segv_accerr)
{
	char *p = bsdvm_anon(self->a.fd, 2 * PG, 0);
	struct fault_result r;

	ASSERT_NE(NULL, p);
	p[0] = 42;
	ASSERT_EQ(0, bsdvm_protect(self->a.fd, p, 2 * PG, BSD_PROT_READ));
	r = touch(p + 9, 1, 1);
	EXPECT_EQ(SIGSEGV, r.sig);
	EXPECT_EQ(SEGV_ACCERR, r.code);
	EXPECT_EQ(p + 9, r.addr);
	EXPECT_EQ(42, p[0]);	/* still readable, unchanged */
	/* Untouched page: the write must not slip through the zero page. */
	r = touch(p + PG, 1, 1);
	EXPECT_EQ(SEGV_ACCERR, r.code);
	ASSERT_EQ(0, bsdvm_protect(self->a.fd, p, 2 * PG, BSD_PROT_NONE));
	r = touch(p, 0, 0);
	EXPECT_EQ(SIGSEGV, r.sig);
	EXPECT_EQ(SEGV_ACCERR, r.code);
	ASSERT_EQ(0, bsdvm_protect(self->a.fd, p, 2 * PG,
				   BSD_PROT_READ | BSD_PROT_WRITE));
	EXPECT_EQ(42, p[0]);
	p[PG] = 3;
	EXPECT_EQ(3, p[PG]);
}

/* Call code at p; 0, or the signal it took (with fault_last set). */
static int call_code(void *p, int *ret)
{
	int (*volatile fn)(void) = (int (*)(void))p;

	fault_catch();
	fault_last.sig = 0;
	if (sigsetjmp(fault_jmp, 1))
		return fault_last.sig;
	*ret = fn();
	return 0;
}

/*
 * x86 refuses an instruction fetch from a present non-executable PTE
 * before any fault handler runs, so raising PROT_EXEC over a page that
 * is already mapped must not leave its old PTE in place.
 */
TEST_F(vm, exec_after_raise_over_mapped_page)
{
	static const unsigned char ret42[] = {
		0xb8, 0x2a, 0x00, 0x00, 0x00,	/* mov $42, %eax */
		0xc3,				/* ret */
	};
	char *p = bsdvm_anon(self->a.fd, PG, 0);
	int ret = 0;

	ASSERT_NE(NULL, p);
	memcpy(p, ret42, sizeof(ret42));
	ASSERT_EQ(0, bsdvm_protect(self->a.fd, p, PG, BSD_PROT_READ));
	EXPECT_EQ((char)0xb8, p[0]);	/* mapped again, read-only */
	EXPECT_EQ(SIGSEGV, call_code(p, &ret));
	EXPECT_EQ(SEGV_ACCERR, fault_last.code);
	EXPECT_EQ(p, fault_last.addr);
	ASSERT_EQ(0, bsdvm_protect(self->a.fd, p, PG,
				   BSD_PROT_READ | BSD_PROT_EXEC));
	EXPECT_EQ(0, call_code(p, &ret));
	EXPECT_EQ(42, ret);
}

/* Appel & Li: the handler opens the page and returns; the write retries. */
static int al_fd;
static volatile int al_hits;

static void al_handler(int sig, siginfo_t *si, void *uc)
{
	char *page = (char *)((uintptr_t)si->si_addr & ~(PG - 1));

	if (si->si_code != SEGV_ACCERR)
		_exit(3);
	al_hits++;
	if (bsdvm_protect(al_fd, page, PG, BSD_PROT_READ | BSD_PROT_WRITE))
		_exit(4);
}

TEST_F(vm, handler_mprotects_and_returns)
{
	struct sigaction sa = { 0 };
	/* volatile: the stores must not move past the reads of al_hits */
	volatile char *p = bsdvm_anon(self->a.fd, 4 * PG, 0);
	int i;

	ASSERT_NE(NULL, p);
	al_fd = self->a.fd;
	ASSERT_EQ(0, bsdvm_protect(self->a.fd, (void *)p, 4 * PG,
				   BSD_PROT_READ));
	sa.sa_sigaction = al_handler;
	sa.sa_flags = SA_SIGINFO;
	ASSERT_EQ(0, sigaction(SIGSEGV, &sa, NULL));
	for (i = 0; i < 4; i++)
		p[i * PG + 1] = (char)(10 + i);
	EXPECT_EQ(4, al_hits);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(10 + i, p[i * PG + 1]);
	signal(SIGSEGV, SIG_DFL);
}

TEST_F(vm, fixed_and_excl)
{
	char *p = bsdvm_anon(self->a.fd, 4 * PG, 0);
	void *q;

	ASSERT_NE(NULL, p);
	p[0] = 1;
	p[PG] = 2;
	/* EXCL refuses an occupied range (FreeBSD's code: ENOMEM). */
	q = p;
	EXPECT_EQ(-ENOMEM, bsdvm_map(self->a.fd, &q, PG,
				     BSD_PROT_READ | BSD_PROT_WRITE,
				     BSD_MAP_ANON | BSD_MAP_FIXED | BSD_MAP_EXCL));
	EXPECT_EQ(1, p[0]);
	/* EXCL without FIXED is EINVAL. */
	q = NULL;
	EXPECT_EQ(-EINVAL, bsdvm_map(self->a.fd, &q, PG, BSD_PROT_READ,
				     BSD_MAP_ANON | BSD_MAP_EXCL));
	/* FIXED replaces: the new page reads zero, its neighbour is kept. */
	q = p;
	ASSERT_EQ(0, bsdvm_map(self->a.fd, &q, PG,
			       BSD_PROT_READ | BSD_PROT_WRITE,
			       BSD_MAP_ANON | BSD_MAP_FIXED));
	EXPECT_EQ(p, q);
	EXPECT_EQ(0, p[0]);
	EXPECT_EQ(2, p[PG]);
	/* FIXED unaligned is EINVAL; outside the arena is EINVAL. */
	q = p + 1;
	EXPECT_EQ(-EINVAL, bsdvm_map(self->a.fd, &q, PG, BSD_PROT_READ,
				     BSD_MAP_ANON | BSD_MAP_FIXED));
	q = self->a.base + self->a.size;
	EXPECT_EQ(-EINVAL, bsdvm_map(self->a.fd, &q, PG, BSD_PROT_READ,
				     BSD_MAP_ANON | BSD_MAP_FIXED));
}

TEST_F(vm, guard_entry)
{
	void *g = NULL;
	struct fault_result r;
	char *p;

	ASSERT_EQ(0, bsdvm_map(self->a.fd, &g, 4 * PG, BSD_PROT_NONE,
			       BSD_MAP_GUARD));
	r = touch(g, 0, 0);
	EXPECT_EQ(SIGSEGV, r.sig);
	/* mprotect skips guard entries: it still faults. */
	EXPECT_EQ(0, bsdvm_protect(self->a.fd, g, 4 * PG,
				   BSD_PROT_READ | BSD_PROT_WRITE));
	r = touch(g, 1, 1);
	EXPECT_EQ(SIGSEGV, r.sig);
	/* GUARD needs PROT_NONE. */
	p = NULL;
	EXPECT_EQ(-EINVAL, bsdvm_map(self->a.fd, (void **)&p, PG,
				     BSD_PROT_READ, BSD_MAP_GUARD));
	/* MAP_FIXED replaces a guard. */
	p = g;
	ASSERT_EQ(0, bsdvm_map(self->a.fd, (void **)&p, PG,
			       BSD_PROT_READ | BSD_PROT_WRITE,
			       BSD_MAP_ANON | BSD_MAP_FIXED));
	p[0] = 5;
	EXPECT_EQ(5, p[0]);
}

TEST_F(vm, stack_grows_down)
{
	char *s = NULL;
	size_t len = 64 * PG;

	ASSERT_EQ(0, bsdvm_map(self->a.fd, (void **)&s, len,
			       BSD_PROT_READ | BSD_PROT_WRITE,
			       BSD_MAP_STACK));
	s[len - 1] = 1;		/* the top is mapped */
	s[4 * PG] = 2;		/* the stack grows down to here */
	EXPECT_EQ(1, s[len - 1]);
	EXPECT_EQ(2, s[4 * PG]);
	/* MAP_STACK needs read and write. */
	s = NULL;
	EXPECT_EQ(-EINVAL, bsdvm_map(self->a.fd, (void **)&s, len,
				     BSD_PROT_READ, BSD_MAP_STACK));
}

/*
 * Found by bsdvm-fuzz: MAP_STACK | MAP_SHARED allocated a shared anonymous
 * object that vm_map_stack never took, one leaked object per call (and a
 * WARNING at rmmod).  As on FreeBSD, such a stack has no object until it
 * is touched and is inherited shared.
 */
TEST_F(vm, shared_stack_leaks_no_object)
{
	struct bsdvm_stats before, after;
	size_t len = 16 * PG;
	volatile char *s = NULL;
	int status;
	pid_t pid;

	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &before, 1));
	ASSERT_EQ(0, bsdvm_map(self->a.fd, (void **)&s, len,
			       BSD_PROT_READ | BSD_PROT_WRITE,
			       BSD_MAP_STACK | BSD_MAP_SHARED));
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &after, 1));
	EXPECT_EQ(before.objects, after.objects);	/* global: a leak too */
	s[len - 1] = 1;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		s[len - 1] = 2;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(2, s[len - 1]);	/* inherited shared */
	EXPECT_EQ(0, bsdvm_unmap(self->a.fd, (void *)s, len));
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &after, 1));
	EXPECT_EQ(before.objects, after.objects);
}

TEST_F(vm, brk_and_rlimit_data)
{
	uint64_t cur, base, now;
	struct rlimit rl = { 64 * PG, 64 * PG };
	char *b;

	ASSERT_EQ(0, bsdvm_brk(self->a.fd, 0, &cur, &base));
	EXPECT_EQ(cur, base);
	ASSERT_EQ(0, bsdvm_brk(self->a.fd, base + 10 * PG + 3, &now, NULL));
	EXPECT_EQ(base + 11 * PG, now);
	b = (char *)(uintptr_t)base;
	b[0] = 1;
	b[10 * PG] = 2;
	EXPECT_EQ(1, b[0]);
	EXPECT_EQ(2, b[10 * PG]);
	ASSERT_EQ(0, setrlimit(RLIMIT_DATA, &rl));
	EXPECT_EQ(-ENOMEM, bsdvm_brk(self->a.fd, base + 65 * PG, NULL, NULL));
	ASSERT_EQ(0, bsdvm_brk(self->a.fd, base + 64 * PG, &now, NULL));
	EXPECT_EQ(base + 64 * PG, now);
	/* Shrinking keeps the data below the break. */
	ASSERT_EQ(0, bsdvm_brk(self->a.fd, base + PG, &now, NULL));
	EXPECT_EQ(1, b[0]);
	/* Below the base: no change, no error. */
	EXPECT_EQ(0, bsdvm_brk(self->a.fd, base - PG, &now, NULL));
	EXPECT_EQ(base + PG, now);
}

TEST_F(vm, madvise_dontneed_keeps_free_old_or_zero)
{
	char *p = bsdvm_anon(self->a.fd, 4 * PG, 0);

	ASSERT_NE(NULL, p);
	memset(p, 0x5a, 4 * PG);
	ASSERT_EQ(0, bsdvm_advise(self->a.fd, p, 4 * PG, BSD_MADV_DONTNEED));
	EXPECT_EQ(0x5a, p[0]);
	EXPECT_EQ(0x5a, p[4 * PG - 1]);
	ASSERT_EQ(0, bsdvm_advise(self->a.fd, p, 4 * PG, BSD_MADV_FREE));
	EXPECT_TRUE(p[PG] == 0x5a || p[PG] == 0);
	p[PG] = 9;
	EXPECT_EQ(9, p[PG]);
	EXPECT_EQ(-EINVAL, bsdvm_advise(self->a.fd, p, PG, 99));
	EXPECT_EQ(0, bsdvm_advise(self->a.fd, p, PG, BSD_MADV_WILLNEED));
	EXPECT_EQ(0, bsdvm_advise(self->a.fd, p, PG, BSD_MADV_SEQUENTIAL));
}

/*
 * MADV_WILLNEED maps the resident pages of the first object read-only:
 * reading them afterwards takes no fault; a write still faults once
 * (write-after-read), and the data is what was there.
 */
TEST_F(vm, madvise_willneed_premaps_resident_pages)
{
	char *p = bsdvm_anon(self->a.fd, 8 * PG, 0);
	struct bsdvm_stats before, after;
	int i;

	ASSERT_NE(NULL, p);
	for (i = 0; i < 8; i++)
		p[i * PG] = (char)(i + 1);
	/* lowering the protection takes the PTEs away, the pages stay */
	ASSERT_EQ(0, bsdvm_protect(self->a.fd, p, 8 * PG, BSD_PROT_READ));
	ASSERT_EQ(0, bsdvm_protect(self->a.fd, p, 8 * PG,
				   BSD_PROT_READ | BSD_PROT_WRITE));
	/* without advice, the first four reads fault */
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &before, 0));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(i + 1, *(volatile char *)(p + i * PG));
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &after, 0));
	EXPECT_EQ(before.faults + 4, after.faults);
	/* with it, the last four do not */
	ASSERT_EQ(0, bsdvm_advise(self->a.fd, p + 4 * PG, 4 * PG,
				  BSD_MADV_WILLNEED));
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &before, 0));
	for (i = 4; i < 8; i++)
		EXPECT_EQ(i + 1, *(volatile char *)(p + i * PG));
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &after, 0));
	EXPECT_EQ(before.faults, after.faults);
	/* read-only PTEs: a write faults once and lands */
	p[5 * PG] = 42;
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &after, 0));
	EXPECT_EQ(before.faults + 1, after.faults);
	EXPECT_EQ(42, p[5 * PG]);
	/* never-touched pages are not resident: nothing to map, no error */
	ASSERT_EQ(0, bsdvm_unmap(self->a.fd, p, 8 * PG));
	p = bsdvm_anon(self->a.fd, 4 * PG, 0);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, bsdvm_advise(self->a.fd, p, 4 * PG, BSD_MADV_WILLNEED));
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &before, 0));
	EXPECT_EQ(0, *(volatile char *)p);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &after, 0));
	EXPECT_EQ(before.faults + 1, after.faults);
}

TEST_F(vm, mincore_bits)
{
	char *p = bsdvm_anon(self->a.fd, 4 * PG, 0);
	unsigned char vec[4];

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, bsdvm_mincore(self->a.fd, p, 4 * PG, vec));
	EXPECT_EQ(0, vec[0]);
	EXPECT_EQ(0, vec[1]);
	(void)*(volatile char *)(p + PG);	/* read: the zero page */
	p[2 * PG] = 1;				/* write: a page of its own */
	ASSERT_EQ(0, bsdvm_mincore(self->a.fd, p, 4 * PG, vec));
	EXPECT_EQ(0, vec[0]);
	/* The zero page is mapped, read-only: in core, never modified. */
	EXPECT_TRUE(vec[1] & BSD_MINCORE_INCORE);
	EXPECT_EQ(0, vec[1] & BSD_MINCORE_MODIFIED);
	EXPECT_TRUE(vec[2] & BSD_MINCORE_INCORE);
	EXPECT_TRUE(vec[2] & BSD_MINCORE_MODIFIED);
	EXPECT_TRUE(vec[2] & BSD_MINCORE_REFERENCED);
	ASSERT_EQ(0, bsdvm_advise(self->a.fd, p, 4 * PG, BSD_MADV_DONTNEED));
	ASSERT_EQ(0, bsdvm_mincore(self->a.fd, p, 4 * PG, vec));
	EXPECT_TRUE(vec[2] & BSD_MINCORE_INCORE);	/* data kept */
	EXPECT_EQ(1, p[2 * PG]);
	/* Unmapped: ENOMEM. */
	ASSERT_EQ(0, bsdvm_unmap(self->a.fd, p + 3 * PG, PG));
	EXPECT_EQ(-ENOMEM, bsdvm_mincore(self->a.fd, p, 4 * PG, vec));
}

/*
 * One mincore across entries of every kind: the pmap is read per entry,
 * the objects only where this pmap's bits do not already tell.
 */
TEST_F(vm, mincore_across_entries)
{
	const unsigned char all = BSD_MINCORE_INCORE | BSD_MINCORE_REFERENCED |
		BSD_MINCORE_MODIFIED | BSD_MINCORE_REFERENCED_OTHER |
		BSD_MINCORE_MODIFIED_OTHER;
	unsigned char vec[9];
	void *g = NULL;
	char *p;

	/* [rw anon: 3 pages][guard: 2][read-only anon: 3][hole] */
	p = bsdvm_anon(self->a.fd, 9 * PG, 0);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, bsdvm_unmap(self->a.fd, p + 8 * PG, PG));
	ASSERT_EQ(0, bsdvm_unmap(self->a.fd, p + 3 * PG, 2 * PG));
	g = p + 3 * PG;
	ASSERT_EQ(0, bsdvm_map(self->a.fd, &g, 2 * PG, BSD_PROT_NONE,
			       BSD_MAP_GUARD | BSD_MAP_FIXED));
	p[0] = 1;
	(void)*(volatile char *)(p + PG);
	(void)*(volatile char *)(p + 6 * PG);
	ASSERT_EQ(0, bsdvm_protect(self->a.fd, p + 5 * PG, 3 * PG,
				   BSD_PROT_READ));
	memset(vec, 0xee, sizeof(vec));
	/* unaligned start, length ending inside the last page */
	ASSERT_EQ(0, bsdvm_mincore(self->a.fd, p + 7, 8 * PG - 100, vec));
	EXPECT_EQ(all, vec[0]);			/* written */
	EXPECT_EQ(BSD_MINCORE_INCORE | BSD_MINCORE_REFERENCED, vec[1]);
	EXPECT_EQ(0, vec[2]);			/* untouched */
	EXPECT_EQ(0, vec[3]);			/* guard */
	EXPECT_EQ(0, vec[4]);
	EXPECT_EQ(0, vec[5]);
	EXPECT_EQ(BSD_MINCORE_INCORE | BSD_MINCORE_REFERENCED, vec[6]);
	EXPECT_EQ(0, vec[7]);
	EXPECT_EQ(0xee, vec[8]);		/* nothing past the range */
	/* the hole after the last entry: ENOMEM, and the ioctl writes
	 * nothing of a chunk that meets a hole */
	memset(vec, 0xee, sizeof(vec));
	EXPECT_EQ(-ENOMEM, bsdvm_mincore(self->a.fd, p, 9 * PG, vec));
	EXPECT_EQ(0xee, vec[0]);
	EXPECT_EQ(0xee, vec[7]);
}

TEST_F(vm, syscalls_read_and_write_arena_buffers)
{
	char *p = bsdvm_anon(self->a.fd, 2 * PG, 0);
	int pipefd[2];

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, pipe(pipefd));
	ASSERT_EQ(5, write(pipefd[1], "hello", 5));
	ASSERT_EQ(5, read(pipefd[0], p + PG - 2, 5));	/* across pages */
	EXPECT_EQ(0, memcmp(p + PG - 2, "hello", 5));
	ASSERT_EQ(5, write(pipefd[1], p + PG - 2, 5));
	memset(p, 0, 8);
	ASSERT_EQ(5, read(pipefd[0], p, 5));
	EXPECT_EQ(0, memcmp(p, "hello", 5));
	/* A read-only buffer: the kernel gets EFAULT, no signal. */
	ASSERT_EQ(0, bsdvm_protect(self->a.fd, p, 2 * PG, BSD_PROT_READ));
	ASSERT_EQ(5, write(pipefd[1], "world", 5));
	EXPECT_EQ(-1, read(pipefd[0], p, 5));
	EXPECT_EQ(EFAULT, errno);
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST_HARNESS_MAIN
