//! Shell completions and man pages, generated from the clap definition in `cli.rs`: printed by
//! `mq completions SHELL` and `mq man [SUBCOMMAND]`, and committed under `completions/` and
//! `man/` (tests/generated.rs fails when those files no longer match the CLI).

use crate::cli::Cli;
use clap::CommandFactory;
use clap_complete::Shell;

/// The exit-code table of every man page (the same as README.md and `exit.rs`).
const EXIT_CODES: &[(i32, &str)] = &[
    (0, "success"),
    (
        1,
        "runtime error not listed below (I/O, protocol error, publish not acknowledged)",
    ),
    (
        2,
        "usage error: bad flag, bad value, invalid topic, unreadable file",
    ),
    (
        3,
        "could not reach the broker: DNS, TCP, TLS handshake, websocket handshake, connect timeout",
    ),
    (
        4,
        "the broker refused the connection (bad credentials, not authorized, bad client id, ...)",
    ),
    (5, "the broker refused a subscribe or publish"),
    (
        6,
        "an assertion failed (connected fine, but the broker misbehaves)",
    ),
    (
        27,
        "-W timeout ran out before the wanted messages arrived (as mosquitto_sub)",
    ),
    (130, "interrupted (Ctrl-C)"),
    (143, "terminated (SIGTERM)"),
];

/// Completion file names, as each shell looks for them.
pub const SHELLS: &[(Shell, &str)] = &[
    (Shell::Bash, "mq.bash"),
    (Shell::Zsh, "_mq"),
    (Shell::Fish, "mq.fish"),
    (Shell::PowerShell, "_mq.ps1"),
    (Shell::Elvish, "mq.elv"),
];

pub fn completions(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "mq", &mut out);
    out
}

/// `mq.1` and one page per subcommand (`mq-pub.1`, ...): (file name, roff).
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut pages = vec![page(root.clone())];
    for sub in root.get_subcommands().filter(|s| !s.is_hide_set()) {
        pages.push(page(sub.clone()));
    }
    pages
}

fn page(cmd: clap::Command) -> (String, Vec<u8>) {
    let man = clap_mangen::Man::new(cmd)
        .source(format!("mq {}", env!("CARGO_PKG_VERSION")))
        .manual("mq manual");
    let name = man.get_filename();
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = man.render(&mut out);
    // clap_mangen titles the after-help text EXTRA; ours is always examples.
    let mut out = String::from_utf8_lossy(&out)
        .replace(".SH EXTRA\n", ".SH EXAMPLES\n")
        .into_bytes();
    out.extend_from_slice(b".SH \"EXIT STATUS\"\n");
    for (code, meaning) in EXIT_CODES {
        out.extend_from_slice(
            format!(".TP\n\\fB{code}\\fR\n{}\n", roff_escape(meaning)).as_bytes(),
        );
    }
    (name, out)
}

fn roff_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('-', "\\-")
}

/// Every generated file, by path from the repository root.
pub fn generated_files() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = SHELLS
        .iter()
        .map(|(shell, name)| (format!("completions/{name}"), completions(*shell)))
        .collect();
    files.extend(
        man_pages()
            .into_iter()
            .map(|(name, roff)| (format!("man/{name}"), roff)),
    );
    files
}
