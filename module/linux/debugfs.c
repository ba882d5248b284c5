// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs: /sys/kernel/debug/bsdvm/.
 *   counters   global counters (read)
 *   test_warn  test-only: writing 1 makes the module WARN_ONCE, so that the
 *              test runner's kernel-log scanner can be tested (root only)
 *   peak_reset writing restarts peak_pages at the pages now resident
 *              (bsdvm run measures a program's peak this way; root only)
 *   spaces/    one file per space, by pid (dump.c)
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/kstrtox.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "vm/vm.h"
#include "internal.h"
#include "space.h"

struct dentry *bsdvm_debugfs_root;

/* The core's counters, one "name value" line each (stable names). */
static void core_counters_show(struct seq_file *m)
{
	struct vm_stats st;

	vm_stats_global(&st);
#define SHOW(f) seq_printf(m, #f " %lld\n", (long long)st.f)
	SHOW(spaces);
	SHOW(entries);
	SHOW(objects);
	SHOW(pages);
	SHOW(shadow_objects);
	SHOW(faults);
	SHOW(faults_read);
	SHOW(faults_write);
	SHOW(zero_fills);
	SHOW(zero_page_maps);
	SHOW(cow_copies);
	SHOW(cow_renames);
	SHOW(shadows_created);
	SHOW(collapses);
	SHOW(bypasses);
	SHOW(pages_freed);
	SHOW(forks);
	SHOW(max_chain_depth);
	SHOW(peak_pages);
	SHOW(meta_bytes);
	SHOW(pages_lent);
	SHOW(lends);
	SHOW(lent_copies);
#undef SHOW
}

static int counters_show(struct seq_file *m, void *unused)
{
	struct bsdvm_counters *c = &bsdvm_counters;

	seq_printf(m, "opens %lld\n", (long long)atomic64_read(&c->opens));
	seq_printf(m, "open_files %lld\n",
		   (long long)atomic64_read(&c->open_files));
	seq_printf(m, "ioctls %lld\n", (long long)atomic64_read(&c->ioctls));
	seq_printf(m, "ioctl_errors %lld\n",
		   (long long)atomic64_read(&c->ioctl_errors));
	seq_printf(m, "linux_spaces %ld\n", bsdvm_nr_spaces());
	core_counters_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(counters);

static ssize_t test_warn_write(struct file *file, const char __user *buf,
			       size_t count, loff_t *ppos)
{
	bool on;
	int err;

	err = kstrtobool_from_user(buf, count, &on);
	if (err)
		return err;
	WARN_ONCE(on, "bsdvm: test_warn: warning on request (test only)\n");
	return count;
}

/* Writing anything restarts the core's peak_pages from the current pages. */
static ssize_t peak_reset_write(struct file *file, const char __user *buf,
				size_t count, loff_t *ppos)
{
	vm_stats_reset_peak();
	return count;
}

static const struct file_operations peak_reset_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= peak_reset_write,
	.llseek	= noop_llseek,
};

static const struct file_operations test_warn_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= test_warn_write,
	.llseek	= noop_llseek,
};

void bsdvm_debugfs_init(void)
{
	/* debugfs failures are not fatal: the dentries are then error values */
	bsdvm_debugfs_root = debugfs_create_dir("bsdvm", NULL);
	debugfs_create_file("counters", 0444, bsdvm_debugfs_root, NULL,
			    &counters_fops);
	debugfs_create_file("test_warn", 0200, bsdvm_debugfs_root, NULL,
			    &test_warn_fops);
	debugfs_create_file("peak_reset", 0200, bsdvm_debugfs_root, NULL,
			    &peak_reset_fops);
	bsdvm_dump_init();
}

void bsdvm_debugfs_exit(void)
{
	bsdvm_dump_exit();
	debugfs_remove_recursive(bsdvm_debugfs_root);
	bsdvm_debugfs_root = NULL;
}
