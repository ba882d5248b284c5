// SPDX-License-Identifier: GPL-2.0
/*
 * Raw Linux syscalls on arena memory (issue 14): madvise, mlock, mprotect,
 * prctl, userfaultfd, mseal, /proc/self/mem, process_vm_*, W^X and mmap's
 * file checks.  Linux sees the arena as one shared PFN mapping of
 * /dev/bsdvm, so each call either acts on that VMA as a whole or is
 * refused; none may change the BSD mappings inside it, defeat BSD
 * inheritance at fork, or grant what Linux itself would refuse.
 */
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "bsdvm_test.h"

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK		18
#define MADV_KEEPONFORK		19
#endif
#ifndef MADV_COLD
#define MADV_COLD		20
#define MADV_PAGEOUT		21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT		4
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT		1
#endif
#ifndef PR_SET_VMA
#define PR_SET_VMA		0x53564d41
#define PR_SET_VMA_ANON_NAME	0
#endif
#ifndef PR_SET_MDWE
#define PR_SET_MDWE		65
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY	1
#endif
#define NR_MSEAL		462	/* 6.10+; ENOSYS before */

#define R	BSD_PROT_READ
#define RW	(BSD_PROT_READ | BSD_PROT_WRITE)
#define RX	(BSD_PROT_READ | BSD_PROT_EXEC)
#define RWX	BSD_PROT_ALL

#define KID_ALARM	15	/* a child stuck in a fault loop dies */
#define KID_SKIP	77
#define REUSE_PAGES	32
#define LOG_LEN		1024

/* A child with a pipe each way; in/out are this side's ends. */
struct kid {
	pid_t pid;
	int in, out;
};

static int kid_say(struct kid *k)
{
	return write(k->out, "g", 1) == 1 ? 0 : -1;
}

static int kid_hear(struct kid *k)
{
	char c;

	return read(k->in, &c, 1) == 1 ? 0 : -1;
}

static int kid_fork(struct kid *k, int (*fn)(struct kid *, void *), void *arg)
{
	int down[2], up[2];

	if (pipe(down) || pipe(up))
		return -1;
	signal(SIGPIPE, SIG_IGN);	/* a dead child is a failure, not ours */
	k->pid = fork();
	if (k->pid < 0)
		return -1;
	if (k->pid == 0) {
		close(down[1]);
		close(up[0]);
		k->in = down[0];
		k->out = up[1];
		alarm(KID_ALARM);
		_exit(fn(k, arg));
	}
	close(down[0]);
	close(up[1]);
	k->in = up[0];
	k->out = down[1];
	return 0;
}

/* The child's wait status. */
static int kid_end(struct kid *k)
{
	int st = -1;

	close(k->in);
	close(k->out);
	if (waitpid(k->pid, &st, 0) != k->pid)
		return -1;
	return st;
}

static int run_kid(int (*fn)(struct kid *, void *), void *arg)
{
	struct kid k;

	return kid_fork(&k, fn, arg) ? -1 : kid_end(&k);
}

static int exited0(int st)
{
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static const char *how(int st)
{
	static char buf[64];

	if (st == -1)
		return "no child";
	if (WIFEXITED(st))
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(st));
	else
		snprintf(buf, sizeof(buf), "signal %d (%s)", WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
	return buf;
}

#define KID_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# child: %s:%d: failed: %s\n",		\
			__FILE__, __LINE__, #cond);			\
		return 1;						\
	}								\
} while (0)

/* Append " name=OK|ERRNO" for a syscall's result r (errno if r < 0). */
static void note(char *log, const char *name, long r)
{
	const char *e = r < 0 ? strerrorname_np(errno) : "0";
	size_t n = strlen(log);

	snprintf(log + n, LOG_LEN - n, " %s=%s", name, e ? e : "?");
}

/* An arena mapped with Linux protection prot (arena_open uses RWX). */
static int arena_open_prot(struct arena *a, size_t size, int prot)
{
	a->size = size;
	a->fd = open(BSDVM_DEVICE, O_RDWR | O_CLOEXEC);
	if (a->fd < 0)
		return -errno;
	a->base = mmap(NULL, size, prot, MAP_SHARED, a->fd, 0);
	if (a->base == MAP_FAILED) {
		close(a->fd);
		return -errno;
	}
	return 0;
}

/* Page i of p holds first + i. */
static void pages_fill(char *p, int n, char first)
{
	int i;

	for (i = 0; i < n; i++)
		memset(p + i * PG, first + i, PG);
}

static int pages_bad(const char *p, int n, char first, const char *what)
{
	size_t i;

	for (i = 0; i < n * PG; i++) {
		if (p[i] != (char)(first + i / PG)) {
			fprintf(stderr, "# %s: byte %zu is 0x%02x, not 0x%02x\n",
				what, i, (unsigned char)p[i],
				(unsigned char)(first + i / PG));
			return 1;
		}
	}
	return 0;
}

/* BSD mappings whose bytes no raw syscall may change. */
struct data {
	char *priv;	/* 4 private anonymous pages, 'a'.. */
	char *shar;	/* 2 shared anonymous pages, 's'.. */
	char *file;	/* 2 shared read-only pages of a tmpfs file, 'f'.. */
};

static int data_make(struct arena *a, struct data *d)
{
	char path[] = "/tmp/bsdvm-rawsys-XXXXXX";
	int fd = make_pattern_file(path, 2, 'f');

	if (fd < 0)
		return -1;
	unlink(path);
	d->file = map_file(a->fd, fd, 2 * PG, R, BSD_MAP_SHARED);
	close(fd);
	d->priv = bsdvm_anon(a->fd, 4 * PG, 0);
	d->shar = bsdvm_anon(a->fd, 2 * PG, BSD_MAP_SHARED);
	if (!d->file || !d->priv || !d->shar)
		return -1;
	pages_fill(d->priv, 4, 'a');
	pages_fill(d->shar, 2, 's');
	return 0;
}

static int data_bad(const struct data *d)
{
	return pages_bad(d->priv, 4, 'a', "private") |
	       pages_bad(d->shar, 2, 's', "shared") |
	       pages_bad(d->file, 2, 'f', "file");
}

static int cow_kid(struct kid *k, void *arg)
{
	char **pd = arg;

	KID_CHECK(!pages_bad(pd[0], 4, 'w', "child's view"));
	KID_CHECK(!pd[1] || !data_bad((struct data *)pd[1]));
	pd[0][0] = '!';		/* a copy: the parent keeps 'w' */
	KID_CHECK(pd[0][0] == '!');
	return 0;
}

/* A new mapping faults in, reads back, and forks copy-on-write. */
static int arena_works(struct arena *a, struct data *d)
{
	char *q = bsdvm_anon(a->fd, 4 * PG, 0);
	char *pd[2] = { q, (char *)d };
	int st;

	if (!q)
		return 1;
	pages_fill(q, 4, 'w');
	if (pages_bad(q, 4, 'w', "new mapping"))
		return 2;
	st = run_kid(cow_kid, pd);
	if (!exited0(st)) {
		fprintf(stderr, "# fork check: child %s\n", how(st));
		return 3;
	}
	if (pages_bad(q, 4, 'w', "parent after fork"))
		return 4;
	return bsdvm_unmap(a->fd, q, 4 * PG) ? 5 : 0;
}

/* 1 if the VMA at start has VmFlags flag in /proc/self/smaps, 0, -1. */
static int vma_flag(void *start, const char *flag)
{
	char line[512], head[32], tok[8];
	FILE *f = fopen("/proc/self/smaps", "r");
	int in = 0, r = -1;

	if (!f)
		return -1;
	snprintf(head, sizeof(head), "%lx-", (unsigned long)start);
	snprintf(tok, sizeof(tok), " %s", flag);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, head, strlen(head))) {
			in = 1;
		} else if (in && !strncmp(line, "VmFlags:", 8)) {
			r = strstr(line, tok) != NULL;
			break;
		}
	}
	fclose(f);
	return r;
}

FIXTURE(rawsys) {
	struct arena a;
};

FIXTURE_SETUP(rawsys)
{
	ASSERT_EQ(0, arena_open(&self->a, ARENA_SIZE));
}

FIXTURE_TEARDOWN(rawsys)
{
	arena_close(&self->a);
}

/*
 * 1. Fork with the arena's fork advice changed.  dup_mmap() copies every
 * PTE of a VMA without VM_WIPEONFORK, so after MADV_KEEPONFORK the child
 * would map the parent's pages whatever their BSD inheritance.  Each test
 * checks the child after the parent has unmapped the page and refilled
 * freed memory; "plain" is the control.
 */
FIXTURE(fork_advice) {
	struct arena a;
};

FIXTURE_VARIANT(fork_advice) {
	int advice[2];
	int n;
};

FIXTURE_VARIANT_ADD(fork_advice, plain) {
	.n = 0,
};

FIXTURE_VARIANT_ADD(fork_advice, keeponfork) {
	.advice = { MADV_KEEPONFORK }, .n = 1,
};

FIXTURE_VARIANT_ADD(fork_advice, dontfork_dofork) {
	.advice = { MADV_DONTFORK, MADV_DOFORK }, .n = 2,
};

FIXTURE_SETUP(fork_advice)
{
	ASSERT_EQ(0, arena_open(&self->a, ARENA_SIZE));
}

FIXTURE_TEARDOWN(fork_advice)
{
	arena_close(&self->a);
}

/* The variant's advice on the whole arena; refusing it is fine too. */
static void fork_advise(struct arena *a, const int *advice, int n)
{
	char log[LOG_LEN] = "";
	char name[16];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "madvise(%d)", advice[i]);
		note(log, name, madvise(a->base, a->size, advice[i]));
	}
	if (n)
		fprintf(stderr, "#%s\n", log);
}

/* One page filled with c, with inheritance inh (-1: the default). */
static char *filled(struct arena *a, int flags, int inh, char c)
{
	char *p = bsdvm_anon(a->fd, PG, flags);

	if (!p)
		return NULL;
	memset(p, c, PG);
	if (inh >= 0 && bsdvm_inherit(a->fd, p, PG, inh))
		return NULL;
	return p;
}

/* Free the page, then have freed memory reused with 'R's. */
static int drop_and_reuse(struct arena *a, char *p)
{
	char *q;

	if (bsdvm_unmap(a->fd, p, PG))
		return -1;
	q = bsdvm_anon(a->fd, REUSE_PAGES * PG, 0);
	if (!q)
		return -1;
	memset(q, 'R', REUSE_PAGES * PG);
	return 0;
}

static int none_kid(struct kid *k, void *arg)
{
	volatile char *p = arg;
	struct fault_result f;

	if (kid_hear(k))
		return 2;
	f = touch(p, 0, 0);
	if (write(k->out, &f, sizeof(f)) != sizeof(f))
		return 3;
	signal(SIGSEGV, SIG_DFL);	/* and now die of it */
	fprintf(stderr, "# child: read 0x%02x from an INHERIT_NONE page\n",
		(unsigned char)*p);
	return 1;
}

TEST_F_TIMEOUT(fork_advice, inherit_none_child_faults, 60)
{
	char *p = filled(&self->a, 0, BSD_INHERIT_NONE, 'N');
	struct fault_result f = { 0 };
	struct kid k;
	int st;

	ASSERT_NE(NULL, p);
	fork_advise(&self->a, variant->advice, variant->n);
	ASSERT_EQ(0, kid_fork(&k, none_kid, p));
	ASSERT_EQ(0, drop_and_reuse(&self->a, p));
	kid_say(&k);
	EXPECT_EQ((ssize_t)sizeof(f), read(k.in, &f, sizeof(f)));
	st = kid_end(&k);
	EXPECT_EQ(SIGSEGV, f.sig);
	EXPECT_EQ(SEGV_MAPERR, f.code);
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV)
		TH_LOG("child: %s", how(st));
}

static int share_kid(struct kid *k, void *arg)
{
	volatile char *p = arg;

	KID_CHECK(!kid_hear(k));
	KID_CHECK(p[1] == 'p');		/* the parent's write */
	p[2] = 'c';
	kid_say(k);
	KID_CHECK(!kid_hear(k));	/* the parent has unmapped it */
	KID_CHECK(p[0] == 'S' && p[1] == 'p' && p[2] == 'c');
	p[3] = 'd';
	KID_CHECK(p[3] == 'd' && p[PG - 1] == 'S');
	return 0;
}

static void share_case(struct __test_metadata *_metadata, struct arena *a,
		       char *p)
{
	struct kid k;
	int st;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, kid_fork(&k, share_kid, p));
	p[1] = 'p';
	kid_say(&k);
	EXPECT_EQ(0, kid_hear(&k));
	EXPECT_EQ('c', p[2]);		/* the child's write */
	ASSERT_EQ(0, drop_and_reuse(a, p));
	kid_say(&k);
	st = kid_end(&k);
	EXPECT_TRUE(exited0(st)) TH_LOG("child: %s", how(st));
}

TEST_F_TIMEOUT(fork_advice, inherit_share_both_see_writes, 60)
{
	char *p = filled(&self->a, 0, BSD_INHERIT_SHARE, 'S');

	fork_advise(&self->a, variant->advice, variant->n);
	share_case(_metadata, &self->a, p);
}

TEST_F_TIMEOUT(fork_advice, default_shared_is_shared, 60)
{
	char *p = filled(&self->a, BSD_MAP_SHARED, -1, 'S');

	fork_advise(&self->a, variant->advice, variant->n);
	share_case(_metadata, &self->a, p);
}

static int copy_kid(struct kid *k, void *arg)
{
	volatile char *p = arg;

	p[1] = 'k';			/* must not reach the parent */
	KID_CHECK(p[1] == 'k');
	kid_say(k);
	KID_CHECK(!kid_hear(k));
	KID_CHECK(p[2] == 'C');		/* nor the parent's write us */
	kid_say(k);
	KID_CHECK(!kid_hear(k));	/* the parent has unmapped it */
	KID_CHECK(p[0] == 'C' && p[1] == 'k' && p[2] == 'C');
	KID_CHECK(p[PG - 1] == 'C');
	return 0;
}

static void copy_case(struct __test_metadata *_metadata, struct arena *a,
		      char *p)
{
	struct kid k;
	int st;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, kid_fork(&k, copy_kid, p));
	EXPECT_EQ(0, kid_hear(&k));
	EXPECT_EQ('C', p[1]);
	p[2] = 'P';
	kid_say(&k);
	EXPECT_EQ(0, kid_hear(&k));
	ASSERT_EQ(0, drop_and_reuse(a, p));
	kid_say(&k);
	st = kid_end(&k);
	EXPECT_TRUE(exited0(st)) TH_LOG("child: %s", how(st));
}

TEST_F_TIMEOUT(fork_advice, inherit_copy_stays_private, 60)
{
	char *p = filled(&self->a, 0, BSD_INHERIT_COPY, 'C');

	fork_advise(&self->a, variant->advice, variant->n);
	copy_case(_metadata, &self->a, p);
}

TEST_F_TIMEOUT(fork_advice, default_private_is_copy, 60)
{
	char *p = filled(&self->a, 0, -1, 'C');

	fork_advise(&self->a, variant->advice, variant->n);
	copy_case(_metadata, &self->a, p);
}

/* Linux refuses MADV_WIPEONFORK on shared and file mappings. */
TEST_F(rawsys, wipeonfork_is_einval)
{
	EXPECT_EQ(-1, madvise(self->a.base, self->a.size, MADV_WIPEONFORK));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, arena_works(&self->a, NULL));
}

/* 2. MADV_DONTFORK: the child has no arena, and may make its own. */
static int dontfork_kid(struct kid *k, void *arg)
{
	struct arena *old = arg, a;
	struct fault_result f = touch(old->base, 0, 0);
	char *q;

	KID_CHECK(f.sig == SIGSEGV && f.code == SEGV_MAPERR);
	KID_CHECK(!bsdvm_anon(old->fd, PG, 0) && errno == ENXIO);
	KID_CHECK(!arena_open(&a, ARENA_SIZE));
	q = bsdvm_anon(a.fd, 4 * PG, 0);
	KID_CHECK(q);
	pages_fill(q, 4, 'n');
	KID_CHECK(!pages_bad(q, 4, 'n', "child's own arena"));
	KID_CHECK(!arena_works(&a, NULL));
	arena_close(&a);
	return 0;
}

TEST_F(rawsys, dontfork_child_has_no_arena)
{
	struct data d;
	int st;

	ASSERT_EQ(0, data_make(&self->a, &d));
	ASSERT_EQ(0, madvise(self->a.base, self->a.size, MADV_DONTFORK));
	st = run_kid(dontfork_kid, &self->a);
	EXPECT_TRUE(exited0(st)) TH_LOG("child: %s", how(st));
	EXPECT_EQ(0, data_bad(&d));
	ASSERT_EQ(0, madvise(self->a.base, self->a.size, MADV_DOFORK));
	EXPECT_EQ(0, arena_works(&self->a, &d));
}

/*
 * 3. Every advice on the whole arena and on one BSD mapping in it (which
 * Linux can only apply by splitting the VMA: refused).  The errors are
 * only logged; the data and the arena must come through.  KEEPONFORK is
 * left to the fork_advice tests: it would break the fork check here.
 */
static int advise_both(struct arena *a, struct data *d, int adv, char *log)
{
	char name[24];

	snprintf(name, sizeof(name), "%d", adv);
	note(log, name, madvise(a->base, a->size, adv));
	snprintf(name, sizeof(name), "%d/part", adv);
	note(log, name, madvise(d->priv, 4 * PG, adv));
	return data_bad(d);
}

TEST_F_TIMEOUT(rawsys, every_madvise_keeps_data, 120)
{
	static const int poison[] = { 100, 101 };	/* HWPOISON, SOFT_OFFLINE */
	char log[LOG_LEN] = "";
	struct data d;
	int adv, i;

	ASSERT_EQ(0, data_make(&self->a, &d));
	for (adv = 0; adv <= MADV_COLLAPSE; adv++)
		if (adv != MADV_KEEPONFORK)
			EXPECT_EQ(0, advise_both(&self->a, &d, adv, log))
				TH_LOG("data changed by advice %d", adv);
	for (i = 0; i < 2 && !geteuid(); i++)
		EXPECT_EQ(0, advise_both(&self->a, &d, poison[i], log))
			TH_LOG("data changed by advice %d", poison[i]);
	TH_LOG("madvise:%s", log);
	EXPECT_EQ(0, arena_works(&self->a, &d));
	EXPECT_EQ(0, data_bad(&d));
}

/* 4. mlock and friends skip PFN mappings; as non-root they may fail. */
TEST_F(rawsys, mlock_keeps_data)
{
	struct arena *a = &self->a;
	char log[LOG_LEN] = "";
	struct data d;

	ASSERT_EQ(0, data_make(a, &d));
	note(log, "mlock", mlock(a->base, a->size));
	note(log, "mlock/part", mlock(d.priv, 4 * PG));
	note(log, "mlock2", mlock2(d.shar, 2 * PG, MLOCK_ONFAULT));
	note(log, "munlock/part", munlock(d.priv, 4 * PG));
	note(log, "munlock", munlock(a->base, a->size));
	TH_LOG("%s", log);
	EXPECT_EQ(0, data_bad(&d));
	EXPECT_EQ(0, arena_works(a, &d));
}

TEST_F(rawsys, mlockall_keeps_data_and_fork)
{
	char log[LOG_LEN] = "";
	struct data d;

	ASSERT_EQ(0, data_make(&self->a, &d));
	note(log, "cur|fut", mlockall(MCL_CURRENT | MCL_FUTURE));
	EXPECT_EQ(0, arena_works(&self->a, &d));
	note(log, "cur|fut|onfault",
	     mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT));
	TH_LOG("mlockall:%s", log);
	EXPECT_EQ(0, data_bad(&d));
	EXPECT_EQ(0, arena_works(&self->a, &d));
	EXPECT_EQ(0, munlockall());
	EXPECT_EQ(0, data_bad(&d));
}

/* A small arena: under MCL_FUTURE its size counts against RLIMIT_MEMLOCK. */
static int future_kid(struct kid *k, void *arg)
{
	struct arena a;
	struct data d;
	int r;

	if (mlockall(MCL_FUTURE))
		return errno == EPERM || errno == ENOMEM ? KID_SKIP : 1;
	r = arena_open(&a, 4UL << 20);
	if (r == -EAGAIN && geteuid())
		return KID_SKIP;
	KID_CHECK(!r);
	KID_CHECK(!data_make(&a, &d));
	KID_CHECK(!arena_works(&a, &d));
	KID_CHECK(!data_bad(&d));
	KID_CHECK(!munlockall());
	KID_CHECK(!arena_works(&a, &d));
	arena_close(&a);
	return 0;
}

TEST(mlockall_future_before_arena)
{
	int st = run_kid(future_kid, NULL);

	if (WIFEXITED(st) && WEXITSTATUS(st) == KID_SKIP)
		SKIP(return, "mlockall(MCL_FUTURE) or the arena: no memlock");
	EXPECT_TRUE(exited0(st)) TH_LOG("child: %s", how(st));
}

/* 5. Advice with a lasting effect on the VMA's flags. */
TEST_F(rawsys, hugepage_advice_maps_small_pages)
{
	const int n = 1024;		/* 4 MiB, two huge-page extents */
	char log[LOG_LEN] = "";
	void *p = NULL;

	note(log, "HUGEPAGE", madvise(self->a.base, self->a.size,
				      MADV_HUGEPAGE));
	ASSERT_EQ(0, bsdvm_map(self->a.fd, &p, n * PG, RW,
			       BSD_MAP_ANON | BSD_MAP_ALIGNED_SUPER));
	pages_fill(p, n, 0);
	EXPECT_EQ(0, pages_bad(p, n, 0, "after HUGEPAGE"));
	note(log, "COLLAPSE", madvise(p, n * PG, MADV_COLLAPSE));
	note(log, "NOHUGEPAGE", madvise(self->a.base, self->a.size,
					MADV_NOHUGEPAGE));
	TH_LOG("%s", log);
	EXPECT_EQ(0, pages_bad(p, n, 0, "after NOHUGEPAGE"));
	EXPECT_EQ(0, arena_works(&self->a, NULL));
}

/* The arena (VM_DONTDUMP) must never be in a core dump. */
TEST_F(rawsys, dodump_keeps_arena_out_of_dumps)
{
	char log[LOG_LEN] = "";

	note(log, "DONTDUMP", madvise(self->a.base, self->a.size,
				      MADV_DONTDUMP));
	note(log, "DODUMP", madvise(self->a.base, self->a.size, MADV_DODUMP));
	TH_LOG("%s", log);
	EXPECT_EQ(1, vma_flag(self->a.base, "dd"));
	EXPECT_EQ(0, arena_works(&self->a, NULL));
}

/* KSM must not take the arena (it ignores shared and PFN VMAs). */
TEST_F(rawsys, mergeable_is_ignored)
{
	char log[LOG_LEN] = "";
	struct data d;

	ASSERT_EQ(0, data_make(&self->a, &d));
	note(log, "MERGEABLE", madvise(self->a.base, self->a.size,
				       MADV_MERGEABLE));
	EXPECT_EQ(0, vma_flag(self->a.base, "mg"));
	note(log, "UNMERGEABLE", madvise(self->a.base, self->a.size,
					 MADV_UNMERGEABLE));
	TH_LOG("%s", log);
	EXPECT_EQ(0, data_bad(&d));
	EXPECT_EQ(0, arena_works(&self->a, &d));
}

/* Only anonymous memory can be named: the arena is a file mapping. */
TEST_F(rawsys, anon_name_is_refused)
{
	void *m = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct data d;
	int r;

	ASSERT_NE(MAP_FAILED, m);
	r = prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, m, PG, "rawsys");
	munmap(m, PG);
	if (r)
		SKIP(return, "PR_SET_VMA_ANON_NAME: %s", strerror(errno));
	ASSERT_EQ(0, data_make(&self->a, &d));
	EXPECT_EQ(-1, prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, self->a.base,
			    self->a.size, "rawsys"));
	TH_LOG("PR_SET_VMA_ANON_NAME on the arena: %s",
	       strerrorname_np(errno));
	EXPECT_EQ(0, data_bad(&d));
	EXPECT_EQ(0, arena_works(&self->a, &d));
}

/* Protections inside the arena are BSD's: ->mprotect refuses. */
TEST_F(rawsys, mprotect_and_pkey_mprotect_are_refused)
{
	struct arena *a = &self->a;
	struct data d;
	int key;

	ASSERT_EQ(0, data_make(a, &d));
	EXPECT_EQ(-1, mprotect(a->base, a->size, PROT_READ));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(d.priv, PG, PROT_NONE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, pkey_mprotect(a->base, a->size, PROT_READ, -1));
	EXPECT_EQ(EACCES, errno);
	key = pkey_alloc(0, PKEY_DISABLE_ACCESS);
	if (key >= 0) {
		EXPECT_EQ(-1, pkey_mprotect(a->base, a->size,
					    PROT_READ | PROT_WRITE, key));
		EXPECT_EQ(EACCES, errno);
		pkey_free(key);
	} else {
		TH_LOG("no protection keys: %s", strerrorname_np(errno));
	}
	EXPECT_EQ(0, touch(d.priv, 1, 'a').sig);	/* still writable */
	EXPECT_EQ(0, data_bad(&d));
}

static int uffd_open(void)
{
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0 && errno == EPERM)	/* vm.unprivileged_userfaultfd=0 */
		fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK |
			     UFFD_USER_MODE_ONLY);
	return fd;
}

/* userfaultfd takes only anonymous, shmem and hugetlb VMAs. */
TEST_F(rawsys, userfaultfd_register_is_einval)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { (uintptr_t)self->a.base, self->a.size },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	struct data d;
	int u = uffd_open();

	if (u < 0)
		SKIP(return, "userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(u, UFFDIO_API, &api));
	ASSERT_EQ(0, data_make(&self->a, &d));
	EXPECT_EQ(-1, ioctl(u, UFFDIO_REGISTER, &reg));
	EXPECT_EQ(EINVAL, errno);
	reg.range.start = (uintptr_t)d.priv;
	reg.range.len = 4 * PG;
	EXPECT_EQ(-1, ioctl(u, UFFDIO_REGISTER, &reg));
	EXPECT_EQ(EINVAL, errno);
	close(u);
	EXPECT_EQ(0, data_bad(&d));
	EXPECT_EQ(0, arena_works(&self->a, &d));
}

/* A sealed arena cannot be unmapped but still works, and exit frees it. */
static int seal_kid(struct kid *k, void *arg)
{
	struct arena *a = arg;
	char *q;

	KID_CHECK(!syscall(NR_MSEAL, a->base, a->size, 0));
	KID_CHECK(munmap(a->base, a->size) == -1 && errno == EPERM);
	q = bsdvm_anon(a->fd, 2 * PG, 0);
	KID_CHECK(q);
	pages_fill(q, 2, 'm');
	KID_CHECK(!pages_bad(q, 2, 'm', "sealed arena"));
	KID_CHECK(!bsdvm_unmap(a->fd, q, 2 * PG));
	KID_CHECK(!arena_works(a, NULL));
	return 0;
}

TEST_F(rawsys, mseal_then_exit_cleanly)
{
	int st;

	if (syscall(NR_MSEAL, 0, 0, 0) && errno == ENOSYS)
		SKIP(return, "no mseal on this kernel");
	st = run_kid(seal_kid, &self->a);
	EXPECT_TRUE(exited0(st)) TH_LOG("child: %s", how(st));
	EXPECT_EQ(0, arena_works(&self->a, NULL));
}

/* 6. /proc/self/mem goes through ->access; process_vm_* through GUP. */
static ssize_t mem_rw(int wr, void *addr, void *buf, size_t n)
{
	int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	off_t off = (off_t)(uintptr_t)addr;
	ssize_t r;

	if (fd < 0)
		return -1;
	r = wr ? pwrite(fd, buf, n, off) : pread(fd, buf, n, off);
	close(fd);
	return r;
}

TEST_F(rawsys, proc_self_mem_reads_and_writes)
{
	char buf[64], *q, *ro;
	struct data d;
	ssize_t r;

	ASSERT_EQ(0, data_make(&self->a, &d));
	EXPECT_EQ(64, mem_rw(0, d.priv + PG, buf, 64));
	EXPECT_TRUE(buf[0] == 'b' && buf[63] == 'b');
	EXPECT_EQ(64, mem_rw(0, d.file + PG, buf, 64));
	EXPECT_TRUE(buf[0] == 'g' && buf[63] == 'g');
	memset(buf, 'M', 64);
	EXPECT_EQ(64, mem_rw(1, d.priv + PG, buf, 64));
	EXPECT_TRUE(d.priv[PG] == 'M' && d.priv[PG + 63] == 'M');
	EXPECT_EQ('b', d.priv[PG + 64]);
	memset(d.priv + PG, 'b', 64);
	EXPECT_EQ(0, data_bad(&d));

	q = bsdvm_anon(self->a.fd, PG, 0);	/* a hole in the arena */
	ASSERT_EQ(0, bsdvm_unmap(self->a.fd, q, PG));
	EXPECT_EQ(-1, mem_rw(0, q, buf, 1));

	ro = bsdvm_anon(self->a.fd, PG, 0);	/* a read-only page */
	ASSERT_NE(NULL, ro);
	memset(ro, 'r', PG);
	ASSERT_EQ(0, bsdvm_protect(self->a.fd, ro, PG, R));
	r = mem_rw(1, ro, "X", 1);
	TH_LOG("/proc/self/mem write to a read-only page: %zd %s", r,
	       r < 0 ? strerrorname_np(errno) : "");
	EXPECT_EQ(r == 1 ? 'X' : 'r', ro[0]);
	EXPECT_EQ('r', ro[1]);
}

static int mem_cow_kid(struct kid *k, void *arg)
{
	struct data *d = arg;

	kid_say(k);
	KID_CHECK(!kid_hear(k));
	KID_CHECK(d->priv[0] == 'a');	/* the parent's write was a copy */
	KID_CHECK(d->shar[0] == 'M');	/* and reached the shared page */
	return 0;
}

TEST_F(rawsys, proc_self_mem_write_copies_on_write)
{
	struct data d;
	struct kid k;
	int st;

	ASSERT_EQ(0, data_make(&self->a, &d));
	ASSERT_EQ(0, kid_fork(&k, mem_cow_kid, &d));
	EXPECT_EQ(0, kid_hear(&k));
	EXPECT_EQ(1, mem_rw(1, d.priv, "M", 1));
	EXPECT_EQ(1, mem_rw(1, d.shar, "M", 1));
	EXPECT_EQ('M', d.priv[0]);
	EXPECT_EQ('M', d.shar[0]);
	kid_say(&k);
	st = kid_end(&k);
	EXPECT_TRUE(exited0(st)) TH_LOG("child: %s", how(st));
}

TEST_F(rawsys, process_vm_readv_writev_do_not_corrupt)
{
	char buf[64], lin[64];
	struct iovec l = { buf, 64 }, r;
	struct data d;
	ssize_t n;

	ASSERT_EQ(0, data_make(&self->a, &d));
	r = (struct iovec){ d.priv, 64 };
	n = process_vm_readv(getpid(), &l, 1, &r, 1, 0);
	TH_LOG("process_vm_readv from the arena: %zd %s", n,
	       n < 0 ? strerrorname_np(errno) : "");
	EXPECT_TRUE(n != 64 || (buf[0] == 'a' && buf[63] == 'a'));
	memset(buf, 'W', 64);
	n = process_vm_writev(getpid(), &l, 1, &r, 1, 0);
	TH_LOG("process_vm_writev to the arena: %zd %s", n,
	       n < 0 ? strerrorname_np(errno) : "");
	EXPECT_EQ(n == 64 ? 'W' : 'a', d.priv[63]);
	memset(d.priv, 'a', 64);
	/* the arena as the local buffer: copied with uaccess */
	memset(lin, 'L', 64);
	l = (struct iovec){ d.priv + PG, 64 };
	r = (struct iovec){ lin, 64 };
	n = process_vm_readv(getpid(), &l, 1, &r, 1, 0);
	TH_LOG("process_vm_readv into the arena: %zd %s", n,
	       n < 0 ? strerrorname_np(errno) : "");
	EXPECT_EQ(n == 64 ? 'L' : 'b', d.priv[PG + 63]);
	memset(d.priv + PG, 'b', 64);
	EXPECT_EQ(0, data_bad(&d));
	EXPECT_EQ(0, arena_works(&self->a, &d));
}

/*
 * 7. W^X.  A BSD map or protect: the errno of the map, and of the protect
 * to newprot (-1: none) when the map worked.
 */
struct wx_case {
	const char *name;
	int prot, newprot;
	int want_map, want_prot;
};

struct wx_res {
	int map, prot;
};

static void wx_run(int fd, const struct wx_case *c, struct wx_res *res,
		   int n)
{
	void *p;
	int i;

	for (i = 0; i < n; i++) {
		p = NULL;
		res[i].prot = 0;
		res[i].map = bsdvm_map(fd, &p, PG, c[i].prot, BSD_MAP_ANON);
		if (res[i].map)
			continue;
		if (c[i].newprot >= 0)
			res[i].prot = bsdvm_protect(fd, p, PG, c[i].newprot);
		bsdvm_unmap(fd, p, PG);
	}
}

static void wx_expect(struct __test_metadata *_metadata,
		      const struct wx_case *c, const struct wx_res *res, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		EXPECT_EQ(c[i].want_map, res[i].map) TH_LOG("%s: map",
							     c[i].name);
		EXPECT_EQ(c[i].want_prot, res[i].prot) TH_LOG("%s: protect",
							      c[i].name);
	}
}

/* Linux's map_deny_write_exec() after PR_MDWE_REFUSE_EXEC_GAIN. */
static const struct wx_case mdwe_cases[] = {
	{ "map RWX", RWX, -1, -EACCES, 0 },
	{ "RW to RX", RW, RX, 0, -EACCES },
	{ "RX to RX", RX, RX, 0, 0 },
	{ "R to RX", R, RX, 0, -EACCES },
	{ "RX to RWX", RX, RWX, 0, -EACCES },
};

#define N_MDWE	((int)ARRAY_SIZE(mdwe_cases))

static int mdwe_kid(struct kid *k, void *arg)
{
	struct arena *a = arg;
	struct wx_res *res = (struct wx_res *)(a + 1);

	if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0))
		return errno == EINVAL ? KID_SKIP : 1;
	wx_run(a->fd, mdwe_cases, res, N_MDWE);
	return 0;
}

/* In a child: MDWE cannot be undone.  Results come back in Linux memory. */
TEST_F(rawsys, mdwe_refuses_write_exec)
{
	struct arena *shm = mmap(NULL, PG, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int st;

	ASSERT_NE(MAP_FAILED, shm);
	*shm = self->a;
	st = run_kid(mdwe_kid, shm);
	if (WIFEXITED(st) && WEXITSTATUS(st) == KID_SKIP)
		SKIP(return, "no PR_SET_MDWE on this kernel");
	ASSERT_TRUE(exited0(st)) TH_LOG("child: %s", how(st));
	wx_expect(_metadata, mdwe_cases, (struct wx_res *)(shm + 1), N_MDWE);
	munmap(shm, PG);
}

/* The arena's Linux protection bounds every BSD protection inside it. */
FIXTURE(noexec) {
	struct arena a;
};

FIXTURE_SETUP(noexec)
{
	ASSERT_EQ(0, arena_open_prot(&self->a, ARENA_SIZE,
				     PROT_READ | PROT_WRITE));
}

FIXTURE_TEARDOWN(noexec)
{
	arena_close(&self->a);
}

static const struct wx_case noexec_cases[] = {
	{ "map RX", RX, -1, -EACCES, 0 },
	{ "map RWX", RWX, -1, -EACCES, 0 },
	{ "RW to RX", RW, RX, 0, -EACCES },
	{ "R to RW", R, RW, 0, 0 },		/* the control */
};

#define N_NOEXEC ((int)ARRAY_SIZE(noexec_cases))

TEST_F(noexec, bsd_exec_is_eacces)
{
	struct wx_res res[N_NOEXEC];

	wx_run(self->a.fd, noexec_cases, res, N_NOEXEC);
	wx_expect(_metadata, noexec_cases, res, N_NOEXEC);
	EXPECT_EQ(0, arena_works(&self->a, NULL));
}

/* mov eax, 42; ret */
static const unsigned char ret42[] = { 0xb8, 0x2a, 0, 0, 0, 0xc3 };

TEST_F(rawsys, exec_arena_runs_bsd_code)
{
	int (*fn)(void);
	void *p = NULL, *q = NULL;

	ASSERT_EQ(0, bsdvm_map(self->a.fd, &p, PG, RWX, BSD_MAP_ANON));
	memcpy(p, ret42, sizeof(ret42));
	fn = (int (*)(void))p;
	EXPECT_EQ(42, fn());
	ASSERT_EQ(0, bsdvm_protect(self->a.fd, p, PG, RX));
	EXPECT_EQ(42, fn());

	ASSERT_EQ(0, bsdvm_map(self->a.fd, &q, PG, RW, BSD_MAP_ANON));
	memcpy(q, ret42, sizeof(ret42));
	ASSERT_EQ(0, bsdvm_protect(self->a.fd, q, PG, RX));
	fn = (int (*)(void))q;
	EXPECT_EQ(42, fn());
}

/*
 * 8. Files Linux will not mmap (no ->mmap, or one that refuses): BSD
 * mmap must refuse them with the same errno.  /dev/null is the control.
 */
FIXTURE(nomap) {
	struct arena a;
};

FIXTURE_VARIANT(nomap) {
	const char *path;
};

FIXTURE_VARIANT_ADD(nomap, proc_status) {
	.path = "/proc/self/status",
};

FIXTURE_VARIANT_ADD(nomap, proc_maps) {
	.path = "/proc/self/maps",
};

FIXTURE_VARIANT_ADD(nomap, proc_meminfo) {
	.path = "/proc/meminfo",
};

FIXTURE_VARIANT_ADD(nomap, sysfs_thp) {
	.path = "/sys/kernel/mm/transparent_hugepage/enabled",
};

FIXTURE_VARIANT_ADD(nomap, cgroup) {
	.path = "/sys/fs/cgroup/cgroup.controllers",
};

FIXTURE_VARIANT_ADD(nomap, debugfs) {
	.path = "/sys/kernel/debug/bsdvm/counters",
};

FIXTURE_VARIANT_ADD(nomap, dev_null) {
	.path = "/dev/null",
};

FIXTURE_SETUP(nomap)
{
	ASSERT_EQ(0, arena_open(&self->a, ARENA_SIZE));
}

FIXTURE_TEARDOWN(nomap)
{
	arena_close(&self->a);
}

TEST_F(nomap, bsd_map_fails_like_linux)
{
	static const int lf[] = { MAP_PRIVATE, MAP_SHARED };
	static const int bf[] = { BSD_MAP_PRIVATE, BSD_MAP_SHARED };
	int fd = open(variant->path, O_RDONLY | O_CLOEXEC);
	int i, e, tried = 0;
	void *m, *p;

	if (fd < 0)
		SKIP(return, "%s: %s", variant->path, strerror(errno));
	for (i = 0; i < 2; i++) {
		m = mmap(NULL, PG, PROT_READ, lf[i], fd, 0);
		if (m != MAP_FAILED) {
			TH_LOG("Linux maps %s (flags %d)", variant->path, lf[i]);
			munmap(m, PG);
			continue;
		}
		e = errno;
		tried++;
		p = NULL;
		EXPECT_EQ(-e, bsdvm_mapfd(self->a.fd, &p, PG, R, bf[i], fd, 0))
			TH_LOG("%s, Linux mmap flags %d: %s", variant->path,
			       lf[i], strerrorname_np(e));
		if (p)
			bsdvm_unmap(self->a.fd, p, PG);
	}
	close(fd);
	if (!tried)
		SKIP(return, "Linux maps %s", variant->path);
}

TEST_HARNESS_MAIN
