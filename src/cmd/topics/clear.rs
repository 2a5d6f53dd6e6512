//! `mq topics --clear-retained`: snapshot the retained messages under the filters, clear each
//! (an empty retained message), then snapshot again to prove none is left. Safe for scripts:
//! `--dry-run` only lists, and without `--yes` it asks on a terminal and refuses in a pipe.

use super::{End, Job};
use crate::exit::{Code, Error, Result};
use crate::output;
use crate::session::{Qos, Session, SessionOptions};
use bytes::Bytes;
use std::io::IsTerminal;
use std::time::Duration;

/// How long the broker may take to acknowledge all the clearing publishes.
const ACK_TIMEOUT: Duration = Duration::from_secs(30);
/// Topics named in the error when some are left.
const NAMED: usize = 10;

pub(super) async fn run(job: &Job<'_>) -> Result<()> {
    let args = job.args;
    let interactive = std::io::stdin().is_terminal();
    if !args.dry_run && !args.yes && !interactive {
        return Err(Error::usage(
            "--clear-retained asks for confirmation, but stdin is not a terminal",
        )
        .hint("list what would be cleared with --dry-run, then add --yes"));
    }
    let under = job.filters.join(" ");
    let (inv, end) = job.listen(true, false).await?;
    if end != End::Done && end != End::Bound {
        return interrupted(end);
    }
    job.print(&job.view(&inv), &inv)?;
    let topics: Vec<String> = inv
        .retained_topics()
        .into_iter()
        .map(String::from)
        .collect();
    let note = |line: String| {
        if !args.conn.quiet {
            output::note(&line);
        }
    };
    if topics.is_empty() {
        note(format!("mq topics: no retained message under {under}"));
        return Ok(());
    }
    let n = topics.len();
    if args.dry_run {
        note(format!(
            "mq topics: --dry-run: {n} retained messages under {under} would be cleared; nothing was changed"
        ));
        return Ok(());
    }
    if !args.yes && !confirm(n, &under).await? {
        return Err(Error::runtime("not confirmed: nothing was cleared"));
    }

    let mut session = Session::connect(job.plan, SessionOptions::default()).await?;
    for t in &topics {
        // A broker may hand out a retained "topic" no one can publish to.
        if let Err(why) = crate::topic::Topic::parse(t) {
            output::warn(&format!(
                "not clearing the retained message on '{t}': {why}"
            ));
            continue;
        }
        session
            .publish(t, Bytes::new(), Qos::AtLeastOnce, true, None)
            .await?;
    }
    // A refusal (MQTT 5 PUBACK reason) is reported with what the verification finds left.
    let refused = match session.wait_acks(ACK_TIMEOUT).await {
        Ok(()) => None,
        Err(e) if e.code == Code::Refused => Some(e),
        Err(e) => return Err(e),
    };
    session.disconnect().await?;

    let (after, end) = job.listen(true, false).await?;
    if end != End::Done && end != End::Bound {
        return interrupted(end);
    }
    let left = after.retained_topics();
    if left.is_empty() {
        note(format!(
            "mq topics: cleared {n} retained messages under {under}; none is left"
        ));
        return Ok(());
    }
    let mut named: Vec<String> = left.iter().take(NAMED).map(|t| quoted(t)).collect();
    if left.len() > NAMED {
        named.push(format!("and {} more", left.len() - NAMED));
    }
    let (code, hint) = match &refused {
        Some(e) => (
            Code::Refused,
            format!("{}; check the broker's ACL for this user", e.message),
        ),
        None => (
            Code::Runtime,
            "the broker may drop this user's publishes to them (ACL), or a client publishes them again".into(),
        ),
    };
    Err(Error::new(
        code,
        format!(
            "{} of {n} retained messages under {under} remain after clearing: {}",
            left.len(),
            named.join(", ")
        ),
    )
    .hint(hint))
}

/// A topic from the network, in an error line.
fn quoted(t: &str) -> String {
    let mut s = String::from("'");
    super::text::terminal_safe(&mut s, t);
    s.push('\'');
    s
}

fn interrupted(end: End) -> Result<()> {
    Err(match end {
        End::Terminated => Error::new(Code::Terminated, "terminated: nothing was cleared"),
        _ => Error::new(Code::Interrupted, "interrupted: nothing was cleared"),
    })
}

/// Ask on the terminal; only `y` or `yes` clears.
async fn confirm(n: usize, under: &str) -> Result<bool> {
    eprint!("Clear these {n} retained messages under {under}? [y/N] ");
    let read = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map(|_| line)
    });
    // mq handles SIGINT itself by now: Ctrl-C at the prompt must still end it.
    let answer = tokio::select! {
        r = read => r.map_err(|e| Error::runtime(format!("reading the answer: {e}")))??,
        _ = tokio::signal::ctrl_c() => return Err(Error::new(Code::Interrupted, "interrupted: nothing was cleared")),
    };
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}
