// SPDX-License-Identifier: GPL-2.0
/*
 * test_host.c - the userspace host's own containers and pages, checked
 * against plain arrays with random operations.
 */
#include <sys/wait.h>
#include <pthread.h>
#include <unistd.h>
#include "os.h"
#include "harness.h"

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ---- tree ---- */

#define TN 4000

TEST(tree_random_vs_array)
{
	static struct os_tree_node nodes[TN];
	static bool in[TN];
	struct os_tree t;
	int i, step;

	os_tree_init(&t);
	CHECK(os_tree_empty(&t));
	memset(in, 0, sizeof(in));
	/* node i has key 10*i (+ rekey jitter): unique and ordered by i */
	for (step = 0; step < 200000; step++) {
		i = rnd() % TN;
		if (!in[i]) {
			os_tree_insert(&t, &nodes[i], 10ull * i);
			in[i] = true;
		} else if (rnd() % 4 == 0) {
			os_tree_rekey(&t, &nodes[i], 10ull * i + rnd() % 5);
		} else {
			os_tree_remove(&t, &nodes[i]);
			in[i] = false;
		}
		if (step % 1000 == 0)
			CHECK_EQ(os_tree_check(&t), 0);
		{
			uint64_t k = rnd() % (10ull * TN + 20);
			struct os_tree_node *n = os_tree_lookup_le(&t, k);
			int j;

			/* expected: greatest in-tree node with key <= k */
			for (j = (int)(k / 10); j >= TN; j--)
				;
			for (; j >= 0; j--)
				if (in[j] && nodes[j].key <= k)
					break;
			CHECK(n == (j >= 0 ? &nodes[j] : NULL));
		}
	}
	for (i = 0; i < TN; i++)
		if (in[i])
			os_tree_remove(&t, &nodes[i]);
	CHECK(os_tree_empty(&t));
	CHECK_EQ(os_tree_check(&t), 0);
}

TEST(tree_sequential_stays_balanced)
{
	static struct os_tree_node nodes[1 << 16];
	struct os_tree t;
	int i;

	os_tree_init(&t);
	for (i = 0; i < 1 << 16; i++)
		os_tree_insert(&t, &nodes[i], i);
	CHECK_EQ(os_tree_check(&t), 0);
	CHECK(t.root->height <= 18);	/* AVL: <= 1.44 log2 n */
	for (i = 0; i < 1 << 16; i += 2)
		os_tree_remove(&t, &nodes[i]);
	CHECK_EQ(os_tree_check(&t), 0);
	CHECK(os_tree_lookup_le(&t, 4) == &nodes[3]);
	for (i = 1; i < 1 << 16; i += 2)
		os_tree_remove(&t, &nodes[i]);
	CHECK(os_tree_empty(&t));
}

/* ---- page index ---- */

#define PN 3000

TEST(pindex_random_vs_array)
{
	static vm_pindex_t keys[PN];
	static bool in[PN];
	struct os_pindex ix;
	vm_page_t fake = (vm_page_t)0;
	int i, step;

	os_pindex_init(&ix);
	memset(in, 0, sizeof(in));
	for (i = 0; i < PN; i++) {
		/* mix dense small keys with sparse huge ones */
		switch (i % 3) {
		case 0: keys[i] = i; break;
		case 1: keys[i] = ((vm_pindex_t)i << 20) + 7; break;
		default: keys[i] = ~(vm_pindex_t)0 - (vm_pindex_t)i * 977; break;
		}
	}
	for (step = 0; step < 100000; step++) {
		i = rnd() % PN;
		fake = (vm_page_t)(uintptr_t)(0x1000 + 16 * i);
		if (!in[i]) {
			if (rnd() % 8 == 0) {
				/* injected failure must leave no trace */
				os_user_fail_after(rnd() % 3);
				if (os_pindex_insert(&ix, keys[i], fake) == 0)
					in[i] = true;
				os_user_fail_after(-1);
			} else {
				CHECK_EQ(os_pindex_insert(&ix, keys[i], fake), 0);
				in[i] = true;
			}
		} else {
			CHECK(os_pindex_remove(&ix, keys[i]) == fake);
			in[i] = false;
		}
		CHECK(os_pindex_lookup(&ix, keys[i]) == (in[i] ? fake : NULL));
		if (step % 5000 == 0) {
			/* ordered walk equals the sorted set of keys */
			vm_pindex_t k = 0, prev = 0;
			size_t n = 0, want = 0;
			bool first = true;
			vm_page_t pg;
			int j;

			for (j = 0; j < PN; j++)
				want += in[j];
			while ((pg = os_pindex_next(&ix, &k, ~(vm_pindex_t)0))) {
				CHECK(first || k > prev);
				CHECK(os_pindex_lookup(&ix, k) == pg);
				first = false;
				prev = k;
				n++;
				if (k == ~(vm_pindex_t)0)
					break;
				k++;
			}
			CHECK_EQ(n, want);
			CHECK_EQ(ix.count, want);
		}
	}
	for (i = 0; i < PN; i++)
		if (in[i])
			os_pindex_remove(&ix, keys[i]);
	CHECK(ix.root == NULL);
	os_pindex_destroy(&ix);
}

TEST(pindex_next_bounds)
{
	struct os_pindex ix;
	vm_pindex_t k;
	vm_page_t a = (vm_page_t)0x1000, b = (vm_page_t)0x2000;

	os_pindex_init(&ix);
	k = 0;
	CHECK(os_pindex_next(&ix, &k, 100) == NULL);
	CHECK_EQ(os_pindex_insert(&ix, 5, a), 0);
	CHECK_EQ(os_pindex_insert(&ix, 70000, b), 0);
	k = 0;
	CHECK(os_pindex_next(&ix, &k, 4) == NULL);
	k = 5;
	CHECK(os_pindex_next(&ix, &k, 5) == a && k == 5);
	k = 6;
	CHECK(os_pindex_next(&ix, &k, 69999) == NULL);
	k = 6;
	CHECK(os_pindex_next(&ix, &k, 70000) == b && k == 70000);
	k = 0;
	CHECK(os_pindex_next(&ix, &k, ~0ull) == a && k == 5);
	CHECK(os_pindex_remove(&ix, 5) == a);
	CHECK(os_pindex_remove(&ix, 5) == NULL);
	CHECK(os_pindex_remove(&ix, 70000) == b);
	CHECK(ix.root == NULL && ix.height == 0);
	os_pindex_destroy(&ix);
}

/* ---- memory and pages ---- */

TEST(memory_accounting)
{
	int64_t b0 = os_user_live_bytes(), p0 = os_user_live_pages();
	void *m = os_zalloc(100);
	vm_page_t pg, pg2;

	CHECK(m && ((char *)m)[99] == 0);
	CHECK_EQ(os_user_live_bytes(), b0 + 100);
	os_free(m);
	os_free(NULL);
	CHECK_EQ(os_user_live_bytes(), b0);
	pg = os_page_alloc(true);
	pg2 = os_page_alloc(false);
	CHECK(pg && pg2 && os_user_page_data(pg)[4095] == 0);
	CHECK(((uintptr_t)os_user_page_data(pg) & OS_PAGE_MASK) == 0);
	CHECK_EQ(os_user_live_pages(), p0 + 2);
	os_user_page_data(pg)[7] = 42;
	os_page_copy(pg2, pg);
	CHECK_EQ(os_user_page_data(pg2)[7], 42);
	os_page_zero(pg2);
	CHECK_EQ(os_user_page_data(pg2)[7], 0);
	os_page_hold(pg);
	os_page_free(pg);		/* core lets go; the hold keeps it */
	CHECK_EQ(os_user_live_pages(), p0 + 2);
	os_page_unhold(pg);
	os_page_free(pg2);
	CHECK_EQ(os_user_live_pages(), p0);
	os_user_fail_after(0);
	CHECK(os_page_alloc(true) == NULL);
	m = os_malloc(8);		/* countdown consumed: works */
	CHECK(m);
	os_free(m);
	CHECK_EQ(os_user_zero_page_check(), 0);
	CHECK(os_zero_page() == os_zero_page());
}

/*
 * Several threads lock one mutex and hold/unhold one page at once (as
 * ptrace holds a page while the owner faults): the recursion checks read
 * the owner unlocked and page references are dropped unlocked, so both
 * must be atomic.  Run under -fsanitize=thread to see races.
 */
#define HT_THREADS	4
#define HT_ROUNDS	20000

static os_mutex_t ht_mtx;
static os_rwlock_t ht_rw;
static long ht_count;
static vm_page_t ht_pg;

static void *ht_worker(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < HT_ROUNDS; i++) {
		os_mutex_lock(&ht_mtx);
		os_mutex_assert_held(&ht_mtx);
		ht_count++;
		os_mutex_unlock(&ht_mtx);
		os_page_hold(ht_pg);
		if (i & 1) {
			os_rwlock_rlock(&ht_rw);
			os_rwlock_runlock(&ht_rw);
		} else {
			os_rwlock_wlock(&ht_rw);
			os_rwlock_assert_wlocked(&ht_rw);
			os_rwlock_wunlock(&ht_rw);
		}
		os_page_unhold(ht_pg);
	}
	return NULL;
}

TEST(locks_and_holds_threaded)
{
	pthread_t th[HT_THREADS];
	int64_t p0 = os_user_live_pages();
	int i;

	os_mutex_init(&ht_mtx);
	os_rwlock_init(&ht_rw);
	ht_count = 0;
	ht_pg = os_page_alloc(true);
	CHECK(ht_pg);
	for (i = 0; i < HT_THREADS; i++)
		CHECK_EQ(pthread_create(&th[i], NULL, ht_worker, NULL), 0);
	for (i = 0; i < HT_THREADS; i++)
		pthread_join(th[i], NULL);
	CHECK_EQ(ht_count, (long)HT_THREADS * HT_ROUNDS);
	CHECK_EQ(os_user_live_pages(), p0 + 1);
	os_page_free(ht_pg);		/* every hold gone: the last reference */
	CHECK_EQ(os_user_live_pages(), p0);
	os_mutex_destroy(&ht_mtx);
	os_rwlock_destroy(&ht_rw);
}

TEST(page_double_free_aborts)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		/* silence the expected report */
		freopen("/dev/null", "w", stderr);
		vm_page_t pg = os_page_alloc(true);

		os_page_hold(pg);
		os_page_free(pg);
		os_page_unhold(pg);
		os_page_free(pg);	/* third release: must abort */
		_exit(0);
	}
	CHECK(pid > 0);
	waitpid(pid, &st, 0);
	CHECK(WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) != 0));
}
