//! `mq pub`: publish one message (`-m`, `-f`, `-s`, `-n`, `--repeat`) or a stream of lines (`-l`).
//!
//! Exits 0 only when every message was written and, at QoS 1/2, acknowledged; a round trip to
//! the broker at the end proves it read the QoS 0 ones too.

use crate::cli::PubArgs;
use crate::exit::{Error, Result};
use crate::options;
use crate::output;
use crate::session::{Event, Session};
use crate::topic::Topic;
use bytes::Bytes;
use std::io::{BufRead, Read};
use tokio::sync::mpsc;

enum Source {
    Once(Bytes),
    Lines,
}

pub async fn run(args: PubArgs) -> Result<()> {
    let (plan, url_topic) = options::plan(&args.conn)?;
    let topic = args
        .topic
        .clone()
        .or(url_topic)
        .ok_or_else(|| Error::usage("no topic given").hint("add -t <topic>"))?;
    let topic =
        Topic::parse(&topic).map_err(|e| Error::usage(format!("invalid publish topic: {e}")))?;
    // Read the payload before connecting: a missing file fails without touching the network.
    let source = source(&args)?;

    // A stream outlives connections: after the first connect, -l reconnects (a persistent
    // session, -c -i ID, resends what was in flight). A single message does not.
    let reconnect = matches!(source, Source::Lines);
    let mut session = Session::connect(&plan, reconnect, false).await?;
    let what = || format!("publishing to {topic}");
    match source {
        Source::Once(payload) => {
            for i in 0..args.repeat {
                session
                    .publish(topic.as_str(), payload.clone(), args.qos, args.retain, None)
                    .await?;
                if !args.repeat_delay.is_zero() && i + 1 < args.repeat {
                    // mosquitto measures the delay from the completion of the previous publish.
                    session
                        .wait_acks(args.ack_timeout)
                        .await
                        .map_err(|e| e.context(what()))?;
                    tokio::time::sleep(args.repeat_delay).await;
                }
            }
        }
        Source::Lines => {
            let mut lines = stdin_lines();
            loop {
                tokio::select! {
                    line = lines.recv() => {
                        let Some(line) = line else { break };
                        let line = line.map_err(|e| Error::runtime(format!("reading stdin: {e}")))?;
                        session.publish(topic.as_str(), line, args.qos, args.retain, None).await?;
                    }
                    event = session.next_event() => report(event?, args.conn.quiet),
                }
            }
        }
    }
    session
        .wait_acks(args.ack_timeout)
        .await
        .map_err(|e| e.context(what()))?;
    session.sync().await.map_err(|e| e.context(what()))?;
    session.disconnect().await
}

/// Tell the user about connection changes while a stream runs.
fn report(event: Event, quiet: bool) {
    match event {
        Event::ConnectionLost { error, retry_in } => {
            output::connection_lost(&error, retry_in, quiet)
        }
        Event::Reconnected { .. } => output::reconnected(quiet),
        Event::Message(_) => {}
    }
}

fn source(args: &PubArgs) -> Result<Source> {
    if let Some(m) = &args.message {
        return Ok(Source::Once(Bytes::from(m.clone().into_bytes())));
    }
    if let Some(path) = &args.file {
        let data = std::fs::read(path).map_err(|e| {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_string(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                _ if path.is_dir() => "it is a directory".to_string(),
                _ => e.to_string(),
            };
            Error::usage(format!("cannot read -f {}: {why}", path.display()))
        })?;
        return Ok(Source::Once(Bytes::from(data)));
    }
    if args.stdin_file {
        let mut data = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut data)
            .map_err(|e| Error::runtime(format!("reading stdin: {e}")))?;
        if data.is_empty() {
            return Err(Error::usage("stdin was empty: nothing to send with -s")
                .hint("use -n to send an empty message on purpose"));
        }
        return Ok(Source::Once(Bytes::from(data)));
    }
    if args.stdin_line {
        return Ok(Source::Lines);
    }
    if args.null_message {
        return Ok(Source::Once(Bytes::new()));
    }
    Err(Error::usage("no payload given")
        .hint("use -m MESSAGE, -f FILE, -s (stdin), -l (stdin lines) or -n (empty)"))
}

/// Lines of stdin, read on a thread of their own so a slow pipe never stalls the connection.
/// `\n` is removed, `\r` kept, empty lines are empty messages, a last line without `\n` counts.
fn stdin_lines() -> mpsc::Receiver<std::io::Result<Bytes>> {
    let (tx, rx) = mpsc::channel(1024);
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut input = std::io::BufReader::with_capacity(256 * 1024, stdin.lock());
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match input.read_until(b'\n', &mut buf) {
                Ok(0) => return,
                Ok(_) => {
                    if buf.last() == Some(&b'\n') {
                        buf.pop();
                    }
                    if tx.blocking_send(Ok(Bytes::copy_from_slice(&buf))).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            }
        }
    });
    rx
}
