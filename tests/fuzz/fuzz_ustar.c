/* The trust bundle's tar reader (hook/delivery/ustar.c og_ustar_extract):
 * each input is an archive unpacked into an empty private directory with
 * small limits; afterwards the directory must hold only regular files and
 * directories (nothing else is ever made), and after a refusal nothing.
 * fuzz-max-len: 65536 */
#include "fuzz_util.h"
#include "hook/delivery/ustar.h"

#include <dirent.h>

static char dest[512], input[512];
static int destfd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_mkdir("dest", dest, sizeof dest);
	destfd = open(dest, O_RDONLY | O_DIRECTORY);
	if (destfd < 0)
		fz_die("open %s", dest);
	return 0;
}

/* Only files and directories below dfd; the number of entries. */
static size_t check_tree(int dfd)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY);
	DIR *d = fdopendir(fd);
	struct dirent *de;
	size_t n = 0;

	FZ_ASSERT(d != NULL, "cannot list the destination");
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		n++;
		FZ_ASSERT(fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0, "stat");
		FZ_ASSERT(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode), "something other than a file or directory");
		FZ_ASSERT((st.st_mode & 07777) == (S_ISDIR(st.st_mode) ? 0755u : 0644u), "mode not ours");
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);

			FZ_ASSERT(sub >= 0, "open a directory made");
			check_tree(sub);
			close(sub);
		}
	}
	closedir(d);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct og_ustar_limits lim = { .max_entries = 64, .max_file_bytes = 16384,
						    .max_total_bytes = 65536 };
	struct og_ustar_stats st;
	og_error e = { 0 };
	int fd, rc;

	fz_write("in.tar", data, size, input, sizeof input);
	fd = open(input, O_RDONLY);
	FZ_ASSERT(fd >= 0, "open input");
	rc = og_ustar_extract(fd, destfd, &lim, NULL, NULL, &st, &e);
	close(fd);
	fz_note("ustar", rc, e.msg);
	if (rc == 0)
		FZ_ASSERT(check_tree(destfd) == 0 || st.files + st.dirs > 0, "entries not counted");
	else
		FZ_ASSERT(check_tree(destfd) == 0, "something left behind after a refusal");
	FZ_ASSERT(og_ustar_empty_dir(destfd, &e) == 0, "cannot empty the destination");
	return 0;
}
