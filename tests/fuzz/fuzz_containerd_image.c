/* containerd Images.Get and Images.List responses
 * (verify/identity/containerd_messages.c og_containerd_decode_get_image,
 * og_containerd_decode_list_images), and the generic protobuf walk over the
 * same bytes (og_pb_next / og_pb_enter to the maximum depth).
 * fuzz-max-len: 1048576 (OG_GRPC_MAX_MESSAGE_BYTES is 4 MiB) */
#include "verify/identity/containerd_messages.h"
#include "fuzz_util.h"
#include "verify/identity/protobuf.h"
#include "verify/common/digest.h"

/* Walk every field, entering each LEN field as a message until the depth
 * limit: every length the reader accepts must stay inside the buffer. */
static void walk(struct og_pb_reader *r)
{
	struct og_pb_field f;
	og_error e = { 0 };
	char s[64];

	while (og_pb_next(r, &f, &e) == 1) {
		FZ_ASSERT(r->off <= r->len, "reader past its end");
		if (f.wire == OG_PB_LEN) {
			struct og_pb_reader sub;

			FZ_ASSERT(f.bytes >= r->data && f.bytes + f.len <= r->data + r->len,
				  "LEN field outside its message");
			(void)og_pb_string(&f, "field", s, sizeof s, &e);
			if (og_pb_enter(r, &f, &sub, &e) == 0)
				walk(&sub);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[OG_REF_MAX], digest[OG_DIGEST_MAX];
	struct og_pb_reader r;
	og_error e = { 0 };

	if (og_containerd_decode_get_image(data, size, name, digest, &e) == 0)
		FZ_ASSERT(og_digest_valid(digest), "image target digest not valid");
	{
		struct og_containerd_image_ref *v = NULL;
		size_t n = 0;
		og_error le = { 0 };

		if (og_containerd_decode_list_images(data, size, &v, &n, &le) == 0) {
			FZ_ASSERT(n <= OG_CONTAINERD_MAX_LIST_IMAGES, "more images listed than allowed");
			for (size_t i = 0; i < n; i++)
				FZ_ASSERT(og_digest_valid(v[i].digest), "listed image digest not valid");
		} else {
			FZ_ASSERT(v == NULL && n == 0 && le.set, "list refused without a reason, or with images");
		}
		free(v);
	}
	og_pb_reader_init(&r, data, size);
	walk(&r);
	return 0;
}
