#!/usr/bin/env bash
# mq bench conn at connection scale: connects per second and client memory per held connection,
# at 2k, 10k and 30k connections, against two throwaway mosquitto brokers on loopback.
#
#   per count N : `mq bench conn -c N -h 127.0.0.1:P1,127.0.0.1:P2 --duration DUR --json`
#                 (30k: --workers 2, as no process here may open 30,000 descriptors)
#   reported    : connected / failures, connects per second (N / time to connect them all),
#                 connect p50/p99, the client memory per connection that mq reports itself
#                 (resident set growth / connections), and the same from outside: the client
#                 processes' peak RSS (GNU time) at N against at 2k, divided by the difference
#                 in connections (so the process's base does not flatter it).
#
# Usage: benches/conn-scale.sh [path/to/mq]  (default target/release/mq)
# env: COUNTS="2000 10000 30000", DUR=20s, PORT=18790 (and PORT+1), OUT=dir to keep each run's
#      --json result (OUT/conn-N.json)
# Needs: mosquitto, python3, GNU time (/usr/bin/time), a hard fd limit of 20000 or more
# (`ulimit -Hn`): each broker holds half the connections.
set -u
MQ=${1:-target/release/mq}
[ -x "$MQ" ] || { echo "no mq binary at $MQ (cargo build --release)"; exit 2; }
COUNTS=${COUNTS:-2000 10000 30000}; DUR=${DUR:-20s}; PORT=${PORT:-18790}
P1=$PORT; P2=$((PORT + 1))
ulimit -n "$(ulimit -Hn)" || exit 2
TMP=$(mktemp -d); trap 'kill $B1 $B2 2>/dev/null; rm -rf "$TMP"' EXIT
for p in $P1 $P2; do
  printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_connections -1\n' "$p" >"$TMP/m$p.conf"
done
mosquitto -c "$TMP/m$P1.conf" >"$TMP/m1.log" 2>&1 & B1=$!
mosquitto -c "$TMP/m$P2.conf" >"$TMP/m2.log" 2>&1 & B2=$!
for p in $P1 $P2; do
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.1; done
done
HOSTS="127.0.0.1:$P1,127.0.0.1:$P2"

printf '%-8s %-8s %9s %9s %10s %10s %11s %12s\n' clients workers connected failures 'conn/s' 'p50/p99' 'KiB/conn' 'peakRSS_MiB'
BASE_RSS=""; BASE_N=""
for N in $COUNTS; do
  W=1; [ "$N" -gt 18000 ] && W=2
  # Peak RSS of mq and, with workers, of every worker (GNU time counts the largest child).
  /usr/bin/time -f '%M' -o "$TMP/time" "$MQ" bench conn -c "$N" -h "$HOSTS" --workers "$W" \
    --duration "$DUR" --json --quiet >"$TMP/r.json" 2>"$TMP/err" || { cat "$TMP/err"; }
  RSS_KB=$(tail -1 "$TMP/time")
  [ -n "${OUT:-}" ] && mkdir -p "$OUT" && cp "$TMP/r.json" "$OUT/conn-$N.json"
  python3 - "$TMP/r.json" "$N" "$W" "$RSS_KB" "${BASE_RSS:-}" "${BASE_N:-}" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
n, w, rss = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
c = j["connect_us"] or {}
rate = j.get("connects_per_s", 0)
lat = "%.1f/%.1fms" % (c.get("p50", 0) / 1e3, c.get("p99", 0) / 1e3)
kib = j.get("client_kib_per_connection")
print("%-8d %-8d %9d %9d %10.0f %10s %11s %12.1f" % (n, w, j["connected"], j["connect_failures"], rate,
      lat, "%.2f" % kib if kib is not None else "-", rss / 1024))
EOF
  if [ -z "$BASE_RSS" ] && [ "$W" = 1 ]; then BASE_RSS=$RSS_KB; BASE_N=$N; fi
  if [ -n "$BASE_RSS" ] && [ "$N" != "$BASE_N" ] && [ "$W" = 1 ]; then
    python3 -c "print('  peak RSS delta %d -> %d: %.2f KiB per connection' % ($BASE_N, $N, ($RSS_KB - $BASE_RSS) / ($N - $BASE_N)))"
  fi
done
