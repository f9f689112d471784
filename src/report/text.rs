//! The report for people: the verdict first, then why, then what to do. At the
//! emergency tier it is short, with the action last; otherwise it keeps what the person
//! reported apart from what they still need to settle.

use std::fmt::Write;

use super::view::{self, View, and_list, capitalise};
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
        styled: true,
    };
    w.verdict(a);
    w.out
}

/// `report` (a text report) with its verdict line again just before the disclaimer, for
/// a report longer than the terminal: the person is left looking at its end, and the
/// end must say what to do.
pub fn with_verdict_at_end(report: &str, a: &Assessment<'_>, width: usize) -> String {
    let Some(at) = report.rfind(DISCLAIMER.split(':').next().unwrap_or(DISCLAIMER)) else {
        return report.to_string();
    };
    let mut w = Writer {
        out: String::new(),
        width,
        styled: true,
    };
    w.verdict_after(a, "In short: ");
    format!("{}{}\n{}", &report[..at], w.out, &report[at..])
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

/// Appends `text` wrapped to `width`, first line after `first`, the rest indented to
/// `indent` spaces.
fn wrap_into(out: &mut String, first: &str, indent: usize, text: &str, width: usize) {
    let rest = " ".repeat(indent);
    // Break only at spaces, never inside a word, a hyphenated word or a URL.
    let options = textwrap::Options::new(width)
        .initial_indent(first)
        .subsequent_indent(&rest)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .break_words(false);
    for line in textwrap::wrap(text, options) {
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

struct Writer {
    out: String,
    width: usize,
    styled: bool,
}

impl Writer {
    /// Writes `text` wrapped to the width, first line after `first`, the rest indented
    /// to `indent` spaces.
    fn para(&mut self, first: &str, indent: usize, text: &str) {
        let width = self.width.max(20);
        // Most lines fit as they are; wrapping them anyway was a tenth of a `check`. The
        // result is what wrapping gives (a test compares the two).
        let fits = !text.is_empty()
            && !text.contains('\n')
            && textwrap::core::display_width(first) + textwrap::core::display_width(text) <= width;
        if fits {
            let _ = writeln!(self.out, "{}", format!("{first}{text}").trim_end());
        } else {
            wrap_into(&mut self.out, first, indent, text, width);
        }
    }

    fn heading(&mut self, title: &str) {
        if self.styled {
            let _ = writeln!(self.out, "\n{HEADING}{title}{HEADING:#}");
        } else {
            let _ = writeln!(self.out, "\n{title}");
        }
    }

    fn verdict(&mut self, a: &Assessment<'_>) {
        self.verdict_after(a, "");
    }

    /// The verdict line, wrapped after `lead` on its first line.
    fn verdict_after(&mut self, a: &Assessment<'_>, lead: &str) {
        let label = tier_label(a.tier);
        let verdict = if self.styled {
            let style = tier_style(a.tier);
            format!("{style}{label}{style:#}: {}", a.headline)
        } else {
            format!("{label}: {}", a.headline)
        };
        self.para(lead, 0, &verdict);
    }

    fn bullet(&mut self, text: &str) {
        self.para("  - ", 4, text);
    }
}

pub fn render(a: &Assessment<'_>, ctx: &Context<'_>) -> String {
    let mut w = Writer {
        out: String::new(),
        width: ctx.width,
        styled: ctx.styled,
    };
    w.verdict(a);
    if let Some(note) = view::lowering_note(ctx.book) {
        w.para("", 0, &note);
    }
    if let Some(id) = &a.id {
        w.para(
            "",
            0,
            &format!("Record: {}", crate::printable::printable(id)),
        );
    }
    let view = View::new(a, ctx.book);
    if a.tier == Tier::Emergency {
        emergency(&mut w, a, &view);
    } else {
        full(&mut w, a, ctx, &view);
    }
    explanation(&mut w, a);
    w.out.push('\n');
    w.para("", 0, DISCLAIMER);
    w.out
}

/// What to do now, and every sign the person gave, and nothing else.
fn emergency(w: &mut Writer, a: &Assessment<'_>, view: &View<'_>) {
    w.heading("What to do now");
    // One instruction: the most urgent place to go, in its rule's words.
    if let Some(s) = a.confirmed_referrals().next()
        && let Some(r) = view.why.iter().find(|r| r.rule == s.rule)
    {
        w.para("  ", 2, r.advice);
    }
    let signs: Vec<String> = view
        .why
        .iter()
        .map(|r| crate::engine::in_sentence(r.title))
        .collect();
    w.para(
        "  ",
        2,
        &format!("Tell them about every sign you have: {}.", signs.join("; ")),
    );
    w.para("  ", 2, "No massage of any kind.");
}

/// The report's sections in order, the same order as the Markdown summary.
fn full(w: &mut Writer, a: &Assessment<'_>, ctx: &Context<'_>, view: &View<'_>) {
    why(w, ctx, view);
    also_noted(w, ctx, view);
    whom_to_see(w, view);
    questions_to_settle(w, view);
    when_to_wait(w, a);
    techniques(w, a);
    avoid(w, a, view);
    therapist(w, a);
    care(w, a);
    safety_net(w, a);
    sources(w, ctx, view);
}

fn why(w: &mut Writer, ctx: &Context<'_>, view: &View<'_>) {
    w.heading("Why");
    if view.why.is_empty() {
        w.bullet(if view.unsettled.is_empty() {
            "None of the rulebook's red flags or contraindications apply to your answers."
        } else {
            "Some questions that matter are still open: settle them (below) before booking."
        });
    }
    for r in &view.why {
        w.bullet(&format!(
            "{}: {} {}",
            r.title,
            r.advice,
            view.source_numbers(r, ctx.book)
        ));
    }
}

fn also_noted(w: &mut Writer, ctx: &Context<'_>, view: &View<'_>) {
    if view.also.is_empty() {
        return;
    }
    w.heading("Also noted");
    for r in &view.also {
        w.bullet(&format!(
            "{}: {} {}",
            r.title,
            r.advice,
            view.source_numbers(r, ctx.book)
        ));
    }
}

fn whom_to_see(w: &mut Writer, view: &View<'_>) {
    if view.visits.is_empty() {
        return;
    }
    w.heading("Whom to see, and how soon");
    // With one place to go, the reasons are the ones under "Why"; with several, each
    // line says what it is for.
    let several = view.visits.len() > 1;
    for v in &view.visits {
        let mut line = format!("{}, {}", capitalise(v.who), v.when.describe());
        if several {
            line.push_str(&format!(": {}", v.why.join("; ")));
        }
        line.push('.');
        w.bullet(&line);
    }
}

fn questions_to_settle(w: &mut Writer, view: &View<'_>) {
    if view.unsettled.is_empty() {
        return;
    }
    w.heading("Questions to settle");
    for u in &view.unsettled {
        w.bullet(&format!("{}: {}", view::state_words(u.state), u.prompt));
        let mut then = capitalise(view::could_mean(u.could_mean));
        then.push('.');
        if let Some((who, when)) = u.meanwhile {
            then.push_str(&format!(" Until you know: {who}, {}.", when.describe()));
        }
        w.para("    ", 4, &then);
    }
}

fn when_to_wait(w: &mut Writer, a: &Assessment<'_>) {
    let Some(wait) = &a.wait else {
        return;
    };
    w.heading("When to wait");
    if let (Some(days), Some(until)) = (wait.days, wait.until) {
        let unit = if days == 1 { "day" } else { "days" };
        let from = if wait.counted_from_event {
            ""
        } else {
            " (counted from today)"
        };
        w.bullet(&format!(
            "At least {days} more {unit}, until {until}{from}."
        ));
    }
    for e in &wait.ends_when {
        w.bullet(&format!("Until {e}."));
    }
}

fn techniques(w: &mut Writer, a: &Assessment<'_>) {
    if a.no_massage || !a.show_techniques || a.techniques.is_empty() {
        return;
    }
    let arithmetic = view::explained(a);
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
        if !arithmetic {
            continue;
        }
        // With --explain the lines add up to the score: where it starts, then each change.
        w.para("       ", 7, &format!("{:>3} to start with", t.base_score));
        for r in &t.reasons {
            w.para("       ", 7, &format!("{:>+3} {}", r.delta, r.title));
        }
        let sum = i32::from(t.base_score) + t.reasons.iter().map(|r| r.delta).sum::<i32>();
        if sum != i32::from(t.score) {
            w.para(
                "       ",
                7,
                &format!("(kept within 0-100: {sum} counts as {})", t.score),
            );
        }
    }
}

fn avoid(w: &mut Writer, a: &Assessment<'_>, view: &View<'_>) {
    if a.no_massage {
        w.heading("Avoid");
        // The reasons are under "Why"; here only what they mean for massage.
        let precaution_only = view.avoid.iter().all(|g| g.because.is_empty());
        w.bullet(if precaution_only {
            "No massage of any kind until you have settled the questions above."
        } else {
            "No massage of any kind until you have been assessed."
        });
        return;
    }
    if view.avoid.is_empty() {
        return;
    }
    w.heading("Avoid");
    // The reasons are the ones above; a line only says whether it waits on a question.
    for g in &view.avoid {
        let until = if g.until_settled && g.because.is_empty() {
            ", until you have settled the questions above"
        } else {
            ""
        };
        w.bullet(&format!("{}{until}.", and_list(&g.names)));
    }
}

fn therapist(w: &mut Writer, a: &Assessment<'_>) {
    let notes = &a.therapist;
    if notes.is_empty() || !a.show_techniques || a.no_massage {
        return;
    }
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

fn care(w: &mut Writer, a: &Assessment<'_>) {
    if a.care.is_empty() {
        return;
    }
    w.heading("What helps meanwhile");
    for c in &a.care {
        w.bullet(&format!("{}: {}", c.name, c.advice));
    }
}

fn safety_net(w: &mut Writer, a: &Assessment<'_>) {
    if a.safety_net.is_empty() {
        return;
    }
    w.heading("If things change");
    for line in &a.safety_net {
        w.bullet(line);
    }
}

fn sources(w: &mut Writer, ctx: &Context<'_>, view: &View<'_>) {
    if !view.sources.is_empty() {
        w.heading("Sources");
        for c in &view.sources {
            let url = c.url.map_or(String::new(), |u| format!(" {u}"));
            w.para(
                &format!("  [{}] ", c.number),
                6,
                &format!("{}{url}", c.title),
            );
        }
    }
    w.out.push('\n');
    w.para(
        "",
        0,
        &format!(
            "Rulebook: {} {}. Assessed on {}.",
            ctx.book.meta.name, ctx.book.meta.version, ctx.date
        ),
    );
}

/// With `--explain`: every rule, in order, each condition with the answer it read.
fn explanation(w: &mut Writer, a: &Assessment<'_>) {
    if !a.trace.iter().any(|t| t.conditions.is_some()) {
        return;
    }
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
    let fired: Vec<&str> = a
        .trace
        .iter()
        .filter(|t| t.result == crate::engine::Truth::True)
        .map(|t| t.rule)
        .collect();
    w.para(
        "",
        0,
        &format!(
            "Rules applied: {}.",
            if fired.is_empty() {
                "none".to_string()
            } else {
                fired.join(", ")
            }
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line written without wrapping reads exactly as wrapping would have written it.
    #[test]
    fn a_line_that_fits_is_written_as_wrapping_would_write_it() {
        let cases = [
            ("  - ", ""),
            ("", ""),
            ("  ", "  leading spaces"),
            ("x ", "a  b   c"),
            ("  - ", "trailing   "),
            ("  - ", "exactly up to the width of twenty"),
            (
                "  1. ",
                "a line with a long URL https://www.nice.org.uk/guidance/ng59 in it",
            ),
            ("", "two\nlines"),
            ("  - ", "caf\u{e9} \u{2014} wide \u{4e2d}\u{6587} text"),
        ];
        for width in [20, 40, 80] {
            for (first, text) in cases {
                let mut w = Writer {
                    out: String::new(),
                    width,
                    styled: false,
                };
                w.para(first, 4, text);
                let mut wrapped = String::new();
                wrap_into(&mut wrapped, first, 4, text, width);
                assert_eq!(w.out, wrapped, "{first:?} {text:?} at {width}");
            }
        }
    }
}
