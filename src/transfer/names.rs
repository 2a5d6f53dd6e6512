//! File names: which names a receiver accepts from a frame, the safe name of a raw message,
//! numbered alternatives, and content types from magic bytes. Pure code: no I/O.

use crate::output::escape::hides_or_reorders;

/// A file name from a frame, accepted only if it names a plain file inside the target directory.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("empty file name".into());
    }
    if name == "." || name == ".." {
        return Err(format!("file name '{name}' is a directory reference"));
    }
    if name.contains('/') || name.contains('\\') {
        return Err(format!(
            "file name '{}' holds a path separator",
            name.escape_debug()
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(format!(
            "file name '{}' holds control characters",
            name.escape_debug()
        ));
    }
    // A hidden file is one a shell or tool may read by itself (.bash_profile, .envrc): a sender
    // does not get to place one.
    if name.starts_with('.') {
        return Err(format!(
            "file name '{}' starts with a dot (a hidden file)",
            name.escape_debug()
        ));
    }
    // Bidi overrides and invisible format characters make a name read as another
    // ('\u{202e}gnp.exe' shows as 'exe.png'): the set the terminal escapes.
    if let Some(c) = name.chars().find(|&c| hides_or_reorders(c)) {
        return Err(format!(
            "file name '{}' holds the invisible formatting character U+{:04X}",
            name.escape_debug(),
            c as u32
        ));
    }
    if name.len() > 200 {
        return Err("file name longer than 200 bytes".into());
    }
    Ok(())
}

/// A file name for a raw message on `topic`: its last level, made safe (`images/cam1` ->
/// `cam1`), as the file a sender published there is usually named after the topic's last part.
/// An empty last level (`a/`) falls back to the whole topic (`a_`).
pub fn from_topic(topic: &str) -> String {
    match topic.rsplit('/').next() {
        Some(last) if !last.is_empty() => safe(last),
        _ => safe(topic),
    }
}

/// `s` as a file name: only ASCII letters, digits, `-`, `_` and single dots survive; never
/// empty, never starting with a dot.
fn safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(100));
    for c in s.chars().take(100) {
        let keep = c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
        let c = if keep { c } else { '_' };
        // No "..", and no leading dot (hidden file).
        if c == '.' && (out.is_empty() || out.ends_with('.')) {
            out.push('_');
        } else {
            out.push(c);
        }
    }
    if out.is_empty() {
        out.push_str("message");
    }
    out
}

/// `name` with the extension `ext`, unless it already ends with it: `cam1` -> `cam1.jpg`,
/// `photo.jpg` stays.
pub fn with_extension(name: &str, ext: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, e)) if !stem.is_empty() && e.eq_ignore_ascii_case(ext) => name.to_string(),
        _ => format!("{name}.{ext}"),
    }
}

/// The `n`th alternative to `name`: `photo.jpg` -> `photo.1.jpg`, `README` -> `README.1`.
pub fn numbered(name: &str, n: u32) -> String {
    match name.rfind('.') {
        Some(dot) if dot > 0 => format!("{}.{n}{}", &name[..dot], &name[dot..]),
        _ => format!("{name}.{n}"),
    }
}

/// Content type and usual extension of a payload, from its first bytes.
pub fn sniff(data: &[u8]) -> Option<(&'static str, &'static str)> {
    const TYPES: &[(&[u8], &str, &str)] = &[
        (b"\xff\xd8\xff", "image/jpeg", "jpg"),
        (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
        (b"GIF8", "image/gif", "gif"),
        (b"%PDF-", "application/pdf", "pdf"),
        (b"\x1f\x8b", "application/gzip", "gz"),
        (b"PK\x03\x04", "application/zip", "zip"),
    ];
    TYPES
        .iter()
        .find(|(magic, _, _)| data.starts_with(magic))
        .map(|&(_, t, e)| (t, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_are_refused() {
        for bad in [
            "",
            ".",
            "..",
            "../x",
            "a/b",
            "/etc/passwd",
            "..\\x",
            "a\nb",
            "a\0b",
            "\u{7f}",
            &"x".repeat(201),
            // Security review finding 12: hidden files and names that read as others.
            ".bash_profile",
            ".hidden",
            "\u{202e}gnp.exe",
            "a\u{200b}b",
            "\u{feff}x",
            "soft\u{ad}hyphen",
            "line\u{2028}sep",
            "\u{2066}isolate",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        for good in ["photo.jpg", "a..b", "数据.bin", "with space", "x.tar.gz"] {
            assert_eq!(check_name(good), Ok(()), "{good:?}");
        }
    }

    #[test]
    fn topic_names_are_safe() {
        let cases = [
            ("camera/image", "image"),
            ("images/cam1", "cam1"),
            ("cam1", "cam1"),
            ("../../etc", "etc"),
            ("a/..", "_."),
            ("/abs", "abs"),
            ("a/", "a_"),
            ("/", "_"),
            ("", "message"),
            ("x/.hidden", "_hidden"),
            ("a\nb", "a_b"),
            ("x..y", "x._y"),
            ("ünï", "_n_"),
        ];
        for (topic, want) in cases {
            let got = from_topic(topic);
            assert_eq!(got, want, "{topic:?}");
            assert_eq!(check_name(&got), Ok(()));
            assert!(!got.contains(".."));
        }
        assert_eq!(from_topic(&"a".repeat(300)).len(), 100);
    }

    #[test]
    fn extensions_are_added_once() {
        assert_eq!(with_extension("cam1", "jpg"), "cam1.jpg");
        assert_eq!(with_extension("photo.jpg", "jpg"), "photo.jpg");
        assert_eq!(with_extension("photo.JPG", "jpg"), "photo.JPG");
        assert_eq!(with_extension("photo.png", "jpg"), "photo.png.jpg");
        assert_eq!(with_extension("_jpg", "jpg"), "_jpg.jpg");
    }

    #[test]
    fn numbered_names() {
        assert_eq!(numbered("photo.jpg", 1), "photo.1.jpg");
        assert_eq!(numbered("README", 2), "README.2");
        assert_eq!(numbered(".bashrc", 3), ".bashrc.3");
    }

    #[test]
    fn sniffs_images() {
        assert_eq!(sniff(b"\xff\xd8\xff\xe0..."), Some(("image/jpeg", "jpg")));
        assert_eq!(sniff(b"hello"), None);
    }
}
