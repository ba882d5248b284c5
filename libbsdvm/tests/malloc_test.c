// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The shim's allocator on the host, over tests/fake_mem.c (purged pages
 * come back as garbage): it is this process's malloc.  Sizes, alignment,
 * realloc, calloc after purges, threads, fork with a busy thread.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

extern unsigned long fake_purged, fake_maps, fake_unmaps, fake_extends;

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int all(const unsigned char *p, size_t n, unsigned char v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

static void test_sizes(void)
{
	static const size_t sz[] = { 0, 1, 15, 16, 17, 100, 128, 129, 1000,
		4095, 4096, 4097, 16383, 16384, 16385, 65536, 1 << 20,
		(1 << 20) + 1, 5 << 20, 33 << 20 };
	void *p[sizeof(sz) / sizeof(sz[0])];
	unsigned int i, bad = 0;

	for (i = 0; i < sizeof(sz) / sizeof(sz[0]); i++) {
		p[i] = malloc(sz[i]);
		if (!p[i] || ((uintptr_t)p[i] & 15) ||
		    malloc_usable_size(p[i]) < sz[i])
			bad++;
		else
			memset(p[i], i, sz[i]);
	}
	for (i = 0; i < sizeof(sz) / sizeof(sz[0]); i++)
		if (p[i] && !all(p[i], sz[i], i))
			bad++;
	for (i = 0; i < sizeof(sz) / sizeof(sz[0]); i++)
		free(p[i]);
	ok(!bad, "malloc of 0..33 MiB: 16-aligned, usable, no overlap");
	free(NULL);
	ok(1, "free(NULL)");
}

static void test_calloc_after_purge(void)
{
	enum { N = 400 };
	static unsigned char *p[N];
	size_t sz[] = { 24, 3000, 20000, 64 << 10, 300 << 10, 2 << 20 };
	unsigned long purged0 = fake_purged;
	volatile size_t big;
	unsigned int i, j, bad = 0;

	for (j = 0; j < sizeof(sz) / sizeof(sz[0]); j++) {
		for (i = 0; i < N; i++) {
			p[i] = malloc(sz[j]);
			memset(p[i], 0xaa, sz[j]);
		}
		/* every other one: chunks stay in use, freed pages purged */
		for (i = 0; i < N; i += 2)
			free(p[i]);
		for (i = 0; i < N; i += 2) {
			p[i] = calloc(1, sz[j]);
			if (!p[i] || !all(p[i], sz[j], 0))
				bad++;
		}
		for (i = 0; i < N; i++)
			free(p[i]);
	}
	ok(fake_purged > purged0, "frees purged pages (%lu bytes)",
	   fake_purged - purged0);
	ok(!bad, "calloc after free/purge reads zeros (%u bad)", bad);
	errno = 0;
	big = SIZE_MAX / 2;
	ok(!calloc(big, 4) && errno == ENOMEM, "calloc overflow");
	ok(!reallocarray(NULL, big, 4) && errno == ENOMEM,
	   "reallocarray overflow");
	ok(!malloc(big * 2 - 100) && errno == ENOMEM, "malloc(huge): ENOMEM");
}

static void test_realloc(void)
{
	unsigned char *p = malloc(10), *q;
	size_t n;
	int bad = 0;

	memset(p, 7, 10);
	for (n = 10; n < (64 << 20); n = n * 3 / 2 + 1) {
		q = realloc(p, n);
		if (!q || !all(q, 10, 7))
			bad++;
		p = q;
	}
	for (; n > 10; n /= 3) {
		q = realloc(p, n);
		if (!q || !all(q, 10, 7))
			bad++;
		p = q;
	}
	ok(!bad, "realloc up to 64 MiB and back keeps contents");
	ok(realloc(p, 0) == NULL, "realloc(p, 0) frees, returns NULL");
	p = malloc(8 << 20);
	q = realloc(p, 16 << 20);
	ok(q == p && fake_extends, "huge realloc grows in place when it can");
	free(q);
}

static void test_align(void)
{
	size_t al, sz[] = { 1, 100, 5000, 70000, 3 << 20 };
	unsigned int i, bad = 0;
	void *p;

	for (al = 1; al <= (8 << 20); al *= 2) {
		for (i = 0; i < sizeof(sz) / sizeof(sz[0]); i++) {
			p = memalign(al, sz[i]);
			if (!p || (uintptr_t)p % al ||
			    malloc_usable_size(p) < sz[i])
				bad++;
			else
				memset(p, 1, sz[i]);
			free(p);
			p = aligned_alloc(al, sz[i]);
			if (!p || (uintptr_t)p % al)
				bad++;
			free(p);
			if (al >= sizeof(void *)) {
				if (posix_memalign(&p, al, sz[i]) ||
				    (uintptr_t)p % al)
					bad++;
				free(p);
			}
		}
	}
	ok(!bad, "memalign/aligned_alloc/posix_memalign 1 B..8 MiB");
	ok(posix_memalign(&p, 24, 10) == EINVAL, "posix_memalign(24): EINVAL");
	ok(posix_memalign(&p, 4, 10) == EINVAL, "posix_memalign(4): EINVAL");
	p = valloc(10);
	ok(p && !((uintptr_t)p & 4095), "valloc page-aligned");
	free(p);
	p = pvalloc(10);
	ok(p && !((uintptr_t)p & 4095) && malloc_usable_size(p) >= 4096,
	   "pvalloc a whole page");
	free(p);
}

/* threads: random sizes, contents checked, frees by another thread */
#define NT 8
static void *xfer[NT][256];

static void *worker(void *arg)
{
	uint64_t s = (uintptr_t)arg * 7919 + 1;
	long id = (long)(uintptr_t)arg, bad = 0;
	void *live[512] = { 0 };
	size_t lsz[512];
	int i, k;

	for (i = 0; i < 200000; i++) {
		k = rnd(&s) % 512;
		if (live[k]) {
			if (!all(live[k], lsz[k] < 64 ? lsz[k] : 64,
				 (unsigned char)k))
				bad++;
			free(live[k]);
			live[k] = NULL;
		} else {
			lsz[k] = rnd(&s) % 4 ? rnd(&s) % 512 :
				 rnd(&s) % (256 << 10);
			live[k] = malloc(lsz[k]);
			memset(live[k], k, lsz[k]);
		}
		/* free what another thread handed over */
		void *x = __atomic_exchange_n(&xfer[id][k % 256], NULL,
					      __ATOMIC_ACQ_REL);
		free(x);
		if (rnd(&s) % 16 == 0) {
			void *y = malloc(rnd(&s) % 2000);
			void *old = __atomic_exchange_n(
				&xfer[(id + 1) % NT][k % 256], y,
				__ATOMIC_ACQ_REL);
			free(old);
		}
	}
	for (k = 0; k < 512; k++)
		free(live[k]);
	return (void *)bad;
}

static void test_threads(void)
{
	pthread_t t[NT];
	long i, bad = 0;
	void *r;

	for (i = 0; i < NT; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (i = 0; i < NT; i++) {
		pthread_join(t[i], &r);
		bad += (long)r;
	}
	ok(!bad, "8 threads x 200k random malloc/free, cross-thread frees");
}

static volatile int stop;

static void *busy(void *arg)
{
	(void)arg;
	while (!stop)
		free(malloc(rand() % 100000));
	return NULL;
}

static void test_fork(void)
{
	pthread_t t;
	int i, st, bad = 0;
	pid_t pid;

	pthread_create(&t, NULL, busy, NULL);
	for (i = 0; i < 200; i++) {
		pid = fork();
		if (!pid) {
			void *p = malloc(100), *q = malloc(1 << 20);

			memset(p, 1, 100);
			memset(q, 2, 1 << 20);
			free(p);
			free(q);
			_exit(0);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			bad++;
	}
	stop = 1;
	pthread_join(t, NULL);
	ok(!bad, "200 forks while another thread mallocs: children allocate");
}

static void test_speed(void)
{
	struct timespec a, b;
	void *p[64];
	long i, j;
	double ns;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 200000; i++) {
		for (j = 0; j < 64; j++)
			p[j] = malloc(16 + j * 8);
		for (j = 0; j < 64; j++)
			free(p[j]);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) /
	     (200000.0 * 64);
	printf("# malloc+free pair: %.1f ns\n", ns);
	ok(ns < 200, "malloc+free under 200 ns (%.1f)", ns);
}

int main(void)
{
	test_sizes();
	test_calloc_after_purge();
	test_realloc();
	test_align();
	test_threads();
	test_fork();
	test_speed();
	printf("# fake page source: %lu maps, %lu unmaps, %lu purged bytes\n",
	       fake_maps, fake_unmaps, fake_purged);
	return tap_done();
}
