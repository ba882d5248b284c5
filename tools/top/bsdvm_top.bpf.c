// SPDX-License-Identifier: GPL-2.0
/*
 * bsdvm_top.bpf.c - count bsdvm:* events per process for `bsdvm top`.
 * Each tracepoint's context is the event's record as its format file
 * lays it out (trace.h): the 8-byte common header, then the fields.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include "bsdvm_top.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct top_stats);
} stats SEC(".maps");

struct fault_rec {
	__u64 common;
	unsigned long address;
	int write;
	int result;
	int source;
	int depth;
	__u64 ns;
};

static struct top_stats *get(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct top_stats *s = bpf_map_lookup_elem(&stats, &tgid);
	struct top_stats zero = {};

	if (s)
		return s;
	bpf_get_current_comm(zero.comm, sizeof(zero.comm));
	bpf_map_update_elem(&stats, &tgid, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&stats, &tgid);
}

static int count(int what, __u64 n)
{
	struct top_stats *s = get();

	if (s)
		__sync_fetch_and_add(&s->c[what], n);
	return 0;
}

SEC("tracepoint/bsdvm/bsdvm_fault")
int on_fault(struct fault_rec *r)
{
	count(TOP_FAULT_NS, r->ns);
	return count(TOP_FAULTS, 1);
}

SEC("tracepoint/bsdvm/bsdvm_zero_fill")
int on_zero_fill(void *r)
{
	return count(TOP_ZERO_FILLS, 1);
}

SEC("tracepoint/bsdvm/bsdvm_cow")
int on_cow(void *r)
{
	return count(TOP_COW, 1);
}

SEC("tracepoint/bsdvm/bsdvm_shadow")
int on_shadow(void *r)
{
	return count(TOP_SHADOWS, 1);
}

SEC("tracepoint/bsdvm/bsdvm_collapse")
int on_collapse(void *r)
{
	return count(TOP_COLLAPSES, 1);
}

SEC("tracepoint/bsdvm/bsdvm_bypass")
int on_bypass(void *r)
{
	return count(TOP_BYPASSES, 1);
}

SEC("tracepoint/bsdvm/bsdvm_fork")
int on_fork(void *r)
{
	return count(TOP_FORKS, 1);
}

SEC("tracepoint/bsdvm/bsdvm_map")
int on_map(void *r)
{
	return count(TOP_MAPS, 1);
}

char LICENSE[] SEC("license") = "GPL";
