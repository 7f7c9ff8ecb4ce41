/* OCI state from the runtime on stdin (runc and crun variants): og_oci_state_parse.
 * fuzz-max-len: 1048576 (OG_MAX_STATE_BYTES) */
#include "fuzz_util.h"
#include "hook/oci/oci_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct og_oci_state st;
	og_error e = { 0 };

	if (og_oci_state_parse((const char *)data, size, &st, &e) == 0) {
		/* A parsed state must hold what the hook then relies on. */
		FZ_ASSERT(st.id != NULL && st.bundle != NULL, "state parsed without id or bundle");
		FZ_ASSERT(st.annotations == NULL || json_is_object(st.annotations),
			  "annotations not an object");
	}
	og_oci_state_free(&st);
	return 0;
}
