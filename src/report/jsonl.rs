//! Batch JSON Lines: one object per record, in input order.
//!
//! By default each line is a brief result whose fields have the names and shapes of the
//! `check --format json` report (`tier`, `techniques`, `avoid`, `wait`, `see`, `to_check`)
//! but without the prose; `--full` writes the whole report on each line instead. An
//! invalid record gets `"tier": null` and an `errors` list.

use serde::Serialize;

use super::{BatchFormat, BatchItem, BatchRecord, Context, SCHEMA_VERSION, json};
use crate::date::Date;
use crate::rulebook::{Tier, Urgency};

/// How many top techniques a brief line lists.
pub const TOP_TECHNIQUES: usize = 3;

pub struct JsonLines {
    pub full: bool,
}

#[derive(Serialize)]
struct Line<'a> {
    schema_version: u32,
    record: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    tier: Option<Tier>,
    techniques: Vec<TechniqueBrief<'a>>,
    avoid: Vec<&'a str>,
    wait: Option<WaitBrief>,
    see: Vec<SeeBrief<'a>>,
    to_check: Vec<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [crate::answers::AnswerProblem],
}

#[derive(Serialize)]
struct TechniqueBrief<'a> {
    id: &'a str,
    score: u8,
}

#[derive(Serialize)]
struct WaitBrief {
    days: Option<u32>,
    until: Option<Date>,
}

#[derive(Serialize)]
struct SeeBrief<'a> {
    who: &'a str,
    when: Urgency,
}

impl BatchFormat for JsonLines {
    fn item(&mut self, record: &BatchRecord<'_, '_>, ctx: &Context<'_>, out: &mut Vec<u8>) {
        let line = match &record.item {
            BatchItem::Assessed(a) if self.full => {
                json::render_line(a, record.number, ctx, out);
                return;
            }
            BatchItem::Assessed(a) => {
                let to_check: Vec<&str> = a
                    .questions_to_check()
                    .into_iter()
                    .map(|(q, _)| q.id)
                    .collect();
                let mut see: Vec<SeeBrief<'_>> = Vec::new();
                for s in &a.see {
                    if !see.iter().any(|b| b.who == s.who && b.when == s.when) {
                        see.push(SeeBrief {
                            who: s.who,
                            when: s.when,
                        });
                    }
                }
                Line {
                    schema_version: SCHEMA_VERSION,
                    record: record.number,
                    id: a.id.as_deref(),
                    tier: Some(a.tier),
                    techniques: if a.show_techniques {
                        a.techniques
                            .iter()
                            .take(TOP_TECHNIQUES)
                            .map(|t| TechniqueBrief {
                                id: t.id,
                                score: t.score,
                            })
                            .collect()
                    } else {
                        Vec::new()
                    },
                    avoid: a.avoid.iter().map(|t| t.id).collect(),
                    wait: a.wait.as_ref().map(|w| WaitBrief {
                        days: w.days,
                        until: w.until,
                    }),
                    see,
                    to_check,
                    errors: &[],
                }
            }
            BatchItem::Invalid { id, problems } => Line {
                schema_version: SCHEMA_VERSION,
                record: record.number,
                id: *id,
                tier: None,
                techniques: Vec::new(),
                avoid: Vec::new(),
                wait: None,
                see: Vec::new(),
                to_check: Vec::new(),
                errors: problems,
            },
        };
        if serde_json::to_writer(&mut *out, &line).is_ok() {
            out.push(b'\n');
        }
    }
}
