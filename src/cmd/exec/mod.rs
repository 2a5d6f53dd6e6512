//! `mq sub --exec CMD`: run a command for each message (`command.rs`, the contract shared with
//! `capture --exec`), at most `--concurrency` at once, and print its stdout or, with `--reply`,
//! publish it to the message's response topic.
//!
//! Messages wait in the session while every slot is busy: `--concurrency` of them in its
//! channel, then up to `session::HOLD_BUDGET` bytes while the session keeps the connection alive
//! (a command may take longer than the keepalive), then the session stops reading from the
//! broker (and on MQTT 5 the receive maximum keeps the broker from sending more QoS 1/2
//! messages). A QoS 1/2 message is acknowledged only once its
//! command has finished, in the order received, so a persistent session (`-c -i ID`) gets every
//! message processed at least once across crashes.

pub mod command;

use crate::cli::{ExecFail, SubArgs};
use crate::exit::{Code, Error, Result};
use crate::options::ConnectPlan;
use crate::output;
use crate::session::{
    AckToken, Delivery, Event, Message, Properties, RetainHandling, Session, SessionOptions,
    SubscribeOptions, SubscribeV5,
};
use crate::topic::TopicFilter;
use bytes::Bytes;
use std::cell::Cell;
use std::collections::VecDeque;
use std::io::{Read, Seek, Write};
use std::time::Duration;
use tokio::signal::unix::{signal, SignalKind};
use tokio::task::JoinSet;

/// How long commands still running at SIGINT/SIGTERM may take to finish before they are killed.
const GRACE: Duration = Duration::from_secs(10);

/// How `mq sub` got here: its filters, and where it reports progress for `-W`'s message.
pub struct Receive<'a> {
    pub args: &'a SubArgs,
    pub command: &'a str,
    pub plan: &'a ConnectPlan,
    pub filters: &'a [String],
    pub filter_out: &'a [TopicFilter],
    pub v5: &'a SubscribeV5,
    /// Whether a message is one to run the command for (beyond `-R` and `-T`); the others are
    /// acknowledged and dropped, and do not count for `-C`.
    /// Whether the message is for the command (`--where`/`--grep`); an `Err` (a failed
    /// `--assert`) ends the run.
    pub accept: &'a dyn Fn(&Message) -> Result<bool>,
    pub subscribed: &'a Cell<bool>,
    /// Commands started, for `-C` and `-W`'s message.
    pub started: &'a Cell<u64>,
}

/// A finished command: its message and what it wrote.
struct Done {
    seq: u64,
    message: Message,
    stdout: std::io::Result<Vec<u8>>,
    result: std::result::Result<(), command::Failed>,
}

/// Acknowledgements owed, in the order the messages were received: one goes out only when it
/// and every one before it is done (MQTT wants PUBACKs in order).
#[derive(Default)]
struct InOrder {
    waiting: VecDeque<(u64, Option<AckToken>, bool)>,
    ready: Vec<AckToken>,
}

impl InOrder {
    fn push(&mut self, seq: u64, token: Option<AckToken>, done: bool) {
        self.waiting.push_back((seq, token, done));
        self.release();
    }

    fn done(&mut self, seq: u64) {
        if let Some(w) = self.waiting.iter_mut().find(|w| w.0 == seq) {
            w.2 = true;
        }
        self.release();
    }

    fn release(&mut self) {
        while self.waiting.front().is_some_and(|w| w.2) {
            if let Some((_, Some(token), _)) = self.waiting.pop_front() {
                self.ready.push(token);
            }
        }
    }
}

pub async fn receive(r: Receive<'_>) -> Result<()> {
    let args = r.args;
    let x = &args.exec;
    let slots = usize::from(x.concurrency);
    let mut plan = r.plan.clone();
    // The broker sends no more QoS 1/2 messages than run and wait here (unless -C asked fewer).
    let window = u16::try_from(2 * slots).unwrap_or(u16::MAX);
    plan.receive_maximum = Some(plan.receive_maximum.map_or(window, |n| n.min(window)));
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut opts = SessionOptions::default()
        .delivery(Delivery::AfterOutput)
        .reconnecting(true)
        .buffer(slots)
        // A command may take longer than the keepalive: the session goes on pinging.
        .hold(crate::session::HOLD_BUDGET);
    opts.inflight = args.max_inflight;
    let mut session = Session::connect(&plan, opts).await?;
    let sub_opts = SubscribeOptions {
        qos: args.qos,
        retain_handling: match (args.v5.retain_handling, args.no_retained) {
            (Some(n), _) => RetainHandling::from_u8(n),
            (None, true) => RetainHandling::Never,
            (None, false) => RetainHandling::OnSubscribe,
        },
    };
    super::subscribe::subscribe_v5(&mut session, r.filters, sub_opts, r.v5, &args.unsubscribe)
        .await?;
    r.subscribed.set(true);
    if let Some(path) = &args.ready_file {
        crate::cmd::conditions::signal_ready(path)?;
    }

    let mut running: JoinSet<Done> = JoinSet::new();
    let mut acks = InOrder::default();
    let mut seq = 0u64;
    let mut failed = 0u64;
    let mut replies = false;
    // Why the run stops taking messages: None while it takes them.
    let mut stop: Option<Option<Code>> = None;
    loop {
        tokio::select! {
            e = session.next_event(), if stop.is_none() && running.len() < slots => match e? {
                Event::Message(m) => {
                    seq += 1;
                    let skip = (args.no_retained && m.retain)
                        || r.filter_out.iter().any(|f| f.matches(&m.topic))
                        || !(r.accept)(&m)?;
                    acks.push(seq, m.ack_token(), skip);
                    if skip {
                        session.ack(&mut acks.ready);
                        continue;
                    }
                    r.started.set(r.started.get() + 1);
                    start(&mut running, x.exec_timeout, r.command, seq, m);
                    if args.count == Some(r.started.get()) {
                        stop = Some(None);
                    }
                }
                other => output::connection_event(&other, args.conn.quiet),
            },
            Some(done) = running.join_next() => {
                let done = done.map_err(|e| Error::runtime(format!("a command's task failed: {e}")))?;
                match finished(&mut session, args, done, &mut replies).await? {
                    Ok(seq) => acks.done(seq),
                    Err((seq, f)) => {
                        failed += 1;
                        if x.exec_fail == ExecFail::Exit {
                            // Its message (and those after it) stay unacknowledged: a
                            // persistent session hands them over again.
                            running.shutdown().await;
                            session.ack(&mut acks.ready);
                            session.disconnect().await?;
                            let status = f.code.unwrap_or(Code::Runtime as i32);
                            return Err(Error::with_status(status, format!("--exec-fail exit: {}", f.why)));
                        }
                        acks.done(seq);
                    }
                }
                session.ack(&mut acks.ready);
            }
            _ = sigint.recv(), if stop.is_none() => stop = Some(Some(Code::Interrupted)),
            _ = sigterm.recv(), if stop.is_none() => stop = Some(Some(Code::Terminated)),
            else => break,
        }
        if stop.is_some() && running.is_empty() {
            break;
        }
        if let Some(Some(_)) = stop {
            // Interrupted: the commands running get a bounded grace, then are killed.
            let grace = tokio::time::Instant::now() + GRACE.min(x.exec_timeout);
            while let Ok(Some(done)) = tokio::time::timeout_at(grace, running.join_next()).await {
                let Ok(done) = done else { continue };
                match finished(&mut session, args, done, &mut replies).await? {
                    Ok(seq) => acks.done(seq),
                    Err((seq, _)) => {
                        failed += 1;
                        acks.done(seq);
                    }
                }
            }
            if !running.is_empty() && !args.conn.quiet {
                output::warn(&format!(
                    "{} command(s) still running after the grace period: killed, their messages not acknowledged",
                    running.len()
                ));
            }
            running.shutdown().await;
            break;
        }
    }
    session.ack(&mut acks.ready);
    if replies {
        session.wait_acks(Duration::from_secs(30)).await?;
    }
    session.disconnect().await?;
    let run = r.started.get();
    if let Some(Some(code)) = stop {
        if failed > 0 && !args.conn.quiet {
            output::warn(&format!("{failed} of {run} --exec commands failed"));
        }
        return Err(Error::new(code, "interrupted"));
    }
    if failed > 0 {
        return Err(
            Error::runtime(format!("{failed} of {run} --exec commands failed"))
                .hint("each failure was reported above; --exec-fail exit stops at the first"),
        );
    }
    Ok(())
}

/// Start the command for message `m` on a task of its own.
fn start(running: &mut JoinSet<Done>, timeout: Duration, cmd: &str, seq: u64, m: Message) {
    let cmd = cmd.to_string();
    running.spawn(async move {
        // Payload in and output out through private anonymous files: any size, no pipe that a
        // command not reading its stdin could block on, and the outputs of commands running
        // side by side never interleave.
        let files = tempfile::tempfile().and_then(|mut input| {
            input.write_all(&m.payload)?;
            input.rewind()?;
            let out = tempfile::tempfile()?;
            let given = out.try_clone()?;
            Ok((input, out, given))
        });
        let (input, mut out, given) = match files {
            Ok(f) => f,
            Err(e) => {
                return Done {
                    seq,
                    message: m,
                    stdout: Ok(Vec::new()),
                    result: Err(format!("creating the command's temporary files: {e}").into()),
                }
            }
        };
        let spec = command::Spec {
            command: &cmd,
            env: command::message_env(&m),
            stdin: input.into(),
            stdout: given.into(),
            timeout,
            what: "--exec command",
        };
        let result = command::run(spec).await;
        let stdout = out.rewind().and_then(|()| {
            let mut v = Vec::new();
            out.read_to_end(&mut v).map(|_| v)
        });
        Done {
            seq,
            message: m,
            stdout,
            result,
        }
    });
}

/// Deliver a finished command's output: to mq's stdout, or with `--reply` to the message's
/// response topic. Returns the message's sequence number, with the failure if the command
/// failed (reported here, with its last stderr line).
async fn finished(
    session: &mut Session,
    args: &SubArgs,
    done: Done,
    replies: &mut bool,
) -> Result<std::result::Result<u64, (u64, command::Failed)>> {
    let quiet = args.conn.quiet;
    let m = &done.message;
    let stdout = match done.stdout {
        Ok(v) => v,
        Err(e) => {
            return Ok(Err((
                done.seq,
                format!("reading the command's output: {e}").into(),
            )))
        }
    };
    if let Err(f) = done.result {
        if !quiet {
            output::warn(&format!("--exec for the message on {}: {}", m.topic, f.why));
            if let Some(line) = &f.last_stderr {
                output::warn(&format!("the command's last error line: {line}"));
            }
        }
        // What it printed before failing is still its output (never a reply).
        if !args.exec.reply {
            output::write_stdout(&stdout)?;
        }
        return Ok(Err((done.seq, f)));
    }
    if !args.exec.reply {
        output::write_stdout(&stdout)?;
        return Ok(Ok(done.seq));
    }
    let props = m.properties.as_ref();
    let Some(topic) = props.and_then(|p| p.response_topic.as_deref()) else {
        if !quiet {
            output::warn(&format!(
                "--reply: the message on {} has no response topic: the command's output is not sent",
                m.topic
            ));
        }
        return Ok(Ok(done.seq));
    };
    if let Err(why) = crate::topic::Topic::parse(topic) {
        if !quiet {
            output::warn(&format!(
                "--reply: the message on {} asks for a reply on '{topic}': {why}",
                m.topic
            ));
        }
        return Ok(Ok(done.seq));
    }
    // A line of text is the common answer (`echo ok`): its final newline is not part of it,
    // as with the shell's $(...).
    let mut stdout = stdout;
    if stdout.last() == Some(&b'\n') {
        stdout.pop();
    }
    let reply = Properties {
        correlation_data: props.and_then(|p| p.correlation_data.clone()),
        ..Default::default()
    };
    session
        .publish(topic, Bytes::from(stdout), m.qos, false, Some(&reply))
        .await
        .map_err(|e| e.context(format!("replying on {topic}")))?;
    *replies = true;
    Ok(Ok(done.seq))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(pkid: u16) -> Option<AckToken> {
        Message {
            topic: String::new(),
            payload: Bytes::new(),
            qos: crate::session::Qos::AtLeastOnce,
            retain: false,
            pkid,
            properties: None,
        }
        .ack_token()
    }

    #[test]
    fn acknowledgements_go_out_in_the_order_received() {
        let mut acks = InOrder::default();
        acks.push(1, token(1), false);
        acks.push(2, token(2), false);
        acks.push(3, None, true);
        acks.push(4, token(4), false);
        acks.done(2);
        assert!(acks.ready.is_empty(), "2 waits for 1");
        acks.done(1);
        assert_eq!(acks.ready, vec![token(1).unwrap(), token(2).unwrap()]);
        acks.ready.clear();
        acks.done(4);
        assert_eq!(acks.ready, vec![token(4).unwrap()]);
        assert!(acks.waiting.is_empty());
    }
}
