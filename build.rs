//! Release builds on x86_64 Linux link the functions a run of `mq sub` / `mq pub` executes next
//! to each other (`link/hot-functions.txt`, made by `scripts/hot-functions.sh`). The kernel maps
//! a binary's pages in 64 KiB runs around each page used, so with those functions spread over
//! 6 MiB of code a subscriber kept 4 MiB of it resident; packed, about 1 MiB.
//!
//! Only with rustc's own lld (the default linker of x86_64-unknown-linux-gnu since Rust 1.90)
//! and no linker chosen in RUSTFLAGS; a stale list only loses the effect, never breaks a build.

use std::env;
use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=link/hot-functions.txt");
    println!("cargo:rerun-if-env-changed=MQ_NO_LINK_ORDER");
    let list = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("link/hot-functions.txt");
    let target = env::var("TARGET").unwrap_or_default();
    let release = env::var("PROFILE").is_ok_and(|p| p == "release");
    let flags = env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let own_linker = flags.contains("linker") || flags.contains("fuse-ld");
    if !release
        || target != "x86_64-unknown-linux-gnu"
        || own_linker
        || env::var_os("MQ_NO_LINK_ORDER").is_some()
        || !list.exists()
        || !rustc_links_with_lld()
    {
        return;
    }
    println!(
        "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
        list.display()
    );
    println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
}

/// rustc 1.90 or later (x86_64 Linux links with rust-lld by default from then on).
fn rustc_links_with_lld() -> bool {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let Ok(out) = Command::new(rustc).arg("--version").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    // "rustc 1.95.0 (59807616e 2026-04-14)"
    let mut parts = text
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .split('.')
        .map(|n| n.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    major > 1 || (major == 1 && minor >= 90)
}
