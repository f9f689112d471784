//! A person's answers: reading them from YAML or JSON, checking each against its question.
//! Owns reading and checking answers; must not decide a verdict or do I/O (callers pass
//! text).
//!
//! Answers are read straight into a slot per question (no intermediate document tree), so
//! the same code serves one file and a million batch records. Every problem in a record
//! is collected, so a person fixes their file in one pass.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::rulebook::{Question, QuestionType, Rulebook};
use crate::suggest::did_you_mean;
use crate::yaml;

pub mod column_map;
mod flat;

pub use flat::KeyOrder;

/// An answers file larger than this is refused before parsing.
pub const MAX_ANSWERS_BYTES: usize = 1024 * 1024;

/// The answer to one question.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Value {
    /// Not answered (missing, `null`, or an empty CSV cell).
    #[default]
    Unanswered,
    /// Answered "unknown" / "not sure".
    Unknown,
    Bool(bool),
    Number(f64),
    /// Index into the question's choices.
    Choice(u16),
    /// Bit set of the question's choices.
    Set(u64),
}

impl Value {
    /// Unanswered and unknown both leave the question undecided.
    pub fn is_undecided(self) -> bool {
        matches!(self, Value::Unanswered | Value::Unknown)
    }
}

/// One person's answers, one slot per rulebook question, in rulebook order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answers {
    pub values: Vec<Value>,
    /// The record's own `id`, when it carries one.
    pub id: Option<String>,
}

impl Answers {
    pub fn empty(book: &Rulebook) -> Answers {
        Answers {
            values: vec![Value::Unanswered; book.questions.len()],
            id: None,
        }
    }

    pub fn get(&self, index: usize) -> Value {
        self.values.get(index).copied().unwrap_or_default()
    }
}

/// One problem with one answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AnswerProblem {
    /// The question id (or key) concerned; empty for whole-file problems.
    pub field: String,
    pub message: String,
}

/// Shown with any control character from the input escaped: a key or value can hold
/// anything (JSON output keeps the raw text, escaped by JSON itself).
impl fmt::Display for AnswerProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::printable::printable;
        if self.field.is_empty() {
            f.write_str(&printable(&self.message))
        } else {
            write!(
                f,
                "{}: {}",
                printable(&self.field),
                printable(&self.message)
            )
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnswersError {
    #[error(
        "the answers are empty: write one `question_id: answer` per line (see `massage-check template`)"
    )]
    Empty,
    /// `size` is known when the whole input was measured (a file); a stream is only
    /// read up to one byte past the limit.
    #[error("{}", too_large(*.size, *.limit))]
    TooLarge { size: Option<u64>, limit: usize },
    #[error("cannot read the answers: {0}")]
    Syntax(String),
    #[error("{}", ProblemLines(.0))]
    Invalid(Vec<AnswerProblem>),
}

impl AnswersError {
    /// Every problem as (field, message) pairs; whole-file errors have an empty field.
    pub fn problems(&self) -> Vec<AnswerProblem> {
        match self {
            AnswersError::Invalid(p) => p.clone(),
            other => vec![AnswerProblem {
                field: String::new(),
                message: other.to_string(),
            }],
        }
    }
}

fn too_large(size: Option<u64>, limit: usize) -> String {
    match size {
        Some(size) => format!("the answers are {size} bytes; the limit is {limit} bytes"),
        None => format!("the answers are longer than the limit of {limit} bytes"),
    }
}

struct ProblemLines<'a>(&'a [AnswerProblem]);

impl fmt::Display for ProblemLines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// A value as written, before it is checked against its question.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw<'a> {
    Null,
    Bool(bool),
    Number(f64),
    Text(Cow<'a, str>),
    List(Vec<Raw<'a>>),
    /// Something no question accepts (a mapping); the string names it.
    Other(&'static str),
}

impl Raw<'_> {
    fn describe(&self) -> String {
        match self {
            Raw::Null => "nothing".into(),
            Raw::Bool(b) => format!("`{b}`"),
            Raw::Number(n) => format!("the number {n}"),
            Raw::Text(t) => format!("the text \"{}\"", truncate(t, 40)),
            Raw::List(_) => "a list".into(),
            Raw::Other(what) => (*what).into(),
        }
    }
}

fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if s.chars().count() <= max {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().take(max).collect::<String>() + "...")
    }
}

fn is_unknown_word(s: &str) -> bool {
    s.eq_ignore_ascii_case("unknown") || s.eq_ignore_ascii_case("not sure")
}

/// What a question accepts, for error messages.
pub fn allowed(q: &Question) -> String {
    let unknown = if q.allow_unknown { ", or unknown" } else { "" };
    match q.kind {
        QuestionType::YesNo => format!("yes or no{unknown}"),
        QuestionType::Scale => format!("a whole number from 0 to 10{unknown}"),
        QuestionType::Number => {
            let (min, max) = q.range();
            let whole = if q.integer {
                "a whole number"
            } else {
                "a number"
            };
            let unit = q.unit.as_deref().unwrap_or("");
            format!("{whole} of {unit} from {min} to {max}{unknown}")
        }
        QuestionType::OneOf => {
            let ids: Vec<&str> = q.choices.iter().map(|c| c.id.as_str()).collect();
            format!("one of: {}{unknown}", ids.join(", "))
        }
        QuestionType::SeveralOf => {
            let ids: Vec<&str> = q.choices.iter().map(|c| c.id.as_str()).collect();
            format!(
                "a list of any of: {} (or [] for none){unknown}",
                ids.join(", ")
            )
        }
    }
}

/// Checks one raw value against its question.
pub fn interpret(q: &Question, raw: &Raw<'_>) -> Result<Value, String> {
    let wrong = || Err(format!("expected {}, found {}", allowed(q), raw.describe()));
    if let Raw::Null = raw {
        return Ok(Value::Unanswered);
    }
    if let Raw::Text(t) = raw
        && is_unknown_word(t.trim())
    {
        return if q.allow_unknown {
            Ok(Value::Unknown)
        } else {
            Err(format!(
                "\"unknown\" is not accepted here; expected {}",
                allowed(q)
            ))
        };
    }
    match q.kind {
        QuestionType::YesNo => match raw {
            Raw::Bool(b) => Ok(Value::Bool(*b)),
            Raw::Text(t) => {
                let t = t.trim();
                let is = |words: [&str; 3]| words.iter().any(|w| t.eq_ignore_ascii_case(w));
                if is(["yes", "true", "y"]) {
                    Ok(Value::Bool(true))
                } else if is(["no", "false", "n"]) {
                    Ok(Value::Bool(false))
                } else {
                    wrong()
                }
            }
            _ => wrong(),
        },
        QuestionType::Number | QuestionType::Scale => {
            let Raw::Number(n) = raw else { return wrong() };
            let n = *n;
            let (min, max) = q.range();
            let whole = q.integer || q.kind == QuestionType::Scale;
            if !n.is_finite() {
                Err(format!(
                    "expected {}, found a value that is not a finite number",
                    allowed(q)
                ))
            } else if n.abs() >= 9_007_199_254_740_992.0 {
                // Beyond 2^53 a number is not held exactly, so echoing it would show a
                // different number from the one written.
                Err(format!("a number far too large; expected {}", allowed(q)))
            } else if n < min || n > max {
                Err(format!("{n} is out of range; expected {}", allowed(q)))
            } else if whole && n.fract() != 0.0 {
                Err(format!(
                    "{n} is not a whole number; expected {}",
                    allowed(q)
                ))
            } else {
                Ok(Value::Number(n))
            }
        }
        QuestionType::OneOf => match raw {
            Raw::Text(t) => choice_index(q, t.trim()).map(Value::Choice),
            _ => wrong(),
        },
        QuestionType::SeveralOf => {
            let mut set = 0u64;
            match raw {
                Raw::List(items) => items
                    .iter()
                    .try_for_each(|item| add_choice(q, item, &mut set))?,
                // A single choice written without brackets is unambiguous.
                Raw::Text(_) => add_choice(q, raw, &mut set)?,
                _ => return wrong(),
            }
            Ok(Value::Set(set))
        }
    }
}

/// Adds one list item of a several-of answer to `set`.
fn add_choice(q: &Question, item: &Raw<'_>, set: &mut u64) -> Result<(), String> {
    match item {
        // An empty item (`a;;b`, a lone `;`, `["a", ""]`) is a slip, never "none of these".
        Raw::Text(t) if t.trim().is_empty() => Err(format!(
            "the list has an empty item; separate choices with `;` and write `[]` for none \
             of these; expected {}",
            allowed(q)
        )),
        Raw::Text(t) => {
            *set |= 1u64 << choice_index(q, t.trim())?;
            Ok(())
        }
        other => Err(format!(
            "list items must be choice ids; found {}; expected {}",
            other.describe(),
            allowed(q)
        )),
    }
}

/// Deserializes one answer straight into a [`Value`] for its question, without building
/// an intermediate list; a wrong answer is `Ok(Err(reason))` so reading goes on.
struct QuestionSeed<'q> {
    q: &'q Question,
}

impl<'de> DeserializeSeed<'de> for QuestionSeed<'_> {
    type Value = Result<Value, String>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for QuestionSeed<'_> {
    type Value = Result<Value, String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an answer")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Ok(Value::Unanswered))
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Ok(Value::Unanswered))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(interpret(self.q, &Raw::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(interpret(self.q, &Raw::Number(v as f64)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(interpret(self.q, &Raw::Number(v as f64)))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Self::Value, E> {
        Ok(interpret(self.q, &Raw::Number(v as f64)))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Self::Value, E> {
        Ok(interpret(self.q, &Raw::Number(v as f64)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(interpret(self.q, &Raw::Number(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(interpret(self.q, &Raw::Text(Cow::Borrowed(v))))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let q = self.q;
        let mut outcome = if q.kind == QuestionType::SeveralOf {
            Ok(0u64)
        } else {
            Err(format!("expected {}, found a list", allowed(q)))
        };
        // Every element is read, even after a problem, so the document stays in step.
        while let Some(item) = seq.next_element::<Raw<'de>>()? {
            if let Ok(set) = &mut outcome
                && let Err(why) = add_choice(q, &item, set)
            {
                outcome = Err(why);
            }
        }
        Ok(outcome.map(Value::Set))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(interpret(self.q, &Raw::Other("a mapping")))
    }
}

/// Checks an answer written as plain text (a typed reply or a CSV cell). Empty text is
/// unanswered; several-of choices are separated by `;` or `,`.
pub fn interpret_text(q: &Question, text: &str) -> Result<Value, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Value::Unanswered);
    }
    if is_unknown_word(text) {
        return interpret(q, &Raw::Text(Cow::Borrowed(text)));
    }
    let raw = match q.kind {
        QuestionType::Number | QuestionType::Scale => match without_unit(q, text).parse::<f64>() {
            Ok(n) => Raw::Number(n),
            Err(_) => Raw::Text(Cow::Borrowed(text)),
        },
        // `[]` is "none of these", as in YAML.
        QuestionType::SeveralOf if text == "[]" || text.eq_ignore_ascii_case(NONE_OF_THESE) => {
            Raw::List(Vec::new())
        }
        QuestionType::SeveralOf => Raw::List(several_in_a_cell(q, text)),
        _ => Raw::Text(Cow::Borrowed(choice_by_label(q, text).unwrap_or(text))),
    };
    interpret(q, &raw)
}

/// The checklist answer the interview and forms show for "none": read as `[]`.
const NONE_OF_THESE: &str = "None of these";

/// The choice whose id or label `text` is (case and surrounding spaces aside): a form
/// export writes labels ("Lower back"), an answers file ids (`lower_back`).
fn choice_by_label<'q>(q: &'q Question, text: &str) -> Option<&'q str> {
    let text = text.trim();
    q.choices
        .iter()
        .find(|c| c.id == text || c.label.eq_ignore_ascii_case(text))
        .map(|c| c.id.as_str())
}

/// The items of a several-of cell: separated by `;`, and by `,` where every part is a
/// choice (labels may hold commas, so a part that is a whole label stays whole).
fn several_in_a_cell<'t>(q: &'t Question, text: &'t str) -> Vec<Raw<'t>> {
    let mut items = Vec::new();
    for part in text.split(';') {
        if let Some(id) = choice_by_label(q, part) {
            items.push(Raw::Text(Cow::Borrowed(id)));
            continue;
        }
        let pieces: Vec<&str> = part.split(',').collect();
        let ids: Option<Vec<&str>> = pieces.iter().map(|p| choice_by_label(q, p)).collect();
        match ids {
            Some(ids) if pieces.len() > 1 => {
                items.extend(ids.into_iter().map(|id| Raw::Text(Cow::Borrowed(id))));
            }
            // Anything else is read as written, so its error names it.
            _ => items.extend(pieces.iter().map(|p| Raw::Text(Cow::Borrowed(p.trim())))),
        }
    }
    items
}

/// A typed number without the question's unit after it: "35 years", "3 days", "1 week"
/// (singular or plural) read as the number; any other word is left for the error.
fn without_unit<'t>(q: &Question, text: &'t str) -> &'t str {
    let Some(unit) = q.unit.as_deref() else {
        return text;
    };
    let Some((number, word)) = text.rsplit_once(char::is_whitespace) else {
        return text;
    };
    let singular = unit.strip_suffix('s').unwrap_or(unit);
    if word.eq_ignore_ascii_case(unit) || word.eq_ignore_ascii_case(singular) {
        number.trim_end()
    } else {
        text
    }
}

/// Writes answers as an answers file that [`parse`] reads back to the same answers.
/// Questions left unanswered are left out.
pub fn to_yaml(book: &Rulebook, answers: &Answers) -> String {
    let mut out =
        String::from("# massage-check answers; check them with: massage-check check FILE\n");
    if let Some(id) = &answers.id {
        out.push_str(&format!("id: {}\n", quote(id)));
    }
    for (q, value) in book.questions.iter().zip(&answers.values) {
        if let Some(text) = display_value(q, *value) {
            out.push_str(&format!("{}: {text}\n", q.id));
        }
    }
    out
}

/// A YAML double-quoted string (JSON escaping is valid YAML).
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn choice_index(q: &Question, value: &str) -> Result<u16, String> {
    q.choices
        .iter()
        .position(|c| c.id == value)
        .map(|i| i as u16)
        .ok_or_else(|| {
            let none_meant = q.kind == QuestionType::SeveralOf
                && ["none", "none of these", "no", "nothing"]
                    .iter()
                    .any(|w| value.eq_ignore_ascii_case(w));
            let hint = if none_meant {
                " (for \"none of these\" write `[]`)".to_string()
            } else {
                // A form export writes labels, an answers file ids: suggest the closest
                // label first, as the person wrote a label if anything near one.
                crate::suggest::closest(value, q.choices.iter().map(|c| c.label.as_str()))
                    .map_or_else(
                        || did_you_mean(value, q.choices.iter().map(|c| c.id.as_str())),
                        |label| format!(" (did you mean \"{label}\"?)"),
                    )
            };
            format!(
                "\"{}\" is not a choice{hint}; expected {}",
                truncate(value, 40),
                allowed(q)
            )
        })
}

/// The most significant digits a decimal answer may have: every decimal of up to 15
/// digits reads back exactly from a 64-bit float.
const MAX_DECIMAL_DIGITS: usize = 15;

/// A decimal written with more digits than a float holds, which reading would round
/// (`17.9999999999999999` would become 18, a different answer from the one written).
/// Looks at unquoted tokens only; whole numbers are checked against 2^53 elsewhere.
fn overlong_decimal(text: &str) -> Option<String> {
    // Batch runs this on every record: one byte scan settles the usual case (no digit
    // followed by a point or an exponent) before any tokenising.
    let decimal = |w: &[u8]| w[0].is_ascii_digit() && matches!(w[1], b'.' | b'e' | b'E');
    if !text.as_bytes().windows(2).any(decimal) && !text.contains(".") {
        return None;
    }
    let boundary = |c: char| matches!(c, ' ' | '\t' | ',' | '[' | ']' | '{' | '}' | ':');
    for (n, line) in text.lines().enumerate() {
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        let mut chars = line.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match quote {
                Some('"') if c == '\\' => {
                    chars.next();
                }
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if matches!(c, '"' | '\'') && boundary(prev) => quote = Some(c),
                None if c == '#' && matches!(prev, ' ' | '\t') => break,
                None if boundary(prev) && (c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) => {
                    let end = line[i..].find(boundary).map_or(line.len(), |e| i + e);
                    let token = &line[i..end];
                    if significant_digits(token).is_some_and(|d| d > MAX_DECIMAL_DIGITS) {
                        return Some(format!(
                            "line {} column {}: the number {} has more digits than can be read exactly (at most {MAX_DECIMAL_DIGITS} significant digits); write it with fewer",
                            n + 1,
                            line[..i].chars().count() + 1,
                            truncate(token, 40)
                        ));
                    }
                    while chars.peek().is_some_and(|(j, _)| *j < end) {
                        chars.next();
                    }
                    prev = 'x';
                    continue;
                }
                None => {}
            }
            prev = c;
        }
    }
    None
}

/// The significant digits of a decimal such as `-0.0012e5` (leading zeros and zeros
/// that end the fraction do not count), or `None` when `token` is not a decimal with a
/// point or an exponent.
fn significant_digits(token: &str) -> Option<usize> {
    let unsigned = token.strip_prefix(['+', '-']).unwrap_or(token);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    if let Some(e) = exponent {
        let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if exponent.is_none() && !mantissa.contains('.') {
        return None;
    }
    if whole.is_empty() && fraction.is_empty()
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let fraction = fraction.trim_end_matches('0');
    let digits: String = format!("{whole}{fraction}");
    Some(digits.trim_start_matches('0').len())
}

/// Reads an answers document (YAML or JSON, detected) for this rulebook.
pub fn parse(book: &Rulebook, text: &str) -> Result<Answers, AnswersError> {
    if text.len() > MAX_ANSWERS_BYTES {
        return Err(AnswersError::TooLarge {
            size: Some(text.len() as u64),
            limit: MAX_ANSWERS_BYTES,
        });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(why) = overlong_decimal(text) {
        return Err(AnswersError::Syntax(why));
    }
    let seed = AnswersSeed { book };
    let outcome = if looks_like_json(text) {
        // A YAML flow mapping (`{age: 34}`) starts with `{` too; its unquoted keys are what
        // JSON refuses. Only then is it read as YAML (and when YAML cannot read it either,
        // the JSON error is the one that helps); any other JSON error stands.
        parse_json(text, seed).or_else(|json_error| match &json_error {
            AnswersError::Syntax(m) if m.starts_with("key must be a string") => {
                yaml::from_str_seed(text, AnswersSeed { book }).map_err(|_| json_error)
            }
            // Several objects, one per line: a batch, not one person's answers.
            AnswersError::Syntax(m)
                if m.starts_with("trailing characters")
                    && text.lines().filter(|l| l.trim_start().starts_with('{')).count() > 1 =>
            {
                Err(AnswersError::Syntax(format!(
                    "{m}: this looks like JSON Lines, one person per line; `massage-check batch FILE` assesses each line, `check` reads one person's answers"
                )))
            }
            _ => Err(json_error),
        })
    } else {
        yaml::from_str_seed(text, seed).map_err(|e| AnswersError::Syntax(yaml_hint(text, e)))
    };
    outcome?.finish()
}

/// One batch record read: its answers or problems, and its id when it could be read.
#[derive(Debug)]
pub struct RecordOutcome {
    /// The record's id when its answers have problems; valid answers carry their own.
    pub id: Option<String>,
    pub answers: Result<Answers, AnswersError>,
}

impl RecordOutcome {
    /// The record's own id, whether or not its answers could be read.
    pub fn id(&self) -> Option<&str> {
        match &self.answers {
            Ok(answers) => answers.id.as_deref(),
            Err(_) => self.id.as_deref(),
        }
    }

    fn new(id: Option<String>, answers: Result<Answers, AnswersError>) -> RecordOutcome {
        match answers {
            Ok(mut answers) => {
                answers.id = id;
                RecordOutcome {
                    id: None,
                    answers: Ok(answers),
                }
            }
            Err(e) => RecordOutcome {
                id,
                answers: Err(e),
            },
        }
    }
}

impl From<Result<Collected, AnswersError>> for RecordOutcome {
    fn from(parsed: Result<Collected, AnswersError>) -> RecordOutcome {
        match parsed {
            Ok(mut collected) => {
                let id = collected.answers.id.take();
                RecordOutcome::new(id, collected.finish())
            }
            Err(e) => RecordOutcome {
                id: None,
                answers: Err(e),
            },
        }
    }
}

/// Reads answers from an already-parsed JSON value (a rule test case's answers).
pub fn from_json_value(book: &Rulebook, value: serde_json::Value) -> Result<Answers, AnswersError> {
    AnswersSeed { book }
        .deserialize(value)
        .map_err(|e| AnswersError::Syntax(e.to_string()))?
        .finish()
}

/// An answer as it would be written in an answers file (`yes`, `3`, `[a, b]`, `unknown`),
/// or `None` when unanswered.
pub fn display_value(q: &Question, value: Value) -> Option<String> {
    Some(match value {
        Value::Unanswered => return None,
        Value::Unknown => "unknown".to_string(),
        Value::Bool(true) => "yes".to_string(),
        Value::Bool(false) => "no".to_string(),
        Value::Number(n) => format_number(n),
        Value::Choice(c) => q
            .choices
            .get(usize::from(c))
            .map_or(String::new(), |c| c.id.clone()),
        Value::Set(set) => {
            let ids: Vec<&str> = q
                .choices
                .iter()
                .enumerate()
                .filter(|(i, _)| set & (1u64 << i) != 0)
                .map(|(_, c)| c.id.as_str())
                .collect();
            format!("[{}]", ids.join(", "))
        }
    })
}

/// Reads one JSON object (one JSON Lines record) for this rulebook.
pub fn parse_json_record(book: &Rulebook, text: &str, order: &mut KeyOrder) -> RecordOutcome {
    // The fast path reads whole numbers of at most 15 digits only, so a record it accepts
    // holds no long decimal: the check is for the records serde_json reads.
    if let Some((answers, fields)) = flat::read(book, text, order) {
        return Ok(Collected::new(answers, fields)).into();
    }
    without_overlong_decimals(parse_json_slow(text, AnswersSeed { book }).into(), text)
}

/// `outcome`, unless `text` holds a decimal with more digits than can be read exactly;
/// the record's id is kept either way.
fn without_overlong_decimals(outcome: RecordOutcome, text: &str) -> RecordOutcome {
    match overlong_decimal(text) {
        Some(why) => RecordOutcome {
            id: outcome
                .id
                .or_else(|| outcome.answers.ok().and_then(|a| a.id)),
            answers: Err(AnswersError::Syntax(why)),
        },
        None => outcome,
    }
}

/// Reads one YAML document (one record of a multi-document stream) for this rulebook.
pub fn parse_yaml_record(book: &Rulebook, text: &str) -> RecordOutcome {
    if text.len() > MAX_ANSWERS_BYTES {
        return RecordOutcome {
            id: None,
            answers: Err(AnswersError::TooLarge {
                size: Some(text.len() as u64),
                limit: MAX_ANSWERS_BYTES,
            }),
        };
    }
    let outcome = yaml::from_str_seed(text, AnswersSeed { book })
        .map_err(|e| AnswersError::Syntax(e.to_string()))
        .into();
    without_overlong_decimals(outcome, text)
}

/// Reads one CSV row: `columns[i]` is the question index of cell `i` (or `None` for the
/// `id` column). Empty cells are unanswered.
pub fn parse_cells<'c>(
    book: &Rulebook,
    columns: &[Column],
    cells: impl IntoIterator<Item = &'c str>,
    map: Option<&column_map::ColumnMap>,
) -> RecordOutcome {
    let mut answers = Answers::empty(book);
    let mut problems = Problems::default();
    for (cell, column) in cells.into_iter().zip(columns.iter()) {
        match column {
            Column::Id => {
                let id = cell.trim();
                if !id.is_empty() {
                    answers.id = Some(id.to_string());
                }
            }
            Column::Question(index) => {
                let q = &book.questions[*index];
                let cell = map.map_or(Cow::Borrowed(cell), |m| m.translate(*index, cell));
                match interpret_text(q, &cell) {
                    Ok(value) => answers.values[*index] = value,
                    Err(message) => problems.report(&q.id, || message),
                }
            }
            // A header can name thousands of unknown columns: past the problems shown,
            // the message is not even copied.
            Column::Unknown { name, message } => problems.report(name, || message.as_str()),
            Column::Duplicate(name) => problems.report(
                name,
                || "is a column twice in the header; give each question one column",
            ),
            Column::Ignored(_) => {}
        }
    }
    let id = answers.id.take();
    RecordOutcome::new(
        id,
        if problems.is_empty() {
            Ok(answers)
        } else {
            Err(AnswersError::Invalid(problems.into_vec()))
        },
    )
}

/// What one CSV column holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Column {
    Id,
    Question(usize),
    /// A header that names no question; every row reports it (the message, with its
    /// suggestion, is worked out once for the header).
    Unknown {
        name: String,
        message: String,
    },
    /// A header named a second time; every row reports it, so no answer is silently
    /// overwritten.
    Duplicate(String),
    /// A header that matches no question and is not close to one (a timestamp, an
    /// e-mail address, a name): its cells are not read.
    Ignored(String),
}

/// Maps a CSV header row to columns. A header names a question by its id, by its text,
/// or by its text without punctuation and case (what a form builder exports); `id_column`
/// names the column that identifies each record (default `id`). A header that matches no
/// question and is not close to one (a timestamp, an e-mail address) is ignored; one close
/// to a question id or text is an error, so a misspelt question never loses its answers.
pub fn columns_for_header<'h>(
    book: &Rulebook,
    header: impl IntoIterator<Item = &'h str>,
    id_column: Option<&str>,
    map: Option<&column_map::ColumnMap>,
) -> Vec<Column> {
    let mut seen = std::collections::HashSet::new();
    let prompts: Vec<String> = book
        .questions
        .iter()
        .map(|q| crate::suggest::normalised(&q.prompt))
        .collect();
    header
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let name = name.trim().trim_start_matches('\u{feff}');
            if name.is_empty() {
                return Column::Unknown {
                    name: format!("column {}", i + 1),
                    message: "the header cell of this column is empty; write the question id it answers there, or remove the column".into(),
                };
            }
            let column = match map.and_then(|m| m.column(name)) {
                Some(index) => Column::Question(index),
                None if map.is_some_and(|m| m.is_id(name)) => Column::Id,
                None => column_for(book, &prompts, name, id_column.unwrap_or("id")),
            };
            let matched = matches!(column, Column::Id | Column::Question(_));
            if matched && !seen.insert(column.clone()) {
                return Column::Duplicate(name.to_string());
            }
            column
        })
        .collect()
}

/// What one header names: the id column, a question, nothing (ignored), or something
/// close to a question (an error with the closest question).
fn column_for(book: &Rulebook, prompts: &[String], name: &str, id_column: &str) -> Column {
    if name == id_column {
        return Column::Id;
    }
    if let Some(index) = book.question_index(name) {
        return Column::Question(index);
    }
    let wanted = crate::suggest::normalised(name);
    // Validation keeps question texts distinct, so a header matches one at most.
    if let Some(index) = prompts
        .iter()
        .position(|p| !wanted.is_empty() && *p == wanted)
    {
        return Column::Question(index);
    }
    let near_id = did_you_mean(name, book.questions.iter().map(|q| q.id.as_str()));
    let near_text = crate::suggest::closest(&wanted, prompts.iter().map(String::as_str))
        .and_then(|p| prompts.iter().position(|x| x == p))
        .map(|i| format!(" (did you mean the question `{}`?)", book.questions[i].id));
    match (near_id.is_empty(), near_text) {
        (true, None) => Column::Ignored(name.to_string()),
        (false, _) => Column::Unknown {
            name: name.to_string(),
            message: format!("column is not a question{near_id}"),
        },
        (true, Some(hint)) => Column::Unknown {
            name: name.to_string(),
            message: format!("column is not a question{hint}"),
        },
    }
}

fn parse_json(text: &str, seed: AnswersSeed<'_>) -> Result<Collected, AnswersError> {
    if let Some((answers, fields)) = flat::read(seed.book, text, &mut KeyOrder::new(seed.book)) {
        return Ok(Collected::new(answers, fields));
    }
    parse_json_slow(text, seed)
}

fn parse_json_slow(text: &str, seed: AnswersSeed<'_>) -> Result<Collected, AnswersError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let collected = seed
        .deserialize(&mut de)
        .map_err(|e| AnswersError::Syntax(e.to_string()))?;
    de.end().map_err(|e| AnswersError::Syntax(e.to_string()))?;
    Ok(collected)
}

/// A YAML error, with a hint for the two mistakes people make most.
fn yaml_hint(text: &str, e: yaml::YamlError) -> String {
    if e.message.contains("more than one document") {
        "the file holds several YAML documents (separated by `---`); an answers file holds one person's answers; use `massage-check batch --input-format yaml` for many".into()
    } else if e.message.contains("cannot start any token") && text.contains('\t') {
        format!("{e} (YAML does not allow tabs for indentation; use spaces)")
    } else {
        e.to_string()
    }
}

fn looks_like_json(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// Answers plus the problems found while reading them.
#[derive(Debug)]
pub struct Collected {
    answers: Answers,
    problems: Problems,
    fields: usize,
}

/// The most problems reported for one answers file or record; the rest are counted.
pub const MAX_PROBLEMS: usize = 100;

/// The problems found in one answers file or record: the first [`MAX_PROBLEMS`] kept, the
/// rest only counted, so a record with thousands of unknown keys stays small.
#[derive(Debug, Default)]
struct Problems {
    kept: Vec<AnswerProblem>,
    more: usize,
}

impl Problems {
    /// Records a problem; past [`MAX_PROBLEMS`] it is only counted, and its message (which
    /// may search for a suggestion) is never worked out.
    fn report<M: Into<String>>(&mut self, field: &str, message: impl FnOnce() -> M) {
        if self.kept.len() < MAX_PROBLEMS {
            self.kept.push(problem(field, message()));
        } else {
            self.more += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The problems kept, then one line counting the rest.
    fn into_vec(mut self) -> Vec<AnswerProblem> {
        if self.more > 0 {
            let more = self.more;
            self.kept
                .push(problem("", format!("and {more} more problems")));
        }
        self.kept
    }
}

impl Collected {
    fn new(answers: Answers, fields: usize) -> Collected {
        Collected {
            answers,
            problems: Problems::default(),
            fields,
        }
    }

    fn finish(self) -> Result<Answers, AnswersError> {
        if !self.problems.is_empty() {
            Err(AnswersError::Invalid(self.problems.into_vec()))
        } else if self.fields == 0 {
            Err(AnswersError::Empty)
        } else {
            Ok(self.answers)
        }
    }
}

/// Deserializes an answers mapping straight into per-question slots.
#[derive(Clone, Copy)]
/// A record id: text, or a whole number kept digit for digit (an id above 2^53 read as a
/// float would come back as another person's id).
struct IdSeed;

impl<'de> DeserializeSeed<'de> for IdSeed {
    type Value = Result<String, String>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for IdSeed {
    type Value = Result<String, String>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a record id")
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Ok(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Ok(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Ok(v.to_string()))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Self::Value, E> {
        Ok(Ok(v.to_string()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Self::Value, E> {
        Ok(Ok(v.to_string()))
    }
    fn visit_f64<E>(self, _v: f64) -> Result<Self::Value, E> {
        Ok(Err(
            "a number id must be a whole number that fits in 20 digits; write any other id as text (in quotes)"
                .into(),
        ))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Err(format!(
            "expected a text or number record id, found `{v}`"
        )))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Err(
            "expected a text or number record id, found nothing".into()
        ))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Err(
            "expected a text or number record id, found a list".into()
        ))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(Err(
            "expected a text or number record id, found a mapping".into()
        ))
    }
}

pub struct AnswersSeed<'b> {
    pub book: &'b Rulebook,
}

impl<'de> DeserializeSeed<'de> for AnswersSeed<'_> {
    type Value = Collected;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Collected, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for AnswersSeed<'_> {
    type Value = Collected;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping of question id to answer")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Collected, E> {
        Ok(Collected::new(Answers::empty(self.book), 0))
    }

    fn visit_none<E: de::Error>(self) -> Result<Collected, E> {
        self.visit_unit()
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Collected, A::Error> {
        let book = self.book;
        let mut out = Collected::new(Answers::empty(book), 0);
        let mut seen = vec![false; book.questions.len()];
        let mut seen_id = false;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            out.fields += 1;
            if key != "id"
                && let Some(index) = book.question_index(&key)
            {
                let q = &book.questions[index];
                let value = map.next_value_seed(QuestionSeed { q })?;
                if std::mem::replace(&mut seen[index], true) {
                    out.problems.report(&key, || "is answered twice");
                    continue;
                }
                match value {
                    Ok(value) => out.answers.values[index] = value,
                    Err(message) => out.problems.report(&key, || message),
                }
                continue;
            }
            if key == "id" {
                if seen_id {
                    out.problems.report("id", || "appears twice");
                }
                seen_id = true;
                match map.next_value_seed(IdSeed)? {
                    Ok(id) => out.answers.id = Some(id),
                    Err(message) => out.problems.report("id", || message),
                }
                continue;
            }
            let _: de::IgnoredAny = map.next_value()?;
            out.problems.report(&key, || {
                let ids = book.questions.iter().map(|q| q.id.as_str());
                format!(
                    "no such question{}; `massage-check template` lists every question id",
                    did_you_mean(&key, ids)
                )
            });
        }
        Ok(out)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<Collected, A::Error> {
        Err(de::Error::custom(
            "the answers must be a mapping of question id to answer, not a list",
        ))
    }

    fn visit_str<E: de::Error>(self, _v: &str) -> Result<Collected, E> {
        Err(de::Error::custom(
            "the answers must be a mapping of question id to answer, not a single text",
        ))
    }

    fn visit_bool<E: de::Error>(self, _v: bool) -> Result<Collected, E> {
        Err(de::Error::custom(
            "the answers must be a mapping of question id to answer",
        ))
    }

    fn visit_i64<E: de::Error>(self, _v: i64) -> Result<Collected, E> {
        Err(de::Error::custom(
            "the answers must be a mapping of question id to answer",
        ))
    }

    fn visit_u64<E: de::Error>(self, _v: u64) -> Result<Collected, E> {
        Err(de::Error::custom(
            "the answers must be a mapping of question id to answer",
        ))
    }

    fn visit_f64<E: de::Error>(self, _v: f64) -> Result<Collected, E> {
        Err(de::Error::custom(
            "the answers must be a mapping of question id to answer",
        ))
    }
}

fn problem(field: &str, message: impl Into<String>) -> AnswerProblem {
    AnswerProblem {
        field: field.to_string(),
        message: message.into(),
    }
}

/// Formats a number as it would be written: `f64`'s `Display` already leaves off a
/// whole number's `.0` and never uses an exponent; only negative zero would show as `-0`.
pub fn format_number(n: f64) -> String {
    if n == 0.0 { "0".into() } else { n.to_string() }
}

impl<'de> serde::Deserialize<'de> for Raw<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RawVisitor;
        impl<'de> Visitor<'de> for RawVisitor {
            type Value = Raw<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an answer")
            }
            fn visit_unit<E>(self) -> Result<Raw<'de>, E> {
                Ok(Raw::Null)
            }
            fn visit_none<E>(self) -> Result<Raw<'de>, E> {
                Ok(Raw::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw<'de>, D::Error> {
                serde::Deserialize::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Raw<'de>, E> {
                Ok(Raw::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Raw<'de>, E> {
                Ok(Raw::Number(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Raw<'de>, E> {
                Ok(Raw::Number(v as f64))
            }
            fn visit_i128<E>(self, v: i128) -> Result<Raw<'de>, E> {
                Ok(Raw::Number(v as f64))
            }
            fn visit_u128<E>(self, v: u128) -> Result<Raw<'de>, E> {
                Ok(Raw::Number(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Raw<'de>, E> {
                Ok(Raw::Number(v))
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Raw<'de>, E> {
                Ok(Raw::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Raw<'de>, E> {
                Ok(Raw::Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Raw<'de>, E> {
                Ok(Raw::Text(Cow::Owned(v)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw<'de>, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Raw<'de>>()? {
                    items.push(item);
                }
                Ok(Raw::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw<'de>, A::Error> {
                while map
                    .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Raw::Other("a mapping"))
            }
        }
        deserializer.deserialize_any(RawVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in rulebook, loaded once for all the answers tests.
    pub(super) fn book() -> &'static Rulebook {
        static BOOK: std::sync::OnceLock<Rulebook> = std::sync::OnceLock::new();
        BOOK.get_or_init(|| Rulebook::builtin().expect("the built-in rulebook loads"))
    }

    fn question(id: &str) -> &'static Question {
        let book = book();
        &book.questions[book.question_index(id).expect("a built-in question")]
    }

    /// The answer `text` gives to `id`, read from an answers file.
    fn read(id: &str, text: &str) -> Result<Value, AnswersError> {
        let answers = parse(book(), text)?;
        Ok(answers.get(book().question_index(id).expect("a built-in question")))
    }

    fn error_text(text: &str) -> String {
        match parse(book(), text) {
            Ok(answers) => panic!("{text:?} was read as {answers:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_typed_number_may_carry_its_unit() {
        let age = question("age");
        assert_eq!(interpret_text(age, "35 years"), Ok(Value::Number(35.0)));
        assert_eq!(interpret_text(age, "35 Years"), Ok(Value::Number(35.0)));
        let days = question("injury_days_ago");
        assert_eq!(interpret_text(days, "1 day"), Ok(Value::Number(1.0)));
        assert!(
            interpret_text(days, "3 weeks").is_err(),
            "another unit is not this one"
        );
        assert!(interpret_text(age, "35 apples").is_err());
        assert_eq!(interpret_text(age, "not sure").is_err(), !age.allow_unknown);
        let pain = question("pain_intensity");
        assert_eq!(interpret_text(pain, "not sure"), Ok(Value::Unknown));
    }

    #[test]
    fn several_problems_are_listed_one_per_line() {
        let shown = error_text("agee: 3\npain_intensity: 11\ngoal: nap\n");
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), 3, "{shown}");
        assert!(lines[0].starts_with("agee: no such question"), "{shown}");
        assert!(
            lines[1].starts_with("pain_intensity: 11 is out of range"),
            "{shown}"
        );
        assert!(
            lines[2].starts_with("goal: \"nap\" is not a choice"),
            "{shown}"
        );
        assert!(!shown.starts_with('\n') && !shown.ends_with('\n'));
    }

    #[test]
    fn a_number_at_either_end_of_its_range_is_accepted_and_one_past_is_not() {
        let (min, max) = question("age").range();
        for n in [min, max] {
            assert_eq!(read("age", &format!("age: {n}\n")), Ok(Value::Number(n)));
        }
        for n in [min - 1.0, max + 1.0] {
            assert!(error_text(&format!("age: {n}\n")).contains("out of range"));
        }
        assert_eq!(
            read("pain_intensity", "pain_intensity: 10\n"),
            Ok(Value::Number(10.0))
        );
        assert_eq!(
            read("pain_intensity", "pain_intensity: 0\n"),
            Ok(Value::Number(0.0))
        );
    }

    #[test]
    fn one_choice_written_without_brackets_is_a_list_of_one() {
        let q = question("pain_location");
        let lower_back = q
            .choices
            .iter()
            .position(|c| c.id == "lower_back")
            .expect("a choice");
        assert_eq!(
            read("pain_location", "pain_location: lower_back\n"),
            Ok(Value::Set(1 << lower_back))
        );
        assert_eq!(
            read("pain_location", "pain_location: [lower_back]\n"),
            Ok(Value::Set(1 << lower_back))
        );
    }

    #[test]
    fn a_tagged_value_is_refused_saying_what_was_expected() {
        // A YAML tag makes an enum, which neither the answers nor an answer accept.
        assert!(
            error_text("pain_intensity: !foo 3\n")
                .contains("pain_intensity: invalid type: enum, expected an answer"),
        );
        assert!(
            error_text("!foo {age: 3}\n")
                .contains("invalid type: enum, expected a mapping of question id to answer"),
        );
    }

    /// A valid answers file of exactly `len` bytes (a comment pads it).
    fn padded(len: usize) -> String {
        let mut text = String::from("age: 34\n#");
        text.push_str(&"x".repeat(len - text.len() - 1));
        text.push('\n');
        assert_eq!(text.len(), len);
        text
    }

    #[test]
    fn answers_up_to_the_size_limit_are_read_and_one_byte_more_is_refused() {
        assert!(parse(book(), &padded(MAX_ANSWERS_BYTES)).is_ok());
        assert_eq!(
            parse(book(), &padded(MAX_ANSWERS_BYTES + 1)),
            Err(AnswersError::TooLarge {
                size: Some(MAX_ANSWERS_BYTES as u64 + 1),
                limit: MAX_ANSWERS_BYTES
            })
        );
        let record = parse_yaml_record(book(), &padded(MAX_ANSWERS_BYTES));
        assert!(record.answers.is_ok(), "{:?}", record.answers);
        let record = parse_yaml_record(book(), &padded(MAX_ANSWERS_BYTES + 2));
        assert!(matches!(
            record.answers,
            Err(AnswersError::TooLarge { size: Some(n), .. }) if n == MAX_ANSWERS_BYTES as u64 + 2
        ));
    }

    #[test]
    fn saved_answers_read_back_to_the_same_answers_and_id() {
        let text = "id: \"Ann: \\\"A\\\" #1\"\nage: 34\npain_intensity: unknown\n\
                    pain_location: [lower_back, neck_shoulders]\nlegs_new: no\n\
                    pain_duration: over_12_weeks\n";
        let answers = parse(book(), text).expect("valid answers");
        assert_eq!(answers.id.as_deref(), Some("Ann: \"A\" #1"));
        let saved = to_yaml(book(), &answers);
        assert!(saved.starts_with("# massage-check answers"), "{saved}");
        assert!(saved.contains("\nage: 34\n"), "{saved}");
        assert!(
            !saved.contains("health"),
            "unanswered questions are left out: {saved}"
        );
        assert_eq!(parse(book(), &saved), Ok(answers));
    }

    #[test]
    fn a_rule_test_case_reads_its_answers_from_json() {
        let value = serde_json::json!({"age": 70, "legs_new": true});
        let answers = from_json_value(book(), value).expect("valid answers");
        let age = book().question_index("age").expect("a question");
        assert_eq!(answers.get(age), Value::Number(70.0));
        let value = serde_json::json!({"age": 700});
        assert!(matches!(
            from_json_value(book(), value),
            Err(AnswersError::Invalid(p)) if p[0].field == "age"
        ));
    }

    #[test]
    fn the_tab_hint_is_given_only_for_a_tab_that_cannot_start_a_token() {
        assert!(error_text("\tage: 3\n").contains("YAML does not allow tabs"));
        // The same error without a tab, and a tab beside another error, get no hint.
        for text in ["age: @x\n", "#\ta\nage: [1\n"] {
            let shown = error_text(text);
            assert!(!shown.contains("tabs"), "{text:?}: {shown}");
        }
    }

    #[test]
    fn a_hundred_problems_are_listed_and_the_rest_counted_in_one_line() {
        for (unknown, more) in [(100, None), (101, Some(1)), (150, Some(50))] {
            // Close to a question id, so a CSV column is an error rather than ignored.
            let names: Vec<String> = (0..unknown).map(|i| format!("pain_intensit{i}")).collect();
            let text: String = names.iter().map(|n| format!("{n}: 1\n")).collect();
            let from_file = parse(book(), &text).expect_err("unknown keys").problems();
            let header = columns_for_header(book(), names.iter().map(String::as_str), None, None);
            let cells = vec!["1"; unknown];
            let from_csv = parse_cells(book(), &header, cells, None)
                .answers
                .expect_err("unknown columns")
                .problems();
            for problems in [from_file, from_csv] {
                assert_eq!(problems[99].field, "pain_intensit99");
                let last = problems.last().expect("problems");
                match more {
                    None => assert_eq!(problems.len(), 100, "{last:?}"),
                    Some(more) => {
                        assert_eq!(problems.len(), 101, "{last:?}");
                        assert_eq!(last.message, format!("and {more} more problems"));
                        assert_eq!(last.field, "");
                    }
                }
            }
        }
    }

    #[test]
    fn numbers_are_written_as_a_person_would_write_them() {
        for (n, written) in [
            (17.0, "17"),
            (-0.0, "0"),
            (0.0, "0"),
            (2.5, "2.5"),
            (-3.0, "-3"),
            (1e15, "1000000000000000"),
            (1e20, "100000000000000000000"),
        ] {
            assert_eq!(format_number(n), written);
        }
        let answers = parse(book(), "id: 17\nage: 34\n").expect("valid answers");
        assert_eq!(answers.id.as_deref(), Some("17"));
        // A fractional id would be rounded by any reader, so it is refused, not rewritten.
        let shown = error_text("id: 17.0\nage: 34\n");
        assert!(
            shown.contains("id: a number id must be a whole number"),
            "{shown}"
        );
    }

    #[test]
    fn a_tagged_value_under_an_unknown_key_or_in_a_list_is_refused() {
        // An unknown key is named before its value is read.
        let shown = error_text("nope: !foo 1\n");
        assert!(shown.contains("nope: no such question"), "{shown}");
        let shown = error_text("pain_location: [!foo lower_back]\n");
        assert!(
            shown.contains("invalid type: enum, expected an answer"),
            "{shown}"
        );
    }
}
