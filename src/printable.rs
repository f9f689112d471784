//! Text from answers files, batch input and rulebooks, made safe to show on a terminal:
//! a control character (an escape code, a carriage return, a bell) or a bidirectional
//! override in an `id`, an unknown key or a bad value could otherwise rewrite what the
//! person sees. JSON output escapes these by construction; everything printed as text
//! goes through [`printable`].

use std::borrow::Cow;

/// Characters that change how a terminal shows the text around them.
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every unsafe character shown escaped (`\u{1b}`); borrowed when there is none.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !has_unsafe(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `s` holds a character [`printable`] would escape (rulebook texts may not).
pub fn has_unsafe(s: &str) -> bool {
    // Printable ASCII is the common case: checked in blocks without branching on each
    // byte (so the compiler can vectorise it; rulebooks hold a lot of text).
    let plain = s.as_bytes().chunks(32).all(|block| {
        block
            .iter()
            .fold(true, |ok, &b| ok & (0x20..0x7f).contains(&b))
    });
    !plain && s.chars().any(unsafe_char)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_codes_and_overrides_are_shown_escaped() {
        assert_eq!(printable("plain id"), "plain id");
        assert_eq!(printable("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(printable("line\nbreak\r"), "line\\u{a}break\\u{d}");
        assert_eq!(printable("\u{202e}txt"), "\\u{202e}txt");
        assert!(matches!(printable("é ü"), Cow::Borrowed(_)));
    }
}
