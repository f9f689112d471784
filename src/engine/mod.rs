//! The rule engine: compile a validated rulebook once, then assess answers many times
//! with no I/O and no re-parsing.
//! Must not do I/O, format text for people, or hold medical knowledge of its own.
//!
//! The engine knows the grammar (tiers, waits, referrals, exclusions, scores) but no
//! medicine: every fact it applies comes from the rulebook.

pub mod assessment;
mod candidates;
mod fold;
pub mod logic;
pub mod lowering;
pub mod overlap;
mod reach;

use crate::answers::{AnswerProblem, Answers, AnswersError, Value};
use crate::date::Date;
use crate::rulebook::{
    IfUnknown, Location, Pressure, Problem, Rule, Rulebook, RulebookError, Tier,
};
pub use assessment::*;
pub use logic::Truth;
use logic::{Code, Facts, Node};

/// A rule with its references resolved to indices.
#[derive(Debug)]
struct CompiledRule {
    when: Node,
    /// Questions the condition reads, for "what to check" when it is undecided.
    facts: Vec<usize>,
    /// Technique indices excluded; every technique when `avoid_all`.
    avoid: Vec<usize>,
    avoid_all: bool,
    /// Care indices withheld; every care item when `avoid_care_all`.
    avoid_care: Vec<usize>,
    avoid_care_all: bool,
    adjust: Vec<(usize, i32)>,
    /// (question index, days per unit) for waits counted from an answer.
    wait_since: Option<(usize, u32)>,
    /// What applies when the condition is undecided; rules without a tier have none.
    if_unknown: Option<IfUnknown>,
}

#[derive(Debug)]
pub struct Engine {
    book: Rulebook,
    /// Why a technique is excluded under each pressure limit, written once here rather
    /// than per assessment: `[technique][limit]`.
    pressure_texts: Vec<[String; 3]>,
    rules: Vec<CompiledRule>,
    /// Which rules each answer could make fire: the others are not evaluated.
    candidates: candidates::CandidateIndex,
    ask_if: Vec<Option<Node>>,
    care_when: Vec<Option<Node>>,
    /// The rulebook safety net's `unless` conditions, by line.
    safety_net_unless: Vec<Option<Node>>,
    /// Questions with an `ask_if`, in rulebook order.
    conditional: Vec<usize>,
    /// Rules with a wait, in rulebook order: the only ones the wait is worked out from.
    wait_rules: Vec<usize>,
}

fn internal(book: &Rulebook, id: &str, message: String) -> RulebookError {
    RulebookError::Invalid(vec![Problem {
        location: book.location(id),
        item: Some(id.to_string()),
        message,
    }])
}

/// An undecided tiered rule at least needs care; rules may ask for more.
fn effective_if_unknown(rule: &Rule) -> Option<IfUnknown> {
    if rule.ignores_unknown() {
        return None;
    }
    rule.tier.map(|_| {
        rule.if_unknown_action().cloned().unwrap_or(IfUnknown {
            tier: Tier::Caution,
            see: None,
        })
    })
}

impl Engine {
    /// Compiles the rulebook and checks that every rule can fire and every question can
    /// be asked.
    pub fn new(book: Rulebook) -> Result<Engine, RulebookError> {
        let engine = Engine::compile(book)?;
        let problems = reach::unreachable(&engine);
        if problems.is_empty() {
            Ok(engine)
        } else {
            Err(RulebookError::Invalid(problems))
        }
    }

    /// The engine for the built-in rulebook, read from the image the build script wrote.
    /// The build script ran [`Engine::new`] on the same rules (every rule can fire), so
    /// only the compiling is done here.
    pub fn builtin() -> Result<Engine, RulebookError> {
        Engine::compile(Rulebook::builtin()?)
    }

    /// Compiles the rules' conditions and ids to indexes, without the reachability
    /// analysis.
    fn compile(book: Rulebook) -> Result<Engine, RulebookError> {
        let mut rules = Vec::with_capacity(book.rules.len());
        for rule in &book.rules {
            let when =
                logic::compile(&book, &rule.when).map_err(|m| internal(&book, &rule.id, m))?;
            let index = |t: &String| {
                book.technique_index(t)
                    .ok_or_else(|| internal(&book, &rule.id, format!("unknown technique `{t}`")))
            };
            let avoid = rule
                .avoid
                .listed()
                .iter()
                .map(index)
                .collect::<Result<_, _>>()?;
            let avoid_care = rule
                .avoid_care
                .listed()
                .iter()
                .map(|c| {
                    book.care.iter().position(|x| &x.id == c).ok_or_else(|| {
                        internal(&book, &rule.id, format!("unknown care item `{c}`"))
                    })
                })
                .collect::<Result<_, _>>()?;
            let adjust = rule
                .adjust
                .iter()
                .map(|(t, d)| index(t).map(|i| (i, *d)))
                .collect::<Result<_, _>>()?;
            let wait_since = rule
                .wait
                .as_ref()
                .and_then(|w| w.since.as_deref())
                .and_then(|since| {
                    let i = book.question_index(since)?;
                    Some((i, book.questions[i].days_per_unit()?))
                });
            rules.push(CompiledRule {
                facts: when.facts(),
                when,
                avoid,
                avoid_all: rule.avoid.is_all(),
                avoid_care,
                avoid_care_all: rule.avoid_care.is_all(),
                adjust,
                wait_since,
                if_unknown: effective_if_unknown(rule),
            });
        }
        let compile_opt = |id: &str, c: &Option<crate::rulebook::Condition>| {
            c.as_ref()
                .map(|c| logic::compile(&book, c).map_err(|m| internal(&book, id, m)))
                .transpose()
        };
        let ask_if = book
            .questions
            .iter()
            .map(|q| compile_opt(&q.id, &q.ask_if))
            .collect::<Result<Vec<_>, _>>()?;
        let care_when = book
            .care
            .iter()
            .map(|c| compile_opt(&c.id, &c.when))
            .collect::<Result<Vec<_>, _>>()?;
        let safety_net_unless = book
            .meta
            .safety_net
            .iter()
            .map(|l| compile_opt("rulebook", &l.unless))
            .collect::<Result<Vec<_>, _>>()?;
        let pressure_texts = book
            .techniques
            .iter()
            .map(|t| {
                [Pressure::Light, Pressure::Medium, Pressure::Firm].map(|limit| {
                    format!(
                        "it uses {} pressure; at most {} pressure is advised",
                        t.pressure.as_str(),
                        limit.as_str()
                    )
                })
            })
            .collect();
        let wait_rules = (0..book.rules.len())
            .filter(|&i| book.rules[i].wait.is_some())
            .collect();
        let conditional = (0..ask_if.len()).filter(|&i| ask_if[i].is_some()).collect();
        let conditions: Vec<&Node> = rules.iter().map(|r: &CompiledRule| &r.when).collect();
        let candidates = candidates::CandidateIndex::new(&book, &conditions);
        let engine = Engine {
            candidates,
            conditional,
            wait_rules,
            pressure_texts,
            book,
            rules,
            ask_if,
            care_when,
            safety_net_unless,
        };
        Ok(engine)
    }

    pub fn book(&self) -> &Rulebook {
        &self.book
    }

    /// Answers (question index, value) to the questions rule `rule` reads that make it
    /// fire, when a search over representative answers finds them.
    pub fn witness(&self, rule: usize) -> Option<Vec<(usize, Value)>> {
        let compiled = self.rules.get(rule)?;
        reach::smallest_witness(self, &compiled.when, &[Truth::True])
    }

    /// Answers that fire both rule `a` and rule `b`, when a search finds some.
    pub fn common_witness(&self, a: usize, b: usize) -> Option<Vec<(usize, Value)>> {
        let (ra, rb) = (self.rules.get(a)?, self.rules.get(b)?);
        let both = Node::All(vec![ra.when.clone(), rb.when.clone()].into_boxed_slice());
        reach::smallest_witness(self, &both, &[Truth::True])
    }

    /// The question indices rule `rule` reads.
    pub fn rule_facts(&self, rule: usize) -> &[usize] {
        self.rules.get(rule).map_or(&[], |r| &r.facts)
    }

    /// Which questions apply given the answers so far: a question applies unless its
    /// `ask_if` is decidedly false.
    pub fn applicable(&self, answers: &Answers) -> Vec<bool> {
        let mut applicable = vec![true; self.book.questions.len()];
        let mut codes = vec![Code::NOT_ASKED; answers.values.len()];
        self.fill_applicable(answers, &mut applicable, &mut codes);
        applicable
    }

    /// Whether question `i` will be asked given the answers so far: it has no `ask_if`,
    /// or its `ask_if` is already true (an undecided follow-up is not counted yet).
    pub fn will_ask(&self, answers: &Answers, i: usize) -> bool {
        match self.ask_if.get(i) {
            Some(Some(node)) => {
                let applicable = self.applicable(answers);
                node.eval(&Facts::new(&answers.values, &applicable)) == Truth::True
            }
            Some(None) => true,
            None => false,
        }
    }

    /// The questions to settle for undecided facts, in interview order: a fact whose
    /// question will be asked, or, for a follow-up whose trigger is itself undecided, the
    /// trigger (never "has your midwife said massage is OK?" for someone who has not said
    /// whether she is pregnant).
    fn questions_to_settle(
        &self,
        facts_read: &[usize],
        answers: &Answers,
        facts: &Facts<'_>,
    ) -> Vec<usize> {
        let mut out = Vec::new();
        let mut pending: Vec<usize> = facts_read.to_vec();
        while let Some(q) = pending.pop() {
            if !facts.applicable.get(q).copied().unwrap_or(false) {
                continue;
            }
            match &self.ask_if[q] {
                Some(node) if node.eval(facts) != Truth::True => pending.extend(node.facts()),
                _ if answers.get(q).is_undecided() && !out.contains(&q) => out.push(q),
                _ => {}
            }
        }
        out.sort_unstable();
        out
    }

    /// [`Engine::applicable`] into `applicable`, which starts all true.
    fn fill_applicable(&self, answers: &Answers, applicable: &mut [bool], codes: &mut [Code]) {
        Facts::fill_applicable(
            &answers.values,
            &self.ask_if,
            &self.conditional,
            applicable,
            codes,
        )
    }

    /// Answers given to questions that do not apply contradict the answers they depend
    /// on; they are refused rather than silently dropped.
    pub fn check_answers(&self, answers: &Answers) -> Result<(), AnswersError> {
        self.contradictions(answers, &self.applicable(answers))
    }

    fn contradictions(&self, answers: &Answers, applicable: &[bool]) -> Result<(), AnswersError> {
        // Only questions with an `ask_if` can fail to apply.
        let problems: Vec<AnswerProblem> = self
            .conditional
            .iter()
            .filter(|&&i| !applicable[i] && !answers.get(i).is_undecided())
            .map(|&i| {
                let q = &self.book.questions[i];
                let when = q.ask_if.as_ref().map(|c| c.to_string()).unwrap_or_default();
                AnswerProblem {
                    field: q.id.clone(),
                    message: format!(
                        "is only asked when {when}; the other answers say it does not apply, so remove it or correct them"
                    ),
                }
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(AnswersError::Invalid(problems))
        }
    }

    /// Checks the answers for contradictions, then assesses them; one pass over `ask_if`.
    pub fn check_and_assess(
        &self,
        answers: &Answers,
        today: Date,
    ) -> Result<Assessment<'_>, AnswersError> {
        self.check_and_assess_with(answers, today, Detail::Full)
    }

    /// [`Engine::check_and_assess`], leaving out the explanations when `detail` is
    /// [`Detail::Brief`].
    pub fn check_and_assess_with(
        &self,
        answers: &Answers,
        today: Date,
        detail: Detail,
    ) -> Result<Assessment<'_>, AnswersError> {
        // Rulebooks of up to 64 questions (all real ones) need no allocation here.
        let (mut small, mut large) = ([true; 64], Vec::new());
        let applicable = scratch(&mut small, &mut large, self.book.questions.len(), true);
        let (mut small, mut large) = ([Code::NOT_ASKED; 64], Vec::new());
        let codes = scratch(
            &mut small,
            &mut large,
            answers.values.len(),
            Code::NOT_ASKED,
        );
        self.fill_applicable(answers, applicable, codes);
        self.contradictions(answers, applicable)?;
        let facts = Facts::with_codes(&answers.values, applicable, codes);
        Ok(self.assess_facts(answers, &facts, today, detail))
    }

    /// Evaluates every rule once and returns the assessment.
    pub fn assess(&self, answers: &Answers, today: Date) -> Assessment<'_> {
        let applicable = self.applicable(answers);
        self.assess_applicable(answers, &applicable, today, Detail::Full)
    }

    /// [`Engine::assess`] at the given detail, with which questions applied.
    pub fn assess_detail(
        &self,
        answers: &Answers,
        today: Date,
        detail: Detail,
    ) -> (Vec<bool>, Assessment<'_>) {
        let applicable = self.applicable(answers);
        let assessment = self.assess_applicable(answers, &applicable, today, detail);
        (applicable, assessment)
    }

    /// Every decision (tier, ranking, exclusions, wait, referrals, questions to check) is
    /// made here whatever the detail; [`Detail::Brief`] only skips gathering the words
    /// that explain them.
    ///
    /// At the emergency tier the assessment holds only what to do now: the emergency
    /// reasons and referrals, and no massage of any kind. Waits, care, therapist notes and
    /// unanswered questions would bury the one thing that matters (and questions an
    /// interview stopped before asking are not the person's facts).
    fn assess_applicable(
        &self,
        answers: &Answers,
        applicable: &[bool],
        today: Date,
        detail: Detail,
    ) -> Assessment<'_> {
        self.assess_facts(
            answers,
            &Facts::new(&answers.values, applicable),
            today,
            detail,
        )
    }

    fn assess_facts(
        &self,
        answers: &Answers,
        facts: &Facts<'_>,
        today: Date,
        detail: Detail,
    ) -> Assessment<'_> {
        // Rulebooks of up to 512 rules need no allocation for these.
        let (mut small, mut large) = ([0u64; 8], Vec::new());
        let candidates = scratch(&mut small, &mut large, self.candidates.words(), 0);
        self.candidates.fill(facts.codes(), candidates);
        // A rule the index leaves out is false.
        let (mut small, mut large) = ([Truth::False; 512], Vec::new());
        let results = scratch(&mut small, &mut large, self.rules.len(), Truth::False);
        let mut fold = fold::Fold::new(self, detail);
        for i in candidates::members(candidates) {
            let (Some(rule), Some(compiled)) = (self.book.rules.get(i), self.rules.get(i)) else {
                break;
            };
            let result = compiled.when.eval(facts);
            results[i] = result;
            fold.add(rule, compiled, result, answers, facts);
        }
        fold.finish(answers, facts, results, today)
    }

    /// Every rule evaluated, fired or not, in evaluation order, with each condition, the
    /// answer it read and its result (for `--explain`).
    pub fn explain(&self, answers: &Answers) -> Vec<TraceEntry<'_>> {
        let applicable = self.applicable(answers);
        let facts = Facts::new(&answers.values, &applicable);
        self.book
            .rules
            .iter()
            .zip(&self.rules)
            .map(|(rule, compiled)| {
                let mut conditions = Vec::new();
                self.explain_node(&compiled.when, &rule.when, &facts, 0, &mut conditions);
                TraceEntry {
                    rule: &rule.id,
                    result: compiled.when.eval(&facts),
                    tier: rule.tier,
                    source: &rule.source,
                    conditions: Some(conditions),
                }
            })
            .collect()
    }

    fn explain_node<'s>(
        &'s self,
        node: &Node,
        cond: &'s crate::rulebook::Condition,
        facts: &Facts<'_>,
        depth: usize,
        out: &mut Vec<ConditionTrace<'s>>,
    ) {
        use crate::rulebook::Condition;
        let result = node.eval(facts);
        match (node, cond) {
            (Node::All(nodes), Condition::All(conds))
            | (Node::Any(nodes), Condition::Any(conds)) => {
                let word = if matches!(cond, Condition::All(_)) {
                    "all"
                } else {
                    "any"
                };
                out.push(ConditionTrace {
                    depth,
                    test: word.into(),
                    fact: None,
                    answer: None,
                    result,
                });
                for (n, c) in nodes.iter().zip(conds) {
                    self.explain_node(n, c, facts, depth + 1, out);
                }
            }
            (Node::Not(n), Condition::Not(c)) => {
                out.push(ConditionTrace {
                    depth,
                    test: "not".into(),
                    fact: None,
                    answer: None,
                    result,
                });
                self.explain_node(n, c, facts, depth + 1, out);
            }
            (Node::Compare { question, .. }, Condition::Compare { fact, op }) => {
                let q = &self.book.questions[*question];
                // `.get()` as the evaluator does: a short `Answers` reads as unanswered.
                let answer = if !facts.applicable.get(*question).copied().unwrap_or(false) {
                    "not asked".to_string()
                } else {
                    let value = facts.values.get(*question).copied().unwrap_or_default();
                    crate::answers::display_value(q, value)
                        .unwrap_or_else(|| "unanswered".to_string())
                };
                out.push(ConditionTrace {
                    depth,
                    test: format!("{fact} {op}"),
                    fact: Some(fact),
                    answer: Some(answer),
                    result,
                });
            }
            _ => out.push(ConditionTrace {
                depth,
                test: cond.to_string(),
                fact: None,
                answer: None,
                result,
            }),
        }
    }

    /// The longest remaining wait among rules that fired. Rules that could not be decided
    /// but ask for a wait as their precaution add what ends the wait, and set its length
    /// only when no rule fired with one: an unanswered question should not stretch a
    /// known wait.
    fn wait(&self, answers: &Answers, results: &[Truth], today: Date) -> Option<WaitAdvice<'_>> {
        // Index 0: waits from fired rules; 1: precautionary waits.
        let mut longest: [Option<(u32, bool)>; 2] = [None, None];
        let mut ends_when = Vec::new();
        let mut rules = Vec::new();
        for &i in &self.wait_rules {
            let (rule, compiled) = (&self.book.rules[i], &self.rules[i]);
            let kind = match results[i] {
                Truth::True => 0,
                Truth::Unknown
                    if compiled
                        .if_unknown
                        .as_ref()
                        .is_some_and(|u| u.tier >= Tier::Wait) =>
                {
                    1
                }
                _ => continue,
            };
            let Some(wait) = &rule.wait else {
                continue;
            };
            let remaining = wait.total_days().map(|total| match compiled.wait_since {
                Some((q, per_unit)) => match answers.get(q) {
                    Value::Number(elapsed) => {
                        let elapsed_days = (elapsed * f64::from(per_unit)).floor();
                        ((f64::from(total) - elapsed_days).max(0.0) as u32, true)
                    }
                    // When it happened is not known: count the whole period from today.
                    _ => (total, false),
                },
                None => (total, false),
            });
            if let Some((0, _)) = remaining {
                continue;
            }
            ends_when.push(wait.ends_when.as_str());
            rules.push(rule.id.as_str());
            // On a tie the first wait stays. (Mutation testing: `>=` here survives and is
            // equivalent in what the person reads: the days and the date are the same, and
            // only which of two equally long waits says "counted from the event" changes.)
            if let Some((days, from_event)) = remaining
                && longest[kind].is_none_or(|(longest_days, _)| days > longest_days)
            {
                longest[kind] = Some((days, from_event));
            }
        }
        if rules.is_empty() {
            return None;
        }
        let longest = longest[0].or(longest[1]);
        Some(WaitAdvice {
            days: longest.map(|(d, _)| d),
            until: longest.map(|(d, _)| today.add_days(i64::from(d))),
            counted_from_event: longest.is_some_and(|(_, from)| from),
            ends_when,
            rules,
        })
    }
}

/// `n` items set to `fill`: per-assessment scratch space, on the stack in `small` when it
/// holds them (every real rulebook), else in `large`.
fn scratch<'s, T: Copy, const N: usize>(
    small: &'s mut [T; N],
    large: &'s mut Vec<T>,
    n: usize,
    fill: T,
) -> &'s mut [T] {
    let items = match small.get_mut(..n) {
        Some(items) => items,
        None => {
            large.resize(n, fill);
            large
        }
    };
    items.fill(fill);
    items
}

fn push_unique<'a, T: AsRef<str>>(into: &mut Vec<&'a str>, items: &'a [T]) {
    for item in items {
        let item = item.as_ref();
        if !into.contains(&item) {
            into.push(item);
        }
    }
}

/// Where problems found by the engine's checks are reported.
pub(crate) fn problem(book: &Rulebook, id: &str, message: String) -> Problem {
    let location: Location = book.location(id);
    Problem {
        location,
        item: Some(id.to_string()),
        message,
    }
}

#[cfg(test)]
mod tests {
    //! The engine's mechanics on a small rulebook of their own: what a tier, a wait, a
    //! pressure limit or an exclusion does must not depend on the medical content, which
    //! the scenario cases in `rules/tests/` cover.
    use super::*;
    use crate::answers::parse;

    const BOOK: &str = r#"
rulebook:
  name: engine test rulebook
  version: "1"
  tiers:
    emergency: { headline: E, show_techniques: false }
    see_clinician: { headline: S, techniques_heading: Once cleared }
    wait: { headline: W, techniques_heading: After the wait }
    caution: { headline: C, techniques_heading: Best first }
    suitable: { headline: OK, techniques_heading: Best first }
  safety_net: [general line]
sources: [{ id: SRC, title: A source }]
questions:
  - { id: red, prompt: Red?, type: yes_no, allow_unknown: true, rationale: r, source: SRC }
  - { id: thin, prompt: Thin blood?, type: yes_no, allow_unknown: true, rationale: r, source: SRC }
  - { id: bones, prompt: Fragile bones?, type: yes_no, allow_unknown: true, rationale: r, source: SRC }
  - { id: hurt, prompt: Injured?, type: yes_no, allow_unknown: true, rationale: r, source: SRC }
  - { id: hurt_days, prompt: Days since?, type: number, unit: days, min: 0, max: 100, allow_unknown: true, ask_if: { fact: hurt, is: yes }, rationale: r, source: SRC }
  - { id: op, prompt: Operation?, type: yes_no, allow_unknown: true, rationale: r, source: SRC }
  - { id: op_weeks, prompt: Weeks since?, type: number, unit: weeks, min: 0, max: 100, allow_unknown: true, ask_if: { fact: op, is: yes }, rationale: r, source: SRC }
  - { id: hold, prompt: Hold everything?, type: yes_no, allow_unknown: true, rationale: r, source: SRC }
rules:
  - id: red_flag
    title: Red flag
    when: { fact: red, is: yes }
    tier: emergency
    advice: Go now.
    see: { who: emergency, when: now }
    if_unknown: { tier: see_clinician, see: { who: a GP, when: today } }
    rationale: r
    source: SRC
  - id: thin_blood
    title: Thin blood
    when: { fact: thin, is: yes }
    tier: caution
    advice: Light.
    avoid: [firm]
    modifications: { pressure: light }
    safety_net: [thin line]
    rationale: r
    source: SRC
  - id: fragile
    title: Fragile bones
    when: { fact: bones, is: yes }
    tier: caution
    advice: Light.
    modifications: { pressure: light }
    avoid_care: [walk]
    rationale: r
    source: SRC
  - id: short_wait
    title: Short wait
    when: { all: [{ fact: hurt, is: yes }, { fact: hurt_days, below: 3 }] }
    tier: wait
    advice: Wait.
    wait: { days: 3, since: hurt_days, ends_when: three days }
    if_unknown: { tier: wait }
    rationale: r
    source: SRC
  - id: long_wait
    title: Long wait
    when: { all: [{ fact: op, is: yes }, { fact: op_weeks, below: 6 }] }
    tier: wait
    advice: Wait.
    wait: { weeks: 6, since: op_weeks, ends_when: six weeks }
    if_unknown: { tier: wait }
    rationale: r
    source: SRC
  - id: hold_all
    title: Hold everything
    when: { fact: hold, is: yes }
    tier: see_clinician
    advice: Get checked.
    see: { who: a GP, when: within_days }
    avoid: all
    avoid_care: all
    rationale: r
    source: SRC
techniques:
  - { id: gentle, name: Gentle, pressure: light, base_score: 60, description: d, rationale: r, source: SRC }
  - { id: middle, name: Middle, pressure: medium, base_score: 50, description: d, rationale: r, source: SRC }
  - { id: firm, name: Firm, pressure: firm, base_score: 40, description: d, rationale: r, source: SRC }
care:
  - { id: walk, name: Walk, advice: Walk., rationale: r, source: SRC }
"#;

    fn engine() -> Engine {
        let book = Rulebook::from_texts(vec![("book.yaml".into(), BOOK.into())])
            .expect("test rulebook loads");
        Engine::new(book).expect("test rulebook compiles")
    }

    fn today() -> Date {
        Date::from_ymd(2026, 11, 21).expect("valid date")
    }

    /// Everything answered "no" except the overrides, given as `key: value` lines.
    fn answers(e: &Engine, overrides: &str) -> Answers {
        let mut text = String::new();
        for q in ["red", "thin", "bones", "hurt", "op", "hold"] {
            if !overrides.lines().any(|l| l.starts_with(&format!("{q}:"))) {
                text.push_str(&format!("{q}: no\n"));
            }
        }
        text.push_str(overrides);
        parse(e.book(), &text).expect("valid answers")
    }

    fn ids<'a>(items: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        items.into_iter().collect()
    }

    /// The overlap check pairs rules that read a common question; each rule reads
    /// exactly the questions of its condition, in order, once.
    #[test]
    fn rule_facts_are_the_questions_a_condition_reads() {
        let e = engine();
        let q = |id: &str| e.book().question_index(id).expect("question");
        let r = |id: &str| {
            e.book()
                .rules
                .iter()
                .position(|x| x.id == id)
                .expect("rule")
        };
        assert_eq!(e.rule_facts(r("red_flag")), [q("red")]);
        assert_eq!(e.rule_facts(r("short_wait")), [q("hurt"), q("hurt_days")]);
        assert_eq!(e.rule_facts(r("long_wait")), [q("op"), q("op_weeks")]);
        assert!(e.rule_facts(e.book().rules.len()).is_empty());
    }

    #[test]
    fn nothing_fired_is_suitable_with_every_technique_ranked() {
        let e = engine();
        let a = e.assess(&answers(&e, ""), today());
        assert_eq!(a.tier, Tier::Suitable);
        assert_eq!(
            ids(a.techniques.iter().map(|t| t.id)),
            ["gentle", "middle", "firm"]
        );
        assert!(a.avoid.is_empty() && !a.no_massage);
        assert_eq!(ids(a.care.iter().map(|c| c.id)), ["walk"]);
        assert_eq!(a.safety_net, ["general line"]);
    }

    #[test]
    fn the_strictest_fired_tier_wins() {
        let e = engine();
        let a = e.assess(&answers(&e, "thin: yes\nhold: yes\n"), today());
        assert_eq!(a.tier, Tier::SeeClinician);
        let a = e.assess(&answers(&e, "thin: yes\nhold: yes\nred: yes\n"), today());
        assert_eq!(a.tier, Tier::Emergency);
        assert_eq!(a.confirmed_tier, Tier::Emergency);
    }

    #[test]
    fn an_undecided_red_flag_is_never_suitable_and_is_listed_to_check() {
        let e = engine();
        let a = e.assess(&answers(&e, "red: unknown\n"), today());
        assert_eq!(a.tier, Tier::SeeClinician);
        assert_eq!(
            a.confirmed_tier,
            Tier::Suitable,
            "a precaution is not a confirmed tier"
        );
        let check = a
            .to_check
            .iter()
            .find(|c| c.rule == "red_flag")
            .expect("listed");
        assert_eq!(check.tier_if_confirmed, Tier::Emergency);
        assert_eq!(check.questions.len(), 1);
        assert_eq!(check.questions[0].answer, AnswerState::NotSure);
        let a = e.assess(&answers(&e, "red: null\n"), today());
        assert_eq!(a.to_check[0].questions[0].answer, AnswerState::NotAnswered);
    }

    #[test]
    fn questions_to_check_are_only_undecided_ones() {
        let e = engine();
        // The wait rule reads `hurt` (answered yes) and `hurt_days` (unknown): only the
        // second may be listed.
        let a = e.assess(&answers(&e, "hurt: yes\nhurt_days: unknown\n"), today());
        let listed: Vec<&str> = a
            .to_check
            .iter()
            .flat_map(|c| c.questions.iter().map(|q| q.id))
            .collect();
        assert_eq!(listed, ["hurt_days"]);
    }

    #[test]
    fn a_pressure_limit_excludes_firmer_techniques() {
        let e = engine();
        let a = e.assess(&answers(&e, "thin: yes\n"), today());
        assert_eq!(a.therapist.max_pressure, Some(Pressure::Light));
        assert_eq!(ids(a.techniques.iter().map(|t| t.id)), ["gentle"]);
        assert_eq!(ids(a.avoid.iter().map(|t| t.id)), ["middle", "firm"]);
        // `firm` is avoided by name and by the limit, both from one rule: one reason.
        let firm = a.avoid.iter().find(|t| t.id == "firm").expect("avoided");
        assert_eq!(firm.reasons.len(), 1, "{:?}", firm.reasons);
    }

    #[test]
    fn a_tied_pressure_limit_is_credited_to_the_confirmed_rule() {
        let e = engine();
        // `bones` is undecided (a precaution), `thin` is confirmed; both limit to light.
        let a = e.assess(&answers(&e, "bones: unknown\nthin: yes\n"), today());
        let middle = a.avoid.iter().find(|t| t.id == "middle").expect("avoided");
        assert_eq!(middle.reasons.len(), 1);
        assert_eq!(middle.reasons[0].rule, "thin_blood");
        assert!(!middle.reasons[0].precaution);
        // The other order: the undecided rule comes first and the confirmed one replaces it.
        let a = e.assess(&answers(&e, "thin: unknown\nbones: yes\n"), today());
        assert_eq!(a.therapist.max_pressure, Some(Pressure::Light));
        let middle = a.avoid.iter().find(|t| t.id == "middle").expect("avoided");
        assert_eq!(middle.reasons.len(), 1, "{:?}", middle.reasons);
        assert_eq!(middle.reasons[0].rule, "fragile");
        assert!(!middle.reasons[0].precaution);
    }

    #[test]
    fn when_several_waits_apply_the_longest_wins() {
        let e = engine();
        let a = e.assess(
            &answers(&e, "hurt: yes\nhurt_days: 0\nop: yes\nop_weeks: 1\n"),
            today(),
        );
        let wait = a.wait.expect("a wait");
        assert_eq!(wait.days, Some(35), "6 weeks from a week ago beats 3 days");
        assert_eq!(wait.rules, ["short_wait", "long_wait"]);
        let a = e.assess(
            &answers(&e, "hurt: yes\nhurt_days: 1\nop: yes\nop_weeks: 5\n"),
            today(),
        );
        assert_eq!(a.wait.expect("a wait").days, Some(7), "7 days beats 2");
    }

    #[test]
    fn a_precautionary_wait_sets_the_length_only_without_a_confirmed_one() {
        let e = engine();
        // Only a precaution: the whole period counts from today.
        let a = e.assess(&answers(&e, "op: yes\nop_weeks: unknown\n"), today());
        assert_eq!(a.tier, Tier::Wait);
        let wait = a.wait.expect("a precautionary wait");
        assert_eq!(wait.days, Some(42));
        assert!(!wait.counted_from_event);
        // A confirmed 2-day wait is not stretched by an unanswered date.
        let a = e.assess(
            &answers(&e, "hurt: yes\nhurt_days: 1\nop: yes\nop_weeks: unknown\n"),
            today(),
        );
        let wait = a.wait.expect("a wait");
        assert_eq!(wait.days, Some(2));
        assert!(wait.counted_from_event);
        // Two precautions: the longer one.
        let a = e.assess(
            &answers(
                &e,
                "hurt: yes\nhurt_days: unknown\nop: yes\nop_weeks: unknown\n",
            ),
            today(),
        );
        assert_eq!(a.wait.expect("a wait").days, Some(42));
    }

    #[test]
    fn waits_count_from_the_event_and_become_dates() {
        let e = engine();
        let a = e.assess(&answers(&e, "hurt: yes\nhurt_days: 0\n"), today());
        assert_eq!(a.tier, Tier::Wait);
        let wait = a.wait.expect("a wait");
        assert_eq!(wait.days, Some(3));
        assert_eq!(
            wait.until.map(|d| d.to_string()).as_deref(),
            Some("2026-11-24")
        );
        // At the boundary the wait is over and the rule does not fire.
        let a = e.assess(&answers(&e, "hurt: yes\nhurt_days: 3\n"), today());
        assert!(a.wait.is_none());
        assert_eq!(a.tier, Tier::Suitable);
    }

    #[test]
    fn avoid_all_rules_out_every_technique_and_withholds_care() {
        let e = engine();
        let a = e.assess(&answers(&e, "hold: yes\n"), today());
        assert!(a.no_massage);
        assert!(!a.show_techniques);
        assert!(a.techniques.is_empty());
        assert_eq!(a.avoid.len(), 3);
        assert!(a.care.is_empty());
        assert_eq!(a.safety_net, ["general line"], "the safety net stays");
    }

    #[test]
    fn a_rule_withholds_the_care_it_names_and_adds_its_safety_net() {
        let e = engine();
        let a = e.assess(&answers(&e, "bones: yes\nthin: yes\n"), today());
        assert!(a.care.is_empty());
        assert_eq!(a.safety_net, ["thin line", "general line"]);
    }

    #[test]
    fn an_emergency_holds_only_what_to_do_now() {
        let e = engine();
        let a = e.assess(
            &answers(
                &e,
                "red: yes\nthin: yes\nhold: yes\nop: yes\nop_weeks: unknown\nhurt: unknown\n",
            ),
            today(),
        );
        assert_eq!(a.tier, Tier::Emergency);
        assert_eq!(ids(a.reasons.iter().map(|r| r.rule)), ["red_flag"]);
        assert_eq!(ids(a.see.iter().map(|s| s.rule)), ["red_flag"]);
        assert!(a.wait.is_none(), "no wait for anything at an emergency");
        assert!(a.to_check.is_empty() && a.care.is_empty() && a.safety_net.is_empty());
        assert!(a.therapist.is_empty());
        assert!(a.no_massage && a.techniques.is_empty());
        assert!(
            a.avoid
                .iter()
                .all(|t| t.reasons.iter().all(|r| r.rule == "red_flag"))
        );
    }

    #[test]
    fn brief_and_full_make_the_same_decisions() {
        let e = engine();
        let x = answers(&e, "thin: yes\nhurt: yes\nhurt_days: 1\nred: unknown\n");
        let full = e
            .check_and_assess_with(&x, today(), Detail::Full)
            .expect("valid");
        let brief = e
            .check_and_assess_with(&x, today(), Detail::Brief)
            .expect("valid");
        assert_eq!(full.tier, brief.tier);
        assert_eq!(
            ids(full.avoid.iter().map(|t| t.id)),
            ids(brief.avoid.iter().map(|t| t.id))
        );
        assert_eq!(full.wait.map(|w| w.days), brief.wait.map(|w| w.days));
        assert!(brief.reasons.is_empty() && brief.care.is_empty());
    }

    /// `--explain` walks a rule's condition as written: groups, `not`, and each
    /// comparison with the answer it read and its result, at its depth.
    #[test]
    fn explain_lists_every_condition_with_its_answer_and_result() {
        let e = Engine::new(Rulebook::builtin().expect("builtin")).expect("engine");
        let text = include_str!("../../examples/desk-worker.yaml");
        let person = crate::answers::parse(e.book(), text).expect("example");
        let trace = e.explain(&person);
        let entry = trace
            .iter()
            .find(|t| t.rule == "inflammatory_back_pain")
            .expect("rule");
        assert_eq!(entry.result, Truth::False);
        let rows: Vec<(usize, &str, Option<&str>, Truth)> = entry
            .conditions
            .as_deref()
            .expect("conditions")
            .iter()
            .map(|c| (c.depth, c.test.as_str(), c.answer.as_deref(), c.result))
            .collect();
        use Truth::{False, True};
        assert_eq!(
            rows,
            [
                (0, "all", None, False),
                (
                    1,
                    "pain_duration is over_12_weeks",
                    Some("over_12_weeks"),
                    True
                ),
                (
                    1,
                    "spa_features includes began_before_45",
                    Some("not asked"),
                    False
                ),
                (
                    1,
                    "pain_character includes_any [morning_stiffness, wakes_early]",
                    Some("[dull_ache, stiffness]"),
                    False
                ),
                (1, "any", None, False),
                (2, "all", None, False),
                (
                    3,
                    "pain_character includes morning_stiffness",
                    Some("[dull_ache, stiffness]"),
                    False
                ),
                (
                    3,
                    "pain_character includes wakes_early",
                    Some("[dull_ache, stiffness]"),
                    False
                ),
                (
                    2,
                    "pain_location includes buttock_hip",
                    Some("[lower_back, neck_shoulders]"),
                    False
                ),
                (
                    2,
                    "spa_features includes_any [psoriasis, bowel_inflammation, eye_inflammation, relative, nsaid_relief]",
                    Some("not asked"),
                    False
                ),
                (1, "not", None, True),
                (
                    2,
                    "diagnoses includes axial_spondyloarthritis",
                    Some("[]"),
                    False
                ),
            ]
        );
    }

    #[test]
    fn explaining_short_answers_does_not_panic() {
        let e = engine();
        let short = Answers {
            values: vec![Value::Bool(true)],
            id: None,
        };
        let trace = e.explain(&short);
        assert_eq!(trace.len(), e.book().rules.len());
    }

    #[test]
    fn answers_to_inapplicable_questions_are_refused() {
        let e = engine();
        let x = answers(&e, "hurt: no\nhurt_days: 3\n");
        let err = e.check_answers(&x).expect_err("contradiction");
        assert!(err.to_string().contains("hurt_days"));
    }
}
