//! Shell completions and man pages, generated from the clap definition in `cli/`: printed by
//! `mq completions SHELL` and `mq man [SUBCOMMAND]`, and committed under `completions/` and
//! `man/` (tests/it/generated.rs fails when those files no longer match the CLI).

use clap_complete::Shell;

/// Completion file names, as each shell looks for them.
pub const SHELLS: &[(Shell, &str)] = &[
    (Shell::Bash, "mq.bash"),
    (Shell::Zsh, "_mq"),
    (Shell::Fish, "mq.fish"),
    (Shell::PowerShell, "_mq.ps1"),
    (Shell::Elvish, "mq.elv"),
];

pub fn completions(shell: Shell) -> Vec<u8> {
    let mut cmd = crate::cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "mq", &mut out);
    out
}

/// `mq.1` and one page per subcommand (`mq-pub.1`, ...): (file name, roff).
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let mut root = crate::cli::command().disable_help_subcommand(true);
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
    for code in crate::exit::Code::ALL {
        let meaning = code.meaning().replace('`', "");
        out.extend_from_slice(
            format!(".TP\n\\fB{}\\fR\n{}\n", code as i32, roff_escape(&meaning)).as_bytes(),
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

#[cfg(test)]
mod tests {
    use crate::exit::Code;

    /// `exit::Code` is the one source of the exit-code table: the README, `mq --help` and every
    /// man page say the same, code for code.
    #[test]
    fn readme_help_and_man_pages_agree_with_the_exit_code_table() {
        let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
        let table = readme
            .split("## Exit codes")
            .nth(1)
            .expect("README has an Exit codes section");
        let rows: Vec<(i32, &str)> = table
            .lines()
            .skip_while(|l| !l.starts_with("| 0 "))
            .take_while(|l| l.starts_with('|'))
            .map(|l| {
                let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
                (cells[0].parse().expect("a code"), cells[1])
            })
            .collect();
        let want: Vec<(i32, &str)> = Code::ALL.iter().map(|&c| (c as i32, c.meaning())).collect();
        assert_eq!(
            rows, want,
            "README's exit-code table differs from src/exit.rs"
        );

        let help = crate::cli::command().render_help().to_string();
        let help: String = help.split_whitespace().collect::<Vec<_>>().join(" ");
        for c in Code::ALL {
            let line = format!("{} {}", c as i32, c.meaning().replace('`', ""));
            assert!(help.contains(&line), "mq --help lacks: {line}");
        }
        for (name, page) in super::man_pages() {
            let page = String::from_utf8(page).expect("roff is text");
            for c in Code::ALL {
                let entry = format!(
                    "\\fB{}\\fR\n{}\n",
                    c as i32,
                    super::roff_escape(&c.meaning().replace('`', ""))
                );
                assert!(page.contains(&entry), "{name} lacks exit code {}", c as i32);
            }
        }
    }
}
