// SPDX-License-Identifier: GPL-2.0
/*
 * Coverage of the module's own code through kcov (Documentation/dev-tools/
 * kcov.rst).  Only the debug kernel has CONFIG_KCOV, and there only
 * bsdvm.ko is built with it (Kbuild), so every PC collected is bsdvm's.
 * Without kcov the fuzzer runs the same, and reports no coverage.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fuzz.h"

#define KCOV_INIT_TRACE	_IOR('c', 1, unsigned long)
#define KCOV_ENABLE	_IO('c', 100)
#define KCOV_TRACE_PC	0
#define COVER_WORDS	(64 << 10)

/* This thread's trace buffer, tracing from now on; NULL without kcov. */
uint64_t *fz_kcov_start(void)
{
	uint64_t *cover;
	int fd = open("/sys/kernel/debug/kcov", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (ioctl(fd, KCOV_INIT_TRACE, COVER_WORDS))
		goto fail;
	cover = mmap(NULL, COVER_WORDS * sizeof(uint64_t),
		     PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (cover == MAP_FAILED)
		goto fail;
	if (ioctl(fd, KCOV_ENABLE, KCOV_TRACE_PC)) {
		munmap(cover, COVER_WORDS * sizeof(uint64_t));
		goto fail;
	}
	__atomic_store_n(&cover[0], 0, __ATOMIC_RELAXED);
	return cover;	/* fd stays open: closing it would stop tracing */
fail:
	close(fd);
	return NULL;
}

/* Adds one PC to the shared set (open addressing, lock-free). */
static void add_pc(struct fz_shared *sh, uint64_t pc)
{
	uint64_t h = (pc * 0x9e3779b97f4a7c15ULL) >> 48, old;
	unsigned int probe;

	for (probe = 0; probe < 64; probe++, h = (h + 1) % FZ_PCS) {
		old = __atomic_load_n(&sh->pcs[h], __ATOMIC_RELAXED);
		if (old == pc)
			return;
		if (old)
			continue;
		if (__atomic_compare_exchange_n(&sh->pcs[h], &old, pc, false,
						__ATOMIC_RELAXED,
						__ATOMIC_RELAXED)) {
			__atomic_fetch_add(&sh->npcs, 1, __ATOMIC_RELAXED);
			return;
		}
		if (old == pc)
			return;
	}
}

/* The PCs the last operation reached, into the set; then a new trace. */
void fz_kcov_collect(struct fz_shared *sh, uint64_t *cover)
{
	uint64_t i, n = __atomic_load_n(&cover[0], __ATOMIC_RELAXED);

	if (n >= COVER_WORDS)
		n = COVER_WORDS - 1;
	for (i = 0; i < n; i++)
		add_pc(sh, cover[i + 1]);
	__atomic_store_n(&cover[0], 0, __ATOMIC_RELAXED);
}
