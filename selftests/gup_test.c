// SPDX-License-Identifier: GPL-2.0
/*
 * What the rest of the kernel can do with arena memory.  PFN mappings are
 * invisible to get_user_pages(), so calls that pin user pages fail with
 * EFAULT; calls that copy (read/write, ptrace, /proc/PID/mem) work.  This
 * test measures each, so a change of design shows up here
 * (Documentation/linux.rst).
 */
#include <linux/futex.h>
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

TEST_F(gup, process_vm_readv_is_efault)
{
	char buf[16];
	struct iovec local = { buf, sizeof(buf) };
	struct iovec remote = { self->p, sizeof(buf) };

	EXPECT_EQ(-1, process_vm_readv(getpid(), &local, 1, &remote, 1, 0));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(gup, vmsplice_is_efault)
{
	struct iovec iov = { self->p, PG };
	int pfd[2];

	ASSERT_EQ(0, pipe(pfd));
	EXPECT_EQ(-1, vmsplice(pfd[1], &iov, 1, 0));
	EXPECT_EQ(EFAULT, errno);
	close(pfd[0]);
	close(pfd[1]);
}

TEST_F(gup, shared_futex_is_efault_private_works)
{
	int *f = (int *)self->p;
	struct timespec ts = { 0, 1000000 };

	*f = 1;
	/* A private futex keys on (mm, address): a timed wait times out. */
	EXPECT_EQ(-1, syscall(SYS_futex, f, FUTEX_WAIT_PRIVATE, 1, &ts,
			      NULL, 0));
	EXPECT_EQ(ETIMEDOUT, errno);
	/* A shared one needs the page: GUP fails. */
	EXPECT_EQ(-1, syscall(SYS_futex, f, FUTEX_WAIT, 1, &ts, NULL, 0));
	EXPECT_EQ(EFAULT, errno);
}

/*
 * O_DIRECT pins the buffer where the file system does real direct I/O
 * (EFAULT on the arena); tmpfs on 6.6+ accepts O_DIRECT and copies, so
 * there the write must succeed with the arena's bytes.
 */
TEST_F(gup, o_direct_write_pins_or_copies)
{
	char path[] = "/tmp/bsdvm-odirect-XXXXXX";
	char back[64];
	int fd = mkstemp(path);
	int dfd;
	ssize_t n;

	ASSERT_LE(0, fd);
	dfd = open(path, O_RDWR | O_DIRECT);
	unlink(path);
	if (dfd < 0) {
		close(fd);
		SKIP(return, "O_DIRECT not supported on /tmp");
	}
	n = write(dfd, self->p, PG);
	if (n < 0) {
		EXPECT_EQ(EFAULT, errno);
	} else {
		EXPECT_EQ((ssize_t)PG, n);
		ASSERT_EQ((ssize_t)sizeof(back),
			  pread(fd, back, sizeof(back), 0));
		EXPECT_EQ(0, memcmp(back, self->p, sizeof(back)));
		TH_LOG("O_DIRECT on /tmp copies here: the write worked");
	}
	close(dfd);
	close(fd);
}

TEST_HARNESS_MAIN
