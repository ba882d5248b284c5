// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * counters.c - the shim's counters (shimstat.h): this process's, and with
 * BSDVM_STATS_FILE a shared copy that every process of a run adds to.
 * BSDVM_STATS=1 prints this process's at exit (a convenience: a child that
 * _exit()s skips it, the shared file does not depend on it).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "shimstat.h"

static struct bv_counters local;
static struct bv_counters *shared;

static inline void add(uint64_t *c, uint64_t v)
{
	__atomic_fetch_add(c, v, __ATOMIC_RELAXED);
}

void bv_count(enum bv_op op, enum bv_outcome how, uint64_t bytes,
	      enum bv_why why)
{
	struct bv_counters *cs[2] = { &local, shared };
	int i;

	for (i = 0; i < 2; i++) {
		struct bv_counters *c = cs[i];

		if (!c)
			continue;
		switch (how) {
		case BV_SERVED:
			add(&c->served[op], 1);
			add(&c->served_bytes[op], bytes);
			break;
		case BV_PASSED:
			add(&c->passed[op], 1);
			add(&c->passed_bytes[op], bytes);
			if (why < BV_WHY_NR)
				add(&c->why[why], 1);
			break;
		case BV_FAILED:
			add(&c->failed[op], 1);
			break;
		}
	}
}

void bv_count_malloc_libc(void)
{
	add(&local.malloc_libc, 1);
	if (shared)
		add(&shared->malloc_libc, 1);
}

void bv_counters_fork_child(void)
{
	memset(&local, 0, sizeof(local));
	if (shared)
		add(&shared->processes, 1);
}

static void print_counters(void)
{
	struct bsdvm_stats st;
	int op;

	bv_log("bsdvm-shim: pid %d", (int)getpid());
	for (op = 0; op < BV_OP_NR; op++) {
		if (!local.served[op] && !local.passed[op] && !local.failed[op])
			continue;
		bv_log("bsdvm-shim: %-8s bsdvm %llu (%llu bytes) linux %llu "
		       "(%llu bytes) errors %llu", bv_op_names[op],
		       (unsigned long long)local.served[op],
		       (unsigned long long)local.served_bytes[op],
		       (unsigned long long)local.passed[op],
		       (unsigned long long)local.passed_bytes[op],
		       (unsigned long long)local.failed[op]);
	}
	for (op = 1; op < BV_WHY_NR; op++)
		if (local.why[op])
			bv_log("bsdvm-shim: passed through (%s): %llu",
			       bv_why_names[op],
			       (unsigned long long)local.why[op]);
	if (bsdvm_in_arena((void *)bv_lib.start, 1) && !bsdvm_stats(&st))
		bv_log("bsdvm-shim: space: faults %lld (read %lld, write %lld)"
		       " pages %lld peak-pages(global) %lld entries %lld",
		       (long long)st.faults, (long long)st.faults_read,
		       (long long)st.faults_write, (long long)st.pages,
		       (long long)st.peak_pages, (long long)st.entries);
}

static void stats_file_open(const char *path)
{
	struct stat stb;
	void *p;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return;
	if (fstat(fd, &stb) < 0 ||
	    (stb.st_size < (off_t)sizeof(struct bv_counters) &&
	     ftruncate(fd, sizeof(struct bv_counters)) < 0)) {
		close(fd);
		return;
	}
	p = (void *)syscall(SYS_mmap, NULL, sizeof(struct bv_counters),
			    PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return;
	shared = p;
	if (!shared->magic) {
		uint64_t z = 0;

		__atomic_compare_exchange_n(&shared->magic, &z, BV_STATS_MAGIC,
					    false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
		shared->version = BV_STATS_VERSION;
	}
	add(&shared->processes, 1);
}

__attribute__((constructor)) static void counters_ctor(void)
{
	const char *f = getenv("BSDVM_STATS_FILE");

	local.magic = BV_STATS_MAGIC;
	local.version = BV_STATS_VERSION;
	local.processes = 1;
	if (f && *f)
		stats_file_open(f);
}

__attribute__((destructor)) static void counters_dtor(void)
{
	if (bv_env_flag("BSDVM_STATS", false))
		print_counters();
}
