// SPDX-License-Identifier: GPL-2.0
/*
 * vmbench - what does BSD VM cost compared with Linux's own?  The same
 * workloads (loads.c, loads_map.c) on three systems (systems.c): linux
 * (libc's calls, transparent huge pages as configured), linux-4k (the
 * same with MADV_NOHUGEPAGE) and bsdvm (libbsdvm's bsd_* calls).
 *
 * Each workload runs a warm-up round, then -r rounds; a round runs every
 * parameter of the workload on each system in turn (linux, linux-4k,
 * bsdvm; the next round starts with linux-4k), so drift over the run
 * hits all systems alike.  For each
 * (workload, parameter, system) the median, min and max over the rounds
 * are reported: a table on stdout, CSV with -o.
 *
 * The coordinator forks two workers before anything opens /dev/bsdvm and
 * sends them one measurement at a time: the Linux systems run in a
 * process without an arena, so Linux's fork is not also charged a bsdvm
 * space; bsdvm runs in a process with the library initialised.  Workers
 * send their numbers back as lines ("R\tworkload\tparam\tunit\tvalue",
 * then "E").
 *
 * Times on an emulated (TCG) or shared machine are noisy and slow; read
 * the ratios.  Documentation/performance.rst has the results.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "bsdvm.h"
#include "vmbench.h"

#define MAX_ROUNDS	64
#define MAX_ROWS	160
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const int fork_full[] = { 1, 4, 16, 64, 256, 1024, 0 };
static const int fork_quick[] = { 1, 4, 16, 0 };
static const int chain_depths[] = { 1, 2, 4, 8, 16, 0 };

struct vb_sizes vb = {
	.big = 1UL << 30,
	.region = 128 * MIB,
	.chain = 32 * MIB,
	.file = 256 * MIB,
	.brk = 1UL << 30,
	.fork_mib = fork_full,
	.depths = chain_depths,
	.dir = "/tmp",
};

/* One result row: a (workload, param), its values per system and round. */
struct row {
	char workload[32], param[32], unit[16];
	double v[NSYS][MAX_ROUNDS];
	int n[NSYS];
};

static struct row rows[MAX_ROWS];
static int nrows;

/* Rows computed from two others, round by round: a - b. */
static const struct {
	const char *name, *a, *b, *unit;
} derived[] = {
	/* the trap alone, without the UNPROT its handler does */
	{ "trap-minus-unprot", "trap", "unprot", "us/trap" },
};

static const char *who = "vmbench";
static pid_t coordinator;
static FILE *resp;		/* in a worker: where record() writes */

struct cmd {
	int load, param, sys;
};

static struct worker {
	pid_t pid;
	int cmd;
	FILE *resp;
} workers[2];			/* [0] Linux, [1] bsdvm */

void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", who, what, strerror(errno));
	exit(1);
}

void dief(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", who);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

void record(const char *workload, const char *param, const char *unit,
	    double value)
{
	fprintf(resp, "R\t%s\t%s\t%s\t%.9g\n", workload, param, unit, value);
}

static void cleanup(void)
{
	if (getpid() == coordinator)
		file_cleanup();
}

/* --- workers --- */

static void worker(int cfd, int rfd, int bsd)
{
	struct cmd c;

	who = bsd ? "vmbench (bsdvm)" : "vmbench (linux)";
	resp = fdopen(rfd, "w");
	if (!resp)
		die("fdopen");
	if (bsd && bsdvm_init())
		dief("cannot use /dev/bsdvm: %s (%s)", strerror(errno),
		     "is bsdvm.ko loaded? -s linux,linux-4k runs without it");
	while (read(cfd, &c, sizeof(c)) == sizeof(c)) {
		const struct vm_load *l = &vm_loads[c.load];

		l->run(&vm_systems[c.sys], l->params ?
		       (*l->params)[c.param] : 0);
		fprintf(resp, "E\n");
		if (fflush(resp))
			die("write to the coordinator");
	}
	exit(0);
}

static void start_worker(int bsd)
{
	struct worker *w = &workers[bsd];
	int c[2], r[2];

	if (pipe(c) || pipe(r))
		die("pipe");
	fflush(NULL);
	w->pid = fork();
	if (w->pid < 0)
		die("fork");
	if (!w->pid) {
		close(c[1]);
		close(r[0]);
		if (bsd && workers[0].pid > 0) {
			close(workers[0].cmd);
			fclose(workers[0].resp);
		}
		worker(c[0], r[1], bsd);
	}
	close(c[0]);
	close(r[1]);
	w->cmd = c[1];
	w->resp = fdopen(r[0], "r");
	if (!w->resp)
		die("fdopen");
}

static void stop_workers(void)
{
	int i, status;

	for (i = 0; i < 2; i++) {
		if (workers[i].pid <= 0)
			continue;
		close(workers[i].cmd);
		fclose(workers[i].resp);
		waitpid(workers[i].pid, &status, 0);
	}
}

/* --- results --- */

static struct row *row_of(const char *workload, const char *param,
			  const char *unit)
{
	struct row *r;
	int i;

	for (i = 0; i < nrows; i++)
		if (!strcmp(rows[i].workload, workload) &&
		    !strcmp(rows[i].param, param))
			return &rows[i];
	if (nrows == MAX_ROWS)
		dief("more than %d result rows", MAX_ROWS);
	r = &rows[nrows++];
	snprintf(r->workload, sizeof(r->workload), "%s", workload);
	snprintf(r->param, sizeof(r->param), "%s", param);
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	return r;
}

static struct row *find_row(const char *workload)
{
	int i;

	for (i = 0; i < nrows; i++)
		if (!strcmp(rows[i].workload, workload))
			return &rows[i];
	return NULL;
}

/* One measurement: load li, its param pi, on system sys. */
static void run_one(int li, int pi, int sys, int keep)
{
	struct worker *w = &workers[sys == SYS_BSDVM];
	struct cmd c = { li, pi, sys };
	char line[256], *f[5], *save;
	struct row *r;
	int i;

	if (write(w->cmd, &c, sizeof(c)) != sizeof(c))
		dief("the %s worker is gone", vm_systems[sys].name);
	while (fgets(line, sizeof(line), w->resp)) {
		if (line[0] == 'E')
			return;
		line[strcspn(line, "\n")] = 0;
		f[0] = strtok_r(line, "\t", &save);
		for (i = 1; i < 5; i++)
			f[i] = strtok_r(NULL, "\t", &save);
		if (!f[4] || strcmp(f[0], "R"))
			dief("bad line from the %s worker", vm_systems[sys].name);
		if (!keep)
			continue;
		r = row_of(f[1], f[2], f[3]);
		if (r->n[sys] < MAX_ROUNDS)
			r->v[sys][r->n[sys]++] = strtod(f[4], NULL);
	}
	dief("the %s worker died in %s", vm_systems[sys].name,
	     vm_loads[li].name);
}

/*
 * Round r of one (workload, param): each system once, in turn.  The turn
 * starts one system further each round, so that whatever the first
 * measurement after a switch pays (another process ran, another
 * workload's memory was freed) is not always paid by linux.
 */
static void run_round(int li, int pi, unsigned int mask, int r)
{
	int order[NSYS], n = 0, s, i;

	for (s = 0; s < NSYS; s++)
		if (mask & (1 << s))
			order[n++] = s;
	for (i = 0; i < n; i++)
		run_one(li, pi, order[(i + r + n * MAX_ROUNDS) % n], r >= 0);
}

static void add_derived(void)
{
	static struct row tmp;
	size_t d;
	int s, i;

	for (d = 0; d < ARRAY_SIZE(derived); d++) {
		struct row *a = find_row(derived[d].a);
		struct row *b = find_row(derived[d].b);
		struct row *r;

		if (!a || !b)
			continue;
		r = row_of(derived[d].name, a->param, derived[d].unit);
		for (s = 0; s < NSYS; s++) {
			r->n[s] = a->n[s] < b->n[s] ? a->n[s] : b->n[s];
			for (i = 0; i < r->n[s]; i++)
				r->v[s][i] = a->v[s][i] - b->v[s][i];
		}
		/* listed right after the row it comes from */
		tmp = *r;
		i = (int)(a - rows) + 1;
		memmove(&rows[i + 1], &rows[i], (r - &rows[i]) * sizeof(*r));
		rows[i] = tmp;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stat3 {
	double median, min, max;
};

static struct stat3 stats(const struct row *r, int s)
{
	double v[MAX_ROUNDS];
	struct stat3 st;
	int n = r->n[s];

	memcpy(v, r->v[s], n * sizeof(v[0]));
	qsort(v, n, sizeof(v[0]), cmp_double);
	st.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	st.min = v[0];
	st.max = v[n - 1];
	return st;
}

static void print_table(void)
{
	int i, s;

	printf("\n%-20s %-10s %-8s %10s %10s %10s %7s %7s %7s\n", "workload",
	       "param", "unit", "linux", "linux-4k", "bsdvm", "/linux",
	       "/4k", "spread");
	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		double med[NSYS] = { 0 }, spread = 0;

		printf("%-20s %-10s %-8s", r->workload, r->param, r->unit);
		for (s = 0; s < NSYS; s++) {
			struct stat3 st;

			if (!r->n[s]) {
				printf(" %10s", "-");
				continue;
			}
			st = stats(r, s);
			med[s] = st.median;
			if (st.median > 0 &&
			    (st.max - st.min) / st.median > spread)
				spread = (st.max - st.min) / st.median;
			printf(" %10.4g", st.median);
		}
		for (s = SYS_LINUX; s <= SYS_LINUX4K; s++) {
			if (r->n[s] && r->n[SYS_BSDVM] && med[s] > 0)
				printf(" %7.2f", med[SYS_BSDVM] / med[s]);
			else
				printf(" %7s", "-");
		}
		printf(" %6.0f%%\n", spread * 100);
	}
	puts("(medians; /linux, /4k: bsdvm's divided by linux's, linux-4k's;");
	puts(" spread: the largest (max - min) / median of the three)");
}

static void write_csv(const char *path)
{
	FILE *f = fopen(path, "w");
	int i, s;

	if (!f)
		die(path);
	fprintf(f, "workload,param,system,unit,median,min,max,rounds\n");
	for (i = 0; i < nrows; i++) {
		for (s = 0; s < NSYS; s++) {
			const struct row *r = &rows[i];
			struct stat3 st;

			if (!r->n[s])
				continue;
			st = stats(r, s);
			fprintf(f, "%s,%s,%s,%s,%.6g,%.6g,%.6g,%d\n",
				r->workload, r->param, vm_systems[s].name,
				r->unit, st.median, st.min, st.max, r->n[s]);
		}
	}
	if (fclose(f))
		die(path);
}

/* --- options --- */

static int in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ',') && (!p[n] || p[n] == ','))
			return 1;
		p += n;
	}
	return 0;
}

static const char usage_text[] =
"usage: vmbench [-q] [-r ROUNDS] [-w WARMUP] [-o CSV] [-s SYSTEMS] [-l LOADS]\n"
"               [-B MIB] [-m MIB] [-d DIR] [-L]\n"
"  -q          quick: small sizes, 3 rounds (a development run)\n"
"  -r ROUNDS   measured rounds after the warm-up (default 5)\n"
"  -w WARMUP   warm-up rounds, not reported (default 1)\n"
"  -o CSV      write workload,param,system,unit,median,min,max,rounds\n"
"  -s SYSTEMS  comma list of linux,linux-4k,bsdvm (default all)\n"
"  -l LOADS    comma list of workloads (default all; -L lists them)\n"
"  -B MIB      the 1 GiB regions (faults, mincore, madvise, brk)\n"
"  -m MIB      COW and per-thread regions (default 128)\n"
"  -d DIR      where the files of file-read and msync go (default /tmp)\n";

static size_t mib_arg(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*end || !v)
		dief("bad size %s (MiB)", s);
	return v * MIB;
}

static void thp_setting(char *buf, size_t n)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char *a, *b;

	snprintf(buf, n, "unknown");
	if (!f)
		return;
	a = fgets(buf, (int)n, f) ? strchr(buf, '[') : NULL;
	b = a ? strchr(a, ']') : NULL;
	if (b) {
		*b = 0;
		memmove(buf, a + 1, strlen(a + 1) + 1);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	int rounds = -1, warmup = 1, quick = 0, opt, li, pi, s, r, k = 0;
	unsigned int sysmask = SYS_ALL;
	const char *csv = NULL, *loads = NULL;
	size_t big = 0, region = 0;
	double t_all = now_ns();
	struct utsname u;
	char thp[128];

	while ((opt = getopt(argc, argv, "qr:w:o:s:l:B:m:d:Lh")) != -1) {
		switch (opt) {
		case 'q':
			quick = 1;
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'w':
			warmup = atoi(optarg);
			break;
		case 'o':
			csv = optarg;
			break;
		case 's':
			sysmask = 0;
			for (s = 0; s < NSYS; s++)
				if (in_list(optarg, vm_systems[s].name))
					sysmask |= 1 << s;
			if (!sysmask)
				dief("no known system in -s %s", optarg);
			break;
		case 'l':
			loads = optarg;
			break;
		case 'B':
			big = mib_arg(optarg);
			break;
		case 'm':
			region = mib_arg(optarg);
			break;
		case 'd':
			vb.dir = optarg;
			break;
		case 'L':
			for (li = 0; li < vm_nloads; li++)
				printf("%-14s %s\n", vm_loads[li].name,
				       vm_loads[li].what);
			return 0;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (rounds < 0)
		rounds = quick ? 3 : 5;
	if (rounds < 1 || rounds > MAX_ROUNDS || warmup < 0 || optind < argc)
		dief("bad arguments (-h for help)");
	if (quick) {
		vb.big = 32 * MIB;
		vb.region = 16 * MIB;
		vb.chain = 4 * MIB;
		vb.file = 16 * MIB;
		vb.brk = 64 * MIB;
		vb.fork_mib = fork_quick;
	}
	if (big)
		vb.big = vb.brk = big;
	if (region)
		vb.region = region;
	if (loads)
		for (li = 0; li < vm_nloads; li++)
			k += in_list(loads, vm_loads[li].name);
	if (loads && !k)
		dief("no known workload in -l %s (-L lists them)", loads);

	coordinator = getpid();
	atexit(cleanup);
	signal(SIGPIPE, SIG_IGN);
	for (li = 0; li < vm_nloads; li++)
		if (vm_loads[li].setup && (!loads ||
					   in_list(loads, vm_loads[li].name)))
			vm_loads[li].setup();
	if (sysmask & ((1 << SYS_LINUX) | (1 << SYS_LINUX4K)))
		start_worker(0);
	if (sysmask & (1 << SYS_BSDVM))
		start_worker(1);

	uname(&u);
	thp_setting(thp, sizeof(thp));
	printf("vmbench: Linux %s, transparent huge pages: %s\n", u.release,
	       thp);
	printf("vmbench: %d rounds after %d warm-up%s; MiB: big %zu, ",
	       rounds, warmup, quick ? " (quick)" : "", vb.big >> 20);
	printf("COW and per thread %zu, chain %zu, file %zu, brk %zu\n",
	       vb.region >> 20, vb.chain >> 20, vb.file >> 20, vb.brk >> 20);
	fflush(stdout);

	for (li = 0, k = 0; li < vm_nloads; li++) {
		const struct vm_load *l = &vm_loads[li];
		int np = 1;
		double t = now_ns();

		if ((loads && !in_list(loads, l->name)) ||
		    !(l->systems & sysmask))
			continue;
		if (l->params)
			for (np = 0; (*l->params)[np]; np++)
				;
		fprintf(stderr, "vmbench: [%d] %s: %s ...\n", ++k, l->name,
			l->what);
		for (r = -warmup; r < rounds; r++)
			for (pi = 0; pi < np; pi++)
				run_round(li, pi, l->systems & sysmask, r);
		fprintf(stderr, "vmbench: [%d] %s done in %.1f s\n", k,
			l->name, (now_ns() - t) / 1e9);
	}
	stop_workers();
	add_derived();
	print_table();
	if (csv)
		write_csv(csv);
	fprintf(stderr, "vmbench: all done in %.1f s\n",
		(now_ns() - t_all) / 1e9);
	return 0;
}
