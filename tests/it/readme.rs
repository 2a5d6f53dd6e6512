//! The README's shell examples, run as written: every command of every ```sh block runs in bash
//! against a mosquitto from the fixture, the way a new user would type it on a fresh machine.
//!
//! The examples use the default host and port, so `MQ_HOST`/`MQ_PORT` point them at the
//! broker; the only rewrites are the README's placeholder broker name (`broker.local`, which
//! becomes 127.0.0.1) and the fixed port of one `mq serve` line. `HOME` is an empty directory
//! (a command that writes into `~/.config/mq` must create it), and the working directory holds
//! the files a user would bring (`frame.jpg`, `db.tar.gz`, `readings.txt`, ...). A subscriber
//! gets a publisher, a command that reads stdin gets two lines, and a command that runs until
//! Ctrl-C gets one after a short while.
//!
//! A command passes when it does not fail with a usage error (2), cannot-reach (3) or refused
//! (4), does not panic, and ends: by itself within `LIMIT`, or within `STOP_LIMIT` of Ctrl-C
//! when it is one that runs until stopped. `SKIP` lists the few that cannot run here, each with
//! its reason; an entry that no longer matches a README command fails the test, so the list
//! cannot go stale.

use crate::common::*;
use std::fs::File;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a command that runs until Ctrl-C runs before it gets one.
const RUN_FOR: Duration = Duration::from_millis(1500);
/// How long it may take to stop after Ctrl-C.
const STOP_LIMIT: Duration = Duration::from_secs(10);
/// Messages a subscriber's publisher sends at most, and how far apart.
const PARTNER_MESSAGES: u32 = 40;
const PARTNER_EVERY: Duration = Duration::from_millis(200);

enum Match {
    /// The command, without its comment, is exactly this.
    Is(&'static str),
    /// The command contains this.
    Has(&'static str),
}

/// README commands that cannot run here, and why.
const SKIP: &[(Match, &str)] = &[
    (
        Match::Is("cargo install --path ."),
        "builds mq in release (fat LTO: minutes) and installs it into ~/.cargo/bin",
    ),
    (
        Match::Has("cargo run --release -- check --embedded"),
        "a release build; `mq check --embedded` further down is the same command",
    ),
    (
        Match::Is("scripts/test.sh"),
        "the test command runs this test",
    ),
    (
        Match::Has("--cafile ca.crt"),
        "a TLS broker whose certificate names broker.local (tests/it/tls.rs covers these flags \
         with generated certificates)",
    ),
    (
        Match::Has("mqtt.example.com"),
        "a cloud broker over TLS with a public certificate",
    ),
    (
        Match::Has("--profile home"),
        "the profile names a TLS broker, broker.local, with its CA in ~/certs",
    ),
    (
        Match::Has("MQ_PROFILE=cloud"),
        "the profile names a cloud broker over TLS, mqtt.example.com",
    ),
    (Match::Has("rpicam-still -o - |"), "a camera"),
    (
        Match::Has("mq bridge --from mqtt://pi.local"),
        "two brokers on other machines (tests/it/bridge.rs runs bridges between two fixture brokers)",
    ),
    (
        Match::Has("sudo "),
        "installs into /usr/local and /etc/systemd, and needs systemd",
    ),
    (Match::Is("mq serve"), "listens on port 1883"),
    (
        Match::Has("--bind 0.0.0.0:1883"),
        "listens on port 1883 of every interface",
    ),
    (
        Match::Has("--tls-cert cert.pem --tls-key key.pem --ws 8080"),
        "listens on ports 1883 and 8080",
    ),
    (
        Match::Has("-h 10.0.0.1,10.0.0.2,10.0.0.3"),
        "three brokers on other machines",
    ),
    (
        Match::Has("-h broker.example -p 8883"),
        "a TLS broker with a real name",
    ),
    (
        Match::Has("for h in load1 load2 load3"),
        "ssh to three load machines (their merge runs on stand-in results)",
    ),
    (
        Match::Has("mq bench merge /results/"),
        "a Kubernetes job's shared volume",
    ),
];

/// Commands that need something first: (the command contains, a shell command run before it).
const BEFORE: &[(&str, &str)] = &[
    // The results the ssh loop above would have copied back.
    (
        "mq bench merge load1.json",
        "for h in load1 load2 load3; do mq bench -c 1 -L 200 -t \"bench/$h/%i\" --prefix \"$h\" \
         --json --quiet > \"$h.json\" || exit; done",
    ),
];

/// Subscribers whose publisher sends something particular, and what their stdout must then
/// show: (the command contains, `mq pub` arguments, expected in stdout).
const PARTNERS: &[(&str, &[&str], &str)] = &[
    (
        "--save-dir ./images",
        &["-t", "images/cam1", "-f", "frame.jpg"],
        "./images/cam1.jpg",
    ),
    // The conditions and CI recipes: readings that match (a miss would wait out -W).
    (
        "sub -t sensors/temp",
        &["-t", "sensors/temp", "-m", r#"{"temp": 31.5}"#],
        r#"{"temp": 31.5}"#,
    ),
    (
        "--grep 'ERROR|FATAL'",
        &["-t", "logs/app", "-m", "ERROR disk full"],
        "logs/app ERROR disk full",
    ),
    // The rr smoke test: its own responder answers; nothing else may publish on svc/upper.
    (
        "mq rr -t svc/upper",
        &["-t", "ci/unrelated", "-m", "x"],
        "HELLO",
    ),
    (
        "'site/#' --where",
        &["-t", "site/door/alarm", "-m", r#"{"level": 2}"#],
        r#"{"level": 2}"#,
    ),
];

/// One command of a ```sh block.
struct Example {
    /// README line where it starts.
    line: usize,
    command: String,
}

#[test]
fn every_shell_example_in_the_readme_runs() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let examples = examples(&readme);
    assert!(
        examples.len() > 50,
        "only {} examples found",
        examples.len()
    );
    for (m, why) in SKIP {
        assert!(
            examples.iter().any(|e| matches(m, &e.command)),
            "SKIP entry ({why}) matches no README command: remove it"
        );
    }
    let toml = block(&readme, "toml").expect("the README's profile example");

    let broker = Broker::start();
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    user_files(work.path());
    let serve_port = crate::common::broker::free_port().to_string();

    let mut failures = Vec::new();
    let (mut ran, mut skipped) = (0, 0);
    for e in &examples {
        if let Some((_, why)) = SKIP.iter().find(|(m, _)| matches(m, &e.command)) {
            eprintln!("SKIPPED README:{} {}: {why}", e.line, e.command);
            skipped += 1;
            continue;
        }
        if e.command.contains("| man ") && !installed("man") {
            eprintln!(
                "SKIPPED README:{} {}: man is not installed",
                e.line, e.command
            );
            skipped += 1;
            continue;
        }
        let command = e
            .command
            .replace("broker.local", "127.0.0.1")
            .replace("127.0.0.1:1884", &format!("127.0.0.1:{serve_port}"));
        if command.contains("--profile") || command.contains("MQ_PROFILE") {
            // A user writes the profile file by hand: the README's example of it.
            let dir = home.path().join(".config/mq");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("config.toml"), &toml).unwrap();
        }
        ran += 1;
        let started = Instant::now();
        match run_example(&broker, home.path(), work.path(), &command) {
            Ok(how) => eprintln!(
                "ran README:{} {}: {how} after {:.1?}",
                e.line,
                without_comment(&e.command),
                started.elapsed()
            ),
            Err(why) => failures.push(format!("README:{}: {}\n  {why}", e.line, e.command)),
        }
    }
    eprintln!("{ran} README commands ran, {skipped} skipped");
    assert!(
        failures.is_empty(),
        "{} README commands failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Run one command and judge it: how it ended, or what went wrong.
fn run_example(broker: &Broker, home: &Path, work: &Path, command: &str) -> Result<String, String> {
    for (needle, before) in BEFORE {
        if command.contains(needle) {
            let out = wait(
                bash(broker, home, work, before, &work.join("before")),
                LIMIT,
            )?;
            if out.code != 0 {
                return Err(format!("its setup `{before}` failed: {}", out.stderr));
            }
        }
    }
    let agent = command
        .contains("mq capture --request")
        .then(|| request_partner(broker, work));
    let partner = PARTNERS.iter().find(|(n, _, _)| command.contains(n));
    let publisher = match (partner, topic_of(command)) {
        (Some((_, args, _)), _) => Some(Publisher::start(broker, work, args)),
        (None, Some(topic)) if command.contains("mq sub") => Some(Publisher::start(
            broker,
            work,
            &["-t", &topic, "-m", r#"{"t":21.5}"#],
        )),
        _ => None,
    };
    let limit = if runs_until_stopped(command) {
        RUN_FOR
    } else {
        LIMIT
    };
    let out = wait(bash(broker, home, work, command, &work.join("out")), limit);
    drop(publisher);
    if let Some(mut agent) = agent {
        let _ = agent.child.kill();
        let _ = agent.child.wait();
    }
    let out = out?;
    if out.stderr.contains("panicked") {
        return Err(format!("panicked: {}", out.stderr));
    }
    match out.code {
        2 => return Err(format!("usage error (exit 2): {}", out.stderr)),
        3 | 4 => {
            return Err(format!(
                "did not connect (exit {}): {}",
                out.code, out.stderr
            ))
        }
        0 => {}
        130 | 143 if out.interrupted => {}
        // -W running out, or a round trip slower than --max-latency on a loaded machine, is the
        // command's answer, not a fault of the example.
        27 if command.contains(" -W ") => {}
        6 if command.contains("--max-latency") => {}
        c => return Err(format!("exit {c}: {}", out.stderr)),
    }
    if let Some((_, _, want)) = partner {
        if !out.stdout.contains(want) {
            return Err(format!("stdout lacks '{want}': {}", out.stdout));
        }
    }
    Ok(match out.interrupted {
        true => format!("exit {} on Ctrl-C", out.code),
        false => format!("exit {}", out.code),
    })
}

/// The commands of every ```sh block, in order: comment lines and blank lines left out, a line
/// ending in `\` joined with the next, and a `for ... done` loop taken whole.
fn examples(readme: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut in_sh = false;
    let mut pending: Option<Example> = None;
    for (i, line) in readme.lines().enumerate() {
        if line.starts_with("```") {
            in_sh = !in_sh && line.trim() == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let text = line.trim();
        if let Some(mut e) = pending.take() {
            e.command.push('\n');
            e.command.push_str(line);
            let open = e.command.ends_with('\\')
                || (e.command.starts_with("for ") && !text.starts_with("done"));
            match open {
                true => pending = Some(e),
                false => out.push(e),
            }
            continue;
        }
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let e = Example {
            line: i + 1,
            command: line.to_string(),
        };
        if text.ends_with('\\') || text.starts_with("for ") {
            pending = Some(e);
        } else {
            out.push(e);
        }
    }
    out.extend(pending);
    out
}

/// The first fenced block of `lang`.
fn block(readme: &str, lang: &str) -> Option<String> {
    let start = readme.find(&format!("```{lang}\n"))? + lang.len() + 4;
    let len = readme[start..].find("```")?;
    Some(readme[start..start + len].to_string())
}

fn matches(m: &Match, command: &str) -> bool {
    match m {
        Match::Is(s) => without_comment(command) == *s,
        Match::Has(s) => command.contains(s),
    }
}

/// The command without a trailing `# comment` (a `#` after a blank, outside quotes).
fn without_comment(command: &str) -> &str {
    let mut quote = None;
    let mut prev = ' ';
    for (i, c) in command.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if prev.is_whitespace() => return command[..i].trim(),
            _ => {}
        }
        prev = c;
    }
    command.trim()
}

/// A topic the command's first `-t` filter matches (`sensors/#` -> `sensors/kitchen`).
fn topic_of(command: &str) -> Option<String> {
    let words: Vec<&str> = without_comment(command).split_whitespace().collect();
    let at = words.iter().position(|w| *w == "-t")?;
    let filter = words.get(at + 1)?.trim_matches(|c| c == '\'' || c == '"');
    Some(
        filter
            .split('/')
            .map(|level| match level {
                "#" | "+" => "kitchen",
                l => l,
            })
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// Whether the command runs until it is stopped: a subscriber without `-C`/`-E`, a broker, an
/// agent, a watch (`check --interval`, `topics --watch`), a stream from `tail -f`, a timed load
/// test, a long listening window.
fn runs_until_stopped(command: &str) -> bool {
    let c = without_comment(command);
    (c.contains("mq sub") && !c.contains(" -C ") && !c.contains(" -E"))
        || c.contains("mq serve")
        || (c.contains("mq capture") && !c.contains("--request"))
        || c.contains("--interval")
        || c.contains("tail -f")
        || (c.contains("mq bench") && c.contains("--duration"))
        || (c.contains("mq topics") && (c.contains("--watch") || c.contains(" -W 30s")))
}

fn installed(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// What a user has in the directory they type the examples in.
fn user_files(dir: &Path) {
    let jpeg = crate::common::capture::jpeg(20_000);
    std::fs::write(dir.join("frame.jpg"), &jpeg).unwrap();
    let mut gz = b"\x1f\x8b\x08\x00".to_vec();
    gz.extend(crate::common::transfer::data(600_000, 3));
    std::fs::write(dir.join("db.tar.gz"), gz).unwrap();
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend([0u8; 60]);
    std::fs::write(dir.join("tiny.png"), png).unwrap();
    let log: String = (0..20_000)
        .map(|i| format!("{i} GET /index.html 200\n"))
        .collect();
    std::fs::write(dir.join("big.log"), log).unwrap();
    std::fs::write(dir.join("app.log"), "started\nlistening on :8080\n").unwrap();
    let readings: String = (0..100)
        .map(|i| format!("{{\"t\":2{}.5}}\n", i % 10))
        .collect();
    std::fs::write(dir.join("readings.txt"), readings).unwrap();
    let pw = dir.join("pw.txt");
    std::fs::write(&pw, "s3cret\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// `bash -c COMMAND` as a user's shell would run it, in a process group of its own (what
/// Ctrl-C reaches), output into `out.stdout`/`out.stderr`, two lines on stdin.
fn bash(broker: &Broker, home: &Path, work: &Path, command: &str, out: &Path) -> Shell {
    let bin = Path::new(env!("CARGO_BIN_EXE_mq")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut c = Command::new("bash");
    // pipefail: an mq failing inside a pipeline must fail the example.
    c.args(["-c", &format!("set -o pipefail\n{command}")])
        .current_dir(work)
        .env("PATH", path)
        .env("HOME", home)
        .env("MQ_HOST", "127.0.0.1")
        .env("MQ_PORT", broker.port.to_string())
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("NO_COLOR")
        .process_group(0);
    for (k, _) in std::env::vars() {
        if k.starts_with("MQ_") && k != "MQ_HOST" && k != "MQ_PORT" {
            c.env_remove(k);
        }
    }
    let (stdout, stderr) = (out.with_extension("stdout"), out.with_extension("stderr"));
    c.stdin(Stdio::piped())
        .stdout(File::create(&stdout).unwrap())
        .stderr(File::create(&stderr).unwrap());
    let mut child = c.spawn().expect("bash");
    let mut input = child.stdin.take().unwrap();
    std::thread::spawn(move || {
        use std::io::Write;
        let _ = input.write_all(b"first line\nsecond line\n");
    });
    Shell {
        child,
        stdout,
        stderr,
    }
}

struct Shell {
    child: std::process::Child,
    stdout: std::path::PathBuf,
    stderr: std::path::PathBuf,
}

struct Ran {
    code: i32,
    /// It got Ctrl-C after `limit`.
    interrupted: bool,
    stdout: String,
    stderr: String,
}

/// Wait up to `limit`; then Ctrl-C (SIGINT to the group) and `STOP_LIMIT` more when
/// `limit` is `RUN_FOR`, else it hangs: SIGKILL and `Err`.
fn wait(mut shell: Shell, limit: Duration) -> Result<Ran, String> {
    let group = shell.child.id();
    let deadline = Instant::now() + limit;
    let mut interrupted = false;
    let mut stop_by = None;
    let status = loop {
        if let Some(st) = shell.child.try_wait().unwrap() {
            break st;
        }
        let now = Instant::now();
        if stop_by.is_some_and(|t| now > t) || (now > deadline && limit != RUN_FOR) {
            signal_group(group, "KILL");
            let _ = shell.child.wait();
            let err = std::fs::read_to_string(&shell.stderr).unwrap_or_default();
            return Err(match interrupted {
                true => format!("still running {STOP_LIMIT:?} after Ctrl-C: {err}"),
                false => format!("still running after {limit:?}: {err}"),
            });
        }
        if now > deadline && !interrupted {
            signal_group(group, "INT");
            interrupted = true;
            stop_by = Some(now + STOP_LIMIT);
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // What the command left running in its group (a pipeline's other half) goes too.
    signal_group(group, "KILL");
    Ok(Ran {
        // A shell killed by the Ctrl-C reports it the way an interactive one would: 128 + signal.
        code: status
            .code()
            .or(status.signal().map(|s| 128 + s))
            .unwrap_or(-1),
        interrupted,
        stdout: std::fs::read_to_string(&shell.stdout).unwrap_or_default(),
        stderr: std::fs::read_to_string(&shell.stderr).unwrap_or_default(),
    })
}

fn signal_group(group: u32, signal: &str) {
    let _ = Command::new("kill")
        .args(["-s", signal, "--", &format!("-{group}")])
        .stderr(Stdio::null())
        .status();
}

/// Publishes to a subscriber under test, every `PARTNER_EVERY`, at most `PARTNER_MESSAGES`
/// times, until dropped.
struct Publisher {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Publisher {
    fn start(broker: &Broker, work: &Path, args: &[&str]) -> Publisher {
        let stop = Arc::new(AtomicBool::new(false));
        let mut cmd: Vec<String> = broker.conn();
        cmd.insert(0, "pub".into());
        cmd.extend(args.iter().map(|a| a.to_string()));
        let (flag, work) = (stop.clone(), work.to_path_buf());
        let thread = std::thread::spawn(move || {
            for _ in 0..PARTNER_MESSAGES {
                std::thread::sleep(PARTNER_EVERY);
                if flag.load(Ordering::Relaxed) {
                    return;
                }
                let mut c = mq();
                c.args(&cmd).current_dir(&work);
                run(c, b"", Duration::from_secs(5));
            }
        });
        Publisher {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The camera agent a `mq capture --request` talks to, with the user's frame.jpg as the camera.
fn request_partner(broker: &Broker, work: &Path) -> Running {
    let mut c = mq_on(
        broker,
        "capture",
        &[
            "--trigger",
            "camera/capture",
            "--match",
            "capture_image",
            "--topic",
            "camera/image",
            "--file",
            "frame.jpg",
            "-d",
        ],
    );
    c.current_dir(work);
    Running::until(c, "received SUBACK")
}
