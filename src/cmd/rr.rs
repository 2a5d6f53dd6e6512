//! `mq rr`: publish a request and print its response, as mosquitto_rr, but correct: the
//! subscription to the response topic is acknowledged before the request goes out, and on
//! MQTT 5 the response is the message that carries the request's correlation data. Retained
//! messages and other messages on the response topic are ignored (and counted, for the
//! timeout's message). On MQTT 3.1.1 there is no correlation data: the first live message on
//! the response topic is the response.
//!
//! Whether a message is the response is decided in one place, `Waiting::judge`; `accept` (a
//! condition on the response, such as a matcher) is the hook for anything beyond correlation.

use crate::cli::RrArgs;
use crate::exit::{Code, Error, Result};
use crate::options::{self, ConnectPlan};
use crate::output::{self, Printer};
use crate::session::{
    Delivery, Event, Message, Properties, RetainHandling, Session, SessionOptions,
    SubscribeOptions, Version,
};
use crate::topic::Topic;
use crate::transfer::hex;
use bytes::Bytes;

pub async fn run(args: RrArgs) -> Result<()> {
    let (plan, url_topic) = options::plan(&args.conn)?;
    if args.conn.print_config {
        return crate::cmd::config::print(&args.conn, &plan);
    }
    let topic = args
        .topic
        .clone()
        .or(url_topic)
        .ok_or_else(|| Error::usage("no request topic given").hint("add -t <topic>"))?;
    let topic =
        Topic::parse(&topic).map_err(|e| Error::usage(format!("invalid request topic: {e}")))?;
    let response = Topic::parse(&args.response_topic)
        .map_err(|e| Error::usage(format!("invalid response topic (-e): {e}")))?;
    let correlation = match &args.correlation_data {
        Some(text) => parse_binary(text).map_err(|e| {
            Error::usage(format!("invalid --correlation-data: {e}"))
                .hint("hex:0a1b, base64:Chs= or plain text")
        })?,
        None => Bytes::from(
            std::iter::repeat_with(|| fastrand::u8(..))
                .take(16)
                .collect::<Vec<u8>>(),
        ),
    };
    let payload = payload(&args)?;
    let printer = Printer::with(output_options(&args)?)
        .map_err(|e| Error::runtime(format!("preparing the output: {e}")))?;
    let waiting = Waiting {
        correlation,
        response: response.as_str().to_string(),
        seen: Default::default(),
    };
    let gate = crate::cmd::conditions::Gate::new(&args.conditions, args.conn.debug)?;
    let accept = |m: &Message| gate.admit(m);
    let body = exchange(&args, &plan, &topic, payload, &waiting, printer, &accept);
    match tokio::time::timeout(args.timeout, body).await {
        Ok(r) => r,
        Err(_) => Err(waiting.timed_out(args.timeout, &plan)),
    }
}

/// The request's payload, read before connecting (a missing file fails without the network).
fn payload(args: &RrArgs) -> Result<Bytes> {
    if let Some(m) = &args.message {
        return Ok(Bytes::from(m.clone().into_bytes()));
    }
    if let Some(path) = &args.file {
        return std::fs::read(path)
            .map(Bytes::from)
            .map_err(|e| Error::usage(format!("reading -f {}: {e}", path.display())));
    }
    if args.stdin_file {
        return super::publish::read_stdin().map(Bytes::from);
    }
    if args.null_message {
        return Ok(Bytes::new());
    }
    Err(Error::usage("no request payload given")
        .hint("use -m MESSAGE, -f FILE, -s (stdin) or -n (empty)"))
}

/// `hex:0a1b`, `base64:Chs=`, or the text's own bytes.
pub fn parse_binary(text: &str) -> std::result::Result<Bytes, String> {
    if let Some(h) = text.strip_prefix("hex:") {
        let digits: Vec<u8> = h.bytes().collect();
        if digits.len() % 2 != 0 {
            return Err(format!("'{h}' has an odd number of hex digits"));
        }
        let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
        return digits
            .chunks(2)
            .map(|p| match (nibble(p[0]), nibble(p[1])) {
                (Some(a), Some(b)) => Ok(a << 4 | b),
                _ => Err(format!("'{h}' is not hex")),
            })
            .collect::<std::result::Result<Vec<u8>, String>>()
            .map(Bytes::from);
    }
    if let Some(b) = text.strip_prefix("base64:") {
        use base64::Engine;
        return base64::engine::general_purpose::STANDARD
            .decode(b)
            .map(Bytes::from)
            .map_err(|e| format!("'{b}' is not base64: {e}"));
    }
    Ok(Bytes::from(text.as_bytes().to_vec()))
}

fn output_options(args: &RrArgs) -> Result<output::Options> {
    let layout = output::Layout::from_flags(
        args.format_template.as_deref(),
        args.json,
        false,
        args.verbose,
    )?;
    Ok(output::Options {
        layout,
        eol: !args.no_eol,
        pretty: args.pretty,
        payload_format: None,
        color: output::ColorChoice::Auto,
        timestamp: None,
        output_file: None,
        quiet: args.conn.quiet,
    })
}

/// What the request waits for, and what arrived instead.
struct Waiting {
    correlation: Bytes,
    response: String,
    seen: std::cell::RefCell<Seen>,
}

#[derive(Default)]
struct Seen {
    subscribed: bool,
    retained: u64,
    unrelated: u64,
    unaccepted: u64,
    /// MQTT 3.1.1: no correlation data to check.
    uncorrelated: bool,
}

/// Why a message on the response topic is, or is not, the response.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Response,
    /// A retained message: an old answer to someone else's request.
    Retained,
    /// Another request's response (other correlation data, or none).
    Unrelated,
}

impl Waiting {
    fn judge(&self, m: &Message) -> Verdict {
        if m.retain {
            return Verdict::Retained;
        }
        if m.topic != self.response {
            return Verdict::Unrelated;
        }
        if self.seen.borrow().uncorrelated {
            return Verdict::Response;
        }
        let theirs = m
            .properties
            .as_ref()
            .and_then(|p| p.correlation_data.as_ref());
        match theirs {
            Some(c) if *c == self.correlation => Verdict::Response,
            _ => Verdict::Unrelated,
        }
    }

    /// `-W` ran out: say what arrived and was ignored.
    fn timed_out(&self, wait: std::time::Duration, plan: &ConnectPlan) -> Error {
        let after = humantime::format_duration(wait);
        let seen = self.seen.borrow();
        if !seen.subscribed {
            return Error::new(
                Code::Unreachable,
                format!(
                    "connecting to {}: no CONNACK and SUBACK within -W {after}",
                    plan.address()
                ),
            )
            .hint("is it an MQTT broker, and is this its MQTT port? (try mq check)");
        }
        let mut ignored = Vec::new();
        if seen.retained > 0 {
            ignored.push(format!("{} retained", seen.retained));
        }
        if seen.unrelated > 0 {
            ignored.push(format!("{} with other correlation data", seen.unrelated));
        }
        if seen.unaccepted > 0 {
            ignored.push(format!("{} not matching", seen.unaccepted));
        }
        let what = match seen.uncorrelated {
            true => "no response",
            false => "no response with the request's correlation data",
        };
        let msg = match ignored.is_empty() {
            true => format!(
                "timed out after {after}: {what} on {} (nothing arrived there)",
                self.response
            ),
            false => format!(
                "timed out after {after}: {what} on {}; ignored: {}",
                self.response,
                ignored.join(", ")
            ),
        };
        Error::new(Code::Timeout, msg)
            .hint("is a responder running, and does it answer on the request's response topic with its correlation data?")
    }
}

/// Subscribe, publish the request, print the response.
async fn exchange(
    args: &RrArgs,
    plan: &ConnectPlan,
    topic: &Topic,
    payload: Bytes,
    waiting: &Waiting,
    mut printer: Printer,
    accept: &dyn Fn(&Message) -> Result<bool>,
) -> Result<()> {
    let mut session =
        Session::connect(plan, SessionOptions::default().delivery(Delivery::Auto)).await?;
    let opts = SubscribeOptions {
        qos: args.qos,
        // MQTT 5: an old retained message is not even sent (3.1.1 sends it: judged and ignored).
        retain_handling: RetainHandling::Never,
    };
    super::subscribe::subscribe(
        &mut session,
        std::slice::from_ref(&waiting.response),
        opts,
        &[],
    )
    .await?;
    let props = match session.version() {
        Version::V5 => Some(Properties {
            response_topic: Some(waiting.response.clone()),
            correlation_data: Some(waiting.correlation.clone()),
            ..Default::default()
        }),
        Version::V311 => {
            waiting.seen.borrow_mut().uncorrelated = true;
            if !args.conn.quiet {
                output::warn(&format!(
                    "MQTT 3.1.1 has no response topic or correlation data: the first live message on {} is taken as the response",
                    waiting.response
                ));
            }
            None
        }
    };
    waiting.seen.borrow_mut().subscribed = true;
    if args.conn.debug {
        output::debug(&format!(
            "request to {} with correlation data {}",
            topic.as_str(),
            hex(&waiting.correlation)
        ));
    }
    session
        .publish(topic.as_str(), payload, args.qos, false, props.as_ref())
        .await
        .map_err(|e| e.context(format!("publishing the request to {}", topic.as_str())))?;
    // A QoS 1/2 request the broker refuses (an ACL) gets no response: say so at once (exit 5)
    // instead of waiting out -W. The refusal comes with the acknowledgement, not as an event.
    let mut check = tokio::time::interval(std::time::Duration::from_millis(50));
    loop {
        let event = tokio::select! {
            e = session.next_event() => e?,
            _ = check.tick(), if args.qos.acknowledged() => {
                session
                    .wait_pending_at_most(u64::MAX, std::time::Duration::ZERO)
                    .await
                    .map_err(|e| e.context(format!("publishing the request to {}", topic.as_str())))?;
                continue;
            }
        };
        let m = match event {
            Event::Message(m) => m,
            other => {
                output::connection_event(&other, args.conn.quiet);
                continue;
            }
        };
        let verdict = waiting.judge(&m);
        let is_it = verdict == Verdict::Response && accept(&m)?;
        {
            let mut seen = waiting.seen.borrow_mut();
            match verdict {
                Verdict::Retained => seen.retained += 1,
                Verdict::Unrelated => seen.unrelated += 1,
                Verdict::Response if !is_it => seen.unaccepted += 1,
                Verdict::Response => {}
            }
        }
        if !is_it {
            if args.conn.debug {
                output::debug(&format!("ignored on {}: {verdict:?}", m.topic));
            }
            continue;
        }
        printer.message(&m)?;
        printer.finish()?;
        // The request reached the broker (its response came back): this only collects the
        // acknowledgement of a QoS 1/2 request before saying goodbye.
        session.wait_acks(std::time::Duration::from_secs(5)).await?;
        return session.disconnect().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correlation_data_spellings() {
        assert_eq!(
            parse_binary("hex:0a1B").unwrap(),
            Bytes::from_static(b"\x0a\x1b")
        );
        assert_eq!(
            parse_binary("base64:Chs=").unwrap(),
            Bytes::from_static(b"\x0a\x1b")
        );
        assert_eq!(parse_binary("job-7").unwrap(), Bytes::from_static(b"job-7"));
        assert!(parse_binary("hex:abc").is_err());
        assert!(parse_binary("hex:zz").is_err());
        assert!(parse_binary("base64:!!").is_err());
    }

    fn message(retain: bool, correlation: Option<&'static [u8]>) -> Message {
        Message {
            topic: "r".into(),
            payload: Bytes::new(),
            qos: crate::session::Qos::AtMostOnce,
            retain,
            pkid: 0,
            properties: correlation.map(|c| Properties {
                correlation_data: Some(Bytes::from_static(c)),
                ..Default::default()
            }),
        }
    }

    #[test]
    fn only_the_live_message_with_our_correlation_data_is_the_response() {
        let w = Waiting {
            correlation: Bytes::from_static(b"ours"),
            response: "r".into(),
            seen: Default::default(),
        };
        assert_eq!(w.judge(&message(false, Some(b"ours"))), Verdict::Response);
        assert_eq!(w.judge(&message(true, Some(b"ours"))), Verdict::Retained);
        assert_eq!(
            w.judge(&message(false, Some(b"theirs"))),
            Verdict::Unrelated
        );
        assert_eq!(w.judge(&message(false, None)), Verdict::Unrelated);
        w.seen.borrow_mut().uncorrelated = true;
        assert_eq!(w.judge(&message(false, None)), Verdict::Response);
        assert_eq!(w.judge(&message(true, None)), Verdict::Retained);
    }
}
