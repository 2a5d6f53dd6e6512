//! `--print-config`: the effective connection settings after flags, environment, profile and
//! defaults are merged, in the profile file's own TOML keys, passwords masked. Like `docs`, it
//! writes stdout through `output::write_stdout`: its output is a report, not messages.

use crate::cli::ConnectArgs;
use crate::exit::Result;
use crate::options::{ConnectPlan, Protocol};
use std::fmt::Write as _;
use std::path::PathBuf;

fn quoted(s: &str) -> String {
    format!("{s:?}")
}

/// The report for `--print-config`.
pub fn render(conn: &ConnectArgs, plan: &ConnectPlan) -> String {
    let mut out = String::new();
    let profile = conn.profile.as_deref();
    let file = crate::profile::config_path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "(no HOME)".into());
    let _ = writeln!(
        out,
        "# mq connection settings: flag > environment > profile{} > default",
        profile
            .map(|p| format!(" '{p}' ({file})"))
            .unwrap_or_default()
    );
    let mut line = |k: &str, v: String| {
        let _ = writeln!(out, "{k} = {v}");
    };
    let transport = match (plan.tls.is_some(), plan.ws_path.is_some()) {
        (false, false) => "mqtt",
        (true, false) => "mqtts",
        (false, true) => "ws",
        (true, true) => "wss",
    };
    line("transport", quoted(transport));
    line("host", quoted(&plan.host));
    line("port", plan.port.to_string());
    if let Some(url) = plan.ws_url() {
        line("websocket_url", quoted(&url));
    }
    line(
        "protocol_version",
        quoted(match plan.protocol {
            Protocol::Auto => "5 (3.1.1 when the broker refuses 5)",
            Protocol::V5 => "5",
            Protocol::V311 => "311",
        }),
    );
    line("id", quoted(&plan.client_id));
    line("keepalive", plan.keep_alive.as_secs().to_string());
    line("clean_session", plan.clean_start.to_string());
    line(
        "username",
        plan.username.as_deref().map_or("\"\"".into(), quoted),
    );
    line(
        "password",
        match (&plan.password, password_source(conn)) {
            (None, _) => "\"\"".into(),
            (Some(_), Some(from)) => format!("\"****\"  # from {from}"),
            (Some(_), None) => "\"****\"".into(),
        },
    );
    let path = |p: &Option<PathBuf>| {
        quoted(
            &p.as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        )
    };
    if let Some(tls) = &plan.tls {
        let t = &conn.tls;
        line("cafile", path(&t.cafile));
        line("capath", path(&t.capath));
        line("trusted_cas", quoted(&tls.trust));
        line("cert", path(&t.cert));
        line("key", path(&t.key));
        line("insecure", t.insecure.to_string());
        line(
            "tls_version",
            quoted(match t.tls_version {
                Some(crate::tls::TlsVersion::V12) => "1.2",
                Some(crate::tls::TlsVersion::V13) => "1.3",
                None => "1.2 or 1.3",
            }),
        );
        line(
            "ciphers",
            quoted(t.ciphers.as_deref().unwrap_or("rustls's TLS 1.2 suites")),
        );
        line(
            "tls13_ciphers",
            quoted(
                t.tls13_ciphers
                    .as_deref()
                    .unwrap_or("rustls's TLS 1.3 suites"),
            ),
        );
        let alpn: Vec<String> = t.alpn.iter().map(|a| quoted(a)).collect();
        line("alpn", format!("[{}]", alpn.join(", ")));
        line(
            "tls_server_name",
            quoted(t.tls_server_name.as_deref().unwrap_or(&plan.host)),
        );
    }
    if let Some(proxy) = &plan.proxy {
        line("proxy", quoted(&proxy.masked()));
    }
    if let Some(ip) = plan.bind {
        line("bind_address", quoted(&ip.to_string()));
    }
    line(
        "connect_timeout",
        quoted(&humantime::format_duration(plan.connect_timeout).to_string()),
    );
    out
}

/// Which source `credentials::password` took the password from (same order).
fn password_source(conn: &ConnectArgs) -> Option<String> {
    if conn.password.as_deref().is_some_and(|p| p != "-") {
        return Some("-P".into());
    }
    let url_has_password = conn
        .url
        .as_deref()
        .is_some_and(|u| crate::options::parse_url(u).is_ok_and(|u| u.password.is_some()));
    if url_has_password {
        return Some("the -L URL".into());
    }
    let from = |var: &str| {
        if crate::profile::filled(var) {
            format!("profile '{}'", conn.profile.as_deref().unwrap_or_default())
        } else {
            var.to_string()
        }
    };
    if let Some(f) = &conn.password_file {
        let via = if std::env::var_os("MQ_PASSWORD_FILE").is_some() {
            format!(" ({})", from("MQ_PASSWORD_FILE"))
        } else {
            String::new()
        };
        return Some(format!("password file {}{via}", f.display()));
    }
    std::env::var_os("MQ_PASSWORD").map(|_| from("MQ_PASSWORD"))
}

pub fn print(conn: &ConnectArgs, plan: &ConnectPlan) -> Result<()> {
    crate::output::write_stdout(render(conn, plan).as_bytes())
}
