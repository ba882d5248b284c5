// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * regions.c - what the library has mapped in the arena: address range,
 * protection, shared or private, inheritance.  The module keeps the real
 * map; this copy answers the questions its ABI cannot (a range's
 * protection, for Linux MADV_DONTNEED and mremap; holes, for Linux's
 * ENOMEM).  A sorted array, changed with the map lock held, stored in
 * arena memory of its own (so it is copied by fork like the map it
 * describes).
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

static struct bv_region *tab;
static int nr, cap;

/* Raw arena memory, outside the table. */
static void *raw_map(size_t len)
{
	struct bsdvm_map_args m = {
		.size = sizeof(m), .flags = BSD_MAP_PRIVATE | BSD_MAP_ANON,
		.prot = BSD_PROT_READ | BSD_PROT_WRITE, .fd = -1, .len = len,
	};

	if (bv_ioctl(BSDVM_IOC_MAP, &m))
		return NULL;
	return (void *)(uintptr_t)m.addr;
}

static void raw_unmap(void *p, size_t len)
{
	struct bsdvm_range_args r = {
		.size = sizeof(r), .addr = (uintptr_t)p, .len = len,
	};

	bv_ioctl(BSDVM_IOC_UNMAP, &r);
}

static int grow(int need)
{
	struct bv_region *n;
	int ncap = cap ? cap : 256;

	while (ncap < need)
		ncap *= 2;
	if (ncap == cap)
		return 0;
	n = raw_map(ncap * sizeof(*n));
	if (!n)
		return ENOMEM;
	if (tab) {
		memcpy(n, tab, nr * sizeof(*n));
		raw_unmap(tab, cap * sizeof(*n));
	}
	tab = n;
	cap = ncap;
	return 0;
}

/* Index of the first region with end > a. */
static int find(uintptr_t a)
{
	int lo = 0, hi = nr;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (tab[mid].end <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Split the region containing a (if any, and a is inside) at a. */
static int split_at(uintptr_t a)
{
	int i = find(a);

	if (i >= nr || tab[i].start >= a)
		return 0;
	if (grow(nr + 1))
		return ENOMEM;
	memmove(&tab[i + 1], &tab[i], (nr - i) * sizeof(*tab));
	nr++;
	tab[i].end = a;
	tab[i + 1].start = a;
	return 0;
}

void bv_regions_remove(uintptr_t start, uintptr_t end)
{
	int i, j;

	if (start >= end || split_at(start) || split_at(end))
		return;
	i = find(start);
	for (j = i; j < nr && tab[j].end <= end; j++)
		;
	memmove(&tab[i], &tab[j], (nr - j) * sizeof(*tab));
	nr -= j - i;
}

int bv_regions_insert(uintptr_t start, uintptr_t end, int prot, int flags)
{
	int i;

	bv_regions_remove(start, end);
	if (grow(nr + 1))
		return ENOMEM;
	i = find(start);
	memmove(&tab[i + 1], &tab[i], (nr - i) * sizeof(*tab));
	nr++;
	tab[i].start = start;
	tab[i].end = end;
	tab[i].prot = prot;
	tab[i].flags = flags & (BSD_MAP_SHARED | BSD_MAP_PRIVATE |
				BSD_MAP_GUARD);
	tab[i].inherit = (flags & BSD_MAP_SHARED) ? BSD_INHERIT_SHARE :
						    BSD_INHERIT_COPY;
	return 0;
}

void bv_regions_set_prot(uintptr_t start, uintptr_t end, int prot)
{
	int i;

	if (start >= end || split_at(start) || split_at(end))
		return;
	for (i = find(start); i < nr && tab[i].start < end; i++) {
		if (tab[i].flags & BSD_MAP_GUARD)
			continue;
		if (BSD_PROT_MAX_EXTRACT(prot))
			tab[i].prot = prot;
		else
			tab[i].prot = BSD_PROT_EXTRACT(prot) |
				      (tab[i].prot & BSD_PROT_MAX(BSD_PROT_ALL));
	}
}

void bv_regions_set_inherit(uintptr_t start, uintptr_t end, int inherit)
{
	int i;

	if (start >= end || split_at(start) || split_at(end))
		return;
	for (i = find(start); i < nr && tab[i].start < end; i++)
		tab[i].inherit = inherit;
}

int bv_regions_get(uintptr_t start, uintptr_t end, struct bv_region *out,
		   int max)
{
	int i, n = 0;

	for (i = find(start); i < nr && tab[i].start < end && n < max; i++) {
		out[n] = tab[i];
		if (out[n].start < start)
			out[n].start = start;
		if (out[n].end > end)
			out[n].end = end;
		n++;
	}
	return n;
}

/*
 * Whether [start, end) is covered, without a hole, by regions that all have
 * the same protection, flags and inheritance: what Linux would see as one
 * VMA (the table splits where Linux merges again, and growing in place
 * adds a region).  *r gets those attributes and the range.
 */
bool bv_regions_uniform(uintptr_t start, uintptr_t end, struct bv_region *r)
{
	uintptr_t a = start;
	int i = find(start);

	if (i >= nr || tab[i].start > start)
		return false;
	*r = tab[i];
	for (; i < nr && a < end; i++) {
		if (tab[i].start > a || tab[i].prot != r->prot ||
		    tab[i].flags != r->flags || tab[i].inherit != r->inherit)
			return false;
		a = tab[i].end;
	}
	if (a < end)
		return false;
	r->start = start;
	r->end = end;
	return true;
}

bool bv_regions_cover(uintptr_t start, uintptr_t end)
{
	uintptr_t a = start;
	int i;

	for (i = find(start); i < nr && a < end; i++) {
		if (tab[i].start > a)
			return false;
		a = tab[i].end;
	}
	return a >= end;
}

/* In a forked child: INHERIT_NONE ranges are gone, ZERO ones are fresh. */
void bv_regions_fork_child(void)
{
	int i, j = 0;

	for (i = 0; i < nr; i++)
		if (tab[i].inherit != BSD_INHERIT_NONE)
			tab[j++] = tab[i];
	nr = j;
}

void bv_regions_reset(void)
{
	nr = 0;
}
