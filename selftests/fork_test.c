// SPDX-License-Identifier: GPL-2.0
/*
 * fork: copy-on-write in each direction, for private and shared entries
 * and each inheritance value; FreeBSD's shared_shadow_inval scenario;
 * deep fork chains returning to baseline counters; threads during fork;
 * vfork.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "bsdvm_test.h"

FIXTURE(fork) {
	struct arena a;
};

FIXTURE_SETUP(fork)
{
	ASSERT_EQ(0, arena_open(&self->a, ARENA_SIZE));
}

FIXTURE_TEARDOWN(fork)
{
	arena_close(&self->a);
}

/* Run fn in a child; return its exit status (or 128 + signal). */
static int in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) :
		128 + WTERMSIG(status);
}

struct region {
	char *p;
	size_t len;
	int fd;
};

static int child_sees_then_writes(void *arg)
{
	struct region *r = arg;

	if (r->p[0] != 'P' || r->p[r->len - 1] != 'Q')
		return 1;
	r->p[0] = 'C';
	r->p[r->len - 1] = 'D';
	return r->p[0] == 'C' ? 0 : 2;
}

TEST_F(fork, private_cow_child_writes)
{
	struct region r = { bsdvm_anon(self->a.fd, 8 * PG, 0), 8 * PG };

	ASSERT_NE(NULL, r.p);
	r.p[0] = 'P';
	r.p[r.len - 1] = 'Q';
	ASSERT_EQ(0, in_child(child_sees_then_writes, &r));
	EXPECT_EQ('P', r.p[0]);
	EXPECT_EQ('Q', r.p[r.len - 1]);
}

static int child_checks_parent_write(void *arg)
{
	struct region *r = arg;
	char buf;
	int pipefd = r->fd;

	/* wait until the parent has written, then look */
	if (read(pipefd, &buf, 1) != 1)
		return 3;
	return r->p[0] == 'P' ? 0 : 1;
}

TEST_F(fork, private_cow_parent_writes)
{
	struct region r = { bsdvm_anon(self->a.fd, 2 * PG, 0), 2 * PG };
	int pfd[2], status;
	pid_t pid;

	ASSERT_NE(NULL, r.p);
	r.p[0] = 'P';
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	if (pid == 0) {
		close(pfd[1]);
		r.fd = pfd[0];
		_exit(child_checks_parent_write(&r));
	}
	close(pfd[0]);
	r.p[0] = 'X';		/* the parent's write must not reach the child */
	ASSERT_EQ(1, write(pfd[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ('X', r.p[0]);
	close(pfd[1]);
}

static int child_sees_all_a(void *arg)
{
	struct region *r = arg;
	size_t i;
	char buf;

	if (read(r->fd, &buf, 1) != 1)
		return 3;
	for (i = 0; i < r->len; i += PG)
		if (r->p[i] != 'A')
			return 1;
	return 0;
}

/*
 * fork write-protects the parent's PTEs in place (dup_mmap flushes the
 * TLB): the parent's written pages stay mapped, read-only and still
 * modified, its next write copies, and once the child is gone a write
 * makes the same page writable again without a copy.
 */
TEST_F(fork, parent_keeps_its_ptes_read_only)
{
	const size_t n = 4;
	struct region r = { bsdvm_anon(self->a.fd, n * PG, 0), n * PG };
	struct bsdvm_stats s0, s1;
	unsigned char vec[4];
	int pfd[2], status;
	pid_t pid;
	size_t i;

	ASSERT_NE(NULL, r.p);
	memset(r.p, 'A', r.len);
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	if (pid == 0) {
		close(pfd[1]);
		r.fd = pfd[0];
		_exit(child_sees_all_a(&r));
	}
	ASSERT_LT(0, pid);
	close(pfd[0]);
	ASSERT_EQ(0, bsdvm_mincore(self->a.fd, r.p, r.len, vec));
	for (i = 0; i < n; i++)
		EXPECT_EQ(BSD_MINCORE_INCORE | BSD_MINCORE_MODIFIED,
			  vec[i] & (BSD_MINCORE_INCORE | BSD_MINCORE_MODIFIED));
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &s0, 0));
	r.p[0] = 'B';		/* a copy: the child must keep 'A' */
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &s1, 0));
	EXPECT_EQ(s0.cow_copies + 1, s1.cow_copies);
	ASSERT_EQ(1, write(pfd[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(pfd[1]);

	/* alone again: the rest are the parent's own, written in place */
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &s0, 0));
	for (i = 1; i < n; i++)
		r.p[i * PG] = 'C';
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &s1, 0));
	EXPECT_EQ(s0.cow_copies, s1.cow_copies);
	EXPECT_EQ(s0.zero_fills, s1.zero_fills);
	EXPECT_EQ('B', r.p[0]);
	for (i = 1; i < n; i++) {
		EXPECT_EQ('C', r.p[i * PG]);
		EXPECT_EQ('A', r.p[i * PG + 1]);
	}
	ASSERT_EQ(0, bsdvm_mincore(self->a.fd, r.p, r.len, vec));
	for (i = 0; i < n; i++)
		EXPECT_EQ(BSD_MINCORE_INCORE | BSD_MINCORE_MODIFIED,
			  vec[i] & (BSD_MINCORE_INCORE | BSD_MINCORE_MODIFIED));
}

static int child_writes_shared(void *arg)
{
	struct region *r = arg;

	if (r->p[0] != 'S')
		return 1;
	r->p[0] = 's';
	return 0;
}

TEST_F(fork, shared_anon_is_shared)
{
	struct region r = { bsdvm_anon(self->a.fd, PG, BSD_MAP_SHARED), PG };

	ASSERT_NE(NULL, r.p);
	r.p[0] = 'S';
	ASSERT_EQ(0, in_child(child_writes_shared, &r));
	EXPECT_EQ('s', r.p[0]);
}

TEST_F(fork, inherit_share_on_private)
{
	struct region r = { bsdvm_anon(self->a.fd, PG, 0), PG };

	ASSERT_NE(NULL, r.p);
	r.p[0] = 'S';
	ASSERT_EQ(0, bsdvm_inherit(self->a.fd, r.p, PG, BSD_INHERIT_SHARE));
	ASSERT_EQ(0, in_child(child_writes_shared, &r));
	EXPECT_EQ('s', r.p[0]);
}

TEST_F(fork, inherit_copy_on_shared)
{
	struct region r = { bsdvm_anon(self->a.fd, PG, BSD_MAP_SHARED), PG };

	ASSERT_NE(NULL, r.p);
	r.p[0] = 'S';
	ASSERT_EQ(0, bsdvm_inherit(self->a.fd, r.p, PG, BSD_INHERIT_COPY));
	ASSERT_EQ(0, in_child(child_writes_shared, &r));
	EXPECT_EQ('S', r.p[0]);
}

static int child_faults(void *arg)
{
	struct region *r = arg;
	struct fault_result f = touch(r->p, 0, 0);

	return f.sig == SIGSEGV && f.code == SEGV_MAPERR ? 0 : 1;
}

TEST_F(fork, inherit_none)
{
	struct region r = { bsdvm_anon(self->a.fd, PG, 0), PG };

	ASSERT_NE(NULL, r.p);
	r.p[0] = 'N';
	ASSERT_EQ(0, bsdvm_inherit(self->a.fd, r.p, PG, BSD_INHERIT_NONE));
	ASSERT_EQ(0, in_child(child_faults, &r));
	EXPECT_EQ('N', r.p[0]);
}

static int child_sees_zero(void *arg)
{
	struct region *r = arg;

	if (r->p[0] != 0)
		return 1;
	r->p[0] = 'z';
	return 0;
}

TEST_F(fork, inherit_zero)
{
	struct region r = { bsdvm_anon(self->a.fd, PG, BSD_MAP_SHARED), PG };

	ASSERT_NE(NULL, r.p);
	r.p[0] = 'Z';
	ASSERT_EQ(0, bsdvm_inherit(self->a.fd, r.p, PG, BSD_INHERIT_ZERO));
	ASSERT_EQ(0, in_child(child_sees_zero, &r));
	EXPECT_EQ('Z', r.p[0]);
	EXPECT_EQ(-EINVAL, bsdvm_inherit(self->a.fd, r.p, PG, 7));
}

/*
 * FreeBSD's shared_shadow_inval_test: P1 maps SHARED|ANON with
 * INHERIT_COPY and forks P2; P2 sets INHERIT_SHARE and forks P3; P3's
 * writes are seen by P2, not by P1.  Then P1's exit path is mimicked by
 * P2 outliving a collapse: P2 re-reads after P3 has exited.
 */
static int p3_writes(void *arg)
{
	struct region *r = arg;

	r->p[0] = '3';
	r->p[r->len - 1] = '3';
	return 0;
}

static int p2_body(void *arg)
{
	struct region *r = arg;

	if (bsdvm_inherit(r->fd, r->p, r->len, BSD_INHERIT_SHARE))
		return 10;
	if (in_child(p3_writes, r))
		return 11;
	if (r->p[0] != '3' || r->p[r->len - 1] != '3')
		return 12;
	return 0;
}

TEST_F(fork, shared_shadow_inval)
{
	struct region r = { bsdvm_anon(self->a.fd, 16 * PG, BSD_MAP_SHARED),
			    16 * PG, self->a.fd };

	ASSERT_NE(NULL, r.p);
	memset(r.p, '1', r.len);
	ASSERT_EQ(0, bsdvm_inherit(self->a.fd, r.p, r.len, BSD_INHERIT_COPY));
	ASSERT_EQ(0, in_child(p2_body, &r));
	EXPECT_EQ('1', r.p[0]);
	EXPECT_EQ('1', r.p[r.len - 1]);
}

/* fork -> child writes -> child exits, many times: chains stay short. */
static int child_writes_all(void *arg)
{
	struct region *r = arg;
	size_t i;

	for (i = 0; i < r->len; i += PG)
		r->p[i]++;
	return 0;
}

TEST_F(fork, generations_return_to_baseline)
{
	struct region r = { bsdvm_anon(self->a.fd, 8 * PG, 0), 8 * PG };
	struct bsdvm_stats base, now;
	int i;

	ASSERT_NE(NULL, r.p);
	memset(r.p, 1, r.len);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &base, 0));
	for (i = 0; i < 200; i++) {
		ASSERT_EQ(0, in_child(child_writes_all, &r));
		r.p[(i % 8) * PG]++;	/* the parent writes too */
	}
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &now, 0));
	EXPECT_LE(now.objects, base.objects + 1);
	EXPECT_LE(now.pages, base.pages + 8);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &now, 1));
	EXPECT_EQ(1, now.spaces);
	EXPECT_LE(now.max_chain_depth, 64);
}

static void *spin_writer(void *arg)
{
	volatile char *p = arg;
	int i;

	for (i = 0; i < 20000; i++)
		p[(i % 4) * PG] = 'T';
	return NULL;
}

static int child_sees_snapshot(void *arg)
{
	struct region *r = arg;
	int i;

	for (i = 0; i < 4; i++)
		if (r->p[i * PG] != 'T' && r->p[i * PG] != 0)
			return 1;
	/* our writes stay ours */
	r->p[0] = 'c';
	return r->p[0] == 'c' ? 0 : 2;
}

TEST_F(fork, threads_write_during_fork)
{
	struct region r = { bsdvm_anon(self->a.fd, 4 * PG, 0), 4 * PG };
	pthread_t t;
	int i;

	ASSERT_NE(NULL, r.p);
	ASSERT_EQ(0, pthread_create(&t, NULL, spin_writer, r.p));
	for (i = 0; i < 20; i++)
		ASSERT_EQ(0, in_child(child_sees_snapshot, &r));
	pthread_join(t, NULL);
	EXPECT_EQ('T', r.p[0]);
}

TEST_F(fork, vfork_shares_the_space)
{
	char *p = bsdvm_anon(self->a.fd, PG, 0);
	pid_t pid;
	int status;

	ASSERT_NE(NULL, p);
	p[0] = 'v';
	pid = vfork();
	if (pid == 0) {
		p[0] = 'V';	/* same mm: the parent sees it */
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ('V', p[0]);
}

TEST_F(fork, exec_and_exit_release_spaces)
{
	struct bsdvm_stats before, after;
	char *p = bsdvm_anon(self->a.fd, 4 * PG, 0);
	pid_t pid;
	int status;

	ASSERT_NE(NULL, p);
	memset(p, 1, 4 * PG);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &before, 1));
	pid = fork();
	if (pid == 0) {
		p[0] = 2;	/* a COW copy the exec must free */
		execl("/bin/true", "true", (char *)NULL);
		_exit(60);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &after, 1));
	EXPECT_EQ(before.spaces, after.spaces);
	EXPECT_EQ(before.pages, after.pages);
	EXPECT_EQ(before.objects, after.objects);
	EXPECT_EQ(1, p[0]);
}

/* A fork tree 6 levels deep (64 processes), each writing, bounded. */
static void bomb(char *p, int depth)
{
	pid_t kids[2];
	int i, status;

	for (i = 0; i < 2 && depth > 0; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			bomb(p, depth - 1);
			_exit(0);
		}
	}
	p[(depth % 4) * PG] = (char)depth;
	for (i = 0; i < 2 && depth > 0; i++)
		if (kids[i] > 0)
			waitpid(kids[i], &status, 0);
}

TEST_F(fork, bounded_fork_bomb_leaves_nothing)
{
	struct bsdvm_stats before, after;
	char *p = bsdvm_anon(self->a.fd, 4 * PG, 0);

	ASSERT_NE(NULL, p);
	memset(p, 9, 4 * PG);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &before, 1));
	bomb(p, 6);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &after, 1));
	EXPECT_EQ(before.spaces, after.spaces);
	EXPECT_LE(after.objects, before.objects + 1);
	EXPECT_LE(after.pages, before.pages + 4);
	EXPECT_GE(after.forks, before.forks + 126);
}

TEST_F(fork, rmmod_refused_while_a_space_exists)
{
	int r = system("rmmod bsdvm 2>/dev/null");

	/* rmmod ran (127: not found) and failed: the module is in use. */
	ASSERT_TRUE(WIFEXITED(r));
	EXPECT_NE(127, WEXITSTATUS(r));
	EXPECT_NE(0, WEXITSTATUS(r));
	EXPECT_EQ(0, access(BSDVM_DEVICE, F_OK));
}

TEST_HARNESS_MAIN
