//! The listener clients see. rumqttd serves MQTT 3.1.1 and MQTT 5 on separate listeners, and on a
//! wrong password it closes the connection without a CONNACK. The front reads each client's
//! CONNECT, answers bad credentials or an unknown protocol level with a proper CONNACK refusal,
//! and hands the connection (CONNECT included) to rumqttd's 3.1.1 or 5 server through an
//! in-memory pipe.
//! It also terminates TLS and websockets, so every port speaks both versions, with or without
//! TLS (rumqttd's websocket listener would speak 3.1.1 only), and adds the packet size limit
//! rumqttd enforces to its MQTT 5 CONNACK. After the CONNACK, bytes pass through untouched.
//!
//! Before a client is authenticated it costs little and not for long: its CONNECT is at most
//! `MAX_CONNECT` bytes, read as they arrive, and TLS, websocket handshake and CONNECT must all
//! be done within `CONNECT_TIMEOUT` of the accept. Past `max_connections` a client gets a
//! "server busy" CONNACK; out of file descriptors, the accept loop backs off.
//!
//! What `-d` logs of a client (its client id, and error texts that may quote what it sent) is
//! escaped by `output::escape`: a client cannot drive the terminal of whoever watches the log.

use super::packet::{parse_connect, with_max_packet_size};
use crate::output::escape::{self, Escape};
use async_tungstenite::tokio::accept_hdr_async_with_config;
use async_tungstenite::tungstenite::handshake::server::{
    Callback, ErrorResponse, Request, Response,
};
use async_tungstenite::tungstenite::http::HeaderValue;
use async_tungstenite::tungstenite::protocol::WebSocketConfig;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use ws_stream_tungstenite::WsStream;

/// Where to hand connections, and what to check first.
pub struct Front {
    pub v4: rumqttd::Handoff,
    pub v5: rumqttd::Handoff,
    pub credentials: Option<(String, String)>,
    pub tls: Option<tokio_rustls::TlsAcceptor>,
    /// Largest packet rumqttd accepts, announced in MQTT 5 CONNACKs.
    pub max_packet_size: usize,
    /// Client connections served at once.
    pub max_connections: usize,
    /// Log connections on stderr.
    pub log: bool,
    /// Connections open now (TCP accepted, not yet closed), refused ones aside.
    pub open: Arc<AtomicUsize>,
    /// Connections past the limit being answered now.
    pub refusing: Arc<AtomicUsize>,
}

/// Counts a connection as open until dropped.
struct Open(Arc<AtomicUsize>);

impl Open {
    fn new(count: &Arc<AtomicUsize>) -> Open {
        count.fetch_add(1, Ordering::SeqCst);
        Open(count.clone())
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How long a client may take, from the accept, to finish TLS, websocket handshake and CONNECT.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest CONNECT read before the client is authenticated. A CONNECT is an id, a user name and
/// a password, and perhaps a will: 64 KiB is plenty, and an unauthenticated peer cannot make
/// the broker hold more.
const MAX_CONNECT: usize = 64 << 10;

/// Connections past `max_connections` answered at once; more are closed unanswered.
const MAX_REFUSING: usize = 32;

/// How long a connection past the limit has to send its CONNECT to get an answer.
const REFUSE_TIMEOUT: Duration = Duration::from_secs(2);

/// Bounds of the wait after a failed accept (out of file descriptors, typically).
const ACCEPT_BACKOFF: (Duration, Duration) = (Duration::from_millis(10), Duration::from_secs(1));

/// Accept connections until the process ends: MQTT, or MQTT over websockets when `ws`.
pub async fn serve(listener: TcpListener, front: Arc<Front>, ws: bool) {
    let mut backoff = ACCEPT_BACKOFF.0;
    let mut warned_full = false;
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(c) => {
                backoff = ACCEPT_BACKOFF.0;
                c
            }
            Err(e) => {
                // Accept fails at once until a descriptor is freed: wait, longer each time, and
                // say so once per run of failures.
                if backoff == ACCEPT_BACKOFF.0 {
                    eprintln!(
                        "mq serve: accept failed: {e}; {} clients connected, retrying \
                         (hint: lower --max-connections or raise ulimit -n)",
                        front.open.load(Ordering::SeqCst)
                    );
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(ACCEPT_BACKOFF.1);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let front = front.clone();
        if front.open.load(Ordering::SeqCst) >= front.max_connections {
            if !warned_full || front.log {
                eprintln!(
                    "mq serve: {peer}: refused: {} clients connected already (--max-connections)",
                    front.max_connections
                );
                warned_full = true;
            }
            if front.refusing.load(Ordering::SeqCst) < MAX_REFUSING {
                let refusing = Open::new(&front.refusing);
                tokio::spawn(async move {
                    let _refusing = refusing;
                    refuse_busy(stream).await;
                });
            }
            continue;
        }
        let open = Open::new(&front.open);
        tokio::spawn(async move {
            let _open = open;
            let deadline = tokio::time::Instant::now() + CONNECT_TIMEOUT;
            let outcome = match &front.tls {
                Some(acceptor) => {
                    match tokio::time::timeout_at(deadline, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => unwrap_ws(tls, ws, peer, &front, deadline).await,
                        Ok(Err(e)) => Err(format!("TLS handshake failed: {e}")),
                        Err(_) => Err("TLS handshake timed out".into()),
                    }
                }
                None => unwrap_ws(stream, ws, peer, &front, deadline).await,
            };
            if let Err(e) = outcome {
                if front.log {
                    eprintln!("mq serve: {peer}: {}", escape::shown(&e));
                }
            }
        });
    }
}

/// Answer a plain MQTT connection past the limit with "server unavailable" (3.1.1) or "server
/// busy" (5), so that its client says why instead of seeing a closed connection.
async fn refuse_busy(mut stream: TcpStream) {
    let read = read_packet(&mut stream, 0x10, MAX_CONNECT);
    if let Ok(Ok(packet)) = tokio::time::timeout(REFUSE_TIMEOUT, read).await {
        let answer: &[u8] = match parse_connect(&packet.body).map(|c| c.level) {
            Some(5) => &[0x20, 3, 0, 0x89, 0],
            _ => &[0x20, 2, 0, 3],
        };
        let _ = stream.write_all(answer).await;
        let _ = stream.shutdown().await;
    }
}

/// Answer the websocket handshake when `ws`, then serve MQTT over the stream.
async fn unwrap_ws<S>(
    stream: S,
    ws: bool,
    peer: SocketAddr,
    front: &Front,
    deadline: tokio::time::Instant,
) -> Result<(), String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    if !ws {
        return handle(stream, peer, front, "", deadline).await;
    }
    // One MQTT packet per websocket message, as clients send them, up to the packet limit.
    let limit = front.max_packet_size + 16;
    let config = WebSocketConfig {
        max_message_size: Some(limit),
        max_frame_size: Some(limit),
        ..Default::default()
    };
    let handshake = accept_hdr_async_with_config(stream, MqttSubprotocol, Some(config));
    let socket = tokio::time::timeout_at(deadline, handshake)
        .await
        .map_err(|_| "websocket handshake timed out".to_string())?
        .map_err(|e| format!("websocket handshake failed: {e}"))?;
    handle(
        WsStream::new(socket),
        peer,
        front,
        " over websockets",
        deadline,
    )
    .await
}

/// Answers a websocket upgrade with `Sec-WebSocket-Protocol: mqtt`, which MQTT clients ask for
/// (MQTT 5 §6) and some require in the answer.
struct MqttSubprotocol;

impl Callback for MqttSubprotocol {
    fn on_request(
        self,
        request: &Request,
        mut response: Response,
    ) -> Result<Response, ErrorResponse> {
        let asked = request
            .headers()
            .get_all("sec-websocket-protocol")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|p| p.trim().eq_ignore_ascii_case("mqtt"));
        if asked {
            response
                .headers_mut()
                .insert("sec-websocket-protocol", HeaderValue::from_static("mqtt"));
        }
        Ok(response)
    }
}

async fn handle<S>(
    mut client: S,
    peer: SocketAddr,
    front: &Front,
    over: &str,
    deadline: tokio::time::Instant,
) -> Result<(), String>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let limit = MAX_CONNECT.min(front.max_packet_size);
    let packet = tokio::time::timeout_at(deadline, read_packet(&mut client, 0x10, limit))
        .await
        .map_err(|_| format!("no CONNECT within {}s", CONNECT_TIMEOUT.as_secs()))??;
    let connect = parse_connect(&packet.body).ok_or("malformed CONNECT")?;
    let refuse = |code_v4: u8, code_v5: u8| -> Vec<u8> {
        if connect.level == 5 {
            vec![0x20, 3, 0, code_v5, 0]
        } else {
            vec![0x20, 2, 0, code_v4]
        }
    };
    let backend = match connect.level {
        4 => &front.v4,
        5 => &front.v5,
        level => {
            let _ = client.write_all(&refuse(1, 0x84)).await;
            return Err(format!("refused: unsupported protocol level {level}"));
        }
    };
    // rumqttd closes the connection unanswered on a client id with a topic character in it.
    if connect.client_id.iter().any(|b| b"+#$/".contains(b)) {
        let _ = client.write_all(&refuse(2, 0x85)).await;
        let _ = client.shutdown().await;
        return Err(format!(
            "refused client '{}': a client id must not contain +, #, $ or /",
            shown_id(&connect.client_id)
        ));
    }
    if let Some((user, pass)) = &front.credentials {
        let good = connect.username.as_deref() == Some(user.as_bytes())
            && connect
                .password
                .as_deref()
                .is_some_and(|p| same(p, pass.as_bytes()));
        if !good {
            let _ = client.write_all(&refuse(4, 0x86)).await;
            let _ = client.shutdown().await;
            return Err(format!(
                "refused client '{}': bad user name or password",
                shown_id(&connect.client_id)
            ));
        }
    }
    let (mut server, theirs) = tokio::io::duplex(HOP_BUFFER);
    if !backend.hand(Box::new(theirs)) {
        return Err("the broker has stopped".into());
    }
    if front.log {
        eprintln!(
            "mq serve: {peer}: client '{}' connected (MQTT {}{over})",
            shown_id(&connect.client_id),
            if connect.level == 5 { "5" } else { "3.1.1" }
        );
    }
    server
        .write_all(&packet.header)
        .await
        .map_err(|e| e.to_string())?;
    server
        .write_all(&packet.body)
        .await
        .map_err(|e| e.to_string())?;
    if connect.level == 5 {
        let connack = tokio::time::timeout(CONNECT_TIMEOUT, read_packet(&mut server, 0x20, 1024))
            .await
            .map_err(|_| "the broker sent no CONNACK within 10s".to_string())??;
        let limit = u32::try_from(front.max_packet_size).unwrap_or(u32::MAX);
        let connack = with_max_packet_size(&connack.body, limit)
            .unwrap_or_else(|| [connack.header, connack.body].concat());
        client
            .write_all(&connack)
            .await
            .map_err(|e| e.to_string())?;
    }
    let result = tokio::io::copy_bidirectional(&mut client, &mut server).await;
    if front.log {
        eprintln!("mq serve: {peer}: disconnected");
    }
    result.map(|_| ()).map_err(|e| e.to_string())
}

/// A client id as the log shows it: control and bidi characters and bytes that are not UTF-8
/// escaped (`\x1b`, `\u{202e}`, `\xff`).
fn shown_id(id: &[u8]) -> String {
    let mut out = Vec::with_capacity(id.len());
    escape::push(&mut out, id, Escape::All);
    // Escaped text is UTF-8: valid input is copied, everything else is ASCII escapes.
    String::from_utf8_lossy(&out).into_owned()
}

/// Compare without stopping at the first difference.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Bytes in flight each way between a client and rumqttd, as a socket buffer would hold.
const HOP_BUFFER: usize = 256 << 10;

struct Packet {
    header: Vec<u8>,
    body: Vec<u8>,
}

/// The next packet, which must be of type `kind` (first byte) and at most `max` bytes long.
async fn read_packet<S: AsyncRead + Unpin>(
    s: &mut S,
    kind: u8,
    max: usize,
) -> Result<Packet, String> {
    let io = |e: std::io::Error| e.to_string();
    let first = s.read_u8().await.map_err(io)?;
    if first != kind {
        let name = if kind == 0x10 { "CONNECT" } else { "CONNACK" };
        return Err(format!("first packet is not {name} (0x{first:02x})"));
    }
    let mut header = vec![first];
    let mut len = 0usize;
    for i in 0..4 {
        let b = s.read_u8().await.map_err(io)?;
        header.push(b);
        len |= usize::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            break;
        }
        if i == 3 {
            return Err("malformed remaining length".into());
        }
    }
    if len > max {
        return Err(format!(
            "a packet of {len} bytes is over the limit of {max}"
        ));
    }
    // Grown as bytes arrive: a length announced is not memory spent until it is sent.
    let mut body = Vec::new();
    s.take(len as u64)
        .read_to_end(&mut body)
        .await
        .map_err(io)?;
    if body.len() < len {
        return Err("connection closed mid-packet".into());
    }
    Ok(Packet { header, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_are_shown_escaped() {
        assert_eq!(shown_id(b"cam-1"), "cam-1");
        assert_eq!(
            shown_id("\x1b]0;PWNED\x07\u{202e}x".as_bytes()),
            r"\x1b]0;PWNED\x07\u{202e}x"
        );
        assert_eq!(shown_id(b"a\xffb"), r"a\xffb");
    }

    #[test]
    fn compares_passwords() {
        assert!(same(b"secret", b"secret"));
        assert!(!same(b"secret", b"secreT"));
        assert!(!same(b"secret", b"secre"));
    }
}
