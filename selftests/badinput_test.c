// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input for every ioctl: each returns its errno and changes nothing.
 * Also: a process without an arena, and one that received another
 * process's /dev/bsdvm descriptor, reach no space but their own.
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "bsdvm_test.h"

#define KPTR	((void *)0xffffffff81000000UL)

FIXTURE(bad) {
	struct arena a;
	char *p;
	struct bsdvm_stats before;
};

FIXTURE_SETUP(bad)
{
	ASSERT_EQ(0, arena_open(&self->a, ARENA_SIZE));
	self->p = bsdvm_anon(self->a.fd, 4 * PG, 0);
	ASSERT_NE(NULL, self->p);
	self->p[0] = 'k';
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &self->before, 0));
}

FIXTURE_TEARDOWN(bad)
{
	struct bsdvm_stats after;

	/* Nothing a failed call did may show: same entries, same pages. */
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &after, 0));
	EXPECT_EQ(self->before.entries, after.entries);
	EXPECT_EQ(self->before.objects, after.objects);
	EXPECT_EQ(self->before.pages, after.pages);
	EXPECT_EQ('k', self->p[0]);
	arena_close(&self->a);
}

static int map_raw(int fd, uint64_t addr, uint64_t len, int prot, int flags,
		   int mfd, uint64_t off)
{
	struct bsdvm_map_args m = {
		.size = sizeof(m), .flags = flags, .prot = prot, .fd = mfd,
		.addr = addr, .len = len, .offset = off,
	};

	return bsd_ioctl(fd, BSDVM_IOC_MAP, &m);
}

TEST_F(bad, map)
{
	int fd = self->a.fd, rw = BSD_PROT_READ | BSD_PROT_WRITE;
	uint64_t in = (uintptr_t)self->a.base;

	EXPECT_EQ(-EINVAL, map_raw(fd, 0, 0, rw, BSD_MAP_ANON, -1, 0));
	EXPECT_EQ(-EINVAL, map_raw(fd, 0, PG, rw, BSD_MAP_ANON | 0x100, -1, 0));
	EXPECT_EQ(-EINVAL, map_raw(fd, 0, PG, rw,
				   BSD_MAP_ANON | BSD_MAP_SHARED |
				   BSD_MAP_PRIVATE, -1, 0));
	EXPECT_EQ(-EINVAL, map_raw(fd, 0, PG, rw, BSD_MAP_ANON, -1, PG));
	EXPECT_EQ(-EINVAL, map_raw(fd, 0, PG, 0x80, BSD_MAP_ANON, -1, 0));
	EXPECT_EQ(-EINVAL, map_raw(fd, 0, PG, rw, BSD_MAP_ANON, 5, 0));
	EXPECT_EQ(-EINVAL, map_raw(fd, in + 1, PG, rw,
				   BSD_MAP_ANON | BSD_MAP_FIXED, -1, 0));
	EXPECT_EQ(-EINVAL, map_raw(fd, 0x1000, PG, rw,
				   BSD_MAP_ANON | BSD_MAP_FIXED, -1, 0));
	EXPECT_EQ(-EINVAL, map_raw(fd, in, ~0ULL - PG, rw,
				   BSD_MAP_ANON | BSD_MAP_FIXED, -1, 0));
	EXPECT_EQ(-ENOMEM, map_raw(fd, 0, ~0ULL & ~(PG - 1), rw,
				   BSD_MAP_ANON, -1, 0));
	EXPECT_EQ(-ENOMEM, map_raw(fd, 0, 2 * ARENA_SIZE, rw,
				   BSD_MAP_ANON, -1, 0));
	EXPECT_EQ(-EINVAL, map_raw(fd, 0, PG, rw,
				   BSD_MAP_ANON | BSD_MAP_ALIGNED(2), -1, 0));
	/* A file map of a bad descriptor. */
	EXPECT_NE(0, map_raw(fd, 0, PG, BSD_PROT_READ, BSD_MAP_SHARED, 999, 0));
}

TEST_F(bad, ranges)
{
	int fd = self->a.fd;
	char *end = self->a.base + self->a.size;
	unsigned long cmds[] = { BSDVM_IOC_UNMAP, BSDVM_IOC_PROTECT,
				 BSDVM_IOC_INHERIT, BSDVM_IOC_ADVISE };
	unsigned int i;

	for (i = 0; i < 4; i++) {
		/* overflowing ranges */
		EXPECT_EQ(-EINVAL, bsdvm_range(fd, cmds[i], self->p, ~0UL, 0));
	}
	/*
	 * Outside the arena: munmap and madvise refuse it (EINVAL), as
	 * FreeBSD's do outside user space; mprotect and minherit clip the
	 * range to the map (VM_MAP_RANGE_CHECK) and change nothing there.
	 */
	for (i = 0; i < 4; i++) {
		int want = (cmds[i] == BSDVM_IOC_PROTECT ||
			    cmds[i] == BSDVM_IOC_INHERIT) ? 0 : -EINVAL;

		EXPECT_EQ(want, bsdvm_range(fd, cmds[i], end, PG, 0));
		EXPECT_EQ(want, bsdvm_range(fd, cmds[i], KPTR, PG, 0));
		EXPECT_EQ(want, bsdvm_range(fd, cmds[i], NULL, PG, 0));
	}
	EXPECT_EQ(-EINVAL, bsdvm_unmap(fd, self->p, 0));
	EXPECT_EQ(-EINVAL, bsdvm_range(fd, BSDVM_IOC_UNMAP, self->p, PG, 1));
	EXPECT_EQ(-EINVAL, bsdvm_protect(fd, self->p, PG, 0x80));
	EXPECT_EQ(-EINVAL, bsdvm_inherit(fd, self->p, PG, 4));
	EXPECT_EQ(-EINVAL, bsdvm_inherit(fd, self->p, PG, -1));
	EXPECT_EQ(-EINVAL, bsdvm_advise(fd, self->p, PG, 11));
	EXPECT_EQ(-EINVAL, bsdvm_advise(fd, self->p, PG, -1));
}

TEST_F(bad, above_max_protection)
{
	int fd = self->a.fd;
	char *q = bsdvm_anon(fd, PG, 0);

	ASSERT_NE(NULL, q);
	q[0] = 'm';
	ASSERT_EQ(0, bsdvm_protect(fd, q, PG,
				   BSD_PROT_READ | BSD_PROT_MAX(BSD_PROT_READ)));
	EXPECT_EQ(-EACCES, bsdvm_protect(fd, q, PG,
					 BSD_PROT_READ | BSD_PROT_WRITE));
	EXPECT_EQ('m', q[0]);
	ASSERT_EQ(0, bsdvm_unmap(fd, q, PG));
}

TEST_F(bad, mincore)
{
	int fd = self->a.fd;
	unsigned char vec[4];
	struct bsdvm_mincore_args m = { .size = sizeof(m),
		.addr = (uintptr_t)self->p, .len = PG, .vec = (uintptr_t)vec };
	char *hole = bsdvm_anon(fd, PG, 0);

	EXPECT_EQ(-EFAULT, bsdvm_mincore(fd, self->p, PG, NULL));
	EXPECT_EQ(-EFAULT, bsdvm_mincore(fd, self->p, PG, KPTR));

	ASSERT_NE(NULL, hole);
	ASSERT_EQ(0, bsdvm_unmap(fd, hole, PG));
	EXPECT_EQ(-ENOMEM, bsdvm_mincore(fd, hole, PG, vec));
	EXPECT_EQ(-ENOMEM, bsdvm_mincore(fd, self->p, ~0UL, vec));
	m.flags = 1;
	EXPECT_EQ(-EINVAL, bsd_ioctl(fd, BSDVM_IOC_MINCORE, &m));
}

TEST_F(bad, struct_sizes_and_pointers)
{
	int fd = self->a.fd;
	struct {
		struct bsdvm_map_args m;
		char extra[16];
	} big = { { .size = sizeof(big), .flags = BSD_MAP_ANON,
		    .prot = BSD_PROT_READ, .fd = -1, .len = PG } };
	struct bsdvm_range_args r = { .size = 4 };
	struct bsdvm_stats st = { .size = sizeof(st), .flags = 2 };
	struct bsdvm_brk_args b = { .size = sizeof(b), .flags = 1 };

	EXPECT_EQ(-EINVAL, bsd_ioctl(fd, BSDVM_IOC_UNMAP, &r));
	r.size = 5000;
	EXPECT_EQ(-EINVAL, bsd_ioctl(fd, BSDVM_IOC_UNMAP, &r));
	EXPECT_EQ(-EFAULT, bsd_ioctl(fd, BSDVM_IOC_MAP, NULL));
	EXPECT_EQ(-EFAULT, bsd_ioctl(fd, BSDVM_IOC_PROTECT, KPTR));
	EXPECT_EQ(-EFAULT, bsd_ioctl(fd, BSDVM_IOC_STATS, (void *)1));
	EXPECT_EQ(-EINVAL, bsd_ioctl(fd, BSDVM_IOC_STATS, &st));
	EXPECT_EQ(-EINVAL, bsd_ioctl(fd, BSDVM_IOC_BRK, &b));
	/* A newer caller's struct: unknown tail bytes must be zero. */
	big.extra[3] = 1;
	EXPECT_EQ(-EINVAL, bsd_ioctl(fd, BSDVM_IOC_MAP, &big));
	big.extra[3] = 0;
	ASSERT_EQ(0, bsd_ioctl(fd, BSDVM_IOC_MAP, &big));
	ASSERT_EQ(0, bsdvm_unmap(fd, (void *)(uintptr_t)big.m.addr, PG));
	EXPECT_EQ(-ENOTTY, bsd_ioctl(fd, _IO('B', 0x7f), NULL));
}

/* A second arena in the same process is refused. */
TEST_F(bad, second_arena)
{
	void *q = mmap(NULL, PG, PROT_READ, MAP_SHARED, self->a.fd, 0);

	EXPECT_EQ(MAP_FAILED, q);
	EXPECT_EQ(EBUSY, errno);
	q = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, self->a.fd, 0);
	EXPECT_EQ(MAP_FAILED, q);
	/* The arena cannot be split, moved or mprotect(2)ed. */
	EXPECT_NE(0, munmap(self->a.base, PG));
	EXPECT_NE(0, mprotect(self->a.base, self->a.size, PROT_READ));
	EXPECT_EQ(MAP_FAILED, mremap(self->a.base, self->a.size,
				     self->a.size * 2, MREMAP_MAYMOVE));
}

static int send_fd(int sock, int fd)
{
	char c = 0;
	struct iovec iov = { &c, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u = { 0 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c1 = CMSG_FIRSTHDR(&msg);

	c1->cmsg_level = SOL_SOCKET;
	c1->cmsg_type = SCM_RIGHTS;
	c1->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c1), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char c;
	struct iovec iov = { &c, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
	return fd;
}

/*
 * Another process, without an arena of its own (a child that unmapped the
 * one it inherited), receives our descriptor by SCM_RIGHTS: every call on
 * it reaches only its own (absent) space, never ours.
 */
TEST_F(bad, foreign_descriptor)
{
	int sv[2], status;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	if (pid == 0) {
		struct bsdvm_stats st;
		int fd;
		void *q = NULL;

		/* Drop the arena this child inherited: it has no space. */
		if (munmap(self->a.base, self->a.size))
			_exit(20);
		fd = recv_fd(sv[1]);
		if (fd < 0)
			_exit(21);
		if (bsdvm_stats(fd, &st, 0) != -ENXIO)
			_exit(22);
		if (bsdvm_unmap(fd, self->p, PG) != -ENXIO)
			_exit(23);
		if (bsdvm_map(fd, &q, PG, BSD_PROT_READ, BSD_MAP_ANON) !=
		    -ENXIO)
			_exit(24);
		if (bsdvm_protect(fd, self->p, PG, BSD_PROT_NONE) != -ENXIO)
			_exit(25);
		_exit(0);
	}
	ASSERT_EQ(0, send_fd(sv[0], self->a.fd));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ('k', self->p[0]);
	close(sv[0]);
	close(sv[1]);
}

TEST(no_arena_enxio)
{
	int fd = open(BSDVM_DEVICE, O_RDWR);
	struct bsdvm_stats st;
	void *q = NULL;

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENXIO, bsdvm_stats(fd, &st, 0));
	EXPECT_EQ(0, bsdvm_stats(fd, &st, 1));
	EXPECT_EQ(-ENXIO, bsdvm_map(fd, &q, PG, BSD_PROT_READ, BSD_MAP_ANON));
	close(fd);
}

TEST_HARNESS_MAIN
