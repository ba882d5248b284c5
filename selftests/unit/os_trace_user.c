// SPDX-License-Identifier: GPL-2.0
/*
 * os_trace_user.c - the userspace host's trace hooks (os_user.h) count
 * each event kind here; tests read and reset the counts.
 */
#include "os.h"

int64_t os_user_trace[OS_TR_NR];
