# SPDX-License-Identifier: GPL-2.0
# The machine-independent core and its kernel host, for the top-level
# Kbuild (-include'd there).  The core includes "os.h", "vm.h" and
# "bsdvm_mman.h" by name; os.h includes "os_linux.h".
bsdvm-y += module/vm/vm_check.o
bsdvm-y += module/vm/vm_collapse.o
bsdvm-y += module/vm/vm_dump.o
bsdvm-y += module/vm/vm_fault.o
bsdvm-y += module/vm/vm_fork.o
bsdvm-y += module/vm/vm_map.o
bsdvm-y += module/vm/vm_mmap.o
bsdvm-y += module/vm/vm_object.o
bsdvm-y += module/vm/vm_pager.o
bsdvm-y += module/vm/vm_space.o
bsdvm-y += module/linux/os_linux.o
bsdvm-y += module/linux/pmap.o

ccflags-y += -I$(src)/module/vm -I$(src)/module/linux -I$(src)/uapi/linux
