/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * BSD memory-management constants, with FreeBSD's values (sys/sys/mman.h).
 *
 * This header includes nothing, so the same definitions serve the ioctl ABI
 * (<linux/bsdvm.h>), the machine-independent core (module/vm/) and
 * libbsdvm's <bsdvm.h>.  Every name carries a BSD_ prefix so it can sit next
 * to glibc's <sys/mman.h>, whose values differ (see
 * Documentation/semantics.rst).
 */
#ifndef _UAPI_LINUX_BSDVM_MMAN_H
#define _UAPI_LINUX_BSDVM_MMAN_H

/* Protections (mmap, mprotect); BSD_PROT_MAX(p) sets the maximum. */
#define BSD_PROT_NONE		0x00
#define BSD_PROT_READ		0x01
#define BSD_PROT_WRITE		0x02
#define BSD_PROT_EXEC		0x04
#define BSD_PROT_ALL		(BSD_PROT_READ | BSD_PROT_WRITE | BSD_PROT_EXEC)
#define BSD_PROT_MAX_SHIFT	16
#define BSD_PROT_MAX(p)		((p) << BSD_PROT_MAX_SHIFT)
#define BSD_PROT_EXTRACT(p)	((p) & BSD_PROT_ALL)
#define BSD_PROT_MAX_EXTRACT(p)	(((p) >> BSD_PROT_MAX_SHIFT) & BSD_PROT_ALL)

/* mmap flags */
#define BSD_MAP_SHARED		0x0001
#define BSD_MAP_PRIVATE		0x0002
#define BSD_MAP_FIXED		0x0010
#define BSD_MAP_STACK		0x0400
#define BSD_MAP_NOSYNC		0x0800
#define BSD_MAP_ANON		0x1000
#define BSD_MAP_GUARD		0x2000
#define BSD_MAP_EXCL		0x4000
#define BSD_MAP_NOCORE		0x00020000
#define BSD_MAP_PREFAULT_READ	0x00040000
#define BSD_MAP_ALIGNMENT_SHIFT	24
#define BSD_MAP_ALIGNMENT_MASK	(0xffU << BSD_MAP_ALIGNMENT_SHIFT)
#define BSD_MAP_ALIGNED(n)	((unsigned int)(n) << BSD_MAP_ALIGNMENT_SHIFT)
#define BSD_MAP_ALIGNED_SUPER	BSD_MAP_ALIGNED(1)	/* 2 MiB on amd64 */

/* msync flags: note BSD_MS_SYNC is 0 */
#define BSD_MS_SYNC		0x0000
#define BSD_MS_ASYNC		0x0001
#define BSD_MS_INVALIDATE	0x0002

/* madvise advice */
#define BSD_MADV_NORMAL		0
#define BSD_MADV_RANDOM		1
#define BSD_MADV_SEQUENTIAL	2
#define BSD_MADV_WILLNEED	3
#define BSD_MADV_DONTNEED	4
#define BSD_MADV_FREE		5
#define BSD_MADV_NOSYNC		6
#define BSD_MADV_AUTOSYNC	7
#define BSD_MADV_NOCORE		8
#define BSD_MADV_CORE		9
#define BSD_MADV_PROTECT	10

/* minherit values */
#define BSD_INHERIT_SHARE	0
#define BSD_INHERIT_COPY	1
#define BSD_INHERIT_NONE	2
#define BSD_INHERIT_ZERO	3

/* mincore result bits */
#define BSD_MINCORE_INCORE		0x01
#define BSD_MINCORE_REFERENCED		0x02
#define BSD_MINCORE_MODIFIED		0x04
#define BSD_MINCORE_REFERENCED_OTHER	0x08
#define BSD_MINCORE_MODIFIED_OTHER	0x10

#endif /* _UAPI_LINUX_BSDVM_MMAN_H */
