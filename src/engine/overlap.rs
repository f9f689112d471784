//! Warnings for a rulebook that extends the built-in one: a rule it adds that fires on
//! the same answers as a built-in rule (both about the same question) but says something
//! else, a different verdict or urgency. The stricter still applies, so this is not an
//! error, but it is usually a clinic meaning to change the built-in rule and adding a
//! second one instead.

use super::Engine;
use crate::answers::display_value;
use crate::rulebook::{Rule, Rulebook};

/// One overlap, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlap {
    pub added: String,
    pub builtin: String,
    pub message: String,
}

fn says(rule: &Rule) -> String {
    match (rule.tier, &rule.see) {
        (Some(tier), Some(see)) => format!("{tier} ({})", see.when.as_str()),
        (Some(tier), None) => tier.to_string(),
        (None, _) => "no verdict".to_string(),
    }
}

/// Every added rule with a verdict that overlaps a built-in rule with another one.
pub fn overlaps(engine: &Engine, builtin: &Rulebook) -> Vec<Overlap> {
    let book = engine.book();
    if !book.extends_builtin() {
        return Vec::new();
    }
    let is_builtin = |id: &str| builtin.rules.iter().any(|r| r.id == id);
    let mut out = Vec::new();
    for (a, added) in book.rules.iter().enumerate() {
        if is_builtin(&added.id) || added.tier.is_none() {
            continue;
        }
        for (b, base) in book.rules.iter().enumerate() {
            if !is_builtin(&base.id) || base.tier.is_none() || says(base) == says(added) {
                continue;
            }
            // Rules about different questions always can fire together; that is not a
            // second opinion on the same thing.
            let shared = engine
                .rule_facts(a)
                .iter()
                .any(|q| engine.rule_facts(b).contains(q));
            if !shared {
                continue;
            }
            let Some(witness) = engine.common_witness(a, b) else {
                continue;
            };
            let when: Vec<String> = witness
                .iter()
                .filter_map(|(q, v)| {
                    let question = &book.questions[*q];
                    display_value(question, *v).map(|v| format!("{} is {v}", question.id))
                })
                .collect();
            out.push(Overlap {
                added: added.id.clone(),
                builtin: base.id.clone(),
                message: format!(
                    "`{}` overlaps the built-in rule `{}`: both fire when {}; `{}` says {}, `{}` says {}, and the stricter applies. To change the built-in rule instead, give yours the id `{}`.",
                    added.id,
                    base.id,
                    when.join(" and "),
                    added.id,
                    says(added),
                    base.id,
                    says(base),
                    base.id
                ),
            });
        }
    }
    out
}
