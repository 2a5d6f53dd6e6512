//! A websocket (and secure websocket) front for mosquitto's TCP listener. Debian's mosquitto
//! 2.0.11 is built without websockets (`protocol websockets` fails to open the listener), so
//! the tests put this bridge in front of it: it answers the HTTP upgrade on one path with the
//! `mqtt` subprotocol, optionally behind TLS, and relays binary frames to and from the broker.
//!
//! Everything is bounded: connections end when either side closes, and the accept loop stops
//! when the bridge is dropped.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tungstenite::{Message, WebSocket};

pub struct WsBridge {
    pub port: u16,
    /// The SNI of each TLS ClientHello received, in order (None: the client sent none).
    sni: Arc<Mutex<Vec<Option<String>>>>,
    stop: Arc<AtomicBool>,
}

impl Drop for WsBridge {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// TLS for the bridge: the server certificate and key, PEM.
pub fn server_tls(cert: &str, key: &str) -> Arc<rustls::ServerConfig> {
    server_tls_alpn(cert, key, &[])
}

/// TLS for the bridge that accepts only these ALPN protocols (any, when empty).
pub fn server_tls_alpn(cert: &str, key: &str, alpn: &[&str]) -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    config.alpn_protocols = alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
    Arc::new(config)
}

impl WsBridge {
    /// Serve websockets on `path` (TLS when `tls` is given), relaying to 127.0.0.1:`target`.
    pub fn start(target: u16, path: &str, tls: Option<Arc<rustls::ServerConfig>>) -> WsBridge {
        WsBridge::spawn(target, Some(path.to_string()), tls)
    }

    /// Plain TLS in front of 127.0.0.1:`target`, for what mosquitto's own TLS listener cannot
    /// do (ALPN).
    pub fn tls_relay(target: u16, tls: Arc<rustls::ServerConfig>) -> WsBridge {
        WsBridge::spawn(target, None, Some(tls))
    }

    /// The SNI of the latest TLS handshake, taken off the record; None when no handshake
    /// ended within 5 s. A client that refuses the certificate can exit before the bridge has
    /// read its alert, so this waits for the record rather than reading it once.
    pub fn last_sni(&self) -> Option<Option<String>> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(sni) = self.sni.lock().unwrap().pop() {
                return Some(sni);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn spawn(
        target: u16,
        path: Option<String>,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> WsBridge {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let sni = Arc::new(Mutex::new(Vec::new()));
        let seen = sni.clone();
        std::thread::spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((tcp, _)) => {
                        let (path, tls, flag) = (path.clone(), tls.clone(), flag.clone());
                        let seen = seen.clone();
                        std::thread::spawn(move || {
                            tcp.set_nonblocking(false).unwrap();
                            let _ = serve(tcp, target, path.as_deref(), tls, &flag, &seen);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        WsBridge { port, sni, stop }
    }
}

trait Stream: Read + Write {
    fn tcp(&self) -> &TcpStream;
}

impl Stream for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl Stream for rustls::StreamOwned<rustls::ServerConnection, TcpStream> {
    fn tcp(&self) -> &TcpStream {
        &self.sock
    }
}

fn serve(
    tcp: TcpStream,
    target: u16,
    path: Option<&str>,
    tls: Option<Arc<rustls::ServerConfig>>,
    stop: &AtomicBool,
    sni: &Mutex<Vec<Option<String>>>,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut tcp = tcp;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    let stream: Box<dyn Stream + Send> = match tls {
        None => Box::new(tcp),
        Some(cfg) => {
            // Handshake here, to record the SNI (also when the client then refuses us).
            let mut conn = rustls::ServerConnection::new(cfg)?;
            let mut handshake = || -> std::io::Result<()> {
                while conn.is_handshaking() {
                    conn.complete_io(&mut tcp)?;
                }
                Ok(())
            };
            let done = handshake();
            sni.lock()
                .unwrap()
                .push(conn.server_name().map(str::to_string));
            done?;
            Box::new(rustls::StreamOwned::new(conn, tcp))
        }
    };
    let Some(path) = path else {
        return relay(stream, target, stop);
    };
    // The callback type is fixed by tungstenite.
    #[allow(clippy::result_large_err)]
    let check = |req: &Request, mut resp: Response| -> Result<Response, ErrorResponse> {
        if req.uri().path() != path {
            let mut e = ErrorResponse::new(Some("no MQTT endpoint here".into()));
            *e.status_mut() = tungstenite::http::StatusCode::NOT_FOUND;
            return Err(e);
        }
        resp.headers_mut()
            .insert("Sec-WebSocket-Protocol", "mqtt".parse().unwrap());
        Ok(resp)
    };
    let mut ws: WebSocket<Box<dyn Stream + Send>> =
        tungstenite::accept_hdr(stream, check).map_err(|e| e.to_string())?;
    let mut up = TcpStream::connect(("127.0.0.1", target))?;
    let tick = Some(Duration::from_millis(5));
    ws.get_ref().tcp().set_read_timeout(tick)?;
    up.set_read_timeout(tick)?;
    let mut buf = vec![0u8; 64 * 1024];
    let idle = |e: &std::io::Error| matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut);
    while !stop.load(Ordering::SeqCst) {
        match ws.read() {
            Ok(Message::Binary(b)) => up.write_all(&b)?,
            Ok(Message::Close(_)) => return Ok(()),
            Ok(_) => {}
            Err(tungstenite::Error::Io(e)) if idle(&e) => {}
            Err(_) => return Ok(()),
        }
        match up.read(&mut buf) {
            Ok(0) => {
                let _ = ws.close(None);
                let _ = ws.flush();
                return Ok(());
            }
            Ok(n) => ws.send(Message::binary(buf[..n].to_vec()))?,
            Err(e) if idle(&e) => {}
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// Relay bytes between `stream` and the broker until either side closes.
fn relay(
    mut stream: Box<dyn Stream + Send>,
    target: u16,
    stop: &AtomicBool,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut up = TcpStream::connect(("127.0.0.1", target))?;
    let tick = Some(Duration::from_millis(5));
    stream.tcp().set_read_timeout(tick)?;
    up.set_read_timeout(tick)?;
    let mut buf = vec![0u8; 64 * 1024];
    let idle = |e: &std::io::Error| matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut);
    while !stop.load(Ordering::SeqCst) {
        match stream.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => up.write_all(&buf[..n])?,
            Err(e) if idle(&e) => {}
            Err(_) => return Ok(()),
        }
        match up.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => {
                stream.write_all(&buf[..n])?;
                stream.flush()?;
            }
            Err(e) if idle(&e) => {}
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}
