// SPDX-License-Identifier: GPL-2.0
/*
 * bsdvm: the 4.4BSD virtual memory system for Linux processes that opt in.
 * Module init/exit and parameters.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/bsdvm.h>

#include "vm/vm.h"
#include "internal.h"
#include "space.h"
#include "page.h"
#include "vnode.h"

/*
 * allow_users: when false (default), opening /dev/bsdvm needs
 * CAP_SYS_ADMIN; when true, any user may open it.  Read once per open(),
 * a plain bool: no lock needed.
 */
bool bsdvm_allow_users;
module_param_named(allow_users, bsdvm_allow_users, bool, 0644);
MODULE_PARM_DESC(allow_users,
		 "Let unprivileged users open /dev/bsdvm (default: root only)");

struct bsdvm_counters bsdvm_counters;

static int __init bsdvm_init(void)
{
	int err;

	err = vm_init();
	if (err)
		return -err;
	err = bsdvm_fs_init();
	if (err)
		goto out_vm;
	err = bsdvm_page_global_init();
	if (err)
		goto out_fs;
	err = bsdvm_pmap_global_init();
	if (err)
		goto out_page;
	err = bsdvm_vnode_init();
	if (err)
		goto out_pmap;
	bsdvm_debugfs_init();
	err = bsdvm_dev_init();
	if (err)
		goto out_debugfs;
	pr_info("bsdvm %s loaded (ABI %d)\n", BSDVM_MODULE_VERSION,
		BSDVM_ABI_VERSION);
	return 0;

out_debugfs:
	bsdvm_debugfs_exit();
	bsdvm_vnode_exit();
out_pmap:
	bsdvm_pmap_global_exit();
out_page:
	bsdvm_page_global_exit();
out_fs:
	bsdvm_fs_exit();
out_vm:
	vm_fini();
	return err;
}

static void __exit bsdvm_exit(void)
{
	bsdvm_dev_exit();
	bsdvm_debugfs_exit();
	/* Every space held a file reference, so none is left. */
	bsdvm_vnode_exit();
	bsdvm_pmap_global_exit();
	bsdvm_page_global_exit();
	bsdvm_fs_exit();
	vm_fini();
	pr_info("bsdvm unloaded\n");
}

module_init(bsdvm_init);
module_exit(bsdvm_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("4.4BSD virtual memory system for opted-in processes");
MODULE_VERSION(BSDVM_MODULE_VERSION);
