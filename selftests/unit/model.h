/* SPDX-License-Identifier: GPL-2.0 */
/*
 * model.h - the model checker: random operations run against the core and
 * against a deliberately naive reference model, compared op by op.
 *
 * The reference model knows nothing of objects or chains.  Each page of
 * each process refers to a "view": a page's worth of bytes that is either
 * materialised or still a lazy copy of another view (its source) or of
 * zeros.  Processes that share memory share a view; copy-on-write is a new
 * view whose source is the old one, materialised on the first write.  That
 * is exactly BSD's visible behaviour for anonymous memory, page by page
 * (bsd-semantics.md 1.7, 2.4), including INHERIT_COPY of a shared mapping:
 * the copier keeps seeing the sharers' writes until it writes itself.
 *
 * Besides the system calls and the process's own reads and writes, the
 * ops include a debugger's (ptrace) reads and writes through
 * vm_fault_hold, MADV_PROTECT, and stacks long enough to grow down into
 * their gap.  Where BSD leaves a choice (MADV_FREE: old or zero) the model
 * keeps every candidate until a read tells which, and never guesses.
 */
#ifndef _BSDVM_MODEL_H
#define _BSDVM_MODEL_H

#include <stdio.h>
#include "vm.h"

#define M_MAXPROCS	16
#define M_MAXPAGES	1024
#define M_SLOTS		8	/* byte offsets per page that ops touch */
#define M_BASE		0x10000000ull

extern const unsigned m_slot_off[M_SLOTS];

enum op_kind {
	OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_MINHERIT, OP_MADVISE, OP_MINCORE,
	OP_BRK, OP_FORK, OP_EXIT, OP_READ, OP_WRITE, OP_HOLD_READ,
	OP_HOLD_WRITE, OP_PIN, OP_NKINDS
};

/* One operation; every field is absolute so an op list replays exactly. */
struct op {
	uint8_t kind;
	uint8_t proc;		/* slot; ops on a dead slot do nothing */
	uint64_t addr;
	uint64_t len;
	uint32_t a;		/* prot / inherit / advice / value / flags */
	uint32_t b;		/* mmap flags */
};

/* ---- reference model ---- */

/*
 * MADV_FREE leaves a page "old or zero" (bsd-semantics.md 1.5), decided
 * when the advice runs (the core discards at once; FreeBSD's page daemon
 * may reclaim a clean freed page later, which this model would flag as a
 * divergence); each MADV_FREE of a page is its own event (a "group",
 * shared by every later copy of the page).  A freed-again page
 * has a stack of candidates: amb[i] (zero when free i ran, plus the writes
 * since) holds when group i zeroed and every later group kept; d[] holds
 * when every group kept.
 */
#define M_AMB		8	/* MADV_FREEs of one page before "wild" */

struct mamb {
	int g;			/* group: one MADV_FREE of one page */
	uint8_t d[M_SLOTS];
};

struct mview {
	int refs;		/* pages and views that point here */
	int src;		/* view copied lazily, or -1 for zeros */
	bool mat;		/* own bytes in d[] */
	uint8_t namb;		/* candidates in amb[] */
	uint8_t wild;		/* slots of d[] that may hold anything */
	uint8_t d[M_SLOTS];
	struct mamb amb[M_AMB];
};

enum { G_UNKNOWN = 0, G_KEPT, G_ZEROED };

enum mpage_state { MP_FREE = 0, MP_ANON, MP_GUARD };

struct mpage {
	uint8_t state;
	uint8_t prot, maxprot, inherit;
	/*
	 * MAP_STACK: which stack (0: none).  Its gap pages are MP_GUARD;
	 * a fault there grows the stack down (vm_map_growstack).
	 */
	int sid;
	int view;		/* MP_ANON only */
};

struct mproc {
	bool alive;
	struct vm_space *vs;
	struct pmap *pmap;
	uint64_t dbase, brk;	/* data base and current break */
	struct mpage pg[M_MAXPAGES];
};

struct model {
	int procs, pages;	/* limits of this run */
	uint64_t min, max;	/* arena [min, max) */
	uint64_t datalim;	/* RLIMIT_DATA in bytes */
	struct mproc p[M_MAXPROCS];
	struct mview *v;
	int nviews, cap, free_head;
	int next_amb;
	uint8_t *gout;		/* G_* outcome of each group */
	int gcap;
	/* stacks: sdirty[sid] once an op's range touched it (entries clipped) */
	uint8_t *sdirty;
	int scap, next_sid;
	bool verbose;
	/* statistics */
	long ops, skipped, divergences;
	long grows, grows_exact, holds;	/* stack growths, ptrace holds */
	int64_t max_chain;
	int64_t end_objects, end_pages;	/* after every exit */
};

/* model_ref.c: the reference semantics */
void mref_init(struct model *m);
void mref_fini(struct model *m);
int mref_view_new(struct model *m, int src);
void mref_view_put(struct model *m, int v);
void mref_unmap(struct model *m, struct mproc *p, int first, int n);
int mref_read(struct model *m, int view, int slot, int observed, bool *ok);
void mref_write(struct model *m, int view, int slot, uint8_t val);
void mref_fork(struct model *m, struct mproc *parent, struct mproc *child);
bool mref_free_may_zero(struct model *m, int view);
void mref_free_mark(struct model *m, int view);
int mref_live_views(struct model *m);

/* model_ops.c: making, printing and parsing ops */
struct op_source {
	/* random mode */
	uint64_t rng;
	/* byte mode (fuzzer): data runs out -> done */
	const uint8_t *data;
	size_t len, pos;
};
uint64_t src_u64(struct op_source *s);
bool src_done(struct op_source *s);
void op_make(struct model *m, struct op_source *s, struct op *op);
void op_print(FILE *f, const struct op *op);
int op_parse(const char *line, struct op *op);

/* model_drive.c: run ops against core and model */
int model_start(struct model *m, int procs, int pages, bool verbose);
/* 0, or nonzero on a divergence (message already printed) */
int model_step(struct model *m, const struct op *op);
/* exit every process and demand zero objects, pages and live memory */
int model_finish(struct model *m);
void model_summary(struct model *m, FILE *f);
/* Run ops[0..n) from a fresh start; index of the failing op, or -1. */
long model_replay(const struct op *ops, long n, int procs, int pages,
		  bool verbose);

#endif /* _BSDVM_MODEL_H */
