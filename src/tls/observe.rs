//! A handshake watched, for `mq check`: mq's own configuration (`TlsPlan::config`, so the check
//! trusts, refuses and presents exactly what `mq pub` does), with its verifier, client
//! certificate and session store wrapped to record what happened: the chain the broker
//! presented (kept when it is refused too), whether the broker asked for a client certificate,
//! and whether it sent a session ticket. Under TLS 1.3 the broker judges the client certificate
//! after the client's handshake is over: a ticket says it accepted it, an alert that it did not.

use super::TlsPlan;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{
    ClientSessionStore, ResolvesClientCert, Resumption, Tls12ClientSessionValue,
    Tls13ClientSessionValue,
};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, DigitallySignedStruct, NamedGroup, SignatureScheme};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What one watched handshake recorded.
#[derive(Debug, Default)]
struct Seen {
    chain: Mutex<Vec<CertificateDer<'static>>>,
    asked: AtomicBool,
    ticket: tokio::sync::Notify,
}

/// A configuration for one watched handshake, and what it saw.
pub struct Observed {
    pub config: Arc<ClientConfig>,
    seen: Arc<Seen>,
}

impl Observed {
    /// The broker's certificate chain, end entity first (empty before the broker sent it).
    pub fn chain(&self) -> Vec<CertificateDer<'static>> {
        self.seen
            .chain
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default()
    }

    /// The broker asked for a client certificate.
    pub fn client_cert_asked(&self) -> bool {
        self.seen.asked.load(Ordering::Relaxed)
    }

    /// Completes once the broker has sent a TLS 1.3 session ticket.
    pub async fn ticket(&self) {
        self.seen.ticket.notified().await;
    }
}

impl TlsPlan {
    /// The same configuration as `config`, recording what its next handshake sees.
    pub fn observe(&self) -> Observed {
        let seen = Arc::new(Seen::default());
        let mut config = (*self.config).clone();
        config
            .dangerous()
            .set_certificate_verifier(Arc::new(Recorder {
                inner: self.verifier.clone(),
                seen: seen.clone(),
            }));
        config.client_auth_cert_resolver = Arc::new(Asked {
            inner: config.client_auth_cert_resolver.clone(),
            seen: seen.clone(),
        });
        config.resumption = Resumption::store(Arc::new(Tickets(seen.clone())));
        Observed {
            config: Arc::new(config),
            seen,
        }
    }
}

/// Keeps a copy of the chain, then lets mq's verifier judge it.
#[derive(Debug)]
struct Recorder {
    inner: Arc<dyn ServerCertVerifier>,
    seen: Arc<Seen>,
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
        if let Ok(mut chain) = self.seen.chain.lock() {
            chain.push(end_entity.clone().into_owned());
            chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
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

/// rustls asks for the client certificate only when the broker requested one.
#[derive(Debug)]
struct Asked {
    inner: Arc<dyn ResolvesClientCert>,
    seen: Arc<Seen>,
}

impl ResolvesClientCert for Asked {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.seen.asked.store(true, Ordering::Relaxed);
        self.inner.resolve(root_hint_subjects, sigschemes)
    }

    fn only_raw_public_keys(&self) -> bool {
        self.inner.only_raw_public_keys()
    }

    fn has_certs(&self) -> bool {
        self.inner.has_certs()
    }
}

/// Stores nothing (one handshake resumes nothing); notes that a TLS 1.3 ticket came.
#[derive(Debug)]
struct Tickets(Arc<Seen>);

impl ClientSessionStore for Tickets {
    fn set_kx_hint(&self, _: ServerName<'static>, _: NamedGroup) {}
    fn kx_hint(&self, _: &ServerName<'_>) -> Option<NamedGroup> {
        None
    }
    fn set_tls12_session(&self, _: ServerName<'static>, _: Tls12ClientSessionValue) {}
    fn tls12_session(&self, _: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        None
    }
    fn remove_tls12_session(&self, _: &ServerName<'static>) {}
    fn insert_tls13_ticket(&self, _: ServerName<'static>, _: Tls13ClientSessionValue) {
        self.0.ticket.notify_one();
    }
    fn take_tls13_ticket(&self, _: &ServerName<'static>) -> Option<Tls13ClientSessionValue> {
        None
    }
}
