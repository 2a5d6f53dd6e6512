//! `mq sub`: subscribe and hand each message to the output layer, with mosquitto_sub's stop
//! conditions (`-C`, `-W`, `--retained-only`) and filters (`-R`, `-T`).
//!
//! After the first connect, a lost connection is retried with backoff and the subscriptions
//! renewed. SIGINT / SIGTERM disconnect cleanly (reason 0: the will is not published).

use crate::cli::SubArgs;
use crate::exit::{Code, Error, Result};
use crate::options;
use crate::output::{self, Printer, Written};
use crate::session::{Event, Session, SubscribeOptions};
use crate::topic::TopicFilter;
use bytes::Bytes;
use tokio::signal::unix::{signal, SignalKind};

pub async fn run(args: SubArgs) -> Result<()> {
    let (mut plan, url_topic) = options::plan(&args.conn)?;
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
    // With a small -C, ask the broker not to push more than we will take (as mosquitto_sub).
    if let Some(n) = args.count.filter(|&n| n < 20) {
        plan.receive_maximum = Some(n as u16);
    }

    let quiet = args.conn.quiet;
    let body = receive(&args, &plan, &filters, &filter_out);
    match args.timeout {
        None => body.await,
        Some(w) => match tokio::time::timeout(w, body).await {
            Ok(r) => r,
            Err(_) => Err(Error::new(
                Code::Timeout,
                format!(
                    "timed out after {} waiting for messages",
                    humantime::format_duration(w)
                ),
            )
            .hint(if quiet {
                ""
            } else {
                "nothing more arrived; check the topic filter (topics are case-sensitive)"
            })),
        },
    }
}

async fn receive(
    args: &SubArgs,
    plan: &options::ConnectPlan,
    filters: &[String],
    filter_out: &[TopicFilter],
) -> Result<()> {
    if let Some(dir) = &args.save_dir {
        return super::save::receive(args, dir, plan, filters, filter_out).await;
    }
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut session = Session::connect(plan, true, true).await?;
    let opts = SubscribeOptions {
        qos: args.qos,
        // -R also asks an MQTT 5 broker not to send retained messages at all.
        retain_handling: if args.no_retained { 2 } else { 0 },
    };
    subscribe(&mut session, filters, &opts, &args.unsubscribe).await?;
    if args.exit_after_subscribe {
        return session.disconnect().await;
    }

    let mut printer = Printer::new(args.verbose, !args.no_eol);
    let mut count = 0u64;
    // Topics whose retained message we cleared: the broker echoes the empty clear back to us.
    let mut cleared = std::collections::HashSet::new();
    loop {
        let event = tokio::select! {
            e = session.next_event() => e?,
            _ = sigint.recv() => return interrupted(session, printer, Code::Interrupted).await,
            _ = sigterm.recv() => return interrupted(session, printer, Code::Terminated).await,
        };
        match event {
            Event::Message(m) => {
                if (args.no_retained && m.retain) || filter_out.iter().any(|f| f.matches(&m.topic))
                {
                    continue;
                }
                if !m.retain && m.payload.is_empty() && cleared.remove(&m.topic) {
                    continue;
                }
                if args.retained_only && !m.retain {
                    break;
                }
                if args.remove_retained && m.retain && !m.payload.is_empty() {
                    session
                        .publish(&m.topic, Bytes::new(), 1, true, None)
                        .await?;
                    cleared.insert(m.topic.clone());
                }
                if printer.message(&m)? == Written::Closed {
                    return session.disconnect().await;
                }
                count += 1;
                if args.count == Some(count) {
                    break;
                }
                if !session.has_pending() && printer.flush()? == Written::Closed {
                    return session.disconnect().await;
                }
            }
            Event::ConnectionLost { error, retry_in } => {
                if !args.conn.quiet {
                    output::warn(&format!(
                        "{}; reconnecting in {}",
                        error.message,
                        humantime::format_duration(retry_in)
                    ));
                }
            }
            Event::Reconnected { session_present } => {
                if !args.conn.quiet {
                    output::warn("reconnected");
                }
                if !session_present {
                    subscribe(&mut session, filters, &opts, &args.unsubscribe).await?;
                }
            }
        }
    }
    printer.flush()?;
    if args.remove_retained {
        session
            .wait_acks(std::time::Duration::from_secs(30))
            .await?;
    }
    session.disconnect().await
}

pub(super) async fn subscribe(
    session: &mut Session,
    filters: &[String],
    opts: &SubscribeOptions,
    unsub: &[String],
) -> Result<()> {
    let results = session.subscribe(filters, opts).await?;
    for (filter, r) in filters.iter().zip(&results) {
        if let Err(reason) = r {
            return Err(Error::new(
                Code::Refused,
                format!("the broker refused the subscription to '{filter}': {reason}"),
            )
            .hint("check the broker's ACL for this user and filter"));
        }
    }
    if !unsub.is_empty() {
        session.unsubscribe(unsub).await?;
    }
    Ok(())
}

async fn interrupted(session: Session, mut printer: Printer, code: Code) -> Result<()> {
    let _ = printer.flush();
    session.disconnect().await?;
    Err(Error::new(code, "interrupted"))
}
