//! Words about rulebook items, for `rules list` and `rules show`.
//! Presentation only: it reads the rulebook and answers' wording and decides nothing.

use std::fmt::Write;

use crate::answers;
use crate::rulebook::{Care, Location, Question, Rule, Rulebook, SourceDef, Technique, Tier};

/// The kinds of item a rulebook holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Question,
    Rule,
    Technique,
    Care,
    Source,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Question => "question",
            Kind::Rule => "rule",
            Kind::Technique => "technique",
            Kind::Care => "care",
            Kind::Source => "source",
        }
    }
}

/// Every item, one per line: kind, id, title; only `kind` when given.
pub fn list(book: &Rulebook, kind: Option<Kind>) -> String {
    let mut rows: Vec<(Kind, &str, String)> = Vec::new();
    rows.extend(
        book.questions
            .iter()
            .map(|q| (Kind::Question, q.id.as_str(), q.prompt.to_string())),
    );
    rows.extend(book.rules.iter().map(|r| {
        let tier = r.tier.map_or(String::new(), |t| format!(" [{t}]"));
        (Kind::Rule, r.id.as_str(), format!("{}{tier}", r.title))
    }));
    rows.extend(
        book.techniques
            .iter()
            .map(|t| (Kind::Technique, t.id.as_str(), t.name.to_string())),
    );
    rows.extend(
        book.care
            .iter()
            .map(|c| (Kind::Care, c.id.as_str(), c.name.to_string())),
    );
    rows.extend(
        book.sources
            .iter()
            .map(|s| (Kind::Source, s.id.as_str(), s.title.to_string())),
    );
    rows.retain(|(k, _, _)| kind.is_none_or(|want| *k == want));
    let width = rows.iter().map(|(_, id, _)| id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (k, id, title) in rows {
        let _ = writeln!(out, "{:<9} {id:<width$}  {title}", k.as_str());
    }
    out
}

fn sources(book: &Rulebook, ids: &[String], out: &mut String) {
    let _ = writeln!(out, "sources:");
    for id in ids {
        let title = book.source_title(id).unwrap_or("(not defined)");
        let _ = writeln!(out, "  - {id}: {title}");
    }
}

/// One item in full, or `None` when no item has this id.
pub fn show(book: &Rulebook, id: &str) -> Option<String> {
    let mut out = String::new();
    let location = book.location(id);
    if let Some(q) = book.question(id) {
        show_question(&mut out, book, id, &location, q);
    } else if let Some(r) = book.rules.iter().find(|r| r.id == id) {
        show_rule(&mut out, book, id, &location, r);
    } else if let Some(t) = book.techniques.iter().find(|t| t.id == id) {
        show_technique(&mut out, book, id, &location, t);
    } else if let Some(c) = book.care.iter().find(|c| c.id == id) {
        show_care(&mut out, book, id, &location, c);
    } else if let Some(s) = book.sources.iter().find(|s| s.id == id) {
        show_source(&mut out, book, id, &location, s);
    } else {
        return None;
    }
    Some(out)
}

fn show_question(out: &mut String, book: &Rulebook, id: &str, location: &Location, q: &Question) {
    let _ = writeln!(out, "question {id}  ({location})");
    let _ = writeln!(out, "prompt: {}", q.prompt);
    if !q.help.is_empty() {
        let _ = writeln!(out, "help: {}", q.help);
    }
    let _ = writeln!(out, "answer: {}", answers::allowed(q));
    for c in &q.choices {
        let _ = writeln!(out, "  - {}: {}", c.id, c.label);
    }
    if let Some(ask_if) = &q.ask_if {
        let _ = writeln!(out, "asked only when: {ask_if}");
    }
    let _ = writeln!(out, "rationale: {}", q.rationale);
    sources(book, &q.source, out);
    let used: Vec<&str> = book
        .rules
        .iter()
        .filter(|r| r.when.facts().contains(&id))
        .map(|r| r.id.as_str())
        .collect();
    let _ = writeln!(
        out,
        "read by rules: {}",
        if used.is_empty() {
            "none".into()
        } else {
            used.join(", ")
        }
    );
}

fn show_rule(out: &mut String, book: &Rulebook, id: &str, location: &Location, r: &Rule) {
    let _ = writeln!(out, "rule {id}  ({location})");
    let _ = writeln!(out, "title: {}", r.title);
    let _ = writeln!(out, "when: {}", r.when);
    let _ = writeln!(
        out,
        "tier: {}",
        r.tier
            .map_or("none (scores only)".to_string(), |t| t.to_string())
    );
    if !r.advice.is_empty() {
        let _ = writeln!(out, "advice: {}", r.advice);
    }
    if let Some(see) = &r.see {
        let _ = writeln!(out, "see: {}, {}", see.who, see.when.describe());
    }
    if let Some(wait) = &r.wait {
        let period = wait
            .total_days()
            .map_or("open-ended".to_string(), |d| format!("{d} days"));
        let since = wait
            .since
            .as_deref()
            .map_or(String::new(), |s| format!(", counted from `{s}`"));
        let _ = writeln!(out, "wait: {period}{since}; ends when {}", wait.ends_when);
    }
    if !r.avoid.is_empty() {
        let _ = writeln!(out, "avoid: {}", r.avoid);
    }
    if !r.avoid_care.is_empty() {
        let _ = writeln!(out, "withhold care: {}", r.avoid_care);
    }
    for line in &r.safety_net {
        let _ = writeln!(out, "safety net: {line}");
    }
    if !r.adjust.is_empty() {
        let adjust: Vec<String> = r.adjust.iter().map(|(t, d)| format!("{t} {d:+}")).collect();
        let _ = writeln!(out, "adjust: {}", adjust.join(", "));
    }
    if let Some(m) = &r.modifications {
        if let Some(p) = m.pressure {
            let _ = writeln!(out, "pressure: at most {}", p.as_str());
        }
        for (label, items) in [
            ("avoid areas", &m.avoid_areas),
            ("products", &m.products),
            ("positioning", &m.positioning),
            ("tell the therapist", &m.tell_therapist),
        ] {
            for item in items {
                let _ = writeln!(out, "{label}: {item}");
            }
        }
    }
    if r.ignores_unknown() {
        let _ = writeln!(out, "if undecided (an answer unknown): no change (ignore)");
    } else if r.tier.is_some() {
        let unknown = r.if_unknown_action().map_or(Tier::Caution, |u| u.tier);
        let _ = writeln!(out, "if undecided (an answer unknown): {unknown}");
    }
    let _ = writeln!(out, "rationale: {}", r.rationale);
    sources(book, &r.source, out);
}

fn show_technique(out: &mut String, book: &Rulebook, id: &str, location: &Location, t: &Technique) {
    let _ = writeln!(out, "technique {id}  ({location})");
    let _ = writeln!(out, "name: {}", t.name);
    let _ = writeln!(
        out,
        "pressure: {}; base score {}",
        t.pressure.as_str(),
        t.base_score
    );
    let _ = writeln!(out, "description: {}", t.description);
    let _ = writeln!(out, "suits: {}", t.suits.join("; "));
    let _ = writeln!(out, "not for: {}", t.not_for.join("; "));
    let _ = writeln!(out, "rationale: {}", t.rationale);
    sources(book, &t.source, out);
}

fn show_care(out: &mut String, book: &Rulebook, id: &str, location: &Location, c: &Care) {
    let _ = writeln!(out, "care {id}  ({location})");
    let _ = writeln!(out, "name: {}", c.name);
    let _ = writeln!(out, "advice: {}", c.advice);
    let when = c
        .when
        .as_ref()
        .map_or("always".to_string(), |w| w.to_string());
    let _ = writeln!(out, "offered when: {when}, up to the {} tier", c.up_to);
    let _ = writeln!(out, "rationale: {}", c.rationale);
    sources(book, &c.source, out);
}

fn show_source(out: &mut String, book: &Rulebook, id: &str, location: &Location, s: &SourceDef) {
    let _ = writeln!(out, "source {id}  ({location})");
    let _ = writeln!(out, "title: {}", s.title);
    if let Some(url) = &s.url {
        let _ = writeln!(out, "url: {url}");
    }
    let cited: Vec<&str> = book
        .rules
        .iter()
        .filter(|r| r.source.iter().any(|x| x == id))
        .map(|r| r.id.as_str())
        .collect();
    let _ = writeln!(
        out,
        "cited by rules: {}",
        if cited.is_empty() {
            "none".into()
        } else {
            cited.join(", ")
        }
    );
}

/// Every id in the rulebook, for "did you mean".
pub fn all_ids(book: &Rulebook) -> Vec<&str> {
    book.questions
        .iter()
        .map(|q| q.id.as_str())
        .chain(book.rules.iter().map(|r| r.id.as_str()))
        .chain(book.techniques.iter().map(|t| t.id.as_str()))
        .chain(book.care.iter().map(|c| c.id.as_str()))
        .chain(book.sources.iter().map(|s| s.id.as_str()))
        .collect()
}

/// The table of questions in docs/questions.md: id, what the answer is, when it is asked. A test
/// compares docs/questions.md with this, so the table cannot drift from the rulebook.
pub fn questions_table(book: &Rulebook) -> String {
    let mut out = String::from("| id | question | answer |\n|---|---|---|\n");
    for q in &book.questions {
        let mut answer = answers::allowed(q);
        if let Some(ask_if) = &q.ask_if {
            answer.push_str(&format!(" (only when {ask_if})"));
        }
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            q.id,
            q.prompt.replace('|', "\\|"),
            answer.replace('|', "\\|")
        );
    }
    out
}
