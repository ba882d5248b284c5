// SPDX-License-Identifier: GPL-2.0
/*
 * Arena memory is memory the rest of the kernel can use (issue 15): own
 * pages are mapped by normal PTEs (module/linux/pmap.c), so calls that pin
 * user pages through get_user_pages() work on them, shared futexes key on
 * the page, and the process's RSS counts them.  Each test reads back the
 * bytes, the wakeup or the counter that says so.
 */
#include <linux/futex.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "bsdvm_test.h"

FIXTURE(gup) {
	struct arena a;
	char *p;
};

FIXTURE_SETUP(gup)
{
	ASSERT_EQ(0, arena_open(&self->a, ARENA_SIZE));
	self->p = bsdvm_anon(self->a.fd, 4 * PG, BSD_MAP_SHARED);
	ASSERT_NE(NULL, self->p);
	memset(self->p, 'g', 4 * PG);
}

FIXTURE_TEARDOWN(gup)
{
	arena_close(&self->a);
}

static int futex(int *uaddr, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

/* The child's exit status, or -1 if it did not exit normally. */
static int child_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

TEST_F(gup, process_vm_readv_and_writev)
{
	char buf[16], in[6] = "hello";
	struct iovec local = { buf, sizeof(buf) };
	struct iovec remote = { self->p + PG - 8, sizeof(buf) };
	struct iovec src = { in, sizeof(in) };

	ASSERT_EQ((ssize_t)sizeof(buf),
		  process_vm_readv(getpid(), &local, 1, &remote, 1, 0));
	EXPECT_EQ(0, memcmp(buf, self->p, sizeof(buf)));
	remote.iov_len = sizeof(in);
	ASSERT_EQ((ssize_t)sizeof(in),
		  process_vm_writev(getpid(), &src, 1, &remote, 1, 0));
	EXPECT_EQ(0, memcmp(self->p + PG - 8, in, sizeof(in)));
}

TEST_F(gup, vmsplice_carries_the_bytes)
{
	struct iovec iov = { self->p, PG };
	char back[PG];
	int pfd[2];

	ASSERT_EQ(0, pipe(pfd));
	EXPECT_EQ((ssize_t)PG, vmsplice(pfd[1], &iov, 1, 0));
	EXPECT_EQ((ssize_t)PG, read(pfd[0], back, PG));
	EXPECT_EQ(0, memcmp(back, self->p, PG));
	close(pfd[0]);
	close(pfd[1]);
}

TEST_F(gup, proc_self_mem)
{
	char buf[4] = "mem";
	char back[4];
	int fd = open("/proc/self/mem", O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_EQ(4, pwrite(fd, buf, 4, (off_t)(uintptr_t)(self->p + 2 * PG)));
	EXPECT_EQ(0, memcmp(self->p + 2 * PG, "mem", 4));
	EXPECT_EQ(4, pread(fd, back, 4, (off_t)(uintptr_t)(self->p + 2 * PG)));
	EXPECT_EQ(0, memcmp(back, "mem", 4));
	close(fd);
}

/* Private and shared futexes both key: a timed wait times out. */
TEST_F(gup, futex_wait_times_out)
{
	int *f = (int *)self->p;
	struct timespec ts = { 0, 1000000 };

	*f = 1;
	EXPECT_EQ(-1, futex(f, FUTEX_WAIT_PRIVATE, 1, &ts));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(-1, futex(f, FUTEX_WAIT, 1, &ts));
	EXPECT_EQ(ETIMEDOUT, errno);
	/* the value differs: no sleep at all */
	EXPECT_EQ(-1, futex(f, FUTEX_WAIT, 2, &ts));
	EXPECT_EQ(EAGAIN, errno);
}

/*
 * A child sleeps on a shared futex in the shared region; the parent's
 * FUTEX_WAKE must find it (a key that differed per process would wake no
 * one, and the child would time out).
 */
TEST_F(gup, shared_futex_wakes_the_child)
{
	int *f = (int *)(self->p + PG), *ready = f + 1;
	int woken = 0, i;
	pid_t pid;

	*f = 0;
	*ready = 0;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct timespec ts = { 10, 0 };

		__atomic_store_n(ready, 1, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(f, __ATOMIC_SEQ_CST) == 0)
			if (futex(f, FUTEX_WAIT, 0, &ts) && errno == ETIMEDOUT)
				_exit(2);
		_exit(__atomic_load_n(f, __ATOMIC_SEQ_CST) == 7 ? 0 : 3);
	}
	while (!__atomic_load_n(ready, __ATOMIC_SEQ_CST))
		usleep(1000);
	/* wake until the sleeper is found: it may not be asleep yet */
	for (i = 0; i < 2000 && !woken; i++) {
		usleep(1000);
		if (i == 100)
			__atomic_store_n(f, 7, __ATOMIC_SEQ_CST);
		woken = futex(f, FUTEX_WAKE, 1, NULL);
	}
	__atomic_store_n(f, 7, __ATOMIC_SEQ_CST);
	futex(f, FUTEX_WAKE, 1, NULL);
	EXPECT_EQ(1, woken);
	EXPECT_EQ(0, child_status(pid));
}

struct pshared {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	long counter;
	int turn;
	sem_t ping, pong;
};

static void pshared_init(struct pshared *s)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&s->mu, &ma);
	pthread_condattr_init(&ca);
	pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	pthread_cond_init(&s->cv, &ca);
	s->counter = 0;
	s->turn = 0;
	sem_init(&s->ping, 1, 0);
	sem_init(&s->pong, 1, 0);
}

#define ROUNDS	2000

/* Both sides: a contended counter, a condvar turn-taking, a sem ping-pong. */
static int pshared_side(struct pshared *s, int me)
{
	int i;

	for (i = 0; i < ROUNDS * 10; i++) {
		pthread_mutex_lock(&s->mu);
		s->counter++;
		pthread_mutex_unlock(&s->mu);
	}
	for (i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&s->mu);
		while (s->turn != me)
			pthread_cond_wait(&s->cv, &s->mu);
		s->turn = !me;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
	}
	for (i = 0; i < ROUNDS; i++) {
		if (me) {
			if (sem_wait(&s->ping) || sem_post(&s->pong))
				return 1;
		} else {
			if (sem_post(&s->ping) || sem_wait(&s->pong))
				return 1;
		}
	}
	return 0;
}

static void pshared_run(struct __test_metadata *_metadata, char *region)
{
	struct pshared *s = (struct pshared *)region;
	pid_t pid;

	pshared_init(s);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		alarm(60);
		_exit(pshared_side(s, 1));
	}
	alarm(60);
	EXPECT_EQ(0, pshared_side(s, 0));
	EXPECT_EQ(0, child_status(pid));
	alarm(0);
	EXPECT_EQ(2L * ROUNDS * 10, s->counter);
}

/* A BSD MAP_SHARED anonymous region. */
TEST_F(gup, pshared_mutex_condvar_semaphore_in_map_shared)
{
	pshared_run(_metadata, self->p + 3 * PG);
}

/* A private region the child shares by minherit(INHERIT_SHARE). */
TEST_F(gup, pshared_mutex_condvar_semaphore_in_inherit_share)
{
	char *q = bsdvm_anon(self->a.fd, PG, BSD_MAP_PRIVATE);

	ASSERT_NE(NULL, q);
	ASSERT_EQ(0, bsdvm_inherit(self->a.fd, q, PG, BSD_INHERIT_SHARE));
	pshared_run(_metadata, q);
}

/*
 * Two processes that map one file each for themselves (the parent's
 * mapping is INHERIT_NONE, the child maps the file again): they share
 * only the vnode object's pages.  With by_write the locks are built in
 * a buffer and put in the file with pwrite(2), so both start on pages
 * lent from the page cache.
 */
static void pshared_file_run(struct __test_metadata *_metadata, int dev,
			     bool by_write)
{
	char path[] = "/tmp/bsdvm-gup-XXXXXX";
	struct pshared *s, img;
	int fd = make_pattern_file(path, 1, 0);
	char *p;
	pid_t pid;

	ASSERT_LE(0, fd);
	unlink(path);
	if (by_write) {
		memset(&img, 0, sizeof(img));
		pshared_init(&img);
		ASSERT_EQ((ssize_t)sizeof(img), pwrite(fd, &img, sizeof(img), 0));
	}
	p = map_file(dev, fd, PG, BSD_PROT_READ | BSD_PROT_WRITE,
		     BSD_MAP_SHARED);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, bsdvm_inherit(dev, p, PG, BSD_INHERIT_NONE));
	s = (struct pshared *)p;
	if (!by_write)
		pshared_init(s);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *q = map_file(dev, fd, PG, BSD_PROT_READ | BSD_PROT_WRITE,
				   BSD_MAP_SHARED);

		alarm(60);
		_exit(!q || pshared_side((struct pshared *)q, 1));
	}
	alarm(60);
	EXPECT_EQ(0, pshared_side(s, 0));
	EXPECT_EQ(0, child_status(pid));
	alarm(0);
	EXPECT_EQ(2L * ROUNDS * 10, s->counter);
	EXPECT_EQ(0, bsdvm_unmap(dev, p, PG));
	close(fd);
}

TEST_F(gup, pshared_in_a_file_each_process_maps)
{
	pshared_file_run(_metadata, self->a.fd, false);
}

TEST_F(gup, pshared_in_a_file_written_then_mapped)
{
	pshared_file_run(_metadata, self->a.fd, true);
}

/*
 * A waiter's futex key must survive the page being replaced in its
 * object: while the child sleeps in sem_timedwait, msync cleans the page
 * and a write(2) by someone else makes the vnode object drop its clean
 * pages, and the parent's sem_post then faults in a new page.  A key
 * that named the old page would lose the wakeup (the child times out).
 */
TEST_F(gup, futex_key_survives_page_replacement)
{
	char path[] = "/tmp/bsdvm-gup-XXXXXX";
	int fd = make_pattern_file(path, 2, 0), go[2], i;
	struct timespec ts;
	sem_t *sem;
	char *p, c = 0;
	pid_t pid;

	ASSERT_LE(0, fd);
	unlink(path);
	ASSERT_EQ(0, pipe(go));
	p = map_file(self->a.fd, fd, 2 * PG, BSD_PROT_READ | BSD_PROT_WRITE,
		     BSD_MAP_SHARED);
	ASSERT_NE(NULL, p);
	sem = (sem_t *)p;
	ASSERT_EQ(0, sem_init(sem, 1, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 20;
		if (write(go[1], "w", 1) != 1)
			_exit(2);
		_exit(sem_timedwait(sem, &ts) ? 1 : 0);
	}
	ASSERT_EQ(1, read(go[0], &c, 1));
	/* glibc's sem_t: the count, then the waiters, in one 64-bit word */
	for (i = 0; i < 2000 && !(__atomic_load_n((uint64_t *)p,
						 __ATOMIC_ACQUIRE) >> 32); i++)
		usleep(10000);
	ASSERT_NE(0, *(uint64_t *)p >> 32);
	usleep(200000);		/* the child is asleep in FUTEX_WAIT */
	/* its waiter count dirtied the page: clean it, so it can go */
	ASSERT_EQ(0, bsdvm_msync(self->a.fd, p, 2 * PG, BSD_MS_SYNC));
	ASSERT_EQ(1, pwrite(fd, "x", 1, PG + 7));	/* drops clean pages */
	EXPECT_EQ(0, sem_post(sem));
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(0, bsdvm_unmap(self->a.fd, p, 2 * PG));
	close(fd);
	close(go[0]);
	close(go[1]);
}

/*
 * A pin for write breaks copy-on-write first: after fork, the parent's
 * process_vm_writev into its own private page must not reach the child.
 */
TEST_F(gup, write_pin_breaks_cow)
{
	char *q = bsdvm_anon(self->a.fd, PG, BSD_MAP_PRIVATE);
	char in[4] = "new";
	struct iovec src = { in, 4 }, dst;
	int go[2];
	pid_t pid;
	char c;

	ASSERT_NE(NULL, q);
	strcpy(q, "old");
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(strcmp(q, "old") ? 1 : 0);
	}
	dst.iov_base = q;
	dst.iov_len = 4;
	EXPECT_EQ(4, process_vm_writev(getpid(), &src, 1, &dst, 1, 0));
	EXPECT_STREQ("new", q);
	EXPECT_EQ(1, write(go[1], "x", 1));
	EXPECT_EQ(0, child_status(pid));
	close(go[0]);
	close(go[1]);
}

#define NPIPES	5
#define PER_PIPE	220	/* 1100 references: >= GUP_PIN_COUNTING_BIAS */

/*
 * A pinned page across fork.  The kernel's test for "pinned" is
 * folio_maybe_dma_pinned(): a pin adds GUP_PIN_COUNTING_BIAS (1024) to
 * the page's count, so 1024 ordinary references look the same.  Those are
 * what 1100 vmsplice()d copies of one page in pipes hold, which makes a
 * pin that stays put (io_uring refuses to register arena buffers: they
 * are file pages).  After fork the parent's write must reach the page the
 * pipes hold, which the device would see, and the child's must not: the
 * child got a copy (vm_fork.c: vm_fork_copy_pinned).  With shadowed, an
 * earlier child still holds the page's first version, so the pinned page
 * lives in a shadow object with a backing object.
 */
static void pinned_fork_run(struct __test_metadata *_metadata, int fd,
			    bool shadowed)
{
	char *q = bsdvm_anon(fd, PG, BSD_MAP_PRIVATE);
	struct iovec iov, remote;
	int pfd[NPIPES][2], go[2], hold[2], i, j;
	pid_t pid, holder = -1;
	char back[PG];
	char c;

	ASSERT_NE(NULL, q);
	ASSERT_EQ(0, pipe(hold));
	if (shadowed) {
		q[0] = 'o';
		holder = fork();
		ASSERT_LE(0, holder);
		if (!holder) {
			close(hold[1]);
			_exit(read(hold[0], &c, 1) != 1 || q[0] != 'o');
		}
	}
	memset(q, 'p', PG);
	/*
	 * Fork looks for pins only in an mm that has had one (Linux's
	 * MMF_HAS_PINNED): process_vm_readv pins (FOLL_PIN) for its copy.
	 */
	iov.iov_base = back;
	iov.iov_len = 16;
	remote.iov_base = q;
	remote.iov_len = 16;
	ASSERT_EQ(16, process_vm_readv(getpid(), &iov, 1, &remote, 1, 0));
	for (i = 0; i < NPIPES; i++) {
		ASSERT_EQ(0, pipe(pfd[i]));
		if (fcntl(pfd[i][1], F_SETPIPE_SZ, 256 * PG) < 0)
			SKIP(return, "F_SETPIPE_SZ: %s", strerror(errno));
		for (j = 0; j < PER_PIPE; j++) {
			iov.iov_base = q;
			iov.iov_len = PG;
			ASSERT_EQ((ssize_t)PG, vmsplice(pfd[i][1], &iov, 1, 0));
		}
	}
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (read(go[0], &c, 1) != 1 || q[0] != 'p')
			_exit(1);
		q[0] = 'c';
		_exit(0);
	}
	q[0] = 'w';
	ASSERT_EQ((ssize_t)PG, read(pfd[0][0], back, PG));
	EXPECT_EQ('w', back[0]);
	EXPECT_EQ('p', back[1]);
	EXPECT_EQ(1, write(go[1], "x", 1));
	EXPECT_EQ(0, child_status(pid));
	ASSERT_EQ((ssize_t)PG, read(pfd[1][0], back, PG));
	EXPECT_EQ('w', back[0]);
	EXPECT_EQ('w', q[0]);
	if (shadowed) {
		EXPECT_EQ(1, write(hold[1], "x", 1));
		EXPECT_EQ(0, child_status(holder));
	}
	for (i = 0; i < NPIPES; i++) {
		close(pfd[i][0]);
		close(pfd[i][1]);
	}
	close(go[0]);
	close(go[1]);
	close(hold[0]);
	close(hold[1]);
}

TEST_F(gup, fork_leaves_a_pinned_page_to_the_parent)
{
	pinned_fork_run(_metadata, self->a.fd, false);
}

/* The copy shadows the pinned page's backing object (lockdep: depth 1). */
TEST_F(gup, fork_leaves_a_pinned_shadow_page_to_the_parent)
{
	pinned_fork_run(_metadata, self->a.fd, true);
}

/*
 * The kernel's cow selftest (tools/testing/selftests/mm/cow.c) cases
 * "vmsplice() before fork(), unmap in parent after fork()" and
 * "vmsplice() + unmap in child": a pipe holds the page from when parent
 * and child shared it, the vmsplicing side unmaps, and the other side's
 * write must not show in the pipe (CVE-2020-29374's class).  BSD's
 * shortcuts for an object one side alone references (no shadow, a
 * renamed page, a collapse) must copy such a page.
 */
static void vmsplice_unmap_run(struct __test_metadata *_metadata, int fd,
			       bool in_child)
{
	char *q = bsdvm_anon(fd, 4 * PG, BSD_MAP_PRIVATE);
	char back[4 * PG];
	struct iovec iov;
	int pfd[2], go[2], ready[2], i;
	pid_t pid;
	char c;

	ASSERT_NE(NULL, q);
	memset(q, 'o', 4 * PG);
	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	iov.iov_base = q;
	iov.iov_len = 4 * PG;
	if (!in_child)
		ASSERT_EQ((ssize_t)(4 * PG), vmsplice(pfd[1], &iov, 1, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (in_child) {
			if (vmsplice(pfd[1], &iov, 1, 0) != (ssize_t)(4 * PG) ||
			    bsdvm_unmap(fd, q, 4 * PG))
				_exit(1);
			_exit(write(ready[1], "r", 1) != 1);
		}
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		memset(q, 'c', 4 * PG);
		_exit(0);
	}
	if (in_child) {
		ASSERT_EQ(1, read(ready[0], &c, 1));
		EXPECT_EQ(0, child_status(pid));
		memset(q, 'p', 4 * PG);
	} else {
		ASSERT_EQ(0, bsdvm_unmap(fd, q, 4 * PG));
		EXPECT_EQ(1, write(go[1], "x", 1));
		EXPECT_EQ(0, child_status(pid));
	}
	ASSERT_EQ((ssize_t)(4 * PG), read(pfd[0], back, 4 * PG));
	for (i = 0; i < 4; i++)
		EXPECT_EQ('o', back[i * PG + 5]);
	if (in_child)
		EXPECT_EQ('p', q[0]);
	close(pfd[0]);
	close(pfd[1]);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
}

TEST_F(gup, vmsplice_before_fork_unmap_in_parent)
{
	vmsplice_unmap_run(_metadata, self->a.fd, false);
}

TEST_F(gup, vmsplice_and_unmap_in_child)
{
	vmsplice_unmap_run(_metadata, self->a.fd, true);
}

/* A field of /proc/self/status in KiB, or -1. */
static long status_kb(const char *field)
{
	char line[256];
	size_t n = strlen(field);
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

/* Rss of the smaps entry that starts at base, in KiB, or -1. */
static long smaps_rss_kb(void *base)
{
	char line[256], want[32];
	long v = -1;
	bool in = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "%lx-", (unsigned long)base);
	while (fgets(line, sizeof(line), f)) {
		if (strchr(line, '-') && strchr(line, '-') < strchr(line, ' '))
			in = !strncmp(line, want, strlen(want));
		else if (in && !strncmp(line, "Rss:", 4))
			v = strtol(line + 4, NULL, 10);
	}
	fclose(f);
	return v;
}

#define RSS_PAGES	2048	/* 8 MiB */
#define SLACK_KB	1024	/* the test's own stack, stdio, page tables */

/*
 * Touched pages are resident memory: RssFile (and VmRSS) grow by what the
 * space holds, and shrink again at munmap; a read of untouched memory maps
 * bsdvm's zero page, which is counted too.
 */
TEST_F(gup, rss_counts_arena_pages)
{
	long file0, file1, file2, rss0, rss1, smaps0, smaps1;
	struct bsdvm_stats st0, st1;
	char *q = bsdvm_anon(self->a.fd, RSS_PAGES * PG, BSD_MAP_PRIVATE);
	size_t i;

	ASSERT_NE(NULL, q);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &st0, 0));
	file0 = status_kb("RssFile");
	rss0 = status_kb("VmRSS");
	smaps0 = smaps_rss_kb(self->a.base);
	ASSERT_LE(0, file0);
	ASSERT_LE(0, smaps0);
	for (i = 0; i < RSS_PAGES; i++)
		q[i * PG] = 1;
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &st1, 0));
	EXPECT_EQ(RSS_PAGES, st1.pages - st0.pages);
	file1 = status_kb("RssFile");
	rss1 = status_kb("VmRSS");
	smaps1 = smaps_rss_kb(self->a.base);
	TH_LOG("RssFile %ld -> %ld kB, VmRSS %ld -> %ld kB, arena Rss %ld -> %ld kB",
	       file0, file1, rss0, rss1, smaps0, smaps1);
	EXPECT_EQ(RSS_PAGES * 4, smaps1 - smaps0);
	EXPECT_LE(RSS_PAGES * 4 - SLACK_KB, file1 - file0);
	EXPECT_GE(RSS_PAGES * 4 + SLACK_KB, file1 - file0);
	EXPECT_LE(RSS_PAGES * 4 - SLACK_KB, rss1 - rss0);
	ASSERT_EQ(0, bsdvm_unmap(self->a.fd, q, RSS_PAGES * PG));
	file2 = status_kb("RssFile");
	EXPECT_GE(file0 + SLACK_KB, file2);
}

/*
 * BSD's MADV_DONTNEED keeps the pages (and the data): RSS and the module's
 * page count stay, once read again.  MADV_FREE on memory only this space
 * maps frees them: both drop by the same amount.
 */
TEST_F(gup, rss_after_dontneed_and_free)
{
	char *q = bsdvm_anon(self->a.fd, RSS_PAGES * PG, BSD_MAP_PRIVATE);
	struct bsdvm_stats st0, st1, st2;
	long smaps0, smaps1, smaps2;
	size_t i;

	ASSERT_NE(NULL, q);
	smaps0 = smaps_rss_kb(self->a.base);
	for (i = 0; i < RSS_PAGES; i++)
		q[i * PG] = 1;
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &st0, 0));
	ASSERT_EQ(0, bsdvm_advise(self->a.fd, q, RSS_PAGES * PG,
				  BSD_MADV_DONTNEED));
	for (i = 0; i < RSS_PAGES; i++)
		ASSERT_EQ(1, q[i * PG]);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &st1, 0));
	smaps1 = smaps_rss_kb(self->a.base);
	EXPECT_EQ(st0.pages, st1.pages);
	EXPECT_EQ(RSS_PAGES * 4, smaps1 - smaps0);
	ASSERT_EQ(0, bsdvm_advise(self->a.fd, q, RSS_PAGES * PG,
				  BSD_MADV_FREE));
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &st2, 0));
	smaps2 = smaps_rss_kb(self->a.base);
	TH_LOG("pages %lld -> %lld -> %lld, arena Rss %ld -> %ld -> %ld kB",
	       (long long)st0.pages, (long long)st1.pages,
	       (long long)st2.pages, smaps0, smaps1, smaps2);
	EXPECT_EQ(RSS_PAGES, st1.pages - st2.pages);
	EXPECT_EQ(RSS_PAGES * 4, smaps1 - smaps2);
}

/* A child's RSS counts the parent's pages it maps, once each. */
TEST_F(gup, rss_after_fork_and_cow)
{
	char *q = bsdvm_anon(self->a.fd, RSS_PAGES * PG, BSD_MAP_PRIVATE);
	pid_t pid;
	size_t i;

	ASSERT_NE(NULL, q);
	for (i = 0; i < RSS_PAGES; i++)
		q[i * PG] = 1;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		long a, b, c;

		a = status_kb("RssFile");
		for (i = 0; i < RSS_PAGES; i++)	/* read: the shared pages */
			(void)*(volatile char *)(q + i * PG);
		b = status_kb("RssFile");
		for (i = 0; i < RSS_PAGES; i++)	/* write: copies replace them */
			q[i * PG] = 2;
		c = status_kb("RssFile");
		_exit(b - a >= RSS_PAGES * 4 - SLACK_KB &&
		      b - a <= RSS_PAGES * 4 + SLACK_KB &&
		      c - b <= SLACK_KB && c - b >= -SLACK_KB ? 0 : 1);
	}
	EXPECT_EQ(0, child_status(pid));
	for (i = 0; i < RSS_PAGES; i++)
		ASSERT_EQ(1, q[i * PG]);
}

TEST_HARNESS_MAIN
