// SPDX-License-Identifier: GPL-2.0
/*
 * Arena teardown races (issue 14): who may still reach a space, its map
 * lock or its pv entries while the space is going away.
 *
 *  - munmap(arena) downgrades mmap_lock to read before ->close ends the
 *    space, so sibling threads' ioctls (WILLNEED, MAP_PREFAULT_READ,
 *    UNMAP, PROTECT, MINCORE, STATS) and faults still find it: PTEs into
 *    a detached VMA, a map-lock waiter woken into a freed space.
 *  - A fault that reads a file page drops every lock; a sibling's munmap
 *    may free the space before the fault counts its loan on it.
 *  - pmap_protect reads pv entries that another process's
 *    pmap_page_protect (a COW of a shared page, write-back) frees.
 *  - The dump file checks the pid at open() and finds it again at read():
 *    after pid reuse an open descriptor shows another process's map.
 *  - After munmap(arena) a new arena works in the same process.
 *
 * Each racer runs rounds (a fresh process each, where the arena goes
 * away) for at most RACE_MS; what it asserts is what must hold whatever
 * the interleaving, and the kernel log (vmtest) must stay clean.
 */
#include <linux/fs.h>
#include <linux/loop.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include "kselftest_harness.h"
#include "bsdvm_test.h"

#define RW		(BSD_PROT_READ | BSD_PROT_WRITE)
#define RACE_MS		3000	/* per racer: rounds start until then */
#define MAX_ROUNDS	300
#define NTHREADS	4
#define TMPFS_MAGIC_	0x01021994

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Each racer keeps going past RACE_MS to its minimum rounds: on the debug
 * kernel (KASAN, lockdep) of a slow machine that took more than the
 * harness's default 30 s, and the harness killed the test.
 */
#define RACE_TIMEOUT	180

FIXTURE(race) {
	int unused;
};

FIXTURE_SETUP(race)
{
}

FIXTURE_TEARDOWN(race)
{
}

/*
 * Any arena access may raise SIGSEGV or SIGBUS once the arena is gone;
 * each thread has its own way back (the handler runs on the faulting
 * thread).
 */
static __thread sigjmp_buf *volatile thr_jmp;

static void thr_handler(int sig, siginfo_t *si, void *uc)
{
	if (thr_jmp)
		siglongjmp(*thr_jmp, 1);
	/* not an access of ours: die of it as without a handler */
	signal(sig, SIG_DFL);
}

static void thr_catch(void)
{
	struct sigaction sa = { 0 };

	sa.sa_sigaction = thr_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

/* One access; false if it raised SIGSEGV or SIGBUS. */
static bool poke(volatile char *p, bool write, char v)
{
	sigjmp_buf jb;

	if (sigsetjmp(jb, 1)) {
		thr_jmp = NULL;
		return false;
	}
	thr_jmp = &jb;
	if (write)
		*p = v;
	else
		(void)*p;
	thr_jmp = NULL;
	return true;
}

static int wait_pipe(int fd)
{
	char c;

	return read(fd, &c, 1) == 1 ? 0 : -1;
}

/*
 * With no arena every BSD call is ENXIO: 0, or 1 + the index of the
 * first call that answered something else.
 */
static int all_enxio(int dev)
{
	unsigned char vec[1];
	struct bsdvm_stats st;
	void *p = NULL;
	char *q = (char *)0x10000000;
	int r[9], i;

	r[0] = bsdvm_map(dev, &p, PG, RW, BSD_MAP_ANON);
	r[1] = bsdvm_unmap(dev, q, PG);
	r[2] = bsdvm_protect(dev, q, PG, BSD_PROT_READ);
	r[3] = bsdvm_inherit(dev, q, PG, BSD_INHERIT_SHARE);
	r[4] = bsdvm_advise(dev, q, PG, BSD_MADV_WILLNEED);
	r[5] = bsdvm_mincore(dev, q, PG, vec);
	r[6] = bsdvm_brk(dev, 0, NULL, NULL);
	r[7] = bsdvm_stats(dev, &st, 0);
	r[8] = bsdvm_msync(dev, q, PG, BSD_MS_SYNC);
	for (i = 0; i < 9; i++)
		if (r[i] != -ENXIO)
			return i + 1;
	return 0;
}

/* The module's live counts, to see that a racer left nothing behind. */
static void global_stats(struct __test_metadata *_metadata,
			 struct bsdvm_stats *st)
{
	int dev = open(BSDVM_DEVICE, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, dev);
	ASSERT_EQ(0, bsdvm_stats(dev, st, 1));
	close(dev);
}

static void expect_same_counts(struct __test_metadata *_metadata,
			       const struct bsdvm_stats *before)
{
	struct bsdvm_stats after;

	global_stats(_metadata, &after);
	EXPECT_EQ(before->spaces, after.spaces);
	EXPECT_EQ(before->entries, after.entries);
	EXPECT_EQ(before->objects, after.objects);
	EXPECT_EQ(before->pages, after.pages);
	EXPECT_EQ(before->pages_lent, after.pages_lent);
}

/*
 * Rounds of fn(arg, round) in a fresh process each, for RACE_MS (at
 * least 3 rounds): each must exit 0 by itself.  Returns the rounds run.
 */
static int run_rounds(struct __test_metadata *_metadata,
		      int (*fn)(void *arg, int round), void *arg,
		      void (*between)(void *arg))
{
	long end = now_ms() + RACE_MS;
	int round, status;
	pid_t pid;

	for (round = 0; round < MAX_ROUNDS; round++) {
		if (round >= 3 && now_ms() >= end)
			break;
		if (between)
			between(arg);
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			_exit(fn(arg, round));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status)) {
			TH_LOG("round %d killed by signal %d", round,
			       WTERMSIG(status));
		}
		ASSERT_EQ(0, WEXITSTATUS(status)) {
			TH_LOG("round %d failed", round);
		}
	}
	return round;
}

/* ---- 1. munmap(arena) against every ioctl and plain accesses ---- */

#define T1_PAGES	64	/* anonymous, all resident */
#define T1_FPAGES	16	/* a tmpfs file: page-cache pages, lent */

struct t1 {
	int dev, file;
	char *anon, *fmap;
	volatile int stop;
	int gone;		/* munmap has returned */
	int ops;		/* done by all threads */
	int late_bad;		/* began after munmap, did not fail ENXIO */
	int late_err, late_op;
};

static bool t1_gone(struct t1 *s)
{
	return __atomic_load_n(&s->gone, __ATOMIC_ACQUIRE);
}

/* An ioctl that began after munmap returned must fail ENXIO. */
#define T1_CALL(s, op, call) do {					\
	bool late_ = t1_gone(s);					\
	int rc_ = (call);						\
									\
	if (late_ && rc_ != -ENXIO) {					\
		__atomic_add_fetch(&(s)->late_bad, 1, __ATOMIC_RELAXED);\
		(s)->late_err = rc_;					\
		(s)->late_op = (op);					\
	}								\
	rc = rc_;							\
} while (0)

static void t1_op(struct t1 *s, int op, unsigned int *seed)
{
	unsigned char vec[T1_PAGES];
	struct bsdvm_stats st;
	char *q = s->anon + rand_r(seed) % T1_PAGES * PG;
	void *f = NULL, *qq = q;
	int rc;

	switch (op) {
	case 0:
		/* PTEs entered outside a fault, over resident pages */
		T1_CALL(s, op, bsdvm_advise(s->dev, s->anon, T1_PAGES * PG,
					    BSD_MADV_WILLNEED));
		T1_CALL(s, op, bsdvm_advise(s->dev, s->fmap, T1_FPAGES * PG,
					    BSD_MADV_WILLNEED));
		break;
	case 1:
		T1_CALL(s, op, bsdvm_mapfd(s->dev, &f, T1_FPAGES * PG,
					   BSD_PROT_READ, BSD_MAP_SHARED |
					   BSD_MAP_PREFAULT_READ, s->file, 0));
		if (!rc)
			T1_CALL(s, op, bsdvm_unmap(s->dev, f, T1_FPAGES * PG));
		break;
	case 2:
		T1_CALL(s, op, bsdvm_unmap(s->dev, q, PG));
		T1_CALL(s, op, bsdvm_map(s->dev, &qq, PG, RW,
					 BSD_MAP_ANON | BSD_MAP_FIXED));
		break;
	case 3:
		T1_CALL(s, op, bsdvm_protect(s->dev, s->anon, T1_PAGES * PG,
					     BSD_PROT_READ));
		T1_CALL(s, op, bsdvm_protect(s->dev, s->anon, T1_PAGES * PG,
					     RW));
		T1_CALL(s, op, bsdvm_inherit(s->dev, q, PG, BSD_INHERIT_COPY));
		break;
	case 4:
		T1_CALL(s, op, bsdvm_mincore(s->dev, s->anon, T1_PAGES * PG,
					     vec));
		break;
	case 5:
		T1_CALL(s, op, bsdvm_stats(s->dev, &st, 0));
		break;
	case 6:
		poke(q + 8, true, 1);
		break;
	default:
		poke(s->fmap + rand_r(seed) % T1_FPAGES * PG, false, 0);
		poke(q + 16, false, 0);
		break;
	}
}

static void *t1_thread(void *arg)
{
	struct t1 *s = arg;
	unsigned int seed = (unsigned int)(uintptr_t)&seed;
	int k;

	for (k = (int)(seed % 8); !s->stop; k++) {
		t1_op(s, k % 8, &seed);
		__atomic_add_fetch(&s->ops, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void wait_ops(int *ops, int n)
{
	while (__atomic_load_n(ops, __ATOMIC_RELAXED) < n)
		sched_yield();
}

static int t1_round(void *arg, int round)
{
	struct t1 s = { .file = *(int *)arg };
	pthread_t t[NTHREADS];
	struct arena a;
	int i, e;

	if (arena_open(&a, ARENA_SIZE))
		return 10;
	s.dev = a.fd;
	s.anon = bsdvm_anon(a.fd, T1_PAGES * PG, 0);
	s.fmap = map_file(a.fd, s.file, T1_FPAGES * PG, BSD_PROT_READ,
			  BSD_MAP_SHARED);
	if (!s.anon || !s.fmap)
		return 11;
	memset(s.anon, 0x5a, T1_PAGES * PG);
	for (i = 0; i < T1_FPAGES; i++)
		(void)*(volatile char *)(s.fmap + i * PG);
	thr_catch();
	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, t1_thread, &s))
			return 12;
	/* all under way, then a varying delay into their loops */
	wait_ops(&s.ops, 8 * NTHREADS);
	usleep(round * 397 % 3000);
	if (munmap(a.base, a.size))
		return 13;
	__atomic_store_n(&s.gone, 1, __ATOMIC_RELEASE);
	/* every thread meets the vanished arena a few times */
	wait_ops(&s.ops, __atomic_load_n(&s.ops, __ATOMIC_RELAXED) +
		 16 * NTHREADS);
	s.stop = 1;
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	if (s.late_bad) {
		fprintf(stderr, "# round %d: %d calls after munmap, op %d: %d\n",
			round, s.late_bad, s.late_op, s.late_err);
		return 14;
	}
	e = all_enxio(a.fd);
	if (e) {
		fprintf(stderr, "# round %d: call %d is not ENXIO\n", round,
			e - 1);
		return 20 + e;
	}
	close(a.fd);
	return 0;
}

/*
 * A process that keeps file mapped until told (quit), so that the
 * file's object never loses its last mapping during the rounds: that
 * is another race, file_remapped_while_reaped.  Its pid, or -1.
 */
static pid_t hold_mapped(int file, size_t len, int *quit)
{
	int ready[2], q[2];
	char c;
	pid_t pid;

	if (pipe(ready) || pipe(q))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct arena a;

		close(q[1]);
		if (arena_open(&a, ARENA_SIZE) ||
		    !map_file(a.fd, file, len, BSD_PROT_READ, BSD_MAP_SHARED))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		wait_pipe(q[0]);
		_exit(0);
	}
	close(q[0]);
	close(ready[1]);
	if (pid < 0 || read(ready[0], &c, 1) != 1) {
		close(q[1]);
		pid = -1;
	}
	close(ready[0]);
	*quit = q[1];
	return pid;
}

TEST_F_TIMEOUT(race, arena_munmap_races_ioctls_and_accesses, RACE_TIMEOUT)
{
	char path[] = "/tmp/bsdvm-lifetime-XXXXXX";
	struct bsdvm_stats before;
	int file, rounds, quit, status;
	pid_t holder;

	global_stats(_metadata, &before);
	file = make_pattern_file(path, T1_FPAGES, 'a');
	ASSERT_LE(0, file);
	unlink(path);
	holder = hold_mapped(file, T1_FPAGES * PG, &quit);
	ASSERT_LT(0, holder);
	rounds = run_rounds(_metadata, t1_round, &file, NULL);
	TH_LOG("%d rounds", rounds);
	close(quit);
	ASSERT_EQ(holder, waitpid(holder, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(file);
	expect_same_counts(_metadata, &before);
}

/* ---- 2. a fault reading a file page while the arena goes ---- */

struct t2 {
	int file;
	size_t pages, per_round;
	bool bdev;
};

struct t2_run {
	char *p;
	size_t pages, first;
	int started;
	int gone;
};

struct t2_arg {
	struct t2_run *r;
	int id;
};

/* Cold pages, one read each (MADV_RANDOM), until the arena is gone. */
static void *t2_thread(void *arg)
{
	struct t2_arg *ta = arg;
	struct t2_run *r = ta->r;
	size_t k, pg;

	for (k = 0;; k++) {
		pg = r->first + ta->id + k * NTHREADS;
		if (pg >= r->pages)
			pg %= r->pages;
		__atomic_add_fetch(&r->started, 1, __ATOMIC_RELAXED);
		if (!poke(r->p + pg * PG, false, 0))
			break;
		if (__atomic_load_n(&r->gone, __ATOMIC_ACQUIRE))
			break;
	}
	return NULL;
}

static int t2_round(void *arg, int round)
{
	struct t2 *t = arg;
	struct t2_run r = { .pages = t->pages };
	struct t2_arg ta[NTHREADS];
	pthread_t th[NTHREADS];
	struct arena a;
	int i, e;

	r.first = (size_t)round * t->per_round % t->pages;
	if (arena_open(&a, ARENA_SIZE))
		return 10;
	r.p = map_file(a.fd, t->file, t->pages * PG, BSD_PROT_READ,
		       BSD_MAP_SHARED);
	if (!r.p)
		return 11;
	/* no read-around: every page a read of its own, a lock drop each */
	if (bsdvm_advise(a.fd, r.p, t->pages * PG, BSD_MADV_RANDOM))
		return 12;
	thr_catch();
	for (i = 0; i < NTHREADS; i++) {
		ta[i] = (struct t2_arg){ &r, i };
		if (pthread_create(&th[i], NULL, t2_thread, &ta[i]))
			return 13;
	}
	wait_ops(&r.started, NTHREADS);
	usleep(round * 211 % 2000);
	if (munmap(a.base, a.size))
		return 14;
	__atomic_store_n(&r.gone, 1, __ATOMIC_RELEASE);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	e = all_enxio(a.fd);
	if (e)
		return 20 + e;
	close(a.fd);
	return 0;
}

/*
 * Before each round: release the loans of files nobody maps any more
 * (the global stats call does) and drop the clean cache, so the round's
 * pages need a read.
 */
static void t2_drop_cache(void *arg)
{
	struct t2 *t = arg;
	struct bsdvm_stats st;
	int dev = open(BSDVM_DEVICE, O_RDWR | O_CLOEXEC);

	if (dev >= 0) {
		bsdvm_stats(dev, &st, 1);
		close(dev);
	}
	posix_fadvise(t->file, 0, 0, POSIX_FADV_DONTNEED);
	if (t->bdev)
		ioctl(t->file, BLKFLSBUF, 0);
}

static void t2_run_rounds(struct __test_metadata *_metadata, struct t2 *t)
{
	struct bsdvm_stats before;
	int rounds;

	global_stats(_metadata, &before);
	rounds = run_rounds(_metadata, t2_round, t, t2_drop_cache);
	TH_LOG("%d rounds over %zu pages", rounds, t->pages);
	t2_drop_cache(t);
	expect_same_counts(_metadata, &before);
}

#define T2_IMG_PAGES	8192	/* 32 MiB */

/* Attach image path to a free loop device: an fd on it, or -1. */
static int loop_attach(const char *path)
{
	int ctl, n, lfd, ifd;
	char dev[32];

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0 && system("modprobe loop 2>/dev/null") == 0)
		ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -1;
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (n < 0)
		return -1;
	snprintf(dev, sizeof(dev), "/dev/loop%d", n);
	lfd = open(dev, O_RDWR | O_CLOEXEC);
	ifd = open(path, O_RDWR | O_CLOEXEC);
	if (lfd < 0 || ifd < 0 || ioctl(lfd, LOOP_SET_FD, ifd)) {
		if (lfd >= 0)
			close(lfd);
		lfd = -1;
	}
	if (ifd >= 0)
		close(ifd);
	return lfd;
}

/*
 * A loop device: its reads fill the page cache, which the fault then
 * lends (and counts on the space) after the lock was dropped.
 */
TEST_F_TIMEOUT(race, file_fault_races_munmap_bdev, RACE_TIMEOUT)
{
	char img[] = "/tmp/bsdvm-lifetime-img-XXXXXX";
	struct t2 t = { .pages = T2_IMG_PAGES, .per_round = 256,
			.bdev = true };
	int fd;

	if (geteuid())
		SKIP(return, "a loop device needs root");
	fd = make_pattern_file(img, T2_IMG_PAGES, 'A');
	ASSERT_LE(0, fd);
	close(fd);
	t.file = loop_attach(img);
	if (t.file < 0) {
		unlink(img);
		SKIP(return, "no loop device");
	}
	t2_run_rounds(_metadata, &t);
	ioctl(t.file, LOOP_CLR_FD);
	close(t.file);
	unlink(img);
}

/*
 * A file on the guest's 9p root (cache=none: every page a read, none
 * kept, so the dropped-lock path on every round without root): this
 * program, most of which (the debug info) nothing maps.
 */
TEST_F_TIMEOUT(race, file_fault_races_munmap_uncached, RACE_TIMEOUT)
{
	struct t2 t = { .per_round = 0 };
	struct statfs sfs;
	struct stat st;

	t.file = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, t.file);
	ASSERT_EQ(0, fstat(t.file, &st));
	ASSERT_EQ(0, fstatfs(t.file, &sfs));
	if (sfs.f_type == TMPFS_MAGIC_) {
		close(t.file);
		SKIP(return, "this program is on tmpfs: lent, never read");
	}
	t.pages = st.st_size / PG;
	ASSERT_LT(NTHREADS, t.pages);
	t2_run_rounds(_metadata, &t);
	close(t.file);
}

/* ---- 3. pmap_protect against another process's pmap_page_protect ---- */

struct t3 {
	int dev;
	char *p;
	size_t len;
	volatile int stop;
	int loops;
};

/* Lower and raise the whole range: pmap_protect walks every record. */
static void *t3_protector(void *arg)
{
	struct t3 *s = arg;

	while (!s->stop) {
		bsdvm_protect(s->dev, s->p, s->len, BSD_PROT_READ);
		bsdvm_protect(s->dev, s->p, s->len, RW);
		__atomic_add_fetch(&s->loops, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void read_all(char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += PG)
		poke(p + i, false, 0);
}

/* The protector leaves the range read-only half the time: retry. */
static void write_all(char *p, size_t len, char v)
{
	size_t i;

	for (i = 0; i < len; i += PG)
		while (!poke(p + i, true, v))
			sched_yield();
}

#define T3_PAGES	1024

/*
 * One round: P (us) writes a private region, forks X (copy: both
 * share its object O) and, with the region now INHERIT_SHARE, Y: P and
 * Y share a shadow S over O.  P keeps reading O's pages through S while
 * its protector walks them; Y writes every page, each write a COW into
 * the shared S that takes O's page from every pmap, P's pv entry freed
 * under P's walk.
 */
static void t3_cow_round(struct __test_metadata *_metadata, struct t3 *s)
{
	int px[2], py[2], status;
	pid_t x, y;
	size_t i;

	write_all(s->p, s->len, 1);
	ASSERT_EQ(0, pipe(px));
	ASSERT_EQ(0, pipe(py));
	x = fork();
	ASSERT_LE(0, x);
	if (x == 0) {
		/* keep O referenced twice: Y's writes copy, never rename */
		close(px[1]);
		close(py[1]);
		wait_pipe(px[0]);
		bsdvm_unmap(s->dev, s->p, s->len);
		_exit(0);
	}
	ASSERT_EQ(0, bsdvm_inherit(s->dev, s->p, s->len, BSD_INHERIT_SHARE));
	y = fork();
	ASSERT_LE(0, y);
	if (y == 0) {
		close(px[1]);
		close(py[1]);
		if (wait_pipe(py[0]))
			_exit(1);
		/* the protector may have left the entry read-only at fork */
		if (bsdvm_protect(s->dev, s->p, s->len, RW))
			_exit(2);
		for (i = 0; i < s->len; i += PG)
			s->p[i] = 2;
		bsdvm_unmap(s->dev, s->p, s->len / 2);
		_exit(0);
	}
	read_all(s->p, s->len);
	ASSERT_EQ(1, write(py[1], "g", 1));
	while (waitpid(y, &status, WNOHANG) == 0)
		read_all(s->p, s->len);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Y's writes are in the shared S */
	EXPECT_EQ(2, s->p[0]);
	ASSERT_EQ(1, write(px[1], "g", 1));
	ASSERT_EQ(x, waitpid(x, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(px[0]);
	close(px[1]);
	close(py[0]);
	close(py[1]);
}

TEST_F_TIMEOUT(race, protect_races_cow_of_shared_pages, RACE_TIMEOUT)
{
	struct t3 s = { .len = T3_PAGES * PG };
	struct bsdvm_stats before;
	long end = now_ms() + RACE_MS;
	struct arena a;
	pthread_t t;
	int rounds = 0;

	global_stats(_metadata, &before);
	ASSERT_EQ(0, arena_open(&a, ARENA_SIZE));
	s.dev = a.fd;
	thr_catch();
	ASSERT_EQ(0, pthread_create(&t, NULL, t3_protector, &s));
	while (rounds < 3 || now_ms() < end) {
		void *q = (void *)0x0;

		ASSERT_EQ(0, bsdvm_map(a.fd, &q, s.len, RW, BSD_MAP_ANON));
		s.p = q;
		t3_cow_round(_metadata, &s);
		s.p = NULL;
		ASSERT_EQ(0, bsdvm_unmap(a.fd, q, s.len));
		rounds++;
	}
	s.stop = 1;
	pthread_join(t, NULL);
	TH_LOG("%d rounds, %d protect loops", rounds, s.loops);
	arena_close(&a);
	expect_same_counts(_metadata, &before);
}

#define T3_FPAGES	256

/*
 * A shared file mapping: P's protector walks it while P reads and
 * writes it; a child writing the same pages (each write to a loan a
 * copy that takes the loan from every pmap), msync (write-back takes
 * write access from every pmap) and pwrite(2) (the object drops its
 * clean pages) keeps freeing P's pv entries.
 */
static void t3_file_child(int dev, int file, char *p, size_t len, long end)
{
	char buf[PG];
	size_t i;
	int k;

	memset(buf, 'w', PG);
	if (bsdvm_protect(dev, p, len, RW))
		_exit(1);
	for (k = 0; now_ms() < end; k++) {
		for (i = 0; i < len; i += PG)
			p[i + 1] = (char)k;
		bsdvm_msync(dev, p, len, BSD_MS_SYNC);
		if (pwrite(file, buf, PG, (k % (len / PG)) * PG) != PG)
			_exit(2);
	}
	_exit(0);
}

TEST_F_TIMEOUT(race, protect_races_msync_and_file_writes, RACE_TIMEOUT)
{
	char path[] = "/tmp/bsdvm-lifetime-XXXXXX";
	struct t3 s = { .len = T3_FPAGES * PG };
	struct bsdvm_stats before;
	long end = now_ms() + RACE_MS;
	struct arena a;
	int file, status, k;
	pthread_t t;
	pid_t c;

	global_stats(_metadata, &before);
	file = make_pattern_file(path, T3_FPAGES, 'a');
	ASSERT_LE(0, file);
	unlink(path);
	ASSERT_EQ(0, arena_open(&a, ARENA_SIZE));
	s.dev = a.fd;
	s.p = map_file(a.fd, file, s.len, RW, BSD_MAP_SHARED);
	ASSERT_NE(NULL, s.p);
	ASSERT_EQ(0, bsdvm_inherit(a.fd, s.p, s.len, BSD_INHERIT_SHARE));
	thr_catch();
	c = fork();
	ASSERT_LE(0, c);
	if (c == 0)
		t3_file_child(a.fd, file, s.p, s.len, end);
	ASSERT_EQ(0, pthread_create(&t, NULL, t3_protector, &s));
	for (k = 0; waitpid(c, &status, WNOHANG) == 0; k++) {
		size_t i;

		/* RW entries (writes) and R ones (reads) for the walk */
		for (i = 0; i < s.len; i += PG)
			poke(s.p + i + 2, k & 1, (char)k);
	}
	s.stop = 1;
	pthread_join(t, NULL);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	TH_LOG("%d passes, %d protect loops", k, s.loops);
	arena_close(&a);
	close(file);
	expect_same_counts(_metadata, &before);
}

/* ---- 4. the dump descriptor after its pid is reused ---- */

#define DUMP_DIR	"/sys/kernel/debug/bsdvm/spaces"
#define PID_MAX		"/proc/sys/kernel/pid_max"
/*
 * With pid_max lowered, pids cycle in [RESERVED_PIDS, LOW_PID_MAX) once
 * the last one handed out is past RESERVED_PIDS (before that, from 1:
 * a pid below it would never come round again).
 */
#define RESERVED_PIDS	300
#define LOW_PID_MAX	364

static long read_long(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

static int write_long(const char *path, long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CLOEXEC), n, ok;

	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld\n", v);
	ok = write(fd, buf, n) == n;
	close(fd);
	return ok ? 0 : -1;
}

FIXTURE(reuse) {
	long pid_max;
	pid_t a, b, c;
	int go, quit_c, quit_b, dfd;
};

FIXTURE_SETUP(reuse)
{
	self->pid_max = -1;
	self->a = self->b = self->c = -1;
	self->go = self->quit_c = self->quit_b = self->dfd = -1;
	if (geteuid())
		SKIP(return, "the dump needs root (debugfs)");
	if (access(DUMP_DIR, R_OK))
		SKIP(return, "no " DUMP_DIR);
	self->pid_max = read_long(PID_MAX);
	ASSERT_LT(0, self->pid_max);
	/* C below outlives its parent A: it must come back to us */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
}

/* Tell a child waiting in wait_pipe() to go on. */
static void tell(int *fd)
{
	if (*fd < 0)
		return;
	if (write(*fd, "q", 1) != 1)
		perror("tell");
	close(*fd);
	*fd = -1;
}

/* After a failure too: pid_max back, every child told to exit, reaped. */
FIXTURE_TEARDOWN(reuse)
{
	if (self->pid_max > 0)
		EXPECT_EQ(0, write_long(PID_MAX, self->pid_max));
	if (self->dfd >= 0)
		close(self->dfd);
	tell(&self->go);
	tell(&self->quit_c);
	tell(&self->quit_b);
	if (self->a > 0)
		waitpid(self->a, NULL, 0);
	if (self->c > 0)
		waitpid(self->c, NULL, 0);
	if (self->b > 0)
		waitpid(self->b, NULL, 0);
}

static int holder_fd;

static int holder(void *arg)
{
	wait_pipe(holder_fd);
	return 0;
}

/*
 * A: maps an arena, clones C sharing its mm (so the space, named after
 * A, outlives A), says C's pid and waits to be told to exit.
 */
static void child_a(int ready, int go, int quit_c)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	struct arena a;
	pid_t c;

	if (arena_open(&a, ARENA_SIZE) || !bsdvm_anon(a.fd, 4 * PG, 0))
		_exit(1);
	holder_fd = quit_c;
	c = clone(holder, stack + sizeof(stack), CLONE_VM | SIGCHLD, NULL);
	if (c < 0)
		_exit(2);
	if (write(ready, &c, sizeof(c)) != sizeof(c))
		_exit(3);
	wait_pipe(go);
	_exit(0);
}

/* B: A's pid again, with an arena of another size; says where it is. */
static void child_b(int info, int quit)
{
	struct arena a;
	unsigned long r[2];

	if (arena_open(&a, 2 * ARENA_SIZE))
		_exit(1);
	r[0] = (unsigned long)a.base;
	r[1] = r[0] + a.size;
	if (write(info, r, sizeof(r)) != sizeof(r))
		_exit(2);
	wait_pipe(quit);
	_exit(0);
}

/*
 * The write ends a child must not keep: each waiting child sees EOF
 * if the test dies before telling it.
 */
static void close_ends(const int *fds, int n)
{
	while (n--)
		if (fds[n] >= 0)
			close(fds[n]);
}

/* Fork (and reap) until the pids handed out are past RESERVED_PIDS. */
static int pids_past_reserved(void)
{
	int i;

	for (i = 0; i < 2 * LOW_PID_MAX; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0)
			return -1;
		waitpid(pid, NULL, 0);
		if (pid > RESERVED_PIDS)
			return 0;
	}
	return -1;
}

/* Fork until a child gets pid want (it becomes B); B's pid or -1. */
static pid_t fork_as(pid_t want, int info, int quit, const int *shut)
{
	long end = now_ms() + 20000;
	int i;

	for (i = 0; i < 4 * LOW_PID_MAX && now_ms() < end; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			close_ends(shut, 3);
			if (getpid() == want)
				child_b(info, quit);
			_exit(0);
		}
		if (pid == want)
			return pid;
		if (pid > 0)
			waitpid(pid, NULL, 0);
		else
			usleep(1000);	/* EAGAIN: the small range is full */
	}
	return -1;
}

/* The dump read through fd from its start, NUL-ended; -errno or length. */
static ssize_t dump_read(int fd, char *buf, size_t len)
{
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return n;
}

TEST_F(reuse, dump_fd_does_not_follow_a_reused_pid)
{
	int ready[2], go[2], quit_c[2], info[2], quit_b[2], shut[3];
	int status, i;
	char path[64], buf[8192], line[64];
	unsigned long brange[2];
	ssize_t n;

	if (self->pid_max < 0)
		return;		/* skipped in the setup */
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(quit_c, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(info, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(quit_b, O_CLOEXEC));
	self->go = go[1];
	self->quit_c = quit_c[1];
	self->quit_b = quit_b[1];
	shut[0] = go[1];
	shut[1] = quit_c[1];
	shut[2] = quit_b[1];
	/* a small pid range, so that A's pid comes round again soon */
	ASSERT_EQ(0, write_long(PID_MAX, LOW_PID_MAX));
	ASSERT_EQ(0, pids_past_reserved());
	self->a = fork();
	ASSERT_LE(0, self->a);
	if (self->a == 0) {
		close_ends(shut, 3);
		child_a(ready[1], go[0], quit_c[0]);
	}
	ASSERT_EQ(sizeof(self->c), read(ready[0], &self->c,
					 sizeof(self->c)));

	/* A's file appears once the dump's work item has run */
	snprintf(path, sizeof(path), DUMP_DIR "/%d", self->a);
	for (i = 0; i < 500 && access(path, R_OK); i++)
		usleep(10000);
	self->dfd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->dfd);
	n = dump_read(self->dfd, buf, sizeof(buf));
	ASSERT_LT(0, n);
	snprintf(line, sizeof(line), "pid %d arena ", self->a);
	EXPECT_EQ(0, strncmp(buf, line, strlen(line)));

	/* A goes; its space lives on in C (the file with it) */
	tell(&self->go);
	ASSERT_EQ(self->a, waitpid(self->a, &status, 0));
	self->b = fork_as(self->a, info[1], quit_b[0], shut);
	EXPECT_EQ(0, write_long(PID_MAX, self->pid_max));
	self->pid_max = -1;
	ASSERT_EQ(self->a, self->b) {
		TH_LOG("pid %d did not come round again", self->a);
	}
	self->a = -1;
	ASSERT_EQ(sizeof(brange), read(info[0], brange, sizeof(brange)));
	/* C goes, and A's space with it: only B's space has the pid now */
	tell(&self->quit_c);
	ASSERT_EQ(self->c, waitpid(self->c, &status, 0));
	self->c = -1;

	snprintf(line, sizeof(line), "arena 0x%lx 0x%lx", brange[0],
		 brange[1]);
	n = dump_read(self->dfd, buf, sizeof(buf));
	if (n >= 0) {
		EXPECT_EQ(NULL, strstr(buf, line)) {
			TH_LOG("A's descriptor shows B (pid %d again): %.120s",
			       self->b, buf);
		}
	} else {
		EXPECT_TRUE(n == -ESRCH || n == -EIO) {
			TH_LOG("read: %s", strerror((int)-n));
		}
	}
	tell(&self->quit_b);
	ASSERT_EQ(self->b, waitpid(self->b, &status, 0));
	self->b = -1;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (i = 0; i < 2; i++) {
		close(ready[i]);
		close(info[i]);
	}
	close(go[0]);
	close(quit_c[0]);
	close(quit_b[0]);
}

/* ---- 5. a new arena after munmap(arena), ioctls going on ---- */

struct t5 {
	int dev;
	char *volatile base;	/* the arena now (or the last one) */
	volatile int stop;
	int bad, bad_err, ops;
};

/*
 * Map, write and unmap a few pages at a fixed place of whichever arena
 * is current (away from the first page, the main thread's), with stats
 * and mincore: any call may meet the old space, the new one or none.
 */
static void *t5_thread(void *arg)
{
	struct t5 *s = arg;
	unsigned char vec[4];
	struct bsdvm_stats st;
	int k, rc;

	for (k = 0; !s->stop; k++) {
		void *q = s->base + (64 + k % 16 * 4) * PG;

		rc = bsdvm_map(s->dev, &q, 4 * PG, RW,
			       BSD_MAP_ANON | BSD_MAP_FIXED);
		if (rc && rc != -ENXIO && rc != -EINVAL && rc != -ENOMEM) {
			s->bad++;
			s->bad_err = rc;
		}
		if (!rc)
			poke((char *)q + PG + 3, true, 1);
		bsdvm_mincore(s->dev, q, 4 * PG, vec);
		rc = bsdvm_stats(s->dev, &st, 0);
		if (rc && rc != -ENXIO) {
			s->bad++;
			s->bad_err = rc;
		}
		bsdvm_unmap(s->dev, q, 4 * PG);
		__atomic_add_fetch(&s->ops, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

TEST_F_TIMEOUT(race, new_arena_after_munmap_with_ioctls_in_flight, RACE_TIMEOUT)
{
	struct bsdvm_stats before, st;
	struct arena a;
	struct t5 s;
	pthread_t t;
	int i;

	global_stats(_metadata, &before);
	ASSERT_EQ(0, arena_open(&a, ARENA_SIZE));
	s = (struct t5){ .dev = a.fd, .base = a.base };
	thr_catch();
	ASSERT_EQ(0, pthread_create(&t, NULL, t5_thread, &s));
	for (i = 0; i < 30; i++) {
		void *p = a.base;

		wait_ops(&s.ops, s.ops + 2);
		ASSERT_EQ(0, munmap(a.base, a.size));
		EXPECT_EQ(0, all_enxio(a.fd));
		a.base = mmap(NULL, a.size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, a.fd, 0);
		ASSERT_NE(MAP_FAILED, a.base);
		s.base = a.base;
		/* the new space: a page at its start works */
		p = a.base;
		ASSERT_EQ(0, bsdvm_map(a.fd, &p, PG, RW,
				       BSD_MAP_ANON | BSD_MAP_FIXED));
		ASSERT_TRUE(poke(a.base + 5, true, 7));
		EXPECT_EQ(7, a.base[5]);
		ASSERT_EQ(0, bsdvm_stats(a.fd, &st, 0));
		EXPECT_EQ((uintptr_t)a.base, st.arena_start);
		EXPECT_EQ((uintptr_t)a.base + a.size, st.arena_end);
	}
	s.stop = 1;
	pthread_join(t, NULL);
	EXPECT_EQ(0, s.bad) {
		TH_LOG("last unexpected result %d", s.bad_err);
	}
	arena_close(&a);
	expect_same_counts(_metadata, &before);
}

/* ---- 6. a file mapped again while its last mapping's reap runs ---- */

#define T6_FPAGES	32

struct t6 {
	int dev, file;
	bool arena;
	long end;
	int cycles, bad, bad_err;
};

/*
 * The object's last mapping going queues vnode_reap, which writes the
 * pages back with no lock held.  Meanwhile the file is mapped and
 * unmapped again, queueing the reap once more while it runs.  Without
 * an arena a file map takes the object and drops it (ENXIO), the same
 * last reference each time.  With one, each cycle dirties the pages, so
 * that the reap has write-back to do.
 */
static void *t6_thread(void *arg)
{
	struct t6 *s = arg;
	size_t len = T6_FPAGES * PG, i;
	void *p;
	int rc;

	while (now_ms() < s->end) {
		p = NULL;
		rc = bsdvm_mapfd(s->dev, &p, len, RW, BSD_MAP_SHARED, s->file,
				 0);
		__atomic_add_fetch(&s->cycles, 1, __ATOMIC_RELAXED);
		if (!s->arena) {
			if (rc != -ENXIO) {
				s->bad++;
				s->bad_err = rc;
			}
			continue;
		}
		if (rc)
			continue;
		for (i = 0; i < len; i += PG)
			poke((char *)p + i + 3, true, 'd');
		bsdvm_unmap(s->dev, p, len);
	}
	return NULL;
}

static void t6_run(struct __test_metadata *_metadata, struct t6 *s)
{
	pthread_t t[2];
	int i;

	s->end = now_ms() + RACE_MS / 2;
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, t6_thread, s));
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
}

/*
 * Last: before vnode_reap cancelled its own requeue, this oopsed in the
 * second run of the reap, on a vnode already freed.
 */
FIXTURE(reap) {
	int unused;
};

FIXTURE_SETUP(reap)
{
}

FIXTURE_TEARDOWN(reap)
{
}

TEST_F(reap, file_remapped_while_reaped)
{
	char path[] = "/tmp/bsdvm-lifetime-XXXXXX";
	struct bsdvm_stats before;
	struct t6 s = { 0 };
	struct arena a;

	global_stats(_metadata, &before);
	s.file = make_pattern_file(path, T6_FPAGES, 'a');
	ASSERT_LE(0, s.file);
	unlink(path);
	s.dev = open(BSDVM_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, s.dev);
	t6_run(_metadata, &s);
	EXPECT_EQ(0, s.bad) {
		TH_LOG("a file map without an arena: %d", s.bad_err);
	}
	close(s.dev);
	ASSERT_EQ(0, arena_open(&a, ARENA_SIZE));
	s.dev = a.fd;
	s.arena = true;
	thr_catch();
	t6_run(_metadata, &s);
	TH_LOG("%d file maps", s.cycles);
	arena_close(&a);
	close(s.file);
	expect_same_counts(_metadata, &before);
}

TEST_HARNESS_MAIN
