// SPDX-License-Identifier: GPL-2.0
/*
 * test_fault.c - the fault path: zero fill, the shared zero page, signals
 * and si_codes (FreeBSD tests/sys/vm/page_fault_signal.c), and faults
 * under injected out-of-memory.
 */
#include "testlib.h"

#define RW (BSD_PROT_READ | BSD_PROT_WRITE)
#define ANON (BSD_MAP_ANON | BSD_MAP_PRIVATE)

TEST(write_fault_zero_fills)
{
	struct tproc *p = tp_new();
	vm_offset_t a = tp_mmap(p, 0, 4 * OS_PAGE_SIZE, RW, ANON, NULL);
	struct cpu_result r;
	uint8_t b = 0x77;

	CHECK(a);
	CHECK_EQ(cpu_access(p->pmap, a + 100, true, &b, &r), 0);
	CHECK_EQ(r.info.source, VM_FAULT_SRC_ZERO_FILL);
	CHECK_EQ(tp_get(p, a + 100), 0x77);
	CHECK_EQ(tp_get(p, a + 101), 0);
	CHECK_EQ(tp_get(p, a + 4095), 0);
	CHECK_EQ(live_pages(), 1);
	tp_exit(p);
}

TEST(zero_page_shared_for_reads)
{
	struct tproc *p = tp_new();
	vm_offset_t a = tp_mmap(p, 0, 4 * OS_PAGE_SIZE, RW, ANON, NULL);
	vm_page_t pg0, pg1;
	vm_prot_t prot;
	struct cpu_result r;
	uint8_t b;

	CHECK(a);
	CHECK_EQ(cpu_access(p->pmap, a, false, &b, &r), 0);
	CHECK_EQ(b, 0);
	CHECK_EQ(r.info.source, VM_FAULT_SRC_ZERO_PAGE);
	CHECK_EQ(tp_get(p, a + OS_PAGE_SIZE), 0);
	CHECK(pmap_user_lookup(p->pmap, a, &pg0, &prot));
	CHECK(pmap_user_lookup(p->pmap, a + OS_PAGE_SIZE, &pg1, NULL));
	CHECK(pg0 == os_zero_page() && pg1 == os_zero_page());
	CHECK(!(prot & BSD_PROT_WRITE));
	CHECK_EQ(live_pages(), 0);
	/* write after read: a private page replaces the zero page */
	CHECK_EQ(tp_wr(p, a + 5, 9), 0);
	CHECK(pmap_user_lookup(p->pmap, a, &pg0, &prot));
	CHECK(pg0 != os_zero_page() && (prot & BSD_PROT_WRITE));
	CHECK_EQ(tp_get(p, a + 5), 9);
	CHECK_EQ(tp_get(p, a + OS_PAGE_SIZE + 5), 0);
	CHECK_EQ(live_pages(), 1);
	CHECK_EQ(os_user_zero_page_check(), 0);
	tp_exit(p);
}

TEST(signals_and_codes)
{
	struct tproc *p = tp_new();
	vm_offset_t a = tp_mmap(p, 0, 3 * OS_PAGE_SIZE, BSD_PROT_READ, ANON,
				NULL);
	int err;

	CHECK(a);
	CHECK_EQ(tp_code(p, a, false), 0);
	CHECK_EQ(tp_code(p, a, true), CPU_SIGSEGV * 100 + CPU_SEGV_ACCERR);
	CHECK_EQ(vm_mprotect(p->vs, a + OS_PAGE_SIZE, OS_PAGE_SIZE,
			     BSD_PROT_NONE), 0);
	CHECK_EQ(tp_code(p, a + OS_PAGE_SIZE, false),
		 CPU_SIGSEGV * 100 + CPU_SEGV_ACCERR);
	CHECK_EQ(vm_munmap(p->vs, a + 2 * OS_PAGE_SIZE, OS_PAGE_SIZE), 0);
	CHECK_EQ(tp_code(p, a + 2 * OS_PAGE_SIZE, false),
		 CPU_SIGSEGV * 100 + CPU_SEGV_MAPERR);
	/* Appel & Li: the handler opens the page, the access then works */
	CHECK_EQ(vm_mprotect(p->vs, a, OS_PAGE_SIZE, BSD_PROT_READ |
			     BSD_PROT_WRITE), 0);
	CHECK_EQ(tp_wr(p, a, 3), 0);
	CHECK_EQ(vm_mprotect(p->vs, a, OS_PAGE_SIZE, BSD_PROT_READ), 0);
	CHECK_EQ(tp_code(p, a, true), CPU_SIGSEGV * 100 + CPU_SEGV_ACCERR);
	CHECK_EQ(tp_get(p, a), 3);
	/* write-only memory is writable (mmap_test write_only) */
	a = tp_mmap(p, 0, OS_PAGE_SIZE, BSD_PROT_WRITE, ANON, &err);
	CHECK(a);
	CHECK_EQ(tp_wr(p, a, 1), 0);
	tp_exit(p);
}

TEST(unaligned_fault_address)
{
	struct tproc *p = tp_new();
	vm_offset_t a = tp_mmap(p, 0, OS_PAGE_SIZE, BSD_PROT_READ |
				BSD_PROT_WRITE, ANON, NULL);
	struct vm_fault_info info;

	CHECK(a);
	/* the core must truncate va itself */
	CHECK_EQ(vm_fault(p->vs, a + 1234, VM_PROT_WRITE, NULL, &info),
		 KERN_SUCCESS);
	CHECK_EQ(tp_wr(p, a + 1234, 5), 0);
	CHECK_EQ(tp_get(p, a + 1234), 5);
	CHECK_EQ(vm_fault(p->vs, T_END + 5, VM_PROT_READ, NULL, &info),
		 KERN_INVALID_ADDRESS);
	tp_exit(p);
}

/*
 * Every allocation the core makes during mmap, fault and fork fails in
 * turn; each call must fail cleanly (ENOMEM / KERN_RESOURCE_SHORTAGE),
 * leave the data intact and leak nothing.
 */
TEST(out_of_memory_everywhere)
{
	long k;

	for (k = 0; k < 80; k++) {
		struct tproc *p = tp_new();
		struct vm_mmap_req req = {
			.len = 4 * OS_PAGE_SIZE,
			.prot = BSD_PROT_READ | BSD_PROT_WRITE,
			.flags = ANON, .maxprot_limit = BSD_PROT_ALL,
		};
		struct pmap *cpm = pmap_user_create();
		struct vm_space *cvs = NULL;
		struct vm_fault_info info;
		vm_offset_t a = 0;
		int err, kern = KERN_SUCCESS;

		/* one page written before the failures start */
		CHECK_EQ(vm_mmap(p->vs, &req, &a), 0);
		CHECK_EQ(tp_wr(p, a, 0x42), 0);
		os_user_fail_after(k);
		err = vm_mmap(p->vs, &req, &a);
		if (!err)
			kern = vm_fault(p->vs, a, VM_PROT_WRITE, NULL, &info);
		if (!err && kern == KERN_SUCCESS)
			err = vmspace_fork(p->vs, cpm, &cvs);
		os_user_fail_after(-1);
		CHECK(kern == KERN_SUCCESS || kern == KERN_RESOURCE_SHORTAGE);
		CHECK(err == 0 || err == ENOMEM);
		if (cvs) {
			pmap_user_set_space(cpm, cvs);
			vmspace_free(cvs);
		}
		pmap_user_destroy(cpm);
		CHECK_EQ(vm_map_check(vmspace_map(p->vs)), 0);
		CHECK_EQ(vm_object_check_all(), 0);
		tp_exit(p);
		CHECK_EQ(live_objects(), 0);
		CHECK_EQ(live_pages(), 0);
	}
}
