// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The library's API where no module is loaded (the build host): every
 * call fails with the init errno, BSD argument checks that need no device
 * still answer, and exactly one line on stderr says how to load bsdvm.
 * Skipped (as passes of nothing) when /dev/bsdvm exists.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "bsdvm.h"
#include "tap.h"

int main(void)
{
	struct bsdvm_arena_info ai;
	struct bsdvm_stats st;
	char vec[4], buf[4096], tmpl[] = "/tmp/bsdvm-api-XXXXXX";
	int fd, saved, n, lines = 0, i;

	if (access(BSDVM_DEVICE, F_OK) == 0) {
		printf("# %s exists: not-loaded tests skipped\n", BSDVM_DEVICE);
		return tap_done();
	}
	/* capture stderr */
	fd = mkstemp(tmpl);
	saved = dup(2);
	dup2(fd, 2);

	ok(bsdvm_in_arena((void *)0x1000, 1) == 0, "in_arena before init: 0");
	errno = 0;
	ok(bsd_mmap(NULL, 4096, BSD_PROT_READ, BSD_MAP_ANON | BSD_MAP_PRIVATE,
		    -1, 0) == BSD_MAP_FAILED && errno == ENOENT,
	   "bsd_mmap without the module: BSD_MAP_FAILED, ENOENT");
	ok(bsd_munmap((void *)0x1000, 4096) == -1 && errno == ENOENT,
	   "bsd_munmap: ENOENT");
	ok(bsd_mprotect((void *)0x1000, 4096, 1) == -1 && errno == ENOENT,
	   "bsd_mprotect: ENOENT");
	ok(bsd_minherit((void *)0x1000, 4096, 1) == -1 && errno == ENOENT,
	   "bsd_minherit: ENOENT");
	ok(bsd_madvise((void *)0x1000, 4096, 1) == -1 && errno == ENOENT,
	   "bsd_madvise: ENOENT");
	ok(bsd_mincore((void *)0x1000, 4096, vec) == -1 && errno == ENOENT,
	   "bsd_mincore: ENOENT");
	ok(bsd_brk((char *)0x1000) == BSD_MAP_FAILED && errno == ENOENT,
	   "bsd_brk: BSD_MAP_FAILED, ENOENT");
	ok(bsd_sbrk(4096) == BSD_MAP_FAILED && errno == ENOENT,
	   "bsd_sbrk: BSD_MAP_FAILED, ENOENT");
	ok(bsd_msync((void *)0x1000, 4096, 0x10) == -1 && errno == EINVAL,
	   "bsd_msync unknown flag: EINVAL before the device");
	ok(bsd_msync((void *)0x1000, 4096, BSD_MS_ASYNC | BSD_MS_INVALIDATE) ==
	   -1 && errno == EINVAL, "bsd_msync ASYNC|INVALIDATE: EINVAL");
	ok(bsd_msync((void *)0x1000, 4096, BSD_MS_SYNC) == -1 &&
	   errno == ENOENT, "bsd_msync valid flags: ENOENT");
	ok(bsdvm_stats(&st) == -1 && errno == ENOENT, "bsdvm_stats: ENOENT");
	ok(bsdvm_stats_global(&st) == -1 && errno == ENOENT,
	   "bsdvm_stats_global: ENOENT");
	ok(bsdvm_stats(NULL) == -1 && errno == EFAULT,
	   "bsdvm_stats(NULL): EFAULT");
	ok(bsdvm_available() == 0 && errno == ENOENT, "bsdvm_available: 0");
	ok(bsdvm_init() == -1 && errno == ENOENT, "bsdvm_init: -1, ENOENT");
	ok(bsdvm_arena_info(&ai) == -1 && errno == ENOENT,
	   "bsdvm_arena_info: ENOENT");
	ok(bsdvm_arena_info(NULL) == -1 && errno == EINVAL,
	   "bsdvm_arena_info(NULL): EINVAL");
	ok(bsdvm_version()[0] == '1', "bsdvm_version");

	dup2(saved, 2);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	for (i = 0; i < n; i++)
		lines += buf[i] == '\n';
	ok(lines == 1 && strstr(buf, "not loaded") && strstr(buf, "insmod"),
	   "one stderr line saying how to load the module (%d lines)", lines);
	printf("# stderr: %s", buf);
	close(fd);
	unlink(tmpl);
	return tap_done();
}
