/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vnode.h - file-backed objects (vnode_pager.c), for the map, unmap,
 * msync and stats ioctls and module init.
 */
#ifndef _BSDVM_LINUX_VNODE_H
#define _BSDVM_LINUX_VNODE_H

#include <linux/types.h>

struct vm_object;

/*
 * The object for mapping descriptor fd with prot and flags (BSD values),
 * after do_mmap's permission checks: on 0, *objp is referenced for the
 * mapping, *credp is the mapping's rights (vm_mmap_req.cred: fd's file),
 * with a reference for the caller (os_cred_rele), and *maxp bounds its
 * protection; *anonp says fd is /dev/zero (map anonymous memory instead,
 * *objp and *credp NULL).  -errno otherwise.  Called with no lock held.
 */
int bsdvm_vnode_get(int fd, int prot, int flags, struct vm_object **objp,
		    void **credp, int *maxp, bool *anonp);
/* Drop a reference bsdvm_vnode_get gave (no lock held). */
void bsdvm_vnode_put(struct vm_object *obj);
/*
 * Wait, interruptibly and with no lock held, for the write-back and release
 * of files whose last mapping the caller removed (bsdvm_vnode_flush), or
 * of every file unmapped before the call (_all: 0 or -ERESTARTSYS).
 */
void bsdvm_vnode_flush(void);
int bsdvm_vnode_flush_all(void);
int bsdvm_vnode_init(void);
void bsdvm_vnode_exit(void);

#endif /* _BSDVM_LINUX_VNODE_H */
