// SPDX-License-Identifier: GPL-2.0
/*
 * cpu_user.c - the "CPU" of the userspace build: byte loads and stores
 * through the fake page table, with the fault-and-retry loop and the
 * KERN_* -> signal mapping the kernel module's fault handler uses.
 */
#include <string.h>
#include "os.h"
#include "vm.h"
#include "pmap_user.h"
#include "pmap_user_pte.h"

int cpu_fault_signal(int kern, int *code)
{
	switch (kern) {
	case KERN_SUCCESS:
		*code = 0;
		return CPU_OK;
	case KERN_INVALID_ADDRESS:
		*code = CPU_SEGV_MAPERR;
		return CPU_SIGSEGV;
	case KERN_PROTECTION_FAILURE:
		*code = CPU_SEGV_ACCERR;
		return CPU_SIGSEGV;
	case KERN_RESOURCE_SHORTAGE:
		/* the kernel's VM_FAULT_OOM: the OOM killer, not a signal */
		*code = 0;
		return CPU_SIGKILL;
	case KERN_OUT_OF_BOUNDS:
	case KERN_FAILURE:
		*code = CPU_BUS_OBJERR;
		return CPU_SIGBUS;
	default:
		/* anything else is not a result a fault may give the CPU */
		os_printf("cpu: unexpected vm_fault result %d\n", kern);
		OS_ASSERT(0);
		return CPU_SIGBUS;
	}
}

struct cpu_fault_ctx {
	struct pmap *pmap;
	vm_offset_t va;
};

int cpu_access(struct pmap *pm, vm_offset_t va, bool write, uint8_t *byte,
	       struct cpu_result *res)
{
	struct cpu_result local;
	struct cpu_fault_ctx ctx = { pm, trunc_page(va) };
	vm_prot_t need = write ? VM_PROT_WRITE : VM_PROT_READ;
	int tries;

	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	OS_ASSERT(pmap_user_space(pm));
	/*
	 * Each successful fault must leave a usable pte; a few retries
	 * absorb KERN_RETRY, more means the core loops without progress.
	 */
	for (tries = 0; tries < 16; tries++) {
		struct os_pv *p = pmap_user_pte(pm, trunc_page(va));
		int kern;

		if (p && (p->prot & need)) {
			vm_page_t pg = p->page;

			OS_ASSERT(pg->magic == OS_PAGE_MAGIC);
			p->ref = true;
			if (write) {
				OS_ASSERT(!pg->is_zero);
				p->mod = true;
				pg->data[va & OS_PAGE_MASK] = *byte;
			} else {
				*byte = pg->data[va & OS_PAGE_MASK];
			}
			return CPU_OK;
		}
		res->faults++;
		kern = vm_fault(pmap_user_space(pm), va, need, &ctx, &res->info);
		if (kern == KERN_RETRY)
			continue;
		if (kern != KERN_SUCCESS) {
			res->sig = cpu_fault_signal(kern, &res->code);
			return res->sig;
		}
	}
	os_printf("cpu: %s fault at %#llx made no progress\n",
		  write ? "write" : "read", (unsigned long long)va);
	OS_ASSERT(0);
	return CPU_SIGBUS;
}
