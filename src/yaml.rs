//! Every serde_yaml call lives here, so the YAML library can be swapped or hardened in
//! one place.

use serde::de::{DeserializeOwned, DeserializeSeed};

/// A YAML error with its position split out, so callers can prefix their file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l} column {c}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

fn convert(err: serde_yaml::Error) -> YamlError {
    let location = err.location();
    let mut message = err.to_string();
    // serde_yaml appends " at line L column C"; we report the position separately.
    if let Some(pos) = message.rfind(" at line ") {
        message.truncate(pos);
    }
    YamlError {
        line: location.as_ref().map(|l| l.line()),
        column: location.as_ref().map(|l| l.column()),
        message,
    }
}

/// Parses one YAML document into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_yaml::from_str(text).map_err(convert)
}

/// Parses one YAML document through a seed (used for answers, which need the rulebook
/// to be read).
pub fn from_str_seed<'de, S: DeserializeSeed<'de>>(
    text: &'de str,
    seed: S,
) -> Result<S::Value, YamlError> {
    seed.deserialize(serde_yaml::Deserializer::from_str(text))
        .map_err(convert)
}
