//! Test certificates, made fresh for each test with rcgen: a CA, a server certificate for
//! localhost / 127.0.0.1, a client certificate, an expired and a wrong-name server certificate,
//! and a second CA that nobody trusts.

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use std::path::{Path, PathBuf};

pub struct CertKey {
    pub cert: String,
    pub key: String,
}

pub struct Pki {
    pub ca: String,
    pub server: CertKey,
    pub client: CertKey,
    pub expired: CertKey,
    pub wrong_name: CertKey,
    /// Signed by `other_ca`, which the broker does not trust.
    pub rogue_client: CertKey,
    pub other_ca: String,
    main: Ca,
}

struct Ca {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

fn ca(name: &str) -> Ca {
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name.push(DnType::CommonName, name);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let pem = p.self_signed(&key).unwrap().pem();
    Ca {
        pem,
        issuer: Issuer::new(p, key),
    }
}

fn leaf_with_key(ca: &Ca, names: &[&str], key: KeyPair) -> CertKey {
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let mut p = CertificateParams::new(names).unwrap();
    p.distinguished_name.push(DnType::CommonName, "mq test");
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    CertKey {
        cert: p.signed_by(&key, &ca.issuer).unwrap().pem(),
        key: key.serialize_pem(),
    }
}

fn leaf(ca: &Ca, names: &[&str], client: bool, expired: bool) -> CertKey {
    let key = KeyPair::generate().unwrap();
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let mut p = CertificateParams::new(names).unwrap();
    p.distinguished_name.push(DnType::CommonName, "mq test");
    p.extended_key_usages = vec![if client {
        ExtendedKeyUsagePurpose::ClientAuth
    } else {
        ExtendedKeyUsagePurpose::ServerAuth
    }];
    if expired {
        p.not_before = date_time_ymd(2020, 1, 1);
        p.not_after = date_time_ymd(2021, 1, 1);
    }
    CertKey {
        cert: p.signed_by(&key, &ca.issuer).unwrap().pem(),
        key: key.serialize_pem(),
    }
}

impl Pki {
    pub fn new() -> Pki {
        let main = ca("mq test CA");
        let other = ca("mq other CA");
        Pki {
            server: leaf(&main, &["localhost", "127.0.0.1"], false, false),
            client: leaf(&main, &["mq-client"], true, false),
            expired: leaf(&main, &["localhost", "127.0.0.1"], false, true),
            wrong_name: leaf(
                &main,
                &["broker.example.com", "mqtt.example.com"],
                false,
                false,
            ),
            rogue_client: leaf(&other, &["rogue"], true, false),
            ca: main.pem.clone(),
            other_ca: other.pem,
            main,
        }
    }

    /// A broker certificate signed by itself and marked as a CA, as `openssl req -x509` makes
    /// them: users trust it by giving the certificate itself as --cafile.
    pub fn self_signed(names: &[&str], expired: bool) -> CertKey {
        let key = KeyPair::generate().unwrap();
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let mut p = CertificateParams::new(names).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name
            .push(DnType::CommonName, "self-signed broker");
        if expired {
            p.not_before = date_time_ymd(2020, 1, 1);
            p.not_after = date_time_ymd(2021, 1, 1);
        }
        CertKey {
            cert: p.self_signed(&key).unwrap().pem(),
            key: key.serialize_pem(),
        }
    }

    /// A client certificate with an RSA key (PKCS#8 PEM).
    pub fn rsa_client(&self) -> CertKey {
        let key =
            KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048).unwrap();
        leaf_with_key(&self.main, &["mq-rsa-client"], key)
    }

    /// Write `name` into `dir` (mode 0600) and return its path.
    pub fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, contents).unwrap();
        p
    }
}

/// Listener settings for mosquitto serving `cert` (signed by the test CA); `require_cert`:
/// clients must present a certificate signed by the test CA.
pub fn tls_listener(require_cert: bool) -> String {
    format!(
        "cafile {{dir}}/ca.pem\ncertfile {{dir}}/server.pem\nkeyfile {{dir}}/server-key.pem\nrequire_certificate {require_cert}"
    )
}
