# SPDX-License-Identifier: GPL-2.0
# bsdvm top-level Makefile.  `make help` lists the targets.

# Default KDIR: Debian's 6.1 headers (newest installed), else the running
# kernel's.  Override: make KDIR=/lib/modules/6.12.117+deb12-amd64/build
KDIR ?= $(or $(shell ls -d /lib/modules/6.1.*-amd64/build 2>/dev/null | sort -V | tail -n 1),\
	     /lib/modules/$(shell uname -r)/build)

SUBDIRS_OPT := $(wildcard libbsdvm/Makefile bench/Makefile)

.PHONY: all module selftests tools subdirs check check-debug run checkpatch \
	deps debug-kernel clean help install bench fuzz

all: module selftests tools subdirs

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

selftests:
	$(MAKE) -C selftests

tools:
	$(MAKE) -C tools

# Optional parts of the tree, built when they exist.
subdirs:
	@set -e; for m in $(SUBDIRS_OPT); do $(MAKE) -C $$(dirname $$m); done

deps:
	tools/deps

check: deps
	tools/check

check-debug: deps
	tools/check --debug

run: deps
	tools/run

debug-kernel:
	tools/build-debug-kernel

# A long bsdvm-fuzz campaign on the debug kernel (FUZZ_SECONDS, default an
# hour); a seed that splats is kept in build/fuzz/ (Documentation/testing.rst)
FUZZ_SECONDS ?= 3600
fuzz: deps all
	tools/build-debug-kernel >/dev/null
	@mkdir -p build/fuzz
	tools/vmtest --kernel debug --timeout $$(($(FUZZ_SECONDS) + 600)) \
		--out $(CURDIR)/build/fuzz -- build/selftests/bsdvm-fuzz \
		-t $(FUZZ_SECONDS) -o $(CURDIR)/build/fuzz

# bsdvm against Linux in a guest: bench/results/<kernel>/ (bench/Makefile;
# BENCH_QUICK=1 small sizes, KERNEL=6.12 the other kernel)
bench:
	$(MAKE) -C bench bench

# The bsdvm command and its helpers (PREFIX=/usr/local, DESTDIR), and the
# optional parts that install themselves.
PREFIX ?= /usr/local
install: all
	$(MAKE) -C tools install PREFIX=$(PREFIX)
	@set -e; for m in $(SUBDIRS_OPT); do \
		if grep -q '^install:' $$m; then \
			$(MAKE) -C $$(dirname $$m) install PREFIX=$(PREFIX); fi; done

checkpatch:
	tools/checkpatch

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C selftests clean
	$(MAKE) -C tools clean
	rm -rf build

help:
	@echo 'make                 build module/bsdvm.ko (KDIR=$(KDIR)), selftests, libbsdvm'
	@echo 'make run             bsdvm run on a demo (fork, COW, mprotect, file) with a summary'
	@echo 'make install         the bsdvm command, libbsdvm (PREFIX=$(PREFIX), DESTDIR)'
	@echo 'make check           all tests: unit, guest 6.1 + 6.12, splat detector, programs'
	@echo 'make check-debug     selftests on the KASAN/lockdep/kmemleak kernel (built once)'
	@echo 'make fuzz            bsdvm-fuzz on the debug kernel (FUZZ_SECONDS=3600)'
	@echo 'make checkpatch      kernel coding style on module/linux and uapi'
	@echo 'make bench           bsdvm against Linux in a guest: tables and plots in bench/results/'
	@echo '                     (BENCH_QUICK=1 small sizes, KERNEL=6.12; Documentation/performance.rst)'
	@echo 'tools/vmtest -h      the guest runner'
