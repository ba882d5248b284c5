/* SPDX-License-Identifier: GPL-2.0 */
/*
 * harness.h - the smallest test harness that does the job: TEST(name)
 * defines a case, CHECK() records a failure and returns from the case,
 * main() runs every case and prints one "ok"/"FAIL" line for each, then
 * "<prog>: <passed> <failed>", the line the suite runner adds up.
 */
#ifndef _BSDVM_HARNESS_H
#define _BSDVM_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>

struct test_case {
	const char *name;
	void (*fn)(void);
	struct test_case *next;
};

extern struct test_case *test_cases;
extern int test_failed_now;

#define TEST(name)							\
	static void test_##name(void);					\
	static struct test_case tc_##name = { #name, test_##name, NULL }; \
	__attribute__((constructor)) static void reg_##name(void)	\
	{								\
		struct test_case **pp = &test_cases;			\
		while (*pp)						\
			pp = &(*pp)->next;				\
		*pp = &tc_##name;					\
	}								\
	static void test_##name(void)

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n",	\
				__FILE__, __LINE__, #cond);		\
			test_failed_now = 1;				\
			return;						\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		long long _a = (long long)(a), _b = (long long)(b);	\
		if (_a != _b) {						\
			fprintf(stderr, "  %s:%d: %s == %lld, want %s == %lld\n", \
				__FILE__, __LINE__, #a, _a, #b, _b);	\
			test_failed_now = 1;				\
			return;						\
		}							\
	} while (0)

/* Runs every case (or those named on the command line). */
int harness_main(int argc, char **argv);

#endif
