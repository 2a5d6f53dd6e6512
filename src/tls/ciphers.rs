//! `--ciphers` and `--tls13-ciphers`: cipher suite lists in mosquitto's (OpenSSL's) spelling,
//! `ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305`, or in IANA's,
//! `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`, mapped to the suites rustls implements.

use crate::exit::{Error, Result};
use rustls::crypto::ring::cipher_suite as cs;
use rustls::SupportedCipherSuite;

/// (OpenSSL name, IANA name, suite); TLS 1.3 suites have one name in both.
const TLS12: &[(&str, &str, SupportedCipherSuite)] = &[
    (
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    ),
    (
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    ),
    (
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ),
    (
        "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    ),
    (
        "ECDHE-RSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    ),
    (
        "ECDHE-RSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ),
];

const TLS13: &[(&str, SupportedCipherSuite)] = &[
    ("TLS_AES_128_GCM_SHA256", cs::TLS13_AES_128_GCM_SHA256),
    ("TLS_AES_256_GCM_SHA384", cs::TLS13_AES_256_GCM_SHA384),
    (
        "TLS_CHACHA20_POLY1305_SHA256",
        cs::TLS13_CHACHA20_POLY1305_SHA256,
    ),
];

/// The items of an OpenSSL-style list: `:`, `,` or spaces between names.
fn names(list: &str) -> impl Iterator<Item = &str> {
    list.split([':', ',', ' ']).filter(|s| !s.is_empty())
}

fn tls12(name: &str) -> Option<SupportedCipherSuite> {
    TLS12
        .iter()
        .find(|(o, i, _)| o.eq_ignore_ascii_case(name) || i.eq_ignore_ascii_case(name))
        .map(|(_, _, s)| *s)
}

fn tls13(name: &str) -> Option<SupportedCipherSuite> {
    // rustls spells them TLS13_...; accept that too.
    let name = name.replace("TLS13_", "TLS_").replace("tls13_", "tls_");
    TLS13
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(&name))
        .map(|(_, s)| *s)
}

/// The suites to offer: `ciphers` replaces the TLS 1.2 ones, `tls13` the TLS 1.3 ones; the
/// default (all of rustls's, fastest first) stays for the version not named. Unknown names are
/// usage errors that list the supported ones.
pub fn select(
    ciphers: Option<&str>,
    tls13_ciphers: Option<&str>,
    default: &[SupportedCipherSuite],
) -> Result<Vec<SupportedCipherSuite>> {
    let is13 = |s: &SupportedCipherSuite| matches!(s, SupportedCipherSuite::Tls13(_));
    let mut v13: Vec<_> = default.iter().copied().filter(is13).collect();
    let mut v12: Vec<_> = default.iter().copied().filter(|s| !is13(s)).collect();
    if let Some(list) = ciphers {
        v12.clear();
        for name in names(list) {
            // A TLS 1.3 name in --ciphers is accepted (OpenSSL ignores it there; we use it).
            match (tls12(name), tls13(name)) {
                (Some(s), _) => v12.push(s),
                (None, Some(_)) => {
                    return Err(
                        Error::usage(format!("--ciphers {name}: that is a TLS 1.3 suite"))
                            .hint("give TLS 1.3 suites with --tls13-ciphers"),
                    )
                }
                (None, None) => return Err(unknown("--ciphers", name)),
            }
        }
        if v12.is_empty() {
            return Err(Error::usage("--ciphers names no cipher suite"));
        }
    }
    if let Some(list) = tls13_ciphers {
        v13.clear();
        for name in names(list) {
            v13.push(tls13(name).ok_or_else(|| unknown("--tls13-ciphers", name))?);
        }
        if v13.is_empty() {
            return Err(Error::usage("--tls13-ciphers names no cipher suite"));
        }
    }
    Ok(v13.into_iter().chain(v12).collect())
}

fn unknown(flag: &str, name: &str) -> Error {
    let supported: Vec<&str> = if flag == "--ciphers" {
        TLS12.iter().map(|(o, _, _)| *o).collect()
    } else {
        TLS13.iter().map(|(n, _)| *n).collect()
    };
    Error::usage(format!(
        "{flag}: unknown or unsupported cipher suite '{name}'; mq supports {} (IANA names too)",
        supported.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<SupportedCipherSuite> {
        rustls::crypto::ring::default_provider().cipher_suites
    }

    #[test]
    fn openssl_and_iana_names() {
        let s = select(
            Some("ECDHE-RSA-AES128-GCM-SHA256:tls_ecdhe_ecdsa_with_aes_256_gcm_sha384"),
            None,
            &all(),
        )
        .unwrap();
        let names: Vec<String> = s.iter().map(|c| format!("{:?}", c.suite())).collect();
        assert_eq!(
            names,
            [
                "TLS13_AES_256_GCM_SHA384",
                "TLS13_AES_128_GCM_SHA256",
                "TLS13_CHACHA20_POLY1305_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
            ]
        );
        let s = select(None, Some("TLS_CHACHA20_POLY1305_SHA256"), &all()).unwrap();
        assert_eq!(s.len(), 1 + 6);
    }

    #[test]
    fn unknown_names_list_the_supported_ones() {
        let e = select(Some("AES128-SHA"), None, &all()).unwrap_err();
        assert!(e.message.contains("'AES128-SHA'"), "{}", e.message);
        assert!(
            e.message.contains("ECDHE-RSA-AES128-GCM-SHA256"),
            "{}",
            e.message
        );
        assert!(select(Some("TLS_AES_128_GCM_SHA256"), None, &all()).is_err());
        assert!(select(None, Some("ECDHE-RSA-AES128-GCM-SHA256"), &all()).is_err());
        assert!(select(Some(":"), None, &all()).is_err());
    }
}
