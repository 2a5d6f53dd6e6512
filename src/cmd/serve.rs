//! `mq serve`: the embedded broker (`broker.rs`) on the address the user asks for, until Ctrl-C;
//! and `embedded()`, the same broker on a free loopback port for `--embedded` on `pub`, `sub`,
//! `check` and `bench`.

use crate::cli::{ConnectArgs, ServeArgs, TlsArgs};
use crate::exit::{Error, Result};
use std::net::SocketAddr;

#[cfg(not(feature = "serve"))]
fn unavailable() -> Error {
    Error::usage("this mq was built without the broker (cargo feature `serve`)")
        .hint("rebuild with default features: cargo build --release")
}

/// Parse `--bind`: `ADDR:PORT`, `[v6]:PORT`, or `localhost:PORT`.
fn parse_bind(s: &str) -> Result<SocketAddr> {
    let bad = || {
        Error::usage(format!("invalid --bind '{s}'"))
            .hint("give an IP address and a port, like 127.0.0.1:1883")
    };
    if let Some(port) = s.strip_prefix("localhost:") {
        return port
            .parse::<u16>()
            .map(|p| SocketAddr::from(([127, 0, 0, 1], p)))
            .map_err(|_| bad());
    }
    s.parse().map_err(|_| bad())
}

/// What `serve` will run, checked: loopback unless --public, the password read.
#[cfg_attr(not(feature = "serve"), allow(dead_code))]
struct Plan {
    bind: SocketAddr,
    ws: Option<SocketAddr>,
    credentials: Option<(String, String)>,
    max_packet_size: usize,
    /// None: what the open-file limit allows.
    max_connections: Option<usize>,
}

fn plan(args: &ServeArgs) -> Result<Plan> {
    let bind = parse_bind(&args.bind)?;
    if !bind.ip().is_loopback() && !args.public {
        return Err(Error::usage(format!(
            "refusing to listen on {bind}: not a loopback address"
        ))
        .hint(
            "other machines could connect: add --public (and --username/--password) if you mean it",
        ));
    }
    let password = match (&args.password, &args.password_file) {
        (Some(p), _) => Some(p.clone()),
        // The same rules as a client's password file: refused when every user may read it.
        (None, Some(path)) => Some(crate::credentials::read_password_file(path)?),
        (None, None) => None,
    };
    let credentials = args.username.clone().zip(password);
    if args.max_packet_size < 64 || args.max_packet_size > 256 << 20 {
        return Err(Error::usage(
            "--max-packet-size must be between 64 bytes and 256MiB",
        ));
    }
    Ok(Plan {
        bind,
        ws: args.ws.map(|p| SocketAddr::new(bind.ip(), p)),
        credentials,
        max_packet_size: args.max_packet_size as usize,
        max_connections: args.max_connections.map(|n| n as usize),
    })
}

pub async fn run(args: ServeArgs) -> Result<()> {
    let plan = plan(&args)?;
    #[cfg(not(feature = "serve"))]
    {
        let _ = plan;
        Err(unavailable())
    }
    #[cfg(feature = "serve")]
    {
        let tls = args.tls_cert.clone().zip(args.tls_key.clone());
        let secure = tls.is_some();
        let running = crate::broker::start(crate::broker::Settings {
            bind: plan.bind,
            ws: plan.ws,
            credentials: plan.credentials.clone(),
            tls,
            max_packet_size: plan.max_packet_size,
            max_connections: plan
                .max_connections
                .unwrap_or_else(crate::broker::default_max_connections),
            log: args.debug,
        })?;
        if !plan.bind.ip().is_loopback() && plan.credentials.is_none() && !args.quiet {
            eprintln!(
                "mq serve: warning: listening on {} with no authentication: anyone who can reach \
                 it can publish and subscribe (hint: add --username and --password)",
                running.addr
            );
        }
        if !args.quiet {
            println!("{}", listening_line(&running, &plan, secure));
        }
        wait_for_signal().await;
        match crate::broker::panics() {
            0 => {
                if args.debug {
                    eprintln!("mq serve: stopped");
                }
                Ok(())
            }
            n => Err(Error::runtime(format!(
                "serve: stopped after {n} panic{} inside the broker, each of which dropped a client \
                 (printed above)",
                if n == 1 { "" } else { "s" }
            ))
            .hint("a bug in mq: please report it with the lines above")),
        }
    }
}

#[cfg(feature = "serve")]
fn listening_line(running: &crate::broker::Running, plan: &Plan, secure: bool) -> String {
    let addr = running.addr;
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else if addr.is_ipv6() {
        format!("'{}'", addr.ip())
    } else {
        addr.ip().to_string()
    };
    let mut line = format!(
        "mq serve: listening on {}{addr} (MQTT 5 and 3.1.1",
        if secure { "mqtts://" } else { "" }
    );
    if let Some(ws) = running.ws {
        let scheme = if secure { "wss" } else { "ws" };
        line.push_str(&format!("; {scheme}://{ws}/mqtt"));
    }
    line.push_str(&format!(
        "); try: mq sub -h {host} -p {} -t '#' -v",
        addr.port()
    ));
    if let Some((user, _)) = &plan.credentials {
        line.push_str(&format!(" -u {user} -P ..."));
    }
    if secure {
        line.push_str(" --cafile CA.pem");
    }
    line
}

#[cfg(feature = "serve")]
async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// A broker started on a free loopback port for one command. It stops when mq exits.
pub struct Embedded {
    pub port: u16,
    #[cfg(feature = "serve")]
    running: crate::broker::Running,
}

impl Embedded {
    /// Before mq exits: wait until the other clients have disconnected, at most `max` (None:
    /// as long as it takes), so that none loses its connection mid-way. False if one is still
    /// connected.
    pub async fn drain(&self, max: Option<std::time::Duration>) -> bool {
        #[cfg(feature = "serve")]
        return self.running.idle(max).await;
        #[cfg(not(feature = "serve"))]
        {
            let _ = max;
            true
        }
    }
}

/// Start the broker on a free loopback port for one command.
pub fn embedded(debug: bool) -> Result<Embedded> {
    #[cfg(not(feature = "serve"))]
    {
        let _ = debug;
        Err(unavailable())
    }
    #[cfg(feature = "serve")]
    {
        let running = crate::broker::start(crate::broker::Settings {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            ws: None,
            credentials: None,
            tls: None,
            max_packet_size: 256 << 20,
            max_connections: crate::broker::default_max_connections(),
            log: debug,
        })?;
        Ok(Embedded {
            port: running.addr.port(),
            running,
        })
    }
}

/// Start the broker for one command and point `conn` at it. A broker address or TLS setting
/// typed with `--embedded` was refused by `cli::parse`; one from the environment or a profile
/// is replaced here.
pub fn point_at_embedded(conn: &mut ConnectArgs) -> Result<Embedded> {
    let broker = embedded(conn.debug)?;
    conn.host = "127.0.0.1".into();
    conn.port = Some(broker.port);
    conn.url = None;
    conn.tls = TlsArgs::default();
    Ok(broker)
}

/// A topic that `filter` matches, for the hint `sub --embedded` prints: wildcards filled in.
pub fn example_topic(filter: &str) -> String {
    // A shared subscription, `$share/GROUP/FILTER`, receives what FILTER matches.
    let filter = match filter.strip_prefix("$share/") {
        Some(rest) => rest.split_once('/').map_or(rest, |(_, f)| f),
        None => filter,
    };
    let levels: Vec<&str> = filter
        .split('/')
        .map(|level| match level {
            "+" => "x",
            "#" => "hello",
            other => other,
        })
        .collect();
    let topic = levels.join("/");
    // `$SYS/...` is the broker's; `#` alone gives `hello`.
    if topic.starts_with('$') {
        "hello".into()
    } else {
        topic
    }
}

/// Shell-quote `s` when it needs it.
pub fn quoted(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/_-.:,@%+=".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_addresses() {
        assert_eq!(parse_bind("127.0.0.1:1884").unwrap().port(), 1884);
        assert!(parse_bind("localhost:1").unwrap().ip().is_loopback());
        assert!(parse_bind("[::1]:1883").unwrap().ip().is_loopback());
        for bad in ["127.0.0.1", "host:1883", "127.0.0.1:99999", ""] {
            assert!(parse_bind(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn example_topics_match_their_filter() {
        for (filter, topic) in [
            ("#", "hello"),
            ("sensors/#", "sensors/hello"),
            ("+/temp", "x/temp"),
            ("a/b", "a/b"),
            ("$SYS/#", "hello"),
            ("$share/g/jobs/+", "jobs/x"),
        ] {
            assert_eq!(example_topic(filter), topic, "{filter}");
        }
        assert_eq!(quoted("a/b"), "a/b");
        assert_eq!(quoted("a b"), "'a b'");
        assert_eq!(quoted("it's"), "'it'\\''s'");
    }
}
