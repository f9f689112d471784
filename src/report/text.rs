//! The report for people: the verdict first, then why, then what to do.

use std::fmt::Write;

use super::{Context, DISCLAIMER};
use crate::engine::Assessment;
use crate::rulebook::Tier;

/// The colour of a tier's label; the label itself always says the tier in words.
pub fn tier_style(tier: Tier) -> anstyle::Style {
    use anstyle::{AnsiColor, Style};
    let color = match tier {
        Tier::Emergency => AnsiColor::Red,
        Tier::SeeClinician => AnsiColor::Magenta,
        Tier::Wait => AnsiColor::Yellow,
        Tier::Caution => AnsiColor::Cyan,
        Tier::Suitable => AnsiColor::Green,
    };
    Style::new().bold().fg_color(Some(color.into()))
}

const HEADING: anstyle::Style = anstyle::Style::new().bold();

/// The verdict line alone (`--quiet`), wrapped at 80 columns.
pub fn verdict_line(a: &Assessment<'_>) -> String {
    let mut w = Writer {
        out: String::new(),
        width: 80,
    };
    w.verdict(a);
    w.out
}

/// A ten-cell bar for a 0-100 score.
fn bar(score: u8) -> String {
    let filled = usize::from(score.div_ceil(10)).min(10);
    format!("{}{}", "#".repeat(filled), ".".repeat(10 - filled))
}

/// The label shown with a tier; a word, so the verdict never depends on colour.
pub fn tier_label(tier: Tier) -> &'static str {
    match tier {
        Tier::Emergency => "EMERGENCY",
        Tier::SeeClinician => "SEE A CLINICIAN FIRST",
        Tier::Wait => "WAIT",
        Tier::Caution => "SUITABLE WITH CAUTION",
        Tier::Suitable => "SUITABLE",
    }
}

struct Writer {
    out: String,
    width: usize,
}

impl Writer {
    /// Writes `text` wrapped to the width, first line after `first`, the rest indented
    /// to `indent` spaces.
    fn para(&mut self, first: &str, indent: usize, text: &str) {
        let rest = " ".repeat(indent);
        let options = textwrap::Options::new(self.width.max(20))
            .initial_indent(first)
            .subsequent_indent(&rest);
        for line in textwrap::wrap(text, options) {
            let _ = writeln!(self.out, "{}", line.trim_end());
        }
    }

    fn heading(&mut self, title: &str) {
        let _ = writeln!(self.out, "\n{HEADING}{title}{HEADING:#}");
    }

    fn verdict(&mut self, a: &Assessment<'_>) {
        let style = tier_style(a.tier);
        let verdict = format!("{style}{}{style:#}: {}", tier_label(a.tier), a.headline);
        self.para("", 0, &verdict);
    }

    fn bullet(&mut self, text: &str) {
        self.para("  - ", 4, text);
    }
}

fn sources(list: &[String]) -> String {
    list.join(", ")
}

pub fn render(a: &Assessment<'_>, ctx: &Context<'_>) -> String {
    let mut w = Writer {
        out: String::new(),
        width: ctx.width,
    };
    w.verdict(a);
    if let Some(id) = &a.id {
        w.para("", 0, &format!("Record: {id}"));
    }

    if a.reasons.is_empty() && a.to_check.is_empty() {
        w.heading("Why");
        w.bullet("None of the rulebook's red flags or contraindications apply to your answers.");
    }
    if !a.reasons.is_empty() {
        w.heading("Why");
        for r in &a.reasons {
            w.bullet(&format!("{} [{}]", r.title, r.tier));
            w.para("    ", 4, r.advice);
            w.para("    ", 4, &format!("Sources: {}", sources(r.source)));
        }
    }

    if !a.to_check.is_empty() {
        w.heading("Not answered, so please check these");
        for (prompt, tier) in questions_to_check(a) {
            w.bullet(&format!(
                "{prompt} (could mean: {})",
                tier_label(tier).to_lowercase()
            ));
        }
    }

    if let Some(wait) = &a.wait {
        w.heading("When to wait");
        let from = if wait.counted_from_event {
            ""
        } else {
            " (counted from today, as the start date was not given)"
        };
        match (wait.days, wait.until) {
            (Some(days), Some(until)) => {
                let unit = if days == 1 { "day" } else { "days" };
                w.bullet(&format!(
                    "Wait at least {days} more {unit}, until {until}{from}."
                ));
            }
            _ => w.bullet("Wait until the following is true."),
        }
        for e in &wait.ends_when {
            w.para("    ", 4, &format!("Ends when: {e}"));
        }
    }

    if !a.see.is_empty() {
        w.heading("Whom to see, and how soon");
        // One line per clinician and urgency, listing every reason.
        let mut grouped: Vec<(&str, crate::rulebook::Urgency, Vec<&str>)> = Vec::new();
        for s in &a.see {
            match grouped
                .iter_mut()
                .find(|(who, when, _)| *who == s.who && *when == s.when)
            {
                Some(entry) => entry.2.push(s.why),
                None => grouped.push((s.who, s.when, vec![s.why])),
            }
        }
        for (who, when, why) in grouped {
            let who = capitalise(who);
            w.bullet(&format!("{who}, {}: {}.", when.describe(), why.join("; ")));
        }
    }

    if a.show_techniques && !a.techniques.is_empty() {
        w.heading(a.techniques_heading);
        for (i, t) in a.techniques.iter().take(5).enumerate() {
            let line = format!(
                "{}. {} {:>3}/100  {} ({} pressure)",
                i + 1,
                bar(t.score),
                t.score,
                t.name,
                t.pressure.as_str(),
            );
            w.para("  ", 5, &line);
            for r in &t.reasons {
                w.para("       ", 7, &format!("{:+} {}", r.delta, r.title));
            }
        }
    }

    if !a.avoid.is_empty() {
        w.heading("Avoid");
        for t in &a.avoid {
            let confirmed: Vec<&str> = t
                .reasons
                .iter()
                .filter(|r| !r.precaution)
                .map(|r| r.title)
                .collect();
            let precautions: Vec<&str> = t
                .reasons
                .iter()
                .filter(|r| r.precaution)
                .map(|r| r.title)
                .collect();
            let mut why = confirmed.join("; ");
            if !precautions.is_empty() {
                if !why.is_empty() {
                    why.push_str("; ");
                }
                why.push_str(&format!(
                    "until you have checked: {}",
                    precautions.join("; ")
                ));
            }
            w.bullet(&format!("{}: {why}.", t.name));
            // One confirmed reason is worth explaining in full.
            if let [only] = t.reasons.as_slice()
                && !only.precaution
            {
                w.para("    ", 4, &only.why);
            }
        }
    }

    let notes = &a.therapist;
    if !notes.is_empty() && a.show_techniques {
        w.heading("Tell your therapist");
        if let Some(p) = notes.max_pressure {
            w.bullet(&format!("Pressure: {} at most.", p.as_str()));
        }
        for area in &notes.avoid_areas {
            w.bullet(&format!("Avoid: {area}"));
        }
        for p in &notes.products {
            w.bullet(&format!("Products: {p}"));
        }
        for p in &notes.positioning {
            w.bullet(&format!("Positioning: {p}"));
        }
        for t in &notes.tell_therapist {
            w.bullet(t);
        }
    }

    if !a.care.is_empty() {
        w.heading("Complementary care");
        for c in &a.care {
            w.bullet(&format!("{}: {}", c.name, c.advice));
        }
    }

    if a.trace.iter().any(|t| t.conditions.is_some()) {
        w.heading("How this was decided (every rule, in order)");
        for t in &a.trace {
            let tier = t.tier.map_or(String::new(), |t| format!(" [{t}]"));
            w.para(
                "  ",
                4,
                &format!(
                    "{} {}{tier}: {}",
                    t.result.as_str(),
                    t.rule,
                    t.source.join(", ")
                ),
            );
            for c in t.conditions.iter().flatten() {
                let indent = "  ".repeat(c.depth + 2);
                let answer = c
                    .answer
                    .as_ref()
                    .map_or(String::new(), |a| format!(" (answer: {a})"));
                w.para(
                    &indent,
                    indent.len() + 2,
                    &format!("{}{answer} -> {}", c.test, c.result.as_str()),
                );
            }
        }
    }

    w.out.push('\n');
    w.para(
        "",
        0,
        &format!(
            "Rulebook {} {}, assessed {}. Rules applied: {}.",
            ctx.book.meta.name,
            ctx.book.meta.version,
            ctx.date,
            if a.trace.is_empty() {
                "none".to_string()
            } else {
                a.trace
                    .iter()
                    .map(|t| t.rule)
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
    );
    w.out.push('\n');
    w.para("", 0, DISCLAIMER);
    w.out
}

/// Each undecided question once, with the strictest tier a yes could lead to, strictest
/// first (then in the order the rules read them).
fn questions_to_check<'a>(a: &Assessment<'a>) -> Vec<(&'a str, Tier)> {
    let mut out = a.questions_to_check();
    out.sort_by_key(|entry| std::cmp::Reverse(entry.1));
    out.into_iter().map(|(q, tier)| (q.prompt, tier)).collect()
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
