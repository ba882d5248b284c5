// SPDX-License-Identifier: GPL-2.0
/*
 * model_ref.c - the reference model's memory: views and their sharing.
 *
 * Written from bsd-semantics.md, not from the core: a page reads its view's
 * bytes, or its source's if the view was never written; a write first
 * copies the source into the view (copy-on-write).  MADV_FREE may leave a
 * page "old or zero"; the candidates are kept until a read tells which
 * (model.h: one group per MADV_FREE of a page, decided when it runs).
 */
#include <stdlib.h>
#include <string.h>
#include "os.h"
#include "model.h"

const unsigned m_slot_off[M_SLOTS] = { 0, 1, 63, 512, 2048, 4000, 4094, 4095 };

void mref_init(struct model *m)
{
	m->cap = 1024;
	m->v = calloc(m->cap, sizeof(*m->v));
	OS_ASSERT(m->v);
	m->nviews = 0;
	m->free_head = -1;
	m->next_amb = 1;
	m->gcap = 1024;
	m->gout = calloc(m->gcap, 1);
	OS_ASSERT(m->gout);
}

void mref_fini(struct model *m)
{
	free(m->v);
	m->v = NULL;
	free(m->gout);
	m->gout = NULL;
}

/* ---- MADV_FREE groups ---- */

static int group_new(struct model *m)
{
	int g = m->next_amb++;

	if (g >= m->gcap) {
		m->gout = realloc(m->gout, 2 * m->gcap);
		OS_ASSERT(m->gout);
		memset(m->gout + m->gcap, 0, m->gcap);
		m->gcap *= 2;
	}
	m->gout[g] = G_UNKNOWN;
	return g;
}

static void group_set(struct model *m, int g, uint8_t out)
{
	OS_ASSERT(g > 0 && g < m->next_amb);
	OS_ASSERT(m->gout[g] == G_UNKNOWN || m->gout[g] == out);
	m->gout[g] = out;
}

/* Drop the candidates of w that known outcomes rule out. */
static void normalize(struct model *m, struct mview *w)
{
	int i, top = -1, n = 0;

	for (i = 0; i < w->namb; i++)
		if (m->gout[w->amb[i].g] == G_ZEROED)
			top = i;
	if (top >= 0) {
		/* candidates below top need its group kept */
		memcpy(w->d, w->amb[top].d, M_SLOTS);
		w->wild = 0;
	}
	for (i = top + 1; i < w->namb; i++)
		if (m->gout[w->amb[i].g] == G_UNKNOWN)
			w->amb[n++] = w->amb[i];
	w->namb = n;
}

/* dst takes src's bytes and candidates */
static void take_bytes(struct mview *dst, const struct mview *src)
{
	memcpy(dst->d, src->d, M_SLOTS);
	dst->wild = src->wild;
	dst->namb = src->namb;
	memcpy(dst->amb, src->amb, sizeof(src->amb[0]) * src->namb);
}

int mref_live_views(struct model *m)
{
	int i, n = 0;

	for (i = 0; i < m->nviews; i++)
		n += m->v[i].refs > 0;
	return n;
}

int mref_view_new(struct model *m, int src)
{
	int v;

	if (m->free_head >= 0) {
		v = m->free_head;
		m->free_head = m->v[v].src;
	} else {
		if (m->nviews == m->cap) {
			m->cap *= 2;
			m->v = realloc(m->v, m->cap * sizeof(*m->v));
			OS_ASSERT(m->v);
		}
		v = m->nviews++;
	}
	memset(&m->v[v], 0, sizeof(m->v[v]));
	m->v[v].refs = 1;
	m->v[v].src = src;
	if (src >= 0)
		m->v[src].refs++;
	return v;
}

void mref_view_put(struct model *m, int v)
{
	while (v >= 0) {
		struct mview *w = &m->v[v];
		int src = w->src;

		OS_ASSERT(w->refs > 0);
		if (--w->refs > 0)
			return;
		w->src = m->free_head;
		m->free_head = v;
		v = w->mat ? -1 : src;
		if (w->mat && src >= 0)
			OS_ASSERT(0);	/* materialised views drop src */
	}
}

/*
 * Shorten chains the naive way: a lazy view whose source nobody else
 * references can take the source's bytes (or its source) directly.  This
 * changes nothing visible and keeps reads O(1) over a million ops.
 */
static void compact(struct model *m, int v)
{
	struct mview *w = &m->v[v];

	while (!w->mat && w->src >= 0 && m->v[w->src].refs == 1) {
		struct mview *s = &m->v[w->src];
		int old = w->src;

		if (s->mat) {
			take_bytes(w, s);
			w->mat = true;
			w->src = -1;
			s->mat = false;
			s->src = -1;
		} else {
			w->src = s->src;
			s->src = -1;
		}
		mref_view_put(m, old);
	}
}

/* The view holding the bytes a read of v sees, or -1 for zeros. */
static int holder(struct model *m, int v)
{
	compact(m, v);
	while (v >= 0 && !m->v[v].mat)
		v = m->v[v].src;
	return v;
}

/*
 * Expected byte of slot in view; with an ambiguous page the observed value
 * picks the candidates, and what they all imply about the groups is
 * recorded.  *ok false when observed fits no candidate.
 */
int mref_read(struct model *m, int view, int slot, int observed, bool *ok)
{
	int h = holder(m, view), i, last = -2, nsurv = 0;
	uint8_t bit = 1u << slot;
	struct mview *w;

	*ok = observed == 0;
	if (h < 0)
		return 0;		/* never written: zeros */
	w = &m->v[h];
	normalize(m, w);
	if ((w->wild & bit) || w->d[slot] == observed) {
		last = -1;
		nsurv++;
	}
	for (i = 0; i < w->namb; i++) {
		if (w->amb[i].d[slot] == observed) {
			last = i;
			nsurv++;
		}
	}
	if (!nsurv) {
		*ok = false;
		return w->namb ? w->amb[w->namb - 1].d[slot] : w->d[slot];
	}
	*ok = true;
	/* every surviving candidate needs the groups above it kept */
	for (i = last + 1; i < w->namb; i++)
		group_set(m, w->amb[i].g, G_KEPT);
	if (nsurv == 1 && last >= 0)
		group_set(m, w->amb[last].g, G_ZEROED);
	if (w->wild & bit) {
		/* in the world where d[] holds, this slot is what was read */
		w->d[slot] = observed;
		w->wild &= ~bit;
	}
	normalize(m, w);
	return observed;
}

static void materialise(struct model *m, int view)
{
	struct mview *w = &m->v[view];
	int h;

	if (w->mat)
		return;
	h = holder(m, view);
	w = &m->v[view];	/* compact may not move, but be safe */
	if (w->mat)
		return;
	if (h >= 0) {
		take_bytes(w, &m->v[h]);
	} else {
		memset(w->d, 0, M_SLOTS);
		w->wild = 0;
		w->namb = 0;
	}
	w->mat = true;
	h = w->src;
	w->src = -1;
	if (h >= 0)
		mref_view_put(m, h);
}

void mref_write(struct model *m, int view, int slot, uint8_t val)
{
	struct mview *w;
	int i;

	materialise(m, view);
	w = &m->v[view];
	w->d[slot] = val;
	w->wild &= ~(1u << slot);
	for (i = 0; i < w->namb; i++)
		w->amb[i].d[slot] = val;
}

/*
 * MADV_FREE may discard only a page nobody else can see (FreeBSD: the
 * object is anonymous and has one mapping), and only bytes the page owns.
 */
bool mref_free_may_zero(struct model *m, int view)
{
	struct mview *w;

	/* a lazy copy whose source nobody else holds owns those bytes */
	compact(m, view);
	w = &m->v[view];

	return w->refs == 1 && w->mat;
}

static bool all_zero(const uint8_t *d)
{
	int i;

	for (i = 0; i < M_SLOTS; i++)
		if (d[i])
			return false;
	return true;
}

/*
 * One more MADV_FREE of a page it may discard: a new group, and a new
 * candidate on top, zero.  The candidates below it now also need this
 * group kept.
 */
void mref_free_mark(struct model *m, int view)
{
	struct mview *w = &m->v[view];
	int i, s;

	OS_ASSERT(w->mat);
	normalize(m, w);
	if (!w->namb && !w->wild && all_zero(w->d))
		return;			/* zero either way */
	if (w->namb && all_zero(w->amb[w->namb - 1].d)) {
		/*
		 * The top candidate is zero already: it now means "that free
		 * or this one zeroed", a group of its own; the earlier group
		 * learns nothing more from this view (a weaker model, sound).
		 */
		w->amb[w->namb - 1].g = group_new(m);
		return;
	}
	if (w->namb == M_AMB) {
		/* out of room: d[] becomes "any candidate", groups forgotten */
		for (i = 0; i < w->namb; i++)
			for (s = 0; s < M_SLOTS; s++)
				if (w->amb[i].d[s] != w->d[s])
					w->wild |= 1u << s;
		w->namb = 0;
	}
	w->amb[w->namb].g = group_new(m);
	memset(w->amb[w->namb].d, 0, M_SLOTS);
	w->namb++;
}

void mref_unmap(struct model *m, struct mproc *p, int first, int n)
{
	int i;

	for (i = first; i < first + n; i++) {
		struct mpage *pg = &p->pg[i];

		if (pg->state == MP_ANON)
			mref_view_put(m, pg->view);
		memset(pg, 0, sizeof(*pg));
	}
}

/*
 * fork per page (bsd-semantics.md 1.7, 2.4): NONE absent, SHARE the same
 * view, COPY a lazy copy on both sides, ZERO a fresh zero page (guard
 * pages are copied, never zeroed).
 */
void mref_fork(struct model *m, struct mproc *parent, struct mproc *child)
{
	int i;

	child->dbase = parent->dbase;
	child->brk = parent->brk;
	for (i = 0; i < m->pages; i++) {
		struct mpage *pp = &parent->pg[i], *cp = &child->pg[i];

		memset(cp, 0, sizeof(*cp));
		if (pp->state == MP_FREE || pp->inherit == BSD_INHERIT_NONE)
			continue;
		*cp = *pp;
		if (pp->state == MP_GUARD)
			continue;
		switch (pp->inherit) {
		case BSD_INHERIT_SHARE:
			m->v[pp->view].refs++;
			break;
		case BSD_INHERIT_COPY: {
			int old = pp->view;

			pp->view = mref_view_new(m, old);
			cp->view = mref_view_new(m, old);
			mref_view_put(m, old);
			break;
		}
		case BSD_INHERIT_ZERO:
			cp->view = mref_view_new(m, -1);
			break;
		}
	}
}
