// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * bsdvm-stat - print bsdvm's counters as "name value" lines.
 *   bsdvm-stat [global]   the module's counters, over all processes
 *   bsdvm-stat self       a fresh arena's own space (mostly a smoke test)
 *   bsdvm-stat shim FILE  the shim's counters collected in FILE
 *                         (BSDVM_STATS_FILE=FILE)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bsdvm.h"
#include "shimstat.h"

#define F(x) { #x, offsetof(struct bsdvm_stats, x) }
static const struct { const char *name; size_t off; } fields[] = {
	F(spaces), F(entries), F(objects), F(pages), F(shadow_objects),
	F(faults), F(faults_read), F(faults_write), F(zero_fills),
	F(zero_page_maps), F(cow_copies), F(cow_renames),
	F(shadows_created), F(collapses), F(bypasses), F(pages_freed),
	F(forks), F(max_chain_depth), F(peak_pages), F(meta_bytes),
	F(pages_lent), F(lends), F(lent_copies),
};

static int module(int global)
{
	struct bsdvm_stats st;
	size_t i;

	if ((global ? bsdvm_stats_global(&st) : bsdvm_stats(&st)) < 0) {
		fprintf(stderr, "bsdvm-stat: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		printf("%s %lld\n", fields[i].name,
		       *(long long *)((char *)&st + fields[i].off));
	return 0;
}

static int shim(const char *path)
{
	struct bv_counters c;
	int fd = open(path, O_RDONLY), op;

	if (fd < 0 || read(fd, &c, sizeof(c)) != sizeof(c) ||
	    c.magic != BV_STATS_MAGIC) {
		fprintf(stderr, "bsdvm-stat: %s: not a shim counter file\n",
			path);
		return 1;
	}
	close(fd);
	if (c.version != BV_STATS_VERSION) {
		fprintf(stderr, "bsdvm-stat: %s: counters of version %llu, "
			"this bsdvm-stat reads %d\n", path,
			(unsigned long long)c.version, BV_STATS_VERSION);
		return 1;
	}
	printf("processes %llu\n", (unsigned long long)c.processes);
	printf("malloc_libc %llu\n", (unsigned long long)c.malloc_libc);
	for (op = 0; op < BV_OP_NR; op++) {
		printf("%s_bsdvm %llu\n", bv_op_names[op],
		       (unsigned long long)c.served[op]);
		printf("%s_bsdvm_bytes %llu\n", bv_op_names[op],
		       (unsigned long long)c.served_bytes[op]);
		printf("%s_linux %llu\n", bv_op_names[op],
		       (unsigned long long)c.passed[op]);
		printf("%s_linux_bytes %llu\n", bv_op_names[op],
		       (unsigned long long)c.passed_bytes[op]);
		printf("%s_errors %llu\n", bv_op_names[op],
		       (unsigned long long)c.failed[op]);
	}
	for (op = 1; op < BV_WHY_NR; op++)
		printf("why_%s %llu\n", bv_why_names[op],
		       (unsigned long long)c.why[op]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "global"))
		return module(1);
	if (!strcmp(argv[1], "self"))
		return module(0);
	if (!strcmp(argv[1], "shim") && argc == 3)
		return shim(argv[2]);
	fprintf(stderr, "usage: bsdvm-stat [global | self | shim FILE]\n");
	return 2;
}
