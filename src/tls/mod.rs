//! TLS for broker connections: builds the rustls client configuration from the command line
//! (CA file or directory, the system's CA store, a client certificate, `--insecure`, version,
//! ALPN, the name to check the certificate against, SSLKEYLOGFILE) and explains handshake
//! failures in words: which certificate, which check, what to try. It is the one TLS
//! configuration mq has: `mq check` watches a handshake made with it (`observe.rs`) rather than
//! building one of its own, so the check and the connections cannot disagree.
//!
//! May import rustls; never rumqttc (`session/` hands the config to it).

use crate::exit::{Error, Result};
use rustls::client::danger::ServerCertVerifier;
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod cert_key;
mod ciphers;
mod explain;
mod key;
mod observe;
mod probe;
mod verify;
pub use cert_key::certified_key;
pub use explain::{explain, io_kind};
pub use observe::Observed;
pub use probe::speaks_tls;
use verify::{NoVerification, Verifier};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsVersion {
    #[value(name = "1.2", alias = "tlsv1.2")]
    V12,
    #[value(name = "1.3", alias = "tlsv1.3")]
    V13,
}

/// What the command line asks of TLS.
#[derive(Debug, Default, Clone)]
pub struct TlsOptions {
    pub cafile: Option<PathBuf>,
    pub capath: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub insecure: bool,
    pub version: Option<TlsVersion>,
    pub alpn: Vec<String>,
    /// Send this name as SNI and check the broker's certificate against it instead of the host.
    pub server_name: Option<String>,
    /// Passphrase of an encrypted `--key` (`--key-password-file`, `MQ_KEY_PASSWORD`); without
    /// it, mq asks on the terminal when there is one.
    pub key_password: Option<String>,
    /// `--ciphers`: TLS 1.2 cipher suites (OpenSSL or IANA names, `:`-separated).
    pub ciphers: Option<String>,
    /// `--tls13-ciphers`: TLS 1.3 cipher suites.
    pub tls13_ciphers: Option<String>,
}

/// A ready TLS configuration and the facts error messages need.
#[derive(Debug, Clone)]
pub struct TlsPlan {
    pub config: Arc<ClientConfig>,
    /// The verifier inside `config`, kept so that `mq check` can watch it judge (`observe`).
    verifier: Arc<dyn ServerCertVerifier>,
    pub client_cert: bool,
    pub insecure: bool,
    /// Where the trusted CAs come from: `--cafile ca.pem`, `the system's CA store`.
    pub trust: String,
    pub version: Option<TlsVersion>,
    /// `--tls-server-name`: sent as SNI, and the name the certificate is checked against.
    pub server_name: Option<String>,
    /// `--ciphers` or `--tls13-ciphers` narrowed the cipher suites offered.
    pub ciphers_chosen: bool,
}

/// ring rather than aws-lc-rs: aws-lc seeds its random generator from CPU jitter on first use,
/// about 20 ms of CPU per run, which doubled the time of a one-shot `mq pub` over TLS.
pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Build the client configuration. Unreadable or empty files are usage errors (exit 2).
pub fn build(o: &TlsOptions) -> Result<TlsPlan> {
    let mut provider = rustls::crypto::ring::default_provider();
    if o.ciphers.is_some() || o.tls13_ciphers.is_some() {
        provider.cipher_suites = ciphers::select(
            o.ciphers.as_deref(),
            o.tls13_ciphers.as_deref(),
            &provider.cipher_suites,
        )?;
    }
    let provider = Arc::new(provider);
    let versions: &[&'static rustls::SupportedProtocolVersion] = match o.version {
        Some(TlsVersion::V12) => &[&rustls::version::TLS12],
        Some(TlsVersion::V13) => &[&rustls::version::TLS13],
        None => rustls::DEFAULT_VERSIONS,
    };
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(|e| Error::usage(format!("--tls-version: {e}")))?;

    let (roots, given, trust) = roots(o)?;
    let verifier: Arc<dyn ServerCertVerifier> = if o.insecure {
        Arc::new(NoVerification(provider.clone()))
    } else {
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(|e| Error::usage(format!("no usable CA certificate: {e}")))?;
        let name = match &o.server_name {
            None => None,
            Some(name) => Some(ServerName::try_from(name.clone()).map_err(|_| {
                Error::usage(format!(
                    "--tls-server-name '{name}' is not a DNS name or IP address"
                ))
            })?),
        };
        Arc::new(Verifier::new(webpki, name, given))
    };
    let builder = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone());

    let mut config = match (&o.cert, &o.key) {
        (None, None) => builder.with_no_client_auth(),
        (Some(_), None) | (None, Some(_)) => {
            return Err(Error::usage("--cert and --key go together: give both"))
        }
        (Some(cert), Some(key)) => {
            let chain = certificates(cert, "--cert")?;
            let key = private_key(key, o.key_password.as_deref())?;
            let pair = cert_key::certified_key(chain, key, &provider, cert, ["--cert", "--key"])?;
            builder.with_client_cert_resolver(Arc::new(rustls::sign::SingleCertAndKey::from(pair)))
        }
    };
    config.alpn_protocols = o.alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
    // Writes session keys to the file named by SSLKEYLOGFILE (for Wireshark); nothing otherwise.
    config.key_log = Arc::new(rustls::KeyLogFile::new());
    Ok(TlsPlan {
        config: Arc::new(config),
        verifier,
        client_cert: o.cert.is_some(),
        insecure: o.insecure,
        trust,
        version: o.version,
        server_name: o.server_name.clone(),
        ciphers_chosen: o.ciphers.is_some() || o.tls13_ciphers.is_some(),
    })
}

/// The trusted CAs, the certificates the user gave (--cafile, --capath), and where they came
/// from, in words.
fn roots(o: &TlsOptions) -> Result<(RootCertStore, Vec<CertificateDer<'static>>, String)> {
    let mut store = RootCertStore::empty();
    let mut given = Vec::new();
    let mut from = Vec::new();
    if let Some(file) = &o.cafile {
        let certs = certificates(file, "--cafile")?;
        given.extend(certs.iter().cloned());
        let (added, _) = store.add_parsable_certificates(certs);
        if added == 0 {
            return Err(Error::usage(format!(
                "--cafile {} holds no usable CA certificate",
                file.display()
            )));
        }
        from.push(format!("--cafile {}", file.display()));
    }
    if let Some(dir) = &o.capath {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            Error::usage(format!(
                "cannot read --capath {}: {}",
                dir.display(),
                why(&e)
            ))
        })?;
        let mut added = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_file() {
                continue;
            }
            if let Ok(iter) = CertificateDer::pem_file_iter(&path) {
                let certs: Vec<_> = iter.flatten().collect();
                given.extend(certs.iter().cloned());
                added += store.add_parsable_certificates(certs).0;
            }
        }
        if added == 0 {
            return Err(Error::usage(format!(
                "--capath {} holds no PEM CA certificate",
                dir.display()
            )));
        }
        from.push(format!("--capath {}", dir.display()));
    }
    if from.is_empty() {
        let found = rustls_native_certs::load_native_certs();
        let (added, _) = store.add_parsable_certificates(found.certs);
        if added == 0 && !o.insecure {
            return Err(Error::usage("no CA certificates in the system's CA store")
                .hint("install ca-certificates, or give the broker's CA with --cafile"));
        }
        from.push("the system's CA store".into());
    }
    Ok((store, given, from.join(" and ")))
}

fn why(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn pem_error(flag: &str, path: &Path, e: rustls::pki_types::pem::Error) -> Error {
    use rustls::pki_types::pem::Error as P;
    match e {
        P::Io(io) => Error::usage(format!(
            "cannot read {flag} {}: {}",
            path.display(),
            why(&io)
        )),
        other => Error::usage(format!(
            "{flag} {} is not valid PEM: {other}",
            path.display()
        )),
    }
}

fn certificates(path: &Path, flag: &str) -> Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| pem_error(flag, path, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(flag, path, e))?;
    if certs.is_empty() {
        return Err(Error::usage(format!(
            "{flag} {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            path.display()
        )));
    }
    Ok(certs)
}

fn private_key(path: &Path, password: Option<&str>) -> Result<PrivateKeyDer<'static>> {
    use rustls::pki_types::pem::Error as P;
    match PrivateKeyDer::from_pem_file(path) {
        Ok(k) => Ok(k),
        Err(P::NoItemsFound) => {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
                return key::decrypt(path, &text, password);
            }
            let mut e = Error::usage(format!(
                "--key {} holds no private key (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC)",
                path.display()
            ));
            if text.contains("ENCRYPTED") {
                e = legacy(path);
            }
            Err(e)
        }
        Err(e) => {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            if text.contains("Proc-Type: 4,ENCRYPTED") {
                return Err(legacy(path));
            }
            Err(pem_error("--key", path, e))
        }
    }
}

/// OpenSSL's legacy key encryption (`Proc-Type: 4,ENCRYPTED` in the PEM header).
fn legacy(path: &Path) -> Error {
    Error::usage(format!(
        "--key {} is encrypted the legacy OpenSSL way, which mq does not read",
        path.display()
    ))
    .hint("convert it to encrypted PKCS#8 once: openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -out key-p8.pem")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Code;

    #[test]
    fn missing_files_are_usage_errors() {
        let e = build(&TlsOptions {
            cafile: Some("/nonexistent/ca.pem".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(e.code, Code::Usage);
        assert!(e.message.contains("no such file"), "{}", e.message);
        let e = build(&TlsOptions {
            cert: Some("/nonexistent/c.pem".into()),
            insecure: true,
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.message.contains("--cert and --key"), "{}", e.message);
    }
}
