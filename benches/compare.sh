#!/usr/bin/env bash
# mq vs mosquitto's clients, side by side on one throwaway mosquitto, in one run; prints the
# median of RUNS runs per workload and the ratios (mosquitto / mq: above 1 means mq is better).
# Usage: benches/compare.sh            env: N=200000 messages, RUNS=5, PORT=18777, MQ=path
# Needs: mosquitto mosquitto-clients hyperfine bc python3 time (Debian packages).
# Workloads: sub (N QoS 0 100 B messages to /dev/null), pub -l at QoS 0 and 1 (N stdin lines,
# counted by mosquitto_sub), one-shot `pub -m` process latency; wall, CPU (user+sys), peak RSS.
set -u
cd "$(dirname "$0")/.."
N=${N:-200000}; RUNS=${RUNS:-5}; PORT=${PORT:-18777}
MQ=${MQ:-target/release/mq}
[ -n "${MQ_SKIP_BUILD:-}" ] || cargo build --release -q || exit 2
TMP=$(mktemp -d); trap 'kill $BPID 2>/dev/null; rm -rf "$TMP"' EXIT
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 0\nuser root\n' "$PORT" >"$TMP/m.conf"
mosquitto -c "$TMP/m.conf" >"$TMP/m.log" 2>&1 & BPID=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
C="-h 127.0.0.1 -p $PORT"
python3 -c "import sys; [sys.stdout.write('%s\n' % ('x'*99)) for _ in range($N)]" >"$TMP/lines"
T='%e %U %S %M'
subrun() { /usr/bin/time -f "$T" -o "$TMP/t" $1 >"$TMP/out" & local s=$!; sleep 0.5
  mosquitto_pub $C -t perf/s -l <"$TMP/lines"; wait $s
  read -r w u y m <"$TMP/t"; echo "$w $(echo "$u + $y" | bc) $m $(wc -l <"$TMP/out")"; }
pubrun() { timeout 120 mosquitto_sub $C -t perf/p -q "$2" -C "$N" -W 30 >"$TMP/out" & local s=$!; sleep 0.5
  /usr/bin/time -f "$T" -o "$TMP/t" $1 <"$TMP/lines"; wait $s
  read -r w u y m <"$TMP/t"; echo "$w $(echo "$u + $y" | bc) $m $(wc -l <"$TMP/out")"; }
rows="$TMP/rows"; : >"$rows"
for i in $(seq "$RUNS"); do
  echo "sub_mosquitto $(subrun "timeout 120 mosquitto_sub $C -t perf/s -C $N")" >>"$rows"
  echo "sub_mq $(subrun "timeout 120 $MQ sub $C -t perf/s -C $N")" >>"$rows"
  echo "q0_mosquitto $(pubrun "timeout 120 mosquitto_pub $C -t perf/p -l" 0)" >>"$rows"
  echo "q0_mq $(pubrun "timeout 120 $MQ pub $C -t perf/p -l" 0)" >>"$rows"
  echo "q1_mosquitto $(pubrun "timeout 120 mosquitto_pub $C -t perf/p -q 1 -l" 1)" >>"$rows"
  echo "q1_mq $(pubrun "timeout 120 $MQ pub $C -t perf/p -q 1 -l" 1)" >>"$rows"
done
hyperfine -N -w 3 -r 30 --export-json "$TMP/h.json" "mosquitto_pub $C -t o -m hi" "$MQ pub $C -t o -m hi" >/dev/null 2>&1
python3 - "$rows" "$TMP/h.json" "$N" "$RUNS" <<'PY'
import json, statistics, sys
rows, hjson, n, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
data = {}
for line in open(rows):
    k, *v = line.split()
    if len(v) == 4:
        data.setdefault(k, []).append([float(x) for x in v])
med = lambda k, i: statistics.median(r[i] for r in data[k]) if k in data else float("nan")
print(f"mq vs mosquitto clients, N={n} x 100 B, median of {runs} runs (ratio = mosquitto / mq)")
print(f"{'workload':<12}{'client':<11}{'wall_s':>8}{'cpu_s':>8}{'rss_KiB':>9}{'received':>10}")
for w in ("sub", "q0", "q1"):
    for c in ("mosquitto", "mq"):
        k = f"{w}_{c}"
        print(f"{w:<12}{c:<11}{med(k,0):>8.2f}{med(k,1):>8.2f}{med(k,2):>9.0f}{med(k,3):>10.0f}")
    print(f"{'':<12}{'ratio':<11}{med(w+'_mosquitto',0)/med(w+'_mq',0):>8.2f}"
          f"{med(w+'_mosquitto',1)/med(w+'_mq',1):>8.2f}{med(w+'_mosquitto',2)/med(w+'_mq',2):>9.2f}")
h = json.load(open(hjson))["results"]
m, q = h[0]["median"] * 1000, h[1]["median"] * 1000
print(f"one-shot pub -m, median of 30: mosquitto_pub {m:.2f} ms, mq {q:.2f} ms, ratio {m/q:.2f}")
PY
