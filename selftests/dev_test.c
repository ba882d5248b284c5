// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/bsdvm basics: the node, open permissions, the version ioctl and how
 * every ioctl rejects bad arguments.  Runs where bsdvm.ko is loaded (as
 * root or, under tools/vmtest --user, as nobody with allow_users=1).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/bsdvm.h>

#include "kselftest_harness.h"

static int allow_users(void)
{
	char c = 'N';
	int fd = open("/sys/module/bsdvm/parameters/allow_users", O_RDONLY);

	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = 'N';
		close(fd);
	}
	return c == 'Y';
}

TEST(device_node)
{
	struct stat st;

	ASSERT_EQ(0, stat(BSDVM_DEVICE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);
	EXPECT_EQ(10, major(st.st_rdev));	/* a misc device */
	EXPECT_EQ(0, st.st_uid);
}

TEST(open_permission)
{
	int fd = open(BSDVM_DEVICE, O_RDWR);

	if (geteuid() == 0 || allow_users()) {
		ASSERT_LE(0, fd);
		close(fd);
	} else {
		EXPECT_EQ(-1, fd);
		EXPECT_EQ(EPERM, errno);
	}
}

/* As root: an unprivileged child is refused unless allow_users is set. */
TEST(unprivileged_open)
{
	pid_t pid;
	int status;

	if (geteuid() != 0)
		SKIP(return, "needs root to drop privileges");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		if (setgid(65534) || setuid(65534))
			_exit(2);
		fd = open(BSDVM_DEVICE, O_RDWR);
		if (allow_users())
			_exit(fd >= 0 ? 0 : 3);
		_exit(fd < 0 && errno == EPERM ? 0 : 4);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

FIXTURE(dev) {
	int fd;
	char *guard;	/* two pages: rw, then PROT_NONE */
	long page;
};

FIXTURE_SETUP(dev)
{
	self->fd = open(BSDVM_DEVICE, O_RDWR | O_CLOEXEC);
	if (self->fd < 0 && errno == EPERM)
		SKIP(return, "no permission to open " BSDVM_DEVICE);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", BSDVM_DEVICE,
				       strerror(errno));
	self->page = sysconf(_SC_PAGESIZE);
	self->guard = mmap(NULL, 2 * self->page, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->guard);
	ASSERT_EQ(0, mprotect(self->guard + self->page, self->page,
			      PROT_NONE));
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->guard && self->guard != MAP_FAILED)
		munmap(self->guard, 2 * self->page);
}

TEST_F(dev, version)
{
	struct bsdvm_version v;

	memset(&v, 0xa5, sizeof(v));
	v.size = sizeof(v);
	v.flags = 0;
	ASSERT_EQ(0, ioctl(self->fd, BSDVM_IOC_VERSION, &v));
	EXPECT_EQ(sizeof(v), v.size);
	EXPECT_EQ(BSDVM_ABI_VERSION, v.abi_version);
	EXPECT_EQ(BSDVM_STRUCT_COUNT, v.nr_sizes);
	EXPECT_EQ(sizeof(struct bsdvm_version), v.sizes[BSDVM_STRUCT_VERSION]);
	/* every argument struct is reported, so callers can check them */
	EXPECT_EQ(sizeof(struct bsdvm_msync_args), v.sizes[BSDVM_STRUCT_MSYNC]);
	EXPECT_EQ(sizeof(struct bsdvm_map_args), v.sizes[BSDVM_STRUCT_MAP]);
	EXPECT_EQ(sizeof(struct bsdvm_range_args), v.sizes[BSDVM_STRUCT_RANGE]);
	EXPECT_EQ(sizeof(struct bsdvm_mincore_args),
		  v.sizes[BSDVM_STRUCT_MINCORE]);
	EXPECT_EQ(sizeof(struct bsdvm_brk_args), v.sizes[BSDVM_STRUCT_BRK]);
	EXPECT_EQ(sizeof(struct bsdvm_stats), v.sizes[BSDVM_STRUCT_STATS]);
	EXPECT_NE(0, v.release[0]);
	EXPECT_NE(NULL, memchr(v.release, 0, sizeof(v.release)));
	/* sizes past nr_sizes are zero, not leaked stack */
	for (unsigned int i = v.nr_sizes; i < BSDVM_SIZES_MAX; i++)
		EXPECT_EQ(0, v.sizes[i]);
	TH_LOG("bsdvm %s, ABI %u", v.release, v.abi_version);
}

/* A caller with a newer, bigger struct: zero tail accepted. */
TEST_F(dev, version_bigger_caller)
{
	struct {
		struct bsdvm_version v;
		char more[64];
	} big;

	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big);
	ASSERT_EQ(0, ioctl(self->fd, BSDVM_IOC_VERSION, &big));
	EXPECT_EQ(sizeof(struct bsdvm_version), big.v.size);
	EXPECT_EQ(BSDVM_ABI_VERSION, big.v.abi_version);

	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big);
	big.more[10] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, BSDVM_IOC_VERSION, &big));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, bad_size)
{
	struct bsdvm_version v;
	const __u32 sizes[] = { 0, 1, 4, BSDVM_VERSION_SIZE_V1 - 1,
				BSDVM_STRUCT_SIZE_MAX + 1, 0xffffffff };

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(&v, 0, sizeof(v));
		v.size = sizes[i];
		EXPECT_EQ(-1, ioctl(self->fd, BSDVM_IOC_VERSION, &v));
		EXPECT_EQ(EINVAL, errno) TH_LOG("size %u", sizes[i]);
	}
}

TEST_F(dev, bad_flags)
{
	struct bsdvm_version v;

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, BSDVM_IOC_VERSION, &v));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, bad_pointer)
{
	struct bsdvm_version *v;

	EXPECT_EQ(-1, ioctl(self->fd, BSDVM_IOC_VERSION, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, BSDVM_IOC_VERSION, (void *)1));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, BSDVM_IOC_VERSION,
			    self->guard + self->page));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, BSDVM_IOC_VERSION, (void *)-4096L));
	EXPECT_EQ(EFAULT, errno);

	/* size readable, the rest of the struct runs into PROT_NONE */
	v = (void *)(self->guard + self->page - 8);
	v->size = sizeof(*v);
	v->flags = 0;
	EXPECT_EQ(-1, ioctl(self->fd, BSDVM_IOC_VERSION, v));
	EXPECT_EQ(EFAULT, errno);

	/* a bigger caller whose tail is unreadable */
	v = (void *)(self->guard + self->page - sizeof(*v));
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v) + 64;
	EXPECT_EQ(-1, ioctl(self->fd, BSDVM_IOC_VERSION, v));
	EXPECT_EQ(EFAULT, errno);

	/* read-only memory: the kernel cannot write the answer back */
	v = (void *)self->guard;
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	ASSERT_EQ(0, mprotect(self->guard, self->page, PROT_READ));
	EXPECT_EQ(-1, ioctl(self->fd, BSDVM_IOC_VERSION, v));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, mprotect(self->guard, self->page,
			      PROT_READ | PROT_WRITE));
}

TEST_F(dev, unknown_ioctl)
{
	struct bsdvm_version v;
	const unsigned long cmds[] = {
		0,
		_IO(BSDVM_IOC_MAGIC, BSDVM_IOC_BASE + 0x3f),
		_IOWR(BSDVM_IOC_MAGIC, 0x00, struct bsdvm_version),
		_IOWR('b', BSDVM_IOC_BASE, struct bsdvm_version),
		/* right magic and nr, wrong direction */
		_IOW(BSDVM_IOC_MAGIC, BSDVM_IOC_BASE, struct bsdvm_version),
		_IO(BSDVM_IOC_MAGIC, BSDVM_IOC_BASE),
		0x5401,	/* TCGETS */
		0xffffffff,
	};

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	for (unsigned int i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], &v));
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
}

/* The size bits of the number do not matter (structs grow by size). */
TEST_F(dev, ioctl_size_bits_ignored)
{
	struct bsdvm_version v;

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	EXPECT_EQ(0, ioctl(self->fd, _IOC(_IOC_READ | _IOC_WRITE,
		BSDVM_IOC_MAGIC, BSDVM_IOC_BASE, 8), &v));
	EXPECT_EQ(BSDVM_ABI_VERSION, v.abi_version);
}

/* The descriptor works in a child, and after the parent closes its copy. */
TEST_F(dev, fd_inherited)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct bsdvm_version v = { .size = sizeof(v) };

		_exit(ioctl(self->fd, BSDVM_IOC_VERSION, &v) == 0 &&
		      v.abi_version == BSDVM_ABI_VERSION ? 0 : 1);
	}
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* A process that never opened the device: fork, mmap, COW all normal. */
TEST(unaffected_process)
{
	const size_t len = 64 * 4096;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char line[512];
	FILE *maps;
	int status;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_NE(MAP_FAILED, s);
	memset(p, 'p', len);
	s[0] = 0;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* child sees the parent's bytes, its writes stay private */
		int ok = p[len - 1] == 'p';

		memset(p, 'c', len);
		s[0] = 's';
		_exit(ok ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ('p', p[0]);
	EXPECT_EQ('p', p[len - 1]);
	EXPECT_EQ('s', s[0]);
	ASSERT_EQ(0, munmap(p, len));
	ASSERT_EQ(0, munmap(s, 4096));

	maps = fopen("/proc/self/maps", "r");
	ASSERT_NE(NULL, maps);
	while (fgets(line, sizeof(line), maps))
		EXPECT_EQ(NULL, strstr(line, "bsdvm")) TH_LOG("%s", line);
	fclose(maps);
}

TEST(counters)
{
	char buf[512];
	ssize_t n;
	int fd = open("/sys/kernel/debug/bsdvm/counters", O_RDONLY);

	if (fd < 0)
		SKIP(return, "no debugfs counters (not root?)");
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_LT(0, n);
	buf[n] = 0;
	EXPECT_NE(NULL, strstr(buf, "opens "));
	EXPECT_NE(NULL, strstr(buf, "open_files "));
	EXPECT_NE(NULL, strstr(buf, "ioctls "));
}

TEST_HARNESS_MAIN
