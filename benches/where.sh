#!/usr/bin/env bash
# mq sub --where throughput beside plain mq sub: N JSON lines of ~100 bytes (default 200000)
# published with `mq pub -l` into `mq sub -C N`, with and without `--where '.temp > 30'` (every
# line matches, so both print all N). Timed from the publish's start to the subscriber's exit;
# each mode runs RUNS times (default 3), best and median shown, with the subscriber's own CPU time
# (median; on 2 cores the wall time is bounded by the broker and the publisher). The subscriber
# is waited for with --ready-file, so no message is published before the subscription is live.
# Usage: benches/where.sh [path/to/mq]   (default target/release/mq; env N, RUNS, PORT=18782)
# Needs mosquitto and GNU time (/usr/bin/time).
set -u
MQ=${1:-target/release/mq}; [ -x "$MQ" ] || { echo "no mq binary at $MQ (cargo build --release)"; exit 2; }
N=${N:-200000}; RUNS=${RUNS:-3}; PORT=${PORT:-18782}
TMP=$(mktemp -d); trap 'kill $BPID 2>/dev/null; rm -rf "$TMP"' EXIT
# max_queued_messages 0 (no limit): with mosquitto's default of 1000 a QoS 0 flood is dropped.
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n' "$PORT" >"$TMP/m.conf"
[ "$(id -u)" -eq 0 ] && echo "user root" >>"$TMP/m.conf"
mosquitto -c "$TMP/m.conf" >"$TMP/m.log" 2>&1 & BPID=$!
for _ in $(seq 50); do grep -q 'listen socket' "$TMP/m.log" 2>/dev/null && break; sleep 0.1; done
kill -0 $BPID 2>/dev/null || { cat "$TMP/m.log"; exit 1; }

awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
  printf "{\"sensor\":\"building-1/floor-2/t%d\",\"seq\":%d,\"temp\":%.1f,\"humidity\":48,\"site\":\"paris-north\",\"ok\":true}\n", i % 97, i, 30.5 + (i % 20) }' >"$TMP/lines"
echo "$N lines, $(( $(wc -c <"$TMP/lines") / N )) bytes each on average"

one() { # $@: extra sub flags; prints wall seconds and the subscriber's CPU seconds
  rm -f "$TMP/ready"
  /usr/bin/time -f '%U %S' -o "$TMP/cpu" "$MQ" sub -h 127.0.0.1 -p "$PORT" -t bench/where -C "$N" -W 120s --ready-file "$TMP/ready" "$@" >"$TMP/out" &
  local sub=$!
  for _ in $(seq 200); do [ -e "$TMP/ready" ] && break; sleep 0.05; done
  local t0; t0=$(date +%s.%N)
  "$MQ" pub -h 127.0.0.1 -p "$PORT" -t bench/where -l <"$TMP/lines" || echo "pub failed" >&2
  wait $sub || echo "sub exited $?" >&2
  local t1; t1=$(date +%s.%N)
  [ "$(wc -l <"$TMP/out")" -eq "$N" ] || echo "sub printed $(wc -l <"$TMP/out") lines" >&2
  echo "$t0 $t1 $(cat "$TMP/cpu")" | awk '{ printf "%.3f %.3f\n", $2 - $1, $3 + $4 }'
}

for mode in plain where; do
  times=()
  for _ in $(seq "$RUNS"); do
    case $mode in
      plain) times+=("$(one)") ;;
      where) times+=("$(one --where '.temp > 30')") ;;
    esac
  done
  cpu=$(printf '%s\n' "${times[@]}" | awk '{ print $2 }' | sort -n | awk '{ c[NR] = $1 } END { print c[int((NR + 1) / 2)] }')
  printf '%s\n' "${times[@]}" | sort -n | awk -v n="$N" -v m="$mode" -v cpu="$cpu" '{ t[NR] = $1 }
    END { printf "mq sub %-24s best %.3f s (%.0f msg/s), median %.3f s; sub CPU %.2f s (%.1f us/msg)\n",
          (m == "plain" ? "" : "--where '\''.temp > 30'\''"), t[1], n / t[1], t[int((NR + 1) / 2)], cpu, cpu * 1e6 / n }'
done
