// SPDX-License-Identifier: GPL-2.0
/*
 * bsdvm-top: live per-process rates of bsdvm's events (faults, zero-fills,
 * copy-on-write copies, shadows, collapses, bypasses, forks, maps), from
 * a libbpf program on the bsdvm:* tracepoints (bsdvm_top.bpf.c).
 *
 *   bsdvm-top [-d SECONDS] [-n ROUNDS]
 * Every SECONDS (default 1) prints the processes with events in that
 * interval, busiest first; after ROUNDS rounds (default: until Ctrl-C)
 * prints the totals since start, one line per process.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bsdvm_top.h"
#include "bsdvm_top.skel.h"

#define MAX_PROCS 4096

struct proc {
	unsigned int pid;
	struct top_stats now, prev;
	unsigned long long delta_faults;
};

static volatile sig_atomic_t stop;
static struct proc procs[MAX_PROCS];
static int nprocs;

static const char *const names[TOP_NR] = {
	"faults", "fault_ns", "zero_fills", "cow", "shadows", "collapses",
	"bypasses", "forks", "maps",
};

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static struct proc *find(unsigned int pid)
{
	int i;

	for (i = 0; i < nprocs; i++)
		if (procs[i].pid == pid)
			return &procs[i];
	if (nprocs == MAX_PROCS)
		return NULL;
	memset(&procs[nprocs], 0, sizeof(procs[0]));
	procs[nprocs].pid = pid;
	return &procs[nprocs++];
}

static void collect(int fd)
{
	unsigned int key, next, *kp = NULL;
	struct top_stats v;
	struct proc *p;

	while (!bpf_map_get_next_key(fd, kp, &next)) {
		key = next;
		kp = &key;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		p = find(key);
		if (p)
			p->now = v;
	}
}

static int by_delta(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;

	if (x->delta_faults != y->delta_faults)
		return x->delta_faults < y->delta_faults ? 1 : -1;
	return (int)x->pid - (int)y->pid;
}

static void round_print(double secs)
{
	struct proc sorted[MAX_PROCS];
	int i, k, n = 0;
	char ts[16];
	time_t t = time(NULL);

	strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&t));
	for (i = 0; i < nprocs; i++) {
		struct proc *p = &procs[i];
		unsigned long long any = 0;

		for (k = 0; k < TOP_NR; k++)
			any |= p->now.c[k] - p->prev.c[k];
		p->delta_faults = p->now.c[TOP_FAULTS] - p->prev.c[TOP_FAULTS];
		if (any)
			sorted[n++] = *p;
	}
	qsort(sorted, n, sizeof(sorted[0]), by_delta);
	printf("\nbsdvm top %s  (per second over %.1fs; %d active)\n", ts,
	       secs, n);
	printf("%7s %-16s %9s %8s %8s %8s %8s %8s %8s %6s %6s\n", "PID",
	       "COMM", "FAULTS/s", "AVG_us", "ZFILL/s", "COW/s", "SHADOW/s",
	       "COLLAPS/s", "BYPASS/s", "FORK/s", "MAP/s");
	for (i = 0; i < n; i++) {
		struct proc *p = &sorted[i];
		unsigned long long d[TOP_NR];

		for (k = 0; k < TOP_NR; k++)
			d[k] = p->now.c[k] - p->prev.c[k];
		printf("%7u %-16.16s %9.1f %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f %6.1f %6.1f\n",
		       p->pid, p->now.comm, d[TOP_FAULTS] / secs,
		       d[TOP_FAULTS] ? d[TOP_FAULT_NS] / 1000.0 / d[TOP_FAULTS] : 0,
		       d[TOP_ZERO_FILLS] / secs, d[TOP_COW] / secs,
		       d[TOP_SHADOWS] / secs, d[TOP_COLLAPSES] / secs,
		       d[TOP_BYPASSES] / secs, d[TOP_FORKS] / secs,
		       d[TOP_MAPS] / secs);
	}
	for (i = 0; i < nprocs; i++)
		procs[i].prev = procs[i].now;
	fflush(stdout);
}

static void totals_print(void)
{
	int i, k;

	printf("\ntotals\n");
	for (i = 0; i < nprocs; i++) {
		printf("total pid %u comm %s", procs[i].pid, procs[i].now.comm);
		for (k = 0; k < TOP_NR; k++)
			printf(" %s %llu", names[k], procs[i].now.c[k]);
		printf("\n");
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bsdvm top [-d SECONDS] [-n ROUNDS]\n"
		"  live per-process rates of bsdvm events (root; needs the\n"
		"  bsdvm:* tracepoints, i.e. bsdvm.ko loaded)\n");
}

int main(int argc, char **argv)
{
	struct bsdvm_top_bpf *skel;
	double secs = 1;
	long rounds = 0, r;
	int opt, err;

	while ((opt = getopt(argc, argv, "d:n:h")) != -1) {
		switch (opt) {
		case 'd':
			secs = atof(optarg);
			break;
		case 'n':
			rounds = atol(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (secs <= 0 || rounds < 0 || optind != argc) {
		usage(stderr);
		return 2;
	}
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	skel = bsdvm_top_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "bsdvm top: cannot load the BPF program: %s "
			"(root needed; is bsdvm.ko loaded?)\n", strerror(errno));
		return 1;
	}
	err = bsdvm_top_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "bsdvm top: cannot attach to bsdvm:* tracepoints: %s (is bsdvm.ko loaded?)\n",
			strerror(-err));
		bsdvm_top_bpf__destroy(skel);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("bsdvm top: attached; every %.1fs%s\n", secs,
	       rounds ? "" : " (Ctrl-C stops)");
	fflush(stdout);
	for (r = 0; !stop && (!rounds || r < rounds); r++) {
		usleep((useconds_t)(secs * 1e6));
		collect(bpf_map__fd(skel->maps.stats));
		round_print(secs);
	}
	collect(bpf_map__fd(skel->maps.stats));
	totals_print();
	bsdvm_top_bpf__destroy(skel);
	return 0;
}
