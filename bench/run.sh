#!/usr/bin/env bash
# run.sh: `make bench`. Generates scheduler_perf-shaped clusters (cached in
# BUILD/bench/data), times the hot paths in-process with headroom-bench, then
# end to end against `headroom serve` over TLS (one keep-alive client, and
# wrk for throughput), and prints the table bench/RESULTS.md keeps.
#
#   bench/run.sh [BUILD]     environment: BENCH_SIZES="100 1000 5000"
#                            BENCH_RUNS=200 BENCH_WRK_SECONDS=10
#                            BENCH_WRK_CONNECTIONS=16
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
sizes=${BENCH_SIZES:-100 1000 5000}
runs=${BENCH_RUNS:-200}
wrk_seconds=${BENCH_WRK_SECONDS:-10}
wrk_conns=${BENCH_WRK_CONNECTIONS:-16}
data=$build/bench/data
out=$build/bench/results
mkdir -p "$data" "$out"
rm -f "$out"/*.tsv

# A generated file is reused unless the generator changed since.
generate() { # file args...
	local file=$1
	shift
	if [ ! -s "$file" ] || [ "$top/bench/gen_cluster.py" -nt "$file" ]; then
		python3 "$top/bench/gen_cluster.py" "$@" --out "$file.tmp"
		mv "$file.tmp" "$file"
	fi
}

largest=
for n in $sizes; do
	echo "bench: $n nodes" >&2
	generate "$data/cluster-$n.json" --nodes "$n" --pods-per-node 30
	generate "$data/names-$n.json" --nodes "$n" --extender-args names
	generate "$data/sampled-$n.json" --nodes "$n" --extender-args sampled
	generate "$data/nodes-$n.json" --nodes "$n" --extender-args nodes
	"$build/bench/headroom-bench" --cluster "$data/cluster-$n.json" \
		--pod fast="$top/bench/pods/probe.json" \
		--pod anti-affinity="$top/bench/pods/anti-affinity.json" \
		--pod spread="$top/bench/pods/spread.json" \
		--filter names="$data/names-$n.json" --filter sampled="$data/sampled-$n.json" \
		--filter nodes="$data/nodes-$n.json" \
		--runs "$runs" >"$out/inproc-$n.tsv"
	largest=$n
done

# End to end on the largest cluster.
n=$largest
certs=$build/bench/certs
"$top/certs/make-certs.sh" --out "$certs" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url=https://127.0.0.1:$port
"$build/headroom" serve --listen "127.0.0.1:$port" --tls-cert "$certs/server.crt" \
	--tls-key "$certs/server.key" --snapshot "$data/cluster-$n.json" -v 0 \
	>"$out/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
	curl -sf --cacert "$certs/ca.crt" "$url/readyz" >/dev/null 2>&1 && break
	kill -0 $server 2>/dev/null || { cat "$out/serve.log" >&2; exit 1; }
	sleep 0.1
done
rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")
printf 'server\t%s\t%s\n' "$n" "$rss_kib" >"$out/server-$n.tsv"
{
	python3 "$top/bench/e2e.py" --url "$url/filter" --cacert "$certs/ca.crt" \
		--body "$data/names-$n.json" --runs "$runs" --name "filter names"
	python3 "$top/bench/e2e.py" --url "$url/filter" --cacert "$certs/ca.crt" \
		--body "$data/nodes-$n.json" --runs "$((runs / 4 + 1))" --name "filter nodes"
	python3 "$top/bench/e2e.py" --url "$url/capacity?perNode=false" --cacert "$certs/ca.crt" \
		--body "$top/bench/pods/probe.json" --runs "$runs" --name "capacity fast"
} >"$out/e2e-$n.tsv"
for mode in names sampled nodes; do
	BODY="$data/$mode-$n.json" wrk -t2 -c"$wrk_conns" -d"${wrk_seconds}s" \
		-s "$top/bench/post.lua" "$url/filter" | grep '^wrk-result' |
		sed "s/^wrk-result/wrk\tfilter $mode/" >>"$out/wrk-$n.tsv"
done
python3 "$top/bench/table.py" "$out" "$wrk_conns"
