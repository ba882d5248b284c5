// SPDX-License-Identifier: GPL-2.0
/*
 * libbsdvm against the BSD semantics, where bsdvm.ko is loaded: every
 * library call, its errno, fork and exec, threads, a closed descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bsdvm.h"
#include "kselftest_harness.h"

#define PG 4096UL
#define RW (BSD_PROT_READ | BSD_PROT_WRITE)
#define ANON (BSD_MAP_ANON | BSD_MAP_PRIVATE)

static sigjmp_buf jb;
static volatile int lsig, lcode;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	lsig = sig;
	lcode = si->si_code;
	siglongjmp(jb, 1);
}

/* 0, or the signal a write (or read) of p raised */
static int poke(volatile char *p, int write)
{
	struct sigaction sa = { .sa_sigaction = on_fault,
				.sa_flags = SA_SIGINFO | SA_NODEFER };

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	lsig = 0;
	if (!sigsetjmp(jb, 1)) {
		if (write)
			*p = 1;
		else
			(void)*p;
	}
	return lsig;
}

static int child_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

TEST(init_and_info)
{
	struct bsdvm_arena_info ai;

	ASSERT_EQ(0, bsdvm_init());
	ASSERT_EQ(1, bsdvm_available());
	ASSERT_EQ(0, bsdvm_arena_info(&ai));
	EXPECT_GE(ai.size, 64UL << 20);
	EXPECT_EQ(BSDVM_ABI_VERSION, ai.abi_version);
	EXPECT_EQ(1, bsdvm_in_arena(ai.start, ai.size));
	EXPECT_EQ(0, bsdvm_in_arena((char *)ai.start - 1, 2));
	EXPECT_EQ(0, bsdvm_in_arena(&ai, 1));
}

TEST(mmap_anon)
{
	char *p = bsd_mmap(NULL, 3 * PG, RW, ANON, -1, 0);

	ASSERT_NE(BSD_MAP_FAILED, p);
	EXPECT_EQ(1, bsdvm_in_arena(p, 3 * PG));
	EXPECT_EQ(0, p[0]);
	memset(p, 7, 3 * PG);
	EXPECT_EQ(7, p[3 * PG - 1]);
	EXPECT_EQ(0, bsd_munmap(p, 3 * PG));
	EXPECT_EQ(SIGSEGV, poke(p, 0));
	EXPECT_EQ(SEGV_MAPERR, lcode);
	/* BSD_MAP_ANON alone is private (FreeBSD) */
	p = bsd_mmap(NULL, PG, RW, BSD_MAP_ANON, -1, 0);
	ASSERT_NE(BSD_MAP_FAILED, p);
	EXPECT_EQ(0, bsd_munmap(p, PG));
}

TEST(mmap_errors)
{
	char *p;

	errno = 0;
	EXPECT_EQ(BSD_MAP_FAILED, bsd_mmap(NULL, 0, RW, ANON, -1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(BSD_MAP_FAILED, bsd_mmap(NULL, PG, RW, BSD_MAP_ANON |
					   BSD_MAP_SHARED | BSD_MAP_PRIVATE,
					   -1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(BSD_MAP_FAILED, bsd_mmap(NULL, PG, RW, ANON | BSD_MAP_EXCL,
					   -1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(BSD_MAP_FAILED, bsd_mmap(NULL, PG, RW, ANON | 0x20, -1, 0));
	EXPECT_EQ(EINVAL, errno);	/* Linux's MAP_ANONYMOUS is no BSD flag */
	EXPECT_EQ(BSD_MAP_FAILED, bsd_mmap(NULL, PG, RW, ANON, 0, 0));
	EXPECT_EQ(EINVAL, errno);	/* MAP_ANON needs fd -1 */
	EXPECT_EQ(BSD_MAP_FAILED,
		  bsd_mmap(NULL, PG, RW | BSD_PROT_MAX(BSD_PROT_READ), ANON,
			   -1, 0));
	EXPECT_EQ(ENOTSUP, errno);	/* prot beyond PROT_MAX */
	/* MAP_FIXED|MAP_EXCL over a mapping: ENOMEM (FreeBSD's code) */
	p = bsd_mmap(NULL, 2 * PG, RW, ANON, -1, 0);
	ASSERT_NE(BSD_MAP_FAILED, p);
	EXPECT_EQ(BSD_MAP_FAILED, bsd_mmap(p, PG, RW, ANON | BSD_MAP_FIXED |
					   BSD_MAP_EXCL, -1, 0));
	EXPECT_EQ(ENOMEM, errno);
	/* MAP_FIXED replaces: zero-filled again */
	p[0] = 5;
	EXPECT_EQ(p, bsd_mmap(p, PG, RW, ANON | BSD_MAP_FIXED, -1, 0));
	EXPECT_EQ(0, p[0]);
	EXPECT_EQ(0, bsd_munmap(p, 2 * PG));
	EXPECT_EQ(-1, bsd_munmap(p, 0));
	EXPECT_EQ(EINVAL, errno);
}

/* A file mapping through the library: this binary's ELF header. */
TEST(mmap_file)
{
	int fd = open("/proc/self/exe", O_RDONLY);
	char *p;

	ASSERT_LE(0, fd);
	p = bsd_mmap(NULL, PG, BSD_PROT_READ, BSD_MAP_PRIVATE, fd, 0);
	close(fd);	/* the mapping keeps its own reference */
	ASSERT_NE(BSD_MAP_FAILED, p);
	EXPECT_EQ(0, memcmp(p, "\177ELF", 4));
	EXPECT_EQ(0, bsd_munmap(p, PG));
}

/* msync through the library writes a shared file mapping back at once. */
TEST(msync_writes_file_back)
{
	char path[] = "/tmp/libbsdvm-msync-XXXXXX", buf[8] = "";
	int fd = mkstemp(path);
	char *p;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 2 * PG));
	p = bsd_mmap(NULL, 2 * PG, RW, BSD_MAP_SHARED, fd, 0);
	ASSERT_NE(BSD_MAP_FAILED, p);
	memcpy(p + PG + 8, "synced", 6);
	/* an unaligned address is moved down to its page, as on FreeBSD */
	EXPECT_EQ(0, bsd_msync(p + PG + 8, 6, BSD_MS_SYNC));
	ASSERT_EQ(6, pread(fd, buf, 6, PG + 8));
	EXPECT_EQ(0, memcmp(buf, "synced", 6));
	EXPECT_EQ(-1, bsd_msync(p, PG, BSD_MS_ASYNC | BSD_MS_INVALIDATE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, bsd_munmap(p, 2 * PG));
	close(fd);
	unlink(path);
}

TEST(mprotect_and_guard)
{
	char *p = bsd_mmap(NULL, 2 * PG, RW, ANON, -1, 0), *g;

	ASSERT_NE(BSD_MAP_FAILED, p);
	p[0] = 1;
	ASSERT_EQ(0, bsd_mprotect(p, PG, BSD_PROT_READ));
	EXPECT_EQ(SIGSEGV, poke(p, 1));
	EXPECT_EQ(SEGV_ACCERR, lcode);
	EXPECT_EQ(0, poke(p, 0));
	EXPECT_EQ(0, poke(p + PG, 1));
	/* unaligned address: truncated (FreeBSD) */
	EXPECT_EQ(0, bsd_mprotect(p + 10, 1, RW));
	EXPECT_EQ(0, poke(p, 1));
	EXPECT_EQ(-1, bsd_mprotect(p, PG, 0x100));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, bsd_munmap(p, 2 * PG));
	/* MAP_GUARD: inaccessible, mprotect leaves it so */
	g = bsd_mmap(NULL, PG, BSD_PROT_NONE, BSD_MAP_GUARD, -1, 0);
	ASSERT_NE(BSD_MAP_FAILED, g);
	EXPECT_EQ(0, bsd_mprotect(g, PG, RW));
	EXPECT_EQ(SIGSEGV, poke(g, 0));
	EXPECT_EQ(0, bsd_munmap(g, PG));
}

TEST(minherit_fork)
{
	char *p = bsd_mmap(NULL, 4 * PG, RW, ANON, -1, 0);
	pid_t pid;

	ASSERT_NE(BSD_MAP_FAILED, p);
	memset(p, 'p', 4 * PG);
	ASSERT_EQ(0, bsd_minherit(p, PG, BSD_INHERIT_SHARE));
	ASSERT_EQ(0, bsd_minherit(p + PG, PG, BSD_INHERIT_COPY));
	ASSERT_EQ(0, bsd_minherit(p + 2 * PG, PG, BSD_INHERIT_NONE));
	ASSERT_EQ(0, bsd_minherit(p + 3 * PG, PG, BSD_INHERIT_ZERO));
	EXPECT_EQ(-1, bsd_minherit(p, PG, 9));
	EXPECT_EQ(EINVAL, errno);
	pid = fork();
	if (!pid) {
		int bad = 0;
		char *q;

		bad |= p[0] != 'p' || p[PG] != 'p' || p[3 * PG] != 0;
		bad |= poke(p + 2 * PG, 0) != SIGSEGV;
		p[0] = 'c';	/* shared: the parent sees it */
		p[PG] = 'c';	/* copy: the parent does not */
		/* the child keeps using the library */
		q = bsd_mmap(NULL, PG, RW, ANON, -1, 0);
		bad |= q == BSD_MAP_FAILED;
		if (!bad)
			q[0] = 1;
		_exit(bad);
	}
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ('c', p[0]);
	EXPECT_EQ('p', p[PG]);
	EXPECT_EQ('p', p[2 * PG]);
	EXPECT_EQ('p', p[3 * PG]);
	EXPECT_EQ(0, bsd_munmap(p, 4 * PG));
}

TEST(madvise_and_mincore)
{
	char *p = bsd_mmap(NULL, 4 * PG, RW, ANON, -1, 0), vec[4];
	int i;

	ASSERT_NE(BSD_MAP_FAILED, p);
	ASSERT_EQ(0, bsd_mincore(p, 4 * PG, vec));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, vec[i]);
	memset(p, 9, 2 * PG);
	ASSERT_EQ(0, bsd_mincore(p, 4 * PG, vec));
	EXPECT_TRUE(vec[0] & BSD_MINCORE_INCORE);
	EXPECT_TRUE(vec[0] & BSD_MINCORE_MODIFIED);
	EXPECT_EQ(0, vec[3]);
	/* BSD DONTNEED: the data stays */
	ASSERT_EQ(0, bsd_madvise(p, 2 * PG, BSD_MADV_DONTNEED));
	EXPECT_EQ(9, p[0]);
	EXPECT_EQ(9, p[2 * PG - 1]);
	/* FREE: old data or zeros, and a write sticks */
	ASSERT_EQ(0, bsd_madvise(p, 2 * PG, BSD_MADV_FREE));
	EXPECT_TRUE(p[0] == 9 || p[0] == 0);
	p[0] = 3;
	EXPECT_EQ(3, p[0]);
	for (i = BSD_MADV_NORMAL; i <= BSD_MADV_PROTECT; i++)
		EXPECT_EQ(0, bsd_madvise(p, 4 * PG, i));
	EXPECT_EQ(-1, bsd_madvise(p, PG, 11));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, bsd_munmap(p + 3 * PG, PG));
	EXPECT_EQ(-1, bsd_mincore(p, 4 * PG, vec));
	EXPECT_EQ(ENOMEM, errno);	/* a hole */
	EXPECT_EQ(-1, bsd_mincore(p, PG, (char *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, bsd_munmap(p, 3 * PG));
}

TEST(msync_flags)
{
	char *p = bsd_mmap(NULL, 2 * PG, RW, ANON, -1, 0);

	ASSERT_NE(BSD_MAP_FAILED, p);
	EXPECT_EQ(0, bsd_msync(p, 2 * PG, BSD_MS_SYNC));
	EXPECT_EQ(0, bsd_msync(p, 2 * PG, BSD_MS_ASYNC));
	EXPECT_EQ(0, bsd_msync(p, 2 * PG, BSD_MS_INVALIDATE));
	EXPECT_EQ(0, bsd_msync(p, 0, BSD_MS_SYNC));
	EXPECT_EQ(-1, bsd_msync(p, PG, BSD_MS_ASYNC | BSD_MS_INVALIDATE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, bsd_msync(p, PG, 4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, bsd_munmap(p, 2 * PG));
	EXPECT_EQ(-1, bsd_msync(p, PG, BSD_MS_SYNC));
	EXPECT_EQ(ENOMEM, errno);
}

TEST(brk_sbrk)
{
	char *b0 = bsd_sbrk(0), *b1;

	ASSERT_NE(BSD_MAP_FAILED, b0);
	EXPECT_EQ(1, bsdvm_in_arena(b0, 1));
	EXPECT_EQ(b0, bsd_sbrk(10));
	EXPECT_EQ(b0 + 10, bsd_sbrk(8192));
	memset(b0, 1, 8202);
	b1 = bsd_sbrk(0);
	EXPECT_EQ(b0 + 8202, b1);
	EXPECT_EQ(b0 + 100, bsd_brk(b0 + 100));
	EXPECT_EQ(b0 + 100, bsd_sbrk(0));
	EXPECT_EQ(1, b0[99]);
	/* below the data segment: no effect */
	EXPECT_EQ(b0 + 100, bsd_brk((char *)4096));
	EXPECT_EQ(BSD_MAP_FAILED, bsd_sbrk(-(intptr_t)(64UL << 40)));
	EXPECT_EQ(b0, bsd_brk(b0));
}

TEST(stats)
{
	struct bsdvm_stats a, b, g;
	char *p = bsd_mmap(NULL, 16 * PG, RW, ANON, -1, 0);

	ASSERT_NE(BSD_MAP_FAILED, p);
	ASSERT_EQ(0, bsdvm_stats(&a));
	memset(p, 1, 16 * PG);
	ASSERT_EQ(0, bsdvm_stats(&b));
	EXPECT_GE(b.faults - a.faults, 16);
	EXPECT_GE(b.pages, 16);
	EXPECT_NE(0, b.arena_start);
	ASSERT_EQ(0, bsdvm_stats_global(&g));
	EXPECT_GE(g.spaces, 1);
	EXPECT_EQ(0, g.arena_start);
	EXPECT_EQ(0, bsd_munmap(p, 16 * PG));
}

static void *mapper(void *arg)
{
	long i, bad = 0;

	/*
	 * 500 rounds: enough to interleave, and within the harness's 30 s
	 * timeout on the KASAN kernel under emulation.
	 */
	for (i = 0; i < 500; i++) {
		char *p = bsd_mmap(NULL, PG * (1 + i % 5), RW, ANON, -1, 0);

		if (p == BSD_MAP_FAILED) {
			bad++;
			continue;
		}
		p[0] = (char)(long)arg;
		bad += p[0] != (char)(long)arg;
		bad += bsd_mprotect(p, PG, BSD_PROT_READ) != 0;
		bad += bsd_munmap(p, PG * (1 + i % 5)) != 0;
	}
	return (void *)bad;
}

TEST(threads)
{
	pthread_t t[4];
	long i, bad = 0;
	void *r;

	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, mapper, (void *)(i + 1));
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], &r);
		bad += (long)r;
	}
	EXPECT_EQ(0, bad);
}

TEST(closed_descriptor)
{
	struct bsdvm_arena_info ai;
	char *p;

	ASSERT_EQ(0, bsdvm_arena_info(&ai));
	close(ai.fd);
	p = bsd_mmap(NULL, PG, RW, ANON, -1, 0);
	ASSERT_NE(BSD_MAP_FAILED, p);
	p[0] = 1;
	ASSERT_EQ(0, bsdvm_arena_info(&ai));
	/* something else on our number: noticed, reopened */
	dup2(open("/dev/null", O_RDONLY), ai.fd);
	EXPECT_EQ(0, bsd_munmap(p, PG));
	p = bsd_mmap(NULL, PG, RW, ANON, -1, 0);
	EXPECT_NE(BSD_MAP_FAILED, p);
}

/*
 * read(2) into arena memory, where the file system copies (tmpfs) and
 * where it pins the user pages with get_user_pages (9p's zero-copy reads
 * over 1 KiB: the guest's root).  Arena pages have normal PTEs, so both
 * work (issue 15; before, the 9p read failed with EFAULT).
 */
TEST(read_into_arena)
{
	char *p = bsd_mmap(NULL, 16 * PG, RW, ANON, -1, 0), *q;
	char path[] = "/tmp/libbsdvm-read-XXXXXX";
	int fd = mkstemp(path);
	ssize_t r;

	ASSERT_NE(BSD_MAP_FAILED, p);
	ASSERT_LE(0, fd);
	q = malloc(16 * PG);
	memset(q, 'x', 16 * PG);
	ASSERT_EQ(16 * PG, write(fd, q, 16 * PG));
	ASSERT_EQ(16 * PG, pread(fd, p, 16 * PG, 0));
	EXPECT_EQ('x', p[16 * PG - 1]);
	close(fd);
	unlink(path);
	free(q);
	fd = open("/proc/self/exe", O_RDONLY);
	ASSERT_LE(0, fd);
	/* 9p (the guest's root) pins the user pages: GUP must see them */
	r = read(fd, p, 16 * PG);
	close(fd);
	EXPECT_EQ(16 * (ssize_t)PG, r);
	EXPECT_EQ(0x7f, p[0]);
}

TEST(exec_starts_clean)
{
	char *p = bsd_mmap(NULL, PG, RW, ANON, -1, 0);
	char arg[32];
	pid_t pid;

	ASSERT_NE(BSD_MAP_FAILED, p);
	snprintf(arg, sizeof(arg), "%p", p);
	pid = fork();
	if (!pid) {
		execl("/proc/self/exe", "libbsdvm_test", "--exec-child", arg,
		      NULL);
		_exit(99);
	}
	EXPECT_EQ(0, child_status(pid));
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--exec-child")) {
		void *old = (void *)strtoul(argv[2], NULL, 16);
		struct bsdvm_arena_info ai;

		/* not initialised yet; then a fresh arena of its own */
		if (bsdvm_in_arena(old, 1) || bsdvm_arena_info(&ai))
			return 1;
		return bsd_mmap(NULL, PG, RW, ANON, -1, 0) == BSD_MAP_FAILED;
	}
	return test_harness_run(argc, argv);
}
