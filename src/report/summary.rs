//! Batch summary: counts per tier, and every record that needs a clinician.

use std::fmt::Write;

use super::{BatchFormat, BatchItem, BatchRecord, Context};
use crate::rulebook::Tier;

#[derive(Default)]
pub struct Summary {
    records: u64,
    invalid: u64,
    per_tier: [u64; 5],
    /// Records at `see_clinician` or stricter: label, tier, how soon.
    clinician: Vec<(String, Tier, &'static str)>,
    invalid_records: Vec<String>,
}

impl BatchFormat for Summary {
    fn item(&mut self, record: &BatchRecord<'_, '_>, _ctx: &Context<'_>, _out: &mut Vec<u8>) {
        self.records += 1;
        match &record.item {
            BatchItem::Assessed(a) => {
                self.per_tier[a.tier as usize] += 1;
                if a.tier >= Tier::SeeClinician {
                    let when = a.see.first().map_or("", |s| s.when.describe());
                    self.clinician.push((record.label(), a.tier, when));
                }
            }
            BatchItem::Invalid { .. } => {
                self.invalid += 1;
                self.invalid_records.push(record.label());
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
        let _ = writeln!(text, "needs a clinician: {}", self.clinician.len());
        for (label, tier, when) in &self.clinician {
            let _ = writeln!(text, "  {label}: {tier}, {when}");
        }
        if !self.invalid_records.is_empty() {
            let _ = writeln!(text, "invalid records:");
            for label in &self.invalid_records {
                let _ = writeln!(text, "  {label}");
            }
        }
        out.extend_from_slice(text.as_bytes());
    }
}
