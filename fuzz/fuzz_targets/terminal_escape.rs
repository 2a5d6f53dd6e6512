//! Network strings shown on a terminal: whatever the bytes, the escaped text is UTF-8 with no
//! control character and no bidi/format character left (tab and newline only in payload text).
#![no_main]
use libfuzzer_sys::fuzz_target;
use mq::output::escape::{self, Escape};

fn inert(s: &str, layout: bool) -> bool {
    !s.chars().any(|c| {
        (c.is_control() && !(layout && matches!(c, '\t' | '\n'))) || escape::hides_or_reorders(c)
    })
}

fuzz_target!(|data: &[u8]| {
    let mut out = Vec::new();
    escape::push(&mut out, data, Escape::All);
    assert!(inert(
        std::str::from_utf8(&out).expect("escaped text is UTF-8"),
        false
    ));
    out.clear();
    escape::push_text(&mut out, data);
    assert!(inert(
        std::str::from_utf8(&out).expect("escaped text is UTF-8"),
        true
    ));
    if let Ok(s) = std::str::from_utf8(data) {
        assert!(inert(&escape::shown(s), false));
    }
});
