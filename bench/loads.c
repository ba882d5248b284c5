// SPDX-License-Identifier: GPL-2.0
/*
 * loads.c - vmbench's workloads on anonymous memory: faults, fork, COW
 * (also through a shadow chain), threads.  Each run() is one measurement
 * on one system; it maps what it needs and unmaps it before it returns,
 * so measurements do not see each other's memory.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "bsdvm.h"
#include "vmbench.h"

static const char *size_label(size_t len, char *buf, size_t n)
{
	if (len >= (1UL << 30) && !(len & ((1UL << 30) - 1)))
		snprintf(buf, n, "%zu GiB", len >> 30);
	else
		snprintf(buf, n, "%zu MiB", len >> 20);
	return buf;
}

static void wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		dief("child failed (status %#x)", status);
}

static pid_t xfork(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	return pid;
}

/* This process's page tables, from /proc/self/status (VmPTE, KiB). */
static long pte_bytes(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPTE: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb << 10;
}

/*
 * Bytes of the module's pv_entry slab cache in use (objects in use times
 * the slot size), or -1 where SLUB's sysfs does not show it.  A merged
 * cache counts others' objects too; the caller takes a difference.
 */
static long pv_slab_bytes(void)
{
	long objs = -1, slot = -1;
	FILE *f = fopen("/sys/kernel/slab/pv_entry/objects", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &objs) != 1)
		objs = -1;
	fclose(f);
	f = fopen("/sys/kernel/slab/pv_entry/slab_size", "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &slot) != 1)
		slot = -1;
	fclose(f);
	return objs < 0 || slot < 0 ? -1 : objs * slot;
}

/*
 * The 1 GiB session: first-touch write faults of a fresh mapping, the
 * memory it costs (bsdvm's counters; page tables), mincore of it all,
 * MADV_FREE, a rewrite, MADV_DONTNEED.  One mapping serves them all, so
 * only one big region exists at a time.
 */
static void big(const struct vm_sys *s, long param)
{
	size_t len = vb.big, pages = len / PG, i;
	unsigned char *vec = malloc(pages);
	long pte0 = pte_bytes(), pv0 = pv_slab_bytes(), pte1, pv1;
	struct bsdvm_stats st = { .size = sizeof(st) };
	const int mincores = 3;
	char lbl[32];
	char *p;
	double t;

	(void)param;
	if (!vec)
		die("malloc");
	size_label(len, lbl, sizeof(lbl));
	p = s->map(len);
	t = now_ns();
	touch_write(p, len);
	t = now_ns() - t;
	record("fault-write", lbl, "us/page", t / pages / 1e3);

	pte1 = pte_bytes();
	pv1 = pv_slab_bytes();
	/* bsdvm's arena keeps its page tables after munmap: no delta */
	if (s != &vm_systems[SYS_BSDVM] && pte0 >= 0 && pte1 >= 0)
		record("mem-pagetables", lbl, "B/page",
		       (double)(pte1 - pte0) / pages);
	if (s == &vm_systems[SYS_BSDVM]) {
		if (bsdvm_stats(&st))
			die("bsdvm_stats");
		if (st.pages > 0)
			record("mem-meta", lbl, "B/page",
			       (double)st.meta_bytes / st.pages);
		if (pv0 >= 0 && pv1 > pv0)
			record("mem-pv", lbl, "B/page",
			       (double)(pv1 - pv0) / pages);
	}

	t = now_ns();
	for (i = 0; i < (size_t)mincores; i++)
		s->mincore(p, len, vec);
	t = now_ns() - t;
	record("mincore", lbl, "ms/call", t / mincores / 1e6);
	for (i = 0; i < pages; i++)
		if (!(vec[i] & 1))
			dief("mincore: page %zu of %s not resident", i, lbl);

	t = now_ns();
	s->advise(p, len, VB_FREE);
	t = now_ns() - t;
	record("madv-free", lbl, "ms/call", t / 1e6);
	touch_write(p, len);
	t = now_ns();
	s->advise(p, len, VB_DONTNEED);
	t = now_ns() - t;
	record("madv-dontneed", lbl, "ms/call", t / 1e6);
	s->unmap(p, len);
	free(vec);
}

/* Read faults on memory never written: the zero page (or none). */
static void read_zero(const struct vm_sys *s, long param)
{
	size_t len = vb.big;
	char lbl[32];
	char *p = s->map(len);
	double t;

	(void)param;
	t = now_ns();
	touch_read(p, len);
	t = now_ns() - t;
	s->unmap(p, len);
	record("fault-read-zero", size_label(len, lbl, sizeof(lbl)),
	       "us/page", t / (len / PG) / 1e3);
}

/*
 * COW after fork.  Parent side: the child waits on a pipe while the
 * parent writes every page.  Child side: the parent waits while the
 * child writes every page and sends its time back.
 */
static void cow(const struct vm_sys *s, int child_side)
{
	size_t len = vb.region;
	int go[2], res[2];
	char lbl[32], c = 0;
	char *p = s->map(len);
	double t = 0;
	pid_t pid;

	touch_write(p, len);
	if (pipe(go) || pipe(res))
		die("pipe");
	pid = xfork();
	if (!pid) {
		if (child_side) {
			t = now_ns();
			touch_write(p, len);
			t = now_ns() - t;
			if (write(res[1], &t, sizeof(t)) != sizeof(t))
				_exit(1);
		} else if (read(go[0], &c, 1) != 1) {
			_exit(1);
		}
		_exit(0);
	}
	if (child_side) {
		if (read(res[0], &t, sizeof(t)) != sizeof(t))
			die("read the child's time");
	} else {
		t = now_ns();
		touch_write(p, len);
		t = now_ns() - t;
		if (write(go[1], &c, 1) != 1)
			die("write");
	}
	wait_child(pid);
	close(go[0]);
	close(go[1]);
	close(res[0]);
	close(res[1]);
	s->unmap(p, len);
	record(child_side ? "cow-child" : "cow-parent",
	       size_label(len, lbl, sizeof(lbl)), "us/page",
	       t / (len / PG) / 1e3);
}

static void cow_parent(const struct vm_sys *s, long param)
{
	(void)param;
	cow(s, 0);
}

static void cow_child(const struct vm_sys *s, long param)
{
	cow(s, 1);
	(void)param;
}

/* fork and the child's exit (reaped) with param MiB written. */
static void fork_exit(const struct vm_sys *s, long mib)
{
	size_t len = (size_t)mib * MIB;
	char lbl[32];
	char *p = s->map(len);
	double t;
	pid_t pid;

	touch_write(p, len);
	t = now_ns();
	pid = xfork();
	if (!pid)
		_exit(0);
	wait_child(pid);
	t = now_ns() - t;
	s->unmap(p, len);
	snprintf(lbl, sizeof(lbl), "%ld MiB", mib);
	record("fork", lbl, "ms/fork", t / 1e6);
}

/*
 * COW through a chain of depth d.  The region is written, then d times:
 * fork a child that stays alive (blocked on a pipe) and write page 0, so
 * the next fork needs a new shadow.  On bsdvm the parent's chain is then
 * d shadows over the object that holds the pages written first, and
 * each COW below walks d levels to find its page; Linux runs the same
 * sequence (an anon_vma chain d+1 long).
 */
static void cow_chain(const struct vm_sys *s, long depth)
{
	size_t len = vb.chain, pages = len / PG;
	pid_t kids[64];
	char lbl[32], c;
	char *p = s->map(len);
	int gate[2], i;
	double t;

	if (depth > 64)
		dief("chain depth %ld > 64", depth);
	touch_write(p, len);
	if (pipe(gate))
		die("pipe");
	for (i = 0; i < depth; i++) {
		kids[i] = xfork();
		if (!kids[i]) {
			close(gate[1]);
			/* EOF when the parent closes its end */
			_exit(read(gate[0], &c, 1) != 0);
		}
		*(volatile char *)p = 2;
	}
	t = now_ns();
	touch_write(p + PG, len - PG);
	t = now_ns() - t;
	close(gate[1]);
	close(gate[0]);
	for (i = 0; i < depth; i++)
		wait_child(kids[i]);
	s->unmap(p, len);
	snprintf(lbl, sizeof(lbl), "depth %ld", depth);
	record("cow-chain", lbl, "us/page", t / (pages - 1) / 1e3);
}

/* param threads, each zero-filling its own region of vb.region bytes. */
struct thr {
	pthread_t tid;
	pthread_barrier_t *start;
	char *p;
	double ns;
};

static void *thr_fill(void *arg)
{
	struct thr *t = arg;
	double t0;

	pthread_barrier_wait(t->start);
	t0 = now_ns();
	touch_write(t->p, vb.region);
	t->ns = now_ns() - t0;
	return NULL;
}

static void threads(const struct vm_sys *s, long n)
{
	size_t pages = vb.region / PG;
	pthread_barrier_t start;
	struct thr thr[8];
	double wall, sum = 0;
	char lbl[32];
	long i;

	if (n > 8)
		dief("%ld threads > 8", n);
	pthread_barrier_init(&start, NULL, (unsigned int)n + 1);
	for (i = 0; i < n; i++) {
		thr[i].start = &start;
		thr[i].p = s->map(vb.region);
		if (pthread_create(&thr[i].tid, NULL, thr_fill, &thr[i]))
			die("pthread_create");
	}
	pthread_barrier_wait(&start);
	wall = now_ns();
	for (i = 0; i < n; i++)
		pthread_join(thr[i].tid, NULL);
	wall = now_ns() - wall;
	for (i = 0; i < n; i++) {
		sum += thr[i].ns;
		s->unmap(thr[i].p, vb.region);
	}
	pthread_barrier_destroy(&start);
	snprintf(lbl, sizeof(lbl), "%ld thread%s", n, n > 1 ? "s" : "");
	/* what each thread sees per page, and the machine's throughput */
	record("threads-fault", lbl, "us/page", sum / n / pages / 1e3);
	record("threads-aggregate", lbl, "us/page", wall / (n * pages) / 1e3);
}

static const int thread_counts[] = { 1, 2, 0 };
static const int *const thread_params = thread_counts;

#define LOAD(n, w, sys, fn, ...) \
	{ .name = n, .what = w, .systems = sys, .run = fn, __VA_ARGS__ }

const struct vm_load vm_loads[] = {
	LOAD("big", "1 GiB: first-touch write faults, memory per page, "
	     "mincore, MADV_FREE, MADV_DONTNEED", SYS_ALL, big),
	LOAD("read-zero", "1 GiB: read faults on never-written memory",
	     SYS_ALL, read_zero),
	LOAD("cow-parent", "fork, then the parent writes every page",
	     SYS_ALL, cow_parent),
	LOAD("cow-child", "fork, then the child writes every page",
	     SYS_ALL, cow_child),
	LOAD("fork", "fork + child exit with N MiB written", SYS_ALL,
	     fork_exit, .params = &vb.fork_mib),
	LOAD("cow-chain", "COW write faults through a chain of depth d",
	     SYS_ALL, cow_chain, .params = &vb.depths),
	LOAD("threads", "1 and 2 threads zero-filling disjoint regions",
	     SYS_ALL, threads, .params = &thread_params),
	LOAD("mmap", "mmap + munmap pairs, untouched", SYS_NO4K,
	     mmap_pairs, .params = &mmap_params),
	LOAD("mmap-touched", "mmap + munmap pairs, every page written",
	     SYS_NO4K, mmap_pairs_touched, .params = &mmap_params),
	LOAD("appel", "Appel & Li: PROT1, PROTN, UNPROT, TRAP, APPEL1, "
	     "APPEL2", SYS_NO4K, appel),
	LOAD("file-read", "read faults on a file in the page cache",
	     SYS_NO4K, file_read, .setup = file_setup),
	LOAD("msync", "msync(MS_SYNC) of 1000 dirty pages of a shared file",
	     SYS_NO4K, file_msync, .setup = file_setup),
	LOAD("brk", "brk growth in 64 KiB steps", SYS_NO4K, brk_grow),
};

const int vm_nloads = sizeof(vm_loads) / sizeof(vm_loads[0]);
