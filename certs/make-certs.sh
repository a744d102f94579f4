#!/usr/bin/env bash
# make-certs.sh: a development CA, a serving certificate and a client
# certificate (for mTLS), made with the openssl CLI. Keys stay on this machine:
# the output folder (certs/out by default) is git-ignored.
#
#   certs/make-certs.sh [--out DIR] [--san DNS:name|IP:addr ...] [--force]
#
# Default SANs: 127.0.0.1, ::1, localhost, and the in-cluster Service names
# headroom.headroom.svc and headroom.headroom.svc.cluster.local. Files:
#   ca.crt ca.key            the CA (trust root for servers and clients)
#   server.crt server.key    serving certificate, signed by the CA
#   client.crt client.key    client certificate (CN=kube-scheduler), for mTLS
# Existing files are kept unless --force (so `make run` is idempotent).
set -euo pipefail

out="$(cd "$(dirname "$0")" && pwd)/out"
force=0
sans=()
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out="$2"; shift 2 ;;
	--san) sans+=("$2"); shift 2 ;;
	--force) force=1; shift ;;
	-h|--help) sed -n '2,16p' "$0"; exit 0 ;;
	*) echo "make-certs: unknown argument $1" >&2; exit 2 ;;
	esac
done
if [ ${#sans[@]} -eq 0 ]; then
	sans=(IP:127.0.0.1 IP:::1 DNS:localhost DNS:headroom.headroom.svc
		DNS:headroom.headroom.svc.cluster.local)
fi

mkdir -p "$out"
chmod 700 "$out"
cd "$out"

if [ "$force" -eq 0 ] && [ -s ca.crt ] && [ -s server.crt ] && [ -s client.crt ]; then
	echo "make-certs: $out already has ca.crt, server.crt and client.crt (use --force to remake)"
	exit 0
fi

umask 077
san_list=$(IFS=,; echo "${sans[*]}")

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
	-subj "/CN=headroom development CA" -keyout ca.key -out ca.crt \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
	2>/dev/null

issue() { # name subject extensions...
	local name=$1 subject=$2 ext=$3
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "$subject" \
		-keyout "$name.key" -out "$name.csr" 2>/dev/null
	printf '%b' "$ext" >"$name.ext"
	openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 397 \
		-extfile "$name.ext" -out "$name.crt" 2>/dev/null
	rm -f "$name.csr" "$name.ext"
}

issue server "/CN=headroom" \
	"basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=$san_list\n"
issue client "/CN=kube-scheduler" \
	"basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n"
rm -f ca.srl
chmod 644 ca.crt server.crt client.crt
echo "make-certs: wrote CA, server ($san_list) and client certificates to $out"
