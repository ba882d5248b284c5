// SPDX-License-Identifier: GPL-2.0
/*
 * iobounce FILE: under the shim, read FILE (on a file system that pins
 * user pages: the guest's 9p root) into malloc()ed memory, which is in
 * the arena, with read, pread, readv and preadv; each must return what a
 * read into ordinary memory returns.  Prints "all ok" when they do.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>

#define N	(64 << 10)
#define SPLIT	5000

static char ref[N];	/* .bss: Linux memory, which the kernel can pin */
static int failed;

static void check(const char *what, ssize_t got, ssize_t want,
		  const char *a, const char *b, size_t n)
{
	if (got != want || memcmp(a, b, n)) {
		printf("FAIL %s: %zd of %zd bytes%s\n", what, got, want,
		       got == want ? ", different" : "");
		failed = 1;
	} else {
		printf("ok %s\n", what);
	}
}

int main(int argc, char **argv)
{
	char *a = malloc(N), *b = malloc(N);
	struct iovec iov[2];
	int fd;

	if (argc != 2 || !a || !b)
		return 2;
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || pread(fd, ref, N, 0) != N) {
		perror(argv[1]);
		return 2;
	}
	check("read", read(fd, a, N), N, a, ref, N);
	memset(a, 0, N);
	check("pread", pread(fd, a, N, 0), N, a, ref, N);
	memset(a, 0, N);
	iov[0] = (struct iovec){ a, SPLIT };
	iov[1] = (struct iovec){ b, N - SPLIT };
	lseek(fd, 0, SEEK_SET);
	check("readv", readv(fd, iov, 2), N, a, ref, SPLIT);
	check("readv, second buffer", N, N, b, ref + SPLIT, N - SPLIT);
	memset(a, 0, N);
	memset(b, 0, N);
	iov[1].iov_len = N - SPLIT - 4096;
	check("preadv", preadv(fd, iov, 2, 4096), N - 4096, a, ref + 4096,
	      SPLIT);
	check("preadv, second buffer", N, N, b, ref + 4096 + SPLIT,
	      N - SPLIT - 4096);
	close(fd);
	if (!failed)
		printf("all ok\n");
	return failed;
}
