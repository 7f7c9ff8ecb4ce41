#!/bin/sh
# Test the packages and `make install`/`make uninstall` on this machine.
# shellcheck disable=SC2016,SC2317 # sh -c scripts are single-quoted on purpose; cleanup runs from a trap
#
# usage: sh packaging/test-packages.sh        (as root, from anywhere in the repo)
#   B=DIR                build directory for make (default: build)
#   OCIGATE_PKG_DEB=F    test this .deb instead of building one with `make deb`
#   OCIGATE_PKG_RPM=0    do not build and inspect the .rpm (default: when rpmbuild exists)
#
# The .deb is installed with dpkg -i, every installed file is checked, then it is
# removed (conffile and admin data stay) and purged (nothing may stay): a listing of
# /usr /etc /var/lib taken before the install is compared with one taken after.
# It refuses to run when ocigate is already installed: it would purge the
# machine's real installation. Output is TAP-like, ending in
# "packages: N passed, M failed"; the exit status is non-zero on any failure.
set -u

cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
VERSION=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' Makefile)
passed=0 failed=0 n=0
work=$(mktemp -d /tmp/ocigate-pkgtest.XXXXXX) || exit 2
we_installed=0

ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
# check DESCRIPTION COMMAND...: one test from a command's exit status.
check() {
	desc=$1
	shift
	if "$@" >"$work/out" 2>&1; then ok "$desc"; else
		not_ok "$desc"
		sed 's/^/#   /' "$work/out" | head -n 20
	fi
}
finish() {
	echo "1..$n"
	echo "packages: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
cleanup() {
	if [ "$we_installed" -eq 1 ] && dpkg-query -W ocigate >/dev/null 2>&1; then
		echo "# cleaning up: dpkg --purge ocigate"
		dpkg --purge ocigate >/dev/null 2>&1
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

skip_all() {
	echo "# SKIP packages: $*"
	echo "1..0"
	echo "packages: 0 passed, 0 failed"
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip_all "needs root (dpkg -i, files under /usr /etc /var/lib)"
for t in dpkg dpkg-query dpkg-buildpackage dh lintian groff python3; do
	command -v "$t" >/dev/null 2>&1 || skip_all "$t is not installed (apt-get install dpkg-dev debhelper lintian groff python3)"
done

json_valid() { python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1"; }
# Files, links and directories below the roots; state that changes on its own
# (package manager databases, caches, logs) is left out.
snapshot() {
	find /usr /etc /var/lib -xdev \
		\( -path /var/lib/dpkg -o -path /var/lib/apt -o -path /var/lib/ucf \
		-o -path /var/lib/man-db -o -path /var/lib/systemd -o -path /var/lib/containers \
		-o -path /var/lib/containerd -o -path /etc/ld.so.cache \) -prune -o -print 2>/dev/null | sort
}

# ---------------------------------------------------------------- the .deb
if dpkg-query -W -f='${Status}' ocigate 2>/dev/null | grep -q 'installed'; then
	not_ok "ocigate is already installed on this machine; refusing to install and purge over it"
	finish
fi
for p in /usr/sbin/ocigate /etc/ocigate /var/lib/ocigate /usr/share/containers/oci/hooks.d/ocigate.json; do
	if [ -e "$p" ]; then
		not_ok "$p exists (a make install?): remove it first, the purge check would be meaningless"
		finish
	fi
done

deb=${OCIGATE_PKG_DEB:-}
if [ -z "$deb" ]; then
	if make --no-print-directory deb B="$B" >"$work/deb.log" 2>&1; then
		ok "make deb (dpkg-buildpackage, lintian without errors)"
	else
		not_ok "make deb (dpkg-buildpackage, lintian without errors)"
		tail -n 30 "$work/deb.log" | sed 's/^/#   /'
		finish
	fi
	grep -E '^(E|W): ' "$work/deb.log" | sed 's/^/# lintian: /'
	deb=$B/deb/ocigate_${VERSION}_$(dpkg --print-architecture).deb
fi
check "the .deb exists: $deb" test -f "$deb"
check "the .deb is version $VERSION" sh -c "dpkg-deb -f '$deb' Version | grep -qx '$VERSION'"
check 'the binary in the .deb is dynamically linked (${shlibs:Depends} filled in)' \
	sh -c "dpkg-deb -f '$deb' Depends | grep -q libjansson"

snapshot >"$work/before"
if dpkg -i "$deb" >"$work/out" 2>&1; then
	we_installed=1
	ok "dpkg -i $(basename "$deb")"
else
	we_installed=1
	not_ok "dpkg -i $(basename "$deb")"
	sed 's/^/#   /' "$work/out"
	finish
fi

check "ocigate version prints $VERSION" sh -c "/usr/sbin/ocigate version | grep -qx 'ocigate $VERSION'"
check "the default policy lints: ocigate policy lint /etc/ocigate/policy.json" \
	/usr/sbin/ocigate policy lint /etc/ocigate/policy.json
check "the default policy is in audit mode" \
	python3 -c 'import json; assert json.load(open("/etc/ocigate/policy.json"))["mode"] == "audit"'
check "/etc/ocigate/policy.json is a conffile" \
	sh -c "dpkg-query -W -f='\${Conffiles}\n' ocigate | grep -q '^ /etc/ocigate/policy.json '"
hooks=/usr/share/containers/oci/hooks.d/ocigate.json
check "$hooks is valid JSON" json_valid "$hooks"
check "$hooks: always, createRuntime, /usr/sbin/ocigate hook --stage createRuntime" python3 - "$hooks" <<'EOF'
import json, os, sys
h = json.load(open(sys.argv[1]))
assert h["version"] == "1.0.0", h
assert h["when"] == {"always": True}, h
assert h["stages"] == ["createRuntime"], h
assert h["hook"]["path"] == "/usr/sbin/ocigate", h
assert h["hook"]["args"] == ["ocigate", "hook", "--stage", "createRuntime"], h  # the log's stage="..."
assert os.access(h["hook"]["path"], os.X_OK)
EOF
for m in /usr/share/man/man8/ocigate.8.gz /usr/share/man/man5/ocigate-policy.5.gz; do
	check "man page $m present" test -s "$m"
	check "man page $m renders without groff warnings" \
		sh -c "zcat '$m' | LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z 2>&1 | (! grep .)"
done
units=/lib/systemd/system
for u in ocigate-sync.service ocigate-sync.timer; do
	check "$units/$u present" test -s "$units/$u"
done
check "ocigate-sync.service runs the bundle pull of the installed binary and policy" \
	grep -qxF 'ExecStart=/usr/sbin/ocigate bundle pull --policy /etc/ocigate/policy.json ${OCIGATE_BUNDLE_REF}' \
	"$units/ocigate-sync.service"
check "ocigate-sync.timer has OnBootSec, OnUnitActiveSec and RandomizedDelaySec" sh -c \
	"grep -q '^OnBootSec=' $units/ocigate-sync.timer && grep -q '^OnUnitActiveSec=' $units/ocigate-sync.timer &&
	 grep -q '^RandomizedDelaySec=' $units/ocigate-sync.timer"
check "/etc/default/ocigate-sync is a conffile" \
	sh -c "dpkg-query -W -f='\${Conffiles}\n' ocigate | grep -q '^ /etc/default/ocigate-sync '"
if command -v systemd-analyze >/dev/null 2>&1; then
	# --man=no: Documentation= may name a man page this machine cannot show.
	check "systemd-analyze verify ocigate-sync.service ocigate-sync.timer" sh -c \
		"systemd-analyze verify --man=no $units/ocigate-sync.service $units/ocigate-sync.timer 2>&1 | (! grep .)"
else
	ok "systemd-analyze verify # SKIP systemd-analyze not installed"
fi
if [ -d /run/systemd/system ]; then
	check "the timer is installed but not enabled (it needs OCIGATE_BUNDLE_REF first)" \
		sh -c '[ "$(systemctl is-enabled ocigate-sync.timer 2>/dev/null)" = disabled ]'
fi
check "/var/lib/ocigate is a root-owned directory, mode 0700" \
	sh -c '[ "$(stat -c %a:%U:%G /var/lib/ocigate)" = "700:root:root" ]'
if /usr/sbin/ocigate --help 2>&1 | grep -q containerd-spec; then
	check "ocigate containerd-spec prints JSON with the hook" sh -c \
		'/usr/sbin/ocigate containerd-spec | python3 -c "import json,sys; s=json.load(sys.stdin); assert s[\"hooks\"][\"createRuntime\"][0][\"path\"] == \"/usr/sbin/ocigate\"; assert s[\"mounts\"] and s[\"linux\"][\"namespaces\"]"'
else
	not_ok "ocigate containerd-spec is not a command of the installed binary"
fi

# The Podman end-to-end test against the installed files: /usr/sbin/ocigate and the packaged
# hooks.d file (only the test policy is added to its arguments).
repo=$(cd "$(dirname "$0")/.." && pwd)
if OCIGATE_E2E_INSTALLED=1 OCIGATE_BIN=/usr/sbin/ocigate bash "$repo/tests/e2e/run.sh" test_podman.sh >"$work/podman" 2>&1; then
	ok "the Podman end-to-end test passes against the installed binary and hooks.d file"
else
	not_ok "the Podman end-to-end test passes against the installed binary and hooks.d file"
	sed 's/^/#   /' "$work/podman" | tail -n 30
fi

# Remove (not purge): the modified conffile and admin data stay.
echo '{"version": 1, "mode": "audit", "runtime": {"preset": "restricted"}}' >/etc/ocigate/policy.json
mkdir -p /var/lib/ocigate/verdicts && echo admin-data >/var/lib/ocigate/verdicts/keep
check "dpkg -r ocigate" dpkg -r ocigate
check "after remove: the binary, man pages, hooks.d file and sync units are gone" sh -c \
	"! [ -e /usr/sbin/ocigate ] && ! [ -e $hooks ] && ! [ -e /usr/share/man/man8/ocigate.8.gz ] && ! [ -e /usr/share/man/man5/ocigate-policy.5.gz ] && ! [ -e $units/ocigate-sync.service ] && ! [ -e $units/ocigate-sync.timer ]"
check "after remove: the modified conffile stays" grep -q restricted /etc/ocigate/policy.json
check "after remove: admin data in /var/lib/ocigate stays" test -f /var/lib/ocigate/verdicts/keep
check "dpkg --purge ocigate" dpkg --purge ocigate
we_installed=0
check "after purge: /etc/ocigate and /var/lib/ocigate are gone" \
	sh -c '! [ -e /etc/ocigate ] && ! [ -e /var/lib/ocigate ]'
check "after purge: dpkg knows no ocigate package" sh -c '! dpkg-query -W -f="\${Status}" ocigate 2>/dev/null | grep -q installed'

snapshot >"$work/after"
# Anything that differs and names ocigate or lies where the package installed
# files is a leftover (or a removed file of someone else's); other differences
# come from concurrent activity on the machine and are only reported.
dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|; s|/$||' | grep -v '^$' >"$work/pkgpaths"
comm -3 "$work/before" "$work/after" | sed 's/^[[:space:]]*//' >"$work/diff"
: >"$work/related"
while IFS= read -r p; do
	case $p in
	*ocigate*) echo "$p" >>"$work/related" ;;
	*)
		if grep -qxF "$p" "$work/pkgpaths"; then echo "$p" >>"$work/related"; else echo "# unrelated change during the test: $p"; fi
		;;
	esac
done <"$work/diff"
if [ -s "$work/related" ]; then
	not_ok "after purge: /usr /etc /var/lib are as before the install"
	sed 's/^/#   differs: /' "$work/related"
else
	ok "after purge: /usr /etc /var/lib are as before the install"
fi

# ---------------------------------------------------------------- the .rpm
if [ "${OCIGATE_PKG_RPM:-1}" != 0 ] && command -v rpmbuild >/dev/null 2>&1; then
	if make --no-print-directory rpm B="$B" >"$work/rpm.log" 2>&1; then
		ok "make rpm (rpmbuild -bb)"
		rpmf=$(find "$B/rpm/RPMS" -name "ocigate-$VERSION-*.rpm" | head -n 1)
		rpm -qlvp "$rpmf" >"$work/rpmlist" 2>/dev/null
		for f in /usr/sbin/ocigate /etc/ocigate/policy.json /usr/share/containers/oci/hooks.d/ocigate.json \
			/usr/share/man/man8/ocigate.8.gz /usr/share/man/man5/ocigate-policy.5.gz \
			/usr/lib/systemd/system/ocigate-sync.service /usr/lib/systemd/system/ocigate-sync.timer \
			/etc/default/ocigate-sync; do
			check "the .rpm contains $f" grep -q " $f\$" "$work/rpmlist"
		done
		check "the .rpm marks /etc/ocigate/policy.json %config(noreplace)" \
			sh -c "rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' '$rpmf' | grep -qx '/etc/ocigate/policy.json cn'"
		check "the .rpm owns /var/lib/ocigate with mode 0700" grep -q '^drwx------ .* /var/lib/ocigate$' "$work/rpmlist"
	else
		not_ok "make rpm (rpmbuild -bb)"
		tail -n 30 "$work/rpm.log" | sed 's/^/#   /'
	fi
else
	ok "make rpm # SKIP rpmbuild not installed (apt-get install rpm) or OCIGATE_PKG_RPM=0"
fi

# ---------------------------------------------------------------- make install/uninstall
dest=$work/destdir
if make --no-print-directory install B="$B" DESTDIR="$dest" >"$work/out" 2>&1; then
	ok "make install DESTDIR=..."
else
	not_ok "make install DESTDIR=..."
	tail -n 20 "$work/out" | sed 's/^/#   /'
fi
for f in /usr/sbin/ocigate /etc/ocigate/policy.json /usr/share/containers/oci/hooks.d/ocigate.json \
	/usr/share/man/man8/ocigate.8.gz /usr/share/man/man5/ocigate-policy.5.gz \
	/lib/systemd/system/ocigate-sync.service /lib/systemd/system/ocigate-sync.timer /etc/default/ocigate-sync; do
	check "make install put $f in place" test -s "$dest$f"
done
check "make install: /var/lib/ocigate mode 0700" sh -c "[ \"\$(stat -c %a '$dest/var/lib/ocigate')\" = 700 ]"
# gzip header: no FNAME flag, MTIME 0, XFL 2 (best compression).
for m in man8/ocigate.8.gz man5/ocigate-policy.5.gz; do
	check "make install: $m is gzip -9n (no name, no time stamp)" sh -c \
		"[ \"\$(od -An -tx1 -N9 '$dest/usr/share/man/$m' | tr -d ' \n')\" = 1f8b08000000000002 ]"
done
check "make uninstall" make --no-print-directory uninstall B="$B" DESTDIR="$dest"
check "make uninstall of an unmodified install leaves no file" sh -c "[ -z \"\$(find '$dest' ! -type d)\" ]"
check "make uninstall removes /etc/ocigate and /var/lib/ocigate" \
	sh -c "! [ -e '$dest/etc/ocigate' ] && ! [ -e '$dest/var/lib/ocigate' ]"

make --no-print-directory install B="$B" DESTDIR="$dest" >/dev/null 2>&1
echo '{"version": 1, "mode": "enforce"}' >"$dest/etc/ocigate/policy.json"
mkdir -p "$dest/var/lib/ocigate/signatures" && echo sig >"$dest/var/lib/ocigate/signatures/x"
check "make install over a modified policy keeps it" sh -c \
	"make --no-print-directory install B='$B' DESTDIR='$dest' >/dev/null && grep -q enforce '$dest/etc/ocigate/policy.json'"
check "make uninstall with a modified policy and admin data" \
	make --no-print-directory uninstall B="$B" DESTDIR="$dest"
find "$dest" ! -type d | sed "s|^$dest||" | sort >"$work/left"
printf '%s\n' /etc/ocigate/policy.json /var/lib/ocigate/signatures/x >"$work/want"
if cmp -s "$work/left" "$work/want"; then
	ok "make uninstall leaves only the modified policy and the admin data"
else
	not_ok "make uninstall leaves only the modified policy and the admin data"
	diff "$work/want" "$work/left" | sed 's/^/#   /'
fi

finish
