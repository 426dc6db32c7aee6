#!/usr/bin/env bash
# Compares two builds of the bench (and the node it carries) in one run, alternating them so the shared machine's
# drift hits both: roundtrip (50 clients, closed loop, 3 rounds) and fanout (1,000 players, 20 broadcasts/s),
# each build twice, in the order A B B A. Usage: compare-jars.sh BASE.jar NEW.jar [OUT_DIR]
set -euo pipefail
base=$1; new=$2; out=${3:-/tmp/seed-compare}
mkdir -p "$out"
run() { # name jar scenario args...
  local name=$1 jar=$2 scenario=$3; shift 3
  echo "== $name $scenario $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
  java -jar "$jar" "$scenario" --spawn-node --json "$out/$scenario-$name.json" "$@" > "$out/$scenario-$name.txt" 2>&1
  tail -n 25 "$out/$scenario-$name.txt"
}
for scenario in roundtrip fanout; do
  if [ "$scenario" = roundtrip ]; then args=(--clients 50 --rounds 3); else args=(--clients 1000 --broadcast-rate 20 --duration 15); fi
  run base-1 "$base" $scenario "${args[@]}"
  run new-1 "$new" $scenario "${args[@]}"
  run new-2 "$new" $scenario "${args[@]}"
  run base-2 "$base" $scenario "${args[@]}"
done
