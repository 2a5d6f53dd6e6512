//! The embedded broker behind `mq serve` and `--embedded`: rumqttd, and the only module that
//! imports it.
//!
//! rumqttd runs an MQTT 3.1.1 server and an MQTT 5 server, each on its own thread, with no
//! listening socket: `front` owns the addresses the user asked for (`--bind`, and `--ws` for
//! websockets), reads each CONNECT and hands the connection to the right server in-process,
//! through an in-memory pipe (see `front.rs` for why). No other local process can reach
//! rumqttd past the front's checks, and a client costs one file descriptor. rumqttd's own
//! websocket listener is not used: it speaks MQTT 3.1.1 only and closes an MQTT 5 connection
//! without a word. rumqttd has no shutdown: the broker lives until the process ends, which is
//! what both `serve` and `--embedded` want.
//!
//! A panic on one of the broker's threads ends only the connection it served, and tokio or the
//! thread would swallow it: a process-wide panic hook counts every panic (`panics()`) after
//! printing it, so that `mq serve` can report them when it stops.

mod front;
mod packet;

use crate::exit::{Error, Result};
use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What to run.
pub struct Settings {
    /// Where MQTT clients connect (port 0: any free port).
    pub bind: SocketAddr,
    /// Where websocket clients connect (MQTT 3.1.1 and 5 over `ws://`, `wss://` with `tls`).
    pub ws: Option<SocketAddr>,
    pub credentials: Option<(String, String)>,
    /// PEM certificate chain and private key: every listener speaks TLS only.
    pub tls: Option<(PathBuf, PathBuf)>,
    pub max_packet_size: usize,
    /// Client connections served at once; the next ones are refused with a CONNACK.
    pub max_connections: usize,
    /// Log connections on stderr.
    pub log: bool,
}

/// A broker that is accepting connections.
#[derive(Debug)]
pub struct Running {
    pub addr: SocketAddr,
    pub ws: Option<SocketAddr>,
    /// Client connections open now on `addr`.
    open: Arc<AtomicUsize>,
}

impl Running {
    /// Wait until no client is connected on `addr`, at most `max` (None: as long as it takes);
    /// false if one still is.
    pub async fn idle(&self, max: Option<Duration>) -> bool {
        let deadline = max.map(|max| tokio::time::Instant::now() + max);
        while self.open.load(Ordering::SeqCst) > 0 {
            if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }
}

/// Panics seen since the broker started (see the module doc).
static PANICS: AtomicUsize = AtomicUsize::new(0);

/// How many panics the process has had since the broker started: each one dropped a client.
pub fn panics() -> usize {
    PANICS.load(Ordering::SeqCst)
}

/// Count every panic from now on, after the usual message on stderr. A hook rather than the
/// tasks' JoinErrors because rumqttd spawns its tasks itself, on threads mq does not own.
fn count_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            previous(info);
            PANICS.fetch_add(1, Ordering::SeqCst);
            eprintln!(
                "mq: serve: the broker panicked (a bug in mq): the client it served was dropped"
            );
        }));
    });
}

/// Start the broker; returns once its listeners accept connections.
pub fn start(settings: Settings) -> Result<Running> {
    count_panics();
    let tls = match &settings.tls {
        Some((cert, key)) => Some(acceptor(cert, key)?),
        None => None,
    };
    let listener = TcpListener::bind(settings.bind).map_err(|e| bind_error(settings.bind, e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::runtime(format!("serve: {e}")))?;
    let ws_listener = match settings.ws {
        Some(ws) => Some(TcpListener::bind(ws).map_err(|e| bind_error(ws, e))?),
        None => None,
    };
    let ws = match &ws_listener {
        Some(l) => Some(
            l.local_addr()
                .map_err(|e| Error::runtime(format!("serve: {e}")))?,
        ),
        None => None,
    };
    let (v4, v4_streams) = rumqttd::handoff();
    let (v5, v5_streams) = rumqttd::handoff();

    let connections = rumqttd::ConnectionSettings {
        connection_timeout_ms: 60_000,
        max_payload_size: settings.max_packet_size,
        max_inflight_count: 65_535,
        auth: settings
            .credentials
            .as_ref()
            .map(|(u, p)| HashMap::from([(u.clone(), p.clone())])),
        external_auth: None,
        dynamic_filters: true,
    };
    let server = |name: &str, streams| rumqttd::ServerSettings {
        name: name.to_string(),
        // Not listened on: connections come through `handoff`.
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        tls: None,
        next_connection_delay_ms: 0,
        connections: connections.clone(),
        handoff: Some(streams),
    };
    let config = rumqttd::Config {
        id: 0,
        router: rumqttd::RouterConfig {
            // The front refuses connections past the limit; a margin for those rumqttd has not
            // yet seen close.
            max_connections: settings.max_connections + 64,
            max_outgoing_packet_count: 200,
            max_segment_size: 100 << 20,
            max_segment_count: 10,
            ..Default::default()
        },
        v4: Some(HashMap::from([("v4".into(), server("mq-v4", v4_streams))])),
        v5: Some(HashMap::from([("v5".into(), server("mq-v5", v5_streams))])),
        ..Default::default()
    };
    std::thread::Builder::new()
        .name("mq-broker".into())
        .spawn(move || {
            let mut broker = rumqttd::Broker::new(config);
            if let Err(e) = broker.start() {
                eprintln!("mq: serve: the broker stopped: {e}");
            }
        })
        .map_err(|e| Error::runtime(format!("serve: starting the broker thread: {e}")))?;
    for l in std::iter::once(&listener).chain(&ws_listener) {
        l.set_nonblocking(true)
            .map_err(|e| Error::runtime(format!("serve: {e}")))?;
    }
    let open = Arc::new(AtomicUsize::new(0));
    let front = Arc::new(front::Front {
        v4,
        v5,
        credentials: settings.credentials,
        tls,
        max_packet_size: settings.max_packet_size,
        max_connections: settings.max_connections,
        log: settings.log,
        open: open.clone(),
        refusing: Arc::new(AtomicUsize::new(0)),
    });
    std::thread::Builder::new()
        .name("mq-broker-front".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => return eprintln!("mq: serve: {e}"),
            };
            runtime.block_on(async move {
                let mqtt = tokio::net::TcpListener::from_std(listener);
                let ws = ws_listener
                    .map(tokio::net::TcpListener::from_std)
                    .transpose();
                match (mqtt, ws) {
                    (Ok(mqtt), Ok(None)) => front::serve(mqtt, front, false).await,
                    (Ok(mqtt), Ok(Some(ws))) => {
                        tokio::join!(
                            front::serve(mqtt, front.clone(), false),
                            front::serve(ws, front, true)
                        );
                    }
                    (Err(e), _) | (_, Err(e)) => eprintln!("mq: serve: {e}"),
                }
            });
        })
        .map_err(|e| Error::runtime(format!("serve: starting the listener thread: {e}")))?;
    Ok(Running { addr, ws, open })
}

fn bind_error(addr: SocketAddr, e: std::io::Error) -> Error {
    let hint = match e.kind() {
        std::io::ErrorKind::AddrInUse => "another broker may be running there; pick another port",
        std::io::ErrorKind::PermissionDenied => {
            "ports below 1024 need privileges; use a higher one"
        }
        _ => "check the address",
    };
    Error::runtime(format!("serve: cannot listen on {addr}: {e}")).hint(hint)
}

/// File descriptors kept for everything but clients: stdio, the runtimes, a TLS file.
const RESERVED_FDS: u64 = 64;

/// The default `--max-connections`: what the file descriptor limit allows (one per client),
/// after raising the soft limit to the hard one, at most rumqttd's usual 100,000.
pub fn default_max_connections() -> usize {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable rlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return 1000;
    }
    if lim.rlim_cur < lim.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: lim.rlim_max,
            rlim_max: lim.rlim_max,
        };
        // SAFETY: `raised` is a valid rlimit within the hard limit.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            lim.rlim_cur = lim.rlim_max;
        }
    }
    let clients = lim.rlim_cur.saturating_sub(RESERVED_FDS).clamp(1, 100_000);
    usize::try_from(clients).unwrap_or(100_000)
}

fn acceptor(cert: &PathBuf, key: &PathBuf) -> Result<tokio_rustls::TlsAcceptor> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(|i| i.collect::<std::result::Result<Vec<_>, _>>())
        .map_err(|e| {
            Error::usage(format!("--tls-cert {}: {e}", cert.display()))
                .hint("give a PEM certificate chain")
        })?;
    if certs.is_empty() {
        return Err(Error::usage(format!(
            "--tls-cert {}: no certificate in the file",
            cert.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        Error::usage(format!("--tls-key {}: {e}", key.display())).hint("give a PEM private key")
    })?;
    let provider = crate::tls::provider();
    // Checked by mq rather than rustls, which refuses an X.509 v1 certificate outright.
    let pair = crate::tls::certified_key(certs, key, &provider, cert, ["--tls-cert", "--tls-key"])?;
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::runtime(format!("serve: TLS: {e}")))?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(rustls::sign::SingleCertAndKey::from(pair)));
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_panic_on_a_broker_thread_is_counted() {
        super::count_panics();
        let before = super::panics();
        let thread = std::thread::Builder::new()
            .name("mq-test-panic".into())
            .spawn(|| panic!("on purpose"))
            .unwrap();
        assert!(thread.join().is_err());
        assert!(super::panics() > before);
    }
}
