/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmbench.h - what vmbench's parts share: the systems under test (struct
 * vm_sys, systems.c), the workloads (struct vm_load, loads.c and
 * loads_map.c) and the way a workload reports a number (record()).
 */
#ifndef _VMBENCH_H
#define _VMBENCH_H

#include <stddef.h>
#include <stdint.h>

#define PG		4096UL
#define MIB		(1UL << 20)

/*
 * Protections and advice in the benchmark's own terms: each system
 * translates them to its constants (PROT_* or BSD_PROT_*).
 */
enum { VB_R = 1, VB_RW = 3 };
enum { VB_DONTNEED, VB_FREE };

enum { SYS_LINUX, SYS_LINUX4K, SYS_BSDVM, NSYS };
#define SYS_ALL		((1 << SYS_LINUX) | (1 << SYS_LINUX4K) | \
			 (1 << SYS_BSDVM))
/*
 * Where transparent huge pages cannot apply (mappings under 2 MiB,
 * files on tmpfs, an untouched break), linux-4k would only repeat linux.
 */
#define SYS_NO4K	((1 << SYS_LINUX) | (1 << SYS_BSDVM))

/*
 * One system: the same calls, on Linux (libc) or on bsdvm (libbsdvm's
 * bsd_* calls).  Every call dies on an error: a benchmark that goes on
 * after a failed call measures nothing.
 */
struct vm_sys {
	const char *name;
	/* private anonymous, read-write */
	char *(*map)(size_t len);
	/* a file, MAP_SHARED, prot VB_R or VB_RW */
	char *(*map_file)(int fd, size_t len, int prot);
	void (*unmap)(char *p, size_t len);
	void (*protect)(char *p, size_t len, int prot);
	void (*advise)(char *p, size_t len, int advice);
	void (*mincore)(char *p, size_t len, unsigned char *vec);
	void (*msync)(char *p, size_t len);
	char *(*sbrk)(intptr_t incr);
	void (*brk)(char *addr);
};

extern const struct vm_sys vm_systems[NSYS];

/* Sizes, set by main() from the options (-q shrinks them all). */
struct vb_sizes {
	size_t big;		/* the 1 GiB regions: faults, mincore, madvise */
	size_t region;		/* COW, threads (per thread) */
	size_t chain;		/* COW through a shadow chain */
	size_t file;		/* the file of the read-fault workload */
	size_t brk;		/* brk growth */
	const int *fork_mib;	/* fork sweep, 0-terminated */
	const int *depths;	/* chain sweep, 0-terminated */
	const char *dir;	/* where the files go */
};

extern struct vb_sizes vb;

/*
 * A workload: run() does one measurement on one system and reports
 * each number it made with record().  Sweeps have params: run() is
 * called once per param, param[] is the value and label its name.
 */
#define VB_MAX_PARAMS	8

struct vm_load {
	const char *name;
	const char *what;		/* one line for -L */
	unsigned int systems;		/* mask of 1 << SYS_* */
	void (*run)(const struct vm_sys *s, long param);
	void (*setup)(void);		/* once, before the workers start */
	/* the sweep: a 0-terminated array, or NULL for one run */
	const int *const *params;
};

extern const struct vm_load vm_loads[];

/* loads_map.c: the workloads on mappings rather than on faults */
void mmap_pairs(const struct vm_sys *s, long kib);
void mmap_pairs_touched(const struct vm_sys *s, long kib);
void appel(const struct vm_sys *s, long param);
void file_setup(void);
void file_cleanup(void);
void file_read(const struct vm_sys *s, long param);
void file_msync(const struct vm_sys *s, long param);
void brk_grow(const struct vm_sys *s, long param);
extern const int *const mmap_params;
extern const int vm_nloads;

/* Report a number: workload, param ("" if none), unit, value. */
void record(const char *workload, const char *param, const char *unit,
	    double value);

double now_ns(void);
void die(const char *what);
void dief(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Write one byte to each page: a store only, so exactly one write fault
 * per page (a ++ would read first: a read fault, then a write fault).
 */
static inline void touch_write(char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += PG)
		*(volatile char *)(p + i) = 1;
}

/* Read one byte of each page. */
static inline void touch_read(const char *p, size_t len)
{
	size_t i;
	char sink = 0;

	for (i = 0; i < len; i += PG)
		sink += *(const volatile char *)(p + i);
	(void)sink;
}

#endif /* _VMBENCH_H */
