//! Finds rules that can never fire and questions that can never be asked, by trying
//! representative answers for the questions a condition reads.
//!
//! For each question read, the candidates are "unknown" plus every value that can change
//! a comparison: each choice (and none / all for several-of), yes and no, and each
//! threshold with its neighbours. Conditions reading many questions are skipped rather
//! than enumerated for minutes.

use super::logic::{Facts, Node, Truth};
use super::{Engine, problem};
use crate::answers::Value;
use crate::rulebook::{Problem, Question, QuestionType};

const MAX_COMBINATIONS: usize = 50_000;

fn candidates(q: &Question, index: usize, node: &Node) -> Vec<Value> {
    let mut out = vec![Value::Unknown];
    match q.kind {
        QuestionType::YesNo => out.extend([Value::Bool(true), Value::Bool(false)]),
        QuestionType::OneOf => out.extend((0..q.choices.len()).map(|i| Value::Choice(i as u16))),
        QuestionType::SeveralOf => {
            let n = q.choices.len();
            out.push(Value::Set(0));
            out.extend((0..n).map(|i| Value::Set(1u64 << i)));
            out.push(Value::Set(if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }));
        }
        QuestionType::Number | QuestionType::Scale => {
            let (min, max) = q.range();
            let mut thresholds = Vec::new();
            node.thresholds(index, &mut thresholds);
            let mut numbers = vec![min, max];
            for t in thresholds {
                numbers.extend([t - 1.0, t - 0.5, t, t + 0.5, t + 1.0]);
            }
            // A whole-number question only takes whole numbers: a witness must be an
            // answer a person could give.
            let whole = q.integer || q.kind == QuestionType::Scale;
            numbers.retain(|n| *n >= min && *n <= max && (!whole || n.fract() == 0.0));
            numbers.sort_by(f64::total_cmp);
            numbers.dedup();
            out.extend(numbers.into_iter().map(Value::Number));
        }
    }
    out
}

/// Whether some combination of candidate answers makes `node` evaluate to one of `wanted`.
/// `None` when there are too many combinations to try. A small witness is looked for
/// first (rules fire on a few facts, so this settles nearly every case at once); only a
/// condition without one is searched exhaustively, to show that nothing makes it true.
fn satisfiable(engine: &Engine, node: &Node, wanted: &[Truth]) -> Option<bool> {
    if smallest_witness_within(engine, node, wanted, QUICK_BUDGET).is_some() {
        return Some(true);
    }
    exhaustive(engine, node, wanted).map(|w| w.is_some())
}

/// Evaluations spent on the quick look for a witness before the exhaustive search.
const QUICK_BUDGET: usize = 2_000;

/// How many evaluations a witness search may spend.
const WITNESS_BUDGET: usize = 200_000;

/// A small set of answers (question index, value) that makes `node` evaluate to one of
/// `wanted`, every other question left unanswered. Rules fire on a few facts, so sets
/// of one question are tried first, then pairs, and so on: this finds witnesses for
/// rules that read too many questions to enumerate every combination of.
pub(super) fn smallest_witness(
    engine: &Engine,
    node: &Node,
    wanted: &[Truth],
) -> Option<Vec<(usize, Value)>> {
    smallest_witness_within(engine, node, wanted, WITNESS_BUDGET)
}

fn smallest_witness_within(
    engine: &Engine,
    node: &Node,
    wanted: &[Truth],
    budget: usize,
) -> Option<Vec<(usize, Value)>> {
    let questions = &engine.book.questions;
    let facts = node.facts();
    let options: Vec<Vec<Value>> = facts
        .iter()
        .map(|&i| candidates(&questions[i], i, node))
        .collect();
    let applicable = vec![true; questions.len()];
    // One answer vector for the whole search: each set of facts is written in, tried,
    // and cleared again.
    let mut values = vec![Value::Unanswered; questions.len()];
    let mut budget = budget;
    for size in 1..=facts.len() {
        let mut chosen: Vec<usize> = (0..size).collect();
        let mut counter = vec![0usize; size];
        loop {
            counter.iter_mut().for_each(|c| *c = 0);
            loop {
                for (k, &f) in chosen.iter().enumerate() {
                    values[facts[f]] = options[f][counter[k]];
                }
                let result = node.eval(&Facts::new(&values, &applicable));
                if wanted.contains(&result) {
                    return Some(
                        chosen
                            .iter()
                            .map(|&f| (facts[f], values[facts[f]]))
                            .collect(),
                    );
                }
                budget = budget.checked_sub(1)?;
                // Odometer over the chosen facts' candidates.
                let mut k = 0;
                while k < size {
                    counter[k] += 1;
                    if counter[k] < options[chosen[k]].len() {
                        break;
                    }
                    counter[k] = 0;
                    k += 1;
                }
                if k == size {
                    break;
                }
            }
            for &f in &chosen {
                values[facts[f]] = Value::Unanswered;
            }
            // Next combination of `size` facts, in lexicographic order.
            let n = facts.len();
            let Some(i) = (0..size).rev().find(|&i| chosen[i] < n - size + i) else {
                break;
            };
            chosen[i] += 1;
            for j in i + 1..size {
                chosen[j] = chosen[j - 1] + 1;
            }
        }
    }
    None
}

/// A combination of answers (question index, value) that makes `node` evaluate to one of
/// `wanted`; `Some(None)` when none does, `None` when there are too many to try.
fn exhaustive(
    engine: &Engine,
    node: &Node,
    wanted: &[Truth],
) -> Option<Option<Vec<(usize, Value)>>> {
    let questions = &engine.book.questions;
    let facts = node.facts();
    let options: Vec<Vec<Value>> = facts
        .iter()
        .map(|&i| candidates(&questions[i], i, node))
        .collect();
    let total = options
        .iter()
        .try_fold(1usize, |acc, o| acc.checked_mul(o.len()))?;
    if total > MAX_COMBINATIONS {
        return None;
    }
    let mut values = vec![Value::Unanswered; questions.len()];
    let applicable = vec![true; questions.len()];
    let mut counter = vec![0usize; facts.len()];
    loop {
        for (k, &q) in facts.iter().enumerate() {
            values[q] = options[k][counter[k]];
        }
        let result = node.eval(&Facts::new(&values, &applicable));
        if wanted.contains(&result) {
            return Some(Some(facts.iter().map(|&q| (q, values[q])).collect()));
        }
        // Odometer increment over the candidate lists.
        let mut k = 0;
        loop {
            if k == counter.len() {
                return Some(None);
            }
            counter[k] += 1;
            if counter[k] < options[k].len() {
                break;
            }
            counter[k] = 0;
            k += 1;
        }
    }
}

pub(super) fn unreachable(engine: &Engine) -> Vec<Problem> {
    let book = &engine.book;
    let mut problems = Vec::new();
    for (rule, compiled) in book.rules.iter().zip(&engine.rules) {
        if satisfiable(engine, &compiled.when, &[Truth::True]) == Some(false) {
            problems.push(problem(
                book,
                &rule.id,
                format!(
                    "`when` can never be true, so this rule never fires: {}",
                    rule.when
                ),
            ));
        }
    }
    for (q, ask_if) in book.questions.iter().zip(&engine.ask_if) {
        if let Some(node) = ask_if
            && satisfiable(engine, node, &[Truth::True, Truth::Unknown]) == Some(false)
        {
            problems.push(problem(
                book,
                &q.id,
                "unreachable ask_if: no answers to the questions it reads make it true, so this question is never asked".into(),
            ));
        }
    }
    for (care, when) in book.care.iter().zip(&engine.care_when) {
        if let Some(node) = when
            && satisfiable(engine, node, &[Truth::True]) == Some(false)
        {
            problems.push(problem(
                book,
                &care.id,
                "`when` can never be true, so this care is never offered".into(),
            ));
        }
    }
    problems
}
