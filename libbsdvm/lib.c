// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lib.c - the library's state: open /dev/bsdvm and map the arena on first
 * use (thread-safe), keep working across fork, start clean after exec,
 * reopen the device if the program closed our descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <unistd.h>

#include "internal.h"

struct bv_lib bv_lib = {
	.fd = -1,
	.init_lock = PTHREAD_MUTEX_INITIALIZER,
	.map_lock = PTHREAD_MUTEX_INITIALIZER,
};

/* The shim's note on what happens when the device is missing. */
const char *bv_shim_note(void) __attribute__((weak));

const char *bsdvm_version(void)
{
	return "1.0";
}

bool bv_env_flag(const char *name, bool dflt)
{
	const char *v = getenv(name);

	if (!v || !*v)
		return dflt;
	return !(v[0] == '0' || v[0] == 'n' || v[0] == 'N' ||
		 v[0] == 'f' || v[0] == 'F');
}

/* printf to stderr without stdio (no allocation, usable inside malloc). */
void bv_log(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	if (buf[n - 1] != '\n')
		buf[n++] = '\n';
	if (write(STDERR_FILENO, buf, n) < 0)
		return;
}

static size_t arena_size_wanted(void)
{
	const char *v = getenv("BSDVM_ARENA_SIZE");
	unsigned long long n;
	char *end;

	if (!v || !*v)
		return BV_ARENA_DEFAULT;
	n = strtoull(v, &end, 0);
	switch (*end) {
	case 't': case 'T':
		n <<= 10;
		/* fall through */
	case 'g': case 'G':
		n <<= 10;
		/* fall through */
	case 'm': case 'M':
		n <<= 10;
		/* fall through */
	case 'k': case 'K':
		n <<= 10;
		break;
	default:
		break;
	}
	if (n < BV_ARENA_MIN)
		n = BV_ARENA_MIN;
	return bv_round(n);
}

static int open_device(void)
{
	int fd, hi;
	struct rlimit rl;

	fd = open(BSDVM_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/*
	 * Move it out of the way of programs that dup2() onto low numbers
	 * (shells' "exec 3>file").
	 */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 64) {
		hi = rl.rlim_cur > 1024 ? 900 : (int)rl.rlim_cur * 7 / 8;
		int nfd = fcntl(fd, F_DUPFD_CLOEXEC, hi);

		if (nfd >= 0) {
			close(fd);
			fd = nfd;
		}
	}
	return fd;
}

static const char *hint_for(int err)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return "the bsdvm module is not loaded; load it as root with "
		       "'insmod module/bsdvm.ko' (or 'modprobe bsdvm')";
	case EPERM:
	case EACCES:
		return "not permitted; run as root, or load the module with "
		       "allow_users=1 (/sys/module/bsdvm/parameters/allow_users)";
	case EPROTO:
		return "the loaded bsdvm module speaks another ABI version; "
		       "rebuild libbsdvm and the module together";
	case ENOMEM:
		return "no room for the arena; set BSDVM_ARENA_SIZE smaller";
	default:
		return "see Documentation/libbsdvm.rst";
	}
}

static int lib_init(void)
{
	struct bsdvm_version v = { .size = sizeof(v) };
	struct stat st;
	size_t size = arena_size_wanted();
	void *p = MAP_FAILED;
	int fd, err;

	fd = open_device();
	if (fd < 0)
		return errno;
	if (ioctl(fd, BSDVM_IOC_VERSION, &v) < 0) {
		err = errno == ENOTTY ? EPROTO : errno;
		goto fail;
	}
	if (v.abi_version != BSDVM_ABI_VERSION) {
		err = EPROTO;
		goto fail;
	}
	if (fstat(fd, &st) < 0) {
		err = errno;
		goto fail;
	}
	/* The arena: one shared mapping of the device at offset 0. */
	for (; size >= BV_ARENA_MIN; size /= 2) {
		p = (void *)syscall(SYS_mmap, NULL, size,
				    PROT_READ | PROT_WRITE | PROT_EXEC,
				    MAP_SHARED, fd, 0);
		if (p != MAP_FAILED || errno != ENOMEM)
			break;
	}
	if (p == MAP_FAILED) {
		err = errno;
		goto fail;
	}
	bv_lib.fd = fd;
	bv_lib.rdev = st.st_rdev;
	bv_lib.abi_version = v.abi_version;
	memcpy(bv_lib.release, v.release, sizeof(bv_lib.release));
	bv_lib.release[sizeof(bv_lib.release) - 1] = 0;
	bv_lib.start = (uintptr_t)p;
	bv_lib.end = (uintptr_t)p + size;
	bv_lib.curbrk = 0;
	if (bv_env_flag("BSDVM_DEBUG", false))
		bv_log("bsdvm: arena %#lx-%#lx (%zu MiB), fd %d, module %s",
		       (unsigned long)bv_lib.start, (unsigned long)bv_lib.end,
		       size >> 20, fd, bv_lib.release);
	return 0;
fail:
	close(fd);
	return err;
}

int bv_ready_slow(void)
{
	int err;

	pthread_mutex_lock(&bv_lib.init_lock);
	if (bv_lib.state == BV_ST_UNINIT) {
		err = lib_init();
		if (err) {
			bv_lib.err = err;
			__atomic_store_n(&bv_lib.state, BV_ST_FAILED,
					 __ATOMIC_RELEASE);
			if (!bv_env_flag("BSDVM_QUIET", false))
				bv_log("libbsdvm: cannot use %s: %s: %s%s",
				       BSDVM_DEVICE, strerror(err),
				       hint_for(err),
				       bv_shim_note ? bv_shim_note() : "");
		} else {
			__atomic_store_n(&bv_lib.state, BV_ST_READY,
					 __ATOMIC_RELEASE);
		}
	}
	err = bv_lib.state == BV_ST_READY ? 0 : bv_lib.err;
	pthread_mutex_unlock(&bv_lib.init_lock);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/*
 * Our descriptor is still /dev/bsdvm?  A program may close every
 * descriptor (closefrom) or dup2() over ours; the space belongs to the mm,
 * not to the file, so a fresh descriptor reaches the same space.
 */
static bool fd_is_ours(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
	       st.st_rdev == bv_lib.rdev;
}

int bv_ioctl(unsigned long cmd, void *arg)
{
	int fd = __atomic_load_n(&bv_lib.fd, __ATOMIC_RELAXED), nfd, saved;

	if (likely(ioctl(fd, cmd, arg) == 0))
		return 0;
	if (errno != EBADF && errno != ENOTTY && errno != EINVAL)
		return -1;
	saved = errno;
	if (fd_is_ours(fd)) {
		errno = saved;
		return -1;
	}
	pthread_mutex_lock(&bv_lib.init_lock);
	if (bv_lib.fd == fd) {
		nfd = open_device();
		if (nfd < 0) {
			pthread_mutex_unlock(&bv_lib.init_lock);
			return -1;
		}
		__atomic_store_n(&bv_lib.fd, nfd, __ATOMIC_RELAXED);
	}
	fd = bv_lib.fd;
	pthread_mutex_unlock(&bv_lib.init_lock);
	return ioctl(fd, cmd, arg) == 0 ? 0 : -1;
}

int bsdvm_init(void)
{
	return bv_ready();
}

int bsdvm_available(void)
{
	return bv_ready() == 0;
}

int bsdvm_arena_info(struct bsdvm_arena_info *info)
{
	if (!info) {
		errno = EINVAL;
		return -1;
	}
	if (bv_ready())
		return -1;
	info->start = (void *)bv_lib.start;
	info->size = bv_lib.end - bv_lib.start;
	info->fd = bv_lib.fd;
	info->abi_version = bv_lib.abi_version;
	memcpy(info->release, bv_lib.release, sizeof(info->release));
	return 0;
}

int bsdvm_in_arena(const void *addr, size_t len)
{
	if (__atomic_load_n(&bv_lib.state, __ATOMIC_ACQUIRE) != BV_ST_READY)
		return 0;
	return bv_in_arena((uintptr_t)addr, len);
}

static int stats(struct bsdvm_stats *st, unsigned int flags)
{
	if (!st) {
		errno = EFAULT;
		return -1;
	}
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->flags = flags;
	if (flags & BSDVM_STATS_GLOBAL) {
		/* The module's totals need no arena: a bare descriptor will do. */
		int fd, r;

		if (__atomic_load_n(&bv_lib.state, __ATOMIC_ACQUIRE) ==
		    BV_ST_READY)
			return bv_ioctl(BSDVM_IOC_STATS, st);
		fd = open(BSDVM_DEVICE, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return -1;
		r = ioctl(fd, BSDVM_IOC_STATS, st);
		close(fd);
		return r < 0 ? -1 : 0;
	}
	if (bv_ready())
		return -1;
	return bv_ioctl(BSDVM_IOC_STATS, st);
}

int bsdvm_stats(struct bsdvm_stats *st)
{
	return stats(st, 0);
}

int bsdvm_stats_global(struct bsdvm_stats *st)
{
	return stats(st, BSDVM_STATS_GLOBAL);
}

/*
 * fork: the module gives the child its copy of the space and the child
 * inherits our descriptor, so only the locks need care: take them all
 * before fork so that no other thread holds one in the child.
 */
/*
 * Lock order: malloc's init lock, its bins, its page lock, then map_lock,
 * then init_lock (taken under map_lock to reopen the device).
 */
static void prefork(void)
{
	if (bv_malloc_prefork)
		bv_malloc_prefork();
	pthread_mutex_lock(&bv_lib.map_lock);
	pthread_mutex_lock(&bv_lib.init_lock);
}

static void postfork_parent(void)
{
	pthread_mutex_unlock(&bv_lib.init_lock);
	pthread_mutex_unlock(&bv_lib.map_lock);
	if (bv_malloc_postfork)
		bv_malloc_postfork(0);
}

static void postfork_child(void)
{
	if (bv_malloc_postfork)
		bv_malloc_postfork(1);
	pthread_mutex_init(&bv_lib.map_lock, NULL);
	pthread_mutex_init(&bv_lib.init_lock, NULL);
	if (bv_lib.state == BV_ST_READY)
		bv_regions_fork_child();
	if (bv_counters_fork_child)
		bv_counters_fork_child();
}

__attribute__((constructor)) static void lib_ctor(void)
{
	pthread_atfork(prefork, postfork_parent, postfork_child);
}
