// SPDX-License-Identifier: GPL-2.0
/*
 * test_core_pager.c - the core's pager path (vm_pager.h) with fake
 * pagers: page-in with every lock dropped and KERN_RETRY, read-around per
 * advice, the busy page, faults past the object's end
 * (SIGBUS/BUS_OBJERR), private copy-on-write over a pager object, shared
 * writes in place, dirty tracking, msync and write-back, truncation, the
 * host's last-reference hook and the object's release.  The Linux vnode
 * pager (module/linux/vnode_pager.c) plugs into exactly this path.
 */
#include <stdlib.h>
#include <string.h>
#include "testlib.h"
#include "vm_pager.h"

#define PS OS_PAGE_SIZE
#define RW (BSD_PROT_READ | BSD_PROT_WRITE)

static int getpages, deallocs;
static bool fail_io;
static void *getpages_cred;	/* what the last getpages read with */
static bool getpages_cred_unheld;	/* ...and nobody held it for it */

/* Page i of the "file" holds byte 0x40 + i everywhere. */
static int fake_getpages(struct vm_object *obj, vm_pindex_t pindex,
			 vm_page_t *pages, int count, int reqidx, int *filled,
			 void *cred, void *ctx)
{
	int i;

	(void)obj;
	(void)ctx;
	getpages++;
	getpages_cred = cred;
	/* held while it reads: the entry may go meanwhile */
	if (cred && *(int *)cred < 2)
		getpages_cred_unheld = true;
	*filled = 0;
	if (fail_io)
		return KERN_FAILURE;
	for (i = 0; i < count; i++)
		memset(os_user_page_data(pages[i]), 0x40 + (int)(pindex + i),
		       OS_PAGE_SIZE);
	*filled = count;
	(void)reqidx;
	return KERN_SUCCESS;
}

static void fake_dealloc(struct vm_object *obj)
{
	(void)obj;
	deallocs++;
}

static const struct vm_pager_ops fake_ops = {
	.name = "fake",
	.getpages = fake_getpages,
	.dealloc = fake_dealloc,
};

static vm_offset_t map_file_cred(struct tproc *p, struct vm_object *obj,
				 vm_size_t len, int prot, int flags, int *cred,
				 int *err)
{
	struct vm_mmap_req req = {
		.len = len, .prot = prot, .flags = flags, .object = obj,
		.maxprot_limit = BSD_PROT_ALL, .cred = cred,
	};
	vm_offset_t a = 0;

	*err = vm_mmap(p->vs, &req, &a);
	return a;
}

static vm_offset_t map_file(struct tproc *p, struct vm_object *obj,
			    vm_size_t len, int prot, int flags, int *err)
{
	return map_file_cred(p, obj, len, prot, flags, NULL, err);
}

/*
 * Each mapping is served with the rights it was made with (issue 14,
 * defect 6): its entries hold them through clipping and fork, a fault
 * reads with its own entry's, and nothing is left held at the end.
 */
TEST(pager_entries_read_with_their_own_cred)
{
	struct tproc *p = tp_new(), *q = tp_new(), *c;
	int cred_p = 1, cred_q = 1;	/* the mappers' own references */
	struct vm_object *obj;
	vm_offset_t a, b;
	int err;

	getpages = deallocs = 0;
	fail_io = getpages_cred_unheld = false;
	obj = vm_pager_allocate(OBJT_VNODE, &fake_ops, NULL, 4);
	CHECK(obj);
	vm_object_reference(obj);
	a = map_file_cred(p, obj, 4 * PS, RW, BSD_MAP_SHARED, &cred_p, &err);
	CHECK_EQ(err, 0);
	b = map_file_cred(q, obj, 4 * PS, BSD_PROT_READ, BSD_MAP_PRIVATE,
			  &cred_q, &err);
	CHECK_EQ(err, 0);
	CHECK_EQ(cred_p, 2);
	CHECK_EQ(cred_q, 2);
	/* one page per read, so that each fault below reads */
	CHECK_EQ(vm_madvise(p->vs, a, 4 * PS, BSD_MADV_RANDOM), 0);
	CHECK_EQ(vm_madvise(q->vs, b, 4 * PS, BSD_MADV_RANDOM), 0);
	CHECK_EQ(tp_get(q, b + 3 * PS), 0x43);
	CHECK(getpages_cred == &cred_q);
	CHECK_EQ(tp_get(p, a), 0x40);
	CHECK(getpages_cred == &cred_p);
	/* clipped in three: three entries, three references */
	CHECK_EQ(vm_mprotect(p->vs, a + PS, PS, BSD_PROT_READ), 0);
	CHECK_EQ(cred_p, 4);
	/* a copy and a share inherit it, a ZERO entry has no file */
	CHECK_EQ(vm_minherit(p->vs, a, PS, BSD_INHERIT_ZERO), 0);
	CHECK_EQ(vm_minherit(p->vs, a + 2 * PS, 2 * PS,
			     BSD_INHERIT_COPY), 0);
	c = tp_fork(p);
	CHECK(c);
	CHECK_EQ(cred_p, 6);	/* the child's PS and 2 PS entries */
	CHECK_EQ(tp_get(c, a + 2 * PS), 0x42);
	CHECK(getpages_cred == &cred_p);
	CHECK_EQ(tp_get(c, a), 0);	/* ZERO: zero-filled, no read */
	tp_exit(c);
	CHECK(!getpages_cred_unheld);
	CHECK_EQ(cred_p, 4);
	CHECK_EQ(vm_munmap(p->vs, a, 4 * PS), 0);
	CHECK_EQ(cred_p, 1);
	tp_exit(q);
	CHECK_EQ(cred_q, 1);
	tp_exit(p);
	CHECK_EQ(deallocs, 1);
	CHECK_EQ(live_pages(), 0);
}

TEST(pager_pages_in_shares_and_releases)
{
	struct tproc *p = tp_new(), *q = tp_new();
	struct vm_object *obj;
	vm_offset_t a, b;
	int err;

	getpages = deallocs = 0;
	fail_io = false;
	obj = vm_pager_allocate(OBJT_VNODE, &fake_ops, NULL, 3);
	CHECK(obj);
	a = map_file(p, obj, 4 * PS, RW, BSD_MAP_SHARED, &err);
	CHECK_EQ(err, 0);
	/* a second mapper of the same object, as a second process would */
	vm_object_reference(obj);
	b = map_file(q, obj, 3 * PS, RW, BSD_MAP_SHARED, &err);
	CHECK_EQ(err, 0);
	CHECK_EQ(tp_get(p, a + PS), 0x41);
	CHECK_EQ(getpages, 1);
	CHECK_EQ(tp_get(q, b + PS), 0x41);	/* resident: no new read */
	CHECK_EQ(getpages, 1);
	/* shared writes land in the object's page, seen by both */
	CHECK_EQ(tp_wr(q, b + 2 * PS + 5, 0x99), 0);
	CHECK_EQ(tp_get(p, a + 2 * PS + 5), 0x99);
	/* past the object's end: SIGBUS, BUS_OBJERR */
	CHECK_EQ(tp_code(p, a + 3 * PS, false),
		 CPU_SIGBUS * 100 + CPU_BUS_OBJERR);
	CHECK_EQ(vm_object_check_all(), 0);
	tp_exit(p);
	CHECK_EQ(deallocs, 0);
	tp_exit(q);
	CHECK_EQ(deallocs, 1);
	CHECK_EQ(live_pages(), 0);
}

TEST(pager_private_mapping_copies_on_write)
{
	struct tproc *p = tp_new();
	struct vm_object *obj;
	vm_offset_t a, s;
	int err;

	getpages = deallocs = 0;
	fail_io = false;
	obj = vm_pager_allocate(OBJT_VNODE, &fake_ops, NULL, 2);
	CHECK(obj);
	vm_object_reference(obj);	/* the "vnode" keeps one too */
	vm_object_reference(obj);	/* for the shared mapping below */
	a = map_file(p, obj, 2 * PS, RW, BSD_MAP_PRIVATE, &err);
	CHECK_EQ(err, 0);
	s = map_file(p, obj, 2 * PS, BSD_PROT_READ, BSD_MAP_SHARED, &err);
	CHECK_EQ(err, 0);
	CHECK_EQ(tp_get(p, a), 0x40);
	CHECK_EQ(tp_wr(p, a, 7), 0);		/* into a shadow */
	CHECK_EQ(tp_get(p, a), 7);
	CHECK_EQ(tp_get(p, s), 0x40);		/* the "file" is untouched */
	CHECK_EQ(tp_get(p, a + PS + 1), 0x41);
	CHECK_EQ(vm_object_check_all(), 0);
	tp_exit(p);
	CHECK_EQ(deallocs, 0);
	vm_object_deallocate(obj);	/* the "vnode" lets go */
	CHECK_EQ(deallocs, 1);
}

TEST(pager_io_error_is_sigbus_and_leaves_nothing)
{
	struct tproc *p = tp_new();
	struct vm_object *obj;
	vm_offset_t a;
	int err;

	getpages = deallocs = 0;
	fail_io = true;
	obj = vm_pager_allocate(OBJT_VNODE, &fake_ops, NULL, 1);
	CHECK(obj);
	a = map_file(p, obj, PS, BSD_PROT_READ, BSD_MAP_SHARED, &err);
	CHECK_EQ(err, 0);
	CHECK_EQ(tp_code(p, a, false) / 100, CPU_SIGBUS);
	CHECK_EQ(live_pages(), 0);
	fail_io = false;
	CHECK_EQ(tp_get(p, a), 0x40);
	tp_exit(p);
	CHECK_EQ(deallocs, 1);
}

TEST(pager_mmap_needs_a_sharing_flag_and_fd_rights)
{
	struct tproc *p = tp_new();
	struct vm_object *obj = vm_pager_allocate(OBJT_VNODE, &fake_ops,
						  NULL, 1);
	struct vm_mmap_req req = {
		.len = PS, .prot = RW, .flags = 0, .object = obj,
		.maxprot_limit = BSD_PROT_READ,
	};
	vm_offset_t a;

	CHECK(obj);
	CHECK_EQ(vm_mmap(p->vs, &req, &a), EINVAL);
	req.flags = BSD_MAP_SHARED;
	CHECK_EQ(vm_mmap(p->vs, &req, &a), EACCES);
	req.flags = BSD_MAP_ANON | BSD_MAP_SHARED;
	CHECK_EQ(vm_mmap(p->vs, &req, &a), EINVAL);
	vm_object_deallocate(obj);
	tp_exit(p);
}

/*
 * A fake vnode: a byte array with a size, a table reference like the
 * Linux host's (the object lives while the "vnode" holds it), and a
 * last-reference hook that records the call.
 */
struct fvn {
	uint8_t *data;
	vm_size_t size;			/* bytes */
	struct vm_object *obj;
	int pages_read, pages_written, put_calls, syncs, lastrefs;
	bool fail_write;
	/*
	 * lend: getpages lends the pages of cache (the host's file cache,
	 * made on first use, one reference kept here) instead of filling
	 * the placeholders; putpages and fvn_write keep cache current.
	 */
	bool lend;
	vm_page_t *cache;
	vm_size_t ncache;
	int lent_fast;		/* pages lendpages lent */
	/* page_named calls, and the pindex each own page was named for */
	int named;
	vm_page_t named_page[8];
};

/* The byte at off changes in the file and its cache: write(2). */
static void fvn_write(struct fvn *v, vm_size_t off, uint8_t b)
{
	v->data[off] = b;
	if (off / PS < v->ncache && v->cache[off / PS])
		os_user_page_data(v->cache[off / PS])[off % PS] = b;
}

/* The cache page of pindex, filled from the file (NULL: no memory). */
static vm_page_t fvn_cache_page(struct fvn *v, vm_pindex_t pindex)
{
	vm_size_t pos = (vm_size_t)pindex * PS, n;
	vm_page_t pg = v->cache[pindex];

	if (pg)
		return pg;
	pg = os_page_alloc(false);
	if (!pg)
		return NULL;
	n = v->size - pos < PS ? v->size - pos : PS;
	memcpy(os_user_page_data(pg), v->data + pos, n);
	memset(os_user_page_data(pg) + n, 0, PS - n);
	os_page_flags_set(pg, VM_PG_LENT);
	v->cache[pindex] = pg;
	return pg;
}

static int fvn_getpages(struct vm_object *obj, vm_pindex_t pindex,
			vm_page_t *pages, int count, int reqidx, int *filled,
			void *cred, void *ctx)
{
	struct fvn *v = obj->handle;
	int i;

	(void)ctx;
	(void)cred;
	for (i = 0; i < count; i++) {
		vm_size_t pos = (vm_size_t)(pindex + i) * PS, n;
		uint8_t *d = os_user_page_data(pages[i]);

		if (pos >= v->size)
			break;
		if (v->lend && pindex + i < v->ncache &&
		    fvn_cache_page(v, pindex + i)) {
			pages[i] = v->cache[pindex + i];
			os_page_hold(pages[i]);		/* the core's */
			v->pages_read++;
			continue;
		}
		n = v->size - pos < PS ? v->size - pos : PS;
		memcpy(d, v->data + pos, n);
		memset(d + n, 0, PS - n);
		v->pages_read++;
	}
	*filled = i;
	return reqidx < i ? KERN_SUCCESS : KERN_OUT_OF_BOUNDS;
}

/* Lend what the cache holds already, reading nothing (vm_pager.h). */
static int fvn_lendpages(struct vm_object *obj, vm_pindex_t pindex,
			 vm_page_t *pages, int count, int reqidx)
{
	struct fvn *v = obj->handle;
	int n;

	if (!v->lend)
		return 0;
	for (n = 0; n < count; n++) {
		vm_pindex_t i = pindex + n;

		if (i >= v->ncache || (vm_size_t)i * PS >= v->size ||
		    !v->cache[i])
			break;
		pages[n] = v->cache[i];
	}
	if (n <= reqidx)
		return 0;
	for (count = 0; count < n; count++)
		os_page_hold(pages[count]);	/* the core's */
	v->lent_fast += n;
	return n;
}

static int fvn_putpages(struct vm_object *obj, vm_pindex_t pindex,
			vm_page_t *pages, int count, int flags)
{
	struct fvn *v = obj->handle;
	int i;

	v->put_calls++;
	if (v->fail_write)
		return EIO;
	for (i = 0; i < count; i++) {
		vm_size_t pos = (vm_size_t)(pindex + i) * PS, n;

		if (pos >= v->size)
			break;	/* never past the end of the file */
		n = v->size - pos < PS ? v->size - pos : PS;
		OS_ASSERT(!(os_page_flags(pages[i]) & VM_PG_LENT));
		memcpy(v->data + pos, os_user_page_data(pages[i]), n);
		if (pindex + i < v->ncache && v->cache[pindex + i])
			memcpy(os_user_page_data(v->cache[pindex + i]),
			       v->data + pos, n);
		v->pages_written++;
	}
	if (flags & VM_PAGER_PUT_SYNC)
		v->syncs++;
	return 0;
}

static void fvn_page_named(struct vm_object *obj, vm_pindex_t pindex,
			   vm_page_t m)
{
	struct fvn *v = obj->handle;

	OS_ASSERT(!(os_page_flags(m) & VM_PG_LENT));
	os_mutex_assert_held(&obj->lock);
	v->named++;
	if (pindex < 8)
		v->named_page[pindex] = m;
}

static void fvn_lastref(struct vm_object *obj)
{
	struct fvn *v = obj->handle;

	v->lastrefs++;
}

static const struct vm_pager_ops fvn_ops = {
	.name = "fakevnode",
	.lendpages = fvn_lendpages,
	.page_named = fvn_page_named,
	.getpages = fvn_getpages,
	.putpages = fvn_putpages,
	.lastref = fvn_lastref,
	.dealloc = fake_dealloc,
};

static struct fvn *fvn_new(vm_size_t size)
{
	struct fvn *v = calloc(1, sizeof(*v));
	vm_size_t i;

	OS_ASSERT(v);
	v->data = calloc(1, size + PS);
	OS_ASSERT(v->data);
	v->size = size;
	for (i = 0; i < size; i++)
		v->data[i] = (uint8_t)(0x40 + i / PS);
	v->obj = vm_pager_allocate(OBJT_VNODE, &fvn_ops, v,
				   (size + PS - 1) / PS);
	OS_ASSERT(v->obj);
	v->ncache = (size + PS - 1) / PS;
	v->cache = calloc(v->ncache, sizeof(*v->cache));
	OS_ASSERT(v->cache);
	return v;
}

/* References to pindex's cache page besides fvn's own (lent out). */
static int fvn_loans(struct fvn *v, vm_pindex_t pindex)
{
	return v->cache[pindex] ? v->cache[pindex]->refs - 1 : 0;
}

/* A new mapping's reference, as the host's map ioctl takes it. */
static struct vm_object *fvn_ref(struct fvn *v)
{
	vm_object_reference(v->obj);
	return v->obj;
}

/* The host's reap: write back, then drop the table reference. */
static void fvn_free(struct fvn *v)
{
	vm_size_t i;

	OS_ASSERT(vm_object_page_clean(v->obj, 0, 0, VM_CLEAN_SYNC) == 0);
	vm_object_deallocate(v->obj);
	for (i = 0; i < v->ncache; i++)
		if (v->cache[i]) {
			OS_ASSERT(v->cache[i]->refs == 1);
			os_page_flags_clear(v->cache[i], VM_PG_LENT);
			os_page_free(v->cache[i]);
		}
	free(v->cache);
	free(v->data);
	free(v);
}

static int do_msync(struct tproc *p, vm_offset_t a, vm_size_t len, int fl)
{
	struct vm_sync *s;
	int err = vm_msync(p->vs, a, len, fl, &s);

	if (err)
		return err;
	return vm_sync_run(s);
}

TEST(vnode_readaround_follows_advice)
{
	struct tproc *p = tp_new();
	struct fvn *v = fvn_new(100 * PS);
	vm_offset_t a;
	int err;

	a = map_file(p, fvn_ref(v), 100 * PS, BSD_PROT_READ, BSD_MAP_SHARED,
		     &err);
	CHECK_EQ(err, 0);
	/* NORMAL: the aligned cluster of 16 around page 20 (16..31) */
	CHECK_EQ(tp_get(p, a + 20 * PS), 0x40 + 20);
	CHECK_EQ(v->pages_read, 16);
	CHECK_EQ(tp_get(p, a + 31 * PS), 0x40 + 31);
	CHECK_EQ(v->pages_read, 16);
	/* RANDOM: the page alone */
	CHECK_EQ(vm_madvise(p->vs, a, 100 * PS, BSD_MADV_RANDOM), 0);
	CHECK_EQ(tp_get(p, a + 50 * PS), 0x40 + 50);
	CHECK_EQ(v->pages_read, 17);
	/* SEQUENTIAL: 32 from the page on, stopping at a resident page */
	CHECK_EQ(vm_madvise(p->vs, a, 100 * PS, BSD_MADV_SEQUENTIAL), 0);
	CHECK_EQ(tp_get(p, a + 40 * PS), 0x40 + 40);
	CHECK_EQ(v->pages_read, 17 + 10);
	/* and at the end of the object */
	CHECK_EQ(tp_get(p, a + 90 * PS), 0x40 + 90);
	CHECK_EQ(v->pages_read, 27 + 10);
	/* WILLNEED maps what is resident (read-only), reads nothing */
	CHECK_EQ(vm_madvise(p->vs, a, 100 * PS, BSD_MADV_WILLNEED), 0);
	CHECK_EQ(v->pages_read, 37);
	CHECK_EQ(vm_object_check_all(), 0);
	tp_exit(p);
	CHECK_EQ(v->lastrefs, 1);
	fvn_free(v);
	CHECK_EQ(live_pages(), 0);
}

TEST(vnode_shared_write_dirties_and_msync_writes_back)
{
	struct tproc *p = tp_new(), *q = tp_new();
	struct fvn *v = fvn_new(3 * PS + 100);
	vm_offset_t a, b;
	int err;

	a = map_file(p, fvn_ref(v), 5 * PS, RW, BSD_MAP_SHARED, &err);
	CHECK_EQ(err, 0);
	b = map_file(q, fvn_ref(v), 4 * PS, BSD_PROT_READ, BSD_MAP_SHARED,
		     &err);
	CHECK_EQ(err, 0);
	/* a read maps a clean page read-only: nothing to write back */
	CHECK_EQ(tp_get(p, a + PS), 0x41);
	CHECK_EQ(do_msync(p, a, 4 * PS, BSD_MS_SYNC), 0);
	CHECK_EQ(v->put_calls, 0);
	/* the write faults again and dirties it; q sees it at once */
	CHECK_EQ(tp_wr(p, a + PS + 7, 0x77), 0);
	CHECK_EQ(tp_get(q, b + PS + 7), 0x77);
	CHECK_EQ(v->data[PS + 7], 0x41);	/* not in the file yet */
	CHECK_EQ(do_msync(p, a, 4 * PS, BSD_MS_SYNC), 0);
	CHECK_EQ(v->data[PS + 7], 0x77);
	CHECK_EQ(v->pages_written, 1);
	CHECK_EQ(v->syncs, 1);
	/* written pages lost write access: the next write dirties again */
	CHECK_EQ(tp_wr(p, a + PS + 8, 0x78), 0);
	CHECK_EQ(do_msync(p, a + PS, 0, BSD_MS_ASYNC), 0);	/* whole entry */
	CHECK_EQ(v->data[PS + 8], 0x78);
	CHECK_EQ(v->syncs, 1);			/* ASYNC does not wait */
	/* the last page: only the bytes before EOF reach the file */
	CHECK_EQ(tp_wr(p, a + 3 * PS + 200, 0x55), 0);
	CHECK_EQ(do_msync(p, a, 4 * PS, BSD_MS_SYNC), 0);
	CHECK_EQ(v->data[3 * PS + 200], 0);
	/* past the object's end: SIGBUS, BUS_OBJERR */
	CHECK_EQ(tp_code(p, a + 4 * PS, false),
		 CPU_SIGBUS * 100 + CPU_BUS_OBJERR);
	CHECK_EQ(vm_object_check_all(), 0);
	tp_exit(p);
	CHECK_EQ(v->lastrefs, 0);
	tp_exit(q);
	CHECK_EQ(v->lastrefs, 1);
	fvn_free(v);
	CHECK_EQ(deallocs > 0, 1);
	CHECK_EQ(live_pages(), 0);
	CHECK_EQ(live_objects(), 0);
}

TEST(vnode_msync_errors)
{
	struct tproc *p = tp_new();
	struct fvn *v = fvn_new(4 * PS);
	vm_offset_t a;
	int err;

	a = map_file(p, fvn_ref(v), 4 * PS, RW, BSD_MAP_SHARED, &err);
	CHECK_EQ(err, 0);
	CHECK_EQ(do_msync(p, a, PS, BSD_MS_ASYNC | BSD_MS_INVALIDATE), EINVAL);
	CHECK_EQ(do_msync(p, a, PS, 0x100), EINVAL);
	CHECK_EQ(do_msync(p, a + 4 * PS, PS, BSD_MS_SYNC), ENOMEM);
	CHECK_EQ(do_msync(p, a + 3 * PS, 2 * PS, BSD_MS_SYNC), ENOMEM);
	CHECK_EQ(do_msync(p, a + 4 * PS, 0, BSD_MS_SYNC), ENOMEM);
	CHECK_EQ(do_msync(p, a + 1, PS, BSD_MS_SYNC), 0);	/* truncated */
	/* an I/O error is EIO, and the data stays dirty for the next try */
	CHECK_EQ(tp_wr(p, a + 5, 0x11), 0);
	v->fail_write = true;
	CHECK_EQ(do_msync(p, a, PS, BSD_MS_SYNC), EIO);
	v->fail_write = false;
	CHECK_EQ(v->data[5], 0x40);
	CHECK_EQ(do_msync(p, a, PS, BSD_MS_SYNC), 0);
	CHECK_EQ(v->data[5], 0x11);
	/* anonymous memory: nothing to do */
	a = tp_mmap(p, 0, PS, RW, BSD_MAP_ANON | BSD_MAP_PRIVATE, &err);
	CHECK_EQ(tp_wr(p, a, 1), 0);
	CHECK_EQ(do_msync(p, a, PS, BSD_MS_SYNC), 0);
	tp_exit(p);
	fvn_free(v);
	CHECK_EQ(live_pages(), 0);
}

TEST(vnode_invalidate_drops_clean_pages_and_rereads)
{
	struct tproc *p = tp_new();
	struct fvn *v = fvn_new(2 * PS);
	vm_offset_t a;
	int err;

	a = map_file(p, fvn_ref(v), 2 * PS, RW, BSD_MAP_SHARED, &err);
	CHECK_EQ(err, 0);
	CHECK_EQ(tp_get(p, a), 0x40);
	CHECK_EQ(tp_wr(p, a + PS, 0x22), 0);
	v->data[0] = 0x99;			/* the file changed underneath */
	CHECK_EQ(tp_get(p, a), 0x40);		/* cached */
	CHECK_EQ(do_msync(p, a, 2 * PS, BSD_MS_INVALIDATE), 0);
	CHECK_EQ(v->data[PS], 0x22);		/* dirty: written first */
	CHECK_EQ(tp_get(p, a), 0x99);		/* clean: dropped, read again */
	tp_exit(p);
	fvn_free(v);
	CHECK_EQ(live_pages(), 0);
}

TEST(vnode_private_sees_file_until_first_write)
{
	struct tproc *p = tp_new(), *q = tp_new();
	struct fvn *v = fvn_new(2 * PS);
	vm_offset_t a, b;
	int err;

	a = map_file(p, fvn_ref(v), 2 * PS, RW, BSD_MAP_PRIVATE, &err);
	CHECK_EQ(err, 0);
	b = map_file(q, fvn_ref(v), 2 * PS, RW, BSD_MAP_SHARED, &err);
	CHECK_EQ(err, 0);
	CHECK_EQ(tp_get(p, a + PS), 0x41);
	/* a shared writer's change shows through the untouched private page */
	CHECK_EQ(tp_wr(q, b + PS, 0x33), 0);
	CHECK_EQ(tp_get(p, a + PS), 0x33);
	/* the first private write copies; later shared writes are hidden */
	CHECK_EQ(tp_wr(p, a + PS + 1, 0x44), 0);
	CHECK_EQ(tp_wr(q, b + PS, 0x35), 0);
	CHECK_EQ(tp_get(p, a + PS), 0x33);
	CHECK_EQ(tp_get(p, a + PS + 1), 0x44);
	CHECK_EQ(tp_get(q, b + PS + 1), 0x41);
	/* msync of a private mapping writes the file's own dirty pages */
	CHECK_EQ(do_msync(p, a, 2 * PS, BSD_MS_SYNC), 0);
	CHECK_EQ(v->data[PS], 0x35);
	CHECK_EQ(v->data[PS + 1], 0x41);
	CHECK_EQ(vm_object_check_all(), 0);
	tp_exit(p);
	tp_exit(q);
	fvn_free(v);
	CHECK_EQ(live_pages(), 0);
	CHECK_EQ(live_objects(), 0);
}

TEST(vnode_truncate_is_sigbus_past_the_new_end)
{
	struct tproc *p = tp_new();
	struct fvn *v = fvn_new(4 * PS);
	vm_offset_t a, s;
	int err;

	a = map_file(p, fvn_ref(v), 4 * PS, RW, BSD_MAP_SHARED, &err);
	CHECK_EQ(err, 0);
	s = map_file(p, fvn_ref(v), 4 * PS, RW, BSD_MAP_PRIVATE, &err);
	CHECK_EQ(err, 0);
	CHECK_EQ(tp_get(p, a + 3 * PS), 0x43);
	CHECK_EQ(tp_get(p, s + 3 * PS), 0x43);
	v->size = PS + 10;
	vm_pager_setsize(v->obj, 2);
	/* the mapped page is gone from every pmap: no stale data */
	CHECK_EQ(tp_code(p, a + 3 * PS, false),
		 CPU_SIGBUS * 100 + CPU_BUS_OBJERR);
	CHECK_EQ(tp_code(p, s + 3 * PS, false),
		 CPU_SIGBUS * 100 + CPU_BUS_OBJERR);
	CHECK_EQ(tp_code(p, a + 2 * PS, true),
		 CPU_SIGBUS * 100 + CPU_BUS_OBJERR);
	CHECK_EQ(tp_get(p, a + PS + 5), 0x41);
	/* growing again: the pages read what the file has */
	v->size = 4 * PS;
	memset(v->data + 2 * PS, 0, 2 * PS);
	vm_pager_setsize(v->obj, 4);
	CHECK_EQ(tp_get(p, a + 3 * PS), 0);
	CHECK_EQ(vm_object_check_all(), 0);
	tp_exit(p);
	fvn_free(v);
	CHECK_EQ(live_pages(), 0);
}

TEST(vnode_fork_shares_and_copies)
{
	struct tproc *p = tp_new(), *c;
	struct fvn *v = fvn_new(2 * PS);
	vm_offset_t a, s;
	int err;

	a = map_file(p, fvn_ref(v), 2 * PS, RW, BSD_MAP_SHARED, &err);
	CHECK_EQ(err, 0);
	s = map_file(p, fvn_ref(v), 2 * PS, RW, BSD_MAP_PRIVATE, &err);
	CHECK_EQ(err, 0);
	CHECK_EQ(tp_wr(p, s, 0x10), 0);
	c = tp_fork(p);
	CHECK_EQ(tp_wr(c, a, 0x20), 0);		/* shared: parent sees it */
	CHECK_EQ(tp_get(p, a), 0x20);
	CHECK_EQ(tp_get(c, s), 0x10);		/* private copy is inherited */
	CHECK_EQ(tp_wr(c, s, 0x30), 0);
	CHECK_EQ(tp_get(p, s), 0x10);
	CHECK_EQ(vm_object_check_all(), 0);
	tp_exit(c);
	tp_exit(p);
	CHECK_EQ(v->lastrefs, 1);
	fvn_free(v);
	CHECK_EQ(live_pages(), 0);
	CHECK_EQ(live_objects(), 0);
}

static struct vm_stats global_stats(void)
{
	struct vm_stats st;

	vm_stats_global(&st);
	return st;
}

/*
 * A pager that lends its cache's pages: every mapping reads the one page
 * (the file's), a write to it anywhere makes the object's own copy first
 * and never changes the cache, write-back goes from the copy.
 */
TEST(vnode_lent_pages_are_shared_and_copied_before_a_write)
{
	struct tproc *p = tp_new(), *q = tp_new(), *r = tp_new();
	struct fvn *v = fvn_new(4 * PS);
	int64_t lends0 = global_stats().lends;
	struct vm_stats st;
	int64_t copies0 = global_stats().lent_copies;
	vm_offset_t a, b, c;
	int err;

	v->lend = true;
	a = map_file(p, fvn_ref(v), 4 * PS, RW, BSD_MAP_SHARED, &err);
	CHECK_EQ(err, 0);
	b = map_file(q, fvn_ref(v), 4 * PS, BSD_PROT_READ, BSD_MAP_SHARED,
		     &err);
	CHECK_EQ(err, 0);
	c = map_file(r, fvn_ref(v), 4 * PS, RW, BSD_MAP_PRIVATE, &err);
	CHECK_EQ(err, 0);
	CHECK_EQ(tp_get(p, a), 0x40);
	CHECK_EQ(global_stats().lends - lends0, 4);	/* the cluster */
	vmspace_stats(p->vs, &st);
	CHECK_EQ(st.lends, 4);				/* p's own count */
	vmspace_stats(q->vs, &st);
	CHECK_EQ(st.lends, 0);
	CHECK_EQ(global_stats().pages_lent, 4);
	CHECK_EQ(v->obj->lent_count, 4);
	CHECK_EQ(fvn_loans(v, 0), 1);
	CHECK_EQ(tp_get(q, b + 2 * PS), 0x42);
	CHECK_EQ(tp_get(r, c + PS), 0x41);
	CHECK_EQ(fvn_loans(v, 2), 1);		/* one loan, three readers */
	/* write(2) changes the cache page: every reader sees it at once */
	fvn_write(v, 7, 0x11);
	CHECK_EQ(tp_get(p, a + 7), 0x11);
	CHECK_EQ(tp_get(q, b + 7), 0x11);
	CHECK_EQ(tp_get(r, c + 7), 0x11);
	/* a shared write: the object's own copy, the cache stays the file's */
	CHECK_EQ(tp_wr(p, a + 7, 0x22), 0);
	CHECK_EQ(global_stats().lent_copies - copies0, 1);
	CHECK_EQ(global_stats().pages_lent, 3);
	CHECK_EQ(fvn_loans(v, 0), 0);
	CHECK_EQ(os_user_page_data(v->cache[0])[7], 0x11);
	CHECK_EQ(tp_get(q, b + 7), 0x22);	/* shared: seen at once */
	CHECK_EQ(tp_get(r, c + 7), 0x22);	/* private, before its COW */
	CHECK_EQ(do_msync(p, a, 0, BSD_MS_SYNC), 0);
	CHECK_EQ(v->data[7], 0x22);
	CHECK_EQ(os_user_page_data(v->cache[0])[7], 0x22);
	/* a private write copies into r's shadow; nobody else sees it */
	CHECK_EQ(tp_wr(r, c + PS + 1, 0x33), 0);
	CHECK_EQ(tp_get(r, c + PS + 1), 0x33);
	CHECK_EQ(tp_get(p, a + PS + 1), 0x41);
	CHECK_EQ(os_user_page_data(v->cache[1])[1], 0x41);
	CHECK_EQ(fvn_loans(v, 1), 1);		/* still the object's */
	CHECK_EQ(vm_object_check_all(), 0);
	tp_exit(r);
	tp_exit(q);
	tp_exit(p);
	CHECK_EQ(v->lastrefs, 1);
	fvn_free(v);
	CHECK_EQ(global_stats().pages_lent, 0);
	CHECK_EQ(live_pages(), 0);
	CHECK_EQ(live_objects(), 0);
}

/*
 * Every own page that enters a pager's object is named for its pindex
 * (vm_pager.h page_named): the placeholders a read fills, the copy that
 * replaces a loan before a write; loans never are (the pager asserts).
 */
TEST(vnode_own_pages_are_named_for_their_place)
{
	struct tproc *p = tp_new();
	struct fvn *v = fvn_new(4 * PS);
	vm_offset_t a;
	vm_page_t m;
	int err;

	a = map_file(p, fvn_ref(v), 4 * PS, RW, BSD_MAP_SHARED, &err);
	CHECK_EQ(err, 0);
	CHECK_EQ(tp_get(p, a + PS), 0x41);	/* read into placeholders */
	CHECK(v->named >= 1);
	CHECK(pmap_user_lookup(p->pmap, a + PS, &m, NULL));
	CHECK(v->named_page[1] == m);
	tp_exit(p);
	CHECK_EQ(v->lastrefs, 1);
	fvn_free(v);

	p = tp_new();
	v = fvn_new(4 * PS);
	v->lend = true;
	a = map_file(p, fvn_ref(v), 4 * PS, RW, BSD_MAP_SHARED, &err);
	CHECK_EQ(err, 0);
	CHECK_EQ(tp_get(p, a + 2 * PS), 0x42);	/* lent */
	CHECK(pmap_user_lookup(p->pmap, a + 2 * PS, &m, NULL));
	CHECK(os_page_flags(m) & VM_PG_LENT);
	v->named = 0;		/* the placeholders the loans replaced */
	CHECK_EQ(tp_wr(p, a + 2 * PS, 1), 0);	/* the copy replaces it */
	CHECK_EQ(v->named, 1);
	CHECK(pmap_user_lookup(p->pmap, a + 2 * PS, &m, NULL));
	CHECK(v->named_page[2] == m);
	tp_exit(p);
	fvn_free(v);
	CHECK_EQ(live_pages(), 0);
	CHECK_EQ(live_objects(), 0);
}

/* ptrace's write through a hold must not land in a lent page either. */
TEST(vnode_write_hold_on_a_lent_page_copies_it)
{
	struct tproc *p = tp_new();
	struct fvn *v = fvn_new(2 * PS);
	vm_page_t m;
	vm_offset_t a;
	int err;

	v->lend = true;
	a = map_file(p, fvn_ref(v), 2 * PS, RW, BSD_MAP_SHARED, &err);
	CHECK_EQ(err, 0);
	CHECK_EQ(tp_get(p, a), 0x40);
	CHECK_EQ(fvn_loans(v, 0), 1);
	CHECK_EQ(vm_fault_hold(p->vs, a, VM_PROT_READ, &m), KERN_SUCCESS);
	CHECK(m == v->cache[0]);		/* a read hold: the loan */
	os_page_unhold(m);
	CHECK_EQ(vm_fault_hold(p->vs, a, VM_PROT_WRITE, &m), KERN_SUCCESS);
	CHECK(m != v->cache[0]);
	CHECK_EQ(os_page_flags(m) & (VM_PG_LENT | VM_PG_DIRTY), VM_PG_DIRTY);
	os_user_page_data(m)[3] = 0x44;
	os_page_unhold(m);
	CHECK_EQ(fvn_loans(v, 0), 0);
	CHECK_EQ(tp_get(p, a + 3), 0x44);
	CHECK_EQ(os_user_page_data(v->cache[0])[3], 0x40);
	CHECK_EQ(do_msync(p, a, 0, BSD_MS_SYNC), 0);
	CHECK_EQ(v->data[3], 0x44);
	CHECK_EQ(vm_object_check_all(), 0);
	tp_exit(p);
	fvn_free(v);
	CHECK_EQ(live_pages(), 0);
}

/* A truncate gives back the loans past the new end; msync drops the rest. */
TEST(vnode_truncate_and_invalidate_return_loans)
{
	struct tproc *p = tp_new();
	struct fvn *v = fvn_new(4 * PS);
	vm_offset_t a;
	vm_prot_t prot;
	vm_page_t m;
	int err, read;

	v->lend = true;
	a = map_file(p, fvn_ref(v), 4 * PS, BSD_PROT_READ, BSD_MAP_SHARED,
		     &err);
	CHECK_EQ(err, 0);
	CHECK_EQ(tp_get(p, a + 3 * PS), 0x43);
	CHECK_EQ(v->obj->lent_count, 4);
	v->size = PS + 10;
	vm_pager_setsize(v->obj, 2);
	CHECK_EQ(v->obj->lent_count, 2);
	CHECK_EQ(fvn_loans(v, 3), 0);
	CHECK_EQ(fvn_loans(v, 1), 1);
	CHECK_EQ(tp_code(p, a + 3 * PS, false),
		 CPU_SIGBUS * 100 + CPU_BUS_OBJERR);
	CHECK_EQ(do_msync(p, a, 0, BSD_MS_INVALIDATE), 0);
	CHECK_EQ(v->obj->lent_count, 0);
	CHECK_EQ(fvn_loans(v, 0), 0);
	read = v->pages_read;
	CHECK_EQ(tp_get(p, a + PS + 5), 0x41);	/* lent again, not read */
	CHECK_EQ(v->pages_read, read);
	CHECK_EQ(v->lent_fast, 2);
	CHECK_EQ(fvn_loans(v, 1), 1);
	/* and the whole run is mapped, read-only: page 0 takes no fault */
	CHECK(pmap_user_lookup(p->pmap, a, &m, &prot));
	CHECK(m == v->cache[0]);
	CHECK_EQ(prot, VM_PROT_READ);
	CHECK_EQ(vm_object_check_all(), 0);
	tp_exit(p);
	fvn_free(v);
	CHECK_EQ(global_stats().pages_lent, 0);
	CHECK_EQ(live_pages(), 0);
}

/* WILLNEED maps what the cache holds, lent, without reading or faulting. */
TEST(vnode_willneed_lends_cached_pages)
{
	struct tproc *p = tp_new();
	struct fvn *v = fvn_new(40 * PS);
	struct vm_stats st;
	vm_offset_t a;
	vm_prot_t prot;
	vm_page_t m;
	int err, i;

	v->lend = true;
	for (i = 0; i < 40; i++)
		if (i != 7)		/* page 7 is not in the cache */
			OS_ASSERT(fvn_cache_page(v, i));
	a = map_file(p, fvn_ref(v), 40 * PS, BSD_PROT_READ, BSD_MAP_SHARED,
		     &err);
	CHECK_EQ(err, 0);
	CHECK_EQ(vm_madvise(p->vs, a, 40 * PS, BSD_MADV_WILLNEED), 0);
	CHECK_EQ(v->pages_read, 0);
	CHECK_EQ(v->lent_fast, 39);
	vmspace_stats(p->vs, &st);
	CHECK_EQ(st.lends, 39);
	CHECK_EQ(v->obj->lent_count, 39);
	for (i = 0; i < 40; i++) {
		bool mapped = pmap_user_lookup(p->pmap, a + i * PS, &m, &prot);

		CHECK_EQ(mapped, i != 7);
		if (mapped)
			CHECK(m == v->cache[i] && prot == VM_PROT_READ);
	}
	CHECK_EQ(tp_get(p, a + 7 * PS), 0x47);	/* read, as before */
	CHECK_EQ(v->pages_read, 1);
	CHECK_EQ(vm_object_check_all(), 0);
	tp_exit(p);
	fvn_free(v);
	CHECK_EQ(live_pages(), 0);
}

/*
 * A WILLNEED over a big sparse file lets go of the object between
 * batches and stops when the caller is being killed: the last page,
 * the only one cached, is reached only when nobody interrupts.
 */
TEST(vnode_willneed_sparse_file_stops_when_killed)
{
	const int npages = 300;	/* past one batch of lookups */
	struct vm_stats st;
	int round;

	for (round = 0; round < 2; round++) {
		struct tproc *p = tp_new();
		struct fvn *v = fvn_new((vm_size_t)npages * PS);
		vm_offset_t a;
		int err;

		v->lend = true;
		OS_ASSERT(fvn_cache_page(v, npages - 1));
		a = map_file(p, fvn_ref(v), (vm_size_t)npages * PS,
			     BSD_PROT_READ, BSD_MAP_SHARED, &err);
		CHECK_EQ(err, 0);
		os_user_interrupted = round == 0;
		CHECK_EQ(vm_madvise(p->vs, a, (vm_size_t)npages * PS,
				    BSD_MADV_WILLNEED), 0);
		os_user_interrupted = false;
		vmspace_stats(p->vs, &st);
		CHECK_EQ(st.lends, round == 0 ? 0 : 1);
		CHECK_EQ(v->pages_read, 0);
		CHECK_EQ(vm_object_check_all(), 0);
		tp_exit(p);
		fvn_free(v);
	}
	CHECK_EQ(live_pages(), 0);
}
