#!/usr/bin/env bash
# Resumable sessions against plain ones (issue 17), in one run, alternating plain, resume, resume, plain in each
# round so the shared machine's drift hits both: fanout (1,000 players on one map, 20 broadcasts/s of 120 bytes,
# 15 s measured) and connections (CONNECTIONS idle WebSockets, default 10,000, each sent 3 broadcasts after the
# logins, held 10 s, heap after a full GC), every run with a node of its own spawned from the same jar.
# SCENARIOS="fanout" (or "connections") runs only those.
# Usage: compare-resume.sh [BENCH_JAR] [OUT_DIR] [ROUNDS]   (defaults: bench/target/seed-bench.jar,
# /tmp/seed-resume, 2). Per-run output and JSON in OUT_DIR; at the end every run's figures and the medians'
# ratios, resumable / plain.
set -euo pipefail
jar=${1:-bench/target/seed-bench.jar}; out=${2:-/tmp/seed-resume}; rounds=${3:-2}
connections=${CONNECTIONS:-10000}; scenarios=${SCENARIOS:-fanout connections}
mkdir -p "$out"
run() { # scenario name args...
  local scenario=$1 name=$2; shift 2
  # other JVMs at the start (none of this script's runs between two runs): someone else's build or benchmark
  echo "== $scenario $name $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg), other JVMs $(pgrep -xc java || true)" \
    | tee -a "$out/runs.log"
  java -jar "$jar" "$scenario" --spawn-node --json "$out/$scenario-$name.json" "$@" > "$out/$scenario-$name.txt" 2>&1 \
    || echo "   exit $? (see $out/$scenario-$name.txt)" | tee -a "$out/runs.log"
}
for scenario in $scenarios; do
  if [ "$scenario" = fanout ]; then args=(--clients 1000 --broadcast-rate 20 --duration 15)
  else args=(--clients "$connections" --hold 10 --login-concurrency 128 --deliveries 3); fi
  for r in $(seq 1 "$rounds"); do
    run $scenario plain-$r-a "${args[@]}"
    run $scenario resume-$r-a "${args[@]}" --resume
    run $scenario resume-$r-b "${args[@]}" --resume
    run $scenario plain-$r-b "${args[@]}"
  done
done
# every run, then per mode the median and the ratio resumable / plain
jq -r -n '
  def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
    else (.[length / 2 - 1] + .[length / 2]) / 2 end | if . == null then . else . * 100 | round / 100 end;
  [inputs | . + {name: (input_filename | capture("(?<s>[a-z]+)-(?<m>plain|resume)-(?<r>[0-9]+-[ab])") )}]
  | (.[] | select(.scenario == "fanout") | "fanout \(.name.m) \(.name.r): \(.result.per_second) deliveries/s, "
      + "p50 \(.result.latency.p50_us) us, p99 \(.result.latency.p99_us) us, missed \(.result.unanswered), "
      + "skipped \(.skipped), errors \(.result.errors); CPU per delivery node \(.cpu_per_delivery.node_us) us, "
      + "load generator \(.cpu_per_delivery.bench_us) us; buffered \(.resume_buffered_bytes) B; load \(.run.load_average // "")"),
    (.[] | select(.scenario == "connections") | "connections \(.name.m) \(.name.r): \(.authenticated) of \(.clients), "
      + "heap \(.memory.heap_before) -> \(.memory.heap_after) B = \(.memory.heap_per_connection) B per connection, "
      + "RSS \(.memory.rss_per_connection) B per connection; deliveries \(.deliveries_received) of "
      + "\(.deliveries_expected), skipped \(.skipped), lost \(.lost); buffered \(.resume_buffered_bytes) B"),
    (group_by(.scenario)[] | . as $runs | $runs[0].scenario as $s
      | (if $s == "fanout" then [["node CPU us per delivery", ".cpu_per_delivery.node_us"],
          ["load generator CPU us per delivery", ".cpu_per_delivery.bench_us"], ["deliveries/s", ".result.per_second"],
          ["p99 us", ".result.latency.p99_us"], ["missed", ".result.unanswered"]]
        else [["heap B per connection", ".memory.heap_per_connection"], ["RSS B per connection",
          ".memory.rss_per_connection"]] end)[] as [$what, $path]
      | ([$runs[] | select(.name.m == "plain") | getpath($path | ltrimstr(".") | split("."))] | median) as $p
      | ([$runs[] | select(.name.m == "resume") | getpath($path | ltrimstr(".") | split("."))] | median) as $q
      | "\($s) \($what): median plain \($p), resumable \($q), ratio \(if $p == null or $p == 0 then "-"
          else ($q / $p * 1000 | round / 1000) end)")
' "$out"/*.json | tee "$out/summary.txt"
