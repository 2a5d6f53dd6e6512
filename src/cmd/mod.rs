//! One module per subcommand: each turns its arguments into a plan, drives a `Session` and hands
//! results to `output`.

pub mod bench;
pub mod capture;
pub mod check;
pub mod config;
pub mod docs;
pub mod publish;
pub mod save;
pub mod serve;
pub mod subscribe;
