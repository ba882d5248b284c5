// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/bsdvm: the misc device, its open/release and the ioctl dispatch.
 */
#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/ioctl.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/bsdvm.h>

#include "internal.h"
#include "space.h"

long bsdvm_copy_struct_from_user(void *kbuf, size_t ksize, size_t min_size,
				 const void __user *uarg)
{
	u32 usize;
	int zero;

	if (get_user(usize, (const u32 __user *)uarg))
		return -EFAULT;
	if (usize < min_size || usize > BSDVM_STRUCT_SIZE_MAX)
		return -EINVAL;
	memset(kbuf, 0, ksize);
	if (usize > ksize) {
		/* A newer caller: what we do not know must be zero. */
		zero = check_zeroed_user((const char __user *)uarg + ksize,
					 usize - ksize);
		if (zero < 0)
			return -EFAULT;
		if (!zero)
			return -EINVAL;
	}
	if (copy_from_user(kbuf, uarg, min_t(size_t, usize, ksize)))
		return -EFAULT;
	return usize;
}

long bsdvm_copy_struct_to_user(void __user *uarg, size_t usize,
			       void *kbuf, size_t ksize)
{
	size_t n = min(usize, ksize);

	/* Every ABI struct starts with its u32 size. */
	*(u32 *)kbuf = n;
	if (copy_to_user(uarg, kbuf, n))
		return -EFAULT;
	return 0;
}

static long bsdvm_ioc_version(struct file *file, void __user *arg)
{
	struct bsdvm_version in, v = { 0 };
	long usize;

	BUILD_BUG_ON(BSDVM_STRUCT_COUNT > BSDVM_SIZES_MAX);
	usize = bsdvm_copy_struct_from_user(&in, sizeof(in),
					    BSDVM_VERSION_SIZE_V1, arg);
	if (usize < 0)
		return usize;
	if (in.flags)
		return -EINVAL;

	/* Output only: nothing of the caller's comes back. */
	v.abi_version = BSDVM_ABI_VERSION;
	strscpy(v.release, BSDVM_MODULE_VERSION, sizeof(v.release));
	v.nr_sizes = BSDVM_STRUCT_COUNT;
	v.sizes[BSDVM_STRUCT_VERSION] = sizeof(struct bsdvm_version);
	v.sizes[BSDVM_STRUCT_MSYNC] = sizeof(struct bsdvm_msync_args);
	v.sizes[BSDVM_STRUCT_MAP] = sizeof(struct bsdvm_map_args);
	v.sizes[BSDVM_STRUCT_RANGE] = sizeof(struct bsdvm_range_args);
	v.sizes[BSDVM_STRUCT_MINCORE] = sizeof(struct bsdvm_mincore_args);
	v.sizes[BSDVM_STRUCT_BRK] = sizeof(struct bsdvm_brk_args);
	v.sizes[BSDVM_STRUCT_STATS] = sizeof(struct bsdvm_stats);
	return bsdvm_copy_struct_to_user(arg, usize, &v, sizeof(v));
}

/* The ioctls, matched on type, nr and direction.  Append new ones here. */
static const struct bsdvm_ioctl bsdvm_ioctls[] = {
	{ BSDVM_IOC_VERSION, "VERSION", bsdvm_ioc_version },
	{ BSDVM_IOC_MAP, "MAP", bsdvm_ioc_map },
	{ BSDVM_IOC_UNMAP, "UNMAP", bsdvm_ioc_unmap },
	{ BSDVM_IOC_PROTECT, "PROTECT", bsdvm_ioc_protect },
	{ BSDVM_IOC_INHERIT, "INHERIT", bsdvm_ioc_inherit },
	{ BSDVM_IOC_ADVISE, "ADVISE", bsdvm_ioc_advise },
	{ BSDVM_IOC_MINCORE, "MINCORE", bsdvm_ioc_mincore },
	{ BSDVM_IOC_BRK, "BRK", bsdvm_ioc_brk },
	{ BSDVM_IOC_STATS, "STATS", bsdvm_ioc_stats },
	{ BSDVM_IOC_MSYNC, "MSYNC", bsdvm_ioc_msync },
};

/* Ignore the size bits: structs grow, carrying their own size. */
#define BSDVM_IOC_KEY(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

static long bsdvm_ioctl(struct file *file, unsigned int cmd,
			unsigned long arg)
{
	long ret = -ENOTTY;
	size_t i;

	atomic64_inc(&bsdvm_counters.ioctls);
	for (i = 0; i < ARRAY_SIZE(bsdvm_ioctls); i++) {
		if (BSDVM_IOC_KEY(cmd) == BSDVM_IOC_KEY(bsdvm_ioctls[i].cmd)) {
			ret = bsdvm_ioctls[i].fn(file, (void __user *)arg);
			break;
		}
	}
	if (ret < 0)
		atomic64_inc(&bsdvm_counters.ioctl_errors);
	return ret;
}

/*
 * Each open file maps through an address_space of its own, the mapping of
 * an inode of a private pseudo file system (as DRM does): a zap by file
 * offset (pmap_page_protect's unmap_mapping_range) then reaches only the
 * mms that map this file, a process and its forked children, and not
 * every bsdvm user's arena.  No .owner: the mount lives as long as the
 * module, and would pin it.
 */
#define BSDVM_FS_MAGIC	0x62736476	/* "bsdv" */
static struct vfsmount *bsdvm_mnt;

static int bsdvm_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, BSDVM_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type bsdvm_fs_type = {
	.name		 = "bsdvm",
	.init_fs_context = bsdvm_fs_init_fs_context,
	.kill_sb	 = kill_anon_super,
};

/* A new inode of the pseudo file system, or an ERR_PTR. */
struct inode *bsdvm_fs_inode(void)
{
	return alloc_anon_inode(bsdvm_mnt->mnt_sb);
}

static int bsdvm_open(struct inode *inode, struct file *file)
{
	struct inode *own;

	if (!READ_ONCE(bsdvm_allow_users) && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	own = bsdvm_fs_inode();
	if (IS_ERR(own))
		return PTR_ERR(own);
	file->f_mapping = own->i_mapping;
	file->private_data = own;
	atomic64_inc(&bsdvm_counters.opens);
	atomic64_inc(&bsdvm_counters.open_files);
	return 0;
}

static int bsdvm_release(struct inode *inode, struct file *file)
{
	/* no VMA is left: each holds the file */
	iput(file->private_data);
	atomic64_dec(&bsdvm_counters.open_files);
	return 0;
}

static const struct file_operations bsdvm_fops = {
	.owner		= THIS_MODULE,
	.open		= bsdvm_open,
	.release	= bsdvm_release,
	.unlocked_ioctl	= bsdvm_ioctl,
	.mmap		= bsdvm_arena_mmap,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice bsdvm_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "bsdvm",
	.fops	= &bsdvm_fops,
	.mode	= 0666,	/* open() itself checks privilege, see allow_users */
};

/* Before anything allocates a page: pages belong to an inode (page.h). */
int bsdvm_fs_init(void)
{
	bsdvm_mnt = kern_mount(&bsdvm_fs_type);
	return PTR_ERR_OR_ZERO(bsdvm_mnt);
}

void bsdvm_fs_exit(void)
{
	kern_unmount(bsdvm_mnt);
}

int bsdvm_dev_init(void)
{
	return misc_register(&bsdvm_misc);
}

void bsdvm_dev_exit(void)
{
	misc_deregister(&bsdvm_misc);
}
