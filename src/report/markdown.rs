//! A Markdown summary a person can print or send to their therapist or doctor: the
//! verdict, why, what to do, what to tell the therapist, the answers in words, the
//! sources and the disclaimer. It says what the text report says, from the same view.

use std::fmt::Write;

use super::view::{self, View, and_list, capitalise};
use super::{Context, DISCLAIMER};
use crate::engine::{Assessment, Reason};
use crate::rulebook::Tier;

/// Text from answers or a rulebook, made safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

pub fn render(a: &Assessment<'_>, ctx: &Context<'_>) -> String {
    let book = ctx.book;
    let view = View::new(a, book);
    let mut out = String::new();
    heading(&mut out, a, ctx);
    if a.tier == Tier::Emergency {
        what_to_do_now(&mut out, a, &view);
        let _ = writeln!(out, "\n---\n\n_{DISCLAIMER}_");
        return out;
    }
    // The sections in the text report's order.
    why(&mut out, ctx, &view);
    also_noted(&mut out, ctx, &view);
    whom_to_see(&mut out, &view);
    questions_to_settle(&mut out, &view);
    when_to_wait(&mut out, a);
    for_the_therapist(&mut out, a, &view);
    care(&mut out, a);
    safety_net(&mut out, a);
    answers(&mut out, ctx);
    sources(&mut out, &view);
    let _ = writeln!(out, "---\n\n_{DISCLAIMER}_");
    out
}

/// The title, date and rulebook, the headline, and a note when the rulebook lowers a
/// built-in safety rule.
fn heading(out: &mut String, a: &Assessment<'_>, ctx: &Context<'_>) {
    let book = ctx.book;
    let label = super::text::tier_label(a.tier);
    let _ = writeln!(out, "# Massage check: {label}\n");
    let _ = writeln!(
        out,
        "Date: {} · Rulebook: {} {}\n",
        ctx.date, book.meta.name, book.meta.version
    );
    let _ = writeln!(out, "**{}**\n", a.headline);
    if let Some(note) = view::lowering_note(book) {
        let _ = writeln!(out, "> {}\n", cell(&note));
    }
}

/// An emergency: what to do, which signs to mention, and no massage; nothing else.
fn what_to_do_now(out: &mut String, a: &Assessment<'_>, view: &View<'_>) {
    let _ = writeln!(out, "## What to do now\n");
    if let Some(s) = a.confirmed_referrals().next()
        && let Some(r) = view.why.iter().find(|r| r.rule == s.rule)
    {
        let _ = writeln!(out, "- {}", r.advice);
    }
    let signs: Vec<String> = view
        .why
        .iter()
        .map(|r| crate::engine::in_sentence(r.title))
        .collect();
    let _ = writeln!(
        out,
        "- Tell them about every sign you have: {}.\n- No massage of any kind.",
        signs.join("; ")
    );
}

fn why(out: &mut String, ctx: &Context<'_>, view: &View<'_>) {
    let _ = writeln!(out, "## Why\n");
    if view.why.is_empty() {
        let _ = writeln!(
            out,
            "- None of the rulebook's red flags or contraindications apply to these answers."
        );
    }
    reason_bullets(out, ctx, view, &view.why);
}

fn also_noted(out: &mut String, ctx: &Context<'_>, view: &View<'_>) {
    if view.also.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Also noted\n");
    reason_bullets(out, ctx, view, &view.also);
}

/// Each reason in bold with its source numbers and advice.
fn reason_bullets(out: &mut String, ctx: &Context<'_>, view: &View<'_>, reasons: &[&Reason<'_>]) {
    for r in reasons {
        let _ = writeln!(
            out,
            "- **{}** {}: {}",
            r.title,
            view.source_numbers(r, ctx.book),
            r.advice
        );
    }
    out.push('\n');
}

fn whom_to_see(out: &mut String, view: &View<'_>) {
    if view.visits.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Whom to see\n");
    let several = view.visits.len() > 1;
    for v in &view.visits {
        let why = if several {
            format!(": {}", v.why.join("; "))
        } else {
            String::new()
        };
        let _ = writeln!(out, "- {}, {}{why}", capitalise(v.who), v.when.describe(),);
    }
    out.push('\n');
}

fn questions_to_settle(out: &mut String, view: &View<'_>) {
    if view.unsettled.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Questions to settle\n");
    for u in &view.unsettled {
        let meanwhile = u.meanwhile.map_or(String::new(), |(who, when)| {
            format!(" Until you know: {who}, {}.", when.describe())
        });
        let _ = writeln!(
            out,
            "- {}: {} ({}.{meanwhile})",
            view::state_words(u.state),
            u.prompt,
            view::could_mean(u.could_mean)
        );
    }
    out.push('\n');
}

fn when_to_wait(out: &mut String, a: &Assessment<'_>) {
    let Some(w) = &a.wait else {
        return;
    };
    let _ = writeln!(out, "## When to wait\n");
    if let (Some(days), Some(until)) = (w.days, w.until) {
        let _ = writeln!(out, "- At least {days} more days, until {until}.");
    }
    for e in &w.ends_when {
        let _ = writeln!(out, "- Until {e}.");
    }
    out.push('\n');
}

/// The therapist's notes and the techniques, or that no massage is advised.
fn for_the_therapist(out: &mut String, a: &Assessment<'_>, view: &View<'_>) {
    if a.no_massage {
        let _ = writeln!(
            out,
            "## Avoid\n\n- No massage of any kind until assessed.\n"
        );
        return;
    }
    if !a.show_techniques {
        return;
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
    let suits: Vec<String> = a
        .techniques
        .iter()
        .take(3)
        .map(|t| format!("{} ({}/100)", t.name, t.score))
        .collect();
    if !suits.is_empty() {
        let _ = writeln!(out, "- **Techniques that suit best:** {}", suits.join(", "));
    }
    for g in &view.avoid {
        let until = if g.until_settled && g.because.is_empty() {
            " (until the questions above are settled)"
        } else {
            ""
        };
        let _ = writeln!(out, "- **Avoid:** {}{until}", and_list(&g.names));
    }
    out.push('\n');
}

fn care(out: &mut String, a: &Assessment<'_>) {
    if a.care.is_empty() {
        return;
    }
    let _ = writeln!(out, "## What helps meanwhile\n");
    for c in &a.care {
        let _ = writeln!(out, "- **{}:** {}", c.name, c.advice);
    }
    out.push('\n');
}

fn safety_net(out: &mut String, a: &Assessment<'_>) {
    if a.safety_net.is_empty() {
        return;
    }
    let _ = writeln!(out, "## If things change\n");
    for line in &a.safety_net {
        let _ = writeln!(out, "- {line}");
    }
    out.push('\n');
}

/// The answers in words, as a table.
fn answers(out: &mut String, ctx: &Context<'_>) {
    let Some(answers) = ctx.answers else {
        return;
    };
    let _ = writeln!(out, "## The answers\n");
    let _ = writeln!(out, "| Question | Answer |\n|---|---|");
    for (q, v) in ctx.book.questions.iter().zip(&answers.values) {
        if let Some(value) = view::answer_words(q, *v) {
            let _ = writeln!(out, "| {} | {} |", cell(&q.prompt), cell(&value));
        }
    }
    out.push('\n');
}

fn sources(out: &mut String, view: &View<'_>) {
    if view.sources.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Sources\n");
    for c in &view.sources {
        let url = c.url.map_or(String::new(), |u| format!(" <{u}>"));
        let _ = writeln!(out, "{}. {}{url}", c.number, c.title);
    }
    out.push('\n');
}
