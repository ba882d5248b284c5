// SPDX-License-Identifier: GPL-2.0
/*
 * File-backed objects (issue 5): one object per file shared by every
 * mapper, private copy-on-write, fork and inheritance, msync and its
 * errors, EOF and truncation signals, write(2) coherence, permissions,
 * /dev/zero, close after mmap, a large sparse file, concurrent writers,
 * code executed from a file mapping, and each mapping's I/O through its
 * own file.  Each test ends with no object
 * and no page left in the module (checked in the teardown).
 */
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "bsdvm_test.h"

#define RW	(BSD_PROT_READ | BSD_PROT_WRITE)

/* A file of npages pages in /tmp, page i filled with 'a' + i. */
static int make_file(char *path, int npages)
{
	strcpy(path, "/tmp/bsdvm-vnode-XXXXXX");
	return make_pattern_file(path, npages, 'a');
}

FIXTURE(vnode) {
	struct arena a;
	char path[64];
	int fd;
};

FIXTURE_SETUP(vnode)
{
	ASSERT_EQ(0, arena_open(&self->a, 4UL << 30));
	self->fd = make_file(self->path, 8);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(vnode)
{
	struct bsdvm_stats st;
	int dev;

	arena_close(&self->a);
	close(self->fd);
	unlink(self->path);
	/* nothing left in the module: objects, pages, file references */
	dev = open(BSDVM_DEVICE, O_RDWR);
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, bsdvm_stats(dev, &st, 1));
	EXPECT_EQ(0, st.objects);
	EXPECT_EQ(0, st.pages);
	EXPECT_EQ(0, st.pages_lent);
	EXPECT_EQ(0, st.spaces);
	close(dev);
}

/* A field of /proc/meminfo ("MemFree"), in KiB; -1 if missing. */
static long meminfo_kb(const char *field)
{
	char line[128], name[64];
	long kb = -1, v;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63[^:]: %ld kB", name, &v) == 2 &&
		    !strcmp(name, field)) {
			kb = v;
			break;
		}
	fclose(f);
	return kb;
}

TEST_F(vnode, shared_one_object_for_two_processes)
{
	struct bsdvm_stats st;
	int p2c[2], c2p[2], status;
	char *p, c = 0;
	pid_t pid;

	ASSERT_EQ(0, pipe(p2c));
	ASSERT_EQ(0, pipe(c2p));
	p = map_file(self->a.fd, self->fd, 8 * PG, RW, BSD_MAP_SHARED);
	ASSERT_NE(NULL, p);
	EXPECT_EQ('c', p[2 * PG]);
	ASSERT_EQ(0, bsdvm_inherit(self->a.fd, p, 8 * PG, BSD_INHERIT_NONE));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* the child maps the file itself: the same object */
		char *q = map_file(self->a.fd, self->fd, 8 * PG, RW,
				   BSD_MAP_SHARED);

		if (!q || q[2 * PG] != 'c')
			_exit(1);
		q[2 * PG + 1] = 'X';
		if (write(c2p[1], "w", 1) != 1 || read(p2c[0], &c, 1) != 1)
			_exit(2);
		_exit(q[3 * PG] == 'Y' ? 0 : 3);
	}
	ASSERT_EQ(1, read(c2p[0], &c, 1));
	EXPECT_EQ('X', p[2 * PG + 1]);	/* at once, no msync */
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &st, 1));
	EXPECT_EQ(1, st.objects);	/* one object for both */
	p[3 * PG] = 'Y';
	ASSERT_EQ(1, write(p2c[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(vnode, msync_then_read_sees_shared_writes)
{
	char *p = map_file(self->a.fd, self->fd, 8 * PG, RW, BSD_MAP_SHARED);
	char buf[8];

	ASSERT_NE(NULL, p);
	memcpy(p + PG + 10, "written", 7);
	ASSERT_EQ(0, bsdvm_msync(self->a.fd, p, 8 * PG, BSD_MS_SYNC));
	ASSERT_EQ(7, pread(self->fd, buf, 7, PG + 10));
	EXPECT_EQ(0, memcmp(buf, "written", 7));
	/* ASYNC starts it; len 0 is the whole mapping */
	memcpy(p + 5 * PG, "async", 5);
	ASSERT_EQ(0, bsdvm_msync(self->a.fd, p + 3 * PG, 0, BSD_MS_ASYNC));
	ASSERT_EQ(5, pread(self->fd, buf, 5, 5 * PG));
	EXPECT_EQ(0, memcmp(buf, "async", 5));
	/* the last munmap writes back */
	memcpy(p + 6 * PG, "unmap", 5);
	ASSERT_EQ(0, bsdvm_unmap(self->a.fd, p, 8 * PG));
	ASSERT_EQ(5, pread(self->fd, buf, 5, 6 * PG));
	EXPECT_EQ(0, memcmp(buf, "unmap", 5));
}

TEST_F(vnode, msync_flags_and_errors)
{
	char *p = map_file(self->a.fd, self->fd, 4 * PG, RW, BSD_MAP_SHARED);
	char buf[4];

	ASSERT_NE(NULL, p);
	EXPECT_EQ(-EINVAL, bsdvm_msync(self->a.fd, p, PG,
				       BSD_MS_ASYNC | BSD_MS_INVALIDATE));
	EXPECT_EQ(-EINVAL, bsdvm_msync(self->a.fd, p, PG, 0x40));
	EXPECT_EQ(-ENOMEM, bsdvm_msync(self->a.fd, p + 4 * PG, PG, 0));
	EXPECT_EQ(-ENOMEM, bsdvm_msync(self->a.fd, p + 3 * PG, 2 * PG, 0));
	EXPECT_EQ(-ENOMEM, bsdvm_msync(self->a.fd, p + 4 * PG, 0, 0));
	EXPECT_EQ(0, bsdvm_msync(self->a.fd, p, 4 * PG, BSD_MS_SYNC));
	/* INVALIDATE writes the dirty pages, drops the clean ones */
	EXPECT_EQ('a', p[0]);
	p[PG] = 'Q';
	ASSERT_EQ(1, pwrite(self->fd, "Z", 1, 2 * PG));
	EXPECT_EQ(0, bsdvm_msync(self->a.fd, p, 4 * PG, BSD_MS_INVALIDATE));
	ASSERT_EQ(1, pread(self->fd, buf, 1, PG));
	EXPECT_EQ('Q', buf[0]);
	EXPECT_EQ('Z', p[2 * PG]);
}

TEST_F(vnode, private_isolation_and_pre_cow_visibility)
{
	char *s = map_file(self->a.fd, self->fd, 4 * PG, RW, BSD_MAP_SHARED);
	char *p = map_file(self->a.fd, self->fd, 4 * PG, RW, BSD_MAP_PRIVATE);
	char buf[1];

	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, p);
	EXPECT_EQ('b', p[PG]);
	/* before its first write a private page follows the file */
	s[PG] = 'S';
	EXPECT_EQ('S', p[PG]);
	ASSERT_EQ(1, pwrite(self->fd, "W", 1, 2 * PG));
	EXPECT_EQ('W', p[2 * PG]);
	/* after it, never again; and its writes never reach the file */
	p[PG + 1] = 'P';
	s[PG] = 'T';
	EXPECT_EQ('S', p[PG]);
	EXPECT_EQ('b', s[PG + 1]);
	ASSERT_EQ(0, bsdvm_msync(self->a.fd, p, 4 * PG, BSD_MS_SYNC));
	ASSERT_EQ(1, pread(self->fd, buf, 1, PG + 1));
	EXPECT_EQ('b', buf[0]);
}

/* fork: shared stays shared, private copies, NONE and ZERO per minherit */
TEST_F(vnode, fork_with_file_mappings_and_inheritance)
{
	char *s = map_file(self->a.fd, self->fd, 2 * PG, RW, BSD_MAP_SHARED);
	char *p = map_file(self->a.fd, self->fd, 2 * PG, RW, BSD_MAP_PRIVATE);
	char *n = map_file(self->a.fd, self->fd, PG, RW, BSD_MAP_SHARED);
	char *z = map_file(self->a.fd, self->fd, PG, RW, BSD_MAP_PRIVATE);
	char *c = map_file(self->a.fd, self->fd, PG, RW, BSD_MAP_SHARED);
	int status;
	pid_t pid;

	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, n);
	ASSERT_NE(NULL, z);
	ASSERT_NE(NULL, c);
	p[0] = 'p';
	ASSERT_EQ(0, bsdvm_inherit(self->a.fd, n, PG, BSD_INHERIT_NONE));
	ASSERT_EQ(0, bsdvm_inherit(self->a.fd, z, PG, BSD_INHERIT_ZERO));
	ASSERT_EQ(0, bsdvm_inherit(self->a.fd, c, PG, BSD_INHERIT_COPY));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct fault_result r;

		if (p[0] != 'p' || s[0] != 'a')
			_exit(1);
		s[1] = 'C';		/* shared: the parent sees it */
		p[1] = 'C';		/* private: it does not */
		c[2] = 'C';		/* copied: nor here */
		if (z[0] != 0)
			_exit(2);
		r = touch(n, 0, 0);
		if (r.sig != SIGSEGV || r.code != SEGV_MAPERR)
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ('C', s[1]);
	EXPECT_EQ('a', p[1]);
	EXPECT_EQ('a', c[2]);
	EXPECT_EQ('a', n[0]);
	EXPECT_EQ('a', z[0]);
}

TEST_F(vnode, eof_and_truncate_are_sigbus_objerr)
{
	char *p = map_file(self->a.fd, self->fd, 12 * PG, RW, BSD_MAP_SHARED);
	struct fault_result r;

	ASSERT_NE(NULL, p);
	r = touch(p + 8 * PG + 5, 0, 0);
	EXPECT_EQ(SIGBUS, r.sig);
	EXPECT_EQ(BUS_OBJERR, r.code);
	EXPECT_EQ(p + 8 * PG + 5, r.addr);
	EXPECT_EQ('g', p[6 * PG]);
	p[6 * PG] = 'x';
	/* truncated while mapped: no stale page, SIGBUS past the end */
	ASSERT_EQ(0, ftruncate(self->fd, 4 * PG + 100));
	r = touch(p + 6 * PG, 0, 0);
	EXPECT_EQ(SIGBUS, r.sig);
	EXPECT_EQ(BUS_OBJERR, r.code);
	EXPECT_EQ(p + 6 * PG, r.addr);
	r = touch(p + 5 * PG, 1, 'w');
	EXPECT_EQ(SIGBUS, r.sig);
	/* the partial last page reads zeros past EOF */
	EXPECT_EQ('e', p[4 * PG + 99]);
	EXPECT_EQ(0, p[4 * PG + 100]);
	/* growing again: the new pages read what the file has */
	ASSERT_EQ(0, ftruncate(self->fd, 8 * PG));
	EXPECT_EQ(0, p[6 * PG]);
}

TEST_F(vnode, write_syscall_is_seen_by_clean_pages)
{
	char *p = map_file(self->a.fd, self->fd, 4 * PG, BSD_PROT_READ,
			   BSD_MAP_SHARED);

	ASSERT_NE(NULL, p);
	EXPECT_EQ('d', p[3 * PG]);
	ASSERT_EQ(1, pwrite(self->fd, "N", 1, 3 * PG));
	EXPECT_EQ('N', p[3 * PG]);
}

/*
 * Reads map the page cache's own pages (lent, read-only): a store through
 * a native MAP_SHARED mapping, which no fsnotify event reports, shows at
 * once; a bsdvm write goes to the object's copy and reaches the page
 * cache (and the native mapping) at msync; a private write never does.
 */
TEST_F(vnode, reads_share_the_page_cache)
{
	struct bsdvm_stats st0, st;
	char *p, *q, *n;

	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &st0, 1));
	p = map_file(self->a.fd, self->fd, 8 * PG, RW, BSD_MAP_SHARED);
	ASSERT_NE(NULL, p);
	q = map_file(self->a.fd, self->fd, 8 * PG, RW, BSD_MAP_PRIVATE);
	ASSERT_NE(NULL, q);
	n = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 0);
	ASSERT_NE(MAP_FAILED, n);
	EXPECT_EQ('a', p[0]);
	EXPECT_EQ('c', q[2 * PG]);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &st, 1));
	EXPECT_EQ(8, st.pages_lent);	/* the cluster, no copy */
	EXPECT_EQ(8, st.lends - st0.lends);
	EXPECT_EQ(8, st.pages);
	/* native store into the page cache: both bsdvm mappings see it */
	n[5] = 'N';
	n[2 * PG + 5] = 'M';
	EXPECT_EQ('N', p[5]);
	EXPECT_EQ('M', q[2 * PG + 5]);
	/* a bsdvm shared write: a copy, in the file at msync */
	p[PG] = 'W';
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &st, 1));
	EXPECT_EQ(1, st.lent_copies - st0.lent_copies);
	EXPECT_EQ(7, st.pages_lent);
	EXPECT_EQ('W', q[PG]);		/* private, before its first write */
	EXPECT_EQ('b', n[PG]);
	ASSERT_EQ(0, bsdvm_msync(self->a.fd, p, 0, BSD_MS_SYNC));
	EXPECT_EQ('W', n[PG]);
	/* a private write: q's own copy; file and page cache keep theirs */
	q[3 * PG] = 'P';
	EXPECT_EQ('P', q[3 * PG]);
	EXPECT_EQ('d', p[3 * PG]);
	EXPECT_EQ('d', n[3 * PG]);
	EXPECT_EQ(0, munmap(n, 8 * PG));
}

/* A cached file mapped and read costs no copy of its pages. */
TEST_F(vnode, lent_pages_cost_no_copy)
{
	const size_t len = 64UL << 20;
	struct bsdvm_stats st;
	char path[64], *p, *buf;
	long before, after;
	size_t off;
	int fd;

	strcpy(path, "/tmp/bsdvm-lend-XXXXXX");
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	buf = malloc(1 << 20);
	ASSERT_NE(NULL, buf);
	memset(buf, 'L', 1 << 20);
	for (off = 0; off < len; off += 1 << 20)
		ASSERT_EQ(1 << 20, pwrite(fd, buf, 1 << 20, off));
	free(buf);
	p = map_file(self->a.fd, fd, len, BSD_PROT_READ, BSD_MAP_SHARED);
	ASSERT_NE(NULL, p);
	before = meminfo_kb("MemFree");
	for (off = 0; off < len; off += PG)
		ASSERT_EQ('L', p[off]);
	after = meminfo_kb("MemFree");
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &st, 1));
	EXPECT_EQ((long)(len / PG), st.pages_lent);
	/* copies would take 64 MiB; loans take their records (~1.5 MiB) */
	EXPECT_GT(16L << 10, before - after);
	EXPECT_EQ(0, bsdvm_unmap(self->a.fd, p, len));
	close(fd);
	unlink(path);
}

/*
 * tmpfs with huge=always keeps a file in 2 MiB folios: each 4 KiB page of
 * one is lent by itself, and a truncate into a lent folio (which cannot
 * be split while lent) still gives SIGBUS past the new end and zeros
 * after it in the last page.  Skipped where tmpfs has no huge pages.
 */
TEST_F(vnode, huge_tmpfs_folios_are_lent_by_page)
{
	const size_t len = 4UL << 20, cut = (1UL << 20) + 100;
	const char *dir = "/tmp/bsdvm-huge";
	struct bsdvm_stats st;
	struct fault_result r;
	char *p, *buf;
	size_t off;
	long huge;
	int fd;

	mkdir(dir, 0700);
	if (mount("none", dir, "tmpfs", 0, "huge=always,size=16m")) {
		rmdir(dir);
		SKIP(return, "no huge pages in tmpfs here");
	}
	fd = open("/tmp/bsdvm-huge/f", O_RDWR | O_CREAT, 0600);
	ASSERT_LE(0, fd);
	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	for (off = 0; off < len; off++)
		buf[off] = 'a' + (off / PG) % 26;
	huge = meminfo_kb("ShmemHugePages");
	ASSERT_EQ((ssize_t)len, pwrite(fd, buf, len, 0));
	/* the file is in huge folios indeed */
	EXPECT_LE(huge + 2048, meminfo_kb("ShmemHugePages"));
	p = map_file(self->a.fd, fd, len, BSD_PROT_READ, BSD_MAP_SHARED);
	ASSERT_NE(NULL, p);
	for (off = 0; off < len; off += PG)
		ASSERT_EQ(buf[off + 17], p[off + 17]);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &st, 1));
	EXPECT_EQ((long)(len / PG), st.pages_lent);
	ASSERT_EQ(0, ftruncate(fd, cut));
	r = touch(p + (2UL << 20), 0, 0);
	EXPECT_EQ(SIGBUS, r.sig);
	EXPECT_EQ(BUS_OBJERR, r.code);
	EXPECT_EQ(buf[cut - 1], p[cut - 1]);
	EXPECT_EQ(0, p[cut]);
	EXPECT_EQ(buf[5 * PG], p[5 * PG]);
	ASSERT_EQ(1, pwrite(fd, "H", 1, 5 * PG));
	EXPECT_EQ('H', p[5 * PG]);
	EXPECT_EQ(0, bsdvm_unmap(self->a.fd, p, len));
	free(buf);
	close(fd);
	EXPECT_EQ(0, umount(dir));	/* no file reference left */
	rmdir(dir);
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fprintf(f, "%ld\n", v);
		fclose(f);
	}
}

/*
 * A hugetlbfs file reads what a native mapping of it has, page by 4 KiB
 * page.  (6.1 indexes hugetlbfs's page cache in huge pages, so lending
 * by 4 KiB index would show page i's huge page; those files are never
 * lent.)  Skipped without hugetlbfs or huge pages to reserve.
 */
TEST_F(vnode, hugetlbfs_file_reads_right)
{
	static const char *nr = "/proc/sys/vm/nr_hugepages";
	const char *dir = "/tmp/bsdvm-hugetlb";
	const size_t len = 4UL << 20;
	long saved = read_long(nr);
	char *n, *p;
	size_t i;
	int fd;

	mkdir(dir, 0700);
	if (saved < 0 || mount("none", dir, "hugetlbfs", 0, "pagesize=2M")) {
		rmdir(dir);
		SKIP(return, "no hugetlbfs here");
	}
	if (saved < 4)
		write_long(nr, 4);
	fd = open("/tmp/bsdvm-hugetlb/f", O_RDWR | O_CREAT, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, len));
	n = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (n == MAP_FAILED) {
		close(fd);
		umount(dir);
		rmdir(dir);
		write_long(nr, saved);
		SKIP(return, "no huge pages to reserve");
	}
	for (i = 0; i < len / PG; i++)
		n[i * PG] = 'A' + i % 26;
	p = map_file(self->a.fd, fd, len, BSD_PROT_READ, BSD_MAP_SHARED);
	ASSERT_NE(NULL, p);
	for (i = 0; i < len / PG; i++)
		if (p[i * PG] != n[i * PG])
			break;
	EXPECT_EQ(len / PG, i);		/* the first wrong page, if any */
	EXPECT_EQ(0, bsdvm_unmap(self->a.fd, p, len));
	EXPECT_EQ(0, munmap(n, len));
	close(fd);
	EXPECT_EQ(0, umount(dir));
	rmdir(dir);
	write_long(nr, saved);
}

TEST_F(vnode, permissions)
{
	int ro = open(self->path, O_RDONLY), wo = open(self->path, O_WRONLY);
	int zero = open("/dev/zero", O_RDWR), pfd[2];
	void *q = NULL;
	char *p;

	ASSERT_LE(0, ro);
	ASSERT_LE(0, wo);
	ASSERT_LE(0, zero);
	ASSERT_EQ(0, pipe(pfd));
	/* shared+write on a read-only descriptor */
	EXPECT_EQ(-EACCES, bsdvm_mapfd(self->a.fd, &q, PG, RW, BSD_MAP_SHARED,
				       ro, 0));
	/* any mapping needs read */
	EXPECT_EQ(-EACCES, bsdvm_mapfd(self->a.fd, &q, PG, BSD_PROT_READ,
				       BSD_MAP_PRIVATE, wo, 0));
	/* a private copy may be written */
	p = map_file(self->a.fd, ro, PG, RW, BSD_MAP_PRIVATE);
	ASSERT_NE(NULL, p);
	p[0] = 'x';
	/* shared read-only: max prot has no write */
	p = map_file(self->a.fd, ro, PG, BSD_PROT_READ, BSD_MAP_SHARED);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(-EACCES, bsdvm_protect(self->a.fd, p, PG, RW));
	/* not a regular file */
	EXPECT_EQ(-ENODEV, bsdvm_mapfd(self->a.fd, &q, PG, BSD_PROT_READ,
				       BSD_MAP_SHARED, pfd[0], 0));
	EXPECT_EQ(-EBADF, bsdvm_mapfd(self->a.fd, &q, PG, BSD_PROT_READ,
				      BSD_MAP_SHARED, 999, 0));
	EXPECT_EQ(-EINVAL, bsdvm_mapfd(self->a.fd, &q, PG, BSD_PROT_READ,
				       BSD_MAP_SHARED | BSD_MAP_ANON, ro, 0));
	EXPECT_EQ(-EINVAL, bsdvm_mapfd(self->a.fd, &q, PG, BSD_PROT_READ,
				       0, ro, 0));
	/* /dev/zero: a new anonymous object per mapping */
	p = map_file(self->a.fd, zero, 2 * PG, RW, BSD_MAP_SHARED);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(0, p[PG]);
	p[PG] = 1;
	q = map_file(self->a.fd, zero, 2 * PG, RW, BSD_MAP_SHARED);
	ASSERT_NE(NULL, q);
	EXPECT_EQ(0, ((char *)q)[PG]);
	close(ro);
	close(wo);
	close(zero);
	close(pfd[0]);
	close(pfd[1]);
}

TEST_F(vnode, sealed_memfd_and_noexec_mount)
{
	int m = memfd_create("bsdvm", MFD_ALLOW_SEALING), fd;
	void *q = NULL;
	char *p;

	ASSERT_LE(0, m);
	ASSERT_EQ(0, ftruncate(m, PG));
	ASSERT_EQ(0, fcntl(m, F_ADD_SEALS, F_SEAL_WRITE));
	EXPECT_EQ(-EPERM, bsdvm_mapfd(self->a.fd, &q, PG, RW, BSD_MAP_SHARED,
				      m, 0));
	p = map_file(self->a.fd, m, PG, BSD_PROT_READ, BSD_MAP_SHARED);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(0, p[0]);
	EXPECT_EQ(-EACCES, bsdvm_protect(self->a.fd, p, PG, RW));
	close(m);

	/* while a shared writable mapping exists, F_SEAL_WRITE waits */
	m = memfd_create("bsdvm2", MFD_ALLOW_SEALING);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, ftruncate(m, PG));
	p = map_file(self->a.fd, m, PG, RW, BSD_MAP_SHARED);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(-1, fcntl(m, F_ADD_SEALS, F_SEAL_WRITE));
	EXPECT_EQ(EBUSY, errno);
	close(m);

	mkdir("/tmp/bsdvm-noexec", 0700);
	if (mount("none", "/tmp/bsdvm-noexec", "tmpfs", MS_NOEXEC, NULL))
		SKIP(return, "cannot mount tmpfs: %s", strerror(errno));
	fd = open("/tmp/bsdvm-noexec/f", O_RDWR | O_CREAT, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, PG));
	EXPECT_EQ(-EPERM, bsdvm_mapfd(self->a.fd, &q, PG,
				      BSD_PROT_READ | BSD_PROT_EXEC,
				      BSD_MAP_PRIVATE, fd, 0));
	p = map_file(self->a.fd, fd, PG, BSD_PROT_READ, BSD_MAP_PRIVATE);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(-EACCES, bsdvm_protect(self->a.fd, p, PG,
					 BSD_PROT_READ | BSD_PROT_EXEC));
	close(fd);
	ASSERT_EQ(0, bsdvm_unmap(self->a.fd, p, PG));
	umount2("/tmp/bsdvm-noexec", MNT_DETACH);
	rmdir("/tmp/bsdvm-noexec");
}

/*
 * A write-back the filesystem refuses (a full tmpfs) is EIO from msync,
 * and the pages stay dirty: once there is room, msync writes them all.
 * At the last munmap nobody can be told: syncfs(2) reports the EIO.
 */
TEST_F(vnode, writeback_errors_are_eio_and_lose_nothing)
{
	const char *dir = "/tmp/bsdvm-full";
	char buf[PG];
	int fd, fd2, i;
	char *p;

	mkdir(dir, 0700);
	if (mount("none", dir, "tmpfs", 0, "size=16k"))
		SKIP(return, "cannot mount tmpfs: %s", strerror(errno));
	fd = open("/tmp/bsdvm-full/f", O_RDWR | O_CREAT, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 16 * PG));	/* sparse: takes no room */
	p = map_file(self->a.fd, fd, 16 * PG, RW, BSD_MAP_SHARED);
	ASSERT_NE(NULL, p);
	for (i = 0; i < 16; i++)
		memset(p + i * PG, 'A' + i, PG);
	EXPECT_EQ(-EIO, bsdvm_msync(self->a.fd, p, 16 * PG, BSD_MS_SYNC));
	EXPECT_EQ(-EIO, bsdvm_msync(self->a.fd, p, 0, BSD_MS_SYNC));
	/* room again: the same pages, still dirty, all reach the file */
	ASSERT_EQ(0, mount("none", dir, "tmpfs", MS_REMOUNT, "size=1m"));
	EXPECT_EQ(0, bsdvm_msync(self->a.fd, p, 16 * PG, BSD_MS_SYNC));
	for (i = 0; i < 16; i++) {
		ASSERT_EQ(PG, pread(fd, buf, PG, (off_t)i * PG));
		EXPECT_EQ('A' + i, buf[0]);
		EXPECT_EQ('A' + i, buf[PG - 1]);
	}
	ASSERT_EQ(0, bsdvm_unmap(self->a.fd, p, 16 * PG));

	/* full again, and the last mapping goes with dirty pages */
	ASSERT_EQ(0, mount("none", dir, "tmpfs", MS_REMOUNT, "size=80k"));
	fd2 = open("/tmp/bsdvm-full/g", O_RDWR | O_CREAT, 0600);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, ftruncate(fd2, 16 * PG));
	p = map_file(self->a.fd, fd2, 16 * PG, RW, BSD_MAP_SHARED);
	ASSERT_NE(NULL, p);
	memset(p, 'g', 16 * PG);
	ASSERT_EQ(0, bsdvm_unmap(self->a.fd, p, 16 * PG));
	/* tmpfs has no fsync of its own: syncfs(2) checks the sb error */
	EXPECT_EQ(-1, syncfs(fd2));
	EXPECT_EQ(EIO, errno);
	close(fd2);
	close(fd);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
}

/*
 * MADV_WILLNEED on a file mapping maps the object's resident pages: a
 * second mapping of a file the first one read takes no read fault.  So
 * does a mapping made with MAP_PREFAULT_READ.
 */
/* Whether the PTE at p is present (/proc/self/pagemap bit 63). */
static int pte_present_at(const void *p)
{
	uint64_t ent = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, &ent, sizeof(ent), (uintptr_t)p / PG * sizeof(ent));
	close(fd);
	return n == sizeof(ent) ? (int)(ent >> 63) : -1;
}

/*
 * Found by bsdvm-fuzz.  A write fault on a write-only shared file mapping
 * lends a run of the file's pages and maps the neighbours read-only:
 * with the write bit gone, with no permission at all.  Such a PTE still
 * maps the frame but pmap_page_protect(NONE) skipped it, so MS_INVALIDATE
 * freed the lent pages with PTEs left on them (a WARNING, then a frame the
 * process could reach once the page cache let it go).  Now nothing is
 * entered without a permission, and every PTE of a page that goes is
 * removed.
 */
TEST_F(vnode, write_only_mapping_leaves_no_pte_on_freed_pages)
{
	char *p;
	int i;

	p = map_file(self->a.fd, self->fd, 8 * PG, BSD_PROT_WRITE,
		     BSD_MAP_SHARED);
	ASSERT_NE(NULL, p);
	p[0] = 'Z';
	ASSERT_EQ(0, bsdvm_msync(self->a.fd, p, 8 * PG, BSD_MS_INVALIDATE));
	for (i = 1; i < 8; i++)
		EXPECT_EQ(0, pte_present_at(p + i * PG)) TH_LOG("page %d", i);
	ASSERT_EQ(1, pread(self->fd, p + PG, 1, 0));	/* p stays usable */
	EXPECT_EQ(0, bsdvm_unmap(self->a.fd, p, 8 * PG));
}

TEST_F(vnode, willneed_maps_resident_file_pages)
{
	struct bsdvm_stats before, after;
	char *p, *q;
	int i;

	p = map_file(self->a.fd, self->fd, 8 * PG, BSD_PROT_READ,
		     BSD_MAP_SHARED);
	q = map_file(self->a.fd, self->fd, 8 * PG, BSD_PROT_READ,
		     BSD_MAP_SHARED);
	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, q);
	for (i = 0; i < 8; i++)
		ASSERT_EQ('a' + i, p[i * PG]);
	ASSERT_EQ(0, bsdvm_advise(self->a.fd, q, 8 * PG, BSD_MADV_WILLNEED));
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &before, 0));
	for (i = 0; i < 8; i++)
		EXPECT_EQ('a' + i, *(volatile char *)(q + i * PG));
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &after, 0));
	EXPECT_EQ(before.faults, after.faults);
	/* MAP_PREFAULT_READ does the same at mmap time */
	q = map_file(self->a.fd, self->fd, 8 * PG, BSD_PROT_READ,
		     BSD_MAP_SHARED | BSD_MAP_PREFAULT_READ);
	ASSERT_NE(NULL, q);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &before, 0));
	for (i = 0; i < 8; i++)
		EXPECT_EQ('a' + i, *(volatile char *)(q + i * PG));
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &after, 0));
	EXPECT_EQ(before.faults, after.faults);
}

/*
 * A vnode object's resident pages include the file's cached ones (as on
 * FreeBSD, whose vnode objects are the page cache): WILLNEED and
 * MAP_PREFAULT_READ map them, lent, before any access.
 */
TEST_F(vnode, willneed_maps_the_page_cache)
{
	struct bsdvm_stats before, after;
	char *q;
	int i, round;

	for (round = 0; round < 2; round++) {
		if (round == 0) {
			q = map_file(self->a.fd, self->fd, 8 * PG,
				     BSD_PROT_READ, BSD_MAP_SHARED);
			ASSERT_NE(NULL, q);
			ASSERT_EQ(0, bsdvm_advise(self->a.fd, q, 8 * PG,
						  BSD_MADV_WILLNEED));
		} else {
			q = map_file(self->a.fd, self->fd, 8 * PG,
				     BSD_PROT_READ,
				     BSD_MAP_SHARED | BSD_MAP_PREFAULT_READ);
			ASSERT_NE(NULL, q);
		}
		ASSERT_EQ(0, bsdvm_stats(self->a.fd, &before, 0));
		EXPECT_EQ(8, before.pages_lent);
		EXPECT_EQ(8 * (round + 1), before.lends);	/* this space's */
		for (i = 0; i < 8; i++)
			EXPECT_EQ('a' + i, *(volatile char *)(q + i * PG));
		ASSERT_EQ(0, bsdvm_stats(self->a.fd, &after, 0));
		EXPECT_EQ(before.faults, after.faults);
		/* the object goes with the mapping: round 2 starts afresh */
		EXPECT_EQ(0, bsdvm_unmap(self->a.fd, q, 8 * PG));
	}
}

TEST_F(vnode, close_after_mmap)
{
	char path[64];
	int fd = make_file(path, 2);
	char *p, buf[1];

	ASSERT_LE(0, fd);
	p = map_file(self->a.fd, fd, 2 * PG, RW, BSD_MAP_SHARED);
	ASSERT_NE(NULL, p);
	close(fd);
	EXPECT_EQ('b', p[PG]);
	p[PG] = 'K';
	ASSERT_EQ(0, bsdvm_msync(self->a.fd, p, 2 * PG, BSD_MS_SYNC));
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pread(fd, buf, 1, PG));
	EXPECT_EQ('K', buf[0]);
	close(fd);
	unlink(path);
}

TEST_F(vnode, sparse_1g_file_random_reads)
{
	const size_t sz = 1UL << 30;
	struct bsdvm_stats st;
	unsigned int seed = 42;
	char *p;
	int i;

	ASSERT_EQ(0, ftruncate(self->fd, sz));
	ASSERT_EQ(1, pwrite(self->fd, "M", 1, sz / 2 + 7));
	p = map_file(self->a.fd, self->fd, sz, BSD_PROT_READ, BSD_MAP_SHARED);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, bsdvm_advise(self->a.fd, p, sz, BSD_MADV_RANDOM));
	for (i = 0; i < 2000; i++) {
		size_t off = ((size_t)rand_r(&seed) * 4099) % sz;

		if (off >= 8 * PG && off != sz / 2 + 7)
			ASSERT_EQ(0, p[off]);
	}
	EXPECT_EQ('M', p[sz / 2 + 7]);
	EXPECT_EQ('a', p[0]);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &st, 0));
	EXPECT_LE(st.pages, 2002);	/* RANDOM: no read-around */
}

TEST_F(vnode, concurrent_writers)
{
	char *p = map_file(self->a.fd, self->fd, 8 * PG, RW, BSD_MAP_SHARED);
	int i, k, status;
	char buf[8 * PG];

	ASSERT_NE(NULL, p);
	for (k = 0; k < 4; k++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (pid == 0) {
			/* each writer maps the file itself */
			char *q = map_file(self->a.fd, self->fd, 8 * PG, RW,
					   BSD_MAP_SHARED);

			if (!q)
				_exit(1);
			for (i = 0; i < 8 * 256; i++)
				q[i * 4 + k] = (char)(k + 1);
			_exit(0);
		}
	}
	for (k = 0; k < 4; k++) {
		ASSERT_LT(0, wait(&status));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	for (i = 0; i < 8 * 256; i++)
		for (k = 0; k < 4; k++)
			ASSERT_EQ((char)(k + 1), p[i * 4 + k]);
	ASSERT_EQ(0, bsdvm_msync(self->a.fd, p, 8 * PG, BSD_MS_SYNC));
	ASSERT_EQ(8 * PG, pread(self->fd, buf, 8 * PG, 0));
	EXPECT_EQ(0, memcmp(buf, p, 8 * PG));
}

/* ->access reads a page that is not resident yet (pager, no fault) */
TEST_F(vnode, proc_mem_reads_file_pages)
{
	char *p = map_file(self->a.fd, self->fd, 8 * PG, RW, BSD_MAP_SHARED);
	int mem = open("/proc/self/mem", O_RDWR);
	char c = 0;

	ASSERT_NE(NULL, p);
	ASSERT_LE(0, mem);
	ASSERT_EQ(1, pread(mem, &c, 1, (uintptr_t)(p + 5 * PG + 3)));
	EXPECT_EQ('f', c);
	ASSERT_EQ(1, pwrite(mem, "m", 1, (uintptr_t)(p + 7 * PG)));
	EXPECT_EQ('m', p[7 * PG]);
	close(mem);
}

TEST_F(vnode, msync_ioctl_abi)
{
	struct bsdvm_msync_args m = { .size = 8 };
	struct bsdvm_version v = { .size = sizeof(v) };

	EXPECT_EQ(-EINVAL, bsd_ioctl(self->a.fd, BSDVM_IOC_MSYNC, &m));
	EXPECT_EQ(-EFAULT, bsd_ioctl(self->a.fd, BSDVM_IOC_MSYNC,
				     (void *)8));
	ASSERT_EQ(0, bsd_ioctl(self->a.fd, BSDVM_IOC_VERSION, &v));
	EXPECT_LT(BSDVM_STRUCT_MSYNC, v.nr_sizes);
	EXPECT_EQ(sizeof(m), v.sizes[BSDVM_STRUCT_MSYNC]);
}

/* mov eax, 42; ret */
static const unsigned char code42[] = { 0xb8, 0x2a, 0, 0, 0, 0xc3 };

TEST_F(vnode, shared_text_executes_and_is_shared)
{
	char path[64], elf[256];
	unsigned char vec[1];
	struct bsdvm_stats st;
	int fd = make_file(path, 1), efd, p2c[2], c2p[2], status;
	char *t, *e, c;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(code42), pwrite(fd, code42, sizeof(code42), 0));
	ASSERT_EQ(0, pipe(p2c));
	ASSERT_EQ(0, pipe(c2p));
	t = map_file(self->a.fd, fd, PG, BSD_PROT_READ | BSD_PROT_EXEC,
		     BSD_MAP_SHARED);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(42, ((int (*)(void))t)());
	/* this program's own ELF, read+exec from the 9p root */
	ASSERT_LT(0, readlink("/proc/self/exe", elf, sizeof(elf) - 1));
	elf[sizeof(elf) - 1] = 0;
	efd = open("/proc/self/exe", O_RDONLY);
	ASSERT_LE(0, efd);
	e = map_file(self->a.fd, efd, 4 * PG, BSD_PROT_READ | BSD_PROT_EXEC,
		     BSD_MAP_PRIVATE);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(0, memcmp(e, "\177ELF", 4));
	ASSERT_EQ(0, bsdvm_inherit(self->a.fd, t, PG, BSD_INHERIT_NONE));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *u = map_file(self->a.fd, fd, PG,
				   BSD_PROT_READ | BSD_PROT_EXEC,
				   BSD_MAP_SHARED);

		if (!u || ((int (*)(void))u)() != 42)
			_exit(1);
		if (write(c2p[1], "r", 1) != 1 || read(p2c[0], &c, 1) != 1)
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(1, read(c2p[0], &c, 1));
	/* the child's mapping references the page this map has too */
	ASSERT_EQ(0, bsdvm_mincore(self->a.fd, t, PG, vec));
	EXPECT_TRUE(vec[0] & BSD_MINCORE_INCORE);
	EXPECT_TRUE(vec[0] & BSD_MINCORE_REFERENCED_OTHER);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &st, 1));
	EXPECT_EQ(2, st.objects);	/* the code file, the ELF */
	ASSERT_EQ(1, write(p2c[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(fd);
	close(efd);
	unlink(path);
}

/*
 * The events queued on inotify descriptor in since the last call, as
 * "access b modify a" (a repeat of the one before it left out): each names
 * the link the file that did the I/O was opened by.
 */
static const char *inotify_names(int in)
{
	static char out[256];
	char buf[4096], last[80] = "", ev[80];
	struct inotify_event *e;
	ssize_t n, off;

	out[0] = 0;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n; off += sizeof(*e) + e->len) {
			e = (struct inotify_event *)(buf + off);
			snprintf(ev, sizeof(ev), "%s %s",
				 e->mask & IN_ACCESS ? "access" : "modify",
				 e->len ? e->name : "?");
			if (!strcmp(ev, last))
				continue;
			strcpy(last, ev);
			if (out[0])
				strncat(out, " ", sizeof(out) - strlen(out) - 1);
			strncat(out, ev, sizeof(out) - strlen(out) - 1);
		}
	}
	return out;
}

/*
 * A tmpfs at /tmp/bsdvm-links with file a of npages sparse pages (a fault
 * reads them with ->read_iter, which inotify sees) and b, a link to it;
 * in watches the directory.  0, or -1 (errno) when tmpfs cannot be mounted.
 */
static int make_links(int npages, int *in)
{
	int fd;

	mkdir("/tmp/bsdvm-links", 0700);
	if (mount("none", "/tmp/bsdvm-links", "tmpfs", 0, "size=1m"))
		return -1;
	fd = open("/tmp/bsdvm-links/a", O_RDWR | O_CREAT, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)npages * PG) ||
	    link("/tmp/bsdvm-links/a", "/tmp/bsdvm-links/b"))
		return -1;
	close(fd);
	*in = inotify_init1(IN_NONBLOCK);
	if (*in < 0 || inotify_add_watch(*in, "/tmp/bsdvm-links",
					 IN_ACCESS | IN_MODIFY) < 0)
		return -1;
	return 0;
}

/* Map link name of /tmp/bsdvm-links shared, opened with mode: NULL if not. */
static char *map_link(int dev, const char *name, int mode, int prot,
		      size_t len, int *fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/tmp/bsdvm-links/%s", name);
	*fd = open(path, mode);
	return *fd < 0 ? NULL : map_file(dev, *fd, len, prot, BSD_MAP_SHARED);
}

static void remove_links(int in)
{
	close(in);
	umount("/tmp/bsdvm-links");
	rmdir("/tmp/bsdvm-links");
}

/*
 * Each mapping reads and writes back through the file it was made with,
 * with its opener's rights (NFS, FUSE), not through the first mapper's
 * (issue 14, defect 6).  Two opens of one inode by two links, so that the
 * I/O names its file.
 */
TEST_F(vnode, each_mapping_does_io_through_its_own_file)
{
	char *pa, *pb, buf[1];
	int in, fa, fb;

	if (make_links(4, &in))
		SKIP(return, "tmpfs with a link: %s", strerror(errno));
	pa = map_link(self->a.fd, "a", O_RDWR, RW, 4 * PG, &fa);
	pb = map_link(self->a.fd, "b", O_RDWR, RW, 4 * PG, &fb);
	ASSERT_NE(NULL, pa);
	ASSERT_NE(NULL, pb);
	EXPECT_STREQ("", inotify_names(in));
	EXPECT_EQ(0, pb[2 * PG]);	/* reads the run through b */
	EXPECT_STREQ("access b", inotify_names(in));
	pa[0] = 'A';
	pb[PG] = 'B';
	/* a, the first writer, goes: b writes back both pages */
	ASSERT_EQ(0, bsdvm_unmap(self->a.fd, pa, 4 * PG));
	close(fa);
	ASSERT_EQ(0, bsdvm_msync(self->a.fd, pb, 4 * PG, BSD_MS_SYNC));
	EXPECT_STREQ("modify b", inotify_names(in));
	ASSERT_EQ(1, pread(fb, buf, 1, 0));
	EXPECT_EQ('A', buf[0]);
	ASSERT_EQ(1, pread(fb, buf, 1, PG));
	EXPECT_EQ('B', buf[0]);
	ASSERT_EQ(0, bsdvm_unmap(self->a.fd, pb, 4 * PG));
	close(fb);
	remove_links(in);
}

/*
 * The last writer to go leaves its file for what it dirtied: a read-only
 * mapping cannot write back, and the pages reach the file at its munmap.
 */
TEST_F(vnode, last_writer_writes_back_what_it_left)
{
	int in, fa, fb;
	char *pa, *pb, buf[1];

	if (make_links(2, &in))
		SKIP(return, "tmpfs with a link: %s", strerror(errno));
	pa = map_link(self->a.fd, "a", O_RDWR, RW, 2 * PG, &fa);
	pb = map_link(self->a.fd, "b", O_RDONLY, BSD_PROT_READ, 2 * PG, &fb);
	ASSERT_NE(NULL, pa);
	ASSERT_NE(NULL, pb);
	pa[PG] = 'W';
	ASSERT_EQ(0, bsdvm_unmap(self->a.fd, pa, 2 * PG));
	close(fa);
	EXPECT_EQ('W', pb[PG]);
	inotify_names(in);
	/* b cannot write: a's file writes it back */
	ASSERT_EQ(0, bsdvm_msync(self->a.fd, pb, 2 * PG, BSD_MS_SYNC));
	EXPECT_STREQ("modify a", inotify_names(in));
	ASSERT_EQ(0, bsdvm_unmap(self->a.fd, pb, 2 * PG));
	ASSERT_EQ(1, pread(fb, buf, 1, PG));
	EXPECT_EQ('W', buf[0]);
	close(fb);
	remove_links(in);
}

TEST_HARNESS_MAIN
