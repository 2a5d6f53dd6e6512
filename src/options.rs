//! Turns command-line values into a validated connection plan.
//!
//! Value parsers used by `cli/` live here (durations, ports, QoS, session expiry), together
//! with `-L` URL parsing and the rules that tie options together (`-c` needs a client id, a URL
//! sets host, port, credentials and topic). Nothing here touches the network.

use crate::exit::{Error, Result};
use crate::session::Qos;
use crate::tls::TlsPlan;
use crate::topic::Topic;
use std::time::Duration;

pub mod proxy;
mod transport;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtocolArg {
    #[value(name = "5", alias = "mqttv5")]
    V5,
    #[value(name = "311", alias = "mqttv311", alias = "3.1.1")]
    V311,
    #[value(name = "31", alias = "mqttv31")]
    V31,
}

/// Which protocol to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// MQTT 5, falling back to 3.1.1 when the broker refuses 5.
    Auto,
    V5,
    V311,
}

#[derive(Debug, Clone)]
pub struct Will {
    pub topic: Topic,
    pub payload: Vec<u8>,
    pub qos: Qos,
    pub retain: bool,
}

/// Everything needed to open a session, already checked.
#[derive(Debug, Clone)]
pub struct ConnectPlan {
    pub host: String,
    pub port: u16,
    /// Empty: the broker assigns one (as mosquitto's clients do).
    pub client_id: String,
    pub keep_alive: Duration,
    pub protocol: Protocol,
    pub clean_start: bool,
    /// MQTT 5 session expiry interval in seconds (`u32::MAX`: never).
    pub session_expiry: Option<u32>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub will: Option<Will>,
    pub connect_timeout: Duration,
    /// MQTT 5 receive maximum to advertise (sub `-C N` with small N).
    pub receive_maximum: Option<u16>,
    /// MQTT 5 CONNECT properties (`-D connect ...`).
    pub properties: crate::properties::ConnectProperties,
    /// TLS, when the connection uses it (also for wss).
    pub tls: Option<TlsPlan>,
    /// A unix domain socket to connect through instead of TCP (`--unix`).
    pub unix: Option<std::path::PathBuf>,
    /// Websocket path (`/mqtt`), when the connection goes over websockets.
    pub ws_path: Option<String>,
    /// The SOCKS5 proxy to connect through (`--proxy`).
    pub proxy: Option<proxy::ProxyPlan>,
    /// The local address to connect from (`-A`).
    pub bind: Option<std::net::IpAddr>,
    pub debug: bool,
}

impl ConnectPlan {
    /// `host:port`, with brackets around an IPv6 address; `unix:PATH` for a unix socket.
    pub fn address(&self) -> String {
        if let Some(path) = &self.unix {
            format!("unix:{}", path.display())
        } else if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The websocket URL (`wss://host:port/mqtt`), when the connection uses websockets.
    pub fn ws_url(&self) -> Option<String> {
        let path = self.ws_path.as_ref()?;
        let scheme = if self.tls.is_some() { "wss" } else { "ws" };
        Some(format!("{scheme}://{}{path}", self.address()))
    }

    /// How the connection is made, for messages: `mqtts://host:8883`.
    pub fn describe(&self) -> String {
        match (self.ws_url(), &self.tls) {
            (Some(url), _) => url,
            (None, Some(_)) => format!("mqtts://{}", self.address()),
            (None, None) => self.address(),
        }
    }
}

/// The scheme of a `-L` URL.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    #[default]
    Mqtt,
    Mqtts,
    Ws,
    Wss,
}

/// What a `-L` URL says.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BrokerUrl {
    pub scheme: Scheme,
    pub host: String,
    pub port: Option<u16>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub topic: Option<String>,
    /// The HTTP path of a ws:// or wss:// URL.
    pub ws_path: Option<String>,
}

/// Build the plan from the shared connection flags. Returns the plan and the URL's topic, if any.
pub fn plan(args: &crate::cli::ConnectArgs) -> Result<(ConnectPlan, Option<String>)> {
    let mut host = args.host.clone();
    let mut port = args.port;
    let mut username = args.username.clone();
    let mut url_password = None;
    let mut url_topic = None;
    let mut scheme = None;
    let mut url_ws_path = None;
    if let Some(url) = &args.url {
        let u = parse_url(url)
            .map_err(|e| Error::usage(format!("invalid -L URL '{}': {e}", mask_password(url))))?;
        host = u.host;
        port = u.port.or(port);
        username = u.username.or(username);
        url_password = u.password;
        url_topic = u.topic;
        scheme = Some(u.scheme);
        url_ws_path = u.ws_path;
    }
    if host.is_empty() {
        return Err(Error::usage("the host (-h) cannot be empty"));
    }
    let (port, tls, ws_path) = transport::decide(&args.tls, scheme, port, url_ws_path)?;
    if args.unix.is_some() && (tls.is_some() || ws_path.is_some()) {
        return Err(Error::usage("--unix connects without TLS or websockets")
            .hint("drop the TLS or websocket flags, or --unix"));
    }
    let password = crate::credentials::password(args, url_password, username.as_deref(), &host)?;
    let proxy = args
        .proxy
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(|p| {
            proxy::parse(p).map_err(|e| {
                Error::usage(format!("invalid --proxy '{}': {e}", proxy::mask(p)))
                    .hint("mq speaks SOCKS5: --proxy socks5h://[user:password@]host[:port]")
            })
        })
        .transpose()?;

    let protocol = match args.protocol_version {
        None => Protocol::Auto,
        Some(ProtocolArg::V5) => Protocol::V5,
        Some(ProtocolArg::V311) => Protocol::V311,
        Some(ProtocolArg::V31) => {
            return Err(Error::usage("MQTT 3.1 is not supported").hint("use -V 311 or -V 5"))
        }
    };

    let client_id = match (&args.id, &args.id_prefix) {
        (Some(id), _) => id.clone(),
        (None, Some(prefix)) => format!("{prefix}{}", std::process::id()),
        (None, None) => String::new(),
    };
    if client_id.len() > 65535 {
        return Err(Error::usage("the client id is longer than 65535 bytes"));
    }
    let clean_start = !args.disable_clean_session;
    if !clean_start && client_id.is_empty() {
        return Err(Error::usage(
            "-c (persistent session) needs a client id, so the broker can find the session again",
        )
        .hint("add -i <client-id>"));
    }
    // As mosquitto: a persistent v5 session without -x never expires.
    let session_expiry = match args.session_expiry {
        Some(x) => Some(x),
        None if !clean_start => Some(u32::MAX),
        None => None,
    };
    if session_expiry.is_some_and(|x| x > 0) && client_id.is_empty() {
        return Err(
            Error::usage("-x (session expiry) needs a client id").hint("add -i <client-id>")
        );
    }

    let keep_alive = args.keepalive;
    if keep_alive > Duration::from_secs(65535) {
        return Err(Error::usage("keepalive must be at most 65535 seconds"));
    }
    if !keep_alive.is_zero() && keep_alive < Duration::from_secs(1) {
        return Err(Error::usage(
            "keepalive must be at least 1 second (or 0 to disable)",
        ));
    }

    let will = match &args.will_topic {
        None => None,
        Some(t) => Some(Will {
            topic: Topic::parse(t)
                .map_err(|e| Error::usage(format!("invalid --will-topic: {e}")))?,
            payload: args.will_payload.clone().unwrap_or_default().into_bytes(),
            qos: args.will_qos,
            retain: args.will_retain,
        }),
    };

    Ok((
        ConnectPlan {
            host,
            port,
            client_id,
            keep_alive: Duration::from_secs(keep_alive.as_secs()),
            protocol,
            clean_start,
            session_expiry,
            username,
            password,
            will,
            connect_timeout: args.connect_timeout,
            receive_maximum: None,
            properties: Default::default(),
            tls,
            unix: args.unix.clone(),
            ws_path,
            proxy,
            bind: args.bind_address,
            debug: args.debug,
        },
        url_topic,
    ))
}

/// `mqtt[s]://[user[:password]@]host[:port][/topic]` or `ws[s]://[user[:password]@]host[:port]
/// [/path]`. Userinfo is percent-decoded (so a password may hold `@` as `%40`); IPv6 hosts go in
/// brackets.
pub fn parse_url(url: &str) -> Result<BrokerUrl, String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or("expected a scheme, like mqtt://host")?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "mqtt" | "tcp" => Scheme::Mqtt,
        "mqtts" | "ssl" | "tls" => Scheme::Mqtts,
        "ws" => Scheme::Ws,
        "wss" => Scheme::Wss,
        other => {
            return Err(format!(
                "unsupported scheme '{other}', use mqtt://, mqtts://, ws:// or wss://"
            ))
        }
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], Some(&rest[i..])),
        None => (rest, None),
    };
    let (topic, ws_path) = match scheme {
        Scheme::Ws | Scheme::Wss => (None, path.map(str::to_owned)),
        Scheme::Mqtt | Scheme::Mqtts => (
            path.map(|p| &p[1..])
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            None,
        ),
    };
    // RFC 3986: a '/' in the user name or password must be written %2F. Said without quoting
    // either of them, since the password is in there.
    if !authority.contains('@') && path.is_some_and(|p| p.contains('@')) {
        return Err("the user name or password contains '/': write it as %2F".into());
    }
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (username, password) = match userinfo {
        None => (None, None),
        Some(u) => match u.split_once(':') {
            Some((n, p)) => (
                Some(percent_decode(n)?),
                // The error must not show the password.
                Some(percent_decode(p).map_err(|_| "the password is not valid percent-encoding")?),
            ),
            None => (Some(percent_decode(u)?), None),
        },
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or("unclosed '[' in the host")?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err("unexpected text after ']'".into()),
        };
        (h.to_owned(), port)
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h.to_owned(), Some(p)),
            None => (hostport.to_owned(), None),
        }
    };
    if host.is_empty() {
        return Err("the host is missing".into());
    }
    let port = port.map(parse_port).transpose().map_err(|e| e.message)?;
    Ok(BrokerUrl {
        scheme,
        host,
        port,
        username,
        password,
        topic,
        ws_path,
    })
}

/// `mqtt://user:****@host/...`: a URL fit for an error message.
pub fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    // The user information ends at the last '@': a password may hold a '/' (unencoded, which
    // ends the authority of a well-formed URL), so mask up to there unless what comes before
    // is a plain `host:port/...`.
    let Some(at) = rest.rfind('@') else {
        return url.to_string();
    };
    let (userinfo, host) = (&rest[..at], &rest[at + 1..]);
    let Some((user, secret)) = userinfo.split_once(':') else {
        return url.to_string();
    };
    let port_then_path = secret
        .split_once('/')
        .is_some_and(|(port, _)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()));
    if user.contains('/') || port_then_path {
        return url.to_string();
    }
    format!("{scheme}://{user}:****@{host}")
}

fn percent_decode(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("bad percent escape in '{s}'"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("'{s}' does not decode to UTF-8"))
}

/// A duration: plain seconds as mosquitto takes them (`30`, `0.5`) or humantime (`30s`, `500ms`,
/// `1m30s`).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>() {
        if !secs.is_finite() || secs < 0.0 {
            return Err(format!(
                "'{s}' is not a duration: it must be 0 or more seconds"
            ));
        }
        return Duration::try_from_secs_f64(secs).map_err(|e| format!("'{s}': {e}"));
    }
    humantime::parse_duration(s)
        .map_err(|_| format!("'{s}' is not a duration (examples: 30, 1.5, 30s, 500ms, 2m)"))
}

/// A `-W` wait: a duration above zero (mosquitto_sub refuses 0 too: it would time out at once).
pub fn parse_wait(s: &str) -> Result<Duration, String> {
    match parse_duration(s)? {
        d if d.is_zero() => Err(format!(
            "'{s}' would time out at once: give a duration above 0"
        )),
        d => Ok(d),
    }
}

pub fn parse_port(s: &str) -> Result<u16, Error> {
    match s.trim().parse::<u64>() {
        Ok(0) => Err(Error::usage("port 0 is not a port (1-65535)")),
        Ok(p) if p <= 65535 => Ok(p as u16),
        Ok(p) => Err(Error::usage(format!("port {p} is out of range (1-65535)"))),
        Err(_) => Err(Error::usage(format!("'{s}' is not a port number"))
            .hint("-p is the port; the password flag is -P")),
    }
}

/// `-A`: an IP address (whether it is one of this machine's is found when connecting).
pub fn parse_bind_address(s: &str) -> Result<std::net::IpAddr, String> {
    s.trim().parse().map_err(|_| {
        format!(
            "'{s}' is not an IP address: -A takes one of this machine's addresses, like 127.0.0.2"
        )
    })
}

pub fn parse_qos(s: &str) -> Result<Qos, String> {
    match s.trim() {
        "0" => Ok(Qos::AtMostOnce),
        "1" => Ok(Qos::AtLeastOnce),
        "2" => Ok(Qos::ExactlyOnce),
        _ => Err(format!("'{s}' is not a QoS: use 0, 1 or 2")),
    }
}

/// Seconds, a duration, or `-1` / `never` / `∞` for a session that never expires.
pub fn parse_session_expiry(s: &str) -> Result<u32, String> {
    match s.trim() {
        "-1" | "never" | "∞" | "inf" => return Ok(u32::MAX),
        _ => {}
    }
    if let Ok(n) = s.trim().parse::<u64>() {
        return u32::try_from(n).map_err(|_| format!("'{s}' is out of range (0-4294967295)"));
    }
    let d = parse_duration(s)?;
    u32::try_from(d.as_secs()).map_err(|_| format!("'{s}' is out of range (0-4294967295 seconds)"))
}

/// A byte count: `10000`, `64KiB`, `16MiB`, `1M` (units are powers of 1024; `B` optional).
pub fn parse_byte_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    // Binary units (KiB, k, M, ...) count in 1024s; the SI spellings kB, MB, GB in 1000s.
    let mult: u64 = match unit.trim() {
        "" | "B" | "b" => 1,
        "k" | "K" | "KiB" | "kiB" | "Ki" | "kib" => 1 << 10,
        "M" | "m" | "MiB" | "Mi" | "mib" => 1 << 20,
        "G" | "g" | "GiB" | "Gi" | "gib" => 1 << 30,
        "kB" | "KB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        _ => {
            return Err(format!(
                "'{s}' is not a size: use a number of bytes or a unit such as 256KiB, 1MiB, 64k"
            ))
        }
    };
    let value: f64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a size: use a number such as 256KiB or 1048576"))?;
    let bytes = value * mult as f64;
    if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
        return Err(format!("'{s}' is out of range"));
    }
    Ok(bytes.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("0.5").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("1m30s").unwrap(), Duration::from_secs(90));
        for bad in ["-1", "abc", "", "5 parsecs", "NaN", "inf"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn byte_sizes() {
        assert_eq!(parse_byte_size("10000"), Ok(10000));
        assert_eq!(parse_byte_size("64KiB"), Ok(65536));
        assert_eq!(parse_byte_size("16MiB"), Ok(16 << 20));
        assert_eq!(parse_byte_size("1m"), Ok(1 << 20));
        let ok = [
            ("256KiB", 262_144),
            ("64k", 65_536),
            ("2GB", 2_000_000_000),
            ("1.5M", 1_572_864),
            ("10 kB", 10_000),
            ("7B", 7),
        ];
        for (s, want) in ok {
            assert_eq!(parse_byte_size(s), Ok(want), "{s}");
        }
        for bad in ["", "abc", "MiB", "-1", "-1k", "1..2M", "3 parsecs"] {
            assert!(parse_byte_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ports() {
        assert_eq!(parse_port("1883").ok(), Some(1883));
        assert!(parse_port("0").is_err());
        assert!(parse_port("70000").is_err());
        assert!(parse_port("secret")
            .unwrap_err()
            .hint
            .unwrap()
            .contains("-P"));
    }

    #[test]
    fn session_expiry() {
        assert_eq!(parse_session_expiry("-1"), Ok(u32::MAX));
        assert_eq!(parse_session_expiry("∞"), Ok(u32::MAX));
        assert_eq!(parse_session_expiry("3600"), Ok(3600));
        assert_eq!(parse_session_expiry("1h"), Ok(3600));
        assert!(parse_session_expiry("4294967296").is_err());
    }

    #[test]
    fn urls() {
        let u = parse_url("mqtt://alice:p%40ss:w@broker.local:1884/a/b").unwrap();
        assert_eq!(
            u,
            BrokerUrl {
                scheme: Scheme::Mqtt,
                host: "broker.local".into(),
                port: Some(1884),
                username: Some("alice".into()),
                password: Some("p@ss:w".into()),
                topic: Some("a/b".into()),
                ws_path: None,
            }
        );
        let u = parse_url("wss://broker.example.com/mqtt").unwrap();
        assert_eq!(
            (
                u.scheme,
                u.host.as_str(),
                u.port,
                u.ws_path.as_deref(),
                u.topic
            ),
            (Scheme::Wss, "broker.example.com", None, Some("/mqtt"), None)
        );
        let u = parse_url("mqtts://h:8884/t").unwrap();
        assert_eq!((u.scheme, u.topic.as_deref()), (Scheme::Mqtts, Some("t")));
        assert_eq!(
            mask_password("mqtt://alice:s3cret@h:1/t"),
            "mqtt://alice:****@h:1/t"
        );
        assert_eq!(mask_password("ws://h/p"), "ws://h/p");
        // A password with '/', any character at all: never shown (security review finding 10).
        let url = "mqtt://alice:S3cr3t/Pa55@127.0.0.1:18606/x";
        assert_eq!(mask_password(url), "mqtt://alice:****@127.0.0.1:18606/x");
        let e = parse_url(url).unwrap_err();
        assert!(!e.contains("S3cr3t") && !e.contains("Pa55"), "{e}");
        for secret in ["p@ss", "a:b", "x/y/z", "%2F", "é"] {
            let url = format!("mqtt://u:{secret}@h:1/t");
            assert!(!mask_password(&url).contains(secret), "{url}");
        }
        assert_eq!(mask_password("mqtt://h:1883/t@x"), "mqtt://h:1883/t@x");
        assert!(!parse_url("mqtt://a:%zzsecret@h")
            .unwrap_err()
            .contains("secret"));
        let u = parse_url("MQTT://[::1]:1900").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", Some(1900)));
        let u = parse_url("mqtt://host").unwrap();
        assert_eq!((u.host.as_str(), u.port, u.topic), ("host", None, None));
        for bad in [
            "host:1883",
            "http://h",
            "mqtt://",
            "mqtt://h:x",
            "mqtt://h:0",
            "mqtt://[::1",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }
}
