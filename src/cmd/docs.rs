//! `mq completions SHELL` and `mq man [SUBCOMMAND]`: print what `docs` generates. The only
//! commands that write stdout themselves: their output is a file, not messages.

use crate::cli::{CompletionsArgs, ManArgs};
use crate::docs;
use crate::exit::{Error, Result};

pub fn completions(args: &CompletionsArgs) -> Result<()> {
    write(&docs::completions(args.shell))
}

pub fn man(args: &ManArgs) -> Result<()> {
    let want = match &args.subcommand {
        None => "mq.1".to_string(),
        Some(s) => format!("mq-{s}.1"),
    };
    let pages = docs::man_pages();
    match pages.iter().find(|(name, _)| *name == want) {
        Some((_, roff)) => write(roff),
        None => {
            let names: Vec<&str> = pages
                .iter()
                .filter_map(|(n, _)| n.strip_prefix("mq-")?.strip_suffix(".1"))
                .collect();
            Err(Error::usage(format!(
                "no man page for '{}'",
                args.subcommand.as_deref().unwrap_or_default()
            ))
            .hint(format!("subcommands: {}", names.join(", "))))
        }
    }
}

fn write(bytes: &[u8]) -> Result<()> {
    crate::output::write_stdout(bytes)
}
