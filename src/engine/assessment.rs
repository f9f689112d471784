//! The result of evaluating one person's answers. It borrows its words from the rulebook,
//! so building one per batch record copies no rule text.

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::Serialize;

use super::logic::Truth;
use crate::date::Date;
use crate::rulebook::{Pressure, Tier, Urgency};

/// How much of an assessment to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Every decision with the words that explain it: what every report shows.
    Full,
    /// The decisions only (tier, ranked techniques with scores, techniques to avoid, wait,
    /// referrals, questions to check); `reasons`, `trace`, `care`, the therapist's lists
    /// and each technique's `reasons` are left empty. What brief batch output needs.
    Brief,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Assessment<'a> {
    /// The record's own id, when the answers carry one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub tier: Tier,
    /// The strictest tier among rules that fired, leaving out precautions taken for
    /// unanswered questions: what the person's own answers confirm.
    #[serde(skip)]
    pub confirmed_tier: Tier,
    /// The verdict in one plain sentence.
    pub headline: &'a str,
    /// The rules that set or raised the tier, strictest first.
    pub reasons: Vec<Reason<'a>>,
    /// Whether massage techniques are listed at all: not at the emergency tier, and not
    /// when a rule rules out every kind of massage until the person is assessed.
    pub show_techniques: bool,
    /// No massage of any kind for now (an emergency, or a rule that rules out every
    /// technique); `avoid` then lists every technique.
    pub no_massage: bool,
    pub techniques_heading: &'a str,
    /// Techniques that suit, best first; empty when `show_techniques` is false.
    pub techniques: Vec<RankedTechnique<'a>>,
    pub avoid: Vec<AvoidedTechnique<'a>>,
    pub wait: Option<WaitAdvice<'a>>,
    /// Whom to see and how soon, most urgent first.
    pub see: Vec<Referral<'a>>,
    pub care: Vec<CareAdvice<'a>>,
    pub therapist: TherapistNotes<'a>,
    /// What would change the answer and how fast to act; empty at the emergency tier.
    pub safety_net: Vec<&'a str>,
    /// Undecided answers that could change the verdict, and what to check.
    pub to_check: Vec<Check<'a>>,
    /// Rules that fired or could not be decided, in evaluation order.
    pub trace: Vec<TraceEntry<'a>>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Reason<'a> {
    pub rule: &'a str,
    pub title: &'a str,
    pub tier: Tier,
    pub advice: &'a str,
    pub source: &'a [String],
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RankedTechnique<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub pressure: Pressure,
    /// 0-100.
    pub score: u8,
    pub base_score: u8,
    pub reasons: Vec<ScoreReason<'a>>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScoreReason<'a> {
    pub rule: &'a str,
    pub title: &'a str,
    pub delta: i32,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AvoidedTechnique<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub reasons: Vec<AvoidReason<'a>>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AvoidReason<'a> {
    pub rule: &'a str,
    pub title: &'a str,
    pub why: Cow<'a, str>,
    /// True when the rule could not be decided and the exclusion is a precaution.
    pub precaution: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WaitAdvice<'a> {
    /// Days left to wait from the assessment date; `None` when every wait is open-ended
    /// (it lasts until `ends_when`).
    pub days: Option<u32>,
    /// The first day massage may resume, when it can be worked out.
    pub until: Option<Date>,
    /// Whether `days` counts from when the injury or surgery happened (true) or from the
    /// assessment date because that was not answered (false).
    pub counted_from_event: bool,
    pub ends_when: Vec<&'a str>,
    pub rules: Vec<&'a str>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Referral<'a> {
    pub who: &'a str,
    pub when: Urgency,
    pub why: &'a str,
    pub rule: &'a str,
    /// True when the referral stands in for an unanswered or "not sure" question rather
    /// than for something the person reported.
    pub precaution: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CareAdvice<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub advice: &'a str,
    pub source: &'a [String],
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct TherapistNotes<'a> {
    /// The firmest pressure advised, when any rule limits it.
    pub max_pressure: Option<Pressure>,
    pub avoid_areas: Vec<&'a str>,
    pub products: Vec<&'a str>,
    pub positioning: Vec<&'a str>,
    pub tell_therapist: Vec<&'a str>,
}

impl<'a> Assessment<'a> {
    /// Each undecided question once, in the order the rules read them, with the strictest
    /// tier a "yes" to it could lead to.
    pub fn questions_to_check(&self) -> Vec<(CheckQuestion<'a>, Tier)> {
        let mut out: Vec<(CheckQuestion<'a>, Tier)> = Vec::new();
        for check in &self.to_check {
            for q in &check.questions {
                match out.iter_mut().find(|(seen, _)| seen.id == q.id) {
                    Some(entry) => entry.1 = entry.1.max(check.tier_if_confirmed),
                    None => out.push((q.clone(), check.tier_if_confirmed)),
                }
            }
        }
        out
    }

    /// The referrals the person's own answers call for (not precautions).
    pub fn confirmed_referrals(&self) -> impl Iterator<Item = &Referral<'a>> {
        self.see.iter().filter(|s| !s.precaution)
    }

    /// The precautionary referral standing in for question `id`, if any: the most
    /// urgent one, from the strictest rule that reads the question.
    pub fn precaution_for(&self, id: &str) -> Option<&Referral<'a>> {
        self.to_check
            .iter()
            .filter(|c| c.questions.iter().any(|q| q.id == id))
            .filter_map(|c| {
                self.see
                    .iter()
                    .filter(|s| s.precaution && s.rule == c.rule)
                    .max_by_key(|s| s.when)
                    .map(|s| (s.when, c.tier_if_confirmed, s))
            })
            // On a tie the first rule in rulebook order wins, so the choice is stable.
            .fold(
                None,
                |best: Option<(crate::rulebook::Urgency, Tier, &Referral<'a>)>, x| match best {
                    Some(b) if (b.0, b.1) >= (x.0, x.1) => Some(b),
                    _ => Some(x),
                },
            )
            .map(|(_, _, s)| s)
    }
}

impl TherapistNotes<'_> {
    pub fn is_empty(&self) -> bool {
        self.max_pressure.is_none()
            && self.avoid_areas.is_empty()
            && self.products.is_empty()
            && self.positioning.is_empty()
            && self.tell_therapist.is_empty()
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Check<'a> {
    pub rule: &'a str,
    pub title: &'a str,
    /// The tier this rule sets if the answer turns out to be yes.
    pub tier_if_confirmed: Tier,
    pub advice: &'a str,
    pub questions: Vec<CheckQuestion<'a>>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CheckQuestion<'a> {
    pub id: &'a str,
    pub prompt: &'a str,
    /// Whether the person said "not sure" or gave no answer at all.
    pub answer: AnswerState,
}

/// Why a question is undecided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnswerState {
    NotSure,
    NotAnswered,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TraceEntry<'a> {
    pub rule: &'a str,
    pub result: Truth,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    pub source: &'a [String],
    /// With `--explain`: every condition of the rule, in order, with what it read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<ConditionTrace<'a>>>,
}

/// One node of a rule's condition as evaluated.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConditionTrace<'a> {
    /// Nesting depth, 0 for the rule's top condition.
    pub depth: usize,
    /// `all`, `any`, `not`, `always`, or the comparison (`pain_intensity at_least 8`).
    pub test: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fact: Option<&'a str>,
    /// The answer read: its value, `unknown`, `unanswered`, or `not asked`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    pub result: Truth,
}
