//! One assessment, folded rule by rule. Each concern is one small step: the verdict and
//! its reasons, the referrals, the questions to settle, the technique scores and
//! exclusions, the care withheld, the safety net, the pressure limit and the trace. The
//! engine evaluates the rules and feeds each one that fired or is undecided to
//! [`Fold::add`]; [`Fold::finish`] builds the [`Assessment`]. Decides nothing beyond
//! what the rules say, and does no I/O.

use std::borrow::Cow;

use super::assessment::{
    AnswerState, Assessment, AvoidReason, AvoidedTechnique, CareAdvice, Check, CheckQuestion,
    RankedTechnique, Reason, Referral, ScoreReason, TherapistNotes, TraceEntry,
};
use super::logic::{Facts, Truth};
use super::{CompiledRule, Detail, Engine, push_unique};
use crate::answers::{Answers, Value};
use crate::date::Date;
use crate::rulebook::{IfUnknown, Pressure, Rule, See, Tier};

/// What the rules that fired (or are undecided) have said so far.
pub(super) struct Fold<'a> {
    engine: &'a Engine,
    /// Gather the explanations (reports) or only the decisions (brief batch lines).
    full: bool,
    tier: Tier,
    /// The strictest tier among rules that fired, precautions left out.
    fired_tier: Tier,
    reasons: Vec<Reason<'a>>,
    /// Each referral with the tier of the rule (or precaution) that asked for it.
    see: Vec<(Referral<'a>, Tier)>,
    to_check: Vec<Check<'a>>,
    trace: Vec<TraceEntry<'a>>,
    therapist: TherapistNotes<'a>,
    /// Per technique: excluded, and the score changes from the rules that fired.
    effects: Vec<(bool, i32)>,
    avoid_reasons: Vec<Vec<AvoidReason<'a>>>,
    score_reasons: Vec<Vec<ScoreReason<'a>>>,
    /// Rules that rule out every technique, and whether each is only a precaution.
    no_massage: Vec<(&'a Rule, bool)>,
    care_withheld: Vec<bool>,
    safety_net: Vec<&'a str>,
    /// The lightest pressure limit so far: the rule, the limit, whether a precaution.
    pressure_limit: Option<(&'a Rule, Pressure, bool)>,
}

impl<'a> Fold<'a> {
    pub(super) fn new(engine: &'a Engine, detail: Detail) -> Fold<'a> {
        let full = detail == Detail::Full;
        let techniques = engine.book.techniques.len();
        let per_technique = if full { techniques } else { 0 };
        Fold {
            engine,
            full,
            tier: Tier::Suitable,
            fired_tier: Tier::Suitable,
            reasons: Vec::new(),
            see: Vec::new(),
            to_check: Vec::new(),
            trace: Vec::with_capacity(if full { engine.rules.len() } else { 0 }),
            therapist: TherapistNotes::default(),
            effects: vec![(false, 0i32); techniques],
            avoid_reasons: vec![Vec::new(); per_technique],
            score_reasons: vec![Vec::new(); per_technique],
            no_massage: Vec::new(),
            care_withheld: vec![false; engine.book.care.len()],
            safety_net: Vec::new(),
            pressure_limit: None,
        }
    }

    /// Adds one rule's result: nothing when it did not fire, its precaution when it is
    /// undecided (and says what applies then), everything it says when it fired.
    pub(super) fn add(
        &mut self,
        rule: &'a Rule,
        compiled: &'a CompiledRule,
        result: Truth,
        answers: &Answers,
        facts: &Facts<'_>,
    ) {
        let unknown_action = match result {
            Truth::False => return,
            Truth::True => None,
            Truth::Unknown => match &compiled.if_unknown {
                Some(action) => Some(action),
                None => return,
            },
        };
        let precaution = unknown_action.is_some();
        if result == Truth::True {
            self.confirmed_effects(rule, compiled);
        }
        self.exclusions(rule, compiled, result, precaution);
        self.pressure(rule, precaution);
        match unknown_action {
            Some(action) => self.undecided(rule, compiled, action, answers, facts),
            None => self.verdict(rule),
        }
    }

    /// Score changes, care withheld and the rule's own safety net: only a rule that fired
    /// changes these (withholding advice is not a safe default).
    fn confirmed_effects(&mut self, rule: &'a Rule, compiled: &CompiledRule) {
        for &(ti, delta) in &compiled.adjust {
            self.effects[ti].1 += delta;
            if self.full {
                self.score_reasons[ti].push(ScoreReason {
                    rule: &rule.id,
                    title: &rule.title,
                    delta,
                });
            }
        }
        if compiled.avoid_care_all {
            self.care_withheld.iter_mut().for_each(|w| *w = true);
        }
        for &c in &compiled.avoid_care {
            self.care_withheld[c] = true;
        }
        if self.full {
            push_unique(&mut self.safety_net, &rule.safety_net);
        }
    }

    /// Techniques excluded (by a rule that fired or as a precaution), and the trace.
    fn exclusions(
        &mut self,
        rule: &'a Rule,
        compiled: &CompiledRule,
        result: Truth,
        precaution: bool,
    ) {
        for &t in &compiled.avoid {
            self.effects[t].0 = true;
        }
        if compiled.avoid_all {
            self.no_massage.push((rule, precaution));
        }
        if !self.full {
            return;
        }
        self.trace.push(TraceEntry {
            rule: &rule.id,
            result,
            tier: rule.tier,
            source: &rule.source,
            conditions: None,
        });
        for &t in &compiled.avoid {
            self.avoid_reasons[t].push(AvoidReason {
                rule: &rule.id,
                title: &rule.title,
                why: Cow::Borrowed(&rule.rationale),
                precaution,
            });
        }
    }

    /// The lightest limit wins; on a tie a confirmed rule is credited over a precaution,
    /// so the report names the fact the person gave.
    fn pressure(&mut self, rule: &'a Rule, precaution: bool) {
        if let Some(p) = rule.modifications.as_ref().and_then(|m| m.pressure)
            && self
                .pressure_limit
                .is_none_or(|(_, current, current_precaution)| {
                    p < current || (p == current && current_precaution && !precaution)
                })
        {
            self.pressure_limit = Some((rule, p, precaution));
        }
    }

    /// An undecided rule: the tier and referral its `if_unknown` names, and the questions
    /// that would settle it.
    fn undecided(
        &mut self,
        rule: &'a Rule,
        compiled: &CompiledRule,
        action: &'a IfUnknown,
        answers: &Answers,
        facts: &Facts<'_>,
    ) {
        self.tier = self.tier.max(action.tier);
        if let Some(s) = &action.see {
            self.see.push((referral(rule, s, true), action.tier));
        }
        let book = &self.engine.book;
        let questions = self
            .engine
            .questions_to_settle(&compiled.facts, answers, facts)
            .into_iter()
            .map(|q| CheckQuestion {
                id: &book.questions[q].id,
                prompt: &book.questions[q].prompt,
                answer: if answers.get(q) == Value::Unknown {
                    AnswerState::NotSure
                } else {
                    AnswerState::NotAnswered
                },
                order: q,
            })
            .collect();
        self.to_check.push(Check {
            rule: &rule.id,
            title: &rule.title,
            tier_if_confirmed: rule.tier.unwrap_or(action.tier),
            advice: &rule.advice,
            questions,
        });
    }

    /// A rule that fired: its tier, its reason, its referral, its notes for the therapist.
    fn verdict(&mut self, rule: &'a Rule) {
        if let Some(t) = rule.tier {
            self.tier = self.tier.max(t);
            self.fired_tier = self.fired_tier.max(t);
            if self.full {
                self.reasons.push(Reason {
                    rule: &rule.id,
                    title: &rule.title,
                    tier: t,
                    advice: &rule.advice,
                    source: &rule.source,
                });
            }
        }
        if let Some(s) = &rule.see {
            self.see
                .push((referral(rule, s, false), rule.tier.unwrap_or_default()));
        }
        if let (Some(m), true) = (&rule.modifications, self.full) {
            push_unique(&mut self.therapist.avoid_areas, &m.avoid_areas);
            push_unique(&mut self.therapist.products, &m.products);
            push_unique(&mut self.therapist.positioning, &m.positioning);
            push_unique(&mut self.therapist.tell_therapist, &m.tell_therapist);
        }
    }

    /// The assessment from everything the rules said.
    pub(super) fn finish(
        mut self,
        answers: &Answers,
        facts: &Facts<'_>,
        results: &[Truth],
        today: Date,
    ) -> Assessment<'a> {
        let engine = self.engine;
        let emergency = self.tier == Tier::Emergency;
        self.apply_pressure_limit();
        if emergency {
            self.keep_only_the_emergency();
        }
        let massage_ruled_out = emergency || !self.no_massage.is_empty();
        if massage_ruled_out {
            self.rule_out_massage(emergency);
        }
        self.reasons.sort_by_key(|r| std::cmp::Reverse(r.tier));
        let mut see: Vec<Referral<'a>> = std::mem::take(&mut self.see)
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        see.sort_by_key(|s| std::cmp::Reverse(s.when));

        let tier_text = engine.book.tier_text(self.tier);
        let show_techniques = tier_text.show_techniques && !massage_ruled_out;
        let (techniques, avoid) = self.rank_techniques(show_techniques);
        let wait = if emergency {
            None
        } else {
            engine.wait(answers, results, today)
        };
        let care = self.care(facts, emergency, massage_ruled_out);
        if self.full && !emergency {
            self.add_the_rulebooks_safety_net(facts, massage_ruled_out);
        }
        let headline = if self.full {
            super::assessment::headline(self.tier, self.fired_tier, &see, &tier_text.headline)
        } else {
            Cow::Borrowed(tier_text.headline.as_str())
        };
        Assessment {
            id: answers.id.clone(),
            tier: self.tier,
            confirmed_tier: self.fired_tier,
            headline,
            reasons: self.reasons,
            show_techniques,
            no_massage: massage_ruled_out,
            techniques_heading: &tier_text.techniques_heading,
            techniques,
            avoid,
            wait,
            see,
            care,
            therapist: self.therapist,
            safety_net: self.safety_net,
            to_check: self.to_check,
            trace: self.trace,
        }
    }

    /// A pressure limit excludes every technique that needs firmer pressure.
    fn apply_pressure_limit(&mut self) {
        let Some((rule, limit, precaution)) = self.pressure_limit else {
            return;
        };
        self.therapist.max_pressure = Some(limit);
        for (i, t) in self.engine.book.techniques.iter().enumerate() {
            if t.pressure > limit {
                self.effects[i].0 = true;
                if self.full && !self.avoid_reasons[i].iter().any(|r| r.rule == rule.id) {
                    self.avoid_reasons[i].push(AvoidReason {
                        rule: &rule.id,
                        title: &rule.title,
                        why: Cow::Borrowed(&self.engine.pressure_texts[i][limit as usize]),
                        precaution,
                    });
                }
            }
        }
    }

    /// At an emergency only the emergency speaks: no other reason, referral, question,
    /// therapist note or safety net.
    fn keep_only_the_emergency(&mut self) {
        self.reasons.retain(|r| r.tier == Tier::Emergency);
        self.see.retain(|(_, t)| *t == Tier::Emergency);
        self.to_check.clear();
        self.therapist = TherapistNotes::default();
        self.safety_net.clear();
    }

    /// No massage of any kind: every technique is out, for the reasons that say so.
    fn rule_out_massage(&mut self, emergency: bool) {
        self.effects.iter_mut().for_each(|e| e.0 = true);
        if !self.full {
            return;
        }
        let causes: Vec<AvoidReason<'a>> = if emergency {
            self.reasons
                .iter()
                .map(|r| AvoidReason {
                    rule: r.rule,
                    title: r.title,
                    why: Cow::Borrowed(r.advice),
                    precaution: false,
                })
                .collect()
        } else {
            self.no_massage
                .iter()
                .map(|(rule, precaution)| AvoidReason {
                    rule: &rule.id,
                    title: &rule.title,
                    why: Cow::Borrowed(&rule.rationale),
                    precaution: *precaution,
                })
                .collect()
        };
        self.avoid_reasons
            .iter_mut()
            .for_each(|r| *r = causes.clone());
    }

    /// The techniques to offer, best first (equal scores in rulebook order), and those to
    /// avoid with their reasons.
    fn rank_techniques(
        &mut self,
        show_techniques: bool,
    ) -> (Vec<RankedTechnique<'a>>, Vec<AvoidedTechnique<'a>>) {
        let book = &self.engine.book;
        let mut avoid = Vec::new();
        let mut techniques = Vec::with_capacity(book.techniques.len());
        for (i, t) in book.techniques.iter().enumerate() {
            if self.effects[i].0 {
                avoid.push(AvoidedTechnique {
                    id: &t.id,
                    name: &t.name,
                    reasons: self
                        .avoid_reasons
                        .get_mut(i)
                        .map(std::mem::take)
                        .unwrap_or_default(),
                });
                continue;
            }
            if !show_techniques {
                continue;
            }
            let reasons = self
                .score_reasons
                .get_mut(i)
                .map(std::mem::take)
                .unwrap_or_default();
            let score = i32::from(t.base_score) + self.effects[i].1;
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
        (techniques, avoid)
    }

    /// The complementary care that applies: not withheld, not about massage when there is
    /// none, within its tier, and its own condition holding.
    fn care(
        &self,
        facts: &Facts<'_>,
        emergency: bool,
        massage_ruled_out: bool,
    ) -> Vec<CareAdvice<'a>> {
        let engine = self.engine;
        engine
            .book
            .care
            .iter()
            .zip(&engine.care_when)
            .zip(&self.care_withheld)
            .filter(|((c, when), withheld)| {
                let massage_talk = c.about_massage && massage_ruled_out;
                self.full
                    && !emergency
                    && !**withheld
                    && !massage_talk
                    && self.tier <= c.up_to
                    && when
                        .as_ref()
                        .is_none_or(|node| node.eval(facts) == Truth::True)
            })
            .map(|((c, _), _)| CareAdvice {
                id: &c.id,
                name: &c.name,
                advice: &c.advice,
                source: &c.source,
            })
            .collect()
    }

    /// The rulebook's safety net lines, after the rules' own, except those the verdict
    /// already deals with and those about massage when there is none.
    fn add_the_rulebooks_safety_net(&mut self, facts: &Facts<'_>, massage_ruled_out: bool) {
        let engine = self.engine;
        for (line, unless) in engine
            .book
            .meta
            .safety_net
            .iter()
            .zip(&engine.safety_net_unless)
        {
            let already_dealt_with = unless
                .as_ref()
                .is_some_and(|n| n.eval(facts) == Truth::True);
            let massage_talk = line.about_massage && massage_ruled_out;
            if !already_dealt_with
                && !massage_talk
                && !self.safety_net.contains(&line.text.as_str())
            {
                self.safety_net.push(&line.text);
            }
        }
    }
}

/// The referral `see` of `rule` asks for.
fn referral<'a>(rule: &'a Rule, see: &'a See, precaution: bool) -> Referral<'a> {
    Referral {
        who: &see.who,
        when: see.when,
        why: &rule.title,
        rule: &rule.id,
        precaution,
        verb: see.verb(),
    }
}
