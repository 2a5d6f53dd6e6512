//! Option values typed by users: URLs, durations, ports, QoS, session expiry. No input panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mq::options::{parse_duration, parse_port, parse_qos, parse_session_expiry, parse_url};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(u) = parse_url(s) {
        assert!(!u.host.is_empty());
    }
    let _ = parse_duration(s);
    let _ = parse_port(s);
    let _ = parse_qos(s);
    let _ = parse_session_expiry(s);
});
