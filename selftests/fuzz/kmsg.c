// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel log as the fuzzer's oracle: any report of a bug (the same
 * list tools/vmtest fails a guest on) ends the run, and the seed with
 * every worker's last operations is kept for reproduction.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fuzz.h"

static const char *const splats[] = {
	"WARNING:", "BUG:", "kernel BUG", "Oops", "KASAN", "UBSAN",
	"general protection", "circular locking", "inconsistent lock state",
	"recursive locking", "suspicious RCU", "lock held when returning",
	"bad unlock balance", "held lock freed", "unreferenced object",
	"refcount_t:", "list_add corruption", "list_del corruption",
	"Bad page", "Bad rss-counter", "blocked for more than",
	"soft lockup", "scheduling while atomic",
	"sleeping function called",
};

/* /dev/kmsg from its end: only what happens from now on counts. */
int fz_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

static bool is_splat(const char *msg)
{
	unsigned int i;

	/* a process's own #GP (a non-canonical address), not the kernel's */
	if (!strncmp(msg, "traps: ", 7))
		return false;
	for (i = 0; i < ARRAY_SIZE(splats); i++)
		if (strstr(msg, splats[i]))
			return true;
	return false;
}

/* Reads what the kernel logged since; the first bad line goes to buf. */
bool fz_kmsg_splat(int fd, char *buf, size_t len)
{
	char rec[2048], *msg;
	bool found = false;
	ssize_t n;

	if (fd < 0)
		return false;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overrun: records lost */
			continue;
		if (n <= 0)
			return found;
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		if (!found && is_splat(msg)) {
			snprintf(buf, len, "%s", msg);
			found = true;
		}
	}
}

static void write_oplog(FILE *f, const struct fz_shared *sh, int workers)
{
	const struct fz_slot *s;
	const struct fz_rec *r;
	uint64_t h, i;
	int w, row;

	for (w = 0; w < workers; w++) {
		s = &sh->slot[w];
		fprintf(f, "worker %d (pid %u, restarts %u, %llu ops)\n", w,
			s->pid, s->restarts, (unsigned long long)s->ops);
		for (row = 0; row < FZ_MAX_THREADS; row++) {
			h = s->head[row];
			i = h > FZ_LOG_LEN ? h - FZ_LOG_LEN : 0;
			for (; i < h; i++) {
				r = &s->log[row][i % FZ_LOG_LEN];
				if (r->ret == FZ_RUNNING) {
					fprintf(f, "  %c%d #%llu %-16s %#llx %#llx %#llx RUNNING\n",
						row == FZ_CHILD_ROW ? 'c' : 't',
						row, (unsigned long long)r->seq,
						fz_op_name(r->op),
						(unsigned long long)r->a[0],
						(unsigned long long)r->a[1],
						(unsigned long long)r->a[2]);
					continue;
				}
				fprintf(f, "  %c%d #%llu %-16s %#llx %#llx %#llx -> %lld\n",
					row == FZ_CHILD_ROW ? 'c' : 't', row,
					(unsigned long long)r->seq,
					fz_op_name(r->op),
					(unsigned long long)r->a[0],
					(unsigned long long)r->a[1],
					(unsigned long long)r->a[2],
					(long long)r->ret);
			}
		}
	}
}

/* outdir/seed-S/: how to run it again, the splat, the last operations. */
void fz_repro(const struct fz_shared *sh, const struct fz_opts *o,
	      const char *splat)
{
	char dir[512], path[600];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/seed-%llu", o->outdir,
		 (unsigned long long)o->seed);
	mkdir(o->outdir, 0755);
	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "bsdvm-fuzz: %s: %s\n", dir, strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/args", dir);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "-s %llu -t %d -j %d -T %d\n",
			(unsigned long long)o->seed, o->seconds, o->workers,
			o->threads);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/report", dir);
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "splat: %s\n", splat);
	write_oplog(f, sh, o->workers);
	fclose(f);
	write_oplog(stderr, sh, o->workers);
	fprintf(stderr, "bsdvm-fuzz: seed %llu splats: %s\nbsdvm-fuzz: kept in %s (copy it to selftests/fuzz/repro/)\n",
		(unsigned long long)o->seed, splat, dir);
}
