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
#include "vm_map.h"
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

/* ---- grow-down stacks ---- */

#define M_STACK_STEP	((int)(VM_STACK_GROW_SIZE >> OS_PAGE_SHIFT))

static int stack_new(struct model *m)
{
	int sid = ++m->next_sid;

	if (sid >= m->scap) {
		int ncap = m->scap ? 2 * m->scap : 256;

		m->sdirty = realloc(m->sdirty, ncap);
		OS_ASSERT(m->sdirty);
		memset(m->sdirty + m->scap, 0, ncap - m->scap);
		m->scap = ncap;
	}
	m->sdirty[sid] = 0;
	return sid;
}

/*
 * An op on [first, first + n) may clip the entries of the stacks there:
 * their growth is no longer predicted exactly, only checked for sense.
 */
static void stack_touch(struct model *m, struct mproc *p, int first, int n)
{
	int i;

	for (i = first < 0 ? 0 : first; i < first + n && i < m->pages; i++)
		if (p->pg[i].sid)
			m->sdirty[p->pg[i].sid] = 1;
}

/* Does the core map page i as memory (not a hole, not a guard)? */
static bool core_maps(struct model *m, struct mproc *p, int i,
		      struct vm_map_entry **ep)
{
	struct vm_map_entry *e;

	if (!vm_map_lookup_entry(vmspace_map(p->vs),
				 m->min + (uint64_t)i * OS_PAGE_SIZE, &e))
		return false;
	*ep = e;
	return !(e->eflags & MAP_ENTRY_GUARD);
}

/*
 * After an access to page i, a stack gap page: a fault there grows the
 * stack above the gap down to cover i, in M_STACK_STEP steps, never into
 * the gap's lowest page (FreeBSD's vm_map_growstack).  The grown pages
 * are zero, with the stack's protection and the default inheritance
 * (COPY: FreeBSD inserts a new entry with no MAP_INHERIT_*).  Exact while
 * no op has touched the stack; afterwards the core's clipped entries
 * decide, and only the shape of the growth is checked.
 */
static int stack_grow_sync(struct model *m, struct mproc *p,
			   const struct op *op, int i)
{
	struct mpage *pg = &p->pg[i], *top;
	struct vm_map_entry *e;
	int sid = pg->sid, gs, ge, b, j, want = -1;
	bool stack_above;

	if (pg->state != MP_GUARD || !sid)
		return 0;
	for (ge = i; ge < m->pages && p->pg[ge].state == MP_GUARD &&
	     p->pg[ge].sid == sid; ge++)
		;
	for (gs = i; gs > 0 && p->pg[gs - 1].state == MP_GUARD &&
	     p->pg[gs - 1].sid == sid; gs--)
		;
	top = ge < m->pages ? &p->pg[ge] : NULL;
	stack_above = top && top->state == MP_ANON && top->sid == sid;
	if (stack_above && !m->sdirty[sid]) {
		int grow = ge - i;

		grow = (grow + M_STACK_STEP - 1) / M_STACK_STEP * M_STACK_STEP;
		if (grow > ge - gs - 1)
			grow = ge - gs - 1;
		want = i > gs ? ge - grow : ge;
	}
	for (b = ge; b > gs && core_maps(m, p, b - 1, &e); b--)
		;
	for (j = gs; j < b; j++)
		if (core_maps(m, p, j, &e))
			return diverge(m, op, "stack gap page %lld mapped, grown to %lld",
				       j, b);
	if (want >= 0)
		EXPECT_EQ("stack grown down to page", b, want);
	if (b < ge) {
		m->grows++;
		m->grows_exact += want >= 0;
	}
	if (b < ge && (!stack_above || b > i || b == gs))
		return diverge(m, op, "stack grew down to page %lld (gap from %lld)",
			       b, gs);
	for (j = b; j < ge; j++) {
		struct mpage *q = &p->pg[j];

		q->state = MP_ANON;
		q->prot = top->prot;
		q->maxprot = top->maxprot;
		/* new memory: minherit() of the stack did not cover it */
		q->inherit = BSD_INHERIT_COPY;
		q->view = mref_view_new(m, -1);
	}
	return 0;
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
	if (!want && fixed && !(fl & BSD_MAP_EXCL))
		stack_touch(m, p, PG(m, op->addr), n);
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
		/*
		 * A grow-down stack (vm_map_stack_locked): the top
		 * min(M_STACK_STEP, n - 1) pages now, below them the gap
		 * it grows into, whose lowest page stays a guard.
		 */
		int init = n - 1 < M_STACK_STEP ? n - 1 : M_STACK_STEP, i;
		int sid = stack_new(m);

		model_map(m, p, first + n - init, init, MP_ANON, prot, maxp,
			  BSD_INHERIT_COPY);
		model_map(m, p, first, n - init, MP_GUARD, 0, 0,
			  BSD_INHERIT_COPY);
		for (i = first; i < first + n; i++)
			p->pg[i].sid = sid;
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
	if (!want)
		stack_touch(m, p, first, n);
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
	stack_touch(m, p, first, n);
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
	stack_touch(m, p, first, n);
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
	if (op->a == BSD_MADV_PROTECT)
		want = 0;	/* a procctl: the range is not looked at */
	else if (op->a > BSD_MADV_CORE)
		want = EINVAL;
	else if (op->addr < m->min || op->addr + op->len > m->max)
		want = EINVAL;
	if (op->a != BSD_MADV_PROTECT)
		stack_touch(m, p, first, n);
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

/* The page and byte slot op->addr names, and the signal an access gets. */
static struct mpage *access_expect(struct model *m, struct mproc *p,
				   const struct op *op, bool write, int *slotp,
				   int *want_sig, int *want_code)
{
	int idx = PG(m, trunc_page(op->addr)), slot;
	struct mpage *pg;

	for (slot = 0; slot < M_SLOTS; slot++)
		if (m_slot_off[slot] == (op->addr & OS_PAGE_MASK))
			break;
	OS_ASSERT(slot < M_SLOTS && idx >= 0 && idx < m->pages);
	*slotp = slot;
	pg = &p->pg[idx];
	*want_sig = CPU_OK;
	*want_code = 0;
	if (pg->state == MP_FREE) {
		*want_sig = CPU_SIGSEGV;
		*want_code = CPU_SEGV_MAPERR;
	} else if (pg->state == MP_GUARD ||
		   !(pg->prot & (write ? BSD_PROT_WRITE : BSD_PROT_READ))) {
		*want_sig = CPU_SIGSEGV;
		*want_code = CPU_SEGV_ACCERR;
	}
	return pg;
}

static int do_access(struct model *m, struct mproc *p, const struct op *op)
{
	bool write = op->kind == OP_WRITE, ok;
	int slot, want_sig, want_code, sig, exp;
	uint8_t byte = (uint8_t)op->a;
	struct cpu_result res;
	struct mpage *pg;

	sig = cpu_access(p->pmap, op->addr, write, &byte, &res);
	if (stack_grow_sync(m, p, op, PG(m, trunc_page(op->addr))))
		return 1;
	pg = access_expect(m, p, op, write, &slot, &want_sig, &want_code);
	if (res.info.depth > m->max_chain)
		m->max_chain = res.info.depth;
	/* a stack's guard gap may answer MAPERR (failed growth) too */
	if (pg->state == MP_GUARD && pg->sid && sig == CPU_SIGSEGV)
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

/*
 * A debugger's access (ptrace, /proc/PID/mem): vm_fault_hold, then a copy
 * through the held page and os_page_unhold.  Same permission rules and
 * results as the process's own access (bsdvm's hold has no VM_PROT_COPY:
 * it does not write through a read-only mapping).  A write hold
 * copies-on-write like a write fault, so the process, and nobody else,
 * sees the byte afterwards.
 */
/*
 * Pin or unpin (get_user_pages FOLL_PIN) the page mapped at addr: only
 * where fork puts copies changes (vm_fork_copy_pinned), never what any
 * process reads, so the reference model does nothing.
 */
static int do_pin(struct model *m, struct mproc *p, const struct op *op)
{
	vm_page_t pg;

	if (!pmap_user_lookup(p->pmap, op->addr & ~(uint64_t)OS_PAGE_MASK,
			      &pg, NULL) || pg == os_zero_page()) {
		m->skipped++;
		return 0;
	}
	pg->pinned = !pg->pinned;
	return 0;
}

static int do_hold(struct model *m, struct mproc *p, const struct op *op)
{
	bool write = op->kind == OP_HOLD_WRITE, ok;
	int slot, want_sig, want_code, sig, code, kern = KERN_RETRY, tries;
	unsigned off = op->addr & OS_PAGE_MASK;
	uint8_t byte = (uint8_t)op->a;
	vm_page_t hp = NULL;
	struct mpage *pg;
	int exp;

	for (tries = 0; tries < 16 && kern == KERN_RETRY; tries++)
		kern = vm_fault_hold(p->vs, op->addr,
				     write ? VM_PROT_WRITE : VM_PROT_READ, &hp);
	if (kern == KERN_RETRY)
		return diverge(m, op, "vm_fault_hold kept retrying (%lld, %lld)",
			       tries, kern);
	if (stack_grow_sync(m, p, op, PG(m, trunc_page(op->addr)))) {
		if (hp)
			os_page_unhold(hp);
		return 1;
	}
	pg = access_expect(m, p, op, write, &slot, &want_sig, &want_code);
	sig = cpu_fault_signal(kern, &code);
	if (pg->state == MP_GUARD && pg->sid && sig == CPU_SIGSEGV)
		want_code = code;
	if (sig && hp) {
		os_page_unhold(hp);
		return diverge(m, op, "vm_fault_hold failed (%lld) with a page%.0lld",
			       kern, 0);
	}
	EXPECT_EQ("hold signal", sig, want_sig);
	EXPECT_EQ("hold si_code", code, want_code);
	if (sig)
		return 0;
	if (!hp)
		return diverge(m, op, "vm_fault_hold succeeded without a page%.0lld%.0lld",
			       0, 0);
	m->holds++;
	if (write) {
		if (hp == os_zero_page()) {
			os_page_unhold(hp);
			return diverge(m, op, "write hold gave the zero page%.0lld%.0lld",
				       0, 0);
		}
		os_user_page_data(hp)[off] = byte;
		os_page_unhold(hp);
		mref_write(m, pg->view, slot, byte);
		return 0;
	}
	byte = os_user_page_data(hp)[off];
	os_page_unhold(hp);
	exp = mref_read(m, pg->view, slot, byte, &ok);
	if (!ok)
		return diverge(m, op, "hold read byte %#llx, want %#llx", byte,
			       exp);
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
	case OP_HOLD_READ:
	case OP_HOLD_WRITE: r = do_hold(m, p, op); break;
	case OP_PIN: r = do_pin(m, p, op); break;
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
	free(m->sdirty);
	m->sdirty = NULL;
	m->scap = 0;
	m->divergences += bad;
	return bad;
}

void model_summary(struct model *m, FILE *f)
{
	fprintf(f, "bsdvm-model: ops %ld divergences %ld max-chain-depth %lld live-objects %lld live-pages %lld stack-grows %ld (%ld exact) holds %ld\n",
		m->ops, m->divergences, (long long)m->max_chain,
		(long long)m->end_objects, (long long)m->end_pages,
		m->grows, m->grows_exact, m->holds);
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
