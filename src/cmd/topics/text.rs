//! What came from the network, made safe to show: topic names and payload previews escaped for
//! the terminal (a topic or payload must never move the cursor, clear the screen or reorder
//! text), hex for binary payloads, and byte counts in short units.

use super::inventory::{Kind, Row};
use crate::output::escape::hides_or_reorders;
use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters of payload preview in the table.
const PREVIEW_CHARS: usize = 40;
/// Bytes of a binary payload shown as hex in the table.
const PREVIEW_HEX_BYTES: usize = 16;

/// Two lowercase hex digits per byte.
pub fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
}

/// `t` escaped for the terminal, copied only when something needed escaping.
pub fn escaped(t: &str) -> Cow<'_, str> {
    if !t.chars().any(needs_escape) {
        return Cow::Borrowed(t);
    }
    let mut s = String::new();
    terminal_safe(&mut s, t);
    Cow::Owned(s)
}

/// Control characters (newlines and tabs too, so a row stays one line), the backslash that
/// starts an escape, and the characters that hide or reorder text (the terminal's own set).
fn needs_escape(c: char) -> bool {
    c == '\\' || c.is_control() || hides_or_reorders(c)
}

/// The valid UTF-8 start of a payload head (a cut may split a character).
pub fn utf8_head(head: &[u8]) -> &str {
    match std::str::from_utf8(head) {
        Ok(s) => s,
        // A cut character at the end only: text payloads are valid UTF-8 in full.
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default(),
    }
}

/// The table's preview of a topic's last payload: `(empty)`, hex for binary, else text with
/// control characters escaped; `…` when cut.
pub fn preview(out: &mut String, r: &Row) {
    match r.kind {
        Kind::Empty => out.push_str("(empty)"),
        Kind::Binary => {
            let head = &r.head()[..r.head().len().min(PREVIEW_HEX_BYTES)];
            out.push_str("hex:");
            push_hex(out, head);
            if r.last_bytes > head.len() {
                out.push('…');
            }
        }
        Kind::Json | Kind::Text => {
            let text = utf8_head(r.head());
            let mut cut = r.truncated();
            for (i, c) in text.chars().enumerate() {
                if i == PREVIEW_CHARS {
                    cut = true;
                    break;
                }
                escape_char(out, c);
            }
            if cut {
                out.push('…');
            }
        }
    }
}

/// `s` with what could garble a terminal escaped: control characters (newlines and tabs too,
/// so a row stays one line) and the invisible characters that reorder text.
pub fn terminal_safe(out: &mut String, s: &str) {
    for c in s.chars() {
        escape_char(out, c);
    }
}

fn escape_char(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\\' => out.push_str("\\\\"),
        c if c.is_control() && (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if hides_or_reorders(c) => {
            let _ = write!(out, "\\u{{{:04x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// Bytes as the table shows them: exact below 10 KiB, else KiB/MiB/GiB with one decimal.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 3] = ["KiB", "MiB", "GiB"];
    if n < 10 * 1024 {
        return n.to_string();
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1}{}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_strings_are_escaped_for_the_terminal() {
        let mut out = String::new();
        terminal_safe(
            &mut out,
            "a\x1b[2Jb\nc\u{202e}d\\ zw\u{200b} lsep\u{2028} bom\u{feff}",
        );
        assert_eq!(
            out,
            "a\\x1b[2Jb\\nc\\u{202e}d\\\\ zw\\u{200b} lsep\\u{2028} bom\\u{feff}"
        );
        assert!(matches!(escaped("a\u{ad}b"), Cow::Owned(s) if s == "a\\u{00ad}b"));
    }

    #[test]
    fn byte_counts_are_short() {
        assert_eq!(human_bytes(10239), "10239");
        assert_eq!(human_bytes(10240), "10.0KiB");
        assert_eq!(human_bytes(3 << 20), "3.0MiB");
    }

    #[test]
    fn a_cut_character_is_left_out_of_the_head() {
        assert_eq!(utf8_head("aé".as_bytes()), "aé");
        assert_eq!(utf8_head(&"aé".as_bytes()[..2]), "a");
    }
}
