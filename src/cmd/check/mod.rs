//! `mq check`: staged broker diagnostics.
//!
//! Stages run in order and stop at the first failure: DNS, TCP connect, MQTT CONNECT (5, then
//! 3.1.1), SUBSCRIBE, publish -> receive round trips at QoS 0/1/2, retained set / read back /
//! clear. DNS and TCP are done here with tokio, because rumqttc does them inside its first poll
//! where they can be neither timed nor told apart; the MQTT stages go through `Session`.
//! `--wait` retries the whole check until it passes (`wait.rs`).
//! `--probe` adds capability probes (`probes.rs`); `--max-latency` / `--require-v5` add
//! assertions. Rendering (human, JSON, watch lines) lives in `report.rs`: nothing here prints.
//!
//! The TLS stage (`tls.rs`) runs when the connection uses TLS (`--cafile`, `--capath`, `--tls`,
//! `--cert`, `mqtts://`, `wss://`, `-p 8883`), with the session's own TLS configuration; the
//! MQTT stages after it connect over TLS too.

mod assertions;
mod connect;
mod probes;
mod report;
mod stages;
pub mod tls;
mod wait;
pub mod x509;

use crate::cli::CheckArgs;
use crate::exit::{Code, Error, Result};
use crate::options::{self, ConnectPlan};
use crate::topic::Topic;
use serde_json::{Map, Value};
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant};

/// What kind of line a `Stage` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Stage,
    Probe,
    Assertion,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Failed,
    /// Not run, for a reason given in the summary (the broker lacks the feature).
    Skipped,
}

/// One timed step of the check and what it found.
#[derive(Debug)]
pub struct Stage {
    /// Machine name, used in JSON: `dns`, `tcp`, `connect`, ...
    pub name: &'static str,
    pub kind: Kind,
    pub status: Status,
    pub duration: Duration,
    /// The one-line fact shown next to the mark.
    pub summary: String,
    /// Further lines shown under the stage in the human report (CONNACK properties).
    pub details: Vec<String>,
    /// Everything measured, for `--json`.
    pub facts: Map<String, Value>,
    pub error: Option<String>,
    pub hint: Option<String>,
    /// Exit code when the stage failed.
    pub code: Code,
}

impl Stage {
    pub fn ok(name: &'static str, started: Instant, summary: impl Into<String>) -> Stage {
        Stage {
            name,
            kind: Kind::Stage,
            status: Status::Ok,
            duration: started.elapsed(),
            summary: summary.into(),
            details: Vec::new(),
            facts: Map::new(),
            error: None,
            hint: None,
            code: Code::Ok,
        }
    }

    pub fn failed(
        name: &'static str,
        started: Instant,
        code: Code,
        error: impl Into<String>,
        hint: Option<String>,
    ) -> Stage {
        let error = error.into();
        Stage {
            status: Status::Failed,
            summary: error.clone(),
            error: Some(error),
            hint,
            code,
            ..Stage::ok(name, started, "")
        }
    }

    pub fn skipped(name: &'static str, summary: impl Into<String>) -> Stage {
        Stage {
            status: Status::Skipped,
            ..Stage::ok(name, Instant::now(), summary)
        }
    }

    /// A stage that failed on an mq error: its message, code and hint, unless `hint` is better.
    pub fn from_error(
        name: &'static str,
        started: Instant,
        e: Error,
        hint: Option<String>,
    ) -> Self {
        Stage::failed(name, started, e.code, e.message, hint.or(e.hint))
    }

    pub fn fact(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.facts.insert(key.to_string(), value.into());
        self
    }

    pub fn kind(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
    }
}

/// The outcome of one check run.
#[derive(Debug)]
pub struct Report {
    pub target: String,
    pub stages: Vec<Stage>,
    pub duration: Duration,
}

impl Report {
    /// Add a stage's result; `Some` when the next stage may use it.
    pub fn push<T>(&mut self, (stage, value): (Stage, Option<T>)) -> Option<T> {
        self.stages.push(stage);
        value
    }

    /// The first failure decides: a failed stage gives its own code, a probe or assertion 6.
    pub fn code(&self) -> Code {
        self.first_failure().map_or(Code::Ok, |s| match s.kind {
            Kind::Stage => s.code,
            Kind::Probe | Kind::Assertion => Code::Assertion,
        })
    }

    pub fn first_failure(&self) -> Option<&Stage> {
        self.stages.iter().find(|s| s.status == Status::Failed)
    }

    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }
}

/// Everything a run needs, fixed for all runs of a watch.
pub struct Ctx {
    pub plan: ConnectPlan,
    /// Topics live under `<prefix>/...`.
    pub prefix: String,
    pub timeout: Duration,
    pub probe: bool,
    pub max_payload: u64,
    pub max_latency: Option<Duration>,
    pub require_v5: bool,
    pub require_tls: bool,
    /// `--insecure`: the broker's certificate is not verified, and the report says so.
    pub insecure: bool,
    pub min_cert_days: Option<u32>,
    /// The broker is mq's own (`--embedded`): probes skip what it lacks.
    pub embedded: bool,
}

impl Ctx {
    pub fn topic(&self, leaf: &str) -> String {
        format!("{}/{leaf}", self.prefix)
    }
}

pub async fn run(mut args: CheckArgs) -> Result<()> {
    if args.embedded {
        // A broker inside mq, alive until mq exits; see `cmd/serve.rs`.
        crate::cmd::serve::point_at_embedded(&mut args.conn)?;
    }
    if args.conn.unix.is_some() {
        return Err(Error::usage(
            "mq check diagnoses TCP, TLS and websocket connections, not --unix",
        )
        .hint("mq sub --unix PATH -t '#' -W 1 -d shows whether the socket answers"));
    }
    let (plan, _) = options::plan(&args.conn)?;
    if args.conn.print_config {
        return crate::cmd::config::print(&args.conn, &plan);
    }
    let prefix = match &args.topic_prefix {
        Some(p) => p.trim_end_matches('/').to_string(),
        None => format!("mq-check/{}", random_hex()),
    };
    Topic::parse(&format!("{prefix}/x"))
        .map_err(|e| Error::usage(format!("invalid --topic-prefix '{prefix}': {e}")))?;
    // MQTT's largest packet is 256 MiB, header and topic included.
    if args.max_payload == 0 || args.max_payload > 255 << 20 {
        return Err(Error::usage(
            "--max-payload must be between 1 byte and 255MiB",
        ));
    }
    if args.runs.is_some() && args.interval.is_none() {
        return Err(Error::usage("--runs needs --interval").hint("add --interval 10s"));
    }
    let cx = Ctx {
        plan,
        prefix,
        timeout: args.timeout,
        probe: args.probe,
        max_payload: args.max_payload,
        max_latency: args.max_latency,
        require_v5: args.require_v5,
        require_tls: args.require_tls,
        insecure: args.conn.tls.insecure,
        min_cert_days: args.min_cert_days,
        embedded: args.embedded,
    };
    let out = report::Out::new(args.json, args.conn.quiet);
    if let Some(wait) = args.wait {
        return wait::until_passed(&cx, &out, wait).await;
    }
    match args.interval {
        None => {
            let r = check_once(&cx).await;
            out.report(&r)?;
            // On a terminal the report said it all; in a pipe or a log, stderr says it once.
            result(&r).map_err(|e| if out.on_terminal() { e.shown() } else { e })
        }
        Some(every) => watch(&cx, &out, every, args.runs).await,
    }
}

/// The run's exit: its first failure as an mq error (one line on stderr, the stage's code).
pub(crate) fn result(r: &Report) -> Result<()> {
    match r.first_failure() {
        None => Ok(()),
        Some(s) => {
            let mut e = Error::new(
                r.code(),
                format!(
                    "check of {} failed at {}: {}",
                    r.target,
                    report::label(s.name),
                    s.error.as_deref().unwrap_or("failed")
                ),
            );
            e.hint = s.hint.clone();
            Err(e)
        }
    }
}

/// One full check: the stages, then probes and assertions when everything connected.
pub async fn check_once(cx: &Ctx) -> Report {
    let started = Instant::now();
    let mut r = Report {
        target: cx.plan.address(),
        stages: Vec::new(),
        duration: Duration::ZERO,
    };
    run_stages(cx, &mut r).await;
    if r.first_failure().is_none() {
        assertions::check(cx, &mut r);
    }
    r.duration = started.elapsed();
    r
}

async fn run_stages(cx: &Ctx, r: &mut Report) {
    let addr = if cx.plan.proxy.is_some() {
        let Some(()) = r.push(stages::proxy(cx).await) else {
            return;
        };
        None
    } else {
        let Some(addr) = dns_and_tcp(cx, r).await else {
            return;
        };
        Some(addr)
    };
    // The name the certificate is checked against, as the session checks it.
    let tls_name = cx.plan.tls.as_ref().map(|t| {
        t.server_name
            .clone()
            .unwrap_or_else(|| cx.plan.host.clone())
    });
    if let (Some(tls), Some(name)) = (&cx.plan.tls, &tls_name) {
        let stream = stages::reopen(&cx.plan, addr);
        let s = tls::stage_over(stream, tls, name, cx.plan.port, cx.plan.connect_timeout).await;
        let ok = s.status == Status::Ok;
        r.stages.push(s);
        if !ok {
            return;
        }
    }
    // From here on connect to the address TCP reached, so every stage talks to the same host;
    // over TLS the certificate is still checked against the name (sent as SNI, as the session
    // does). A websocket URL keeps the name: it is the HTTP Host too. Through a proxy there is
    // no address of our own: the proxy reaches the name.
    let mut plan = cx.plan.clone();
    if let (None, Some(addr)) = (&plan.ws_path, addr) {
        plan.host = addr.ip().to_string();
        if let Some(t) = plan.tls.as_mut() {
            t.server_name = tls_name;
        }
    }
    let Some(mut conn) = r.push(connect::connect(&plan).await) else {
        return;
    };
    let ok = session_stages(cx, &mut conn, r).await;
    if ok && cx.probe {
        probes::run(cx, &mut conn, r).await;
    }
    let _ = conn.session.disconnect().await;
}

/// The DNS and TCP stages: the address TCP reached.
async fn dns_and_tcp(cx: &Ctx, r: &mut Report) -> Option<std::net::SocketAddr> {
    let addrs = r.push(stages::dns(cx).await)?;
    let addr = r.push(stages::tcp(cx, &addrs).await)?;
    if addrs.len() > 1 {
        if let Some(dns) = r.stages.iter_mut().find(|s| s.name == "dns") {
            dns.summary.push_str(&format!(" (using {})", addr.ip()));
            dns.facts
                .insert("used".into(), addr.ip().to_string().into());
        }
    }
    Some(addr)
}

async fn session_stages(cx: &Ctx, conn: &mut stages::Conn, r: &mut Report) -> bool {
    if r.push(stages::subscribe(cx, conn).await).is_none() {
        return false;
    }
    if r.push(stages::round_trip(cx, conn).await).is_none() {
        return false;
    }
    r.push(stages::retained(cx, conn).await).is_some()
}

/// `--interval`: one line per run until Ctrl-C or `--runs`, then a summary.
async fn watch(cx: &Ctx, out: &report::Out, every: Duration, runs: Option<u64>) -> Result<()> {
    let mut summary = report::Summary::default();
    let mut next = tokio::time::Instant::now();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let r = tokio::select! {
            r = check_once(cx) => r,
            _ = &mut ctrl_c => break,
        };
        out.watch_line(&r)?;
        summary.add(&r);
        if runs.is_some_and(|n| summary.runs >= n) {
            break;
        }
        next += every;
        tokio::select! {
            _ = tokio::time::sleep_until(next) => {}
            _ = &mut ctrl_c => break,
        }
    }
    out.summary(&summary)?;
    match summary.last_failure {
        None => Ok(()),
        Some(code) => Err(Error::new(
            code,
            format!(
                "{} of {} checks of {} failed",
                summary.failed,
                summary.runs,
                cx.plan.address()
            ),
        )),
    }
}

/// 8 hex digits, different in every process (std's hasher keys are random per process).
pub fn random_hex() -> String {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!("{:08x}", h.finish() as u32)
}

/// Milliseconds with 0.01 ms resolution, for facts.
pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 100_000.0).round() / 100.0
}
