//! `massage-check template`: a commented answers file with every question, ready to fill
//! in and pass to `check`.
//! Must not hold question text of its own: everything comes from the rulebook.

use std::fmt::Write;

use crate::answers;
use crate::rulebook::{QuestionType, Rulebook};

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
