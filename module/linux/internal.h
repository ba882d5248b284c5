/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared by the Linux side of bsdvm (module/linux/).
 * The machine-independent core (module/vm/) never includes this.
 */
#ifndef _BSDVM_LINUX_INTERNAL_H
#define _BSDVM_LINUX_INTERNAL_H

#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/types.h>

#define BSDVM_MODULE_VERSION	"0.1.0"

struct dentry;

/* main.c */
extern bool bsdvm_allow_users;

/*
 * Global counters, shown in debugfs bsdvm/counters.  Atomics, no lock:
 * each is updated and read on its own.
 */
struct bsdvm_counters {
	atomic64_t opens;		/* successful open()s of /dev/bsdvm */
	atomic64_t open_files;		/* files currently open */
	atomic64_t ioctls;		/* ioctl calls (any result) */
	atomic64_t ioctl_errors;	/* ioctl calls that returned an error */
};

extern struct bsdvm_counters bsdvm_counters;

/* dev.c */
int bsdvm_fs_init(void);
void bsdvm_fs_exit(void);
struct inode *bsdvm_fs_inode(void);
int bsdvm_dev_init(void);
void bsdvm_dev_exit(void);

/*
 * One ioctl: handler gets the user argument; cmd is matched on type, nr
 * and direction (not size, see uapi/linux/bsdvm.h).  Add new ioctls to
 * the table in dev.c.
 */
struct bsdvm_ioctl {
	unsigned int cmd;
	const char *name;
	long (*fn)(struct file *file, void __user *arg);
};

/*
 * Copy a size-prefixed ABI struct from user space into kbuf (ksize bytes,
 * zero-filled past what the caller supplied).  min_size is the size of the
 * struct's first version.  Returns the caller's size, or -EFAULT/-EINVAL.
 */
long bsdvm_copy_struct_from_user(void *kbuf, size_t ksize, size_t min_size,
				 const void __user *uarg);
/* Copy min(usize, ksize) bytes back, after setting the size field. */
long bsdvm_copy_struct_to_user(void __user *uarg, size_t usize,
			       void *kbuf, size_t ksize);

/* debugfs.c */
/* bsdvm/ in debugfs; an error pointer if debugfs is absent (debugfs calls accept it) */
extern struct dentry *bsdvm_debugfs_root;
void bsdvm_debugfs_init(void);
void bsdvm_debugfs_exit(void);

#endif /* _BSDVM_LINUX_INTERNAL_H */
