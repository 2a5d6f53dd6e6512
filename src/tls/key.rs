//! Encrypted PKCS#8 private keys (`-----BEGIN ENCRYPTED PRIVATE KEY-----`, what
//! `openssl pkcs8 -topk8` and `openssl genpkey -aes256` write): PBES2 with PBKDF2 or scrypt and
//! AES-CBC. The passphrase comes from `--key-password-file`, `MQ_KEY_PASSWORD`, or the terminal;
//! it never appears in a message.

use crate::exit::{Error, Result};
use pkcs8::der::Decode;
use pkcs8::EncryptedPrivateKeyInfo;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use std::io::IsTerminal;
use std::path::Path;

const BEGIN: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
const END: &str = "-----END ENCRYPTED PRIVATE KEY-----";
const REENCRYPT: &str = "re-encrypt it with PBES2 and AES once: openssl pkcs8 -topk8 -v2 aes-256-cbc -in plain-key.pem -out key.pem";

/// Decrypt the first encrypted PKCS#8 key in `pem` (the text of `--key path`).
pub(super) fn decrypt(
    path: &Path,
    pem: &str,
    password: Option<&str>,
) -> Result<PrivateKeyDer<'static>> {
    let shown = path.display().to_string();
    let block = pem
        .find(BEGIN)
        .and_then(|a| pem[a..].find(END).map(|b| &pem[a..a + b + END.len()]))
        .ok_or_else(|| Error::usage(format!("--key {shown}: unterminated PEM block")))?;
    let (_, der) = pkcs8::der::pem::decode_vec(block.as_bytes())
        .map_err(|e| Error::usage(format!("--key {shown} is not valid PEM: {e}")))?;
    // PBES1 and ciphers other than AES (DES, RC2) do not even parse here.
    let info = EncryptedPrivateKeyInfo::from_der(&der).map_err(|e| {
        Error::usage(format!(
            "--key {shown} is encrypted in a way mq cannot read ({e})"
        ))
        .hint(REENCRYPT)
    })?;
    let password =
        match password {
            Some(p) => p.to_string(),
            None if std::io::stdin().is_terminal() => {
                crate::credentials::prompt(&format!("Passphrase for --key {shown}: "))?
            }
            None => return Err(Error::usage(format!(
                "--key {shown} is encrypted, and no passphrase was given"
            ))
            .hint(
                "give it with --key-password-file FILE or MQ_KEY_PASSWORD (mq asks on a terminal)",
            )),
        };
    let plain = info.decrypt(password.as_bytes()).map_err(|e| {
        use pkcs8::pkcs5::Error as P5;
        match e {
            pkcs8::Error::EncryptedPrivateKey(
                P5::UnsupportedAlgorithm { .. } | P5::AlgorithmParametersInvalid { .. },
            ) => Error::usage(format!(
                "--key {shown} is encrypted in a way mq cannot read ({})",
                info.encryption_algorithm.oid()
            ))
            .hint(REENCRYPT),
            _ => wrong(&shown),
        }
    })?;
    // A wrong passphrase may decrypt to bytes that pass the padding check but are no key.
    pkcs8::PrivateKeyInfo::from_der(plain.as_bytes()).map_err(|_| wrong(&shown))?;
    Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        plain.as_bytes().to_vec(),
    )))
}

fn wrong(shown: &str) -> Error {
    Error::usage(format!(
        "--key {shown}: wrong passphrase (the key does not decrypt with it)"
    ))
    .hint("check --key-password-file / MQ_KEY_PASSWORD")
}
