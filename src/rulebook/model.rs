//! The rulebook as it is written in `rules/*.yaml`: plain typed data, no behaviour.
//!
//! Every struct rejects unknown keys, so a typo in a rulebook is an error rather than a
//! silently ignored setting. Fields that validation must report on (a missing `source`,
//! a missing `rationale`) default to empty here so that loading can report all such
//! problems at once instead of stopping at the first missing field.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::condition::Condition;
use super::text::Text;

/// The verdict tiers, from least to most strict. `Ord` follows strictness, so the
/// strictest of several tiers is simply their maximum.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Default,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    #[default]
    Suitable,
    Caution,
    Wait,
    SeeClinician,
    Emergency,
}

impl Tier {
    pub const ALL: [Tier; 5] = [
        Tier::Emergency,
        Tier::SeeClinician,
        Tier::Wait,
        Tier::Caution,
        Tier::Suitable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Suitable => "suitable",
            Tier::Caution => "caution",
            Tier::Wait => "wait",
            Tier::SeeClinician => "see_clinician",
            Tier::Emergency => "emergency",
        }
    }

    pub fn parse(text: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How soon a person should see a clinician. Ordered from least to most urgent.
/// `routine` is the one urgency for rules below `see_clinician`: a visit to arrange while
/// massage goes ahead; every other urgency means "before any massage".
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Routine,
    BeforeBooking,
    WithinDays,
    Today,
    Now,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Routine => "routine",
            Urgency::BeforeBooking => "before_booking",
            Urgency::WithinDays => "within_days",
            Urgency::Today => "today",
            Urgency::Now => "now",
        }
    }

    /// Words for people; the snake_case name is for programs.
    pub fn describe(self) -> &'static str {
        match self {
            Urgency::Routine => "at a routine appointment (massage is fine meanwhile)",
            Urgency::BeforeBooking => "before you book a massage",
            Urgency::WithinDays => "within a few days",
            Urgency::Today => "today",
            Urgency::Now => "now",
        }
    }
}

/// Massage pressure, from lightest to firmest.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Pressure {
    Light,
    Medium,
    Firm,
}

impl Pressure {
    pub fn as_str(self) -> &'static str {
        match self {
            Pressure::Light => "light",
            Pressure::Medium => "medium",
            Pressure::Firm => "firm",
        }
    }
}

/// One YAML file of a rulebook directory. Every section is optional so that a rulebook
/// can be split by concern (questions, red flags, techniques, care) across files.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RulebookFile {
    #[serde(default)]
    pub rulebook: Option<Meta>,
    #[serde(default)]
    pub sources: Vec<SourceDef>,
    #[serde(default)]
    pub questions: Vec<Question>,
    #[serde(default)]
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub techniques: Vec<Technique>,
    #[serde(default)]
    pub care: Vec<Care>,
}

/// Rulebook-wide settings: its name and version, and the words shown for each tier.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub name: Text,
    pub version: Text,
    /// `builtin`: start from the built-in rulebook; items here add to it or replace
    /// built-in items with the same id.
    #[serde(default)]
    pub extends: Option<String>,
    #[serde(default)]
    pub description: Text,
    /// Wording per tier. Every tier must be present (validation checks).
    #[serde(default)]
    pub tiers: BTreeMap<Tier, TierText>,
    /// What would change the answer and how fast to act: shown on every report short of
    /// an emergency, after the lines that fired rules add.
    #[serde(default)]
    pub safety_net: Vec<SafetyNetLine>,
    /// Built-in safety rules (and tier headlines) this rulebook makes milder, each with
    /// its reason. A rulebook given with `--rules` that lowers one without saying so here
    /// is refused, and every report made with it says how many it lowers.
    #[serde(default)]
    pub lowers: Vec<Lowered>,
    /// The files a standalone rulebook is made of. Without this list a standalone
    /// rulebook must have every file the built-in one has, so a copy that lost
    /// `red_flags.yaml` is refused instead of loading without its red flags.
    #[serde(default)]
    pub files: Vec<String>,
}

/// A line of the rulebook's safety net: plain text, or text with `unless` (a condition
/// under which the line is left out because the verdict already deals with it, such as
/// the fever line for someone who has a fever) and `about_massage` (left out when no
/// massage is allowed).
#[derive(Debug, Clone, JsonSchema)]
#[schemars(with = "SafetyNetLineSchema")]
pub struct SafetyNetLine {
    pub text: Text,
    pub unless: Option<Condition>,
    pub about_massage: bool,
}

/// A line of text, or `{text, unless, about_massage}`, for the schema.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum SafetyNetLineSchema {
    Text(String),
    Line {
        text: String,
        #[serde(default)]
        unless: Option<Condition>,
        #[serde(default)]
        about_massage: bool,
    },
}

/// Written back as its text (the meta section is only serialised for people).
impl Serialize for SafetyNetLine {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for SafetyNetLine {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<SafetyNetLine, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Written {
            text: Text,
            #[serde(default)]
            unless: Option<Condition>,
            #[serde(default)]
            about_massage: bool,
        }
        struct LineVisitor;
        impl<'de> serde::de::Visitor<'de> for LineVisitor {
            type Value = SafetyNetLine;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a line of text, or a mapping with `text` (and `unless`, `about_massage`)",
                )
            }
            fn visit_str<E>(self, v: &str) -> Result<SafetyNetLine, E> {
                Ok(SafetyNetLine {
                    text: Text::read(v),
                    unless: None,
                    about_massage: false,
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<SafetyNetLine, A::Error> {
                let w = Written::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(SafetyNetLine {
                    text: w.text,
                    unless: w.unless,
                    about_massage: w.about_massage,
                })
            }
        }
        d.deserialize_any(LineVisitor)
    }
}

/// One declared lowering: the built-in rule (or `emergency_headline`,
/// `see_clinician_headline`) made milder, and why.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Lowered {
    pub id: String,
    pub reason: Text,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TierText {
    /// The verdict in one plain sentence.
    pub headline: Text,
    /// Heading over the ranked techniques; for tiers where massage is off, omit
    /// `show_techniques` or set it to false.
    #[serde(default)]
    pub techniques_heading: Text,
    #[serde(default = "default_true")]
    pub show_techniques: bool,
}

fn default_true() -> bool {
    true
}

/// A citable source: a seed article (by file name) or a guideline (by short key).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceDef {
    pub id: String,
    /// What a reader can look up: title and, for articles, author as published.
    pub title: Text,
    /// Where it can be read, when it is public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The kinds of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionType {
    /// yes / no (and "unknown" where allowed).
    YesNo,
    /// A number with a unit and an inclusive range.
    Number,
    /// A whole number from 0 to 10.
    Scale,
    /// Exactly one of `choices`.
    OneOf,
    /// Any number of `choices`, including none.
    SeveralOf,
}

impl QuestionType {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionType::YesNo => "yes_no",
            QuestionType::Number => "number",
            QuestionType::Scale => "scale",
            QuestionType::OneOf => "one_of",
            QuestionType::SeveralOf => "several_of",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    pub label: Text,
    /// What the choice means, shown by `?` in the interview and in the template.
    #[serde(default)]
    pub help: Text,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub prompt: Text,
    #[serde(default)]
    pub help: Text,
    #[serde(rename = "type")]
    pub kind: QuestionType,
    /// For numbers: what the number counts (`years`, `days`, `weeks`, ...).
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    /// For numbers: whether only whole numbers are accepted.
    #[serde(default)]
    pub integer: bool,
    #[serde(default)]
    pub choices: Vec<Choice>,
    /// Whether "unknown" ("not sure") is an accepted answer.
    #[serde(default)]
    pub allow_unknown: bool,
    /// Ask this question only when the condition holds (or cannot be decided yet).
    #[serde(default)]
    pub ask_if: Option<Condition>,
    #[serde(default)]
    pub rationale: Text,
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(with = "OneOrMany")]
    pub source: Vec<String>,
}

impl Question {
    /// The inclusive range of a number or scale question.
    pub fn range(&self) -> (f64, f64) {
        match self.kind {
            QuestionType::Scale => (0.0, 10.0),
            _ => (self.min.unwrap_or(f64::MIN), self.max.unwrap_or(f64::MAX)),
        }
    }

    /// Days per unit, for number questions that count elapsed time (`wait.since`).
    pub fn days_per_unit(&self) -> Option<u32> {
        match self.unit.as_deref() {
            Some("days") => Some(1),
            Some("weeks") => Some(7),
            _ => None,
        }
    }
}

/// Who to see and how soon.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct See {
    pub who: Text,
    pub when: Urgency,
    /// The verb of the report's first line ("Go to", "Call", "Contact"); "See" when
    /// omitted, so the line reads "See your GP today, before any massage: ...".
    #[serde(default)]
    pub verb: Option<Text>,
}

impl See {
    pub fn verb(&self) -> &str {
        self.verb.as_deref().unwrap_or("See")
    }
}

/// A period to defer massage. `days` or `weeks` (not both) is the whole period; `since`
/// names a number question (unit days or weeks) that says how much of it has passed.
/// Without `days` or `weeks` the wait is open-ended: it lasts until `ends_when`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Wait {
    #[serde(default)]
    pub days: Option<u32>,
    #[serde(default)]
    pub weeks: Option<u32>,
    #[serde(default)]
    pub since: Option<String>,
    /// What ends the wait, in words.
    pub ends_when: Text,
}

impl Wait {
    /// The whole period in days; `None` for an open-ended wait.
    pub fn total_days(&self) -> Option<u32> {
        match (self.days, self.weeks) {
            (None, None) => None,
            (d, w) => Some(
                d.unwrap_or(0)
                    .saturating_add(w.unwrap_or(0).saturating_mul(7)),
            ),
        }
    }
}

/// Changes a therapist should make. Lists from several rules are merged; the pressure
/// limit is the lightest named.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Modifications {
    #[serde(default)]
    pub pressure: Option<Pressure>,
    #[serde(default)]
    pub avoid_areas: Vec<Text>,
    #[serde(default)]
    pub products: Vec<Text>,
    #[serde(default)]
    pub positioning: Vec<Text>,
    #[serde(default)]
    pub tell_therapist: Vec<Text>,
}

/// What a rule does when its condition cannot be decided because an answer is unknown.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IfUnknown {
    pub tier: Tier,
    #[serde(default)]
    pub see: Option<See>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub title: Text,
    pub when: Condition,
    /// The action: the tier this rule sets when it fires. Rules without a tier only
    /// adjust technique scores or add exclusions.
    #[serde(default)]
    pub tier: Option<Tier>,
    /// What the person should do, in words.
    #[serde(default)]
    pub advice: Text,
    #[serde(default)]
    pub see: Option<See>,
    #[serde(default)]
    pub wait: Option<Wait>,
    /// Techniques excluded when this rule fires (or is unknown and has a tier); `all`
    /// means no massage of any kind.
    #[serde(default)]
    pub avoid: IdSet,
    /// Complementary care withheld when this rule fires; `all` leaves getting assessed as
    /// the only advice.
    #[serde(default)]
    pub avoid_care: IdSet,
    /// Lines for the safety net when this rule fires: what would change the answer.
    #[serde(default)]
    pub safety_net: Vec<Text>,
    /// Score changes per technique id, -100..=100.
    #[serde(default)]
    pub adjust: BTreeMap<String, i32>,
    #[serde(default)]
    pub modifications: Option<Modifications>,
    #[serde(default)]
    pub if_unknown: Option<UnknownPolicy>,
    #[serde(default)]
    pub rationale: Text,
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(with = "OneOrMany")]
    pub source: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Technique {
    pub id: String,
    pub name: Text,
    pub pressure: Pressure,
    /// Starting score (0-100) before rules adjust it.
    pub base_score: u8,
    pub description: Text,
    #[serde(default)]
    pub suits: Vec<Text>,
    #[serde(default)]
    pub not_for: Vec<Text>,
    #[serde(default)]
    pub rationale: Text,
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(with = "OneOrMany")]
    pub source: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Care {
    pub id: String,
    pub name: Text,
    pub advice: Text,
    /// When this care applies; omitted means always (within `up_to`).
    #[serde(default)]
    pub when: Option<Condition>,
    /// The strictest verdict tier at which this care is still offered.
    #[serde(default = "default_care_up_to")]
    pub up_to: Tier,
    /// Advice about the massage itself ("drink water around a massage"): left out when
    /// no massage of any kind is allowed, so a report never contradicts its verdict.
    #[serde(default)]
    pub about_massage: bool,
    #[serde(default)]
    pub rationale: Text,
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(with = "OneOrMany")]
    pub source: Vec<String>,
}

fn default_care_up_to() -> Tier {
    Tier::SeeClinician
}

/// `if_unknown:` as written: what applies when the rule cannot be decided, or `ignore`
/// for a rule that makes no safety decision (a preference, how often), so that "not
/// sure" leaves the verdict where it was. Validation allows `ignore` only on `caution`
/// rules.
#[derive(Debug, Clone, JsonSchema)]
#[schemars(with = "UnknownPolicySchema")]
pub enum UnknownPolicy {
    Ignore,
    Act(IfUnknown),
}

impl Rule {
    /// What applies when this rule is undecided, as written (`None` when not written or
    /// `ignore`).
    pub fn if_unknown_action(&self) -> Option<&IfUnknown> {
        match &self.if_unknown {
            Some(UnknownPolicy::Act(action)) => Some(action),
            _ => None,
        }
    }

    /// Whether an undecided condition changes nothing (`if_unknown: ignore`).
    pub fn ignores_unknown(&self) -> bool {
        matches!(self.if_unknown, Some(UnknownPolicy::Ignore))
    }
}

/// `ignore` or `{tier, see}`, for the schema.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum UnknownPolicySchema {
    Ignore(IgnoreWord),
    Act(IfUnknown),
}

#[derive(JsonSchema)]
#[allow(dead_code)]
enum IgnoreWord {
    #[serde(rename = "ignore")]
    Ignore,
}

impl<'de> Deserialize<'de> for UnknownPolicy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<UnknownPolicy, D::Error> {
        struct PolicyVisitor;
        impl<'de> serde::de::Visitor<'de> for PolicyVisitor {
            type Value = UnknownPolicy;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`ignore` or a mapping with `tier` (and `see`)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<UnknownPolicy, E> {
                if v == "ignore" {
                    Ok(UnknownPolicy::Ignore)
                } else {
                    Err(E::custom(format!(
                        "expected `ignore` or a mapping with `tier` (and `see`), found `{v}`"
                    )))
                }
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<UnknownPolicy, A::Error> {
                IfUnknown::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(UnknownPolicy::Act)
            }
        }
        d.deserialize_any(PolicyVisitor)
    }
}

/// A list of ids, or `all`.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(with = "IdSetSchema")]
pub enum IdSet {
    All,
    Only(Vec<String>),
}

impl Default for IdSet {
    fn default() -> IdSet {
        IdSet::Only(Vec::new())
    }
}

impl IdSet {
    /// The ids listed (none for `all`).
    pub fn listed(&self) -> &[String] {
        match self {
            IdSet::All => &[],
            IdSet::Only(ids) => ids,
        }
    }

    pub fn is_all(&self) -> bool {
        matches!(self, IdSet::All)
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, IdSet::Only(ids) if ids.is_empty())
    }
}

impl std::fmt::Display for IdSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdSet::All => f.write_str("all"),
            IdSet::Only(ids) => f.write_str(&ids.join(", ")),
        }
    }
}

/// `all` or `[id, id]`, for the schema.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum IdSetSchema {
    All(AllWord),
    Only(Vec<String>),
}

#[derive(JsonSchema)]
#[allow(dead_code)]
enum AllWord {
    #[serde(rename = "all")]
    All,
}

impl<'de> Deserialize<'de> for IdSet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<IdSet, D::Error> {
        struct IdSetVisitor;
        impl<'de> serde::de::Visitor<'de> for IdSetVisitor {
            type Value = IdSet;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`all` or a list of ids")
            }
            fn visit_str<E: serde::de::Error>(self, w: &str) -> Result<IdSet, E> {
                if w == "all" {
                    Ok(IdSet::All)
                } else {
                    Err(E::custom(format!(
                        "expected `all` or a list of ids like [{w}], found `{w}`"
                    )))
                }
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<IdSet, A::Error> {
                Vec::deserialize(serde::de::value::SeqAccessDeserializer::new(seq)).map(IdSet::Only)
            }
        }
        deserializer.deserialize_any(IdSetVisitor)
    }
}

/// `source: KEY` or `source: [KEY, KEY]`, for the schema.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// Accepts `source: KEY` as well as `source: [KEY, KEY]`.
fn one_or_many<'de, D>(deserializer: D) -> Result<Vec<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct OneOrManyVisitor;
    impl<'de> serde::de::Visitor<'de> for OneOrManyVisitor {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a key or a list of keys")
        }
        fn visit_str<E>(self, v: &str) -> Result<Vec<String>, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Vec<String>, A::Error> {
            Vec::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
        }
    }
    deserializer.deserialize_any(OneOrManyVisitor)
}
