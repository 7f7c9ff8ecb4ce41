/* Subcommands of the verify/ modules. */
#ifndef OCIGATE_MAIN_EXTRA_H
#define OCIGATE_MAIN_EXTRA_H

#include "verify/scan/scan_policy.h"
#include "verify/trust/trust_policy.h"

#define OG_EXTRA_COMMANDS \
	{ "trust", og_cmd_trust, "sign or verify the trust store" }, \
	{ "sig", og_cmd_sig, "add, list, verify or make image signatures" }, \
	{ "verdict", og_cmd_verdict, "import scan reports and VEX, show and prune verdicts" },

#endif
