// SPDX-License-Identifier: GPL-2.0
/*
 * fork/exec/thread safety of the shim: threads allocate and map while the
 * main thread forks children that allocate, fork again, and exec (also
 * through posix_spawn and vfork).  Prints "forkexec ok".
 */
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static volatile int stop;

static void *busy(void *arg)
{
	unsigned int s = (unsigned int)(long)arg;

	while (!stop) {
		void *p = malloc(rand_r(&s) % 300000);
		void *m = mmap(NULL, 65536, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		free(p);
		munmap(m, 65536);
	}
	return NULL;
}

static int wait_ok(pid_t pid)
{
	int st;

	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	       WEXITSTATUS(st) == 0;
}

int main(int argc, char **argv)
{
	char *args[] = { "/bin/true", NULL };
	pthread_t t[3];
	int i, bad = 0;
	char *heap;
	pid_t pid;

	if (argc > 1) {		/* re-executed child: allocate, exit */
		char *p = malloc(1 << 20);

		memset(p, 1, 1 << 20);
		return p[12345] != 1;
	}
	heap = malloc(1 << 16);
	strcpy(heap, "parent data");
	for (i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, busy, (void *)(long)i);
	for (i = 0; i < 60; i++) {
		pid = fork();
		if (!pid) {
			char *p = malloc(100000);

			memset(p, 2, 100000);
			if (strcmp(heap, "parent data"))
				_exit(3);
			strcpy(heap, "child data");
			if (i % 3 == 0) {
				pid_t g = fork();

				if (!g)
					_exit(strcmp(heap, "child data") ? 4 : 0);
				_exit(wait_ok(g) ? 0 : 5);
			}
			if (i % 3 == 1)
				execl(argv[0], argv[0], "child", NULL);
			_exit(0);
		}
		bad += !wait_ok(pid);
		if (posix_spawn(&pid, "/bin/true", NULL, NULL, args, environ) ||
		    !wait_ok(pid))
			bad++;
		pid = vfork();
		if (!pid) {
			execve("/bin/true", args, environ);
			_exit(9);
		}
		bad += !wait_ok(pid);
	}
	stop = 1;
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	if (strcmp(heap, "parent data"))
		bad++;
	printf("forkexec %s (%d bad)\n", bad ? "FAILED" : "ok", bad);
	return !!bad;
}
