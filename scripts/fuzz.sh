#!/usr/bin/env bash
# Run every cargo-fuzz target for a bounded time (not part of CI's default path).
# Usage: scripts/fuzz.sh [seconds per target, default 60]
# Needs: cargo install cargo-fuzz. The stable toolchain is enough: RUSTC_BOOTSTRAP=1 enables the
# sanitizer flags cargo-fuzz passes. The corpus grows in fuzz/corpus/<target> and is kept in git;
# a crash leaves its input in fuzz/artifacts/<target> and makes this script exit non-zero.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${1:-60}
export RUSTC_BOOTSTRAP=1
status=0
for target in format_template transfer_frame options certificate terminal_escape transfer_name; do
  mkdir -p "corpus/$target"
  echo "== $target (${secs}s)"
  log=$(mktemp)
  # A target that does not build or run is a failure too, not a silent pass.
  if ! cargo fuzz run -O "$target" "corpus/$target" -- -max_total_time="$secs" -max_len=4096 \
      >"$log" 2>&1; then
    echo "$target: cargo fuzz failed:"; tail -n 30 "$log"; status=1
  fi
  grep -E '^(#[0-9]+ +DONE|Done|==[0-9]+==|SUMMARY|Test unit written)' "$log" || true
  rm -f "$log"
  if ls "artifacts/$target"/crash-* >/dev/null 2>&1; then
    echo "$target: crash inputs in fuzz/artifacts/$target"; status=1
  fi
done
exit $status
