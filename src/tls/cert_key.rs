//! A certificate and its private key, checked to fit and presented as given: the client
//! certificate (`--cert`, `--key`), and `mq serve`'s (`--tls-cert`, `--tls-key`). rustls would
//! check the pair by parsing the certificate with webpki, which refuses X.509 v1 certificates:
//! what `openssl x509 -req` makes without `-extfile`, mosquitto-tls(7)'s own recipe. Judging a
//! certificate is the peer's job, so mq only compares the public keys, reading the certificate
//! with x509-parser (which reads v1 as well as v3).

use crate::exit::{Error, Result};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use std::path::Path;
use x509_parser::prelude::{FromDer, SubjectPublicKeyInfo, X509Certificate};

/// `chain` (end entity first, read from `path`) with its private key, ready to present; errors
/// name them by their flags (`--cert`, `--key`).
pub fn certified_key(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    provider: &CryptoProvider,
    path: &Path,
    [cert_flag, key_flag]: [&str; 2],
) -> Result<CertifiedKey> {
    let shown = path.display();
    let signing = provider.key_provider.load_private_key(key).map_err(|e| {
        Error::usage(format!(
            "{key_flag} is not a private key mq can sign with: {e}"
        ))
        .hint("mq signs with RSA, ECDSA (P-256, P-384) and Ed25519 keys")
    })?;
    let Some(first) = chain.first() else {
        return Err(Error::usage(format!(
            "{cert_flag} {shown} holds no certificate"
        )));
    };
    let (_, cert) = X509Certificate::from_der(first.as_ref()).map_err(|e| {
        Error::usage(format!(
            "{cert_flag} {shown}: its first certificate cannot be read ({e})"
        ))
    })?;
    // A key type whose public half rustls cannot tell is sent as it is: the broker judges.
    if let Some(spki) = signing.public_key() {
        let ours = SubjectPublicKeyInfo::from_der(spki.as_ref())
            .map(|(_, k)| k.subject_public_key.data.to_vec())
            .unwrap_or_default();
        if ours != cert.public_key().subject_public_key.data.as_ref() {
            return Err(Error::usage(format!(
                "{cert_flag} {shown} and {key_flag} do not fit together: the key is not the one the certificate was made for"
            ))
            .hint("give the key of that certificate: `openssl x509 -noout -pubkey -in CERT` and `openssl pkey -pubout -in KEY` print the same key for a pair"));
        }
    }
    Ok(CertifiedKey::new(chain, signing))
}
