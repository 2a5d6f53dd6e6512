//! How rumqttc reaches the broker: TCP, TLS, websockets or secure websockets, from the plan;
//! over a stream `dial` opens when the plan has `-A` or `--proxy`.

use super::dial::Dialer;
use crate::options::ConnectPlan;
use rumqttc::{AsyncReadWrite, SocketConnector, TlsConfiguration, Transport};
use std::sync::Arc;

/// What rumqttc calls the broker address: the host, the whole URL for websockets, or the
/// socket's path.
pub(super) fn broker_addr(plan: &ConnectPlan) -> String {
    if let Some(path) = &plan.unix {
        return path.to_string_lossy().into_owned();
    }
    plan.ws_url().unwrap_or_else(|| plan.host.clone())
}

/// The transport, or None for plain TCP (rumqttc's default).
pub(super) fn transport(plan: &ConnectPlan) -> Option<Transport> {
    if plan.unix.is_some() {
        return Some(Transport::unix());
    }
    let tls = plan
        .tls
        .as_ref()
        .map(|t| TlsConfiguration::Rustls(t.config.clone()));
    match (tls, plan.ws_path.is_some()) {
        (None, false) => None,
        (Some(t), false) => Some(Transport::tls_with_config(t)),
        (None, true) => Some(Transport::Ws),
        (Some(t), true) => Some(Transport::wss_with_config(t)),
    }
}

/// `--tls-server-name`: the SNI rumqttc sends, and the name the certificate is checked against.
pub(super) fn server_name(plan: &ConnectPlan) -> Option<String> {
    plan.tls.as_ref().and_then(|t| t.server_name.clone())
}

/// rumqttc's socket connector for a dialer: TLS and websockets then run over the stream it
/// opens, for the first connect and every reconnect.
pub(super) fn connector(dialer: Dialer) -> SocketConnector {
    Arc::new(move |host, port| {
        let dialer = dialer.clone();
        Box::pin(async move {
            let stream = dialer.dial(&host, port).await?;
            Ok(Box::new(stream) as Box<dyn AsyncReadWrite>)
        })
    })
}
