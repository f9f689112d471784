//! The JSON report: one object per assessment, documented in the README. Field order
//! is fixed by the struct, so output is byte-identical for identical input.

use schemars::JsonSchema;
use serde::Serialize;

use super::{Context, DISCLAIMER, SCHEMA_VERSION};
use crate::date::Date;
use crate::engine::Assessment;

#[derive(Serialize, JsonSchema)]
pub struct JsonReport<'a> {
    pub schema_version: u32,
    pub tool_version: &'static str,
    pub rulebook: RulebookInfo<'a>,
    pub date: Date,
    /// The record's line or document number (batch only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
    #[serde(flatten)]
    pub assessment: &'a Assessment<'a>,
    pub disclaimer: &'static str,
}

#[derive(Serialize, JsonSchema)]
pub struct RulebookInfo<'a> {
    pub name: &'a str,
    pub version: &'a str,
    /// Built-in safety rules this rulebook lowers, with the reasons it gives.
    pub lowers: &'a [crate::rulebook::Lowered],
}

impl<'a> JsonReport<'a> {
    pub fn new(assessment: &'a Assessment<'a>, ctx: &Context<'a>) -> JsonReport<'a> {
        JsonReport {
            schema_version: SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION"),
            rulebook: RulebookInfo {
                name: &ctx.book.meta.name,
                version: &ctx.book.meta.version,
                lowers: &ctx.book.meta.lowers,
            },
            date: ctx.date,
            record: None,
            assessment,
            disclaimer: DISCLAIMER,
        }
    }
}

/// Pretty-printed JSON with a trailing newline.
pub fn render(assessment: &Assessment<'_>, ctx: &Context<'_>) -> String {
    let report = JsonReport::new(assessment, ctx);
    // Serializing plain structs of strings and numbers into a String cannot fail.
    let mut out = serde_json::to_string_pretty(&report).unwrap_or_default();
    out.push('\n');
    out
}

/// The whole report on one line (for `batch --full`), with a trailing newline.
pub fn render_line(assessment: &Assessment<'_>, record: u64, ctx: &Context<'_>, out: &mut Vec<u8>) {
    let mut report = JsonReport::new(assessment, ctx);
    report.record = Some(record);
    if serde_json::to_writer(&mut *out, &report).is_ok() {
        out.push(b'\n');
    }
}
