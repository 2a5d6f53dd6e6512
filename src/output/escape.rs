//! Terminal safety: how a string that came from the network (a topic, a broker's reason
//! string, a user property, a file name a sender chose, a certificate's subject) is shown
//! without letting it drive the terminal.
//!
//! One spelling everywhere: a control character (C0, DEL, C1) or a byte that is not UTF-8
//! becomes `\xNN` (`\x1b` for ESC), and a character that reorders or hides text
//! (`hides_or_reorders`: bidi marks, embeddings, overrides and isolates, zero-width characters,
//! the byte order mark, the soft hyphen, the line and paragraph separators) becomes
//! `\u{NNNN}` (`\u{202e}`). Everything else, backslashes included, is shown as it is.
//!
//! `hides_or_reorders` is the one definition of such characters: `mq topics` escapes them in its
//! table and `sub --save-dir` refuses file names that hold them.
//!
//! Where it applies:
//! - stderr lines (`-d`, warnings, notes, errors): always, since a diagnostic is one line;
//! - topics in text output: control characters always (mosquitto refuses such topics, so no
//!   byte-exact output depends on them), bidi characters on a terminal;
//! - every other network string and `-F` payloads: on a terminal only, so piped output stays
//!   byte-exact.
//!
//! `--json` output uses JSON's own escapes instead (see `json.rs`).

use std::borrow::Cow;

/// What to escape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// Nothing: the bytes as received (network strings in piped output).
    Nothing,
    /// Control characters only (topics in piped output).
    Controls,
    /// Control characters and bidi/format characters (anything shown on a terminal).
    All,
}

impl Escape {
    /// What a topic needs: control characters always, bidi characters on a terminal.
    pub fn topic(terminal: bool) -> Escape {
        if terminal {
            Escape::All
        } else {
            Escape::Controls
        }
    }

    /// What any other network string needs: everything on a terminal, nothing in a pipe.
    pub fn text(terminal: bool) -> Escape {
        if terminal {
            Escape::All
        } else {
            Escape::Nothing
        }
    }
}

/// A character that is not a control character but reorders or hides the text around it, so
/// that a string reads as another (`\u{202e}gnp.exe` shows as `exe.png`, `a\u{200b}b` as `ab`):
/// the Unicode format characters (category Cf) that do so, and the line and paragraph
/// separators. Every one of them starts, in UTF-8, with a byte `may_start_escaped` knows.
pub fn hides_or_reorders(c: char) -> bool {
    matches!(
        c,
        // Soft hyphen, Arabic letter mark, Mongolian vowel separator.
        '\u{00ad}' | '\u{061c}' | '\u{180e}'
            // Zero-width space, non-joiner, joiner; left-to-right and right-to-left marks.
            | '\u{200b}'..='\u{200f}'
            // Line and paragraph separators; bidi embeddings and overrides.
            | '\u{2028}'..='\u{202e}'
            // Word joiner and invisible operators; bidi isolates and deprecated format controls.
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            // Byte order mark (zero-width no-break space); interlinear annotation marks.
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
    )
}

fn escaped(c: char, what: Escape) -> bool {
    match what {
        Escape::Nothing => false,
        Escape::Controls => c.is_control(),
        Escape::All => c.is_control() || hides_or_reorders(c),
    }
}

/// Whether a byte may start the UTF-8 of a character `Escape::All` escapes: below 0x20, 0x7f,
/// or a lead byte 0xc2 (C1, U+00AD), 0xd8 (U+061C), 0xe1 (U+180E), 0xe2 (U+2xxx) or 0xef
/// (U+FEFF, U+FFF9..U+FFFB).
fn may_start_escaped(b: u8) -> bool {
    b < 0x20 || b == 0x7f || matches!(b, 0xc2 | 0xd8 | 0xe1 | 0xe2 | 0xef)
}

/// Whether `s` holds nothing `what` escapes. Looks at bytes (see `may_start_escaped`): anything
/// else passes untouched and unexamined.
pub fn is_clean(s: &[u8], what: Escape) -> bool {
    match what {
        Escape::Nothing => true,
        Escape::Controls => !s.iter().any(|&b| b < 0x20 || b == 0x7f || b == 0xc2),
        Escape::All => !s.iter().any(|&b| may_start_escaped(b)),
    }
}

/// Append `s` to `out`, escaping what `what` says.
pub fn push_str(out: &mut Vec<u8>, s: &str, what: Escape) {
    if is_clean(s.as_bytes(), what) {
        out.extend_from_slice(s.as_bytes());
    } else {
        push_escaped(out, s.as_bytes(), what);
    }
}

/// Append the bytes `s` to `out`, escaping what `what` says; invalid UTF-8 becomes `\xNN`
/// unless nothing is escaped.
pub fn push(out: &mut Vec<u8>, s: &[u8], what: Escape) {
    if what == Escape::Nothing || (is_clean(s, what) && std::str::from_utf8(s).is_ok()) {
        out.extend_from_slice(s);
    } else {
        push_escaped(out, s, what);
    }
}

fn push_escaped(out: &mut Vec<u8>, s: &[u8], what: Escape) {
    for chunk in s.utf8_chunks() {
        for c in chunk.valid().chars() {
            push_char(out, c, what);
        }
        for &b in chunk.invalid() {
            push_hex(out, b);
        }
    }
}

/// Payload text for a terminal (`--format text`, `-F %p`): as `push(.., Escape::All)`, except
/// that tab and newline stay, since they are the payload's layout.
pub fn push_text(out: &mut Vec<u8>, p: &[u8]) {
    let layout_only = !p
        .iter()
        .any(|&b| b != b'\t' && b != b'\n' && may_start_escaped(b));
    if layout_only && std::str::from_utf8(p).is_ok() {
        out.extend_from_slice(p);
        return;
    }
    for chunk in p.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\t' | '\n' => out.push(c as u8),
                c => push_char(out, c, Escape::All),
            }
        }
        for &b in chunk.invalid() {
            push_hex(out, b);
        }
    }
}

fn push_char(out: &mut Vec<u8>, c: char, what: Escape) {
    if !escaped(c, what) {
        let mut b = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
    } else if c.is_control() && (c as u32) < 0x100 {
        push_hex(out, c as u8);
    } else {
        use std::io::Write as _;
        let _ = write!(out, "\\u{{{:04x}}}", c as u32);
    }
}

fn push_hex(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(&[b'\\', b'x', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
}

/// `s` with control and bidi characters escaped: for text shown to a person whatever the
/// stream (stderr lines, the `mq check` and `mq bench` reports).
pub fn shown(s: &str) -> Cow<'_, str> {
    if is_clean(s.as_bytes(), Escape::All) || !s.chars().any(|c| escaped(c, Escape::All)) {
        return Cow::Borrowed(s);
    }
    let mut out = Vec::with_capacity(s.len() + 8);
    push_str(&mut out, s, Escape::All);
    // Valid UTF-8: the input was, and escapes are ASCII.
    Cow::Owned(String::from_utf8(out).unwrap_or_default())
}

/// Like `shown`, keeping line breaks: for multi-line text.
pub fn shown_lines(s: &str) -> String {
    s.split('\n').map(shown).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pushed(s: &[u8], what: Escape) -> String {
        let mut out = Vec::new();
        push(&mut out, s, what);
        String::from_utf8(out).expect("escaped output is UTF-8")
    }

    #[test]
    fn one_spelling_for_every_dangerous_character() {
        let cases: &[(&str, &str)] = &[
            (
                "esc/\x1b]0;PWNED\x07\x1b[2J",
                r"esc/\x1b]0;PWNED\x07\x1b[2J",
            ),
            ("a\rb\nc\td\0", r"a\x0db\x0ac\x09d\x00"),
            ("del\x7f c1\u{9b}", r"del\x7f c1\x9b"),
            ("\u{202e}gnp.exe", r"\u{202e}gnp.exe"),
            (
                "\u{2066}\u{2069}\u{200e}\u{200f}\u{061c}",
                r"\u{2066}\u{2069}\u{200e}\u{200f}\u{061c}",
            ),
            ("line\u{2028}sep\u{2029}", r"line\u{2028}sep\u{2029}"),
            (
                "soft\u{ad}zw\u{200b}bom\u{feff}wj\u{2060}mvs\u{180e}ia\u{fff9}",
                r"soft\u{00ad}zw\u{200b}bom\u{feff}wj\u{2060}mvs\u{180e}ia\u{fff9}",
            ),
            ("plain/topic é ü € 😀 \\x1b", "plain/topic é ü € 😀 \\x1b"),
        ];
        for (input, want) in cases {
            assert_eq!(shown(input), *want, "{input:?}");
            assert_eq!(pushed(input.as_bytes(), Escape::All), *want, "{input:?}");
        }
        assert_eq!(pushed(b"bad \xff\xfe", Escape::All), r"bad \xff\xfe");
    }

    #[test]
    fn controls_only_and_nothing() {
        let s = "t/\x1b[2J/\u{202e}x";
        assert_eq!(
            pushed(s.as_bytes(), Escape::Controls),
            "t/\\x1b[2J/\u{202e}x"
        );
        assert_eq!(pushed(s.as_bytes(), Escape::Nothing), s);
        let mut raw = Vec::new();
        push(&mut raw, b"\xff\x1b", Escape::Nothing);
        assert_eq!(raw, b"\xff\x1b");
    }

    /// What a terminal must never receive from the network: a control character or a
    /// character that reorders or hides text.
    fn inert(s: &str) -> bool {
        !s.chars().any(|c| c.is_control() || hides_or_reorders(c))
    }

    /// The set, pinned: the union of what the terminal, `mq topics` and file names each used to
    /// call invisible (they differed).
    #[test]
    fn the_characters_that_hide_or_reorder_text() {
        let every: Vec<u32> = (0..=0x10ffff_u32)
            .filter_map(char::from_u32)
            .filter(|&c| hides_or_reorders(c))
            .map(|c| c as u32)
            .collect();
        let want: Vec<u32> = [0xad, 0x61c, 0x180e]
            .into_iter()
            .chain(0x200b..=0x200f)
            .chain(0x2028..=0x202e)
            .chain(0x2060..=0x2064)
            .chain(0x2066..=0x206f)
            .chain([0xfeff, 0xfff9, 0xfffa, 0xfffb])
            .collect();
        assert_eq!(every, want);
        for c in ['a', 'é', '€', '\u{2010}', '\u{2065}', '\u{fffc}', '😀'] {
            assert!(!hides_or_reorders(c), "{c:?}");
        }
    }

    #[test]
    fn no_character_gets_through_unescaped() {
        let every: String = (0..=0x10ffff_u32).filter_map(char::from_u32).collect();
        assert!(inert(&shown(&every)));
        let mut text = Vec::new();
        push_text(&mut text, every.as_bytes());
        let text = String::from_utf8(text).expect("UTF-8");
        assert!(inert(&text.replace(['\t', '\n'], "")));
        for b in 0..=255u8 {
            let mut out = Vec::new();
            push(&mut out, &[b, b'x', b], Escape::All);
            assert!(inert(std::str::from_utf8(&out).expect("UTF-8")), "{b:#x}");
        }
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(shown("sensor/1 € ok"), Cow::Borrowed(_)));
        assert!(is_clean("€ ü".as_bytes(), Escape::Controls));
        // A lead byte is a hint, not a verdict: '€' (e2 82 ac) is escaped as itself.
        assert_eq!(shown("€"), "€");
        assert_eq!(shown_lines("a\x1b\nb"), "a\\x1b\nb");
    }
}
