#!/usr/bin/env bash
# Starts or stops a local three-node Seed Gateway cluster from the built jar, on loopback.
#   deploy/local-cluster.sh start   # nodes 1..3: WebSocket 8181, 8281, 8381 (TCP/UDP +1/+2), logs in deploy/run/
#                                   # operations ports 8190, 8290, 8390 (admin token: $SEED_OPS_ADMIN_TOKEN, else
#                                   # dev-only-admin-token-change-me): http://127.0.0.1:8190/status?token=...
#   DEMO=1 deploy/local-cluster.sh start   # dev profile, and each node serves the browser demo: 8180, 8280, 8380
#   deploy/local-cluster.sh status
#   deploy/local-cluster.sh stop    # SIGTERM: clients get {"error":"server stopped"}, state is saved
# Needs Redis and PostgreSQL reachable at the URLs of conf/dev.json (or SEED_REDIS_URL / SEED_POSTGRES_URL):
# nodes of one cluster must share one Redis. The nodes run the production jar, which has no embedded servers to
# fall back to (even with DEMO=1 they refuse to start, saying so, when none answers). Node 1 also runs the example
# game service.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=node/target/seed-gateway.jar
RUN=deploy/run
NODES=${NODES:-3}

start() {
  [ -f "$JAR" ] || mvn -B -q package -DskipTests
  mkdir -p "$RUN"
  for i in $(seq 1 "$NODES"); do
    if [ -f "$RUN/node$i.pid" ] && kill -0 "$(cat "$RUN/node$i.pid")" 2>/dev/null; then
      echo "node$i already running (pid $(cat "$RUN/node$i.pid"))"; continue
    fi
    base=$((8081 + i * 100))
    service=false; [ "$i" = 1 ] && service=true
    profile=prod; demo=false
    if [ "${DEMO:-0}" = 1 ]; then profile=dev; demo=true; fi # the demo's guest sign-in is dev-only
    SEED_PROFILE=$profile SEED_DEMO_ENABLED=$demo SEED_DEMO_PORT=$((base - 1)) SEED_NODE_ID="node$i" \
    SEED_GATEWAY_WEBSOCKET_PORT=$base SEED_GATEWAY_TCP_PORT=$((base + 1)) SEED_GATEWAY_UDP_PORT=$((base + 2)) \
    SEED_OPS_PORT=$((base + 9)) SEED_OPS_ADMIN_TOKEN=${SEED_OPS_ADMIN_TOKEN:-dev-only-admin-token-change-me} \
    SEED_EXAMPLES_JAVA_SERVICE=$service SEED_AUTH_MODES=${SEED_AUTH_MODES:-redis,jwt} \
    SEED_AUTH_JWT_ALGORITHM=HS256 SEED_AUTH_JWT_SECRET=${SEED_AUTH_JWT_SECRET:-dev-only-secret-change-me-0123456789abcdef} \
      nohup java @deploy/jvm.options ${JAVA_OPTS:-} -Dvertx.hazelcast.config=conf/cluster.xml -jar "$JAR" \
        -cluster -cluster-host 127.0.0.1 -conf conf/dev.json > "$RUN/node$i.log" 2>&1 &
    echo $! > "$RUN/node$i.pid"
    echo "node$i started (pid $!, websocket $base, log $RUN/node$i.log)"
  done
}

stop() {
  for i in $(seq 1 "$NODES"); do
    f="$RUN/node$i.pid"
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && { echo "node$i did not stop in 30 s, killing"; kill -KILL "$pid"; }
      echo "node$i stopped"
    fi
    rm -f "$f"
  done
}

status() {
  for i in $(seq 1 "$NODES"); do
    f="$RUN/node$i.pid"
    if [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then echo "node$i running (pid $(cat "$f"))"
    else echo "node$i stopped"; fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  restart) stop; start ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
