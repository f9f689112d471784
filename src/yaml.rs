//! Every serde_yaml call lives here, so the YAML library can be swapped or hardened in
//! one place.
//! Must not know about rules or answers: it parses and guards, nothing more.

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

fn convert(err: serde_yaml::Error, text: &str) -> YamlError {
    let location = err.location();
    let mut message = err.to_string();
    // serde_yaml appends " at line L column C"; we report the position separately.
    if let Some(pos) = message.rfind(" at line ") {
        message.truncate(pos);
    }
    // libyaml's reader names a bad character by its byte offset ("at position 18") and
    // puts the mark at the document's start; report the character's own line and column.
    if let Some((head, offset)) = message.rsplit_once(" at position ")
        && let Ok(offset) = offset.trim().parse::<usize>()
        && let Some(before) = text.as_bytes().get(..offset)
    {
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        let found = text.as_bytes().get(offset).map_or(String::new(), |b| {
            format!(
                " (found U+{:04X}; remove it or write it as an escape in double quotes)",
                b
            )
        });
        return YamlError {
            line: Some(line),
            column: Some(column),
            message: format!("{head}{found}"),
        };
    }
    YamlError {
        line: location.as_ref().map(|l| l.line()),
        column: location.as_ref().map(|l| l.column()),
        message,
    }
}

/// The deepest `[`/`{` nesting accepted. serde_yaml would refuse deeper documents too,
/// but only after its parser (libyaml) has spent time quadratic in the depth (a minute
/// for 100,000 levels), so the depth is checked first.
pub const MAX_FLOW_DEPTH: usize = 100;

/// How many `[`/`{` may stand in text the guard takes for quoted, commented or block
/// scalar text. The guard reads YAML's quoting the way YAML does in ordinary documents,
/// but a guard that misjudged a region (an odd construct) must not let it hide deep
/// nesting: every opener in such text counts here, so whatever is hidden is at most this
/// deep, which libyaml parses in milliseconds.
pub const MAX_HIDDEN_OPENERS: usize = 2_000;

fn too_deep(line: usize, message: String) -> YamlError {
    YamlError {
        line: Some(line),
        column: None,
        message,
    }
}

/// Whether `c` at index `i` of `line` opens a quoted scalar: only where YAML starts a
/// token (after `: `, a leading `- `, or a flow indicator), never inside a plain word
/// such as `don't`.
fn opens_quote(
    line: &[char],
    i: usize,
    prev_sig: Option<char>,
    only_dashes: bool,
    depth: usize,
) -> bool {
    let after_space = i == 0 || matches!(line[i - 1], ' ' | '\t');
    match prev_sig {
        None => true,
        Some(':') => after_space,
        Some('-') => after_space && only_dashes,
        Some('[' | '{' | ',') => depth > 0,
        _ => false,
    }
}

/// Whether the rest of a line after a `|` or `>` makes it a block scalar header.
fn block_header(rest: &[char]) -> bool {
    let mut i = 0;
    while i < rest.len() && matches!(rest[i], '+' | '-' | '0'..='9') {
        i += 1;
    }
    let tail: String = rest[i..].iter().collect();
    let tail = tail.trim_start();
    tail.is_empty() || (i < rest.len() && matches!(rest[i], ' ' | '\t') && tail.starts_with('#'))
}

/// Whether the text before a `|` or `>` leaves room for a block scalar: a key's `:`, a
/// leading `- `, `---`, or nothing, with anchors and tags allowed in between.
fn block_position(before: &[char]) -> bool {
    let text: String = before.iter().collect();
    let mut words: Vec<&str> = text.split_whitespace().collect();
    while words
        .last()
        .is_some_and(|w| w.starts_with('&') || w.starts_with('!'))
    {
        words.pop();
    }
    match words.last() {
        None => true,
        Some(w) => w.ends_with(':') || words.iter().all(|w| *w == "-") || *w == "---",
    }
}

/// How many block collections a line opens with compact indicators before its content:
/// each `- `, `? ` or `: ` at the start (after the indentation and after each other)
/// nests one more level.
fn block_levels(line: &[char]) -> usize {
    let mut levels = 0;
    let mut i = 0;
    while i < line.len()
        && matches!(line[i], '-' | '?' | ':')
        && line.get(i + 1).is_none_or(|c| matches!(c, ' ' | '\t'))
    {
        levels += 1;
        i += 1;
        while i < line.len() && matches!(line[i], ' ' | '\t') {
            i += 1;
        }
    }
    levels
}

/// Refuses collections nested deeper than [`MAX_FLOW_DEPTH`] (flow `[`/`{`, or block
/// indicators opening a line), and more than
/// [`MAX_HIDDEN_OPENERS`] openers in text taken for quoted, commented or block text.
fn check_depth(text: &str) -> Result<(), YamlError> {
    let mut depth = 0usize;
    let mut hidden = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut block_indent: Option<usize> = None;
    let mut hide = |c: char, line: usize| -> Result<(), YamlError> {
        if matches!(c, '[' | '{') {
            hidden += 1;
            if hidden > MAX_HIDDEN_OPENERS {
                return Err(too_deep(
                    line,
                    format!(
                        "more than {MAX_HIDDEN_OPENERS} `[` or `{{` in quoted, commented or block text; that much is not an answers file or a rulebook"
                    ),
                ));
            }
        }
        Ok(())
    };
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        let chars: Vec<char> = line.chars().collect();
        let indent = chars.iter().take_while(|c| **c == ' ').count();
        if let Some(parent) = block_indent {
            if chars.iter().all(|c| c.is_whitespace()) || indent > parent {
                for &c in &chars {
                    hide(c, line_no)?;
                }
                continue;
            }
            block_indent = None;
        }
        if quote.is_none() && depth == 0 && block_levels(&chars[indent..]) > MAX_FLOW_DEPTH {
            // `- - - x` and `? ? ? x` nest one block collection per indicator, and cost
            // libyaml memory in proportion (270 MB for 300,000 `? `).
            return Err(too_deep(
                line_no,
                format!("collections are nested more than {MAX_FLOW_DEPTH} levels deep"),
            ));
        }
        let mut prev_sig: Option<char> = None;
        let mut only_dashes = true;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if let Some(q) = quote {
                hide(c, line_no)?;
                if q == '"' {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        quote = None;
                        prev_sig = Some('"');
                    }
                } else if c == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        i += 1;
                    } else {
                        quote = None;
                        prev_sig = Some('\'');
                    }
                }
                i += 1;
                continue;
            }
            match c {
                ' ' | '\t' => {}
                '#' if i == 0 || matches!(chars[i - 1], ' ' | '\t') => {
                    for &rest in &chars[i..] {
                        hide(rest, line_no)?;
                    }
                    break;
                }
                '\'' | '"' if opens_quote(&chars, i, prev_sig, only_dashes, depth) => {
                    quote = Some(c);
                }
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Err(too_deep(
                            line_no,
                            format!(
                                "collections are nested more than {MAX_FLOW_DEPTH} levels deep"
                            ),
                        ));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                '|' | '>'
                    if depth == 0
                        && (i == 0 || matches!(chars[i - 1], ' ' | '\t'))
                        && block_header(&chars[i + 1..])
                        && block_position(&chars[..i]) =>
                {
                    block_indent = Some(indent);
                    break;
                }
                _ => {}
            }
            if !c.is_whitespace() {
                if c != '-' {
                    only_dashes = false;
                }
                prev_sig = Some(c);
            }
            i += 1;
        }
    }
    Ok(())
}

/// Parses one YAML document into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    check_depth(text)?;
    serde_yaml::from_str(text).map_err(|e| convert(e, text))
}

/// Parses one YAML document through a seed (used for answers, which need the rulebook
/// to be read).
pub fn from_str_seed<'de, S: DeserializeSeed<'de>>(
    text: &'de str,
    seed: S,
) -> Result<S::Value, YamlError> {
    check_depth(text)?;
    seed.deserialize(serde_yaml::Deserializer::from_str(text))
        .map_err(|e| convert(e, text))
}
