//! `mq sub --save-dir DIR`: every received message becomes a file in DIR. Chunked transfers
//! (docs/transfer.md) are reassembled and verified by `transfer::reassemble`; other messages are
//! saved one file each. `-C` counts files (saved or failed); any failure among them makes the
//! exit code 1.

use super::subscribe::subscribe;
use crate::cli::SubArgs;
use crate::exit::{Code, Error, Result};
use crate::options::ConnectPlan;
use crate::output::saved::SavedReport;
use crate::output::{self, Written};
use crate::session::{Event, Qos, RetainHandling, Session, SessionOptions, SubscribeOptions};
use crate::topic::TopicFilter;
use crate::transfer::reassemble::{Outcome, SaveOptions, Saver};
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::signal::unix::{signal, SignalKind};

/// Received messages waiting for the disk, at most: with chunks of 256 KiB, 2 MiB.
const BUFFER: usize = 8;

pub async fn receive(
    args: &SubArgs,
    dir: &Path,
    plan: &ConnectPlan,
    filters: &[String],
    filter_out: &[TopicFilter],
) -> Result<()> {
    if args.transfer_timeout.is_zero() {
        return Err(Error::usage("--transfer-timeout must be more than 0"));
    }
    let mut saver = Saver::new(
        dir,
        SaveOptions {
            overwrite: args.overwrite,
            max_size: args.max_size,
            timeout: args.transfer_timeout,
        },
    )
    .map_err(|e| match dir.exists() {
        true => Error::usage(e),
        false => Error::usage(e).hint("create the directory first"),
    })?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut session = Session::connect(
        plan,
        SessionOptions::receiving()
            .reconnecting(true)
            .buffer(BUFFER),
    )
    .await?;
    // Chunks must not be dropped on the way in: QoS 1 at least.
    let opts = SubscribeOptions {
        qos: args.qos.max(Qos::AtLeastOnce),
        retain_handling: match args.no_retained {
            true => RetainHandling::Never,
            false => RetainHandling::OnSubscribe,
        },
    };
    subscribe(&mut session, filters, opts, &args.unsubscribe).await?;
    if let Some(path) = &args.ready_file {
        crate::cmd::conditions::signal_ready(path)?;
    }

    let mut report = SavedReport::new(args.json);
    let (mut files, mut failed) = (0u64, 0u64);
    let mut tick = tokio::time::interval(Duration::from_secs(1).min(args.transfer_timeout));
    loop {
        let outcomes = tokio::select! {
            e = session.next_event() => match e? {
                Event::Message(m) => {
                    if (args.no_retained && m.retain)
                        || filter_out.iter().any(|f| f.matches(&m.topic))
                    {
                        continue;
                    }
                    saver.accept(&m.topic, &m.payload, Instant::now())
                }
                other => {
                    output::connection_event(&other, args.conn.quiet);
                    continue;
                }
            },
            _ = tick.tick() => saver.expire(Instant::now()),
            _ = sigint.recv() => return stop(session, Code::Interrupted).await,
            _ = sigterm.recv() => return stop(session, Code::Terminated).await,
        };
        for outcome in outcomes {
            files += 1;
            match outcome {
                Outcome::Saved(s) => {
                    if report.saved(&s)? == Written::Closed {
                        return session.disconnect().await;
                    }
                }
                Outcome::Failed(why) => {
                    failed += 1;
                    if !args.conn.quiet {
                        report.failed(&why);
                    }
                }
            }
            if args.count == Some(files) {
                session.disconnect().await?;
                return summary(files, failed);
            }
        }
    }
}

fn summary(files: u64, failed: u64) -> Result<()> {
    if failed == 0 {
        return Ok(());
    }
    Err(Error::runtime(format!(
        "{failed} of {files} file(s) failed; see the messages above"
    )))
}

async fn stop(session: Session, code: Code) -> Result<()> {
    session.disconnect().await?;
    Err(Error::new(code, "interrupted"))
}
