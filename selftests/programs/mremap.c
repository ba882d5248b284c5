// SPDX-License-Identifier: GPL-2.0
/*
 * mremap: under the shim, Linux's mremap of anonymous memory in the arena
 * (BSD has none; the shim emulates it).  A range Linux would see as one
 * VMA must move and grow whole, even where the shim's own table has split
 * it: after growing in place, or a protection changed and changed back
 * (stress-ng's mremap stressor did the first and got EFAULT).  A range
 * across two different protections is EFAULT, as across two VMAs.
 * Prints "mremap ok" when every check holds.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG	4096UL
static int failed;

#define CHECK(c) do { if (!(c)) { failed = 1; \
	printf("FAIL line %d: %s (errno %d)\n", __LINE__, #c, errno); } } while (0)

static char *anon(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int pattern_ok(const char *p, size_t pages, char base)
{
	size_t i;

	for (i = 0; i < pages; i++)
		if (p[i * PG] != base + (char)i || p[i * PG + PG - 1] != base)
			return 0;
	return 1;
}

static void pattern(char *p, size_t pages, char base)
{
	size_t i;

	for (i = 0; i < pages; i++) {
		p[i * PG] = base + (char)i;
		p[i * PG + PG - 1] = base;
	}
}

/* Is p inside the arena, the mapping of /dev/bsdvm? */
static int in_arena(const void *p)
{
	unsigned long a = (unsigned long)p, s, e;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int in = 0;

	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "/dev/bsdvm") &&
		    sscanf(line, "%lx-%lx", &s, &e) == 2 && a >= s && a < e)
			in = 1;
	if (f)
		fclose(f);
	return in;
}

int main(void)
{
	char *p, *q, *hold;

	/* grow in place, then remap the grown range once more, moved */
	p = anon(16 * PG);		/* room above for growing in place */
	CHECK(p && in_arena(p));
	if (!p)
		return 1;
	CHECK(munmap(p + 2 * PG, 14 * PG) == 0);
	pattern(p, 2, 'a');
	q = mremap(p, 2 * PG, 4 * PG, 0);	/* in place, no MAYMOVE */
	CHECK(q == p);
	pattern(p + 2 * PG, 2, 'c');
	hold = mmap(p + 4 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		    MAP_FIXED_NOREPLACE, -1, 0);	/* no room left above */
	CHECK(hold == p + 4 * PG);
	q = mremap(p, 4 * PG, 8 * PG, MREMAP_MAYMOVE);
	CHECK(q != MAP_FAILED && q != p);
	if (q != MAP_FAILED) {
		CHECK(pattern_ok(q, 2, 'a') && pattern_ok(q + 2 * PG, 2, 'c'));
		CHECK(q[7 * PG] == 0);
		q[7 * PG] = 'z';
		p = q;
	}
	munmap(hold, PG);

	/* a protection changed and changed back: still one VMA to Linux */
	CHECK(mprotect(p + PG, PG, PROT_READ) == 0);
	CHECK(mprotect(p + PG, PG, PROT_READ | PROT_WRITE) == 0);
	q = mremap(p, 8 * PG, 12 * PG, MREMAP_MAYMOVE);
	CHECK(q != MAP_FAILED);
	if (q != MAP_FAILED) {
		CHECK(pattern_ok(q, 2, 'a') && q[7 * PG] == 'z');
		p = q;
	}

	/* a part of a mapping: shrink it in place */
	q = mremap(p + 4 * PG, 4 * PG, 2 * PG, 0);
	CHECK(q == p + 4 * PG);
	CHECK(p[6 * PG - 1] == 0 && pattern_ok(p, 2, 'a'));
	hold = mmap(p + 6 * PG, 2 * PG, PROT_READ, MAP_PRIVATE |
		    MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(hold == p + 6 * PG);	/* the tail was unmapped */

	/* across two protections, as across two VMAs: EFAULT */
	CHECK(mprotect(p, PG, PROT_READ) == 0);
	errno = 0;
	CHECK(mremap(p, 2 * PG, 3 * PG, MREMAP_MAYMOVE) == MAP_FAILED &&
	      errno == EFAULT);
	CHECK(p[0] == 'a');

	if (!failed)
		printf("mremap ok\n");
	return failed;
}
