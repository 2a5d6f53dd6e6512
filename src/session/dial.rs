//! Opening the byte stream to the broker when mq dials it itself: from a local address (`-A`)
//! and through a SOCKS5 proxy (`--proxy`). rumqttc runs TLS, websockets and MQTT over the
//! stream this returns (its socket connector), and `mq check`'s stages dial with the same
//! functions, so a check reaches the broker exactly as `mq pub` does.
//!
//! Failures carry a `DialError` with the message and hint to show: the network error alone
//! ("connection refused") would not say whether the proxy or the broker refused.

use crate::options::proxy::ProxyPlan;
use crate::options::ConnectPlan;
use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpSocket, TcpStream};
use tokio_socks::tcp::Socks5Stream;

/// A connected byte stream: TCP, or TCP through a SOCKS5 proxy.
pub trait Stream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Stream for T {}

/// A dial failure explained: what failed, and what to try.
#[derive(Debug)]
pub struct DialError {
    pub message: String,
    pub hint: String,
}

impl fmt::Display for DialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DialError {}

fn failed(kind: io::ErrorKind, message: String, hint: impl Into<String>) -> io::Error {
    io::Error::new(
        kind,
        DialError {
            message,
            hint: hint.into(),
        },
    )
}

/// The explained failure inside an I/O error, when it came from here.
pub fn explained(e: &io::Error) -> Option<&DialError> {
    e.get_ref()?.downcast_ref::<DialError>()
}

/// How mq dials for a plan; None when rumqttc's own TCP connect does the same.
#[derive(Clone)]
pub struct Dialer {
    bind: Option<IpAddr>,
    proxy: Option<ProxyPlan>,
}

impl Dialer {
    pub fn of(plan: &ConnectPlan) -> Option<Dialer> {
        (plan.bind.is_some() || plan.proxy.is_some()).then(|| Dialer {
            bind: plan.bind,
            proxy: plan.proxy.clone(),
        })
    }

    /// The stream to the broker at `host:port`, through the proxy when there is one.
    pub async fn dial(&self, host: &str, port: u16) -> io::Result<Box<dyn Stream>> {
        let Some(proxy) = &self.proxy else {
            return Ok(Box::new(tcp(host, port, self.bind).await?));
        };
        let socket = tcp(&proxy.host, proxy.port, self.bind)
            .await
            .map_err(|e| proxy_unreachable(proxy, e))?;
        let target = if proxy.remote_dns {
            Target::Name(host.to_owned(), port)
        } else {
            // socks5://: the name is resolved here, as curl does; the proxy gets an address.
            let addr = tokio::net::lookup_host((host, port))
                .await
                .ok()
                .and_then(|mut a| a.next())
                .ok_or_else(|| {
                    failed(
                        io::ErrorKind::NotFound,
                        format!("cannot resolve host '{host}'"),
                        "check the host name (-h); with socks5h:// the proxy resolves it instead",
                    )
                })?;
            Target::Addr(addr)
        };
        let shaken = match (&proxy.auth, &target) {
            (None, Target::Name(h, p)) => {
                Socks5Stream::connect_with_socket(socket, (h.as_str(), *p)).await
            }
            (None, Target::Addr(a)) => Socks5Stream::connect_with_socket(socket, *a).await,
            (Some((u, pw)), Target::Name(h, p)) => {
                Socks5Stream::connect_with_password_and_socket(socket, (h.as_str(), *p), u, pw)
                    .await
            }
            (Some((u, pw)), Target::Addr(a)) => {
                Socks5Stream::connect_with_password_and_socket(socket, *a, u, pw).await
            }
        };
        let broker = match &target {
            Target::Name(h, p) if h.contains(':') => format!("[{h}]:{p}"),
            Target::Name(h, p) => format!("{h}:{p}"),
            Target::Addr(a) => a.to_string(),
        };
        Ok(Box::new(
            shaken.map_err(|e| proxy_failed(proxy, &broker, e))?,
        ))
    }
}

enum Target {
    Name(String, u16),
    Addr(SocketAddr),
}

/// A TCP connection to `addr`, from the `-A` address when given.
pub async fn tcp_to(addr: SocketAddr, bind: Option<IpAddr>) -> io::Result<TcpStream> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    if let Some(ip) = bind {
        socket
            .bind(SocketAddr::new(ip, 0))
            .map_err(|e| bind_failed(ip, e))?;
    }
    socket.set_nodelay(true)?;
    socket.connect(addr).await
}

/// TCP to `host:port`: each address the name has, in turn (those of `bind`'s family).
async fn tcp(host: &str, port: u16, bind: Option<IpAddr>) -> io::Result<TcpStream> {
    let mut last = None;
    for addr in tokio::net::lookup_host((host, port)).await? {
        match bind {
            Some(ip) if ip.is_ipv4() != addr.is_ipv4() => {
                last.get_or_insert_with(|| {
                    failed(
                        io::ErrorKind::AddrNotAvailable,
                        format!("-A {ip} cannot reach {addr}: not the same IP version"),
                        "give -A an address of the broker's IP version, or -h an address of -A's",
                    )
                });
            }
            _ => match tcp_to(addr, bind).await {
                Ok(s) => return Ok(s),
                Err(e) => last = Some(e),
            },
        }
    }
    Err(last.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("could not resolve '{host}' to any address"),
        )
    }))
}

fn bind_failed(ip: IpAddr, e: io::Error) -> io::Error {
    let why = if e.kind() == io::ErrorKind::AddrNotAvailable {
        "not an address of this machine".to_string()
    } else {
        e.to_string()
    };
    failed(
        e.kind(),
        format!("cannot connect from {ip} (-A): {why}"),
        "give -A one of this machine's addresses (`ip -brief address` lists them)",
    )
}

fn proxy_unreachable(proxy: &ProxyPlan, e: io::Error) -> io::Error {
    if explained(&e).is_some() {
        return e;
    }
    failed(
        e.kind(),
        format!("cannot reach the proxy {}: {e}", proxy.describe()),
        "check the proxy's host and port in --proxy, and that the proxy is running",
    )
}

fn proxy_failed(proxy: &ProxyPlan, broker: &str, e: tokio_socks::Error) -> io::Error {
    use tokio_socks::Error as E;
    let via = proxy.describe();
    let (kind, message, hint) = match e {
        E::Io(io) => return proxy_unreachable(proxy, io),
        E::PasswordAuthFailure(_) => (
            io::ErrorKind::PermissionDenied,
            format!("the proxy {via} refused the user name or password"),
            "check the user:password in --proxy (percent-encode ':', '@' and '%' in them)",
        ),
        E::NoAcceptableAuthMethods | E::AuthorizationRequired => (
            io::ErrorKind::PermissionDenied,
            format!(
                "the proxy {via} accepts none of the offered authentications{}",
                if proxy.auth.is_some() {
                    ""
                } else {
                    ": it wants a user name and password"
                }
            ),
            "give them in the URL: --proxy socks5h://user:password@host:port",
        ),
        E::ConnectionRefused => (
            io::ErrorKind::ConnectionRefused,
            format!("the proxy {via} could not connect to {broker}: connection refused"),
            "nothing listens there as seen from the proxy: check the broker's host and port",
        ),
        E::HostUnreachable | E::NetworkUnreachable | E::TtlExpired => (
            io::ErrorKind::Other,
            format!("the proxy {via} could not reach {broker}: {e}"),
            "check the broker's host and port, as the proxy sees them",
        ),
        E::ConnectionNotAllowedByRuleset => (
            io::ErrorKind::PermissionDenied,
            format!("the proxy {via} does not allow connections to {broker}"),
            "the proxy's rules refuse this destination: see its configuration",
        ),
        other => (
            io::ErrorKind::Other,
            format!("the proxy {via} failed to connect to {broker}: {other}"),
            "a general failure often means the proxy could not resolve or reach the broker",
        ),
    };
    failed(kind, message, hint)
}
