/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bsdvm:* tracepoints (Documentation/tracing.rst).
 *
 * Every field is a plain integer: bpftrace 0.17 builds args from the
 * events' format files and resolves field types in vmlinux BTF, so module
 * types (and even enums) would not be usable by name.  Object ids are
 * vm_object.id (0 = none).  The core raises its events through os.h's
 * os_trace_*() hooks, which os_linux.h maps onto these; the rest come
 * from the Linux side (faults, the ioctls, space life).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM bsdvm

#if !defined(_BSDVM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _BSDVM_TRACE_H

#include <linux/tracepoint.h>

/*
 * One fault, after vm_fault() returned.  write: 1 write, 0 read, 2 exec;
 * result: KERN_*; source: enum vm_fault_source (1 resident, 2 backing,
 * 3 zero page, 4 zero fill, 5 cow, 6 pager; 0 when it failed); depth:
 * shadow levels walked (0 = the first object); ns: time in vm_fault().
 */
TRACE_EVENT(bsdvm_fault,
	TP_PROTO(unsigned long address, int write, int result, int source,
		 int depth, u64 ns),
	TP_ARGS(address, write, result, source, depth, ns),
	TP_STRUCT__entry(
		__field(unsigned long, address)
		__field(int, write)
		__field(int, result)
		__field(int, source)
		__field(int, depth)
		__field(u64, ns)
	),
	TP_fast_assign(
		__entry->address = address;
		__entry->write = write;
		__entry->result = result;
		__entry->source = source;
		__entry->depth = depth;
		__entry->ns = ns;
	),
	TP_printk("address=0x%lx write=%d result=%d source=%d depth=%d ns=%llu",
		  __entry->address, __entry->write, __entry->result,
		  __entry->source, __entry->depth, __entry->ns)
);

/* A page copied (renamed=0) or moved (renamed=1) up to first from src. */
TRACE_EVENT(bsdvm_cow,
	TP_PROTO(u64 first, u64 src, u64 pindex, int depth, int renamed),
	TP_ARGS(first, src, pindex, depth, renamed),
	TP_STRUCT__entry(
		__field(u64, first)
		__field(u64, src)
		__field(u64, pindex)
		__field(int, depth)
		__field(int, renamed)
	),
	TP_fast_assign(
		__entry->first = first;
		__entry->src = src;
		__entry->pindex = pindex;
		__entry->depth = depth;
		__entry->renamed = renamed;
	),
	TP_printk("first=%llu src=%llu pindex=%llu depth=%d renamed=%d",
		  __entry->first, __entry->src, __entry->pindex,
		  __entry->depth, __entry->renamed)
);

TRACE_EVENT(bsdvm_zero_fill,
	TP_PROTO(u64 object, u64 pindex),
	TP_ARGS(object, pindex),
	TP_STRUCT__entry(
		__field(u64, object)
		__field(u64, pindex)
	),
	TP_fast_assign(
		__entry->object = object;
		__entry->pindex = pindex;
	),
	TP_printk("object=%llu pindex=%llu", __entry->object, __entry->pindex)
);

/* Pager I/O: result is KERN_* (page-in) or an errno (page-out). */
DECLARE_EVENT_CLASS(bsdvm_pager_io,
	TP_PROTO(u64 object, u64 pindex, int result),
	TP_ARGS(object, pindex, result),
	TP_STRUCT__entry(
		__field(u64, object)
		__field(u64, pindex)
		__field(int, result)
	),
	TP_fast_assign(
		__entry->object = object;
		__entry->pindex = pindex;
		__entry->result = result;
	),
	TP_printk("object=%llu pindex=%llu result=%d", __entry->object,
		  __entry->pindex, __entry->result)
);
DEFINE_EVENT(bsdvm_pager_io, bsdvm_pagein,
	TP_PROTO(u64 object, u64 pindex, int result),
	TP_ARGS(object, pindex, result));
DEFINE_EVENT(bsdvm_pager_io, bsdvm_pageout,
	TP_PROTO(u64 object, u64 pindex, int result),
	TP_ARGS(object, pindex, result));

/* New shadow object of backing at byte offset; depth: its chain's. */
TRACE_EVENT(bsdvm_shadow,
	TP_PROTO(u64 object, u64 backing, u64 offset, int depth),
	TP_ARGS(object, backing, offset, depth),
	TP_STRUCT__entry(
		__field(u64, object)
		__field(u64, backing)
		__field(u64, offset)
		__field(int, depth)
	),
	TP_fast_assign(
		__entry->object = object;
		__entry->backing = backing;
		__entry->offset = offset;
		__entry->depth = depth;
	),
	TP_printk("object=%llu backing=%llu offset=0x%llx depth=%d",
		  __entry->object, __entry->backing, __entry->offset,
		  __entry->depth)
);

/* object now looks past backing to new_backing (0: the chain ends). */
DECLARE_EVENT_CLASS(bsdvm_chain_change,
	TP_PROTO(u64 object, u64 backing, u64 new_backing),
	TP_ARGS(object, backing, new_backing),
	TP_STRUCT__entry(
		__field(u64, object)
		__field(u64, backing)
		__field(u64, new_backing)
	),
	TP_fast_assign(
		__entry->object = object;
		__entry->backing = backing;
		__entry->new_backing = new_backing;
	),
	TP_printk("object=%llu backing=%llu new_backing=%llu",
		  __entry->object, __entry->backing, __entry->new_backing)
);
DEFINE_EVENT(bsdvm_chain_change, bsdvm_collapse,
	TP_PROTO(u64 object, u64 backing, u64 new_backing),
	TP_ARGS(object, backing, new_backing));
DEFINE_EVENT(bsdvm_chain_change, bsdvm_bypass,
	TP_PROTO(u64 object, u64 backing, u64 new_backing),
	TP_ARGS(object, backing, new_backing));

/* vmspace_fork: the parent's entries, by inheritance. */
TRACE_EVENT(bsdvm_fork,
	TP_PROTO(int entries, int share, int copy, int zero, int none),
	TP_ARGS(entries, share, copy, zero, none),
	TP_STRUCT__entry(
		__field(int, entries)
		__field(int, share)
		__field(int, copy)
		__field(int, zero)
		__field(int, none)
	),
	TP_fast_assign(
		__entry->entries = entries;
		__entry->share = share;
		__entry->copy = copy;
		__entry->zero = zero;
		__entry->none = none;
	),
	TP_printk("entries=%d share=%d copy=%d zero=%d none=%d",
		  __entry->entries, __entry->share, __entry->copy,
		  __entry->zero, __entry->none)
);

/* BSD mmap: addr is the result (0 on error); fd -1 for anonymous. */
TRACE_EVENT(bsdvm_map,
	TP_PROTO(u64 addr, u64 len, int prot, int flags, int fd, u64 offset,
		 int error),
	TP_ARGS(addr, len, prot, flags, fd, offset, error),
	TP_STRUCT__entry(
		__field(u64, addr)
		__field(u64, len)
		__field(int, prot)
		__field(int, flags)
		__field(int, fd)
		__field(u64, offset)
		__field(int, error)
	),
	TP_fast_assign(
		__entry->addr = addr;
		__entry->len = len;
		__entry->prot = prot;
		__entry->flags = flags;
		__entry->fd = fd;
		__entry->offset = offset;
		__entry->error = error;
	),
	TP_printk("addr=0x%llx len=0x%llx prot=0x%x flags=0x%x fd=%d offset=0x%llx error=%d",
		  __entry->addr, __entry->len, __entry->prot, __entry->flags,
		  __entry->fd, __entry->offset, __entry->error)
);

/* munmap/mprotect/minherit/madvise: arg is the prot/inherit/advice. */
DECLARE_EVENT_CLASS(bsdvm_range_op,
	TP_PROTO(u64 addr, u64 len, int arg, int error),
	TP_ARGS(addr, len, arg, error),
	TP_STRUCT__entry(
		__field(u64, addr)
		__field(u64, len)
		__field(int, arg)
		__field(int, error)
	),
	TP_fast_assign(
		__entry->addr = addr;
		__entry->len = len;
		__entry->arg = arg;
		__entry->error = error;
	),
	TP_printk("addr=0x%llx len=0x%llx arg=%d error=%d", __entry->addr,
		  __entry->len, __entry->arg, __entry->error)
);
DEFINE_EVENT(bsdvm_range_op, bsdvm_unmap,
	TP_PROTO(u64 addr, u64 len, int arg, int error),
	TP_ARGS(addr, len, arg, error));
DEFINE_EVENT(bsdvm_range_op, bsdvm_protect,
	TP_PROTO(u64 addr, u64 len, int arg, int error),
	TP_ARGS(addr, len, arg, error));
DEFINE_EVENT(bsdvm_range_op, bsdvm_inherit,
	TP_PROTO(u64 addr, u64 len, int arg, int error),
	TP_ARGS(addr, len, arg, error));
DEFINE_EVENT(bsdvm_range_op, bsdvm_advise,
	TP_PROTO(u64 addr, u64 len, int arg, int error),
	TP_ARGS(addr, len, arg, error));

/*
 * A space was made (arena mmap: parent 0; fork: the parent's pid) or
 * ended.  pid is the process's tgid where known (0: not yet known).
 */
TRACE_EVENT(bsdvm_space_create,
	TP_PROTO(int pid, int parent, u64 start, u64 end),
	TP_ARGS(pid, parent, start, end),
	TP_STRUCT__entry(
		__field(int, pid)
		__field(int, parent)
		__field(u64, start)
		__field(u64, end)
	),
	TP_fast_assign(
		__entry->pid = pid;
		__entry->parent = parent;
		__entry->start = start;
		__entry->end = end;
	),
	TP_printk("pid=%d parent=%d start=0x%llx end=0x%llx", __entry->pid,
		  __entry->parent, __entry->start, __entry->end)
);

TRACE_EVENT(bsdvm_space_destroy,
	TP_PROTO(int pid),
	TP_ARGS(pid),
	TP_STRUCT__entry(
		__field(int, pid)
	),
	TP_fast_assign(
		__entry->pid = pid;
	),
	TP_printk("pid=%d", __entry->pid)
);

#endif /* _BSDVM_TRACE_H */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
