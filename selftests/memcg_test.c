// SPDX-License-Identifier: GPL-2.0
/*
 * Arena pages are charged to the memory cgroup (__GFP_ACCOUNT): a process
 * that touches more than its cgroup allows is stopped by the cgroup's OOM
 * killer, not the machine, and every page comes back.  They are in RSS,
 * so that killer picks the process that holds them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "bsdvm_test.h"

#define CG	"/sys/fs/cgroup"
#define CGT	CG "/bsdvm-memcg-test"

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	int ok;

	if (fd < 0)
		return -errno;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -EIO;
}

static long read_key(const char *path, const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) &&
		    line[strlen(key)] == ' ')
			v = atol(line + strlen(key) + 1);
	fclose(f);
	return v;
}

/*
 * A fresh cgroup dir under the v2 root (mounted if need be) with
 * memory.max max and no swap: 0, -ENOENT without a memory controller,
 * or another -errno.
 */
static int cgroup_make(const char *dir, const char *max)
{
	char path[128];

	if (access(CG "/cgroup.controllers", F_OK))
		mount("none", CG, "cgroup2", 0, NULL);
	if (access(CG "/cgroup.controllers", F_OK) ||
	    write_file(CG "/cgroup.subtree_control", "+memory"))
		return -ENOENT;
	rmdir(dir);
	if (mkdir(dir, 0755))
		return -errno;
	snprintf(path, sizeof(path), "%s/memory.swap.max", dir);
	write_file(path, "0");
	snprintf(path, sizeof(path), "%s/memory.max", dir);
	return write_file(path, max);
}

/*
 * In a child: join the cgroup of procs and touch 256 MiB of arena memory.
 * Exits 53 if that fitted (not limited), 50-52 if it could not start.
 */
static void __attribute__((noreturn)) bsdvm_hog(const char *procs)
{
	size_t i, len = 256UL << 20;
	struct arena a;
	char pid[32], *p;

	snprintf(pid, sizeof(pid), "%d", getpid());
	if (write_file(procs, pid))
		_exit(50);
	if (arena_open(&a, ARENA_SIZE))
		_exit(51);
	p = bsdvm_anon(a.fd, len, 0);
	if (!p)
		_exit(52);
	for (i = 0; i < len; i += PG)
		p[i] = 1;
	_exit(53);
}

TEST(memcg_limit_stops_the_process)
{
	struct bsdvm_stats before, after;
	int r, status, ctl = open(BSDVM_DEVICE, O_RDWR);
	pid_t child;

	ASSERT_LE(0, ctl);
	r = cgroup_make(CGT, "16M");
	if (r == -ENOENT)
		SKIP(return, "no cgroup v2 memory controller here");
	ASSERT_EQ(0, r);
	ASSERT_EQ(0, bsdvm_stats(ctl, &before, 1));

	child = fork();
	if (child == 0)
		bsdvm_hog(CGT "/cgroup.procs");
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	if (WIFSIGNALED(status)) {
		EXPECT_EQ(SIGKILL, WTERMSIG(status));
	} else {
		TH_LOG("child exited %d", WEXITSTATUS(status));
	}
	EXPECT_GE(read_key(CGT "/memory.events", "oom_kill"), 1);
	ASSERT_EQ(0, bsdvm_stats(ctl, &after, 1));
	EXPECT_EQ(before.spaces, after.spaces);
	EXPECT_EQ(before.pages, after.pages);
	EXPECT_EQ(before.objects, after.objects);
	EXPECT_EQ(0, rmdir(CGT));
	close(ctl);
}

#define CGO	CG "/bsdvm-memcg-oom"
#define BYSTANDER_MB	24

/*
 * The OOM killer must pick the process that holds the memory.  In a 64 MiB
 * cgroup a bystander holds 24 MiB of plain memory and a bsdvm process
 * touches arena memory until the limit: OOM badness is RSS, so only the
 * bsdvm process may die.  (With arena pages outside RSS, the bystander was
 * killed first: issue 15.)
 */
TEST(memcg_oom_kills_the_bsdvm_hog_not_the_bystander)
{
	int r, status, ready[2];
	pid_t hog, by;
	char c;

	r = cgroup_make(CGO, "64M");
	if (r == -ENOENT)
		SKIP(return, "no cgroup v2 memory controller here");
	ASSERT_EQ(0, r);
	ASSERT_EQ(0, pipe(ready));
	by = fork();
	ASSERT_LE(0, by);
	if (by == 0) {
		size_t len = (size_t)BYSTANDER_MB << 20;
		char pid[32], *q;

		snprintf(pid, sizeof(pid), "%d", getpid());
		if (write_file(CGO "/cgroup.procs", pid))
			_exit(50);
		q = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q == MAP_FAILED)
			_exit(51);
		memset(q, 1, len);
		if (write(ready[1], "r", 1) != 1)
			_exit(52);
		for (;;)
			pause();
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	hog = fork();
	ASSERT_LE(0, hog);
	if (hog == 0)
		bsdvm_hog(CGO "/cgroup.procs");
	ASSERT_EQ(hog, waitpid(hog, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* the bystander is still there, asleep */
	EXPECT_EQ(0, waitpid(by, &status, WNOHANG));
	kill(by, SIGKILL);
	ASSERT_EQ(by, waitpid(by, &status, 0));
	EXPECT_EQ(1, read_key(CGO "/memory.events", "oom_kill"));
	close(ready[0]);
	close(ready[1]);
	EXPECT_EQ(0, rmdir(CGO));
}

TEST_HARNESS_MAIN
