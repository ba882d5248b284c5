// SPDX-License-Identifier: GPL-2.0
/*
 * model_main.c - bsdvm-model: the model checker's command line.
 *
 *   bsdvm-model --seed S --ops N [--procs P] [--pages K] [--verbose]
 *   bsdvm-model --replay FILE [--procs P] [--pages K] [--verbose]
 *
 * The run happens in a child process that logs every op into shared
 * memory, so even an assertion or a sanitizer abort in the core leaves the
 * op list behind.  The parent then shrinks it (each candidate replayed in
 * a fresh child) and prints a short reproducer.
 */
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "os.h"
#include "model.h"

struct shared_log {
	long n;			/* ops logged */
	long fail;		/* failing op index, or -1 */
	int64_t max_chain;
	struct op ops[];
};

static int procs = 4, pages = 128;
static bool verbose;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The random run, in the child: 0 clean, 1 diverged. */
static int run(struct shared_log *log, uint64_t seed, long nops)
{
	static struct model m;
	struct op_source src = { .rng = seed };
	long i;
	int bad;

	if (model_start(&m, procs, pages, verbose)) {
		fprintf(stderr, "bsdvm-model: cannot start\n");
		return 2;
	}
	for (i = 0; i < nops; i++) {
		op_make(&m, &src, &log->ops[i]);
		log->n = i + 1;
		if (model_step(&m, &log->ops[i])) {
			log->fail = i;
			model_summary(&m, stdout);
			return 1;
		}
	}
	bad = model_finish(&m);
	log->max_chain = m.max_chain;
	if (bad)
		log->fail = nops;
	model_summary(&m, stdout);
	return bad;
}

/* Does ops[0..n) still fail?  Replayed in a child so crashes count. */
static bool fails(const struct op *ops, long n)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* the candidates' chatter would drown the reproducer */
		if (!freopen("/dev/null", "w", stderr) ||
		    !freopen("/dev/null", "w", stdout))
			_exit(3);
		_exit(model_replay(ops, n, procs, pages, false) >= 0 ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return false;
	return !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* ddmin-style: drop chunks while the failure remains, within a budget. */
static long shrink(struct op *ops, long n, double budget)
{
	double end = now() + budget;
	long chunk = n / 2 ? n / 2 : 1, i;
	struct op *tmp = malloc(sizeof(*ops) * (n ? n : 1));

	while (chunk >= 1 && now() < end) {
		bool progress = false;

		for (i = 0; i + chunk <= n && now() < end;) {
			long m = n - chunk;

			memcpy(tmp, ops, sizeof(*ops) * i);
			memcpy(tmp + i, ops + i + chunk,
			       sizeof(*ops) * (n - i - chunk));
			if (m > 0 && fails(tmp, m)) {
				memcpy(ops, tmp, sizeof(*ops) * m);
				n = m;
				progress = true;
			} else {
				i += chunk;
			}
		}
		if (!progress)
			chunk /= 2;
	}
	free(tmp);
	return n;
}

static void print_repro(const struct op *ops, long n, uint64_t seed)
{
	char name[64];
	FILE *f;
	long i;

	snprintf(name, sizeof(name), "bsdvm-model-repro-%llu.txt",
		 (unsigned long long)seed);
	f = fopen(name, "w");
	printf("reproducer (%ld ops; --replay %s --procs %d --pages %d):\n",
	       n, name, procs, pages);
	for (i = 0; i < n; i++) {
		printf("  ");
		op_print(stdout, &ops[i]);
		if (f)
			op_print(f, &ops[i]);
	}
	if (f)
		fclose(f);
}

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "r");
	struct op *ops = NULL;
	long n = 0, cap = 0, r;
	char line[256];

	if (!f) {
		perror(path);
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			ops = realloc(ops, cap * sizeof(*ops));
		}
		if (op_parse(line, &ops[n]) == 0)
			n++;
	}
	fclose(f);
	r = model_replay(ops, n, procs, pages, verbose);
	printf("replay: %ld ops, %s\n", n, r < 0 ? "clean" : "FAILED");
	free(ops);
	return r < 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seed", 1, 0, 's' }, { "ops", 1, 0, 'n' },
		{ "procs", 1, 0, 'p' }, { "pages", 1, 0, 'k' },
		{ "verbose", 0, 0, 'v' }, { "replay", 1, 0, 'r' },
		{ "no-fork", 0, 0, 'F' }, { 0, 0, 0, 0 },
	};
	uint64_t seed = 1;
	long nops = 100000;
	const char *replay = NULL;
	bool nofork = false;
	struct shared_log *log;
	size_t sz;
	double t0 = now();
	pid_t pid;
	int c, st;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': nops = strtol(optarg, NULL, 0); break;
		case 'p': procs = atoi(optarg); break;
		case 'k': pages = atoi(optarg); break;
		case 'v': verbose = true; break;
		case 'r': replay = optarg; break;
		case 'F': nofork = true; break;
		default:
			fprintf(stderr, "usage: %s --seed S --ops N [--procs P] [--pages K] [--verbose] | --replay FILE\n",
				argv[0]);
			return 2;
		}
	}
	if (procs < 1 || procs > M_MAXPROCS || pages < 16 ||
	    pages > M_MAXPAGES || nops < 0) {
		fprintf(stderr, "bsdvm-model: bad --procs/--pages/--ops\n");
		return 2;
	}
	if (replay)
		return replay_file(replay);
	sz = sizeof(*log) + sizeof(struct op) * (nops + 1);
	log = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		   -1, 0);
	if (log == MAP_FAILED)
		return 2;
	log->fail = -1;
	if (nofork)
		return run(log, seed, nops);	/* for valgrind and gdb */
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		{ int r = run(log, seed, nops); fflush(NULL); _exit(r); }
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		printf("bsdvm-model: seed %llu: %ld ops clean in %.1f s\n",
		       (unsigned long long)seed, log->n, now() - t0);
		return 0;
	}
	printf("bsdvm-model: seed %llu FAILED at op %ld (%s)\n",
	       (unsigned long long)seed,
	       log->fail >= 0 ? log->fail : log->n - 1,
	       WIFSIGNALED(st) ? "crash" : "divergence or leak");
	{
		long n = log->fail >= 0 ? log->fail + 1 : log->n;

		if (log->fail == nops)
			n = nops;	/* leak at the end: all ops matter */
		n = shrink(log->ops, n, 60);
		print_repro(log->ops, n, seed);
	}
	return 1;
}
