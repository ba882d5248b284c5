// SPDX-License-Identifier: GPL-2.0
/*
 * os_pindex.c - an object's page index for the userspace host: a radix tree
 * of 64-way nodes whose height grows with the largest key, like the
 * kernel's xarray, so lookups are O(height) and os_pindex_next walks keys
 * in order without sorting.
 */
#include "os.h"

#define PIX_BITS	6
#define PIX_SLOTS	(1u << PIX_BITS)
#define PIX_MASK	(PIX_SLOTS - 1)
#define PIX_MAXH	((64 + PIX_BITS - 1) / PIX_BITS)

struct os_pindex_node {
	void *slot[PIX_SLOTS];	/* children, or pages at the last level */
	unsigned count;		/* non-NULL slots */
};

/* Slot of key at a node whose subtree spans level lvl (1 = leaf node). */
static inline unsigned slot_of(vm_pindex_t key, unsigned lvl)
{
	unsigned shift = (lvl - 1) * PIX_BITS;

	return shift >= 64 ? 0 : (unsigned)(key >> shift) & PIX_MASK;
}

/* Largest key a tree of height h can hold. */
static inline vm_pindex_t max_key(unsigned h)
{
	if (h * PIX_BITS >= 64)
		return ~(vm_pindex_t)0;
	return ((vm_pindex_t)1 << (h * PIX_BITS)) - 1;
}

void os_pindex_init(struct os_pindex *ix)
{
	ix->root = NULL;
	ix->height = 0;
	ix->count = 0;
}

void os_pindex_destroy(struct os_pindex *ix)
{
	OS_ASSERT(ix->count == 0 && ix->root == NULL);
}

vm_page_t os_pindex_lookup(struct os_pindex *ix, vm_pindex_t pidx)
{
	struct os_pindex_node *n = ix->root;
	unsigned lvl = ix->height;

	if (!n || pidx > max_key(lvl))
		return NULL;
	for (; lvl > 1; lvl--) {
		n = n->slot[slot_of(pidx, lvl)];
		if (!n)
			return NULL;
	}
	return n->slot[slot_of(pidx, 1)];
}

/* Put pg in the occupied slot of pidx; the old page is returned. */
vm_page_t os_pindex_replace(struct os_pindex *ix, vm_pindex_t pidx,
			    vm_page_t pg)
{
	struct os_pindex_node *n = ix->root;
	unsigned lvl = ix->height;
	vm_page_t old;

	OS_ASSERT(pg != NULL && n && pidx <= max_key(lvl));
	for (; lvl > 1; lvl--) {
		n = n->slot[slot_of(pidx, lvl)];
		OS_ASSERT(n);
	}
	old = n->slot[slot_of(pidx, 1)];
	OS_ASSERT(old);
	n->slot[slot_of(pidx, 1)] = pg;
	return old;
}

/*
 * Nodes an insert of pidx must allocate once the tree is grown to height h:
 * the new root levels, plus every level below the first missing child.
 */
static unsigned count_needed(struct os_pindex *ix, vm_pindex_t pidx,
			     unsigned h)
{
	struct os_pindex_node *n = ix->root;
	unsigned need, lvl;

	if (!ix->root)
		return h;
	need = h - ix->height;
	for (lvl = h; lvl > 1; lvl--) {
		unsigned s = slot_of(pidx, lvl);

		if (lvl > ix->height) {
			/* a new root: slot 0 leads on to the old tree */
			if (s != 0)
				return need + lvl - 1;
			continue;
		}
		n = n->slot[s];
		if (!n)
			return need + lvl - 1;
	}
	return need;
}

int os_pindex_insert(struct os_pindex *ix, vm_pindex_t pidx, vm_page_t pg)
{
	struct os_pindex_node *spare[PIX_MAXH + 1] = { NULL }, *n;
	unsigned need, h = ix->height ? ix->height : 1, lvl, i, used = 0;

	OS_ASSERT(pg != NULL);
	/* Count the nodes this insert needs, so failure changes nothing. */
	while (pidx > max_key(h))
		h++;
	need = count_needed(ix, pidx, h);
	for (i = 0; i < need; i++) {
		spare[i] = os_zalloc(sizeof(*spare[i]));
		if (!spare[i]) {
			while (i--)
				os_free(spare[i]);
			return ENOMEM;
		}
	}

	/* Grow: the old root becomes slot 0 of a new root. */
	if (!ix->root) {
		ix->root = spare[used++];
		ix->height = h;
	}
	while (ix->height < h) {
		struct os_pindex_node *r = spare[used++];

		r->slot[0] = ix->root;
		r->count = ix->root->count ? 1 : 0;
		ix->root = r;
		ix->height++;
	}
	n = ix->root;
	for (lvl = ix->height; lvl > 1; lvl--) {
		unsigned s = slot_of(pidx, lvl);

		if (!n->slot[s]) {
			OS_ASSERT(used < need);
			n->slot[s] = spare[used++];
			n->count++;
		}
		n = n->slot[s];
	}
	OS_ASSERT(n->slot[slot_of(pidx, 1)] == NULL);
	n->slot[slot_of(pidx, 1)] = pg;
	n->count++;
	ix->count++;
	OS_ASSERT(used == need);
	return 0;
}

vm_page_t os_pindex_remove(struct os_pindex *ix, vm_pindex_t pidx)
{
	struct os_pindex_node *path[PIX_MAXH + 1], *n = ix->root;
	unsigned lvl = ix->height, depth = 0, s;
	vm_page_t pg;

	if (!n || pidx > max_key(lvl))
		return NULL;
	for (; lvl > 1; lvl--) {
		path[depth++] = n;
		n = n->slot[slot_of(pidx, lvl)];
		if (!n)
			return NULL;
	}
	s = slot_of(pidx, 1);
	pg = n->slot[s];
	if (!pg)
		return NULL;
	n->slot[s] = NULL;
	n->count--;
	ix->count--;
	/* free emptied nodes bottom-up */
	lvl = 1;
	while (n->count == 0) {
		os_free(n);
		if (depth == 0) {
			ix->root = NULL;
			ix->height = 0;
			return pg;
		}
		n = path[--depth];
		lvl++;
		n->slot[slot_of(pidx, lvl)] = NULL;
		n->count--;
	}
	/* shrink while the root only uses slot 0 */
	while (ix->height > 1 && ix->root->count == 1 && ix->root->slot[0]) {
		struct os_pindex_node *r = ix->root;

		ix->root = r->slot[0];
		ix->height--;
		os_free(r);
	}
	return pg;
}

/* First non-NULL leaf with key in [*key, last] under n at level lvl. */
static vm_page_t next_in(struct os_pindex_node *n, unsigned lvl,
			 vm_pindex_t base, vm_pindex_t *key, vm_pindex_t last)
{
	unsigned s = slot_of(*key, lvl);
	unsigned shift = (lvl - 1) * PIX_BITS;
	vm_pindex_t span = shift >= 64 ? 0 : (vm_pindex_t)1 << shift;

	for (; s < PIX_SLOTS; s++) {
		vm_pindex_t lo = base + (vm_pindex_t)s * span;

		if (lo > last)
			return NULL;
		if (!n->slot[s])
			goto advance;
		if (lvl == 1) {
			*key = lo;
			return n->slot[s];
		} else {
			vm_pindex_t k = *key > lo ? *key : lo;
			vm_page_t pg = next_in(n->slot[s], lvl - 1, lo, &k,
					       last);

			if (pg) {
				*key = k;
				return pg;
			}
		}
advance:
		/* next slot starts at lo + span; stop at wrap-around */
		if (lo + span < lo || lo + span == 0)
			return NULL;
		if (*key < lo + span)
			*key = lo + span;
	}
	return NULL;
}

vm_page_t os_pindex_next(struct os_pindex *ix, vm_pindex_t *pidx,
			 vm_pindex_t last)
{
	vm_pindex_t k = *pidx;
	vm_page_t pg;

	if (!ix->root || k > last || k > max_key(ix->height))
		return NULL;
	pg = next_in(ix->root, ix->height, 0, &k, last);
	if (pg)
		*pidx = k;
	return pg;
}
