//! `mq check` reads the certificate a TLS server presents before anything verifies it: reading
//! any bytes never panics, and what it reads back is at most as long as the input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(info) = mq::cmd::check::x509::parse(data) {
        assert!(info.subject.len() <= 3 * data.len());
        assert!(info.names.len() <= data.len());
    }
});
