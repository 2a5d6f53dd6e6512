#!/usr/bin/env bash
# mq capture: trigger-to-image latency for a 100 KiB image (p50/p99 over N triggers, measured by
# a paho-mqtt client that publishes the trigger and waits for the image), and the agent's RSS
# while idle and its peak while serving.
# Usage: benches/capture.sh [path/to/mq]   (default target/release/mq; env N=100, PORT=18779, SOURCE=exec|file)
# Needs mosquitto, python3 with paho-mqtt.
set -u
MQ=${1:-target/release/mq}; [ -x "$MQ" ] || { echo "no mq binary at $MQ (cargo build --release)"; exit 2; }
N=${N:-100}; PORT=${PORT:-18779}
TMP=$(mktemp -d); trap 'kill $APID $BPID 2>/dev/null; rm -rf "$TMP"' EXIT
printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$PORT" >"$TMP/m.conf"
# mosquitto's default (Nagle on) holds the tail of a 100 KiB message for a delayed ACK (~40 ms);
# NODELAY=0 keeps the default to see it.
[ "${NODELAY:-1}" = 1 ] && echo 'set_tcp_nodelay true' >>"$TMP/m.conf"
[ "$(id -u)" -eq 0 ] && echo "user root" >>"$TMP/m.conf"
mosquitto -c "$TMP/m.conf" >"$TMP/m.log" 2>&1 & BPID=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
{ printf '\xff\xd8\xff\xe0'; head -c $((100 * 1024 - 4)) /dev/urandom; } >"$TMP/img.jpg"
# SOURCE=file measures mq alone; the default adds starting a command per capture.
if [ "${SOURCE:-exec}" = file ]; then src=(--file "$TMP/img.jpg"); else src=(--exec "cat $TMP/img.jpg"); fi
"$MQ" capture -h 127.0.0.1 -p "$PORT" --trigger camera/capture --match capture_image \
  --topic camera/image "${src[@]}" 2>"$TMP/agent.err" & APID=$!
sleep 1
idle=$(awk '/VmRSS/ {print $2}' /proc/$APID/status)
python3 - "$PORT" "$N" <<'PY'
import sys, threading, time
import paho.mqtt.client as mqtt
port, n = int(sys.argv[1]), int(sys.argv[2])
got = threading.Event()
def on_message(c, u, m):
    got.set()
try:
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
except AttributeError:  # paho-mqtt 1.x
    c = mqtt.Client()
c.on_message = on_message
c.connect("127.0.0.1", port)
# Nagle would hold each trigger behind the previous PUBACK for a delayed ACK (40 ms).
import socket
c.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
c.subscribe("camera/image", qos=1)
c.loop_start()
time.sleep(0.5)
lat = []
for _ in range(n):
    got.clear()
    t0 = time.perf_counter()
    c.publish("camera/capture", "capture_image", qos=1)
    if not got.wait(10):
        print("no image within 10s"); sys.exit(1)
    lat.append((time.perf_counter() - t0) * 1000)
lat.sort()
p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
print("trigger-to-image latency, 100 KiB image, %d triggers: p50 %.1f ms, p99 %.1f ms, max %.1f ms" % (n, p(0.5), p(0.99), lat[-1]))
PY
peak=$(awk '/VmHWM/ {print $2}' /proc/$APID/status)
echo "agent RSS: idle ${idle} KiB, peak while serving ${peak} KiB"
