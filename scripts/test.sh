#!/usr/bin/env bash
# The test command: install what the integration tests need when it is missing (Debian: apt-get,
# with sudo unless root; python3's paho-mqtt with pip), then `cargo test`. Arguments go to
# cargo test: `scripts/test.sh --test it transfer::`.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

need=()
# Every test starts its own mosquitto; mosquitto-clients are the reference mq is compared with.
command -v mosquitto >/dev/null || need+=(mosquitto)
command -v mosquitto_sub >/dev/null || need+=(mosquitto-clients)
# TLS tests make and convert certificates with openssl; mq check's color test and the password
# prompt test need a terminal from util-linux's script.
command -v openssl >/dev/null || need+=(openssl)
command -v script >/dev/null || need+=(bsdutils)
# Tests stop brokers and process groups with kill(1), from procps (not in minimal images; bash's
# builtin kill is no use to a test binary).
type -P kill >/dev/null || need+=(procps)
# The --proxy tests go through a SOCKS5 proxy.
command -v microsocks >/dev/null || need+=(microsocks)
if [ ${#need[@]} -gt 0 ]; then
  echo "scripts/test.sh: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
# A broker started by the package is not needed: tests start their own on free ports.

# The transfer tests run a Python paho-mqtt receiver written from docs/transfer.md; without it
# they say SKIPPED and pass.
if command -v python3 >/dev/null && ! python3 -c 'import paho.mqtt.client' 2>/dev/null; then
  if ! python3 -m pip --version >/dev/null 2>&1; then
    { as_root apt-get update -qq \
        && as_root apt-get install -y -qq --no-install-recommends python3-pip; } || true
  fi
  python3 -m pip install -q paho-mqtt 2>/dev/null \
    || python3 -m pip install -q --break-system-packages paho-mqtt \
    || echo "scripts/test.sh: paho-mqtt could not be installed: the Python receiver tests will be skipped" >&2
fi

# Brokers that are not mosquitto, for the MQTT 3.1.1 fallback and check tests (tests/it/
# other_brokers.rs): aedes from npm into target/test-brokers, amqtt from PyPI. Each takes about
# 15 s to install; without it its tests say SKIPPED and pass.
if [ ! -e target/test-brokers/node_modules/aedes/package.json ]; then
  if ! command -v npm >/dev/null; then
    { as_root apt-get update -qq \
        && as_root apt-get install -y -qq --no-install-recommends nodejs npm; } || true
  fi
  mkdir -p target/test-brokers
  npm install --prefix target/test-brokers --no-audit --no-fund --silent aedes@0.51 \
    || echo "scripts/test.sh: aedes could not be installed: its tests will be skipped" >&2
fi
if command -v python3 >/dev/null && ! command -v amqtt >/dev/null; then
  python3 -m pip install -q amqtt 2>/dev/null \
    || python3 -m pip install -q --break-system-packages amqtt \
    || echo "scripts/test.sh: amqtt could not be installed: its tests will be skipped" >&2
fi

exec cargo test "$@"
