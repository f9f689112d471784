//! Batch JSON Lines: one object per record, in input order.
//!
//! By default each line is a brief result whose fields have the names and shapes of the
//! `check --format json` report (`tier`, `techniques`, `avoid`, `wait`, `see`, `to_check`)
//! but without the prose; `--full` writes the whole report on each line instead. An
//! invalid record gets `"tier": null` and an `errors` list.

use std::io::Write;

use serde::Serialize;

use super::{BatchFormat, BatchItem, BatchRecord, Context, SCHEMA_VERSION, json};
use crate::date::Date;
use crate::engine::{Assessment, Detail};
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
    precaution: bool,
}

impl BatchFormat for JsonLines {
    fn fork(&self) -> Option<Box<dyn BatchFormat + Send>> {
        Some(Box::new(JsonLines { full: self.full }))
    }

    fn detail(&self) -> Detail {
        if self.full {
            Detail::Full
        } else {
            Detail::Brief
        }
    }

    fn item(&mut self, record: &BatchRecord<'_, '_>, ctx: &Context<'_>, out: &mut Vec<u8>) {
        match &record.item {
            BatchItem::Assessed(a) if self.full => json::render_line(a, record.number, ctx, out),
            BatchItem::Assessed(a) => brief(a, record.number, out),
            BatchItem::Invalid { id, problems } => {
                let line = Line {
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
                };
                if serde_json::to_writer(&mut *out, &line).is_ok() {
                    out.push(b'\n');
                }
            }
        }
    }
}

/// Writes a brief line by hand: it is most of a batch run's output, and writing it
/// field by field costs a fraction of serializing the [`Line`] it spells out. A test
/// checks it against `Line` serialized by serde_json.
fn brief(a: &Assessment<'_>, record: u64, out: &mut Vec<u8>) {
    let mut numbers = itoa::Buffer::new();
    out.extend_from_slice(b"{\"schema_version\":");
    out.extend_from_slice(numbers.format(SCHEMA_VERSION).as_bytes());
    out.extend_from_slice(b",\"record\":");
    out.extend_from_slice(numbers.format(record).as_bytes());
    if let Some(id) = &a.id {
        out.extend_from_slice(b",\"id\":");
        string(id, out);
    }
    out.extend_from_slice(b",\"tier\":");
    ident(a.tier.as_str(), out);
    out.extend_from_slice(b",\"techniques\":[");
    if a.show_techniques {
        for (i, t) in a.techniques.iter().take(TOP_TECHNIQUES).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"id\":");
            ident(t.id, out);
            out.extend_from_slice(b",\"score\":");
            out.extend_from_slice(numbers.format(t.score).as_bytes());
            out.push(b'}');
        }
    }
    out.extend_from_slice(b"],\"avoid\":[");
    list(a.avoid.iter().map(|t| t.id), out);
    out.extend_from_slice(b"],\"wait\":");
    match &a.wait {
        None => out.extend_from_slice(b"null"),
        Some(w) => {
            out.extend_from_slice(b"{\"days\":");
            match w.days {
                Some(days) => out.extend_from_slice(numbers.format(days).as_bytes()),
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b",\"until\":");
            match w.until {
                Some(date) => {
                    let _ = write!(out, "\"{date}\"");
                }
                None => out.extend_from_slice(b"null"),
            }
            out.push(b'}');
        }
    }
    out.extend_from_slice(b",\"see\":[");
    for (i, s) in super::brief_referrals(a).into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"who\":");
        string(s.who, out);
        out.extend_from_slice(b",\"when\":");
        ident(s.when.as_str(), out);
        out.extend_from_slice(if s.precaution {
            b",\"precaution\":true}"
        } else {
            b",\"precaution\":false}"
        });
    }
    out.extend_from_slice(b"],\"to_check\":[");
    if !a.to_check.is_empty() {
        list(a.questions_to_check().into_iter().map(|(q, _)| q.id), out);
    }
    out.extend_from_slice(b"]}\n");
}

/// A list of identifiers.
fn list<'s>(items: impl Iterator<Item = &'s str>, out: &mut Vec<u8>) {
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        ident(item, out);
    }
}

/// An identifier as a JSON string. Rulebook ids are validated as `[a-z][a-z0-9_]*` and
/// tier and urgency names are fixed words, so none needs escaping.
fn ident(s: &str, out: &mut Vec<u8>) {
    debug_assert!(s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

/// A JSON string; plain text is copied as it is, anything else escaped by serde_json.
fn string(s: &str, out: &mut Vec<u8>) {
    // A fold rather than `all`: without an early exit it runs over many bytes at once.
    let plain = s.bytes().fold(true, |plain, b| {
        plain & (b >= 0x20) & (b != b'"') & (b != b'\\') & (b < 0x7f)
    });
    if plain {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        let _ = serde_json::to_writer(&mut *out, s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers;
    use crate::engine::Engine;
    use crate::rulebook::Rulebook;

    /// The brief line as serde_json writes it from [`Line`]: the reference `brief` must
    /// match byte for byte.
    fn reference(a: &Assessment<'_>, record: u64) -> Vec<u8> {
        // Deduplicated independently of `brief_referrals`, so the test checks it.
        let mut see: Vec<SeeBrief<'_>> = Vec::new();
        for s in &a.see {
            if !see
                .iter()
                .any(|b| b.who == s.who && b.when == s.when && b.precaution == s.precaution)
            {
                see.push(SeeBrief {
                    who: s.who,
                    when: s.when,
                    precaution: s.precaution,
                });
            }
        }
        let line = Line {
            schema_version: SCHEMA_VERSION,
            record,
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
            to_check: a
                .questions_to_check()
                .into_iter()
                .map(|(q, _)| q.id)
                .collect(),
            errors: &[],
        };
        let mut out = serde_json::to_vec(&line).expect("serializes");
        out.push(b'\n');
        out
    }

    #[test]
    fn brief_lines_match_serde_json() {
        let engine = Engine::new(Rulebook::builtin().expect("loads")).expect("compiles");
        let today = Date::from_ymd(2026, 11, 21).expect("date");
        let records = [
            r#"{"id":"desk \"worker\"\n","age":34,"pain_intensity":3,"pain_duration":"over_12_weeks"}"#,
            r#"{"nerve_signs":["saddle_numbness"]}"#,
            r#"{"injury":"minor","injury_days_ago":1,"injury_signs":["swollen"]}"#,
            r#"{"health":["surgery_spine"],"surgery_weeks_ago":2,"general_signs":["fever"]}"#,
            r#"{"id":"é","age":70,"pain_duration":"under_1_week","pain_intensity":9}"#,
            include_str!("../../examples/herniated-disc.json"),
        ];
        let mut seen_wait = false;
        for (n, text) in records.iter().enumerate() {
            let answers = answers::parse(engine.book(), text).expect("valid answers");
            let a = engine
                .check_and_assess(&answers, today)
                .expect("consistent");
            seen_wait |= a.wait.is_some();
            let mut out = Vec::new();
            brief(&a, n as u64 + 1, &mut out);
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&reference(&a, n as u64 + 1))
            );
        }
        assert!(seen_wait, "the records should include a wait");
    }
}
