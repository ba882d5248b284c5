// SPDX-License-Identifier: GPL-2.0
/*
 * A worker process: its files, its arena, and threads that run random
 * operations until the supervisor says stop.  A fault in an operation
 * (the arena was unmapped under it, a probe hit PROT_NONE) returns the
 * thread to its loop; anything worse kills the worker, which the
 * supervisor restarts with a new seed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bsdvm.h>
#include "fuzz.h"


/* Where a fault in this thread returns to: a probe, or the op loop. */
static __thread sigjmp_buf *fz_jb;

static const void *stop_page;
static __thread const char *cur_op;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (si->si_addr == stop_page) {
		static const char m[] = "bsdvm-fuzz: an op wrote to the stop flag\n";

		(void)!write(2, m, sizeof(m) - 1);
		if (cur_op)
			(void)!write(2, cur_op, strlen(cur_op));
		abort();
	}
	if (fz_jb)
		siglongjmp(*fz_jb, 1);
	/* the access runs again and kills us (raise would not, in a child) */
	signal(sig, SIG_DFL);
}

bool fz_probe(char *p, bool write)
{
	sigjmp_buf jb, *prev = fz_jb;
	volatile bool ok = false;

	if (!sigsetjmp(jb, 1)) {
		fz_jb = &jb;
		if (write)
			*(volatile char *)p = *(volatile char *)p + 1;
		else
			(void)*(volatile char *)p;
		ok = true;
	}
	fz_jb = prev;
	return ok;
}

bool fz_stopping(const struct fz_thread *t)
{
	return t->sh->stop;
}

/*
 * The arena, with a PROT_NONE guard on either side so that addresses just
 * outside it (which the fuzzer tries) never reach our own heap or stacks.
 * Mapped at the old place again when there was one.
 */
int fz_arena_map(struct fz_arena *ar, struct fz_rng *r)
{
	char *want = ar->base;
	char *g, *a;

	if (!want) {
		ar->size = (16UL << 20) << fz_below(r, 7);	/* to 1 GiB */
		g = mmap(NULL, ar->size + 2 * FZ_GUARD, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (g == MAP_FAILED)
			return -errno;
		want = g + FZ_GUARD;
	}
	a = mmap(want, ar->size, PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_SHARED | MAP_FIXED, ar->dev, 0);
	if (a == MAP_FAILED)
		return -errno;
	ar->base = a;
	return 0;
}

static const struct fz_op *pick(struct fz_thread *t, unsigned int *idx)
{
	static const struct {
		const struct fz_op *ops;
		const unsigned int *n;
	} tab[] = {
		{ fz_bsd_ops, &fz_nr_bsd_ops },
		{ fz_sys_ops, &fz_nr_sys_ops },
		{ fz_task_ops, &fz_nr_task_ops },
	};
	unsigned int ntab = t->is_child ? 2 : 3, i, j, base, sum = 0, w;
	uint64_t x;

	for (i = 0, base = 0; i < ntab; base += *tab[i].n, i++)
		for (j = 0; j < *tab[i].n; j++)
			if (!(t->opts->off >> (base + j) & 1))
				sum += tab[i].ops[j].weight;
	x = fz_below(&t->rng, sum ? sum : 1);
	for (i = 0, base = 0; i < ntab; base += *tab[i].n, i++)
		for (j = 0; j < *tab[i].n; j++) {
			w = t->opts->off >> (base + j) & 1 ? 0 :
			    tab[i].ops[j].weight;
			if (x < w) {
				*idx = base + j;
				return &tab[i].ops[j];
			}
			x -= w;
		}
	*idx = 0;
	return &fz_bsd_ops[0];
}

const char *fz_op_name(unsigned int op)
{
	if (op < fz_nr_bsd_ops)
		return fz_bsd_ops[op].name;
	op -= fz_nr_bsd_ops;
	if (op < fz_nr_sys_ops)
		return fz_sys_ops[op].name;
	op -= fz_nr_sys_ops;
	return op < fz_nr_task_ops ? fz_task_ops[op].name : "?";
}

int fz_op_index(const char *name)
{
	unsigned int i, n = fz_nr_bsd_ops + fz_nr_sys_ops + fz_nr_task_ops;

	for (i = 0; i < n; i++)
		if (!strcmp(fz_op_name(i), name))
			return i;
	return -1;
}

/* One operation, logged before it runs (a splat may be its last act). */
static void run_one(struct fz_thread *t)
{
	uint64_t n = __atomic_fetch_add(&t->slot->head[t->index], 1,
					__ATOMIC_RELAXED);
	struct fz_rec *rec = &t->slot->log[t->index][n % FZ_LOG_LEN];
	sigjmp_buf jb;
	unsigned int idx;
	const struct fz_op *op = pick(t, &idx);
	volatile long ret = -EINTR;

	rec->seq = n;
	rec->op = idx;
	rec->ret = FZ_RUNNING;
	memset(rec->a, 0, sizeof(rec->a));
	if (!sigsetjmp(jb, 1)) {
		fz_jb = &jb;
		cur_op = op->name;
		ret = op->fn(t, rec->a);
	} else {
		ret = -EFAULT - 1000;	/* a fault outside any probe */
	}
	fz_jb = NULL;
	rec->ret = ret;
	__atomic_fetch_add(&t->slot->ops, 1, __ATOMIC_RELAXED);
	if (t->cover)
		fz_kcov_collect(t->sh, t->cover);
}

/* n operations, or (n < 0) until the supervisor stops the run. */
void fz_run_ops(struct fz_thread *t, int n)
{
	while (n < 0 ? !fz_stopping(t) : n-- > 0)
		run_one(t);
}

static void *thread_main(void *arg)
{
	struct fz_thread *t = arg;

	t->cover = fz_kcov_start();
	fz_run_ops(t, -1);
	return NULL;
}

static int open_files(struct fz_arena *ar)
{
	char tmp[] = "/tmp/bsdvm-fuzz-XXXXXX", path[64];
	int i;

	ar->files[0] = memfd_create("bsdvm-fuzz", MFD_CLOEXEC);
	ar->files[1] = mkostemp(tmp, O_CLOEXEC);
	if (ar->files[1] >= 0)
		unlink(tmp);
	ar->files[2] = open("/dev/zero", O_RDWR | O_CLOEXEC);
	for (i = 0; i < 3; i++)
		if (ar->files[i] < 0)
			return -errno;
	for (i = 0; i < 2; i++)
		if (ftruncate(ar->files[i], 64 * FZ_PG))
			return -errno;
	/*
	 * A read-only descriptor, of tmpfs like the others: a fail-nth
	 * allocation failure in a 9p request (the guest's root) broke the
	 * mount for every process, rmmod included.
	 */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", ar->files[1]);
	ar->files[3] = open(path, O_RDONLY | O_CLOEXEC);
	return ar->files[3] < 0 ? -errno : 0;
}

static void set_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Runs in the forked worker; never returns. */
void fz_worker(struct fz_shared *sh, const struct fz_opts *o, int w,
	       uint64_t seed)
{
	static struct fz_thread th[FZ_MAX_THREADS];
	static struct fz_arena ar;
	struct fz_rng rng = { seed };
	pthread_t tid[FZ_MAX_THREADS];
	int i, r;

	setpgid(0, 0);
	set_handlers();
	stop_page = (const void *)sh;
	mprotect(sh, FZ_PG, PROT_READ);
	ar.dev = open(BSDVM_DEVICE, O_RDWR | O_CLOEXEC);
	r = ar.dev < 0 ? -errno : open_files(&ar);
	if (!r)
		r = fz_arena_map(&ar, &rng);
	if (r) {
		fprintf(stderr, "bsdvm-fuzz: worker %d: setup: %s\n", w,
			strerror(-r));
		_exit(2);
	}
	for (i = 0; i < o->threads; i++) {
		th[i] = (struct fz_thread){
			.rng = { fz_next(&rng) }, .arena = &ar,
			.slot = &sh->slot[w], .opts = o, .index = i, .sh = sh,
		};
		r = pthread_create(&tid[i], NULL, thread_main, &th[i]);
		if (r) {
			fprintf(stderr, "bsdvm-fuzz: worker %d: thread: %s\n",
				w, strerror(r));
			_exit(2);
		}
	}
	while (!fz_stopping(&th[0])) {
		usleep(20000);
		while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
			;
	}
	_exit(0);
}
