//! `-F` templates: parsing any string never panics, and a template that parses renders any
//! message (binary payload, v5 properties) without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mq::output::Template;
use mq::session::{Message, Properties, Qos};

fuzz_target!(|data: &[u8]| {
    // First byte splits the input: template text, then the payload.
    let Some((&split, rest)) = data.split_first() else { return };
    let at = (split as usize).min(rest.len());
    let (template, payload) = rest.split_at(at);
    let Ok(template) = std::str::from_utf8(template) else { return };
    let Ok(t) = Template::parse(template) else { return };
    let props = Properties {
        content_type: Some(String::from_utf8_lossy(payload).into_owned()),
        correlation_data: Some(bytes::Bytes::copy_from_slice(payload)),
        user_properties: vec![("k".into(), "v".into())],
        subscription_identifiers: vec![payload.len()],
        message_expiry_interval: Some(payload.len() as u32),
        ..Default::default()
    };
    let m = Message {
        topic: String::from_utf8_lossy(payload).into_owned(),
        payload: bytes::Bytes::copy_from_slice(payload),
        qos: Qos::from_u8(split % 3).unwrap_or_default(),
        retain: split & 1 == 1,
        pkid: split as u16,
        properties: (split & 2 == 2).then_some(props),
    };
    let mut out = Vec::new();
    t.render(&mut out, &m, None, split & 4 == 4);
});
