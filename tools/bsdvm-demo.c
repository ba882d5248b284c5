// SPDX-License-Identifier: GPL-2.0
/*
 * bsdvm-demo: a short program that makes the BSD VM do its main jobs, for
 * `make run` (bsdvm run bsdvm-demo) and the tracing tests.  It talks to
 * /dev/bsdvm directly, so it needs no shim: zero-fill, fork with
 * copy-on-write in both directions (shadows, a collapse when the child
 * exits), mprotect with an Appel & Li style SIGSEGV handler, minherit,
 * madvise, a private and a shared file mapping and msync, and a chain
 * bypass.
 *
 *   bsdvm-demo            run it and say what happened
 *   bsdvm-demo --hold     after the fork, print "ready PARENT CHILD" and
 *                         wait until stdin closes (tests dump both)
 *   bsdvm-demo --late     the parent writes its copy 0.3 s after the fork,
 *                         as a preempted parent would (the tracing test)
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <linux/bsdvm.h>

#define PAGE		4096UL
#define NPAGES		16
#define ARENA_SIZE	(1UL << 30)
#define RW		(BSD_PROT_READ | BSD_PROT_WRITE)

static int dev;
static volatile sig_atomic_t accerr_seen;
static char *protected_page;

static void die(const char *what)
{
	fprintf(stderr, "bsdvm-demo: %s: %s\n", what, strerror(errno));
	exit(1);
}

static char *bsd_mmap(size_t len, int prot, int flags, int fd)
{
	struct bsdvm_map_args a = {
		.size = sizeof(a), .flags = flags, .prot = prot, .fd = fd,
		.len = len,
	};

	if (ioctl(dev, BSDVM_IOC_MAP, &a))
		return NULL;
	return (char *)(unsigned long)a.addr;
}

static int bsd_range(unsigned long cmd, void *addr, size_t len, int arg)
{
	struct bsdvm_range_args a = {
		.size = sizeof(a), .arg = arg, .addr = (unsigned long)addr,
		.len = len,
	};

	return ioctl(dev, cmd, &a);
}

/* Appel & Li: open the page the fault was on, and let the write retry. */
static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (si->si_code != SEGV_ACCERR ||
	    (char *)si->si_addr < protected_page ||
	    (char *)si->si_addr >= protected_page + PAGE)
		_exit(3);
	accerr_seen++;
	bsd_range(BSDVM_IOC_PROTECT, protected_page, PAGE, RW);
}

/* This process's arena: the shim's if it has one, else a new one. */
static void arena(void)
{
	struct bsdvm_stats st = { .size = sizeof(st) };

	dev = open(BSDVM_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		die(BSDVM_DEVICE);
	if (!ioctl(dev, BSDVM_IOC_STATS, &st))
		return;		/* ioctls find the space by mm: reuse it */
	if (errno != ENXIO)
		die("BSDVM_IOC_STATS");
	if (mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, dev,
		 0) == MAP_FAILED)
		die("mmap arena");
}

static void file_mapping(void)
{
	char path[] = "/tmp/bsdvm-demo-XXXXXX", buf[6] = "", *p;
	static char data[2 * PAGE];
	struct bsdvm_msync_args ms = { .size = sizeof(ms),
				       .flags = BSD_MS_SYNC };
	int fd = mkstemp(path);

	/* written, so both pages are in the page cache: reads borrow them */
	memset(data, 'f', sizeof(data));
	if (fd < 0 || write(fd, data, sizeof(data)) != sizeof(data))
		die("temporary file");
	unlink(path);
	p = bsd_mmap(2 * PAGE, RW, BSD_MAP_PRIVATE, fd);
	if (!p)
		die("map a file privately");
	p[0] = 'x';	/* page in (lent), then copy-on-write */
	bsd_range(BSDVM_IOC_UNMAP, p, 2 * PAGE, 0);
	p = bsd_mmap(2 * PAGE, RW, BSD_MAP_SHARED, fd);
	if (!p)
		die("map a file shared");
	memcpy(p + PAGE, "shared", 6);	/* the loan becomes a copy */
	ms.addr = (unsigned long)p;
	ms.len = 2 * PAGE;
	if (ioctl(dev, BSDVM_IOC_MSYNC, &ms))	/* page out */
		die("BSDVM_IOC_MSYNC");
	if (pread(fd, buf, 6, PAGE) != 6 || memcmp(buf, "shared", 6))
		die("read back what msync wrote");
	bsd_range(BSDVM_IOC_UNMAP, p, 2 * PAGE, 0);
	printf("file: borrowed the page cache's pages, wrote a private copy "
	       "of one, and a shared copy that msync wrote to the file\n");
	close(fd);
}

/*
 * A bypass: parent and child each shadow one original page; once the
 * parent has its own copy, its next fork finds the original hidden from
 * it and skips it in its chain (the child still reads through it).
 */
static void chain_bypass(void)
{
	char *c = bsd_mmap(PAGE, RW, BSD_MAP_ANON | BSD_MAP_PRIVATE, -1), x;
	int ready[2], go[2], status;
	pid_t kid, kid2;

	if (!c || pipe(ready) || pipe(go))
		die("bypass setup");
	c[0] = 1;
	kid = fork();
	if (kid < 0)
		die("fork");
	if (!kid) {
		c[0] = 2;		/* the child's shadow */
		close(go[1]);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &x, 1) < 0)
			_exit(1);
		_exit(c[0] == 2 ? 0 : 1);
	}
	close(go[0]);
	if (read(ready[0], &x, 1) != 1)
		die("child");
	c[0] = 3;		/* the parent's shadow hides the original */
	kid2 = fork();		/* vmspace_fork collapses first: a bypass */
	if (kid2 < 0)
		die("fork");
	if (!kid2)
		_exit(c[0] == 3 ? 0 : 1);
	close(go[1]);
	if (waitpid(kid2, &status, 0) != kid2 || status ||
	    waitpid(kid, &status, 0) != kid || status)
		die("bypass children");
	close(ready[0]);
	close(ready[1]);
	bsd_range(BSDVM_IOC_UNMAP, c, PAGE, 0);
	printf("bypass: after both sides copied a page, a fork skipped the "
	       "original in the chain\n");
}

int main(int argc, char **argv)
{
	bool hold = argc > 1 && !strcmp(argv[1], "--hold");
	bool late = argc > 1 && !strcmp(argv[1], "--late");
	struct sigaction sa = { .sa_sigaction = on_segv,
				.sa_flags = SA_SIGINFO };
	int go[2], copied[2], status, i;
	char *a, *b, c;
	pid_t child;

	setvbuf(stdout, NULL, _IOLBF, 0);
	arena();
	a = bsd_mmap(NPAGES * PAGE, RW, BSD_MAP_ANON | BSD_MAP_PRIVATE, -1);
	b = bsd_mmap(NPAGES * PAGE, RW, BSD_MAP_ANON | BSD_MAP_SHARED, -1);
	if (!a || !b)
		die("BSDVM_IOC_MAP");
	for (i = 0; i < NPAGES; i++)
		a[i * PAGE] = 1;		/* zero-fill */
	b[0] = 1;
	bsd_range(BSDVM_IOC_ADVISE, a, NPAGES * PAGE, BSD_MADV_SEQUENTIAL);
	printf("mapped %d private + %d shared pages, wrote them\n", NPAGES,
	       NPAGES);

	if (pipe(go) || pipe(copied))
		die("pipe");
	child = fork();
	if (child < 0)
		die("fork");
	if (!child) {
		for (i = 0; i < NPAGES / 4; i++)
			a[i * PAGE] = 2;	/* copy-on-write */
		/*
		 * Read through the shadow: a page of the backing object.  The
		 * barrier keeps the compiler from moving the writes above
		 * (which make the shadow) after this read.
		 */
		__asm__ __volatile__("" ::: "memory");
		c = *(volatile char *)&a[(NPAGES - 1) * PAGE];
		if (c != 1)
			_exit(2);
		b[0] = 2;			/* shared: parent sees it */
		/*
		 * Exit after the parent made its own copy: then the
		 * original has two shadows, and our exit collapses the
		 * parent's into it.  Exiting first would leave no shadow
		 * of the parent's to collapse (a race seen on 6.12).
		 */
		close(copied[1]);
		if (read(copied[0], &c, 1) < 0)
			_exit(1);
		if (hold) {
			close(go[1]);
			if (read(go[0], &c, 1) < 0)
				_exit(1);
		}
		_exit(0);
	}
	if (late)
		usleep(300 * 1000);
	a[NPAGES / 2 * PAGE] = 3;	/* parent's own copy: a shadow */
	close(copied[0]);
	close(copied[1]);		/* the child may exit now */
	if (hold) {
		printf("ready %d %d\n", getpid(), child);
		while (read(0, &c, 1) > 0)
			;
		close(go[1]);
	}
	if (waitpid(child, &status, 0) != child || status)
		die("child");
	printf("forked: the child copied %d pages on write, the parent 1; "
	       "child exited (shared page now %d)\n", NPAGES / 4, b[0]);

	sigaction(SIGSEGV, &sa, NULL);
	protected_page = a;
	if (bsd_range(BSDVM_IOC_PROTECT, a, PAGE, BSD_PROT_READ))
		die("BSDVM_IOC_PROTECT");
	a[0] = 4;	/* SEGV_ACCERR; the handler opens the page again */
	printf("mprotect: a write to a read-only page raised %d SEGV_ACCERR, "
	       "handled\n", (int)accerr_seen);
	bsd_range(BSDVM_IOC_INHERIT, a, NPAGES * PAGE, BSD_INHERIT_NONE);
	file_mapping();
	chain_bypass();
	bsd_range(BSDVM_IOC_UNMAP, b, NPAGES * PAGE, 0);
	return accerr_seen == 1 ? 0 : 1;
}
