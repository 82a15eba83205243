//! Text from the inputs made safe for a terminal: control characters that a terminal
//! would act on (ESC starting a sequence that retitles the window or clears the
//! screen, BEL, a lone carriage return that overwrites the line, C1 controls, the
//! Unicode bidirectional overrides that reorder what is shown) are written as visible
//! escapes. Tabs and line feeds stay. JSON output needs none of this: the JSON writer
//! escapes control characters itself.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a terminal could act on `c` (beyond tab and line feed).
fn is_active(c: char) -> bool {
    match c {
        '\t' | '\n' => false,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

/// `text` with every control character a terminal would act on written as an escape:
/// `\e` for ESC, `\r` for a carriage return, `\xNN` for the other C0/C1 controls and
/// DEL, `\u{NNNN}` for the bidirectional controls. Borrowed when there is none.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_active) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            _ if !is_active(c) => out.push(c),
            '\u{1b}' => out.push_str("\\e"),
            '\r' => out.push_str("\\r"),
            '\u{0}'..='\u{9f}' => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            _ => {
                let _ = write!(out, "\\u{{{:04x}}}", u32::from(c));
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_become_visible_and_plain_text_is_borrowed() {
        assert!(matches!(printable("Setup failed\twith 0x80070005\n"), Cow::Borrowed(_)));
        assert_eq!(
            printable("\u{1b}]0;pwned\u{7}\u{1b}[2J title"),
            "\\e]0;pwned\\x07\\e[2J title"
        );
        assert_eq!(printable("ok\rFAKE"), "ok\\rFAKE");
        assert_eq!(printable("\u{9b}31m \u{7f}"), "\\x9b31m \\x7f");
        assert_eq!(printable("exe.\u{202e}gol"), "exe.\\u{202e}gol");
        assert_eq!(printable("Größe ✓"), "Größe ✓");
    }
}
