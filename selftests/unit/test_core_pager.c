// SPDX-License-Identifier: GPL-2.0
/*
 * test_core_pager.c - the core's pager path (vm_pager.h) with a fake
 * pager: page-in with every lock dropped and KERN_RETRY, the busy page,
 * faults past the object's end (SIGBUS/BUS_OBJERR), private copy-on-write
 * over a pager object, shared writes in place, and the object's release.
 * Issue 5's vnode pager plugs into exactly this path.
 */
#include "testlib.h"
#include "vm_pager.h"

#define PS OS_PAGE_SIZE
#define RW (BSD_PROT_READ | BSD_PROT_WRITE)

static int getpages, deallocs;
static bool fail_io;

/* Page i of the "file" holds byte 0x40 + i everywhere. */
static int fake_getpage(struct vm_object *obj, vm_pindex_t pindex,
			vm_page_t page)
{
	(void)obj;
	getpages++;
	if (fail_io)
		return KERN_FAILURE;
	memset(os_user_page_data(page), 0x40 + (int)pindex, OS_PAGE_SIZE);
	return KERN_SUCCESS;
}

static void fake_dealloc(struct vm_object *obj)
{
	(void)obj;
	deallocs++;
}

static const struct vm_pager_ops fake_ops = {
	.name = "fake",
	.getpage = fake_getpage,
	.dealloc = fake_dealloc,
};

static vm_offset_t map_file(struct tproc *p, struct vm_object *obj,
			    vm_size_t len, int prot, int flags, int *err)
{
	struct vm_mmap_req req = {
		.len = len, .prot = prot, .flags = flags, .object = obj,
		.maxprot_limit = BSD_PROT_ALL,
	};
	vm_offset_t a = 0;

	*err = vm_mmap(p->vs, &req, &a);
	return a;
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
