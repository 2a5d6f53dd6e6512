#!/usr/bin/env bash
# The vendored crates are crates.io sources plus a numbered patch series. This script checks that
# vendor/<crate> is exactly the pristine crate with vendor/patches/<crate>/*.patch applied in
# order, then runs rumqttc's unit tests (which hold the regression tests of its patches).
#
#   scripts/vendor-check.sh              check rumqttc and rumqttd, run rumqttc's unit tests
#   scripts/vendor-check.sh --no-test    check only
#   scripts/vendor-check.sh series CRATE DIR
#       DIR becomes a git repository: one commit with the pristine crate, one per patch. Edit
#       the series there (commit, `git rebase -i`), then:
#   scripts/vendor-check.sh export CRATE DIR
#       writes DIR's commits back as vendor/patches/CRATE/NNNN-*.patch and DIR's tree as
#       vendor/CRATE.
#
# The pristine crate is the .crate file in cargo's registry cache. Cargo never downloads a crate
# that mq's Cargo.toml [patch]es, so when it is missing a throwaway project outside the
# repository depends on it and runs `cargo fetch`; with the crate cached, nothing goes online.
# Files of the crate that mq does not copy are listed in vendor/patches/CRATE/not-copied; the
# manifest's [[example]], [[test]] and [[bench]] targets go with them (their files are absent).
# The tests build a copy of vendor/rumqttc in target/vendor-test/ with mq's features and lock
# file; besides mq's dependencies they need pretty_assertions, fetched on the first run.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
root=$PWD
crates=(rumqttc rumqttd)
# Files of vendor/CRATE that are mq's, not the crate's.
local_files=(PATCHED.md)

die() { echo "vendor-check: $*" >&2; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

version_of() { # CRATE -> the version in vendor/CRATE/Cargo.toml's [package]
  sed -n 's/^version = "\(.*\)"$/\1/p' "vendor/$1/Cargo.toml" | head -n 1
}

crate_file() { # CRATE VERSION -> path of the cached .crate, fetching it if needed
  local name=$1 version=$2 cache=${CARGO_HOME:-$HOME/.cargo}/registry/cache found
  found=$(ls "$cache"/*/"$name-$version.crate" 2>/dev/null | head -n 1 || true)
  if [ -z "$found" ]; then
    local project=$scratch/fetch
    mkdir -p "$project/src"
    : >"$project/src/lib.rs"
    printf '[package]\nname = "vendor-fetch"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n%s = "=%s"\n' \
      "$name" "$version" >"$project/Cargo.toml"
    (cd "$project" && cargo fetch --quiet --target "$(rustc -vV | sed -n 's/^host: //p')") \
      || die "cannot fetch $name $version from crates.io"
    found=$(ls "$cache"/*/"$name-$version.crate" 2>/dev/null | head -n 1 || true)
    [ -n "$found" ] || die "cargo fetched $name $version but $cache has no $name-$version.crate"
  fi
  echo "$found"
}

pristine() { # CRATE DIR -> DIR holds the crate as mq keeps it, before any patch
  local name=$1 dir=$2 version file
  version=$(version_of "$name")
  [ -n "$version" ] || die "no version in vendor/$name/Cargo.toml"
  file=$(crate_file "$name" "$version")
  mkdir -p "$dir"
  tar -xzf "$file" -C "$dir" --strip-components=1
  sed -e '/^#/d' -e '/^$/d' "vendor/patches/$name/not-copied" | while read -r path; do
    rm -rf "${dir:?}/$path"
  done
  awk '/^\[\[(example|test|bench)\]\]$/ { skip = 1; next } /^\[/ { skip = 0 } !skip' \
    "$dir/Cargo.toml" >"$dir/Cargo.toml.kept"
  mv "$dir/Cargo.toml.kept" "$dir/Cargo.toml"
}

commit() { # DIR ARGS...: a commit that needs no git identity configured
  local dir=$1
  shift
  git -C "$dir" -c user.name=vendor-check -c user.email=vendor-check@localhost \
    commit --quiet --allow-empty "$@"
}

patches() { # CRATE -> the series, in order
  ls "$root/vendor/patches/$1"/[0-9][0-9][0-9][0-9]-*.patch
}

check() { # CRATE: pristine + series = vendor/CRATE, or list what differs
  local name=$1 work=$scratch/check-$1 excludes=(-x .git) f status=0
  series "$name" "$work/tree" >/dev/null
  for f in "${local_files[@]}"; do excludes+=(-x "$f"); done
  if diff -rq "${excludes[@]}" "$work/tree" "vendor/$name" >"$work/diff"; then
    echo "vendor-check: vendor/$name = crates.io $name $(version_of "$name") + $(patches "$name" | wc -l) patches"
  else
    echo "vendor-check: vendor/$name is not crates.io $name $(version_of "$name") + vendor/patches/$name:" >&2
    sed -e "s|$work/tree|(pristine + patches)|g" "$work/diff" >&2
    echo "vendor-check: \`$0 series $name DIR\` rebuilds the series in DIR to compare or edit" >&2
    status=1
  fi
  rm -rf "$work"
  return $status
}

series() { # CRATE DIR: a git repository, one commit per patch
  local name=$1 dir=$2 p
  [ ! -e "$dir" ] || die "$dir exists"
  pristine "$name" "$dir"
  git -C "$dir" init --quiet
  git -C "$dir" add --all
  commit "$dir" --message "$name $(version_of "$name") from crates.io"
  for p in $(patches "$name"); do
    git -C "$dir" apply --whitespace=nowarn "$p" || die "$name: $(basename "$p") does not apply"
    git -C "$dir" add --all
    # The commit message is the patch's header: the text before its first diff.
    sed '/^diff --git /,$d' "$p" | commit "$dir" --file -
  done
  echo "$dir: $(git -C "$dir" rev-list --count HEAD) commits (the pristine crate, then the series)"
}

export_series() { # CRATE DIR: DIR's commits -> patch files, DIR's tree -> vendor/CRATE
  local name=$1 dir=$2 out=$scratch/patches n=0 commit file subject f
  [ -z "$(git -C "$dir" status --porcelain)" ] || die "$dir has uncommitted changes"
  mkdir -p "$out"
  for commit in $(git -C "$dir" rev-list --reverse HEAD | tail -n +2); do
    n=$((n + 1))
    # Patch N keeps its file name; a new one is named after its subject.
    file=$(ls "vendor/patches/$name/$(printf %04d $n)"-*.patch 2>/dev/null | head -n 1 || true)
    if [ -z "$file" ]; then
      subject=$(git -C "$dir" log -1 --format=%s "$commit" | tr 'A-Z' 'a-z' | tr -cs 'a-z0-9' '-' | cut -c1-50)
      file=$(printf '%04d-%s.patch' "$n" "${subject%-}")
    fi
    {
      # The header (the commit message, trailing blank lines dropped), a blank line, the diff.
      git -C "$dir" log -1 --format=%B "$commit" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
      echo
      git -C "$dir" -c diff.noprefix=false diff --no-color --no-renames --no-ext-diff \
        "$commit^" "$commit"
    } >"$out/$(basename "$file")"
  done
  rm -f "vendor/patches/$name"/[0-9][0-9][0-9][0-9]-*.patch
  mv "$out"/*.patch "vendor/patches/$name/"
  # vendor/CRATE becomes DIR's tree; mq's own files in it stay.
  for f in "vendor/$name"/* "vendor/$name"/.[!.]*; do
    [ -e "$f" ] || continue
    case " ${local_files[*]} " in *" $(basename "$f") "*) continue ;; esac
    rm -rf "$f"
  done
  git -C "$dir" archive HEAD | tar -x -C "vendor/$name"
  echo "vendor/patches/$name: $n patches written; vendor/$name updated"
}

run_tests() { # rumqttc's unit tests, on a copy outside vendor/ so its lock file stays out of git
  local copy=target/vendor-test/rumqttc features
  features=$(sed -n 's/^rumqttc = .*features = \[\(.*\)\].*/\1/p' Cargo.toml | tr -d ' "')
  [ -n "$features" ] || die "no rumqttc features in Cargo.toml"
  mkdir -p "$copy"
  # Copied afresh only when changed: cargo goes by modification times.
  if ! diff -rq vendor/rumqttc/src "$copy/src" >/dev/null 2>&1; then
    rm -rf "${copy:?}/src"
    cp -R vendor/rumqttc/src "$copy/"
  fi
  # An empty [workspace] makes the copy its own root, outside mq's package. Of the
  # dev-dependencies only pretty_assertions is used by the unit tests; the others serve the
  # crate's tests/ and examples/, which are not copied, and cost 40 s of CPU on a first build.
  {
    awk '/^\[/ { skip = /^\[dev-dependencies\./ && $0 != "[dev-dependencies.pretty_assertions]" } !skip' \
      vendor/rumqttc/Cargo.toml
    printf '\n[workspace]\n'
  } >"$copy/Cargo.toml.new"
  if cmp -s "$copy/Cargo.toml.new" "$copy/Cargo.toml"; then
    rm "$copy/Cargo.toml.new"
  else
    mv "$copy/Cargo.toml.new" "$copy/Cargo.toml"
  fi
  # mq's versions, so that what mq built is reused; cargo then adds pretty_assertions (from
  # crates.io the first time) and keeps the copy's lock newer until mq's changes.
  [ "$copy/Cargo.lock" -nt Cargo.lock ] || cp Cargo.lock "$copy/"
  # Built with the features mq enables, into mq's target directory to share what is built.
  (cd "$copy" && CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target} \
    cargo test --quiet --lib --no-default-features --features "$features")
}

case "${1:-}" in
  series | export)
    [ $# -eq 3 ] || die "usage: $0 $1 CRATE DIR"
    [ -d "vendor/patches/$2" ] || die "no vendor/patches/$2"
    dir=$(mkdir -p "$(dirname "$3")" && cd "$(dirname "$3")" && pwd)/$(basename "$3")
    if [ "$1" = series ]; then series "$2" "$dir"; else export_series "$2" "$dir"; fi
    ;;
  "" | --no-test)
    status=0
    for name in "${crates[@]}"; do check "$name" || status=1; done
    [ $status -eq 0 ] || exit $status
    [ "${1:-}" = --no-test ] || run_tests
    ;;
  *) die "usage: $0 [--no-test] | series CRATE DIR | export CRATE DIR" ;;
esac
