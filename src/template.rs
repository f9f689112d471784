//! `massage-check template`: a commented answers file with every question, ready to fill
//! in and pass to `check`; the CSV header row `batch` reads; or the questions as a plain
//! list to build a clinic's intake form from.
//! Must not hold question text of its own: everything comes from the rulebook.

use std::fmt::Write;

use crate::answers;
use crate::rulebook::{QuestionType, Rulebook};

/// What `template` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TemplateFormat {
    /// A commented answers file (YAML).
    Yaml,
    /// The header row of a batch CSV.
    Csv,
    /// The questions as a plain list for a form builder.
    Form,
    /// A column map for `batch --columns` to start from.
    Columns,
}

/// The template in `format`.
pub fn render_as(book: &Rulebook, format: TemplateFormat) -> String {
    match format {
        TemplateFormat::Yaml => render(book),
        TemplateFormat::Csv => csv_header(book),
        TemplateFormat::Form => form(book),
        TemplateFormat::Columns => answers::column_map::starting_map(book),
    }
}

/// `id` and every question id, comma-separated (ids hold no commas or quotes).
fn csv_header(book: &Rulebook) -> String {
    let ids: Vec<&str> = std::iter::once("id")
        .chain(book.questions.iter().map(|q| q.id.as_str()))
        .collect();
    format!("{}\n", ids.join(","))
}

/// Every question as a form builder wants it: the text to use (a form export headed by it
/// is read by `batch`), the help, the answers as labels, and when it is asked.
fn form(book: &Rulebook) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Questions of {} {}, in order.\n\
         Use each question's text as written and each choice's label: `massage-check batch`\n\
         reads a form export headed by these texts.\n",
        book.meta.name, book.meta.version
    );
    for (i, q) in book.questions.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", i + 1, q.prompt);
        if !q.help.is_empty() {
            let _ = writeln!(out, "   Help: {}", q.help);
        }
        let kind = match q.kind {
            QuestionType::SeveralOf => "checkboxes (pick all that apply)".to_string(),
            QuestionType::OneOf | QuestionType::YesNo => "multiple choice (pick one)".to_string(),
            QuestionType::Number | QuestionType::Scale => {
                format!("short answer: {}", answers::allowed(q))
            }
        };
        let _ = writeln!(out, "   Type: {kind}");
        let labels: Vec<&str> = if q.kind == QuestionType::YesNo {
            vec!["Yes", "No"]
        } else {
            q.choices.iter().map(|c| c.label.as_str()).collect()
        };
        for label in labels {
            let _ = writeln!(out, "   - {label}");
        }
        if q.kind == QuestionType::SeveralOf {
            let _ = writeln!(out, "   - None of these");
        }
        if q.allow_unknown && !matches!(q.kind, QuestionType::Number | QuestionType::Scale) {
            let _ = writeln!(out, "   - Not sure");
        }
        if let Some(ask_if) = &q.ask_if {
            let _ = writeln!(out, "   Only when: {ask_if}");
        }
        out.push('\n');
    }
    out
}

pub fn render(book: &Rulebook) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# massage-check answers ({} {})\n\
         # Fill in the answers after the colons and run: massage-check check THIS_FILE\n\
         # An answer left empty counts as not answered, which is never read as \"no\":\n\
         # a red-flag question left empty is listed under \"Questions to settle\" in the report.\n\
         # This is information, not a diagnosis.\n",
        book.meta.name, book.meta.version
    );
    for (i, q) in book.questions.iter().enumerate() {
        let _ = writeln!(out, "# {}. {}", i + 1, q.prompt);
        if !q.help.is_empty() {
            let _ = writeln!(out, "#    {}", q.help);
        }
        let _ = writeln!(out, "#    Answer: {}", answers::allowed(q));
        if matches!(q.kind, QuestionType::OneOf | QuestionType::SeveralOf) {
            for c in &q.choices {
                let _ = writeln!(out, "#      {:<26} {}", c.id, c.label);
            }
        }
        if let Some(ask_if) = &q.ask_if {
            let _ = writeln!(out, "#    Only when: {ask_if}; otherwise leave it empty.");
        }
        let _ = writeln!(out, "{}:\n", q.id);
    }
    out
}
