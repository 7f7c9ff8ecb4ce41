/* gen_verdicts: fill an ocigate verdict cache with COUNT verdict files in the
 * layout verify/scan/scan_cache.c reads (CACHE/sha256/<2 hex>/<64 hex>.json,
 * directories 0755, files 0644, owned by whoever runs this: root for the
 * hook's strict ownership checks).  Each file is a copy of TEMPLATE (a verdict
 * written by `ocigate verdict import`) with every occurrence of TEMPLATE_HEX
 * replaced by the filler digest, so each names its own digest.  Filler digest
 * i is sha256("ocigate-bench-verdict-<i>").  No fsync: a benchmark fixture.
 * usage: gen_verdicts CACHE COUNT TEMPLATE TEMPLATE_HEX */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/sha.h>

int main(int argc, char **argv)
{
	long count;
	char *tmpl, path[4096];
	FILE *f;
	long n;
	int shardfd[256];

	if (argc != 5 || (count = strtol(argv[2], NULL, 10)) < 0 || strlen(argv[4]) != 64) {
		fprintf(stderr, "usage: gen_verdicts CACHE COUNT TEMPLATE TEMPLATE_HEX\n");
		return 2;
	}
	f = fopen(argv[3], "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0)
		return perror(argv[3]), 2;
	tmpl = malloc((size_t)n + 1);
	if (tmpl == NULL || fread(tmpl, 1, (size_t)n, f) != (size_t)n)
		return 2;
	tmpl[n] = '\0';
	fclose(f);
	if (strstr(tmpl, argv[4]) == NULL) {
		fprintf(stderr, "gen_verdicts: %s does not contain %s\n", argv[3], argv[4]);
		return 2;
	}
	if (mkdir(argv[1], 0755) < 0 && errno != EEXIST)
		return perror(argv[1]), 2;
	snprintf(path, sizeof path, "%s/sha256", argv[1]);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return perror(path), 2;
	for (int s = 0; s < 256; s++) {
		snprintf(path, sizeof path, "%s/sha256/%02x", argv[1], s);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return perror(path), 2;
		shardfd[s] = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (shardfd[s] < 0)
			return perror(path), 2;
	}
	for (long i = 0; i < count; i++) {
		unsigned char md[SHA256_DIGEST_LENGTH];
		char seed[64], dhex[65], name[80], *p;
		int fd;

		snprintf(seed, sizeof seed, "ocigate-bench-verdict-%ld", i);
		SHA256((const unsigned char *)seed, strlen(seed), md);
		for (int k = 0; k < 32; k++)
			sprintf(dhex + 2 * k, "%02x", md[k]);
		for (p = tmpl; (p = strstr(p, argv[4])) != NULL; p += 64)
			memcpy(p, dhex, 64);
		memcpy(argv[4], dhex, 64);	/* the template now carries this digest */
		snprintf(name, sizeof name, "%s.json", dhex);
		fd = openat(shardfd[md[0]], name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, tmpl, (size_t)n) != n || close(fd) < 0)
			return perror(name), 1;
	}
	return 0;
}
