//! `--max-latency`, `--require-v5`, `--require-tls`, `--min-cert-days`: the broker works, but
//! does it work well enough? Each assertion is a line of the report; a failed one exits 6.

use super::{Ctx, Kind, Report, Stage};
use crate::exit::Code;
use crate::session::Version;
use serde_json::Value;
use std::time::Instant;

/// `--max-latency`, `--require-v5`: the broker works, but does it work well enough?
pub fn check(cx: &Ctx, r: &mut Report) {
    if let Some(max) = cx.max_latency {
        let now = Instant::now();
        let worst = r
            .stage("round_trip")
            .and_then(|s| s.facts.get("worst_ms"))
            .and_then(Value::as_f64)
            .unwrap_or(0.0);
        let limit = max.as_secs_f64() * 1000.0;
        let s = if worst <= limit {
            Stage::ok(
                "max_latency",
                now,
                format!("slowest round trip {worst:.1} ms <= {limit:.0} ms"),
            )
        } else {
            Stage::failed(
                "max_latency",
                now,
                Code::Assertion,
                format!("slowest round trip {worst:.1} ms > {limit:.0} ms"),
                Some("the broker or the network is slow: see the round trip per QoS".into()),
            )
        };
        r.stages
            .push(s.kind(Kind::Assertion).fact("limit_ms", limit));
    }
    if cx.require_v5 {
        let now = Instant::now();
        let v5 = r
            .stage("connect")
            .and_then(|s| s.facts.get("version"))
            .and_then(Value::as_str)
            == Some(Version::V5.name());
        let s = if v5 {
            Stage::ok("require_v5", now, "the broker accepts MQTT 5")
        } else {
            Stage::failed(
                "require_v5",
                now,
                Code::Assertion,
                "the broker does not accept MQTT 5",
                Some("upgrade the broker (mosquitto >= 1.6 speaks MQTT 5)".into()),
            )
        };
        r.stages.push(s.kind(Kind::Assertion));
    }
    let days = r
        .stage("tls")
        .map(|s| s.facts.get("days_left").and_then(Value::as_i64));
    if cx.require_tls {
        let s = match days.is_some() || cx.plan.tls.is_some() {
            true if cx.insecure => Stage::ok(
                "require_tls",
                Instant::now(),
                "the connection uses TLS, but the certificate was NOT verified (--insecure)",
            ),
            true => Stage::ok("require_tls", Instant::now(), "the connection uses TLS"),
            false => Stage::failed(
                "require_tls",
                Instant::now(),
                Code::Assertion,
                "the connection does not use TLS",
                Some("connect to the broker's TLS port".into()),
            ),
        };
        r.stages
            .push(s.kind(Kind::Assertion).fact("verified", !cx.insecure));
    }
    if let Some(min) = cx.min_cert_days {
        let now = Instant::now();
        let s = match days.flatten() {
            Some(d) if d >= i64::from(min) => Stage::ok(
                "min_cert_days",
                now,
                format!("the certificate expires in {d} days (>= {min})"),
            ),
            Some(d) => Stage::failed(
                "min_cert_days",
                now,
                Code::Assertion,
                format!("the certificate expires in {d} days (< {min})"),
                Some("renew the broker's certificate".into()),
            ),
            None => Stage::failed(
                "min_cert_days",
                now,
                Code::Assertion,
                "no certificate to check: the connection does not use TLS",
                None,
            ),
        };
        r.stages.push(s.kind(Kind::Assertion));
    }
}

#[cfg(test)]
mod tests {
    use super::super::Status;
    use super::*;
    use crate::options;
    use std::time::Duration;

    fn ctx(max_latency_ms: u64, require_v5: bool) -> Ctx {
        let args = <crate::cli::Cli as clap::Parser>::parse_from(["mq", "check"]);
        let crate::cli::Command::Check(a) = args.command else {
            unreachable!("parsed a check command")
        };
        Ctx {
            plan: options::plan(&a.0.conn).expect("default plan").0,
            prefix: "p".into(),
            timeout: Duration::from_secs(1),
            probe: false,
            max_payload: 1,
            max_latency: Some(Duration::from_millis(max_latency_ms)),
            require_v5,
            require_tls: false,
            insecure: false,
            min_cert_days: None,
            embedded: false,
        }
    }

    fn report(worst_ms: f64, version: &str) -> Report {
        let t = Instant::now();
        Report {
            target: "h:1".into(),
            stages: vec![
                Stage::ok("connect", t, "").fact("version", version),
                Stage::ok("round_trip", t, "").fact("worst_ms", worst_ms),
            ],
            duration: Duration::ZERO,
        }
    }

    #[test]
    fn latency_and_version_assertions_exit_6_when_they_fail() {
        let mut r = report(12.5, "3.1.1");
        check(&ctx(10, true), &mut r);
        assert_eq!(r.code(), Code::Assertion);
        let failed: Vec<&str> = r
            .stages
            .iter()
            .filter(|s| s.status == Status::Failed)
            .map(|s| s.name)
            .collect();
        assert_eq!(failed, ["max_latency", "require_v5"]);
        assert!(r.stages[2].summary.contains("12.5 ms > 10 ms"));

        let mut r = report(9.0, "5");
        check(&ctx(10, true), &mut r);
        assert_eq!(r.code(), Code::Ok);
    }

    #[test]
    fn certificate_assertions_read_the_tls_stage() {
        let mut cx = ctx(1000, false);
        cx.require_tls = true;
        cx.min_cert_days = Some(14);
        let mut r = report(1.0, "5");
        check(&cx, &mut r);
        assert_eq!(r.code(), Code::Assertion);
        assert!(r
            .stage("require_tls")
            .unwrap()
            .summary
            .contains("does not use TLS"));

        let days = |d: i64| {
            let mut r = report(1.0, "5");
            r.stages
                .insert(0, Stage::ok("tls", Instant::now(), "").fact("days_left", d));
            check(&cx, &mut r);
            r
        };
        assert_eq!(days(20).code(), Code::Ok);
        let r = days(10);
        assert_eq!(r.code(), Code::Assertion);
        assert!(r
            .first_failure()
            .unwrap()
            .summary
            .contains("10 days (< 14)"));
    }

    #[test]
    fn a_failed_stage_decides_the_exit_code() {
        let t = Instant::now();
        let mut r = report(1.0, "5");
        r.stages
            .push(Stage::failed("subscribe", t, Code::Refused, "no", None));
        r.stages
            .push(Stage::failed("will", t, Code::Runtime, "no", None).kind(Kind::Probe));
        assert_eq!(r.code(), Code::Refused);
        r.stages.remove(2);
        assert_eq!(r.code(), Code::Assertion);
    }
}
