#!/usr/bin/env bash
# Where a fan-out delivery's CPU goes (issue 21): runs seed-bench fanout against our node (or the Node.js gateway with
# --nodejs) and, inside the measured window, records the gateway's process with perf for 10 s (999 Hz, call graphs)
# and reads its user and system time from /proc/<pid>/stat over the same 10 s. For our node the JIT's symbols are
# written at the end (jcmd Compiler.perfmap), so perf report names compiled Java methods.
#
# Usage, from the repository root after `mvn -B -q package -DskipTests` (perf installed, run as root or with
# kernel.perf_event_paranoid <= 1 for kernel frames):
#   bench/scripts/profile-fanout.sh                 # our node, 3 s warm-up as in against-nodejs.sh
#   WARMUP=30 bench/scripts/profile-fanout.sh       # steady state: the JIT done compiling the delivery path
#   bench/scripts/profile-fanout.sh --nodejs        # the Node.js gateway
# then e.g. perf report -i $OUT/perf.data --no-children --sort comm,dso; --sort sym; --children --sort sym.
# Environment: OUT (default /tmp/seed-profile-fanout), JAR (default bench/target/seed-bench.jar), WARMUP (seconds of
# broadcasts before the window, default 3), CLIENTS (1000), RATE (broadcasts/s, 20).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/seed-profile-fanout}
jar=${JAR:-bench/target/seed-bench.jar}
warmup=${WARMUP:-3}
mkdir -p "$out"
command -v perf >/dev/null || { echo "perf is needed (Debian: apt-get install linux-perf)" >&2; exit 2; }
if [ "${1:-}" = --nodejs ]; then
  shift; target=(--nodejs); pattern='^node .*gatewa[y]'
else
  target=(--spawn-node); pattern='[S]eedGatewayLauncher'
fi
while [ -e /tmp/seed-quiet ] || pgrep -f 'seed-bench.jar (fanout|roundtrip|connections|redis)' >/dev/null; do
  echo "waiting for /tmp/seed-quiet to go and other benchmarks to end"; sleep 30
done
java -jar "$jar" fanout "${target[@]}" --service-in-bench --clients "${CLIENTS:-1000}" --broadcast-rate "${RATE:-20}" \
  --warmup "$warmup" --duration $((warmup > 3 ? 15 : 20)) "$@" > "$out/bench.txt" 2>&1 &
bench=$!
until grep -q '^connections:' "$out/bench.txt"; do
  kill -0 $bench 2>/dev/null || { cat "$out/bench.txt"; exit 1; }
  sleep 0.5
done
pid=$(pgrep -f "$pattern" | head -1)
# into the window: the warm-up, plus a second or two
sleep $((warmup + 2))
read -r u0 s0 < <(awk '{print $14, $15}' /proc/$pid/stat)
perf record -F 999 -g -p "$pid" -o "$out/perf.data" -- sleep 10 2> "$out/perf.err"
read -r u1 s1 < <(awk '{print $14, $15}' /proc/$pid/stat)
[ "${target[0]}" = --spawn-node ] && jcmd "$pid" Compiler.perfmap > /dev/null 2>&1 || true
wait $bench || true
grep -E '^(broadcasts|cpu per)' "$out/bench.txt"
ticks=$(getconf CLK_TCK)
awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v t="$ticks" -v r="${CLIENTS:-1000}" -v b="${RATE:-20}" 'BEGIN {
  n = r * b * 10; printf "gateway process over the 10 s under perf: user %.2f us, system %.2f us per delivery (%d deliveries)\n",
    u / t * 1e6 / n, s / t * 1e6 / n, n }'
perf report -i "$out/perf.data" --no-children -g none --sort comm,dso 2>/dev/null | grep -v '^#' | grep . | head -8
echo "perf data: $out/perf.data (JIT symbols: /tmp/perf-$pid.map)"
