// SPDX-License-Identifier: GPL-2.0
/*
 * dump.c - debugfs bsdvm/spaces/<pid>: each space as text (the core's
 * vm_dump_space(); format in Documentation/tracing.rst), readable by root
 * and by the process's owner.
 *
 * Files follow the space table lazily: a space's birth, death or newly
 * learnt pid schedules dump_sync, a work item that compares the table's
 * pids with the files and creates or removes files.  It runs with no mm
 * lock held: debugfs creation takes the directory's i_rwsem, which ranks
 * above mmap_lock, and removal waits for readers, who take an mmap_lock.
 * A file may therefore briefly outlive its space (reads fail with ESRCH).
 *
 * open() checks the reader's right to the process and records which
 * space the pid names then (its id: pids are reused, ids are not).  A
 * read finds that space under bsdvm_spaces_lock and pins its mm
 * (mmget_not_zero), drops that lock, takes the mm's mmap_read_lock (no
 * other lock held, no other mm's lock), finds the space again, attached,
 * and dumps it: the map lock shared, then object locks down each chain
 * (vm_dump.c).  A space gone since open() reads as ESRCH.
 */
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "vm/vm.h"
#include "vm/vm_dump.h"
#include "internal.h"
#include "space.h"

struct dump_file {
	struct list_head link;
	pid_t pid;
	struct dentry *dentry;
};

/*
 * dump_files_lock protects dump_files and dump_dir; taken only by
 * dump_sync_work and bsdvm_dump_init/exit, with no other lock held.
 */
static DEFINE_MUTEX(dump_files_lock);
static LIST_HEAD(dump_files);
static struct dentry *dump_dir;

static void dump_printf(void *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	seq_vprintf(ctx, fmt, ap);
	va_end(ap);
}

/* What an open dump file follows (seq_file private). */
struct dump_target {
	pid_t pid;
	u64 id;
};

static int dump_show(struct seq_file *m, void *unused)
{
	struct dump_target *t = m->private;
	struct vm_dump_sink sink = { .printf = dump_printf, .ctx = m };
	struct bsdvm_space *space;
	struct mm_struct *mm;
	int err = -ESRCH;

	mm = bsdvm_space_mm_get(t->id);
	if (!mm)
		return -ESRCH;
	if (mmap_read_lock_killable(mm)) {
		mmput(mm);
		return -EINTR;
	}
	space = bsdvm_space_find(mm, t->id);
	if (space && space->vs) {
		seq_printf(m, "pid %d arena 0x%lx 0x%lx\n", t->pid,
			   space->pmap.start, space->pmap.end);
		err = -vm_dump_space(space->vs, &sink);
	}
	mmap_read_unlock(mm);
	mmput(mm);
	return err;
}

/*
 * Root, or the owner: the caller's fsuid is the process's uid and euid.
 * pid is a global (init namespace) tgid, as the file names are.  The id of
 * the space of the process checked, or 0 with an errno.
 */
static u64 dump_may_read(pid_t pid, int *errp)
{
	struct task_struct *task;
	struct mm_struct *mm;
	kuid_t me = current_fsuid();
	bool mine;
	u64 id;

	*errp = -ESRCH;
	rcu_read_lock();	/* the pid, the task and its creds */
	task = pid_task(find_pid_ns(pid, &init_pid_ns), PIDTYPE_TGID);
	if (task) {
		get_task_struct(task);
		mine = uid_eq(me, __task_cred(task)->uid) &&
		       uid_eq(me, __task_cred(task)->euid);
	}
	rcu_read_unlock();
	if (!task)
		return 0;
	if (!mine && !capable(CAP_SYS_ADMIN)) {
		put_task_struct(task);
		*errp = -EACCES;
		return 0;
	}
	/* this task's own space: not one a later process with pid gets */
	mm = get_task_mm(task);
	put_task_struct(task);
	if (!mm)
		return 0;
	id = bsdvm_space_id_of(mm, pid);
	mmput(mm);
	return id;
}

static int dump_open(struct inode *inode, struct file *file)
{
	pid_t pid = (pid_t)(long)inode->i_private;
	struct dump_target *t;
	int err;

	t = kmalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->pid = pid;
	t->id = dump_may_read(pid, &err);
	if (!t->id) {
		kfree(t);
		return err;
	}
	err = single_open(file, dump_show, t);
	if (err)
		kfree(t);
	return err;
}

static int dump_release(struct inode *inode, struct file *file)
{
	kfree(((struct seq_file *)file->private_data)->private);
	return single_release(inode, file);
}

static const struct file_operations dump_fops = {
	.owner		= THIS_MODULE,
	.open		= dump_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= dump_release,
};

static bool pid_in(const pid_t *pids, int n, pid_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

static void dump_sync_work(struct work_struct *work)
{
	struct dump_file *f, *tmp;
	pid_t *pids = NULL;
	int n, max = 0, i;
	char name[16];

	/* the table may grow meanwhile: retry with room for all */
	for (;;) {
		n = bsdvm_space_pids(pids, max);
		if (n <= max)
			break;
		kfree(pids);
		max = n + 16;
		pids = kmalloc_array(max, sizeof(*pids), GFP_KERNEL);
		if (!pids)
			return;
	}
	mutex_lock(&dump_files_lock);
	if (IS_ERR_OR_NULL(dump_dir))
		goto out;
	list_for_each_entry_safe(f, tmp, &dump_files, link) {
		if (pid_in(pids, n, f->pid))
			continue;
		debugfs_remove(f->dentry);
		list_del(&f->link);
		kfree(f);
	}
	for (i = 0; i < n; i++) {
		bool have = false;

		list_for_each_entry(f, &dump_files, link)
			if (f->pid == pids[i])
				have = true;
		if (have)
			continue;
		f = kzalloc(sizeof(*f), GFP_KERNEL);
		if (!f)
			break;
		f->pid = pids[i];
		snprintf(name, sizeof(name), "%d", pids[i]);
		/* 0444: dump_open checks root-or-owner itself */
		f->dentry = debugfs_create_file(name, 0444, dump_dir,
						(void *)(long)pids[i],
						&dump_fops);
		list_add_tail(&f->link, &dump_files);
	}
out:
	mutex_unlock(&dump_files_lock);
	kfree(pids);
}

static DECLARE_WORK(dump_sync, dump_sync_work);

void bsdvm_dump_changed(void)
{
	schedule_work(&dump_sync);
}

void bsdvm_dump_init(void)
{
	mutex_lock(&dump_files_lock);
	dump_dir = debugfs_create_dir("spaces", bsdvm_debugfs_root);
	mutex_unlock(&dump_files_lock);
}

void bsdvm_dump_exit(void)
{
	struct dump_file *f, *tmp;

	cancel_work_sync(&dump_sync);
	mutex_lock(&dump_files_lock);
	list_for_each_entry_safe(f, tmp, &dump_files, link) {
		list_del(&f->link);
		kfree(f);
	}
	debugfs_remove_recursive(dump_dir);
	dump_dir = NULL;
	mutex_unlock(&dump_files_lock);
}
