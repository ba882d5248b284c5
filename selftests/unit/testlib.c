// SPDX-License-Identifier: GPL-2.0
/* testlib.c - see testlib.h. */
#include <stdlib.h>
#include "testlib.h"

struct tproc *tp_new(void)
{
	struct tproc *p = calloc(1, sizeof(*p));

	OS_ASSERT(p);
	p->pmap = pmap_user_create();
	p->vs = vmspace_alloc(T_BASE, T_END, p->pmap);
	OS_ASSERT(p->vs);
	pmap_user_set_space(p->pmap, p->vs);
	return p;
}

struct tproc *tp_fork(struct tproc *parent)
{
	struct tproc *c = calloc(1, sizeof(*c));

	OS_ASSERT(c);
	c->pmap = pmap_user_create();
	OS_ASSERT(vmspace_fork(parent->vs, c->pmap, &c->vs) == 0);
	pmap_user_set_space(c->pmap, c->vs);
	return c;
}

void tp_exit(struct tproc *p)
{
	if (!p)
		return;
	vmspace_free(p->vs);
	pmap_user_destroy(p->pmap);
	free(p);
}

vm_offset_t tp_mmap(struct tproc *p, vm_offset_t addr, vm_size_t len,
		    int prot, int flags, int *err)
{
	struct vm_mmap_req req = {
		.addr = addr, .len = len, .prot = prot, .flags = flags,
		.maxprot_limit = BSD_PROT_ALL,
	};
	vm_offset_t out = 0;
	int e = vm_mmap(p->vs, &req, &out);

	if (err)
		*err = e;
	return e ? 0 : out;
}

int tp_rd(struct tproc *p, vm_offset_t va, uint8_t *b)
{
	return cpu_access(p->pmap, va, false, b, NULL);
}

int tp_wr(struct tproc *p, vm_offset_t va, uint8_t b)
{
	return cpu_access(p->pmap, va, true, &b, NULL);
}

int tp_get(struct tproc *p, vm_offset_t va)
{
	uint8_t b;

	return tp_rd(p, va, &b) ? -1 : b;
}

int tp_code(struct tproc *p, vm_offset_t va, bool write)
{
	struct cpu_result r;
	uint8_t b = 1;

	cpu_access(p->pmap, va, write, &b, &r);
	return r.sig * 100 + r.code;
}

int64_t live_objects(void)
{
	struct vm_stats st;

	vm_stats_global(&st);
	return st.objects;
}

int64_t live_pages(void)
{
	struct vm_stats st;

	vm_stats_global(&st);
	return st.pages;
}

int64_t chain_depth(struct tproc *p)
{
	struct vm_stats st;

	vmspace_stats(p->vs, &st);
	return st.max_chain_depth;
}

/* Every core test runs in a fresh core and must leave nothing behind. */
void harness_setup(void)
{
	OS_ASSERT(vm_init() == 0);
}

int harness_teardown(void)
{
	struct vm_stats st;
	int bad = 0;

	vm_stats_global(&st);
	if (st.spaces || st.objects || st.pages || st.entries) {
		fprintf(stderr, "  leak: %lld spaces %lld entries %lld objects %lld pages\n",
			(long long)st.spaces, (long long)st.entries,
			(long long)st.objects, (long long)st.pages);
		bad = 1;
	}
	if (vm_object_check_all()) {
		fprintf(stderr, "  vm_object_check_all failed\n");
		bad = 1;
	}
	vm_fini();
	if (os_user_live_bytes() || os_user_live_pages() ||
	    pmap_user_live_ptes()) {
		fprintf(stderr, "  leak: %lld bytes, %lld pages, %lld ptes\n",
			(long long)os_user_live_bytes(),
			(long long)os_user_live_pages(),
			(long long)pmap_user_live_ptes());
		bad = 1;
	}
	if (os_user_zero_page_check()) {
		fprintf(stderr, "  the zero page was written\n");
		bad = 1;
	}
	return bad;
}
