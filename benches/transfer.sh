#!/usr/bin/env bash
# 200 MiB through one throwaway mosquitto: mq's chunked transfer (pub -f / sub --save-dir) vs
# mosquitto's clients sending the same file as one message (mosquitto_pub -f / mosquitto_sub -C 1
# > file), with message_size_limit raised so mosquitto accepts it.
# Usage: benches/transfer.sh [path/to/mq]   (default target/release/mq; env SIZE_MIB=200, RUNS=3, PORT=18778)
# Reports wall seconds from the publisher's start to the file being complete on the receiver,
# throughput, peak RSS (/usr/bin/time -f %M) of sender and receiver, and mq/mosquitto ratios.
set -u
MQ=${1:-target/release/mq}; [ -x "$MQ" ] || { echo "no mq binary at $MQ (cargo build --release)"; exit 2; }
SIZE_MIB=${SIZE_MIB:-200}; RUNS=${RUNS:-3}; PORT=${PORT:-18778}
TMP=$(mktemp -d); trap 'kill $BPID 2>/dev/null; rm -rf "$TMP"' EXIT
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmessage_size_limit 0\nmax_queued_messages 0\nmax_queued_bytes 0\n' "$PORT" >"$TMP/m.conf"
[ "$(id -u)" -eq 0 ] && echo "user root" >>"$TMP/m.conf"
mosquitto -c "$TMP/m.conf" >"$TMP/m.log" 2>&1 & BPID=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
C="-h 127.0.0.1 -p $PORT"
head -c $((SIZE_MIB << 20)) /dev/urandom >"$TMP/file.bin"
SUM=$(sha256sum <"$TMP/file.bin" | cut -d' ' -f1)
T='%e %M'
now() { date +%s.%N; }

# Each run prints: seconds (publisher start to receiver exit), sender RSS KiB, receiver RSS KiB, ok|BAD
mosq() {
  rm -f "$TMP/out.bin"
  /usr/bin/time -f "$T" -o "$TMP/rt" timeout 300 mosquitto_sub $C -t bench/m -C 1 >"$TMP/out.bin" & local s=$!
  sleep 0.5; local t0; t0=$(now)
  /usr/bin/time -f "$T" -o "$TMP/st" timeout 300 mosquitto_pub $C -t bench/m -f "$TMP/file.bin"
  wait $s; local t1; t1=$(now)
  # mosquitto_sub adds a newline after the payload.
  local got; got=$(head -c $((SIZE_MIB << 20)) "$TMP/out.bin" | sha256sum | cut -d' ' -f1)
  echo "$(echo "$t1 - $t0" | bc) $(cut -d' ' -f2 "$TMP/st") $(cut -d' ' -f2 "$TMP/rt") $([ "$got" = "$SUM" ] && echo ok || echo BAD)"
}
mqrun() {
  rm -rf "$TMP/dir"; mkdir "$TMP/dir"
  /usr/bin/time -f "$T" -o "$TMP/rt" timeout 300 "$MQ" sub $C -t bench/q --save-dir "$TMP/dir" -C 1 >/dev/null & local s=$!
  sleep 0.5; local t0; t0=$(now)
  /usr/bin/time -f "$T" -o "$TMP/st" timeout 300 "$MQ" pub $C -t bench/q -f "$TMP/file.bin" ${CHUNK:+--chunk-size $CHUNK}
  wait $s; local t1; t1=$(now)
  local got; got=$(sha256sum <"$TMP/dir/file.bin" 2>/dev/null | cut -d' ' -f1)
  echo "$(echo "$t1 - $t0" | bc) $(cut -d' ' -f2 "$TMP/st") $(cut -d' ' -f2 "$TMP/rt") $([ "$got" = "$SUM" ] && echo ok || echo BAD)"
}
printf '%-28s %8s %9s %12s %12s %5s\n' "${SIZE_MIB} MiB file" wall_s MiB/s sender_KiB receiver_KiB file
ms=(); qs=()
for i in $(seq "$RUNS"); do
  read -r w sr rr ok < <(mosq); ms+=("$w")
  printf '%-28s %8.2f %9.1f %12s %12s %5s\n' "mosquitto_pub/sub 1 msg" "$w" "$(echo "$SIZE_MIB / $w" | bc -l)" "$sr" "$rr" "$ok"
  read -r w sr rr ok < <(mqrun); qs+=("$w")
  printf '%-28s %8.2f %9.1f %12s %12s %5s\n' "mq pub -f / sub --save-dir" "$w" "$(echo "$SIZE_MIB / $w" | bc -l)" "$sr" "$rr" "$ok"
done
med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m=$(med "${ms[@]}"); q=$(med "${qs[@]}")
printf '\nmedian wall: mosquitto %.2fs, mq %.2fs; mq throughput = %.2fx mosquitto'"'"'s\n' "$m" "$q" "$(echo "$m / $q" | bc -l)"
