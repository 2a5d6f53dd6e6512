//! File names a sender chooses (`transfer::names`): whatever the bytes, a name `check_name`
//! accepts is one plain, visible file in the save directory, and the name made of a raw
//! message's topic is always accepted.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mq::output::escape::hides_or_reorders;
use mq::transfer::names;
use std::path::{Component, Path};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if names::check_name(s).is_ok() {
        assert!(!s.is_empty() && s.len() <= 200);
        assert!(!s.starts_with('.'), "hidden: {s:?}");
        assert!(
            !s.chars().any(|c| c.is_control() || hides_or_reorders(c)),
            "{s:?}"
        );
        let joined = Path::new("/save").join(s);
        let parts: Vec<_> = joined.components().collect();
        assert_eq!(parts.len(), 3, "{s:?} leaves the directory");
        assert!(matches!(parts[2], Component::Normal(_)), "{s:?}");
    }
    let from_topic = names::from_topic(s);
    assert_eq!(
        names::check_name(&from_topic),
        Ok(()),
        "{s:?} -> {from_topic:?}"
    );
});
