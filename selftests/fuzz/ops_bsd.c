// SPDX-License-Identifier: GPL-2.0
/*
 * The device's own calls with random arguments: every ioctl, sizes right
 * and wrong, argument structs that live in the arena itself (the ioctl's
 * copy_from_user then faults on bsdvm), and unknown numbers.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/bsdvm.h>
#include "fuzz.h"

#define ARG_ROOM	(BSDVM_STRUCT_SIZE_MAX + 64)

/* Room for any size a struct may claim; the tail is zero or junk. */
union fz_argbuf {
	struct bsdvm_map_args map;
	struct bsdvm_range_args range;
	struct bsdvm_mincore_args mincore;
	struct bsdvm_brk_args brk;
	struct bsdvm_stats stats;
	struct bsdvm_msync_args msync;
	struct bsdvm_version version;
	unsigned char raw[ARG_ROOM];
};

static void argbuf_init(struct fz_thread *t, union fz_argbuf *b)
{
	memset(b, 0, sizeof(*b));
	if (fz_chance(&t->rng, 8))
		b->raw[sizeof(struct bsdvm_stats) + fz_below(&t->rng, 64)] = 1;
}

/* Where the struct is passed from: normally b, sometimes bad memory. */
static void *arg_ptr(struct fz_thread *t, union fz_argbuf *b, size_t len)
{
	char *in_arena;

	switch (fz_below(&t->rng, 32)) {
	case 0:
		return NULL;
	case 1:
		return (void *)0xffff888000000000ULL;
	case 2:		/* the struct itself in the arena: copy faults there */
		in_arena = (char *)(uintptr_t)fz_addr(t);
		if (!fz_probe(in_arena, true) ||
		    !fz_probe(in_arena + len - 1, true))
			return in_arena;
		memcpy(in_arena, b, len);
		return in_arena;
	default:
		return b;
	}
}

static long dev_ioctl(struct fz_thread *t, unsigned long cmd,
		      union fz_argbuf *b, size_t len)
{
	void *p = arg_ptr(t, b, len);
	int dev = t->arena->dev;

	if (fz_chance(&t->rng, 64))
		dev = (int)fz_below(&t->rng, 32);
	return ioctl(dev, cmd, p) < 0 ? -errno : 0;
}

static long op_map(struct fz_thread *t, uint64_t a[3])
{
	union fz_argbuf b;
	static const int flag_bits[] = {
		BSD_MAP_SHARED, BSD_MAP_PRIVATE, BSD_MAP_FIXED, BSD_MAP_ANON,
		BSD_MAP_STACK, BSD_MAP_NOCORE, BSD_MAP_EXCL, BSD_MAP_NOSYNC,
		BSD_MAP_GUARD, BSD_MAP_PREFAULT_READ, BSD_MAP_ALIGNED_SUPER,
	};
	unsigned int i;

	argbuf_init(t, &b);
	for (i = 0; i < ARRAY_SIZE(flag_bits); i++)
		if (fz_chance(&t->rng, 3))
			b.map.flags |= flag_bits[i];
	if (fz_chance(&t->rng, 32))
		b.map.flags = (uint32_t)fz_next(&t->rng);
	b.map.size = fz_size_field(t, sizeof(b.map));
	b.map.prot = fz_prot(t);
	b.map.fd = b.map.flags & BSD_MAP_ANON ? -1 : fz_file(t);
	b.map.addr = a[0] = fz_addr(t);
	b.map.len = a[1] = fz_len(t);
	if (b.map.len > 64 * FZ_PG && !fz_chance(&t->rng, 8))
		b.map.len = a[1] = FZ_PG * (1 + fz_below(&t->rng, 64));
	b.map.offset = fz_chance(&t->rng, 8) ? fz_next(&t->rng) :
		       FZ_PG * fz_below(&t->rng, 8);
	a[2] = ((uint64_t)b.map.flags << 32) | (uint32_t)b.map.fd;
	return dev_ioctl(t, BSDVM_IOC_MAP, &b, sizeof(b.map));
}

/* UNMAP, PROTECT, INHERIT, ADVISE: one range, one argument. */
static long range_op(struct fz_thread *t, uint64_t a[3], unsigned long cmd,
		     int arg)
{
	union fz_argbuf b;

	argbuf_init(t, &b);
	b.range.size = fz_size_field(t, sizeof(b.range));
	b.range.arg = fz_chance(&t->rng, 16) ? (int)fz_next(&t->rng) : arg;
	b.range.addr = a[0] = fz_addr(t);
	b.range.len = a[1] = fz_len(t);
	a[2] = (uint32_t)b.range.arg;
	return dev_ioctl(t, cmd, &b, sizeof(b.range));
}

static long op_unmap(struct fz_thread *t, uint64_t a[3])
{
	return range_op(t, a, BSDVM_IOC_UNMAP, 0);
}

static long op_protect(struct fz_thread *t, uint64_t a[3])
{
	return range_op(t, a, BSDVM_IOC_PROTECT, fz_prot(t) & 7);
}

static long op_inherit(struct fz_thread *t, uint64_t a[3])
{
	return range_op(t, a, BSDVM_IOC_INHERIT, (int)fz_below(&t->rng, 4));
}

static long op_advise(struct fz_thread *t, uint64_t a[3])
{
	return range_op(t, a, BSDVM_IOC_ADVISE, (int)fz_below(&t->rng, 12));
}

static long op_mincore(struct fz_thread *t, uint64_t a[3])
{
	unsigned char vec[64];
	union fz_argbuf b;

	argbuf_init(t, &b);
	b.mincore.size = fz_size_field(t, sizeof(b.mincore));
	b.mincore.flags = fz_chance(&t->rng, 16);
	b.mincore.addr = a[0] = fz_addr(t);
	b.mincore.len = a[1] = fz_chance(&t->rng, 4) ? fz_len(t) :
			       FZ_PG * fz_below(&t->rng, 64);
	/* the vector: on the stack, in the arena (faults), or bad */
	b.mincore.vec = fz_chance(&t->rng, 3) ? fz_addr(t) :
			fz_chance(&t->rng, 16) ? 0 : (uintptr_t)vec;
	if (b.mincore.vec == (uintptr_t)vec && b.mincore.len > 64 * FZ_PG)
		b.mincore.len = 64 * FZ_PG;
	a[2] = b.mincore.vec;
	return dev_ioctl(t, BSDVM_IOC_MINCORE, &b, sizeof(b.mincore));
}

static long op_brk(struct fz_thread *t, uint64_t a[3])
{
	union fz_argbuf b;

	argbuf_init(t, &b);
	b.brk.size = fz_size_field(t, sizeof(b.brk));
	b.brk.flags = fz_chance(&t->rng, 16);
	b.brk.addr = a[0] = fz_chance(&t->rng, 4) ? 0 : fz_addr(t);
	return dev_ioctl(t, BSDVM_IOC_BRK, &b, sizeof(b.brk));
}

static long op_stats(struct fz_thread *t, uint64_t a[3])
{
	union fz_argbuf b;

	argbuf_init(t, &b);
	b.stats.size = a[0] = fz_size_field(t, sizeof(b.stats));
	b.stats.flags = a[1] = fz_below(&t->rng, 3);
	return dev_ioctl(t, BSDVM_IOC_STATS, &b, sizeof(b.stats));
}

static long op_msync(struct fz_thread *t, uint64_t a[3])
{
	union fz_argbuf b;

	argbuf_init(t, &b);
	b.msync.size = fz_size_field(t, sizeof(b.msync));
	b.msync.flags = a[2] = fz_below(&t->rng, 8);
	b.msync.addr = a[0] = fz_addr(t);
	b.msync.len = a[1] = fz_chance(&t->rng, 4) ? 0 : fz_len(t);
	return dev_ioctl(t, BSDVM_IOC_MSYNC, &b, sizeof(b.msync));
}

/* VERSION, and numbers the device does not know: ENOTTY, nothing else. */
static long op_other_ioctl(struct fz_thread *t, uint64_t a[3])
{
	union fz_argbuf b;
	unsigned long cmd;

	argbuf_init(t, &b);
	b.version.size = fz_size_field(t, sizeof(b.version));
	b.version.flags = fz_chance(&t->rng, 8);
	cmd = BSDVM_IOC_VERSION;
	if (fz_chance(&t->rng, 2))
		cmd = _IOC(fz_below(&t->rng, 4), BSDVM_IOC_MAGIC,
			   BSDVM_IOC_BASE + fz_below(&t->rng, 16),
			   fz_below(&t->rng, 512));
	if (fz_chance(&t->rng, 8))
		cmd = (uint32_t)fz_next(&t->rng);
	a[0] = cmd;
	return dev_ioctl(t, cmd, &b, sizeof(b.version));
}

const struct fz_op fz_bsd_ops[] = {
	{ "bsd_map",		op_map,		12 },
	{ "bsd_unmap",		op_unmap,	6 },
	{ "bsd_protect",	op_protect,	6 },
	{ "bsd_inherit",	op_inherit,	4 },
	{ "bsd_advise",		op_advise,	5 },
	{ "bsd_mincore",	op_mincore,	3 },
	{ "bsd_brk",		op_brk,		3 },
	{ "bsd_stats",		op_stats,	2 },
	{ "bsd_msync",		op_msync,	4 },
	{ "bsd_other_ioctl",	op_other_ioctl,	2 },
};
const unsigned int fz_nr_bsd_ops = ARRAY_SIZE(fz_bsd_ops);
