#!/usr/bin/env bash
# run-dev.sh: `make run`. Makes dev certificates if missing and serves the
# embedded real-cluster snapshot over HTTPS on 127.0.0.1:8443, after printing
# curl commands that work as printed. Ctrl-C stops it; SIGHUP reloads.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/headroom}
listen=${HEADROOM_LISTEN:-127.0.0.1:8443}
snapshot=${HEADROOM_SNAPSHOT:-$top/examples/clusters/eks-2node-t3small.json}
certs=$top/certs/out
"$top/certs/make-certs.sh" --out "$certs" >/dev/null
# HOST:PORT or [IPv6]:PORT, the port in 1..65535
listen_re='^(\[[0-9a-fA-F:.]+\]|[^]:[:space:][]+):[0-9]{1,5}$'
port=${listen##*:}
if ! [[ "$listen" =~ $listen_re ]] || ((10#$port < 1 || 10#$port > 65535)); then
	echo "headroom: HEADROOM_LISTEN=$listen is not ADDR:PORT (e.g. 127.0.0.1:9443)" >&2
	exit 2
fi
if [ ! -r "$snapshot" ]; then
	echo "headroom: cannot read the snapshot $snapshot (HEADROOM_SNAPSHOT): give a kubectl get ... -o json file" >&2
	exit 2
fi
host=${listen%:*}
host=${host#[} host=${host%]}
# the certificate names 127.0.0.1, ::1 and localhost: a wildcard listen is
# reached through loopback
case "$host" in 0.0.0.0) client_host=127.0.0.1 ;; ::) client_host=::1 ;; *) client_host=$host ;; esac
case "$client_host" in *:*) url="https://[$client_host]:$port" ;; *) url="https://$client_host:$port" ;; esac
# Something already answering there (an earlier `make run`?): say so before the
# banner, with the way out, instead of after it with the server's flag name.
# curl completes the TLS handshake, so a headroom there logs no error for the
# probe (never through a proxy: HTTPS_PROXY would answer for it). Busy means
# something answered: 0 or an HTTP error, a TLS failure, an empty or cut reply,
# a timeout after connecting; anything else (7: refused) means free.
port_in_use() {
	if ! command -v curl >/dev/null 2>&1; then
		(exec 3<>"/dev/tcp/$client_host/$port") 2>/dev/null
		return
	fi
	local code=0
	curl -sk --noproxy '*' --max-time 2 -o /dev/null "$url/healthz" 2>/dev/null || code=$?
	case "$code" in 0|22|28|35|52|56) return 0 ;; *) return 1 ;; esac
}
if port_in_use; then
	echo "headroom: $listen is already in use (another make run?); serve elsewhere with" >&2
	echo "  HEADROOM_LISTEN=127.0.0.1:9443 make run" >&2
	exit 1
fi
cat <<EOT
headroom: serving $snapshot on $url (Ctrl-C to stop)

Try, from another terminal in $top:

  # how many more copies of a 100m/100Mi pod fit (bound by the nodes' pods: 11)
  curl --cacert certs/out/ca.crt --data-binary @examples/pods/web.yaml $url/capacity

  # the same as a table, for a Deployment asking for 20 replicas
  curl --cacert certs/out/ca.crt --data-binary @examples/pods/web-deployment.yaml "$url/capacity?output=table"

  # the scheduler extender's filter verb, as kube-scheduler sends it: a pod asking
  # 1300Mi against eks-node-a, eks-node-b and eks-node-c. Answer: only eks-node-b
  # passes; eks-node-a has about 1297Mi free ("Insufficient memory") and
  # eks-node-c is not in the snapshot
  curl --cacert certs/out/ca.crt -H 'Content-Type: application/json' --data-binary @examples/extender-args.json $url/filter

  curl --cacert certs/out/ca.crt "$url/readyz?verbose"
EOT
exec "$bin" serve --listen "$listen" --tls-cert "$certs/server.crt" --tls-key "$certs/server.key" \
	--snapshot "$snapshot" -v "${HEADROOM_V:-2}"
