//! Batch summary: counts per tier, and every record that needs a clinician.
//!
//! Records that need care now or today (every emergency, every `now` or `today` referral)
//! are listed in full, however many there are: they are few, and they are why anyone reads
//! the summary. The calmer lists are capped so memory stays flat on a huge batch.

use std::fmt::Write;

use super::{BatchFormat, BatchItem, BatchRecord, Context};
use crate::rulebook::{Tier, Urgency};

/// How many records each capped list shows; the rest are counted.
pub const LISTED: usize = 1000;

/// A record that needs a clinician: label, tier, how soon.
type Listed = (String, Tier, &'static str);

#[derive(Default)]
pub struct Summary {
    records: u64,
    invalid: u64,
    per_tier: [u64; 5],
    /// Emergencies and `now`/`today` referrals: every one.
    urgent: Vec<Listed>,
    /// Referrals within days or before booking: the first LISTED.
    calm: Vec<Listed>,
    calm_count: u64,
    invalid_records: Vec<String>,
}

impl BatchFormat for Summary {
    fn item(&mut self, record: &BatchRecord<'_, '_>, _ctx: &Context<'_>, _out: &mut Vec<u8>) {
        self.records += 1;
        match &record.item {
            BatchItem::Assessed(a) => {
                self.per_tier[a.tier as usize] += 1;
                if a.tier >= Tier::SeeClinician {
                    let urgency = a.see.first().map(|s| s.when);
                    let when = urgency.map_or("", |u| u.describe());
                    let listed = (record.label(), a.tier, when);
                    if a.tier == Tier::Emergency || urgency >= Some(Urgency::Today) {
                        self.urgent.push(listed);
                    } else {
                        self.calm_count += 1;
                        if self.calm.len() < LISTED {
                            self.calm.push(listed);
                        }
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
        let _ = writeln!(text, "needs care now or today: {}", self.urgent.len());
        list(&mut text, &self.urgent);
        let _ = writeln!(
            text,
            "needs a clinician within days or before booking: {}",
            self.calm_count
        );
        list(&mut text, &self.calm);
        more(&mut text, self.calm_count, self.calm.len());
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

fn list(text: &mut String, records: &[Listed]) {
    for (label, tier, when) in records {
        let _ = writeln!(text, "  {label}: {tier}, {when}");
    }
}

fn more(text: &mut String, total: u64, listed: usize) {
    let rest = total.saturating_sub(listed as u64);
    if rest > 0 {
        let _ = writeln!(
            text,
            "  and {rest} more (`--format jsonl` writes every record)"
        );
    }
}
