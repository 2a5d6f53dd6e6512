#!/usr/bin/env bash
# Benchmark: a full `mq check` (no --probe) against a local mosquitto must finish in well under
# 1 s wall time. Starts its own broker on 127.0.0.1:${PORT:-18779}; needs mosquitto, hyperfine.
#   scripts/bench-check.sh [path/to/mq]
set -euo pipefail
cd "$(dirname "$0")/.."
mq=${1:-target/release/mq}
port=${PORT:-18779}
[ -x "$mq" ] || cargo build --release --quiet
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$port" >"$dir/mosquitto.conf"
mosquitto -c "$dir/mosquitto.conf" 2>"$dir/log" &
pid=$!
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
kill -0 "$pid" 2>/dev/null || { echo "mosquitto did not start on port $port: $(cat "$dir/log")" >&2; exit 1; }
"$mq" check -h 127.0.0.1 -p "$port"
hyperfine --warmup 3 --runs "${RUNS:-30}" -N \
  "$mq check -h 127.0.0.1 -p $port --quiet" \
  "$mq check -h localhost -p $port --quiet" \
  "$mq check -h 127.0.0.1 -p $port --quiet --probe --max-payload 1MiB"
