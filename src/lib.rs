//! mq: MQTT from the shell. The binary (`main.rs`) is a thin shell around these modules; they
//! are a library so that benchmarks and fuzz targets can reach the pure parts (topic checks,
//! option parsing, output rendering).
//!
//! Data flows one way: args (`cli`) -> plan (`options`) -> `session` -> command (`cmd`) ->
//! `output`.

#[cfg(feature = "serve")]
pub mod broker;
pub mod cli;
pub mod cmd;
pub mod credentials;
pub mod docs;
pub mod exit;
pub mod matcher;
pub mod options;
pub mod output;
pub mod profile;
pub mod properties;
pub mod session;
pub mod tls;
pub mod topic;
pub mod transfer;
