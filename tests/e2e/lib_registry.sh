# shellcheck shell=bash
# shellcheck disable=SC2034 # variables are for the sourcing scripts
# A real registry for the delivery tests: Debian's docker-registry (distribution 2.8) on
# 127.0.0.1, started by the test on a free port and stopped on exit. Sourced after lib.sh and
# e2e_init (it uses $E2E_WORK).
#
#   reg_start http   plain HTTP, no auth. REG_OPTS=(--tls-verify=false)
#   reg_start tls    HTTPS with a certificate from a CA the test makes (openssl) and htpasswd
#                    (bcrypt) basic auth. Credentials and CA are given the way skopeo reads them:
#                    REG_AUTHFILE (containers-auth.json(5)) and REG_CERTDIR (a certs.d-style
#                    directory holding ca.crt). REG_OPTS=(--authfile F --cert-dir D)
# After reg_start: REG_HOST (127.0.0.1:PORT), REG_MODE, REG_DIR, REG_PID, REG_OPTS (options for
# `ocigate sig fetch` and for skopeo inspect), REG_SKOPEO_SRC/REG_SKOPEO_DEST (the same for
# skopeo copy), REG_PY (options for cosign_layout.py). Only one registry runs at a time;
# reg_start stops the previous one.
#
#   reg_push_busybox NAME:TAG       push a busybox image (oci_image.py); sets REG_IMG_MANIFEST,
#                                   REG_IMG_CONFIG, REG_IMG_TAR
#   reg_cosign ARGS...              cosign_layout.py against the running registry
#   reg_stop

REG_PID=
REG_HOST=
REG_MODE=
REG_USER=ocigate
REG_PASS=e2e-secret-$$
REG_OPTS=()
REG_SKOPEO_SRC=()
REG_SKOPEO_DEST=()
REG_PY=()

reg_need() { # prints the missing commands
	e2e_require_cmds docker-registry skopeo htpasswd openssl python3 curl
}

reg_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# reg_make_ca DIR: ca.pem/ca.key and a server certificate for 127.0.0.1 (server.pem/.key).
reg_make_ca() {
	local d=$1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=ocigate e2e CA" \
		-keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null || return 1
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
		-keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null || return 1
	printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$d/ext.cnf"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
		-extfile "$d/ext.cnf" -out "$d/server.pem" 2>/dev/null
}

# reg_start http|tls: start the registry; returns non-zero (with the reason on stderr) if it
# does not answer /v2/ within 20 s.
reg_start() {
	local mode=$1 port tries scheme curlopt=()
	reg_stop
	REG_MODE=$mode
	REG_DIR=$E2E_WORK/registry-$mode
	rm -rf "$REG_DIR"
	mkdir -p "$REG_DIR/data" "$REG_DIR/certs.d"
	chmod 700 "$REG_DIR"
	if [ "$mode" = tls ]; then
		reg_make_ca "$REG_DIR" || {
			echo "cannot make the test CA" >&2
			return 1
		}
		cp "$REG_DIR/ca.pem" "$REG_DIR/certs.d/ca.crt"
		htpasswd -Bbn "$REG_USER" "$REG_PASS" >"$REG_DIR/htpasswd" 2>/dev/null || {
			echo "htpasswd -B failed" >&2
			return 1
		}
	fi
	for tries in 1 2 3; do
		port=$(reg_free_port)
		REG_HOST=127.0.0.1:$port
		{
			printf 'version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n'
			printf 'storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n' "$REG_DIR/data"
			printf 'http:\n  addr: %s\n' "$REG_HOST"
			if [ "$mode" = tls ]; then
				printf '  tls:\n    certificate: %s\n    key: %s\n' "$REG_DIR/server.pem" "$REG_DIR/server.key"
				printf 'auth:\n  htpasswd:\n    realm: ocigate-e2e\n    path: %s\n' "$REG_DIR/htpasswd"
			fi
		} >"$REG_DIR/config.yml"
		docker-registry serve "$REG_DIR/config.yml" >"$REG_DIR/registry.log" 2>&1 &
		REG_PID=$!
		scheme=http
		curlopt=()
		if [ "$mode" = tls ]; then
			scheme=https
			curlopt=(--cacert "$REG_DIR/ca.pem" -u "$REG_USER:$REG_PASS")
		fi
		local i
		for i in $(seq 1 100); do
			if curl -fsS "${curlopt[@]}" "$scheme://$REG_HOST/v2/" >/dev/null 2>&1; then
				break 2
			fi
			kill -0 "$REG_PID" 2>/dev/null || break
			sleep 0.2
		done
		reg_stop
	done
	if [ -z "$REG_PID" ]; then
		echo "docker-registry did not start: $(tail -n 3 "$REG_DIR/registry.log" 2>/dev/null)" >&2
		return 1
	fi
	if [ "$mode" = tls ]; then
		REG_AUTHFILE=$REG_DIR/auth.json
		REG_CERTDIR=$REG_DIR/certs.d
		jq -n --arg h "$REG_HOST" --arg a "$(printf '%s:%s' "$REG_USER" "$REG_PASS" | base64 -w0)" \
			'{auths: {($h): {auth: $a}}}' >"$REG_AUTHFILE"
		chmod 600 "$REG_AUTHFILE"
		REG_OPTS=(--authfile "$REG_AUTHFILE" --cert-dir "$REG_CERTDIR")
		REG_SKOPEO_SRC=(--src-authfile "$REG_AUTHFILE" --src-cert-dir "$REG_CERTDIR")
		REG_SKOPEO_DEST=(--dest-authfile "$REG_AUTHFILE" --dest-cert-dir "$REG_CERTDIR")
		REG_PY=(--registry "$REG_HOST" --ca "$REG_DIR/ca.pem" --user "$REG_USER:$REG_PASS")
	else
		REG_AUTHFILE=
		REG_CERTDIR=
		REG_OPTS=(--tls-verify=false)
		REG_SKOPEO_SRC=(--src-tls-verify=false)
		REG_SKOPEO_DEST=(--dest-tls-verify=false)
		REG_PY=(--registry "$REG_HOST" --http)
	fi
	return 0
}

reg_stop() {
	if [ -n "$REG_PID" ]; then
		kill "$REG_PID" 2>/dev/null
		wait "$REG_PID" 2>/dev/null
	fi
	REG_PID=
}

# Stop the registry before lib.sh's cleanup removes its directory. With lib_engines.sh (source this
# file after it), the stop joins its cleanups and its trap stays in place (it also runs the engines'
# cleanups, then e2e_cleanup); without it, this file sets the EXIT trap.
reg_cleanup() {
	local rc=$?
	reg_stop
	e2e_cleanup
	exit "$rc"
}
if declare -F eng_on_cleanup >/dev/null; then
	eng_on_cleanup reg_stop
else
	trap reg_cleanup EXIT
fi

reg_cosign() { # cosign_layout.py ARGS... against the running registry
	python3 "$E2E_DIR/cosign_layout.py" "${REG_PY[@]}" "$@"
}

# reg_push_busybox NAME:TAG [LABEL]: build a busybox image from $E2E_ROOTFS (entrypoint echo, so
# `podman run IMAGE` prints its argument) and push it with skopeo, manifest unchanged.
reg_push_busybox() {
	local ref=$1 label=${2:-e2e} out
	REG_IMG_TAR=$E2E_WORK/registry-img-${ref//[^A-Za-z0-9]/_}.tar
	out=$(python3 "$E2E_DIR/oci_image.py" --rootfs "$E2E_ROOTFS" --name "$REG_HOST/$ref" \
		--out "$REG_IMG_TAR" --entrypoint /bin/echo --label "org.example.e2e=$label") || return 1
	REG_IMG_MANIFEST=$(printf '%s\n' "$out" | sed -n 's/^MANIFEST_DIGEST=//p')
	REG_IMG_CONFIG=$(printf '%s\n' "$out" | sed -n 's/^CONFIG_DIGEST=//p')
	skopeo copy --quiet --preserve-digests "${REG_SKOPEO_DEST[@]}" "oci-archive:$REG_IMG_TAR" \
		"docker://$REG_HOST/$ref" >"$E2E_WORK/registry-push.err" 2>&1 || {
		cat "$E2E_WORK/registry-push.err" >&2
		return 1
	}
}
