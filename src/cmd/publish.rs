//! `mq pub`: publish one message (`-m`, `-f`, `-s`, `-n`, `--repeat`) or a stream of lines (`-l`).
//!
//! Exits 0 only when every message was written and, at QoS 1/2, acknowledged; a round trip to
//! the broker at the end proves it read the QoS 0 ones too.

use crate::cli::PubArgs;
use crate::cmd::serve;
use crate::exit::{Error, Result};
use crate::options;
use crate::output;
use crate::properties;
use crate::session::{Event, Properties, Qos, Session, SessionOptions, Version};
use crate::topic::Topic;
use crate::transfer::{human_size, send};
use bytes::Bytes;
use std::io::{BufRead, Read};
use tokio::sync::mpsc;

enum Source {
    Once(Bytes),
    Lines,
}

pub async fn run(mut args: PubArgs) -> Result<()> {
    // A broker inside mq lives only as long as this command: worth it for a stream that others
    // subscribe to meanwhile, useless for one message that nobody could be subscribed to yet.
    if args.embedded && !args.stdin_line {
        return Err(Error::usage(
            "--embedded on mq pub needs -l: its broker stops when mq pub exits, so a single \
             message would reach nobody",
        )
        .hint(
            "run `mq sub --embedded -t '#'` and publish to the port it prints, or stream lines \
             with mq pub --embedded -l",
        ));
    }
    let embedded = match args.embedded {
        true => Some(serve::point_at_embedded(&mut args.conn)?),
        false => None,
    };
    let (mut plan, url_topic) = options::plan(&args.conn)?;
    let props = properties::for_publish(&args.v5, &mut plan)?;
    if args.conn.print_config {
        return crate::cmd::config::print(&args.conn, &plan);
    }
    if let Some(path) = args.replay.ndjson.clone() {
        if props.is_some() {
            return Err(Error::usage(
                "--ndjson records carry their own MQTT 5 properties: the property flags do not apply",
            ));
        }
        return super::replay::run(&args, &plan, &path).await;
    }
    let topic = args
        .topic
        .clone()
        .or(url_topic)
        .ok_or_else(|| Error::usage("no topic given").hint("add -t <topic>"))?;
    let topic =
        Topic::parse(&topic).map_err(|e| Error::usage(format!("invalid publish topic: {e}")))?;
    // Read the payload before connecting: a missing file fails without touching the network.
    if args.file.is_none() && (args.chunked || args.chunk_size.is_some()) {
        return Err(Error::usage("--chunked and --chunk-size apply to -f only")
            .hint("send a file with -f FILE, or stdin with -f -"));
    }
    let file = args.file.as_deref().map(send::open).transpose()?;
    let source = match file {
        Some(_) => None,
        None => Some(source(&args)?),
    };
    if let Some(Source::Once(payload)) = &source {
        properties::check_utf8(props.as_ref(), payload, "the payload")?;
    }

    if let Some(port) = embedded
        .as_ref()
        .map(|b| b.port)
        .filter(|_| !args.conn.quiet)
    {
        output::note(&format!(
            "mq pub: a broker runs inside mq on 127.0.0.1:{port} until stdin ends and no subscriber is left; \
             subscribe to \
             it from another shell: mq sub -h 127.0.0.1 -p {port} -t {} -v",
            serve::quoted(topic.as_str())
        ));
    }

    // A stream outlives connections: after the first connect, -l reconnects (a persistent
    // session, -c -i ID, resends what was in flight). A single message does not.
    let reconnect = matches!(source, Some(Source::Lines));
    // A stream's acknowledgements are read in batches: fewer wake-ups per message.
    let mut opts = SessionOptions::default()
        .reconnecting(reconnect)
        .batch_reads(reconnect);
    opts.inflight = args.max_inflight;
    let mut session = Session::connect(&plan, opts).await?;
    let what = || format!("publishing to {topic}");
    let qos = args.qos.unwrap_or(Qos::AtMostOnce);
    let source = match (file, source) {
        (Some(file), _) => match transfer(&args, &mut session, file, topic.as_str()).await? {
            Some(raw) => {
                properties::check_utf8(props.as_ref(), &raw, "the file")?;
                Source::Once(raw)
            }
            None => {
                if props.is_some() && !args.conn.quiet {
                    // The frames of a chunked transfer carry their own header instead.
                    output::warn("MQTT 5 properties are not sent with a chunked transfer");
                }
                session.sync().await.map_err(|e| e.context(what()))?;
                return session.disconnect().await;
            }
        },
        (None, Some(source)) => source,
        (None, None) => return Err(Error::usage("no payload given")),
    };
    match source {
        Source::Once(payload) => {
            for i in 0..args.repeat {
                session
                    .publish(
                        topic.as_str(),
                        payload.clone(),
                        qos,
                        args.retain,
                        props.as_ref(),
                    )
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
            let aliases = Aliases::new(props, &session, !args.v5.no_topic_alias);
            aliases.describe(topic.as_str(), &args.conn);
            let mut lines = lines(std::io::stdin());
            let mut n = 0u64;
            loop {
                tokio::select! {
                    batch = lines.recv() => {
                        let Some(batch) = batch else { break };
                        let batch = batch.map_err(|e| Error::runtime(format!("reading stdin: {e}")))?;
                        for line in batch {
                            n += 1;
                            let p = aliases.properties();
                            properties::check_utf8(p, &line, &format!("line {n} of stdin"))?;
                            session.publish(topic.as_str(), line, qos, args.retain, p).await?;
                        }
                    }
                    event = session.next_event() => {
                        let event = event?;
                        if matches!(event, Event::Reconnected { .. }) {
                            aliases.reconnected(&args.conn);
                        }
                        output::connection_event(&event, args.conn.quiet)
                    }
                }
            }
        }
    }
    session
        .wait_acks(args.ack_timeout)
        .await
        .map_err(|e| e.context(what()))?;
    session.sync().await.map_err(|e| e.context(what()))?;
    session.disconnect().await?;
    if let Some(broker) = &embedded {
        // Subscribers may still be reading the last lines: the broker stays until they leave.
        if !broker.drain(Some(EMBEDDED_SETTLE)).await {
            if !args.conn.quiet {
                output::note(
                    "mq pub: stdin ended; the broker stops when its last subscriber disconnects \
                     (Ctrl-C stops it now)",
                );
            }
            broker.drain(None).await;
        }
    }
    Ok(())
}

/// How long the own connection of `pub --embedded` may take to close.
const EMBEDDED_SETTLE: std::time::Duration = std::time::Duration::from_millis(200);

/// The topic alias of a `-l` stream on MQTT 5: `-D publish topic-alias N`, or alias 1 when the
/// broker's CONNACK allows aliases (unless `--no-topic-alias`). Every message is handed over
/// with its topic and the alias; the session layer sends the topic only with the first message
/// on each connection (the broker forgets aliases when the connection drops) and keeps the
/// topic on messages it resends after a reconnect.
struct Aliases {
    props: Option<Properties>,
    /// (alias, the broker's maximum) when one is used.
    alias: Option<(u16, u16)>,
}

impl Aliases {
    fn new(props: Option<Properties>, session: &Session, automatic: bool) -> Aliases {
        let max = match session.version() {
            Version::V5 => session.connack().topic_alias_maximum.unwrap_or(0),
            Version::V311 => 0,
        };
        let mut p = props.unwrap_or_default();
        let wanted = p.topic_alias.or(automatic.then_some(1));
        p.topic_alias = wanted.filter(|_| max >= 1).map(|a| a.clamp(1, max));
        Aliases {
            alias: p.topic_alias.map(|a| (a, max)),
            props: (p != Properties::default()).then_some(p),
        }
    }

    /// Properties for every message of the stream.
    fn properties(&self) -> Option<&Properties> {
        self.props.as_ref()
    }

    fn describe(&self, topic: &str, conn: &crate::cli::ConnectArgs) {
        if !conn.debug {
            return;
        }
        match self.alias {
            Some((alias, max)) => output::debug(&format!(
                "topic alias {alias} stands for '{topic}' (the broker allows {max}): the first message on each connection carries the topic, the others only the alias"
            )),
            None => output::debug("no topic alias: every message carries its topic"),
        }
    }

    fn reconnected(&self, conn: &crate::cli::ConnectArgs) {
        if let (Some((alias, _)), true) = (self.alias, conn.debug) {
            output::debug(&format!(
                "new connection: the next message sets topic alias {alias} up again with the topic"
            ));
        }
    }
}

/// All of stdin (`-s`).
pub(crate) fn read_stdin() -> Result<Vec<u8>> {
    let mut data = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut data)
        .map_err(|e| Error::runtime(format!("reading stdin: {e}")))?;
    Ok(data)
}

fn source(args: &PubArgs) -> Result<Source> {
    if let Some(m) = &args.message {
        return Ok(Source::Once(Bytes::from(m.clone().into_bytes())));
    }
    if args.stdin_file {
        let data = read_stdin()?;
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

/// `-f`: a file that fits in one chunk comes back as one raw payload (sent like `-m`, so
/// `--repeat` and `-r` apply); a larger one is sent here as a chunked transfer (docs/transfer.md),
/// at QoS 1 unless `-q` says otherwise, and `None` comes back.
async fn transfer(
    args: &PubArgs,
    session: &mut Session,
    file: send::Source,
    topic: &str,
) -> Result<Option<Bytes>> {
    let max_packet = session.connack().max_packet_size;
    let chunk = send::chunk_size(args.chunk_size, max_packet, topic, &file.name)?;
    let shown = file.shown.clone();
    match send::prepare(file, chunk, args.chunked).await? {
        send::Prepared::Raw(bytes) => Ok(Some(bytes)),
        send::Prepared::Chunked(t) => {
            if args.retain {
                return Err(Error::usage(format!(
                    "-f {shown} is sent in chunks, and -r cannot retain a chunked transfer"
                ))
                .hint("drop -r, or raise --chunk-size so the file fits in one message"));
            }
            if args.repeat > 1 {
                return Err(Error::usage(format!(
                    "-f {shown} is sent in chunks, and --repeat applies to single messages only"
                )));
            }
            if !args.chunked && !args.conn.quiet {
                output::note(&chunking_note(&shown, &t));
            }
            let qos = args.qos.unwrap_or(Qos::AtLeastOnce);
            t.send(session, topic, qos, args.ack_timeout)
                .await
                .map_err(|e| e.context(format!("sending {shown} to {topic}")))?;
            Ok(None)
        }
    }
}

/// Said once when a file is chunked without `--chunked`: a subscriber other than `mq sub
/// --save-dir` would get frames, not the file, and nothing else would tell the sender.
fn chunking_note(shown: &str, t: &send::Transfer) -> String {
    let chunk = human_size(t.chunk().into());
    let how = match (t.size(), t.frames()) {
        (Some(size), Some(frames)) => format!(
            "{shown} ({}) is over one message, so it goes as {frames} frames of {chunk}",
            human_size(size)
        ),
        _ => format!("{shown} is over one message, so it goes as frames of {chunk}"),
    };
    format!(
        "mq pub: {how}, which only mq sub --save-dir (or a receiver written from docs/transfer.md) \
         puts back together; other subscribers get the frames (--chunked: this is meant, and no note)"
    )
}

/// Lines of `source` (stdin, a file), read on a thread of their own so a slow pipe never stalls the connection.
/// `\n` is removed, `\r` kept, empty lines are empty messages, a last line without `\n` counts.
/// Lines come in batches: all those already in the read buffer (up to `LINE_BATCH`), so a fast
/// pipe costs one hand-over per batch and not one per line.
pub(super) fn lines<R: Read + Send + 'static>(
    source: R,
) -> mpsc::Receiver<std::io::Result<Vec<Bytes>>> {
    const LINE_BATCH: usize = 256;
    let (tx, rx) = mpsc::channel(8);
    std::thread::spawn(move || {
        let mut input = std::io::BufReader::with_capacity(256 * 1024, source);
        let mut buf = Vec::new();
        let mut batch = Vec::with_capacity(LINE_BATCH);
        loop {
            buf.clear();
            match input.read_until(b'\n', &mut buf) {
                Ok(0) => break,
                Ok(_) => {
                    if buf.last() == Some(&b'\n') {
                        buf.pop();
                    }
                    batch.push(Bytes::copy_from_slice(&buf));
                    // Hand over when the next line would need a read (which may block).
                    if batch.len() == LINE_BATCH || !input.buffer().contains(&b'\n') {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(LINE_BATCH));
                        if tx.blocking_send(Ok(full)).is_err() {
                            return;
                        }
                    }
                }
                Err(e) => {
                    if !batch.is_empty() && tx.blocking_send(Ok(batch)).is_err() {
                        return;
                    }
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            }
        }
        if !batch.is_empty() {
            let _ = tx.blocking_send(Ok(batch));
        }
    });
    rx
}
