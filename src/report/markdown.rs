//! A Markdown summary a person can print or send to their therapist or doctor: the
//! verdict, what to tell the therapist, the answers that led there, the date, and the
//! disclaimer.

use std::fmt::Write;

use super::{Context, DISCLAIMER};
use crate::answers::display_value;
use crate::engine::Assessment;

fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}

pub fn render(a: &Assessment<'_>, ctx: &Context<'_>) -> String {
    let mut out = String::new();
    let label = super::text::tier_label(a.tier);
    let _ = writeln!(out, "# Massage check: {label}\n");
    let _ = writeln!(
        out,
        "Date: {} · Rulebook: {} {}\n",
        ctx.date, ctx.book.meta.name, ctx.book.meta.version
    );
    let _ = writeln!(out, "**{}**\n", a.headline);

    if !a.reasons.is_empty() {
        let _ = writeln!(out, "## Why\n");
        for r in &a.reasons {
            let _ = writeln!(
                out,
                "- **{}** ({}): {} _Sources: {}_",
                r.title,
                r.tier,
                r.advice,
                r.source.join(", ")
            );
        }
        out.push('\n');
    }
    if !a.see.is_empty() {
        let _ = writeln!(out, "## Whom to see\n");
        for s in &a.see {
            let _ = writeln!(out, "- {}, {}: {}", s.who, s.when.describe(), s.why);
        }
        out.push('\n');
    }
    if let Some(w) = &a.wait {
        let _ = writeln!(out, "## When to wait\n");
        if let (Some(days), Some(until)) = (w.days, w.until) {
            let _ = writeln!(out, "- At least {days} more days, until {until}.");
        }
        for e in &w.ends_when {
            let _ = writeln!(out, "- Ends when: {e}");
        }
        out.push('\n');
    }

    let _ = writeln!(out, "## For the therapist\n");
    let notes = &a.therapist;
    if let Some(p) = notes.max_pressure {
        let _ = writeln!(out, "- **Pressure:** {} at most", p.as_str());
    }
    if !notes.avoid_areas.is_empty() {
        let _ = writeln!(
            out,
            "- **Areas to avoid:** {}",
            notes.avoid_areas.join("; ")
        );
    }
    if !notes.products.is_empty() {
        let _ = writeln!(out, "- **Products:** {}", notes.products.join("; "));
    }
    if !notes.positioning.is_empty() {
        let _ = writeln!(out, "- **Positioning:** {}", notes.positioning.join("; "));
    }
    for t in &notes.tell_therapist {
        let _ = writeln!(out, "- {t}");
    }
    if a.show_techniques && !a.techniques.is_empty() {
        let suits: Vec<String> = a
            .techniques
            .iter()
            .take(3)
            .map(|t| format!("{} ({})", t.name, t.score))
            .collect();
        let _ = writeln!(out, "- **Techniques that suit best:** {}", suits.join(", "));
    }
    if !a.avoid.is_empty() {
        let avoid: Vec<&str> = a.avoid.iter().map(|t| t.name).collect();
        let _ = writeln!(out, "- **Techniques to avoid:** {}", avoid.join(", "));
    }
    out.push('\n');

    if !a.to_check.is_empty() {
        let _ = writeln!(out, "## Not answered, to check\n");
        for (q, _) in a.questions_to_check() {
            let _ = writeln!(out, "- {}", q.prompt);
        }
        out.push('\n');
    }

    if let Some(answers) = ctx.answers {
        let _ = writeln!(out, "## The answers\n");
        let _ = writeln!(out, "| Question | Answer |\n|---|---|");
        for (q, v) in ctx.book.questions.iter().zip(&answers.values) {
            if let Some(value) = display_value(q, *v) {
                let _ = writeln!(out, "| {} | {} |", escape(&q.prompt), escape(&value));
            }
        }
        out.push('\n');
    }
    let _ = writeln!(out, "---\n\n_{DISCLAIMER}_");
    out
}
