// SPDX-License-Identifier: GPL-2.0
/*
 * loads_map.c - vmbench's workloads on mappings: mmap + munmap pairs,
 * Appel & Li's primitives, file mappings (read faults, msync), brk.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vmbench.h"

static const char *kib_label(long kib, char *buf, size_t n)
{
	if (kib >= (1L << 20) && !(kib & ((1L << 20) - 1)))
		snprintf(buf, n, "%ld GiB", kib >> 20);
	else if (kib >= 1024)
		snprintf(buf, n, "%ld MiB", kib >> 10);
	else
		snprintf(buf, n, "%ld KiB", kib);
	return buf;
}

/* --- mmap + munmap pairs --- */

static const int mmap_kib[] = { 4, 64, 1024, 0 };
const int *const mmap_params = mmap_kib;

static void pairs(const struct vm_sys *s, long kib, int touched)
{
	size_t len = (size_t)kib << 10;
	/* touched pairs cost a fault per page: fewer of them */
	long n = touched ? (long)((32 * MIB) / len) : 2000;
	char lbl[32];
	double t;
	long i;

	if (n > 2000)
		n = 2000;
	if (n < 32)
		n = 32;
	t = now_ns();
	for (i = 0; i < n; i++) {
		char *p = s->map(len);

		if (touched)
			touch_write(p, len);
		s->unmap(p, len);
	}
	t = now_ns() - t;
	record(touched ? "mmap-munmap-touched" : "mmap-munmap",
	       kib_label(kib, lbl, sizeof(lbl)), "us/pair", t / n / 1e3);
}

void mmap_pairs(const struct vm_sys *s, long kib)
{
	pairs(s, kib, 0);
}

void mmap_pairs_touched(const struct vm_sys *s, long kib)
{
	pairs(s, kib, 1);
}

/*
 * --- Appel & Li, "Virtual memory primitives for user programs" (1991) ---
 * On 100 pages, visited in a fixed pseudo-random order (as vmpup.c):
 *   PROT1   lower one page to read-only
 *   PROTN   lower all 100 in one call
 *   UNPROT  raise one read-only page to read-write
 *   TRAP    write to a read-only page; the SIGSEGV handler raises it
 *           (so TRAP includes one UNPROT) and the write is retried
 *   APPEL1  PROT1 + TRAP + UNPROT: all pages read-only but one; a trap
 *           closes the page opened before and opens this one
 *   APPEL2  PROTN + TRAP + UNPROT: protect all, then trap on each
 */
#define APPEL_PAGES	100
#define APPEL_PASSES	20

static const struct vm_sys *trap_sys;
static char *trap_base, *trap_open;
static int trap_swap;		/* APPEL1: close the page opened before */
static int perm[APPEL_PAGES];

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	char *page = (char *)((uintptr_t)si->si_addr & ~(PG - 1));
	static const char msg[] = "vmbench: SIGSEGV outside the trap pages\n";

	(void)sig;
	(void)uc;
	if (page < trap_base || page >= trap_base + APPEL_PAGES * PG) {
		if (write(2, msg, sizeof(msg) - 1) < 0)
			_exit(3);
		_exit(3);
	}
	if (trap_swap && trap_open)
		trap_sys->protect(trap_open, PG, VB_R);
	trap_sys->protect(page, PG, VB_RW);
	trap_open = page;
}

static char *page_of(char *base, int i)
{
	return base + (size_t)perm[i] * PG;
}

void appel(const struct vm_sys *s, long param)
{
	struct sigaction sa = { .sa_sigaction = on_segv,
				.sa_flags = SA_SIGINFO };
	const size_t len = APPEL_PAGES * PG;
	const int ops = APPEL_PASSES * APPEL_PAGES;
	double prot1 = 0, protn = 0, unprot = 0, trap = 0, a1, a2, t;
	char *p = s->map(len);
	int pass, i;

	(void)param;
	for (i = 0; i < APPEL_PAGES; i++)
		perm[i] = (i * 37) % APPEL_PAGES;
	if (sigaction(SIGSEGV, &sa, NULL))
		die("sigaction");
	trap_sys = s;
	trap_base = p;
	trap_swap = 0;
	touch_write(p, len);
	for (pass = 0; pass < APPEL_PASSES; pass++) {
		/* every page mapped read-write before each primitive */
		t = now_ns();
		for (i = 0; i < APPEL_PAGES; i++)
			s->protect(page_of(p, i), PG, VB_R);
		prot1 += now_ns() - t;
		s->protect(p, len, VB_RW);
		touch_write(p, len);

		t = now_ns();
		s->protect(p, len, VB_R);
		protn += now_ns() - t;

		/* read-only and mapped (bsdvm removed the PTEs: refault) */
		touch_read(p, len);
		t = now_ns();
		for (i = 0; i < APPEL_PAGES; i++)
			s->protect(page_of(p, i), PG, VB_RW);
		unprot += now_ns() - t;

		s->protect(p, len, VB_R);
		touch_read(p, len);
		trap_open = NULL;
		t = now_ns();
		for (i = 0; i < APPEL_PAGES; i++)
			*(volatile char *)page_of(p, i) = 3;
		trap += now_ns() - t;
	}

	/* APPEL1: one page open at a time */
	s->protect(p, len, VB_R);
	s->protect(p, PG, VB_RW);
	trap_open = p;
	trap_swap = 1;
	t = now_ns();
	for (pass = 0; pass < APPEL_PASSES; pass++)
		for (i = 0; i < APPEL_PAGES; i++)
			(*(volatile char *)page_of(p, i))++;
	a1 = now_ns() - t;

	/* APPEL2: protect all, then trap on each */
	trap_swap = 0;
	t = now_ns();
	for (pass = 0; pass < APPEL_PASSES; pass++) {
		s->protect(p, len, VB_R);
		for (i = 0; i < APPEL_PAGES; i++)
			(*(volatile char *)page_of(p, i))++;
	}
	a2 = now_ns() - t;
	s->unmap(p, len);
	signal(SIGSEGV, SIG_DFL);

	record("prot1", "1 page", "us/call", prot1 / ops / 1e3);
	record("protn", "100 pages", "us/call", protn / APPEL_PASSES / 1e3);
	record("unprot", "1 page", "us/call", unprot / ops / 1e3);
	record("trap", "1 page", "us/trap", trap / ops / 1e3);
	record("appel1", "100 pages", "us/trap", a1 / ops / 1e3);
	record("appel2", "100 pages", "us/trap", a2 / ops / 1e3);
}

/* --- file mappings: made once, before the workers start --- */

#define MSYNC_PAGES	1000
#define MSYNC_CALLS	5

static int read_fd = -1, msync_fd = -1;
static char read_path[512], msync_path[512];

static int make_file(char *path, size_t n, const char *tag, size_t len)
{
	static char buf[1 << 20];
	size_t done, k;
	int fd;

	snprintf(path, n, "%s/vmbench-%s.XXXXXX", vb.dir, tag);
	fd = mkstemp(path);
	if (fd < 0)
		dief("cannot create %s", path);
	memset(buf, 0x5a, sizeof(buf));
	/* written, so every page is in the page cache: a hot cache */
	for (done = 0; done < len; done += k) {
		k = len - done < sizeof(buf) ? len - done : sizeof(buf);
		if (write(fd, buf, k) != (ssize_t)k)
			die("write the file");
	}
	return fd;
}

void file_setup(void)
{
	if (read_fd >= 0)
		return;
	read_fd = make_file(read_path, sizeof(read_path), "read", vb.file);
	msync_fd = make_file(msync_path, sizeof(msync_path), "msync",
			     MSYNC_PAGES * PG);
}

void file_cleanup(void)
{
	if (read_fd >= 0)
		unlink(read_path);
	if (msync_fd >= 0)
		unlink(msync_path);
	read_fd = msync_fd = -1;
}

void file_read(const struct vm_sys *s, long param)
{
	char *p = s->map_file(read_fd, vb.file, VB_R);
	char lbl[32];
	double t;

	(void)param;
	t = now_ns();
	touch_read(p, vb.file);
	t = now_ns() - t;
	if (p[vb.file - 1] != 0x5a)
		dief("%s: the file reads back wrong", s->name);
	s->unmap(p, vb.file);
	record("file-read-fault", kib_label((long)(vb.file >> 10), lbl,
					    sizeof(lbl)),
	       "us/page", t / (vb.file / PG) / 1e3);
}

void file_msync(const struct vm_sys *s, long param)
{
	const size_t len = MSYNC_PAGES * PG;
	char *p = s->map_file(msync_fd, len, VB_RW);
	double t, sum = 0;
	int i;

	(void)param;
	for (i = 0; i < MSYNC_CALLS; i++) {
		touch_write(p, len);
		t = now_ns();
		s->msync(p, len);
		sum += now_ns() - t;
	}
	s->unmap(p, len);
	record("msync", "1000 pages", "ms/call", sum / MSYNC_CALLS / 1e6);
}

/*
 * --- brk: grow the break by vb.brk in 64 KiB steps, untouched, then
 * put it back.  Nothing between may call malloc: glibc's heap lives at
 * the Linux break (bsdvm's break is its own, in the arena).
 */
#define BRK_STEP	(64UL << 10)

void brk_grow(const struct vm_sys *s, long param)
{
	size_t steps = vb.brk / BRK_STEP, i;
	char *base = s->sbrk(0);
	char lbl[32];
	double t;

	(void)param;
	t = now_ns();
	for (i = 0; i < steps; i++)
		s->sbrk(BRK_STEP);
	t = now_ns() - t;
	s->brk(base);
	record("brk-grow", kib_label((long)(vb.brk >> 10), lbl, sizeof(lbl)),
	       "us/step", t / steps / 1e3);
}
