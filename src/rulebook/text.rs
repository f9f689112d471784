//! [`Text`]: a rulebook's prose (titles, advice, rationales, prompts), lent from the
//! built-in image when it comes from there and owned otherwise.
//!
//! The built-in rulebook holds about 140 KB of prose in a few thousand texts. Copying
//! each into its own allocation was a tenth of a `check`'s start (allocating, copying,
//! and the first touch of the heap pages they fill; issue 24); the image is in the binary
//! for the whole run, so its texts can be used where they lie.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

/// Text that reads like a `String` (`&*text`, `text.as_str()`, `format!("{text}")`).
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(Cow<'static, str>);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `text` as a deserializer handed it over: lent from the built-in image when it
    /// lies there (the image's reader hands out slices of its table), copied otherwise.
    pub(super) fn read(text: &str) -> Text {
        match super::image::lend(text) {
            Some(lent) => Text(Cow::Borrowed(lent)),
            None => Text(Cow::Owned(text.to_string())),
        }
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text(Cow::Owned(text))
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text(Cow::Owned(text.to_string()))
    }
}

impl From<Text> for String {
    fn from(text: Text) -> String {
        text.0.into_owned()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        struct TextVisitor;
        impl serde::de::Visitor<'_> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E>(self, v: &str) -> Result<Text, E> {
                Ok(Text::read(v))
            }
            fn visit_string<E>(self, v: String) -> Result<Text, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(TextVisitor)
    }
}

impl schemars::JsonSchema for Text {
    fn schema_name() -> Cow<'static, str> {
        String::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(generator)
    }

    fn inline_schema() -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_compares_like_a_string() {
        let text: Text = serde_yaml::from_str("plain words").expect("reads");
        assert_eq!(text, "plain words");
        assert_eq!(text.as_str(), "plain words");
        assert_eq!(
            format!("{text} / {text:?}"),
            "plain words / \"plain words\""
        );
        assert_eq!(
            serde_json::to_string(&text).ok().as_deref(),
            Some("\"plain words\"")
        );
        let number: Result<Text, _> = serde_yaml::from_str("[1]");
        assert!(number.is_err_and(|e| e.to_string().contains("expected a string")));
    }

    #[test]
    fn the_built_in_rulebook_lends_its_prose_and_a_read_one_owns_it() {
        let lent = |t: &Text| matches!(t.0, Cow::Borrowed(_));
        let image = crate::rulebook::Rulebook::builtin().expect("built-in image");
        assert!(
            image
                .rules
                .iter()
                .all(|r| lent(&r.title) && lent(&r.rationale))
        );
        assert!(image.questions.iter().all(|q| lent(&q.prompt)));
        let yaml = crate::rulebook::Rulebook::builtin_from_yaml().expect("built-in YAML");
        assert!(yaml.rules.iter().all(|r| !lent(&r.title)));
        assert_eq!(
            image.rules.iter().map(|r| &r.title).collect::<Vec<_>>(),
            yaml.rules.iter().map(|r| &r.title).collect::<Vec<_>>()
        );
        assert!(crate::rulebook::image::lend("not in any image").is_none());
    }
}
