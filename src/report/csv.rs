//! Batch CSV: one row per record with fixed columns, lists joined with `;`.

use super::jsonl::TOP_TECHNIQUES;
use super::{BatchFormat, BatchItem, BatchRecord, Context};

pub const COLUMNS: &[&str] = &[
    "record",
    "id",
    "tier",
    "techniques",
    "avoid",
    "wait_days",
    "wait_until",
    "see",
    "to_check",
    "errors",
];

pub struct CsvRows;

/// Appends one CSV field, quoted when it holds a separator, quote or line break. A field
/// that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return; an id comes from the input) is written as text with a leading `'`, as
/// spreadsheet guidance (OWASP, CSV injection) recommends, and control characters are
/// escaped as in every other format.
fn field(out: &mut Vec<u8>, value: &str, last: bool) {
    let formula = matches!(
        value.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    let escaped = crate::printable::printable(value);
    let guarded;
    let value: &str = if formula {
        guarded = format!("'{escaped}");
        &guarded
    } else {
        &escaped
    };
    if value.contains([',', '"', '\n', '\r']) {
        out.push(b'"');
        out.extend_from_slice(value.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(value.as_bytes());
    }
    out.extend_from_slice(if last { b"\n" } else { b"," });
}

impl BatchFormat for CsvRows {
    fn fork(&self) -> Option<Box<dyn BatchFormat + Send>> {
        Some(Box::new(CsvRows))
    }

    fn begin(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(COLUMNS.join(",").as_bytes());
        out.push(b'\n');
    }

    fn item(&mut self, record: &BatchRecord<'_, '_>, _ctx: &Context<'_>, out: &mut Vec<u8>) {
        field(out, &record.number.to_string(), false);
        field(out, record.id().unwrap_or(""), false);
        match &record.item {
            BatchItem::Assessed(a) => {
                field(out, a.tier.as_str(), false);
                // `id:score`, as the JSON Lines result carries both.
                let top: Vec<String> = a
                    .techniques
                    .iter()
                    .take(TOP_TECHNIQUES)
                    .map(|t| format!("{}:{}", t.id, t.score))
                    .collect();
                field(out, &top.join(";"), false);
                let avoid: Vec<&str> = a.avoid.iter().map(|t| t.id).collect();
                field(out, &avoid.join(";"), false);
                let (days, until) = match &a.wait {
                    Some(w) => (
                        w.days.map_or("open".to_string(), |d| d.to_string()),
                        w.until.map_or(String::new(), |d| d.to_string()),
                    ),
                    None => (String::new(), String::new()),
                };
                field(out, &days, false);
                field(out, &until, false);
                // Every referral, as in JSON Lines: `who (when)`, precautions marked.
                let see: Vec<String> = super::brief_referrals(a)
                    .iter()
                    .map(|s| {
                        let precaution = if s.precaution { ", precaution" } else { "" };
                        format!("{} ({}{precaution})", s.who, s.when.as_str())
                    })
                    .collect();
                field(out, &see.join("; "), false);
                let checks: Vec<&str> = a
                    .questions_to_check()
                    .into_iter()
                    .map(|(q, _)| q.id)
                    .collect();
                field(out, &checks.join(";"), false);
                field(out, "", true);
            }
            BatchItem::Invalid { problems, .. } => {
                for _ in 0..7 {
                    field(out, "", false);
                }
                let errors: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
                field(out, &errors.join("; "), true);
            }
        }
    }
}
