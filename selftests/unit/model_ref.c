// SPDX-License-Identifier: GPL-2.0
/*
 * model_ref.c - the reference model's memory: views and their sharing.
 *
 * Written from bsd-semantics.md, not from the core: a page reads its view's
 * bytes, or its source's if the view was never written; a write first
 * copies the source into the view (copy-on-write).  MADV_FREE may leave a
 * page "old or zero"; both candidates are kept until a read tells which.
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
}

void mref_fini(struct model *m)
{
	free(m->v);
	m->v = NULL;
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
			memcpy(w->d, s->d, M_SLOTS);
			memcpy(w->z, s->z, M_SLOTS);
			w->amb = s->amb;
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

/* An observation settles every view of an ambiguity group alike. */
static void resolve(struct model *m, int group, bool zeroed)
{
	int i;

	for (i = 0; i < m->nviews; i++) {
		struct mview *w = &m->v[i];

		if (w->refs > 0 && w->amb == group) {
			if (zeroed)
				memcpy(w->d, w->z, M_SLOTS);
			w->amb = 0;
		}
	}
}

/*
 * Expected byte of slot in view; with an ambiguous page the observed value
 * picks the candidate.  *ok false when observed fits no candidate.
 */
int mref_read(struct model *m, int view, int slot, int observed, bool *ok)
{
	int h = holder(m, view);
	struct mview *w;

	*ok = true;
	if (h < 0)
		return 0;
	w = &m->v[h];
	if (w->amb && w->d[slot] != w->z[slot]) {
		if (observed == w->d[slot]) {
			resolve(m, w->amb, false);
		} else if (observed == w->z[slot]) {
			resolve(m, w->amb, true);
		} else {
			*ok = false;
			return w->d[slot];
		}
	}
	if (observed != w->d[slot])
		*ok = false;
	return w->d[slot];
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
		memcpy(w->d, m->v[h].d, M_SLOTS);
		memcpy(w->z, m->v[h].z, M_SLOTS);
		w->amb = m->v[h].amb;
	} else {
		memset(w->d, 0, M_SLOTS);
		memset(w->z, 0, M_SLOTS);
		w->amb = 0;
	}
	w->mat = true;
	h = w->src;
	w->src = -1;
	if (h >= 0)
		mref_view_put(m, h);
}

void mref_write(struct model *m, int view, int slot, uint8_t val)
{
	materialise(m, view);
	m->v[view].d[slot] = val;
	m->v[view].z[slot] = val;
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

void mref_free_mark(struct model *m, int view)
{
	struct mview *w = &m->v[view];

	if (!w->amb) {
		w->amb = m->next_amb++;
		memset(w->z, 0, M_SLOTS);
	} else {
		/* freed again: the zero candidate is zero once more */
		memset(w->z, 0, M_SLOTS);
	}
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
