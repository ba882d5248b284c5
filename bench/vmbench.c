// SPDX-License-Identifier: GPL-2.0
/*
 * vmbench - the same memory workloads on native Linux and on bsdvm, in one
 * process, one after the other, reported side by side with their ratio.
 * Run it where bsdvm.ko is loaded (make -C bench guest does that in a QEMU
 * guest).  Times on a shared or emulated machine mean little; the ratio
 * is the result.  Linux runs twice: as configured (transparent huge pages
 * may serve a whole 2 MiB per fault) and with MADV_NOHUGEPAGE (4 KiB
 * faults, as bsdvm's).
 *
 * Workloads (each the median of --rounds runs, per operation):
 *   zero-fill       first write to each page of a fresh mapping
 *   read-zero       first read of each page of a fresh mapping
 *   fork-cow        fork after writing a region; the child writes it all
 *   fork            fork and exit of a process with a written region
 *   trap            Appel & Li: a write to a read-only page, handler
 *                   raises the protection (one PROT1 + TRAP + UNPROT)
 *   protN           Appel & Li: protect 100 pages at once, then trap on
 *                   each (PROTN amortised + TRAP + UNPROT)
 *   mmap-munmap     map and unmap 16 pages without touching them
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <linux/bsdvm.h>

#define PG		4096UL
#define ARENA_SIZE	(16UL << 30)
#define APPEL_PAGES	100

struct vm_ops {
	const char *name;
	char *(*map)(size_t len);
	void (*unmap)(char *p, size_t len);
	void (*protect)(char *p, size_t len, int writable);
};

static int dev = -1;
static int rounds = 5;
static size_t region = 32UL << 20;

static void die(const char *what)
{
	fprintf(stderr, "vmbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* --- native Linux --- */

static char *native_map(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

/* Linux without transparent huge pages: 4 KiB faults, like bsdvm's */
static char *native_4k_map(size_t len)
{
	char *p = native_map(len);

	if (madvise(p, len, MADV_NOHUGEPAGE))
		die("madvise(MADV_NOHUGEPAGE)");
	return p;
}

static void native_unmap(char *p, size_t len)
{
	if (munmap(p, len))
		die("munmap");
}

static void native_protect(char *p, size_t len, int writable)
{
	if (mprotect(p, len, writable ? PROT_READ | PROT_WRITE : PROT_READ))
		die("mprotect");
}

/* --- bsdvm, through the device (no shim) --- */

static char *bsdvm_map(size_t len)
{
	struct bsdvm_map_args a = {
		.size = sizeof(a), .len = len, .fd = -1,
		.prot = BSD_PROT_READ | BSD_PROT_WRITE,
		.flags = BSD_MAP_ANON | BSD_MAP_PRIVATE,
	};

	if (ioctl(dev, BSDVM_IOC_MAP, &a))
		die("BSDVM_IOC_MAP");
	return (char *)(uintptr_t)a.addr;
}

static void bsdvm_range(unsigned long cmd, char *p, size_t len, int arg)
{
	struct bsdvm_range_args a = {
		.size = sizeof(a), .arg = arg, .addr = (uintptr_t)p,
		.len = len,
	};

	if (ioctl(dev, cmd, &a))
		die("bsdvm range ioctl");
}

static void bsdvm_unmap(char *p, size_t len)
{
	bsdvm_range(BSDVM_IOC_UNMAP, p, len, 0);
}

static void bsdvm_protect(char *p, size_t len, int writable)
{
	bsdvm_range(BSDVM_IOC_PROTECT, p, len, writable ?
		    BSD_PROT_READ | BSD_PROT_WRITE : BSD_PROT_READ);
}

static const struct vm_ops native_ops = {
	"linux", native_map, native_unmap, native_protect
};
static const struct vm_ops native_4k_ops = {
	"linux-4k", native_4k_map, native_unmap, native_protect
};
static const struct vm_ops bsdvm_ops = {
	"bsdvm", bsdvm_map, bsdvm_unmap, bsdvm_protect
};

/* --- workloads: each returns ns per operation --- */

static double zero_fill(const struct vm_ops *vm)
{
	char *p = vm->map(region);
	double t = now_ns();
	size_t i;

	for (i = 0; i < region; i += PG)
		p[i] = 1;
	t = now_ns() - t;
	vm->unmap(p, region);
	return t / (region / PG);
}

static double read_zero(const struct vm_ops *vm)
{
	char *p = vm->map(region);
	volatile char sink = 0;
	double t = now_ns();
	size_t i;

	for (i = 0; i < region; i += PG)
		sink += *(volatile char *)(p + i);
	t = now_ns() - t;
	(void)sink;
	vm->unmap(p, region);
	return t / (region / PG);
}

static double fork_run(const struct vm_ops *vm, int child_writes)
{
	char *p = vm->map(region);
	int status;
	double t;
	pid_t pid;
	size_t i;

	memset(p, 1, region);
	t = now_ns();
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		if (child_writes)
			for (i = 0; i < region; i += PG)
				p[i] = 2;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || status)
		die("child");
	t = now_ns() - t;
	vm->unmap(p, region);
	return child_writes ? t / (region / PG) : t;
}

static double fork_cow(const struct vm_ops *vm)
{
	return fork_run(vm, 1);
}

static double fork_only(const struct vm_ops *vm)
{
	return fork_run(vm, 0);
}

/* Appel & Li: the handler opens the faulting page (and for PROT1 closes
 * the one opened before it, in that order). */
static const struct vm_ops *trap_vm;
static char *trap_base, *trap_open;
static int trap_close_previous;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	char *page = (char *)((uintptr_t)si->si_addr & ~(PG - 1));

	(void)sig;
	(void)uc;
	if (page < trap_base || page >= trap_base + APPEL_PAGES * PG)
		_exit(3);
	if (trap_close_previous && trap_open)
		trap_vm->protect(trap_open, PG, 0);
	trap_vm->protect(page, PG, 1);
	trap_open = page;
}

static int perm[APPEL_PAGES];

static double appel(const struct vm_ops *vm, int protn)
{
	const int passes = 20;
	double t;
	int r, i;

	trap_vm = vm;
	trap_base = vm->map(APPEL_PAGES * PG);
	memset(trap_base, 1, APPEL_PAGES * PG);
	trap_close_previous = !protn;
	trap_open = NULL;
	if (!protn) {
		/* all protected but one */
		vm->protect(trap_base, APPEL_PAGES * PG, 0);
		vm->protect(trap_base, PG, 1);
		trap_open = trap_base;
	}
	t = now_ns();
	for (r = 0; r < passes; r++) {
		if (protn)
			vm->protect(trap_base, APPEL_PAGES * PG, 0);
		for (i = 0; i < APPEL_PAGES; i++)
			trap_base[perm[i] * PG]++;
	}
	t = now_ns() - t;
	vm->unmap(trap_base, APPEL_PAGES * PG);
	return t / (passes * APPEL_PAGES);
}

static double trap1(const struct vm_ops *vm)
{
	return appel(vm, 0);
}

static double trapn(const struct vm_ops *vm)
{
	return appel(vm, 1);
}

static double map_unmap(const struct vm_ops *vm)
{
	const int n = 2000;
	double t = now_ns();
	int i;

	for (i = 0; i < n; i++)
		vm->unmap(vm->map(16 * PG), 16 * PG);
	return (now_ns() - t) / n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double (*fn)(const struct vm_ops *),
		     const struct vm_ops *vm)
{
	double v[64];
	int i, n = rounds;

	fn(vm);			/* warm-up: first-touch costs of the guest */
	for (i = 0; i < n; i++)
		v[i] = fn(vm);
	qsort(v, n, sizeof(v[0]), cmp_double);
	return v[n / 2];
}

static void arena(void)
{
	dev = open(BSDVM_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		die("open " BSDVM_DEVICE " (is bsdvm.ko loaded?)");
	if (mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, dev,
		 0) == MAP_FAILED)
		die("mmap the arena");
}

static const struct {
	const char *name, *unit;
	double (*fn)(const struct vm_ops *);
	double scale;
} loads[] = {
	{ "zero-fill", "us/page", zero_fill, 1e3 },
	{ "read-zero", "us/page", read_zero, 1e3 },
	{ "fork-cow", "us/page", fork_cow, 1e3 },
	{ "fork", "ms/fork", fork_only, 1e6 },
	{ "trap", "us/trap", trap1, 1e3 },
	{ "protN", "us/trap", trapn, 1e3 },
	{ "mmap-munmap", "us/pair", map_unmap, 1e3 },
};

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_segv,
				.sa_flags = SA_SIGINFO };
	size_t i;
	int opt;

	while ((opt = getopt(argc, argv, "r:m:h")) != -1) {
		switch (opt) {
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'm':
			region = strtoul(optarg, NULL, 0) << 20;
			break;
		default:
			fprintf(stderr, "usage: vmbench [-r ROUNDS (1-64)] "
				"[-m REGION_MIB]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (rounds < 1 || rounds > 64 || region < PG) {
		fprintf(stderr, "vmbench: bad -r or -m\n");
		return 2;
	}
	/* a fixed pseudo-random visiting order, as in vmpup.c */
	for (i = 0; i < APPEL_PAGES; i++)
		perm[i] = (int)((i * 37) % APPEL_PAGES);
	sigaction(SIGSEGV, &sa, NULL);
	arena();
	printf("vmbench: %zu MiB regions, median of %d rounds; linux-4k is "
	       "Linux with MADV_NOHUGEPAGE\n", region >> 20, rounds);
	printf("%-12s %-8s %9s %9s %9s %8s %8s\n", "workload", "unit",
	       "linux", "linux-4k", "bsdvm", "/linux", "/4k");
	for (i = 0; i < sizeof(loads) / sizeof(loads[0]); i++) {
		double l = median(loads[i].fn, &native_ops);
		double k = median(loads[i].fn, &native_4k_ops);
		double b = median(loads[i].fn, &bsdvm_ops);
		double sc = loads[i].scale;

		printf("%-12s %-8s %9.2f %9.2f %9.2f %8.2f %8.2f\n",
		       loads[i].name, loads[i].unit, l / sc, k / sc, b / sc,
		       b / l, b / k);
	}
	return 0;
}
