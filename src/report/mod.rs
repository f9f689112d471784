//! Turning an [`Assessment`] into output: one file per format. Reports only arrange
//! what the engine decided; they make no decisions of their own.
//! Must not decide anything the engine did not.

pub mod csv;
pub mod json;
pub mod jsonl;
pub mod markdown;
pub mod summary;
pub mod text;
pub mod view;

use crate::answers::AnswerProblem;
use crate::date::Date;
use crate::engine::{Assessment, Detail};
use crate::rulebook::Rulebook;

/// Printed last in every human-readable report.
pub const DISCLAIMER: &str = "This is information, not a diagnosis: if you are worried about your back, talk to a clinician.";

/// The JSON report's schema version; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 2;

/// Output formats for one assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A report for people, wrapped to the terminal's width (80 columns in a pipe).
    Text,
    /// One stable JSON object (see `schema_version`).
    Json,
    /// A summary to print or send to a therapist or doctor.
    Markdown,
}

/// What a report needs besides the assessment.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub book: &'a Rulebook,
    pub date: Date,
    /// Column width for text output.
    pub width: usize,
    /// The answers assessed, for reports that list them (markdown).
    pub answers: Option<&'a crate::answers::Answers>,
    /// Whether the text report marks the verdict and headings with styles (colour, bold);
    /// where they cannot be shown they are removed on the way out (anstream), and a
    /// caller that wants plain text can ask for none.
    pub styled: bool,
}

/// Renders one assessment; the result ends with a newline.
pub fn render(assessment: &Assessment<'_>, ctx: &Context<'_>, format: Format) -> String {
    match format {
        Format::Text => text::render(assessment, ctx),
        Format::Json => json::render(assessment, ctx),
        Format::Markdown => markdown::render(assessment, ctx),
    }
}

/// The referrals a brief batch line carries, most urgent first, each clinician and
/// urgency once (two rules may send the person to the same place as urgently).
pub fn brief_referrals<'a>(a: &'a Assessment<'a>) -> Vec<&'a crate::engine::Referral<'a>> {
    let mut out: Vec<&crate::engine::Referral<'_>> = Vec::new();
    for s in &a.see {
        if !out
            .iter()
            .any(|b| b.who == s.who && b.when == s.when && b.precaution == s.precaution)
        {
            out.push(s);
        }
    }
    out
}

/// One batch result: an assessment, or the problems that kept a record from one.
pub enum BatchItem<'r, 'a> {
    Assessed(&'r Assessment<'a>),
    Invalid {
        id: Option<&'r str>,
        problems: &'r [AnswerProblem],
    },
}

/// A batch result with where its record was in the input.
pub struct BatchRecord<'r, 'a> {
    /// Line or document number, from 1.
    pub number: u64,
    /// `line` or `document`.
    pub unit: &'static str,
    pub item: BatchItem<'r, 'a>,
}

impl BatchRecord<'_, '_> {
    pub fn id(&self) -> Option<&str> {
        match &self.item {
            BatchItem::Assessed(a) => a.id.as_deref(),
            BatchItem::Invalid { id, .. } => *id,
        }
    }

    /// `line 12`, or `line 12 (id p-7)` when the record names itself.
    /// For people: the id shown escaped and cut to 64 characters.
    pub fn label(&self) -> String {
        match self.id() {
            Some(id) => {
                let shown: String = id.chars().take(64).collect();
                let more = if shown.len() < id.len() { "..." } else { "" };
                format!(
                    "{} {} (id {}{more})",
                    self.unit,
                    self.number,
                    crate::printable::printable(&shown)
                )
            }
            None => format!("{} {}", self.unit, self.number),
        }
    }
}

/// A batch output format: appends each result to `out` as it comes.
pub trait BatchFormat {
    /// How much of each assessment this format shows; brief formats spare the engine
    /// gathering explanations nobody reads.
    fn detail(&self) -> Detail {
        Detail::Brief
    }
    fn begin(&mut self, _out: &mut Vec<u8>) {}
    fn item(&mut self, record: &BatchRecord<'_, '_>, ctx: &Context<'_>, out: &mut Vec<u8>);
    fn end(&mut self, _out: &mut Vec<u8>) {}
    /// A copy for another thread, for a format whose output for a record depends on that
    /// record alone: then several threads assess and write records at once. `None` (a
    /// format that gathers across records) keeps every record on one thread.
    fn fork(&self) -> Option<Box<dyn BatchFormat + Send>> {
        None
    }
}

/// Output formats for `batch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BatchOutput {
    /// One JSON object per line, per record, in input order.
    Jsonl,
    /// One CSV row per record with fixed columns.
    Csv,
    /// Counts per tier and the records that need a clinician.
    Summary,
    /// One Markdown summary per record into --output-dir, and the summary on stdout.
    Markdown,
}

impl BatchOutput {
    pub fn formatter(self, full: bool) -> Box<dyn BatchFormat> {
        match self {
            BatchOutput::Jsonl => Box::new(jsonl::JsonLines { full }),
            BatchOutput::Csv => Box::new(csv::CsvRows),
            // The summary table goes to stdout; the per-record files are written by the
            // caller (`app`), which wraps this.
            BatchOutput::Summary | BatchOutput::Markdown => Box::new(summary::Summary::default()),
        }
    }
}
