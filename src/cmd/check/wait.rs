//! `mq check --wait`: the wait-for-it step of a CI job or a compose healthcheck. The whole check
//! runs again, after a short growing pause, until it passes (exit 0, with the passing report)
//! or the time is up (the last failed report, and its exit code). On a terminal each failed
//! try is one status line on stderr; in a pipe or a log only the final report is written.

use super::{check_once, report, result, Ctx, Report};
use crate::exit::{Code, Error, Result};
use crate::output::escape::shown;
use std::time::Duration;
use tokio::time::Instant;

/// The pause after the first failed try; it doubles up to `MAX_PAUSE`.
const FIRST_PAUSE: Duration = Duration::from_millis(250);
const MAX_PAUSE: Duration = Duration::from_secs(2);
/// Time kept for a last try before the deadline (a refused or passing check takes milliseconds).
const LAST_TRY: Duration = Duration::from_millis(200);

pub async fn until_passed(cx: &Ctx, out: &report::Out, wait: Duration) -> Result<()> {
    use std::io::IsTerminal;
    let status = !out.is_quiet() && std::io::stderr().is_terminal();
    let started = Instant::now();
    let deadline = started + wait;
    let mut pause = FIRST_PAUSE;
    let mut last: Option<Report> = None;
    for attempt in 1.. {
        // A try that hangs (a port that swallows SYNs) is cut off at the deadline.
        let r = match tokio::time::timeout_at(deadline, check_once(cx)).await {
            Ok(r) => r,
            Err(_) => break,
        };
        if r.first_failure().is_none() {
            out.report(&r)?;
            return Ok(());
        }
        if status {
            eprintln!("{}", try_line(&r, attempt, started.elapsed()));
        }
        last = Some(r);
        // The last pause is shortened so that one more try fits before the deadline.
        let left = deadline.saturating_duration_since(Instant::now());
        if left <= LAST_TRY {
            tokio::time::sleep_until(deadline).await;
            break;
        }
        tokio::time::sleep(pause.min(left - LAST_TRY)).await;
        pause = (pause * 2).min(MAX_PAUSE);
    }
    let after = humantime::format_duration(wait);
    match last {
        Some(r) => {
            out.report(&r)?;
            // `last` holds only failed tries, so `result` is an error.
            let mut e = result(&r).expect_err("the last try failed");
            e.message = format!("{} (still failing after --wait {after})", e.message);
            Err(if out.on_terminal() { e.shown() } else { e })
        }
        None => Err(Error::new(
            Code::Unreachable,
            format!(
                "check of {} did not finish within --wait {after}",
                cx.plan.address()
            ),
        )
        .hint("is it an MQTT broker, and is this its port? a longer --wait may help")),
    }
}

/// `mq: waiting for HOST:PORT: try 3 failed at TCP: connection refused (1.2s)`.
fn try_line(r: &Report, attempt: u64, elapsed: Duration) -> String {
    let (stage, why) = r.first_failure().map_or(("check", "failed"), |s| {
        (
            report::label(s.name),
            s.error.as_deref().unwrap_or("failed"),
        )
    });
    format!(
        "mq: waiting for {}: try {attempt} failed at {stage}: {} ({:.1}s)",
        shown(&r.target),
        shown(why),
        elapsed.as_secs_f64()
    )
}
