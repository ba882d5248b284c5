/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Minimal TAP output for the host tests: "ok N name" / "not ok N name". */
#ifndef _BSDVM_TAP_H
#define _BSDVM_TAP_H
#include <stdio.h>
#include <string.h>

static int tap_n, tap_fail;

#define ok(cond, ...) do {						\
	int _c = !!(cond);						\
	char _name[256];						\
	snprintf(_name, sizeof(_name), __VA_ARGS__);			\
	printf("%sok %d %s\n", _c ? "" : "not ", ++tap_n, _name);	\
	if (!_c) {							\
		tap_fail++;						\
		printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	}								\
	fflush(stdout);							\
} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_fail ? 1 : 0;
}
#endif
