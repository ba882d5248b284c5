// SPDX-License-Identifier: GPL-2.0
/*
 * bench_main.c - hot paths of the core, one per run, for callgrind:
 *   bsdvm-bench zerofill|zeroread|cow|lookup [N]
 * Each mode sets up, then calls bench_region() for the measured part
 * (callgrind --toggle-collect=bench_region counts only that), N times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "os.h"
#include "vm.h"
#include "pmap_user.h"

#define BASE 0x40000000ull
#define PS OS_PAGE_SIZE
#define RW (BSD_PROT_READ | BSD_PROT_WRITE)

static struct vm_space *vs, *cvs;
static struct pmap *pm, *cpm;
static vm_offset_t area;
static long n;

static vm_offset_t map(vm_size_t len, int flags, vm_offset_t at)
{
	struct vm_mmap_req req = {
		.addr = at, .len = len, .prot = RW,
		.flags = BSD_MAP_ANON | BSD_MAP_PRIVATE | flags,
		.maxprot_limit = BSD_PROT_ALL,
	};
	vm_offset_t a = 0;

	if (vm_mmap(vs, &req, &a))
		abort();
	return a;
}

/* the measured part: n faults of one kind */
__attribute__((noinline)) void bench_region(struct vm_space *s,
					    vm_prot_t type);
__attribute__((noinline)) void bench_region(struct vm_space *s,
					    vm_prot_t type)
{
	struct vm_fault_info info;
	long i;

	for (i = 0; i < n; i++)
		if (vm_fault(s, area + i * PS, type, NULL, &info) !=
		    KERN_SUCCESS)
			abort();
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "zerofill";
	long i;

	n = argc > 2 ? atol(argv[2]) : 1000;
	vm_init();
	pm = pmap_user_create();
	vs = vmspace_alloc(BASE, BASE + (1ull << 36), pm);
	pmap_user_set_space(pm, vs);
	if (!strcmp(mode, "zerofill")) {
		area = map(n * PS, 0, 0);
		bench_region(vs, VM_PROT_WRITE);
	} else if (!strcmp(mode, "zeroread")) {
		area = map(n * PS, 0, 0);
		bench_region(vs, VM_PROT_READ);
	} else if (!strcmp(mode, "cow")) {
		uint8_t b = 1;

		area = map(n * PS, 0, 0);
		for (i = 0; i < n; i++)
			cpu_access(pm, area + i * PS, true, &b, NULL);
		cpm = pmap_user_create();
		if (vmspace_fork(vs, cpm, &cvs))
			abort();
		pmap_user_set_space(cpm, cvs);
		/* the child's write faults copy through a depth-1 chain */
		bench_region(cvs, VM_PROT_WRITE);
	} else if (!strcmp(mode, "lookup")) {
		/* 100 000 entries: alternate protections so none merge */
		for (i = 0; i < 100000; i++) {
			vm_offset_t a = map(PS, BSD_MAP_FIXED,
					    BASE + (vm_offset_t)i * 2 * PS);

			(void)a;
		}
		/* faults spread over the map: each one is a lookup */
		area = BASE + 2 * PS * 49999;
		n = 1;
		for (i = 0; i < 1000; i++) {
			area = BASE + (vm_offset_t)((i * 7919) % 100000) * 2 * PS;
			bench_region(vs, VM_PROT_READ);
		}
	} else {
		fprintf(stderr, "usage: %s zerofill|zeroread|cow|lookup [N]\n",
			argv[0]);
		return 2;
	}
	if (cvs) {
		vmspace_free(cvs);
		pmap_user_destroy(cpm);
	}
	vmspace_free(vs);
	pmap_user_destroy(pm);
	vm_fini();
	return 0;
}
