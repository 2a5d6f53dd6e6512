#!/usr/bin/env bash
# mq topics on a broker holding N retained topics (default 100000): wall time and peak RSS of
# `mq topics --retained-only --json`, beside `mosquitto_sub -t '#' -v -W 5 | sort -u` doing the
# same job (each stage timed on its own), and how many topics each saw.
# Usage: benches/topics.sh [path/to/mq]   (default target/release/mq; env N=100000, PORT=18781)
# Needs mosquitto, mosquitto-clients and GNU time (/usr/bin/time).
set -u
MQ=${1:-target/release/mq}; [ -x "$MQ" ] || { echo "no mq binary at $MQ (cargo build --release)"; exit 2; }
N=${N:-100000}; PORT=${PORT:-18781}
TMP=$(mktemp -d); trap 'kill $BPID 2>/dev/null; rm -rf "$TMP"' EXIT
# max_queued_messages 0 (no limit): with mosquitto's default of 1000 a client that does not read
# fast enough loses QoS 0 retained messages on subscribe, whichever client it is.
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n' "$PORT" >"$TMP/m.conf"
[ "$(id -u)" -eq 0 ] && echo "user root" >>"$TMP/m.conf"
mosquitto -c "$TMP/m.conf" >"$TMP/m.log" 2>&1 & BPID=$!
# Ready once it says it listens (a previous run's broker may still hold the port a moment).
for _ in $(seq 50); do grep -q 'listen socket' "$TMP/m.log" 2>/dev/null && break; sleep 0.1; done
kill -0 $BPID 2>/dev/null || { cat "$TMP/m.log"; exit 1; }

# The fastest honest way to fill a retained store: mq bench's topic template gives every
# message its own topic (%i publisher, %s sequence); QoS 1, so the broker acknowledged each.
"$MQ" bench pub -h 127.0.0.1 -p "$PORT" -c 4 -L "$N" -s 32 -q 1 -r -t 'inv/%i/%s' >"$TMP/fill.txt" 2>&1 \
  || { cat "$TMP/fill.txt"; exit 1; }
echo "filled: $(grep -m1 sent "$TMP/fill.txt" | sed 's/^ *//')"

# What /usr/bin/time -v says, in one line.
figures() { awk -F': ' '/Elapsed \(wall clock\)/ {w=$2} /User time/ {u=$2} /System time/ {y=$2} /Maximum resident set size/ {r=$2} END {printf "wall %s, CPU %.2f s, peak RSS %.1f MiB", w, u+y, r/1024}' "$1"; }

/usr/bin/time -v -o "$TMP/t.mq" "$MQ" topics -h 127.0.0.1 -p "$PORT" --retained-only --json >"$TMP/mq.json"
seen=$(grep -o '"topic_count":[0-9]*' "$TMP/mq.json" | cut -d: -f2)
echo "mq topics --retained-only --json:         $(figures "$TMP/t.mq"), $seen topics"

/usr/bin/time -v -o "$TMP/t.tree" "$MQ" topics -h 127.0.0.1 -p "$PORT" --retained-only >"$TMP/mq.txt"
echo "mq topics --retained-only (the tree):     $(figures "$TMP/t.tree"), $(tail -1 "$TMP/mq.txt")"

/usr/bin/time -v -o "$TMP/t.sub" mosquitto_sub -h 127.0.0.1 -p "$PORT" -t '#' -v -W 5 >"$TMP/sub.txt" 2>/dev/null
/usr/bin/time -v -o "$TMP/t.sort" sort -u "$TMP/sub.txt" >"$TMP/sorted.txt"
# Payloads are binary: count the lines that start with a topic.
seen=$(grep -ac '^inv/' "$TMP/sorted.txt")
echo "mosquitto_sub -t '#' -v -W 5:              $(figures "$TMP/t.sub")"
echo "  | sort -u:                                $(figures "$TMP/t.sort"), $seen topics"
