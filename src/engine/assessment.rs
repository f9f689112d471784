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
    /// The verdict in one plain sentence: the most urgent action, with whom and how
    /// soon, when the person's answers call for a clinician; otherwise the tier's words.
    pub headline: Cow<'a, str>,
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
    /// The verb of the first line ("Go to", "Call", "See").
    #[serde(skip)]
    pub verb: &'a str,
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
    /// The question's place in the interview, for listing questions in that order.
    #[serde(skip)]
    pub order: usize,
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

/// How soon, in the words of the first line.
fn when_words(when: Urgency) -> &'static str {
    match when {
        Urgency::Now => "now",
        Urgency::Today => "today",
        Urgency::WithinDays => "within a few days",
        Urgency::BeforeBooking => "before you book a massage",
        Urgency::Routine => "at a routine appointment",
    }
}

/// A rule title inside a sentence: "Numbness in the saddle area" -> "numbness in the
/// saddle area"; a title that starts with a name or an abbreviation keeps its capital.
pub fn in_sentence(title: &str) -> String {
    let mut chars = title.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if second.is_lowercase() || second == ' ' => first
            .to_lowercase()
            .chain(title[first.len_utf8()..].chars())
            .collect(),
        _ => title.to_string(),
    }
}

/// The report's first line. At `emergency` and `see_clinician` it carries the most
/// urgent action the person's own answers call for: who, how soon, and why ("Call your
/// maternity unit or midwife now: a warning sign in pregnancy. No massage."). Referrals
/// that only stand in for unsettled questions say so. Below `see_clinician` it is the
/// tier's own sentence, except that a caution made only of unsettled questions says that
/// rather than promising changes nobody listed.
pub fn headline<'a>(
    tier: Tier,
    confirmed_tier: Tier,
    see: &[Referral<'a>],
    tier_words: &'a str,
) -> Cow<'a, str> {
    if tier >= Tier::SeeClinician {
        if let Some(first) = see.iter().find(|s| !s.precaution) {
            // Every reported reason for the same place and urgency, in rule order.
            let why: Vec<String> = see
                .iter()
                .filter(|s| !s.precaution && s.who == first.who && s.when == first.when)
                .map(|s| in_sentence(s.why))
                .fold(Vec::new(), |mut acc, w| {
                    if !acc.contains(&w) {
                        acc.push(w);
                    }
                    acc
                });
            let comma = if first.who.contains(',') { "," } else { "" };
            let tail = match (tier, first.when) {
                (Tier::Emergency, _) | (_, Urgency::Now | Urgency::BeforeBooking) => "",
                _ => ", before any massage",
            };
            // The first line stays short; the report below names every reason.
            let shown = if why.len() > 2 {
                format!("{}; {}; and more (below)", why[0], why[1])
            } else {
                why.join("; ")
            };
            let mut line = format!(
                "{} {}{comma} {}{tail}: {shown}.",
                first.verb,
                first.who,
                when_words(first.when),
            );
            if tier == Tier::Emergency {
                line.push_str(" Do not have a massage.");
            } else if first.when == Urgency::Now {
                line.push_str(" No massage until then.");
            }
            if let Some(sooner) = see.iter().find(|s| s.precaution && s.when > first.when) {
                let comma = if sooner.who.contains(',') { "," } else { "" };
                line.push_str(&format!(
                    " Settle the questions below first: until you know, see {}{comma} {}.",
                    sooner.who,
                    when_words(sooner.when)
                ));
            }
            return Cow::Owned(line);
        }
        if let Some(first) = see.iter().find(|s| s.precaution) {
            let comma = if first.who.contains(',') { "," } else { "" };
            return Cow::Owned(format!(
                "Settle the questions below before any massage; until you know, see {}{comma} {}.",
                first.who,
                when_words(first.when)
            ));
        }
    }
    if tier == Tier::Caution && confirmed_tier < Tier::Caution {
        return Cow::Borrowed(
            "Massage may suit you: settle the questions below first, and until then avoid what is listed.",
        );
    }
    Cow::Borrowed(tier_words)
}
