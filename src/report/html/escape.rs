//! The one way text reaches the HTML report: markup comes only from constants
//! (`&'static str` tag and attribute names, the page's own CSS and script), and every
//! value, element text or attribute, goes through [`Html::text`], which escapes it. Log
//! lines hold `<`, `&`, quotes and script-like text; none of it can become markup.

use std::fmt::{self, Display, Write as _};
use std::io::{self, Write};

/// Attribute name and value pairs of an element.
pub(super) type Attrs<'a> = &'a [(&'static str, &'a dyn Display)];

/// The replacement of one character, `None` when it is written as it is: `& < > " '`
/// become character references (safe in element text and in a double-quoted attribute
/// value), control characters that HTML forbids become U+FFFD.
fn replacement(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&#39;"),
        '\t' | '\n' | '\r' => None,
        c if c.is_control() => Some("\u{FFFD}"),
        _ => None,
    }
}

/// A `fmt::Write` that escapes what goes through it into an `io::Write`.
struct Escaping<'a> {
    out: &'a mut dyn Write,
    error: Option<io::Error>,
}

impl fmt::Write for Escaping<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut rest = s;
        while let Some((at, c)) = rest.char_indices().find(|(_, c)| replacement(*c).is_some()) {
            let written = self
                .out
                .write_all(&rest.as_bytes()[..at])
                .and_then(|()| self.out.write_all(replacement(c).unwrap_or_default().as_bytes()));
            if let Err(e) = written {
                self.error = Some(e);
                return Err(fmt::Error);
            }
            rest = &rest[at + c.len_utf8()..];
        }
        self.out.write_all(rest.as_bytes()).map_err(|e| {
            self.error = Some(e);
            fmt::Error
        })
    }
}

/// The report being written: elements from constant names, values escaped.
pub(super) struct Html<'w> {
    out: &'w mut dyn Write,
}

impl<'w> Html<'w> {
    /// A writer over `out`.
    pub(super) fn new(out: &'w mut dyn Write) -> Html<'w> {
        Html { out }
    }

    /// Constant markup, as it is.
    pub(super) fn raw(&mut self, markup: &'static str) -> io::Result<()> {
        self.out.write_all(markup.as_bytes())
    }

    /// A value, escaped: the one escaping of the report, for element text and (through
    /// the element methods) double-quoted attribute values.
    pub(super) fn text(&mut self, value: impl Display) -> io::Result<()> {
        let mut escaping = Escaping {
            out: &mut *self.out,
            error: None,
        };
        match write!(escaping, "{value}") {
            Ok(()) => Ok(()),
            Err(_) => Err(escaping
                .error
                .unwrap_or_else(|| io::Error::other("a value could not be formatted"))),
        }
    }

    fn attributes(&mut self, attrs: Attrs<'_>) -> io::Result<()> {
        for (name, value) in attrs {
            self.raw(" ")?;
            self.raw(name)?;
            self.raw("=\"")?;
            self.text(value)?;
            self.raw("\"")?;
        }
        Ok(())
    }

    /// `<tag name="value" ...>`.
    pub(super) fn open(&mut self, tag: &'static str, attrs: Attrs<'_>) -> io::Result<()> {
        self.raw("<")?;
        self.raw(tag)?;
        self.attributes(attrs)?;
        self.raw(">")
    }

    /// `<tag name="value" .../>`: an SVG element without content, or an HTML void element.
    pub(super) fn void(&mut self, tag: &'static str, attrs: Attrs<'_>) -> io::Result<()> {
        self.raw("<")?;
        self.raw(tag)?;
        self.attributes(attrs)?;
        self.raw("/>")
    }

    /// `</tag>`.
    pub(super) fn close(&mut self, tag: &'static str) -> io::Result<()> {
        self.raw("</")?;
        self.raw(tag)?;
        self.raw(">")
    }

    /// `<tag ...>value</tag>`, the value escaped.
    pub(super) fn element(&mut self, tag: &'static str, attrs: Attrs<'_>, value: impl Display) -> io::Result<()> {
        self.open(tag, attrs)?;
        self.text(value)?;
        self.close(tag)
    }
}

/// A coordinate with one decimal (`12.5`), for SVG attributes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Px(pub(super) f64);

impl Display for Px {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rounded = (self.0 * 10.0).round() / 10.0;
        if rounded == rounded.trunc() {
            write!(f, "{}", rounded as i64)
        } else {
            write!(f, "{rounded:.1}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(write: impl FnOnce(&mut Html<'_>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        write(&mut Html::new(&mut out)).unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn text_and_attributes_are_escaped_alike() {
        let evil = "</svg><script>alert('x&y')</script>\"onload=\"x\u{0}";
        let escaped = "&lt;/svg&gt;&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;&quot;onload=&quot;x\u{FFFD}";
        assert_eq!(written(|h| h.text(evil)), escaped);
        let html = written(|h| h.element("p", &[("title", &evil)], evil));
        assert_eq!(html, format!("<p title=\"{escaped}\">{escaped}</p>"));
        assert_eq!(
            written(|h| h.text("tab\tand\nline, ü, 日本")),
            "tab\tand\nline, ü, 日本"
        );
    }

    #[test]
    fn elements_and_coordinates() {
        let html = written(|h| {
            h.open("svg", &[("width", &Px(12.0)), ("x", &Px(3.04)), ("y", &Px(-2.25))])?;
            h.void("rect", &[("class", &"run")])?;
            h.close("svg")
        });
        assert_eq!(html, "<svg width=\"12\" x=\"3\" y=\"-2.3\"><rect class=\"run\"/></svg>");
    }
}
