/* Where an installed trust bundle lives on a node (docs/trust-bundle.md).
 * `ocigate bundle pull` writes this layout; the hook reads it.  Each
 * installed bundle is a generation directory that is never changed after
 * it is published; BUNDLE_DIR/current, a symlink replaced by rename(2),
 * names the one in force.  The hook reads the link once per start and takes
 * every file from that generation, so a start during an update sees the old
 * set or the new one, never a mix. */
#ifndef OCIGATE_BUNDLE_LAYOUT_H
#define OCIGATE_BUNDLE_LAYOUT_H

#define OG_BUNDLE_DIR_DEFAULT "/var/lib/ocigate/bundle"
#define OG_BUNDLE_CURRENT "current"		/* symlink to "gen-<version>-<12 hex>" */
#define OG_BUNDLE_GEN_PREFIX "gen-"
#define OG_BUNDLE_GEN_KEEP 3			/* generations kept: hooks still reading the old */
#define OG_BUNDLE_STATE_FILE "bundle-version"	/* rollback floor, in trust.state_dir */

/* Inside a generation directory. */
#define OG_BUNDLE_DESCRIPTOR "bundle.json"		/* signed bytes, as pulled */
#define OG_BUNDLE_DESCRIPTOR_SIG "bundle.json.sig"	/* root signatures (STORE.sig format) */
#define OG_BUNDLE_TRUST_STORE "trust/store.json"	/* and trust/store.json.sig */
#define OG_BUNDLE_SIGNATURES "signatures"		/* sig_store.h layout */
#define OG_BUNDLE_VERDICTS "verdicts"			/* scan_cache.h layout */

#endif
