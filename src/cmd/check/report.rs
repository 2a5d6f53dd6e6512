//! How a check looks: the human report (coloured through `colored` as `output::term`
//! decides), the `--json` object, and watch mode's one line per run and closing summary. The
//! only part of `mq check` that writes to stdout.
//!
//! What a stage says often quotes the server (a reason string, a user property, a
//! certificate's subject): the human report shows every such text through
//! `output::escape::shown`, and JSON escapes U+2028/U+2029 as `mq sub --json` does.

use super::{ms, Kind, Report, Stage, Status};
use crate::exit::{Code, Result};
use crate::output::escape::shown;
use crate::output::json::separators_escaped;
use crate::output::term::Term;
use crate::output::ColorChoice;
use colored::Colorize;
use serde_json::{json, Value};

pub struct Out {
    json: bool,
    quiet: bool,
}

/// What the human report calls a stage.
pub fn label(name: &str) -> &str {
    match name {
        "dns" => "DNS",
        "tls" => "TLS",
        "tcp" => "TCP",
        "proxy" => "SOCKS proxy",
        "connect" => "MQTT connect",
        "subscribe" => "subscribe",
        "round_trip" => "round trip",
        "retained" => "retained",
        "wildcards" => "wildcards",
        "shared_subscriptions" => "shared subs",
        "max_payload" => "max payload",
        "will" => "will",
        "sys" => "$SYS",
        "max_latency" => "max latency",
        "require_v5" => "require v5",
        "require_tls" => "require TLS",
        "min_cert_days" => "cert days",
        other => other,
    }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Stage => "stage",
        Kind::Probe => "probe",
        Kind::Assertion => "assertion",
    }
}

fn stage_json(s: &Stage) -> Value {
    json!({
        "name": s.name,
        "kind": kind_name(s.kind),
        "ok": s.status != Status::Failed,
        "skipped": s.status == Status::Skipped,
        "duration_ms": ms(s.duration),
        "summary": s.summary,
        "facts": s.facts,
        "error": s.error,
        "hint": s.hint,
    })
}

pub fn report_json(r: &Report) -> Value {
    let code = r.code();
    json!({
        "target": r.target,
        "ok": code == Code::Ok,
        "exit_code": code as i32,
        "duration_ms": ms(r.duration),
        "stages": r.stages.iter().map(stage_json).collect::<Vec<_>>(),
    })
}

impl Out {
    pub fn new(json: bool, quiet: bool) -> Out {
        // The report's colours follow stdout's policy (set once, for `colored`).
        Term::for_stdout(ColorChoice::Auto);
        Out { json, quiet }
    }

    fn mark(&self, s: &Stage) -> String {
        match s.status {
            Status::Ok => "✔".green(),
            Status::Failed => "✘".red(),
            Status::Skipped => "–".dimmed(),
        }
        .to_string()
    }

    /// The whole report of one run.
    /// Whether a human reads the report on this terminal: then its failure need not be said
    /// again on stderr.
    pub fn on_terminal(&self) -> bool {
        use std::io::IsTerminal;
        !self.json && !self.quiet && std::io::stdout().is_terminal()
    }

    /// `--quiet`: no report, no status lines.
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    pub fn report(&self, r: &Report) -> Result<()> {
        if self.quiet {
            return Ok(());
        }
        let text = if self.json {
            separators_escaped(format!("{:#}\n", report_json(r)))
        } else {
            self.human(r)
        };
        write_out(&text)
    }

    fn human(&self, r: &Report) -> String {
        let mut out = format!("{} {}\n", "mq check".bold(), shown(&r.target));
        let mut heading = Kind::Stage;
        for s in &r.stages {
            if s.kind != heading {
                heading = s.kind;
                out.push_str(&format!("{}\n", kind_name(s.kind).to_string() + "s:"));
            }
            let time = format!("{:>8.1} ms", ms(s.duration)).dimmed();
            out.push_str(&format!(
                " {} {:<13}{}  {}\n",
                self.mark(s),
                label(s.name),
                time,
                shown(&s.summary)
            ));
            let pad = " ".repeat(29);
            for d in &s.details {
                out.push_str(&format!("{pad}{}\n", shown(d)));
            }
            if let Some(h) = &s.hint {
                out.push_str(&format!(
                    "{pad}{}\n",
                    format!("hint: {}", shown(h)).yellow()
                ));
            }
        }
        let code = r.code();
        let passed = r.stages.iter().filter(|s| s.status == Status::Ok).count();
        let verdict = if code == Code::Ok {
            "healthy".green()
        } else {
            format!("failed (exit {})", code as i32).red()
        };
        out.push_str(&format!(
            "{verdict}: {passed} of {} checks passed in {:.1} ms\n",
            r.stages.len(),
            ms(r.duration)
        ));
        out
    }

    /// Watch mode: one line per run.
    pub fn watch_line(&self, r: &Report) -> Result<()> {
        if self.quiet {
            return Ok(());
        }
        let when = humantime::format_rfc3339_seconds(std::time::SystemTime::now());
        if self.json {
            let mut v = report_json(r);
            v["time"] = json!(when.to_string());
            return write_out(&separators_escaped(format!("{v}\n")));
        }
        let line = match r.first_failure() {
            None => {
                let connect = r.stage("connect").map_or(0.0, |s| ms(s.duration));
                let rt = r.stage("round_trip").map_or(String::new(), |s| {
                    (0..=2)
                        .filter_map(|q| {
                            s.facts
                                .get(&format!("qos{q}_ms"))
                                .map(|v| format!("q{q} {v}"))
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                });
                format!(
                    "{when} {} connect {connect:.1} ms, round trip {rt} ms, total {:.1} ms",
                    "✔".green(),
                    ms(r.duration)
                )
            }
            Some(s) => format!(
                "{when} {} {}: {} (exit {})",
                "✘".red(),
                label(s.name),
                shown(&s.summary),
                r.code() as i32
            ),
        };
        write_out(&format!("{line}\n"))
    }

    pub fn summary(&self, s: &Summary) -> Result<()> {
        if self.quiet {
            return Ok(());
        }
        let rt = if s.rt_count == 0 {
            "no round trips".to_string()
        } else {
            format!(
                "slowest round trip per run min/avg/max {:.2}/{:.2}/{:.2} ms",
                s.rt_min,
                s.rt_sum / s.rt_count as f64,
                s.rt_max
            )
        };
        let text = if self.json {
            format!(
                "{}\n",
                json!({"summary": {
                    "runs": s.runs,
                    "ok": s.runs - s.failed,
                    "failed": s.failed,
                    "round_trip_ms": (s.rt_count > 0).then(|| json!({
                        "min": s.rt_min, "avg": s.rt_sum / s.rt_count as f64, "max": s.rt_max
                    })),
                }})
            )
        } else {
            format!(
                "{} runs, {} ok, {} failed; {rt}\n",
                s.runs,
                s.runs - s.failed,
                s.failed
            )
        };
        write_out(&text)
    }
}

/// Watch mode's running totals.
#[derive(Default)]
pub struct Summary {
    pub runs: u64,
    pub failed: u64,
    /// The slowest round trip of each run that got that far, in ms: count, sum, min, max.
    pub rt_count: u64,
    pub rt_sum: f64,
    pub rt_min: f64,
    pub rt_max: f64,
    pub last_failure: Option<Code>,
}

impl Summary {
    pub fn add(&mut self, r: &Report) {
        self.runs += 1;
        let code = r.code();
        if code != Code::Ok {
            self.failed += 1;
            self.last_failure = Some(code);
        }
        if let Some(w) = r
            .stage("round_trip")
            .and_then(|s| s.facts.get("worst_ms"))
            .and_then(Value::as_f64)
        {
            self.rt_min = if self.rt_count == 0 {
                w
            } else {
                self.rt_min.min(w)
            };
            self.rt_max = self.rt_max.max(w);
            self.rt_sum += w;
            self.rt_count += 1;
        }
    }
}

fn write_out(text: &str) -> Result<()> {
    crate::output::write_stdout(text.as_bytes())
}
