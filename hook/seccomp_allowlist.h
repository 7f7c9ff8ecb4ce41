/* The syscalls the confined hook may make (see confine.h): evaluation,
 * logging, the atomic state and cache writes, and exit.  Everything else
 * fails with EPERM.  One list, used both by the build-time filter generator
 * (gen/seccomp_bpf_gen.c) and by the run-time fallback in confine.c. */
#ifndef OCIGATE_SECCOMP_ALLOWLIST_H
#define OCIGATE_SECCOMP_ALLOWLIST_H

static const char *const og_seccomp_allowed[] = {
	"read", "write", "readv", "writev", "pread64", "close", "lseek",
	"fstat", "newfstatat", "stat", "lstat", "statx", "fstatfs",
	"openat", "openat2", "open", "getdents64", "readlink", "readlinkat", "getcwd",
	"fcntl", "dup", "dup2", "dup3", "fsync", "fdatasync", "fchmod", "mkdirat", "mkdir",
	"renameat", "renameat2", "rename", "unlinkat", "unlink", "ftruncate",
	"flock",	/* the rollback state's writers serialise on its directory */
	"mmap", "munmap", "mremap", "mprotect", "brk", "madvise",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "setitimer", "getitimer", "alarm",
	"clock_gettime", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
	"poll", "ppoll", "futex", "getrandom",
	"getpid", "gettid", "getuid", "geteuid", "getgid", "getegid",
	"sendto", "sendmsg", "recvfrom", "recvmsg",	/* the connected syslog socket */
	"prctl",	/* libcap reads the bounding set: PR_CAPBSET_READ */
	"capget", "capset",	/* og_confine_finish drops the last capabilities */
	/* og_confine_finish applies Landlock (it can only narrow access further) */
	"landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
	"exit", "exit_group", "restart_syscall",
#if defined(__SANITIZE_ADDRESS__) || defined(OG_SECCOMP_SANITIZER)
	/* the sanitizer runtime's own needs (check-asan builds only) */
	"sigaltstack", "prlimit64", "getrlimit", "sched_yield", "sched_getaffinity", "uname",
#endif
	NULL,
};

#endif
