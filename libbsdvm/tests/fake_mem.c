// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A fake page source for the allocator's host tests: a reserved range of
 * Linux memory standing in for the arena.  Purged pages are filled with
 * garbage, which BSD MADV_FREE allows ("old data or zeros") and which a
 * calloc() must never return.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#define FAKE_SIZE (16UL << 30)

static uintptr_t base, top, end;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
unsigned long fake_purged, fake_maps, fake_unmaps, fake_extends;

bool bv_env_flag(const char *name, bool dflt)
{
	const char *v = getenv(name);

	return v && *v ? v[0] != '0' : dflt;
}

void bv_log(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (write(2, buf, n) < 0 || write(2, "\n", 1) < 0)
		return;
}

/* lib.c's fork handlers, for the allocator alone */
static void prefork(void)
{
	bv_malloc_prefork();
}

static void parent(void)
{
	bv_malloc_postfork(0);
}

static void child(void)
{
	bv_malloc_postfork(1);
}

__attribute__((constructor)) static void fake_ctor(void)
{
	pthread_atfork(prefork, parent, child);
}

int bv_mem_init(uintptr_t *b, size_t *s)
{
	void *p;

	p = (void *)syscall(SYS_mmap, NULL, FAKE_SIZE + (8UL << 20), PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	/* like a real arena: not 2 MiB aligned */
	base = (((uintptr_t)p + (4UL << 20) - 1) & ~((4UL << 20) - 1)) +
	       (1UL << 20) + 4096;
	top = base;
	end = base + FAKE_SIZE;
	*b = base;
	*s = FAKE_SIZE;
	return 0;
}

void *bv_mem_map(size_t len, size_t align)
{
	uintptr_t a;

	pthread_mutex_lock(&lock);
	a = (top + align - 1) & ~(align - 1);
	if (a + len > end) {
		pthread_mutex_unlock(&lock);
		return NULL;
	}
	top = a + len;
	fake_maps++;
	pthread_mutex_unlock(&lock);
	if (syscall(SYS_mprotect, a, len, PROT_READ | PROT_WRITE))
		return NULL;
	return (void *)a;
}

int bv_mem_extend(void *at, size_t len)
{
	int r = -1;

	pthread_mutex_lock(&lock);
	if ((uintptr_t)at == top && top + len <= end) {
		top += len;
		r = 0;
		fake_extends++;
	}
	pthread_mutex_unlock(&lock);
	if (!r)
		syscall(SYS_mprotect, at, len, PROT_READ | PROT_WRITE);
	return r;
}

void bv_mem_unmap(void *p, size_t len)
{
	/* contents gone, address not reused; touching it faults */
	syscall(SYS_mmap, p, len, PROT_NONE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	__atomic_fetch_add(&fake_unmaps, 1, __ATOMIC_RELAXED);
}

void bv_mem_purge(void *p, size_t len)
{
	memset(p, 0xa5, len);
	__atomic_fetch_add(&fake_purged, len, __ATOMIC_RELAXED);
}
