//! The TLS stage: a handshake of our own (tokio-rustls) on the address TCP reached, to time it
//! and say which part failed: not TLS at all, an untrusted chain, a name the certificate does
//! not carry, an expired certificate. A verifier that records the chain before rustls judges it
//! lets the report show the certificate's facts even when the handshake is refused.
//!
//! With `--insecure` the stage still runs, accepts any certificate, and says so: its summary
//! reads "certificate NOT verified" and its facts carry `"verified": false`.

use super::x509::{self, CertInfo};
use super::Stage;
use crate::exit::Code;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the TLS stage checks against.
#[derive(Debug, Clone)]
pub struct TlsOptions {
    /// The name the certificate must carry (the host as the user typed it).
    pub server_name: String,
    /// Trust these CAs (PEM); the operating system's roots when `None`.
    pub cafile: Option<PathBuf>,
    /// The crypto provider of mq's own connections (its cipher suites follow --ciphers and
    /// --tls13-ciphers); mq's default when `None`.
    pub provider: Option<Arc<rustls::crypto::CryptoProvider>>,
    /// `--tls-version`: speak only this version.
    pub version: Option<crate::tls::TlsVersion>,
    /// Check the chain and the name; `false` with `--insecure` (any certificate is accepted).
    pub verify: bool,
}

/// Certificates expiring sooner than this are reported with a warning.
pub const WARN_DAYS: i64 = 30;

/// Delegates to webpki (or, with `--insecure`, to a verifier that accepts anything), keeping a
/// copy of the chain it was shown.
#[derive(Debug)]
struct Recorder {
    inner: Arc<dyn ServerCertVerifier>,
    seen: Arc<Mutex<Vec<CertificateDer<'static>>>>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(end_entity.clone().into_owned());
            seen.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        }
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The trust anchors and how the report names them.
fn roots(opts: &TlsOptions) -> Result<(RootCertStore, String), String> {
    let mut store = RootCertStore::empty();
    match &opts.cafile {
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("cannot read the CA file {}: {e}", path.display()))?;
            let (added, _) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(format!("no CA certificate in {}", path.display()));
            }
            Ok((store, format!("the CA in {}", path.display())))
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
            Ok((store, "the system's CAs".into()))
        }
    }
}

/// The verifier the handshake uses and how the report names what it trusts.
fn verifier(
    opts: &TlsOptions,
    provider: &Arc<rustls::crypto::CryptoProvider>,
    t: Instant,
) -> Result<(Arc<dyn ServerCertVerifier>, String), Box<Stage>> {
    if !opts.verify {
        let accept_any = crate::tls::accept_any_certificate(provider.clone());
        return Ok((accept_any, "nothing (--insecure)".into()));
    }
    let (store, trust) = roots(opts).map_err(|e| {
        let hint = Some("--cafile takes a PEM file with the CA certificate(s)".into());
        Box::new(Stage::failed("tls", t, Code::Usage, e, hint))
    })?;
    match WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider.clone()).build() {
        Ok(webpki) => Ok((webpki as Arc<dyn ServerCertVerifier>, trust)),
        Err(e) => {
            let hint =
                Some("without --cafile, mq trusts the system's CAs (ca-certificates)".into());
            let e = format!("no usable CA: {e}");
            Err(Box::new(Stage::failed("tls", t, Code::Usage, e, hint)))
        }
    }
}

pub async fn stage(addr: SocketAddr, opts: &TlsOptions, timeout: Duration) -> Stage {
    stage_over(tokio::net::TcpStream::connect(addr), opts, timeout).await
}

/// The TLS stage over the stream `open` connects (from `-A`'s address, or through a proxy).
pub async fn stage_over<S>(
    open: impl std::future::Future<Output = std::io::Result<S>>,
    opts: &TlsOptions,
    timeout: Duration,
) -> Stage
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let t = Instant::now();
    // The same crypto provider as mq's connections (crate::tls): two are compiled in, so
    // rustls cannot pick a process-wide default by itself.
    let provider = opts.provider.clone().unwrap_or_else(crate::tls::provider);
    let (inner, trust) = match verifier(opts, &provider, t) {
        Ok(v) => v,
        Err(failed) => return *failed,
    };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let verifier = Arc::new(Recorder {
        inner,
        seen: seen.clone(),
    });
    let versions: &[&'static rustls::SupportedProtocolVersion] = match opts.version {
        Some(crate::tls::TlsVersion::V12) => &[&rustls::version::TLS12],
        Some(crate::tls::TlsVersion::V13) => &[&rustls::version::TLS13],
        None => rustls::DEFAULT_VERSIONS,
    };
    let config = match rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
    {
        Ok(b) => b,
        Err(e) => return Stage::failed("tls", t, Code::Runtime, e.to_string(), None),
    };
    let config = config
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    let Ok(name) = ServerName::try_from(opts.server_name.clone()) else {
        let e = format!("'{}' is not a valid TLS server name", opts.server_name);
        return Stage::failed("tls", t, Code::Usage, e, None);
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let handshake = async {
        let tcp = open.await?;
        connector.connect(name, tcp).await
    };
    let result = tokio::time::timeout(timeout, handshake).await;
    let chain = seen.lock().map(|s| s.clone()).unwrap_or_default();
    let cert = chain.first().and_then(|c| x509::parse(c));
    let stage = match result {
        Ok(Ok(stream)) => {
            let (_, conn) = stream.get_ref();
            let version = conn
                .protocol_version()
                .map_or("?".to_string(), |v| format!("{v:?}").replace('_', "."));
            let cipher = conn
                .negotiated_cipher_suite()
                .map_or("?".to_string(), |c| format!("{:?}", c.suite()));
            let mut s = if opts.verify {
                Stage::ok("tls", t, format!("{version}, {cipher}, trusted by {trust}"))
                    .fact("trusted", true)
                    .fact("hostname_match", true)
            } else {
                let mut s = Stage::ok(
                    "tls",
                    t,
                    format!("{version}, {cipher}, certificate NOT verified (--insecure)"),
                );
                s.hint = Some(
                    "anyone on the path can answer in the broker's name: drop --insecure and pass the broker's CA with --cafile".into(),
                );
                s
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
                s.details.push(format!(
                    "subject {}; issuer {}; expires {} ({days} days)",
                    c.subject,
                    c.issuer,
                    rfc3339(c.not_after)
                ));
            }
            s
        }
        Ok(Err(e)) => failure(t, &e, cert.as_ref(), opts, &trust),
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
    match &cert {
        Some(c) => with_cert_facts(stage, c, &opts.server_name),
        None => stage,
    }
    .fact("trust", trust)
    .fact("verified", opts.verify)
}

fn failure(
    t: Instant,
    e: &std::io::Error,
    cert: Option<&CertInfo>,
    opts: &TlsOptions,
    trust: &str,
) -> Stage {
    let rustls_error = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
    let host = &opts.server_name;
    let (what, hint, facts): (String, String, Vec<(&str, bool)>) = match rustls_error {
        Some(rustls::Error::InvalidCertificate(ce)) => match ce {
            CertificateError::UnknownIssuer | CertificateError::BadSignature => (
                format!(
                    "the certificate is not trusted: issued by {}, which {trust} does not vouch for",
                    cert.map_or("an unknown CA", |c| c.issuer.as_str())
                ),
                "pass the CA that signed the broker's certificate with --cafile".into(),
                vec![("trusted", false)],
            ),
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => (
                format!(
                    "the certificate is not for '{host}': it names {}",
                    cert.map_or("other hosts".into(), shown_names)
                ),
                format!(
                    "connect with a name the certificate carries ({}), or reissue it with '{host}' in subjectAltName",
                    cert.map_or("see above".into(), shown_names)
                ),
                vec![("trusted", true), ("hostname_match", false)],
            ),
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => (
                format!(
                    "the certificate expired{}",
                    cert.map_or(String::new(), |c| format!(" on {}", rfc3339(c.not_after)))
                ),
                "renew the broker's certificate (and check this machine's clock)".into(),
                vec![("expired", true)],
            ),
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => (
                "the certificate is not valid yet".into(),
                "check this machine's clock and the certificate's start date".into(),
                vec![("expired", false)],
            ),
            other => (
                format!("the certificate was refused: {other:?}"),
                "see the broker's certificate chain (openssl s_client -showcerts)".into(),
                vec![],
            ),
        },
        Some(rustls::Error::InvalidMessage(_)) | Some(rustls::Error::InappropriateMessage { .. }) => (
            format!("the server does not speak TLS: {e}"),
            "this looks like a plain MQTT port: drop TLS, or use the broker's TLS port (usually 8883)".into(),
            vec![],
        ),
        Some(rustls::Error::AlertReceived(alert)) => (
            format!("the broker refused the handshake: {alert:?}"),
            "the broker may want a client certificate (--cert/--key) or another TLS version".into(),
            vec![],
        ),
        _ => (
            format!("TLS handshake failed: {e}"),
            "this may be a plain MQTT port (1883) or a broker that closes TLS early: see its log".into(),
            vec![],
        ),
    };
    let mut s = Stage::failed("tls", t, Code::Unreachable, what, Some(hint));
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
