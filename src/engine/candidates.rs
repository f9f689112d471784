//! Which rules a record's answers could make fire, found without visiting the others.
//!
//! Most rules are false for most people: "has this red flag", "has this diagnosis",
//! "this injury". Each rule is keyed on one comparison its condition cannot be true
//! (or undecided) without: the condition itself when it is one comparison, else a
//! comparison among the items of its `all`. For a yes/no, one-of or several-of question
//! the answer is a set of bits, and a keyed comparison can only hold when the answer
//! has one of a few bits (a choice it names, the yes or the no it wants). So the index
//! holds, per question and per answer bit, the rules that bit could let through; a
//! record ORs together the rows of its answers' bits, and only those rules are
//! evaluated. Every other rule is false without being looked at.
//!
//! The index may let through rules that turn out false (it is a superset), never leave
//! out one that is not: an undecided answer, a number, or an answer whose kind does not
//! fit its question lets through every rule keyed on that question, and rules with no
//! key (an `any` at the top, `always`) are always evaluated.

use super::logic::{Code, Kind, Node, Test, Truth, code_compare};
use crate::rulebook::{QuestionType, Rulebook};

/// 256 rules' bits: rule sets are sequences of blocks, which a record's rule set is
/// gathered into one at a time in registers (a union into memory made each union wait
/// for the one before to be stored).
type Block = [u64; 4];
const BLOCK_RULES: usize = 256;

/// Rules by the answers that could make them fire. Rule sets are bit sets of `blocks`
/// blocks, bit `i` for rule `i`.
#[derive(Debug)]
pub(super) struct CandidateIndex {
    blocks: usize,
    /// Rules evaluated whatever the answers.
    always: Box<[Block]>,
    /// One entry per question some rule is keyed on, in question order.
    keyed: Box<[KeyedQuestion]>,
}

#[derive(Debug)]
struct KeyedQuestion {
    question: usize,
    /// The kind of answer the question takes when it is a set of bits (yes/no, one of,
    /// several of); numbers have none.
    bit_kind: Option<Kind>,
    /// Every rule keyed on this question: let through by an undecided answer, a number
    /// or an answer of a kind the question does not take.
    every: Box<[Block]>,
    /// Rules whose key holds (or is undecided) for an answer of `bit_kind` whatever its
    /// bits, such as `is_unknown: false`.
    any_bits: Box<[Block]>,
    /// Row `b` (`blocks` blocks from `b * blocks`): rules whose key can hold when the
    /// answer has bit `b`. Rows stop at the highest bit any key names.
    by_bit: Box<[Block]>,
}

impl CandidateIndex {
    /// The index of `conditions` (one per rule, in rule order).
    pub(super) fn new(book: &Rulebook, conditions: &[&Node]) -> CandidateIndex {
        let blocks = conditions.len().div_ceil(BLOCK_RULES).max(1);
        let mut always = vec![[0u64; 4]; blocks];
        // Per question: the rules keyed on it, with their key.
        let mut keys: Vec<Vec<(usize, &Test)>> = vec![Vec::new(); book.questions.len()];
        for (rule, node) in conditions.iter().enumerate() {
            match key(node) {
                Some((question, test)) if question < keys.len() => {
                    keys[question].push((rule, test))
                }
                _ => set(&mut always, rule),
            }
        }
        let keyed = keys
            .iter()
            .enumerate()
            .filter(|(_, rules)| !rules.is_empty())
            .map(|(question, rules)| {
                KeyedQuestion::new(
                    question,
                    bit_kind(book.questions[question].kind),
                    rules,
                    blocks,
                )
            })
            .collect();
        CandidateIndex {
            blocks,
            always: always.into(),
            keyed,
        }
    }

    /// How many 64-bit words a rule set of this index takes.
    pub(super) fn words(&self) -> usize {
        self.blocks * 4
    }

    /// Into `out` (`words()` long): every rule whose condition is not false for these
    /// answers, and perhaps some whose condition is.
    pub(super) fn fill(&self, codes: &[Code], out: &mut [u64]) {
        for (k, out) in out.chunks_exact_mut(4).enumerate().take(self.blocks) {
            let mut rules = self.always[k];
            for q in self.keyed.iter() {
                q.gather(codes, k, self.blocks, &mut rules);
            }
            out.copy_from_slice(&rules);
        }
    }
}

impl KeyedQuestion {
    fn new(
        question: usize,
        bit_kind: Option<Kind>,
        rules: &[(usize, &Test)],
        blocks: usize,
    ) -> KeyedQuestion {
        let mut every = vec![[0u64; 4]; blocks];
        let mut any_bits = vec![[0u64; 4]; blocks];
        let mut by_bit: Vec<Block> = Vec::new();
        for &(rule, test) in rules {
            set(&mut every, rule);
            let Some(kind) = bit_kind else { continue };
            // Not false with no bits set: the key does not hang on any bit it names (a
            // test of another kind reads as undecided), so the rule goes through whatever
            // the bits.
            if code_compare(Code::of(kind, 0), test) != Truth::False {
                set(&mut any_bits, rule);
                continue;
            }
            // Otherwise the key can only hold when the answer has one of these bits; none
            // (`is_unknown: true` of a given answer) means it never does.
            let needs = match test {
                Test::ChoiceIn(mask) | Test::IncludesAny(mask) | Test::IncludesAll(mask) => *mask,
                Test::Bool(want) => 1 << u64::from(*want),
                Test::IsUnknown(_)
                | Test::NumberIs(_)
                | Test::Below(_)
                | Test::AtMost(_)
                | Test::Above(_)
                | Test::AtLeast(_) => 0,
            };
            let rows = 64 - needs.leading_zeros() as usize;
            if by_bit.len() < rows * blocks {
                by_bit.resize(rows * blocks, [0; 4]);
            }
            let mut bits = needs;
            while bits != 0 {
                let row = bits.trailing_zeros() as usize * blocks;
                set(&mut by_bit[row..row + blocks], rule);
                bits &= bits - 1;
            }
        }
        KeyedQuestion {
            question,
            bit_kind,
            every: every.into(),
            any_bits: any_bits.into(),
            by_bit: by_bit.into(),
        }
    }

    /// Adds to `rules` (block `k` of `blocks`) the rules keyed on this question that the
    /// answer in `codes` could let through.
    #[inline(always)]
    fn gather(&self, codes: &[Code], k: usize, blocks: usize, rules: &mut Block) {
        let code = codes.get(self.question).copied().unwrap_or(Code::NOT_ASKED);
        match code.kind() {
            // A question that does not apply makes every comparison of it false.
            Kind::NotAsked => {}
            kind if Some(kind) == self.bit_kind => {
                union(rules, &self.any_bits[k]);
                let mut bits = code.bits();
                while bits != 0 {
                    // Bits past the last row are named by no key.
                    let Some(row) = self.by_bit.get(bits.trailing_zeros() as usize * blocks + k)
                    else {
                        break;
                    };
                    union(rules, row);
                    bits &= bits - 1;
                }
            }
            _ => union(rules, &self.every[k]),
        }
    }
}

/// The comparison a rule is keyed on: the condition when it is one comparison, else
/// the first comparison among the items of its `all` that tests bits (it lets fewer
/// people through than a number's), else the first comparison there.
fn key(node: &Node) -> Option<(usize, &Test)> {
    match node {
        Node::Compare { question, test } => Some((*question, test)),
        Node::All(items) => {
            let comparisons = || {
                items.iter().filter_map(|item| match item {
                    Node::Compare { question, test } => Some((*question, test)),
                    _ => None,
                })
            };
            comparisons()
                .find(|(_, test)| {
                    matches!(
                        test,
                        Test::ChoiceIn(_)
                            | Test::IncludesAny(_)
                            | Test::IncludesAll(_)
                            | Test::Bool(_)
                    )
                })
                .or_else(|| comparisons().next())
        }
        _ => None,
    }
}

fn bit_kind(kind: QuestionType) -> Option<Kind> {
    match kind {
        QuestionType::YesNo => Some(Kind::Bool),
        QuestionType::OneOf => Some(Kind::Choice),
        QuestionType::SeveralOf => Some(Kind::Set),
        QuestionType::Number | QuestionType::Scale => None,
    }
}

fn set(blocks: &mut [Block], i: usize) {
    if let Some(block) = blocks.get_mut(i / BLOCK_RULES) {
        block[i % BLOCK_RULES / 64] |= 1 << (i % 64);
    }
}

#[inline(always)]
fn union(into: &mut Block, rules: &Block) {
    for (a, b) in into.iter_mut().zip(rules) {
        *a |= b;
    }
}

/// The rules in `set`, in rule order.
pub(super) fn members(set: &[u64]) -> impl Iterator<Item = usize> + '_ {
    set.iter().enumerate().flat_map(|(w, &word)| {
        let mut bits = word;
        std::iter::from_fn(move || {
            (bits != 0).then(|| {
                let i = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                w * 64 + i
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::answers::Value;
    use crate::engine::Engine;
    use crate::engine::logic::Facts;

    fn engine() -> &'static Engine {
        static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        ENGINE.get_or_init(|| Engine::builtin().expect("the built-in rulebook compiles"))
    }

    /// Any answer of any kind, including kinds a question does not take (the index must
    /// let those through too) and choices past the 64 a set can hold.
    fn any_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            2 => Just(Value::Unanswered),
            1 => Just(Value::Unknown),
            1 => any::<bool>().prop_map(Value::Bool),
            2 => (0u16..70).prop_map(Value::Choice),
            2 => prop_oneof![Just(0u64), (0u32..64).prop_map(|b| 1u64 << b), any::<u64>()]
                .prop_map(Value::Set),
            1 => (0u32..400).prop_map(|n| Value::Number(f64::from(n) / 2.0 - 10.0)),
        ]
    }

    fn candidates(e: &Engine, facts: &Facts<'_>) -> Vec<u64> {
        let mut set = vec![0; e.candidates.words()];
        e.candidates.fill(facts.codes(), &mut set);
        set
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

        /// Every rule whose condition is true or undecided is among the candidates: a
        /// rule the index leaves out is one that is false. Checked on the built-in
        /// rulebook's rules, and on them four times over, so a rule set spans several
        /// blocks (a rulebook of over 256 rules).
        #[test]
        fn no_rule_that_is_not_false_is_left_out(
            values in prop::collection::vec(any_value(), 0..40),
            applicable in prop::collection::vec(prop::bool::weighted(0.9), 0..40),
        ) {
            let e = engine();
            let facts = Facts::new(&values, &applicable);
            let one: Vec<&Node> = e.rules.iter().map(|r| &r.when).collect();
            let four: Vec<&Node> = one.iter().cycle().take(one.len() * 4).copied().collect();
            for conditions in [one, four] {
                let index = CandidateIndex::new(e.book(), &conditions);
                let mut set = vec![0; index.words()];
                index.fill(facts.codes(), &mut set);
                for (i, when) in conditions.iter().enumerate() {
                    let result = when.eval(&facts);
                    let listed = set[i / 64] & (1 << (i % 64)) != 0;
                    prop_assert!(
                        listed || result == Truth::False,
                        "rule {} of {} is {:?} but left out", i, conditions.len(), result
                    );
                }
            }
        }
    }

    /// The index is what makes assessing cheap: with every answer given and nothing
    /// wrong, it leaves out most rules; with no question asked, it lets through only the
    /// rules it cannot key.
    #[test]
    fn it_leaves_out_the_rules_the_answers_cannot_fire() {
        let e = engine();
        let book = e.book();
        let n = book.questions.len();
        let none_asked = Facts::new(&[], &[]);
        let always: Vec<usize> = members(&candidates(e, &none_asked)).collect();
        assert!(
            always.iter().all(|&i| key(&e.rules[i].when).is_none()),
            "only unkeyed rules go through when nothing is asked"
        );
        assert!(
            always.len() < e.rules.len() / 10,
            "{} rules unkeyed",
            always.len()
        );

        let benign = crate::answers::parse(book, include_str!("../../examples/desk-worker.yaml"))
            .expect("the desk worker's answers read");
        let applicable = e.applicable(&benign);
        let facts = Facts::new(&benign.values, &applicable);
        let through = members(&candidates(e, &facts)).count();
        assert!(
            through < e.rules.len() / 4,
            "{through} of {} rules let through for a benign person",
            e.rules.len()
        );
        assert_eq!(applicable.len(), n);
    }

    #[test]
    fn members_are_listed_in_rule_order() {
        let set = [0b1010u64, 0, 1 << 63];
        assert_eq!(members(&set).collect::<Vec<_>>(), [1, 3, 191]);
        assert_eq!(members(&[0, 0]).count(), 0);
    }
}
