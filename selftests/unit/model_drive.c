// SPDX-License-Identifier: GPL-2.0
/*
 * model_drive.c - runs one op on the core and on the reference model and
 * compares: errno, bytes, signal and si_code, mapping placement, mincore.
 * The expected results follow FreeBSD's kern_* functions as described in
 * bsd-semantics.md (1.2-1.9), not the core's code.
 */
#include <stdlib.h>
#include <string.h>
#include "os.h"
#include "vm.h"
#include "pmap_user.h"
#include "model.h"

#define PG(m, addr) ((int)(((addr) - (m)->min) >> OS_PAGE_SHIFT))

static int diverge(struct model *m, const struct op *op, const char *fmt,
		   long long got, long long want)
{
	m->divergences++;
	fprintf(stderr, "DIVERGENCE at op %ld: ", m->ops);
	op_print(stderr, op);
	fprintf(stderr, "  ");
	fprintf(stderr, fmt, got, want);
	fprintf(stderr, "\n");
	return 1;
}

#define EXPECT_EQ(what, got, want)					\
	do {								\
		if ((long long)(got) != (long long)(want))		\
			return diverge(m, op, what ": got %lld, want %lld", \
				       (long long)(got), (long long)(want)); \
	} while (0)

static struct mproc *spawn(struct model *m, int slot)
{
	struct mproc *p = &m->p[slot];
	vm_offset_t cur = 0;

	memset(p, 0, sizeof(*p));
	p->pmap = pmap_user_create();
	p->vs = vmspace_alloc(m->min, m->max, p->pmap);
	OS_ASSERT(p->vs);
	pmap_user_set_space(p->pmap, p->vs);
	OS_ASSERT(vm_brk(p->vs, 0, m->datalim, &cur) == 0);
	p->dbase = p->brk = cur;
	p->alive = true;
	return p;
}

static void reap(struct model *m, struct mproc *p)
{
	vmspace_free(p->vs);
	pmap_user_destroy(p->pmap);
	mref_unmap(m, p, 0, m->pages);
	p->alive = false;
	p->vs = NULL;
	p->pmap = NULL;
}

int model_start(struct model *m, int procs, int pages, bool verbose)
{
	memset(m, 0, sizeof(*m));
	if (procs < 1 || procs > M_MAXPROCS || pages < 16 ||
	    pages > M_MAXPAGES)
		return EINVAL;
	m->procs = procs;
	m->pages = pages;
	m->verbose = verbose;
	m->min = M_BASE;
	m->max = M_BASE + (uint64_t)pages * OS_PAGE_SIZE;
	m->datalim = (uint64_t)(pages / 4) * OS_PAGE_SIZE;
	if (vm_init())
		return ENOMEM;
	mref_init(m);
	spawn(m, 0);
	return 0;
}

/* Is [first, first + n) of p free in the model? */
static bool range_free(struct model *m, struct mproc *p, int first, int n)
{
	int i;

	if (first < 0 || first + n > m->pages)
		return false;
	for (i = first; i < first + n; i++)
		if (p->pg[i].state != MP_FREE)
			return false;
	return true;
}

static bool any_gap(struct model *m, struct mproc *p, int n, uint64_t align)
{
	int i;

	for (i = 0; i + n <= m->pages; i++) {
		uint64_t va = m->min + (uint64_t)i * OS_PAGE_SIZE;

		if ((va & (align - 1)) == 0 && range_free(m, p, i, n))
			return true;
	}
	return false;
}

/* Map [first, first + n) as fresh memory in the model. */
static void model_map(struct model *m, struct mproc *p, int first, int n,
		      int state, int prot, int maxprot, int inherit)
{
	int i;

	mref_unmap(m, p, first, n);
	for (i = first; i < first + n; i++) {
		struct mpage *pg = &p->pg[i];

		pg->state = state;
		pg->prot = prot;
		pg->maxprot = maxprot;
		pg->inherit = inherit;
		pg->view = state == MP_ANON ? mref_view_new(m, -1) : 0;
	}
}

/* The errno FreeBSD's kern_mmap gives before it looks at the map. */
static int mmap_args_errno(struct model *m, const struct op *op,
			   uint64_t size)
{
	int prot = op->a, fl = op->b, maxp = BSD_PROT_MAX_EXTRACT(prot);
	unsigned align = (fl & BSD_MAP_ALIGNMENT_MASK) >> BSD_MAP_ALIGNMENT_SHIFT;
	const int known = BSD_MAP_SHARED | BSD_MAP_PRIVATE | BSD_MAP_FIXED |
		BSD_MAP_STACK | BSD_MAP_NOSYNC | BSD_MAP_ANON | BSD_MAP_EXCL |
		BSD_MAP_NOCORE | BSD_MAP_PREFAULT_READ | BSD_MAP_GUARD |
		BSD_MAP_ALIGNMENT_MASK;

	if (prot & ~(BSD_PROT_ALL | BSD_PROT_MAX(BSD_PROT_ALL)))
		return EINVAL;
	prot = BSD_PROT_EXTRACT(prot);
	if (maxp && (maxp & prot) != prot)
		return ENOTSUP;
	if (op->len == 0)
		return EINVAL;
	if (fl & ~known)
		return EINVAL;
	if ((fl & (BSD_MAP_EXCL | BSD_MAP_FIXED)) == BSD_MAP_EXCL)
		return EINVAL;
	if ((fl & (BSD_MAP_SHARED | BSD_MAP_PRIVATE)) ==
	    (BSD_MAP_SHARED | BSD_MAP_PRIVATE))
		return EINVAL;
	if ((fl & BSD_MAP_GUARD) &&
	    (prot != BSD_PROT_NONE ||
	     (fl & ~(BSD_MAP_FIXED | BSD_MAP_GUARD | BSD_MAP_EXCL |
		     BSD_MAP_ALIGNMENT_MASK))))
		return EINVAL;
	if ((fl & BSD_MAP_STACK) &&
	    (prot & (BSD_PROT_READ | BSD_PROT_WRITE)) !=
	    (BSD_PROT_READ | BSD_PROT_WRITE))
		return EINVAL;
	if (!(fl & (BSD_MAP_ANON | BSD_MAP_GUARD | BSD_MAP_STACK)))
		return EINVAL;		/* the model never passes an object */
	if (align && align != 1 && (align >= 64 || align < OS_PAGE_SHIFT))
		return EINVAL;
	if (fl & BSD_MAP_FIXED) {
		if (op->addr & OS_PAGE_MASK)
			return EINVAL;
		if (op->addr < m->min || op->addr + size > m->max ||
		    op->addr + size < op->addr)
			return EINVAL;
	}
	return 0;
}

static int do_mmap(struct model *m, struct mproc *p, const struct op *op)
{
	struct vm_mmap_req req = {
		.addr = op->addr, .len = op->len, .prot = (int)op->a,
		.flags = (int)op->b, .maxprot_limit = BSD_PROT_ALL,
	};
	uint64_t size = round_page(op->len), align = OS_PAGE_SIZE;
	int fl = op->b, prot = BSD_PROT_EXTRACT(op->a);
	int maxp = BSD_PROT_MAX_EXTRACT(op->a);
	int want, err, first = 0, n = (int)(size >> OS_PAGE_SHIFT);
	vm_offset_t addr = 0;
	bool fixed = fl & BSD_MAP_FIXED;

	if (!maxp)
		maxp = BSD_PROT_ALL;
	want = mmap_args_errno(m, op, size);
	if (!want && (fl & BSD_MAP_ALIGNMENT_MASK)) {
		unsigned sh = (fl & BSD_MAP_ALIGNMENT_MASK) >>
			      BSD_MAP_ALIGNMENT_SHIFT;

		align = sh == 1 ? 2ull << 20 : 1ull << sh;
	}
	err = vm_mmap(p->vs, &req, &addr);
	if (want) {
		EXPECT_EQ("mmap errno", err, want);
		return 0;
	}
	if (fixed) {
		first = PG(m, op->addr);
		if ((fl & BSD_MAP_EXCL) && !range_free(m, p, first, n))
			want = ENOMEM;	/* vm_map_insert: KERN_NO_SPACE */
		EXPECT_EQ("mmap errno", err, want);
		if (err)
			return 0;
		EXPECT_EQ("mmap fixed address", addr, op->addr);
	} else {
		if (err == ENOMEM) {
			/* only if no free run fits anywhere in the arena */
			if (any_gap(m, p, n, align < OS_PAGE_SIZE ?
				    OS_PAGE_SIZE : align))
				return diverge(m, op,
					"mmap ENOMEM with room: %lld pages, align %lld",
					n, (long long)align);
			return 0;
		}
		EXPECT_EQ("mmap errno", err, 0);
		if ((addr & OS_PAGE_MASK) || addr < m->min ||
		    addr + size > m->max)
			return diverge(m, op, "mmap placed at %#llx (size %#llx)",
				       addr, size);
		first = PG(m, addr);
		if (!range_free(m, p, first, n))
			return diverge(m, op,
				"mmap placed over a mapping at %#llx (pages %lld)",
				addr, n);
		if ((fl & BSD_MAP_ALIGNMENT_MASK) && (addr & (align - 1)))
			return diverge(m, op, "mmap misaligned %#llx align %#llx",
				       addr, align);
	}
	if (fl & BSD_MAP_GUARD) {
		model_map(m, p, first, n, MP_GUARD, 0, 0, BSD_INHERIT_COPY);
	} else if (fl & BSD_MAP_STACK) {
		/* a grow-down stack: its lowest page is the guard gap */
		model_map(m, p, first, n, MP_ANON, prot, maxp,
			  BSD_INHERIT_COPY);
		mref_unmap(m, p, first, 1);
		p->pg[first].state = MP_GUARD;
		p->pg[first].stack_guard = true;
		p->pg[first].inherit = BSD_INHERIT_COPY;
	} else {
		model_map(m, p, first, n, MP_ANON, prot, maxp,
			  (fl & BSD_MAP_SHARED) ? BSD_INHERIT_SHARE :
						  BSD_INHERIT_COPY);
	}
	return 0;
}

/* [first, first + n) pages covered by BSD's trunc(addr)..round(addr+len). */
static void page_range(struct model *m, const struct op *op, int *first,
		       int *n)
{
	uint64_t s = trunc_page(op->addr), e = round_page(op->addr + op->len);

	*first = PG(m, s);
	*n = (int)((e - s) >> OS_PAGE_SHIFT);
}

static int do_munmap(struct model *m, struct mproc *p, const struct op *op)
{
	int first, n, want = 0;

	page_range(m, op, &first, &n);
	if (op->len == 0 || first < 0 || first + n > m->pages)
		want = EINVAL;
	EXPECT_EQ("munmap errno", vm_munmap(p->vs, op->addr, op->len), want);
	if (!want)
		mref_unmap(m, p, first, n);
	return 0;
}

static int do_mprotect(struct model *m, struct mproc *p, const struct op *op)
{
	int first, n, i, want = 0, prot = BSD_PROT_EXTRACT(op->a);
	int maxp = BSD_PROT_MAX_EXTRACT(op->a);

	page_range(m, op, &first, &n);
	if (op->a & ~(BSD_PROT_ALL | BSD_PROT_MAX(BSD_PROT_ALL)))
		want = EINVAL;
	else if (maxp && (maxp & prot) != prot)
		want = ENOTSUP;
	for (i = first; !want && i < first + n; i++) {
		struct mpage *pg = &p->pg[i];

		if (pg->state != MP_ANON)
			continue;	/* holes and guards are skipped */
		if ((prot & ~pg->maxprot) || (maxp & ~pg->maxprot))
			want = EACCES;
	}
	EXPECT_EQ("mprotect errno", vm_mprotect(p->vs, op->addr, op->len,
						(int)op->a), want);
	if (want)
		return 0;
	for (i = first; i < first + n; i++) {
		struct mpage *pg = &p->pg[i];

		if (pg->state != MP_ANON)
			continue;
		if (maxp)
			pg->maxprot = maxp;
		pg->prot = prot;
	}
	return 0;
}

static int do_minherit(struct model *m, struct mproc *p, const struct op *op)
{
	int first, n, i, want = op->a > BSD_INHERIT_ZERO ? EINVAL : 0;

	page_range(m, op, &first, &n);
	EXPECT_EQ("minherit errno", vm_minherit(p->vs, op->addr, op->len,
						(int)op->a), want);
	if (want)
		return 0;
	for (i = first; i < first + n; i++) {
		struct mpage *pg = &p->pg[i];

		if (pg->state == MP_FREE ||
		    (pg->state == MP_GUARD && op->a == BSD_INHERIT_ZERO))
			continue;
		pg->inherit = op->a;
	}
	return 0;
}

static int do_madvise(struct model *m, struct mproc *p, const struct op *op)
{
	int first, n, i, want = 0;

	page_range(m, op, &first, &n);
	if (op->a > BSD_MADV_CORE)
		want = EINVAL;
	else if (op->addr < m->min || op->addr + op->len > m->max)
		want = EINVAL;
	EXPECT_EQ("madvise errno", vm_madvise(p->vs, op->addr, op->len,
					      (int)op->a), want);
	if (want || op->a != BSD_MADV_FREE)
		return 0;
	for (i = first; i < first + n; i++) {
		struct mpage *pg = &p->pg[i];

		if (pg->state == MP_ANON && mref_free_may_zero(m, pg->view))
			mref_free_mark(m, pg->view);
	}
	return 0;
}

static int do_mincore(struct model *m, struct mproc *p, const struct op *op)
{
	unsigned char vec[M_MAXPAGES + 1];
	int first, n, i, want = 0, err;

	page_range(m, op, &first, &n);
	if (first < 0 || first + n > m->pages)
		want = ENOMEM;
	else if (n == 0 && p->pg[first].state == MP_FREE)
		want = ENOMEM;
	for (i = first; !want && i < first + n; i++)
		if (p->pg[i].state == MP_FREE)
			want = ENOMEM;
	memset(vec, 0xee, sizeof(vec));
	err = vm_mincore(p->vs, op->addr, op->len, vec);
	EXPECT_EQ("mincore errno", err, want);
	if (want)
		return 0;
	EXPECT_EQ("mincore wrote past its vector", vec[n], 0xee);
	for (i = 0; i < n; i++) {
		int v = vec[i], mine = v & (BSD_MINCORE_INCORE |
			BSD_MINCORE_REFERENCED | BSD_MINCORE_MODIFIED);
		vm_offset_t va = m->min + (uint64_t)(first + i) * OS_PAGE_SIZE;
		int pm = pmap_mincore(p->pmap, va);

		if (v & ~0x1f)
			return diverge(m, op, "mincore byte %lld = %#llx", i, v);
		if (v && !(v & BSD_MINCORE_INCORE))
			return diverge(m, op, "mincore byte %lld = %#llx", i, v);
		/* this pmap's own bits are what the mapping says */
		if (pm)
			EXPECT_EQ("mincore own bits vs pmap", mine, pm);
		if (p->pg[first + i].state == MP_GUARD)
			EXPECT_EQ("mincore of a guard page", v, 0);
	}
	return 0;
}

static int do_brk(struct model *m, struct mproc *p, const struct op *op)
{
	uint64_t req = op->a ? 0 : p->dbase + op->addr, nb;
	vm_offset_t cur = 0;
	int want = 0, err, first, n;

	nb = round_page(req);
	if (req && nb > p->dbase + m->datalim)
		want = ENOMEM;
	else if (req && nb > p->brk) {
		first = PG(m, p->brk);
		n = (int)((nb - p->brk) >> OS_PAGE_SHIFT);
		if (nb > m->max || !range_free(m, p, first, n))
			want = ENOMEM;
	}
	err = vm_brk(p->vs, req, m->datalim, &cur);
	EXPECT_EQ("brk errno", err, want);
	if (want)
		return 0;
	if (req && nb >= p->dbase && nb != p->brk) {
		if (nb > p->brk)
			model_map(m, p, PG(m, p->brk),
				  (int)((nb - p->brk) >> OS_PAGE_SHIFT),
				  MP_ANON, BSD_PROT_READ | BSD_PROT_WRITE,
				  BSD_PROT_ALL, BSD_INHERIT_COPY);
		else
			mref_unmap(m, p, PG(m, nb),
				   (int)((p->brk - nb) >> OS_PAGE_SHIFT));
		p->brk = nb;
	}
	EXPECT_EQ("brk current break", cur, p->brk);
	return 0;
}

static int do_fork(struct model *m, struct mproc *p)
{
	struct vm_space *cvs = NULL;
	struct pmap *cpm;
	struct mproc *c;
	int slot, err;

	for (slot = 0; slot < m->procs; slot++)
		if (!m->p[slot].alive)
			break;
	if (slot == m->procs) {
		m->skipped++;
		return 0;
	}
	cpm = pmap_user_create();
	err = vmspace_fork(p->vs, cpm, &cvs);
	if (err) {
		fprintf(stderr, "vmspace_fork failed: %d\n", err);
		m->divergences++;
		pmap_user_destroy(cpm);
		return 1;
	}
	pmap_user_set_space(cpm, cvs);
	c = &m->p[slot];
	c->alive = true;
	c->vs = cvs;
	c->pmap = cpm;
	mref_fork(m, p, c);
	return 0;
}

static int do_access(struct model *m, struct mproc *p, const struct op *op)
{
	bool write = op->kind == OP_WRITE, ok;
	int idx = PG(m, trunc_page(op->addr)), slot, want_sig = CPU_OK;
	int want_code = 0, sig, exp;
	uint8_t byte = (uint8_t)op->a;
	struct cpu_result res;
	struct mpage *pg;

	for (slot = 0; slot < M_SLOTS; slot++)
		if (m_slot_off[slot] == (op->addr & OS_PAGE_MASK))
			break;
	OS_ASSERT(slot < M_SLOTS && idx >= 0 && idx < m->pages);
	pg = &p->pg[idx];
	if (pg->state == MP_FREE) {
		want_sig = CPU_SIGSEGV;
		want_code = CPU_SEGV_MAPERR;
	} else if (pg->state == MP_GUARD ||
		   !(pg->prot & (write ? BSD_PROT_WRITE : BSD_PROT_READ))) {
		want_sig = CPU_SIGSEGV;
		want_code = CPU_SEGV_ACCERR;
	}
	sig = cpu_access(p->pmap, op->addr, write, &byte, &res);
	if (res.info.depth > m->max_chain)
		m->max_chain = res.info.depth;
	/* a stack's guard gap may answer MAPERR (failed growth) too */
	if (pg->state == MP_GUARD && pg->stack_guard && sig == CPU_SIGSEGV)
		want_code = res.code;
	EXPECT_EQ("signal", sig, want_sig);
	EXPECT_EQ("si_code", res.code, want_code);
	if (sig)
		return 0;
	if (write) {
		mref_write(m, pg->view, slot, byte);
		return 0;
	}
	exp = mref_read(m, pg->view, slot, byte, &ok);
	if (!ok)
		return diverge(m, op, "read byte %#llx, want %#llx", byte, exp);
	return 0;
}

/* The invariant checks run after every op. */
static int check_all(struct model *m, const struct op *op)
{
	int i, err;

	for (i = 0; i < m->procs; i++) {
		struct mproc *p = &m->p[i];

		if (!p->alive)
			continue;
		err = vm_map_check(vmspace_map(p->vs));
		if (err)
			return diverge(m, op, "vm_map_check(p%lld) = %lld", i,
				       err);
		err = pmap_user_check(p->pmap);
		if (err)
			return diverge(m, op, "pmap_user_check(p%lld) = %lld",
				       i, err);
	}
	err = vm_object_check_all();
	if (err)
		return diverge(m, op, "vm_object_check_all = %lld%.0lld", err, 0);
	if (os_user_zero_page_check())
		return diverge(m, op, "zero page written (%lld%.0lld)", 1, 0);
	return 0;
}

int model_step(struct model *m, const struct op *op)
{
	struct mproc *p;
	int r = 0, live = 0, i;

	m->ops++;
	if (op->proc >= m->procs || !m->p[op->proc].alive) {
		m->skipped++;
		return 0;
	}
	p = &m->p[op->proc];
	if (m->verbose)
		op_print(stdout, op);
	switch (op->kind) {
	case OP_MMAP: r = do_mmap(m, p, op); break;
	case OP_MUNMAP: r = do_munmap(m, p, op); break;
	case OP_MPROTECT: r = do_mprotect(m, p, op); break;
	case OP_MINHERIT: r = do_minherit(m, p, op); break;
	case OP_MADVISE: r = do_madvise(m, p, op); break;
	case OP_MINCORE: r = do_mincore(m, p, op); break;
	case OP_BRK: r = do_brk(m, p, op); break;
	case OP_FORK: r = do_fork(m, p); break;
	case OP_EXIT:
		for (i = 0; i < m->procs; i++)
			live += m->p[i].alive;
		if (live < 2) {
			m->skipped++;	/* keep one process alive */
			break;
		}
		reap(m, p);
		break;
	case OP_READ:
	case OP_WRITE: r = do_access(m, p, op); break;
	default:
		m->skipped++;
		break;
	}
	if (r)
		return r;
	return check_all(m, op);
}

int model_finish(struct model *m)
{
	struct vm_stats st;
	int i, bad = 0;

	for (i = 0; i < m->procs; i++)
		if (m->p[i].alive)
			reap(m, &m->p[i]);
	vm_stats_global(&st);
	if (st.max_chain_depth > m->max_chain)
		m->max_chain = st.max_chain_depth;
	m->end_objects = st.objects;
	m->end_pages = st.pages > os_user_live_pages() ? st.pages :
		       os_user_live_pages();
	if (st.objects || st.pages || st.spaces || st.entries) {
		fprintf(stderr, "LEAK: %lld spaces, %lld entries, %lld objects, %lld pages after every exit\n",
			(long long)st.spaces, (long long)st.entries,
			(long long)st.objects, (long long)st.pages);
		bad = 1;
	}
	if (os_user_live_pages() || pmap_user_live_ptes()) {
		fprintf(stderr, "LEAK: %lld host pages, %lld ptes\n",
			(long long)os_user_live_pages(),
			(long long)pmap_user_live_ptes());
		bad = 1;
	}
	if (mref_live_views(m)) {
		fprintf(stderr, "model bug: %d views left\n",
			mref_live_views(m));
		bad = 1;
	}
	vm_fini();
	if (os_user_live_bytes()) {
		fprintf(stderr, "LEAK: %lld bytes in %lld allocations after vm_fini\n",
			(long long)os_user_live_bytes(),
			(long long)os_user_live_allocs());
		bad = 1;
	}
	mref_fini(m);
	m->divergences += bad;
	return bad;
}

void model_summary(struct model *m, FILE *f)
{
	fprintf(f, "bsdvm-model: ops %ld divergences %ld max-chain-depth %lld live-objects %lld live-pages %lld\n",
		m->ops, m->divergences, (long long)m->max_chain,
		(long long)m->end_objects, (long long)m->end_pages);
}

long model_replay(const struct op *ops, long n, int procs, int pages,
		  bool verbose)
{
	static struct model m;
	long i;

	if (model_start(&m, procs, pages, verbose))
		return 0;
	for (i = 0; i < n; i++)
		if (model_step(&m, &ops[i]))
			return i;
	if (model_finish(&m))
		return n;
	return -1;
}
