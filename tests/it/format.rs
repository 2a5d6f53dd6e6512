//! `mq sub -F` side by side with `mosquitto_sub -F`, one table of templates.
//!
//! Every case gets its own pair of persistent sessions (`-c -i ID -q 1 -E`, as in compat.rs),
//! created before the messages are published, so mosquitto_sub and mq receive the same
//! messages in the same order; each pair is then drained with the case's template, over MQTT
//! 3.1.1 and MQTT 5. Outputs are compared byte for byte, except:
//! - time fields (`%I %U @...`): digits are masked on both sides, the rest must match;
//! - `%j`/`%J`: the `tst` value is masked (mosquitto 2.0.11 writes `...Z+0000`, fixed in 2.0.13);
//! - the message expiry counts down while the test runs: values near 3600 are masked;
//! - where mosquitto is wrong (`%x` with a width, `%-p` without one, `%j` on binary, widths on
//!   multi-byte topics) mq's output is checked against the correct text instead.

use crate::common::*;
use std::process::{Command, Output};

/// Published once, before the drains: (topic, payload, MQTT 5 properties as -D arguments).
fn messages() -> Vec<(&'static str, Vec<u8>, Vec<&'static str>)> {
    let props = vec![
        "payload-format-indicator",
        "1",
        "content-type",
        "text/plain",
        "response-topic",
        "resp/topic",
        "correlation-data",
        "corr",
        "user-property",
        "k1",
        "v1",
        "user-property",
        "k1",
        "v2",
        "user-property",
        "k2",
        "v 3",
        "message-expiry-interval",
        "3600",
    ];
    vec![
        ("f/text", b"hello world".to_vec(), props),
        ("f/empty", Vec::new(), vec![]),
        (
            "f/long",
            b"the quick brown fox jumps over the lazy dog".to_vec(),
            vec![],
        ),
        ("f/bin", b"a\0b\xff\xfe\n".to_vec(), vec![]),
        (
            "j/obj",
            br#"{"a": 27.0, "b": [1, "x", true], "c": null, "d": {"e": -1.5e3}}"#.to_vec(),
            vec!["content-type", "application/json"],
        ),
        ("j/text", b"say \"hi\"\tnow\\ /".to_vec(), vec![]),
        ("j/empty", Vec::new(), vec![]),
        ("j/num", b"1e3".to_vec(), vec![]),
        (
            "j/numbers",
            b"[-0, 3.141592653589793, 2147483648, 0.1e1, 5e-324, 1E+2, 12.5e-3]".to_vec(),
            vec![],
        ),
        (
            "j/strings",
            br#"{"k": "a\tb\u0001c\u00e9\ud83d\ude00\/", "k": [], "": {}}"#.to_vec(),
            vec![],
        ),
        (
            "u/\u{fc}n\u{ef} space",
            "\u{e9}t\u{e9}".as_bytes().to_vec(),
            vec![],
        ),
    ]
}

#[derive(Clone, Copy)]
enum Check {
    /// Byte-for-byte the same as mosquitto_sub.
    Same,
    /// The same once every ASCII digit is masked (time fields).
    Digits,
    /// The same once JSON `tst` values are masked.
    Tst,
    /// mosquitto is wrong here: mq must print exactly this.
    Ours(&'static [u8]),
}

struct Case {
    format: &'static str,
    /// Extra flags for both tools.
    flags: &'static [&'static str],
    filter: &'static str,
    check: Check,
}

const fn case(format: &'static str) -> Case {
    Case {
        format,
        flags: &[],
        filter: "f/#",
        check: Check::Same,
    }
}

const fn with(format: &'static str, filter: &'static str, check: Check) -> Case {
    Case {
        format,
        flags: &[],
        filter,
        check,
    }
}

fn cases() -> Vec<Case> {
    vec![
        // Every specifier on its own.
        case("%t %p"),
        case("%p"),
        case("%x"),
        case("%X"),
        case("%l"),
        case("%m"),
        case("%q"),
        case("%r"),
        case("%%"),
        case("%5%|%-%|%.2%|%-03.1%"),
        case("literal text only"),
        case(""),
        // Widths, precisions, padding.
        case("[%15p][%-15p][%015p][%5p]"),
        case("[%20t][%-20t][%.3t][%4.2t][%020t]"),
        case("[%10.10t][%20.10t][%-20.10t]"),
        case("[%5l][%-5l][%05l][%3q][%3r][%5m]"),
        case("[%02l][%2l][%-2l]"),
        case("[%-12p]"),
        case("[%.20t][%.0t][%.t]"),
        case("[%-05l][%-05p]"),
        case("[%00p][%.2p][%5.2l]"),
        case("[%-40p]|[%060p]"),
        // MQTT 5 properties: present on MQTT 5, absent (padding rules) on 3.1.1.
        case("[%A][%5A][%05A]"),
        case("[%C][%2C][%10.4C][%-10C]"),
        case("[%D]"),
        case("[%E][%8E][%-8E|][%08E]"),
        case("[%F][%3F][%03F][%-3F]"),
        case("[%P]"),
        case("[%R][%5R][%-12.4R]"),
        case("[%S][%4S][%04S]"),
        case("%t %C %D %E %F %P %R %S %A"),
        // Escapes and literals.
        case(r"\\ \a \t \v \r end"),
        case(r"a\nb %t"),
        case(r"%t\0%p"),
        case(r"\e[1m%t\e[0m %p"),
        case("@@ %% text, with spaces"),
        case("%-20t|%x|%5l"),
        // JSON.
        with("%j", "j/#", Check::Tst),
        with("%J", "j/#", Check::Tst),
        with("%t %J %l", "j/#", Check::Tst),
        with("%j|%l", "f/text", Check::Tst),
        with("%J", "f/empty", Check::Tst),
        Case {
            flags: &["--pretty"],
            ..with("%j", "j/#", Check::Tst)
        },
        Case {
            flags: &["--pretty"],
            ..with("%J", "j/#", Check::Tst)
        },
        // Time fields.
        with("%I", "f/#", Check::Digits),
        with("%U", "f/#", Check::Digits),
        with("@Y-@m-@dT@H:@M:@S.@N", "f/#", Check::Digits),
        with("[%30I][%-30I][%.10I]", "f/#", Check::Digits),
        with("@s @j @y @e @% @F @T", "f/#", Check::Digits),
        with("%I %t %U", "f/#", Check::Digits),
        // Options that change the frame.
        Case {
            flags: &["-N"],
            ..case("%t:%l;")
        },
        Case {
            flags: &["-v"],
            ..case("%t")
        },
        // mosquitto 2.0 prints half the bytes when %x has a width: mq prints them all.
        with("[%18x]", "f/bin", Check::Ours(b"[      610062fffe0a]\n")),
        with("[%-18X]", "f/bin", Check::Ours(b"[610062FFFE0A      ]\n")),
        with("[%4x][%012x]", "f/bin", Check::Ours(b"[610062fffe0a][610062fffe0a]\n")),
        // mosquitto pads `%-p`/`%-x` without a width with one space per payload byte.
        with(
            "[%-p][%-x][%-0X]",
            "f/text",
            Check::Ours(b"[hello world][68656c6c6f20776f726c64][68656C6C6F20776F726C64]\n"),
        ),
        // mosquitto cuts %j at the NUL and writes invalid UTF-8 raw: mq writes the bytes.
        with(
            "%j",
            "f/bin",
            Check::Ours(b"{\"tst\":\"T\",\"topic\":\"f/bin\",\"qos\":1,\"retain\":0,\"payloadlen\":6,\"mid\":MID,\"payload\":[97,0,98,255,254,10]}\n"),
        ),
        // mosquitto pads and cuts by bytes, splitting characters: mq counts characters.
        with(
            "[%14t][%.4t][%5p]",
            "u/#",
            Check::Ours("[   u/\u{fc}n\u{ef} space][u/\u{fc}n][\u{e9}t\u{e9}]\n".as_bytes()),
        ),
    ]
}

/// Bad templates: mosquitto_sub exits 1, mq exits 2 naming the bad sequence.
const BAD: &[(&str, &str)] = &[
    ("%", "'%'"),
    ("%0", "'%0'"),
    ("%-", "'%-'"),
    ("%1", "'%1'"),
    ("%.", "'%.'"),
    ("%.1", "'%.1'"),
    ("%Z", "'%Z'"),
    ("%d", "'%d'"),
    ("%0-5t", "'%0-'"),
    ("ok %5.3", "'%5.3'"),
    ("@", "'@'"),
    ("\\", "'\\'"),
    ("\\Z", "'\\Z'"),
    ("%t \\x41", "'\\x'"),
];

const TZ: &str = "MQT+3:30";

fn session<'a>(id: &'a str, version: &'a str, filter: &'a str) -> Vec<&'a str> {
    vec!["-c", "-i", id, "-q", "1", "-V", version, "-t", filter]
}

/// Replace the value of every JSON `"tst"` key with `"T"`, and mids with `MID` (`Ours` only).
fn mask_tst(s: &[u8]) -> Vec<u8> {
    let s = String::from_utf8_lossy(s);
    let mut out = String::new();
    let mut rest = &s[..];
    while let Some(i) = rest.find("\"tst\":") {
        let (head, tail) = rest.split_at(i + 6);
        out.push_str(head);
        let sep = if tail.starts_with('\t') { "\t" } else { "" };
        let tail = &tail[sep.len()..];
        let end = tail[1..].find('"').map_or(tail.len(), |e| e + 2);
        out.push_str(sep);
        out.push_str("\"T\"");
        rest = &tail[end..];
    }
    out.push_str(rest);
    out.into_bytes()
}

/// The message expiry counts down between the two drains: mask values a few seconds off.
fn mask_expiry(s: &[u8]) -> Vec<u8> {
    let mut s = String::from_utf8_lossy(s).into_owned();
    for n in 3550..=3600 {
        s = s.replace(&n.to_string(), "EXP");
    }
    s.into_bytes()
}

fn mask_digits(s: &[u8]) -> Vec<u8> {
    s.iter()
        .map(|&b| if b.is_ascii_digit() { b'#' } else { b })
        .collect()
}

fn mask_mid(s: &[u8]) -> Vec<u8> {
    let s = String::from_utf8_lossy(s);
    match s.find("\"mid\":") {
        Some(i) => {
            let tail = &s[i + 6..];
            let end = tail
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(tail.len());
            format!("{}\"mid\":MID{}", &s[..i], &tail[end..]).into_bytes()
        }
        None => s.into_owned().into_bytes(),
    }
}

fn show(b: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(&b[..b.len().min(400)]))
}

#[test]
fn format_templates_match_mosquitto_sub() {
    let b = Broker::start();
    let cases = cases();
    let versions = ["311", "5"];
    // (case, version, mosquitto id, mq id)
    let runs: Vec<(usize, &str, String, String)> = (0..cases.len())
        .flat_map(|i| versions.iter().map(move |v| (i, *v)))
        .map(|(i, v)| (i, v, format!("mosq-{i}-{v}"), format!("mq-{i}-{v}")))
        .collect();

    // 1. Create every session, a few at a time.
    std::thread::scope(|s| {
        for chunk in runs.chunks(runs.len().div_ceil(4)) {
            let (b, cases) = (&b, &cases);
            s.spawn(move || {
                for (i, v, mosq, mq) in chunk {
                    let filter = cases[*i].filter;
                    let mut args = session(mosq, v, filter);
                    args.push("-E");
                    let out = run(mosquitto_sub(b, &args), b"", LIMIT);
                    assert!(out.status.success(), "mosquitto_sub -E: {}", stderr(&out));
                    let mut args = session(mq, v, filter);
                    args.push("-E");
                    let out = run(mq_on(b, "sub", &args), b"", LIMIT);
                    assert!(out.status.success(), "mq sub -E: {}", stderr(&out));
                }
            });
        }
    });

    // 2. Publish, MQTT 5 with properties, while every subscriber is away.
    for (n, (topic, payload, props)) in messages().iter().enumerate() {
        let f = temp_file(b.dir(), &format!("m{n}"), payload);
        let mut c = Command::new("mosquitto_pub");
        c.args(["-h", "127.0.0.1", "-p", &b.port.to_string(), "-V", "5"])
            .args(["-q", "1", "-t", topic, "-f", f.to_str().unwrap()]);
        let mut rest = &props[..];
        while !rest.is_empty() {
            let n = if rest[0] == "user-property" { 3 } else { 2 };
            c.args(["-D", "publish"]).args(&rest[..n]);
            rest = &rest[n..];
        }
        let out = run(c, b"", LIMIT);
        assert!(out.status.success(), "mosquitto_pub: {}", stderr(&out));
    }
    let count = |filter: &str| {
        messages()
            .iter()
            .filter(|(t, _, _)| match filter.strip_suffix('#') {
                Some(prefix) => t.starts_with(prefix),
                None => *t == filter,
            })
            .count()
            .to_string()
    };

    // 3. Drain each pair with the case's template.
    let results: Vec<(usize, &str, Output, Output)> = std::thread::scope(|s| {
        let handles: Vec<_> = runs
            .chunks(runs.len().div_ceil(4))
            .map(|chunk| {
                let (b, cases, count) = (&b, &cases, &count);
                s.spawn(move || {
                    let mut done = Vec::new();
                    for (i, v, mosq, mq) in chunk {
                        let c = &cases[*i];
                        let n = count(c.filter);
                        let mut theirs_args = session(mosq, v, c.filter);
                        theirs_args.extend(["-C", &n, "-W", "10", "-F", c.format]);
                        theirs_args.extend(c.flags);
                        let mut our_args = session(mq, v, c.filter);
                        our_args.extend(["-C", &n, "-W", "10", "-F", c.format]);
                        our_args.extend(c.flags);
                        // Local time 3h30 behind UTC (a POSIX TZ rule: no tz database needed),
                        // so time fields exercise a negative, non-whole-hour offset.
                        let mut theirs = mosquitto_sub(b, &theirs_args);
                        theirs.env("TZ", TZ);
                        let mut ours = mq_on(b, "sub", &our_args);
                        ours.env("TZ", TZ);
                        let theirs = run(theirs, b"", LIMIT);
                        let ours = run(ours, b"", LIMIT);
                        done.push((*i, *v, theirs, ours));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a drain thread"))
            .collect()
    });

    // 4. Compare, collecting every failure before reporting.
    let mut failures = Vec::new();
    for (i, v, theirs, ours) in &results {
        let c = &cases[*i];
        let what = format!("-V {v} -F {:?} {:?} on {}", c.format, c.flags, c.filter);
        if code(ours) != 0 || code(theirs) != 0 {
            failures.push(format!(
                "{what}: exit mq {} ({}), mosquitto_sub {} ({})",
                code(ours),
                stderr(ours),
                code(theirs),
                stderr(theirs)
            ));
            continue;
        }
        if theirs.stdout.is_empty() {
            failures.push(format!("{what}: mosquitto_sub printed nothing"));
        }
        if std::env::var_os("MQ_TEST_SHOW").is_some() {
            eprintln!(
                "{what}\n  mosquitto_sub {}\n  mq            {}",
                show(&theirs.stdout),
                show(&ours.stdout)
            );
        }
        let (want, got) = match c.check {
            Check::Same => (mask_expiry(&theirs.stdout), mask_expiry(&ours.stdout)),
            Check::Digits => (mask_digits(&theirs.stdout), mask_digits(&ours.stdout)),
            Check::Tst => (
                mask_expiry(&mask_tst(&theirs.stdout)),
                mask_expiry(&mask_tst(&ours.stdout)),
            ),
            Check::Ours(expected) => {
                if theirs.stdout == expected {
                    failures.push(format!("{what}: mosquitto_sub is right after all"));
                }
                (expected.to_vec(), mask_mid(&mask_tst(&ours.stdout)))
            }
        };
        if want != got {
            failures.push(format!(
                "{what}:\n   want {}\n   mq   {}",
                show(&want),
                show(&got)
            ));
        }
    }
    assert!(
        results.len() >= 100,
        "only {} comparisons ran",
        results.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} comparisons failed:\n{}",
        failures.len(),
        results.len(),
        failures.join("\n")
    );
}

#[test]
fn bad_templates_are_rejected_at_startup_naming_the_sequence() {
    // No broker: the template is checked before connecting (port 9 is never contacted).
    for (format, names) in BAD {
        let theirs = run(
            {
                let mut c = Command::new("mosquitto_sub");
                c.args(["-h", "127.0.0.1", "-p", "9", "-t", "x", "-F", format]);
                c
            },
            b"",
            LIMIT,
        );
        assert_eq!(code(&theirs), 1, "mosquitto_sub -F {format:?} is rejected");
        assert!(
            stderr(&theirs).starts_with("Error: "),
            "{}",
            stderr(&theirs)
        );
        let ours = run(
            mq_args(&["sub", "-h", "127.0.0.1", "-p", "9", "-t", "x", "-F", format]),
            b"",
            LIMIT,
        );
        let err = stderr(&ours);
        assert_eq!(code(&ours), 2, "-F {format:?}: {err}");
        assert_eq!(err.lines().count(), 1, "-F {format:?}: one line: {err}");
        assert!(
            err.starts_with("mq: invalid -F format: ") && err.contains(names),
            "-F {format:?} should name {names}: {err}"
        );
        assert!(ours.stdout.is_empty());
    }
}
