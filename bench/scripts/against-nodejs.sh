#!/usr/bin/env bash
# One command for issue 21: the same seed-bench scenario against our node and against the Node.js ws gateway of
# bench/nodejs-gateway (ws + ioredis, the 2021 job), alternated in one run (A B B A by default), then every run's
# figures and the ratios ours / Node.js of their medians. Each gateway runs in a child process of the bench, with
# the example service in the bench's JVM for both (--service-in-bench, --nodejs), so that the node's CPU and memory
# are the gateway's alone. The Node.js gateway's node_modules is installed (npm ci) when missing.
#
# Usage, from the repository root after `mvn -B -q package -DskipTests`:
#   bench/scripts/against-nodejs.sh connections --clients 18000 --hold 10 --login-concurrency 128
#   bench/scripts/against-nodejs.sh fanout --clients 1000 --broadcast-rate 20 --duration 15
#   bench/scripts/against-nodejs.sh roundtrip --clients 50 --rounds 3 --no-floor
# Environment: ORDER (default "A B B A"; A is our node, B the Node.js gateway), OUT (output directory, default
# /tmp/seed-vs-nodejs), JAR (default bench/target/seed-bench.jar), NODE_JVM_ARGS (JVM arguments of our node on top
# of the launcher's own, e.g. "-Xmx256m"; default none).
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario=${1:?usage: $0 connections|fanout|roundtrip [seed-bench options...]}; shift
order=${ORDER:-A B B A}
out=${OUT:-/tmp/seed-vs-nodejs}
jar=${JAR:-bench/target/seed-bench.jar}
mkdir -p "$out"
[ -f "$jar" ] || { echo "no $jar: mvn -B -q package -DskipTests first" >&2; exit 2; }
command -v node >/dev/null || { echo "node (Node.js 18 or newer) is needed for the Node.js gateway" >&2; exit 2; }
if [ ! -d bench/nodejs-gateway/node_modules ]; then
  (cd bench/nodejs-gateway && npm ci --no-audit --no-fund)
fi
# a shared machine: never measure while another benchmark runs
others() { pgrep -af 'seed-bench|seed-gateway' | grep -v -e "$$" -e pgrep || true; }
wait_quiet() {
  local waited=0
  # /tmp/seed-quiet: someone asked the machine to stay quiet (a long build); no run starts while it exists
  while [ -n "$(others)" ] || [ -e /tmp/seed-quiet ]; do
    [ $waited -eq 0 ] && { echo "waiting for other benchmarks to end (or /tmp/seed-quiet to go):"; others; }
    sleep 10; waited=$((waited + 10))
    [ $waited -ge 1800 ] && { echo "still busy after 30 min, giving up" >&2; exit 3; }
  done
}
stamp=$(date -u +%Y%m%dT%H%M%S)
i=0
files=()
for side in $order; do
  i=$((i + 1))
  case $side in
    A) name=ours; target=(--spawn-node --service-in-bench)
       [ -n "${NODE_JVM_ARGS:-}" ] && target+=(--node-jvm-args "$NODE_JVM_ARGS") ;;
    B) name=nodejs; target=(--nodejs) ;;
    *) echo "ORDER holds A (our node) and B (Node.js), not $side" >&2; exit 2 ;;
  esac
  wait_quiet
  file="$out/$stamp-$scenario-$i-$name"
  echo "== run $i: $name, $scenario, $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
  java -jar "$jar" "$scenario" "${target[@]}" --json "$file.json" "$@" > "$file.txt" 2>&1 || echo "   (exit $?, see $file.txt)"
  grep -E '^(connections:|node memory|  direct|fanout|broadcasts|CPU|medians|gateway )' "$file.txt" | sed 's/^/   /' || true
  files+=("$file.json")
done
echo
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), node $(node --version), $(date -u)"
node bench/scripts/vs-nodejs-summary.js "${files[@]}"
