//! What the reports for people show, arranged once for the text and Markdown formats:
//! the reasons for the verdict apart from lower-tier notes, referrals the person's own
//! answers call for apart from questions still to settle, techniques to avoid grouped by
//! their reasons, and the sources cited, numbered. It arranges and words; every decision
//! was made by the engine.

use crate::engine::{AnswerState, Assessment, Reason};
use crate::rulebook::{Rulebook, Tier, Urgency};

/// One line of "Whom to see": one clinician and urgency, with every reason.
pub struct Visit<'a> {
    pub who: &'a str,
    pub when: Urgency,
    pub why: Vec<&'a str>,
}

/// A question the person was not sure about or did not answer.
pub struct Unsettled<'a> {
    pub prompt: &'a str,
    pub state: AnswerState,
    /// The strictest verdict a "yes" could lead to.
    pub could_mean: Tier,
    /// Whom to see meanwhile, when the rulebook asks for it.
    pub meanwhile: Option<(&'a str, Urgency)>,
    /// The question's place in the interview.
    pub order: usize,
}

/// Techniques excluded for the same reasons.
pub struct AvoidGroup<'a> {
    pub names: Vec<&'a str>,
    /// Titles of the rules the person's answers fired.
    pub because: Vec<&'a str>,
    /// Whether some exclusion waits on a question still to settle.
    pub until_settled: bool,
}

/// A source cited by the reasons shown, with its number in the report.
pub struct Cited<'a> {
    pub number: usize,
    pub title: &'a str,
    pub url: Option<&'a str>,
}

pub struct View<'a> {
    /// Rules at the verdict's tier.
    pub why: Vec<&'a Reason<'a>>,
    /// Rules below the verdict's tier.
    pub also: Vec<&'a Reason<'a>>,
    pub visits: Vec<Visit<'a>>,
    pub unsettled: Vec<Unsettled<'a>>,
    pub avoid: Vec<AvoidGroup<'a>>,
    pub sources: Vec<Cited<'a>>,
}

impl<'a> View<'a> {
    pub fn new(a: &'a Assessment<'a>, book: &'a Rulebook) -> View<'a> {
        let (why, also): (Vec<&Reason<'a>>, Vec<&Reason<'a>>) =
            a.reasons.iter().partition(|r| r.tier == a.tier);
        let mut sources: Vec<Cited<'a>> = Vec::new();
        for r in why.iter().chain(&also) {
            for id in r.source {
                if let Some(s) = book.sources.iter().find(|s| &s.id == id)
                    && !sources.iter().any(|c| c.title == s.title.as_str())
                {
                    sources.push(Cited {
                        number: sources.len() + 1,
                        title: &s.title,
                        url: s.url.as_deref(),
                    });
                }
            }
        }
        // Notes about how to massage say nothing to someone who may not have one.
        let also = if a.no_massage {
            also.into_iter()
                .filter(|r| r.tier > Tier::Caution)
                .collect()
        } else {
            also
        };
        View {
            why,
            also,
            visits: visits(a),
            unsettled: unsettled(a),
            avoid: avoid_groups(a),
            sources,
        }
    }

    /// `[1, 3]`: the numbers of a reason's sources in this report.
    pub fn source_numbers(&self, reason: &Reason<'_>, book: &Rulebook) -> String {
        let numbers: Vec<String> = reason
            .source
            .iter()
            .filter_map(|id| book.source_title(id))
            .filter_map(|title| self.sources.iter().find(|c| c.title == title))
            .map(|c| c.number.to_string())
            .collect();
        if numbers.is_empty() {
            String::new()
        } else {
            format!("[{}]", numbers.join(", "))
        }
    }
}

/// One line per clinician: referrals to the same place at the same or a slower urgency
/// are merged into the most urgent one (referrals come most urgent first), so nobody
/// reads "within a few days" below "today" for the same GP and acts on the slower one.
fn visits<'a>(a: &'a Assessment<'a>) -> Vec<Visit<'a>> {
    let mut out: Vec<Visit<'a>> = Vec::new();
    for s in a.confirmed_referrals() {
        match out
            .iter_mut()
            .find(|v| v.who == s.who || first_named(v.who) == first_named(s.who))
        {
            Some(v) => {
                if !v.why.contains(&s.why) {
                    v.why.push(s.why);
                }
            }
            None => out.push(Visit {
                who: s.who,
                when: s.when,
                why: vec![s.why],
            }),
        }
    }
    out
}

/// The first clinician a "who" names, for merging: "your GP or urgent care" and "your GP
/// or NHS 111" both name "your gp" first, so a slower visit to the GP joins the faster one.
fn first_named(who: &str) -> String {
    who.split([',', '('])
        .next()
        .unwrap_or(who)
        .split(" or ")
        .next()
        .unwrap_or(who)
        .trim()
        .to_lowercase()
}

fn unsettled<'a>(a: &'a Assessment<'a>) -> Vec<Unsettled<'a>> {
    let mut out: Vec<Unsettled<'a>> = a
        .questions_to_check()
        .into_iter()
        .map(|(q, could_mean)| Unsettled {
            prompt: q.prompt,
            state: q.answer,
            could_mean,
            meanwhile: a.precaution_for(q.id).map(|s| (s.who, s.when)),
            order: q.order,
        })
        .collect();
    // In the interview's order, so a person settles them as they would be asked.
    out.sort_by_key(|u| u.order);
    out
}

/// Whether the report was asked to show how it was decided (`--explain`): only then
/// does it show score arithmetic.
pub fn explained(a: &Assessment<'_>) -> bool {
    a.trace.iter().any(|t| t.conditions.is_some())
}

fn avoid_groups<'a>(a: &'a Assessment<'a>) -> Vec<AvoidGroup<'a>> {
    let mut out: Vec<AvoidGroup<'a>> = Vec::new();
    for t in &a.avoid {
        let mut because: Vec<&str> = Vec::new();
        for r in t.reasons.iter().filter(|r| !r.precaution) {
            if !because.contains(&r.title) {
                because.push(r.title);
            }
        }
        let until_settled = t.reasons.iter().any(|r| r.precaution);
        match out
            .iter_mut()
            .find(|g| g.because == because && g.until_settled == until_settled)
        {
            Some(g) => g.names.push(t.name),
            None => out.push(AvoidGroup {
                names: vec![t.name],
                because,
                until_settled,
            }),
        }
    }
    out
}

/// "A, B and C".
pub fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// How a person's undecided answer is described.
pub fn state_words(state: AnswerState) -> &'static str {
    match state {
        AnswerState::NotSure => "You were not sure",
        AnswerState::NotAnswered => "Not answered",
    }
}

/// What a "yes" could lead to, in words.
pub fn could_mean(tier: Tier) -> &'static str {
    match tier {
        // "Some answers", not "yes": the question may be a list, a number or a
        // clearance, where "yes" is the answer that lets massage go ahead.
        Tier::Emergency => "some answers to it mean getting emergency help",
        Tier::SeeClinician => "some answers to it mean seeing a clinician before any massage",
        Tier::Wait => "some answers to it mean waiting before having a massage",
        Tier::Caution => "the answer changes how the massage should be done",
        Tier::Suitable => "the answer does not change the verdict",
    }
}

pub fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A choice's label instead of its id, for an answer shown to people.
pub fn answer_words(q: &crate::rulebook::Question, value: crate::answers::Value) -> Option<String> {
    use crate::answers::Value;
    let label = |i: usize| q.choices.get(i).map_or("", |c| c.label.as_str());
    Some(match value {
        Value::Unanswered => return None,
        Value::Unknown => "Not sure".into(),
        Value::Bool(true) => "Yes".into(),
        Value::Bool(false) => "No".into(),
        Value::Number(n) => {
            let n = crate::answers::format_number(n);
            match q.unit.as_deref() {
                Some(unit) => format!("{n} {unit}"),
                None => n,
            }
        }
        Value::Choice(c) => label(usize::from(c)).to_string(),
        Value::Set(0) => "None of these".into(),
        Value::Set(set) => {
            let labels: Vec<&str> = (0..q.choices.len())
                .filter(|i| set & (1u64 << i) != 0)
                .map(label)
                .collect();
            labels.join("; ")
        }
    })
}

/// The line every report made with a rulebook that lowers built-in safety rules opens
/// with, so nobody reads a milder verdict without knowing why it may be milder.
pub fn lowering_note(book: &Rulebook) -> Option<String> {
    let lowers = &book.meta.lowers;
    if lowers.is_empty() {
        return None;
    }
    let ids: Vec<&str> = lowers.iter().map(|l| l.id.as_str()).collect();
    let (count, rules) = match lowers.len() {
        1 => ("1 built-in safety rule".to_string(), "it"),
        n => (format!("{n} built-in safety rules"), "they"),
    };
    Some(format!(
        "Note: the rulebook \"{}\" lowers {count} ({}); {rules} may make this verdict milder than the built-in rulebook's.",
        crate::printable::printable(&book.meta.name),
        ids.join(", ")
    ))
}
