#!/usr/bin/env bash
# mq bench against the broker's ceiling, side by side in one run, on one throwaway mosquitto.
#
#   ceiling : P x `mosquitto_pub -l` (N/P lines each) into one `mosquitto_sub -C N`
#   mq      : `mq bench -c P -L N` (P publishers + 1 subscriber in one process), same N, 100 B
#   latency : `mq bench -c P --rate R` (open loop) at 50, 25 and 10 % of the median ceiling
#
# Usage: benches/bench-ceiling.sh [path/to/mq]  (default target/release/mq)
# env: N=400000 messages, P=4 publishers, RUNS=3, PORT=18778, DUR=10 (seconds of the latency run)
# Needs: mosquitto, mosquitto-clients, python3, GNU time (/usr/bin/time).
# Read the figures as ratios within one run: the machine is shared and noisy. Client CPU is
# user+sys of the client processes (for the ceiling: all P publishers and the subscriber).
set -u
MQ=${1:-target/release/mq}
[ -x "$MQ" ] || { echo "no mq binary at $MQ (cargo build --release)"; exit 2; }
N=${N:-400000}; P=${P:-4}; RUNS=${RUNS:-3}; PORT=${PORT:-18778}; DUR=${DUR:-10}
TMP=$(mktemp -d); trap 'kill $BPID 2>/dev/null; rm -rf "$TMP"' EXIT
# set_tcp_nodelay: with mosquitto's default (Nagle on), paced small messages wait for delayed
# ACKs and latency shows 10-40 ms of TCP, not of the broker.
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 0\nset_tcp_nodelay true\nuser root\n' "$PORT" >"$TMP/m.conf"
mosquitto -c "$TMP/m.conf" >"$TMP/m.log" 2>&1 & BPID=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
C="-h 127.0.0.1 -p $PORT"
PER=$((N / P)); N=$((PER * P))
python3 -c "import sys; [sys.stdout.write('%s\n' % ('x'*99)) for _ in range($PER)]" >"$TMP/lines"
TICK=$(getconf CLK_TCK)
broker_ticks() { awk '{print $14 + $15}' "/proc/$BPID/stat"; }
now() { date +%s.%N; }
calc() { python3 -c "print($1)"; }

# prints: wall_s received msgs_per_s client_cpu_s client_us_per_msg broker_cpu_%
ceiling() {
  /usr/bin/time -f '%U %S' -o "$TMP/t.sub" timeout 120 mosquitto_sub $C -t 'ceil/#' -C "$N" -W 60 >"$TMP/out" &
  local s=$!; sleep 0.5
  local b0; b0=$(broker_ticks); local t0; t0=$(now)
  local pids=()
  for i in $(seq "$P"); do
    /usr/bin/time -f '%U %S' -o "$TMP/t.pub$i" timeout 120 mosquitto_pub $C -t "ceil/$i" -l <"$TMP/lines" &
    pids+=($!)
  done
  wait "$s"; local t1; t1=$(now); wait "${pids[@]}"
  local b1; b1=$(broker_ticks)
  local got; got=$(wc -l <"$TMP/out")
  local cpu; cpu=$(cat "$TMP"/t.sub "$TMP"/t.pub* | awk '{s += $1 + $2} END {print s}')
  calc "'%.2f %d %.0f %.2f %.2f %.0f' % ($t1 - $t0, $got, $got / ($t1 - $t0), $cpu, $cpu * 1e6 / max($got, 1), ($b1 - $b0) / $TICK * 100 / ($t1 - $t0))"
}

# prints the same columns for mq bench (wall from process start: connects included)
mqrun() {
  local b0; b0=$(broker_ticks); local t0; t0=$(now)
  /usr/bin/time -f '%U %S' -o "$TMP/t.mq" timeout 120 "$MQ" bench $C -c "$P" -L "$N" -s 100 -q 0 -t 'mqb/%i' --json --quiet >"$TMP/mq.json"
  local t1; t1=$(now); local b1; b1=$(broker_ticks)
  local cpu; cpu=$(awk '{print $1 + $2}' "$TMP/t.mq")
  python3 - "$TMP/mq.json" "$t0" "$t1" "$cpu" "$b0" "$b1" "$TICK" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1])); t0, t1, cpu, b0, b1, tick = map(float, sys.argv[2:])
got = j["received"]
print("%.2f %d %.0f %.2f %.2f %.0f %d %.0f" % (t1 - t0, got, got / (t1 - t0), cpu, cpu * 1e6 / max(got, 1),
      (b1 - b0) / tick * 100 / (t1 - t0), j["lost"], j["received_per_s"]))
EOF
}

row() { printf '%-44s %6s %8s %8s %6s %7s %7s %5s %9s\n' "$@"; }
row "workload (N=$N, P=$P, 100 B, QoS 0)" wall_s received msgs/s cpu_s us/msg broker% lost "mq msgs/s"
CEILS=()
for _ in $(seq "$RUNS"); do
  c=$(ceiling); CEILS+=("$(echo "$c" | awk '{print $3}')")
  row "ceiling: mosquitto_pub -l x$P -> mosquitto_sub" $c - -
  row "mq bench -c $P -L $N" $(mqrun)
done
CEIL=$(printf '%s\n' "${CEILS[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
cat >"$TMP/lat.py" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1])); u, s = map(float, open(sys.argv[2]).read().split()[:2])
t0, t1, b0, b1, tick = map(float, sys.argv[3:])
l = j["latency_us"] or {}
f = lambda v: ("%dus" % v) if v < 1000 else ("%.1fms" % (v / 1e3))
print(j["sent"], j["received"], j["lost"], *[f(l.get(k, 0)) for k in ("p50", "p90", "p99", "p99_9", "max")],
      "%.2f" % (u + s), "%.0f" % ((b1 - b0) / tick * 100 / (t1 - t0)))
EOF
echo
echo "open loop at 50 %, 25 % and 10 % of the median ceiling ($CEIL msgs/s), ${DUR}s each, 1s warm-up:"
row2() { printf '%-28s %8s %8s %5s %8s %8s %8s %8s %8s %6s %7s\n' "$@"; }
row2 "mq bench -c $P -s 100" sent received lost p50 p90 p99 p99.9 max cpu_s broker%
for pct in 50 25 10; do
  RATE=$((CEIL * pct / 100))
  b0=$(broker_ticks); t0=$(now)
  /usr/bin/time -f '%U %S' -o "$TMP/t.lat" "$MQ" bench $C -c "$P" --rate "$RATE" --duration "${DUR}s" \
    --warmup 1s -s 100 -t 'lat/%i' --json --quiet >"$TMP/lat.json"
  t1=$(now); b1=$(broker_ticks)
  row2 "  $pct %: --rate $RATE" $(python3 "$TMP/lat.py" "$TMP/lat.json" "$TMP/t.lat" "$t0" "$t1" "$b0" "$b1" "$TICK")
done
echo "(load average: $(cut -d' ' -f1-3 /proc/loadavg))"
