// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency and the rest of the kernel on arena memory: many threads
 * faulting the same and different pages, faults racing munmap/mprotect,
 * ptrace and /proc/PID/mem through ->access, and a bounded random stress
 * of threads x forks x operations that must end with counters back at
 * their start.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include "kselftest_harness.h"
#include "bsdvm_test.h"

#define NTHREADS	8
#define NPAGES		64

FIXTURE(thr) {
	struct arena a;
};

FIXTURE_SETUP(thr)
{
	ASSERT_EQ(0, arena_open(&self->a, ARENA_SIZE));
}

FIXTURE_TEARDOWN(thr)
{
	arena_close(&self->a);
}

struct shared_pages {
	char *p;
	int id;
	pthread_barrier_t *bar;
};

static void *same_pages(void *arg)
{
	struct shared_pages *s = arg;
	int i;

	pthread_barrier_wait(s->bar);
	/* Everyone reads, then writes its own byte of each page. */
	for (i = 0; i < NPAGES; i++)
		(void)*(volatile char *)(s->p + i * PG + 100);
	for (i = 0; i < NPAGES; i++)
		s->p[i * PG + s->id] = (char)(s->id + 1);
	return NULL;
}

TEST_F(thr, same_pages_one_page_each)
{
	pthread_barrier_t bar;
	struct shared_pages s[NTHREADS];
	pthread_t t[NTHREADS];
	struct bsdvm_stats before, after;
	char *p = bsdvm_anon(self->a.fd, NPAGES * PG, 0);
	int i, j;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &before, 0));
	pthread_barrier_init(&bar, NULL, NTHREADS);
	for (i = 0; i < NTHREADS; i++) {
		s[i] = (struct shared_pages){ p, i, &bar };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, same_pages, &s[i]));
	}
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < NPAGES; i++)
		for (j = 0; j < NTHREADS; j++)
			ASSERT_EQ(j + 1, p[i * PG + j]);
	ASSERT_EQ(0, bsdvm_stats(self->a.fd, &after, 0));
	/* One page allocated per page, however many threads raced. */
	EXPECT_EQ(before.pages + NPAGES, after.pages);
}

struct racer {
	int fd;
	char *p;
	volatile int stop;
};

static void *unmap_protect_racer(void *arg)
{
	struct racer *r = arg;
	int i = 0;

	while (!r->stop) {
		void *q = r->p + (i % 4) * PG;

		switch (i++ % 4) {
		case 0:
			bsdvm_protect(r->fd, q, PG, BSD_PROT_READ);
			bsdvm_protect(r->fd, q, PG,
				      BSD_PROT_READ | BSD_PROT_WRITE);
			break;
		case 1:
			bsdvm_unmap(r->fd, q, PG);
			bsdvm_map(r->fd, &q, PG,
				  BSD_PROT_READ | BSD_PROT_WRITE,
				  BSD_MAP_ANON | BSD_MAP_FIXED);
			break;
		case 2:
			bsdvm_advise(r->fd, q, PG, BSD_MADV_FREE);
			break;
		default:
			/* PTEs entered outside a fault, racing the faults */
			bsdvm_advise(r->fd, q, 4 * PG, BSD_MADV_WILLNEED);
			break;
		}
	}
	return NULL;
}

static sigjmp_buf race_jmp;

static void race_handler(int sig, siginfo_t *si, void *uc)
{
	siglongjmp(race_jmp, 1);
}

TEST_F(thr, faults_race_unmap_and_protect)
{
	struct racer r = { self->a.fd, bsdvm_anon(self->a.fd, 4 * PG, 0) };
	struct sigaction sa = { 0 };
	pthread_t t;
	int i, faults = 0;

	ASSERT_NE(NULL, r.p);
	sa.sa_sigaction = race_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	ASSERT_EQ(0, pthread_create(&t, NULL, unmap_protect_racer, &r));
	for (i = 0; i < 200000; i++) {
		if (sigsetjmp(race_jmp, 1)) {
			faults++;
			continue;
		}
		r.p[(i % 4) * PG + (i % 64)] = (char)i;
	}
	r.stop = 1;
	pthread_join(t, NULL);
	signal(SIGSEGV, SIG_DFL);
	/* The racer leaves every page mapped read/write at the end. */
	r.p[0] = 1;
	EXPECT_EQ(1, r.p[0]);
	TH_LOG("%d accesses faulted while the racer ran", faults);
}

TEST_F(thr, proc_pid_mem_and_ptrace)
{
	char *p = bsdvm_anon(self->a.fd, 2 * PG, 0);
	char path[64], buf[8], c;
	int pfd[2], rfd[2], status, memfd;
	pid_t pid;
	long word;

	ASSERT_NE(NULL, p);
	memcpy(p, "parent!", 8);
	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(0, pipe(rfd));
	pid = fork();
	if (pid == 0) {
		/*
		 * Map both pages read-only first (the parent's, through the
		 * COW chain), so the pokes must replace live mappings.  Then
		 * say so, wait while the parent pokes us, and report.
		 */
		if (p[0] != 'p' || p[PG] != 0)
			_exit(29);
		if (write(rfd[1], "r", 1) != 1)
			_exit(33);
		if (read(pfd[0], &c, 1) != 1)
			_exit(30);
		if (memcmp(p, "poked!!", 8))
			_exit(31);
		if (p[PG] != 'W')
			_exit(32);
		_exit(0);
	}
	/* not before the child has read both pages (it exits 29 if so) */
	ASSERT_EQ(1, read(rfd[0], &c, 1));
	/* /proc/PID/mem: read what the child inherited, write into it. */
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	memfd = open(path, O_RDWR);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(8, pread(memfd, buf, 8, (uintptr_t)p));
	EXPECT_EQ(0, memcmp(buf, "parent!", 8));
	ASSERT_EQ(8, pwrite(memfd, "poked!!", 8, (uintptr_t)p));
	close(memfd);
	/* ptrace PEEK/POKE on the untouched second page. */
	ASSERT_EQ(0, ptrace(PTRACE_ATTACH, pid, NULL, NULL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	errno = 0;
	word = ptrace(PTRACE_PEEKDATA, pid, p + PG, NULL);
	EXPECT_EQ(0, errno);
	EXPECT_EQ(0, word);
	ASSERT_EQ(0, ptrace(PTRACE_POKEDATA, pid, p + PG, (void *)(long)'W'));
	ASSERT_EQ(0, ptrace(PTRACE_DETACH, pid, NULL, NULL));
	ASSERT_EQ(1, write(pfd[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The child's COW never reached us. */
	EXPECT_EQ(0, memcmp(p, "parent!", 8));
	EXPECT_EQ(0, p[PG]);
}

/* Random ops from threads in a few forked processes, bounded in time. */
static void stress_ops(int fd, char *base, unsigned int seed, int secs)
{
	time_t end = time(NULL) + secs;
	struct sigaction sa = { 0 };
	unsigned int s = seed;

	sa.sa_sigaction = race_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	while (time(NULL) < end) {
		void *q = base + (rand_r(&s) % 32) * PG;
		size_t len = (1 + rand_r(&s) % 4) * PG;

		if (sigsetjmp(race_jmp, 1))
			continue;
		switch (rand_r(&s) % 9) {
		case 0:
			bsdvm_map(fd, &q, len, BSD_PROT_READ | BSD_PROT_WRITE,
				  BSD_MAP_ANON | BSD_MAP_FIXED |
				  (rand_r(&s) % 2 ? BSD_MAP_SHARED : 0));
			break;
		case 1:
			bsdvm_unmap(fd, q, len);
			break;
		case 2:
			bsdvm_protect(fd, q, len, rand_r(&s) % 4);
			break;
		case 3:
			bsdvm_inherit(fd, q, len, rand_r(&s) % 4);
			break;
		case 4:
			bsdvm_advise(fd, q, len, rand_r(&s) % 6);
			break;
		case 5:
			((volatile char *)q)[rand_r(&s) % PG] = (char)s;
			break;
		default:
			(void)((volatile char *)q)[rand_r(&s) % PG];
			break;
		}
	}
}

static void stress_process(int fd, char *base, unsigned int seed, int depth)
{
	pid_t kids[2];
	int i, status;

	for (i = 0; i < 2 && depth > 0; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			stress_process(fd, base, seed * 31 + i, depth - 1);
			_exit(0);
		}
	}
	stress_ops(fd, base, seed, 3);
	for (i = 0; i < 2 && depth > 0; i++)
		waitpid(kids[i], &status, 0);
}

TEST(random_stress_returns_to_zero)
{
	struct bsdvm_stats before, after;
	struct arena a;
	pid_t pid;
	int status, fd = open(BSDVM_DEVICE, O_RDWR);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bsdvm_stats(fd, &before, 1));
	pid = fork();
	if (pid == 0) {
		char *base;
		void *q = NULL;

		if (arena_open(&a, ARENA_SIZE))
			_exit(40);
		if (bsdvm_map(a.fd, &q, 64 * PG, BSD_PROT_READ | BSD_PROT_WRITE,
			      BSD_MAP_ANON))
			_exit(41);
		base = q;
		stress_process(a.fd, base, 1, 2);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, bsdvm_stats(fd, &after, 1));
	EXPECT_EQ(before.spaces, after.spaces);
	EXPECT_EQ(before.objects, after.objects);
	EXPECT_EQ(before.pages, after.pages);
	EXPECT_EQ(before.entries, after.entries);
	close(fd);
}

TEST_HARNESS_MAIN
