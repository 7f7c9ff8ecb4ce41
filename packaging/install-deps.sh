#!/bin/sh
# Install the Debian 12 packages ocigate needs to build and test, only when some are missing.
# Idempotent: when everything is installed it prints one line and touches nothing (no
# apt-get update). Runs as root, or through sudo when available.
#
# usage: packaging/install-deps.sh [--check]
#   --check   only report what is missing (exit 1 if anything is)
# OCIGATE_DEPS_GROUPS selects groups (default: "build e2e engines tools npm").
# npm: node, and @sigstore/verify with npm into a private prefix ($OCIGATE_NPM_PREFIX, default
# /opt/ocigate-npm; never global) for the differential test of the keyless verifier.
set -eu

# build: compiler, libraries (pkg-config names jansson libcrypto libseccomp libcap libnghttp2), Check.
PKGS_build="gcc make pkg-config libjansson-dev libssl-dev libseccomp-dev libcap-dev libnghttp2-dev check"
# e2e: real runtimes and the tools the shell tests use (unshare/findmnt, mount, logger, timeout);
# a registry for the delivery tests (docker-registry, htpasswd -B from apache2-utils, curl).
PKGS_e2e="runc crun busybox-static python3 python3-yaml jq util-linux mount bsdutils coreutils docker-registry apache2-utils curl openssl"
# engines and tooling for later work: Podman/containerd tests, CRI client, valgrind/ASan, benchmarks.
PKGS_engines="podman containerd containernetworking-plugins skopeo python3-grpcio python3-grpc-tools valgrind clang libclang-rt-14-dev hyperfine gnuplot-nox time"
# tools: building and checking the packages, static analysis.
PKGS_tools="dpkg-dev debhelper lintian rpm cppcheck"
# npm: a second Sigstore verifier (tests/unit/test_sigstore_conformance.c, differential); npm itself
# comes with nodesource's nodejs, or as Debian's npm package (added below when missing).
PKGS_npm="nodejs"
NPM_MODULES="@sigstore/verify@4.1.3 @sigstore/bundle@5.0.1 @sigstore/protobuf-specs@0.5.2"
NPM_PREFIX=${OCIGATE_NPM_PREFIX:-/opt/ocigate-npm}
GROUPS_DEFAULT="build e2e engines tools npm"

check_only=0
case "${1:-}" in
--check) check_only=1 ;;
"") ;;
-h | --help)
	sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
*)
	echo "install-deps.sh: unknown argument '$1' (try --help)" >&2
	exit 2
	;;
esac

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps.sh: this is not a Debian-like system (no dpkg-query/apt-get)." >&2
	echo "install-deps.sh: install the equivalents of: $PKGS_build $PKGS_e2e" >&2
	exit 1
fi

wanted=
want_npm=0
for g in ${OCIGATE_DEPS_GROUPS:-$GROUPS_DEFAULT}; do
	case $g in
	build) wanted="$wanted $PKGS_build" ;;
	e2e) wanted="$wanted $PKGS_e2e" ;;
	engines) wanted="$wanted $PKGS_engines" ;;
	tools) wanted="$wanted $PKGS_tools" ;;
	npm) wanted="$wanted $PKGS_npm"; want_npm=1 ;;
	*)
		echo "install-deps.sh: unknown group '$g' in OCIGATE_DEPS_GROUPS (build e2e engines tools npm)" >&2
		exit 2
		;;
	esac
done

missing=
for p in $wanted; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $status in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
missing=${missing# }

as_root=
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
	as_root=sudo
fi

# The npm modules, pinned, into $NPM_PREFIX (after nodejs); nothing when they are there.
npm_modules() {
	[ "$want_npm" -eq 1 ] || return 0
	if [ -f "$NPM_PREFIX/node_modules/@sigstore/verify/package.json" ] &&
		grep -q '"version": "4.1.3"' "$NPM_PREFIX/node_modules/@sigstore/verify/package.json"; then
		return 0
	fi
	echo "install-deps.sh: missing npm modules in $NPM_PREFIX: $NPM_MODULES"
	[ "$check_only" -eq 0 ] || exit 1
	if ! command -v npm >/dev/null 2>&1; then
		$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm
	fi
	# shellcheck disable=SC2086 # word splitting of the module list is intended
	$as_root npm install --prefix "$NPM_PREFIX" --no-audit --no-fund --no-save $NPM_MODULES
	echo "install-deps.sh: installed $NPM_MODULES in $NPM_PREFIX"
}

if [ -z "$missing" ]; then
	echo "install-deps.sh: all dependencies installed"
	npm_modules
	exit 0
fi
echo "install-deps.sh: missing packages: $missing"
[ "$check_only" -eq 0 ] || exit 1

if [ "$(id -u)" -ne 0 ] && [ -z "$as_root" ]; then
	echo "install-deps.sh: not root and sudo is not available; as root run:" >&2
	echo "  apt-get update && apt-get install -y --no-install-recommends $missing" >&2
	exit 1
fi
[ -z "$as_root" ] || echo "install-deps.sh: not root, using sudo"

# shellcheck disable=SC2086 # word splitting of the package list is intended
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update
# shellcheck disable=SC2086
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing

# Verify: a package apt could not install must not pass silently.
still=
for p in $missing; do
	case $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true) in
	*"install ok installed"*) ;;
	*) still="$still $p" ;;
	esac
done
if [ -n "$still" ]; then
	echo "install-deps.sh: still missing after apt-get:$still" >&2
	exit 1
fi
echo "install-deps.sh: installed $missing"
npm_modules
