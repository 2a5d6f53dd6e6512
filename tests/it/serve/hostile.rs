//! `mq serve` against hostile and careless clients, one test per finding of the security
//! review: an unauthenticated client cannot pin memory nor hold a connection past the connect
//! timeout (5), connections past `--max-connections` get a CONNACK refusal (5), out of file
//! descriptors the broker backs off and keeps serving the clients it has (6), and the hop from
//! the front listener to rumqttd is no port another process could take or reach (port race).

use super::fixture::Serve;
use crate::common::LIMIT;
use crate::common::{run, stderr, stdout, Running};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// True when the peer closed `so` within `limit` (EOF or reset), false when it still waits.
fn closed_within(so: &mut TcpStream, limit: Duration) -> bool {
    so.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 64];
    loop {
        match so.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return false
            }
            Err(_) => return true,
        }
    }
}

/// A /proc/PID/status field in KiB (VmRSS, ...).
fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

/// User and system CPU time of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which may hold spaces): state is the first, utime the 12th.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[test]
fn finding_5_a_connect_announcing_more_than_64_kib_is_refused_before_it_is_read() {
    let s = Serve::start(&["-u", "alice", "-P", "S3rve-Pw"]);
    let before = status_kib(s.child.id(), "VmRSS");
    // What s_preauth.py does: a CONNECT announcing 16 MiB, and a first MiB of it.
    let mut peers: Vec<TcpStream> = (0..32)
        .map(|_| {
            let mut so = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
            let _ = so.write_all(&[0x10, 0xff, 0xff, 0xff, 0x07]);
            let _ = so.write_all(&vec![0u8; 1 << 20]);
            so
        })
        .collect();
    for so in &mut peers {
        assert!(
            closed_within(so, Duration::from_secs(5)),
            "a 16 MiB CONNECT was not refused"
        );
    }
    let grown = status_kib(s.child.id(), "VmRSS").saturating_sub(before);
    assert!(grown < 32 << 10, "mq serve grew by {grown} KiB");
    // A client that plays by the rules is still served.
    let out = run(
        s.on(
            "pub",
            &["-u", "alice", "-P", "S3rve-Pw", "-t", "t", "-m", "m"],
        ),
        b"",
        LIMIT,
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn finding_5_tls_websocket_and_connect_share_one_connect_timeout() {
    let s = Serve::start(&["--ws", &crate::common::broker::free_port().to_string()]);
    let ws_port: u16 = s
        .line
        .split("ws://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no ws port in {}", s.line));
    let start = Instant::now();
    let mut so = TcpStream::connect(("127.0.0.1", ws_port)).unwrap();
    // A slow websocket handshake, then a CONNECT that never comes: once the deadline of the
    // accept is reached, the connection goes (each step used to get 10 s of its own).
    std::thread::sleep(Duration::from_secs(6));
    so.write_all(
        b"GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
          Sec-WebSocket-Protocol: mqtt\r\n\r\n",
    )
    .unwrap();
    assert!(closed_within(&mut so, Duration::from_secs(9)));
    let took = start.elapsed();
    assert!(
        took < Duration::from_secs(12),
        "the connection was held {took:?}"
    );
}

#[test]
fn finding_5_connections_past_max_connections_are_refused_with_a_connack() {
    let s = Serve::start(&["--max-connections", "2"]);
    let mut idle: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(("127.0.0.1", s.port)).unwrap())
        .collect();
    // Both slots taken (accepted, CONNECT pending): the next client is told, in a CONNACK.
    std::thread::sleep(Duration::from_millis(300));
    let out = run(s.on("pub", &["-t", "t", "-m", "m"]), b"", LIMIT);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("busy"), "{}", stderr(&out));
    let out = mosquitto_pub_311(s.port);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unavailable"),
        "{out:?}"
    );
    // A slot freed is a slot served.
    idle.pop();
    let deadline = Instant::now() + LIMIT;
    loop {
        let out = run(s.on("pub", &["-t", "t", "-m", "m"]), b"", LIMIT);
        if out.status.success() {
            break;
        }
        assert!(Instant::now() < deadline, "{}", stderr(&out));
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// mosquitto_pub with MQTT 3.1.1, which mosquitto's clients default to.
fn mosquitto_pub_311(port: u16) -> std::process::Output {
    std::process::Command::new("mosquitto_pub")
        .args(["-V", "311", "-p", &port.to_string(), "-t", "t", "-m", "m"])
        .output()
        .unwrap()
}

#[test]
fn finding_6_out_of_file_descriptors_the_broker_backs_off_and_keeps_serving() {
    let mut s = Serve::start_with_fd_limit(64, &["--max-connections", "1000"]);
    let pid = s.child.id();
    let sub = s.sub_until_subscribed(&["-t", "f6", "-C", "1"]);
    let mut publisher = s.on("pub", &["-t", "f6", "-l", "-d"]);
    let mut publisher = {
        publisher.stdout(std::process::Stdio::null());
        Running::until_keep_stdout(publisher, "CONNACK")
    };
    // More idle connections than descriptors left: accept fails with EMFILE.
    let idle: Vec<TcpStream> = (0..100)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", s.port)).ok())
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let ticks = cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(2));
    let spent = cpu_ticks(pid) - ticks;
    // A spinning accept loop takes a whole core: 200 ticks in 2 s at 100 Hz.
    assert!(spent < 50, "mq serve used {spent} ticks in 2 s");
    // The clients it has are still served.
    publisher
        .stdin
        .as_mut()
        .unwrap()
        .write_all(b"still here\n")
        .unwrap();
    let out = sub.finish(LIMIT);
    assert_eq!(stdout(&out), "still here\n", "{}", stderr(&out));
    let out = publisher.finish(LIMIT);
    assert!(out.status.success(), "{}", stderr(&out));
    // Descriptors freed: new clients are served again.
    drop(idle);
    let deadline = Instant::now() + LIMIT;
    loop {
        let out = run(s.on("pub", &["-t", "t", "-m", "m"]), b"", LIMIT);
        if out.status.success() {
            break;
        }
        assert!(Instant::now() < deadline, "{}", stderr(&out));
        std::thread::sleep(Duration::from_millis(200));
    }
    let log = s.stop();
    let warnings = log.matches("accept failed").count();
    assert!(
        (1..=5).contains(&warnings),
        "{warnings} accept warnings:\n{log}"
    );
}

/// The inodes of the TCP sockets `pid` listens on.
fn listening_sockets(pid: u32) -> Vec<String> {
    let ours: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter_map(|l| {
            let l = l.to_string_lossy().into_owned();
            Some(l.strip_prefix("socket:[")?.strip_suffix(']')?.to_string())
        })
        .collect();
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .flat_map(|t| {
            t.lines()
                .skip(1)
                .filter_map(|l| {
                    let cols: Vec<&str> = l.split_whitespace().collect();
                    (cols.get(3) == Some(&"0A")).then(|| cols.get(9).map(|s| s.to_string()))?
                })
                .collect::<Vec<_>>()
        })
        .filter(|inode| ours.contains(inode))
        .collect()
}

#[test]
fn port_race_rumqttd_has_no_port_of_its_own() {
    let s = Serve::start(&[]);
    // Only --bind: rumqttd gets its connections in-process, so no loopback port exists that
    // another local process could bind first, or connect to past the front's checks.
    assert_eq!(listening_sockets(s.child.id()).len(), 1);
    let out = run(s.on("pub", &["-t", "t", "-m", "m"]), b"", LIMIT);
    assert!(out.status.success(), "{}", stderr(&out));
}
