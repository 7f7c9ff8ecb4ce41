/* Subcommands of the verify/ modules. */
#ifndef OCIGATE_MAIN_EXTRA_H
#define OCIGATE_MAIN_EXTRA_H

#include "scan_policy.h"

#define OG_EXTRA_COMMANDS \
	{ "verdict", og_cmd_verdict, "import scan reports and VEX, show and prune verdicts" },

#endif
