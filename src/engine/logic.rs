//! Conditions compiled to question indices and typed values, and their three-valued
//! evaluation: an undecided answer makes a comparison `Unknown`, never `False`.

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

/// Answers as the evaluator sees them: a value and whether the question applies.
pub struct Facts<'a> {
    pub values: &'a [Value],
    pub applicable: &'a [bool],
}

impl Facts<'_> {
    #[inline(always)]
    fn compare(&self, question: usize, test: &Test) -> Truth {
        // A question that does not apply (its ask_if is false) was not asked: any
        // comparison on it is false, and it is not "unknown" either.
        if !self.applicable.get(question).copied().unwrap_or(false) {
            return Truth::False;
        }
        compare(self.values.get(question).copied().unwrap_or_default(), test)
    }
}

impl Node {
    /// Most nodes are comparisons: they are evaluated inline, and only groups pay for a
    /// call.
    #[inline(always)]
    pub fn eval(&self, facts: &Facts<'_>) -> Truth {
        match self {
            Node::Compare { question, test } => facts.compare(*question, test),
            group => group.eval_group(facts),
        }
    }

    #[inline(never)]
    fn eval_group(&self, facts: &Facts<'_>) -> Truth {
        match self {
            Node::Always => Truth::True,
            Node::Not(inner) => inner.eval(facts).not(),
            Node::All(items) => {
                let mut out = Truth::True;
                for item in items.iter() {
                    match item.eval(facts) {
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
                    match item.eval(facts) {
                        Truth::True => return Truth::True,
                        Truth::Unknown => out = Truth::Unknown,
                        Truth::False => {}
                    }
                }
                out
            }
            Node::Compare { question, test } => facts.compare(*question, test),
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

#[inline(always)]
fn compare(value: Value, test: &Test) -> Truth {
    if let Test::IsUnknown(want) = test {
        return truth(value.is_undecided() == *want);
    }
    match (value, test) {
        (Value::Bool(b), Test::Bool(want)) => truth(b == *want),
        (Value::Number(n), Test::NumberIs(x)) => truth(n == *x),
        (Value::Number(n), Test::Below(x)) => truth(n < *x),
        (Value::Number(n), Test::AtMost(x)) => truth(n <= *x),
        (Value::Number(n), Test::Above(x)) => truth(n > *x),
        (Value::Number(n), Test::AtLeast(x)) => truth(n >= *x),
        (Value::Choice(c), Test::ChoiceIn(mask)) => truth(mask & (1u64 << c) != 0),
        (Value::Set(set), Test::IncludesAll(mask)) => truth(set & mask == *mask),
        (Value::Set(set), Test::IncludesAny(mask)) => truth(set & mask != 0),
        // An undecided answer (not answered, or "not sure"). Also a test that does not
        // fit the answer's type, which validation makes unreachable; it reads as
        // undecided rather than as safe.
        _ => Truth::Unknown,
    }
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
        let facts = Facts {
            values: &values,
            applicable: &applicable,
        };
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
        let facts = Facts {
            values: &values,
            applicable: &[false],
        };
        assert_eq!(cmp(0, Test::AtMost(3.0)).eval(&facts), Truth::False);
        assert_eq!(cmp(0, Test::IsUnknown(true)).eval(&facts), Truth::False);
        let facts = Facts {
            values: &values,
            applicable: &[true],
        };
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
        let facts = Facts {
            values: &values,
            applicable: &applicable,
        };
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
                let facts = Facts {
                    values: &values,
                    applicable: &[true],
                };
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
        let facts = Facts {
            values: &values,
            applicable: &[true, true],
        };
        assert_eq!(cmp(0, Test::ChoiceIn(0b100)).eval(&facts), Truth::True);
        assert_eq!(cmp(0, Test::ChoiceIn(0b011)).eval(&facts), Truth::False);
        assert_eq!(cmp(1, Test::IncludesAll(0b001)).eval(&facts), Truth::True);
        assert_eq!(cmp(1, Test::IncludesAll(0b010)).eval(&facts), Truth::False);
        assert_eq!(cmp(1, Test::IncludesAny(0b110)).eval(&facts), Truth::True);
    }
}
