//! Why a TLS connection failed, in words: which certificate, which check, what to try.

use super::{TlsPlan, TlsVersion};
use crate::exit::{Code, Error};
use rustls::pki_types::UnixTime;
use rustls::{AlertDescription, CertificateError};
use std::error::Error as StdError;
use std::io;
use std::time::{Duration, SystemTime};

/// The rustls error somewhere in `e`'s chain (an `io::Error` hides its inner error from
/// `source()`, so look inside those too).
fn find_rustls<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        if let Some(inner) = err.downcast_ref::<io::Error>().and_then(|io| io.get_ref()) {
            if let Some(r) = find_rustls(inner) {
                return Some(r);
            }
        }
        cur = err.source();
    }
    None
}

/// The kind of the first I/O error in `e`'s chain.
pub fn io_kind(e: &(dyn StdError + 'static)) -> Option<io::ErrorKind> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<io::Error>() {
            return Some(io.kind());
        }
        cur = err.source();
    }
    None
}

fn date(t: UnixTime) -> String {
    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(t.as_secs());
    humantime::format_rfc3339_seconds(when).to_string()
}

/// `DnsName("broker.local")` -> `broker.local`, `IpAddress(127.0.0.1)` -> `127.0.0.1`.
fn presented_name(n: &str) -> String {
    let n = n
        .strip_prefix("DnsName(\"")
        .and_then(|s| s.strip_suffix("\")"))
        .or_else(|| {
            n.strip_prefix("IpAddress(")
                .and_then(|s| s.strip_suffix(')'))
        })
        .unwrap_or(n);
    n.to_string()
}

/// How to reissue a certificate that webpki cannot verify (X.509 v1, or no subjectAltName)
/// for `name`, the way mosquitto-tls(7) makes them, with the extension added.
fn reissue(name: &str) -> String {
    let san = if name.parse::<std::net::IpAddr>().is_ok() {
        format!("IP:{name}")
    } else {
        format!("DNS:{name}")
    };
    format!(
        "reissue it with the name in subjectAltName: openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 365 -extfile <(printf 'subjectAltName={san}') (self-signed: add -addext 'subjectAltName={san}' to openssl req -x509); or --insecure while testing"
    )
}

/// Why a TLS connection failed, in words, when the error says. `handshake`: the error came
/// from the TLS handshake itself (not from reading after it). `port` is the broker's port,
/// `name` the one its certificate is checked against (`--tls-server-name`, else the host).
pub fn explain(
    e: &(dyn StdError + 'static),
    handshake: bool,
    tls: &TlsPlan,
    port: u16,
    name: &str,
) -> Option<Error> {
    let unreachable = |m: String| Error::new(Code::Unreachable, m);
    let not_tls = || {
        unreachable(format!(
            "TLS handshake failed: the broker closed the connection; port {port} does not seem to speak TLS"
        ))
        .hint("for a plain MQTT port use mqtt:// without --cafile/--tls (TLS listeners are usually on 8883)")
    };
    let Some(r) = find_rustls(e) else {
        let closed = matches!(
            io_kind(e),
            Some(
                io::ErrorKind::UnexpectedEof
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
            )
        );
        return (handshake && closed).then(not_tls);
    };
    let cert_words = "the broker's certificate";
    Some(match r {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer => unreachable(format!(
                "TLS: {cert_words} is signed by a CA that is not trusted ({} has no such CA)",
                tls.trust
            ))
            .hint("give the CA that signed the broker's certificate with --cafile (for a self-signed broker: the broker's cafile), or --insecure to skip the check while testing"),
            CertificateError::ExpiredContext { not_after, .. } => unreachable(format!(
                "TLS: {cert_words} expired on {}",
                date(*not_after)
            ))
            .hint("the broker needs a renewed certificate (or this machine's clock is wrong)"),
            CertificateError::Expired => unreachable(format!("TLS: {cert_words} has expired"))
                .hint("the broker needs a renewed certificate (or this machine's clock is wrong)"),
            CertificateError::NotValidYetContext { not_before, .. } => unreachable(format!(
                "TLS: {cert_words} is not valid before {}",
                date(*not_before)
            ))
            .hint("check this machine's clock"),
            CertificateError::NotValidYet => {
                unreachable(format!("TLS: {cert_words} is not valid yet"))
                    .hint("check this machine's clock")
            }
            // webpki reads names from subjectAltName only, as browsers do: a certificate
            // that has its name only in the subject's CN names nothing.
            CertificateError::NotValidForNameContext { presented, .. } if presented.is_empty() => {
                unreachable(format!(
                    "TLS: {cert_words} carries no subjectAltName, and mq (like browsers) does not take the host name from its subject CN"
                ))
                .hint(reissue(name))
            }
            CertificateError::NotValidForNameContext {
                expected,
                presented,
            } => {
                let names: Vec<String> = presented.iter().map(|n| presented_name(n)).collect();
                let names = if names.is_empty() {
                    "no names".to_string()
                } else {
                    names.join(", ")
                };
                unreachable(format!(
                    "TLS: {cert_words} is for {names}, not for '{}'",
                    expected.to_str()
                ))
                .hint("connect with a name the certificate carries (-h), or check it against one with --tls-server-name NAME")
            }
            CertificateError::NotValidForName => {
                unreachable(format!("TLS: {cert_words} is not for this host name"))
                    .hint("connect with a name the certificate carries (-h), or use --tls-server-name NAME")
            }
            // webpki's words for a self-signed certificate marked as a CA that is not given
            // byte for byte (those are trusted as they are, see verify.rs).
            CertificateError::Other(o) if format!("{o:?}").contains("CaUsedAsEndEntity") => {
                unreachable(format!(
                    "TLS: {cert_words} is a self-signed CA certificate that is not trusted ({} does not hold it)",
                    tls.trust
                ))
                .hint("give that very certificate (or the CA that signed it) with --cafile, or --insecure to skip the check while testing")
            }
            // What `openssl x509 -req` makes without -extfile: no extensions, no names.
            CertificateError::Other(o) if format!("{o:?}").contains("UnsupportedCertVersion") => {
                unreachable(format!(
                    "TLS: {cert_words} is an X.509 v1 certificate (no extensions: made by openssl x509 -req without -extfile), which mq cannot verify"
                ))
                .hint(reissue(name))
            }
            other => unreachable(format!("TLS: {cert_words} was rejected: {other:?}")),
        },
        rustls::Error::AlertReceived(alert) => alert_error(*alert, tls),
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => not_tls(),
        other => unreachable(format!("TLS handshake failed: {other}")),
    })
}

fn alert_error(alert: AlertDescription, tls: &TlsPlan) -> Error {
    use AlertDescription as A;
    let e = |m: String| Error::new(Code::Unreachable, m);
    let needs_cert = || {
        e("TLS: the broker requires a client certificate".into())
            .hint("give one with --cert FILE --key FILE")
    };
    match alert {
        A::CertificateRequired => needs_cert(),
        A::HandshakeFailure if tls.ciphers_chosen => e(
            "TLS: the broker refused the handshake: it may accept none of the cipher suites given with --ciphers/--tls13-ciphers".into(),
        )
        .hint("drop --ciphers/--tls13-ciphers, or ask the broker's admin which suites it takes (mq check shows the one negotiated without them)"),
        A::HandshakeFailure if !tls.client_cert => e(
            "TLS: the broker refused the handshake (it may require a client certificate)".into(),
        )
        .hint("give one with --cert FILE --key FILE, or try another --tls-version"),
        A::UnknownCA
        | A::BadCertificate
        | A::CertificateUnknown
        | A::UnsupportedCertificate
        | A::CertificateExpired
        | A::CertificateRevoked
        | A::DecryptError
        | A::AccessDenied
        | A::HandshakeFailure
            if tls.client_cert =>
        {
            let why = match alert {
                A::UnknownCA => "signed by a CA it does not trust".to_string(),
                A::CertificateExpired => "expired".to_string(),
                A::CertificateRevoked => "revoked".to_string(),
                other => format!("{other:?}"),
            };
            e(format!(
                "TLS: the broker rejected mq's client certificate (--cert): {why}"
            ))
            .hint("the broker must trust the CA that signed --cert (its cafile), and the certificate must be valid")
        }
        A::ProtocolVersion => e(match tls.version {
            Some(TlsVersion::V12) => "TLS: the broker does not accept TLS 1.2".into(),
            Some(TlsVersion::V13) => "TLS: the broker does not accept TLS 1.3".into(),
            None => "TLS: the broker accepts no TLS version mq speaks (1.2, 1.3)".into(),
        })
        .hint("drop --tls-version, or ask for the other one"),
        A::NoApplicationProtocol => {
            e("TLS: the broker accepts none of the --alpn protocols".into()).hint(
                "check the protocol names the broker expects (for example mqtt or x-amzn-mqtt-ca)",
            )
        }
        other => e(format!("TLS: the broker ended the handshake ({other:?})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presented_names_read_plainly() {
        assert_eq!(presented_name("DnsName(\"broker.local\")"), "broker.local");
        assert_eq!(presented_name("IpAddress(127.0.0.1)"), "127.0.0.1");
        assert_eq!(presented_name("DirectoryName"), "DirectoryName");
    }
}
