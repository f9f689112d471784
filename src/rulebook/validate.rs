//! Whole-rulebook validation. Every problem is collected, so an author sees them all at
//! once rather than fixing one per run.

use std::collections::{HashMap, HashSet};

use super::condition::{Condition, Literal, Operator};
use super::model::*;
use super::{Location, Origin, Problem, Rulebook, RulebookError};
use crate::suggest::did_you_mean;

/// Question ids that would clash with keys the answers format reserves.
const RESERVED_QUESTION_IDS: &[&str] = &["id", "unknown"];

/// several-of answers are stored as a 64-bit set.
pub const MAX_CHOICES: usize = 64;

struct Checker<'a> {
    problems: Vec<Problem>,
    locations: &'a HashMap<String, Vec<Location>>,
    questions: HashMap<&'a str, &'a Question>,
    question_order: HashMap<&'a str, usize>,
    techniques: HashSet<&'a str>,
    care: HashSet<&'a str>,
    sources: HashSet<&'a str>,
}

impl<'a> Checker<'a> {
    /// A problem with the rulebook as a whole, reported at its first file.
    fn whole_rulebook(&mut self, first_file: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            location: Location {
                file: first_file.into(),
                line: None,
            },
            item: None,
            message: message.into(),
        });
    }

    fn report(&mut self, item: &str, message: impl Into<String>) {
        self.report_nth(item, 0, message);
    }

    /// Reports at the `nth` place the id was written (for duplicates).
    fn report_nth(&mut self, item: &str, nth: usize, message: impl Into<String>) {
        let location = self
            .locations
            .get(item)
            .and_then(|l| l.get(nth).or(l.first()))
            .cloned()
            .unwrap_or_default();
        self.problems.push(Problem {
            location,
            item: Some(item.to_string()),
            message: message.into(),
        });
    }

    fn check_sources(&mut self, item: &str, rationale: &str, source: &[String]) {
        if source.is_empty() {
            self.report(
                item,
                "has no `source`; cite a seed file name or a guideline key defined under `sources:`",
            );
        }
        for s in source {
            if !self.sources.contains(s.as_str()) {
                let hint = did_you_mean(s, self.sources.iter().copied());
                self.report(
                    item,
                    format!("cites source `{s}`, which is not defined under `sources:`{hint}"),
                );
            }
        }
        if rationale.trim().is_empty() {
            self.report(item, "has no `rationale` (one line saying why)");
        }
    }

    fn check_technique_ref(&mut self, item: &str, field: &str, technique: &str) {
        if !self.techniques.contains(technique) {
            let hint = did_you_mean(technique, self.techniques.iter().copied());
            self.report(
                item,
                format!("`{field}` names technique `{technique}`, which does not exist{hint}"),
            );
        }
    }

    fn check_care_ref(&mut self, item: &str, care: &str) {
        if !self.care.contains(care) {
            let hint = did_you_mean(care, self.care.iter().copied());
            self.report(
                item,
                format!("`avoid_care` names care item `{care}`, which does not exist{hint}"),
            );
        }
    }

    /// Checks that every comparison names an existing question and fits its type and range.
    /// `before` limits references to questions defined before position `before` (for ask_if).
    fn check_condition(
        &mut self,
        item: &str,
        field: &str,
        cond: &Condition,
        before: Option<usize>,
    ) {
        for (fact, op) in cond.comparisons() {
            let Some(question) = self.questions.get(fact).copied() else {
                let hint = did_you_mean(fact, self.questions.keys().copied());
                self.report(
                    item,
                    format!("`{field}` reads question `{fact}`, which does not exist{hint}"),
                );
                continue;
            };
            if let Some(limit) = before {
                let pos = self.question_order[fact];
                if pos >= limit {
                    let why = if fact == item {
                        "itself".to_string()
                    } else {
                        format!("`{fact}`, which is asked later")
                    };
                    self.report(
                        item,
                        format!(
                            "unreachable ask_if chain: `{field}` depends on {why}; ask_if may only read questions defined earlier"
                        ),
                    );
                }
            }
            if let Err(message) = check_operator(question, op) {
                self.report(item, format!("`{field}`: `{fact}` {message}"));
            }
        }
    }
}

fn choice_ids(q: &Question) -> impl Iterator<Item = &str> {
    q.choices.iter().map(|c| c.id.as_str())
}

fn check_choice(q: &Question, value: &str) -> Result<(), String> {
    if q.choices.iter().any(|c| c.id == value) {
        Ok(())
    } else {
        let allowed: Vec<&str> = choice_ids(q).collect();
        Err(format!(
            "has no choice `{value}`{}; choices are: {}",
            did_you_mean(value, allowed.iter().copied()),
            allowed.join(", ")
        ))
    }
}

/// Whether `op` can be applied to answers of `q`, and whether its value fits.
fn check_operator(q: &Question, op: &Operator) -> Result<(), String> {
    let kind = q.kind;
    let misfit = || {
        Err(format!(
            "is a {} question; operator `{}` does not apply to it (use {})",
            kind.as_str(),
            op.name(),
            match kind {
                QuestionType::YesNo => "is: yes|no",
                QuestionType::Number | QuestionType::Scale => "is, below, at_most, above, at_least",
                QuestionType::OneOf => "is: CHOICE or in: [CHOICES]",
                QuestionType::SeveralOf => "includes: CHOICE or includes_any: [CHOICES]",
            }
        ))
    };
    match (kind, op) {
        (_, Operator::IsUnknown(_)) => Ok(()),
        (QuestionType::YesNo, Operator::Is(v)) => match v {
            Literal::Bool(_) => Ok(()),
            Literal::Text(t) if matches!(t.as_str(), "yes" | "no") => Ok(()),
            other => Err(format!(
                "is yes/no; `is: {other}` can never match (use yes or no)"
            )),
        },
        (QuestionType::Number | QuestionType::Scale, Operator::Is(Literal::Number(n))) => {
            check_in_range(q, *n, "is")
        }
        (QuestionType::Number | QuestionType::Scale, Operator::Is(other)) => {
            Err(format!("is a number; `is: {other}` is not a number"))
        }
        (
            QuestionType::Number | QuestionType::Scale,
            Operator::Below(n) | Operator::AtMost(n) | Operator::Above(n) | Operator::AtLeast(n),
        ) => {
            let (min, max) = q.range();
            let never = match op {
                Operator::Below(_) => *n <= min,
                Operator::AtMost(_) => *n < min,
                Operator::Above(_) => *n >= max,
                _ => *n > max,
            };
            if !n.is_finite() {
                Err(format!("`{}` needs a finite number", op.name()))
            } else if never {
                Err(format!(
                    "ranges from {min} to {max}; `{} {n}` can never be true",
                    op.name()
                ))
            } else {
                Ok(())
            }
        }
        (QuestionType::OneOf, Operator::Is(Literal::Text(t))) => check_choice(q, t),
        (QuestionType::OneOf, Operator::In(values)) => {
            values.iter().try_for_each(|v| check_choice(q, v))
        }
        (QuestionType::SeveralOf, Operator::Includes(v)) => check_choice(q, v),
        (QuestionType::SeveralOf, Operator::IncludesAny(values)) => {
            values.iter().try_for_each(|v| check_choice(q, v))
        }
        _ => misfit(),
    }
}

fn check_in_range(q: &Question, n: f64, op: &str) -> Result<(), String> {
    let (min, max) = q.range();
    if n < min || n > max {
        Err(format!(
            "ranges from {min} to {max}; `{op}: {n}` is outside it"
        ))
    } else {
        Ok(())
    }
}

fn check_question(c: &mut Checker<'_>, position: usize, q: &Question) {
    let id = q.id.as_str();
    if RESERVED_QUESTION_IDS.contains(&id) {
        c.report(
            id,
            format!("`{id}` is reserved in answers files; choose another id"),
        );
    }
    if q.prompt.trim().is_empty() {
        c.report(id, "has an empty `prompt`");
    }
    let has_choices = !q.choices.is_empty();
    match q.kind {
        QuestionType::Number => match (q.min, q.max) {
            (Some(min), Some(max)) if min.is_finite() && max.is_finite() && min < max => {}
            (Some(_), Some(_)) => c.report(id, "needs finite `min` below `max`"),
            _ => c.report(id, "a number question needs `min` and `max`"),
        },
        _ if q.min.is_some() || q.max.is_some() => c.report(
            id,
            format!(
                "`min`/`max` only apply to number questions, not {}",
                q.kind.as_str()
            ),
        ),
        _ => {}
    }
    if q.kind == QuestionType::Number && q.unit.as_deref().unwrap_or("").is_empty() {
        c.report(
            id,
            "a number question needs a `unit` (years, days, weeks, ...)",
        );
    }
    match q.kind {
        QuestionType::OneOf | QuestionType::SeveralOf => {
            if q.choices.len() < 2 {
                c.report(id, "needs at least two `choices`");
            }
            if q.choices.len() > MAX_CHOICES {
                c.report(id, format!("has more than {MAX_CHOICES} choices"));
            }
            let mut seen = HashSet::new();
            for choice in &q.choices {
                if !seen.insert(choice.id.as_str()) {
                    c.report(id, format!("choice `{}` is listed twice", choice.id));
                }
                if choice.id == "unknown" {
                    c.report(
                        id,
                        "choice id `unknown` is reserved; use `allow_unknown: true` instead",
                    );
                }
                if !is_identifier(&choice.id) {
                    c.report(
                        id,
                        format!(
                            "choice id `{}` must use lowercase letters, digits and `_`",
                            choice.id
                        ),
                    );
                }
            }
        }
        _ if has_choices => c.report(
            id,
            format!(
                "`choices` only apply to one_of and several_of, not {}",
                q.kind.as_str()
            ),
        ),
        _ => {}
    }
    if let Some(ask_if) = &q.ask_if {
        c.check_condition(id, "ask_if", ask_if, Some(position));
    }
    c.check_sources(id, &q.rationale, &q.source);
}

fn check_rule(c: &mut Checker<'_>, rule: &Rule) {
    let id = rule.id.as_str();
    if rule.title.trim().is_empty() {
        c.report(id, "has an empty `title`");
    }
    c.check_condition(id, "when", &rule.when, None);
    for t in rule.avoid.listed() {
        c.check_technique_ref(id, "avoid", t);
    }
    for care in rule.avoid_care.listed() {
        c.check_care_ref(id, care);
    }
    if rule.safety_net.iter().any(|line| line.trim().is_empty()) {
        c.report(id, "`safety_net` has an empty line");
    }
    for (t, delta) in &rule.adjust {
        c.check_technique_ref(id, "adjust", t);
        if !(-100..=100).contains(delta) {
            c.report(
                id,
                format!("`adjust.{t}` is {delta}; allowed range is -100 to 100"),
            );
        }
    }
    if let Some(wait) = &rule.wait {
        check_wait(c, id, wait);
    }
    match rule.tier {
        None => {
            if rule.see.is_some() || rule.wait.is_some() || rule.if_unknown.is_some() {
                c.report(id, "`see`, `wait` and `if_unknown` need a `tier`");
            }
            if rule.avoid.is_empty()
                && rule.avoid_care.is_empty()
                && rule.adjust.is_empty()
                && rule.modifications.is_none()
                && rule.safety_net.is_empty()
            {
                c.report(
                    id,
                    "does nothing: give it a `tier`, `avoid`, `avoid_care`, `adjust`, `modifications` or `safety_net`",
                );
            }
        }
        Some(tier) => {
            if rule.advice.trim().is_empty() {
                c.report(
                    id,
                    format!("a `{tier}` rule needs `advice` (what the person should do)"),
                );
            }
            if tier >= Tier::SeeClinician && rule.see.is_none() {
                c.report(
                    id,
                    format!("a `{tier}` rule needs `see` (who to see and when)"),
                );
            }
            check_see_urgency(c, id, tier, rule.see.as_ref(), "see");
            if let Some(unknown) = rule.if_unknown_action() {
                check_see_urgency(c, id, unknown.tier, unknown.see.as_ref(), "if_unknown.see");
            }
            if rule.ignores_unknown() && tier != Tier::Caution {
                c.report(
                    id,
                    format!("`if_unknown: ignore` is only for `caution` rules that make no safety decision; a {tier} rule must say what an unknown answer means"),
                );
            }
            if tier == Tier::Wait && rule.wait.is_none() {
                c.report(
                    id,
                    "a `wait` rule needs `wait` (how long, and what ends it)",
                );
            }
            if tier == Tier::Suitable {
                c.report(id, "`tier: suitable` is the default; omit `tier` for rules that only adjust scores");
            }
            if let Some(unknown) = rule.if_unknown_action() {
                if unknown.tier < Tier::Caution {
                    c.report(
                        id,
                        "`if_unknown.tier` must be at least `caution`: an unanswered question may never read as safe",
                    );
                }
                if unknown.tier > tier {
                    c.report(
                        id,
                        format!(
                            "`if_unknown.tier` ({}) is stricter than the rule's own tier ({tier}); answering yes would then lower the verdict",
                            unknown.tier
                        ),
                    );
                }
                if unknown.tier >= Tier::SeeClinician && unknown.see.is_none() {
                    c.report(
                        id,
                        "`if_unknown` with a see_clinician or emergency tier needs `see`",
                    );
                }
            }
        }
    }
    c.check_sources(id, &rule.rationale, &rule.source);
}

/// Every text a report may show, by item and field, so none may hold a control
/// character (it would reach the person's terminal as an escape code).
fn check_texts(c: &mut Checker<'_>, file: &RulebookFile) {
    let mut texts: Vec<(&str, &str, &str)> = Vec::new();
    if let Some(meta) = &file.rulebook {
        texts.push(("rulebook", "name", &meta.name));
        texts.push(("rulebook", "version", &meta.version));
        texts.push(("rulebook", "description", &meta.description));
        for t in meta.tiers.values() {
            texts.push(("rulebook", "tiers", &t.headline));
            texts.push(("rulebook", "tiers", &t.techniques_heading));
        }
        for lowered in &meta.lowers {
            texts.push(("rulebook", "lowers", &lowered.reason));
        }
        for line in &meta.safety_net {
            texts.push(("rulebook", "safety_net", &line.text));
        }
    }
    for s in &file.sources {
        texts.push((&s.id, "title", &s.title));
        if let Some(url) = &s.url {
            texts.push((&s.id, "url", url));
        }
    }
    for q in &file.questions {
        texts.push((&q.id, "prompt", &q.prompt));
        texts.push((&q.id, "help", &q.help));
        texts.push((&q.id, "rationale", &q.rationale));
        if let Some(unit) = &q.unit {
            texts.push((&q.id, "unit", unit));
        }
        for choice in &q.choices {
            texts.push((&q.id, "choices", &choice.label));
            texts.push((&q.id, "choices", &choice.help));
        }
    }
    for r in &file.rules {
        for (field, text) in [
            ("title", &r.title),
            ("advice", &r.advice),
            ("rationale", &r.rationale),
        ] {
            texts.push((&r.id, field, text));
        }
        for see in r
            .see
            .iter()
            .chain(r.if_unknown_action().and_then(|u| u.see.as_ref()))
        {
            texts.push((&r.id, "see.who", &see.who));
        }
        if let Some(w) = &r.wait {
            texts.push((&r.id, "wait.ends_when", &w.ends_when));
        }
        for line in &r.safety_net {
            texts.push((&r.id, "safety_net", line));
        }
        if let Some(m) = &r.modifications {
            for text in m
                .avoid_areas
                .iter()
                .chain(&m.products)
                .chain(&m.positioning)
                .chain(&m.tell_therapist)
            {
                texts.push((&r.id, "modifications", text));
            }
        }
    }
    for t in &file.techniques {
        for text in [&t.name, &t.description, &t.rationale]
            .into_iter()
            .chain(&t.suits)
            .chain(&t.not_for)
        {
            texts.push((&t.id, "text", text));
        }
    }
    for x in &file.care {
        for (field, text) in [
            ("name", &x.name),
            ("advice", &x.advice),
            ("rationale", &x.rationale),
        ] {
            texts.push((&x.id, field, text));
        }
    }
    for (item, field, text) in texts {
        if crate::printable::has_unsafe(text) {
            c.report(
                item,
                format!("`{field}` holds a control character (such as an escape code or a line break); reports show this text on a terminal, so write it as plain text"),
            );
        }
    }
}

/// A verdict and its referral must say one thing: below `see_clinician` massage goes
/// ahead, so a visit can only be `routine`; at `see_clinician` and above it comes first.
fn check_see_urgency(c: &mut Checker<'_>, id: &str, tier: Tier, see: Option<&See>, field: &str) {
    let Some(see) = see else { return };
    if tier < Tier::SeeClinician && see.when != Urgency::Routine {
        c.report(
            id,
            format!(
                "`{field}.when: {}` contradicts tier `{tier}` (massage can go ahead): use `when: routine`, or raise the tier to see_clinician",
                see.when.as_str()
            ),
        );
    }
    // The reports write "who, when" from `see.when`; urgency words in `who` as well
    // read "today, today".
    let who = see.who.trim_end_matches(['.', ' ']).to_lowercase();
    if who.ends_with(see.when.describe()) {
        c.report(
            id,
            format!(
                "`{field}.who` ends with the urgency (\"{}\"), which the report adds from `{field}.when`; name only whom to see",
                see.when.describe()
            ),
        );
    }
    if tier >= Tier::SeeClinician && see.when == Urgency::Routine {
        c.report(
            id,
            format!(
                "`{field}.when: routine` is for rules below see_clinician; a `{tier}` referral comes before any massage (before_booking, within_days, today or now)"
            ),
        );
    }
}

/// The longest wait a rule may set: dates worked out from it stay within the calendar.
pub const MAX_WAIT_DAYS: u32 = 3650;

fn check_wait(c: &mut Checker<'_>, id: &str, wait: &Wait) {
    match (wait.days, wait.weeks) {
        (Some(_), Some(_)) => c.report(id, "`wait` takes `days` or `weeks`, not both"),
        (None, None) if wait.since.is_some() => c.report(
            id,
            "`wait.since` needs `days` or `weeks` (the whole period)",
        ),
        (Some(0), _) | (_, Some(0)) => c.report(id, "`wait` of zero days does nothing"),
        (Some(d), _) if d > MAX_WAIT_DAYS => c.report(
            id,
            format!("`wait.days` is {d}; the longest wait is {MAX_WAIT_DAYS} days (ten years)"),
        ),
        (_, Some(w)) if w > MAX_WAIT_DAYS / 7 => c.report(
            id,
            format!(
                "`wait.weeks` is {w}; the longest wait is {} weeks (ten years)",
                MAX_WAIT_DAYS / 7
            ),
        ),
        _ => {}
    }
    if wait.ends_when.trim().is_empty() {
        c.report(id, "`wait.ends_when` must say what ends the wait");
    }
    if let Some(since) = &wait.since {
        match c.questions.get(since.as_str()) {
            None => {
                let hint = did_you_mean(since, c.questions.keys().copied());
                c.report(id, format!("`wait.since` names question `{since}`, which does not exist{hint}"));
            }
            Some(q) if q.kind != QuestionType::Number || q.days_per_unit().is_none() => c.report(
                id,
                format!("`wait.since` must name a number question with unit days or weeks; `{since}` is not one"),
            ),
            Some(_) => {}
        }
    }
}

/// Source ids are guideline keys or seed file names (`001_db81a6a59363641d.txt`).
fn is_source_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn is_identifier(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

pub(super) fn validate(
    file: RulebookFile,
    meta_count: usize,
    locations: HashMap<String, Vec<Location>>,
    origin: Origin,
    first_file: &str,
) -> Result<Rulebook, RulebookError> {
    let mut c = Checker {
        problems: Vec::new(),
        locations: &locations,
        questions: HashMap::new(),
        question_order: HashMap::new(),
        techniques: file.techniques.iter().map(|t| t.id.as_str()).collect(),
        care: file.care.iter().map(|c| c.id.as_str()).collect(),
        sources: file.sources.iter().map(|s| s.id.as_str()).collect(),
    };
    check_ids(&mut c, &file, first_file);
    check_meta(&mut c, &file, meta_count, first_file);
    check_texts(&mut c, &file);
    for (i, q) in file.questions.iter().enumerate() {
        c.questions.entry(q.id.as_str()).or_insert(q);
        c.question_order.entry(q.id.as_str()).or_insert(i);
    }
    if file.questions.is_empty() {
        c.whole_rulebook(first_file, "the rulebook has no questions");
    }
    for (i, q) in file.questions.iter().enumerate() {
        check_question(&mut c, i, q);
    }
    check_prompts_differ(&mut c, &file);
    for rule in &file.rules {
        check_rule(&mut c, rule);
    }
    check_techniques(&mut c, &file, first_file);
    if let Some(meta) = &file.rulebook {
        for line in &meta.safety_net {
            if let Some(unless) = &line.unless {
                c.check_condition("rulebook", "safety_net.unless", unless, None);
            }
        }
    }
    for care in &file.care {
        if let Some(when) = &care.when {
            c.check_condition(&care.id, "when", when, None);
        }
        c.check_sources(&care.id, &care.rationale, &care.source);
    }

    let mut problems = c.problems;
    if !problems.is_empty() {
        problems.sort_by(|a, b| {
            (&a.location.file, a.location.line).cmp(&(&b.location.file, b.location.line))
        });
        return Err(RulebookError::Invalid(problems));
    }
    Ok(Rulebook::assemble(
        file,
        origin,
        super::Locations::Read(locations),
    ))
}

/// Every id well formed, none empty, none used twice (ids are one namespace, so
/// `rules show ID` and error messages are never ambiguous).
fn check_ids(c: &mut Checker<'_>, file: &RulebookFile, first_file: &str) {
    let mut seen: HashMap<&str, (&str, usize)> = HashMap::new();
    let all_ids = file
        .sources
        .iter()
        .map(|s| (s.id.as_str(), "source"))
        .chain(file.questions.iter().map(|q| (q.id.as_str(), "question")))
        .chain(file.rules.iter().map(|r| (r.id.as_str(), "rule")))
        .chain(file.techniques.iter().map(|t| (t.id.as_str(), "technique")))
        .chain(file.care.iter().map(|x| (x.id.as_str(), "care item")));
    for (id, kind) in all_ids {
        // Ids are written into JSON Lines and reports as they are: a quote, a space or a
        // control character in one would break them.
        let well_formed = match kind {
            "source" => is_source_id(id),
            _ => is_identifier(id),
        };
        if !well_formed && !id.trim().is_empty() {
            let rule = if kind == "source" {
                "letters, digits, `_`, `.` and `-`, starting with a letter or digit"
            } else {
                "lowercase letters, digits and `_`, starting with a letter"
            };
            c.report(id, format!("{kind} ids use {rule}"));
        }
        if id.trim().is_empty() {
            c.whole_rulebook(first_file, format!("a {kind} has an empty id"));
        } else if let Some((first, count)) = seen.get_mut(id) {
            *count += 1;
            let (first, nth) = (*first, *count);
            c.report_nth(
                id,
                nth,
                format!("duplicate id: this {kind} reuses the id of a {first}"),
            );
        } else {
            seen.insert(id, (kind, 0));
        }
    }
}

/// The `rulebook:` section: exactly one, a version, a headline for every tier, and
/// each lowering declared once with a reason.
fn check_meta(c: &mut Checker<'_>, file: &RulebookFile, meta_count: usize, first_file: &str) {
    match (meta_count, &file.rulebook) {
        (0, _) | (_, None) => c.whole_rulebook(
            first_file,
            "no `rulebook:` section (name, version, tiers); put one in rulebook.yaml",
        ),
        (1, Some(meta)) => {
            if meta.version.trim().is_empty() {
                c.report("rulebook", "`version` is empty");
            }
            for tier in Tier::ALL {
                match meta.tiers.get(&tier) {
                    None => c.report("rulebook", format!("`tiers` has no entry for `{tier}`")),
                    Some(text) if text.headline.trim().is_empty() => {
                        c.report("rulebook", format!("`tiers.{tier}.headline` is empty"))
                    }
                    Some(_) => {}
                }
            }
            let mut declared = std::collections::HashSet::new();
            for lowered in &meta.lowers {
                if lowered.reason.trim().is_empty() {
                    c.report(
                        "rulebook",
                        format!(
                            "`lowers`: `{}` has an empty `reason`; say why the clinic lowers it",
                            lowered.id
                        ),
                    );
                }
                if !declared.insert(lowered.id.as_str()) {
                    c.report("rulebook", format!("`lowers` names `{}` twice", lowered.id));
                }
            }
        }
        (_, Some(_)) => c.report("rulebook", "more than one file has a `rulebook:` section"),
    }
}

/// No two questions have the same text (punctuation and case aside): a form built from
/// the rulebook exports its columns headed by the text, and `batch` must tell them apart.
fn check_prompts_differ(c: &mut Checker<'_>, file: &RulebookFile) {
    let mut seen: HashMap<String, &str> = HashMap::new();
    for q in &file.questions {
        let key = crate::suggest::normalised(&q.prompt);
        if let Some(first) = seen.get(&key) {
            c.report(
                &q.id,
                format!("has the same text as the question `{first}`; a form export could not tell their columns apart, so word one differently"),
            );
        } else {
            seen.insert(key, &q.id);
        }
    }
}

/// Scores in range, names and descriptions, sources; at least one technique.
fn check_techniques(c: &mut Checker<'_>, file: &RulebookFile, first_file: &str) {
    for t in &file.techniques {
        if t.base_score > 100 {
            c.report(
                &t.id,
                format!(
                    "`base_score` is {}; allowed range is 0 to 100",
                    t.base_score
                ),
            );
        }
        if t.name.trim().is_empty() || t.description.trim().is_empty() {
            c.report(&t.id, "needs a `name` and a `description`");
        }
        c.check_sources(&t.id, &t.rationale, &t.source);
    }
    if file.techniques.is_empty() {
        c.problems.push(Problem {
            location: Location {
                file: first_file.into(),
                line: None,
            },
            item: None,
            message: "the rulebook has no techniques".into(),
        });
    }
    if file.techniques.is_empty() {
        c.whole_rulebook(first_file, "the rulebook has no techniques");
    }
}
