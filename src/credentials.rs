//! Where the password comes from, so that it never has to be on the command line.
//!
//! In order: `-P PASSWORD`, the `-L` URL's password, `--password-file FILE` (or
//! `MQ_PASSWORD_FILE`), `MQ_PASSWORD`, and last a prompt on the terminal when a username is
//! given (`-P -` asks for the prompt explicitly). mq never prompts when stdin is not a terminal:
//! `-P -` is then an error, and a username alone is sent without a password, as mosquitto does.
//! The password itself never appears in a message.

use crate::cli::ConnectArgs;
use crate::exit::{Error, Result};
use std::io::IsTerminal;
use std::path::Path;

pub fn password(
    args: &ConnectArgs,
    url_password: Option<String>,
    username: Option<&str>,
    host: &str,
) -> Result<Option<String>> {
    let ask = args.password.as_deref() == Some("-");
    if let Some(p) = args.password.as_ref().filter(|_| !ask) {
        return Ok(Some(p.clone()));
    }
    if !ask {
        if let Some(p) = url_password {
            return Ok(Some(p));
        }
        if let Some(file) = &args.password_file {
            return read_password_file(file).map(Some);
        }
        if let Ok(p) = std::env::var("MQ_PASSWORD") {
            return Ok(Some(p));
        }
    }
    // --print-config reports; it never asks.
    let interactive = std::io::stdin().is_terminal() && !args.print_config;
    if ask && args.print_config {
        return Ok(None);
    }
    if ask && !interactive {
        return Err(Error::usage(
            "-P - asks for the password on the terminal, but stdin is not a terminal",
        )
        .hint("use --password-file FILE or the MQ_PASSWORD environment variable"));
    }
    match username {
        Some(user) if interactive => prompt(&format!("Password for {user}@{host}: ")).map(Some),
        None if ask => prompt(&format!("Password for {host}: ")).map(Some),
        _ => Ok(None),
    }
}

pub(crate) fn prompt(text: &str) -> Result<String> {
    rpassword::prompt_password(text)
        .map_err(|e| Error::usage(format!("reading the password from the terminal: {e}")))
}

/// The first line of `path`, which must not be readable by every user.
pub fn read_password_file(path: &Path) -> Result<String> {
    read_secret_file(path, "--password-file")
}

/// A file that holds a secret must not be readable by every user.
pub fn refuse_world_readable(path: &Path, meta: &std::fs::Metadata, what: &str) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o004 != 0 {
        let shown = path.display();
        return Err(Error::usage(format!(
            "{what} {shown} is readable by every user (mode {mode:03o}): refusing to use it"
        ))
        .hint(format!("chmod 600 {shown}")));
    }
    Ok(())
}

/// The first line of the file `flag` names; it must not be readable by every user.
pub fn read_secret_file(path: &Path, flag: &str) -> Result<String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        Error::usage(format!("cannot read {flag} {shown}: {why}"))
    })?;
    refuse_world_readable(path, &meta, flag)?;
    if meta.is_dir() {
        return Err(Error::usage(format!("{flag} {shown} is a directory")));
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::usage(format!(
            "cannot read {flag} {shown}: {}",
            if e.kind() == std::io::ErrorKind::InvalidData {
                "it is not UTF-8 text".to_string()
            } else {
                e.to_string()
            }
        ))
    })?;
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        return Err(Error::usage(format!(
            "{flag} {shown} is empty (the password is its first line)"
        )));
    }
    Ok(line.to_string())
}
