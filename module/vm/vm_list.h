/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm_list.h - a circular doubly linked list with a sentinel head, the same
 * on every host, so the core does not depend on the host's list macros.
 */
#ifndef _BSDVM_VM_LIST_H
#define _BSDVM_VM_LIST_H

struct vm_list {
	struct vm_list *next;
	struct vm_list *prev;
};

static inline void vm_list_init(struct vm_list *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool vm_list_empty(const struct vm_list *head)
{
	return head->next == head;
}

/* Insert n after pos. */
static inline void vm_list_insert_after(struct vm_list *pos, struct vm_list *n)
{
	n->prev = pos;
	n->next = pos->next;
	pos->next->prev = n;
	pos->next = n;
}

static inline void vm_list_insert_tail(struct vm_list *head, struct vm_list *n)
{
	vm_list_insert_after(head->prev, n);
}

static inline void vm_list_remove(struct vm_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n;
	n->prev = n;
}

#define vm_list_entry(ptr, type, member) container_of(ptr, type, member)

#define vm_list_foreach(pos, head) \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

#endif /* _BSDVM_VM_LIST_H */
