// SPDX-License-Identifier: GPL-2.0
/*
 * File-backed objects on a real block device (issue 5): a loop device over
 * an image in /tmp, mapped itself, and ext4 made on it, whose files have
 * a page cache filled by block I/O.  Needs root and the loop driver (and
 * ext4 and mkfs.ext4 for the second fixture); skips without them.  Each
 * test ends with no object, page or loan left in the module.
 */
#include <linux/futex.h>
#include <linux/loop.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "kselftest_harness.h"
#include "bsdvm_test.h"

#define RW	(BSD_PROT_READ | BSD_PROT_WRITE)
#define IMG_PAGES	2048		/* 8 MiB */
#define MNT	"/tmp/bsdvm-ext4"

/* An image of IMG_PAGES pages in /tmp, page i filled with 'A' + i % 26. */
static int make_image(char *path)
{
	int fd;

	strcpy(path, "/tmp/bsdvm-disk-XXXXXX");
	fd = make_pattern_file(path, IMG_PAGES, 'A');
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Attach image path to a free loop device: its name in dev, an fd on it. */
static int loop_attach(const char *path, char *dev, size_t len)
{
	int ctl, n, lfd, ifd;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0 && system("modprobe loop 2>/dev/null") == 0)
		ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -1;
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (n < 0)
		return -1;
	snprintf(dev, len, "/dev/loop%d", n);
	lfd = open(dev, O_RDWR | O_CLOEXEC);
	ifd = open(path, O_RDWR | O_CLOEXEC);
	if (lfd < 0 || ifd < 0 || ioctl(lfd, LOOP_SET_FD, ifd)) {
		if (lfd >= 0)
			close(lfd);
		if (ifd >= 0)
			close(ifd);
		return -1;
	}
	close(ifd);
	return lfd;
}

static void expect_module_empty(struct __test_metadata *_metadata)
{
	struct bsdvm_stats st;
	int dev = open(BSDVM_DEVICE, O_RDWR);

	ASSERT_LE(0, dev);
	ASSERT_EQ(0, bsdvm_stats(dev, &st, 1));
	EXPECT_EQ(0, st.objects);
	EXPECT_EQ(0, st.pages);
	EXPECT_EQ(0, st.pages_lent);
	close(dev);
}

FIXTURE(bdev) {
	struct arena a;
	char img[64], dev[32];
	int lfd;
};

FIXTURE_SETUP(bdev)
{
	self->lfd = -1;
	ASSERT_EQ(0, arena_open(&self->a, 1UL << 30));
	ASSERT_EQ(0, make_image(self->img));
	self->lfd = loop_attach(self->img, self->dev, sizeof(self->dev));
	if (self->lfd < 0)
		SKIP(return, "no loop device (root and the loop driver needed)");
}

FIXTURE_TEARDOWN(bdev)
{
	arena_close(&self->a);
	if (self->lfd >= 0) {
		ioctl(self->lfd, LOOP_CLR_FD);
		close(self->lfd);
	}
	unlink(self->img);
	expect_module_empty(_metadata);
}

/*
 * The device itself: its page cache lent, a write back on the device at
 * msync, SIGBUS past its end, one object for two descriptors.
 */
TEST_F(bdev, map_the_device)
{
	struct bsdvm_stats st;
	struct fault_result r;
	char *p, *q, c;
	int fd2;

	if (self->lfd < 0)
		return;		/* skipped in the setup */
	p = map_file(self->a.fd, self->lfd, (IMG_PAGES + 4) * PG, RW,
		     BSD_MAP_SHARED);
	ASSERT_NE(NULL, p);
	EXPECT_EQ('D', p[3 * PG]);
	EXPECT_EQ('A' + 1000 % 26, p[1000 * PG + 7]);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &st, 1));
	EXPECT_LT(0, st.pages_lent);	/* read into its page cache, lent */
	p[3 * PG + 1] = 'x';
	ASSERT_EQ(0, bsdvm_msync(self->a.fd, p, 0, BSD_MS_SYNC));
	ASSERT_EQ(1, pread(self->lfd, &c, 1, 3 * PG + 1));
	EXPECT_EQ('x', c);
	/* past the device's end */
	r = touch(p + IMG_PAGES * PG, 0, 0);
	EXPECT_EQ(SIGBUS, r.sig);
	EXPECT_EQ(BUS_OBJERR, r.code);
	EXPECT_EQ(p + IMG_PAGES * PG, r.addr);
	/* another descriptor of the device: the same object */
	fd2 = open(self->dev, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	q = map_file(self->a.fd, fd2, IMG_PAGES * PG, BSD_PROT_READ,
		     BSD_MAP_SHARED);
	ASSERT_NE(NULL, q);
	EXPECT_EQ('x', q[3 * PG + 1]);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &st, 1));
	EXPECT_EQ(1, st.objects);
	/* and what a read-only descriptor allows */
	q = NULL;
	EXPECT_EQ(-EACCES, bsdvm_mapfd(self->a.fd, (void **)&q, PG, RW,
				       BSD_MAP_SHARED, fd2, 0));
	close(fd2);
	EXPECT_EQ(0, bsdvm_unmap(self->a.fd, p, (IMG_PAGES + 4) * PG));
}

FIXTURE(ext4) {
	struct arena a;
	char img[64], dev[32];
	int lfd;
	bool mounted;
};

FIXTURE_SETUP(ext4)
{
	char cmd[128];

	self->lfd = -1;
	self->mounted = false;
	ASSERT_EQ(0, arena_open(&self->a, 1UL << 30));
	ASSERT_EQ(0, make_image(self->img));
	snprintf(cmd, sizeof(cmd), "mkfs.ext4 -q -F %s >/dev/null 2>&1",
		 self->img);
	if (system(cmd))
		SKIP(return, "no mkfs.ext4");
	self->lfd = loop_attach(self->img, self->dev, sizeof(self->dev));
	if (self->lfd < 0)
		SKIP(return, "no loop device (root and the loop driver needed)");
	mkdir(MNT, 0700);
	if (mount(self->dev, MNT, "ext4", 0, NULL) &&
	    (system("modprobe ext4 2>/dev/null") ||
	     mount(self->dev, MNT, "ext4", 0, NULL)))
		SKIP(return, "no ext4");
	self->mounted = true;
}

FIXTURE_TEARDOWN(ext4)
{
	arena_close(&self->a);
	/* busy would mean a file reference left behind */
	if (self->mounted)
		EXPECT_EQ(0, umount(MNT));
	rmdir(MNT);
	if (self->lfd >= 0) {
		ioctl(self->lfd, LOOP_CLR_FD);
		close(self->lfd);
	}
	unlink(self->img);
	expect_module_empty(_metadata);
}

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd >= 0) {
		if (write(fd, "3", 1) != 1)
			perror("drop_caches");
		close(fd);
	}
}

/*
 * A file of ext4, read cold: the fault reads through ext4 (block I/O) and
 * then lends what that left in the page cache; a write reaches the disk
 * at msync; a truncate is SIGBUS past the new end.
 */
TEST_F(ext4, cold_reads_lend_and_writes_reach_the_disk)
{
	struct bsdvm_stats st0, st;
	struct fault_result r;
	char buf[PG], *p;
	int fd, i;

	if (!self->mounted)
		return;		/* skipped in the setup */
	fd = open(MNT "/f", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	for (i = 0; i < 64; i++) {
		memset(buf, 'a' + i % 26, PG);
		ASSERT_EQ(PG, write(fd, buf, PG));
	}
	ASSERT_EQ(0, fsync(fd));
	drop_caches();
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &st0, 1));
	p = map_file(self->a.fd, fd, 64 * PG, RW, BSD_MAP_SHARED);
	ASSERT_NE(NULL, p);
	for (i = 0; i < 64; i++)
		ASSERT_EQ('a' + i % 26, p[i * PG + 100]);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &st, 1));
	EXPECT_EQ(64, st.pages_lent);
	EXPECT_EQ(64, st.lends - st0.lends);
	p[5 * PG + 9] = 'W';
	ASSERT_EQ(0, bsdvm_msync(self->a.fd, p, 0, BSD_MS_SYNC));
	drop_caches();
	ASSERT_EQ(1, pread(fd, buf, 1, 5 * PG + 9));
	EXPECT_EQ('W', buf[0]);
	ASSERT_EQ(0, ftruncate(fd, 10 * PG));
	r = touch(p + 20 * PG, 0, 0);
	EXPECT_EQ(SIGBUS, r.sig);
	EXPECT_EQ(BUS_OBJERR, r.code);
	EXPECT_EQ('W', p[5 * PG + 9]);
	EXPECT_EQ('j', p[9 * PG]);
	EXPECT_EQ(0, bsdvm_unmap(self->a.fd, p, 64 * PG));
	close(fd);
}

/* MNT/name of npages pages, page i 'a' + i % 26, written and cold. */
static int make_cold_file(const char *name, int npages)
{
	char path[64], buf[PG];
	int fd, i;

	snprintf(path, sizeof(path), MNT "/%s", name);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	for (i = 0; i < npages; i++) {
		memset(buf, 'a' + i % 26, PG);
		if (write(fd, buf, PG) != PG || fsync(fd)) {
			close(fd);
			return -1;
		}
	}
	drop_caches();
	return fd;
}

/*
 * O_DIRECT on ext4 pins the user buffer with get_user_pages() and does the
 * block I/O into or out of it: an arena buffer must work both ways, with
 * the bytes intact (issue 15).
 */
TEST_F(ext4, o_direct_into_and_out_of_the_arena)
{
	char *buf = bsdvm_anon(self->a.fd, 4 * PG, BSD_MAP_PRIVATE);
	char path[] = MNT "/direct";
	int fd, i;

	if (!self->mounted)
		return;		/* skipped in the setup */
	ASSERT_NE(NULL, buf);
	for (i = 0; i < 4; i++)
		memset(buf + i * PG, 'a' + i, PG);
	fd = open(path, O_RDWR | O_CREAT | O_DIRECT, 0600);
	ASSERT_LE(0, fd);
	EXPECT_EQ((ssize_t)(4 * PG), pwrite(fd, buf, 4 * PG, 0));
	memset(buf, 0, 4 * PG);
	ASSERT_EQ(0, fsync(fd));
	drop_caches();
	EXPECT_EQ((ssize_t)(4 * PG), pread(fd, buf, 4 * PG, 0));
	for (i = 0; i < 4; i++)
		EXPECT_EQ('a' + i, buf[i * PG + PG - 1]);
	close(fd);
	unlink(path);
	EXPECT_EQ(0, bsdvm_unmap(self->a.fd, buf, 4 * PG));
}

/*
 * A cold file page read in where the fault cannot drop its locks: under
 * another file's i_rwsem (write(2) from an arena buffer faults it in),
 * under mmap_lock (->access from /proc/self/mem) and in futex's
 * fixup_user_fault (FUTEX_WAKE_OP's write to a page not present).  The
 * pager reads through the page cache, never ->read_iter, which takes
 * i_rwsem on XFS and NFS; vnode_read tells lockdep so, and the debug
 * kernel's lockdep found the cycle while every read went that way.
 */
TEST_F(ext4, pagein_under_mmap_lock_and_i_rwsem)
{
	int mem = open("/proc/self/mem", O_RDONLY), fd, out, word = 0, i;
	char buf[PG], *p;

	if (!self->mounted)
		return;		/* skipped in the setup */
	ASSERT_LE(0, mem);
	out = open(MNT "/out", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	ASSERT_LE(0, out);
	fd = make_cold_file("f", 8);
	ASSERT_LE(0, fd);
	p = map_file(self->a.fd, fd, 8 * PG, RW, BSD_MAP_PRIVATE);
	ASSERT_NE(NULL, p);
	/* page 2 faults in under out's i_rwsem */
	ASSERT_EQ(PG, write(out, p + 2 * PG, PG));
	ASSERT_EQ(PG, pread(out, buf, PG, 0));
	for (i = 0; i < PG; i++)
		ASSERT_EQ('c', buf[i]);
	/* page 3 through ->access, mmap_lock held */
	ASSERT_EQ(PG, pread(mem, buf, PG, (uintptr_t)(p + 3 * PG)));
	for (i = 0; i < PG; i++)
		ASSERT_EQ('d', buf[i]);
	/* page 4 by fixup_user_fault: a copy-on-write of the file's page */
	EXPECT_EQ(0, syscall(SYS_futex, &word,
			     FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, NULL,
			     p + 4 * PG,
			     FUTEX_OP(FUTEX_OP_SET, 5, FUTEX_OP_CMP_EQ, 0)));
	EXPECT_EQ(5, *(int *)(p + 4 * PG));
	EXPECT_EQ('e', p[4 * PG + sizeof(int)]);
	EXPECT_EQ('e', p[5 * PG - 1]);
	ASSERT_EQ(PG, pread(fd, buf, PG, 4 * PG));
	EXPECT_EQ('e', buf[0]);	/* private: the file keeps its data */
	EXPECT_EQ(0, bsdvm_unmap(self->a.fd, p, 8 * PG));
	close(fd);
	close(out);
	close(mem);
}

TEST_HARNESS_MAIN
