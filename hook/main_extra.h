/* Subcommands of the verify/ modules. */
#ifndef OCIGATE_MAIN_EXTRA_H
#define OCIGATE_MAIN_EXTRA_H

#define OG_EXTRA_COMMANDS

#endif
