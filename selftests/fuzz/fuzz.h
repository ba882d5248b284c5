/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bsdvm-fuzz: a seeded, time-bounded fuzzer of /dev/bsdvm and of raw
 * Linux system calls on the arena (Documentation/testing.rst).
 *
 * A supervisor forks worker processes; each maps an arena and runs
 * threads that issue random operations.  Every operation is logged in
 * memory the supervisor shares, so when the kernel log shows a splat the
 * supervisor can write the seed and the last operations of every worker
 * to a reproduction directory.
 */
#ifndef _BSDVM_FUZZ_H
#define _BSDVM_FUZZ_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define FZ_PG		4096UL
#define FZ_MAX_WORKERS	8
#define FZ_MAX_THREADS	6	/* log rows per worker: threads + children */
#define FZ_CHILD_ROW	(FZ_MAX_THREADS - 1)	/* forked children log here */
#define FZ_GUARD	(64 * FZ_PG)	/* PROT_NONE around the arena */
#define FZ_LOG_LEN	32	/* operations kept per thread */
#define FZ_PCS		(1 << 16)	/* coverage table slots */

#define FZ_RUNNING	(1LL << 62)	/* fz_rec.ret of an op not returned */

/* One logged operation: what it was called with and what it returned. */
struct fz_rec {
	uint64_t seq;
	uint64_t a[3];
	int64_t ret;
	uint16_t op;
};

/* A worker's counters and op logs, in memory shared with the supervisor. */
struct fz_slot {
	uint64_t ops;
	uint32_t restarts;
	uint32_t pid;
	uint64_t head[FZ_MAX_THREADS];
	struct fz_rec log[FZ_MAX_THREADS][FZ_LOG_LEN];
};

/*
 * The supervisor sets stop to FZ_STOP; workers map its page read-only, so
 * any other value was written through a stale mapping of a freed page.
 */
#define FZ_STOP		0x5709

struct fz_shared {
	volatile int stop;	/* alone in its page, read-only to workers */

	uint64_t npcs __attribute__((aligned(4096)));
	uint64_t pcs[FZ_PCS];	/* open addressing, 0 is empty */
	struct fz_slot slot[FZ_MAX_WORKERS];
};

struct fz_opts {
	uint64_t seed;
	int seconds;
	int workers;
	int threads;
	const char *outdir;
	bool fail_nth;		/* /proc/thread-self/fail-nth is usable */
	uint64_t off;		/* ops left out (-x): bit = op index */
	bool verbose;
};

/* splitmix64: one state per thread, derived from the seed. */
struct fz_rng {
	uint64_t s;
};

static inline uint64_t fz_next(struct fz_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. */
static inline uint64_t fz_below(struct fz_rng *r, uint64_t n)
{
	return fz_next(r) % n;
}

static inline bool fz_chance(struct fz_rng *r, unsigned int one_in)
{
	return fz_below(r, one_in) == 0;
}

/* The calling worker's arena; threads may unmap and remap it any time. */
struct fz_arena {
	volatile int dev;	/* /dev/bsdvm, or -1 */
	char *volatile base;	/* NULL while unmapped */
	size_t size;
	int files[4];		/* for BSD_MAP with a file */
};

/* One op loop: a thread of a worker, or a child it forked. */
struct fz_thread {
	struct fz_rng rng;
	struct fz_arena *arena;
	struct fz_slot *slot;
	const struct fz_opts *opts;
	int index;		/* log row in slot */
	bool is_child;		/* a forked child: no fork, no exit_group */
	uint64_t *cover;	/* kcov buffer, or NULL */
	struct fz_shared *sh;
};

/* An operation: returns a result to log (0, -errno, or a count). */
struct fz_op {
	const char *name;
	long (*fn)(struct fz_thread *t, uint64_t a[3]);
	unsigned int weight;
};

extern const struct fz_op fz_bsd_ops[];
extern const unsigned int fz_nr_bsd_ops;
extern const struct fz_op fz_sys_ops[];
extern const unsigned int fz_nr_sys_ops;
extern const struct fz_op fz_task_ops[];
extern const unsigned int fz_nr_task_ops;

/* args.c: addresses, lengths and flags a fuzzer should try */
uint64_t fz_addr(struct fz_thread *t);
uint64_t fz_len(struct fz_thread *t);
uint64_t fz_sys_len(struct fz_thread *t, uint64_t addr);
int fz_prot(struct fz_thread *t);
int fz_file(struct fz_thread *t);
uint32_t fz_size_field(struct fz_thread *t, uint32_t real);

/* worker.c */
void fz_worker(struct fz_shared *sh, const struct fz_opts *o, int w,
	       uint64_t seed);
void fz_run_ops(struct fz_thread *t, int n);
int fz_arena_map(struct fz_arena *ar, struct fz_rng *r);
bool fz_probe(char *p, bool write);
bool fz_stopping(const struct fz_thread *t);

/* kcov.c */
uint64_t *fz_kcov_start(void);
void fz_kcov_collect(struct fz_shared *sh, uint64_t *cover);

/* kmsg.c */
int fz_kmsg_open(void);
bool fz_kmsg_splat(int fd, char *buf, size_t len);
void fz_repro(const struct fz_shared *sh, const struct fz_opts *o,
	      const char *splat);

const char *fz_op_name(unsigned int op);
int fz_op_index(const char *name);

#endif /* _BSDVM_FUZZ_H */
