#!/usr/bin/env bash
# mq bridge beside mosquitto's own bridge, in one run: N QoS 1 messages published on broker A
# (as fast as A acknowledges them, `mq pub -l`) are forwarded to broker B under site1/, where a
# persistent subscriber writes them to a file. Each bridge runs twice: undisturbed, and with
# broker A stopped (SIGTERM, persistence on) and started again once a tenth has arrived.
# mosquitto's bridge is a third mosquitto with two `connection` sections (A -> itself -> B,
# cleansession false, persistence on), as a bridge between two brokers one does not administer.
# Reported per run: forwarded msg/s (N / time from the first publish to the last new message
# at B), missing and duplicated messages (counted after a fixed quiet window, not -C N).
# Usage: benches/bridge.sh [path/to/mq]   (default target/release/mq; env N=50000, PORT=18890)
# Needs mosquitto.
set -u
MQ=${1:-target/release/mq}; [ -x "$MQ" ] || { echo "no mq binary at $MQ (cargo build --release)"; exit 2; }
N=${N:-50000}; BASE=${PORT:-18890}
PA=$BASE PB=$((BASE + 1)) PC=$((BASE + 2))
TMP=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

listening() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

# broker NAME PORT [extra config]: a persistent mosquitto; its pid in $BROKER_PID.
broker() {
  local dir="$TMP/$1"; mkdir -p "$dir"
  {
    printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$2"
    printf 'persistence true\npersistence_location %s/\nautosave_interval 1\n' "$dir"
    # The default (1000) would drop QoS 1 messages queued for a slow bridge or subscriber.
    printf 'max_queued_messages 0\nmax_inflight_messages 0\n'
    [ "$(id -u)" -eq 0 ] && echo "user root"
    printf '%s\n' "${3:-}"
  } >"$dir/m.conf"
  mosquitto -c "$dir/m.conf" >>"$dir/log" 2>&1 & BROKER_PID=$!
  PIDS+=("$BROKER_PID")
  listening "$2" || { echo "mosquitto on $2 did not start: $(tail -3 "$dir/log")"; exit 1; }
}

# The last line number seen by the subscriber, and how many lines it wrote.
seen() { tail -n 1 "$TMP/sub.out" 2>/dev/null; }

# run KIND RESTART: one measurement; prints a result line.
run() {
  local kind=$1 restart=$2
  rm -rf "$TMP/a" "$TMP/b" "$TMP/c" "$TMP/sub.out"
  broker a "$PA"; local apid=$BROKER_PID
  broker b "$PB"
  "$MQ" sub -p "$PB" -h 127.0.0.1 -c -i bench-counter -q 1 -t site1/s >"$TMP/sub.out" 2>"$TMP/sub.err" &
  local spid=$!; PIDS+=("$spid")
  local bpid
  if [ "$kind" = mq ]; then
    "$MQ" bridge --from "mqtt://127.0.0.1:$PA" --to "mqtt://127.0.0.1:$PB" --name bench \
      -t 's out 1 "" site1/' 2>"$TMP/bridge.err" & bpid=$!
  else
    broker c "$PC" "$(printf '%s\n' \
      "connection from-a" "address 127.0.0.1:$PA" "cleansession false" "remote_clientid bench-a" \
      "topic s in 1" \
      "connection to-b" "address 127.0.0.1:$PB" "cleansession false" "remote_clientid bench-b" \
      "topic s out 1 \"\" site1/")"
    bpid=$BROKER_PID
  fi
  PIDS+=("$bpid")
  sleep 2
  local t0; t0=$(date +%s.%N)
  seq 0 $((N - 1)) | "$MQ" pub -p "$PA" -h 127.0.0.1 -c -i bench-feeder -q 1 -t s -l --ack-timeout 120s 2>"$TMP/pub.err" &
  local fpid=$!
  if [ "$restart" = yes ]; then
    for _ in $(seq 1200); do
      [ "$(seen)" -ge $((N / 10)) ] 2>/dev/null && break
      sleep 0.05
    done
    kill -TERM "$apid"; wait "$apid" 2>/dev/null
    broker a "$PA"
  fi
  # Done when the last message arrived, or nothing new came for 15 s.
  local last="" lines=0 quiet=0 t1
  t1=$(date +%s.%N)
  while [ "$quiet" -lt 150 ]; do
    local now; now=$(wc -l <"$TMP/sub.out")
    if [ "$now" != "$lines" ]; then lines=$now; quiet=0; t1=$(date +%s.%N); else quiet=$((quiet + 1)); fi
    if grep -qx "$((N - 1))" "$TMP/sub.out" && [ -z "$last" ]; then last=$(date +%s.%N); fi
    [ -n "$last" ] && [ "$quiet" -ge 10 ] && break
    sleep 0.1
  done
  wait "$fpid" 2>/dev/null || echo "  (the publisher failed: $(tail -1 "$TMP/pub.err"))"
  local end=${last:-$t1}
  local distinct; distinct=$(sort -un "$TMP/sub.out" | wc -l)
  local total; total=$(wc -l <"$TMP/sub.out")
  local order; order=$(awk '!seen[$1]++' "$TMP/sub.out" | awk 'NR-1 != $1 {bad++} END {print bad+0}')
  printf '%-10s %-8s %9.0f %8d %8d %10d\n' "$kind" "$restart" \
    "$(echo "$N / ($end - $t0)" | bc -l)" $((N - distinct)) $((total - distinct)) "$order"
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  PIDS=()
}

echo "N=$N QoS 1 messages A -> bridge -> B ($($MQ --version)); $(mosquitto -h 2>/dev/null | head -1)"
printf '%-10s %-8s %9s %8s %8s %10s\n' bridge restart "msg/s" missing dups "out-of-order"
for kind in mq mosquitto; do
  for restart in no yes; do
    run "$kind" "$restart"
  done
done
