//! The TLS stage: a handshake of its own on the address TCP reached, to time it and show the
//! broker's certificate, made with mq's own TLS configuration (`crate::tls`, watched through
//! `TlsPlan::observe`): whatever `mq pub` trusts, refuses and presents, this stage does too,
//! and a failure is explained in the same words (`crate::tls::explain`). The chain is recorded
//! before it is judged, so the report shows the certificate's facts when it is refused too.
//!
//! Under TLS 1.3 a broker judges the client certificate after the client's handshake is done:
//! when it asked for one, the stage waits (briefly) for its verdict, a session ticket or an
//! alert, so that a refused client certificate fails here, as it fails `mq pub`.
//!
//! With `--insecure` the stage still runs, accepts any certificate, and says so: its summary
//! reads "certificate NOT verified" and its facts carry `"verified": false`.

use super::x509::{self, CertInfo};
use super::Stage;
use crate::exit::Code;
use crate::tls::{Observed, TlsPlan};
use rustls::pki_types::ServerName;
use rustls::CertificateError;
use serde_json::json;
use std::io;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;

/// Certificates expiring sooner than this are reported with a warning.
pub const WARN_DAYS: i64 = 30;

/// How long to wait for a TLS 1.3 broker's verdict on the client certificate. Brokers answer
/// at once (a session ticket or an alert); one that says nothing is taken to accept it.
const VERDICT_WAIT: Duration = Duration::from_secs(1);

/// The handshake with the broker at `addr` over a plain TCP connection.
pub async fn stage(
    addr: std::net::SocketAddr,
    tls: &TlsPlan,
    name: &str,
    timeout: Duration,
) -> Stage {
    let open = tokio::net::TcpStream::connect(addr);
    stage_over(open, tls, name, addr.port(), timeout).await
}

/// The handshake with the broker over the stream `open` connects (to the address TCP reached,
/// from `-A`'s address, or through a proxy), checked as `tls` says against `name` (the
/// `--tls-server-name`, else the host as given).
pub async fn stage_over<S>(
    open: impl std::future::Future<Output = io::Result<S>>,
    tls: &TlsPlan,
    name: &str,
    port: u16,
    timeout: Duration,
) -> Stage
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let t = Instant::now();
    let trust = if tls.insecure {
        "nothing (--insecure)".to_string()
    } else {
        tls.trust.clone()
    };
    let Ok(server_name) = ServerName::try_from(name.to_string()) else {
        let e = format!("'{name}' is not a valid TLS server name");
        return Stage::failed("tls", t, Code::Usage, e, None);
    };
    let watched = tls.observe();
    let connector = tokio_rustls::TlsConnector::from(watched.config.clone());
    let handshake = async {
        let tcp = open.await.map_err(|e| (e, true))?;
        let mut stream = connector
            .connect(server_name, tcp)
            .await
            .map_err(|e| (e, true))?;
        let tls13 = stream.get_ref().1.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_3);
        if tls13 && watched.client_cert_asked() {
            verdict(&mut stream, &watched)
                .await
                .map_err(|e| (e, false))?;
        }
        Ok::<_, (io::Error, bool)>(stream)
    };
    let result = tokio::time::timeout(timeout, handshake).await;
    let cert = watched.chain().first().and_then(|c| x509::parse(c));
    let stage = match result {
        Ok(Ok(stream)) => {
            let (_, conn) = stream.get_ref();
            let version = conn
                .protocol_version()
                .map_or("?".to_string(), |v| format!("{v:?}").replace('_', "."));
            let cipher = conn
                .negotiated_cipher_suite()
                .map_or("?".to_string(), |c| format!("{:?}", c.suite()));
            let mut s = if tls.insecure {
                let mut s = Stage::ok(
                    "tls",
                    t,
                    format!("{version}, {cipher}, certificate NOT verified (--insecure)"),
                );
                s.hint = Some(
                    "anyone on the path can answer in the broker's name: drop --insecure and pass the broker's CA with --cafile".into(),
                );
                s
            } else {
                Stage::ok("tls", t, format!("{version}, {cipher}, trusted by {trust}"))
                    .fact("trusted", true)
                    .fact("hostname_match", true)
            }
            .fact("protocol", version)
            .fact("cipher", cipher);
            if let Some(c) = &cert {
                let days = days_left(c);
                s.summary
                    .push_str(&format!("; certificate for {}", shown_names(c)));
                if days < WARN_DAYS {
                    s.summary
                        .push_str(&format!("; warning: it expires in {days} days"));
                    s.hint
                        .get_or_insert("renew the broker's certificate soon".into());
                }
            }
            if watched.client_cert_asked() {
                s.summary.push_str(if tls.client_cert {
                    "; client certificate accepted"
                } else {
                    "; the broker asked for a client certificate and took none"
                });
            }
            s
        }
        Ok(Err((e, handshake))) => failure(t, &e, handshake, tls, port, name),
        Err(_) => Stage::failed(
            "tls",
            t,
            Code::Unreachable,
            format!(
                "no TLS handshake within {}",
                humantime::format_duration(timeout)
            ),
            Some(
                "the port accepts TCP but does not answer TLS: is this a plain MQTT port (1883)?"
                    .into(),
            ),
        ),
    };
    let mut stage = match &cert {
        Some(c) => with_cert_facts(stage, c, name),
        None => stage,
    }
    .fact("trust", trust)
    .fact("verified", !tls.insecure)
    .fact("client_cert_asked", watched.client_cert_asked());
    if let Some(c) = &cert {
        stage.details.push(format!(
            "subject {}; issuer {}; expires {} ({} days)",
            c.subject,
            c.issuer,
            rfc3339(c.not_after),
            days_left(c)
        ));
    }
    stage
}

/// A TLS 1.3 broker's verdict on the client certificate: a session ticket (accepted), an
/// alert (an error here), or nothing within `VERDICT_WAIT` (taken as accepted).
async fn verdict<S>(stream: &mut S, watched: &Observed) -> io::Result<()>
where
    S: tokio::io::AsyncRead + Unpin,
{
    let mut byte = [0u8; 1];
    tokio::select! {
        _ = watched.ticket() => Ok(()),
        r = stream.read(&mut byte) => r.map(|_| ()),
        _ = tokio::time::sleep(VERDICT_WAIT) => Ok(()),
    }
}

/// The failed stage: in `crate::tls::explain`'s words (those of `mq pub`), with what the
/// refusal says about the certificate as facts.
fn failure(
    t: Instant,
    e: &io::Error,
    handshake: bool,
    tls: &TlsPlan,
    port: u16,
    name: &str,
) -> Stage {
    let facts: Vec<(&str, bool)> = match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>())
    {
        Some(rustls::Error::InvalidCertificate(ce)) => match ce {
            CertificateError::UnknownIssuer | CertificateError::BadSignature => {
                vec![("trusted", false)]
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                vec![("trusted", true), ("hostname_match", false)]
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                vec![("expired", true)]
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                vec![("expired", false)]
            }
            _ => vec![],
        },
        _ => vec![],
    };
    let mut s = match crate::tls::explain(e, handshake, tls, port, name) {
        Some(err) => {
            // The stage is labelled TLS already.
            let what = err.message.strip_prefix("TLS: ").unwrap_or(&err.message);
            Stage::failed("tls", t, err.code, what, err.hint.clone())
        }
        None => Stage::failed(
            "tls",
            t,
            Code::Unreachable,
            format!("TLS handshake failed: {e}"),
            Some("this may be a plain MQTT port (1883) or a broker that closes TLS early: see its log".into()),
        ),
    };
    for (k, v) in facts {
        s = s.fact(k, v);
    }
    s
}

fn with_cert_facts(mut s: Stage, c: &CertInfo, host: &str) -> Stage {
    let days = days_left(c);
    if !s.facts.contains_key("hostname_match") {
        s = s.fact("hostname_match", x509::matches_host(&c.names, host));
    }
    s.fact(
        "certificate",
        json!({
            "subject": c.subject,
            "issuer": c.issuer,
            "names": c.names,
            "not_before": rfc3339(c.not_before),
            "not_after": rfc3339(c.not_after),
            "days_left": days,
        }),
    )
    .fact("days_left", days)
    .fact("expires_soon", days < WARN_DAYS)
}

fn shown_names(c: &CertInfo) -> String {
    if c.names.is_empty() {
        format!("no subjectAltName (subject {})", c.subject)
    } else {
        c.names.join(", ")
    }
}

fn days_left(c: &CertInfo) -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    (c.not_after - now).div_euclid(86_400)
}

fn rfc3339(unix: i64) -> String {
    let t = std::time::UNIX_EPOCH + Duration::from_secs(unix.max(0) as u64);
    humantime::format_rfc3339_seconds(t).to_string()
}
