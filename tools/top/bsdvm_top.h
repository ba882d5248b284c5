/* SPDX-License-Identifier: GPL-2.0 */
/* bsdvm top: what the BPF side counts per process (tgid). */
#ifndef _BSDVM_TOP_H
#define _BSDVM_TOP_H

enum top_counter {
	TOP_FAULTS,
	TOP_FAULT_NS,
	TOP_ZERO_FILLS,
	TOP_COW,
	TOP_SHADOWS,
	TOP_COLLAPSES,
	TOP_BYPASSES,
	TOP_FORKS,
	TOP_MAPS,
	TOP_NR
};

struct top_stats {
	unsigned long long c[TOP_NR];
	char comm[16];
};

#endif
