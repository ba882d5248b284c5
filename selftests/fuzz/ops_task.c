// SPDX-License-Identifier: GPL-2.0
/*
 * What processes do to an arena as a whole: fork, vfork and clone(CLONE_VM)
 * while other threads work on it, close and reopen the device, unmap or
 * map over the whole arena, a second mmap of the device, exit_group at any
 * moment, and calls that meet an allocation failure (fail-nth).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bsdvm.h>
#include "fuzz.h"

#define CLONE_STACK	(64 * 1024)

static void child_ops(struct fz_thread *t, int n)
{
	struct fz_thread c = *t;

	c.is_child = true;
	c.index = FZ_CHILD_ROW;
	c.cover = NULL;		/* kcov is per task: not inherited */
	c.rng.s = fz_next(&t->rng);
	fz_run_ops(&c, n);
}

/* A child that runs a few operations on its copy of the arena and exits. */
static long op_fork(struct fz_thread *t, uint64_t a[3])
{
	int n = 1 + (int)fz_below(&t->rng, 30);
	pid_t pid;

	a[0] = n;
	/*
	 * The raw call, not fork(3): glibc's fork takes its own locks
	 * (malloc, stdio, atfork), which threads that fork, vfork and
	 * clone at once deadlocked on.  The child calls only system calls.
	 */
	pid = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		alarm(10);	/* a child stuck in a futex still ends */
		child_ops(t, n);
		_exit(0);
	}
	a[1] = pid;
	if (fz_chance(&t->rng, 2))
		waitpid(pid, NULL, 0);	/* else the worker reaps it */
	return pid;
}

/* vfork: the child borrows our mm (and this thread's memory) for one op. */
static long op_vfork(struct fz_thread *t, uint64_t a[3])
{
	pid_t pid = vfork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		child_ops(t, 1);
		_exit(0);
	}
	a[0] = pid;
	waitpid(pid, NULL, 0);
	return pid;
}

struct clone_arg {
	struct fz_arena *ar;
	uint64_t r;
};

/*
 * A task that shares our mm but is not one of our threads: ioctls find the
 * space through its mm.  It shares this thread's TLS too, so it must not
 * use fz_probe's jump buffer: faults kill it (and only it).
 */
static int clone_child(void *p)
{
	struct clone_arg *c = p;
	struct bsdvm_range_args ra = { .size = sizeof(ra) };
	char *base = c->ar->base;
	size_t off;

	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
	if (!base)
		return 0;
	off = (c->r % 256) * FZ_PG;
	ra.addr = (uintptr_t)base + off;
	ra.len = FZ_PG * (1 + (c->r >> 8) % 8);
	ra.arg = (c->r >> 16) % 4;
	switch ((c->r >> 20) % 4) {
	case 0:
		ioctl(c->ar->dev, BSDVM_IOC_UNMAP, &ra);
		break;
	case 1:
		madvise(base + off, ra.len, MADV_DONTNEED);
		break;
	case 2:
		ioctl(c->ar->dev, BSDVM_IOC_INHERIT, &ra);
		break;
	default:
		base[off] = 1;	/* may fault: then this task dies */
		break;
	}
	return 0;
}

static long op_clone_vm(struct fz_thread *t, uint64_t a[3])
{
	struct clone_arg c = { t->arena, fz_next(&t->rng) };
	int flags = CLONE_VM | SIGCHLD;
	char *stack = mmap(NULL, CLONE_STACK, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	if (stack == MAP_FAILED)	/* not malloc: no lock to share */
		return -errno;
	if (fz_chance(&t->rng, 2))
		flags |= CLONE_VFORK;
	a[0] = c.r;
	a[1] = flags;
	pid = clone(clone_child, stack + CLONE_STACK, flags, &c);
	if (pid > 0)
		waitpid(pid, NULL, __WALL);	/* the stack is ours to free */
	munmap(stack, CLONE_STACK);
	return pid < 0 ? -errno : pid;
}

/* The device fd closed and opened again; the arena keeps its own file. */
static long op_reopen_dev(struct fz_thread *t, uint64_t a[3])
{
	int old = t->arena->dev, fd;

	fd = open(BSDVM_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	t->arena->dev = fd;
	a[0] = old;
	a[1] = fd;
	close(old);
	return fd;
}

/*
 * The whole arena unmapped or mapped over, then (mostly) mapped again at
 * the same place.  The place is re-reserved PROT_NONE at once, so stale
 * addresses in other threads never reach memory the libc reuses.
 */
static long op_arena_cycle(struct fz_thread *t, uint64_t a[3])
{
	struct fz_arena *ar = t->arena;
	char *base = ar->base;
	void *r;

	if (!base)
		return -EDOM;
	a[0] = fz_below(&t->rng, 2);
	if (a[0])
		munmap(base, ar->size);
	r = mmap(base, ar->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_FIXED | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED)	/* sealed: it stays */
		return -errno;
	if (fz_chance(&t->rng, 8))
		return 0;	/* no arena for a while: ioctls get EINVAL */
	a[1] = 1;
	return fz_arena_map(ar, &t->rng);
}

/* A second mapping of the device, with arguments it should refuse. */
static long op_dev_mmap(struct fz_thread *t, uint64_t a[3])
{
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE,
				     PROT_NONE, PROT_READ | PROT_EXEC };
	size_t len = FZ_PG << fz_below(&t->rng, 12);
	int flags = fz_chance(&t->rng, 2) ? MAP_SHARED : MAP_PRIVATE;
	off_t off = fz_chance(&t->rng, 2) ? 0 : FZ_PG * fz_below(&t->rng, 64);
	void *r;

	a[0] = len;
	a[1] = ((uint64_t)flags << 32) | (uint32_t)off;
	a[2] = prots[fz_below(&t->rng, 4)];
	r = mmap(NULL, len, a[2], flags, t->arena->dev, off);
	if (r == MAP_FAILED)
		return -errno;
	munmap(r, len);
	return 0;
}

/* The worker dies with its arena busy; the supervisor starts another. */
static long op_exit_group(struct fz_thread *t, uint64_t a[3])
{
	(void)a;
	if (!fz_chance(&t->rng, 8))
		return -EAGAIN;
	syscall(SYS_exit_group, 0);
	return 0;
}

/*
 * One operation that meets an allocation failure: the n-th fault point
 * this thread passes fails (Documentation/fault-injection).
 */
static long op_fail_nth(struct fz_thread *t, uint64_t a[3])
{
	char buf[16];
	int fd, len;
	long r;

	if (!t->opts->fail_nth)
		return -EOPNOTSUPP;
	fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	a[0] = 1 + fz_below(&t->rng, fz_chance(&t->rng, 4) ? 200 : 16);
	len = snprintf(buf, sizeof(buf), "%d", (int)a[0]);
	r = write(fd, buf, len) == len ? 0 : -errno;
	if (!r) {
		uint64_t b[3];
		const struct fz_op *op = &fz_bsd_ops[fz_below(&t->rng,
							      fz_nr_bsd_ops)];

		a[1] = op - fz_bsd_ops;
		if (fz_chance(&t->rng, 3))	/* or a fault */
			r = fz_probe((char *)(uintptr_t)fz_addr(t), true) ?
			    0 : -EFAULT;
		else
			r = op->fn(t, b);
		a[2] = (uint64_t)r;
		(void)!write(fd, "0", 1);
	}
	close(fd);
	return r;
}

const struct fz_op fz_task_ops[] = {
	{ "fork",		op_fork,	3 },
	{ "vfork",		op_vfork,	1 },
	{ "clone_vm",		op_clone_vm,	1 },
	{ "reopen_dev",		op_reopen_dev,	1 },
	{ "arena_cycle",	op_arena_cycle,	1 },
	{ "dev_mmap",		op_dev_mmap,	1 },
	{ "exit_group",		op_exit_group,	1 },
	{ "fail_nth",		op_fail_nth,	6 },
};
const unsigned int fz_nr_task_ops = ARRAY_SIZE(fz_task_ops);
