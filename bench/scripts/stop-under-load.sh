#!/usr/bin/env bash
# SIGTERM (or a drain) of a node holding N authenticated WebSocket players, over real processes: a node from the
# shaded jar on a Redis database of its own, the load generator in another process holding the players; then counts
# what the stop left behind (session entries, map members, online entries, session indexes, incarnations) and how
# many players' rows are not saved offline. Prints one line of figures; exits 1 when anything was left or lost.
#
#   bench/scripts/stop-under-load.sh [players] [sigterm|drain]     (defaults: 18000 sigterm)
#
# Needs the built jars (mvn -B -q package -DskipTests), redis-cli and psql against the machine's Redis and
# PostgreSQL (127.0.0.1:6379, postgres@127.0.0.1:5432). Uses Redis database 9, emptied first.
set -euo pipefail
cd "$(dirname "$0")/../.."
players=${1:-18000}
how=${2:-sigterm}
db=9
id="stop-$(date +%s)"
ws=18481
ops=18490
conf=$(mktemp --suffix .json)
log=$(mktemp --suffix .log)
cat > "$conf" <<JSON
{
  "profile": "dev",
  "node": { "id": "$id" },
  "roles": ["gateway", "router", "persistence"],
  "redis": { "url": "redis://127.0.0.1:6379/$db" },
  "postgres": { "url": "postgresql://postgres@127.0.0.1:5432/postgres" },
  "gateway": { "websocket": { "port": $ws }, "tcp": { "port": 18482 }, "udp": { "port": 18483 },
               "limits": { "maxConnections": 50000 } },
  "routing": { "actionChannelPrefix": "action:" },
  "examples": { "javaService": true },
  "auth": { "modes": ["redis"] },
  "ops": { "port": $ops, "adminToken": "stop-under-load-token", "shutdownTimeoutSeconds": 30 }
}
JSON
redis-cli -n $db flushdb >/dev/null
java -Xmx2g -jar node/target/seed-gateway.jar -conf "$conf" >"$log" 2>&1 &
node=$!
until grep -q "\] node started" "$log"; do kill -0 $node 2>/dev/null || { cat "$log"; exit 1; }; sleep 0.2; done
bench_log=$(mktemp --suffix .log)
java -jar bench/target/seed-bench.jar connections --url "ws://127.0.0.1:$ws/" --redis "redis://127.0.0.1:6379/$db" \
  --clients "$players" --hold 600 --login-concurrency 512 --source-addresses 60 >"$bench_log" 2>&1 &
bench=$!
until [ "$(redis-cli -n $db eval "local n=0 for i=0,1023 do n=n+redis.call('HLEN','seed:online:'..i) end return n" 0)" -ge "$players" ]; do
  kill -0 $bench 2>/dev/null || { echo "load generator ended:"; cat "$bench_log"; kill $node; exit 1; }
  sleep 1
done
tokens=$(mktemp)
for i in $(seq 0 1023); do redis-cli -n $db hkeys "seed:online:$i"; done > "$tokens"
ids=$(mktemp)
for i in $(seq 0 1023); do redis-cli -n $db hvals "seed:online:$i"; done > "$ids"
start=$(date +%s%N)
if [ "$how" = drain ]; then
  curl -s -X POST -H "Authorization: Bearer stop-under-load-token" "http://127.0.0.1:$ops/admin/nodes/$id/drain" >/dev/null
else
  kill -TERM $node
fi
wait $node && code=0 || code=$?
stop_ms=$(( ($(date +%s%N) - start) / 1000000 ))
kill $bench 2>/dev/null || true
sessions=$(redis-cli -n $db --scan --pattern 'seed:session:*' | wc -l)
indexes=$(redis-cli -n $db --scan --pattern 'seed:node:*' | wc -l)
online=$(redis-cli -n $db eval "local n=0 for i=0,1023 do n=n+redis.call('HLEN','seed:online:'..i) end return n" 0)
on_maps=0
for m in $(redis-cli -n $db --scan --pattern 'map:*'); do on_maps=$((on_maps + $(redis-cli -n $db zcard "$m"))); done
incarnations=$(redis-cli -n $db hlen seed:incarnations)
not_offline=$(psql -q -At -U postgres -h 127.0.0.1 postgres <<SQL
create temp table ids(id text);
\copy ids from '$ids'
select count(*) from ids left join players p using (id) where p.id is null or p.action is distinct from 'offline';
SQL
)
warnings=$(grep -c -E " WARN | ERROR " "$log" || true)
echo "$how with $players online: exit $code in $stop_ms ms; left: $sessions sessions, $online online, $on_maps on maps," \
  "$indexes session indexes, $incarnations incarnations; $not_offline players not saved offline; $warnings WARN/ERROR lines (log: $log)"
[ "$sessions$online$on_maps$indexes$incarnations$not_offline" = "000000" ]
