// SPDX-License-Identifier: GPL-2.0
/*
 * bsdvm-info: what the loaded bsdvm.ko says about itself (the version
 * ioctl) and its counters (debugfs bsdvm/counters, when readable).
 * Used by `make run`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/bsdvm.h>

static const char *const struct_names[BSDVM_STRUCT_COUNT] = {
	[BSDVM_STRUCT_VERSION] = "bsdvm_version",
};

int main(void)
{
	struct bsdvm_version v = { .size = sizeof(v) };
	char buf[4096];
	unsigned int i;
	ssize_t n;
	int fd;

	fd = open(BSDVM_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "bsdvm-info: %s: %s\n", BSDVM_DEVICE,
			strerror(errno));
		return 1;
	}
	if (ioctl(fd, BSDVM_IOC_VERSION, &v)) {
		fprintf(stderr, "bsdvm-info: BSDVM_IOC_VERSION: %s\n",
			strerror(errno));
		return 1;
	}
	close(fd);
	printf("bsdvm module %s, ABI version %u (this program: %u)\n",
	       v.release, v.abi_version, BSDVM_ABI_VERSION);
	for (i = 0; i < v.nr_sizes && i < BSDVM_SIZES_MAX; i++)
		printf("  struct %-16s %u bytes (here %s)\n",
		       i < BSDVM_STRUCT_COUNT ? struct_names[i] : "?",
		       v.sizes[i], i == BSDVM_STRUCT_VERSION ?
		       (v.sizes[i] == sizeof(v) ? "same" : "differs") : "-");

	fd = open("/sys/kernel/debug/bsdvm/counters", O_RDONLY);
	if (fd < 0) {
		printf("counters: /sys/kernel/debug/bsdvm/counters: %s\n",
		       strerror(errno));
		return 0;
	}
	printf("counters:\n");
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, stdout);
	close(fd);
	return 0;
}
