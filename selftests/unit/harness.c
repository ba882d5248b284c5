// SPDX-License-Identifier: GPL-2.0
/* harness.c - runs the TEST() cases of one test program. */
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"

struct test_case *test_cases;
int test_failed_now;

/* Hooks a test program may override (weak): set-up and tear-down. */
__attribute__((weak)) void harness_setup(void) {}
__attribute__((weak)) int harness_teardown(void) { return 0; }

int harness_main(int argc, char **argv)
{
	struct test_case *tc;
	int passed = 0, failed = 0, i, st = 0;
	pid_t pid;
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 :
			   argv[0];

	for (tc = test_cases; tc; tc = tc->next) {
		bool want = argc < 2;

		for (i = 1; i < argc; i++)
			if (!strcmp(argv[i], tc->name))
				want = true;
		if (!want)
			continue;
		/*
		 * Each case runs in its own process, so a crash or a leak
		 * left by one failing case cannot poison the next.
		 */
		fflush(NULL);
		pid = fork();
		if (pid == 0) {
			test_failed_now = 0;
			harness_setup();
			tc->fn();
			if (harness_teardown())
				test_failed_now = 1;
			fflush(NULL);
			_exit(test_failed_now);
		}
		test_failed_now = pid < 0 || waitpid(pid, &st, 0) < 0 ||
				  !WIFEXITED(st) || WEXITSTATUS(st) != 0;
		if (pid > 0 && WIFSIGNALED(st))
			fprintf(stderr, "  killed by signal %d\n", WTERMSIG(st));
		printf("%s %s: %s\n", test_failed_now ? "FAIL" : "ok  ", prog,
		       tc->name);
		fflush(stdout);
		if (test_failed_now)
			failed++;
		else
			passed++;
	}
	printf("%s: %d %d\n", prog, passed, failed);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
