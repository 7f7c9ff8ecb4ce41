#!/bin/sh
# Install the Debian 12 packages ocigate needs to build and test, only when some are missing.
# Idempotent: when everything is installed it prints one line and touches nothing (no
# apt-get update). Runs as root, or through sudo when available.
#
# usage: packaging/install-deps.sh [--check]
#   --check   only report what is missing (exit 1 if anything is)
# OCIGATE_DEPS_GROUPS selects groups (default: "build e2e engines tools").
set -eu

# build: compiler, libraries (pkg-config names jansson libcrypto libseccomp libcap libnghttp2), Check.
PKGS_build="gcc make pkg-config libjansson-dev libssl-dev libseccomp-dev libcap-dev libnghttp2-dev check"
# e2e: real runtimes and the tools the shell tests use (unshare/findmnt, mount, logger, timeout);
# a registry for the delivery tests (docker-registry, htpasswd -B from apache2-utils, curl).
PKGS_e2e="runc crun busybox-static python3 python3-yaml jq util-linux mount bsdutils coreutils docker-registry apache2-utils curl"
# engines and tooling for later work: Podman/containerd tests, CRI client, valgrind/ASan, benchmarks.
PKGS_engines="podman containerd containernetworking-plugins skopeo python3-grpcio python3-grpc-tools valgrind clang libclang-rt-14-dev hyperfine gnuplot-nox time"
# tools: building and checking the packages, static analysis.
PKGS_tools="dpkg-dev debhelper lintian rpm cppcheck"

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
for g in ${OCIGATE_DEPS_GROUPS:-build e2e engines tools}; do
	case $g in
	build) wanted="$wanted $PKGS_build" ;;
	e2e) wanted="$wanted $PKGS_e2e" ;;
	engines) wanted="$wanted $PKGS_engines" ;;
	tools) wanted="$wanted $PKGS_tools" ;;
	*)
		echo "install-deps.sh: unknown group '$g' in OCIGATE_DEPS_GROUPS (build e2e engines tools)" >&2
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

if [ -z "$missing" ]; then
	echo "install-deps.sh: all dependencies installed"
	exit 0
fi
echo "install-deps.sh: missing packages: $missing"
[ "$check_only" -eq 0 ] || exit 1

if [ "$(id -u)" -eq 0 ]; then
	as_root=
elif command -v sudo >/dev/null 2>&1; then
	as_root=sudo
	echo "install-deps.sh: not root, using sudo"
else
	echo "install-deps.sh: not root and sudo is not available; as root run:" >&2
	echo "  apt-get update && apt-get install -y --no-install-recommends $missing" >&2
	exit 1
fi

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
