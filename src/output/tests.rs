//! Rendering tests that need no broker: templates, plain lines, JSON.

use super::format::Template;
use super::json;
use super::plain::Plain;
use super::time::Stamp;
use super::PayloadFormat;
use crate::session::{Message, Properties, Qos};
use bytes::Bytes;
use std::time::{Duration, UNIX_EPOCH};

fn msg(topic: &str, payload: &[u8]) -> Message {
    Message {
        topic: topic.into(),
        payload: Bytes::copy_from_slice(payload),
        qos: Qos::AtMostOnce,
        retain: false,
        pkid: 0,
        properties: None,
    }
}

fn v5(topic: &str, payload: &[u8]) -> Message {
    let mut m = msg(topic, payload);
    m.qos = Qos::AtLeastOnce;
    m.retain = true;
    m.pkid = 7;
    m.properties = Some(Properties {
        payload_format_indicator: Some(1),
        message_expiry_interval: Some(3600),
        topic_alias: None,
        response_topic: Some("resp/topic".into()),
        correlation_data: Some(Bytes::from_static(b"corr")),
        user_properties: vec![("k1".into(), "v1".into()), ("k1".into(), "v2".into())],
        subscription_identifiers: vec![56],
        content_type: Some("application/json".into()),
    });
    m
}

fn stamp() -> Stamp {
    Stamp::at(UNIX_EPOCH + Duration::new(1_795_549_239, 293_019_704), true)
}

fn render(fmt: &str, m: &Message) -> String {
    let t = Template::parse(fmt).unwrap_or_else(|e| panic!("{fmt}: {e}"));
    let mut out = Vec::new();
    t.render(&mut out, m, Some(&stamp()), false);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn templates_render_like_mosquitto() {
    let a = msg("fmt/a", b"hello world");
    let mut q1 = msg("fmt/a", b"hello world");
    q1.qos = Qos::AtLeastOnce;
    q1.retain = true;
    q1.pkid = 1;
    let cases: &[(&str, &Message, &str)] = &[
        ("[%15p][%-15p][%015p][%5p]", &a, "[    hello world][hello world    ][0000hello world][hello]"),
        ("[%20t][%-20t][%.3t][%4.2t][%020t]", &a, "[               fmt/a][fmt/a               ][fmt][  fm][               fmt/a]"),
        ("[%5l][%-5l][%05l][%3q][%3r][%5m]", &q1, "[   11][11   ][00011][1][1][    1]"),
        ("%x|%X", &msg("t", b"\x00\xab"), "00ab|00AB"),
        ("[%30x]", &a, "[        68656c6c6f20776f726c64]"),
        ("[%-24x][%4x]", &a, "[68656c6c6f20776f726c64  ][68656c6c6f20776f726c64]"),
        ("%%|@@|\\\\|\\t|\\e|\\0", &a, "%|@|\\|\t|\x1b|\0"),
        ("%5%|%-.2%", &a, "%|%"),
        ("%I|%.10I|%U|@Y-@m-@d @H:@M:@S.@N", &a, "2026-11-24T19:40:39+0000|2026-11-24|1795549239.293019704|2026-11-24 19:40:39.293019704"),
        ("[%5A][%05E][%2C][%R][%D][%P][%S]", &a, "[     ][00000][  ][][][][]"),
        ("[%10.4C] [%-12.4R] [%8E] [%-8E|] [%08E] [%F] [%S] [%D] [%P]", &v5("t", b"x"), "[      appl] [resp        ] [    3600] [3600    |] [00003600] [1] [56] [corr] [k1:v1 k1:v2]"),
        ("%t ünï %3.1t|%-4t|", &msg("ü/ß", b""), "ü/ß ünï   ü|ü/ß |"),
        ("%p%l", &msg("t", b""), "0"),
    ];
    for (fmt, m, want) in cases {
        assert_eq!(render(fmt, m), *want, "{fmt}");
    }
}

#[test]
fn bad_templates_name_the_sequence() {
    let cases = [
        ("%", "'%'"),
        ("ab%0", "'%0'"),
        ("%-", "'%-'"),
        ("%1", "'%1'"),
        ("%.", "'%.'"),
        ("%.1", "'%.1'"),
        ("x%Z", "'%Z' at column 2"),
        ("%d", "'%d'"),
        ("%0-5t", "'%0-'"),
        ("@", "'@'"),
        ("\\", "'\\'"),
        ("\\Z", "'\\Z'"),
        ("@é", "'@é'"),
        ("%65536p", "'%65536p'"),
        ("%.99999999999999999999999t", "'%.99999999999999999999999t'"),
    ];
    for (fmt, names) in cases {
        let e = Template::parse(fmt).expect_err(fmt).to_string();
        assert!(e.contains(names), "{fmt}: {e}");
    }
    for ok in [
        "%-05t", "%00t", "%5.3q", "%.t", "@Z", "plain", "", "%65535p",
    ] {
        assert!(Template::parse(ok).is_ok(), "{ok}");
    }
}

#[test]
fn json_escapes_and_never_truncates() {
    let m = msg("a\"b", b"a\0b\"\\\n\x01\x7f/\xc3\xa9");
    let out = render("%j", &m);
    assert_eq!(
        out,
        "{\"tst\":\"2026-11-24T19:40:39.293019+0000\",\"topic\":\"a\\\"b\",\"qos\":0,\"retain\":0,\
         \"payloadlen\":11,\"payload\":\"a\\u0000b\\\"\\\\\\n\\u0001\x7f/é\"}"
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["payload"].as_str().unwrap().len(), 11);
    // Not UTF-8: an array of the byte values, still valid JSON.
    let out = render("%j", &msg("t", b"a\xff"));
    assert!(out.ends_with("\"payload\":[97,255]}"), "{out}");
    assert_eq!(
        render("%j", &msg("t", b"")).rsplit_once(':').unwrap().1,
        "null}"
    );
}

#[test]
fn json_embedded_and_pretty_like_cjson() {
    let m = msg(
        "t",
        b" {\"a\": [1, 27.0, 1e3, 0.1, -5, \"x\\u0041\"], \"b\": {}} ",
    );
    let out = render("%J", &m);
    assert!(
        out.ends_with("\"payload\":{\"a\":[1,27,1000,0.1,-5,\"xA\"],\"b\":{}}}"),
        "{out}"
    );
    let t = Template::parse("%J").unwrap();
    let mut out = Vec::new();
    let r = t.render(&mut out, &msg("t", b"{\"a\""), Some(&stamp()), false);
    assert!(r.not_json && out.is_empty());
    let mut out = Vec::new();
    t.render(&mut out, &v5("t", b"[1,2]"), Some(&stamp()), true);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "{\n\t\"tst\":\t\"2026-11-24T19:40:39.293019+0000\",\n\t\"topic\":\t\"t\",\n\t\"qos\":\t1,\
         \n\t\"retain\":\t1,\n\t\"payloadlen\":\t5,\n\t\"mid\":\t7,\n\t\"properties\":\t{\
         \n\t\t\"subscription-identifier\":\t56,\n\t\t\"payload-format-indicator\":\t1,\
         \n\t\t\"content-type\":\t\"application/json\",\n\t\t\"response-topic\":\t\"resp/topic\",\
         \n\t\t\"correlation-data\":\t\"corr\",\n\t\t\"user-properties\":\t{\
         \n\t\t\t\"k1\":\t\"v1\",\n\t\t\t\"k1\":\t\"v2\"\n\t\t},\
         \n\t\t\"message-expiry-interval\":\t3600\n\t},\n\t\"payload\":\t[1, 2]\n}"
    );
}

#[test]
fn cjson_numbers() {
    let cases = [
        ("3.14159", "3.14159"),
        ("1e300", "1e+300"),
        ("0.00001", "1e-05"),
        ("12345678901", "12345678901"),
        ("0.1", "0.1"),
        ("-0.0", "-0"),
        ("2147483648", "2147483648"),
        // cJSON quirk, kept: 15 digits overflow to inf, which compares "close".
        ("1.7976931348623157e308", "1.79769313486232e+308"),
        ("123456.789", "123456.789"),
    ];
    for (input, want) in cases {
        let mut out = Vec::new();
        assert!(json::reformat(
            &mut out,
            input.as_bytes(),
            json::Style::Tabs
        ));
        assert_eq!(String::from_utf8(out).unwrap(), want, "{input}");
    }
}

#[test]
fn base64_matches_rfc4648() {
    for (input, want) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ] {
        let mut out = Vec::new();
        json::base64(&mut out, input.as_bytes());
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }
}

#[test]
fn ndjson_record_is_exact_and_valid() {
    let mut out = Vec::new();
    let m = v5("t/ü", b"\x00\xff\xfe bin");
    json::record(&mut out, &m, &stamp(), true, false);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["time"], "2026-11-24T19:40:39.293Z");
    assert_eq!(v["topic"], "t/ü");
    assert_eq!(v["qos"], 1);
    assert_eq!(v["retain"], true);
    assert_eq!(v["mid"], 7);
    assert_eq!(v["payload_length"], 7);
    assert_eq!(v["payload_encoding"], "base64");
    assert_eq!(v["payload"], "AP/+IGJpbg==");
    assert_eq!(v["properties"]["user_properties"][1][1], "v2");
    assert_eq!(v["properties"]["subscription_identifiers"][0], 56);
    let mut pretty = Vec::new();
    json::record(&mut pretty, &msg("t", b"hi"), &stamp(), true, true);
    let text = String::from_utf8(pretty).unwrap();
    assert!(text.starts_with("{\n  \"time\": \""), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["payload_encoding"], "utf-8");
    assert!(v.get("mid").is_none() && v.get("properties").is_none());
}

fn plain(verbose: bool, format: Option<PayloadFormat>, tty: bool, color: bool) -> Plain {
    Plain {
        verbose,
        eol: true,
        pretty: false,
        format,
        tty,
        palette: color.then(|| {
            colored::control::set_override(true);
            super::term::Palette::new()
        }),
        timestamp: None,
    }
}

#[test]
fn plain_lines() {
    let bin = msg("t/a", b"a\0b\xff");
    let cases: &[(Plain, &Message, &[u8])] = &[
        (
            plain(false, None, false, false),
            &msg("t/a", b"hello"),
            b"hello\n",
        ),
        (
            plain(true, None, false, false),
            &msg("t/a", b"hello"),
            b"t/a hello\n",
        ),
        (plain(false, None, false, false), &msg("t/a", b""), b""),
        (
            plain(true, None, false, false),
            &msg("t/a", b""),
            b"t/a (null)\n",
        ),
        (plain(false, None, false, false), &bin, b"a\0b\xff\n"),
        (plain(false, None, true, false), &bin, b"610062ff\n"),
        (
            plain(false, Some(PayloadFormat::Raw), true, false),
            &bin,
            b"a\0b\xff\n",
        ),
        (
            plain(false, Some(PayloadFormat::Text), false, false),
            &bin,
            b"a\\x00b\\xff\n",
        ),
        (
            plain(false, Some(PayloadFormat::Hex), false, false),
            &bin,
            b"610062ff\n",
        ),
        (
            plain(false, Some(PayloadFormat::Base64), false, false),
            &bin,
            b"YQBi/w==\n",
        ),
        (
            plain(false, Some(PayloadFormat::Json), false, false),
            &msg("t", b"{ \"a\" : 1 }"),
            b"{\"a\":1}\n",
        ),
        (
            plain(false, Some(PayloadFormat::Json), false, false),
            &msg("t", b"hi \"x\""),
            b"\"hi \\\"x\\\"\"\n",
        ),
        (
            plain(true, None, true, true),
            &msg("t/a", b"x"),
            b"\x1b[1;36mt/a\x1b[0m \x1b[2mq0\x1b[0m x\n",
        ),
    ];
    for (p, m, want) in cases {
        let mut out = Vec::new();
        p.render(&mut out, m);
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(want),
            "{p:?}"
        );
    }
    let mut p = plain(false, None, false, false);
    p.pretty = true;
    let mut out = Vec::new();
    p.render(&mut out, &msg("t", b"{\"a\":[1,2],\"b\":{}}"));
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}\n"
    );
}

#[test]
fn finding_8_topics_and_payloads_cannot_drive_the_terminal() {
    let evil = msg(
        "esc/\x1b]0;PWNED\x07\x1b[2J/\u{202e}x",
        b"harmless\rEVIL \x1b[2J",
    );
    let render = |p: Plain| {
        let mut out = Vec::new();
        p.render(&mut out, &evil);
        String::from_utf8_lossy(&out).into_owned()
    };
    // Piped: the topic's control characters are escaped (mosquitto refuses such a topic),
    // its bidi character and the payload are the bytes received.
    assert_eq!(
        render(plain(true, None, false, false)),
        "esc/\\x1b]0;PWNED\\x07\\x1b[2J/\u{202e}x harmless\rEVIL \x1b[2J\n"
    );
    // On a terminal everything is escaped; a payload with ESC is binary, shown as hex.
    assert_eq!(
        render(plain(true, None, true, false)),
        "esc/\\x1b]0;PWNED\\x07\\x1b[2J/\\u{202e}x 6861726d6c6573730d4556494c201b5b324a\n"
    );
    let text = msg("t", "over\rwrite \u{202e}txt.exe\tok\n".as_bytes());
    let mut out = Vec::new();
    plain(false, None, true, false).render(&mut out, &text);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "over\\x0dwrite \\u{202e}txt.exe\tok\n\n"
    );
    // -F: %t always loses control characters; on a terminal %p is escaped text.
    let t = Template::parse("%t|%p").unwrap();
    let mut out = Vec::new();
    t.render(&mut out, &evil, None, false);
    assert_eq!(
        String::from_utf8_lossy(&out),
        "esc/\\x1b]0;PWNED\\x07\\x1b[2J/\u{202e}x|harmless\rEVIL \x1b[2J"
    );
    let t = t.for_terminal(true);
    let mut out = Vec::new();
    t.render(&mut out, &evil, None, false);
    assert_eq!(
        String::from_utf8_lossy(&out),
        "esc/\\x1b]0;PWNED\\x07\\x1b[2J/\\u{202e}x|harmless\\x0dEVIL \\x1b[2J"
    );
}

#[test]
fn finding_22_json_writes_line_separators_escaped() {
    let mut out = Vec::new();
    json::string(&mut out, "line\u{2028}sep\u{2029}end \u{2027}");
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "\"line\\u2028sep\\u2029end \u{2027}\""
    );
    assert_eq!(
        json::separators_escaped(serde_json::json!({"a": "x\u{2028}"}).to_string()),
        r#"{"a":"x\u2028"}"#
    );
}
