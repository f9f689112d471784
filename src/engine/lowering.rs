//! How a rulebook given with `--rules` compares with the built-in one on safety: which
//! built-in rules it drops or makes milder (a lower tier, a slower referral, a milder
//! "not sure" answer, fewer techniques or care items withheld, a looser pressure limit,
//! fewer answers that fire it) and whether its tier headlines still send people to care.
//!
//! A clinic may have reasons to lower a rule, but never silently: each lowering must be
//! declared in `rulebook: lowers:` with a reason, and reports say how many there are.
//! This module only compares; it reads no files and decides no verdicts.

use std::collections::{HashMap, HashSet};

use super::logic::{Facts, Truth};
use super::{Engine, effective_if_unknown};
use crate::answers::{Answers, Value};
use crate::rulebook::{IdSet, Problem, Question, Rule, Rulebook, See, Tier};

/// The ids a `lowers:` entry may name besides built-in rules.
pub const HEADLINE_IDS: [(&str, Tier); 2] = [
    ("emergency_headline", Tier::Emergency),
    ("see_clinician_headline", Tier::SeeClinician),
];

/// Words of which a headline at that tier must hold at least one (case-insensitive):
/// an emergency headline names emergency care, a see-a-clinician headline names a
/// clinician.
fn seeks_care(tier: Tier, headline: &str) -> bool {
    let words: &[&str] = match tier {
        Tier::Emergency => &[
            "emergency",
            "ambulance",
            "a&e",
            "999",
            "911",
            "112",
            "hospital",
        ],
        _ => &[
            "clinician",
            "doctor",
            "gp",
            "physio",
            "nurse",
            "midwife",
            "surgeon",
            "medical",
            "emergency",
        ],
    };
    let lower = headline.to_lowercase();
    words.iter().any(|w| {
        lower
            .split(|c: char| !(c.is_alphanumeric() || c == '&'))
            .any(|token| token == *w || (w.len() > 3 && token.starts_with(w)))
    })
}

/// One built-in safety rule (or headline) made milder, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lowering {
    pub id: String,
    pub changes: Vec<String>,
}

/// What the comparison found: the lowerings, and declarations that match none.
#[derive(Debug, Default)]
pub struct Comparison {
    pub lowerings: Vec<Lowering>,
    /// `lowers:` entries naming something that is not lowered: (id, why).
    pub needless: Vec<(String, String)>,
}

impl Comparison {
    /// Lowerings that `lowers:` does not declare.
    pub fn undeclared<'a>(&'a self, book: &'a Rulebook) -> impl Iterator<Item = &'a Lowering> {
        self.lowerings
            .iter()
            .filter(|l| !book.meta.lowers.iter().any(|d| d.id == l.id))
    }
}

impl Comparison {
    /// What refuses the rulebook: every undeclared lowering, and every declaration that
    /// lowers nothing, at the place it was written.
    pub fn problems(&self, book: &Rulebook) -> Vec<Problem> {
        let lowers_at = book.location("rulebook");
        let mut out: Vec<Problem> = self
            .undeclared(book)
            .map(|l| Problem {
                location: match book.rules.iter().any(|r| r.id == l.id) {
                    true => book.location(&l.id),
                    false => lowers_at.clone(),
                },
                item: Some(l.id.clone()),
                message: format!(
                    "lowers the built-in safety rule: {}; if that is intended, declare it under `rulebook: lowers:` as `{{ id: {}, reason: ... }}`",
                    l.changes.join("; "),
                    l.id
                ),
            })
            .collect();
        out.extend(self.needless.iter().map(|(id, why)| Problem {
            location: lowers_at.clone(),
            item: Some(id.clone()),
            message: why.clone(),
        }));
        out
    }

    /// One line per declared lowering, for `rules check` to print as a warning.
    pub fn warnings(&self, book: &Rulebook) -> Vec<String> {
        book.meta
            .lowers
            .iter()
            .filter_map(|d| {
                let l = self.lowerings.iter().find(|l| l.id == d.id)?;
                Some(format!(
                    "{}: lowers the built-in safety rule `{}`: {} (declared: {})",
                    book.location(&l.id),
                    l.id,
                    l.changes.join("; "),
                    d.reason
                ))
            })
            .collect()
    }
}

/// Compares `engine`'s rulebook with the built-in one (`builtin`).
pub fn compare(engine: &Engine, builtin: &Engine) -> Comparison {
    let book = engine.book();
    let base = builtin.book();
    let by_id: HashMap<&str, usize> = book
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut lowerings = Vec::new();
    for (b, old) in base.rules.iter().enumerate() {
        if !is_safety_rule(old) {
            continue;
        }
        let changes = match by_id.get(old.id.as_str()) {
            None => vec!["the rule is missing".to_string()],
            Some(&n) => {
                let mut changes = rule_changes(old, &book.rules[n]);
                if !fires_where_it_did(engine, n, builtin, b) {
                    changes.push(
                        "it no longer fires on answers that fire the built-in rule".to_string(),
                    );
                }
                changes
            }
        };
        if !changes.is_empty() {
            lowerings.push(Lowering {
                id: old.id.clone(),
                changes,
            });
        }
    }
    for (id, tier) in HEADLINE_IDS {
        let headline = &book.tier_text(tier).headline;
        if headline != &base.tier_text(tier).headline && !seeks_care(tier, headline) {
            lowerings.push(Lowering {
                id: id.to_string(),
                changes: vec![format!(
                    "the {tier} headline \"{headline}\" does not tell people to seek care"
                )],
            });
        }
    }
    let lowered: HashSet<&str> = lowerings.iter().map(|l| l.id.as_str()).collect();
    let needless = book
        .meta
        .lowers
        .iter()
        .filter(|d| !lowered.contains(d.id.as_str()))
        .map(|d| {
            let known = base.rules.iter().any(|r| r.id == d.id)
                || HEADLINE_IDS.iter().any(|(h, _)| *h == d.id);
            let why = if known {
                "is declared in `lowers:` but this rulebook does not lower it; remove it from `lowers:`"
            } else {
                "is declared in `lowers:` but is not a built-in rule or headline (`emergency_headline`, `see_clinician_headline`)"
            };
            (d.id.clone(), why.to_string())
        })
        .collect();
    Comparison {
        lowerings,
        needless,
    }
}

/// A built-in rule whose weakening could hide a problem: one with a verdict, or one that
/// rules out techniques or care, or limits pressure.
fn is_safety_rule(rule: &Rule) -> bool {
    rule.tier.is_some()
        || !rule.avoid.is_empty()
        || !rule.avoid_care.is_empty()
        || rule
            .modifications
            .as_ref()
            .is_some_and(|m| m.pressure.is_some())
}

/// How `new` is milder than `old`, in words.
fn rule_changes(old: &Rule, new: &Rule) -> Vec<String> {
    let mut changes = Vec::new();
    if new.tier < old.tier {
        changes.push(format!(
            "its tier is {} instead of {}",
            tier_name(new.tier),
            tier_name(old.tier)
        ));
    }
    if let Some(why) = slower(old.see.as_ref(), new.see.as_ref(), "its referral") {
        changes.push(why);
    }
    let (old_unknown, new_unknown) = (effective_if_unknown(old), effective_if_unknown(new));
    let (old_tier, new_tier) = (
        old_unknown.as_ref().map(|u| u.tier),
        new_unknown.as_ref().map(|u| u.tier),
    );
    if new_tier < old_tier {
        changes.push(format!(
            "a \"not sure\" answer gives {} instead of {}",
            tier_name(new_tier),
            tier_name(old_tier)
        ));
    }
    if let Some(why) = slower(
        old_unknown.as_ref().and_then(|u| u.see.as_ref()),
        new_unknown.as_ref().and_then(|u| u.see.as_ref()),
        "its referral for a \"not sure\" answer",
    ) {
        changes.push(why);
    }
    if let Some(dropped) = dropped_ids(&old.avoid, &new.avoid) {
        changes.push(format!("it no longer rules out {dropped}"));
    }
    if let Some(dropped) = dropped_ids(&old.avoid_care, &new.avoid_care) {
        changes.push(format!("it no longer withholds {dropped}"));
    }
    let pressure = |r: &Rule| r.modifications.as_ref().and_then(|m| m.pressure);
    match (pressure(old), pressure(new)) {
        (Some(o), None) => changes.push(format!("it no longer limits pressure to {}", o.as_str())),
        (Some(o), Some(n)) if n > o => changes.push(format!(
            "its pressure limit is {} instead of {}",
            n.as_str(),
            o.as_str()
        )),
        _ => {}
    }
    changes
}

fn tier_name(tier: Option<Tier>) -> String {
    tier.map_or("none".to_string(), |t| t.to_string())
}

fn slower(old: Option<&See>, new: Option<&See>, what: &str) -> Option<String> {
    match (old, new) {
        (Some(o), None) => Some(format!("{what} ({}) is gone", o.when.as_str())),
        (Some(o), Some(n)) if n.when < o.when => Some(format!(
            "{what} is {} instead of {}",
            n.when.as_str(),
            o.when.as_str()
        )),
        _ => None,
    }
}

/// The ids `old` excludes that `new` does not, in words (`None` when nothing is dropped).
fn dropped_ids(old: &IdSet, new: &IdSet) -> Option<String> {
    match (old, new) {
        (_, IdSet::All) => None,
        (IdSet::All, IdSet::Only(_)) => Some("everything (`all`)".to_string()),
        (IdSet::Only(o), IdSet::Only(n)) => {
            let gone: Vec<&str> = o
                .iter()
                .filter(|id| !n.contains(id))
                .map(String::as_str)
                .collect();
            (!gone.is_empty()).then(|| gone.join(", "))
        }
    }
}

/// Whether rule `n` of `engine` fires on the answers that fire built-in rule `b` (found
/// by the reachability search), carried over by question and choice id. A narrower
/// condition (a higher threshold, an extra `all:` part, a different sign) does not.
fn fires_where_it_did(engine: &Engine, n: usize, builtin: &Engine, b: usize) -> bool {
    let Some(witness) = builtin.witness(b) else {
        return true;
    };
    let book = engine.book();
    let mut answers = Answers::empty(book);
    for (q, value) in witness {
        let old = &builtin.book().questions[q];
        let Some(i) = book.question_index(&old.id) else {
            return false;
        };
        match carry(old, &book.questions[i], value) {
            Some(v) => answers.values[i] = v,
            None => return false,
        }
    }
    let applicable = engine.applicable(&answers);
    let facts = Facts::new(&answers.values, &applicable);
    engine.rules[n].when.eval(&facts) == Truth::True
}

/// An answer to built-in question `old` as the same answer to `new` (choices by id).
fn carry(old: &Question, new: &Question, value: Value) -> Option<Value> {
    let index = |i: u16| {
        let id = &old.choices.get(usize::from(i))?.id;
        new.choices.iter().position(|c| &c.id == id)
    };
    match value {
        Value::Choice(i) => Some(Value::Choice(u16::try_from(index(i)?).ok()?)),
        Value::Set(bits) => {
            let mut out = 0u64;
            for i in 0..64u16 {
                if bits & (1u64 << i) != 0 {
                    out |= 1u64 << index(i)?;
                }
            }
            Some(Value::Set(out))
        }
        other => Some(other),
    }
}

#[cfg(test)]
mod tests {
    use super::seeks_care;
    use crate::rulebook::Tier;

    #[test]
    fn a_headline_seeks_care_when_it_names_it() {
        assert!(seeks_care(Tier::Emergency, "Call 999 or go to A&E now."));
        assert!(seeks_care(
            Tier::SeeClinician,
            "See your GP before any massage."
        ));
        assert!(seeks_care(Tier::SeeClinician, "Ask a doctor first."));
        assert!(!seeks_care(Tier::Emergency, "Book a gentle massage."));
        assert!(!seeks_care(Tier::SeeClinician, "Massage suits you now."));
        // A word inside another word does not count ("gp" in "gpx").
        assert!(!seeks_care(Tier::SeeClinician, "Upload your gpx track."));
    }
}
