//! The listener clients see. rumqttd serves MQTT 3.1.1 and MQTT 5 on separate listeners, and on a
//! wrong password it closes the connection without a CONNACK. The front reads each client's
//! CONNECT, answers bad credentials or an unknown protocol level with a proper CONNACK refusal,
//! and hands the connection (CONNECT included) to rumqttd's 3.1.1 or 5 listener on loopback.
//! It also terminates TLS and websockets, so every port speaks both versions, with or without
//! TLS (rumqttd's websocket listener would speak 3.1.1 only), and adds the packet size limit
//! rumqttd enforces to its MQTT 5 CONNACK. After the CONNACK, bytes pass through untouched.

use super::packet::{parse_connect, with_max_packet_size};
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
    pub v4: SocketAddr,
    pub v5: SocketAddr,
    pub credentials: Option<(String, String)>,
    pub tls: Option<tokio_rustls::TlsAcceptor>,
    /// Largest CONNECT accepted (it may carry a will payload).
    pub max_packet_size: usize,
    /// Log connections on stderr.
    pub log: bool,
    /// Connections open now (TCP accepted, not yet closed).
    pub open: Arc<AtomicUsize>,
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

/// How long a client may take to send its CONNECT (and TLS handshake).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Accept connections until the process ends: MQTT, or MQTT over websockets when `ws`.
pub async fn serve(listener: TcpListener, front: Arc<Front>, ws: bool) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                if front.log {
                    eprintln!("mq serve: accept failed: {e}");
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let front = front.clone();
        let open = Open::new(&front.open);
        tokio::spawn(async move {
            let _open = open;
            let outcome = match &front.tls {
                Some(acceptor) => {
                    match tokio::time::timeout(CONNECT_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => unwrap_ws(tls, ws, peer, &front).await,
                        Ok(Err(e)) => Err(format!("TLS handshake failed: {e}")),
                        Err(_) => Err("TLS handshake timed out".into()),
                    }
                }
                None => unwrap_ws(stream, ws, peer, &front).await,
            };
            if let Err(e) = outcome {
                if front.log {
                    eprintln!("mq serve: {peer}: {e}");
                }
            }
        });
    }
}

/// Answer the websocket handshake when `ws`, then serve MQTT over the stream.
async fn unwrap_ws<S>(stream: S, ws: bool, peer: SocketAddr, front: &Front) -> Result<(), String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    if !ws {
        return handle(stream, peer, front, "").await;
    }
    // One MQTT packet per websocket message, as clients send them, up to the packet limit.
    let limit = front.max_packet_size + 16;
    let config = WebSocketConfig {
        max_message_size: Some(limit),
        max_frame_size: Some(limit),
        ..Default::default()
    };
    let handshake = accept_hdr_async_with_config(stream, MqttSubprotocol, Some(config));
    let socket = tokio::time::timeout(CONNECT_TIMEOUT, handshake)
        .await
        .map_err(|_| "websocket handshake timed out".to_string())?
        .map_err(|e| format!("websocket handshake failed: {e}"))?;
    handle(WsStream::new(socket), peer, front, " over websockets").await
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

async fn handle<S>(mut client: S, peer: SocketAddr, front: &Front, over: &str) -> Result<(), String>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let packet = tokio::time::timeout(CONNECT_TIMEOUT, read_connect(&mut client, front))
        .await
        .map_err(|_| "no CONNECT within 10s".to_string())??;
    let connect = parse_connect(&packet.body).ok_or("malformed CONNECT")?;
    let refuse = |code_v4: u8, code_v5: u8| -> Vec<u8> {
        if connect.level == 5 {
            vec![0x20, 3, 0, code_v5, 0]
        } else {
            vec![0x20, 2, 0, code_v4]
        }
    };
    let backend = match connect.level {
        4 => front.v4,
        5 => front.v5,
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
            String::from_utf8_lossy(&connect.client_id)
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
                String::from_utf8_lossy(&connect.client_id)
            ));
        }
    }
    let mut server = TcpStream::connect(backend)
        .await
        .map_err(|e| format!("broker listener {backend}: {e}"))?;
    let _ = server.set_nodelay(true);
    if front.log {
        eprintln!(
            "mq serve: {peer}: client '{}' connected (MQTT {}{over})",
            String::from_utf8_lossy(&connect.client_id),
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

/// Compare without stopping at the first difference.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

struct Packet {
    header: Vec<u8>,
    body: Vec<u8>,
}

async fn read_connect<S: AsyncRead + Unpin>(s: &mut S, front: &Front) -> Result<Packet, String> {
    read_packet(s, 0x10, front.max_packet_size).await
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
    let mut body = vec![0; len];
    s.read_exact(&mut body).await.map_err(io)?;
    Ok(Packet { header, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_passwords() {
        assert!(same(b"secret", b"secret"));
        assert!(!same(b"secret", b"secreT"));
        assert!(!same(b"secret", b"secre"));
    }
}
