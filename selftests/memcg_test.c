// SPDX-License-Identifier: GPL-2.0
/*
 * Arena pages are charged to the memory cgroup (__GFP_ACCOUNT): a process
 * that touches more than its cgroup allows is stopped by the cgroup's OOM
 * killer, not the machine, and every page comes back.
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

TEST(memcg_limit_stops_the_process)
{
	struct bsdvm_stats before, after;
	int status, ctl = open(BSDVM_DEVICE, O_RDWR);
	char pid[32];
	pid_t child;

	ASSERT_LE(0, ctl);
	if (access(CG "/cgroup.controllers", F_OK))
		mount("none", CG, "cgroup2", 0, NULL);
	if (access(CG "/cgroup.controllers", F_OK) ||
	    write_file(CG "/cgroup.subtree_control", "+memory"))
		SKIP(return, "no cgroup v2 memory controller here");
	rmdir(CGT);
	ASSERT_EQ(0, mkdir(CGT, 0755));
	ASSERT_EQ(0, write_file(CGT "/memory.max", "16M"));
	write_file(CGT "/memory.swap.max", "0");
	ASSERT_EQ(0, bsdvm_stats(ctl, &before, 1));

	child = fork();
	if (child == 0) {
		struct arena a;
		char *p;
		size_t i, len = 256UL << 20;

		snprintf(pid, sizeof(pid), "%d", getpid());
		if (write_file(CGT "/cgroup.procs", pid))
			_exit(50);
		if (arena_open(&a, ARENA_SIZE))
			_exit(51);
		p = bsdvm_anon(a.fd, len, 0);
		if (!p)
			_exit(52);
		for (i = 0; i < len; i += PG)
			p[i] = 1;
		_exit(53);	/* 256 MiB fitted in 16: not limited */
	}
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

TEST_HARNESS_MAIN
