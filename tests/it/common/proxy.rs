//! TCP ends in front of or instead of a test broker: a proxy that plays a 3.1.1-only broker,
//! one that counts the bytes a client puts on the wire (each serves a bounded number of
//! connections), and a port that refuses every connection.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A listener in front of `broker` that refuses MQTT 5 CONNECTs (CONNACK 0x84, unsupported
/// protocol version) and passes 3.1.1 through: a 3.1.1-only broker.
pub fn v311_only_proxy(broker: u16) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in l.incoming().take(50) {
            let Ok(mut client) = conn else { return };
            std::thread::spawn(move || {
                let mut head = [0u8; 9]; // fixed header (2) + "\0\x04MQTT" (6) + level (1)
                if client.read_exact(&mut head).is_err() {
                    return;
                }
                if head[8] == 5 {
                    let _ = client.write_all(&[0x20, 0x03, 0x00, 0x84, 0x00]);
                    return;
                }
                let Ok(mut up) = TcpStream::connect(("127.0.0.1", broker)) else {
                    return;
                };
                let _ = up.write_all(&head);
                let (mut c2, mut u2) = (client.try_clone().unwrap(), up.try_clone().unwrap());
                std::thread::spawn(move || std::io::copy(&mut c2, &mut u2));
                let _ = std::io::copy(&mut up, &mut client);
            });
        }
    });
    port
}

/// A relay in front of `broker` that counts the bytes clients send through it (the second
/// value, shared with the relay's threads): what a client puts on the wire.
pub fn counting_proxy(broker: u16) -> (u16, Arc<AtomicU64>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    std::thread::spawn(move || {
        for conn in l.incoming().take(50) {
            let Ok(mut client) = conn else { return };
            let Ok(mut up) = TcpStream::connect(("127.0.0.1", broker)) else {
                return;
            };
            let counter = counter.clone();
            let (mut c2, mut u2) = (client.try_clone().unwrap(), up.try_clone().unwrap());
            std::thread::spawn(move || {
                let mut buf = [0u8; 16384];
                // Counted before forwarding: once the broker's answer reaches the client,
                // the bytes that caused it are in the count.
                while let Ok(n) = c2.read(&mut buf) {
                    counter.fetch_add(n as u64, Ordering::Relaxed);
                    if n == 0 || u2.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = u2.shutdown(Shutdown::Write);
            });
            std::thread::spawn(move || std::io::copy(&mut up, &mut client));
        }
    });
    (port, sent)
}

/// A loopback port held by a socket that never listens: connecting to it is refused. A port
/// merely found free could be taken by another test's broker before mq connects; this one stays
/// refused while the value lives.
pub struct ClosedPort {
    pub port: u16,
    _socket: tokio::net::TcpSocket,
}

pub fn closed_port() -> ClosedPort {
    let socket = tokio::net::TcpSocket::new_v4().expect("a TCP socket");
    socket
        .bind(([127, 0, 0, 1], 0).into())
        .expect("bind an ephemeral port");
    let port = socket.local_addr().unwrap().port();
    ClosedPort {
        port,
        _socket: socket,
    }
}
