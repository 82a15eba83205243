//! Long texts cut short: one line of a log can be hundreds of megabytes, and the
//! findings, summaries and records that quote it must not copy all of it. A cut text
//! keeps its start (at a character boundary) and says how long it was.

use std::borrow::Cow;

/// Longest text carried into a finding (evidence text, summary, a detail) or a
/// source summary, in bytes; longer ones are cut and marked ([`cut_text`]).
pub const MAX_MESSAGE_BYTES: usize = 4096;

/// `text` when it has at most `max` bytes; else its first `max` bytes (backed off to
/// a character boundary) followed by ` [... cut, N bytes in all]`.
pub fn cut_text(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}{}", &text[..end], cut_marker(text.len())))
}

/// The marker [`cut_text`] appends to a text that had `total` bytes.
pub fn cut_marker(total: usize) -> String {
    format!(" [... cut, {total} bytes in all]")
}

/// [`cut_text`] with [`MAX_MESSAGE_BYTES`], as an owned string (the long one dropped).
pub fn cut_message(text: impl AsRef<str>) -> String {
    cut_text(text.as_ref(), MAX_MESSAGE_BYTES).into_owned()
}

/// Every string inside `value` cut with [`cut_message`].
pub fn cut_json(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) if s.len() > MAX_MESSAGE_BYTES => Value::String(cut_message(s)),
        Value::Array(items) => Value::Array(items.into_iter().map(cut_json).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, cut_json(v))).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_keep_their_start_and_say_their_length() {
        assert!(matches!(cut_text("short", 5), Cow::Borrowed("short")));
        assert_eq!(cut_text("abcdef", 4), "abcd [... cut, 6 bytes in all]");
        // "é" is two bytes: the cut backs off to the character boundary.
        assert_eq!(cut_text("aébc", 2), "a [... cut, 5 bytes in all]");
        let long = "x".repeat(MAX_MESSAGE_BYTES * 3);
        assert_eq!(
            cut_message(&long).len(),
            MAX_MESSAGE_BYTES + cut_marker(long.len()).len()
        );
        let value = cut_json(serde_json::json!({"lines": [long.clone(), "ok"], "n": 1}));
        assert_eq!(
            value["lines"][0].as_str().map(str::len),
            Some(MAX_MESSAGE_BYTES + cut_marker(long.len()).len())
        );
        assert_eq!(value["lines"][1], "ok");
        assert_eq!(value["n"], 1);
    }
}
