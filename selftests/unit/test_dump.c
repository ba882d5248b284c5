// SPDX-License-Identifier: GPL-2.0
/*
 * test_dump.c - vm_dump_space() on a known scenario (map, write, fork,
 * child writes, child exits): the entry and object lines and their
 * fields, and the trace hooks the scenario fires.
 */
#include <stdarg.h>
#include "testlib.h"
#include "vm_dump.h"

#define RW (BSD_PROT_READ | BSD_PROT_WRITE)
#define PRIV (BSD_MAP_ANON | BSD_MAP_PRIVATE)
#define NP 4

static char buf[8192];
static size_t used;

static void sink_printf(void *ctx, const char *fmt, ...)
{
	va_list ap;
	int n;

	(void)ctx;
	va_start(ap, fmt);
	n = vsnprintf(buf + used, sizeof(buf) - used, fmt, ap);
	va_end(ap);
	if (n > 0 && used + (size_t)n < sizeof(buf))
		used += (size_t)n;
}

static const char *dump(struct tproc *p)
{
	struct vm_dump_sink s = { .printf = sink_printf };

	used = 0;
	buf[0] = '\0';
	OS_ASSERT(vm_dump_space(p->vs, &s) == 0);
	return buf;
}

/* The line starting with prefix, copied into line (or "" if none). */
static const char *line_of(const char *text, const char *prefix, int nth)
{
	static char line[256];
	const char *p = text, *nl;
	size_t n = strlen(prefix);

	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		if (!strncmp(p, prefix, n) && nth-- == 0) {
			size_t len = (size_t)(nl - p);

			if (len >= sizeof(line))
				len = sizeof(line) - 1;
			memcpy(line, p, len);
			line[len] = '\0';
			return line;
		}
	}
	return "";
}

TEST(dump_fork_cow_exit)
{
	struct tproc *p = tp_new(), *c;
	vm_offset_t a = tp_mmap(p, 0, NP * OS_PAGE_SIZE, RW, PRIV, NULL);
	unsigned long long s, e, id, cid;
	char want[256];
	const char *t;
	int i;

	CHECK(a);
	for (i = 0; i < NP; i++)
		CHECK_EQ(tp_wr(p, a + i * OS_PAGE_SIZE, 1), 0);
	t = dump(p);
	CHECK(strstr(t, "\nend entries 1 objects 1\n"));
	CHECK_EQ(sscanf(line_of(t, "entry ", 0),
			"entry %llx %llx rw-/rwx copy cow %llu anon 0x0 4 1",
			&s, &e, &id), 3);
	CHECK_EQ(s, a);
	CHECK_EQ(e, a + NP * OS_PAGE_SIZE);
	snprintf(want, sizeof(want), "object %llu anon 1 0 0 0x0 4 4 4 anon,onemap",
		 id);
	CHECK(!strncmp(line_of(t, "object ", 0), want, strlen(want)));

	memset(os_user_trace, 0, sizeof(os_user_trace));
	c = tp_fork(p);
	CHECK_EQ(tp_wr(c, a, 2), 0);
	CHECK_EQ(os_user_trace[OS_TR_FORK], 1);
	CHECK_EQ(os_user_trace[OS_TR_SHADOW], 1);
	CHECK_EQ(os_user_trace[OS_TR_COW], 1);

	/* child: a shadow with its one page over the parent's object */
	t = dump(c);
	CHECK(strstr(t, "\nend entries 1 objects 2\n"));
	CHECK_EQ(sscanf(line_of(t, "entry ", 0),
			"entry %llx %llx rw-/rwx copy cow %llu anon 0x0 4 2",
			&s, &e, &cid), 3);
	CHECK(cid != id);
	snprintf(want, sizeof(want), "object %llu anon 1 0 %llu 0x0 4 1 1 anon",
		 cid, id);
	CHECK(!strncmp(line_of(t, "object ", 0), want, strlen(want)));
	snprintf(want, sizeof(want), "object %llu anon 2 1 0 0x0 4 4 4 anon",
		 id);
	CHECK(!strncmp(line_of(t, "object ", 1), want, strlen(want)));

	/* parent: still needs its copy, sees the original object */
	t = dump(p);
	CHECK_EQ(sscanf(line_of(t, "entry ", 0),
			"entry %llx %llx rw-/rwx copy cow,nc %llu anon 0x0 4 1",
			&s, &e, &cid), 3);
	CHECK_EQ(cid, id);

	/* child exits: the original is the parent's alone again */
	tp_exit(c);
	t = dump(p);
	snprintf(want, sizeof(want), "object %llu anon 1 0 0 0x0 4 4 4 anon,onemap",
		 id);
	CHECK(!strncmp(line_of(t, "object ", 0), want, strlen(want)));
	tp_exit(p);
}

TEST(dump_untouched_and_guard)
{
	struct tproc *p = tp_new();
	vm_offset_t a = tp_mmap(p, 0, NP * OS_PAGE_SIZE, BSD_PROT_READ, PRIV,
				NULL);
	const char *t;

	CHECK(a);
	CHECK_EQ(tp_get(p, a), 0);	/* zero page: no object */
	t = dump(p);
	CHECK(strstr(line_of(t, "entry ", 0), " r--/rwx copy cow 0 none 0x0 0 0"));
	CHECK(strstr(t, "\nend entries 1 objects 0\n"));
	tp_exit(p);
}

