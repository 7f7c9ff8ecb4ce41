/* gen_sigs: fill an ocigate signature directory with COUNT real, valid
 * cosign simple-signing entries, each over a different (made-up) digest and
 * signed with the same key, in the on-disk layout verify/sig/sig_store.c reads:
 *   DIR/sha256/<64 hex>/<sha256 of the entry text>.json
 *   {"repository":"REPO","payload":"<b64>","signature":"<b64 DER>"}
 * The payload is a template made by `ocigate sig sign --payload-out` with
 * the template's digest hex replaced by each filler digest, so every entry is
 * exactly what `ocigate sig sign --add` would have written (the benchmark's
 * scale points need them to exist; the hook reads only its own digest's
 * directory).  Filler digest i is sha256("ocigate-bench-sig-<i>").
 * usage: gen_sigs DIR COUNT KEY.pem PAYLOAD_TEMPLATE TEMPLATE_HEX REPOSITORY */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

static void hex(const unsigned char *md, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0)
		return NULL;
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
		return NULL;
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static char *b64(const unsigned char *data, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	if (out != NULL)
		EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

int main(int argc, char **argv)
{
	long count;
	size_t tlen;
	char *tmpl, *pos;
	EVP_PKEY *key;
	FILE *kf;
	char path[4096];

	if (argc != 7 || (count = strtol(argv[2], NULL, 10)) < 0) {
		fprintf(stderr, "usage: gen_sigs DIR COUNT KEY.pem PAYLOAD_TEMPLATE TEMPLATE_HEX REPOSITORY\n");
		return 2;
	}
	tmpl = slurp(argv[4], &tlen);
	if (tmpl == NULL || strlen(argv[5]) != 64 || (pos = strstr(tmpl, argv[5])) == NULL) {
		fprintf(stderr, "gen_sigs: %s does not contain %s\n", argv[4], argv[5]);
		return 2;
	}
	kf = fopen(argv[3], "r");
	key = kf ? PEM_read_PrivateKey(kf, NULL, NULL, NULL) : NULL;
	if (key == NULL) {
		fprintf(stderr, "gen_sigs: cannot read private key %s\n", argv[3]);
		return 2;
	}
	fclose(kf);
	snprintf(path, sizeof path, "%s/sha256", argv[1]);
	if (mkdir(argv[1], 0700) < 0 && errno != EEXIST)
		return perror(argv[1]), 2;
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return perror(path), 2;
	for (long i = 0; i < count; i++) {
		unsigned char md[SHA256_DIGEST_LENGTH], sig[512];
		char seed[64], dhex[65], idhex[65], *p64, *s64, *text;
		size_t siglen = sizeof sig;
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		int fd, tl;

		snprintf(seed, sizeof seed, "ocigate-bench-sig-%ld", i);
		SHA256((const unsigned char *)seed, strlen(seed), md);
		hex(md, sizeof md, dhex);
		memcpy(pos, dhex, 64);
		if (ctx == NULL ||
		    EVP_DigestSignInit(ctx, NULL, EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? NULL : EVP_sha256(),
				       NULL, key) != 1 ||
		    EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)tmpl, tlen) != 1) {
			fprintf(stderr, "gen_sigs: signing failed\n");
			return 1;
		}
		EVP_MD_CTX_free(ctx);
		p64 = b64((const unsigned char *)tmpl, tlen);
		s64 = b64(sig, siglen);
		tl = asprintf(&text, "{\"repository\":\"%s\",\"payload\":\"%s\",\"signature\":\"%s\"}", argv[6],
			      p64, s64);
		if (p64 == NULL || s64 == NULL || tl < 0)
			return 1;
		SHA256((const unsigned char *)text, (size_t)tl, md);
		hex(md, sizeof md, idhex);
		snprintf(path, sizeof path, "%s/sha256/%s", argv[1], dhex);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return perror(path), 1;
		snprintf(path, sizeof path, "%s/sha256/%s/%s.json", argv[1], dhex, idhex);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, text, (size_t)tl) != tl || close(fd) < 0)
			return perror(path), 1;
		free(p64);
		free(s64);
		free(text);
	}
	EVP_PKEY_free(key);
	return 0;
}
