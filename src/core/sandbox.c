/* sandbox: Landlock rules over the paths a server needs and a seccomp
 * allow-list of the system calls its engines make. The list is built from
 * what the loop, the sockets, the file responder, the DNS reload, the
 * threads and glibc's allocator call (strace of the e2e suite), and kept
 * by name so that it reads as a table. */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "err.h"
#include "sandbox.h"

/* Landlock after Debian 12's headers (ABI 2): truncate (3), network (4),
 * device ioctls (5), scopes (6). */
#define SB_FS_TRUNCATE (1ULL << 14)
#define SB_FS_IOCTL_DEV (1ULL << 15)
#define SB_NET_BIND_TCP (1ULL << 0)
#define SB_NET_CONNECT_TCP (1ULL << 1)
#define SB_RULE_NET_PORT 2
#define SB_SCOPE_ABSTRACT_UNIX (1ULL << 0)
#define SB_SCOPE_SIGNAL (1ULL << 1)

struct sb_ruleset_attr {
	uint64_t fs, net, scoped;
};

struct sb_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

#if defined(__SANITIZE_ADDRESS__)
#define SB_SANITIZER 1	/* LeakSanitizer stops the world with ptrace */
#else
#define SB_SANITIZER 0
#endif

static const char *const allowed[] = {
	/* files and descriptors */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "preadv",
	"pwritev", "close", "close_range", "lseek", "fstat", "newfstatat",
	"statx", "stat", "lstat", "fstatfs", "statfs", "access", "faccessat",
	"faccessat2", "readlink", "readlinkat", "getdents64", "open",
	"openat", "openat2", "fcntl", "dup", "dup2", "dup3", "pipe2",
	"sendfile", "splice", "fsync", "fdatasync", "ftruncate", "fallocate",
	"rename", "renameat", "renameat2", "unlink", "unlinkat", "mkdir",
	"mkdirat", "rmdir", "umask", "fadvise64",
	/* memory */
	"mmap", "munmap", "mremap", "mprotect", "madvise", "brk", "membarrier",
	/* threads, signals, time */
	"futex", "set_robust_list", "get_robust_list", "rseq",
	"set_tid_address", "exit", "exit_group", "rt_sigaction",
	"rt_sigprocmask", "rt_sigreturn", "rt_sigtimedwait", "rt_sigpending",
	"sigaltstack", "restart_syscall", "tgkill", "tkill", "getpid",
	"gettid", "getppid", "getuid", "geteuid", "getgid", "getegid",
	"getgroups", "getresuid", "getresgid", "sched_yield",
	"sched_getaffinity", "getcpu", "clock_gettime", "clock_getres",
	"gettimeofday", "time", "clock_nanosleep", "nanosleep", "getrandom",
	"uname", "sysinfo", "getrlimit", "prlimit64", "getrusage",
	/* the loop */
	"epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait",
	"epoll_pwait", "epoll_pwait2", "poll", "ppoll", "select", "pselect6",
	"eventfd2", "timerfd_create", "timerfd_settime", "timerfd_gettime",
	/* sockets (socket, ioctl, clone, prctl: below, by argument) */
	"socketpair", "accept", "accept4", "connect", "getsockname",
	"getpeername", "setsockopt", "getsockopt", "sendto", "recvfrom",
	"sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "shutdown",
	NULL,
};

/* Only for sanitizer builds: LeakSanitizer at exit. */
static const char *const sanitizer_extra[] = {
	"ptrace", "wait4", "waitid", "prctl", "clone", "sched_getparam",
	"getdents", "arch_prctl",
	"sched_setaffinity", NULL,
};

void
sandbox_init(struct sandbox *sb)
{
	memset(sb, 0, sizeof *sb);
}

void
sandbox_fini(struct sandbox *sb)
{
	for (int i = 0; i < sb->npaths; i++)
		free(sb->paths[i].path);
	sb->npaths = 0;
}

int
sandbox_allow(struct sandbox *sb, const char *path, enum sandbox_access a)
{
	char *abs = realpath(path, NULL);

	if (abs == NULL)
		return -errno;
	for (int i = 0; i < sb->npaths; i++) {
		if (strcmp(sb->paths[i].path, abs) == 0) {
			if (a > sb->paths[i].access)
				sb->paths[i].access = a;
			free(abs);
			return 0;
		}
	}
	if (sb->npaths == SANDBOX_MAX_PATHS) {
		free(abs);
		return ERR_TOOBIG;
	}
	sb->paths[sb->npaths].path = abs;
	sb->paths[sb->npaths].access = a;
	sb->npaths++;
	return 0;
}

int
sandbox_allow_connect(struct sandbox *sb, uint16_t port)
{
	if (port == 0) {
		sb->connect_any = 1;
		return 0;
	}
	if (sb->nports == SANDBOX_MAX_PORTS)
		return ERR_TOOBIG;
	sb->connect_ports[sb->nports++] = port;
	return 0;
}

int
sandbox_landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0,
			 LANDLOCK_CREATE_RULESET_VERSION);

	return v < 0 ? 0 : (int)v;
}

const char *const *
sandbox_syscalls(void)
{
	return allowed;
}

const char *
sandbox_access_name(enum sandbox_access a)
{
	return a == SANDBOX_EXEC ? "exec" : a == SANDBOX_WRITE ? "write" :
		"read";
}

/* The Landlock file rights of an access, for a directory or a file. */
static uint64_t
fs_rights(enum sandbox_access a, int dir, uint64_t handled)
{
	uint64_t r = LANDLOCK_ACCESS_FS_READ_FILE;

	if (dir)
		r |= LANDLOCK_ACCESS_FS_READ_DIR;
	if (a == SANDBOX_WRITE) {
		r |= LANDLOCK_ACCESS_FS_WRITE_FILE | SB_FS_TRUNCATE;
		if (dir)
			r |= LANDLOCK_ACCESS_FS_REMOVE_FILE |
				LANDLOCK_ACCESS_FS_MAKE_REG |
				LANDLOCK_ACCESS_FS_REMOVE_DIR |
				LANDLOCK_ACCESS_FS_MAKE_DIR |
				LANDLOCK_ACCESS_FS_REFER;
	}
	if (a == SANDBOX_EXEC)
		r |= LANDLOCK_ACCESS_FS_EXECUTE;
	return r & handled;
}

static int
landlock_paths(const struct sandbox *sb, int ruleset, uint64_t handled)
{
	for (int i = 0; i < sb->npaths; i++) {
		int fd = open(sb->paths[i].path, O_PATH | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0) {
			int err = errno;
			if (fd >= 0)
				close(fd);
			return -err;
		}
		int dir = S_ISDIR(st.st_mode);
		struct landlock_path_beneath_attr pb = {
			.allowed_access = fs_rights(sb->paths[i].access, dir,
						    handled),
			.parent_fd = fd,
		};
		long rc = syscall(SYS_landlock_add_rule, ruleset,
				  LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
		int err = errno;
		close(fd);
		if (rc < 0)
			return -err;
	}
	return 0;
}

/* Sanitizer builds: LeakSanitizer reads /proc/self at exit. */
static int
landlock_sanitizer(int ruleset)
{
	int fd = open("/proc", O_PATH | O_CLOEXEC);
	struct landlock_path_beneath_attr pb = {
		.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE |
			LANDLOCK_ACCESS_FS_READ_DIR,
		.parent_fd = fd,
	};

	if (fd < 0)
		return -errno;
	long rc = syscall(SYS_landlock_add_rule, ruleset,
			  LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	int err = errno;
	close(fd);
	return rc < 0 ? -err : 0;
}

static int
landlock_ports(const struct sandbox *sb, int ruleset)
{
	for (int i = 0; i < sb->nports; i++) {
		struct sb_net_port_attr np = {
			SB_NET_CONNECT_TCP, sb->connect_ports[i],
		};
		if (syscall(SYS_landlock_add_rule, ruleset, SB_RULE_NET_PORT,
			    &np, 0) < 0)
			return -errno;
	}
	return 0;
}

/* Every right the kernel's ABI knows is handled, so that what no rule
 * grants is denied. Returns the ruleset or -errno. */
static int
landlock_ruleset(const struct sandbox *sb, int abi)
{
	struct sb_ruleset_attr attr = { .fs = (1ULL << 13) - 1 };
	size_t size = sizeof attr.fs;

	if (abi >= 2)
		attr.fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		attr.fs |= SB_FS_TRUNCATE;
	if (abi >= 5)
		attr.fs |= SB_FS_IOCTL_DEV;
	if (abi >= 4) {
		attr.net = SB_NET_BIND_TCP |
			(sb->connect_any ? 0 : SB_NET_CONNECT_TCP);
		size = offsetof(struct sb_ruleset_attr, scoped);
	}
	if (abi >= 6) {
		attr.scoped = SB_SCOPE_ABSTRACT_UNIX | SB_SCOPE_SIGNAL;
		size = sizeof attr;
	}
	int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (ruleset < 0)
		return -errno;
	int rc = landlock_paths(sb, ruleset, attr.fs);
	if (rc == 0 && SB_SANITIZER)
		rc = landlock_sanitizer(ruleset);
	if (rc == 0 && abi >= 4)
		rc = landlock_ports(sb, ruleset);
	if (rc < 0) {
		close(ruleset);
		return rc;
	}
	return ruleset;
}

static int
allow_names(scmp_filter_ctx ctx, const char *const *names)
{
	for (size_t i = 0; names[i]; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;	/* not on this architecture */
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The calls allowed only with some arguments. */
static int
allow_by_argument(scmp_filter_ctx ctx, const struct sandbox *sb)
{
	/* not AF_UNIX: Landlock does not stop a connect to a named UNIX
	 * socket (a container runtime's, the system bus) */
	static const int domains[] = { AF_INET, AF_INET6 };
	static const unsigned long ioctls[] = { FIONBIO, FIONREAD, TCGETS,
		TIOCGWINSZ, FIOCLEX, FIONCLEX, TIOCOUTQ };
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof domains / sizeof *domains; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, domains[i]));
	for (size_t i = 0; rc == 0 && i < sizeof ioctls / sizeof *ioctls; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_EQ, ioctls[i]));
	if (rc == 0 && sb->unix_sockets)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	/* threads, not processes */
	if (rc == 0 && !SB_SANITIZER)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD,
					      CLONE_THREAD));
	/* clone3 hides its flags in memory: glibc falls back to clone */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
				      SCMP_SYS(clone3), 0);
	if (rc == 0 && !SB_SANITIZER)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
				      SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME));
	return rc;
}

static int
seccomp_apply(const struct sandbox *sb)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int rc;

	if (ctx == NULL)
		return -ENOMEM;
	/* A binary tree rather than a list. The kernel (5.11+) also skips
	 * the filter for calls it allows whatever their arguments, which
	 * are all the calls of a request path. */
	(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	rc = allow_names(ctx, allowed);
	if (rc == 0 && SB_SANITIZER)
		rc = allow_names(ctx, sanitizer_extra);
	if (rc == 0)
		rc = allow_by_argument(ctx, sb);
	/* the server never starts a program: trying is an attack */
	static const char *const fatal[] = { "execve", "execveat", "ptrace",
		NULL };
	for (size_t i = 0; rc == 0 && fatal[i]; i++) {
		if ((SB_SANITIZER && i == 2) || (sb->exec && i < 2))
			continue;
		int nr = seccomp_syscall_resolve_name(fatal[i]);
		rc = seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, nr, 0);
	}
	if (rc == 0 && sb->exec)
		rc = allow_names(ctx, (const char *const[]){ "execve", NULL });
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}

int
sandbox_prepare(const struct sandbox *sb, int *ruleset)
{
	int abi = sandbox_landlock_abi();

	*ruleset = -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (abi == 0)
		return 0;
	int rc = landlock_ruleset(sb, abi);
	if (rc < 0)
		return rc;
	*ruleset = rc;
	return 0;
}

int
sandbox_enforce(const struct sandbox *sb, int ruleset)
{
	if (ruleset >= 0) {
		long rc = syscall(SYS_landlock_restrict_self, ruleset, 0);
		int err = errno;
		close(ruleset);
		if (rc < 0)
			return -err;
	}
	return seccomp_apply(sb);
}

int
sandbox_apply(const struct sandbox *sb, int *landlock)
{
	int ruleset;
	int rc = sandbox_prepare(sb, &ruleset);

	*landlock = ruleset >= 0;
	return rc < 0 ? rc : sandbox_enforce(sb, ruleset);
}
