//! `mq bridge`: forward messages between two brokers, each way on its own pair of persistent
//! sessions (`pump`), as the topic lines say (`route`). This module builds the four
//! connections' plans from the `--from-*`/`--to-*` flags, refuses a configuration that would
//! send messages back where they came from, runs the pumps until a signal, and reports
//! (`--stats`, `--status-topic`).

mod pump;
mod route;

use crate::cli::{BridgeArgs, ConnectArgs, Side};
use crate::exit::{Code, Error, Result};
use crate::options::{self, ConnectPlan, Will};
use crate::output;
use crate::session::{Event, Qos, RetainHandling, Session, SessionOptions};
use crate::session::{SubscribeOptions, SubscribeV5, Version};
use crate::topic::Topic;
use bytes::Bytes;
use pump::{Counters, Pump, MARK};
use route::{Dir, Route};
use std::ffi::OsString;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Instant;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::watch;

pub async fn run(args: BridgeArgs) -> Result<()> {
    let default_dirs: &[Dir] = match (args.direction.inward, args.direction.both) {
        (true, _) => &[Dir::In],
        (_, true) => &[Dir::Out, Dir::In],
        _ => &[Dir::Out],
    };
    let mut routes: Vec<Route> = Vec::new();
    for line in &args.topics {
        routes.extend(route::parse(line, default_dirs, args.qos)?);
    }
    let (out, back): (Vec<Route>, Vec<Route>) = routes.into_iter().partition(|r| r.dir == Dir::Out);
    let from = args.from.side();
    let to = args.to.side();
    let name = args.name.clone().unwrap_or_else(|| default_name(&args));
    let status = args
        .status_topic
        .as_deref()
        .map(Topic::parse)
        .transpose()
        .map_err(|e| Error::usage(format!("invalid --status-topic: {e}")))?;
    let two_way = !out.is_empty() && !back.is_empty();

    if args.print_config {
        return print_config(
            &args,
            &name,
            [(Dir::Out, &out, &from, &to), (Dir::In, &back, &to, &from)],
        );
    }

    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut pumps = Vec::new();
    for (dir, routes, src_side, dst_side) in
        [(Dir::Out, out, &from, &to), (Dir::In, back, &to, &from)]
    {
        if routes.is_empty() {
            continue;
        }
        let src_plan = plan(src_side, &args, &name, dir)?.1;
        let dst_plan = plan(dst_side, &args, &name, dir)?.1;
        let src = Session::connect(
            &src_plan,
            SessionOptions::receiving()
                .delivery(crate::session::Delivery::AfterOutput)
                .reconnecting(true)
                .batch_reads(true),
        )
        .await?;
        let dst = Session::connect(&dst_plan, SessionOptions::default().reconnecting(true)).await?;
        pumps.push(Pump {
            dir,
            src,
            dst,
            routes,
            mark: two_way.then(|| (MARK.to_string(), name.clone())),
            no_retain: args.no_retain,
            window: usize::from(args.window),
            counters: Arc::new(Counters::default()),
            quiet: args.quiet,
            json: args.json,
        });
    }
    refuse_loops(&pumps)?;
    for p in &mut pumps {
        subscribe(p).await?;
    }
    let mut status = match status {
        Some(topic) => Some(StatusPublisher::connect(&to, &args, &name, topic).await?),
        None => None,
    };
    if !args.quiet {
        output::note(&describe(&pumps, &name));
    }

    let (stop_tx, stop_rx) = watch::channel(false);
    let counters: Vec<(Dir, Arc<Counters>)> =
        pumps.iter().map(|p| (p.dir, p.counters.clone())).collect();
    let mut runs = tokio::task::JoinSet::new();
    for mut p in pumps {
        let stop = stop_rx.clone();
        runs.spawn(async move {
            let r = p.run(stop).await;
            (p, r)
        });
    }
    let mut stats = Stats::new(counters, args.json);
    let mut tick = args.stats.map(|every| {
        let mut t = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        t
    });
    let mut failed = None;
    let mut code = None;
    let mut finished = Vec::new();
    while !runs.is_empty() {
        tokio::select! {
            done = runs.join_next() => {
                let Some(done) = done else { break };
                let (p, r) = done.map_err(|e| Error::runtime(format!("a bridge direction ended: {e}")))?;
                if let Err(e) = r {
                    failed.get_or_insert(e);
                    let _ = stop_tx.send(true);
                }
                finished.push(p);
            }
            _ = async { tick.as_mut().expect("only polled with --stats").tick().await }, if tick.is_some() => {
                stats.print();
            }
            e = async { status.as_mut().expect("only polled with --status-topic").session.next_event().await }, if status.is_some() => {
                match (e, status.as_mut()) {
                    (Ok(event), Some(s)) => s.event(event, args.quiet).await,
                    (Err(e), _) => {
                        output::warn(&format!("status connection: {}", e.message));
                        status = None;
                    }
                    (Ok(_), None) => {}
                }
            }
            _ = sigterm.recv() => { let _ = stop_tx.send(true); }
            _ = sigint.recv() => {
                code = Some(Code::Interrupted);
                let _ = stop_tx.send(true);
            }
        }
    }
    if args.stats.is_some() {
        stats.print();
    }
    if let Some(s) = status {
        s.offline().await;
    }
    for p in finished {
        let _ = p.src.disconnect().await;
        let _ = p.dst.disconnect().await;
    }
    if let Some(e) = failed {
        return Err(e);
    }
    match code {
        None => Ok(()),
        Some(code) => Err(Error::new(code, "interrupted")),
    }
}

/// The plan of the connection of `side` that serves direction `dir`: the side's flags, then
/// what every bridge connection has (a persistent session under a fixed id).
fn plan(
    side: &Side,
    args: &BridgeArgs,
    name: &str,
    dir: Dir,
) -> Result<(ConnectArgs, ConnectPlan)> {
    let id = format!("{}-{}", side.id.as_deref().unwrap_or(name), dir.name());
    let mut argv: Vec<OsString> = vec!["mq bridge".into(), "-i".into(), id.into(), "-c".into()];
    let mut put = |flag: &str, value: Option<OsString>| {
        argv.push(flag.into());
        argv.extend(value);
    };
    put("-x", Some(args.session_expiry.to_string().into()));
    put(
        "-k",
        Some(args.keepalive.as_secs().max(1).to_string().into()),
    );
    let timeout = humantime::format_duration(args.connect_timeout).to_string();
    put("--connect-timeout", Some(timeout.into()));
    if let Some(u) = &side.url {
        put("-L", Some(u.into()));
    }
    if let Some(u) = &side.username {
        put("-u", Some(u.into()));
    }
    for (flag, path) in [
        ("--password-file", &side.password_file),
        ("--cafile", &side.cafile),
        ("--cert", &side.cert),
        ("--key", &side.key),
    ] {
        if let Some(p) = path {
            put(flag, Some(p.into()));
        }
    }
    if let Some(v) = side.protocol_version {
        use clap::ValueEnum;
        let name = v.to_possible_value().expect("no value is skipped");
        put("-V", Some(name.get_name().into()));
    }
    for (flag, on) in [
        ("--tls", side.tls),
        ("--insecure", side.insecure),
        ("-d", args.debug),
    ] {
        if on {
            put(flag, None);
        }
    }
    let profile = match &side.profile {
        Some(name) => crate::profile::load(name)?,
        None => Vec::new(),
    };
    let mut conn = connect_args(argv, &profile)?;
    let plan = options::plan(&conn)?.0;
    conn.profile = side.profile.clone();
    Ok((conn, plan))
}

/// `--print-config`: each connection's settings, as `mq sub --print-config` shows them.
fn print_config(
    args: &BridgeArgs,
    name: &str,
    dirs: [(Dir, &Vec<Route>, &Side, &Side); 2],
) -> Result<()> {
    let mut out = String::new();
    for (dir, routes, src, dst) in dirs {
        if routes.is_empty() {
            continue;
        }
        for (role, side) in [("reads", src), ("publishes", dst)] {
            let broker = if std::ptr::eq(side, dirs[0].2) {
                "--from"
            } else {
                "--to"
            };
            out.push_str(&format!(
                "# direction {}: {role} on the {broker} broker\n",
                dir.name()
            ));
            let (conn, plan) = plan(side, args, name, dir)?;
            out.push_str(&crate::cmd::config::render(&conn, &plan));
            out.push('\n');
        }
    }
    output::write_stdout(out.as_bytes())
}

/// The shared connection flags parsed from `argv`, ignoring the environment (`MQ_HOST`,
/// `MQ_CAFILE`, ...): it cannot say which side it means. A side's profile stands where the
/// environment would: its settings come first, as flags that the side's own flags override.
fn connect_args(argv: Vec<OsString>, profile: &[(&str, String)]) -> Result<ConnectArgs> {
    use clap::{Args, FromArgMatches};
    let mut cmd = ConnectArgs::augment_args(
        clap::Command::new("mq bridge")
            .version(env!("CARGO_PKG_VERSION"))
            .disable_help_flag(true)
            .disable_version_flag(true)
            .args_override_self(true),
    );
    let mut from_profile: Vec<OsString> = Vec::new();
    for (var, value) in profile {
        // The password is read by `credentials`, not by clap.
        if *var == "MQ_PASSWORD" {
            from_profile.extend(["--password".into(), value.into()]);
            continue;
        }
        let Some(arg) = cmd
            .get_arguments()
            .find(|a| a.get_env().is_some_and(|e| e == *var))
        else {
            continue;
        };
        let long = format!(
            "--{}",
            arg.get_long().expect("every setting has a long flag")
        );
        if arg.get_action().takes_values() {
            from_profile.extend([long.into(), value.into()]);
        } else if value == "true" {
            from_profile.push(long.into());
        }
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        cmd = cmd.mut_arg(id, |a| a.env(None::<&str>));
    }
    let mut argv = argv.into_iter();
    let all: Vec<OsString> = argv
        .next()
        .into_iter()
        .chain(from_profile)
        .chain(argv)
        .collect();
    let m = cmd.try_get_matches_from(all)?;
    Ok(ConnectArgs::from_arg_matches(&m)?)
}

/// On MQTT 3.1.1 a message carries no mark: a bridge running both ways must not subscribe, on
/// either broker, to what it publishes there.
fn refuse_loops(pumps: &[Pump]) -> Result<()> {
    let [a, b] = pumps else { return Ok(()) };
    let v311 = [&a.src, &a.dst, &b.src, &b.dst]
        .iter()
        .any(|s| s.version() == Version::V311);
    if !v311 {
        return Ok(());
    }
    if let Some((fwd, back)) = route::loop_between(&a.routes, &b.routes)
        .or_else(|| route::loop_between(&b.routes, &a.routes))
    {
        return Err(Error::usage(format!(
            "over MQTT 3.1.1 messages forwarded {} to '{}' would come back {} through '{}'",
            fwd.dir.name(),
            fwd.dest,
            back.dir.name(),
            back.source
        ))
        .hint("give the two directions prefixes that keep them apart (-t 'PATTERN both QOS FROM-PREFIX TO-PREFIX'), or use MQTT 5 brokers"));
    }
    Ok(())
}

/// Subscribe the pump's source to its topic lines, keeping the retain flag as published.
async fn subscribe(p: &mut Pump) -> Result<()> {
    let v5 = SubscribeV5 {
        retain_as_published: true,
        ..Default::default()
    };
    for qos in [Qos::AtMostOnce, Qos::AtLeastOnce, Qos::ExactlyOnce] {
        let filters: Vec<String> = p
            .routes
            .iter()
            .filter(|r| r.qos == qos)
            .map(|r| r.source.as_str().to_string())
            .collect();
        if filters.is_empty() {
            continue;
        }
        let opts = SubscribeOptions {
            qos,
            // A restart with the session kept does not forward the retained messages again.
            retain_handling: RetainHandling::OnNewSubscription,
        };
        crate::cmd::subscribe::subscribe_v5(&mut p.src, &filters, opts, &v5, &[]).await?;
    }
    Ok(())
}

/// A stable name for a bridge given none: the same command line gets the same client ids (and
/// so its sessions back), another bridge gets others.
fn default_name(args: &BridgeArgs) -> String {
    // FNV-1a: stable across Rust releases, unlike std's hasher.
    let mut h: u32 = 0x811c_9dc5;
    let from = args.from.url.as_deref().unwrap_or("");
    let to = args.to.url.as_deref().unwrap_or("");
    for part in [from, to]
        .into_iter()
        .chain(args.topics.iter().map(String::as_str))
    {
        for b in part.bytes().chain([0]) {
            h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
    }
    format!("mq-bridge-{h:08x}")
}

fn describe(pumps: &[Pump], name: &str) -> String {
    let lines: Vec<String> = pumps
        .iter()
        .flat_map(|p| {
            p.routes.iter().map(move |r| {
                format!(
                    "  {} {} -> {} (QoS {})",
                    r.dir.name(),
                    r.source,
                    r.dest,
                    r.qos
                )
            })
        })
        .collect();
    format!("mq bridge {name}: forwarding\n{}", lines.join("\n"))
}

/// The `--stats` lines: per direction, since the previous line.
struct Stats {
    dirs: Vec<(Dir, Arc<Counters>, u64)>,
    since: Instant,
    json: bool,
}

impl Stats {
    fn new(counters: Vec<(Dir, Arc<Counters>)>, json: bool) -> Stats {
        Stats {
            dirs: counters.into_iter().map(|(d, c)| (d, c, 0)).collect(),
            since: Instant::now(),
            json,
        }
    }

    fn print(&mut self) {
        let secs = self.since.elapsed().as_secs_f64().max(0.001);
        self.since = Instant::now();
        let mut out = String::new();
        for (dir, c, last) in &mut self.dirs {
            let forwarded = c.forwarded.load(Relaxed);
            let rate = (forwarded - *last) as f64 / secs;
            *last = forwarded;
            let (in_flight, dups, dropped, lag) = (
                c.in_flight.load(Relaxed),
                c.duplicates.load(Relaxed),
                c.dropped.load(Relaxed),
                c.lag_ms.load(Relaxed),
            );
            if self.json {
                let line = serde_json::json!({
                    "direction": dir.name(),
                    "forwarded": forwarded,
                    "per_second": (rate * 10.0).round() / 10.0,
                    "in_flight": in_flight,
                    "duplicates": dups,
                    "dropped": dropped,
                    "lag_ms": lag,
                });
                out.push_str(&format!("{line}\n"));
            } else {
                out.push_str(&format!(
                    "{}: {forwarded} forwarded, {rate:.1}/s, {in_flight} in flight, {dups} duplicates, {dropped} dropped, lag {:.3}s\n",
                    dir.name(),
                    lag as f64 / 1000.0
                ));
            }
        }
        let _ = output::write_stdout(out.as_bytes());
    }
}

/// `--status-topic`: a connection of its own to the `--to` broker, whose will says offline.
struct StatusPublisher {
    session: Session,
    topic: Topic,
}

impl StatusPublisher {
    async fn connect(to: &Side, args: &BridgeArgs, name: &str, topic: Topic) -> Result<Self> {
        let mut plan = plan(to, args, name, Dir::Out)?.1;
        plan.client_id = format!("{}-status", to.id.as_deref().unwrap_or(name));
        plan.will = Some(Will {
            topic: topic.clone(),
            payload: status_json("offline").into_bytes(),
            qos: Qos::AtLeastOnce,
            retain: true,
        });
        let session = Session::connect(&plan, SessionOptions::default().reconnecting(true)).await?;
        let mut s = StatusPublisher { session, topic };
        s.publish("online").await?;
        Ok(s)
    }

    async fn publish(&mut self, status: &str) -> Result<()> {
        let payload = Bytes::from(status_json(status));
        self.session
            .publish(self.topic.as_str(), payload, Qos::AtLeastOnce, true, None)
            .await?;
        self.session
            .wait_acks(std::time::Duration::from_secs(5))
            .await
    }

    async fn event(&mut self, e: Event, quiet: bool) {
        if let Event::Reconnected { .. } = e {
            if let Err(e) = self.publish("online").await {
                output::warn(&format!("publishing the online status: {}", e.message));
            }
        } else {
            output::connection_event(&e, quiet);
        }
    }

    async fn offline(mut self) {
        if self.session.is_connected() {
            if let Err(e) = self.publish("offline").await {
                output::warn(&format!("publishing the offline status: {}", e.message));
            }
        }
        let _ = self.session.disconnect().await;
    }
}

fn status_json(status: &str) -> String {
    serde_json::json!({ "status": status }).to_string()
}
