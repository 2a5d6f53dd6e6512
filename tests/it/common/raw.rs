//! Bare MQTT 3.1.1 on a socket, for peers that send what mq and mosquitto's clients refuse to
//! send (any client id bytes, junk frames as fast as the socket takes them).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Send a CONNECT with `client_id` (clean session, keepalive 60) and read the 4-byte CONNACK.
pub fn connect(port: u16, client_id: &[u8]) -> (TcpStream, [u8; 4]) {
    let mut so = TcpStream::connect(("127.0.0.1", port)).unwrap();
    so.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut body = b"\x00\x04MQTT\x04\x02\x00\x3c".to_vec();
    body.extend((client_id.len() as u16).to_be_bytes());
    body.extend(client_id);
    so.write_all(&packet(0x10, &body)).unwrap();
    let mut connack = [0; 4];
    so.read_exact(&mut connack).unwrap();
    (so, connack)
}

/// A bare MQTT 3.1.1 client on a socket, for a hostile sender: QoS 0 publishes as fast as the
/// socket takes them, and `sync` to know the broker has handled all of them.
pub struct RawPublisher {
    so: std::net::TcpStream,
}

impl RawPublisher {
    pub fn connect(port: u16, client_id: &[u8]) -> RawPublisher {
        let (so, connack) = connect(port, client_id);
        assert_eq!(connack, [0x20, 2, 0, 0], "CONNACK");
        RawPublisher { so }
    }

    pub fn publish(&mut self, topic: &str, payload: &[u8]) {
        let mut body = (topic.len() as u16).to_be_bytes().to_vec();
        body.extend(topic.as_bytes());
        body.extend(payload);
        self.so.write_all(&packet(0x30, &body)).unwrap();
    }

    /// PINGREQ, and wait for the PINGRESP: the broker has routed everything sent before.
    pub fn sync(&mut self) {
        self.so.write_all(&[0xc0, 0]).unwrap();
        let mut resp = [0; 2];
        self.so.read_exact(&mut resp).unwrap();
        assert_eq!(resp, [0xd0, 0], "PINGRESP");
    }
}

fn packet(first: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![first];
    let mut n = body.len();
    loop {
        let b = (n % 128) as u8;
        n /= 128;
        out.push(if n > 0 { b | 0x80 } else { b });
        if n == 0 {
            break;
        }
    }
    out.extend(body);
    out
}
