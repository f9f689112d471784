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

/// The deepest `[`/`{` nesting accepted. serde_yaml would refuse deeper documents too,
/// but only after its parser has spent time quadratic in the depth (a minute for 100,000
/// levels), so the depth is checked first.
pub const MAX_FLOW_DEPTH: usize = 100;

/// Refuses flow collections nested deeper than [`MAX_FLOW_DEPTH`]. Quotes and comments
/// are skipped roughly; a bracket inside an odd scalar can only make this stricter.
fn check_depth(text: &str) -> Result<(), YamlError> {
    let mut depth = 0usize;
    let (mut single, mut double) = (false, false);
    let mut prev = ' ';
    for (line_no, line) in text.lines().enumerate() {
        let mut comment = false;
        for c in line.chars() {
            match c {
                _ if comment => {}
                '#' if !single && !double && (prev == ' ' || prev == '\t') => comment = true,
                '\'' if !double => single = !single,
                '"' if !single && prev != '\\' => double = !double,
                '[' | '{' if !single && !double => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Err(YamlError {
                            line: Some(line_no + 1),
                            column: None,
                            message: format!(
                                "collections are nested more than {MAX_FLOW_DEPTH} levels deep"
                            ),
                        });
                    }
                }
                ']' | '}' if !single && !double => depth = depth.saturating_sub(1),
                _ => {}
            }
            prev = c;
        }
        prev = ' ';
    }
    Ok(())
}

/// Parses one YAML document into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    check_depth(text)?;
    serde_yaml::from_str(text).map_err(convert)
}

/// Parses one YAML document through a seed (used for answers, which need the rulebook
/// to be read).
pub fn from_str_seed<'de, S: DeserializeSeed<'de>>(
    text: &'de str,
    seed: S,
) -> Result<S::Value, YamlError> {
    check_depth(text)?;
    seed.deserialize(serde_yaml::Deserializer::from_str(text))
        .map_err(convert)
}
