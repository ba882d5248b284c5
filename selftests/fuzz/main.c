// SPDX-License-Identifier: GPL-2.0
/*
 * bsdvm-fuzz: the supervisor.  It forks the workers, restarts those that
 * die, prints progress, watches the kernel log, and at the end checks that
 * the module's global counts are back where they started: a space, entry,
 * object or page left behind is a leak.
 *
 *   bsdvm-fuzz [-s SEED] [-t SECONDS] [-j WORKERS] [-T THREADS] [-o DIR]
 *              [-x OP,...] [-n SUITE] [-v]
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/bsdvm.h>
#include "fuzz.h"

struct run {
	struct fz_opts o;
	struct fz_shared *sh;
	const char *suite;
	pid_t pid[FZ_MAX_WORKERS];
	uint64_t restarts;
	int kmsg;
	char splat[512];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: bsdvm-fuzz [-s SEED] [-t SECONDS] [-j WORKERS 1-%d] [-T THREADS 1-%d]\n"
		"                  [-o REPRO_DIR] [-x OP,...] [-n SUITE] [-v]\n",
		FZ_MAX_WORKERS, FZ_MAX_THREADS - 1);
	exit(2);
}

/* -x op,op,...: run without these (to narrow a reproduction down). */
static void leave_out(struct fz_opts *o, char *list)
{
	char *name, *save;
	int i;

	for (name = strtok_r(list, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		i = fz_op_index(name);
		if (i < 0 || i >= 64) {
			fprintf(stderr, "bsdvm-fuzz: -x: no op '%s'\n", name);
			exit(2);
		}
		o->off |= 1ULL << i;
	}
}

static void parse(struct run *r, int argc, char **argv)
{
	int c;

	r->o = (struct fz_opts){ .seed = (uint64_t)time(NULL) ^ getpid(),
				 .seconds = 60, .workers = 2, .threads = 3,
				 .outdir = "/tmp/bsdvm-fuzz" };
	while ((c = getopt(argc, argv, "s:t:j:T:o:n:x:v")) != -1) {
		switch (c) {
		case 's':
			r->o.seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			r->o.seconds = atoi(optarg);
			break;
		case 'j':
			r->o.workers = atoi(optarg);
			break;
		case 'T':
			r->o.threads = atoi(optarg);
			break;
		case 'o':
			r->o.outdir = optarg;
			break;
		case 'n':
			r->suite = optarg;
			break;
		case 'v':
			r->o.verbose = true;
			break;
		case 'x':
			leave_out(&r->o, optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || r->o.seconds < 1 || r->o.workers < 1 ||
	    r->o.workers > FZ_MAX_WORKERS || r->o.threads < 1 ||
	    r->o.threads > FZ_MAX_THREADS - 1)
		usage();
}

static int write_knob(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ok;

	if (fd < 0)
		return -errno;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -errno;
}

/*
 * fail-nth needs the failslab and fail_page_alloc attributes (debug
 * kernel, root): sleeping allocations may fail too, and quietly.
 */
static bool setup_fail_nth(void)
{
	static const char *const knobs[][2] = {
		{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/failslab/verbose", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/verbose", "0" },
	};
	unsigned int i;

	if (access("/proc/thread-self/fail-nth", W_OK))
		return false;
	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		if (write_knob(knobs[i][0], knobs[i][1]))
			return false;
	return true;
}

static int global_stats(struct bsdvm_stats *st)
{
	int fd = open(BSDVM_DEVICE, O_RDWR | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->flags = BSDVM_STATS_GLOBAL;
	r = ioctl(fd, BSDVM_IOC_STATS, st) ? -errno : 0;
	close(fd);
	return r;
}

static void start_worker(struct run *r, int w)
{
	uint64_t seed = r->o.seed * 1000003 + w * 7919 +
			r->sh->slot[w].restarts * 104729;
	pid_t pid = fork();

	if (pid < 0) {
		perror("bsdvm-fuzz: fork");
		return;
	}
	if (pid == 0)
		fz_worker(r->sh, &r->o, w, seed);
	setpgid(pid, pid);	/* also in the child: no race on killpg */
	r->pid[w] = pid;
	r->sh->slot[w].pid = pid;
}

/* A dead worker's group (its forked children) goes too; then a new one. */
static void reap_workers(struct run *r, bool restart)
{
	int w, status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (w = 0; w < r->o.workers; w++) {
			if (r->pid[w] != pid)
				continue;
			kill(-pid, SIGKILL);
			r->pid[w] = 0;
			/* setup failed: fatal at the start, later (memory
			 * short under KASAN) only worth a note */
			if (WIFEXITED(status) && WEXITSTATUS(status) == 2 &&
			    !r->sh->slot[w].restarts) {
				fprintf(stderr, "bsdvm-fuzz: worker %d cannot start\n", w);
				r->sh->stop = FZ_STOP;
				restart = false;
			} else if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
				fprintf(stderr, "bsdvm-fuzz: worker %d: setup failed, restarting\n", w);
			}
			if (!restart)
				continue;
			r->sh->slot[w].restarts++;
			r->restarts++;
			start_worker(r, w);
		}
	}
}

static uint64_t total_ops(const struct run *r)
{
	uint64_t n = 0;
	int w;

	for (w = 0; w < r->o.workers; w++)
		n += __atomic_load_n(&r->sh->slot[w].ops, __ATOMIC_RELAXED);
	return n;
}

/* Every task of every worker: its kernel stack, where it hangs. */
static void dump_stacks(const struct run *r)
{
	char path[64], line[256];
	struct dirent *d;
	FILE *f;
	DIR *dir;
	int w;

	for (w = 0; w < r->o.workers; w++) {
		snprintf(path, sizeof(path), "/proc/%d/task", r->pid[w]);
		dir = opendir(path);
		while (dir && (d = readdir(dir))) {
			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%d/task/%.16s/stack",
				 r->pid[w], d->d_name);
			f = fopen(path, "r");
			if (!f)
				continue;
			fprintf(stderr, "bsdvm-fuzz: worker %d task %s:\n", w,
				d->d_name);
			while (fgets(line, sizeof(line), f))
				fprintf(stderr, "    %s", line);
			fclose(f);
		}
		if (dir)
			closedir(dir);
	}
}

/* No operation finished for HANG_S seconds: a hang is a bug too. */
#define HANG_S	30

static bool hung(struct run *r, uint64_t *last, double *since)
{
	uint64_t n = total_ops(r);

	if (n != *last) {
		*last = n;
		*since = now();
		return false;
	}
	if (now() - *since < HANG_S)
		return false;
	snprintf(r->splat, sizeof(r->splat),
		 "hang: no operation finished in %d s", HANG_S);
	dump_stacks(r);
	return true;
}

/* The run itself: until the time is up or the kernel reports a bug. */
static void campaign(struct run *r)
{
	double t0 = now(), next = t0 + 10, since = t0;
	uint64_t last = 0;
	int w;

	for (w = 0; w < r->o.workers; w++)
		start_worker(r, w);
	while (!r->sh->stop && now() - t0 < r->o.seconds) {
		usleep(50000);
		reap_workers(r, true);
		if (fz_kmsg_splat(r->kmsg, r->splat, sizeof(r->splat)))
			break;
		if (hung(r, &last, &since))
			break;
		if (r->sh->stop && r->sh->stop != FZ_STOP) {
			snprintf(r->splat, sizeof(r->splat),
				 "memory corruption: the stop flag, read-only to the workers, became %#x",
				 r->sh->stop);
			break;
		}
		if (now() >= next) {
			next += 10;
			fprintf(stderr, "bsdvm-fuzz: %4.0f s  %llu ops  %llu pcs  %llu restarts\n",
				now() - t0, (unsigned long long)total_ops(r),
				(unsigned long long)r->sh->npcs,
				(unsigned long long)r->restarts);
		}
	}
	if (r->o.verbose)
		fprintf(stderr, "bsdvm-fuzz: campaign ends: stop %d, %.1f s, splat '%s'\n",
			r->sh->stop, now() - t0, r->splat);
}

/* Ask the workers to stop, give them 10 s, then kill what is left. */
static void stop_workers(struct run *r)
{
	double t0 = now();
	int w, live;

	r->sh->stop = FZ_STOP;
	do {
		usleep(50000);
		reap_workers(r, false);
		for (live = 0, w = 0; w < r->o.workers; w++)
			live += r->pid[w] != 0;
	} while (live && now() - t0 < 10);
	for (w = 0; w < r->o.workers; w++)
		if (r->pid[w])
			kill(-r->pid[w], SIGKILL);
	while (waitpid(-1, NULL, 0) > 0)
		;
}

/* Every count the workers raised is back to baseline (reaping is async). */
static bool counts_back(const struct bsdvm_stats *base)
{
	struct bsdvm_stats st;
	double t0 = now();

	do {
		if (global_stats(&st))
			return false;
		if (st.spaces == base->spaces && st.entries == base->entries &&
		    st.objects == base->objects && st.pages == base->pages &&
		    st.pages_lent == base->pages_lent)
			return true;
		usleep(100000);
	} while (now() - t0 < 10);
	fprintf(stderr, "bsdvm-fuzz: leak: spaces %lld entries %lld objects %lld pages %lld lent %lld, were %lld %lld %lld %lld %lld\n",
		(long long)st.spaces, (long long)st.entries,
		(long long)st.objects, (long long)st.pages,
		(long long)st.pages_lent, (long long)base->spaces,
		(long long)base->entries, (long long)base->objects,
		(long long)base->pages, (long long)base->pages_lent);
	return false;
}

int main(int argc, char **argv)
{
	struct bsdvm_stats base;
	struct run r = { 0 };
	double t0;
	bool ok;
	int e;

	parse(&r, argc, argv);
	setvbuf(stderr, NULL, _IOLBF, 0);
	e = global_stats(&base);
	if (e) {
		fprintf(stderr, "bsdvm-fuzz: %s: %s (is bsdvm.ko loaded?)\n",
			BSDVM_DEVICE, strerror(-e));
		return 2;
	}
	r.sh = mmap(NULL, sizeof(*r.sh), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r.sh == MAP_FAILED) {
		perror("bsdvm-fuzz: mmap");
		return 2;
	}
	r.o.fail_nth = setup_fail_nth();
	r.kmsg = fz_kmsg_open();
	fprintf(stderr, "bsdvm-fuzz: seed %llu, %d s, %d workers x %d threads, fail-nth %s, kmsg %s\n",
		(unsigned long long)r.o.seed, r.o.seconds, r.o.workers,
		r.o.threads, r.o.fail_nth ? "on" : "off",
		r.kmsg >= 0 ? "watched" : "not readable");
	t0 = now();
	campaign(&r);
	stop_workers(&r);
	t0 = now() - t0;
	if (!r.splat[0])
		fz_kmsg_splat(r.kmsg, r.splat, sizeof(r.splat));
	ok = !r.splat[0] && counts_back(&base);
	if (r.splat[0])
		fz_repro(r.sh, &r.o, r.splat);
	fprintf(stderr, "bsdvm-fuzz: seed %llu, %.0f s, %llu ops, %.0f ops/s, %llu pcs, %llu restarts: %s\n",
		(unsigned long long)r.o.seed, t0,
		(unsigned long long)total_ops(&r), total_ops(&r) / t0,
		(unsigned long long)r.sh->npcs,
		(unsigned long long)r.restarts, ok ? "ok" : "FAILED");
	if (r.suite)
		printf("bsdvm-suite: %s %d %d\n", r.suite, ok, !ok);
	return ok ? 0 : 1;
}
