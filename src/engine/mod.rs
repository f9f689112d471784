//! The rule engine: compile a validated rulebook once, then assess answers many times
//! with no I/O and no re-parsing.
//!
//! The engine knows the grammar (tiers, waits, referrals, exclusions, scores) but no
//! medicine: every fact it applies comes from the rulebook.

pub mod assessment;
pub mod logic;
mod reach;

use std::borrow::Cow;

use crate::answers::{AnswerProblem, Answers, AnswersError, Value};
use crate::date::Date;
use crate::rulebook::{
    IfUnknown, Location, Pressure, Problem, Rule, Rulebook, RulebookError, Tier,
};
pub use assessment::*;
pub use logic::Truth;
use logic::{Facts, Node};

/// A rule with its references resolved to indices.
#[derive(Debug)]
struct CompiledRule {
    when: Node,
    /// Questions the condition reads, for "what to check" when it is undecided.
    facts: Vec<usize>,
    avoid: Vec<usize>,
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
    ask_if: Vec<Option<Node>>,
    care_when: Vec<Option<Node>>,
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
    rule.tier.map(|_| {
        rule.if_unknown.clone().unwrap_or(IfUnknown {
            tier: Tier::Caution,
            see: None,
        })
    })
}

impl Engine {
    /// Compiles the rulebook and checks that every rule can fire and every question can
    /// be asked.
    pub fn new(book: Rulebook) -> Result<Engine, RulebookError> {
        let mut rules = Vec::with_capacity(book.rules.len());
        for rule in &book.rules {
            let when =
                logic::compile(&book, &rule.when).map_err(|m| internal(&book, &rule.id, m))?;
            let index = |t: &String| {
                book.technique_index(t)
                    .ok_or_else(|| internal(&book, &rule.id, format!("unknown technique `{t}`")))
            };
            let avoid = rule.avoid.iter().map(index).collect::<Result<_, _>>()?;
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
        let engine = Engine {
            conditional,
            wait_rules,
            pressure_texts,
            book,
            rules,
            ask_if,
            care_when,
        };
        let problems = reach::unreachable(&engine);
        if problems.is_empty() {
            Ok(engine)
        } else {
            Err(RulebookError::Invalid(problems))
        }
    }

    pub fn book(&self) -> &Rulebook {
        &self.book
    }

    /// Answers (question index, value) to the questions rule `rule` reads that make it
    /// fire, when a search over representative answers finds them.
    pub fn witness(&self, rule: usize) -> Option<Vec<(usize, Value)>> {
        let compiled = self.rules.get(rule)?;
        reach::witness(self, &compiled.when, &[Truth::True]).flatten()
    }

    /// Which questions apply given the answers so far: a question applies unless its
    /// `ask_if` is decidedly false.
    pub fn applicable(&self, answers: &Answers) -> Vec<bool> {
        let mut applicable = vec![true; self.book.questions.len()];
        self.fill_applicable(answers, &mut applicable);
        applicable
    }

    /// [`Engine::applicable`] into `applicable`, which starts all true.
    fn fill_applicable(&self, answers: &Answers, applicable: &mut [bool]) {
        for &i in &self.conditional {
            if let Some(node) = &self.ask_if[i] {
                // ask_if reads only earlier questions (validated), so one pass suffices.
                let facts = Facts {
                    values: &answers.values,
                    applicable,
                };
                applicable[i] = node.eval(&facts) != Truth::False;
            }
        }
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
        let mut small = [true; 64];
        let mut large = Vec::new();
        let n = self.book.questions.len();
        let applicable: &mut [bool] = match small.get_mut(..n) {
            Some(slots) => slots,
            None => {
                large.resize(n, true);
                &mut large
            }
        };
        self.fill_applicable(answers, applicable);
        self.contradictions(answers, applicable)?;
        Ok(self.assess_applicable(answers, applicable, today, detail))
    }

    /// Evaluates every rule once and returns the assessment.
    pub fn assess(&self, answers: &Answers, today: Date) -> Assessment<'_> {
        let applicable = self.applicable(answers);
        self.assess_applicable(answers, &applicable, today, Detail::Full)
    }

    /// Every decision (tier, ranking, exclusions, wait, referrals, questions to check) is
    /// made here whatever the detail; [`Detail::Brief`] only skips gathering the words
    /// that explain them.
    fn assess_applicable(
        &self,
        answers: &Answers,
        applicable: &[bool],
        today: Date,
        detail: Detail,
    ) -> Assessment<'_> {
        let full = detail == Detail::Full;
        let book = &self.book;
        let facts = Facts {
            values: &answers.values,
            applicable,
        };
        let results: Vec<Truth> = self.rules.iter().map(|r| r.when.eval(&facts)).collect();

        let techniques_len = book.techniques.len();
        let mut tier = Tier::Suitable;
        let mut reasons = Vec::new();
        let mut see = Vec::new();
        let mut to_check = Vec::new();
        let mut trace = Vec::with_capacity(if full { self.rules.len() } else { 0 });
        let mut therapist = TherapistNotes::default();
        // Per technique: excluded, and the score changes from the rules that fired.
        let mut effects = vec![(false, 0i32); techniques_len];
        let mut avoid_reasons: Vec<Vec<AvoidReason<'_>>> =
            vec![Vec::new(); if full { techniques_len } else { 0 }];
        let mut pressure_limit: Option<(&Rule, Pressure, bool)> = None;
        let mut score_reasons: Vec<Vec<ScoreReason<'_>>> =
            vec![Vec::new(); if full { techniques_len } else { 0 }];

        for ((rule, compiled), &result) in book.rules.iter().zip(&self.rules).zip(&results) {
            let unknown_action = match result {
                Truth::False => continue,
                Truth::True => None,
                Truth::Unknown => match &compiled.if_unknown {
                    Some(action) => Some(action),
                    None => continue,
                },
            };
            let precaution = unknown_action.is_some();
            if result == Truth::True {
                for &(ti, delta) in &compiled.adjust {
                    effects[ti].1 += delta;
                    if full {
                        score_reasons[ti].push(ScoreReason {
                            rule: &rule.id,
                            title: &rule.title,
                            delta,
                        });
                    }
                }
            }
            for &t in &compiled.avoid {
                effects[t].0 = true;
            }
            if full {
                trace.push(TraceEntry {
                    rule: &rule.id,
                    result,
                    tier: rule.tier,
                    source: &rule.source,
                    conditions: None,
                });
                for &t in &compiled.avoid {
                    avoid_reasons[t].push(AvoidReason {
                        rule: &rule.id,
                        title: &rule.title,
                        why: Cow::Borrowed(&rule.rationale),
                        precaution,
                    });
                }
            }
            if let Some(p) = rule.modifications.as_ref().and_then(|m| m.pressure)
                && pressure_limit.is_none_or(|(_, current, _)| p < current)
            {
                pressure_limit = Some((rule, p, precaution));
            }
            if let Some(action) = unknown_action {
                tier = tier.max(action.tier);
                if let Some(s) = &action.see {
                    see.push(Referral {
                        who: &s.who,
                        when: s.when,
                        why: &rule.title,
                        rule: &rule.id,
                    });
                }
                to_check.push(Check {
                    rule: &rule.id,
                    title: &rule.title,
                    tier_if_confirmed: rule.tier.unwrap_or(action.tier),
                    advice: &rule.advice,
                    questions: compiled
                        .facts
                        .iter()
                        .filter(|&&q| applicable[q] && answers.get(q).is_undecided())
                        .map(|&q| CheckQuestion {
                            id: &book.questions[q].id,
                            prompt: &book.questions[q].prompt,
                        })
                        .collect(),
                });
                continue;
            }
            if let Some(t) = rule.tier {
                tier = tier.max(t);
            }
            if let (Some(t), true) = (rule.tier, full) {
                reasons.push(Reason {
                    rule: &rule.id,
                    title: &rule.title,
                    tier: t,
                    advice: &rule.advice,
                    source: &rule.source,
                });
            }
            if let Some(s) = &rule.see {
                see.push(Referral {
                    who: &s.who,
                    when: s.when,
                    why: &rule.title,
                    rule: &rule.id,
                });
            }
            if let (Some(m), true) = (&rule.modifications, full) {
                push_unique(&mut therapist.avoid_areas, &m.avoid_areas);
                push_unique(&mut therapist.products, &m.products);
                push_unique(&mut therapist.positioning, &m.positioning);
                push_unique(&mut therapist.tell_therapist, &m.tell_therapist);
            }
        }

        // A pressure limit excludes every technique that needs firmer pressure.
        if let Some((rule, limit, precaution)) = pressure_limit {
            therapist.max_pressure = Some(limit);
            for (i, t) in book.techniques.iter().enumerate() {
                if t.pressure > limit {
                    effects[i].0 = true;
                    if full {
                        avoid_reasons[i].push(AvoidReason {
                            rule: &rule.id,
                            title: &rule.title,
                            why: Cow::Borrowed(&self.pressure_texts[i][limit as usize]),
                            precaution,
                        });
                    }
                }
            }
        }

        reasons.sort_by_key(|r| std::cmp::Reverse(r.tier));
        see.sort_by_key(|s| std::cmp::Reverse(s.when));

        let tier_text = book.tier_text(tier);
        let mut avoid = Vec::new();
        let mut techniques = Vec::with_capacity(techniques_len);
        for (i, t) in book.techniques.iter().enumerate() {
            if effects[i].0 {
                avoid.push(AvoidedTechnique {
                    id: &t.id,
                    name: &t.name,
                    reasons: avoid_reasons
                        .get_mut(i)
                        .map(std::mem::take)
                        .unwrap_or_default(),
                });
                continue;
            }
            let reasons = score_reasons
                .get_mut(i)
                .map(std::mem::take)
                .unwrap_or_default();
            let score = i32::from(t.base_score) + effects[i].1;
            techniques.push(RankedTechnique {
                id: &t.id,
                name: &t.name,
                pressure: t.pressure,
                score: score.clamp(0, 100) as u8,
                base_score: t.base_score,
                reasons,
            });
        }
        // Stable sort: equal scores keep rulebook order, so output is deterministic.
        techniques.sort_by_key(|t| std::cmp::Reverse(t.score));

        let wait = self.wait(answers, &results, today);

        let care = book
            .care
            .iter()
            .zip(&self.care_when)
            .filter(|(c, when)| {
                full && tier <= c.up_to
                    && when
                        .as_ref()
                        .is_none_or(|node| node.eval(&facts) == Truth::True)
            })
            .map(|(c, _)| CareAdvice {
                id: &c.id,
                name: &c.name,
                advice: &c.advice,
                source: &c.source,
            })
            .collect();

        Assessment {
            id: answers.id.clone(),
            tier,
            headline: &tier_text.headline,
            reasons,
            show_techniques: tier_text.show_techniques,
            techniques_heading: &tier_text.techniques_heading,
            techniques,
            avoid,
            wait,
            see,
            care,
            therapist,
            to_check,
            trace,
        }
    }

    /// Every rule evaluated, fired or not, in evaluation order, with each condition, the
    /// answer it read and its result (for `--explain`).
    pub fn explain(&self, answers: &Answers) -> Vec<TraceEntry<'_>> {
        let applicable = self.applicable(answers);
        let facts = Facts {
            values: &answers.values,
            applicable: &applicable,
        };
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
                let answer = if !facts.applicable[*question] {
                    "not asked".to_string()
                } else {
                    crate::answers::display_value(q, facts.values[*question])
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

fn push_unique<'a>(into: &mut Vec<&'a str>, items: &'a [String]) {
    for item in items {
        if !into.contains(&item.as_str()) {
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
    use super::*;
    use crate::answers::parse;

    fn engine() -> Engine {
        Engine::new(Rulebook::builtin().expect("builtin loads")).expect("builtin compiles")
    }

    fn today() -> Date {
        Date::from_ymd(2026, 11, 21).expect("valid date")
    }

    fn assess_text(engine: &Engine, text: &str) -> (Tier, Vec<String>, Vec<String>) {
        let answers = parse(engine.book(), text).expect("valid answers");
        let a = engine.assess(&answers, today());
        (
            a.tier,
            a.techniques.iter().map(|t| t.id.to_string()).collect(),
            a.avoid.iter().map(|t| t.id.to_string()).collect(),
        )
    }

    const BENIGN: &str = "age: 40\npain_intensity: 3\npain_duration: over_12_weeks\npain_location: [lower_back]\npain_character: [dull_ache]\nsudden_worsening: no\nsaddle_numbness: no\nbladder_bowel_changes: no\nleg_weakness: no\nsignificant_trauma: no\nfever_unwell: no\nsteroids_or_immunosuppression: no\ncancer_history: no\nweight_loss: no\nnight_pain: no\nclot_history: no\ndiagnoses: []\nrecent_injury: no\nrecent_surgery: none\nallergies: []\nblood_thinners: no\npain_relievers: no\npregnant: no\nmassage_worsened_before: no\ngoal: relaxation\npressure_preference: no_preference\nsession_frequency: monthly\n";

    #[test]
    fn benign_answers_are_suitable_with_a_ranking() {
        let (tier, ranked, avoid) = assess_text(&engine(), BENIGN);
        assert_eq!(tier, Tier::Suitable);
        assert_eq!(ranked.first().map(String::as_str), Some("swedish"));
        assert!(avoid.is_empty());
    }

    #[test]
    fn the_strictest_fired_tier_wins() {
        let e = engine();
        let text = BENIGN
            .replace("blood_thinners: no", "blood_thinners: yes")
            .replace("pain_intensity: 3", "pain_intensity: 9")
            .replace("leg_weakness: no", "leg_weakness: yes");
        assert_eq!(assess_text(&e, &text).0, Tier::Emergency);
        let text = BENIGN
            .replace("blood_thinners: no", "blood_thinners: yes")
            .replace("pain_intensity: 3", "pain_intensity: 9");
        assert_eq!(assess_text(&e, &text).0, Tier::SeeClinician);
    }

    #[test]
    fn an_undecided_red_flag_is_never_suitable_and_is_listed_to_check() {
        let e = engine();
        let text = BENIGN.replace("saddle_numbness: no", "saddle_numbness: unknown");
        let answers = parse(e.book(), &text).expect("valid");
        let a = e.assess(&answers, today());
        assert_eq!(a.tier, Tier::SeeClinician);
        assert!(a.to_check.iter().any(|c| c.rule == "ces_saddle_numbness"
            && c.tier_if_confirmed == Tier::Emergency
            && c.questions.iter().any(|q| q.id == "saddle_numbness")));
        let text = BENIGN.replace("saddle_numbness: no\n", "");
        assert_ne!(assess_text(&e, &text).0, Tier::Suitable);
    }

    #[test]
    fn a_pressure_limit_excludes_firmer_techniques() {
        let e = engine();
        let text = BENIGN.replace("blood_thinners: no", "blood_thinners: yes");
        let answers = parse(e.book(), &text).expect("valid");
        let a = e.assess(&answers, today());
        assert_eq!(a.therapist.max_pressure, Some(Pressure::Light));
        for t in &a.techniques {
            assert_eq!(t.pressure, Pressure::Light, "{} should be excluded", t.id);
        }
        assert!(a.avoid.iter().any(|t| t.id == "myofascial_release"));
    }

    #[test]
    fn waits_count_from_the_event_and_become_dates() {
        let e = engine();
        let text = BENIGN.replace(
            "recent_injury: no",
            "recent_injury: yes\ninjury_days_ago: 0\ninjury_signs: []",
        );
        let answers = parse(e.book(), &text).expect("valid");
        let a = e.assess(&answers, today());
        assert_eq!(a.tier, Tier::Wait);
        let wait = a.wait.expect("a wait");
        assert_eq!(wait.days, Some(3));
        assert_eq!(
            wait.until.map(|d| d.to_string()).as_deref(),
            Some("2026-11-24")
        );
    }

    #[test]
    fn avoided_techniques_never_rank() {
        let e = engine();
        let text = BENIGN.replace("diagnoses: []", "diagnoses: [osteoporosis, fibromyalgia]");
        let (_, ranked, avoid) = assess_text(&e, &text);
        for t in &avoid {
            assert!(!ranked.contains(t), "{t} is both avoided and ranked");
        }
        assert!(avoid.contains(&"deep_tissue".to_string()));
    }

    #[test]
    fn answers_to_inapplicable_questions_are_refused() {
        let e = engine();
        let answers = parse(e.book(), "recent_injury: no\ninjury_days_ago: 3\n").expect("parses");
        let err = e.check_answers(&answers).expect_err("contradiction");
        assert!(err.to_string().contains("injury_days_ago"));
    }
}
