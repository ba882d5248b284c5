/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm_dump.h - a space as text: its entries (like FreeBSD's procstat -v)
 * and every object reachable from them.  The format is stable and
 * documented in Documentation/tracing.rst; the kernel host shows it in
 * debugfs (bsdvm/spaces/<pid>), the unit tests check it in userspace.
 */
#ifndef _BSDVM_VM_DUMP_H
#define _BSDVM_VM_DUMP_H

#include "vm.h"

/*
 * Where the text goes.  printf is called with the map lock held shared
 * and object locks held: it must not sleep on memory or fault on user
 * memory (seq_printf into a seq_file buffer is fine).  object_extra, if
 * set, may append " key value" text to an object's line (a vnode's path:
 * the rest of the line).
 */
struct vm_dump_sink {
	void (*printf)(void *ctx, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));
	void (*object_extra)(void *ctx, struct vm_object *obj);
	void *ctx;
};

/* Print vs; 0 or ENOMEM (nothing printed). Takes the locks itself. */
int vm_dump_space(struct vm_space *vs, const struct vm_dump_sink *sink);

/* Chains deeper than this are walked for depth but not for residency. */
#define VM_DUMP_MAX_DEPTH	32

#endif /* _BSDVM_VM_DUMP_H */
