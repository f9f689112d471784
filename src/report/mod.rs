//! Turning an [`Assessment`] into output: one file per format. Reports only arrange
//! what the engine decided; they make no decisions of their own.

pub mod json;
pub mod text;

use crate::date::Date;
use crate::engine::Assessment;
use crate::rulebook::Rulebook;

/// Printed last in every human-readable report.
pub const DISCLAIMER: &str = "This is information, not a diagnosis: if you are worried about your back, talk to a clinician.";

/// The JSON report's schema version; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Output formats for one assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A report for people, readable at 80 columns.
    Text,
    /// One stable JSON object (see `schema_version`).
    Json,
}

/// What a report needs besides the assessment.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub book: &'a Rulebook,
    pub date: Date,
    /// Column width for text output.
    pub width: usize,
}

/// Renders one assessment; the result ends with a newline.
pub fn render(assessment: &Assessment<'_>, ctx: &Context<'_>, format: Format) -> String {
    match format {
        Format::Text => text::render(assessment, ctx),
        Format::Json => json::render(assessment, ctx),
    }
}
