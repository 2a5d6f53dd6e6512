//! Does a port speak TLS? Asked only after a plain MQTT connect failed in a way that a TLS
//! listener causes (closed without a CONNACK), to say "this is a TLS port" instead of guessing.

use super::provider;
use super::verify::NoVerification;
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use std::sync::Arc;
use std::time::Duration;

/// True when `host:port` answers a TLS ClientHello with TLS (a ServerHello, or an alert).
pub async fn speaks_tls(host: &str, port: u16, limit: Duration) -> bool {
    let provider = provider();
    let Ok(builder) = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(rustls::DEFAULT_VERSIONS)
    else {
        return false;
    };
    let config = builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(NoVerification(provider)))
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_string())
        .unwrap_or_else(|_| ServerName::try_from("localhost").expect("a valid DNS name"));
    let attempt = async {
        let tcp = tokio::net::TcpStream::connect((host, port)).await?;
        tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
    };
    match tokio::time::timeout(limit, attempt).await {
        Ok(Ok(_)) => true,
        // The server answered in TLS, only to refuse us (a client certificate it wants, ...).
        Ok(Err(e)) => e
            .get_ref()
            .and_then(|i| i.downcast_ref::<rustls::Error>())
            .is_some_and(|r| matches!(r, rustls::Error::AlertReceived(_))),
        Err(_) => false,
    }
}
