// SPDX-License-Identifier: GPL-2.0
/*
 * model_ops.c - random operations, and their text form for reproducers.
 *
 * Ops are biased toward what finds bugs: addresses in a small arena so
 * mappings collide, reads and writes mostly on mapped pages, and a trickle
 * of invalid arguments for every errno path.
 */
#include <stdlib.h>
#include <string.h>
#include "os.h"
#include "model.h"

uint64_t src_u64(struct op_source *s)
{
	uint64_t v = 0;
	int i;

	if (s->data) {
		/* fuzzer bytes: 2 bytes per draw keeps inputs short */
		for (i = 0; i < 2; i++) {
			v <<= 8;
			if (s->pos < s->len)
				v |= s->data[s->pos];
			s->pos++;
		}
		return v * 0x9e3779b97f4a7c15ull >> 16 ^ v;
	}
	/* splitmix64 */
	s->rng += 0x9e3779b97f4a7c15ull;
	v = s->rng;
	v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ull;
	v = (v ^ (v >> 27)) * 0x94d049bb133111ebull;
	return v ^ (v >> 31);
}

bool src_done(struct op_source *s)
{
	return s->data && s->pos >= s->len;
}

static unsigned pick(struct op_source *s, unsigned n)
{
	return (unsigned)(src_u64(s) % n);
}

static int pick_proc(struct model *m, struct op_source *s)
{
	int live[M_MAXPROCS], n = 0, i;

	for (i = 0; i < m->procs; i++)
		if (m->p[i].alive)
			live[n++] = i;
	if (!n)
		return 0;
	return live[pick(s, n)];
}

/* A page index, biased toward mapped pages of proc. */
static int pick_page(struct model *m, struct op_source *s, int proc)
{
	int i, pg = pick(s, m->pages);

	if (pick(s, 16) == 0) {
		/* a stack's gap, where a fault grows the stack */
		int gaps[M_MAXPAGES], n = 0;

		for (i = 0; i < m->pages; i++)
			if (m->p[proc].pg[i].state == MP_GUARD &&
			    m->p[proc].pg[i].sid)
				gaps[n++] = i;
		if (n)
			return gaps[pick(s, n)];
	}

	for (i = 0; i < 4; i++) {
		if (m->p[proc].pg[pg].state == MP_ANON)
			return pg;
		pg = pick(s, m->pages);
	}
	return pg;
}

static uint64_t pick_len(struct model *m, struct op_source *s)
{
	unsigned r = pick(s, 100);

	if (r < 3)
		return 0;
	if (r < 10)
		return pick(s, 3 * OS_PAGE_SIZE) + 1;	/* unaligned */
	if (r < 85)
		return (uint64_t)(pick(s, 8) + 1) * OS_PAGE_SIZE;
	return (uint64_t)(pick(s, m->pages / 2) + 1) * OS_PAGE_SIZE;
}

static const int prots[] = {
	BSD_PROT_READ | BSD_PROT_WRITE, BSD_PROT_READ, BSD_PROT_NONE,
	BSD_PROT_WRITE, BSD_PROT_READ | BSD_PROT_EXEC, BSD_PROT_ALL,
	BSD_PROT_READ | BSD_PROT_WRITE,
};

static int pick_prot(struct op_source *s, bool with_max)
{
	int p = prots[pick(s, sizeof(prots) / sizeof(prots[0]))];
	unsigned r = pick(s, 100);

	if (with_max && r < 15)
		p |= BSD_PROT_MAX(p | prots[pick(s, 6)]);
	else if (with_max && r < 18)
		p |= BSD_PROT_MAX(prots[pick(s, 6)]);	/* maybe ENOTSUP */
	else if (r < 19)
		p |= 0x8;				/* EINVAL */
	return p;
}

static void make_mmap(struct model *m, struct op_source *s, struct op *op)
{
	unsigned r = pick(s, 100);
	int fl;

	op->addr = m->min + (uint64_t)pick(s, m->pages) * OS_PAGE_SIZE;
	op->len = pick_len(m, s);
	op->a = pick_prot(s, true);
	if (r < 45)
		fl = BSD_MAP_ANON | (pick(s, 4) ? BSD_MAP_PRIVATE : 0);
	else if (r < 75)
		fl = BSD_MAP_ANON | BSD_MAP_SHARED;
	else if (r < 85) {
		fl = BSD_MAP_GUARD | BSD_MAP_FIXED;
		op->a = pick(s, 10) ? BSD_PROT_NONE : BSD_PROT_READ;
	} else if (r < 91) {
		fl = BSD_MAP_STACK | (pick(s, 2) ? BSD_MAP_ANON : 0) |
		     (pick(s, 2) ? BSD_MAP_FIXED : 0);
		op->a = pick(s, 10) ? BSD_PROT_READ | BSD_PROT_WRITE :
				      BSD_PROT_READ;
		/*
		 * 2..33 pages: whole stack present but its guard page;
		 * longer: a gap below it to grow down into
		 */
		if (pick(s, 3))
			op->len = (uint64_t)(pick(s, 32) + 2) * OS_PAGE_SIZE;
		else
			op->len = (uint64_t)(pick(s, m->pages / 2) + 34) *
				  OS_PAGE_SIZE;
	} else if (r < 96) {
		static const unsigned al[] = { 12, 13, 14, 15, 3, 64 };

		fl = BSD_MAP_ANON | BSD_MAP_PRIVATE |
		     BSD_MAP_ALIGNED(al[pick(s, 6)]);
	} else {
		static const int bad[] = {
			BSD_MAP_ANON | BSD_MAP_SHARED | BSD_MAP_PRIVATE,
			BSD_MAP_ANON | 0x0080,
			BSD_MAP_ANON | BSD_MAP_EXCL,
			BSD_MAP_GUARD | BSD_MAP_SHARED,
		};

		fl = bad[pick(s, 4)];
	}
	if (!(fl & BSD_MAP_FIXED) && pick(s, 2))
		fl |= BSD_MAP_FIXED;
	if ((fl & BSD_MAP_FIXED) && pick(s, 5) == 0)
		fl |= BSD_MAP_EXCL;
	if ((fl & BSD_MAP_FIXED) && pick(s, 30) == 0)
		op->addr += 8;				/* unaligned: EINVAL */
	if (!(fl & BSD_MAP_FIXED) && pick(s, 4) == 0)
		op->addr = 0;				/* no hint */
	if (pick(s, 20) == 0)
		fl |= BSD_MAP_PREFAULT_READ;
	op->b = fl;
}

void op_make(struct model *m, struct op_source *s, struct op *op)
{
	unsigned r = pick(s, 1000);
	int pg;

	memset(op, 0, sizeof(*op));
	op->proc = pick_proc(m, s);
	if (r < 260) {
		op->kind = OP_READ;
	} else if (r < 520) {
		op->kind = OP_WRITE;
		op->a = pick(s, 255) + 1;
	} else if (r < 620) {
		op->kind = OP_MMAP;
		make_mmap(m, s, op);
		return;
	} else if (r < 670) {
		op->kind = OP_MUNMAP;
	} else if (r < 740) {
		op->kind = OP_MPROTECT;
		op->a = pick_prot(s, true);
	} else if (r < 790) {
		op->kind = OP_MINHERIT;
		op->a = pick(s, 40) ? pick(s, 4) : 7;
	} else if (r < 850) {
		op->kind = OP_MADVISE;
		/* 0..10: MADV_PROTECT ignores the range */
		op->a = pick(s, 40) ? pick(s, 11) : 99;
	} else if (r < 890) {
		op->kind = OP_MINCORE;
	} else if (r < 920) {
		op->kind = OP_BRK;
		/* around the data limit; the driver adds the data base */
		op->addr = (uint64_t)pick(s, m->datalim / OS_PAGE_SIZE + 3) *
			   OS_PAGE_SIZE;
		if (pick(s, 8) == 0)
			op->addr += pick(s, OS_PAGE_SIZE);
		op->a = pick(s, 10) == 0;	/* 1: newbrk 0 (query) */
		return;
	} else if (r < 950) {
		op->kind = OP_FORK;
		return;
	} else if (r < 970) {
		op->kind = OP_EXIT;
		return;
	} else if (r < 978) {
		op->kind = OP_HOLD_READ;	/* ptrace */
	} else if (r < 988) {
		op->kind = OP_HOLD_WRITE;
		op->a = pick(s, 255) + 1;
	} else if (r < 991) {
		op->kind = OP_PIN;	/* an I/O pin, toggled */
	} else if (r < 994) {
		op->kind = OP_READ;
	} else {
		op->kind = OP_WRITE;
		op->a = pick(s, 255) + 1;
	}
	pg = pick_page(m, s, op->proc);
	op->addr = m->min + (uint64_t)pg * OS_PAGE_SIZE;
	if (op->kind == OP_READ || op->kind == OP_WRITE ||
	    op->kind == OP_HOLD_READ || op->kind == OP_HOLD_WRITE ||
	    op->kind == OP_PIN) {
		op->addr += m_slot_off[pick(s, M_SLOTS)];
		return;
	}
	if (pick(s, 10) == 0)
		op->addr += pick(s, OS_PAGE_SIZE);	/* truncated by BSD */
	op->len = pick_len(m, s);
	if (op->kind == OP_MINCORE && op->len > 16 * OS_PAGE_SIZE)
		op->len = 16 * OS_PAGE_SIZE;
}

static const char *const names[OP_NKINDS] = {
	"mmap", "munmap", "mprotect", "minherit", "madvise", "mincore",
	"brk", "fork", "exit", "read", "write", "hold_read", "hold_write",
	"pin",
};

void op_print(FILE *f, const struct op *op)
{
	fprintf(f, "%s p%u addr=%#llx len=%#llx a=%#x b=%#x\n",
		names[op->kind], op->proc, (unsigned long long)op->addr,
		(unsigned long long)op->len, op->a, op->b);
}

int op_parse(const char *line, struct op *op)
{
	char name[32];
	unsigned proc, a, b;
	unsigned long long addr, len;
	int k;

	if (sscanf(line, "%31s p%u addr=%llx len=%llx a=%x b=%x", name, &proc,
		   &addr, &len, &a, &b) != 6)
		return EINVAL;
	for (k = 0; k < OP_NKINDS; k++)
		if (!strcmp(name, names[k]))
			break;
	if (k == OP_NKINDS || proc >= M_MAXPROCS)
		return EINVAL;
	op->kind = k;
	op->proc = proc;
	op->addr = addr;
	op->len = len;
	op->a = a;
	op->b = b;
	return 0;
}
