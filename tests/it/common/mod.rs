//! What the integration tests share: the mosquitto fixture, running `mq` and reading its
//! output, TCP proxies, a SOCKS5 proxy, aedes and amqtt, certificates, a websocket bridge, and the capture and transfer helpers.
//!
//! Areas `use crate::common::*;` for the broker, process and proxy helpers, and name the
//! narrower ones by their module (`crate::common::pki::Pki`).

pub mod broker;
pub mod capture;
pub mod others;
pub mod pki;
pub mod process;
pub mod proxy;
pub mod raw;
pub mod socks;
pub mod transfer;
pub mod wsbridge;

pub use broker::{Broker, Config};
pub use process::*;
pub use proxy::*;
