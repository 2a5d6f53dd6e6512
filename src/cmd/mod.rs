//! One module per subcommand: each turns its arguments into a plan, drives a `Session` and hands
//! results to `output`.

pub mod bench;
pub mod publish;
pub mod subscribe;
