//! The condition grammar: `all` / `any` / `not` over comparisons of one answer with a value.
//!
//! ```yaml
//! when:
//!   all:
//!     - { fact: recent_injury, is: yes }
//!     - { fact: injury_days_ago, at_most: 3 }
//!     - not: { fact: cleared_by_clinician, is: yes }
//! ```
//!
//! A comparison is a map with `fact` (a question id) and exactly one operator:
//! `is`, `in`, `below`, `at_most`, `above`, `at_least`, `includes`, `includes_any`,
//! `is_unknown`. `always: true` is a condition that always holds.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A literal on the right-hand side of `is`: `yes`/`no`/`true`/`false`, a number or a
/// choice id.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Literal {
    Bool(bool),
    Number(f64),
    Text(String),
}

/// Read by the type the value already has, as an untagged enum would, but without
/// buffering the value and building an error for each variant that does not match
/// (the built-in image holds hundreds of literals, read at every start).
impl<'de> Deserialize<'de> for Literal {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Literal, D::Error> {
        struct LiteralVisitor;
        impl serde::de::Visitor<'_> for LiteralVisitor {
            type Value = Literal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("yes, no, a number or a choice id")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Literal, E> {
                Ok(Literal::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Literal, E> {
                Ok(Literal::Number(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Literal, E> {
                Ok(Literal::Number(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Literal, E> {
                Ok(Literal::Number(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Literal, E> {
                Ok(Literal::Text(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Literal, E> {
                Ok(Literal::Text(v))
            }
        }
        d.deserialize_any(LiteralVisitor)
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Bool(true) => f.write_str("yes"),
            Literal::Bool(false) => f.write_str("no"),
            Literal::Number(n) => write!(f, "{n}"),
            Literal::Text(s) => f.write_str(s),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    Is(Literal),
    In(Vec<String>),
    Below(f64),
    AtMost(f64),
    Above(f64),
    AtLeast(f64),
    Includes(String),
    IncludesAny(Vec<String>),
    IsUnknown(bool),
}

impl Operator {
    pub fn name(&self) -> &'static str {
        match self {
            Operator::Is(_) => "is",
            Operator::In(_) => "in",
            Operator::Below(_) => "below",
            Operator::AtMost(_) => "at_most",
            Operator::Above(_) => "above",
            Operator::AtLeast(_) => "at_least",
            Operator::Includes(_) => "includes",
            Operator::IncludesAny(_) => "includes_any",
            Operator::IsUnknown(_) => "is_unknown",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operator::Is(v) => write!(f, "is {v}"),
            Operator::In(v) | Operator::IncludesAny(v) => {
                write!(f, "{} [{}]", self.name(), v.join(", "))
            }
            Operator::Below(n)
            | Operator::AtMost(n)
            | Operator::Above(n)
            | Operator::AtLeast(n) => {
                write!(f, "{} {n}", self.name())
            }
            Operator::Includes(v) => write!(f, "includes {v}"),
            Operator::IsUnknown(b) => write!(f, "is_unknown {b}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawCondition")]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Always,
    Compare { fact: String, op: Operator },
}

impl Condition {
    /// Every question id this condition reads, in order of appearance (with repeats).
    pub fn facts(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.visit_facts(&mut |f| out.push(f));
        out
    }

    pub fn visit_facts<'a>(&'a self, visit: &mut impl FnMut(&'a str)) {
        match self {
            Condition::All(c) | Condition::Any(c) => c.iter().for_each(|c| c.visit_facts(visit)),
            Condition::Not(c) => c.visit_facts(visit),
            Condition::Always => {}
            Condition::Compare { fact, .. } => visit(fact),
        }
    }

    /// Every comparison in this condition, in order.
    pub fn comparisons(&self) -> Vec<(&str, &Operator)> {
        let mut out = Vec::new();
        self.collect_comparisons(&mut out);
        out
    }

    fn collect_comparisons<'a>(&'a self, out: &mut Vec<(&'a str, &'a Operator)>) {
        match self {
            Condition::All(c) | Condition::Any(c) => {
                c.iter().for_each(|c| c.collect_comparisons(out))
            }
            Condition::Not(c) => c.collect_comparisons(out),
            Condition::Always => {}
            Condition::Compare { fact, op } => out.push((fact, op)),
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Condition::All(c) | Condition::Any(c) => {
                let word = if matches!(self, Condition::All(_)) {
                    "all"
                } else {
                    "any"
                };
                write!(f, "{word}(")?;
                for (i, c) in c.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{c}")?;
                }
                f.write_str(")")
            }
            Condition::Not(c) => write!(f, "not({c})"),
            Condition::Always => f.write_str("always"),
            Condition::Compare { fact, op } => write!(f, "{fact} {op}"),
        }
    }
}

/// The on-disk shape: one map with optional keys, turned into a [`Condition`] only when
/// exactly one form is present. This gives clear errors ("has both `all` and `fact`")
/// where an untagged enum would only say "did not match any variant".
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Condition")]
struct RawCondition {
    all: Option<Vec<Condition>>,
    any: Option<Vec<Condition>>,
    not: Option<Box<Condition>>,
    always: Option<bool>,
    fact: Option<String>,
    is: Option<Literal>,
    #[serde(rename = "in")]
    in_: Option<Vec<String>>,
    below: Option<f64>,
    at_most: Option<f64>,
    above: Option<f64>,
    at_least: Option<f64>,
    includes: Option<String>,
    includes_any: Option<Vec<String>>,
    is_unknown: Option<bool>,
}

/// A condition is written as a [`RawCondition`] map.
impl JsonSchema for Condition {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        RawCondition::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        RawCondition::json_schema(generator)
    }
}

impl TryFrom<RawCondition> for Condition {
    type Error = String;

    /// Checks in the order the messages were written: empty lists and `always: false`,
    /// then the comparison, then how many forms the map holds. Allocates nothing on the
    /// way to a valid condition (the built-in image holds hundreds, read at every start).
    fn try_from(raw: RawCondition) -> Result<Self, Self::Error> {
        let RawCondition {
            all,
            any,
            not,
            always,
            fact,
            is,
            in_,
            below,
            at_most,
            above,
            at_least,
            includes,
            includes_any,
            is_unknown,
        } = raw;
        let mut forms = 0usize;
        let mut form: Option<Condition> = None;
        let mut add = |condition: Condition| {
            forms += 1;
            form.get_or_insert(condition);
        };
        if let Some(all) = all {
            if all.is_empty() {
                return Err("`all` needs at least one condition".into());
            }
            add(Condition::All(all));
        }
        if let Some(any) = any {
            if any.is_empty() {
                return Err("`any` needs at least one condition".into());
            }
            add(Condition::Any(any));
        }
        if let Some(not) = not {
            add(Condition::Not(not));
        }
        if let Some(always) = always {
            if !always {
                return Err("`always` can only be `true`; remove the condition instead".into());
            }
            add(Condition::Always);
        }
        let ops = [
            is.map(Operator::Is),
            in_.map(Operator::In),
            below.map(Operator::Below),
            at_most.map(Operator::AtMost),
            above.map(Operator::Above),
            at_least.map(Operator::AtLeast),
            includes.map(Operator::Includes),
            includes_any.map(Operator::IncludesAny),
            is_unknown.map(Operator::IsUnknown),
        ];
        let given = ops.iter().flatten().count();
        let names = || ops.iter().flatten().map(Operator::name).collect::<Vec<_>>();
        match (fact, given) {
            (Some(fact), 1) => {
                if let Some(op) = ops.into_iter().flatten().next() {
                    add(Condition::Compare { fact, op });
                }
            }
            (Some(fact), 0) => {
                return Err(format!(
                    "comparison on `{fact}` needs one operator: is, in, below, at_most, above, at_least, includes, includes_any, is_unknown"
                ));
            }
            (Some(fact), _) => {
                return Err(format!(
                    "comparison on `{fact}` has several operators ({}); use `all` to combine them",
                    names().join(", ")
                ));
            }
            (None, 0) => {}
            (None, _) => {
                return Err(format!(
                    "operator `{}` needs a `fact` (the question id it compares)",
                    names().first().copied().unwrap_or_default()
                ));
            }
        }
        match (forms, form) {
            (1, Some(form)) => Ok(form),
            (0, _) => Err("empty condition: use one of all, any, not, always, or fact with an operator".into()),
            _ => Err("a condition map holds exactly one of all, any, not, always, or fact; wrap several in `all`".into()),
        }
    }
}
