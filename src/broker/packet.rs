//! The few bits of MQTT the front reads and writes itself: the fields of a CONNECT it checks,
//! and the Maximum Packet Size it adds to an MQTT 5 CONNACK. Everything else passes through.

/// rumqttd's MQTT 5 CONNACK does not announce the packet size it enforces (it disconnects a
/// client that sends more): the front adds the Maximum Packet Size property (0x27), so MQTT 5
/// clients refuse an oversized message themselves. The whole packet: None when `body` is not a
/// successful CONNACK, or already carries the property.
pub fn with_max_packet_size(body: &[u8], max: u32) -> Option<Vec<u8>> {
    let mut r = Reader(body);
    let flags = r.u8()?;
    let reason = r.u8()?;
    if reason >= 0x80 {
        return None;
    }
    let n = r.varint()?;
    let mut props = r.take(n)?;
    if !r.0.is_empty() || has_property(&props, 0x27)? {
        return None;
    }
    props.push(0x27);
    props.extend(max.to_be_bytes());
    let mut rest = vec![flags, reason];
    rest.extend(varint(props.len()));
    rest.extend(props);
    let mut packet = vec![0x20];
    packet.extend(varint(rest.len()));
    packet.extend(rest);
    Some(packet)
}

/// Whether CONNACK properties hold property `id`; None when they cannot be read.
fn has_property(mut props: &[u8], id: u8) -> Option<bool> {
    while let Some((&p, rest)) = props.split_first() {
        if p == id {
            return Some(true);
        }
        let mut r = Reader(rest);
        match p {
            // byte
            0x01 | 0x17 | 0x19 | 0x24 | 0x25 | 0x28 | 0x29 | 0x2a => {
                r.u8()?;
            }
            // two-byte integer
            0x13 | 0x21 | 0x22 => {
                r.take(2)?;
            }
            // four-byte integer
            0x02 | 0x11 | 0x18 | 0x27 => {
                r.take(4)?;
            }
            // variable byte integer
            0x0b => {
                r.varint()?;
            }
            // UTF-8 string or binary data
            0x03 | 0x08 | 0x09 | 0x12 | 0x15 | 0x16 | 0x1a | 0x1c | 0x1f => {
                r.binary()?;
            }
            // string pair
            0x26 => {
                r.binary()?;
                r.binary()?;
            }
            _ => return None,
        }
        props = r.0;
    }
    Some(false)
}

/// MQTT's variable byte integer.
fn varint(mut n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let b = (n % 128) as u8;
        n /= 128;
        if n == 0 {
            out.push(b);
            return out;
        }
        out.push(b | 0x80);
    }
}

/// What the front needs from a CONNECT.
#[derive(Debug, PartialEq)]
pub struct Connect {
    pub level: u8,
    pub client_id: Vec<u8>,
    pub username: Option<Vec<u8>>,
    pub password: Option<Vec<u8>>,
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn u8(&mut self) -> Option<u8> {
        let (b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*b)
    }
    fn take(&mut self, n: usize) -> Option<Vec<u8>> {
        if self.0.len() < n {
            return None;
        }
        let (a, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(a.to_vec())
    }
    fn binary(&mut self) -> Option<Vec<u8>> {
        let n = usize::from(u16::from_be_bytes([self.u8()?, self.u8()?]));
        self.take(n)
    }
    fn varint(&mut self) -> Option<usize> {
        let mut n = 0usize;
        for i in 0..4 {
            let b = self.u8()?;
            n |= usize::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }
    fn properties(&mut self) -> Option<()> {
        let n = self.varint()?;
        self.take(n).map(|_| ())
    }
}

pub fn parse_connect(body: &[u8]) -> Option<Connect> {
    let mut r = Reader(body);
    let _name = r.binary()?;
    let level = r.u8()?;
    let flags = r.u8()?;
    let _keepalive = r.take(2)?;
    if level == 5 {
        r.properties()?;
    }
    let client_id = r.binary()?;
    if flags & 0x04 != 0 {
        if level == 5 {
            r.properties()?;
        }
        r.binary()?;
        r.binary()?;
    }
    let username = if flags & 0x80 != 0 {
        Some(r.binary()?)
    } else {
        None
    };
    let password = if flags & 0x40 != 0 {
        Some(r.binary()?)
    } else {
        None
    };
    Some(Connect {
        level,
        client_id,
        username,
        password,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_v311_connect_with_will_and_login() {
        let mut b = vec![0, 4, b'M', b'Q', b'T', b'T', 4, 0xc4 | 0x02, 0, 60];
        b.extend([0, 2, b'i', b'd']);
        b.extend([0, 1, b'w', 0, 2, b'b', b'y']);
        b.extend([0, 1, b'u', 0, 2, b'p', b'w']);
        let c = parse_connect(&b).unwrap();
        assert_eq!(c.level, 4);
        assert_eq!(c.client_id, b"id");
        assert_eq!(c.username.as_deref(), Some(&b"u"[..]));
        assert_eq!(c.password.as_deref(), Some(&b"pw"[..]));
    }

    #[test]
    fn parses_v5_connect_with_properties() {
        let mut b = vec![0, 4, b'M', b'Q', b'T', b'T', 5, 0x80, 0, 60];
        b.extend([5, 0x11, 0, 0, 0, 10]);
        b.extend([0, 0]);
        b.extend([0, 1, b'u']);
        let c = parse_connect(&b).unwrap();
        assert_eq!(c.level, 5);
        assert!(c.client_id.is_empty());
        assert_eq!(c.username.as_deref(), Some(&b"u"[..]));
        assert_eq!(c.password, None);
        assert!(parse_connect(&b[..b.len() - 1]).is_none());
    }

    #[test]
    fn announces_the_packet_size_limit_in_a_v5_connack() {
        // rumqttd's: session not present, success, topic alias maximum 4096.
        let body = [0, 0, 3, 0x22, 0x10, 0x00];
        let packet = with_max_packet_size(&body, 1024).unwrap();
        assert_eq!(
            packet,
            [0x20, 11, 0, 0, 8, 0x22, 0x10, 0x00, 0x27, 0, 0, 4, 0]
        );
        // Refusals pass unchanged, and so does a CONNACK that already has the property.
        assert!(with_max_packet_size(&[0, 0x86, 0], 1024).is_none());
        assert!(with_max_packet_size(&[0, 0, 5, 0x27, 0, 0, 1, 0], 1024).is_none());
        // An assigned client id (string) is skipped over.
        let body = [0, 0, 5, 0x12, 0, 2, b'i', b'd'];
        let packet = with_max_packet_size(&body, 300).unwrap();
        assert_eq!(&packet[packet.len() - 5..], &[0x27, 0, 0, 1, 44]);
        assert_eq!(varint(200), [0xc8, 0x01]);
    }
}
