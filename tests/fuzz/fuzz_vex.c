/* OpenVEX documents (verify/scan/vex.c og_vex_parse_openvex, og_vex_product_digest),
 * then what `verdict import` does with them: merge the statements per digest
 * (og_vex_set_merge), dump the per-digest cache form and load it back
 * (og_vex_set_dump / og_vex_set_load), and look statements up.
 * fuzz-max-len: 1048576 (OG_MAX_VEX_DOC_BYTES is 8 MiB) */
#include "fuzz_util.h"
#include "verify/scan/vex.h"

static void check_digest(const char *digest, const struct og_vex_doc *d)
{
	struct og_vex_set set, back;
	og_error e = { 0 };
	char *dump;
	size_t dlen;

	memset(&set, 0, sizeof set);
	memset(&back, 0, sizeof back);
	snprintf(set.digest, sizeof set.digest, "%s", digest);
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->items[i].digest, digest) == 0 && og_vex_set_merge(&set, &d->items[i].stmt, &e) < 0)
			goto out;
	dump = og_vex_set_dump(&set, &dlen);
	if (dump != NULL) {
		if (og_vex_set_load(dump, dlen, "vex cache", digest, &back, &e) != 0) {
			fprintf(stderr, "vex set load: %s\n", e.msg);
			FZ_ASSERT(0, "merged VEX statements do not load back");
		}
		FZ_ASSERT(back.n == set.n, "VEX cache loads back with another statement count");
		free(dump);
	}
	for (size_t i = 0; i < set.n; i++) {
		const struct og_vex_stmt *st = &set.items[i];
		const struct og_vex_stmt *hit =
			og_vex_lookup(&set, st->id, st->npackages ? st->packages[0] : "pkg");

		if (hit != NULL)
			(void)og_vex_suppresses(hit);
	}
out:
	og_vex_set_free(&back);
	og_vex_set_free(&set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct og_vex_doc d;
	og_error e = { 0 };

	memset(&d, 0, sizeof d);
	if (og_vex_parse_openvex((const char *)data, size, "vex", &d, &e) == 0) {
		/* Each distinct digest once (documents are small in practice). */
		for (size_t i = 0; i < d.n && i < 64; i++) {
			size_t j = 0;

			while (j < i && strcmp(d.items[j].digest, d.items[i].digest) != 0)
				j++;
			if (j == i)
				check_digest(d.items[i].digest, &d);
		}
	}
	og_vex_doc_free(&d);
	return 0;
}
