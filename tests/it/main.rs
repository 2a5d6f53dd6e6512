//! mq's integration tests, one module per area: each test starts a real mosquitto on a free
//! loopback port (`common::broker`) and runs the real `mq` binary against it, the way a user
//! would. One test crate links the library and its dependencies once.
//!
//! `tests/alloc.rs` stays a crate of its own: it installs a counting global allocator.

mod common;

mod bad_input;
mod bench;
mod bridge;
mod capture;
mod capture_service;
mod check;
mod check_tls;
mod compat;
mod conditions;
mod connection_flags;
mod credentials;
mod dial;
#[cfg(feature = "serve")]
mod embedded;
mod errors;
mod exec;
mod field;
mod format;
mod generated;
mod hostile;
mod other_brokers;
mod output;
mod profiles;
mod pubsub;
// The README's examples include `mq serve` and `--embedded`.
#[cfg(feature = "serve")]
mod readme;
mod reconnect;
mod replay;
mod rr;
#[cfg(feature = "serve")]
mod serve;
mod tls;
mod tls_matrix;
mod topics;
mod transfer;
mod transfer_frames;
mod v5;
mod websockets;
