//! What the report says about a certificate: subject, issuer, validity and the names it
//! carries, read with x509-parser (a maintained, fuzzed DER parser: the certificate comes from
//! whoever answered, before anything is verified). Verification is rustls's job; this only
//! reads, and returns `None` on anything it cannot read.

use x509_parser::oid_registry::{
    OID_X509_COMMON_NAME, OID_X509_COUNTRY_NAME, OID_X509_LOCALITY_NAME,
    OID_X509_ORGANIZATIONAL_UNIT, OID_X509_ORGANIZATION_NAME, OID_X509_STATE_OR_PROVINCE_NAME,
};
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate, X509Name};

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

/// What mq shows of a certificate, read with x509-parser; `None` when the DER is not a
/// certificate it can read.
pub fn parse(der: &[u8]) -> Option<CertInfo> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let validity = cert.validity();
    // A subjectAltName that cannot be read shows as no names; the chain check says the rest.
    let names = match cert.subject_alternative_name() {
        Ok(Some(san)) => san
            .value
            .general_names
            .iter()
            .filter_map(general_name)
            .collect(),
        _ => Vec::new(),
    };
    Some(CertInfo {
        subject: name(cert.subject()),
        issuer: name(cert.issuer()),
        not_before: validity.not_before.timestamp(),
        not_after: validity.not_after.timestamp(),
        names,
    })
}

/// The DNS names and IP addresses of subjectAltName; other kinds are not host names.
fn general_name(n: &GeneralName) -> Option<String> {
    match n {
        GeneralName::DNSName(dns) => Some((*dns).to_string()),
        GeneralName::IPAddress(v) => ip(v),
        _ => None,
    }
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

/// `CN=..., O=...`: the attributes mq knows by name, in certificate order.
fn name(n: &X509Name) -> String {
    let labels = [
        (&OID_X509_COMMON_NAME, "CN"),
        (&OID_X509_COUNTRY_NAME, "C"),
        (&OID_X509_LOCALITY_NAME, "L"),
        (&OID_X509_STATE_OR_PROVINCE_NAME, "ST"),
        (&OID_X509_ORGANIZATION_NAME, "O"),
        (&OID_X509_ORGANIZATIONAL_UNIT, "OU"),
    ];
    n.iter_attributes()
        .filter_map(|atv| {
            let (_, label) = labels.iter().find(|(oid, _)| *oid == atv.attr_type())?;
            // Whatever the string type, the bytes as text: the report escapes what it shows.
            Some(format!(
                "{label}={}",
                String::from_utf8_lossy(atv.as_slice())
            ))
        })
        .collect::<Vec<_>>()
        .join(", ")
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

    fn self_signed() -> Vec<u8> {
        let names = vec!["broker.local".to_string(), "127.0.0.1".to_string()];
        let key = rcgen::generate_simple_self_signed(names).expect("rcgen makes a certificate");
        key.cert.der().to_vec()
    }

    #[test]
    fn reads_subject_names_and_dates() {
        let info = parse(&self_signed()).expect("a certificate");
        assert_eq!(info.subject, "CN=rcgen self signed cert");
        assert_eq!(info.issuer, info.subject);
        assert_eq!(info.names, ["broker.local", "127.0.0.1"]);
        // rcgen's defaults: 1975-01-01 to 4096-01-01.
        assert_eq!(info.not_before, 157_766_400);
        assert_eq!(info.not_after, 67_090_118_400);
    }

    #[test]
    fn finding_7_a_multibyte_date_is_none_not_a_panic() {
        let mut der = self_signed();
        let at = der
            .windows(2)
            .position(|w| w == b"\x17\x0d")
            .expect("a UTCTime notBefore");
        der[at + 2..at + 15].copy_from_slice("1\u{e9}010100000Z".as_bytes());
        assert_eq!(parse(&der), None);
        // Every truncation and every single-byte change of a real certificate: no panic.
        let good = self_signed();
        for n in 0..good.len() {
            let _ = parse(&good[..n]);
            let mut bad = good.clone();
            bad[n] ^= 0x80;
            let _ = parse(&bad);
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
