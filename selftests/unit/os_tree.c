// SPDX-License-Identifier: GPL-2.0
/*
 * os_tree.c - AVL tree of map entries for the userspace host.
 *
 * Nodes are embedded in the core's entries and carry parent pointers, so
 * removal needs no search and rebalancing walks up from the change.
 */
#include "os.h"

static inline int height(struct os_tree_node *n)
{
	return n ? n->height : 0;
}

static inline void fix_height(struct os_tree_node *n)
{
	int l = height(n->left), r = height(n->right);

	n->height = (l > r ? l : r) + 1;
}

/* Point whatever pointed at old (parent link or root) at new. */
static void replace_child(struct os_tree *t, struct os_tree_node *parent,
			  struct os_tree_node *old, struct os_tree_node *new)
{
	if (!parent)
		t->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
	if (new)
		new->parent = parent;
}

static struct os_tree_node *rotate_left(struct os_tree *t,
					struct os_tree_node *x)
{
	struct os_tree_node *y = x->right;

	replace_child(t, x->parent, x, y);
	x->right = y->left;
	if (x->right)
		x->right->parent = x;
	y->left = x;
	x->parent = y;
	fix_height(x);
	fix_height(y);
	return y;
}

static struct os_tree_node *rotate_right(struct os_tree *t,
					 struct os_tree_node *x)
{
	struct os_tree_node *y = x->left;

	replace_child(t, x->parent, x, y);
	x->left = y->right;
	if (x->left)
		x->left->parent = x;
	y->right = x;
	x->parent = y;
	fix_height(x);
	fix_height(y);
	return y;
}

/* Restore balance from n up to the root. */
static void rebalance(struct os_tree *t, struct os_tree_node *n)
{
	while (n) {
		int bal = height(n->left) - height(n->right);

		if (bal > 1) {
			if (height(n->left->left) < height(n->left->right))
				rotate_left(t, n->left);
			n = rotate_right(t, n);
		} else if (bal < -1) {
			if (height(n->right->right) < height(n->right->left))
				rotate_right(t, n->right);
			n = rotate_left(t, n);
		} else {
			fix_height(n);
		}
		n = n->parent;
	}
}

void os_tree_init(struct os_tree *t)
{
	t->root = NULL;
	t->count = 0;
}

bool os_tree_empty(struct os_tree *t)
{
	return t->root == NULL;
}

void os_tree_insert(struct os_tree *t, struct os_tree_node *n, uint64_t key)
{
	struct os_tree_node **link = &t->root, *parent = NULL;

	while (*link) {
		parent = *link;
		OS_ASSERT(key != parent->key);	/* keys are unique */
		link = key < parent->key ? &parent->left : &parent->right;
	}
	n->key = key;
	n->left = n->right = NULL;
	n->parent = parent;
	n->height = 1;
	*link = n;
	t->count++;
	rebalance(t, parent);
}

void os_tree_remove(struct os_tree *t, struct os_tree_node *n)
{
	struct os_tree_node *start;

	OS_ASSERT(t->count > 0);
	if (n->left && n->right) {
		/* swap n with its in-order successor s (leftmost of right) */
		struct os_tree_node *s = n->right;

		while (s->left)
			s = s->left;
		if (s == n->right) {
			start = s;
		} else {
			start = s->parent;
			start->left = s->right;
			if (s->right)
				s->right->parent = start;
			s->right = n->right;
			s->right->parent = s;
		}
		s->left = n->left;
		s->left->parent = s;
		replace_child(t, n->parent, n, s);
		s->height = n->height;
	} else {
		struct os_tree_node *child = n->left ? n->left : n->right;

		start = n->parent;
		replace_child(t, n->parent, n, child);
	}
	n->left = n->right = n->parent = NULL;
	t->count--;
	rebalance(t, start);
}

void os_tree_rekey(struct os_tree *t, struct os_tree_node *n, uint64_t key)
{
	struct os_tree_node *p;

	/*
	 * The caller promises the order does not change; verify against the
	 * neighbours in debug builds so a bad clip is caught here.
	 */
	for (p = n->left; p && p->right; p = p->right)
		;
	OS_ASSERT(!p || p->key < key);
	for (p = n->right; p && p->left; p = p->left)
		;
	OS_ASSERT(!p || p->key > key);
	(void)t;
	n->key = key;
}

struct os_tree_node *os_tree_lookup_le(struct os_tree *t, uint64_t key)
{
	struct os_tree_node *n = t->root, *best = NULL;

	while (n) {
		if (n->key == key)
			return n;
		if (n->key < key) {
			best = n;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return best;
}

/* Returns the subtree height, or -1 when a rule is broken. */
static int check_node(struct os_tree_node *n, struct os_tree_node *parent,
		      uint64_t lo, uint64_t hi, bool has_lo, bool has_hi,
		      size_t *count)
{
	int l, r;

	if (!n)
		return 0;
	if (n->parent != parent)
		return -1;
	if ((has_lo && n->key <= lo) || (has_hi && n->key >= hi))
		return -1;
	l = check_node(n->left, n, lo, n->key, has_lo, true, count);
	r = check_node(n->right, n, n->key, hi, true, has_hi, count);
	if (l < 0 || r < 0 || l - r > 1 || r - l > 1)
		return -1;
	if (n->height != (l > r ? l : r) + 1)
		return -1;
	(*count)++;
	return n->height;
}

int os_tree_check(struct os_tree *t)
{
	size_t count = 0;

	if (check_node(t->root, NULL, 0, 0, false, false, &count) < 0)
		return EINVAL;
	return count == t->count ? 0 : EINVAL;
}
