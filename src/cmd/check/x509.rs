//! Just enough X.509 (DER) to tell a user about a certificate: subject, issuer, expiry and the
//! names it carries. Verification is rustls's job; this only reads, and never panics on bad
//! input (it returns `None`).

/// What the report says about a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// `CN=broker.local, O=Example` (the attributes mq knows by name, in certificate order).
    pub subject: String,
    pub issuer: String,
    /// Seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
    /// DNS names and IP addresses from subjectAltName.
    pub names: Vec<String>,
}

/// One DER element: tag, contents, and the rest of the input after it.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |a, &b| (a << 8) | b as usize);
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

/// The elements inside a constructed element's contents.
fn children(mut contents: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let mut out = Vec::new();
    while !contents.is_empty() {
        let (tag, value, rest) = element(contents)?;
        out.push((tag, value));
        contents = rest;
    }
    Some(out)
}

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;

pub fn parse(der: &[u8]) -> Option<CertInfo> {
    let (SEQUENCE, cert, _) = element(der)? else {
        return None;
    };
    let (SEQUENCE, tbs, _) = element(cert)? else {
        return None;
    };
    let fields = children(tbs)?;
    // An explicit [0] version comes first in v3 certificates.
    let skip = usize::from(fields.first()?.0 == 0xa0);
    let get = |i: usize| fields.get(skip + i).copied();
    // serial, signature algorithm, issuer, validity, subject, public key, then [1] [2] [3].
    let issuer = name(get(2)?.1)?;
    let validity = children(get(3)?.1)?;
    let not_before = time(validity.first()?)?;
    let not_after = time(validity.get(1)?)?;
    let subject = name(get(4)?.1)?;
    let mut names = Vec::new();
    if let Some(&(0xa3, ext)) = fields.iter().skip(skip + 6).find(|f| f.0 == 0xa3) {
        let (SEQUENCE, list, _) = element(ext)? else {
            return None;
        };
        for (_, e) in children(list)? {
            let parts = children(e)?;
            // 2.5.29.17 subjectAltName
            if parts.first() == Some(&(OID, &[0x55, 0x1d, 0x11][..])) {
                let (_, octets) = parts.last()?;
                let (SEQUENCE, general_names, _) = element(octets)? else {
                    return None;
                };
                for (tag, v) in children(general_names)? {
                    match tag {
                        0x82 => names.push(String::from_utf8_lossy(v).into_owned()),
                        0x87 => names.extend(ip(v)),
                        _ => {}
                    }
                }
            }
        }
    }
    Some(CertInfo {
        subject,
        issuer,
        not_before,
        not_after,
        names,
    })
}

fn ip(v: &[u8]) -> Option<String> {
    match v.len() {
        4 => Some(std::net::Ipv4Addr::new(v[0], v[1], v[2], v[3]).to_string()),
        16 => {
            let b: [u8; 16] = v.try_into().ok()?;
            Some(std::net::Ipv6Addr::from(b).to_string())
        }
        _ => None,
    }
}

/// `CN=..., O=...` from a Name (SEQUENCE OF SET OF AttributeTypeAndValue).
fn name(contents: &[u8]) -> Option<String> {
    let mut parts = Vec::new();
    for (tag, rdn) in children(contents)? {
        if tag != SET {
            return None;
        }
        for (_, atv) in children(rdn)? {
            let kv = children(atv)?;
            let (OID, oid) = *kv.first()? else {
                return None;
            };
            let label = match oid {
                [0x55, 0x04, 0x03] => "CN",
                [0x55, 0x04, 0x06] => "C",
                [0x55, 0x04, 0x07] => "L",
                [0x55, 0x04, 0x08] => "ST",
                [0x55, 0x04, 0x0a] => "O",
                [0x55, 0x04, 0x0b] => "OU",
                _ => continue,
            };
            let value = String::from_utf8_lossy(kv.get(1)?.1);
            parts.push(format!("{label}={value}"));
        }
    }
    Some(parts.join(", "))
}

/// UTCTime `YYMMDDHHMMSSZ` or GeneralizedTime `YYYYMMDDHHMMSSZ` as Unix seconds.
fn time(&(tag, v): &(u8, &[u8])) -> Option<i64> {
    let s = std::str::from_utf8(v).ok()?.strip_suffix('Z')?;
    let (year, rest) = match tag {
        UTC_TIME if s.len() == 12 => {
            let yy: i64 = s[..2].parse().ok()?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &s[2..])
        }
        GENERALIZED_TIME if s.len() == 14 => (s[..4].parse().ok()?, &s[4..]),
        _ => return None,
    };
    let n = |i: usize| rest.get(i..i + 2)?.parse::<i64>().ok();
    let (month, day, h, m, sec) = (n(0)?, n(2)?, n(4)?, n(6)?, n(8)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + sec)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Does `host` match one of the certificate's names (`*.example.com` covers one label)?
pub fn matches_host(names: &[String], host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    names.iter().any(|n| {
        let n = n.to_ascii_lowercase();
        match n.strip_prefix("*.") {
            Some(suffix) => host
                .split_once('.')
                .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
            None => n == host,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2038, 1, 19), 24_855);
    }

    #[test]
    fn times() {
        assert_eq!(time(&(UTC_TIME, b"700101000000Z")), Some(0));
        assert_eq!(time(&(UTC_TIME, b"380119031407Z")), Some(2_147_483_647));
        assert_eq!(
            time(&(GENERALIZED_TIME, b"20380119031407Z")),
            Some(2_147_483_647)
        );
        assert_eq!(time(&(UTC_TIME, b"7001010000Z")), None);
        assert_eq!(time(&(UTC_TIME, b"701301000000Z")), None);
    }

    #[test]
    fn garbage_is_none_not_a_panic() {
        for bad in [
            &b""[..],
            b"\x30",
            b"\x30\x84\xff\xff\xff\xff",
            b"\x30\x03\x30\x01",
            b"\x30\x80",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn host_names() {
        let names = vec!["broker.local".to_string(), "*.example.com".to_string()];
        assert!(matches_host(&names, "BROKER.local"));
        assert!(matches_host(&names, "a.example.com"));
        assert!(!matches_host(&names, "example.com"));
        assert!(!matches_host(&names, "a.b.example.com"));
        assert!(!matches_host(&names, "other"));
    }
}
