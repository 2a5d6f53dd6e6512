#!/usr/bin/env bash
# Regenerate link/hot-functions.txt: the functions of the release binary that typical runs
# execute (sub under a flood, pub -l at QoS 1, a one-shot pub, a QoS 1 sub), as callgrind sees
# them. build.rs hands the list to the linker, which places those functions together, so a
# running mq keeps fewer pages of its binary resident. Re-run after large changes (a stale list
# only loses the effect); compare RSS before/after with benches/compare.sh.
# Needs: valgrind mosquitto mosquitto-clients python3.   env: PORT=18791
set -eu
cd "$(dirname "$0")/.."
PORT=${PORT:-18791}
cargo build --release -q
MQ=target/release/mq
TMP=$(mktemp -d); trap 'kill $BPID 2>/dev/null; rm -rf "$TMP"' EXIT
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nuser root\n' "$PORT" >"$TMP/m.conf"
mosquitto -c "$TMP/m.conf" >"$TMP/m.log" 2>&1 & BPID=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
C="-h 127.0.0.1 -p $PORT"
python3 -c "import sys; [sys.stdout.write('%s\n' % ('x'*99)) for _ in range(20000)]" >"$TMP/lines"
cg() { valgrind --tool=callgrind --demangle=no --callgrind-out-file="$TMP/cg.$1" "${@:2}"; }
cg sub $MQ sub $C -t hot/s -C 20000 >/dev/null 2>&1 & S=$!; sleep 2
mosquitto_pub $C -t hot/s -l <"$TMP/lines"; wait $S
timeout 60 mosquitto_sub $C -t hot/p -q 1 -C 20000 -W 30 >/dev/null & S=$!; sleep 0.3
cg publ $MQ pub $C -t hot/p -q 1 -l <"$TMP/lines" 2>/dev/null; wait $S
cg pub $MQ pub $C -t o -m hi 2>/dev/null
cg subq1 $MQ sub $C -t o -v -q 1 -W 0.5 >/dev/null 2>&1 || true
nm --defined-only "$MQ" | awk '$2 ~ /[tTwW]/ {print $3}' | sort -u >"$TMP/defined"
cat "$TMP"/cg.* | grep -oE '^c?fn=\([0-9]+\) .*' | sed -E 's/^c?fn=\([0-9]+\) //' | sort -u \
  | comm -12 - "$TMP/defined" >link/hot-functions.txt
echo "link/hot-functions.txt: $(wc -l <link/hot-functions.txt) functions"
