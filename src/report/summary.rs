//! Batch summary: counts per tier, and every record that needs a clinician.

use std::fmt::Write;

use super::{BatchFormat, BatchItem, BatchRecord, Context};
use crate::rulebook::Tier;

/// How many records each list shows; the rest are counted, so memory stays flat
/// however many records need a clinician.
pub const LISTED: usize = 1000;

#[derive(Default)]
pub struct Summary {
    records: u64,
    invalid: u64,
    per_tier: [u64; 5],
    /// Records at `see_clinician` or stricter: label, tier, how soon (the first LISTED).
    clinician: Vec<(String, Tier, &'static str)>,
    clinician_count: u64,
    invalid_records: Vec<String>,
}

impl BatchFormat for Summary {
    fn item(&mut self, record: &BatchRecord<'_, '_>, _ctx: &Context<'_>, _out: &mut Vec<u8>) {
        self.records += 1;
        match &record.item {
            BatchItem::Assessed(a) => {
                self.per_tier[a.tier as usize] += 1;
                if a.tier >= Tier::SeeClinician {
                    self.clinician_count += 1;
                    if self.clinician.len() < LISTED {
                        let when = a.see.first().map_or("", |s| s.when.describe());
                        self.clinician.push((record.label(), a.tier, when));
                    }
                }
            }
            BatchItem::Invalid { .. } => {
                self.invalid += 1;
                if self.invalid_records.len() < LISTED {
                    self.invalid_records.push(record.label());
                }
            }
        }
    }

    fn end(&mut self, out: &mut Vec<u8>) {
        let mut text = String::new();
        let _ = writeln!(text, "records: {}", self.records);
        for tier in Tier::ALL {
            let _ = writeln!(text, "{tier}: {}", self.per_tier[tier as usize]);
        }
        let _ = writeln!(text, "invalid: {}", self.invalid);
        let _ = writeln!(text, "needs a clinician: {}", self.clinician_count);
        for (label, tier, when) in &self.clinician {
            let _ = writeln!(text, "  {label}: {tier}, {when}");
        }
        more(&mut text, self.clinician_count, self.clinician.len());
        if !self.invalid_records.is_empty() {
            let _ = writeln!(text, "invalid records:");
            for label in &self.invalid_records {
                let _ = writeln!(text, "  {label}");
            }
            more(&mut text, self.invalid, self.invalid_records.len());
        }
        out.extend_from_slice(text.as_bytes());
    }
}

fn more(text: &mut String, total: u64, listed: usize) {
    let rest = total.saturating_sub(listed as u64);
    if rest > 0 {
        let _ = writeln!(text, "  and {rest} more");
    }
}
