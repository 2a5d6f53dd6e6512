//! `mq sub`: subscribe and hand each message to the output layer, with mosquitto_sub's stop
//! conditions (`-C`, `-W`, `--retained-only`) and filters (`-R`, `-T`).
//!
//! `--where`/`--grep`/`--assert` and `--ready-file` are in `conditions.rs`.
//!
//! After the first connect, a lost connection is retried with backoff and the subscriptions
//! renewed. SIGINT / SIGTERM disconnect cleanly (reason 0: the will is not published).

use crate::cli::SubArgs;
use crate::cmd::conditions::{self, Gate};
use crate::cmd::serve;
use crate::exit::{Code, Error, Result};
use crate::options;
use crate::output::{self, Printer, Written};
use crate::properties;
use crate::session::{AckToken, Delivery, Event, Qos, RetainHandling, Session, SessionOptions};
use crate::session::{Granted, SubscribeOptions, SubscribeV5};
use crate::topic::TopicFilter;
use bytes::Bytes;
use tokio::signal::unix::{signal, SignalKind};

/// Received messages acknowledged together at most this many at a time.
const ACK_BATCH: usize = 256;

pub async fn run(mut args: SubArgs) -> Result<()> {
    // A broker inside mq, alive until mq exits; see `cmd/serve.rs`.
    let embedded = match args.embedded {
        true => Some(serve::point_at_embedded(&mut args.conn)?),
        false => None,
    };
    let (mut plan, url_topic) = options::plan(&args.conn)?;
    if args.conn.print_config {
        return crate::cmd::config::print(&args.conn, &plan);
    }
    let mut filters = args.topic.clone();
    filters.extend(url_topic);
    if filters.is_empty() {
        return Err(
            Error::usage("no topic given").hint("add -t <filter>, for example -t 'sensors/#'")
        );
    }
    let check = |list: &[String], what: &str| -> Result<Vec<TopicFilter>> {
        list.iter()
            .map(|f| {
                TopicFilter::parse(f).map_err(|e| Error::usage(format!("invalid {what}: {e}")))
            })
            .collect()
    };
    check(&filters, "subscription filter (-t)")?;
    let filter_out = check(&args.filter_out, "filter-out filter (-T)")?;
    check(&args.unsubscribe, "unsubscribe filter (-U)")?;
    let gate = Gate::new(&args.conditions, args.conn.debug)?;
    if args.save_dir.is_some() && !gate.is_empty() {
        return Err(Error::usage(
            "--where, --grep and --assert do not apply to --save-dir",
        ));
    }
    // With a small -C, ask the broker not to push more than we will take (as mosquitto_sub).
    if let Some(n) = args.count.filter(|&n| n < 20) {
        plan.receive_maximum = Some(n as u16);
    }
    let v5 = properties::for_subscribe(&args.v5, &mut plan)?;

    let quiet = args.conn.quiet;
    // Output problems (a bad -F, an unwritable --output) are reported before connecting.
    let printer = Printer::with(output_options(&args)?).map_err(|e| {
        let file = args.output.as_deref().unwrap_or(std::path::Path::new(""));
        Error::runtime(format!("opening --output {}: {e}", file.display()))
            .hint("check that the directory exists and is writable")
    })?;
    if let Some(broker) = embedded.as_ref().filter(|_| !quiet) {
        let port = broker.port;
        output::note(&format!(
            "mq sub: a broker runs inside mq on 127.0.0.1:{port} until it exits; publish to it \
             from another shell: mq pub -h 127.0.0.1 -p {port} -t {} -m hello",
            serve::quoted(&serve::example_topic(&filters[0]))
        ));
    }
    if let Some(path) = &args.ready_file {
        conditions::clear_ready(path)?;
    }
    // How far the run got, for the timeout's message.
    let progress = Progress::default();
    let body = receive(
        &args,
        &plan,
        &filters,
        &filter_out,
        printer,
        &v5,
        &gate,
        &progress,
    );
    let result = match args.timeout {
        None => body.await,
        Some(w) => match tokio::time::timeout(w, body).await {
            Ok(r) => r,
            Err(_) => Err(progress.timed_out(w, &plan, args.count, gate.selects())),
        },
    };
    // -C N reached: the publisher of the last message may still await its acknowledgement.
    if let (Ok(()), Some(broker)) = (&result, &embedded) {
        broker.drain(Some(EMBEDDED_DRAIN)).await;
    }
    result
}

/// How long `sub --embedded` keeps its broker for other clients still connected when done.
const EMBEDDED_DRAIN: std::time::Duration = std::time::Duration::from_secs(2);

/// How far a `sub` run got: connected and subscribed, messages arrived (past -R and -T) and
/// shown (those the conditions selected).
#[derive(Default)]
struct Progress {
    subscribed: std::cell::Cell<bool>,
    arrived: std::cell::Cell<u64>,
    shown: std::cell::Cell<u64>,
}

impl Progress {
    /// `-W` ran out: say how far the run got. A broker that never answered is unreachable
    /// (exit 3), not a quiet topic; the topic-filter hint only when nothing arrived at all.
    fn timed_out(
        &self,
        wait: std::time::Duration,
        plan: &options::ConnectPlan,
        wanted: Option<u64>,
        selecting: bool,
    ) -> Error {
        let after = humantime::format_duration(wait);
        if !self.subscribed.get() {
            return Error::new(
                Code::Unreachable,
                format!(
                    "connecting to {}: no CONNACK and SUBACK within -W {after}",
                    plan.address()
                ),
            )
            .hint("is it an MQTT broker, and is this its MQTT port? (try mq check)");
        }
        let counts = selecting
            .then(|| {
                let (arrived, shown) = (self.arrived.get(), self.shown.get());
                conditions::timed_out(&after.to_string(), arrived, shown, wanted)
            })
            .flatten();
        if let Some(e) = counts {
            return e;
        }
        match (self.shown.get(), wanted) {
            (0, _) => Error::new(
                Code::Timeout,
                format!("timed out after {after}: no message arrived"),
            )
            .hint(
                "check the topic filter (topics are case-sensitive) and that something publishes",
            ),
            (n, Some(c)) => Error::new(
                Code::Timeout,
                format!("timed out after {after}: {n} of the {c} messages wanted (-C) arrived"),
            ),
            (n, None) => Error::new(
                Code::Timeout,
                format!("timed out after {after} ({n} messages arrived)"),
            ),
        }
    }
}

// The command's whole receive loop; `progress` says how far it got.
#[allow(clippy::too_many_arguments)]
async fn receive(
    args: &SubArgs,
    plan: &options::ConnectPlan,
    filters: &[String],
    filter_out: &[TopicFilter],
    mut printer: Printer,
    v5: &SubscribeV5,
    gate: &Gate,
    progress: &Progress,
) -> Result<()> {
    if let Some(dir) = &args.save_dir {
        // (--save-dir reports its own progress: a timeout there reads as a quiet topic.)
        progress.subscribed.set(true);
        return super::save::receive(args, dir, plan, filters, filter_out).await;
    }
    if let Some(command) = &args.exec.exec {
        return super::exec::receive(super::exec::Receive {
            args,
            command,
            plan,
            filters,
            filter_out,
            v5,
            accept: &|m| gate.admit(m),
            subscribed: &progress.subscribed,
            started: &progress.shown,
        })
        .await;
    }
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut session_opts = SessionOptions::default()
        .delivery(Delivery::AfterOutput)
        .reconnecting(true)
        .batch_reads(true);
    session_opts.inflight = args.max_inflight;
    let mut session = Session::connect(plan, session_opts).await?;
    let opts = SubscribeOptions {
        qos: args.qos,
        // -R also asks an MQTT 5 broker not to send retained messages at all.
        retain_handling: match (args.v5.retain_handling, args.no_retained) {
            (Some(n), _) => RetainHandling::from_u8(n),
            (None, true) => RetainHandling::Never,
            (None, false) => RetainHandling::OnSubscribe,
        },
    };
    // The SUBACK comes as an event: a resumed session's queued messages may arrive first, and
    // a broker may hold the SUBACK until they are acknowledged (amqtt does), which they are
    // only once written out.
    session.request_subscribe(filters, opts, v5).await?;

    // Messages written but not yet flushed: acknowledged only once flushed, so a crash makes
    // the broker deliver them again instead of losing them.
    let mut unacked: Vec<AckToken> = Vec::new();
    // --count-only prints once a second; the first report comes one second in.
    let mut ticks = tokio::time::interval_at(
        tokio::time::Instant::now() + std::time::Duration::from_secs(1),
        std::time::Duration::from_secs(1),
    );
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Topics whose retained message we cleared: the broker echoes the empty clear back to us.
    let mut cleared = std::collections::HashSet::new();
    loop {
        let event = tokio::select! {
            e = session.next_event() => e?,
            _ = sigint.recv() => return interrupted(session, printer, &mut unacked, Code::Interrupted).await,
            _ = sigterm.recv() => return interrupted(session, printer, &mut unacked, Code::Terminated).await,
            _ = ticks.tick(), if args.count_only => {
                if printer.tick()? == Written::Closed {
                    return session.disconnect().await;
                }
                continue;
            }
        };
        match event {
            Event::Message(m) => {
                let skip = (args.no_retained && m.retain)
                    || filter_out.iter().any(|f| f.matches(&m.topic))
                    || (!m.retain && m.payload.is_empty() && cleared.remove(&m.topic));
                if !skip && args.retained_only && !m.retain {
                    // Not printed: left unacknowledged for a persistent session's next run.
                    break;
                }
                // Printed (acknowledged once flushed) or filtered out: either way handled.
                unacked.extend(m.ack_token());
                if !skip {
                    progress.arrived.set(progress.arrived.get() + 1);
                }
                let skip = match skip {
                    true => true,
                    false => match gate.admit(&m) {
                        Ok(shown) => !shown,
                        Err(failed) => return stop(session, printer, &mut unacked, failed).await,
                    },
                };
                if !skip {
                    if args.remove_retained && m.retain && !m.payload.is_empty() {
                        // A broker may hand out a retained "topic" no one can publish to.
                        match crate::topic::Topic::parse(&m.topic) {
                            Ok(_) => {
                                session
                                    .publish(&m.topic, Bytes::new(), Qos::AtLeastOnce, true, None)
                                    .await?;
                                cleared.insert(m.topic.clone());
                            }
                            Err(why) => output::warn(&format!(
                                "not clearing the retained message on '{}': {why}",
                                m.topic
                            )),
                        }
                    }
                    // --random-filter hides a share; hidden ones still count for -C.
                    let shown = args
                        .random_filter
                        .map_or(true, |percent| fastrand::f64() * 100.0 < percent);
                    let written = match shown {
                        true => printer.message(&m)?,
                        false => Written::Ok,
                    };
                    if written == Written::Closed {
                        return session.disconnect().await;
                    }
                    progress.shown.set(progress.shown.get() + 1);
                    if args.count == Some(progress.shown.get()) {
                        break;
                    }
                }
                // Flush and acknowledge when nothing else is waiting, or at least every
                // ACK_BATCH messages so the broker's window keeps moving under a flood.
                if !session.has_pending() || unacked.len() >= ACK_BATCH {
                    if printer.flush()? == Written::Closed {
                        return session.disconnect().await;
                    }
                    session.ack(&mut unacked);
                }
            }
            Event::Subscribed(granted) => {
                refused(filters, &granted)?;
                if !args.unsubscribe.is_empty() {
                    session
                        .unsubscribe_with(&args.unsubscribe, &v5.unsubscribe_user_properties)
                        .await?;
                }
                progress.subscribed.set(true);
                if let Some(path) = &args.ready_file {
                    conditions::signal_ready(path)?;
                }
                if args.exit_after_subscribe {
                    break;
                }
            }
            other => output::connection_event(&other, args.conn.quiet),
        }
    }
    printer.finish()?;
    session.ack(&mut unacked);
    if args.remove_retained {
        session
            .wait_acks(std::time::Duration::from_secs(30))
            .await?;
    }
    session.disconnect().await
}

/// The output layer's options from the command line; a bad `-F` template is a usage error.
fn output_options(args: &SubArgs) -> Result<output::Options> {
    let layout = output::Layout::from_flags(
        args.format_template.as_deref(),
        args.json,
        args.count_only,
        args.verbose,
    )?;
    Ok(output::Options {
        layout,
        eol: !args.no_eol,
        pretty: args.pretty,
        payload_format: args.payload_format,
        color: args.color,
        timestamp: args.timestamp,
        output_file: args.output.clone(),
        quiet: args.conn.quiet,
    })
}

pub(super) async fn subscribe(
    session: &mut Session,
    filters: &[String],
    opts: SubscribeOptions,
    unsub: &[String],
) -> Result<()> {
    subscribe_v5(session, filters, opts, &SubscribeV5::default(), unsub).await
}

/// `subscribe` with MQTT 5 subscription options and properties.
pub(super) async fn subscribe_v5(
    session: &mut Session,
    filters: &[String],
    opts: SubscribeOptions,
    v5: &SubscribeV5,
    unsub: &[String],
) -> Result<()> {
    let results = session.subscribe_v5(filters, opts, v5).await?;
    refused(filters, &results)?;
    if !unsub.is_empty() {
        session
            .unsubscribe_with(unsub, &v5.unsubscribe_user_properties)
            .await?;
    }
    Ok(())
}

/// A filter the broker refused ends the command (exit 5).
fn refused(filters: &[String], granted: &[Granted]) -> Result<()> {
    match filters.iter().zip(granted).find(|(_, g)| g.is_err()) {
        Some((filter, Err(reason))) => Err(Error::new(
            Code::Refused,
            format!("the broker refused the subscription to '{filter}': {reason}"),
        )
        .hint("check the broker's ACL for this user and filter")),
        _ => Ok(()),
    }
}

async fn interrupted(
    session: Session,
    printer: Printer,
    unacked: &mut Vec<AckToken>,
    code: Code,
) -> Result<()> {
    stop(session, printer, unacked, Error::new(code, "interrupted")).await
}

/// End the run early with `error`: what was printed is flushed and acknowledged first.
async fn stop(
    mut session: Session,
    mut printer: Printer,
    unacked: &mut Vec<AckToken>,
    error: Error,
) -> Result<()> {
    if printer.finish().is_ok() {
        session.ack(unacked);
    }
    session.disconnect().await?;
    Err(error)
}
