//! `--proxy socks5h://[user[:password]@]host[:port]`: the SOCKS5 proxy a connection goes
//! through, as mosquitto_pub/sub 2.0 take it (`socks5://` too, which resolves the broker's name
//! here instead of on the proxy). Parsing only: the dialing is `session::dial`'s.

use std::fmt;

/// A checked `--proxy` URL.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyPlan {
    pub host: String,
    pub port: u16,
    /// `socks5h`: the proxy resolves the broker's name (it may know names this machine does
    /// not); `socks5`: mq resolves it and hands the proxy an address.
    pub remote_dns: bool,
    /// SOCKS5 user name and password authentication.
    pub auth: Option<(String, String)>,
}

/// SOCKS's registered port, mosquitto's default too.
const DEFAULT_PORT: u16 = 1080;

impl ProxyPlan {
    /// `socks5h://user@host:port`: the proxy for messages, without its password.
    pub fn describe(&self) -> String {
        let scheme = if self.remote_dns { "socks5h" } else { "socks5" };
        let user = self
            .auth
            .as_ref()
            .map(|(u, _)| format!("{u}@"))
            .unwrap_or_default();
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{scheme}://{user}{host}:{}", self.port)
    }
}

impl ProxyPlan {
    /// `socks5h://user:****@host:port`: the URL as `--print-config` shows it.
    pub fn masked(&self) -> String {
        match &self.auth {
            None => self.describe(),
            Some((u, _)) => self
                .describe()
                .replacen(&format!("{u}@"), &format!("{u}:****@"), 1),
        }
    }
}

// Never the password, wherever a plan is debug-printed.
impl fmt::Debug for ProxyPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Parse a `--proxy` URL. Errors never quote the password.
pub fn parse(url: &str) -> Result<ProxyPlan, String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or("expected socks5h://host[:port] (or socks5://)")?;
    let remote_dns = match scheme.to_ascii_lowercase().as_str() {
        "socks5h" => true,
        "socks5" => false,
        other => {
            return Err(format!(
                "unsupported proxy scheme '{other}': mq speaks SOCKS5, socks5h:// (the proxy \
                 resolves the broker's name) or socks5:// (mq resolves it)"
            ))
        }
    };
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    if hostport.contains('/') {
        return Err("a proxy URL has no path: socks5h://[user:password@]host[:port]".into());
    }
    let auth = match userinfo {
        None => None,
        Some(u) => {
            let (user, password) = u
                .split_once(':')
                .ok_or("the proxy user name needs a password: socks5h://user:password@host")?;
            let user = super::percent_decode(user)?;
            let password = super::percent_decode(password)
                .map_err(|_| "the proxy password is not valid percent-encoding")?;
            // SOCKS5 user/password authentication (RFC 1929) carries each in 1-255 bytes.
            if !(1..=255).contains(&user.len()) || !(1..=255).contains(&password.len()) {
                return Err(
                    "the proxy user name and password must each be 1 to 255 bytes (RFC 1929)"
                        .into(),
                );
            }
            Some((user, password))
        }
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or("unclosed '[' in the proxy host")?;
        match after.strip_prefix(':') {
            Some(p) => (h, Some(p)),
            None if after.is_empty() => (h, None),
            None => return Err("unexpected text after ']' in the proxy host".into()),
        }
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err("the proxy host is missing".into());
    }
    let port = match port {
        Some(p) => super::parse_port(p).map_err(|e| format!("proxy {}", e.message))?,
        None => DEFAULT_PORT,
    };
    Ok(ProxyPlan {
        host: host.to_owned(),
        port,
        remote_dns,
        auth,
    })
}

/// The URL fit for a message: the password, if any, masked.
pub fn mask(url: &str) -> String {
    super::mask_password(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls_as_mosquitto_takes_them() {
        let p = parse("socks5h://user:pass%3Aword@127.0.0.1:9050").unwrap();
        assert_eq!(p.host, "127.0.0.1");
        assert_eq!(p.port, 9050);
        assert!(p.remote_dns);
        assert_eq!(p.auth, Some(("user".into(), "pass:word".into())));
        let p = parse("SOCKS5://proxy.lan").unwrap();
        assert_eq!((p.port, p.remote_dns, p.auth), (1080, false, None));
        let p = parse("socks5h://[::1]:1081/").unwrap();
        assert_eq!((p.host.as_str(), p.port), ("::1", 1081));
        assert_eq!(p.describe(), "socks5h://[::1]:1081");
    }

    #[test]
    fn bad_proxy_urls_are_refused_without_showing_the_password() {
        for (url, why) in [
            ("http://proxy:3128", "unsupported proxy scheme 'http'"),
            ("proxy:1080", "expected socks5h://"),
            ("socks5h://user@proxy", "needs a password"),
            ("socks5h://:secret@proxy", "1 to 255 bytes"),
            ("socks5h://u:secret@", "host is missing"),
            (
                "socks5h://u:secret@proxy:99999",
                "proxy port 99999 is out of range",
            ),
            ("socks5h://u:sec%zzret@proxy", "not valid percent-encoding"),
            ("socks5h://proxy/path", "no path"),
        ] {
            let e = parse(url).unwrap_err();
            assert!(e.contains(why), "{url}: {e}");
            assert!(!e.contains("secret") && !e.contains("sec%"), "{url}: {e}");
        }
    }

    #[test]
    fn the_described_proxy_has_no_password() {
        let p = parse("socks5h://alice:secret@proxy:1080").unwrap();
        assert_eq!(p.describe(), "socks5h://alice@proxy:1080");
        assert!(!format!("{p:?}").contains("secret"));
        assert_eq!(p.masked(), "socks5h://alice:****@proxy:1080");
        assert_eq!(
            mask("socks5h://alice:secret@proxy:1080"),
            "socks5h://alice:****@proxy:1080"
        );
    }
}
