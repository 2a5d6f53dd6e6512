//! Which transport a connection uses: plain TCP, TLS, websockets or secure websockets, from
//! the TLS flags, the URL scheme and the port, and the default port that follows.

use super::Scheme;
use crate::cli::TlsArgs;
use crate::exit::{Error, Result};
use crate::tls::{TlsOptions, TlsPlan};

/// TLS when a TLS flag, `mqtts://`/`wss://` or `-p 8883` (not over websockets) says so;
/// websockets when `--ws` or `ws://`/`wss://` does. Returns the port (1883, 8883, 80 or 443
/// by default), the TLS configuration and the websocket path.
pub(super) fn decide(
    t: &TlsArgs,
    scheme: Option<Scheme>,
    port: Option<u16>,
    url_ws_path: Option<String>,
) -> Result<(u16, Option<TlsPlan>, Option<String>)> {
    if t.psk.is_some() || t.psk_identity.is_some() {
        let flag = if t.psk.is_some() {
            "--psk"
        } else {
            "--psk-identity"
        };
        return Err(Error::usage(format!(
            "{flag}: TLS-PSK is not supported: rustls, mq's TLS library, has no external pre-shared keys"
        ))
        .hint("use a listener with certificates: --cafile FILE (and --cert/--key), or mosquitto_pub for PSK"));
    }
    let websocket = t.ws || matches!(scheme, Some(Scheme::Ws | Scheme::Wss));
    let tls_flags = t.cafile.is_some()
        || t.capath.is_some()
        || t.tls
        || t.cert.is_some()
        || t.key.is_some()
        || t.insecure
        || t.tls_version.is_some()
        || t.ciphers.is_some()
        || t.tls13_ciphers.is_some()
        || !t.alpn.is_empty()
        || t.tls_server_name.is_some();
    // As mosquitto: an explicit -p 8883 without a CA means TLS with the system's CAs.
    let use_tls = tls_flags
        || matches!(scheme, Some(Scheme::Mqtts | Scheme::Wss))
        || (port == Some(8883) && !websocket);
    let port = port.unwrap_or(match (websocket, use_tls) {
        (false, false) => 1883,
        (false, true) => 8883,
        (true, false) => 80,
        (true, true) => 443,
    });
    let tls = if use_tls {
        Some(crate::tls::build(&TlsOptions {
            cafile: t.cafile.clone(),
            capath: t.capath.clone(),
            cert: t.cert.clone(),
            key: t.key.clone(),
            insecure: t.insecure,
            version: t.tls_version,
            alpn: t.alpn.clone(),
            server_name: t.tls_server_name.clone(),
            key_password: key_password(t)?,
            ciphers: t.ciphers.clone(),
            tls13_ciphers: t.tls13_ciphers.clone(),
        })?)
    } else {
        None
    };
    let ws_path = if websocket {
        let path = t
            .ws_path
            .clone()
            .or(url_ws_path)
            .unwrap_or_else(|| "/mqtt".into());
        Some(if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        })
    } else {
        if t.ws_path.is_some() {
            return Err(Error::usage("--ws-path needs a websocket connection")
                .hint("add --ws, or use a ws:// or wss:// URL"));
        }
        None
    };
    Ok((port, tls, ws_path))
}

/// The passphrase of an encrypted `--key`, when given without a prompt: `--key-password-file`
/// (`MQ_KEY_PASSWORD_FILE`), else `MQ_KEY_PASSWORD`.
fn key_password(t: &TlsArgs) -> Result<Option<String>> {
    if let Some(file) = &t.key_password_file {
        return crate::credentials::read_secret_file(file, "--key-password-file").map(Some);
    }
    Ok(std::env::var("MQ_KEY_PASSWORD").ok())
}
