//! Conditions compiled to question indices and typed values, and their three-valued
//! evaluation: an undecided answer makes a comparison `Unknown`, never `False`.

use std::borrow::Cow;

use serde::Serialize;

use crate::answers::Value;
use crate::rulebook::{Condition, Literal, Operator, Question, QuestionType, Rulebook};

/// Kleene's three-valued logic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Truth {
    False,
    Unknown,
    True,
}

impl Truth {
    pub fn as_str(self) -> &'static str {
        match self {
            Truth::False => "false",
            Truth::Unknown => "unknown",
            Truth::True => "true",
        }
    }

    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

/// A comparison with its value resolved against the question's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    Bool(bool),
    NumberIs(f64),
    Below(f64),
    AtMost(f64),
    Above(f64),
    AtLeast(f64),
    /// one_of: the answer is in this set of choice bits (covers `is` and `in`).
    ChoiceIn(u64),
    /// several_of: the answer includes every bit of this mask.
    IncludesAll(u64),
    /// several_of: the answer includes at least one bit of this mask.
    IncludesAny(u64),
    IsUnknown(bool),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    All(Box<[Node]>),
    Any(Box<[Node]>),
    Not(Box<Node>),
    Always,
    Compare { question: usize, test: Test },
}

/// One answer as the evaluator reads it: what kind of answer it is (or that the question
/// was not asked, or is undecided) and its value as bits: a yes/no as bit 0 or 1, a
/// choice as its bit, a set as its bits, a number as the bits of its `f64`. Made once
/// per record, so a comparison is one check of the kind and one operation, not a match
/// on the answer and the test together (the engine's hottest branch in `perf`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Code {
    kind: Kind,
    bits: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    NotAsked,
    Undecided,
    Bool,
    Choice,
    Set,
    Number,
}

impl Code {
    pub(super) const NOT_ASKED: Code = Code {
        kind: Kind::NotAsked,
        bits: 0,
    };

    pub(super) fn of(kind: Kind, bits: u64) -> Code {
        Code { kind, bits }
    }

    #[inline(always)]
    pub(super) fn kind(self) -> Kind {
        self.kind
    }

    #[inline(always)]
    pub(super) fn bits(self) -> u64 {
        self.bits
    }

    fn new(value: Value, applicable: bool) -> Code {
        let (kind, bits) = match value {
            _ if !applicable => (Kind::NotAsked, 0),
            Value::Unanswered | Value::Unknown => (Kind::Undecided, 0),
            Value::Bool(b) => (Kind::Bool, 1 << u64::from(b)),
            Value::Choice(c) => (Kind::Choice, 1u64.checked_shl(u32::from(c)).unwrap_or(0)),
            Value::Set(set) => (Kind::Set, set),
            Value::Number(n) => (Kind::Number, n.to_bits()),
        };
        Code { kind, bits }
    }

    /// The result of a comparison the answer does not settle: false for a question that
    /// was not asked (it does not apply, so it is not "unknown" either), unknown for an
    /// undecided answer, and unknown for a test that does not fit the answer's type
    /// (validation makes that unreachable; it reads as undecided rather than as safe).
    fn unsettled(self) -> Truth {
        if self.kind == Kind::NotAsked {
            Truth::False
        } else {
            Truth::Unknown
        }
    }

    #[inline(always)]
    fn bits_of(self, kind: Kind) -> Option<u64> {
        (self.kind == kind).then_some(self.bits)
    }
}

/// Answers as the evaluator sees them: a value and whether the question applies.
pub struct Facts<'a> {
    pub values: &'a [Value],
    pub applicable: &'a [bool],
    codes: Cow<'a, [Code]>,
}

impl<'a> Facts<'a> {
    pub fn new(values: &'a [Value], applicable: &'a [bool]) -> Facts<'a> {
        // `.get()`: a short `values` or `applicable` reads as unanswered / not asked.
        let codes = (0..values.len().max(applicable.len()))
            .map(|q| {
                Code::new(
                    values.get(q).copied().unwrap_or_default(),
                    applicable.get(q).copied().unwrap_or(false),
                )
            })
            .collect();
        Facts {
            values,
            applicable,
            codes: Cow::Owned(codes),
        }
    }

    /// Which questions apply, `ask_if` by `ask_if` in question order: each reads only
    /// earlier questions (validated), so one pass settles them all. `applicable` starts
    /// all true; `codes` (as long as `values`) receives the codes of the answers as the
    /// questions apply.
    pub fn fill_applicable(
        values: &[Value],
        ask_if: &[Option<Node>],
        conditional: &[usize],
        applicable: &mut [bool],
        codes: &mut [Code],
    ) {
        for (code, &v) in codes.iter_mut().zip(values) {
            *code = Code::new(v, true);
        }
        for &i in conditional {
            if let Some(node) = ask_if.get(i).and_then(Option::as_ref) {
                let applies = node.eval_codes(codes) != Truth::False;
                applicable[i] = applies;
                if !applies && let Some(code) = codes.get_mut(i) {
                    *code = Code::NOT_ASKED;
                }
            }
        }
    }

    /// Each answer as the evaluator reads it.
    pub(super) fn codes(&self) -> &[Code] {
        &self.codes
    }

    /// Facts from codes made by [`Facts::fill_applicable`] for the same answers.
    pub fn with_codes(values: &'a [Value], applicable: &'a [bool], codes: &'a [Code]) -> Facts<'a> {
        Facts {
            values,
            applicable,
            codes: Cow::Borrowed(codes),
        }
    }
}

#[inline(always)]
pub(super) fn code_compare(code: Code, test: &Test) -> Truth {
    let result = match *test {
        Test::ChoiceIn(mask) => code.bits_of(Kind::Choice).map(|b| b & mask != 0),
        Test::IncludesAny(mask) => code.bits_of(Kind::Set).map(|b| b & mask != 0),
        Test::IncludesAll(mask) => code.bits_of(Kind::Set).map(|b| b & mask == mask),
        Test::Bool(want) => code.bits_of(Kind::Bool).map(|b| b == 1 << u64::from(want)),
        Test::IsUnknown(want) => match code.kind {
            Kind::NotAsked => None,
            Kind::Undecided => Some(want),
            _ => Some(!want),
        },
        Test::NumberIs(x) => code.bits_of(Kind::Number).map(|b| f64::from_bits(b) == x),
        Test::Below(x) => code.bits_of(Kind::Number).map(|b| f64::from_bits(b) < x),
        Test::AtMost(x) => code.bits_of(Kind::Number).map(|b| f64::from_bits(b) <= x),
        Test::Above(x) => code.bits_of(Kind::Number).map(|b| f64::from_bits(b) > x),
        Test::AtLeast(x) => code.bits_of(Kind::Number).map(|b| f64::from_bits(b) >= x),
    };
    match result {
        Some(b) => truth(b),
        None => code.unsettled(),
    }
}

impl Node {
    #[inline(always)]
    pub fn eval(&self, facts: &Facts<'_>) -> Truth {
        self.eval_codes(&facts.codes)
    }

    /// Most nodes are comparisons: they are evaluated inline, and only groups pay for a
    /// call.
    #[inline(always)]
    fn eval_codes(&self, codes: &[Code]) -> Truth {
        match self {
            Node::Compare { question, test } => compare_at(codes, *question, test),
            group => group.eval_group(codes),
        }
    }

    #[inline(never)]
    fn eval_group(&self, codes: &[Code]) -> Truth {
        match self {
            Node::Always => Truth::True,
            Node::Not(inner) => inner.eval_codes(codes).not(),
            Node::All(items) => {
                let mut out = Truth::True;
                for item in items.iter() {
                    match item.eval_codes(codes) {
                        Truth::False => return Truth::False,
                        Truth::Unknown => out = Truth::Unknown,
                        Truth::True => {}
                    }
                }
                out
            }
            Node::Any(items) => {
                let mut out = Truth::False;
                for item in items.iter() {
                    match item.eval_codes(codes) {
                        Truth::True => return Truth::True,
                        Truth::Unknown => out = Truth::Unknown,
                        Truth::False => {}
                    }
                }
                out
            }
            Node::Compare { question, test } => compare_at(codes, *question, test),
        }
    }

    /// Every question index this node reads, in order, without repeats.
    pub fn facts(&self) -> Vec<usize> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect(&self, out: &mut Vec<usize>) {
        match self {
            Node::All(items) | Node::Any(items) => items.iter().for_each(|n| n.collect(out)),
            Node::Not(inner) => inner.collect(out),
            Node::Always => {}
            Node::Compare { question, .. } => {
                if !out.contains(question) {
                    out.push(*question);
                }
            }
        }
    }

    /// Thresholds this node compares question `q` with, for reachability checks.
    pub fn thresholds(&self, q: usize, out: &mut Vec<f64>) {
        match self {
            Node::All(items) | Node::Any(items) => items.iter().for_each(|n| n.thresholds(q, out)),
            Node::Not(inner) => inner.thresholds(q, out),
            Node::Always => {}
            Node::Compare { question, test } if *question == q => match test {
                Test::NumberIs(n)
                | Test::Below(n)
                | Test::AtMost(n)
                | Test::Above(n)
                | Test::AtLeast(n) => out.push(*n),
                _ => {}
            },
            Node::Compare { .. } => {}
        }
    }
}

fn truth(b: bool) -> Truth {
    if b { Truth::True } else { Truth::False }
}

/// A question beyond the codes (a short answers list) was not asked.
#[inline(always)]
fn compare_at(codes: &[Code], question: usize, test: &Test) -> Truth {
    code_compare(
        codes.get(question).copied().unwrap_or(Code::NOT_ASKED),
        test,
    )
}

fn choice_bit(q: &Question, id: &str) -> u64 {
    q.choices
        .iter()
        .position(|c| c.id == id)
        .map(|i| 1u64 << i)
        .unwrap_or(0)
}

fn choice_mask<'a>(q: &Question, ids: impl IntoIterator<Item = &'a String>) -> u64 {
    ids.into_iter().fold(0, |m, id| m | choice_bit(q, id))
}

/// Compiles a validated condition. References were checked by validation, so a missing
/// question here is a bug in this crate, reported as an error rather than a panic.
pub fn compile(book: &Rulebook, cond: &Condition) -> Result<Node, String> {
    Ok(match cond {
        Condition::Always => Node::Always,
        Condition::Not(inner) => Node::Not(Box::new(compile(book, inner)?)),
        Condition::All(items) => Node::All(
            items
                .iter()
                .map(|c| compile(book, c))
                .collect::<Result<_, _>>()?,
        ),
        Condition::Any(items) => Node::Any(
            items
                .iter()
                .map(|c| compile(book, c))
                .collect::<Result<_, _>>()?,
        ),
        Condition::Compare { fact, op } => {
            let question = book
                .question_index(fact)
                .ok_or_else(|| format!("unknown question `{fact}`"))?;
            let q = &book.questions[question];
            let test = match (q.kind, op) {
                (_, Operator::IsUnknown(b)) => Test::IsUnknown(*b),
                (QuestionType::YesNo, Operator::Is(Literal::Bool(b))) => Test::Bool(*b),
                (QuestionType::YesNo, Operator::Is(Literal::Text(t))) => Test::Bool(t == "yes"),
                (_, Operator::Is(Literal::Number(n))) => Test::NumberIs(*n),
                (_, Operator::Below(n)) => Test::Below(*n),
                (_, Operator::AtMost(n)) => Test::AtMost(*n),
                (_, Operator::Above(n)) => Test::Above(*n),
                (_, Operator::AtLeast(n)) => Test::AtLeast(*n),
                (QuestionType::OneOf, Operator::Is(Literal::Text(t))) => {
                    Test::ChoiceIn(choice_bit(q, t))
                }
                (_, Operator::In(ids)) => Test::ChoiceIn(choice_mask(q, ids)),
                (_, Operator::Includes(id)) => Test::IncludesAll(choice_bit(q, id)),
                (_, Operator::IncludesAny(ids)) => Test::IncludesAny(choice_mask(q, ids)),
                (kind, op) => {
                    return Err(format!(
                        "operator `{}` does not fit {} question `{fact}`",
                        op.name(),
                        kind.as_str()
                    ));
                }
            };
            Node::Compare { question, test }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(question: usize, test: Test) -> Node {
        Node::Compare { question, test }
    }

    #[test]
    fn kleene_all_and_any() {
        let values = [Value::Bool(true), Value::Unknown, Value::Bool(false)];
        let applicable = [true, true, true];
        let facts = Facts::new(&values, &applicable);
        let yes = cmp(0, Test::Bool(true));
        let unk = cmp(1, Test::Bool(true));
        let no = cmp(2, Test::Bool(true));
        let all = |v: Vec<Node>| Node::All(v.into_boxed_slice());
        let any = |v: Vec<Node>| Node::Any(v.into_boxed_slice());
        assert_eq!(
            all(vec![yes.clone(), unk.clone()]).eval(&facts),
            Truth::Unknown
        );
        assert_eq!(
            all(vec![no.clone(), unk.clone()]).eval(&facts),
            Truth::False
        );
        assert_eq!(
            any(vec![no.clone(), unk.clone()]).eval(&facts),
            Truth::Unknown
        );
        assert_eq!(
            any(vec![yes.clone(), unk.clone()]).eval(&facts),
            Truth::True
        );
        assert_eq!(
            Node::Not(Box::new(unk.clone())).eval(&facts),
            Truth::Unknown
        );
        assert_eq!(Node::Not(Box::new(no)).eval(&facts), Truth::True);
        assert_eq!(cmp(1, Test::IsUnknown(true)).eval(&facts), Truth::True);
    }

    #[test]
    fn questions_that_do_not_apply_are_false_not_unknown() {
        let values = [Value::Unanswered];
        let facts = Facts::new(&values, &[false]);
        assert_eq!(cmp(0, Test::AtMost(3.0)).eval(&facts), Truth::False);
        assert_eq!(cmp(0, Test::IsUnknown(true)).eval(&facts), Truth::False);
        let facts = Facts::new(&values, &[true]);
        assert_eq!(cmp(0, Test::AtMost(3.0)).eval(&facts), Truth::Unknown);
    }

    /// Reachability looks for witnesses among the thresholds of one question; another
    /// question's thresholds are not candidates for it.
    #[test]
    fn thresholds_are_collected_for_the_question_asked() {
        let node = Node::All(
            vec![
                cmp(0, Test::AtLeast(65.0)),
                Node::Not(Box::new(cmp(1, Test::Below(3.0)))),
                Node::Any(vec![cmp(0, Test::NumberIs(7.0)), cmp(1, Test::Above(9.0))].into()),
            ]
            .into(),
        );
        let mut found = Vec::new();
        node.thresholds(0, &mut found);
        assert_eq!(found, [65.0, 7.0]);
        found.clear();
        node.thresholds(1, &mut found);
        assert_eq!(found, [3.0, 9.0]);
        found.clear();
        node.thresholds(2, &mut found);
        assert!(found.is_empty());
    }

    /// A choice listed twice in `in:` or `includes_any:` (which validation allows) still
    /// counts once: the mask is a union, not a toggle.
    #[test]
    fn a_choice_listed_twice_still_matches() {
        let book = Rulebook::builtin().expect("builtin");
        let injury = book.question_index("injury").expect("injury");
        let minor = book.questions[injury]
            .choices
            .iter()
            .position(|c| c.id == "minor")
            .expect("minor") as u16;
        let twice = vec!["minor".to_string(), "minor".to_string()];
        for op in [Operator::In(twice.clone()), Operator::IncludesAny(twice)] {
            let node = compile(
                &book,
                &Condition::Compare {
                    fact: "injury".into(),
                    op: op.clone(),
                },
            );
            let expected = match op {
                Operator::In(_) => Test::ChoiceIn(1 << minor),
                _ => Test::IncludesAny(1 << minor),
            };
            assert_eq!(
                node,
                Ok(Node::Compare {
                    question: injury,
                    test: expected
                })
            );
        }
        let mut values = vec![Value::Unanswered; book.questions.len()];
        values[injury] = Value::Choice(minor);
        let applicable = vec![true; book.questions.len()];
        let node = compile(
            &book,
            &Condition::Compare {
                fact: "injury".into(),
                op: Operator::In(vec!["minor".into(), "minor".into()]),
            },
        )
        .expect("compiles");
        let facts = Facts::new(&values, &applicable);
        assert_eq!(node.eval(&facts), Truth::True);
    }

    /// The text report's `--explain` words are the JSON trace's values.
    #[test]
    fn truth_words_match_the_json_values() {
        for t in [Truth::False, Truth::Unknown, Truth::True] {
            let json = serde_json::to_value(t).expect("serialises");
            assert_eq!(json.as_str(), Some(t.as_str()));
        }
        assert_eq!(Truth::Unknown.as_str(), "unknown");
    }

    /// Every numeric comparison at one below, at and one above its threshold, so a
    /// comparison swapped for its neighbour (`<` for `<=`, `>` for `>=`) fails here.
    #[test]
    fn numeric_comparisons_at_their_edges() {
        let x = 65.0;
        let cases: [(Test, [bool; 3]); 5] = [
            (Test::NumberIs(x), [false, true, false]),
            (Test::Below(x), [true, false, false]),
            (Test::AtMost(x), [true, true, false]),
            (Test::Above(x), [false, false, true]),
            (Test::AtLeast(x), [false, true, true]),
        ];
        for (test, expected) in cases {
            for (value, want) in [x - 1.0, x, x + 1.0].into_iter().zip(expected) {
                let values = [Value::Number(value)];
                let facts = Facts::new(&values, &[true]);
                assert_eq!(
                    cmp(0, test.clone()).eval(&facts),
                    truth(want),
                    "{test:?} at {value}"
                );
            }
        }
    }

    #[test]
    fn sets_and_choices() {
        let values = [Value::Choice(2), Value::Set(0b101)];
        let facts = Facts::new(&values, &[true, true]);
        assert_eq!(cmp(0, Test::ChoiceIn(0b100)).eval(&facts), Truth::True);
        assert_eq!(cmp(0, Test::ChoiceIn(0b011)).eval(&facts), Truth::False);
        assert_eq!(cmp(1, Test::IncludesAll(0b001)).eval(&facts), Truth::True);
        assert_eq!(cmp(1, Test::IncludesAll(0b010)).eval(&facts), Truth::False);
        assert_eq!(cmp(1, Test::IncludesAny(0b110)).eval(&facts), Truth::True);
        // A test that does not fit the answer's type (unreachable after validation)
        // reads as undecided, never as a safe false.
        assert_eq!(cmp(1, Test::ChoiceIn(0b100)).eval(&facts), Truth::Unknown);
        assert_eq!(
            cmp(0, Test::IncludesAny(0b100)).eval(&facts),
            Truth::Unknown
        );
        assert_eq!(cmp(0, Test::Bool(true)).eval(&facts), Truth::Unknown);
        assert_eq!(cmp(1, Test::AtLeast(1.0)).eval(&facts), Truth::Unknown);
    }
}
