//! The committed shell completions (completions/) and man pages (man/) must match the CLI
//! definition. After changing a flag or its help text, regenerate them with
//! `MQ_REGENERATE=1 cargo test --test it generated::` and commit the result.

use crate::common::*;
use std::path::Path;

#[test]
fn committed_completions_and_man_pages_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let regenerate = std::env::var_os("MQ_REGENERATE").is_some();
    let files = mq::docs::generated_files();
    let mut stale = Vec::new();
    for (path, bytes) in &files {
        let full = root.join(path);
        if regenerate {
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, bytes).unwrap();
        } else if std::fs::read(&full).ok().as_ref() != Some(bytes) {
            stale.push(path.clone());
        }
    }
    // Pages of subcommands that no longer exist.
    for dir in ["completions", "man"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            let rel = format!("{dir}/{}", entry.file_name().to_string_lossy());
            if !files.iter().any(|(p, _)| *p == rel) {
                if regenerate {
                    std::fs::remove_file(entry.path()).unwrap();
                } else {
                    stale.push(rel);
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "out of date with the CLI: {stale:?}\nrun: MQ_REGENERATE=1 cargo test --test it generated::, and commit completions/ and man/"
    );
}

#[test]
fn completions_and_man_subcommands_print_the_same_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = run(mq_args(&["completions", "zsh"]), b"", LIMIT);
    assert_eq!(code(&out), 0);
    assert_eq!(out.stdout, mq::docs::completions(clap_complete::Shell::Zsh));
    assert!(root.join("completions/_mq").exists());

    let out = run(mq_args(&["man", "pub"]), b"", LIMIT);
    assert_eq!(code(&out), 0);
    let page = stdout(&out);
    assert!(page.contains(".SH \"EXIT STATUS\""), "{page}");
    assert!(
        page.contains("mq pub \\-t sensors/temp \\-m 21.5"),
        "examples: {page}"
    );
    assert!(page.contains("\\-\\-cafile"), "{page}");

    let out = run(mq_args(&["man", "nope"]), b"", LIMIT);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("no man page for 'nope'"),
        "{}",
        stderr(&out)
    );
    let out = run(mq_args(&["completions", "tcsh"]), b"", LIMIT);
    assert_eq!(code(&out), 2);
}
