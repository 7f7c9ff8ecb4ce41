#!/bin/sh
# Build the Debian or RPM package from a clean copy of the work tree.
# shellcheck disable=SC2016 # the sh -c script is single-quoted on purpose
#
# usage: packaging/build-package.sh deb|rpm VERSION OUTDIR
#
# The copy holds the files git tracks plus untracked files that are not
# ignored (git ls-files -co --exclude-standard), so uncommitted work is
# packaged but build outputs are not. deb: dpkg-buildpackage -us -uc -b, then
# lintian, failing on errors. rpm: rpmbuild -bb from a tarball of the copy.
set -eu

die() {
	echo "build-package.sh: $*" >&2
	exit 1
}

[ $# -eq 3 ] || die "usage: build-package.sh deb|rpm VERSION OUTDIR"
kind=$1 version=$2 out=$3
case $kind in deb | rpm) ;; *) die "unknown package kind '$kind' (deb or rpm)" ;; esac
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
src=$(cd "$(dirname "$0")/.." && pwd)
name=ocigate-$version

# A make invoked with B=... exports it in MAKEFLAGS: the inner build must use
# its own tree, not the caller's build directory.
unset MAKEFLAGS MFLAGS MAKELEVEL B

# The version lives in three places; a package whose metadata disagrees with
# `ocigate version` is worse than no package.
deb_version=$(sed -n '1s/^ocigate (\([^)-]*\).*/\1/p' "$src/packaging/debian/changelog")
rpm_version=$(sed -n 's/^Version:[[:space:]]*//p' "$src/packaging/ocigate.spec")
[ "$deb_version" = "$version" ] || die "packaging/debian/changelog says $deb_version, the Makefile $version"
[ "$rpm_version" = "$version" ] || die "packaging/ocigate.spec says $rpm_version, the Makefile $version"

copy_tree() { # copy_tree DEST
	mkdir -p "$1"
	if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		# Tracked files deleted in the work tree are listed too: skip them.
		(cd "$src" && git ls-files -co --exclude-standard -z) |
			(cd "$src" && xargs -0 sh -c 'for f; do [ -e "$f" ] || [ -L "$f" ] && printf "%s\0" "$f"; done; :' sh) |
			(cd "$src" && tar --null -T - -cf -) | tar -C "$1" -xf -
	else
		(cd "$src" && tar --exclude=./.git --exclude=./build --exclude='./build-*' -cf - .) | tar -C "$1" -xf -
	fi
	[ -f "$1/Makefile" ] || die "copying the tree to $1 failed"
}

case $kind in
deb)
	for t in dpkg-buildpackage dh lintian; do
		command -v "$t" >/dev/null 2>&1 || die "$t not found (apt-get install dpkg-dev debhelper lintian)"
	done
	rm -rf "$out/deb"
	copy_tree "$out/deb/$name"
	rm -rf "$out/deb/$name/debian"
	cp -a "$src/packaging/debian" "$out/deb/$name/debian"
	(cd "$out/deb/$name" && dpkg-buildpackage -us -uc -b)
	arch=$(dpkg-architecture -qDEB_HOST_ARCH)
	deb=$out/deb/ocigate_${version}_$arch.deb
	[ -f "$deb" ] || die "dpkg-buildpackage did not produce $deb"
	echo "build-package.sh: lintian $deb"
	# Errors fail the build; warnings are shown. lintian refuses nothing as root.
	lintian --fail-on error --info "$deb"
	echo "build-package.sh: built $deb"
	;;
rpm)
	command -v rpmbuild >/dev/null 2>&1 || die "rpmbuild not found (apt-get install rpm)"
	top=$out/rpm
	rm -rf "$top"
	mkdir -p "$top/SOURCES" "$top/SPECS" "$top/BUILD" "$top/RPMS" "$top/SRPMS" "$top/stage"
	copy_tree "$top/stage/$name"
	tar -C "$top/stage" --owner=0 --group=0 --sort=name -czf "$top/SOURCES/$name.tar.gz" "$name"
	rm -rf "$top/stage"
	cp "$src/packaging/ocigate.spec" "$top/SPECS/"
	set -- --define "_topdir $top"
	# On a dpkg-based machine the rpm database is empty, so BuildRequires cannot
	# be checked (the build dependencies are Debian packages) and there are no
	# debuginfo tools: build without both there.
	if ! rpm -q rpm >/dev/null 2>&1; then
		echo "build-package.sh: rpm database does not know the build tools: building with --nodeps"
		set -- "$@" --nodeps --define "debug_package %{nil}"
	fi
	rpmbuild "$@" -bb "$top/SPECS/ocigate.spec"
	find "$top/RPMS" -name "ocigate-$version-*.rpm" | grep -q . || die "rpmbuild produced no package"
	echo "build-package.sh: built $(find "$top/RPMS" -name "ocigate-$version-*.rpm")"
	;;
esac
