//! How the broker's certificate is checked: webpki against the trusted CAs, with two
//! additions, and the `--insecure` verifier, which accepts any certificate (X.509 v1 too) and
//! checks only that the broker holds its key.
//!
//! - `--tls-server-name NAME`: the certificate is checked against NAME instead of the host.
//! - A certificate the user gave byte for byte in `--cafile`/`--capath` (the usual way to trust
//!   a broker's self-signed certificate) is trusted as such. webpki refuses it when it is
//!   marked as a CA ("CA used as end entity"), as certificates made with
//!   `openssl req -x509` are; its name and dates are still checked here.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_name, WebPkiServerVerifier};
use rustls::crypto::{
    verify_tls12_signature, verify_tls13_signature, verify_tls13_signature_with_raw_key,
    CryptoProvider,
};
use rustls::pki_types::{CertificateDer, ServerName, SubjectPublicKeyInfoDer, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug)]
pub(super) struct Verifier {
    inner: Arc<WebPkiServerVerifier>,
    name: Option<ServerName<'static>>,
    given: Vec<CertificateDer<'static>>,
}

impl Verifier {
    pub(super) fn new(
        inner: Arc<WebPkiServerVerifier>,
        name: Option<ServerName<'static>>,
        given: Vec<CertificateDer<'static>>,
    ) -> Verifier {
        Verifier { inner, name, given }
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let name = self.name.as_ref().unwrap_or(server_name);
        match self
            .inner
            .verify_server_cert(end_entity, intermediates, name, ocsp, now)
        {
            Err(_) if self.given.iter().any(|c| c.as_ref() == end_entity.as_ref()) => {
                // Trusted byte for byte: check what a chain check would have checked besides.
                verify_server_name(&ParsedCertificate::try_from(end_entity)?, name)?;
                check_dates(end_entity, now)?;
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
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

/// The certificate's dates, checked as webpki would have (read with x509-parser).
fn check_dates(cert: &CertificateDer<'_>, now: UnixTime) -> Result<(), rustls::Error> {
    use x509_parser::prelude::{FromDer, X509Certificate};
    let Ok((_, parsed)) = X509Certificate::from_der(cert.as_ref()) else {
        return Err(CertificateError::BadEncoding.into());
    };
    let validity = parsed.validity();
    let (not_before, not_after) = (
        validity.not_before.timestamp(),
        validity.not_after.timestamp(),
    );
    let at = |secs: i64| UnixTime::since_unix_epoch(Duration::from_secs(secs.max(0) as u64));
    let t = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    if t < not_before {
        return Err(CertificateError::NotValidYetContext {
            time: now,
            not_before: at(not_before),
        }
        .into());
    }
    if t > not_after {
        return Err(CertificateError::ExpiredContext {
            time: now,
            not_after: at(not_after),
        }
        .into());
    }
    Ok(())
}

/// `--insecure`: any certificate is accepted (the handshake signatures are still checked, so
/// the connection is encrypted, but to whoever answered).
#[derive(Debug)]
pub(crate) struct NoVerification(pub(crate) Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = &self.0.signature_verification_algorithms;
        verify_tls12_signature(message, cert, dss, algs).or_else(|e| {
            by_public_key(cert, e, |_, key| {
                let candidates = algs
                    .mapping
                    .iter()
                    .find(|(scheme, _)| *scheme == dss.scheme)
                    .map_or(&[][..], |(_, a)| *a);
                candidates
                    .iter()
                    .any(|alg| alg.verify_signature(key, message, dss.signature()).is_ok())
            })
        })
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = &self.0.signature_verification_algorithms;
        verify_tls13_signature(message, cert, dss, algs).or_else(|e| {
            by_public_key(cert, e, |spki, _| {
                let spki = SubjectPublicKeyInfoDer::from(spki);
                verify_tls13_signature_with_raw_key(message, &spki, dss, algs).is_ok()
            })
        })
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The handshake signature checked against the certificate's public key as x509-parser reads
/// it, when webpki would not read the certificate at all (X.509 v1, what `openssl x509 -req`
/// makes without -extfile): `--insecure` accepts any certificate, but the broker must still hold
/// the key of the one it presented. `check` gets the whole SubjectPublicKeyInfo and the key's
/// bits; `e` is webpki's error, returned when the signature does not verify either.
fn by_public_key(
    cert: &CertificateDer<'_>,
    e: rustls::Error,
    check: impl FnOnce(&[u8], &[u8]) -> bool,
) -> Result<HandshakeSignatureValid, rustls::Error> {
    use x509_parser::prelude::{FromDer, X509Certificate};
    let Ok((_, parsed)) = X509Certificate::from_der(cert.as_ref()) else {
        return Err(e);
    };
    let key = parsed.public_key();
    if check(key.raw, key.subject_public_key.data.as_ref()) {
        Ok(HandshakeSignatureValid::assertion())
    } else {
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(from: (i32, u8, u8), to: (i32, u8, u8)) -> CertificateDer<'static> {
        let mut p = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        p.not_before = rcgen::date_time_ymd(from.0, from.1, from.2);
        p.not_after = rcgen::date_time_ymd(to.0, to.1, to.2);
        let key = rcgen::KeyPair::generate().unwrap();
        p.self_signed(&key).unwrap().der().clone()
    }

    #[test]
    fn dates_of_a_certificate_trusted_as_given() {
        // 2021-01-11T00:00:00Z
        let now = UnixTime::since_unix_epoch(Duration::from_secs(1_610_323_200));
        assert!(check_dates(&cert((2020, 1, 1), (2022, 1, 1)), now).is_ok());
        match check_dates(&cert((2020, 1, 1), (2021, 1, 1)), now) {
            Err(rustls::Error::InvalidCertificate(CertificateError::ExpiredContext {
                not_after,
                ..
            })) => assert_eq!(not_after.as_secs(), 1_609_459_200),
            other => panic!("{other:?}"),
        }
        match check_dates(&cert((2021, 2, 1), (2022, 1, 1)), now) {
            Err(rustls::Error::InvalidCertificate(CertificateError::NotValidYetContext {
                not_before,
                ..
            })) => assert_eq!(not_before.as_secs(), 1_612_137_600),
            other => panic!("{other:?}"),
        }
        let garbage = CertificateDer::from(&b"\x30\x03\x02\x01\x01"[..]);
        assert!(check_dates(&garbage, now).is_err());
    }
}
