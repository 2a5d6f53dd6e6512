//! Chunked-transfer frames come from the network: decoding any bytes never panics, and a
//! decoded header's data slice lies inside the input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(Some((_header, body))) = mq::transfer::frame::decode(data) {
        assert!(body.len() <= data.len());
    }
});
