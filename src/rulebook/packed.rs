//! The data format of the built-in image: a JSON-like value (null, booleans, numbers,
//! text, lists, mappings) in bytes, with every distinct text stored once in a table in
//! front of it.
//!
//! MessagePack, used before, checked that each of the image's 8,000 texts (half of them
//! field names) was UTF-8 on its own at every start, and stored every field name as
//! often as it is used. Here the table is checked once, and the value refers to a text by
//! where it lies in the table, so reading it back is walking bytes: the derived
//! `Deserialize` impls that read the YAML read this too, through [`Decoder`].
//!
//! A value is a tag byte and what the tag says follows (numbers are LEB128):
//! `0` null, `1` false, `2` true, `3` n (a whole number n >= 0), `4` n (the whole number
//! -1 - n), `5` 8 bytes (a float, little-endian), `6` offset length (a text),
//! `7` count value... (a list), `8` count (key value)... (a mapping).

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Visitor};

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const UNSIGNED: u8 = 3;
const NEGATIVE: u8 = 4;
const FLOAT: u8 = 5;
const TEXT: u8 = 6;
const LIST: u8 = 7;
const MAP: u8 = 8;

/// Why packed bytes could not be read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Error {
        Error(message.to_string())
    }
}

/// Writes values whose texts go to one shared table (build time).
#[derive(Default)]
pub struct Encoder {
    table: String,
    placed: HashMap<String, (usize, usize)>,
}

impl Encoder {
    /// The bytes of `value`; its texts are added to the table.
    pub fn encode(&mut self, value: &serde_json::Value) -> Vec<u8> {
        let mut out = Vec::new();
        self.write(value, &mut out);
        out
    }

    /// The table the encoded values refer to.
    pub fn table(&self) -> &str {
        &self.table
    }

    fn write(&mut self, value: &serde_json::Value, out: &mut Vec<u8>) {
        use serde_json::Value;
        match value {
            Value::Null => out.push(NULL),
            Value::Bool(false) => out.push(FALSE),
            Value::Bool(true) => out.push(TRUE),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => {
                    out.push(UNSIGNED);
                    write_number(u, out);
                }
                (None, Some(i)) => {
                    out.push(NEGATIVE);
                    write_number(i.unsigned_abs() - 1, out);
                }
                _ => {
                    out.push(FLOAT);
                    out.extend(n.as_f64().unwrap_or(f64::NAN).to_le_bytes());
                }
            },
            Value::String(text) => {
                out.push(TEXT);
                let (offset, length) = self.place(text);
                write_number(offset as u64, out);
                write_number(length as u64, out);
            }
            Value::Array(items) => {
                out.push(LIST);
                write_number(items.len() as u64, out);
                for item in items {
                    self.write(item, out);
                }
            }
            Value::Object(entries) => {
                out.push(MAP);
                write_number(entries.len() as u64, out);
                for (key, item) in entries {
                    self.write(&Value::String(key.clone()), out);
                    self.write(item, out);
                }
            }
        }
    }

    fn place(&mut self, text: &str) -> (usize, usize) {
        if let Some(&place) = self.placed.get(text) {
            return place;
        }
        let place = (self.table.len(), text.len());
        self.table.push_str(text);
        self.placed.insert(text.to_string(), place);
        place
    }
}

fn write_number(mut n: u64, out: &mut Vec<u8>) {
    loop {
        let low = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

/// Reads a value written by [`Encoder`] through any `Deserialize` impl. Texts are lent
/// from the table (`visit_borrowed_str`), never copied here.
pub struct Decoder<'de> {
    bytes: &'de [u8],
    table: &'de str,
}

impl<'de> Decoder<'de> {
    pub fn new(bytes: &'de [u8], table: &'de str) -> Decoder<'de> {
        Decoder { bytes, table }
    }

    /// Reads the whole of the bytes as one `T`.
    pub fn read<T: de::Deserialize<'de>>(mut self) -> Result<T, Error> {
        let value = T::deserialize(&mut self)?;
        match self.bytes.is_empty() {
            true => Ok(value),
            false => Err(Error(format!("{} bytes after the value", self.bytes.len()))),
        }
    }

    fn byte(&mut self) -> Result<u8, Error> {
        let (&first, rest) = self.bytes.split_first().ok_or_else(ended)?;
        self.bytes = rest;
        Ok(first)
    }

    fn peek(&self) -> Result<u8, Error> {
        self.bytes.first().copied().ok_or_else(ended)
    }

    #[inline]
    fn number(&mut self) -> Result<u64, Error> {
        // Most numbers (counts, lengths, small offsets) are one byte.
        if let Some((&byte, rest)) = self.bytes.split_first()
            && byte < 0x80
        {
            self.bytes = rest;
            return Ok(u64::from(byte));
        }
        let mut n = 0u64;
        let mut shift = 0u32;
        loop {
            let byte = self.byte()?;
            n |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(n);
            }
            shift += 7;
            if shift >= 64 {
                return Err(Error("a number longer than 64 bits".into()));
            }
        }
    }

    #[inline]
    fn count(&mut self) -> Result<usize, Error> {
        usize::try_from(self.number()?).map_err(|_| Error("a count too large".into()))
    }

    #[inline]
    fn text(&mut self) -> Result<&'de str, Error> {
        let offset = self.count()?;
        let length = self.count()?;
        offset
            .checked_add(length)
            .and_then(|end| self.table.get(offset..end))
            .ok_or_else(|| Error(format!("a text at {offset}+{length} outside the table")))
    }
}

fn ended() -> Error {
    Error("the bytes end inside a value".into())
}

impl<'de> de::Deserializer<'de> for &mut Decoder<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.byte()? {
            NULL => visitor.visit_unit(),
            FALSE => visitor.visit_bool(false),
            TRUE => visitor.visit_bool(true),
            UNSIGNED => visitor.visit_u64(self.number()?),
            NEGATIVE => {
                let n = i64::try_from(self.number()?)
                    .map_err(|_| Error("a negative number too large".into()))?;
                visitor.visit_i64(-1 - n)
            }
            FLOAT => {
                let (bytes, rest) = self.bytes.split_first_chunk::<8>().ok_or_else(ended)?;
                self.bytes = rest;
                visitor.visit_f64(f64::from_le_bytes(*bytes))
            }
            TEXT => visitor.visit_borrowed_str(self.text()?),
            LIST => {
                let left = self.count()?;
                visitor.visit_seq(Items { de: self, left })
            }
            MAP => {
                let left = self.count()?;
                visitor.visit_map(Items { de: self, left })
            }
            tag => Err(Error(format!("unknown tag {tag}"))),
        }
    }

    /// A number or a boolean where text is wanted reads as its text, as YAML reads a
    /// plain scalar (`title: 2026` is the text "2026" to the loader, so it must be here).
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.peek()? {
            TRUE | FALSE | UNSIGNED | NEGATIVE | FLOAT => {
                let text = de::Deserializer::deserialize_any(&mut *self, ScalarText)?;
                visitor.visit_string(text)
            }
            _ => de::Deserializer::deserialize_any(self, visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.peek()? {
            NULL => {
                self.byte()?;
                visitor.visit_none()
            }
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    /// A unit variant is its name; any other variant is a mapping of its name to its
    /// content, as in YAML and JSON.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.byte()? {
            TEXT => {
                let name = self.text()?;
                visitor.visit_enum(de::value::BorrowedStrDeserializer::new(name))
            }
            MAP if self.count()? == 1 => visitor.visit_enum(Variant { de: self }),
            _ => Err(Error(
                "a variant is a name, or a mapping of one name to its content".into(),
            )),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// A scalar's text: a boolean as `true`/`false`, a number as YAML would write it.
struct ScalarText;

impl Visitor<'_> for ScalarText {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scalar")
    }

    fn visit_bool<E>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E>(self, v: f64) -> Result<String, E> {
        // `{:?}` keeps the point of a whole float (1.0, not 1).
        Ok(format!("{v:?}"))
    }
}

/// The entries of a list or a mapping still to read.
struct Items<'a, 'de> {
    de: &'a mut Decoder<'de>,
    left: usize,
}

impl<'de> de::SeqAccess<'de> for Items<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.de).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

impl<'de> de::MapAccess<'de> for Items<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.de).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(&mut *self.de)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

/// A variant written as a mapping of one name to its content.
struct Variant<'a, 'de> {
    de: &'a mut Decoder<'de>,
}

impl<'a, 'de> de::EnumAccess<'de> for Variant<'a, 'de> {
    type Error = Error;
    type Variant = Variant<'a, 'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let name = seed.deserialize(&mut *self.de)?;
        Ok((name, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        de::Deserialize::deserialize(&mut *self.de)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(&mut *self.de)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(&mut *self.de, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(&mut *self.de, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    fn round_trip<T: for<'de> Deserialize<'de>>(value: &serde_json::Value) -> Result<T, Error> {
        let mut encoder = Encoder::default();
        let bytes = encoder.encode(value);
        Decoder::new(&bytes, encoder.table()).read()
    }

    #[test]
    fn every_kind_of_value_reads_back_as_written() {
        let value = json!({
            "null": null, "yes": true, "no": false, "zero": 0, "big": u64::MAX,
            "negative": -1, "most_negative": i64::MIN, "float": -2.5,
            "text": "héllo", "empty": "", "list": [1, "héllo", [], {}],
            "nested": {"text": "héllo", "list": [{"a": [null]}]}
        });
        assert_eq!(round_trip::<serde_json::Value>(&value), Ok(value));
    }

    #[test]
    fn a_text_used_twice_is_stored_once() {
        let mut encoder = Encoder::default();
        encoder.encode(&json!({"id": "id", "more": [{"id": "more"}]}));
        assert_eq!(encoder.table(), "idmore");
    }

    #[test]
    fn options_enums_and_structs_read_as_from_yaml() {
        #[derive(Debug, PartialEq, Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Kind {
            Plain,
            With(u8),
        }
        #[derive(Debug, PartialEq, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Item {
            kinds: Vec<Kind>,
            maybe: Option<String>,
            never: Option<u8>,
            #[serde(default)]
            absent: bool,
        }
        let item: Item = round_trip(&json!({
            "kinds": ["plain", {"with": 3}], "maybe": "x", "never": null
        }))
        .expect("reads");
        assert_eq!(
            item,
            Item {
                kinds: vec![Kind::Plain, Kind::With(3)],
                maybe: Some("x".into()),
                never: None,
                absent: false,
            }
        );
        let unknown = round_trip::<Item>(&json!({"kinds": [], "maybe": null, "extra": 1}));
        assert!(unknown.is_err_and(|e| e.0.contains("unknown field `extra`")));
    }

    #[test]
    fn a_scalar_where_text_is_wanted_reads_as_yaml_reads_it() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Titles {
            year: String,
            below: String,
            ratio: crate::rulebook::Text,
            flag: String,
            number: u32,
        }
        let value = json!({"year": 2026, "below": -3, "ratio": 1.0, "flag": true, "number": 7});
        let yaml: Titles =
            serde_yaml::from_str("{year: 2026, below: -3, ratio: 1.0, flag: true, number: 7}")
                .expect("YAML reads");
        assert_eq!(round_trip::<Titles>(&value), Ok(yaml));
        let wrong = round_trip::<Titles>(&json!({"year": [1], "below": "", "ratio": "",
            "flag": "", "number": 1}));
        assert!(wrong.is_err_and(|e| e.0.contains("expected a string")));
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        let mut encoder = Encoder::default();
        let bytes = encoder.encode(&json!({"list": [1, 2.5, "text", -7, null]}));
        for cut in 0..bytes.len() {
            let read = Decoder::new(&bytes[..cut], encoder.table()).read::<serde_json::Value>();
            assert!(read.is_err(), "cut at {cut} read as {read:?}");
        }
        let outside = Decoder::new(&[TEXT, 0, 99], "short").read::<serde_json::Value>();
        assert!(outside.is_err_and(|e| e.0.contains("outside the table")));
        let trailing = Decoder::new(&[NULL, NULL], "").read::<serde_json::Value>();
        assert!(trailing.is_err_and(|e| e.0.contains("after the value")));
        for tag in 9..=255 {
            assert!(
                Decoder::new(&[tag], "")
                    .read::<serde_json::Value>()
                    .is_err()
            );
        }
    }
}
