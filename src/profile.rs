//! Named connection profiles in `$XDG_CONFIG_HOME/mq/config.toml` (or
//! `~/.config/mq/config.toml`), chosen with `--profile NAME` or `MQ_PROFILE`.
//!
//! Precedence is flag > environment > profile > default. clap already puts flags before the
//! `MQ_*` environment variables and those before defaults, so a profile takes its place by
//! filling in the `MQ_*` variables that are not set, before clap parses the command line.
//!
//! ```toml
//! [profiles.home]
//! host = "broker.local"
//! cafile = "~/certs/home-ca.pem"
//! username = "alice"
//! password_file = "~/.config/mq/home.pw"
//!
//! [profiles.cloud]
//! url = "wss://mqtt.example.com/mqtt"
//! ```

use crate::exit::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// The keys a profile may set; each is the long flag's name with `_` for `-`.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
struct Profile {
    url: Option<String>,
    host: Option<String>,
    port: Option<u16>,
    keepalive: Option<toml::Value>,
    protocol_version: Option<toml::Value>,
    username: Option<String>,
    password: Option<String>,
    password_file: Option<String>,
    cafile: Option<String>,
    capath: Option<String>,
    cert: Option<String>,
    key: Option<String>,
    key_password_file: Option<String>,
    tls: Option<bool>,
    insecure: Option<bool>,
    tls_version: Option<toml::Value>,
    ciphers: Option<String>,
    tls13_ciphers: Option<String>,
    alpn: Option<Vec<String>>,
    tls_server_name: Option<String>,
    ws: Option<bool>,
    ws_path: Option<String>,
    connect_timeout: Option<toml::Value>,
    proxy: Option<String>,
}

/// The MQ_* variables the profile filled in (for `--print-config`).
static FILLED: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();

/// The variables the profile filled in: they stand for the command line, not for the
/// environment the user exported, so child processes (`capture --exec`) do not get them.
pub fn filled_vars() -> &'static [&'static str] {
    FILLED.get().map_or(&[], |v| v.as_slice())
}

/// Did the profile (rather than the environment) set `var`?
pub fn filled(var: &str) -> bool {
    FILLED.get().is_some_and(|v| v.contains(&var))
}

/// Where the config file is: `$XDG_CONFIG_HOME/mq/config.toml`, else `$HOME/.config/...`.
pub fn config_path() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        Some(x) => PathBuf::from(x),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".config"),
    };
    Some(base.join("mq").join("config.toml"))
}

/// The profile named by `--profile NAME` / `--profile=NAME` on the command line, else
/// `MQ_PROFILE`. (Read before clap parses, because the profile feeds clap's environment.)
fn wanted(argv: &[OsString]) -> Option<String> {
    // Help, version and the helpers that print files never connect.
    if argv.get(1).is_some_and(|a| {
        ["completions", "man", "--help", "--version"].contains(&a.to_str().unwrap_or(""))
    }) {
        return None;
    }
    let mut it = argv.iter().skip(1);
    while let Some(a) = it.next() {
        let a = a.to_string_lossy();
        if a == "--" {
            break;
        }
        if a == "--profile" {
            return it.next().map(|v| v.to_string_lossy().into_owned());
        }
        if let Some(v) = a.strip_prefix("--profile=") {
            return Some(v.to_string());
        }
    }
    std::env::var("MQ_PROFILE").ok().filter(|p| !p.is_empty())
}

fn expand(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => path.to_string(),
    }
}

fn scalar(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        // Tables, arrays and dates fail clap's check with this text in the message.
        other => format!("{other:?}"),
    }
}

/// Load the profile the command line or `MQ_PROFILE` names and fill the unset `MQ_*`
/// variables from it. Returns the profile's name. Call before any thread starts.
pub fn apply(argv: &[OsString]) -> Result<Option<String>> {
    let Some(name) = wanted(argv) else {
        return Ok(None);
    };
    let settings = load(&name)?;
    let mut filled = Vec::new();
    for (var, value) in settings {
        if std::env::var_os(var).is_none() {
            std::env::set_var(var, value);
            filled.push(var);
        }
    }
    let _ = FILLED.set(filled);
    Ok(Some(name))
}

/// The `MQ_*` variables profile `name` stands for, read from the config file (`mq bridge`
/// turns them into one side's flags instead of the process's environment).
pub fn load(name: &str) -> Result<Vec<(&'static str, String)>> {
    let name = name.to_string();
    let path = config_path().ok_or_else(|| {
        Error::usage(format!(
            "profile '{name}': neither XDG_CONFIG_HOME nor HOME is set"
        ))
    })?;
    let shown = path.display();
    let text = std::fs::read_to_string(&path).map_err(|e| {
        let why = if e.kind() == std::io::ErrorKind::NotFound {
            "no such file".to_string()
        } else {
            e.to_string()
        };
        Error::usage(format!("profile '{name}': cannot read {shown}: {why}"))
            .hint(format!("create it with a [profiles.{name}] table"))
    })?;
    let file: File = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|r| text[..r.start.min(text.len())].matches('\n').count() + 1);
        let at = line.map(|l| format!(" line {l}:")).unwrap_or_default();
        Error::usage(format!("{shown}:{at} {}", e.message().trim()))
    })?;
    let Some(p) = file.profiles.get(&name) else {
        let names: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
        return Err(
            Error::usage(format!("no profile '{name}' in {shown}")).hint(if names.is_empty() {
                format!("add a [profiles.{name}] table")
            } else {
                format!("profiles there: {}", names.join(", "))
            }),
        );
    };
    // A password in a file every user can read is refused, as --password-file is.
    let url_password = p
        .url
        .as_deref()
        .and_then(|u| crate::options::parse_url(u).ok())
        .is_some_and(|u| u.password.is_some());
    if p.password.is_some() || url_password {
        if let Ok(meta) = std::fs::metadata(&path) {
            crate::credentials::refuse_world_readable(
                &path,
                &meta,
                &format!("profile '{name}' holds a password, and"),
            )?;
        }
    }
    settings(p).map_err(|e| Error::usage(format!("profile '{name}' in {shown}: {e}")))
}

/// The `MQ_*` variables a profile stands for.
fn settings(p: &Profile) -> std::result::Result<Vec<(&'static str, String)>, String> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    let mut put = |var: &'static str, v: Option<String>| {
        if let Some(v) = v {
            out.push((var, v));
        }
    };
    if let Some(url) = &p.url {
        // Split the URL so that each part keeps its own precedence (a -h flag still wins).
        let u = crate::options::parse_url(url)
            .map_err(|e| format!("url '{}': {e}", crate::options::mask_password(url)))?;
        use crate::options::Scheme;
        put("MQ_HOST", Some(u.host));
        put("MQ_PORT", u.port.map(|p| p.to_string()));
        put("MQ_USERNAME", u.username);
        put("MQ_PASSWORD", u.password);
        put(
            "MQ_TLS",
            matches!(u.scheme, Scheme::Mqtts | Scheme::Wss).then(|| "true".into()),
        );
        put(
            "MQ_WS",
            matches!(u.scheme, Scheme::Ws | Scheme::Wss).then(|| "true".into()),
        );
        put("MQ_WS_PATH", u.ws_path);
    }
    put("MQ_HOST", p.host.clone());
    put("MQ_PORT", p.port.map(|v| v.to_string()));
    put("MQ_KEEPALIVE", p.keepalive.as_ref().map(scalar));
    put(
        "MQ_PROTOCOL_VERSION",
        p.protocol_version.as_ref().map(scalar),
    );
    put("MQ_USERNAME", p.username.clone());
    // A password in the environment beats any password in a profile.
    let env_password =
        std::env::var_os("MQ_PASSWORD").is_some() || std::env::var_os("MQ_PASSWORD_FILE").is_some();
    if !env_password {
        put("MQ_PASSWORD", p.password.clone());
        put("MQ_PASSWORD_FILE", p.password_file.as_deref().map(expand));
    }
    put("MQ_CAFILE", p.cafile.as_deref().map(expand));
    put("MQ_CAPATH", p.capath.as_deref().map(expand));
    put("MQ_CERT", p.cert.as_deref().map(expand));
    put("MQ_KEY", p.key.as_deref().map(expand));
    put(
        "MQ_KEY_PASSWORD_FILE",
        p.key_password_file.as_deref().map(expand),
    );
    put("MQ_TLS", p.tls.map(|b| b.to_string()));
    put("MQ_INSECURE", p.insecure.map(|b| b.to_string()));
    put("MQ_TLS_VERSION", p.tls_version.as_ref().map(scalar));
    put("MQ_CIPHERS", p.ciphers.clone());
    put("MQ_TLS13_CIPHERS", p.tls13_ciphers.clone());
    put("MQ_ALPN", p.alpn.as_ref().map(|a| a.join(",")));
    put("MQ_TLS_SERVER_NAME", p.tls_server_name.clone());
    put("MQ_WS", p.ws.map(|b| b.to_string()));
    put("MQ_WS_PATH", p.ws_path.clone());
    put("MQ_CONNECT_TIMEOUT", p.connect_timeout.as_ref().map(scalar));
    put("MQ_PROXY", p.proxy.clone());
    // The URL's parts come first; an explicit key of the profile replaces them.
    let mut seen = std::collections::HashSet::new();
    let mut dedup: Vec<(&'static str, String)> = Vec::new();
    for (var, v) in out.into_iter().rev() {
        if seen.insert(var) {
            dedup.push((var, v));
        }
    }
    Ok(dedup)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn profile_name_from_the_command_line() {
        assert_eq!(
            wanted(&os(&["mq", "pub", "--profile", "home"])).as_deref(),
            Some("home")
        );
        assert_eq!(
            wanted(&os(&["mq", "sub", "--profile=cloud", "-t", "a"])).as_deref(),
            Some("cloud")
        );
    }

    #[test]
    fn url_parts_yield_to_explicit_keys() {
        let p: Profile = toml::from_str(
            "url = \"wss://u:pw@cloud.example.com/mqtt\"\nhost = \"other\"\nalpn = [\"a\", \"b\"]",
        )
        .unwrap();
        let s = settings(&p).unwrap();
        let get = |k: &str| s.iter().find(|(v, _)| *v == k).map(|(_, x)| x.as_str());
        assert_eq!(get("MQ_HOST"), Some("other"));
        assert_eq!(get("MQ_WS"), Some("true"));
        assert_eq!(get("MQ_TLS"), Some("true"));
        assert_eq!(get("MQ_WS_PATH"), Some("/mqtt"));
        assert_eq!(get("MQ_ALPN"), Some("a,b"));
        assert!(toml::from_str::<Profile>("hots = \"typo\"").is_err());
    }
}
