// SPDX-License-Identifier: GPL-2.0
/*
 * A multithreaded program for the shim: 8 threads, each doing malloc,
 * calloc, realloc, free and anonymous mmap/mprotect/munmap, checking its
 * data; prints "mt ok <checksum>".
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define NT 8
#define ITERS 20000

static void *work(void *arg)
{
	uint64_t s = (uintptr_t)arg + 1, sum = 0;
	unsigned char *keep[64] = { 0 };
	int i, k;

	for (i = 0; i < ITERS; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		k = (s >> 33) % 64;
		if (keep[k]) {
			if (keep[k][0] != (unsigned char)k)
				return (void *)1;
			free(keep[k]);
			keep[k] = NULL;
		} else {
			size_t n = (s >> 40) % 70000 + 1;

			keep[k] = (s & 1) ? calloc(1, n) : malloc(n);
			if (!keep[k] || ((s & 1) && keep[k][n - 1]))
				return (void *)1;
			memset(keep[k], k, n);
			if ((s & 6) == 6) {
				keep[k] = realloc(keep[k], n * 2);
				if (keep[k][n - 1] != (unsigned char)k)
					return (void *)1;
			}
		}
		if (i % 500 == 0) {
			char *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (m == MAP_FAILED || m[4096])
				return (void *)1;
			m[4096] = 1;
			if (mprotect(m, 1 << 20, PROT_READ) || m[4096] != 1 ||
			    munmap(m, 1 << 20))
				return (void *)1;
		}
		sum += k;
	}
	for (k = 0; k < 64; k++)
		free(keep[k]);
	return (void *)(uintptr_t)(sum << 1);
}

int main(void)
{
	pthread_t t[NT];
	uint64_t total = 0;
	void *r;
	long i;

	for (i = 0; i < NT; i++)
		pthread_create(&t[i], NULL, work, (void *)i);
	for (i = 0; i < NT; i++) {
		pthread_join(t[i], &r);
		if ((uintptr_t)r & 1) {
			printf("mt FAILED in thread %ld\n", i);
			return 1;
		}
		total += (uintptr_t)r >> 1;
	}
	printf("mt ok %llu\n", (unsigned long long)total);
	return 0;
}
