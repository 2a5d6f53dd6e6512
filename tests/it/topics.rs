//! `mq topics`: the inventory matches what was published, the tree rolls counts up, the JSON
//! schema is pinned, `--retained-only` ends by itself, `--clear-retained` is safe, `--watch`
//! draws on a terminal and ends cleanly at Ctrl-C.

use crate::common::*;
use serde_json::Value;
use std::process::Command;
use std::time::{Duration, Instant};

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {} / {}", stdout(out), stderr(out)))
}

fn topic<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["topic"] == name)
        .unwrap_or_else(|| panic!("no {name} in {doc}"))
}

fn mosquitto_pub_file(b: &Broker, topic: &str, data: &[u8], retain: bool) {
    let mut c = Command::new("mosquitto_pub");
    c.args(b.conn()).args(["-t", topic, "-f"]);
    c.arg(temp_file(b.dir(), "payload", data));
    if retain {
        c.arg("-r");
    }
    assert!(run(c, b"", LIMIT).status.success());
}

#[test]
fn the_inventory_matches_what_was_published() {
    let b = Broker::start();
    publish(&b, &["-t", "home/temp", "-m", "21.5", "-r", "-q", "1"]);
    publish(&b, &["-t", "home/cfg", "-m", "{\"on\":true}", "-r"]);
    mosquitto_pub_file(&b, "cam/frame", b"a\0b\xff", true);
    let mut c = mq_on(&b, "topics", &["-q", "2", "-W", "3", "--json", "-d"]);
    c.env("LANG", "C");
    let running = Running::until(c, "received SUBACK");
    for i in 0..3 {
        publish(
            &b,
            &["-t", "live/counter", "-m", &format!("n{i}"), "-q", "2"],
        );
    }
    publish(&b, &["-t", "live/empty", "-n"]);
    let out = running.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["topic_count"], 5, "{doc}");
    assert_eq!(doc["message_count"], 7, "{doc}");
    let t = topic(&doc, "home/temp");
    assert_eq!(
        (&t["retained"], &t["qos"], &t["messages"]),
        (&Value::from(true), &Value::from(1), &Value::from(1))
    );
    assert_eq!(
        (&t["kind"], &t["payload"]),
        (&Value::from("json"), &Value::from("21.5"))
    );
    assert_eq!(topic(&doc, "home/cfg")["kind"], "json");
    let bin = topic(&doc, "cam/frame");
    assert_eq!(
        (&bin["kind"], &bin["payload"], &bin["payload_encoding"]),
        (
            &Value::from("binary"),
            &Value::from("610062ff"),
            &Value::from("hex")
        )
    );
    let live = topic(&doc, "live/counter");
    assert_eq!(
        (
            &live["messages"],
            &live["live_messages"],
            &live["retained"],
            &live["qos"]
        ),
        (
            &Value::from(3),
            &Value::from(3),
            &Value::from(false),
            &Value::from(2)
        )
    );
    assert_eq!(
        (&live["payload"], &live["bytes"], &live["last_bytes"]),
        (&Value::from("n2"), &Value::from(6), &Value::from(2))
    );
    assert!(live["rate"].as_f64().unwrap() > 0.0);
    let empty = topic(&doc, "live/empty");
    assert_eq!(
        (&empty["kind"], &empty["payload"]),
        (&Value::from("empty"), &Value::from(""))
    );
}

#[test]
fn the_json_schema_is_stable_and_documented() {
    let b = Broker::start();
    publish(&b, &["-t", "s/a", "-m", "x", "-r"]);
    let out = run(
        mq_on(&b, "topics", &["--retained-only", "--json"]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = json(&out);
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let top = [
        "filters",
        "message_count",
        "qos",
        "retained_only",
        "topic_count",
        "topics",
        "truncated",
        "uncounted_messages",
        "window_s",
    ];
    let record = [
        "age_s",
        "bytes",
        "kind",
        "last_bytes",
        "live_messages",
        "messages",
        "payload",
        "payload_encoding",
        "payload_truncated",
        "qos",
        "rate",
        "retained",
        "topic",
    ];
    assert_eq!(keys(&doc), top);
    assert_eq!(keys(&doc["topics"][0]), record);
    // Every field is in the README's schema.
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for k in top.iter().chain(&record) {
        assert!(
            readme.contains(&format!("`{k}`")),
            "README does not document `{k}`"
        );
    }
    // --ndjson: the same records, one per line.
    let out = run(
        mq_on(&b, "topics", &["--retained-only", "--ndjson"]),
        b"",
        LIMIT,
    );
    let line: Value = serde_json::from_str(stdout(&out).lines().next().unwrap()).unwrap();
    assert_eq!(keys(&line), record);
}

#[test]
fn the_tree_rolls_counts_up_to_parents() {
    let b = Broker::start();
    for t in ["plant/a/temp", "plant/a/hum", "plant/b", "other"] {
        publish(&b, &["-t", t, "-m", "1", "-r"]);
    }
    let out = run(mq_on(&b, "topics", &["--retained-only"]), b"", LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let msgs = |prefix: &str| -> u64 {
        let line = text
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no '{prefix}' row in:\n{text}"));
        line[prefix.len()..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(msgs("plant "), 3, "{text}");
    assert_eq!(msgs("├── a "), 2, "{text}");
    assert_eq!(msgs("│   ├── hum "), 1, "{text}");
    assert_eq!(msgs("└── b "), 1, "{text}");
    assert_eq!(msgs("other "), 1, "{text}");
    assert!(text.contains("(3 topics)"), "{text}");
    assert!(
        text.contains("\n4 retained topics, 4 messages in "),
        "{text}"
    );
}

#[test]
fn retained_only_ends_by_itself_and_live_traffic_is_left_out() {
    let b = Broker::start();
    publish(&b, &["-t", "r/kept", "-m", "v", "-r"]);
    let started = Instant::now();
    let mut c = mq_on(&b, "topics", &["--retained-only", "--flat", "-d"]);
    c.env("LANG", "C");
    let running = Running::until(c, "received SUBACK");
    publish(&b, &["-t", "r/live", "-m", "not retained"]);
    let out = running.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    let text = stdout(&out);
    assert!(
        text.contains("r/kept") && !text.contains("r/live"),
        "{text}"
    );
}

#[test]
fn network_strings_cannot_drive_the_terminal() {
    let b = Broker::start();
    // (mosquitto refuses control characters in topics; reordering characters pass.)
    publish(
        &b,
        &["-t", "t/\u{202e}evil", "-m", "line1\nline2\tend", "-r"],
    );
    publish(&b, &["-t", "t/esc", "-m", "a\x1b[2Jb", "-r"]);
    let out = run(
        mq_on(&b, "topics", &["--retained-only", "--flat"]),
        b"",
        LIMIT,
    );
    let text = stdout(&out);
    assert!(
        !text.contains('\x1b') && !text.contains('\u{202e}'),
        "{text:?}"
    );
    assert!(text.contains("t/\\u{202e}evil"), "{text}");
    assert!(text.contains("line1\\nline2\\tend"), "{text}");
    assert!(text.contains("hex:611b5b324a62"), "{text}");
    assert_eq!(text.lines().count(), 4, "{text}");
}

#[test]
fn max_topics_caps_the_rows_and_says_so() {
    let b = Broker::start();
    for i in 0..8 {
        publish(&b, &["-t", &format!("cap/{i}"), "-m", "x", "-r"]);
    }
    let out = run(
        mq_on(
            &b,
            "topics",
            &["--retained-only", "--json", "--max-topics", "5"],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(
        (
            &doc["topic_count"],
            &doc["truncated"],
            &doc["uncounted_messages"]
        ),
        (&Value::from(5), &Value::from(true), &Value::from(3))
    );
    assert!(
        stderr(&out).contains("--max-topics 5 reached"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_few_thousand_topics_are_all_counted() {
    let b = Broker::start();
    let mut fill = mq_args(&[
        "bench",
        "pub",
        "-c",
        "2",
        "-L",
        "3000",
        "-t",
        "many/%i/%s",
        "-r",
    ]);
    fill.args(b.conn());
    let out = run(fill, b"", LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The broker stores them as it reads them: wait until a snapshot sees them all.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = run(
            mq_on(&b, "topics", &["-t", "many/#", "--retained-only", "--json"]),
            b"",
            LIMIT,
        );
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let n = json(&out)["topic_count"].as_u64().unwrap();
        if n == 3000 {
            break;
        }
        assert!(Instant::now() < deadline, "{n} of 3000 topics");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn clear_retained_dry_run_changes_nothing_and_yes_leaves_none() {
    let b = Broker::start();
    for t in ["old/a", "old/b/c", "keep/x"] {
        publish(&b, &["-t", t, "-m", "v", "-r"]);
    }
    let dry = run(
        mq_on(
            &b,
            "topics",
            &["-t", "old/#", "--clear-retained", "--dry-run", "--flat"],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&dry), 0, "{}", stderr(&dry));
    assert!(stdout(&dry).contains("old/b/c"), "{}", stdout(&dry));
    assert!(
        stderr(&dry).contains("2 retained messages under old/# would be cleared"),
        "{}",
        stderr(&dry)
    );
    let count = |filter: &str| {
        let out = run(
            mq_on(&b, "topics", &["-t", filter, "--retained-only", "--json"]),
            b"",
            LIMIT,
        );
        json(&out)["topic_count"].as_u64().unwrap()
    };
    assert_eq!(count("#"), 3);

    // In a pipe, without --yes: refused before connecting.
    let refused = run(
        mq_on(&b, "topics", &["-t", "old/#", "--clear-retained"]),
        b"y\n",
        LIMIT,
    );
    assert_eq!(code(&refused), 2, "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("add --yes"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(count("#"), 3);

    let yes = run(
        mq_on(&b, "topics", &["-t", "old/#", "--clear-retained", "--yes"]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&yes), 0, "{}", stderr(&yes));
    assert!(
        stderr(&yes).contains("cleared 2 retained messages under old/#; none is left"),
        "{}",
        stderr(&yes)
    );
    assert_eq!(count("old/#"), 0);
    assert_eq!(count("keep/#"), 1);
}

#[test]
fn clear_retained_names_what_the_acl_kept() {
    let acl = "user admin\ntopic readwrite #\n\nuser dave\ntopic read #\ntopic readwrite open/#\n";
    let b = Broker::with(
        Config::default()
            .users(&[("admin", "pw"), ("dave", "pw")])
            .acl(acl),
    );
    for t in ["open/1", "open/2", "locked/1"] {
        publish(&b, &["-u", "admin", "-P", "pw", "-t", t, "-m", "v", "-r"]);
    }
    for (version, want) in [("311", 1), ("5", 5)] {
        let out = run(
            mq_on(
                &b,
                "topics",
                &[
                    "-u",
                    "dave",
                    "-P",
                    "pw",
                    "-V",
                    version,
                    "--clear-retained",
                    "--yes",
                ],
            ),
            b"",
            LIMIT,
        );
        let err = stderr(&out);
        assert_eq!(code(&out), want, "-V {version}: {err}");
        assert!(
            err.contains("retained messages under # remain after clearing: 'locked/1' (hint"),
            "-V {version}: {err}"
        );
        publish(
            &b,
            &["-u", "admin", "-P", "pw", "-t", "open/1", "-m", "v", "-r"],
        );
    }
}

#[test]
fn watch_redraws_on_a_terminal_and_ctrl_c_prints_the_final_table() {
    let b = Broker::start();
    publish(&b, &["-t", "w/retained", "-m", "r", "-r"]);
    // SIGINT after 2.5s, as Ctrl-C would; --preserve-status gives mq's own exit code.
    let cmd = format!(
        "timeout --preserve-status -s INT 2.5 {} topics -h 127.0.0.1 -p {} --watch",
        env!("CARGO_BIN_EXE_mq"),
        b.port
    );
    let mut c = Command::new("script");
    c.args(["-qefc", &cmd, "/dev/null"]);
    for (k, _) in std::env::vars() {
        if k.starts_with("MQ_") {
            c.env_remove(k);
        }
    }
    let out = run(c, b"", LIMIT);
    let screen = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
    assert_eq!(code(&out), 0, "{screen:?} {}", stderr(&out));
    let redraws = screen.matches("\x1b[H\x1b[2J").count();
    // A redraw each second and the final table.
    assert!(redraws >= 2, "{redraws}: {screen:?}");
    assert!(screen.contains("(Ctrl-C to stop)"), "{screen:?}");
    let last = screen.rsplit("\x1b[H\x1b[2J").next().unwrap();
    assert!(
        last.starts_with("TOPIC") && last.contains("w/retained"),
        "{last:?}"
    );
    assert!(last.contains("1 topic, 1 message in"), "{last:?}");
}

#[test]
fn clear_retained_asks_on_a_terminal() {
    let b = Broker::start();
    publish(&b, &["-t", "ask/a", "-m", "v", "-r"]);
    let cmd = format!(
        "{} topics -h 127.0.0.1 -p {} -t 'ask/#' --clear-retained",
        env!("CARGO_BIN_EXE_mq"),
        b.port
    );
    let count = || {
        let out = run(
            mq_on(&b, "topics", &["-t", "ask/#", "--retained-only", "--json"]),
            b"",
            LIMIT,
        );
        json(&out)["topic_count"].as_u64().unwrap()
    };
    // The answer waits in the terminal's input until mq asks, after its snapshot.
    let no = typed_at_terminal(&format!("{cmd}; echo rc=$?"), "n");
    let screen = stdout(&no);
    assert!(
        screen.contains("Clear these 1 retained messages under ask/#? [y/N]"),
        "{screen:?}"
    );
    assert!(
        screen.contains("not confirmed: nothing was cleared") && screen.contains("rc=1"),
        "{screen:?}"
    );
    assert_eq!(count(), 1);
    let yes = typed_at_terminal(&format!("{cmd}; echo rc=$?"), "y");
    let screen = stdout(&yes);
    assert!(
        screen.contains("none is left") && screen.contains("rc=0"),
        "{screen:?}"
    );
    assert_eq!(count(), 0);
}
